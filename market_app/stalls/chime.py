"""The new-order chime of the stall tablet: a loud two-tone "ding-dong", written with the standard
`wave` module so the repository needs no audio tools. `python -m market_app.stalls.chime` rewrites
market_app/static/chime.wav; a test checks the committed file is exactly this sound."""
from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

SAMPLE_RATE = 22_050
# (frequency Hz, seconds): E6 then C6, like a shop door bell, easy to hear over market noise.
NOTES = ((1318.5, 0.32), (1046.5, 0.55))
VOLUME = 0.8
CHIME_PATH = Path(__file__).resolve().parent.parent / "static" / "chime.wav"


def _samples() -> list[int]:
    samples: list[int] = []
    for frequency, seconds in NOTES:
        count = int(SAMPLE_RATE * seconds)
        for i in range(count):
            t = i / SAMPLE_RATE
            attack = min(1.0, i / (SAMPLE_RATE * 0.005))  # 5 ms fade-in: no click
            decay = math.exp(-3.2 * t / seconds)
            # A touch of the octave makes it ring like a bell rather than beep.
            tone = 0.8 * math.sin(2 * math.pi * frequency * t) + 0.2 * math.sin(4 * math.pi * frequency * t)
            samples.append(int(32767 * VOLUME * attack * decay * tone))
    return samples


def chime_wav_bytes() -> bytes:
    samples = _samples()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def write_chime(path: Path = CHIME_PATH) -> Path:
    path.write_bytes(chime_wav_bytes())
    return path


if __name__ == "__main__":
    print(write_chime())
