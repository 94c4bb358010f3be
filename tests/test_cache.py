"""The rendered-speech cache: keys, hits and misses, torn files, render_all over content."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import VoiceConfig
from kiosk.voices import FallbackVoice, Voice
from kiosk.voices.cache import SpeechCache, rate_steps, render_all, speech_texts

pytestmark = pytest.mark.speech


class Counting:
    """A real voice that counts its syntheses."""

    def __init__(self, voice: Voice, name: str | None = None) -> None:
        self.voice, self.calls, self.releases = voice, 0, 0
        self.name, self.sample_rate = name or voice.name, voice.sample_rate

    def synthesize(self, text: str, rate_wpm: int) -> np.ndarray:
        self.calls += 1
        return self.voice.synthesize(text, rate_wpm)

    def release(self) -> None:
        self.releases += 1
        self.voice.release()


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Intent:
    topic: Text | None


@dataclass(frozen=True)
class Document:
    passages: dict[str, Text]


@dataclass(frozen=True)
class Content:
    document: Document = field(default_factory=lambda: Document({
        "procedure-what": Text("It is a small procedure.\n\nThe doctor works through a needle."),
        "cement-hardens": Text("The cement hardens quickly."),
    }))  # fmt: skip
    prompts: dict[str, Text] = field(default_factory=lambda: {
        "confirm": Text("Did you want to know about {topic}?"),
        "staff": Text("I have let a member of staff know."),
    })  # fmt: skip
    intents: dict[str, Intent] = field(default_factory=lambda: {
        "duration": Intent(Text("how long it takes")),
        "cement": Intent(Text("the cement")),
        "stop": Intent(None),
    })  # fmt: skip


def test_a_miss_renders_and_stores_then_hits(espeak_voice: Voice, tmp_path: Path) -> None:
    voice = Counting(espeak_voice)
    cache = SpeechCache(voice, VoiceConfig(cache=tmp_path))
    first = cache.get("The cement hardens quickly.", 160)
    assert voice.calls == 1 and cache.has("The cement hardens quickly.", 160)
    again = cache.get("The cement hardens quickly.", 160)
    assert voice.calls == 1
    assert np.max(np.abs(again - first)) < 1e-4  # 16-bit WAV
    assert cache.path("The cement hardens quickly.", 160).parent == tmp_path / voice.name


def test_the_key_is_text_voice_and_clamped_rate(espeak_voice: Voice, tmp_path: Path) -> None:
    config = VoiceConfig(cache=tmp_path)
    cache = SpeechCache(espeak_voice, config)
    other_voice = SpeechCache(Counting(espeak_voice, name="another-voice"), config)
    path = cache.path("Hello.", 160)
    assert path != cache.path("Hello!", 160)
    assert path != cache.path("Hello.", 180)
    assert path != other_voice.path("Hello.", 160)
    assert cache.path("Hello.", config.rate_max) == cache.path("Hello.", 400)
    assert path == SpeechCache(espeak_voice, config).path("Hello.", 160)  # stable


def test_a_torn_file_is_rendered_again(espeak_voice: Voice, tmp_path: Path) -> None:
    voice = Counting(espeak_voice)
    cache = SpeechCache(voice, VoiceConfig(cache=tmp_path))
    cache.get("Please stay where you are.", 160)
    path = cache.path("Please stay where you are.", 160)
    path.write_bytes(path.read_bytes()[:30])
    audio = cache.get("Please stay where you are.", 160)
    assert voice.calls == 2 and np.max(np.abs(audio)) > 0.1


def test_render_all_renders_everything_once(espeak_voice: Voice, tmp_path: Path) -> None:
    voice = Counting(espeak_voice)
    config = VoiceConfig(cache=tmp_path, rate_wpm=160, rate_step=30, rate_min=120, rate_max=200)
    rates = rate_steps(config)
    assert rates == [130, 160, 190]
    texts = speech_texts(Content())
    assert "Did you want to know about the cement?" in texts and len(texts) == 5
    cache = SpeechCache(voice, config)
    seen: list[tuple[int, int]] = []
    report = render_all(Content(), cache, rates, lambda done, total: seen.append((done, total)))
    assert (report.rendered, report.cached) == (15, 0) and voice.calls == 15
    assert seen[-1] == (15, 15) and report.bytes > 0
    assert len(list(tmp_path.rglob("*.wav"))) == 15
    again = render_all(Content(), cache, rates)
    assert (again.rendered, again.cached) == (0, 15) and voice.calls == 15


def test_speech_cached_by_a_failed_voice_is_still_used(
    espeak_voice: Voice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = Counting(espeak_voice, "first"), Counting(espeak_voice, "second")
    voice = FallbackVoice([first, second])
    cache = SpeechCache(voice, VoiceConfig(cache=tmp_path))
    before = cache.get("Hello there.", 160)

    def engine_lost(text: str, rate_wpm: int) -> np.ndarray:
        raise RuntimeError("engine lost")

    monkeypatch.setattr(first, "synthesize", engine_lost)
    cache.get("Something new.", 160)
    assert voice.name == "second" and second.calls == 1
    assert cache.has("Hello there.", 160) and cache.has("Something new.", 160)
    assert np.allclose(cache.get("Hello there.", 160), before, atol=1e-4)
    assert second.calls == 1
    assert cache.path("Something new.", 160).parent == tmp_path / "second"


def test_default_rate_steps() -> None:
    assert rate_steps(VoiceConfig()) == [120, 140, 160, 180, 200, 220]


def test_the_voice_is_released_a_while_after_its_last_synthesis(
    espeak_voice: Voice, tmp_path: Path
) -> None:
    from kiosk.speech_render import CachedRenderer

    voice = Counting(espeak_voice)
    renderer = CachedRenderer(SpeechCache(voice, VoiceConfig(cache=tmp_path)), 0.3)
    renderer.audio("The cement hardens quickly.", 160)
    renderer.audio("It is a small procedure.", 160)  # restarts the countdown
    time.sleep(0.1)
    assert (voice.calls, voice.releases) == (2, 0)
    time.sleep(0.5)
    assert voice.releases == 1  # once, after the last synthesis
    renderer.audio("The cement hardens quickly.", 160)  # cached: the engine is not needed
    time.sleep(0.5)
    assert (voice.calls, voice.releases) == (2, 1)
    renderer.audio("The doctor works through a needle.", 160)
    renderer.close()  # closing cancels the countdown
    time.sleep(0.5)
    assert (voice.calls, voice.releases) == (3, 1)
