"""Meters the API keys made before usage plans existed: a worker of the pool function
(infra/catalog.py, "enrolment"), with a role of its own that may read the api_keys table
and manage keys of the API keys usage plan, and nothing else.

Every deploy runs it once the stack's resources are in place (a CDK trigger,
infra/constructs/key_enrolment.py), since from then on the gateway refuses a key it
cannot meter. The decision is ringback.accounts.api_keys.enrol_existing_keys; this module
builds the table and the meter and reports. Like the sign-up trigger it loads neither the
Chalice app nor the composition root.

    event: {} (the trigger), or {"cursor": "..."} to resume a run that ran out of time
    answer: what it did (examined, meteredAlready, revoked, enrolled, failed, complete)

A run that leaves a live key unmetered raises, so the deploy fails and CloudFormation
rolls it back to the stage that did not need the meter: no customer's key meets a 403.
Running again is safe (it enrols only what is missing), so the fix is to deploy again
once the cause (API Gateway throttling, a permission) is gone.
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ringback.accounts.api_keys import enrol_existing_keys as enrol
from ringback.adapters.observability import traced

if TYPE_CHECKING:
    from ringback.adapters.dynamo_key_pages import DynamoKeyPages
    from ringback.adapters.usage_plans import ApiGatewayUsageMeter

__all__ = ["enrol_existing_keys"]

# Stop reading pages with this much of the invocation left: a page's enrolments take
# seconds when API Gateway throttles, and the answer must reach the trigger.
MARGIN_MS = 60_000


class KeysLeftUnmetered(Exception):
    """Some live key has no meter after the run: the gateway would refuse it."""


@cache
def _parts() -> tuple[DynamoKeyPages, ApiGatewayUsageMeter]:
    from ringback.adapters.dynamo_key_pages import DynamoKeyPages
    from ringback.adapters.tables import bind_tables
    from ringback.adapters.usage_plans import ApiGatewayUsageMeter
    from ringback.settings import load_settings

    settings = load_settings()
    bind_tables(settings.table_names(), settings.region, settings.aws_endpoint_url)
    return DynamoKeyPages(), ApiGatewayUsageMeter(settings.stage, settings.region, settings.aws_endpoint_url,
                                                  patient=True)


@traced
def enrol_existing_keys(event: dict[str, Any] | None, context: Any) -> dict[str, object]:
    from ringback.adapters.logs import get_logger

    keys, meter = _parts()
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    run = enrol(keys, meter, cursor=(event or {}).get("cursor"),
                out_of_time=lambda: remaining is not None and remaining() < MARGIN_MS)
    report = run.as_json()
    logger = get_logger("pool-enrolment")
    if run.done:
        logger.info("API keys metered", extra={"enrolment": report})
        return report
    logger.error("API keys left unmetered", extra={"enrolment": report})
    why = (f"{len(run.failed)} API key(s) could not be enrolled in the usage plan: {', '.join(run.failed[:20])}"
           if run.failed else f"out of time with keys still to read; resume with {{\"cursor\": \"{run.cursor}\"}}")
    raise KeysLeftUnmetered(f"{why}. Enrolled {len(run.enrolled)}, metered already {run.metered_already}. "
                            "Safe to run again (deploy again, or invoke this worker).")
