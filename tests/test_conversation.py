"""The conversation: answers, confirmation, repeat, overview, help and staff."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.content import Content
from kiosk.conversation import yes_or_no
from kiosk.turns import (
    AlertStaff,
    ButtonPressed,
    ContentChanged,
    Listen,
    PlayEarcon,
    Rest,
    Say,
    SpeechFinished,
    SpeechProgress,
    StaffCommand,
    Started,
    StopSpeaking,
    Tick,
)
from tests.conversation_helpers import (
    TOPICS,
    effects,
    finish,
    heard,
    keys,
    listening,
    make,
    records,
    small_content,
)


@pytest.fixture(scope="module")
def content() -> Content:
    return small_content()


def test_talk_key_plays_earcon_and_listens(content: Content) -> None:
    conversation = make(content)
    assert conversation.handle(ButtonPressed("talk")) == [PlayEarcon("listening"), Listen(False)]
    assert conversation.state == "listening"


def test_content_question_gets_its_passages_then_anything_else(content: Content) -> None:
    conversation = listening(content)
    actions = conversation.handle(heard("how long does it take", "duration"))
    assert keys(actions) == ["procedure-length", "anything_else"]
    assert conversation.state == "speaking"
    assert finish(conversation) == [Listen(follow_up=True)]
    assert (conversation.question, conversation.intent) == ("how long does it take", "duration")


def test_say_carries_the_exact_approved_texts(content: Content) -> None:
    actions = listening(content).handle(heard("what is it", "procedure"))
    say = effects(actions)[0]
    assert isinstance(say, Say)
    passage = content.document.passages["procedure-what"].text
    assert say.utterances[0].text == passage
    assert say.utterances[-1].text == content.prompts["anything_else"].text


def test_out_of_scope_gets_no_information(content: Content) -> None:
    assert keys(listening(content).handle(heard("where do i park", None, 0.2))) == [
        "no_information"
    ]


def test_a_misheard_question_is_asked_again_once_then_gets_no_information(
    content: Content,
) -> None:
    conversation = listening(content)
    first = conversation.handle(heard("we'll disable my pin", None, 0.2, unclear=True))
    assert keys(first) == ["say_again"]
    assert records(first) == [(None, "misheard")]
    assert finish(conversation) == [Listen(follow_up=False)]  # listens again, no button needed
    second = conversation.handle(heard("will this hell my pin", None, 0.3, unclear=True))
    assert keys(second) == ["no_information"]
    assert records(second) == [(None, "unanswered")]


def test_a_clearly_heard_question_the_document_does_not_cover_is_not_asked_again(
    content: Content,
) -> None:
    actions = listening(content).handle(heard("where do i park", None, 0.2, unclear=False))
    assert keys(actions) == ["no_information"]


def test_an_unclear_question_that_matches_a_topic_is_confirmed_first(content: Content) -> None:
    actions = listening(content).handle(heard("how long is it", "duration", unclear=True))
    assert keys(actions) == ["confirm"]


def test_unclear_commands_and_emergencies_act_at_once(content: Content) -> None:
    assert keys(listening(content).handle(heard("stop", "stop", unclear=True))) == ["resting"]
    actions = listening(content).handle(heard("i'm faint", "emergency", unclear=True))
    assert any(isinstance(a, AlertStaff) for a in actions) and keys(actions) == ["emergency"]


def test_unclear_speech_never_wakes_the_kiosk_in_open_mode(content: Content) -> None:
    resting = make(content, mode="open")
    assert resting.handle(heard("yeah medicine more organic", "medications", unclear=True)) == []
    assert keys(resting.handle(heard("how long is it", "duration"))) != []


def test_asking_again_is_allowed_once_per_question(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("mumble", None, 0.1, unclear=True))
    finish(conversation)
    conversation.handle(heard("how long is it", "duration"))  # the second try was understood
    finish(conversation)
    again = conversation.handle(heard("mumble mumble", None, 0.1, unclear=True))
    assert keys(again) == ["say_again"]  # a later question gets its own second chance


def test_low_score_asks_to_confirm_with_the_topic(content: Content) -> None:
    conversation = listening(content)
    actions = conversation.handle(heard("how long", "duration", score=0.6))
    say = actions[0]
    assert isinstance(say, Say)
    assert say.utterances[0].key == "confirm"
    assert TOPICS["duration"] in say.utterances[0].text
    assert "{topic}" not in say.utterances[0].text
    assert finish(conversation) == [Listen(follow_up=True)]
    assert conversation.state == "confirming"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [("yes please", ["procedure-length", "anything_else"]), ("no", ["confirm_no"])],
)
def test_confirmation_yes_answers_and_no_asks_again(
    content: Content, reply: str, expected: list[str]
) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration", score=0.6))
    finish(conversation)
    assert keys(conversation.handle(heard(reply, None, 0.1))) == expected


def test_anything_else_after_a_confirmation_is_a_new_question(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration", score=0.6))
    finish(conversation)
    actions = conversation.handle(heard("what is the procedure itself", "procedure"))
    assert keys(actions) == ["procedure-what", "making-the-space", "anything_else"]


def test_control_intents_do_not_confirm(content: Content) -> None:
    assert keys(listening(content).handle(heard("help", "help", score=0.55))) == ["help"]


def test_repeat_says_the_last_answer_without_the_follow_up_prompt(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("what is it", "procedure"))
    finish(conversation)
    assert keys(conversation.handle(heard("say that again", "repeat"))) == [
        "procedure-what", "making-the-space",
    ]  # fmt: skip


def test_repeat_before_anything_was_said(content: Content) -> None:
    assert keys(listening(content).handle(heard("repeat", "repeat"))) == ["nothing_to_repeat"]


def test_repeat_after_a_stopped_overview_says_only_the_passage_in_progress(
    content: Content,
) -> None:
    conversation = make(content)
    say = conversation.handle(StaffCommand("overview"))[0]
    assert isinstance(say, Say)
    conversation.handle(SpeechProgress(say.serial, 3))
    conversation.handle(ButtonPressed("stop"))
    assert keys(conversation.handle(ButtonPressed("repeat"))) == [say.utterances[3].key]


def test_repeat_key_while_speaking_restarts_the_passage_in_progress(content: Content) -> None:
    conversation = make(content)
    say = conversation.handle(ButtonPressed("overview"))[0]
    assert isinstance(say, Say)
    conversation.handle(SpeechProgress(say.serial, 5))
    actions = conversation.handle(ButtonPressed("repeat"))
    assert actions[0] == StopSpeaking()
    assert keys(actions) == [u.key for u in say.utterances[5:]]


def test_a_staff_or_key_overview_replaces_the_last_question(content: Content) -> None:
    for started in (StaffCommand("overview"), ButtonPressed("overview")):
        conversation = listening(content)
        conversation.handle(heard("how long", "duration"))
        conversation.handle(started)
        assert (conversation.question, conversation.intent) == (None, "overview")
    conversation = listening(content)
    conversation.handle(heard("tell me everything", "overview"))
    assert (conversation.question, conversation.intent) == ("tell me everything", "overview")


def test_overview_reads_the_overview_in_order(content: Content) -> None:
    actions = make(content).handle(StaffCommand("overview"))
    order = [line.text for line in content.overview]
    assert keys(actions) == ["overview_start", *order, "overview_end"]


def test_stale_speech_finished_is_ignored(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration"))
    old = conversation.plan.serial
    conversation.handle(ButtonPressed("repeat"))
    assert conversation.handle(SpeechFinished(old)) == []
    assert conversation.state == "speaking"


def test_help(content: Content) -> None:
    assert keys(listening(content).handle(heard("what can you do", "help"))) == ["help"]


def test_staff_alerts_staff_and_reassures(content: Content) -> None:
    actions = effects(listening(content).handle(heard("can i talk to a nurse", "staff")))
    assert actions[0] == AlertStaff("staff", "can i talk to a nurse")
    assert keys(actions) == ["staff"]


@pytest.mark.parametrize(
    ("text", "reply"),
    [("Yes.", "yes"), ("yeah that's right", "yes"), ("No, thank you.", "no"), ("nope", "no"),
     ("not really", "no"), ("yes no", None), ("", None),
     ("no I wanted to know about the balloon", None)],
)  # fmt: skip
def test_yes_or_no(text: str, reply: str | None) -> None:
    assert yes_or_no(text) == reply


def test_start_introduces_the_kiosk_then_rests(content: Content) -> None:
    conversation = make(content)
    assert keys(conversation.handle(Started())) == ["ready"]
    assert finish(conversation) == [PlayEarcon("rest"), Rest()]


def test_usage_records_answers_and_unanswered_questions(content: Content) -> None:
    conversation = listening(content)
    assert records(conversation.handle(heard("how long", "duration"))) == [("duration", "answered")]
    finish(conversation)
    assert records(conversation.handle(heard("parking", None, 0.2))) == [(None, "unanswered")]


@pytest.mark.parametrize(
    ("reply", "outcome"), [("yes", "confirmed"), ("no", "declined"), ("what is it", "declined")]
)
def test_usage_records_how_a_confirmation_ended(content: Content, reply: str, outcome: str) -> None:
    conversation = listening(content)
    assert records(conversation.handle(heard("how long", "duration", score=0.6))) == []
    finish(conversation)
    settled = records(conversation.handle(heard(reply, "procedure" if " " in reply else None)))
    assert settled[0] == ("duration", outcome)


def test_usage_records_a_confirmation_nobody_answered_as_declined(content: Content) -> None:
    conversation = listening(content)
    conversation.handle(heard("how long", "duration", score=0.6))
    finish(conversation)
    assert records(conversation.handle(Tick(1000.0))) == [("duration", "declined")]


def test_new_content_is_spoken_from_then_on(content: Content) -> None:
    conversation = make(content)
    ready = dataclasses.replace(content.prompts["ready"], text="Good day.")
    changed = dataclasses.replace(content, prompts={**content.prompts, "ready": ready})
    assert conversation.handle(ContentChanged(changed)) == []
    say = effects(conversation.handle(Started()))[0]
    assert isinstance(say, Say) and say.utterances[0].text == "Good day."
