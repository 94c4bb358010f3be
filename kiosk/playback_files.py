"""The kiosk's "speaker" when there is none: each `Say` becomes a WAV file, its text printed."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from kiosk.turns import Say
from kiosk.voices import silence
from kiosk.wav import write_wav

log = logging.getLogger(__name__)

PAUSE_S = 0.5
"""Silence between the utterances of one answer."""


class AnswerFiles:
    """Writes `0001-<first key>.wav`, `0002-...` into `folder` (created when first needed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.volume = 1.0
        """Gain applied to what is written."""
        self._count = 0

    def write(self, say: Say, audio: list[np.ndarray], sample_rate: int) -> Path:
        """Write one answer and print its text."""
        self._count += 1
        first = say.utterances[0].key if say.utterances else "silence"
        path = self.folder / f"{self._count:04d}-{first}.wav"
        parts: list[np.ndarray] = []
        for clip in audio:
            if parts:
                parts.append(silence(PAUSE_S, sample_rate))
            parts.append(clip)
        joined = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_wav(path, joined * self.volume, sample_rate)
        text = "\n\n".join(u.text for u in say.utterances)
        print(f"[{path}]\n{text}\n", flush=True)
        return path

    def stop(self) -> None:
        """Nothing is ever playing."""

    def close(self) -> None:
        """Nothing to release."""
