"""Turn normalised questions into sparse TF-IDF rows: word stems, word pairs, character
n-grams and sound-alike (metaphone) codes, so paraphrases, spelling slips and speech-recognition
sound-alikes still share features with the examples.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import jellyfish
import numpy as np

from kiosk.text import words

STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "you",
        "your",
        "it",
        "is",
        "am",
        "are",
        "do",
        "does",
        "to",
        "of",
        "be",
        "will",
        "can",
    ]
)
SUFFIXES = ("ing", "ed", "es", "s", "ly")
BIAS = "*"


def stem(word: str) -> str:
    """A crude stem: `needles` -> `needl`, `hardens` -> `harden`."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokens(text: str, phonetic: bool = True, chars: bool = True) -> list[str]:
    """The features of one question (before weighting)."""
    found = words(text)
    stems = [stem(word) for word in found]
    out = [BIAS, *(f"w:{s}" for s in stems)]
    content = [s for s, word in zip(stems, found, strict=True) if word not in STOP]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(stems)]
    if phonetic:
        out += [f"p:{jellyfish.metaphone(word)}" for word in found if word not in STOP]
    if chars:
        for word in content:
            padded = f" {word} "
            out += [f"c:{padded[i : i + 4]}" for i in range(max(1, len(padded) - 3))]
    return out


@dataclass(frozen=True)
class Rows:
    """A sparse matrix in compressed rows (every row has at least the bias feature)."""

    indptr: np.ndarray
    """Row start offsets into `indices` and `values`, plus the end."""
    indices: np.ndarray
    """Column of each stored value."""
    values: np.ndarray
    """The stored values (float32)."""

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """`self @ weights` for a dense (columns, k) matrix."""
        product = self.values[:, None] * weights[self.indices]
        return np.add.reduceat(product, self.indptr[:-1], axis=0)


@dataclass(frozen=True)
class Vectorizer:
    """Feature vocabulary and inverse document frequencies learnt from the examples."""

    index: dict[str, int]
    """Feature -> column."""
    idf: np.ndarray
    """Inverse document frequency per column."""
    phonetic: bool = True
    """Add metaphone codes of the words."""
    chars: bool = True
    """Add character 4-grams of the content words."""

    @classmethod
    def fit(cls, texts: Sequence[str], phonetic: bool = True, chars: bool = True) -> Vectorizer:
        """Learn the vocabulary of `texts`."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(set(tokens(text, phonetic, chars)))
        index = {feature: column for column, feature in enumerate(sorted(counts))}
        idf = np.array([math.log((1 + len(texts)) / (1 + counts[f])) + 1 for f in index])
        return cls(index, idf.astype(np.float32), phonetic, chars)

    def transform(self, texts: Sequence[str]) -> Rows:
        """TF-IDF rows, each scaled to unit length; unknown features are dropped."""
        indptr, indices, values = [0], [], []
        for text in texts:
            counts = Counter(tokens(text, self.phonetic, self.chars))
            columns = [self.index[f] for f in counts if f in self.index]
            weights = np.array([counts[f] for f in counts if f in self.index], np.float32)
            weights = (1 + np.log(weights)) * self.idf[columns]
            indices.extend(columns)
            values.extend(weights / np.linalg.norm(weights))
            indptr.append(len(indices))
        return Rows(np.array(indptr), np.array(indices, int), np.array(values, np.float32))
