"""The local carrier: a double of Twilio for the local stack and the tests.

It serves Twilio's REST API 2010-04-01 for what Ringback calls (Calls, Messages,
Recordings, and the account's IncomingPhoneNumbers and OutgoingCallerIds, with Twilio's
JSON shapes) and what a self-service product provisions through: subaccounts (Accounts,
`accounts.py`), a fictional stock of numbers to search (AvailablePhoneNumbers,
`inventory.py`) and buy, configure, move and release (IncomingPhoneNumbers), and caller
IDs verified by a call on which the phone keys in a code (`verification.py`); those doors
are in `provisioning.py`. It drives the application's webhooks the way Twilio does:
signed form posts, TwiML followed verb by verb, status, Dial action, recording and
message status callbacks, each one carrying the AccountSid of the account it is about
(the number's owner) and signed with that account's own auth token. It refuses what
Twilio refuses, with Twilio's codes (`refusals.py`): among them a call From a number the
account neither owns (voice-capable) nor verified (21210), a text From anything but an
SMS-capable number of the account (21606) — a sibling subaccount's number included — and
a subaccount's credentials anywhere but on itself (20003). The people on the phones are
scripted (`Party`) and time is simulated (`time_scale` real seconds per simulated second).

Accounts: the carrier starts with the main account (`account_sid`, `auth_token`); POST
Accounts.json opens subaccounts, each with its own SID and token. The main account's
credentials act inside any of its subaccounts (the twilio client's third argument:
`Client(main_sid, main_token, subaccount_sid)`); numbers, calls, messages, recordings and
caller IDs are the account's that bought or created them.

    from devstack.carrier import Carrier, Party, client

    with Carrier(port=0, auth_token="tok", account_sid="AC" + "1" * 32, time_scale=0.01) as carrier:
        carrier.add_number("+14155550100", voice_url="http://127.0.0.1:9000/voice")  # voice and SMS
        carrier.add_number("+14155550101", capabilities={"sms": False})              # voice only
        acme = carrier.accounts.create(carrier.account, "Acme")                      # a subaccount
        carrier.add_number("+12125550111", voice_url="http://...", account_sid=acme.sid)  # Acme's number
        carrier.verify_caller_id("+14155550142")         # may be a call's From, never a text's
        carrier.release_number("+14155550101")           # the account no longer owns it
        carrier.script("+14155550199", Party(answer_after=1, talk_for=5))
        carrier.script("+14155550177", Party(sms="undelivered", sms_error=30005))
        carrier.caller_presses(None, "123")             # for the next call's first <Gather>
        call = carrier.inbound_call("+14155550123", "+14155550100")
        carrier.wait_idle()
        carrier.webhook_log                              # every request sent, with its answer
        carrier.messages(to="+14155550123")              # SMS the application sent

    python -m devstack.carrier --port 4010 [--auth-token T] [--account-sid AC...] [--time-scale 1]

Pointing the real twilio client (9.13) at it: every REST call of `client.api` builds its
URL in `twilio.base.domain.Domain.absolute_url` from the domain's `base_url` attribute
(default "https://api.twilio.com"), and `ClientBase.get_hostname` leaves the URL alone
unless an edge or region is set. So

    tw = twilio.rest.Client(account_sid, auth_token)
    tw.api.base_url = carrier.url          # "http://127.0.0.1:PORT"

is all it takes; `client(port, sid, token)` below returns such a client. Do not set
`edge`/`region` (or TWILIO_EDGE / TWILIO_REGION) on it: they rewrite the host.

Control surface (ours, JSON bodies): POST /_carrier/numbers {number, voice_url,
status_callback, sms_url, capabilities: {voice, sms, mms, fax}, account_sid} (the account
`account_sid`, the main one by default, owns the number, which need not be in the
inventory; configuring it again replaces its configuration and keeps its SID, and a
number another account held moves over); POST /_carrier/caller-ids {number,
friendly_name, account_sid} (a verified caller ID, without the verification call); POST
/_carrier/inbound {from, to}; POST /_carrier/inbound_sms {from, to, body}; POST
/_carrier/script {number, party: {answer_after, outcome, talk_for, presses, speaks_for,
sms, sms_error, landline}}; POST /_carrier/presses {call_sid?, digits} (also how the phone
being verified keys in its code); POST /_carrier/auth-token {account_sid?, auth_token?}
(the account's token rotated, as when Twilio promotes its secondary token: the new one,
random unless given, signs and authenticates from then on, the old one neither); GET
/_carrier/webhooks; GET /_carrier/messages?to=; GET /_carrier/created-calls (each REST
call creation the carrier accepted, with its wall-clock arrival time, for the callback
benchmark). Releasing a number is Twilio's own DELETE IncomingPhoneNumbers/{Sid}.json,
and it goes back on sale when the inventory has it.

Texts go queued → sent → delivered (or undelivered, or failed without being sent, as
the recipient's `Party.sms` says), each change after the first posted to the message's
StatusCallback with MessageStatus and, when it did not arrive, ErrorCode (`messaging.py`).

A person can take part by hand: `Party.interactive()` (party {"outcome": "interactive"})
rings until POST /_carrier/answer or /_carrier/decline {call_sid} (declined: busy; no
decision within the <Dial> timeout: no-answer; hung up during the whisper: the leg
completes with DialBridged=false) and, once answered, stays on the line until
POST /_carrier/hangup {call_sid} (which also ends any other live call). GET
/_carrier/state lists the calls (ringing legs awaiting a decision, the whisper heard),
the SMS sent and the latest webhooks; GET /_carrier/phone is a page that does all of this
in a browser: place an inbound call, answer, decline or hang up as the operator.

Recording media (GET .../Recordings/{Sid}, .wav or .mp3) is served without
authentication, as Twilio does unless "HTTP Basic Authentication for media access" is
enabled on the account.
"""
from __future__ import annotations

from devstack.carrier.account import NumberConfig, OutgoingCallerId
from devstack.carrier.carrier import Carrier, CarrierError
from devstack.carrier.party import Party
from devstack.carrier.refusals import ApiError
from devstack.carrier.webhooks import WebhookExchange, signature


def client(port: int, account_sid: str, auth_token: str, host: str = "127.0.0.1"):
    """A twilio.rest.Client whose REST calls go to the carrier at host:port."""
    from twilio.rest import Client

    twilio_client = Client(account_sid, auth_token)
    twilio_client.api.base_url = f"http://{host}:{port}"
    return twilio_client


__all__ = ["ApiError", "Carrier", "CarrierError", "NumberConfig", "OutgoingCallerId", "Party", "WebhookExchange",
           "client", "signature"]
