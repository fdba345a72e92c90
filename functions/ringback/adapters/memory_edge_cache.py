"""The edge cache in memory: what a domain test asks the CDN to forget."""
from __future__ import annotations

from ringback.accounts.edge_cache import EdgeCacheUnavailable


class MemoryEdgeCache:
    def __init__(self) -> None:
        self.invalidations: list[list[str]] = []
        # Set by a test: the next invalidations fail, as a throttled CDN's would.
        self.unavailable = False

    def invalidate(self, paths: list[str]) -> None:
        if not paths:
            raise ValueError("nothing to invalidate")
        if self.unavailable:
            raise EdgeCacheUnavailable("the CDN is unavailable (set by the test)")
        self.invalidations.append(list(paths))

    @property
    def invalidated(self) -> list[str]:
        """Every path invalidated so far, in order."""
        return [path for batch in self.invalidations for path in batch]
