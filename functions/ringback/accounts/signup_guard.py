"""Who may open an account: the check the dashboard's user pool runs before each sign-up.

A sign-up is free and opens a tenant, so two kinds of abuse matter: throwaway addresses
(nobody reads the mail, nobody pays, and trials are farmed), and floods of sign-ups from
one actor. Cognito's pre sign-up trigger (functions/pool/signup_trigger.py) asks
`SignUpGuard.check` and refuses the sign-up when it raises.

What the trigger cannot see is the caller's address: Cognito's pre sign-up event carries
the user's attributes and the client's `validationData` and `clientMetadata`, all of them
written by the caller, and no source IP. A rate per IP is therefore applied in front of
Cognito, by the regional WAF web ACL on the user pool (infra/constructs/auth.py); here the
sign-ups are counted per e-mail domain and for the whole pool, which no rotation of
addresses gets around.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ringback.clock import Clock
from ringback.errors import RateLimited, RingbackError
from ringback.guards import Limit, RateCounter, enforce
from ringback.metrics import BusinessMetrics, Metric

# Cognito's triggerSource for a self sign-up, and for a user a tenant's manager invited
# (AdminCreateUser: an authenticated member chose that address and answers for it).
SELF_SIGN_UP = "PreSignUp_SignUp"
INVITATION = "PreSignUp_AdminCreateUser"

# Sign-ups from one domain in an hour: a company's people join by invitation, so a run of
# self sign-ups on one domain is one actor with a catch-all domain.
PER_DOMAIN = Limit("signup-domain", per_window=20, window_seconds=3600)
# Every self sign-up of the pool in an hour: the brake on a flood that rotates its
# addresses, domains and IPs alike; meant never to meet a real day's sign-ups (raise it
# before they approach it).
PER_POOL = Limit("signup-pool", per_window=500, window_seconds=3600)

# Public mail providers whose addresses are each somebody's own: they limit account
# creation themselves, so many sign-ups on gmail.com are many people, and only the
# pool's limit applies to them.
PUBLIC_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de",
    "yandex.ru", "mail.ru",
})


class DisposableDomains(Protocol):
    def listed(self, domain: str) -> bool:
        """Whether this exact domain (lower case, no trailing dot) is a disposable-mail service."""
        ...


class SignUpRefused(RingbackError):
    """The sign-up is refused; the message is what the person signing up reads."""

    code = "sign_up_refused"


@dataclass(frozen=True)
class SignUp:
    email: str
    # SELF_SIGN_UP or INVITATION (Cognito's triggerSource)
    source: str


def email_domain(email: str) -> str:
    """The domain of an address, as compared: lower case, without a trailing dot."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain:
        raise SignUpRefused("Enter a valid e-mail address.", code="invalid_email")
    return domain.lower().rstrip(".")


class SignUpGuard:
    def __init__(self, disposable: DisposableDomains, counter: RateCounter, clock: Clock,
                 per_domain: Limit = PER_DOMAIN, per_pool: Limit = PER_POOL, *,
                 metrics: BusinessMetrics | None = None) -> None:
        self._disposable = disposable
        self._metrics = metrics
        self._counter = counter
        self._clock = clock
        self._per_domain = per_domain
        self._per_pool = per_pool

    def check(self, sign_up: SignUp) -> None:
        """Refuse (SignUpRefused) a self sign-up from a disposable domain, or over the rate
        of its domain or of the pool. Invitations pass: a member chose the address.

        Each refusal is counted (SignUpsRefused): Cognito learns of it only as a failed
        invocation, and the trigger's errors alarm subtracts these to see real failures."""
        try:
            self._check(sign_up)
        except SignUpRefused:
            if self._metrics is not None:
                self._metrics.count(Metric.SIGN_UPS_REFUSED)
            raise

    def _check(self, sign_up: SignUp) -> None:
        if sign_up.source != SELF_SIGN_UP:
            return
        domain = email_domain(sign_up.email)
        if self.is_disposable(domain):
            raise SignUpRefused("Sign-ups from disposable e-mail addresses are not accepted; "
                                "sign up with your work address.", code="disposable_email")
        # Refused addresses are not counted: a bot sending throwaway addresses does not
        # use up the real sign-ups' allowance.
        subjects = {self._per_pool.scope: "all"}
        if domain not in PUBLIC_MAIL:
            subjects[self._per_domain.scope] = domain
        try:
            enforce(self._counter, (self._per_domain, self._per_pool), subjects, self._clock.now_ms())
        except RateLimited as limited:
            minutes = max(1, -(-limited.retry_after_seconds // 60))
            raise SignUpRefused(f"Too many sign-ups right now; try again in {minutes} minute"
                                f"{'' if minutes == 1 else 's'}.", code="sign_up_rate",
                                details=limited.details) from None

    def is_disposable(self, domain: str) -> bool:
        """The domain or any domain it is under ("x.mailinator.com" is mailinator.com's)."""
        labels = domain.split(".")
        return any(self._disposable.listed(".".join(labels[i:])) for i in range(len(labels) - 1))
