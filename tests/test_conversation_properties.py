"""Properties of the conversation that hold whatever the sequence of events (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import Config
from kiosk.content import ALL_INTENTS, OPTIONAL_PROMPTS, Content, load_content
from kiosk.conversation import Conversation
from kiosk.matcher import Match
from kiosk.turns import (
    KEYS,
    Action,
    AlertStaff,
    ButtonPressed,
    Event,
    Heard,
    NothingHeard,
    Rest,
    Say,
    SpeechFinished,
    SpeechProgress,
    SpeechStarted,
    StaffCommand,
    Tick,
)  # fmt: skip

CONTENT: Content = load_content(Config().content)
VOICE = Config().voice


@dataclass(frozen=True)
class FinishCurrent:
    """Stands for `SpeechFinished` of whatever is being said when it is fed."""


@dataclass(frozen=True)
class ProgressCurrent:
    """Stands for `SpeechProgress` of the current `Say`."""

    index: int
    """Which utterance started."""


intents = st.sampled_from([*ALL_INTENTS, None])
transcripts = st.sampled_from(["yes", "no", "how long", "help me", "stop", "", "i feel faint"])
heards = st.builds(
    Heard, transcripts, st.builds(Match, intents, st.floats(0, 1), st.none(), st.just(0.0)),
    st.booleans(),
)  # fmt: skip
events = st.one_of(
    heards,
    st.builds(ButtonPressed, st.sampled_from(KEYS)),
    st.builds(StaffCommand, st.sampled_from(["overview", "stop", "repeat", "volume"]),
              st.integers(-3, 3)),
    st.just(SpeechStarted()),
    st.just(NothingHeard()),
    st.builds(SpeechFinished, st.integers(0, 5)),
    st.builds(ProgressCurrent, st.integers(0, 40)),
    st.just(FinishCurrent()),
    st.builds(Tick, st.floats(0, 30)),
)  # fmt: skip
modes = st.sampled_from(["button", "wake", "open"])


@dataclass(frozen=True)
class Step:
    """One event fed, what came out, and the conversation's state right after."""

    event: Event
    """What was fed."""
    actions: list[Action]
    """What came out."""
    state: str
    """The conversation's state after it."""
    rate_wpm: int
    """Its rate after it."""
    volume: float
    """Its volume after it."""
    default_volume: float
    """The volume a conversation returns to."""


def run(conversation: Conversation, sequence: list[object]) -> list[Step]:
    """Feed the events (ticks move the clock forward); a `Step` for each."""
    now = 0.0
    steps = []
    for item in sequence:
        event: Event
        if isinstance(item, FinishCurrent):
            event = SpeechFinished(conversation.plan.serial)
        elif isinstance(item, ProgressCurrent):
            event = SpeechProgress(conversation.plan.serial, item.index)
        elif isinstance(item, Tick):
            now += item.now
            event = Tick(now)
        else:
            event = cast(Event, item)
        actions = conversation.handle(event)
        steps.append(
            Step(event, actions, conversation.state, conversation.rate_wpm, conversation.volume,
                 conversation.default_volume)
        )  # fmt: skip
    return steps


def new(mode: str) -> Conversation:
    config = Config()
    config.listening.mode = mode  # type: ignore[assignment]
    return Conversation(CONTENT, config)


def allowed_texts() -> dict[tuple[str, str], set[str]]:
    texts = {("passage", p.id): {p.text} for p in CONTENT.document.passages.values()}
    for key, line in CONTENT.prompts.items():  # a variant (`ready_wake`) is said as its key
        plain = key.rsplit("_", 1)[0] if key in OPTIONAL_PROMPTS else key
        texts.setdefault(("prompt", plain), set()).add(line.text)
    template = CONTENT.prompts["confirm"].text
    topics = {i.topic.text for i in CONTENT.intents.values() if i.topic is not None}
    texts[("prompt", "confirm")] = {template.replace("{topic}", topic) for topic in topics}
    return texts


ALLOWED = allowed_texts()


@settings(max_examples=300, deadline=None)
@given(modes, st.lists(events, max_size=40))
def test_only_approved_text_is_ever_said(mode: str, sequence: list[object]) -> None:
    for step in run(new(mode), sequence):
        for action in step.actions:
            if isinstance(action, Say):
                for utterance in action.utterances:
                    assert utterance.text in ALLOWED[(utterance.kind, utterance.key)]


@settings(max_examples=300, deadline=None)
@given(modes, st.lists(events, max_size=40))
def test_emergency_always_alerts_before_anything_is_said(mode: str, sequence: list[object]) -> None:
    for step in run(new(mode), sequence):
        event = step.event
        if isinstance(event, Heard) and event.match.intent == "emergency":
            assert step.actions[0] == AlertStaff("emergency", event.transcript)
            says = [a for a in step.actions if isinstance(a, Say)]
            assert [u.key for u in says[0].utterances] == ["emergency"]


@settings(max_examples=300, deadline=None)
@given(modes, st.lists(events, max_size=40))
def test_rate_and_volume_stay_within_limits_and_rest_restores_volume(
    mode: str, sequence: list[object]
) -> None:
    for step in run(new(mode), sequence):
        assert VOICE.rate_min <= step.rate_wpm <= VOICE.rate_max
        assert VOICE.volume_min <= step.volume <= 1.0
        if Rest() in step.actions:
            assert step.state == "resting"
            assert step.volume == step.default_volume


@settings(max_examples=300, deadline=None)
@given(modes, st.lists(events, max_size=40), heards)
def test_while_speaking_only_commands_are_acted_on(
    mode: str, sequence: list[object], late: Heard
) -> None:
    conversation = new(mode)
    run(conversation, sequence)
    if conversation.state != "speaking":
        return
    actions = conversation.handle(late)
    commands = ("stop", "emergency", "louder", "quieter", "slower", "faster")
    if late.match.intent not in commands:
        assert actions == []


@pytest.mark.parametrize("mode", ["button", "wake", "open"])
def test_every_intent_of_the_real_content_gets_approved_speech(mode: str) -> None:
    for intent in (*ALL_INTENTS, None):
        sequence: list[object] = [ButtonPressed("talk"), Heard("q", Match(intent, 0.95, None, 0))]
        actions = run(new(mode), sequence)[-1].actions
        said = [u for a in actions if isinstance(a, Say) for u in a.utterances]
        assert said, intent
