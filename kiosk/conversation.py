"""The conversation: a pure state machine from events (`kiosk.turns`) to actions.

No I/O and no clock reads: time arrives as `Tick` events. It only ever says document
passages and fixed prompts, as `Utterance`s the voice can look up in its render cache.
"""

from __future__ import annotations

import re
from typing import Literal

from kiosk import answer
from kiosk.content import CONTENT_INTENTS
from kiosk.speech_plan import After, Segment
from kiosk.turn_taking import TurnTaking
from kiosk.turns import (
    Action,
    AlertStaff,
    ButtonPressed,
    ContentChanged,
    Event,
    Heard,
    Key,
    NothingHeard,
    PlayEarcon,
    Record,
    SetRate,
    SetVolume,
    SpeechStarted,
    StaffCommand,
    Started,
    StopSpeaking,
    Tick,
    Utterance,
)  # fmt: skip
from kiosk.usage import Outcome

YES_WORDS = frozenset(
    ["yes", "yeah", "yep", "yup", "yea", "ya", "aye", "correct", "right", "sure", "ok", "okay",
     "please", "exactly", "definitely"]
)  # fmt: skip
NO_WORDS = frozenset(["no", "nope", "nah", "not", "wrong", "don't", "dont", "never"])
SHORT_REPLY_WORDS = 5
"""Longer replies to a confirmation are taken as a new question."""
WHILE_SPEAKING = frozenset({"stop", "emergency", "louder", "quieter", "slower", "faster"})
"""Spoken intents acted on while the kiosk itself speaks; anything else may be its own echo."""


def yes_or_no(text: str) -> Literal["yes", "no"] | None:
    """A short yes or no reply; None for anything else (a new question)."""
    words = re.findall(r"[a-z']+", text.lower())
    if not words or len(words) > SHORT_REPLY_WORDS:
        return None
    yes = any(word in YES_WORDS for word in words)
    no = any(word in NO_WORDS for word in words)
    if yes != no:
        return "yes" if yes else "no"
    return None


