"""Speech recognizers behind one narrow protocol: float32 mono 16 kHz audio in, text out.

A new engine is one module with a `load(...)` function returning a `Recognizer`.
`load_recognizer` picks the engine from `config.recognizer.engine`: `auto` uses Vosk when a
Vosk model directory is configured or found under `models/`, else the bundled Whisper tiny.en,
with Moonshine base as its second opinion (`second_opinion`) when that is installed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from kiosk.config import PROJECT_ROOT, Config
from kiosk.content import Content

MODELS_DIR = PROJECT_ROOT / "models"
"""Where an operator unpacks a Vosk model directory."""


@dataclass(frozen=True)
class Transcript:
    """What a recognizer heard in one utterance."""

    text: str
    """The recognised words ("" when nothing was heard)."""
    seconds: float
    """Time spent recognising."""
    confidence: float | None = None
    """How sure the engine is of the words: Whisper's mean log-probability per token (0 is
    certain; garbled speech gives about -0.5 and below). None when the engine gives none."""
    looked_again: bool = False
    """The first hearing was unsure, and the text is the best of a second look (or a second
    engine's words)."""
    engine: str = ""
    """The engine whose words these are, when a recognizer combines engines ("" otherwise:
    the recognizer's own)."""

    def unclear(self, below: float) -> bool:
        """Whether the words were heard too unsurely to trust (`recognizer.unclear_below`); a
        second look's best guess is still a guess."""
        unsure = self.confidence is not None and self.confidence < below
        return bool(self.text) and (unsure or self.looked_again)


class Recognizer(Protocol):
    """Turns one utterance of audio into text."""

    name: str
    """Engine name for logs and reports (e.g. "whisper", "vosk")."""

    def transcribe(self, audio: np.ndarray, second_look: bool = True) -> Transcript:
        """Recognise one whole utterance of float32 mono 16 kHz audio; `second_look=False`
        when time matters more than accuracy (a command while the kiosk speaks)."""
        ...


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read 1 MB at a time (model files are 30-80 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def find_vosk_model(config: Config, models_dir: Path = MODELS_DIR) -> Path | None:
    """The configured Vosk model directory, else the first `vosk-model*` under models/."""
    if config.recognizer.vosk_model is not None:
        return config.recognizer.vosk_model
    if not models_dir.is_dir():
        return None
    found = sorted(p for p in models_dir.iterdir() if p.is_dir() and p.name.startswith("vosk-"))
    return found[0] if found else None


def load_recognizer(
    config: Config, content: Content, fit: Callable[[str], tuple[str | None, float]] | None = None
) -> Recognizer:
    """Load the configured engine, biased to the words of the intent files. Given `fit` (which
    topic words fit and how well: `hearing.domain_fit`) and `recognizer.second_opinion`,
    Whisper gets Moonshine as a second opinion, which is not loaded yet: call its `load` or
    `load_in_background`."""
    from kiosk.recognizers import vocabulary

    engine = config.recognizer.engine
    vosk_model = find_vosk_model(config) if engine != "whisper" else None
    if engine == "vosk" or (engine == "auto" and vosk_model is not None):
        from kiosk.recognizers import vosk

        phrases = vocabulary.phrases(content) if config.recognizer.vosk_phrase_list else None
        return vosk.load(vosk_model or MODELS_DIR / vosk.DEFAULT_MODEL_NAME, phrases)
    from kiosk.recognizers import whisper

    wake = config.listening.wake_phrase if config.listening.mode == "wake" else None
    prompt = vocabulary.prompt(content, wake)
    settings = config.recognizer
    first = whisper.load(settings.threads, prompt, look_again_below=settings.unclear_below)
    if fit is None or not settings.second_opinion:
        return first
    from kiosk.recognizers import moonshine
    from kiosk.recognizers.second_opinion import Rules, SecondOpinion

    def load_second() -> Recognizer:
        return moonshine.load(settings.threads)

    rules = Rules(settings.sure_above, settings.unclear_below, config.matcher.reject_below,
                  config.matcher.confirm_below)  # fmt: skip
    return SecondOpinion(first, load_second, fit, rules)
