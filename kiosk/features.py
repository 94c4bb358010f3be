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
from functools import cached_property

import jellyfish
import numpy as np
from scipy.sparse import csr_matrix

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
MIN_FUZZY_CODE = 4


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
        out += [f"q:{jellyfish.metaphone(a + b)}" for a, b in itertools.pairwise(found)]
    if chars:
        for word in content:
            padded = f" {word} "
            out += [f"c:{padded[i : i + 4]}" for i in range(max(1, len(padded) - 3))]
    return out


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

    @cached_property
    def codes(self) -> dict[int, list[str]]:
        """Known single-word sound codes (`p:` features) by length."""
        found: dict[int, list[str]] = {}
        for feature in self.index:
            if feature.startswith("p:"):
                found.setdefault(len(feature) - 2, []).append(feature[2:])
        return found

    def sound_alike(self, feature: str) -> str:
        """An unknown sound code -> a known one: a split word (`kyfo plasty`) whose joined
        code is a word's, or a code one edit away (`said nation` ~ `sedation`)."""
        code = feature[2:]
        if feature.startswith("q:") and f"p:{code}" in self.index:
            return f"p:{code}"
        if len(code) < MIN_FUZZY_CODE:
            return feature
        for length in (len(code), len(code) - 1, len(code) + 1):
            for known in self.codes.get(length, ()):
                if jellyfish.levenshtein_distance(code, known) == 1:
                    return f"p:{known}"
        return feature

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Sparse TF-IDF rows, each scaled to unit length; unknown features are dropped."""
        indptr, indices, values = [0], [], []
        for text in texts:
            found = tokens(text, self.phonetic, self.chars)
            counts = Counter(
                f if f in self.index or f[:2] not in ("p:", "q:") else self.sound_alike(f)
                for f in found
            )
            columns = [self.index[f] for f in counts if f in self.index]
            weights = np.array([counts[f] for f in counts if f in self.index], np.float32)
            weights = (1 + np.log(weights)) * self.idf[columns]
            indices.extend(columns)
            values.extend(weights / np.linalg.norm(weights))
            indptr.append(len(indices))
        shape = (len(texts), len(self.index))
        return csr_matrix((np.array(values, np.float32), np.array(indices, int), indptr), shape)
