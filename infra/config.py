"""Where the CDK app deploys: the one place infra/ reads the environment.

The CDK CLI sets CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION from the caller's AWS
profile; the stage comes from context (`-c stage=NAME`), and so does the sender of the
user pool's e-mails (`mail_sender`; README "Mail").
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class DeployTarget:
    account: str | None
    region: str


def deploy_target() -> DeployTarget:
    return DeployTarget(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=os.environ.get("CDK_DEFAULT_REGION") or DEFAULT_REGION,
    )


# The context keys of the user pool's sender: `-c mailFrom=no-reply@example.com`, or the
# same keys in cdk.context.json.
MAIL_CONTEXT = ("mailFrom", "mailFromName", "mailReplyTo", "mailSesIdentity", "mailSesRegion",
                "mailConfigurationSet")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class MailSender:
    """Who Cognito's e-mails (sign-up codes, password resets, invitations) come from,
    sent through SES."""

    address: str
    name: str = "Ringback"
    reply_to: str | None = None
    # The domain verified in SES, the address's own; None when the address itself is verified.
    ses_identity: str | None = None
    # Where that identity is verified; None for the stack's region.
    ses_region: str | None = None
    configuration_set: str | None = None


def mail_sender(context: Callable[[str], Any]) -> MailSender | None:
    """The sender named in context (`context` is a construct's node.try_get_context), or
    None when the context names none. A half-given or malformed one stops the synthesis."""
    values: dict[str, str | None] = {}
    for key in MAIL_CONTEXT:
        raw = context(key)
        values[key] = (str(raw).strip() or None) if raw is not None else None
    address = values["mailFrom"]
    if address is None:
        given = [key for key, value in values.items() if value]
        if given:
            raise ValueError(f"context {', '.join(given)} given without mailFrom (the sender's address)")
        return None
    for key in ("mailFrom", "mailReplyTo"):
        if values[key] is not None and not _ADDRESS.fullmatch(values[key] or ""):
            raise ValueError(f"context {key}={values[key]!r} is not an e-mail address")
    if "@" in (values["mailSesIdentity"] or ""):
        raise ValueError("context mailSesIdentity is the verified domain; leave it out when the address itself "
                         "is verified")
    return MailSender(address=address, name=values["mailFromName"] or "Ringback", reply_to=values["mailReplyTo"],
                      ses_identity=values["mailSesIdentity"], ses_region=values["mailSesRegion"],
                      configuration_set=values["mailConfigurationSet"])
