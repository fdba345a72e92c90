"""Disposable-mail domains (ringback.accounts.signup_guard.DisposableDomains), from the
disposable-email-domains package: the community-maintained list behind many sign-up
forms, released as a new version whenever the list changes, so a dependency update is a
list update."""
from __future__ import annotations


class PackagedDisposableDomains:
    def __init__(self) -> None:
        # About 10,000 names in a set, a few milliseconds to import.
        from disposable_email_domains import blocklist

        self._listed: frozenset[str] = frozenset(blocklist)

    def listed(self, domain: str) -> bool:
        return domain in self._listed
