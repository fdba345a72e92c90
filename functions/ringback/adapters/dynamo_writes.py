"""What every DynamoDB adapter does alike with a conditional write."""
from __future__ import annotations

from collections.abc import Callable

from pynamodb.exceptions import DeleteError, PutError, UpdateError


def applied(write: Callable[[], object]) -> bool:
    """Run a conditional write: True if it was applied, False if its condition failed."""
    try:
        write()
    except (PutError, UpdateError, DeleteError) as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
