"""Question text -> `Match`: which intent, how sure (calibrated), and the runner-up.

A softmax regression over `features.tokens` plus (with `semantic`) the question's
all-MiniLM-L6-v2 sentence embedding (`embedding.py`, scaled by EMBEDDING_SCALE) is trained on the
intent files' examples, with `out_of_scope` as a class of its own (weighted up): it soaks up
probability for questions the document does not answer. The sparse features carry wording and
sound-alikes; the embedding carries meaning (synonyms, paraphrase) to words no example uses.
The temperature is fitted on cross-validated predictions, so a score of 0.8 means about 80%
right. The best in-scope intent is returned unless its score is below `reject_below`; but
`emergency` wins whenever its score reaches `emergency_above` (a missed emergency costs far more
than a false alarm). Training takes seconds (plus encoding the examples), so the trained model
is cached, keyed by the examples and this code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack

from kiosk.config import MatcherConfig
from kiosk.content import OUT_OF_SCOPE, Content
from kiosk.embedding import HIDDEN, Encoder, model_zip, shared_encoder
from kiosk.errors import KioskError
from kiosk.features import Vectorizer
from kiosk.softmax import Softmax, Training, fit_temperature, train
from kiosk.soundalike import Lexicon
from kiosk.text import words

FOLDS = 3
EMBEDDING_SCALE = 0.5
"""Weight of the unit-length embedding next to the unit-length sparse row (tuned by
cross-validation and eval/tuning.tsv: 0.5, 1 and 2 within a point; 0.5 best)."""
EMERGENCY = "emergency"
_EXAMPLES: dict[str, np.ndarray] = {}
"""Example text -> embedding, so retraining in one process (check, bench) encodes once; kept
on disk under `matcher.cache` too (`remember_examples`), so other processes need not."""
KEPT_EMBEDDINGS = 20_000
"""At most this many example embeddings are kept on disk (the latest; 1.5 KB each)."""
CODE = ("text.py", "soundalike.py", "features.py", "softmax.py", "matcher.py", "embedding.py")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question."""

    intent: str | None
    """The intent; None when out of scope (score below `reject_below`)."""
    score: float
    """Calibrated probability (0..1) of the best in-scope intent."""
    runner_up: str | None
    """The next best in-scope intent (when rejected: the best one, which was not enough)."""
    runner_up_score: float
    """Its calibrated probability."""


