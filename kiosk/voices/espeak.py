"""Fallback voice: espeak-ng through pyttsx3, rendered to WAV files (never its own playback).

pyttsx3 pitfalls handled here (see ../shared/notes/speech-stack-facts.md): the engine is not
thread-safe, so one worker thread owns it; one `save_to_file` per `runAndWait`; `runAndWait`
may return before the file is complete, so we wait for `finished-utterance` and check the WAV;
`setProperty('rate')` is often dropped, so the rate goes straight to espeak's `SetParameter`
and is read back; long texts are rendered paragraph by paragraph.
"""

from __future__ import annotations

import ctypes
import queue
import tempfile
import threading
import time
import wave
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.config import VoiceConfig
from kiosk.errors import ModelError
from kiosk.voices import clamp_rate, paragraphs, silence

SAMPLE_RATE = 22050
PARAGRAPH_PAUSE_S = 0.5
# espeak's rate setting leaves out pauses; measured over the patient document (714 words) as
# rendered here, real words a minute were 1.17-1.18 times the setting at every setting 120-220.
SPOKEN_PER_SETTING = 1.175
"""Real words a minute per unit of espeak's rate setting."""
FINISH_TIMEOUT_S = 30.0
RATE_TIMEOUT_S = 2.0
Job = tuple[str, int, "Future[np.ndarray]"]


class EspeakVoice:
    """espeak-ng voice `config.espeak_voice`; thread-safe (requests go to one worker)."""

    sample_rate = SAMPLE_RATE

    def __init__(self, config: VoiceConfig) -> None:
        self.name = f"espeak-ng-{config.espeak_voice}"
        self._config = config
        self._jobs: queue.Queue[Job] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def release(self) -> None:
        """Nothing to free: espeak-ng takes a few MB."""

    def synthesize(self, text: str, rate_wpm: int) -> np.ndarray:
        with self._start_lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="espeak", daemon=True)
                self._worker.start()
        done: Future[np.ndarray] = Future()
        setting = round(clamp_rate(rate_wpm, self._config) / SPOKEN_PER_SETTING)
        self._jobs.put((text, setting, done))
        return done.result()

    def _run(self) -> None:
        try:
            renderer = _Renderer(self._config.espeak_voice)
        except Exception as error:  # library missing or voice unknown: every request fails
            failure = ModelError(f"espeak-ng unavailable ({error}): apt install libespeak-ng1")
            while True:
                self._jobs.get()[2].set_exception(failure)
        while True:
            text, rate, done = self._jobs.get()
            try:
                parts: list[np.ndarray] = []
                for paragraph in paragraphs(text):
                    if parts:
                        parts.append(silence(PARAGRAPH_PAUSE_S, SAMPLE_RATE))
                    parts.append(renderer.render(paragraph, rate))
                empty = np.zeros(0, dtype=np.float32)
                done.set_result(np.concatenate(parts) if parts else empty)
            except Exception as error:  # reported to the caller of synthesize
                done.set_exception(error)


class _Renderer:
    """Owns the pyttsx3 engine; used only from the worker thread."""

    def __init__(self, voice: str) -> None:
        import pyttsx3
        from pyttsx3.drivers import _espeak, espeak

        espeak.print = lambda *args, **kwargs: None  # the driver prints "Audio saved to ..."

        self._espeak: Any = _espeak
        # pyttsx3's GetParameter binding drops the `current` argument (it reads garbage)
        self._get_parameter = _espeak.dll.espeak_GetParameter
        self._get_parameter.argtypes = [ctypes.c_int, ctypes.c_int]
        self._get_parameter.restype = ctypes.c_int
        self._engine: Any = pyttsx3.init("espeak")
        self._engine.setProperty("voice", voice)  # voice choice is reliable
        self._finished = threading.Event()
        self._engine.connect("finished-utterance", self._on_finished)
        self._dir = Path(tempfile.mkdtemp(prefix="kiosk-espeak-"))

    def _on_finished(self, name: str | None, completed: bool) -> None:
        self._finished.set()

    def set_rate(self, rate: int) -> None:
        """Set the rate in espeak itself and wait until it has taken it.

        pyttsx3's setProperty drops changes; espeak (in pyttsx3's retrieval mode) queues
        SetParameter behind its own work, so we wait until it reports the new rate."""
        espeak = self._espeak
        espeak.SetParameter(espeak.RATE, rate, 0)
        deadline = time.monotonic() + RATE_TIMEOUT_S
        while espeak.IsPlaying() or self._get_parameter(espeak.RATE, 1) != rate:
            if time.monotonic() > deadline:
                actual = self._get_parameter(espeak.RATE, 1)
                raise RuntimeError(f"espeak rate stayed {actual}, not {rate}")
            time.sleep(0.002)

    def render(self, text: str, rate: int) -> np.ndarray:
        self.set_rate(rate)
        path = self._dir / "utterance.wav"
        path.unlink(missing_ok=True)
        self._finished.clear()
        self._engine.save_to_file(text, str(path))
        self._engine.runAndWait()
        if not self._finished.wait(FINISH_TIMEOUT_S):
            raise RuntimeError("espeak did not finish the utterance")
        return _read_complete_wav(path)


def _read_complete_wav(path: Path) -> np.ndarray:
    """The samples of a finished 16-bit mono WAV; raises if it is missing or truncated."""
    with wave.open(str(path), "rb") as wav:
        frames = wav.getnframes()
        data = wav.readframes(frames)
    if wav.getsampwidth() != 2 or len(data) != frames * 2 or frames == 0:
        raise RuntimeError(f"espeak wrote an incomplete WAV ({len(data)} bytes)")
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
