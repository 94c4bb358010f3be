"""The soak: thousands of sounds through the real kiosk (bench/soak_kiosk.py), one after another.

Per sound: the talk key, then the sound and a second and a half of silence into the
microphone, as fast as the kiosk takes them; the kiosk's next `Say` is the sound's outcome
(an answer, a rejection, a prompt). No speaker: answers are rendered and written, not played
(playback is timed by bench/live.py). Resident memory is sampled as it goes; faults the kiosk
logged (it logs and carries on) are counted as errors.

    python -m bench.soak 2000     # a soak by hand (`make soak` runs tests/test_soak.py)
"""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from typing import Any

import psutil

from bench.soak_kiosk import SpawnedFedKiosk
from bench.soak_sounds import Sound, sounds

BENCH_SOUNDS = 120
"""Sounds in the `make bench` soak (a few minutes); `make soak` runs thousands."""
QUICK_SOUNDS = 30
SAMPLES = 60
"""About this many memory samples over a soak."""
WARM_UP = 0.1
"""Memory growth is measured from this share of the soak on (models and caches loaded)."""


@dataclass
class Soak:
    """What happened to every sound, and memory over time."""

    outcomes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    """Sounds that ended with no outcome at all."""
    errors: list[str] = field(default_factory=list)
    """Exceptions raised out of the pipeline (one line each)."""
    rss: list[dict[str, float]] = field(default_factory=list)
    seconds_per_sound: list[float] = field(default_factory=list)


def _produce(count: int, seed: int, out: Queue[Sound | None]) -> None:
    for sound in sounds(count, seed):
        out.put(sound)
    out.put(None)


def produced(count: int, seed: int) -> Iterator[Sound]:
    """`sounds(count, seed)`, made in a process of their own (the speech synthesiser and the
    babble recordings are not the kiosk's), a few sounds ahead of the kiosk."""
    context = multiprocessing.get_context("spawn")
    out: Queue[Sound | None] = context.Queue(maxsize=8)
    maker = context.Process(target=_produce, args=(count, seed, out), daemon=True)
    maker.start()
    try:
        while (sound := out.get(timeout=600)) is not None:
            yield sound
    finally:
        maker.terminate()
        maker.join()


def soak(count: int, seed: int = 0, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run `count` sounds through a fresh kiosk in its own process; the result as
    `bench.report` reads it. Memory is the kiosk process's own resident set."""
    started = time.monotonic()
    every = max(1, count // SAMPLES)
    state = Soak()
    watched: list[psutil.Process] = []

    def sample(done: int) -> None:
        memory = watched[0].memory_info()
        state.rss.append({"t_s": time.monotonic() - started, "rss_mb": memory.rss / 2**20,
                          "file_mb": memory.shared / 2**20, "done": done})  # fmt: skip

    def loading(pid: int) -> None:
        watched.append(psutil.Process(pid))
        sample(0)  # the kiosk's code imported, before its content and models load

    kiosk = SpawnedFedKiosk(loading)
    sample(0)
    try:
        _feed(kiosk, state, count, seed, sample, log, every)
    finally:
        kiosk.close()
    state.errors += kiosk.errors
    method = (
        f"{count} sounds (mixed kinds, seed {seed}) through `kiosk run`'s own start-up, in a "
        f"process of its own, with the microphone fed from memory and no speaker "
        f"({kiosk.engine}, {kiosk.voice}); answers rendered and written, not played. Memory is "
        "the kiosk process's resident set size (file-backed: mapped files such as libraries)."
    )
    return _result(state, count, every, method, time.monotonic() - started)


def _feed(
    kiosk: SpawnedFedKiosk, state: Soak, count: int, seed: int, sample: Callable[[int], None],
    log: Callable[[str], None] | None, every: int,
) -> None:  # fmt: skip
    for index, sound in enumerate(produced(count, seed)):
        state.kinds[sound.kind] += 1
        begun = time.monotonic()
        try:
            outcome = kiosk.hear(sound.audio)
        except Exception as error:  # the soak records every failure and carries on
            outcome = None
            state.errors.append(f"{sound.kind} {sound.text!r}: {type(error).__name__}: {error}")
        state.seconds_per_sound.append(time.monotonic() - begun)
        if outcome is None:
            state.missing.append(f"{sound.kind} {sound.text!r}")
        else:
            state.outcomes[outcome] += 1
            state.by_kind.setdefault(sound.kind, Counter())[outcome] += 1
        if (index + 1) % every == 0 or index + 1 == count:
            sample(index + 1)
            if log is not None:
                last = state.rss[-1]
                log(f"soak: {index + 1}/{count}, RSS {last['rss_mb']:.0f} MB "
                    f"({last['file_mb']:.0f} MB file-backed)")  # fmt: skip


def _result(state: Soak, count: int, every: int, method: str, seconds: float) -> dict[str, Any]:
    rss = [sample["rss_mb"] for sample in state.rss]
    warm = next(s["rss_mb"] for s in state.rss if s["done"] >= WARM_UP * count)
    return {
        "method": method,
        "utterances": count,
        "kinds": dict(state.kinds),
        "outcomes": dict(state.outcomes),
        "outcomes_by_kind": {kind: dict(c) for kind, c in state.by_kind.items()},
        "missing_outcomes": len(state.missing),
        "missing_examples": state.missing[:10],
        "errors": len(state.errors),
        "error_examples": state.errors[:10],
        "duration_s": seconds,
        "seconds_per_sound": {
            "median": statistics.median(state.seconds_per_sound),
            "max": max(state.seconds_per_sound),
        },
        "sample_every": every,
        "rss_samples": state.rss,
        "start_rss_mb": rss[0],
        "peak_file_mb": max(sample["file_mb"] for sample in state.rss),
        "warm_rss_mb": warm,
        "end_rss_mb": rss[-1],
        "peak_rss_mb": max(rss),
        "growth_mb": rss[-1] - warm,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """The `make bench` soak."""
    return soak(
        QUICK_SOUNDS if quick else BENCH_SOUNDS, log=lambda line: print(line, file=sys.stderr)
    )


if __name__ == "__main__":
    import json

    result = soak(int(sys.argv[1]) if len(sys.argv) > 1 else BENCH_SOUNDS, log=print)
    print(json.dumps({k: v for k, v in result.items() if k != "rss_samples"}, indent=1))
