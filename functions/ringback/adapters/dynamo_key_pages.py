"""Every tenant's API keys, page by page (ringback.accounts.api_keys.KeyInventory): the
deploy's enrolment of keys made before usage plans reads the whole table this way.

A Scan, the one place that reads every key: the table is small (at most 50 live keys a
tenant, an item under 1 KB), and the run happens once per deploy.
"""
from __future__ import annotations

from ringback.accounts.api_keys import ApiKey
from ringback.adapters.dynamo import _decode_cursor, _encode_cursor
from ringback.adapters.dynamo_accounts import DynamoApiKeys, _api_key
from ringback.adapters.tables import ApiKeyRecord


class DynamoKeyPages(DynamoApiKeys):
    def page(self, cursor: str | None, limit: int) -> tuple[list[ApiKey], str | None]:
        result = ApiKeyRecord.scan(limit=limit, last_evaluated_key=_decode_cursor(cursor))
        keys = [_api_key(record) for record in result]
        return keys, _encode_cursor(result.last_evaluated_key)
