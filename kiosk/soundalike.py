"""Repair speech-recognition slips against the words the examples use: a word the examples never
use is replaced by a known word that sounds the same (metaphone code, or one edit away with the
same first sound), and a word split in two (`ball loon`, `said nation`) is joined back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import jellyfish

MIN_CODE = 3
"""Shorter sound codes match too many words to be trusted."""
MIN_FUZZY_CODE = 4
"""Codes at least this long may also match one edit away."""


@dataclass(frozen=True)
class Lexicon:
    """The words of the examples, most frequent first, indexed by sound."""

    words: tuple[str, ...]
    """Known words, most frequent first."""
    known: frozenset[str] = field(init=False)
    """The same words as a set."""
    by_code: dict[str, str] = field(init=False)
    """Metaphone code -> the most frequent known word with that code."""

    def __post_init__(self) -> None:
        by_code: dict[str, str] = {}
        for word in self.words:
            by_code.setdefault(jellyfish.metaphone(word), word)
        object.__setattr__(self, "known", frozenset(self.words))
        object.__setattr__(self, "by_code", by_code)

    @classmethod
    def learn(cls, sentences: Iterable[list[str]]) -> Lexicon:
        """The lexicon of some normalised sentences."""
        counts = Counter(word for sentence in sentences for word in sentence)
        return cls(tuple(word for word, _ in counts.most_common()))

    def sounds_like(self, spoken: str, fuzzy: bool = True) -> str | None:
        """The known word that `spoken` (an unknown word or two joined) sounds like, if any."""
        if spoken in self.known:
            return spoken
        code = jellyfish.metaphone(spoken)
        if len(code) < MIN_CODE:
            return None
        if code in self.by_code:
            return self.by_code[code]
        if not fuzzy or len(code) < MIN_FUZZY_CODE:
            return None
        for known, word in self.by_code.items():
            close = abs(len(known) - len(code)) <= 1 and known[0] == code[0]
            if close and jellyfish.levenshtein_distance(code, known) == 1:
                return word
        return None

    def repair(self, words: list[str]) -> list[str]:
        """`words` with split words joined and unknown words replaced by sound-alikes. A known
        word is only joined to the next when the two sound exactly like a known word."""
        out: list[str] = []
        index = 0
        while index < len(words):
            word = words[index]
            pair = words[index + 1] if index + 1 < len(words) else None
            if pair is not None and not (word in self.known and pair in self.known):
                joined = self.sounds_like(word + pair, fuzzy=word not in self.known)
                if joined is not None:
                    out.append(joined)
                    index += 2
                    continue
            out.append(word if word in self.known else self.sounds_like(word) or word)
            index += 1
        return out
