"""Ad spend, uploaded by a tenant as CSV, for the cost-per-call and cost-per-lead report.

    day,source,medium,campaign,spend,currency,clicks
    2026-03-01,google,cpc,spring-sale,120.50,USD,310

Every row is checked before anything is written; a file with errors is refused whole,
with the first errors and their line numbers. Rows become `ad_spend` change rows (the
same log as the streamed tables) in the tenant's day partitions, through the pipeline's
EventFiles port. A report takes the latest upload of each (day, source, medium,
campaign), so uploading a day again corrects it, and repeating a failed upload is safe.
"""
from __future__ import annotations

import csv
import io
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ringback.accounts.tenants import WRITE, TenantScope
from ringback.analytics.pipeline import EventFiles
from ringback.analytics.schema import AD_SPEND
from ringback.clock import Clock
from ringback.errors import InvalidInput

COLUMNS = ("day", "source", "medium", "campaign", "spend", "currency", "clicks")
MAX_BYTES = 5_000_000
MAX_ROWS = 50_000
MAX_ERRORS = 20
MAX_TEXT = 200
OLDEST_DAYS = 3 * 366

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,6})?$")


@dataclass(frozen=True)
class SpendRow:
    day: str
    source: str
    medium: str
    campaign: str
    spend: float
    currency: str
    clicks: int | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.day, self.source.lower(), self.medium.lower(), self.campaign.lower()


def parse_csv(body: bytes, today: date) -> list[SpendRow]:
    """The rows of an upload, or InvalidInput listing what is wrong (line numbers count
    the header as line 1)."""
    if len(body) > MAX_BYTES:
        raise InvalidInput(f"the CSV is larger than {MAX_BYTES // 1_000_000} MB: split it", code="invalid_csv")
    try:
        text = body.decode("utf-8-sig")  # a spreadsheet's byte-order mark is fine
    except UnicodeDecodeError:
        raise InvalidInput("the CSV must be UTF-8", code="invalid_csv") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if sorted(header) != sorted(COLUMNS):
        raise InvalidInput(f"the header must name the columns {','.join(COLUMNS)}", code="invalid_csv",
                           details={"expected": list(COLUMNS), "found": header})
    position = {name: header.index(name) for name in COLUMNS}
    rows: list[SpendRow] = []
    errors: list[dict[str, Any]] = []
    lines: dict[tuple[str, str, str, str], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave at the end
        if len(rows) + len(errors) >= MAX_ROWS:
            raise InvalidInput(f"at most {MAX_ROWS} rows in one upload", code="invalid_csv")
        try:
            if len(cells) != len(COLUMNS):
                raise ValueError(f"{len(cells)} cells, expected {len(COLUMNS)}")
            row = _row({name: cells[i].strip() for name, i in position.items()}, today)
        except ValueError as error:
            errors.append({"line": line, "error": str(error)})
        else:
            if row.key in lines:
                errors.append({"line": line, "error": f"the same day, source, medium and campaign as line "
                                                      f"{lines[row.key]}"})
            lines.setdefault(row.key, line)
            rows.append(row)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise InvalidInput(f"the CSV has errors (the first {len(errors)} are listed)", code="invalid_csv",
                           details={"errors": errors})
    if not rows:
        raise InvalidInput("the CSV has no rows", code="invalid_csv")
    currencies = sorted({row.currency for row in rows})
    if len(currencies) > 1:
        raise InvalidInput(f"one currency per upload, not {', '.join(currencies)}", code="invalid_csv")
    return rows


def _row(cells: dict[str, str], today: date) -> SpendRow:
    day = cells["day"]
    if not _DAY.match(day):
        raise ValueError("day must be YYYY-MM-DD")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise ValueError(f"{day} is not a date") from None
    if when > today + timedelta(days=1):
        raise ValueError(f"{day} is in the future")
    if when < today - timedelta(days=OLDEST_DAYS):
        raise ValueError(f"{day} is more than three years ago")
    for name in ("source", "medium"):
        if not cells[name]:
            raise ValueError(f"{name} is empty")
    for name in ("source", "medium", "campaign"):
        if len(cells[name]) > MAX_TEXT or any(ord(ch) < 32 or ord(ch) == 127 for ch in cells[name]):
            raise ValueError(f"{name} must be at most {MAX_TEXT} printable characters")
    if not _AMOUNT.match(cells["spend"]):
        raise ValueError("spend must be an amount like 120.50 (no currency sign or thousands separator)")
    spend = float(cells["spend"])
    if not math.isfinite(spend):
        raise ValueError("spend must be a finite amount")
    currency = cells["currency"].upper()
    if not _CURRENCY.match(currency):
        raise ValueError("currency must be a three-letter ISO 4217 code, e.g. USD")
    clicks = None
    if cells["clicks"]:
        if not cells["clicks"].isdigit() or len(cells["clicks"]) > 12:
            raise ValueError("clicks must be a whole number, or empty")
        clicks = int(cells["clicks"])
    return SpendRow(day, cells["source"], cells["medium"], cells["campaign"], spend, currency, clicks)


def tenant_to_write(scope: TenantScope, requested: str | None) -> str:
    scope.require(WRITE)
    if requested is None:
        return scope.tenant_id
    scope.require_readable(requested)
    return requested


class AdSpend:
    def __init__(self, files: EventFiles, clock: Clock,
                 new_id: Callable[[], str] = lambda: secrets.token_hex(4)) -> None:
        self._files, self._clock, self._new_id = files, clock, new_id

    def upload(self, scope: TenantScope, tenant: str | None, body: bytes) -> dict[str, Any]:
        tenant_id = tenant_to_write(scope, tenant)
        now = self._clock.now_ms()
        rows = parse_csv(body, datetime.fromtimestamp(now / 1000, tz=UTC).date())
        by_day: dict[str, list[dict[str, Any]]] = {}
        for index, row in enumerate(rows):
            by_day.setdefault(row.day, []).append({
                "day": row.day, "source": row.source, "medium": row.medium, "campaign": row.campaign,
                "spend": row.spend, "currency": row.currency, "clicks": row.clicks,
                "schema_version": AD_SPEND.version,
                # Later uploads sort after earlier ones: the report keeps the latest.
                "event_seq": f"{now * 1_000_000 + index:040d}",
                "event_name": "INSERT", "event_at": now,
            })
        name = f"upload-{now:013d}-{self._new_id()}.parquet"
        for day, day_rows in sorted(by_day.items()):
            self._files.write(AD_SPEND, tenant_id, day, name, day_rows)
        return {"tenant": tenant_id, "rows": len(rows), "days": len(by_day), "from": min(by_day),
                "to": max(by_day), "currency": rows[0].currency}
