"""Rendered speech on disk: every passage and prompt at every rate, so answers start at once.

A file is keyed by a hash of (text, voice name, rate). Volume is not in the key: it is applied
as gain at playback. Files are 16-bit WAV at the voice's rate, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile

from kiosk.config import VoiceConfig
from kiosk.voices import FallbackVoice, Voice, clamp_rate
from kiosk.wav import write_wav

FORMAT = 1
"""Part of every key: bump it when rendering changes (pauses, trimming) to re-render."""


class _Text(Protocol):
    @property
    def text(self) -> str: ...


class _Intent(Protocol):
    @property
    def topic(self) -> _Text | None: ...


class _Document(Protocol):
    @property
    def passages(self) -> Mapping[str, _Text]: ...


class SpeakableContent(Protocol):
    """What `render_all` needs of `kiosk.content.Content`."""

    @property
    def document(self) -> _Document: ...
    @property
    def prompts(self) -> Mapping[str, _Text]: ...
    @property
    def intents(self) -> Mapping[str, _Intent]: ...


@dataclass(frozen=True)
class RenderReport:
    """What `render_all` did."""

    rendered: int
    """Files synthesised now."""
    cached: int
    """Files that were already there."""
    seconds: float
    """Wall time taken."""
    bytes: int
    """Size of the whole cache directory afterwards."""


class SpeechCache:
    """Audio for (text, rate) from `voice`, kept under `config.cache/<voice name>/`."""

    def __init__(self, voice: Voice, config: VoiceConfig) -> None:
        self.voice = voice
        self.config = config

    def path(self, text: str, rate_wpm: int, voice_name: str | None = None) -> Path:
        """Where the audio for `text` at `rate_wpm` by the current voice is (or will be) kept."""
        name = voice_name or self.voice.name
        rate = clamp_rate(rate_wpm, self.config)
        key = json.dumps([FORMAT, name, rate, text.strip()])
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return self.config.cache / name / f"{digest}.wav"

    def has(self, text: str, rate_wpm: int) -> bool:
        """True if the audio is already rendered (by this voice, or a better one that failed)."""
        return any(self.path(text, rate_wpm, name).is_file() for name in self._names())

    def get(self, text: str, rate_wpm: int) -> np.ndarray:
        """Float32 audio at `voice.sample_rate`: from disk, or synthesised and stored."""
        for name in self._names():
            try:
                audio, rate = soundfile.read(str(self.path(text, rate_wpm, name)), dtype="float32")
            except (OSError, RuntimeError, soundfile.LibsndfileError):
                continue  # missing or torn
            if rate == self.voice.sample_rate:
                return np.asarray(audio, dtype=np.float32)
        audio = self.voice.synthesize(text, clamp_rate(rate_wpm, self.config))
        self._store(self.path(text, rate_wpm), audio)
        return audio

    def _names(self) -> tuple[str, ...]:
        """Voices whose cached speech may be used, best first (a FallbackVoice has several)."""
        if isinstance(self.voice, FallbackVoice):
            return self.voice.names
        return (self.voice.name,)

    def _store(self, path: Path, audio: np.ndarray) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(suffix=".wav", dir=path.parent)
        os.close(fd)
        try:
            write_wav(temporary, audio, self.voice.sample_rate)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)


def rate_steps(config: VoiceConfig) -> list[int]:
    """Every rate "slower"/"faster" can reach from the default, within rate_min..rate_max."""
    rates = {config.rate_wpm}
    for direction in (-1, 1):
        rate = config.rate_wpm + direction * config.rate_step
        while config.rate_min <= rate <= config.rate_max:
            rates.add(rate)
            rate += direction * config.rate_step
    return sorted(rates)


def speech_texts(content: SpeakableContent) -> list[str]:
    """Every passage and prompt; prompts with `{topic}` once for each intent's topic."""
    topics = sorted({i.topic.text for i in content.intents.values() if i.topic is not None})
    texts = [passage.text for passage in content.document.passages.values()]
    for prompt in content.prompts.values():
        if "{topic}" in prompt.text:
            texts.extend(prompt.text.replace("{topic}", topic) for topic in topics)
        else:
            texts.append(prompt.text)
    return list(dict.fromkeys(texts))


def render_all(
    content: SpeakableContent, cache: SpeechCache, rates: Iterable[int],
    progress: Callable[[int, int], None] | None = None,
) -> RenderReport:  # fmt: skip
    """Render every passage and prompt at every rate; what is cached already is skipped.

    `progress(done, total)` is called after each item."""
    started = time.monotonic()
    jobs = [(text, rate) for rate in rates for text in speech_texts(content)]
    rendered = 0
    for done, (text, rate) in enumerate(jobs, start=1):
        if not cache.has(text, rate):
            cache.get(text, rate)
            rendered += 1
        if progress is not None:
            progress(done, len(jobs))
    size = sum(f.stat().st_size for f in cache.config.cache.rglob("*.wav"))
    return RenderReport(rendered, len(jobs) - rendered, time.monotonic() - started, size)
