"""Short tones: `listening` (two soft rising notes), `alert` (three firm beeps, staff alerts),
`rest` (two soft falling notes, going back to rest).

The tones are made in code (sines with a few harmonics and smooth envelopes, all below 1.2 kHz
so that ears with age-related high-frequency loss still hear them) and kept as WAV files in
audio/earcons/; `python -m kiosk.earcons` writes them again after a change here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from kiosk.config import PROJECT_ROOT
from kiosk.wav import resample, write_wav

DIRECTORY = PROJECT_ROOT / "audio" / "earcons"
RATE = 22050
"""Rate of the WAV files (the voices' rate)."""
NAMES = ("listening", "alert", "rest")


def note(hz: float, seconds: float, level: float, decay: float) -> np.ndarray:
    """A soft chime: fundamental plus two quiet harmonics, 10 ms attack, exponential decay."""
    t = np.arange(round(seconds * RATE)) / RATE
    tone = sum(w * np.sin(2 * np.pi * hz * k * t) for k, w in ((1, 1.0), (2, 0.3), (3, 0.1)))
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-t / decay)
    envelope *= np.minimum(1.0, (seconds - t) / 0.02)  # no click at the end
    return np.asarray(level * tone * envelope / 1.4, dtype=np.float32)


def gap(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def generate() -> dict[str, np.ndarray]:
    """The earcons, float32 mono at RATE."""
    beep = note(1047, 0.16, 0.7, 0.5)
    return {
        "listening": np.concatenate([note(587, 0.14, 0.4, 0.12), note(880, 0.28, 0.4, 0.15)]),
        "alert": np.concatenate([beep, gap(0.08), beep, gap(0.08), beep, gap(0.05)]),
        "rest": np.concatenate([note(784, 0.14, 0.3, 0.12), note(523, 0.30, 0.3, 0.15)]),
    }


def write_all(directory: Path = DIRECTORY) -> list[Path]:
    """Write every earcon as `directory/NAME.wav`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, audio in generate().items():
        write_wav(directory / f"{name}.wav", audio, RATE)
        written.append(directory / f"{name}.wav")
    return written


def load_earcons(sample_rate: int, directory: Path = DIRECTORY) -> dict[str, np.ndarray]:
    """Every earcon at `sample_rate`, from the WAV files (made in memory if one is missing)."""
    made = generate()
    earcons = {}
    for name in NAMES:
        path = directory / f"{name}.wav"
        if path.is_file():
            audio, rate = soundfile.read(str(path), dtype="float32")
        else:
            audio, rate = made[name], RATE
        earcons[name] = np.asarray(resample(audio, int(rate), sample_rate), dtype=np.float32)
    return earcons


if __name__ == "__main__":
    for path in write_all():
        print(path)
