"""One way to summarise timings, shared by every benchmark part."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def summary(samples: Sequence[float]) -> dict[str, float]:
    """Median, 95th percentile (nearest rank) and worst of `samples`; empty when there are none."""
    if not samples:
        return {}
    ordered = sorted(samples)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    return {"median": statistics.median(ordered), "p95": p95, "max": ordered[-1]}
