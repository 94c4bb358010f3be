"""Carries out `Say` and earcons in one worker thread: render (cached), play, report progress.

A new `play` or `stop()` cancels what is playing at once (the speaker goes silent within one
audio block). Events go back to the conversation through `post`: `SpeechProgress` as each
utterance starts and `SpeechFinished` only when a `Say` played to its end. With no speaker,
each `Say` is written to a WAV file and its text printed (`AnswerFiles`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.audio import Speaker
from kiosk.errors import AudioError
from kiosk.playback_files import AnswerFiles
from kiosk.speech_render import Renderer
from kiosk.spoken import SpokenLog
from kiosk.turns import Event, Say, SpeechFinished, SpeechProgress

log = logging.getLogger(__name__)

RETRY_S = 2.0
"""Wait between attempts to reopen a lost speaker."""
POLL_S = 0.05


@dataclass(frozen=True)
class Job:
    """What the worker plays next."""

    generation: int
    """The job is cancelled when the worker's generation moves on."""
    earcon: np.ndarray | None
    """A tone played first (at the renderer's sample rate), if any."""
    say: Say | None
    """Speech, if any."""


class Playback:
    """The speaker side of the kiosk; every method is thread-safe and returns at once."""

    def __init__(
        self, renderer: Renderer, output: Speaker | AnswerFiles, post: Callable[[Event], None]
    ) -> None:
        self.renderer = renderer
        self.rate_wpm = 160
        """Speaking rate for what is rendered next."""
        self.spoken = SpokenLog()
        """When the kiosk spoke what (for telling its own voice from a person's)."""
        self.on_first_sound: Callable[[int, float], None] | None = None
        """Called with (serial, monotonic time) when a `Say`'s first sample reaches the device."""
        self._output = output
        self._post = post
        self._lock = threading.Condition()
        self._generation = 0
        self._job: Job | None = None
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="playback", daemon=True)
        self._thread.start()

    def play(self, say: Say | None, earcon: np.ndarray | None = None) -> None:
        """Play `earcon` then `say`, replacing anything still playing."""
        with self._lock:
            self._generation += 1
            self._job = Job(self._generation, earcon, say)
            self._output.stop()
            self._lock.notify_all()

    def stop(self) -> None:
        """Silence at once and drop what was still to be said."""
        with self._lock:
            self._generation += 1
            self._job = None
            self._output.stop()

    def set_volume(self, volume: float) -> None:
        """Applied at once, even mid-sentence."""
        self._output.volume = volume

    def close(self) -> None:
        with self._lock:
            self._closing = True
            self._generation += 1
            self._output.stop()
            self._lock.notify_all()
        self._thread.join(timeout=2)
        self._output.close()

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._job is None and not self._closing:
                    self._lock.wait()
                job, self._job = self._job, None
            if job is None:
                return  # closing
            try:
                self._play_job(job)
            except Exception:  # the kiosk must keep running: log the fault and go on
                log.exception("playback failed")

    def _play_job(self, job: Job) -> None:
        say = job.say
        if isinstance(self._output, AnswerFiles):
            if say is not None:
                clips = [self.renderer.audio(u.text, self.rate_wpm) for u in say.utterances]
                self._output.write(say, clips, self.renderer.sample_rate)
                for index in range(len(say.utterances)):
                    self._post(SpeechProgress(say.serial, index))
                self._finished(job.generation, say)
            return
        if job.earcon is not None and not self._play(self._output, job.generation, job.earcon):
            return
        if say is None:
            return
        for index, utterance in enumerate(say.utterances):
            audio = self.renderer.audio(utterance.text, self.rate_wpm)
            if index + 1 < len(say.utterances):  # render the next one while this one plays
                ahead = (say.utterances[index + 1].text, self.rate_wpm)
                threading.Thread(target=self.renderer.audio, args=ahead, daemon=True).start()
            self._post(SpeechProgress(say.serial, index))
            self.spoken.started(utterance.text)
            played = self._play(self._output, job.generation, audio)
            self.spoken.ended()
            if not played:
                return
            first = self._output.first_sample_at
            if index == 0 and first is not None and self.on_first_sound is not None:
                self.on_first_sound(say.serial, first)
        self._finished(job.generation, say)

    def _finished(self, generation: int, say: Say) -> None:
        with self._lock:
            if generation == self._generation:
                self._post(SpeechFinished(say.serial))

    def _play(self, speaker: Speaker, generation: int, audio: np.ndarray) -> bool:
        """Play one clip to its end; False if cancelled. Retries while the device is lost."""
        while True:
            try:
                with self._lock:
                    if generation != self._generation:
                        return False
                    speaker.play(audio, self.renderer.sample_rate)
                while not speaker.wait(POLL_S):
                    if generation != self._generation:
                        return False
                return generation == self._generation
            except AudioError as error:
                log.warning("%s; retrying in %.0f s", error, RETRY_S)
                speaker.close()
                time.sleep(RETRY_S)
