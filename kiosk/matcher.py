"""Question text -> `Match`: which intent, how sure (calibrated), and the runner-up.

A softmax regression over `features.tokens` is trained on the intent files' examples, with
`out_of_scope` as a class of its own: it soaks up probability for questions the document does
not answer. The temperature is fitted on cross-validated predictions, so a score of 0.8 means
about 80% right. The best in-scope intent is returned unless its score is below
`reject_below`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kiosk.config import MatcherConfig
from kiosk.content import OUT_OF_SCOPE, Content
from kiosk.features import Vectorizer
from kiosk.softmax import Softmax, fit_temperature, train
from kiosk.text import words

FOLDS = 5


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
    ) -> None:
        self.classes = classes
        self.vectorizer = vectorizer
        self.model = model
        self.config = config
        self.in_scope = np.array([name != OUT_OF_SCOPE for name in classes])

    @classmethod
    def from_content(cls, content: Content, config: MatcherConfig) -> Matcher:
        """Train on every example of every intent file."""
        examples = [
            (line.text, intent.name or stem)
            for stem, intent in content.intents.items()
            for line in intent.examples
        ]
        return cls.train(examples, config)

    @classmethod
    def train(cls, examples: Sequence[tuple[str, str]], config: MatcherConfig) -> Matcher:
        """Train on (question, intent) pairs and fit the temperature by cross-validation."""
        classes = tuple(sorted({intent for _, intent in examples}))
        texts = [text for text, _ in examples]
        labels = np.array([classes.index(intent) for _, intent in examples])
        vectorizer = Vectorizer.fit(texts)
        rows = vectorizer.transform(texts)
        shape = (len(vectorizer.index), len(classes))
        model = train(rows, labels, shape)
        folds = _folds(labels)
        if folds.max() > 0:
            logits = np.zeros((len(labels), len(classes)), np.float32)
            for fold in range(folds.max() + 1):
                held = np.flatnonzero(folds == fold)
                kept = np.flatnonzero(folds != fold)
                part = train(vectorizer.transform([texts[i] for i in kept]), labels[kept], shape)
                logits[held] = part.logits(vectorizer.transform([texts[i] for i in held]))
            model = Softmax(model.weights, model.bias, fit_temperature(logits, labels))
        return cls(classes, vectorizer, model, config)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities over `classes`, one row per question."""
        return self.model.probabilities(self.vectorizer.transform(texts))

    def decide(self, probabilities: np.ndarray) -> Match:
        """The `Match` for one row of `probabilities`."""
        ranked = [int(i) for i in np.argsort(-probabilities) if self.in_scope[i]]
        best = self.classes[ranked[0]] if ranked else None
        score = float(probabilities[ranked[0]]) if ranked else 0.0
        if best is None or score < self.config.reject_below:
            return Match(None, score, best, score)
        second = ranked[1] if len(ranked) > 1 else None
        if second is None:
            return Match(best, score, None, 0.0)
        return Match(best, score, self.classes[second], float(probabilities[second]))

    def match(self, text: str) -> Match:
        """Match one question; nothing left after normalising is out of scope."""
        if not words(text):
            return Match(None, 0.0, None, 0.0)
        return self.decide(self.probabilities([text])[0])


def _folds(labels: np.ndarray) -> np.ndarray:
    """Stratified fold number per example; all zeros when a class has too few examples."""
    counts = np.bincount(labels)
    if counts.min() < 2:
        return np.zeros(len(labels), int)
    folds = np.zeros(len(labels), int)
    for label in range(len(counts)):
        members = np.flatnonzero(labels == label)
        folds[members] = np.arange(len(members)) % min(FOLDS, int(counts.min()))
    return folds
