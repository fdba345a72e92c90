"""Pools, their tracking numbers and the routes they make on DynamoDB
(ringback.ports.PoolDirectory, NumberDirectory, Routing), and the numbers in quarantine
(NumberQuarantine).

docs/data-model.md names the access pattern behind each key. A pool is changed only at
the version its writer read, and a number leaves a pool through a conditional delete of
each of its slots, the very item a lease is taken on: a lease and a removal cannot both
win.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial

from pynamodb.expressions.update import Action

from ringback.adapters.dynamo_writes import applied
from ringback.adapters.tables import PoolRecord, PoolSlotRecord, QuarantineRecord, TrackingNumberRecord
from ringback.calls.inbound import TrackingNumber
from ringback.errors import PreconditionFailed
from ringback.tracking.pools import Pool, lines_of, shard_of
from ringback.tracking.rules import Route


def _pool(record: PoolRecord) -> Pool:
    return Pool(
        pool_id=record.pool_id,
        tenant_id=record.tenant_id,
        site_id=record.site_id,
        name=record.name,
        mode=record.mode,
        lease_seconds=int(record.lease_seconds),
        exhaustion_policy=record.exhaustion_policy,
        shards=int(record.shards),
        rule=record.rule or {},
        overflow_count=int(record.overflow_count or 0),
        created_at=int(record.created_at),
        version=int(record.version or 0),
    )


def _tracking_number(r: TrackingNumberRecord) -> TrackingNumber:
    return TrackingNumber(r.number, r.tenant_id, r.site_id, r.kind, r.pool_id, r.channel or {}, r.sms is not False)


def _at_version(expected: int):
    # A pool stored before versions has none: it reads as version 0.
    same = PoolRecord.version == expected
    return same | PoolRecord.version.does_not_exist() if expected == 0 else same


def _stale() -> PreconditionFailed:
    return PreconditionFailed("the pool changed since it was read: read it again", code="stale_version")


def _slot(pool: Pool, number: str, line: str, free_at: int) -> PoolSlotRecord:
    return PoolSlotRecord(
        line,
        pool_key=pool.pool_key(shard_of(line, pool.shards)),
        free_at=free_at,
        tenant_id=pool.tenant_id,
        pool_id=pool.pool_id,
        number=number,
        extension=line.partition(",")[2] or None,
    )


class DynamoPools:
    def for_site(self, site_id: str) -> list[Pool]:
        return [_pool(r) for r in PoolRecord.by_site.query(site_id)]

    def get(self, pool_id: str) -> Pool | None:
        # Consistent: the management API conditions its next write on the version read.
        try:
            return _pool(PoolRecord.get(pool_id, consistent_read=True))
        except PoolRecord.DoesNotExist:
            return None

    def save(self, pool: Pool, expected_version: int | None = None) -> None:
        # An update, not a put: the lease store ADDs to overflow_count meanwhile, and a
        # put of the pool as its writer read it would take those counts back.
        r = PoolRecord
        actions: list[Action] = [
            r.tenant_id.set(pool.tenant_id), r.site_id.set(pool.site_id), r.name.set(pool.name),
            r.mode.set(pool.mode), r.lease_seconds.set(pool.lease_seconds),
            r.exhaustion_policy.set(pool.exhaustion_policy), r.shards.set(pool.shards), r.rule.set(pool.rule),
            r.created_at.set(pool.created_at), r.version.set(pool.version + 1),
            r.overflow_count.set(r.overflow_count | pool.overflow_count),
        ]
        condition = _at_version(expected_version) if expected_version is not None else None
        if not applied(lambda: PoolRecord(pool.pool_id).update(actions=actions, condition=condition)):
            raise _stale()

    def delete(self, pool_id: str, expected_version: int) -> None:
        if not applied(lambda: PoolRecord(pool_id).delete(condition=_at_version(expected_version))):
            raise _stale()

    def add_numbers(self, pool: Pool, numbers: Iterable[str], now_ms: int, sms: bool = True) -> None:
        with TrackingNumberRecord.batch_write() as numbers_batch, PoolSlotRecord.batch_write() as slots_batch:
            for number in numbers:
                numbers_batch.save(
                    TrackingNumberRecord(
                        number, tenant_id=pool.tenant_id, site_id=pool.site_id, kind="pool",
                        pool_id=pool.pool_id, sms=sms, created_at=now_ms,
                    )
                )
                for line in lines_of(pool, number):
                    slots_batch.save(_slot(pool, number, line, free_at=0))

    def remove_number(self, pool: Pool, number: str, now_ms: int) -> bool:
        try:
            tracked = TrackingNumberRecord.get(number, consistent_read=True)
        except TrackingNumberRecord.DoesNotExist:
            return False
        if tracked.kind != "pool" or tracked.pool_id != pool.pool_id:
            return False
        # Each slot goes only while its line is free (the condition a lease is taken on,
        # turned round); a slot missing already is no obstacle.
        free = PoolSlotRecord.line.does_not_exist() | (
            (PoolSlotRecord.pool_id == pool.pool_id) & (PoolSlotRecord.free_at <= now_ms))
        removed: list[str] = []
        for line in lines_of(pool, number):
            if not applied(partial(PoolSlotRecord(line).delete, condition=free)):
                self._restore(pool, number, removed, now_ms)
                return False
            removed.append(line)
        TrackingNumberRecord(number).delete(
            condition=(TrackingNumberRecord.kind == "pool") & (TrackingNumberRecord.pool_id == pool.pool_id))
        return True

    @staticmethod
    def _restore(pool: Pool, number: str, lines: list[str], now_ms: int) -> None:
        # Only an extension number (1,000 lines) can be stopped part way. Its lines taken
        # off were free at now_ms: back on the free list as if they had just been freed,
        # behind the lines free for longer, which is the order late callers are safest in.
        with PoolSlotRecord.batch_write() as batch:
            for line in lines:
                batch.save(_slot(pool, number, line, free_at=now_ms))

    def add_static_number(self, tenant_id: str, site_id: str, number: str, channel: dict, now_ms: int,
                          sms: bool = True) -> None:
        TrackingNumberRecord(
            number, tenant_id=tenant_id, site_id=site_id, kind="static", channel=channel, sms=sms,
            static_site_id=site_id, created_at=now_ms,
        ).save()

    def remove_static_number(self, site_id: str, number: str) -> bool:
        # Conditioned on what it is, so a pool's number or another site's is never removed.
        record = TrackingNumberRecord(number)
        condition = ((TrackingNumberRecord.kind == "static") & (TrackingNumberRecord.site_id == site_id))
        return applied(lambda: record.delete(condition=condition))

    def set_channel(self, site_id: str, number: str, channel: dict) -> bool:
        # The same condition: a pool's number keeps its pool's rule, another site's is not ours.
        condition = ((TrackingNumberRecord.kind == "static") & (TrackingNumberRecord.site_id == site_id))
        return applied(lambda: TrackingNumberRecord(number).update(
            actions=[TrackingNumberRecord.channel.set(channel)], condition=condition))

    def site_numbers(self, site_id: str) -> list[TrackingNumber]:
        # One Query a page (about 1 MB: thousands of numbers).
        return [_tracking_number(r) for r in TrackingNumberRecord.by_site.query(site_id)]

    def numbers_of(self, pool: Pool) -> list[str]:
        # From the tracking numbers, not the slots: one Query on the site's numbers
        # however many extension codes a number carries.
        return [
            r.number
            for r in TrackingNumberRecord.by_site.query(pool.site_id)
            if r.kind == "pool" and r.pool_id == pool.pool_id
        ]

    def size(self, pool: Pool) -> int:
        return len(self.numbers_of(pool))


class DynamoNumbers:
    def tracking_number(self, number: str) -> TrackingNumber | None:
        try:
            r = TrackingNumberRecord.get(number)
        except TrackingNumberRecord.DoesNotExist:
            return None
        return _tracking_number(r)


class DynamoRouting:
    def routes_for(self, site_id: str) -> list[Route]:
        routes = [
            Route("static", r.number, r.channel or {}) for r in TrackingNumberRecord.static_by_site.query(site_id)
        ]
        routes += [Route("pool", r.pool_id, r.rule or {}) for r in PoolRecord.by_site.query(site_id)]
        return routes

    def pool(self, pool_id: str) -> Pool | None:
        try:
            return _pool(PoolRecord.get(pool_id))
        except PoolRecord.DoesNotExist:
            return None


class DynamoQuarantine:
    def hold(self, number: str, until_ms: int, tenant_id: str, released_at: int) -> None:
        QuarantineRecord(
            number, until=until_ms, tenant_id=tenant_id, released_at=released_at,
            expire_after=datetime.fromtimestamp(until_ms / 1000, tz=UTC),
        ).save()

    def held(self, numbers: Iterable[str], now_ms: int) -> dict[str, int]:
        wanted = sorted(set(numbers))
        if not wanted:
            return {}
        # One BatchGetItem per 100 numbers; `until` decides, since TTL deletes late.
        found = QuarantineRecord.batch_get(wanted, consistent_read=True)
        return {r.number: int(r.until) for r in found if int(r.until) > now_ms}
