"""Multinomial logistic regression over sparse rows (numpy, scipy.sparse), with a temperature."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

BETA1, BETA2 = 0.9, 0.999


@dataclass(frozen=True)
class Training:
    """Training settings (chosen by measurement in bench/matching.py)."""

    l2: float = 1e-6
    """Weight decay."""
    steps: int = 150
    """Full-batch Adam steps."""
    rate: float = 0.1
    """Adam learning rate."""
    heavy: int | None = None
    """A class whose examples count extra (the out-of-scope class)."""
    heavy_weight: float = 3.0
    """How much extra."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=-1, keepdims=True))


@dataclass(frozen=True)
class Softmax:
    """Weights of a trained model; `probabilities` applies the temperature."""

    weights: np.ndarray
    """(features, classes) weights."""
    bias: np.ndarray
    """(classes,) intercepts."""
    temperature: float = 1.0
    """Logits are divided by this before the softmax (fitted for calibration)."""

    def logits(self, rows: csr_matrix) -> np.ndarray:
        """Raw class scores, one row per question."""
        return np.asarray(rows @ self.weights + self.bias)

    def probabilities(self, rows: csr_matrix) -> np.ndarray:
        """Calibrated class probabilities, one row per question."""
        return softmax(self.logits(rows) / self.temperature)


def train(rows: csr_matrix, labels: np.ndarray, classes: int, settings: Training) -> Softmax:
    """Fit weights by full-batch Adam on class-weighted cross-entropy."""
    count, features = rows.shape
    per_class = np.maximum(np.bincount(labels, minlength=classes), 1).astype(np.float32)
    class_weight = count / (classes * per_class)
    if settings.heavy is not None:
        class_weight[settings.heavy] *= settings.heavy_weight
    sample_weight = (class_weight[labels] / count)[:, None]
    target = np.eye(classes, dtype=np.float32)[labels]
    transposed = rows.T.tocsr()
    params = [np.zeros((features, classes), np.float32), np.zeros(classes, np.float32)]
    moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
    for step in range(1, settings.steps + 1):
        error = (softmax(rows @ params[0] + params[1]) - target) * sample_weight
        grads = [transposed @ error + settings.l2 * params[0], error.sum(axis=0)]
        scale = settings.rate * np.sqrt(1 - BETA2**step) / (1 - BETA1**step)
        for param, grad, (mean, square) in zip(params, grads, moments, strict=True):
            mean += (1 - BETA1) * (grad - mean)
            square += (1 - BETA2) * (grad * grad - square)
            param -= scale * mean / (np.sqrt(square) + 1e-8)
    return Softmax(params[0], params[1])


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of `labels` (grid search)."""
    grid = np.exp(np.linspace(np.log(0.002), np.log(50), 200))
    picked = np.arange(len(labels))

    def loss(temperature: float) -> float:
        return float(-np.log(softmax(logits / temperature)[picked, labels] + 1e-12).mean())

    return float(min(grid, key=loss))
