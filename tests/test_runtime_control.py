"""The runtime in-process with real parts (content, conversation, espeak-ng voice, speech cache,
staff alerts, event bus) and no audio device: each answer is a WAV file. Staff control
(`KioskControl`), what the runtime publishes, and content changed while it runs."""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.alerts import StaffAlerts
from kiosk.config import PROJECT_ROOT, Config, ContentConfig
from kiosk.content import Content, load_content
from kiosk.content_watch import ContentWatcher
from kiosk.conversation import Conversation
from kiosk.events import EventBus, KioskStatus
from kiosk.matcher import Match
from kiosk.playback_files import AnswerFiles
from kiosk.runtime import Runtime
from kiosk.speech_render import CachedRenderer
from kiosk.turns import ButtonPressed, Heard
from kiosk.usage import UsageLog
from kiosk.voices.cache import SpeechCache
from kiosk.voices.espeak import EspeakVoice


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    config = Config()
    config.voice.cache = tmp_path / "cache"
    config.usage.enabled = False
    renderer = CachedRenderer(SpeechCache(EspeakVoice(config.voice), config.voice))
    live = Runtime(
        Conversation(load_content(config.content), config), renderer,
        AnswerFiles(tmp_path / "answers"), StaffAlerts(None, EventBus()), UsageLog(config.usage),
        {}, KioskStatus("starting"),
    )  # fmt: skip
    live.start(greet=False)
    yield live
    live.close()


def answers(tmp_path: Path) -> list[str]:
    """The answer files written so far, without their numbers."""
    return [p.name.split("-", 1)[1] for p in sorted((tmp_path / "answers").glob("*.wav"))]


def events(subscriber: queue.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    while not subscriber.empty():
        found.append(subscriber.get_nowait())
    return found


def test_staff_play_the_overview_and_repeat_its_last_passage(
    runtime: Runtime, tmp_path: Path
) -> None:
    bus = runtime.bus.subscribe()
    runtime.play_overview()
    runtime.wait_until_settled()
    assert answers(tmp_path) == ["overview_start.wav"]
    assert [e["state"] for e in events(bus) if e["type"] == "status"][:1] == ["speaking"]
    assert "overview" in str(runtime.status().answer)
    runtime.repeat()
    runtime.wait_until_settled()
    assert answers(tmp_path)[-1] == "osteoporosis-medicine.wav"


def test_a_staff_overview_shows_no_question_and_the_overview_intent(runtime: Runtime) -> None:
    runtime.post(ButtonPressed("talk"))
    runtime.post(Heard("how long does it take", Match("duration", 0.95, None, 0.0)))
    runtime.wait_until_settled()
    assert (runtime.status().question, runtime.status().intent) == (
        "how long does it take", "duration"
    )  # fmt: skip
    bus = runtime.bus.subscribe()
    runtime.play_overview()
    runtime.wait_until_settled()
    assert (runtime.status().question, runtime.status().intent) == (None, "overview")
    shown = [e for e in events(bus) if e["type"] == "status" and e["state"] == "speaking"]
    assert shown and all(e["question"] is None for e in shown)


def test_an_emergency_alerts_staff_before_the_kiosk_speaks(
    runtime: Runtime, tmp_path: Path
) -> None:
    bus = runtime.bus.subscribe()
    runtime.post(Heard("I feel faint", Match("emergency", 0.8, None, 0.0)))
    runtime.wait_until_settled()
    kinds = [e["type"] for e in events(bus)]
    assert kinds.index("alert") < kinds.index("status")
    assert [(a.kind, a.text) for a in runtime.recent_alerts()] == [("emergency", "I feel faint")]
    assert answers(tmp_path) == ["emergency.wav"]
    assert runtime.status().question == "I feel faint" and runtime.status().intent == "emergency"


def test_staff_volume_and_stop(runtime: Runtime) -> None:
    before = runtime.status().volume
    runtime.change_volume(1)
    runtime.post(ButtonPressed("talk"))
    runtime.wait_until_settled()
    assert runtime.status().volume == pytest.approx(before + Config().voice.volume_step)
    assert runtime.status().state == "listening"
    runtime.stop()
    runtime.wait_until_settled()
    assert runtime.status().state == "idle"


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Path, queue.Queue[Content]]]:
    """The project's content copied under tmp_path, watched by a ContentWatcher: (the copy's
    prompts file, the queue of content it was given to use)."""
    for folder in ("documents", "intents"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    config = Config()
    config.content = ContentConfig(
        tmp_path / "documents/vertebral-augmentation.md", tmp_path / "documents/overview.yaml",
        tmp_path / "documents/prompts.yaml", tmp_path / "intents",
    )  # fmt: skip
    used: queue.Queue[Content] = queue.Queue()
    watcher = ContentWatcher(config, lambda content, matcher: used.put(content))
    watcher.start()
    try:
        yield tmp_path / "documents/prompts.yaml", used
    finally:
        watcher.close()


def test_good_new_content_is_used(watched: tuple[Path, queue.Queue[Content]]) -> None:
    prompts, used = watched
    prompts.write_text(prompts.read_text().replace("You can ask me", "You may ask me", 1))
    content = used.get(timeout=300)
    assert content.prompts["help"].text.startswith("You may ask me")


def test_broken_content_is_logged_and_never_used(
    watched: tuple[Path, queue.Queue[Content]], caplog: pytest.LogCaptureFixture
) -> None:
    prompts, used = watched
    with caplog.at_level("ERROR"):
        prompts.write_text(prompts.read_text().replace("  help:", "  help: [", 1))
        for _ in range(3000):
            if "content not used" in caplog.text:
                break
            threading.Event().wait(0.1)
    assert "documents/prompts.yaml:" in caplog.text
    assert used.empty()
