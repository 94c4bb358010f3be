"""Everything `kiosk run` loads and starts: content, models, voice, devices, inputs, server.

A missing model or broken content stops the start with one line (`KioskError`). A missing
microphone or speaker does not: the kiosk says so and takes typed questions, or writes its
answers to WAV files.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kiosk.alerts import StaffAlerts
from kiosk.audio import Microphone, Speaker
from kiosk.config import Config
from kiosk.content import Content, load_content
from kiosk.content_watch import ContentWatcher, CurrentMatcher
from kiosk.conversation import Conversation
from kiosk.earcons import load_earcons
from kiosk.errors import AudioError, ConfigError
from kiosk.events import EventBus, KioskStatus
from kiosk.hearing import domain_fit
from kiosk.keys import KeyReader
from kiosk.listener import Listener
from kiosk.matcher import Matcher
from kiosk.memory import return_freed_memory
from kiosk.playback_files import AnswerFiles
from kiosk.recognizers import load_recognizer
from kiosk.recognizers.second_opinion import SecondOpinion
from kiosk.runtime import Runtime
from kiosk.speech_render import CachedRenderer
from kiosk.turns import ButtonPressed
from kiosk.typed import TypedQuestions
from kiosk.usage import UsageLog, content_vocabulary
from kiosk.voices import load_voice
from kiosk.voices.cache import SpeechCache, speech_texts

log = logging.getLogger(__name__)
logging.getLogger("piper").setLevel(logging.WARNING)  # no phoneme dump per sentence


class Closeable(Protocol):
    def close(self) -> None: ...


@dataclass
class Kiosk:
    """A running kiosk: the runtime and what feeds it."""

    runtime: Runtime
    """The conversation loop; implements `KioskControl`."""
    ready_s: float
    """Seconds from the start of loading to ready to listen."""
    typed: TypedQuestions | None = None
    """Typed questions, when there is no microphone (or `--typed`)."""
    parts: list[Closeable] = field(default_factory=list)
    """Listener, keys, server: closed in reverse order."""

    def close(self) -> None:
        for part in reversed(self.parts):
            part.close()
        self.runtime.close()


def start_kiosk(config: Config, typed: bool, answers_dir: Path, server: bool) -> Kiosk:
    """Load everything and start listening; raises KioskError if the kiosk cannot work."""
    return_freed_memory()
    started = time.monotonic()
    content = load_content(config.content)
    matcher = Matcher.from_content(content, config.matcher)
    current = CurrentMatcher(matcher)
    recognizer = load_recognizer(config, content, domain_fit(current.match, config.listening))
    voice = load_voice(config.voice)
    microphone = None if typed else _microphone(config)
    output = _speaker(config, answers_dir)
    alerts = StaffAlerts(config.alerts.command, EventBus())
    usage = UsageLog(config.usage, vocabulary=content_vocabulary(content))
    renderer = CachedRenderer(SpeechCache(voice, config.voice))
    status = KioskStatus("starting", engine=recognizer.name, voice=voice.name,
                         rate_wpm=config.voice.rate_wpm, volume=config.voice.volume)  # fmt: skip
    runtime = Runtime(Conversation(content, config), renderer, output, alerts, usage,
                      load_earcons(renderer.sample_rate), status)  # fmt: skip
    runtime.playback.rate_wpm = config.voice.rate_wpm
    runtime.playback.set_volume(config.voice.volume)
    kiosk = Kiosk(runtime, 0.0)
    runtime.start()
    idle = None
    if microphone is None:
        kiosk.typed = TypedQuestions(current.match, runtime)
        kiosk.typed.start()
    else:
        listener = Listener(config, microphone, recognizer, current.match, runtime)
        listener.start()
        idle = listener.idle
        kiosk.parts.append(listener)
        keys = KeyReader(config.keys, lambda key: runtime.post(ButtonPressed(key)))
        if keys.start():
            kiosk.parts.append(keys)
    renderer.prerender(speech_texts(content), config.voice.rate_wpm, idle)
    kiosk.parts.insert(0, renderer)

    def use(content: Content, matcher: Matcher) -> None:
        current.matcher = matcher
        runtime.use_content(content)

    watcher = ContentWatcher(config, use)
    watcher.start()
    kiosk.parts.append(watcher)
    if server and config.server.enabled:
        _start_server(config, runtime, kiosk)
    kiosk.ready_s = time.monotonic() - started
    log.info("ready in %.2f s", kiosk.ready_s)
    if isinstance(recognizer, SecondOpinion):
        recognizer.load_in_background()  # 1.3 s more: until then Whisper hears alone
    return kiosk


def _microphone(config: Config) -> Microphone | None:
    try:
        microphone = Microphone(config.audio.input_device)
        microphone.start()
    except AudioError as error:
        log.warning("%s", error)
        print(f"No microphone ({error}). Type your questions, one per line.", flush=True)
        return None
    return microphone


def _speaker(config: Config, answers_dir: Path) -> Speaker | AnswerFiles:
    try:
        return Speaker(config.audio.output_device, volume=config.voice.volume)
    except AudioError as error:
        log.warning("%s", error)
        print(f"No speaker ({error}). Answers are written to {answers_dir}/.", flush=True)
        return AnswerFiles(answers_dir)


def _start_server(config: Config, runtime: Runtime, kiosk: Kiosk) -> None:
    from kiosk.server import start_server

    try:
        handle = start_server(config, runtime, runtime.bus)
    except ConfigError as error:  # the patients' kiosk runs on without the staff server
        log.error("staff control server not started: %s", error)
        return
    kiosk.parts.append(handle)