class Conversation(TurnTaking):
    """Feed it events with `handle`; carry out the actions it returns, in order."""

    def handle(self, event: Event) -> list[Action]:
        """The actions for one event."""
        if isinstance(event, Tick):
            return self._tick(event.now)
        if isinstance(event, Heard):
            return self._heard(event)
        if isinstance(event, ButtonPressed):
            return self._pressed(event.key)
        if isinstance(event, StaffCommand):
            return self._staff(event)
        if isinstance(event, Started):
            return self._say("ready", "rest")
        if isinstance(event, ContentChanged):
            self._content = event.content
            return []
        if isinstance(event, SpeechStarted):
            self._speech_started()
            return []
        if isinstance(event, NothingHeard):
            return self._nothing_heard()
        return self._speaker_event(event)

    # -- what was heard --------------------------------------------------------------------

    def _heard(self, event: Heard) -> list[Action]:
        intent, score = event.match.intent, event.match.score
        if self.state == "speaking":
            return self._heard_while_speaking(event)
        if not (event.addressed or self.state in ("listening", "confirming")):
            open_mode = self._listening.mode == "open"
            sure = intent is not None and score >= self._matcher.confirm_below
            if intent != "emergency" and not (open_mode and sure and not event.unclear):
                return []
        self.question, self.intent = event.transcript, intent
        self._prompted = False
        if self.state == "confirming" and self._pending is not None:
            reply = yes_or_no(event.transcript)
            if reply == "yes":
                pending, self._pending = self._pending, None
                self.intent = pending[0]
                return [Record(*pending, "confirmed"), *self._answer(pending[0], pending[2])]
            if reply == "no":
                return [*self._decline(), *self._say("confirm_no", "activated")]
        actions = self._decline()
        outcome: Outcome = "unanswered" if intent is None else "answered"
        record = Record(intent, score, event.transcript, outcome)
        if intent is None and event.unclear and not self._asked_again:
            self._asked_again = True  # misheard, not out of scope: one more try
            misheard = Record(None, score, event.transcript, "misheard")
            return [*actions, misheard, *self._say("say_again", "activated")]
        self._asked_again = False
        if intent is None:
            return [*actions, record, *self._say("no_information", "follow_up")]
        if intent == "emergency":
            return [*self._emergency(event.transcript), *actions, record]
        topic = self._topic(intent)
        if (score < self._matcher.confirm_below or event.unclear) and topic is not None:
            self._pending = (intent, score, event.transcript)
            text = self._prompt("confirm").text.replace("{topic}", topic)
            confirm = Segment((Utterance("prompt", "confirm", text),), False)
            return [*actions, *self._speak((confirm,), "confirm")]
        return [*actions, record, *self._answer(intent, event.transcript)]

    def _heard_while_speaking(self, event: Heard) -> list[Action]:
        """Only a few commands: anything else heard now may be the kiosk's own voice."""
        intent = event.match.intent
        if intent is None or intent not in WHILE_SPEAKING:
            return []
        self.question, self.intent = event.transcript, intent
        if intent == "emergency":
            return self._emergency(event.transcript)
        return self._control(intent, event.transcript)

    def _topic(self, intent: str) -> str | None:
        """The topic to confirm with; only content intents and the (long) overview confirm."""
        found = self._content.intents.get(intent)
        if intent not in (*CONTENT_INTENTS, "overview") or found is None or found.topic is None:
            return None
        return found.topic.text

    def _answer(self, intent: str, transcript: str) -> list[Action]:
        if intent in CONTENT_INTENTS:
            found = answer.passages(self._content, self._content.intent_passages(intent))
            if not found.passages:
                return self._say("no_information", "follow_up")
            body = Segment(tuple(self._passage(p) for p in found.passages), True)
            return self._speak((body, self._once("anything_else")), "follow_up")
        return self._control(intent, transcript)

    def _control(self, intent: str, transcript: str) -> list[Action]:
        """A kiosk intent (by voice while listening or speaking, by key, or by staff)."""
        speaking = self.state == "speaking"
        if intent == "stop":
            if speaking:
                after: After = "rest" if self.plan.after == "rest" else "follow_up"
                return [StopSpeaking(), *self._after_speech(after)]
            return self._say("resting", "rest")
        if intent in ("louder", "quieter"):
            return self._change_volume(1 if intent == "louder" else -1)
        if intent in ("slower", "faster"):
            return self._change_rate(1 if intent == "faster" else -1)
        if intent == "repeat":
            return self._repeat()
        if intent == "overview":
            if not transcript:  # by key or staff: the last question is not what is answered
                self.question, self.intent = None, "overview"
            return self._overview()
        if intent == "staff":
            return [AlertStaff("staff", transcript), *self._reply("staff")]
        if intent == "help":
            return self._reply("help")
        return self._say("no_information", "follow_up")

    def _emergency(self, transcript: str) -> list[Action]:
        """Above everything: alert first, silence whatever is said, then reassure."""
        actions: list[Action] = [AlertStaff("emergency", transcript)]
        if self.state == "speaking":
            actions.append(StopSpeaking())
        return [*actions, *self._decline(), *self._reply("emergency")]

    # -- keys and staff ---------------------------------------------------------------------

    def _pressed(self, key: Key) -> list[Action]:
        if key == "talk":
            actions: list[Action] = [StopSpeaking()] if self.state == "speaking" else []
            actions += self._decline()
            self._prompted = False
            return [*actions, PlayEarcon("listening"), *self._listen("activated")]
        if key == "stop":
            if self.state == "resting":
                return [StopSpeaking()]
            return self._control("stop", "")
        self._prompted = False
        return self._control(key, "")

    def _staff(self, command: StaffCommand) -> list[Action]:
        if command.verb == "stop":
            return [StopSpeaking(), *self._rest()]
        if command.verb == "volume":
            return self._staff_volume(command.steps)
        return self._control(command.verb, "")

    # -- rate, volume, repeat, overview ----------------------------------------------------

    def _change_rate(self, direction: int) -> list[Action]:
        step = self._voice.rate_step * direction
        rate = min(self._voice.rate_max, max(self._voice.rate_min, self.rate_wpm + step))
        name = "faster" if direction > 0 else "slower"
        if rate == self.rate_wpm:
            name = "fastest" if direction > 0 else "slowest"
        actions: list[Action] = []
        if rate != self.rate_wpm:
            self.rate_wpm = rate
            actions.append(SetRate(rate))
        if self.state == "speaking":  # say the rest again at the new rate
            rest = (self._once(name), *self.plan.remaining())
            return [StopSpeaking(), *actions, *self._speak(rest, self.plan.after)]
        return [*actions, *self._say(name, "follow_up")]

    def _change_volume(self, direction: int) -> list[Action]:
        volume = self._clamp_volume(self.volume + self._voice.volume_step * direction)
        name = "louder" if direction > 0 else "quieter"
        if volume == self.volume:
            name = "loudest" if direction > 0 else "quietest"
        actions: list[Action] = []
        if volume != self.volume:
            self.volume = volume
            actions.append(SetVolume(volume))
        if self.state == "speaking":
            return actions  # the change itself is heard at once
        return [*actions, *self._say(name, "follow_up")]

    def _repeat(self) -> list[Action]:
        if self.state == "speaking":
            return [StopSpeaking(), *self._speak(self.plan.remaining(), self.plan.after)]
        if self.plan.last is None:
            return self._say("nothing_to_repeat", "follow_up")
        return self._speak((self.plan.last,), "follow_up")

    def _overview(self) -> list[Action]:
        actions: list[Action] = [StopSpeaking()] if self.state == "speaking" else []
        ids = tuple(line.text for line in self._content.overview)
        found = answer.passages(self._content, ids).passages
        body = tuple(Segment((self._passage(p),), True) for p in found)
        start, end = self._once("overview_start"), self._once("overview_end")
        return [*actions, *self._speak((start, *body, end), "follow_up")]

    def _reply(self, key: str) -> list[Action]:
        """A prompt that answers something (so `repeat` says it again)."""
        return self._speak((Segment((self._prompt(key),), True),), "follow_up")
