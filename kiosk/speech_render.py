"""Speech audio for the kiosk's utterances, from the rendered-speech cache on disk
(`kiosk.voices.cache`; `kiosk render` fills it ahead of time).

`prerender` renders what is missing in a background thread at low CPU priority, and only while
nothing is being heard, so an answer starts without waiting for synthesis.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Protocol

import numpy as np

from kiosk.voices.cache import SpeechCache

log = logging.getLogger(__name__)

NICE = 10
"""Scheduling niceness of the pre-rendering thread (Linux: per thread)."""
RELEASE_AFTER_S = 30.0
"""The voice engine is released (`Voice.release`) this long after its last synthesis: Piper
takes 110-160 MB, and a kiosk whose speech is rendered ahead rarely needs it."""


class Renderer(Protocol):
    """Speech audio for a text at a rate."""

    sample_rate: int
    """Rate of the audio returned."""

    def audio(self, text: str, rate_wpm: int) -> np.ndarray:
        """Float32 mono audio of `text`."""
        ...


class CachedRenderer:
    """Reads the speech cache; renders (once) what it lacks."""

    def __init__(self, cache: SpeechCache, release_after_s: float = RELEASE_AFTER_S) -> None:
        self.cache = cache
        self.sample_rate = cache.voice.sample_rate
        self._rendering = threading.Lock()
        self._closing = threading.Event()
        self._workers: list[threading.Thread] = []
        self._release_after_s = release_after_s
        self._release: threading.Timer | None = None

    def audio(self, text: str, rate_wpm: int) -> np.ndarray:
        if not self.cache.has(text, rate_wpm):
            with self._rendering:  # one synthesis at a time: a text wanted twice is made once
                try:
                    return self.cache.get(text, rate_wpm)
                finally:
                    self._release_later()
        return self.cache.get(text, rate_wpm)

    def _release_later(self) -> None:
        """(Re)start the countdown to releasing the voice engine; call with `_rendering` held."""
        if self._release is not None:
            self._release.cancel()
        self._release = threading.Timer(self._release_after_s, self.cache.voice.release)
        self._release.daemon = True
        self._release.start()

    def prerender(
        self, texts: Iterable[str], rate_wpm: int, idle: threading.Event | None = None
    ) -> None:
        """Render the missing `texts` in a background thread, at a lower CPU priority and only
        while `idle` is set (so it never slows down hearing a question)."""
        todo = [text for text in dict.fromkeys(texts) if not self.cache.has(text, rate_wpm)]
        if not todo:
            return
        log.info("rendering %d texts not in the speech cache (kiosk render does it ahead)",
                 len(todo))  # fmt: skip

        def work() -> None:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
            for text in todo:
                while idle is not None and not idle.wait(0.5):
                    if self._closing.is_set():
                        return
                if self._closing.is_set():
                    return
                try:
                    self.audio(text, rate_wpm)
                except Exception as error:  # a voice fault must not stop the kiosk
                    log.warning("could not pre-render speech: %s", error)
                    return

        thread = threading.Thread(target=work, name="prerender", daemon=True)
        thread.start()
        self._workers.append(thread)

    def close(self) -> None:
        """Stop pre-rendering (the voice engine must not be running when the program exits)."""
        self._closing.set()
        for thread in self._workers:
            thread.join(timeout=30)
        timer = self._release
        if timer is not None:
            timer.cancel()
