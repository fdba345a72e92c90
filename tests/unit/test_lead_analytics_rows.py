"""A call's lead reaches the analytics table: its status, a sale's value and currency, and
its tags, from the call item the stream carries (calls version 4)."""
import json

from ringback.analytics import schema
from ringback.analytics.changes import Change, to_row
from ringback.calls.leads import new_lead

STARTED = 1_793_750_399_000


def call_item(**extra):
    return {"call_id": "tw:CA1", "tenant_id": "t1", "site_id": "s1", "tracking_number": "+14155550101",
            "caller": "+14155550011", "started_at": STARTED, "status": "answered",
            "attribution": json.dumps({"method": "static", "source": "google"}), "outcome": "{}", **extra}


def row_of(item, event="MODIFY"):
    table, row = to_row(Change("calls", event, "1100000000017454423009", STARTED + 1_000, item, None))
    assert table is schema.CALLS and row["schema_version"] == 4
    return row


def test_a_sale_is_a_row_with_its_status_value_currency_and_tags():
    lead = {**new_lead(), "status": "sale", "value": 120.5, "currency": "EUR", "tags": ["vip", "repeat"],
            "notes": [{"note_id": "n_1", "text": "Paid by card", "author": "a@shop.test", "at": STARTED}]}
    row = row_of(call_item(lead=json.dumps(lead), lead_version=3))
    assert (row["lead_status"], row["lead_value"], row["lead_currency"], row["tags"]) == (
        "sale", 120.5, "EUR", "vip,repeat")
    assert "Paid by card" not in json.dumps(row)  # notes stay on the call


def test_a_call_nobody_qualified_is_a_new_lead_without_tags():
    row = row_of(call_item(), event="INSERT")
    assert (row["lead_status"], row["lead_value"], row["lead_currency"], row["tags"]) == ("new", None, None, "")


def test_the_lead_columns_come_last_so_older_files_stay_readable():
    names = [name for name, _ in schema.CALLS.columns]
    assert names[-4:] == ["lead_status", "lead_value", "lead_currency", "tags"]
    assert names.index("confidence_level") == len(names) - 5  # version 3's last column is still in place
