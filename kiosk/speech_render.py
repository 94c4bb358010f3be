"""Rendered speech kept in memory: each text is synthesised once per rate, ahead of need.

`prerender` fills the memory in a background thread (every passage and prompt at the current
rate), so an answer starts without waiting for synthesis.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Protocol

import numpy as np

from kiosk.voices import Voice

log = logging.getLogger(__name__)

NICE = 10
"""Scheduling niceness of the pre-rendering thread (Linux: per thread)."""


class Renderer(Protocol):
    """Speech audio for a text at a rate."""

    sample_rate: int
    """Rate of the audio returned."""

    def audio(self, text: str, rate_wpm: int) -> np.ndarray:
        """Float32 mono audio of `text`."""
        ...


class MemoryRenderer:
    """Synthesises with `voice` and keeps every result (the document is small)."""

    def __init__(self, voice: Voice) -> None:
        self.voice = voice
        self.sample_rate = voice.sample_rate
        self._lock = threading.Lock()
        self._rendering = threading.Lock()
        self._audio: dict[tuple[str, int], np.ndarray] = {}
        self._closing = threading.Event()
        self._workers: list[threading.Thread] = []

    def audio(self, text: str, rate_wpm: int) -> np.ndarray:
        key = (text, rate_wpm)
        with self._lock:
            found = self._audio.get(key)
        if found is not None:
            return found
        with self._rendering:  # one synthesis at a time: a text wanted twice is rendered once
            with self._lock:
                found = self._audio.get(key)
            if found is None:
                found = self.voice.synthesize(text, rate_wpm)
                with self._lock:
                    self._audio[key] = found
        return found

    def prerender(
        self, texts: Iterable[str], rate_wpm: int, idle: threading.Event | None = None
    ) -> threading.Thread:
        """Render `texts` in a background thread (started, returned), at a lower CPU priority
        and only while `idle` is set (so it never slows down hearing a question)."""
        todo = list(dict.fromkeys(texts))

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
            log.debug("pre-rendered %d texts at %d wpm", len(todo), rate_wpm)

        thread = threading.Thread(target=work, name="prerender", daemon=True)
        thread.start()
        self._workers.append(thread)
        return thread

    def close(self) -> None:
        """Stop pre-rendering (the voice engine must not be running when the program exits)."""
        self._closing.set()
        for thread in self._workers:
            thread.join(timeout=30)
