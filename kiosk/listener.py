"""Microphone -> utterances -> recognizer -> matcher -> events, in two daemon threads.

The capture thread reads the microphone and cuts utterances (`kiosk.vad`); the recognition
thread transcribes each one, decides what it means (`kiosk.hearing.understand`: wake phrase,
the kiosk's own voice) and posts the event with the time the speech ended. At a short pause the
audio so far is recognised at once: a clear question is answered then, without waiting for the
long end-of-speech silence. A lost microphone is reopened every few seconds.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.audio import Microphone
from kiosk.config import Config
from kiosk.content import CONTROL_INTENTS
from kiosk.errors import AudioError
from kiosk.hearing import understand
from kiosk.matcher import Match
from kiosk.memory import trim_heap
from kiosk.recognizers import Recognizer, Transcript
from kiosk.runtime import Runtime
from kiosk.turns import Event, Heard, SpeechStarted
from kiosk.vad import EARLY_PAUSE_MS, UtteranceSegmenter

log = logging.getLogger(__name__)

RETRY_S = 3.0
"""Wait between attempts to reopen a lost microphone."""
ECHO_MARGIN_S = 0.6
"""Speech heard this soon after the kiosk stopped talking may still be its own voice."""
EARLY_SCORE = 0.9
"""At a pause, a question matched at least this surely is answered without waiting."""
EARLY_WORDS = 3
"""...if it has this many words (a kiosk command like "stop" may have fewer)."""


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech from the microphone."""

    audio: np.ndarray
    """Float32 mono 16 kHz."""
    start: float
    """When it began (monotonic seconds)."""
    end: float
    """When the speech in it ended (monotonic seconds, trailing silence excluded)."""
    number: int
    """Which utterance (a pause and the end of one utterance share it)."""
    final: bool
    """The whole utterance (else the audio up to a pause in it)."""


class Listener:
    """Listens until `close()`."""

    def __init__(
        self, config: Config, microphone: Microphone, recognizer: Recognizer,
        match: Callable[[str], Match], runtime: Runtime,
    ) -> None:  # fmt: skip
        self._config = config
        self._microphone = microphone
        self._recognizer = recognizer
        self._match = match
        self._runtime = runtime
        self._utterances: queue.Queue[Utterance | None] = queue.Queue()
        self._answered: set[int] = set()
        self._last: tuple[tuple[int, int], Transcript] | None = None
        self.idle = threading.Event()
        """Set while nothing is being heard or recognised (background work may use the CPU)."""
        self.idle.set()
        self._closing = threading.Event()
        self._threads = [
            threading.Thread(target=self._capture, name="capture", daemon=True),
            threading.Thread(target=self._recognise, name="recognise", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        self._closing.set()
        self._utterances.put(None)
        for thread in self._threads:
            thread.join(timeout=RETRY_S + 2)
        self._microphone.close()

    def _capture(self) -> None:
        segmenter = UtteranceSegmenter(self._config.listening, EARLY_PAUSE_MS)
        number = 0
        while not self._closing.is_set():
            try:
                block = self._microphone.read()
            except AudioError as error:
                self._reopen(error)
                segmenter = UtteranceSegmenter(self._config.listening, EARLY_PAUSE_MS)
                continue
            now = time.monotonic()
            for cut in segmenter.feed(block):
                if cut.kind == "start":
                    number += 1
                    self.idle.clear()
                    self._runtime.post(SpeechStarted())
                    continue
                start, end = (now - (segmenter.fed_s - at) for at in (cut.start_s, cut.end_s))
                self._utterances.put(Utterance(cut.audio, start, end, number, cut.kind == "end"))

    def _reopen(self, error: AudioError) -> None:
        """Wait, then try the microphone again (it may have been unplugged)."""
        log.warning("%s; retrying every %.0f s", error, RETRY_S)
        self._microphone.close()
        while not self._closing.wait(RETRY_S):
            try:
                self._microphone = Microphone(self._config.audio.input_device)
                self._microphone.start()
            except AudioError as again:
                log.debug("microphone still unavailable: %s", again)
                continue
            log.warning("microphone '%s' is back", self._microphone.device.name)
            return

    def _recognise(self) -> None:
        while True:
            utterance = self._utterances.get()
            if utterance is None:
                return
            done = utterance.number in self._answered or self._superseded(utterance)
            try:
                if not done:
                    self._understand(utterance)
            except Exception:  # a recognizer fault loses one utterance, never the kiosk
                log.exception("could not recognise an utterance")
            # also after the end of a question already answered at a pause
            if utterance.final and self._utterances.empty():
                trim_heap()  # what recognising it freed goes back
                self.idle.set()

    def _superseded(self, utterance: Utterance) -> bool:
        """A pause whose utterance has already moved on (more audio is queued)."""
        with self._utterances.mutex:
            return not utterance.final and any(
                later is not None and later.number == utterance.number
                for later in self._utterances.queue
            )

    def _understand(self, utterance: Utterance) -> None:
        said = self._runtime.playback.spoken.during(utterance.start, utterance.end, ECHO_MARGIN_S)
        key = (utterance.number, len(utterance.audio))
        if self._last is None or self._last[0] != key:  # no more speech since the pause: reuse
            # While the kiosk speaks only a command counts, and it must act at once; while more
            # speech is waiting, the kiosk must keep up (a loud room in open mode): one hearing
            # each, no second look or second opinion, so none is skipped and none piles up.
            behind = not self._utterances.empty()
            transcript = self._recognizer.transcribe(
                utterance.audio, second_look=said is None and not behind
            )
            self._last = (key, transcript)
            log.debug("recognised %r in %.0f ms%s%s", transcript.text, transcript.seconds * 1000,
                      "" if utterance.final else " (at a pause)",
                      "" if said is None else " (while the kiosk spoke)")  # fmt: skip
        transcript = self._last[1]
        unclear = transcript.unclear(self._config.recognizer.unclear_below)
        event = understand(transcript.text, self._match, self._config.listening, said, unclear)
        if event is None or not (utterance.final or self._clear(event)):
            return
        if not utterance.final:
            self._answered = {utterance.number}
        self._runtime.post(event, utterance.end)

    @staticmethod
    def _clear(event: Event) -> bool:
        """Whether a question heard at a pause is clear enough to answer without waiting."""
        if not isinstance(event, Heard) or event.match.intent is None or event.unclear:
            return False
        long_enough = len(event.transcript.split()) >= EARLY_WORDS
        command = event.match.intent in CONTROL_INTENTS
        return event.match.score >= EARLY_SCORE and (long_enough or command)
