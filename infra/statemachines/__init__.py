"""State machine definitions, as ASL files: CDK deploys them (infra/constructs/dialer.py)
and the local stack runs the very same text on moto's Step Functions engine
(devstack/aws/resources.py). Plain Python, so the local stack reads them without loading CDK."""
from __future__ import annotations

from pathlib import Path

CALLBACK_DIAL = Path(__file__).with_name("callback_dial.asl.json")
FUNCTION_SUBSTITUTION = "WorkflowFunctionArn"


def callback_dial_definition(function_arn: str) -> str:
    """The callback dial workflow, with its task handler's ARN filled in as CDK's
    definition substitution fills it."""
    return CALLBACK_DIAL.read_text().replace("${" + FUNCTION_SUBSTITUTION + "}", function_arn)
