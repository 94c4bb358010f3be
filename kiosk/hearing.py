"""What a recognised utterance means: the wake phrase, echoes of the kiosk's own voice, events."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import jellyfish

from kiosk.config import ListeningConfig
from kiosk.conversation import WHILE_SPEAKING
from kiosk.matcher import Match
from kiosk.turns import ButtonPressed, Event, Heard, NothingHeard

WAKE_SIMILARITY = 0.75
"""Similarity (1 - edit distance / length, spaces ignored; of the spelling or of the metaphone
sound code, whichever is closer) at which words count as the wake phrase: "hello kiosks",
"hello kyask" and "a low kiosk" do, "hello there" and "how long does it" do not."""
WAKE_SEARCH_WORDS = 3
"""The wake phrase may start this many words in ("um, hello kiosk")."""
ECHO_SHARE = 0.5
"""An utterance is an echo when at least this share of its word pairs was just said."""


def words(text: str) -> list[str]:
    """Lower-case words, punctuation dropped."""
    return re.findall(r"[a-z0-9']+", text.lower())


def split_wake(text: str, wake_phrase: str) -> tuple[bool, str]:
    """(wake phrase found near the start, the rest of the utterance after it)."""
    heard, wake = words(text), " ".join(words(wake_phrase))
    size = len(wake.split())
    if not size:
        return False, text
    for start in range(min(WAKE_SEARCH_WORDS, len(heard))):
        for length in (size, size + 1, size + 2, size - 1):
            if length < 1 or start + length > len(heard):
                continue
            candidate = "".join(heard[start : start + length])
            if _sounds_like(candidate, wake.replace(" ", "")):
                return True, " ".join(heard[start + length :])
    return False, text


def _similarity(a: str, b: str) -> float:
    return 1 - jellyfish.levenshtein_distance(a, b) / max(len(a), len(b), 1)


def _sounds_like(heard: str, wake: str) -> bool:
    spelling = _similarity(heard, wake)
    sound = _similarity(jellyfish.metaphone(heard), jellyfish.metaphone(wake))
    return max(spelling, sound) >= WAKE_SIMILARITY


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    return list(itertools.pairwise(items))


def is_echo(text: str, said: str) -> bool:
    """Whether `text` is most likely the microphone hearing `said` (the kiosk's own speech).

    A single word is never an echo: the kiosk speaks in sentences, so its own voice comes back as
    a long utterance, while a person calling "stop" says one or two words.
    """
    heard = _pairs(words(text))
    if not heard:
        return False
    spoken = set(_pairs(words(said)))
    shared = sum(pair in spoken for pair in heard)
    return shared / len(heard) >= ECHO_SHARE


def domain_fit(
    match: Callable[[str], Match], listening: ListeningConfig
) -> Callable[[str], tuple[str | None, float]]:
    """Which of the document's topics heard words fit best, and how well: the matcher's best
    in-scope intent and score, the wake phrase left out (a wake phrase alone fits: there is no
    question to improve). `SecondOpinion` keeps the reading that fits better."""

    def fit(text: str) -> tuple[str | None, float]:
        if listening.mode == "wake":
            woken, rest = split_wake(text, listening.wake_phrase)
            if woken and not words(rest):
                return None, 1.0
            text = rest if woken else text
        if not words(text):
            return None, 0.0
        found = match(text)
        return found.intent or found.runner_up, found.score

    return fit


def understand(
    text: str,
    match: Callable[[str], Match],
    listening: ListeningConfig,
    said: str | None,
    unclear: bool = False,
) -> Event | None:
    """The event for one recognised utterance; None when it must be ignored.

    `said` is what the kiosk itself was saying while the utterance was heard (None if it was
    silent): then only a command for speaking time counts, and only if it is not an echo.
    `unclear`: the recognizer was unsure of the words (passed on in `Heard`).
    """
    text = text.strip()
    if said is not None:
        if not text:
            return None
        found = match(text)
        if found.intent in WHILE_SPEAKING and not is_echo(text, said):
            return Heard(text, found)
        return None
    if not text:
        return NothingHeard()
    if listening.mode == "wake":
        woken, rest = split_wake(text, listening.wake_phrase)
        if woken and not words(rest):
            return ButtonPressed("talk")
        if woken:
            return Heard(rest, match(rest), addressed=True, unclear=unclear)
    return Heard(text, match(text), unclear=unclear)
