"""What the kiosk's speaker plays, captured from its monitor with a `time.monotonic()` stamp
per block, so sounds can be timed against what the benchmark did (a key, a question's end)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import sounddevice as sd

MONITOR = "kiosk_speaker_monitor"
"""The ALSA name tests/pulse.py gives the speaker's monitor."""
RATE = 44100
BLOCK = 441
"""10 ms blocks: the timing resolution."""
LEVEL = 1e-3
"""A block whose peak is above this (-60 dBFS) is sound; the monitor is digital silence else."""


class Capture:
    """Records the speaker monitor in a callback; `blocks` are (start time, peak) pairs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._starts: list[float] = []
        self._peaks: list[float] = []
        self._stream: Any = None

    def start(self) -> None:
        self._stream = sd.InputStream(
            device=MONITOR, samplerate=RATE, blocksize=BLOCK, channels=1, dtype="float32",
            latency="low", callback=self._callback,
        )  # fmt: skip
        self._stream.start()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def _callback(self, data: np.ndarray, frames: int, when: Any, status: Any) -> None:
        # the block ended about one input latency before this callback runs
        start = time.monotonic() - self._stream.latency - frames / RATE
        with self._lock:
            self._starts.append(start)
            self._peaks.append(float(np.max(np.abs(data))))

    def _since(self, moment: float) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            starts, peaks = np.array(self._starts), np.array(self._peaks)
        keep = starts >= moment
        return starts[keep], peaks[keep]

    def sound_after(self, moment: float) -> float | None:
        """When the first sound after `moment` started; None if none yet."""
        starts, peaks = self._since(moment)
        loud = np.flatnonzero(peaks > LEVEL)
        return float(starts[loud[0]]) if len(loud) else None

    def silence_after(self, moment: float, hold_s: float) -> float | None:
        """When the speaker went silent after `moment` and stayed so for `hold_s`; None if not
        yet. A speaker already silent at `moment` gives `moment`."""
        starts, peaks = self._since(moment)
        need = round(hold_s * RATE / BLOCK)
        quiet = 0
        for index, peak in enumerate(peaks):
            quiet = quiet + 1 if peak <= LEVEL else 0
            if quiet >= need:
                return float(starts[index - need + 1])
        return None

    def wait_sound(self, after: float, timeout: float) -> float | None:
        """`sound_after(after)`, waiting up to `timeout` seconds for it."""
        return self._poll(lambda: self.sound_after(after), timeout)

    def wait_silence(self, after: float, hold_s: float, timeout: float) -> float | None:
        """`silence_after(after, hold_s)`, waiting up to `timeout` seconds for it."""
        return self._poll(lambda: self.silence_after(after, hold_s), timeout)

    @staticmethod
    def _poll(find: Callable[[], float | None], timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = find()
            if found is not None:
                return found
            time.sleep(0.02)
        return None
