"""Two engines, one reading: Whisper hears every utterance, and Moonshine hears it too when
Whisper's words are unsure or fit no topic well; the reading that fits the domain better is kept.

"Fits the domain" is the matcher's best topic and score for the words (`fit`), so a mishearing
that happens to be fluent English ("what does the balloon cement do?" for "what does the bone
cement do") loses to one that names the document's topics. Words taken from the second engine
are still a guess, so they count as unsure (`Transcript.looked_again`): the conversation
confirms them before reading a passage, or asks for the question again; unless both engines'
words point to the same topic, when they are as sure as Whisper's were.

When Whisper's words fit no topic, Moonshine's reading is taken only if it fits one at least
`alone_above` (`matcher.confirm_below`, 0.8). Measured on the spoken tuning set with 300 more
out-of-scope tuning questions (6 voices, quiet and 10 dB; 383 out-of-scope clips in all): out of
scope rejected 86.9% -> 88.3% (Whisper alone: 89.3%), in scope right 87.9 -> 87.1% in quiet and
88.3 -> 86.9% at 10 dB (Whisper alone: 84.8% and 79.3%).

Moonshine takes about 1.3 s to load, so it loads in the background (`load_in_background`):
until it is ready the kiosk hears with Whisper alone.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from kiosk.errors import ModelError
from kiosk.recognizers import Recognizer, Transcript
from kiosk.wav import RATE

Fit = Callable[[str], tuple[str | None, float]]
"""Words -> (the topic they fit best, how well: the matcher's best in-scope intent and score)."""

log = logging.getLogger(__name__)

CLEAR_ABOVE = -0.3
"""Whisper's words heard this surely (mean log-probability per token) that fit no topic (below
`out_of_scope_below`) are a question the document does not answer, heard right: another
engine's reading could only turn it into a wrong match. On the spoken tuning set (360
questions) no in-scope question was lost by this; at -0.4, 2 of 277 were. It spares Moonshine's
decoding for such questions. (Added after the first held-out benchmark of the second opinion
rejected out-of-scope speech less often, 85.7% against 90.2% with Whisper alone; the value was
chosen on the tuning set. It did not change that figure: the out-of-scope questions matched
there were not heard clearly by Whisper.)"""
LOADING_NICE = 10
"""Niceness of the thread that loads the second engine."""
MAX_SECONDS = 6.0
"""Longer utterances get no second opinion: questions are 1-5 s, and Moonshine's time and
memory grow with the length (1.2 s for 6 s of speech on 2 cores)."""


@dataclass(frozen=True)
class Rules:
    """When the second engine is asked, and when its reading is taken."""

    sure_above: float
    """Whisper's words that fit a topic at least this well (`recognizer.sure_above`), heard
    surely, get no second opinion."""
    unclear_below: float
    """Whisper's confidence below which its words are unsure (`recognizer.unclear_below`)."""
    out_of_scope_below: float = 0.0
    """Words that fit no topic this well fit none (`matcher.reject_below`)."""
    alone_above: float = 0.0
    """When Whisper's words fit no topic, the second reading must fit one this well
    (`matcher.confirm_below`)."""


class SecondOpinion:
    """`first` for every utterance; `second`, once loaded, for the ones `first` is not sure of."""

    def __init__(
        self,
        first: Recognizer,
        load_second: Callable[[], Recognizer],
        fit: Fit,
        rules: Rules,
    ) -> None:
        self.name = f"{first.name}+second opinion"
        self._first = first
        self._load_second = load_second
        self._second: Recognizer | None = None
        self._fit = fit
        self._rules = rules
        self._loading: threading.Thread | None = None
        self.loaded = threading.Event()
        """Set once the second engine has loaded, or failed to (then it is never used)."""

    def load(self) -> None:
        """Load the second engine now (a missing or corrupt model is logged, not raised)."""
        try:
            self._second = self._load_second()
            log.info("second opinion ready: %s", self._second.name)
        except ModelError as error:
            log.warning("no second opinion, Whisper alone: %s", error)
        finally:
            self.loaded.set()

    def load_in_background(self) -> None:
        """Start loading the second engine on its own thread, at a lower CPU priority (so the
        greeting and the first question are not slowed down)."""

        def work() -> None:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOADING_NICE)
            self.load()

        if self._loading is None:
            self._loading = threading.Thread(target=work, name="second-opinion", daemon=True)
            self._loading.start()

    def transcribe(self, audio: np.ndarray, second_look: bool = True) -> Transcript:
        """`first`'s words, unless they are unsure or fit no topic at least `Rules.sure_above`
        and the second engine's words fit better (unsure, unless they fit the same topic); words
        heard clearly (CLEAR_ABOVE) that fit no topic (`Rules.out_of_scope_below`) are kept as
        they are, and when they fit no topic the second reading must fit one at least
        `Rules.alone_above`.
        No second opinion when time matters more (`second_look=False`), when nothing was heard,
        for utterances over MAX_SECONDS, or before the second engine is loaded."""
        heard = self._first.transcribe(audio, second_look)
        heard = replace(heard, engine=heard.engine or self._first.name)
        second = self._second
        too_long = len(audio) > MAX_SECONDS * RATE
        if not second_look or second is None or not heard.text or too_long:
            return heard
        rules = self._rules
        topic, fit = self._fit(heard.text)
        unsure = heard.unclear(rules.unclear_below)
        if fit >= rules.sure_above and not unsure:
            return heard
        clear = heard.confidence is not None and heard.confidence >= CLEAR_ABOVE
        if clear and fit < rules.out_of_scope_below and not heard.looked_again:
            return heard
        other = second.transcribe(audio)
        seconds = heard.seconds + other.seconds
        other_topic, other_fit = self._fit(other.text) if other.text else (None, 0.0)
        alone = fit < rules.out_of_scope_below  # only the second reading names a topic
        if other_fit > fit and (not alone or other_fit >= rules.alone_above):
            agree = other_topic is not None and other_topic == topic
            looked = unsure if agree else True
            return Transcript(other.text, seconds, None, looked_again=looked, engine=second.name)
        return replace(heard, seconds=seconds)
