"""Structured JSON logs (Powertools) in which no phone number appears in full."""
from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import LogRecord

from ringback.privacy import mask_value


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Masks every phone-like string in the message and in every extra key, so a
    careless `extra={"body": raw_webhook}` cannot leak a caller's number."""

    def serialize(self, log: LogRecord) -> str:
        return super().serialize(mask_value(log))


@cache
def get_logger(service: str) -> Logger:
    return Logger(service=f"ringback-{service}", logger_formatter=MaskingFormatter())
