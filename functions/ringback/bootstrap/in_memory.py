"""The whole domain on in-memory fakes, wired as the deployed functions are
(ringback.bootstrap.assembly): for domain tests and trace replays."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ringback.analytics.pipeline import ChangeLog
from ringback.bootstrap.assembly import assemble, with_accounts, with_site_parts
from ringback.bootstrap.container import Services
from ringback.calls.events import Events
from ringback.clock import Clock
from ringback.metrics import CountedMetrics
from ringback.settings import Settings

if TYPE_CHECKING:
    from ringback.adapters.memory import MemoryCallbacks, MemoryMessages, MemoryRecordingStore
    from ringback.adapters.memory_calls import MemoryCallLog
    from ringback.adapters.memory_erasure import MemoryErasableEventFiles


def build_memory_services(clock: Clock, settings: Settings | None = None) -> Services:
    """The whole domain on in-memory fakes: for domain tests and trace replays."""
    from ringback.adapters import memory, memory_accounts, memory_deliveries

    leases, deliveries = memory.MemoryLeaseStore(), memory_deliveries.MemoryDeliveryLog()
    pools = memory.MemoryPools(leases)
    from ringback.accounts.edge_cache import SitesSeenByEdge
    from ringback.adapters.memory_edge_cache import MemoryEdgeCache

    edge_cache = MemoryEdgeCache()
    sites = SitesSeenByEdge(memory.MemorySites(), edge_cache)
    metrics = CountedMetrics()
    from ringback.adapters.memory_erasure import MemoryErasableEventFiles

    # Kept by name: a caller's erasure (below) deletes from these same fakes.
    call_log, recording_store, callback_store = memory.MemoryCallLog(), memory.MemoryRecordingStore(), \
        memory.MemoryCallbacks()
    messages, event_files = memory.MemoryMessages(), MemoryErasableEventFiles()
    services = assemble(
        settings, clock, sites, memory.MemoryTenants(), pools, call_log,
        memory.MemoryRouting(pools), memory.MemoryVisits(), leases, memory.MemoryRateCounter(),
        memory.MemoryNumbers(pools), memory.MemoryNotifier(), recording_store,
        memory.MemoryCarrierRecordings(), Events(memory.MemoryDeliveryQueue(), _refuse_network, clock, sites,
                                                 deliveries, metrics=metrics),
        callback_store, memory.MemoryWorkflow(), memory.MemoryDialer(), memory.MemoryIdempotency(),
        changes=ChangeLog(event_files), messages=messages, metrics=metrics,
    )
    from ringback.adapters.memory_numbers import MemoryNumberCarrier
    from ringback.adapters.memory_pools import MemoryQuarantine
    from ringback.adapters.memory_usage import MemoryUsageMeter

    numbers = (MemoryNumberCarrier(settings.twilio_account_sid, settings.twilio_auth_token or "main-token")
               if settings is not None and settings.twilio_account_sid else MemoryNumberCarrier())
    services = with_accounts(services, memory_accounts.MemoryInvitations(), memory_accounts.MemoryApiKeys(),
                             memory_accounts.MemoryAuditLog(), numbers, numbers.main_sid,
                             quarantine=MemoryQuarantine(), users=memory_accounts.MemoryUserInviter(),
                             usage=MemoryUsageMeter())
    services = replace(services, edge_cache=edge_cache)
    services = with_memory_erasure(services, call_log, callback_store, messages, recording_store, event_files)
    return with_site_parts(services, _refuse_network, fetch_page=memory.no_pages, deliveries=deliveries)


def with_memory_erasure(services: Services, call_log: MemoryCallLog, callback_store: MemoryCallbacks,
                        messages: MemoryMessages, recording_store: MemoryRecordingStore,
                        event_files: MemoryErasableEventFiles) -> Services:
    """A caller's erasure over the memory fakes that the services were assembled from."""
    from ringback.adapters.memory_erasure import MemoryCallerRecords
    from ringback.analytics.erasure import CallerRows
    from ringback.calls.erasure import CallerErasure

    records = MemoryCallerRecords(call_log, callback_store, messages)
    # Keyed as the memory change log keys its rows: without an analytics key.
    rows = CallerRows(event_files, None)
    return replace(services, erasure=CallerErasure(records, recording_store, rows, services.sites, services.audit,
                                                   services.clock))


def _refuse_network(url: str, body: bytes, headers: dict) -> int:
    # In-memory services reach no network: a test that wants a receiver installs one.
    raise OSError(f"no network in memory services ({url})")
