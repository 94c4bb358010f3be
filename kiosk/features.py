"""Turn questions into sparse TF-IDF rows: word stems, word pairs, character 4-grams and
sound (metaphone) codes, after repairing speech-recognition sound-alikes against the examples'
words, so paraphrases, spelling slips and misheard words still share features with the examples.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import jellyfish
import numpy as np
from scipy.sparse import csr_matrix

from kiosk.soundalike import Lexicon
from kiosk.text import words

STOP = frozenset(
    ("a", "an", "the", "i", "me", "my", "you", "your", "it", "is", "am", "are", "do", "does", "to",
     "of", "be", "will", "can")
)  # fmt: skip
SUFFIXES = ("ing", "ed", "es", "s", "ly")
BIAS = "*"
"""A feature every row has (so no row is empty)."""


def stem(word: str) -> str:
    """A crude stem: `needles` -> `needl`, `hardens` -> `harden`."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokens(found: list[str], phonetic: bool = True, chars: bool = True) -> list[str]:
    """The features of one normalised question (before weighting)."""
    stems = [stem(word) for word in found]
    out = [BIAS, *(f"w:{s}" for s in stems)]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(stems)]
    content = [s for s, word in zip(stems, found, strict=True) if word not in STOP]
    if phonetic:
        out += [f"p:{jellyfish.metaphone(word)}" for word in found if word not in STOP]
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
    lexicon: Lexicon | None
    """The examples' words, for repairing sound-alikes; None: no sound features at all."""
    chars: bool = True
    """Add character 4-grams of the content words."""

    @classmethod
    def fit(cls, texts: Sequence[str], phonetic: bool = True, chars: bool = True) -> Vectorizer:
        """Learn the vocabulary of `texts`."""
        sentences = [words(text) for text in texts]
        counts: Counter[str] = Counter()
        for sentence in sentences:
            counts.update(set(tokens(sentence, phonetic, chars)))
        index = {feature: column for column, feature in enumerate(sorted(counts))}
        idf = np.array([math.log((1 + len(texts)) / (1 + counts[f])) + 1 for f in index])
        lexicon = Lexicon.learn(sentences) if phonetic else None
        return cls(index, idf.astype(np.float32), lexicon, chars)

    def features(self, text: str) -> list[str]:
        """The features of one question, after repairing sound-alikes."""
        found = words(text)
        if self.lexicon is None:
            return tokens(found, phonetic=False, chars=self.chars)
        return tokens(self.lexicon.repair(found), phonetic=True, chars=self.chars)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Sparse TF-IDF rows, each scaled to unit length; unknown features are dropped."""
        indptr, indices, values = [0], [], []
        for text in texts:
            counts = Counter(f for f in self.features(text) if f in self.index)
            columns = [self.index[f] for f in counts]
            weights = np.array(list(counts.values()), np.float32)
            weights = (1 + np.log(weights)) * self.idf[columns]
            indices.extend(columns)
            values.extend(weights / np.linalg.norm(weights))
            indptr.append(len(indices))
        shape = (len(texts), len(self.index))
        return csr_matrix((np.array(values, np.float32), np.array(indices, int), indptr), shape)
