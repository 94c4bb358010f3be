"""The targets set in the issues, and how each is read from the benchmark results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Results = dict[str, dict[str, Any]]
"""Benchmark part name -> what its `run()` returned (parts that failed are absent)."""


@dataclass(frozen=True)
class Target:
    """One measurable promise from an issue."""

    issue: int
    """The issue that sets it."""
    what: str
    """What is measured, in words."""
    part: str
    """The benchmark part that measures it."""
    limit: float
    """The threshold."""
    direction: Literal["at_least", "at_most"]
    """Whether the measured value must be at least or at most `limit`."""
    unit: Literal["%", "ms", "s", "MB", "count"]
    """How the values are shown (fractions are shown as percentages)."""
    read: Callable[[dict[str, Any]], float | None]
    """The measured value from the part's result; None when the result lacks it."""

    def passed(self, value: float) -> bool:
        """Whether `value` meets the target."""
        return value >= self.limit if self.direction == "at_least" else value <= self.limit

    def show(self, value: float) -> str:
        """`value` in this target's unit."""
        if self.unit == "%":
            return f"{value * 100:.1f}%"
        if self.unit == "count":
            return f"{value:.0f}"
        if self.unit == "s":
            return f"{value:.2f} s"
        return f"{value:.1f} {self.unit}" if value < 10 else f"{value:.0f} {self.unit}"

    def show_limit(self) -> str:
        """The threshold, e.g. `>= 97.0%`."""
        sign = ">=" if self.direction == "at_least" else "<="
        return f"{sign} {self.show(self.limit)}"


def path(*keys: str) -> Callable[[dict[str, Any]], float | None]:
    """A reader for a nested numeric key, e.g. `path("latency_ms", "median")`."""

    def read(result: dict[str, Any]) -> float | None:
        value: Any = result
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return float(value) if isinstance(value, int | float) else None

    return read


def spoken_accuracy(snr_db: float | None) -> Callable[[dict[str, Any]], float | None]:
    """Intent accuracy over every voice at one noise level (None = quiet), weighted by count."""

    def read(result: dict[str, Any]) -> float | None:
        rows = [row for row in result.get("rows", []) if row.get("snr_db") == snr_db]
        total = sum(int(row["count"]) for row in rows)
        if total == 0:
            return None
        return sum(float(row["intent_accuracy"]) * int(row["count"]) for row in rows) / total

    return read


ANSWER_LATENCY_MS = 700
"""Issue 3: median end of question to first answer sound."""
RSS_MB = 500
"""Issue 3: resident memory."""

TARGETS: tuple[Target, ...] = (
    Target(2, "typed questions: in-scope right intent", "matching", 0.97, "at_least", "%",
           path("in_scope_accuracy")),
    Target(2, "typed questions: out-of-scope rejected", "matching", 0.90, "at_least", "%",
           path("out_of_scope_rejection")),
    Target(2, "typed questions: median time per question", "matching", 20, "at_most", "ms",
           path("latency_ms", "median")),
    Target(3, "spoken questions, quiet: right intent (all voices)", "recognition", 0.95,
           "at_least", "%", spoken_accuracy(None)),
    Target(3, "spoken questions, babble at 10 dB SNR: right intent", "recognition", 0.90,
           "at_least", "%", spoken_accuracy(10.0)),
    Target(3, "spoken out-of-scope questions rejected", "recognition", 0.90, "at_least", "%",
           path("out_of_scope_rejection")),
    Target(3, "live loop: end of question to first answer sound, median", "live", ANSWER_LATENCY_MS,
           "at_most", "ms", path("answer_latency_ms", "median")),
    Target(3, "live loop: stop key to silence, worst", "live", 150, "at_most", "ms",
           path("stop_key_ms", "max")),
    Target(3, "live loop: spoken stop to silence, worst", "live", 1000, "at_most", "ms",
           path("spoken_stop_ms", "max")),
    Target(3, "live loop: ready to listen after start", "live", 3, "at_most", "s",
           path("ready_s")),
    Target(3, "live loop: peak resident memory", "live", RSS_MB, "at_most", "MB",
           path("peak_rss_mb")),
    Target(5, "short soak (make bench's): peak resident memory", "soak", RSS_MB, "at_most", "MB",
           path("peak_rss_mb")),
    Target(5, "soak: utterances without an outcome (answer or rejection)", "soak", 0,
           "at_most", "count", path("missing_outcomes")),
    Target(5, "soak: faults (errors logged by the kiosk or raised out of it)", "soak", 0,
           "at_most", "count", path("errors")),
)  # fmt: skip


def targets_table(results: Results, failures: dict[str, str]) -> list[str]:
    """Each target from the issues against the measured value, passed or not."""
    lines = ["| issue | target | required | measured | result |", "|---|---|---|---|---|"]
    for target in TARGETS:
        result = results.get(target.part)
        value = target.read(result) if result is not None else None
        if value is None:
            reason = failures.get(target.part, f"{target.part} result has no such figure")
            lines.append(
                f"| #{target.issue} | {target.what} | {target.show_limit()} | "
                f"not measured: {reason} | - |"
            )
            continue
        verdict = "pass" if target.passed(value) else "**FAIL**"
        lines.append(
            f"| #{target.issue} | {target.what} | {target.show_limit()} | "
            f"{target.show(value)} | {verdict} |"
        )
    return lines
