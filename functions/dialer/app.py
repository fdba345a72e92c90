"""Carrier webhooks and the callback dial workflow's tasks.

The inbound-call webhook (issue 4) and the Step Functions task handlers (issue 5) are
added to this app; until then it serves no route and API Gateway maps none to it.
"""
from ringback.adapters.web import RingbackApp

app = RingbackApp("dialer")