class Matcher:
    """A trained question classifier; build it with `from_content` or `train`."""

    def __init__(
        self,
        classes: tuple[str, ...],
        vectorizer: Vectorizer,
        model: Softmax,
        config: MatcherConfig,
        encoder: Encoder | None = None,
    ) -> None:
        self.classes = classes
        self.vectorizer = vectorizer
        self.model = model
        self.config = config
        self.encoder = encoder
        self.in_scope = np.array([name != OUT_OF_SCOPE for name in classes])
        self._last: tuple[str, Match] | None = None
        """The last question `match` was asked and its verdict: the kiosk asks about the same
        words twice in a row (the second opinion, then understanding), ~15 ms each."""

    @classmethod
    def from_content(cls, content: Content, config: MatcherConfig) -> Matcher:
        """Train on every example of every intent file (or load the cached training)."""
        examples = [
            (line.text, intent.name or stem)
            for stem, intent in content.intents.items()
            for line in intent.examples
        ]
        return cls.train(examples, config)

    @classmethod
    def train(
        cls,
        examples: Sequence[tuple[str, str]],
        config: MatcherConfig,
        vectorizer: Vectorizer | None = None,
    ) -> Matcher:
        """Train on (question, intent) pairs, fitting the temperature by cross-validation."""
        key = _cache_key(examples, config.semantic)
        cache = config.cache / f"{key}.npz" if config.cache else None
        cached = _load(cache, config) if cache and not vectorizer else None
        if cached is not None:
            return cached
        classes = tuple(sorted({intent for _, intent in examples}))
        texts = [text for text, _ in examples]
        labels = np.array([classes.index(intent) for _, intent in examples])
        features = vectorizer or Vectorizer.fit(texts)
        encoder = shared_encoder() if config.semantic else None
        if encoder is not None:
            remember_examples(config.cache)
        rows = _rows(features, encoder, texts, remember=True)
        if encoder is not None:
            keep_examples(config.cache)
        heavy = classes.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in classes else None
        settings = Training(heavy=heavy)
        model = train(rows, labels, len(classes), settings)
        folds = _folds(labels)
        if folds.max() > 0:
            logits = np.zeros((len(labels), len(classes)), np.float32)
            for fold in range(folds.max() + 1):
                held, kept = folds == fold, folds != fold
                part = train(rows[kept], labels[kept], len(classes), settings)
                logits[held] = part.logits(rows[held])
            model = Softmax(model.weights, model.bias, fit_temperature(logits, labels))
        matcher = cls(classes, features, model, config, encoder)
        if cache and not vectorizer:
            matcher.save(cache)
        return matcher

    def save(self, path: Path) -> None:
        """Keep the trained model (written atomically, replacing older trainings); an
        unwritable cache only costs training time."""
        lexicon = self.vectorizer.lexicon.words if self.vectorizer.lexicon else ()
        arrays: dict[str, Any] = {
            "classes": np.array(self.classes), "features": np.array(list(self.vectorizer.index)),
            "lexicon": np.array(lexicon, dtype=str), "idf": self.vectorizer.idf,
            "weights": self.model.weights, "bias": self.model.bias,
            "temperature": np.array(self.model.temperature),
        }  # fmt: skip
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
                np.savez(out, **arrays)
            os.replace(out.name, path)
            for old in path.parent.glob("*.npz"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError as error:
            log.debug("matcher cache not written: %s", error)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities over `classes`, one row per question."""
        return self.model.probabilities(_rows(self.vectorizer, self.encoder, texts))

    def decide(self, probabilities: np.ndarray) -> Match:
        """The `Match` for one row of `probabilities`."""
        ranked = [int(i) for i in np.argsort(-probabilities) if self.in_scope[i]]
        alarm = self.classes.index(EMERGENCY) if EMERGENCY in self.classes else -1
        if alarm >= 0 and probabilities[alarm] >= self.config.emergency_above:
            ranked = [alarm, *(i for i in ranked if i != alarm)]
        best = self.classes[ranked[0]] if ranked else None
        score = float(probabilities[ranked[0]]) if ranked else 0.0
        alarmed = best == EMERGENCY and score >= self.config.emergency_above
        if best is None or (score < self.config.reject_below and not alarmed):
            return Match(None, score, best, score)
        if len(ranked) < 2:
            return Match(best, score, None, 0.0)
        return Match(best, score, self.classes[ranked[1]], float(probabilities[ranked[1]]))

    def match(self, text: str) -> Match:
        """Match one question; nothing left after normalising is out of scope."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        found = self.match_all([text])[0]
        self._last = (text, found)
        return found

    def match_all(self, texts: Sequence[str], batch: int = 256) -> list[Match]:
        """`match` for many questions, in batches (`kiosk check` matches every example)."""
        found = [Match(None, 0.0, None, 0.0)] * len(texts)
        wordy = [i for i, text in enumerate(texts) if words(text)]
        for start in range(0, len(wordy), batch):
            chunk = wordy[start : start + batch]
            for i, row in zip(chunk, self.probabilities([texts[i] for i in chunk]), strict=True):
                found[i] = self.decide(row)
        return found


def _rows(
    vectorizer: Vectorizer, encoder: Encoder | None, texts: Sequence[str], remember: bool = False
) -> csr_matrix:
    """The sparse features, with the scaled sentence embedding appended when semantic;
    `remember` keeps the examples' embeddings for the next training in this process."""
    rows = vectorizer.transform(texts)
    if encoder is None:
        return rows
    missing = [text for text in dict.fromkeys(texts) if text not in _EXAMPLES]
    fresh = dict(zip(missing, encoder.encode(missing), strict=True)) if missing else {}
    if remember:
        _EXAMPLES.update(fresh)
    dense = np.array([_EXAMPLES.get(text, fresh.get(text)) for text in texts], np.float32)
    dense *= np.float32(EMBEDDING_SCALE)
    return csr_matrix(hstack([rows, csr_matrix(dense)], format="csr"))


def _store(cache: Path) -> Path:
    """The file of remembered example embeddings, named by the encoder's code and weights."""
    digest = hashlib.sha256((Path(__file__).parent / "embedding.py").read_bytes())
    digest.update(str(model_zip().stat().st_size).encode())
    return cache / "embeddings" / f"{digest.hexdigest()[:16]}.npz"


def remember_examples(cache: Path | None) -> None:
    """Add the embeddings kept under `cache` by earlier runs to this process's (once)."""
    if cache is None or cache in _READ:
        return
    _READ.add(cache)
    try:
        with np.load(_store(cache)) as saved:
            texts, vectors = saved["texts"], saved["vectors"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, KioskError):
        return
    if vectors.shape == (len(texts), HIDDEN):
        for text, vector in zip(texts, vectors, strict=True):
            _EXAMPLES.setdefault(str(text), vector)


def keep_examples(cache: Path | None) -> None:
    """Write this process's example embeddings under `cache` (atomically); best effort."""
    if cache is None or not _EXAMPLES:
        return
    try:
        path = _store(cache)
        path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(_EXAMPLES)[-KEPT_EMBEDDINGS:]
        vectors = np.stack([_EXAMPLES[text] for text in texts])
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            np.savez(out, texts=np.array(texts), vectors=vectors)
        os.replace(out.name, path)
    except (OSError, KioskError) as error:
        log.debug("example embeddings not kept: %s", error)


_READ: set[Path] = set()
"""Caches whose embeddings this process has read."""


def _cache_key(examples: Sequence[tuple[str, str]], semantic: bool) -> str:
    digest = hashlib.sha256(json.dumps([list(examples), semantic]).encode())
    for name in CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:24]


def _load(path: Path, config: MatcherConfig) -> Matcher | None:
    try:
        with np.load(path) as saved:
            features = [str(f) for f in saved["features"]]
            index = {feature: column for column, feature in enumerate(features)}
            lexicon = Lexicon(tuple(str(word) for word in saved["lexicon"]))
            vectorizer = Vectorizer(index, saved["idf"], lexicon)
            model = Softmax(saved["weights"], saved["bias"], float(saved["temperature"]))
            encoder = shared_encoder() if len(model.weights) > len(index) else None
            classes = tuple(str(c) for c in saved["classes"])
            return Matcher(classes, vectorizer, model, config, encoder)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def _folds(labels: np.ndarray) -> np.ndarray:
    """Stratified fold number per example; all zeros when a class has too few examples."""
    counts = np.bincount(labels)
    folds = np.zeros(len(labels), int)
    if counts.min() < 2:
        return folds
    for label in range(len(counts)):
        members = np.flatnonzero(labels == label)
        folds[members] = (np.arange(len(members)) + label) % min(FOLDS, int(counts.min()))
    return folds
