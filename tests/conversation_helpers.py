"""Shared by the conversation tests: a small content set and event helpers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kiosk.config import Config
from kiosk.content import Content, IntentFile, Line, load_content
from kiosk.conversation import Conversation
from kiosk.matcher import Match
from kiosk.turns import Action, ButtonPressed, Heard, Record, Say, SpeechFinished, Tick

HERE = Path("test")
ANSWERS = {"duration": ("procedure-length",), "procedure": ("procedure-what", "making-the-space")}
TOPICS = {"duration": "how long the procedure takes", "procedure": "what the procedure is",
          "overview": "the whole overview"}  # fmt: skip


def _intent(name: str) -> IntentFile:
    topic = Line(TOPICS[name], HERE, 1) if name in TOPICS else None
    passages = tuple(Line(p, HERE, 1) for p in ANSWERS.get(name, ()))
    return IntentFile(name, HERE, 1, topic, passages, ())


def small_content() -> Content:
    """The real document and prompts, with a few hand-made intents (stable under edits)."""
    real = load_content(Config().content)
    intents = {name: _intent(name) for name in (*ANSWERS, "overview", "help", "staff")}
    return dataclasses.replace(real, intents=intents)


def make(content: Content, mode: str = "button") -> Conversation:
    """A resting conversation at time 100."""
    config = Config()
    config.listening.mode = mode  # type: ignore[assignment]
    conversation = Conversation(content, config)
    conversation.handle(Tick(100.0))
    return conversation


def listening(content: Content, mode: str = "button") -> Conversation:
    """A conversation just activated by the talk key."""
    conversation = make(content, mode)
    conversation.handle(ButtonPressed("talk"))
    return conversation


def heard(
    text: str,
    intent: str | None,
    score: float = 0.9,
    addressed: bool = False,
    unclear: bool = False,
) -> Heard:
    return Heard(text, Match(intent, score, None, 0.0), addressed, unclear)


def keys(actions: list[Action]) -> list[str]:
    """The utterance keys of every Say, in order."""
    return [u.key for a in actions if isinstance(a, Say) for u in a.utterances]


def finish(conversation: Conversation) -> list[Action]:
    """The speaker played the current Say to its end."""
    return conversation.handle(SpeechFinished(conversation.plan.serial))


def effects(actions: list[Action]) -> list[Action]:
    """The actions without the usage `Record`s."""
    return [a for a in actions if not isinstance(a, Record)]


def records(actions: list[Action]) -> list[tuple[str | None, str]]:
    """(intent, outcome) of each usage `Record`."""
    return [(a.intent, a.outcome) for a in actions if isinstance(a, Record)]
