"""A report's result as the API answers it: JSON rows of plain values, or a CSV download
whose cells a spreadsheet cannot run as formulas."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ringback.analytics.reports import ReportRequest, ResultSet


def plain(value: Any) -> Any:
    """A value as JSON carries it."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def as_json(request: ReportRequest, result: ResultSet) -> dict[str, Any]:
    body = {
        "report": request.report.name,
        "title": request.report.title,
        "from": request.start.isoformat(),
        "to": request.end.isoformat(),
        "timezone": request.timezone,
        "tenants": list(request.tenants),
        "filters": dict(request.filters),
        "columns": list(result.columns),
        "rows": [{c: plain(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows],
        "bytesScanned": result.bytes_scanned,
    }
    if request.report.touches:
        body["touch"] = request.touch  # which visit of the journey the rows credit
    return body


# A cell a spreadsheet would read as a formula (from a visitor's UTM tags, say) is written
# with a leading apostrophe, as OWASP advises against CSV injection.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def as_csv(result: ResultSet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def csv_filename(request: ReportRequest) -> str:
    return f"{request.report.name}_{request.start.isoformat()}_{request.end.isoformat()}.csv"
