"""What every table model shares."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute


class TableMeta:
    # Placeholders until bind_tables() runs; a model used unbound fails loudly on the
    # placeholder region rather than silently reaching a real account.
    region = "unbound"
    host: str | None = None
    billing_mode = "PAY_PER_REQUEST"
    stream_view_type: str | None = None  # tables that feed analytics set NEW_AND_OLD_IMAGES


class StreamedMeta(TableMeta):
    # Analytics (functions/reports) consumes these tables' changes from DynamoDB Streams.
    stream_view_type = "NEW_AND_OLD_IMAGES"


def string_list(**options: Any) -> ListAttribute[str]:
    """A list of strings. pynamodb types ListAttribute(of=X) as a list of X, which holds for a
    MapAttribute class but not for a scalar one: UnicodeAttribute's values are str."""
    return ListAttribute(of=UnicodeAttribute, **options)  # type: ignore[arg-type]  # pynamodb's typing, above
