"""Vosk (Kaldi) streaming recognition from a model directory an operator unpacked.

Only `vosk.Model(path)` is ever called: `Model(lang=...)` downloads, which a kiosk must never
do. An optional phrase list (a Kaldi grammar) restricts what can be heard to the intent
examples plus "[unk]"; it needs a model with a dynamic graph (graph/HCLr.fst + graph/Gr.fst).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.errors import ModelError
from kiosk.recognizers import Transcript

RATE = 16000
"""Sample rate fed to Kaldi."""
DEFAULT_MODEL_NAME = "vosk-model-small-en-us-0.15"
"""The English model the README tells operators to install under models/."""
REQUIRED = (("am/final.mdl",), ("conf/model.conf",), ("graph/HCLG.fst", "graph/HCLr.fst"))
"""Files a usable model directory holds (any one of each group)."""
DYNAMIC_GRAPH = ("graph/HCLr.fst", "graph/Gr.fst")
"""Present together when the model accepts a phrase list."""
CHUNK = 4000
"""Samples per chunk when a whole utterance is fed (0.25 s)."""


def missing_files(model_dir: Path) -> list[str]:
    """What a model directory lacks to be loadable ([] when complete)."""
    if not model_dir.is_dir():
        return [f"{model_dir} (no such directory)"]
    return [
        " or ".join(group)
        for group in REQUIRED
        if not any((model_dir / name).is_file() for name in group)
    ]


class VoskStream:
    """One stream of audio fed in chunks; Vosk says where each utterance ends."""

    def __init__(self, recognizer: Any) -> None:
        self._recognizer = recognizer

    def feed(self, chunk: np.ndarray) -> str | None:
        """Add float32 16 kHz audio; the utterance's text when its end was just detected."""
        pcm = (np.clip(chunk, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        if self._recognizer.AcceptWaveform(pcm):
            return _text(self._recognizer.Result())
        return None

    def partial(self) -> str:
        """The words heard so far in the current utterance (may still change)."""
        return str(json.loads(self._recognizer.PartialResult()).get("partial", ""))

    def finish(self) -> str:
        """End the stream: the text of the utterance still open (may be "")."""
        return _text(self._recognizer.FinalResult())


class VoskRecognizer:
    """Streaming recognizer; `transcribe` feeds a whole utterance through a stream."""

    name = "vosk"

    def __init__(self, model: Any, phrases: list[str] | None) -> None:
        self._model = model
        self._grammar = json.dumps(phrases, ensure_ascii=False) if phrases else None

    def stream(self) -> VoskStream:
        """A fresh utterance stream (cheap: the model is shared)."""
        import vosk

        if self._grammar is None:
            return VoskStream(vosk.KaldiRecognizer(self._model, RATE))
        return VoskStream(vosk.KaldiRecognizer(self._model, RATE, self._grammar))

    def transcribe(self, audio: np.ndarray, second_look: bool = True) -> Transcript:
        """Recognise one utterance of float32 mono 16 kHz audio (Vosk takes no second look)."""
        start = time.perf_counter()
        stream = self.stream()
        texts = [stream.feed(audio[i : i + CHUNK]) for i in range(0, len(audio), CHUNK)]
        texts.append(stream.finish())
        return Transcript(" ".join(t for t in texts if t), time.perf_counter() - start)


def _text(result: str) -> str:
    return str(json.loads(result).get("text", "")).strip()


def load(model_dir: Path, phrases: list[str] | None = None) -> VoskRecognizer:
    """Check and load a model directory; `phrases` (with "[unk]") restricts recognition."""
    missing = missing_files(model_dir)
    if missing:
        raise ModelError(
            f"Vosk model at {model_dir} is incomplete (missing {', '.join(missing)}): "
            f"unzip {DEFAULT_MODEL_NAME} into models/ or set recognizer.vosk_model in kiosk.yaml"
        )
    if phrases and not all((model_dir / name).is_file() for name in DYNAMIC_GRAPH):
        raise ModelError(
            f"Vosk model at {model_dir} has no dynamic graph (graph/HCLr.fst, graph/Gr.fst): "
            "use a small model or set recognizer.vosk_phrase_list to false"
        )
    import vosk

    vosk.SetLogLevel(-2)  # errors only: no LOG lines, no warnings about unknown words
    try:
        model = vosk.Model(str(model_dir))
    except Exception as error:  # vosk raises a bare Exception on a bad model
        raise ModelError(
            f"Vosk model at {model_dir} cannot be loaded ({error}): "
            f"reinstall {DEFAULT_MODEL_NAME} into models/"
        ) from None
    return VoskRecognizer(model, phrases)
