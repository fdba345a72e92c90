"""The lease store on DynamoDB: pool slots, live leases and lease history.

Each method is one DynamoDB request (extend: up to three), counted by `meter` so that
benchmarks and tests can hold the allocator to its O(1) promise.
"""
from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from ringback.adapters.meter import RequestMeter
from ringback.adapters.tables import LeaseHistoryRecord, LeaseRecord, PoolRecord, PoolSlotRecord
from ringback.calls.retention import lease_history_retain_until
from ringback.tracking.leases import LEASE_GRACE_MS, Candidate, HistoryEntry, Lease, LeaseRequest, history_key

# How far before a window a lease that was still running in it may have started: the
# longest lease a pool may have (7 days), which activity can only outlast by staying on a
# page for days.
MAX_LEASE_MS = 7 * 24 * 3_600_000


def _lost_condition(error: TransactWriteError) -> bool:
    reasons = error.cancellation_reasons or []
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons)


def _entry(record: LeaseHistoryRecord) -> HistoryEntry:
    return HistoryEntry(
        line=record.line,
        session_id=record.session_id,
        pool_id=record.pool_id,
        tenant_id=record.tenant_id,
        visitor_key=record.visitor_key,
        started_at=int(record.started_at),
        ended_at=int(record.ended_at),
        shared=bool(record.shared),
        code=record.code,
    )


def _sequence_is(seen: int):
    # A slot written before codes has no sequence: it reads as 0.
    condition = PoolSlotRecord.sequence == seen
    return condition | PoolSlotRecord.sequence.does_not_exist() if seen == 0 else condition


