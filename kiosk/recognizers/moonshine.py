"""Moonshine base (English, int8 ONNX) through onnxruntime: the second opinion beside Whisper.

The weights come from the npm package `@usefulsensors/moonshine-js` (MIT, the last version that
ships the base model), unpacked into models/moonshine-base/ by `scripts/fetch-moonshine` (make
does it); the tokenizer from the PyPI package `useful-moonshine-onnx`. Nothing is downloaded
at run time. Each file is checked against a SHA-256 fixed here before loading.

Moonshine has no prompt, so it is not biased to the domain's words; alone it is less accurate
than prompted Whisper here (spoken tuning set: 73.5% against 80.3% right in quiet), but it
mishears different words, which is what a second opinion is for (kiosk.recognizers.second_opinion).
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.errors import ModelError
from kiosk.recognizers import Transcript, file_sha256
from kiosk.wav import RATE

NPM_PACKAGE = "@usefulsensors/moonshine-js@0.1.16"
"""The pinned npm package whose dist/model/base/quantized/ holds the two ONNX files."""
TOKENIZER_PACKAGE = "useful-moonshine-onnx==20251121"
"""The pinned PyPI package whose moonshine_onnx/assets/tokenizer.json is Moonshine's tokenizer."""
FILES_SHA256 = {
    "encoder_model.onnx": "1dd9ab0a7f987113d30affcba5a068d11c8f90fa0223caa3e491ade431ad9751",
    "decoder_int8_head.onnx": "8b4deaac58ff40787c39e4539fa932c053479fbb2ae38adb5af2c1dc9fffa872",
}
"""The model directory's files and their SHA-256 (keep in step with scripts/fetch-moonshine):
the package's encoder, and its merged decoder with the output layer in int8
(scripts/moonshine_int8_head.py: 3x faster decoding)."""
TOKENIZER_SHA256 = "b68b995a58b3373db6c4f46864a9db50cd1333d086150ffa2c1096581ede9c10"
"""SHA-256 of tokenizer.json in that package version."""
LAYERS, HEADS, HEAD_SIZE = 8, 8, 52
"""Moonshine base's decoder: layers, key/value heads, size of a head (for its cache)."""
START, END = 1, 2
"""Decoder start and end-of-text tokens."""
TOKENS_PER_SECOND = 6
"""Output cap per second of audio, as for Whisper: stops repetition loops."""
MIN_SECONDS, MAX_SECONDS = 0.1, 30.0
"""Moonshine takes 0.1-64 s; the kiosk's utterances are cut at 30 s, as Whisper's are."""


def model_dir() -> Path:
    """Where `scripts/fetch-moonshine` puts the model."""
    from kiosk.recognizers import MODELS_DIR

    return MODELS_DIR / "moonshine-base"


def tokenizer_path() -> Path:
    """tokenizer.json inside the installed PyPI package (found without importing it)."""
    spec = importlib.util.find_spec("moonshine_onnx")
    if spec is None or spec.origin is None:
        return Path("<useful-moonshine-onnx not installed>")
    return Path(spec.origin).parent / "assets" / "tokenizer.json"


def verify_model(path: Path, tokenizer: Path) -> None:
    """Raise ModelError unless `path` and `tokenizer` hold the complete, unmodified model."""
    for name, expected in FILES_SHA256.items():
        if not (path / name).is_file() or file_sha256(path / name) != expected:
            raise ModelError(
                f"Moonshine model missing or corrupt at {path / name}: run `make` "
                f"(scripts/fetch-moonshine unpacks it from the npm package {NPM_PACKAGE})"
            )
    if not tokenizer.is_file() or file_sha256(tokenizer) != TOKENIZER_SHA256:
        raise ModelError(
            f"Moonshine tokenizer missing or corrupt at {tokenizer}: "
            f"`pip install --no-deps --force-reinstall {TOKENIZER_PACKAGE}`"
        )


