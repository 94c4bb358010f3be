"""The kiosk as `kiosk run` starts it (`kiosk.startup.start_kiosk`), with two devices swapped:
the microphone hears what the soak feeds it (then silence, in real time, as a microphone
does), and the speaker is the runtime's no-output-device mode (`AnswerFiles`). Each `Say` is
recorded as the runtime hands it to playback. Everything between is the real code:
endpointer, listener threads, recognizer, matcher, conversation, runtime, playback with the
rendered-speech cache. `SpawnedFedKiosk` runs it in a spawned process of its own, as `kiosk run`
is, so the soak measures the kiosk's memory alone.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import tempfile
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from kiosk import startup
from kiosk.audio import MIC_RATE, Device
from kiosk.config import load_config
from kiosk.listener import Listener
from kiosk.playback_files import AnswerFiles
from kiosk.turns import ButtonPressed, Say

BLOCK = round(0.02 * MIC_RATE)
"""20 ms blocks, as the real microphone delivers them."""
TRAILING_SILENCE_S = 1.5
"""Fed after each sound (as fast as the rest), so its end is detected without waiting."""
NO_SPEECH_S = 1.0
"""The soak's `listening.no_speech_seconds`: a silent turn is prompted after this (real time)."""
OUTCOME_TIMEOUT_S = 60.0


class FeedMicrophone:
    """Gives the listener the fed audio as fast as it reads, then silence at real-time pace."""

    def __init__(self) -> None:
        self.device = Device(-1, "soak feed", 1, 0, float(MIC_RATE))
        self.blocks: queue.Queue[np.ndarray] = queue.Queue()
        self._silence = np.zeros(BLOCK, dtype=np.float32)

    def feed(self, audio: np.ndarray) -> None:
        for start in range(0, len(audio), BLOCK):
            self.blocks.put(np.asarray(audio[start : start + BLOCK], dtype=np.float32))

    def read(self, timeout: float = 2.0) -> np.ndarray:
        try:
            return self.blocks.get(timeout=BLOCK / MIC_RATE)
        except queue.Empty:
            return self._silence

    def start(self) -> None:
        """Always running."""

    def drain(self) -> None:
        while not self.blocks.empty():
            self.blocks.get_nowait()

    def close(self) -> None:
        """Nothing to release."""


class DiscardedAnswers(AnswerFiles):
    """`AnswerFiles` that removes each file once written (thousands would fill the disk)."""

    def write(self, say: Say, audio: list[np.ndarray], sample_rate: int) -> Path:
        path = super().write(say, audio, sample_rate)
        path.unlink()
        return path


