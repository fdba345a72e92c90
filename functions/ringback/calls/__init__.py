"""Calls: an inbound call put through and recorded, the call log, texts about missed
calls, and the signed call events sent to a customer's own systems."""
