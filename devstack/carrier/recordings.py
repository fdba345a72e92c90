"""The carrier's Recording resources: made when a call, a <Record> or a <Dial> is
recorded, their media URL and audio, and their status callbacks.

`CarrierRecordings` is that part of `Carrier` (carrier.py): it keeps them in the
carrier's `recordings` under the carrier's lock.
"""
from __future__ import annotations

from devstack.carrier.media import mp3_bytes, wav_bytes
from devstack.carrier.records import Recording, account_path, new_sid, rfc2822


class CarrierRecordings:
    def new_recording(self, call_sid: str, seconds: float, source: str, started) -> Recording:
        with self.lock:
            call = self.calls.get(call_sid)
        recording = Recording(
            sid=new_sid("RE"),
            account_sid=call.account_sid if call else self.account_sid,  # the call's account
            call_sid=call_sid,
            duration=max(1, int(round(seconds))),
            source=source,
            date_created=self.clock.now(),
            start_time=started,
        )
        with self.lock:
            self.recordings[recording.sid] = recording
        return recording

    def recording_url(self, recording: Recording) -> str:
        # Twilio docs: Recording resource: the media URL is the resource URI without .json.
        return f"{self.url}{account_path(recording.account_sid)}/Recordings/{recording.sid}"

    def recording_media(self, recording: Recording, extension: str) -> tuple[bytes, str]:
        if extension == ".mp3":
            return mp3_bytes(recording.duration), "audio/mpeg"
        if "wav" not in recording.media:
            recording.media["wav"] = wav_bytes(recording.duration)
        return recording.media["wav"], "audio/x-wav"

    def send_recording_status(self, url: str | None, method: str, recording: Recording, call_sid: str) -> None:
        """Twilio docs: Voice API: Recording status callbacks: RecordingStatus, RecordingSid,
        RecordingUrl, RecordingDuration, RecordingChannels, RecordingSource,
        RecordingStartTime, CallSid, AccountSid."""
        if not url:
            return
        self.webhooks.send(
            "recording-status",
            url,
            {
                "AccountSid": recording.account_sid,
                "CallSid": call_sid,
                "RecordingSid": recording.sid,
                "RecordingUrl": self.recording_url(recording),
                "RecordingStatus": recording.status,
                "RecordingDuration": str(recording.duration),
                "RecordingChannels": str(recording.channels),
                "RecordingSource": recording.source,
                "RecordingStartTime": rfc2822(recording.start_time),
                "ErrorCode": "0",
            },
            method,
            call_sid=call_sid,
        )
