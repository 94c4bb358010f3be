"""The numpy MiniLM encoder against sentence-transformers' own vectors (computed once with torch
and kept in tests/data/minilm_reference.json), and the safetensors reader on a tiny file."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from kiosk.embedding import MEMBERS, Encoder, model_zip, read_safetensors, shared_encoder, unpack

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return shared_encoder()


def test_matches_sentence_transformers(encoder: Encoder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    want = np.array(reference["embeddings"], np.float32)
    got = encoder.encode(reference["sentences"])
    cosine = (got * want).sum(axis=1) / np.linalg.norm(want, axis=1)
    assert cosine.min() > 0.9999, cosine


def test_one_at_a_time_equals_batched(encoder: Encoder) -> None:
    sentences = ["stop", "will i be awake during the kyphoplasty", "help me please"]
    batched = encoder.encode(sentences)
    single = np.vstack([encoder.encode([sentence]) for sentence in sentences])
    assert np.allclose(batched, single, atol=1e-5)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_meaning_is_closer_than_other_topics(encoder: Encoder) -> None:
    halt, stop, weather = encoder.encode(["halt", "please stop talking", "what is the weather"])
    assert halt @ stop > halt @ weather


def test_read_safetensors_in_file_order() -> None:
    first = np.arange(6, dtype=np.float32).reshape(2, 3)
    second = np.array([7, 8], np.int64)
    header = {
        "__metadata__": {"format": "pt"},
        "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
        "a.word_embeddings.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
    }
    text = json.dumps(header).encode()
    blob = struct.pack("<Q", len(text)) + text + first.tobytes() + second.tobytes()
    tensors = read_safetensors(io.BytesIO(blob))
    assert tensors["a.word_embeddings.weight"].dtype == np.float16
    assert np.array_equal(tensors["a.word_embeddings.weight"], first)
    assert np.array_equal(tensors["b"], second)


def test_unpacked_copy_gives_the_same_vectors(encoder: Encoder, tmp_path: Path) -> None:
    sentences = ["how long does it take", "can i go home today"]
    folder = unpack(model_zip(), tmp_path)
    assert folder is not None
    assert sorted(p.name for p in folder.iterdir()) == sorted(MEMBERS)
    from_copy = Encoder.load(unpacked=tmp_path)
    assert np.allclose(from_copy.encode(sentences), encoder.encode(sentences), atol=1e-6)


def test_a_truncated_copy_is_unpacked_again(tmp_path: Path) -> None:
    folder = unpack(model_zip(), tmp_path)
    assert folder is not None
    weights = folder / MEMBERS[0]
    size = weights.stat().st_size
    weights.write_bytes(b"cut short")
    assert unpack(model_zip(), tmp_path) == folder
    assert weights.stat().st_size == size


def test_an_unwritable_place_means_reading_the_zip(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    assert unpack(model_zip(), blocker) is None
    assert Encoder.load(unpacked=blocker).encode(["stop"]).shape == (1, 384)
