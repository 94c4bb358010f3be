"""The kiosk as `kiosk run` starts it (`kiosk.startup.start_kiosk`), with two devices swapped:
the microphone hears what the soak feeds it (then silence, in real time, as a microphone
does), and the speaker is the runtime's no-output-device mode (`AnswerFiles`). Each `Say` is
recorded as the runtime hands it to playback. Everything between is the real code:
endpointer, listener threads, recognizer, matcher, conversation, runtime, playback with the
rendered-speech cache.
"""

from __future__ import annotations

import logging
import queue
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np

from kiosk import startup
from kiosk.audio import MIC_RATE, Device
from kiosk.config import load_config
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
        self.said: list[Say] = []
        """Every `Say` the runtime handed to playback, when it handed it over."""
        answers = DiscardedAnswers(Path(self._folder.name))
        self.errors = ErrorCount()
        logging.getLogger().addHandler(self.errors)
        with (
            mock.patch.object(startup, "_microphone", lambda config: self.microphone),
            mock.patch.object(startup, "_speaker", lambda config, folder: answers),
        ):
            self.kiosk = startup.start_kiosk(config, False, Path(self._folder.name), False)
        playback = self.kiosk.runtime.playback
        play = playback.play

        def recorded(say: Say | None, earcon: np.ndarray | None = None) -> None:
            if say is not None:
                self.said.append(say)
            play(say, earcon)

        playback.play = recorded  # type: ignore[method-assign]
        self.engine = self.kiosk.runtime.status().engine
        self.voice = self.kiosk.runtime.status().voice

    def hear(self, audio: np.ndarray) -> str | None:
        """Press talk, feed `audio`; the outcome of the first `Say` after it, or None."""
        runtime = self.kiosk.runtime
        runtime.wait_until_settled()
        runtime.post(ButtonPressed("talk"))
        runtime.wait_until_settled()
        before = len(self.said)
        self.microphone.feed(audio)
        self.microphone.feed(np.zeros(round(TRAILING_SILENCE_S * MIC_RATE), np.float32))
        deadline = time.monotonic() + OUTCOME_TIMEOUT_S
        while time.monotonic() < deadline:
            if len(self.said) > before:
                return outcome_of(self.said[before])
            time.sleep(0.01)
        return None

    def close(self) -> None:
        self.kiosk.close()
        logging.getLogger().removeHandler(self.errors)
        self._folder.cleanup()
