"""The visit log on DynamoDB (ringback.ports.VisitLog): one item per visitor session,
and the by_visitor index for a visitor's journey."""
from __future__ import annotations

from datetime import UTC, datetime

from ringback.adapters.dynamo_writes import applied
from ringback.adapters.tables import VisitRecord
from ringback.tracking.visits import Visit, visitor_key


def _visit(r: VisitRecord) -> Visit:
    return Visit(
        session_id=r.session_id,
        tenant_id=r.tenant_id,
        site_id=r.site_id,
        client_id=r.client_id,
        started_at=int(r.started_at),
        last_seen_at=int(r.last_seen_at),
        utm=dict(r.utm.as_dict()) if r.utm else {},
        gclid=r.gclid,
        yclid=r.yclid,
        referrer=r.referrer,
        referrer_domain=r.referrer_domain,
        landing_page=r.landing_page,
        keyword=r.keyword,
        region=dict(r.region.as_dict()) if r.region else {},
        device=r.device,
        pages_viewed=int(r.pages_viewed),
        shown_lines=tuple(r.shown_lines or ()),
        clicks=tuple({"line": c["line"], "at": int(c["at"])} for c in (r.clicks or [])),
    )


class DynamoVisits:
    def save(self, visit: Visit, retain_until_ms: int) -> None:
        VisitRecord(
            visit.session_id,
            tenant_id=visit.tenant_id,
            site_id=visit.site_id,
            client_id=visit.client_id,
            visitor_key=visit.visitor_key,
            started_at=visit.started_at,
            last_seen_at=visit.last_seen_at,
            utm=visit.utm,
            gclid=visit.gclid,
            yclid=visit.yclid,
            referrer=visit.referrer,
            referrer_domain=visit.referrer_domain,
            landing_page=visit.landing_page,
            keyword=visit.keyword,
            region=visit.region,
            device=visit.device,
            pages_viewed=visit.pages_viewed,
            shown_lines=list(visit.shown_lines),
            retain_until=datetime.fromtimestamp(retain_until_ms / 1000, tz=UTC),
        ).save(condition=VisitRecord.session_id.does_not_exist())

    def get(self, session_id: str) -> Visit | None:
        try:
            return _visit(VisitRecord.get(session_id))
        except VisitRecord.DoesNotExist:
            return None

    def page_viewed(self, session_id: str, now_ms: int) -> None:
        VisitRecord(session_id).update(
            actions=[VisitRecord.pages_viewed.add(1), VisitRecord.last_seen_at.set(now_ms)],
            condition=VisitRecord.session_id.exists(),
        )

    def add_click(self, session_id: str, site_id: str, client_id: str, line: str, at_ms: int) -> bool:
        return applied(lambda: VisitRecord(session_id).update(
            actions=[VisitRecord.clicks.set(VisitRecord.clicks.append([{"line": line, "at": at_ms}]))],
            condition=(VisitRecord.site_id == site_id) & (VisitRecord.client_id == client_id),
        ))

    def of_visitor(self, site_id: str, client_id: str, since_ms: int, until_ms: int) -> list[Visit]:
        return [_visit(r) for r in VisitRecord.by_visitor.query(
            visitor_key(site_id, client_id), VisitRecord.started_at.between(since_ms, until_ms)
        )]
