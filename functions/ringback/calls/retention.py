"""How long each kind of data is kept, in one place: the infrastructure's lifecycle rules
and TTL attributes are written from these values (infra/constructs/dialer.py,
analytics.py), and the adapters stamp each item's expiry from them and the clock.

Recordings follow a tenant setting. S3 lifecycle rules belong to a bucket, not to a
prefix per tenant that could be added at sign-up, so each recording is tagged at upload
with its retention class (`retention-days` = one of RECORDING_RETENTION_DAYS) and the
bucket has one expiring rule per class. Changing the setting applies to recordings made
afterwards; one already stored keeps the class it was tagged with.

The rest is one policy for every tenant:
- analytics events (Parquet) are kept ANALYTICS_EVENTS_DAYS, long enough for a
  year-on-year report over the last twelve months; the small files of a day are folded
  into one by the daily compaction, so nothing else of the raw changes stays;
- Athena's query results, which every report can recompute, ATHENA_RESULTS_DAYS;
- a replaced or deleted object's old version (both buckets are versioned against
  mistakes) NONCURRENT_DAYS, except what an erasure removes, which goes at once;
- a callback leg CALLBACK_LEG_DAYS after it was placed, and a text (SMS) MESSAGE_DAYS after
  it was sent: each is shown only beside its call or request, which the tenant's retention
  keeps 395 days by default;
- lease history at least LEASE_HISTORY_MIN_DAYS after the lease began, whatever the
  tenant's retention: attribution weighs every lease of the last 30 days.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ringback.errors import InvalidInput
from ringback.tracking.attribution import WINDOW_MS as ATTRIBUTION_WINDOW_MS

if TYPE_CHECKING:
    from ringback.ports import TenantDirectory

DAY_MS = 86_400_000

RECORDING_RETENTION_DAYS: tuple[int, ...] = (30, 90, 180, 365, 730)
DEFAULT_RECORDING_RETENTION_DAYS = 90
RETENTION_TAG = "retention-days"
# Standard-IA bills at least 30 days per object: only a class kept well past that moves.
INFREQUENT_ACCESS_AFTER_DAYS = 30
INFREQUENT_ACCESS_FROM_CLASS = 90

ANALYTICS_EVENTS_DAYS = 25 * 31
ATHENA_RESULTS_DAYS = 7
NONCURRENT_DAYS = 30
CALLBACK_LEG_DAYS = 400
MESSAGE_DAYS = 400
# The attribution window, and a fortnight for a lease extended while its visitor stayed.
LEASE_HISTORY_MIN_DAYS = ATTRIBUTION_WINDOW_MS // DAY_MS + 14


def check_recording_retention(days: int) -> int:
    if days not in RECORDING_RETENTION_DAYS:
        raise InvalidInput(
            f"recordings are kept for one of {', '.join(map(str, RECORDING_RETENTION_DAYS))} days",
            code="invalid_retention", details={"field": "recordingRetentionDays",
                                               "allowed": list(RECORDING_RETENTION_DAYS)},
        )
    return days


def recording_tags(days: int) -> dict[str, str]:
    """The tags a recording is uploaded with; the bucket's rule for its class expires it."""
    return {RETENTION_TAG: str(check_recording_retention(days))}


def callback_leg_retain_until(started_at_ms: int) -> int:
    return started_at_ms + CALLBACK_LEG_DAYS * DAY_MS


def message_retain_until(sent_at_ms: int) -> int:
    return sent_at_ms + MESSAGE_DAYS * DAY_MS


def lease_history_retain_until(leased_at_ms: int, tenant_retain_until_ms: int) -> int:
    """The tenant's retention, but never so short that attribution loses a candidate."""
    return max(tenant_retain_until_ms, leased_at_ms + LEASE_HISTORY_MIN_DAYS * DAY_MS)


class RecordingRetention:
    """A tenant's recording retention class, read when a recording is stored."""

    def __init__(self, tenants: TenantDirectory | None) -> None:
        self._tenants = tenants

    def tags_for(self, tenant_id: str) -> dict[str, str]:
        tenant = self._tenants.get(tenant_id) if self._tenants is not None else None
        days = tenant.recording_retention_days if tenant is not None else DEFAULT_RECORDING_RETENTION_DAYS
        return recording_tags(days)
