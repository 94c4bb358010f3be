"""The conversation: stop, rate, volume, emergency, silence and activation modes."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.config import Config
from kiosk.content import Content
from kiosk.turns import (
    Action,
    AlertStaff,
    ButtonPressed,
    Listen,
    NothingHeard,
    PlayEarcon,
    Rest,
    Say,
    SetRate,
    SetVolume,
    SpeechStarted,
    StaffCommand,
    Started,
    StopSpeaking,
    Tick,
)
from tests.conversation_helpers import effects, finish, heard, keys, listening, make, small_content


@pytest.fixture(scope="module")
def content() -> Content:
    return small_content()


def test_stop_key_while_speaking_silences_and_waits_for_a_follow_up(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    assert conversation.handle(ButtonPressed("stop")) == [StopSpeaking(), Listen(True)]


def test_spoken_stop_while_speaking(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    assert conversation.handle(heard("stop", "stop")) == [StopSpeaking(), Listen(True)]


def test_staff_stop_silences_and_rests(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    assert conversation.handle(StaffCommand("stop")) == [StopSpeaking(), Rest()]
    assert conversation.state == "resting"


def test_stop_while_listening_says_resting_then_rests(content: Content) -> None:
    conversation = listening(content)
    assert keys(conversation.handle(heard("stop", "stop"))) == ["resting"]
    assert finish(conversation) == [PlayEarcon("rest"), Rest()]


def test_questions_heard_while_speaking_are_ignored(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    assert conversation.handle(heard("what is the procedure", "procedure")) == []
    assert conversation.handle(heard("some echo", None, 0.1)) == []


def test_slower_steps_down_and_says_so_then_slowest(content: Content) -> None:
    conversation = listening(content)
    config = Config().voice
    rates = []
    for _ in range(10):
        actions = conversation.handle(heard("slower", "slower"))
        rates += [a.wpm for a in actions if isinstance(a, SetRate)]
        finish(conversation)
    assert rates == list(range(config.rate_wpm - config.rate_step, config.rate_min - 1, -20))
    assert keys(actions) == ["slowest"]
    assert conversation.rate_wpm == config.rate_min


def test_faster_steps_up_to_fastest(content: Content) -> None:
    conversation = listening(content)
    for _ in range(10):
        actions = conversation.handle(ButtonPressed("faster"))
        finish(conversation)
    assert keys(actions) == ["fastest"]
    assert conversation.rate_wpm == Config().voice.rate_max


def test_slower_while_speaking_says_the_rest_again_at_the_new_rate(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("what is it", "procedure"))
    actions = conversation.handle(heard("slower please", "slower"))
    assert actions[:2] == [StopSpeaking(), SetRate(140)]
    assert keys(actions) == ["slower", "procedure-what", "making-the-space", "anything_else"]


def test_louder_changes_volume_says_so_and_returns_to_default_at_rest(content: Content) -> None:
    conversation = listening(content)
    actions = effects(conversation.handle(heard("louder", "louder")))
    assert actions[0] == SetVolume(0.85)
    assert keys(actions) == ["louder"]
    finish(conversation)
    conversation.handle(ButtonPressed("louder"))
    finish(conversation)
    assert keys(conversation.handle(ButtonPressed("louder"))) == ["loudest"]
    finish(conversation)
    conversation.handle(Tick(1000.0))  # follow-up window over: "resting"
    assert finish(conversation) == [PlayEarcon("rest"), SetVolume(0.7), Rest()]


def test_quieter_stops_at_the_minimum(content: Content) -> None:
    conversation = listening(content)
    for _ in range(6):
        actions = conversation.handle(ButtonPressed("quieter"))
        finish(conversation)
    assert keys(actions) == ["quietest"]
    assert conversation.volume == Config().voice.volume_min


def test_louder_while_speaking_changes_volume_without_interrupting(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    assert conversation.handle(heard("louder", "louder")) == [SetVolume(0.85)]


def test_staff_volume_moves_the_default_too(content: Content) -> None:
    conversation = make(content)
    assert conversation.handle(StaffCommand("volume", steps=-1)) == [SetVolume(0.55)]
    conversation.handle(ButtonPressed("talk"))
    assert conversation.handle(StaffCommand("stop")) == [StopSpeaking(), Rest()]
    assert conversation.volume == 0.55


@pytest.mark.parametrize("state", ["resting", "listening", "speaking", "confirming"])
def test_emergency_alerts_first_in_every_state(content: Content, state: str) -> None:
    conversation = make(content)
    if state != "resting":
        conversation.handle(ButtonPressed("talk"))
    if state == "speaking":
        conversation.handle(heard("how long", "duration"))
    if state == "confirming":
        conversation.handle(heard("how long", "duration", score=0.6))
        finish(conversation)
    assert conversation.state == state
    actions = conversation.handle(heard("i feel faint", "emergency", score=0.55))
    assert actions[0] == AlertStaff("emergency", "i feel faint")
    assert (StopSpeaking() in actions) == (state == "speaking")
    assert keys(actions) == ["emergency"]


def test_silence_after_activation_prompts_once_then_rests(content: Content) -> None:
    conversation = listening(content)
    assert conversation.handle(Tick(105.9)) == []
    assert keys(conversation.handle(Tick(106.0))) == ["still_there"]
    assert finish(conversation) == [Listen(False)]
    assert keys(conversation.handle(Tick(200.0))) == ["resting"]
    assert finish(conversation) == [PlayEarcon("rest"), Rest()]


def test_follow_up_window_ends_with_resting(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    finish(conversation)
    assert conversation.handle(Tick(107.0)) == []
    assert keys(conversation.handle(Tick(108.0))) == ["resting"]


def test_speech_in_progress_holds_off_the_silence_prompt(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(Tick(105.0))
    conversation.handle(SpeechStarted())
    assert conversation.handle(Tick(110.0)) == []


def test_nothing_heard_after_activation_says_not_heard(content: Content) -> None:
    conversation = listening(content)
    assert keys(conversation.handle(NothingHeard())) == ["not_heard"]
    assert make(content).handle(NothingHeard()) == []


def test_button_mode_ignores_speech_at_rest(content: Content) -> None:
    assert make(content).handle(heard("how long", "duration", score=0.99)) == []


def test_wake_phrase_in_the_same_utterance_addresses_the_kiosk(content: Content) -> None:
    actions = make(content, "wake").handle(heard("how long", "duration", addressed=True))
    assert keys(actions) == ["procedure-length", "anything_else"]


@pytest.mark.parametrize(
    ("intent", "score", "answered"),
    [("duration", 0.9, True), ("duration", 0.6, False), (None, 0.1, False), ("help", 0.95, True)],
)
def test_open_mode_answers_only_confident_in_scope_speech(
    content: Content, intent: str | None, score: float, answered: bool
) -> None:
    assert bool(make(content, "open").handle(heard("x", intent, score))) == answered


def test_talk_key_while_speaking_interrupts_to_listen(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    actions = conversation.handle(ButtonPressed("talk"))
    assert actions == [StopSpeaking(), PlayEarcon("listening"), Listen(False)]


def spoken(actions: list[Action]) -> list[tuple[str, str]]:
    return [(u.key, u.text) for a in actions if isinstance(a, Say) for u in a.utterances]


@pytest.mark.parametrize("mode", ["button", "wake", "open"])
def test_prompts_are_said_in_their_variant_for_the_listening_mode(
    content: Content, mode: str
) -> None:
    prompts = content.prompts
    variant = prompts.get(f"ready_{mode}", prompts["ready"]).text
    assert spoken(make(content, mode).handle(Started())) == [("ready", variant)]
    assert spoken(listening(content, mode).handle(heard("help", "help"))) == [
        ("help", prompts["help"].text)
    ]  # no variant: the plain prompt
    if mode != "button":
        assert "button" not in variant and "button" in prompts["ready"].text


def test_without_a_variant_the_plain_prompt_is_said(content: Content) -> None:
    plain = {k: v for k, v in content.prompts.items() if not k.startswith("ready_")}
    conversation = make(dataclasses.replace(content, prompts=plain), "wake")
    assert spoken(conversation.handle(Started())) == [("ready", content.prompts["ready"].text)]
