"""KeyInventory in memory (ringback.accounts.api_keys): the keys of MemoryApiKeys, paged
in key order as a Scan would page them (in some fixed order), for the enrolment's tests."""
from __future__ import annotations

from ringback.accounts.api_keys import ApiKey
from ringback.adapters.memory_accounts import MemoryApiKeys


class MemoryKeyPages(MemoryApiKeys):
    def __init__(self) -> None:
        super().__init__()
        # Every page read, by its cursor: what a test of resuming reads back.
        self.pages_read: list[str | None] = []

    def page(self, cursor: str | None, limit: int) -> tuple[list[ApiKey], str | None]:
        self.pages_read.append(cursor)
        ordered = sorted(self._keys.values(), key=lambda k: k.key_id)
        after = [k for k in ordered if cursor is None or k.key_id > cursor]
        page = after[:limit]
        return page, page[-1].key_id if len(after) > limit else None
