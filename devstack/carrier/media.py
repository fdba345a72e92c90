"""Recording media, deterministic and real: a WAV made with the stdlib `wave` module and
an MP3 made of silent MPEG-1 Layer III frames.

Twilio docs: Recordings resource, "Fetch a Recording media file": the media is served at
the recording URL; with no extension or `.wav` it is WAV, with `.mp3` it is MP3.
"""
from __future__ import annotations

import io
import math
import struct
import wave

SAMPLE_RATE = 8000  # Twilio's telephone recordings are 8 kHz mono
MAX_MEDIA_SECONDS = 30  # media is capped so a long simulated call stays small


def wav_bytes(duration: float, tone_hz: float = 440.0) -> bytes:
    """A 16-bit mono 8 kHz tone of min(duration, 30) seconds (at least one tenth)."""
    seconds = min(max(duration, 0.1), MAX_MEDIA_SECONDS)
    frames = int(SAMPLE_RATE * seconds)
    amplitude = 3000
    step = 2 * math.pi * tone_hz / SAMPLE_RATE
    samples = struct.pack(f"<{frames}h", *(int(amplitude * math.sin(step * i)) for i in range(frames)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples)
    return buffer.getvalue()


# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono, no CRC, no padding: 417-byte frames of
# 1152 samples. A frame whose side information and main data are all zero decodes to
# silence.
_MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0xC4])
_MP3_FRAME = _MP3_HEADER + bytes(417 - len(_MP3_HEADER))
_MP3_FRAME_SECONDS = 1152 / 44100


def mp3_bytes(duration: float) -> bytes:
    seconds = min(max(duration, 0.1), MAX_MEDIA_SECONDS)
    return _MP3_FRAME * max(1, int(seconds / _MP3_FRAME_SECONDS))