class MoonshineRecognizer:
    """Whole-utterance recognition with Moonshine base, greedy decoding."""

    name = "moonshine"

    def __init__(self, encoder: Any, decoder: Any, tokenizer: Any) -> None:
        self._encoder = encoder
        self._decoder = decoder
        self._tokenizer = tokenizer

    def transcribe(self, audio: np.ndarray, second_look: bool = True) -> Transcript:
        """Recognise one utterance of float32 mono 16 kHz audio (`second_look` is ignored).
        The confidence is the mean log-probability of the chosen tokens (Moonshine's own scale:
        not comparable with Whisper's)."""
        start = time.perf_counter()
        audio = np.asarray(audio, dtype=np.float32)[: int(MAX_SECONDS * RATE)]
        if len(audio) < MIN_SECONDS * RATE:
            return Transcript("", time.perf_counter() - start)
        tokens, logprobs = self._decode(audio)
        text = self._tokenizer.decode(tokens).strip()
        confidence = float(np.mean(logprobs)) if text else None
        return Transcript(text, time.perf_counter() - start, confidence)

    def _decode(self, audio: np.ndarray) -> tuple[list[int], list[float]]:
        """Greedy decoding with the merged decoder's key/value cache."""
        hidden = self._encoder.run(None, {"input_values": audio[None, :]})[0]
        cache = {
            f"past_key_values.{layer}.{part}.{kind}": np.zeros((0, HEADS, 1, HEAD_SIZE), np.float32)
            for layer in range(LAYERS)
            for part in ("decoder", "encoder")
            for kind in ("key", "value")
        }
        tokens: list[int] = []
        logprobs: list[float] = []
        previous = START
        for step in range(10 + int(TOKENS_PER_SECOND * len(audio) / RATE)):
            logits, *present = self._decoder.run(
                None,
                {
                    "input_ids": np.array([[previous]], dtype=np.int64),
                    "encoder_hidden_states": hidden,
                    "use_cache_branch": np.array([step > 0]),
                    **cache,
                },
            )
            scores = logits[0, -1].astype(np.float64)
            previous = int(scores.argmax())
            top = scores[previous]
            logprobs.append(float(-np.log(np.exp(scores - top).sum())))
            if previous == END:
                break
            tokens.append(previous)
            for key, value in zip(list(cache), present, strict=True):
                if step == 0 or ".decoder." in key:  # the encoder's part is computed once
                    cache[key] = value
        return tokens, logprobs


def load(
    threads: int, path: Path | None = None, tokenizer: Path | None = None
) -> MoonshineRecognizer:
    """Verify and load the model (about 1.3 s on 2 cores: the kiosk loads it in the
    background once it is ready to listen)."""
    path = path or model_dir()
    tokenizer = tokenizer or tokenizer_path()
    verify_model(path, tokenizer)
    import onnxruntime
    import tokenizers

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Measured on the base model (process resident set after a question, with
    # kiosk.memory.return_freed_memory): 289 MB with onnxruntime's defaults, 211 MB without its
    # memory arena and pre-packed copies of the weights, 171 MB with no graph optimisation
    # either. With the int8 output layer (scripts/moonshine_int8_head.py) the arena and graph
    # optimisation gain little: on 100 espeak-ng questions 0.12 s a question (median) as set
    # here, 0.11 s with the arena (+18 MB), 0.11 s with basic optimisation (+9 MB).
    options.enable_cpu_mem_arena = False
    # No memory pattern either: onnxruntime keeps one per input shape, and every utterance has
    # its own length (600 utterances of varied length: +39 MB with patterns, +3 to +8 MB without).
    options.enable_mem_pattern = False
    options.add_session_config_entry("session.disable_prepacking", "1")
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    onnxruntime.set_default_logger_severity(3)
    try:
        sessions = [
            onnxruntime.InferenceSession(
                str(path / name), options, providers=["CPUExecutionProvider"]
            )
            for name in FILES_SHA256
        ]
        words = tokenizers.Tokenizer.from_file(str(tokenizer))
    except Exception as error:  # onnxruntime raises its own exception types
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ModelError(f"Moonshine model at {path} could not be loaded ({reason})") from None
    return MoonshineRecognizer(sessions[0], sessions[1], words)
