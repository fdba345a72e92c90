import io
import json

import pytest
from aws_lambda_powertools import Logger

from ringback.adapters.logs import MaskingFormatter
from ringback.privacy import mask_phone, mask_text


@pytest.mark.parametrize(
    "text",
    [
        "+14155550123",
        "+7 (495) 123-45-67",
        "(415) 555-0123",
        "415-555-0123",
        "415.555.0123",
        "8 800 555-35-35",
        "+44 20 7946 0958",
        "4155550123",
        "From=%2B14155550123&To=%2B14155550100",
    ],
)
def test_no_phone_number_survives_masking(text):
    masked = mask_text(f"caller {text} left")
    digits = "".join(ch for ch in text if ch.isdigit())
    assert digits[-6:-2] not in "".join(ch for ch in masked if ch.isdigit())
    assert masked.startswith("caller ") and masked.endswith(" left")


@pytest.mark.parametrize(
    "text",
    ["ts 2026-11-25 11:06:33", "at 1795606770123 ms", "v1.2.3", "request 3f2a-11ee-9c", "page 42 of 120"],
)
def test_dates_timestamps_and_ids_stay_readable(text):
    assert mask_text(text) == text


def test_masked_number_keeps_country_code_and_last_two_digits():
    assert mask_phone("+14155550123") == "+1********23"
    assert mask_phone("+74951234567") == "+7********67"
    assert mask_phone("+442079460958") == "+44********58"


def test_structured_log_lines_mask_numbers_in_message_and_extra_keys():
    stream = io.StringIO()
    logger = Logger(service="test-masking", logger_formatter=MaskingFormatter(), stream=stream)
    logger.info("call from +14155550123", extra={"caller": "+7 (495) 123-45-67", "nested": {"to": ["4155550100"]}})
    line = json.loads(stream.getvalue())
    blob = json.dumps(line)
    assert "5550123" not in blob and "1234567" not in blob and "5550100" not in blob
    assert line["message"] == "call from +1********23"
    assert line["caller"] == "+7********67"