class ErrorCount(logging.Handler):
    """Counts the faults the kiosk logged (it logs and carries on rather than crash)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def outcome_of(say: Say) -> str:
    """A short name for what a `Say` does: answered, rejected, or which prompt."""
    keys = [u.key for u in say.utterances]
    if any(u.kind == "passage" for u in say.utterances):
        return "answered"
    if "no_information" in keys:
        return "rejected"
    return f"prompt:{keys[0]}" if keys else "silence"


class FedKiosk:
    """A started kiosk; `hear(audio)` is one person pressing talk and making a sound."""

    def __init__(self) -> None:
        config = load_config()
        config.usage.enabled = False
        config.listening.mode = "button"
        config.listening.no_speech_seconds = NO_SPEECH_S
        self._folder = tempfile.TemporaryDirectory(prefix="kiosk-soak-")
        self.microphone = FeedMicrophone()
        self.said = 0
        """How many `Say`s the runtime has handed to playback."""
        self.outcomes: dict[int, str] = {}
        """The outcome of each `Say` not yet collected by `hear`, by its number."""
        answers = DiscardedAnswers(Path(self._folder.name))
        self.errors = ErrorCount()
        logging.getLogger().addHandler(self.errors)
        with (
            mock.patch.object(startup, "_microphone", lambda config: self.microphone),
            mock.patch.object(startup, "_speaker", lambda config, folder: answers),
        ):
            self.kiosk = startup.start_kiosk(config, False, Path(self._folder.name), False)
        self._listener = next(part for part in self.kiosk.parts if isinstance(part, Listener))
        playback = self.kiosk.runtime.playback
        play = playback.play

        def recorded(say: Say | None, earcon: np.ndarray | None = None) -> None:
            if say is not None:
                self.outcomes[self.said] = outcome_of(say)
                self.said += 1
            play(say, earcon)

        playback.play = recorded  # type: ignore[method-assign]
        self.engine = self.kiosk.runtime.status().engine
        self.voice = self.kiosk.runtime.status().voice

    def hear(self, audio: np.ndarray) -> str | None:
        """Press talk, feed `audio`; the outcome of the first `Say` after it, or None. First,
        as a person waits for the answer, the kiosk finishes with the sound before (everything
        heard recognised, everything posted handled): fed faster than real time, a sound heard
        as two utterances would otherwise leave the second queued, and the queue would grow."""
        runtime = self.kiosk.runtime
        self._listener.idle.wait(OUTCOME_TIMEOUT_S)
        runtime.wait_until_settled()
        runtime.post(ButtonPressed("talk"))
        runtime.wait_until_settled()
        self.outcomes.clear()  # earlier sounds' outcomes are no longer wanted
        before = self.said
        self.microphone.feed(audio)
        self.microphone.feed(np.zeros(round(TRAILING_SILENCE_S * MIC_RATE), np.float32))
        deadline = time.monotonic() + OUTCOME_TIMEOUT_S
        while time.monotonic() < deadline:
            if before in self.outcomes:
                return self.outcomes[before]
            time.sleep(0.01)
        return None

    def close(self) -> None:
        self.kiosk.close()
        logging.getLogger().removeHandler(self.errors)
        self._folder.cleanup()


def _serve(requests: Queue[np.ndarray | None], replies: Queue[tuple[str, Any]]) -> None:
    """The child process: start a `FedKiosk`, then hear each sound sent until None."""
    replies.put(("loading", None))
    kiosk = FedKiosk()
    replies.put(("ready", (kiosk.engine, kiosk.voice)))
    while (audio := requests.get()) is not None:
        try:
            replies.put(("outcome", kiosk.hear(audio)))
        except Exception as error:  # reported to the soak, which counts it and carries on
            replies.put(("error", f"{type(error).__name__}: {error}"))
    kiosk.close()
    replies.put(("closed", kiosk.errors.messages))


class SpawnedFedKiosk:
    """A `FedKiosk` in a process of its own, as `kiosk run` is: its memory is the kiosk's
    alone (not the test runner's, the sound maker's or the soak's bookkeeping)."""

    def __init__(self, on_loading: Callable[[int], None] | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self._requests: Queue[np.ndarray | None] = context.Queue()
        self._replies: Queue[tuple[str, Any]] = context.Queue()
        self._process = context.Process(target=_serve, args=(self._requests, self._replies))
        self._process.start()
        self.pid = self._process.pid or 0
        self._expect("loading")
        if on_loading is not None:
            on_loading(self.pid)
        self.engine, self.voice = self._expect("ready")
        self.errors: list[str] = []
        """Faults the kiosk logged, known once closed."""

    def _reply(self, timeout: float) -> tuple[str, Any]:
        """The kiosk process's next reply; RuntimeError if it died or stayed silent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return self._replies.get(timeout=0.5)
            except queue.Empty:
                if not self._process.is_alive():
                    raise RuntimeError(
                        f"soak kiosk process ended (exit code {self._process.exitcode})"
                    ) from None
        raise RuntimeError(f"soak kiosk process silent for {timeout:.0f} s")

    def _expect(self, kind: str) -> Any:
        got, value = self._reply(OUTCOME_TIMEOUT_S * 5)
        if got != kind:
            raise RuntimeError(f"soak kiosk sent {got!r} ({value}), expected {kind!r}")
        return value

    def hear(self, audio: np.ndarray) -> str | None:
        """As `FedKiosk.hear`; an exception in the kiosk process is raised here."""
        self._requests.put(audio)
        kind, value = self._reply(OUTCOME_TIMEOUT_S * 2)
        if kind == "error":
            raise RuntimeError(value)
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        if self._process.is_alive():
            self._requests.put(None)
            try:
                self.errors = self._expect("closed")
            finally:
                self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
