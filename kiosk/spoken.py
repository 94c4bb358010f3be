"""A short record of when the kiosk spoke what, to tell its own voice from a person's."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

KEEP = 20
"""Utterances remembered."""


@dataclass
class Spoken:
    """One utterance the speaker played."""

    start: float
    """When it started (monotonic seconds)."""
    end: float | None
    """When it ended or was stopped; None while playing."""
    text: str
    """What was said."""


class SpokenLog:
    """Thread-safe: the playback thread writes, the listening thread asks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: deque[Spoken] = deque(maxlen=KEEP)

    def started(self, text: str) -> None:
        with self._lock:
            self._items.append(Spoken(time.monotonic(), None, text))

    def ended(self) -> None:
        with self._lock:
            if self._items and self._items[-1].end is None:
                self._items[-1].end = time.monotonic()

    def during(self, start: float, end: float, margin_s: float) -> str | None:
        """What the kiosk said while [start, end] was heard (its end widened by `margin_s`, for
        echo and recognition delay); None if it was silent then."""
        with self._lock:
            texts = [
                item.text for item in self._items
                if item.start <= end and (item.end is None or item.end + margin_s >= start)
            ]  # fmt: skip
        return "\n".join(texts) if texts else None
