"""The benchmark figures (matplotlib, Agg backend), each stamped with the machine it ran on."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

QUIET_LABEL = "quiet"


def _save(figure: Figure, path: Path, footer: str) -> Path:
    figure.text(0.01, 0.01, footer, fontsize=7, color="0.35", ha="left", va="bottom", wrap=True)
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def accuracy_vs_snr(result: dict[str, Any], path: Path, footer: str) -> Path:
    """Spoken-question intent accuracy against SNR, one line per voice (quiet at the right)."""
    rows = result["rows"]
    levels = sorted({row["snr_db"] for row in rows if row["snr_db"] is not None})
    has_quiet = any(row["snr_db"] is None for row in rows)
    positions = {level: index for index, level in enumerate(levels)}
    labels = [f"{level:g} dB" for level in levels]
    if has_quiet:
        positions[None] = len(levels)
        labels.append(QUIET_LABEL)
    figure, axes = plt.subplots(figsize=(7.5, 4.5))
    for voice in sorted({row["voice"] for row in rows}):
        points = sorted(
            (positions[row["snr_db"]], row["intent_accuracy"] * 100)
            for row in rows
            if row["voice"] == voice
        )
        axes.plot([x for x, _ in points], [y for _, y in points], marker="o", label=voice)
    axes.axhline(90, color="0.5", linestyle="--", linewidth=0.8)
    axes.axhline(95, color="0.5", linestyle=":", linewidth=0.8)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_xlabel(f"signal-to-noise ratio ({result.get('noise', 'noise')})")
    axes.set_ylabel("right intent (%)")
    axes.set_ylim(0, 102)
    axes.set_title(
        f"Spoken questions: intent accuracy vs noise\n{result.get('engine', '')}", fontsize=10
    )
    axes.legend(fontsize=7, loc="lower right")
    axes.grid(alpha=0.3)
    return _save(figure, path, footer)


def latency_histogram(samples_ms: list[float], path: Path, footer: str, *, limit_ms: float) -> Path:
    """Histogram of end-of-question to first-answer-sound latencies, with the target line."""
    figure, axes = plt.subplots(figsize=(7.5, 4.2))
    axes.hist(samples_ms, bins=min(30, max(5, len(samples_ms) // 2)), color="#4477aa")
    axes.axvline(limit_ms, color="#cc3311", linestyle="--", label=f"target median {limit_ms:g} ms")
    median = statistics.median(samples_ms)
    axes.axvline(median, color="0.2", linestyle=":", label=f"measured median {median:.0f} ms")
    axes.set_xlabel("end of question to first answer sound (ms)")
    axes.set_ylabel("questions")
    axes.set_title(f"Live loop answer latency ({len(samples_ms)} questions)")
    axes.legend(fontsize=8)
    return _save(figure, path, footer)


def confusion_heatmap(result: dict[str, Any], path: Path, footer: str) -> Path:
    """Row-normalised confusion matrix: expected intent (rows) against matched intent."""
    labels: list[str] = result["confusion"]["labels"]
    matrix: list[list[int]] = result["confusion"]["matrix"]
    shares = [[cell / max(1, sum(row)) for cell in row] for row in matrix]
    size = max(6.0, 0.32 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size + 1, size))
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                color = "white" if shares[i][j] > 0.6 else "black"
                axes.text(j, i, str(count), ha="center", va="center", fontsize=6, color=color)
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set_xlabel("matched intent")
    axes.set_ylabel("expected intent")
    axes.set_title("Typed held-out questions: confusion matrix (counts; colour = row share)")
    figure.colorbar(image, ax=axes, fraction=0.04)
    return _save(figure, path, footer)


def rss_over_soak(result: dict[str, Any], path: Path, footer: str, *, limit_mb: float) -> Path:
    """Resident memory against time over the soak, with utterances done on a second axis."""
    samples = result["rss_samples"]
    seconds = [sample["t_s"] / 60 for sample in samples]
    figure, axes = plt.subplots(figsize=(7.5, 4.2))
    axes.plot(seconds, [sample["rss_mb"] for sample in samples], color="#4477aa", label="RSS")
    axes.axhline(limit_mb, color="#cc3311", linestyle="--", label=f"target {limit_mb:g} MB")
    axes.set_xlabel("minutes into the soak")
    axes.set_ylabel("resident memory (MB)")
    axes.set_ylim(0, max(limit_mb * 1.1, max(sample["rss_mb"] for sample in samples) * 1.1))
    done = axes.twinx()
    done.plot(seconds, [sample["done"] for sample in samples], color="0.6", linewidth=0.8)
    done.set_ylabel("utterances processed", color="0.4")
    axes.set_title(f"Memory over the soak ({result['utterances']} utterances)")
    axes.legend(fontsize=8, loc="lower right")
    return _save(figure, path, footer)
