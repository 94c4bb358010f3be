"""Multinomial logistic regression over sparse rows, in numpy, with a fitted temperature."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.features import Rows


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

    def logits(self, rows: Rows) -> np.ndarray:
        """Raw class scores, one row per question."""
        return np.asarray(rows.dot(self.weights) + self.bias)

    def probabilities(self, rows: Rows) -> np.ndarray:
        """Calibrated class probabilities, one row per question."""
        return softmax(self.logits(rows) / self.temperature)


def train(
    rows: Rows, labels: np.ndarray, shape: tuple[int, int], l2: float = 1e-3, steps: int = 150
) -> Softmax:
    """Fit (features, classes) weights by full-batch Adam on class-balanced cross-entropy."""
    count = len(labels)
    features, classes = shape
    row_of = np.repeat(np.arange(count), np.diff(rows.indptr))
    order = np.argsort(rows.indices, kind="stable")
    sorted_columns = rows.indices[order]
    starts = np.flatnonzero(np.r_[True, sorted_columns[1:] != sorted_columns[:-1]])
    columns, values, owners = sorted_columns[starts], rows.values[order, None], row_of[order]
    per_class = np.bincount(labels, minlength=classes).astype(np.float32)
    sample_weight = (count / (classes * np.maximum(per_class, 1)))[labels] / count
    target = np.eye(classes, dtype=np.float32)[labels]
    weights = np.zeros((features, classes), np.float32)
    bias = np.zeros(classes, np.float32)
    weight_moments = (np.zeros_like(weights), np.zeros_like(weights))
    bias_moments = (np.zeros_like(bias), np.zeros_like(bias))
    rate, beta1, beta2 = 0.1, 0.9, 0.999
    for step in range(1, steps + 1):
        error = (softmax(rows.dot(weights) + bias) - target) * sample_weight[:, None]
        grad = l2 * weights
        grad[columns] += np.add.reduceat(values * error[owners], starts, axis=0)
        for param, g, (m, v) in (
            (weights, grad, weight_moments),
            (bias, error.sum(axis=0), bias_moments),
        ):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            correction = rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
            param -= correction * m / (np.sqrt(v) + 1e-8)
    return Softmax(weights, bias)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of `labels` (grid search)."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 120))
    picked = np.arange(len(labels))

    def loss(temperature: float) -> float:
        return float(-np.log(softmax(logits / temperature)[picked, labels] + 1e-12).mean())

    return float(min(grid, key=loss))