class DynamoLeaseStore:
    def __init__(self, meter: RequestMeter | None = None) -> None:
        self.meter = meter or RequestMeter()

    def _connection(self) -> Connection:
        # The one connection bind_tables() gives every table: its botocore client is
        # thread-safe, and a connection per thread would build a client per request in a
        # server that starts a thread per request.
        return PoolSlotRecord._get_connection().connection

    # -- reading a pool's lines ----------------------------------------------------
    def lines(self, pool_key: str, limit: int) -> list[Candidate]:
        """The shard's lines, free or not, longest free (or least recently active) first:
        one Query, which also carries each line's sequence (the next code)."""
        self.meter.add()
        result = PoolSlotRecord.by_pool_free_at.query(pool_key, limit=limit, page_size=limit)
        return [Candidate(r.line, int(r.free_at), int(r.sequence or 0)) for r in result]

    def last_lease_of(self, visitor_key: str, pool_id: str) -> HistoryEntry | None:
        self.meter.add()
        for record in LeaseHistoryRecord.by_visitor.query(visitor_key, scan_index_forward=False, limit=5, page_size=5):
            if record.pool_id == pool_id:
                return _entry(record)
        return None

    # -- writing leases ------------------------------------------------------------
    def _lease_items(self, request: LeaseRequest, transaction: TransactWrite) -> None:
        lease = request.lease
        transaction.save(
            LeaseRecord(
                lease.session_id,
                lease.line,
                tenant_id=lease.tenant_id,
                pool_id=lease.pool_id,
                leased_at=lease.leased_at,
                expires_at=lease.expires_at,
                history_key=lease.history_key,
                shared=lease.shared,
                code=lease.code,
                expire_after=_seconds(lease.expires_at + LEASE_GRACE_MS),
            )
        )
        transaction.save(
            LeaseHistoryRecord(
                lease.line,
                lease.history_key,
                session_id=lease.session_id,
                tenant_id=lease.tenant_id,
                pool_id=lease.pool_id,
                visitor_key=request.visitor_key,
                started_at=lease.leased_at,
                ended_at=lease.expires_at,
                shared=lease.shared,
                code=lease.code,
                number=lease.number,
                # Never shorter than attribution looks back, whatever the tenant's retention.
                retain_until=_seconds(lease_history_retain_until(lease.leased_at, request.retain_until_ms)),
            )
        )

    def take(self, request: LeaseRequest, now_ms: int) -> bool:
        """Lease the line if, at the moment of writing, its last lease has ended and it is
        still in the pool; the slot, the live lease and its history are written together."""
        lease = request.lease
        slot = PoolSlotRecord(lease.line)
        self.meter.add()
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                actions: list[Action] = [
                    PoolSlotRecord.free_at.set(lease.expires_at),
                    PoolSlotRecord.session_id.set(lease.session_id),
                    PoolSlotRecord.leased_at.set(lease.leased_at),
                    PoolSlotRecord.holders.set(1),
                ]
                if request.sequence is not None:
                    actions.append(PoolSlotRecord.sequence.set(request.sequence))
                transaction.update(
                    slot,
                    actions=actions,
                    condition=(PoolSlotRecord.free_at <= now_ms) & (PoolSlotRecord.pool_key == request.pool_key),
                )
                self._lease_items(request, transaction)
        except TransactWriteError as error:
            if _lost_condition(error):
                return False
            raise
        return True

    def share(self, request: LeaseRequest, now_ms: int) -> bool:
        """Add a holder to a held line (the pool is full), in one transaction with the
        lease, its history and the pool's overflow count. Conditioned on the sequence the
        allocator read, so two sharers never get one code, and on the line's end not
        moving back (a holder's later end stands). False: a condition failed; read the
        lines again."""
        lease = request.lease
        actions: list[Action] = [
            PoolSlotRecord.holders.add(1),
            PoolSlotRecord.session_id.set(lease.session_id),
            PoolSlotRecord.leased_at.set(lease.leased_at),
            PoolSlotRecord.free_at.set(lease.expires_at),
        ]
        if request.sequence is not None:
            actions.append(PoolSlotRecord.sequence.set(request.sequence))
        condition = (PoolSlotRecord.pool_key == request.pool_key) & (PoolSlotRecord.free_at <= lease.expires_at)
        if request.seen_sequence is not None:
            condition &= _sequence_is(request.seen_sequence)
        self.meter.add()
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.update(PoolSlotRecord(lease.line), actions=actions, condition=condition)
                self._lease_items(request, transaction)
                transaction.update(PoolRecord(lease.pool_id), actions=[PoolRecord.overflow_count.add(1)],
                                   condition=PoolRecord.pool_id.exists())
        except TransactWriteError as error:
            if _lost_condition(error):
                return False
            raise
        return True

    def count_overflow(self, pool_id: str) -> None:
        self.meter.add()
        PoolRecord(pool_id).update(actions=[PoolRecord.overflow_count.add(1)], condition=PoolRecord.pool_id.exists())

    def leases_of(self, session_id: str) -> list[Lease]:
        self.meter.add()
        return [
            Lease(
                session_id=r.session_id,
                line=r.line,
                pool_id=r.pool_id,
                tenant_id=r.tenant_id,
                leased_at=int(r.leased_at),
                expires_at=int(r.expires_at),
                shared=bool(r.shared),
                code=r.code,
            )
            for r in LeaseRecord.query(session_id)
        ]

    def extend(self, lease: Lease, until: int, pool_key: str, now_ms: int) -> bool:
        """Move the lease's end to `until`, provided the line is still held (not free)."""
        self.meter.add()
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.update(
                    PoolSlotRecord(lease.line),
                    actions=[PoolSlotRecord.free_at.set(until)],
                    condition=(PoolSlotRecord.free_at >= now_ms)
                    & (PoolSlotRecord.free_at < until)
                    & (PoolSlotRecord.pool_key == pool_key),
                )
                self._extend_lease_items(lease, until, transaction)
            return True
        except TransactWriteError as error:
            if not _lost_condition(error):
                raise
        # A sharer may have pushed the line's end further already; then only our own
        # lease moves. If the line is free, the lease is lost.
        self.meter.add()
        try:
            slot = PoolSlotRecord.get(lease.line, consistent_read=True)
        except PoolSlotRecord.DoesNotExist:
            return False
        if int(slot.free_at) < until or slot.pool_key != pool_key:
            return False
        self.meter.add()
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.condition_check(
                    PoolSlotRecord, lease.line, condition=PoolSlotRecord.free_at >= until
                )
                self._extend_lease_items(lease, until, transaction)
        except TransactWriteError as error:
            if _lost_condition(error):
                return False
            raise
        return True

    def _extend_lease_items(self, lease: Lease, until: int, transaction: TransactWrite) -> None:
        transaction.update(
            LeaseRecord(lease.session_id, lease.line),
            actions=[LeaseRecord.expires_at.set(until), LeaseRecord.expire_after.set(_seconds(until + LEASE_GRACE_MS))],
            condition=LeaseRecord.session_id.exists(),
        )
        transaction.update(
            LeaseHistoryRecord(lease.line, history_key(lease.leased_at, lease.session_id)),
            actions=[LeaseHistoryRecord.ended_at.set(until)],
            condition=LeaseHistoryRecord.line.exists(),
        )

    # -- history ---------------------------------------------------------------------
    def held_at(self, line: str, at_ms: int, grace_ms: int = 0) -> list[HistoryEntry]:
        """Every session that held the line at that instant (several when it was shared),
        or whose lease of it ended at most `grace_ms` before."""
        self.meter.add()
        records = LeaseHistoryRecord.query(
            line, LeaseHistoryRecord.started <= f"{at_ms:013d}~", scan_index_forward=False, limit=10, page_size=10
        )
        return [_entry(r) for r in records if int(r.ended_at) >= at_ms - grace_ms]

    def history_of_pool(self, pool_id: str, since_ms: int, until_ms: int) -> list[HistoryEntry]:
        # Leases that started before the window but were still running in it count too:
        # reach back one maximum lease length.
        start = max(0, since_ms - MAX_LEASE_MS)
        self.meter.add()
        records = LeaseHistoryRecord.by_pool.query(
            pool_id, LeaseHistoryRecord.started.between(f"{start:013d}", f"{until_ms:013d}~")
        )
        return [_entry(r) for r in records if int(r.ended_at) >= since_ms]

    def shown_on(self, number: str, since_ms: int, until_ms: int) -> list[HistoryEntry]:
        """Every lease of the number's lines (itself, or each "number,extension") that ran
        at some time in the window, oldest first: the visits shown that number."""
        start = max(0, since_ms - MAX_LEASE_MS)
        self.meter.add()
        records = LeaseHistoryRecord.by_number.query(
            number, LeaseHistoryRecord.started.between(f"{start:013d}", f"{until_ms:013d}~")
        )
        return [_entry(r) for r in records if int(r.ended_at) >= since_ms]


def _seconds(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
