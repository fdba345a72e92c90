"""The Recording resources of the local carrier's REST API, as Twilio serves them: listed
(by call), fetched as JSON or as media, deleted. A mixin of devstack.carrier.server's
handler, like ProvisioningDoors: it uses the handler's helpers (mine, page, send,
authenticate) without declaring them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from devstack.carrier.refusals import ApiError, not_found

if TYPE_CHECKING:
    from devstack.carrier.carrier import Carrier


class RecordingDoors:
    carrier: Carrier

    def recording(self, match, path):
        recording = self.carrier.recordings.get(match["sid"] or "")
        if not self.mine(recording) or recording.deleted:
            raise not_found(path)
        return recording

    def get_recordings(self, match, query, path):
        if not match["sid"]:
            found = [r for r in list(self.carrier.recordings.values()) if self.mine(r) and not r.deleted]
            if "CallSid" in query:
                found = [r for r in found if r.call_sid == query["CallSid"][0]]
            found.sort(key=lambda r: r.date_created, reverse=True)
            self.send_json(200, self.page("recordings", [r.as_json(self.carrier.url) for r in found], query, path))
            return
        recording = self.recording(match, path)
        if match["ext"] == ".json":
            self.send_json(200, recording.as_json(self.carrier.url))
            return
        body, content_type = self.carrier.recording_media(recording, match["ext"] or ".wav")
        self.send(200, body, content_type)

    def delete_recordings(self, match, query, path):
        if match["ext"] not in (".json", None):
            raise ApiError(405, 20004, "Method not allowed")
        self.authenticate(match["account"], path)
        self.recording(match, path).deleted = True
        self.send(204)
