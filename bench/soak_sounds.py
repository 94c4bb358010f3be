"""What the soak feeds the kiosk: spoken questions (in and out of scope, several voices, some
with babble), noise, silence, very long and very short sounds. Deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import speechgen
from kiosk.config import PROJECT_ROOT
from kiosk.wav import RATE

HELDOUT = PROJECT_ROOT / "eval" / "heldout.tsv"
KINDS = {"question": 45, "out_of_scope": 15, "noise": 12, "silence": 10, "long": 6, "short": 12}
"""Share of each kind of sound, in percent."""
QUESTIONS_PER_KIND = 40
"""Distinct sentences drawn per kind (each spoken by several voices; synthesis is cached)."""
SNRS: tuple[float | None, ...] = (None, None, 20.0, 10.0, 5.0)


@dataclass(frozen=True)
class Sound:
    """One thing heard by the microphone."""

    kind: str
    """question, out_of_scope, noise, silence, long or short."""
    audio: np.ndarray
    """float32 mono 16 kHz, with silence before and after (as the microphone hears it)."""
    expected: str | None
    """The intent a question should reach (`-` for out of scope); None for other sounds."""
    text: str
    """The sentence spoken, or a description of the sound."""


def heldout(path: Path = HELDOUT) -> list[tuple[str, str]]:
    """(intent or "-", question) pairs of the held-out set."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            intent, question = line.split("\t", 1)
            pairs.append((intent.strip(), question.strip()))
    return pairs


def _tail(audio: np.ndarray, rng: random.Random) -> np.ndarray:
    """Silence around a sound, long enough for the end of an utterance to be detected."""
    return speechgen.pad(audio, rng.uniform(0.2, 0.8), rng.uniform(1.3, 1.8))


def _spoken(pairs: list[tuple[str, str]], kind: str, rng: random.Random, seed: int) -> Sound:
    intent, text = rng.choice(pairs)
    voice = rng.choice(speechgen.VOICES)
    snr = rng.choice(SNRS)
    audio = speechgen.question(text, voice, snr, seed)
    label = "quiet" if snr is None else f"{snr:g} dB"
    return Sound(kind, _tail(audio, rng), intent, f"{text} [{voice.name}, {label}]")


def _noise(rng: random.Random, seed: int, seconds: float) -> np.ndarray:
    if rng.random() < 0.5:
        return 0.3 * speechgen.babble(seconds, seed) / 3
    return (0.1 * speechgen.pink_noise(seconds, seed)).astype(np.float32)


def _short(rng: random.Random) -> tuple[np.ndarray, str]:
    """A click, a cough-like burst or a beep: 10-250 ms."""
    seconds = rng.uniform(0.01, 0.25)
    t = np.arange(int(seconds * RATE)) / RATE
    if rng.random() < 0.5:
        hz = rng.uniform(300, 3000)
        return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32), f"{seconds:.2f} s beep"
    burst = np.random.default_rng(rng.randrange(1 << 30)).standard_normal(len(t))
    return (0.4 * burst * np.exp(-t * 20)).astype(np.float32), f"{seconds:.2f} s burst"


def sounds(count: int, seed: int = 0) -> Iterator[Sound]:
    """`count` sounds in a shuffled mix of kinds (shares as in `KINDS`)."""
    rng = random.Random(seed)
    pairs = heldout()
    chooser = random.Random(seed + 1)
    in_scope = chooser.sample([p for p in pairs if p[0] != "-"], QUESTIONS_PER_KIND)
    out_scope = [p for p in pairs if p[0] == "-"]
    out_scope = chooser.sample(out_scope, min(QUESTIONS_PER_KIND, len(out_scope)))
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=count)
    for index, kind in enumerate(kinds):
        sound_seed = seed * 100_003 + index
        if kind == "question":
            yield _spoken(in_scope, kind, rng, sound_seed)
        elif kind == "out_of_scope":
            yield _spoken(out_scope, kind, rng, sound_seed)
        elif kind == "noise":
            seconds = rng.uniform(1.0, 4.0)
            audio = _noise(rng, sound_seed, seconds)
            yield Sound(kind, _tail(audio, rng), None, f"{seconds:.1f} s noise")
        elif kind == "silence":
            seconds = rng.uniform(0.5, 3.0)
            yield Sound(kind, np.zeros(int(seconds * RATE), np.float32), None, "silence")
        elif kind == "long":
            seconds = rng.uniform(20.0, 40.0)
            audio = _noise(rng, sound_seed, seconds)
            speech = speechgen.synthesize(rng.choice(in_scope)[1], rng.choice(speechgen.VOICES))
            audio[: len(speech)] += speech[: len(audio)]
            yield Sound(kind, _tail(audio, rng), None, f"{seconds:.0f} s of speech and noise")
        else:
            audio, what = _short(rng)
            yield Sound(kind, _tail(audio, rng), None, what)
