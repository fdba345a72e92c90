"""Calls: an inbound call put through and recorded, the call log, texts about missed
calls, the signed call events sent to a customer's own systems, and what the business
says about each call (its lead, tags, notes, follow-up) with callers and the work queue."""
