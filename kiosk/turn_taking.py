"""Turn-taking for the conversation: speaking, listening windows, silence timeouts and rest.

`kiosk.conversation.Conversation` builds on this with what to answer; this part decides only
when the kiosk speaks and when it listens, from the events the live loop feeds it.
"""

from __future__ import annotations

from typing import Literal

from kiosk import answer
from kiosk.config import Config
from kiosk.content import Content
from kiosk.speech_plan import After, Segment, SpeechPlan
from kiosk.turns import (
    Action,
    Listen,
    PlayEarcon,
    Record,
    Rest,
    SetVolume,
    SpeechFinished,
    SpeechProgress,
    Utterance,
)  # fmt: skip

State = Literal["resting", "listening", "confirming", "speaking"]
MAX_VOLUME = 1.0


class TurnTaking:
    """The state every conversation has: what is said, what is awaited, rate and volume."""

    def __init__(self, content: Content, config: Config) -> None:
        self._content = content
        self._voice = config.voice
        self._listening = config.listening
        self._matcher = config.matcher
        self.state: State = "resting"
        """What the kiosk is doing."""
        self.rate_wpm = config.voice.rate_wpm
        """The speaking rate now."""
        self.volume = config.voice.volume
        """The volume now."""
        self.default_volume = config.voice.volume
        """The volume a conversation starts at (staff may change it)."""
        self.plan = SpeechPlan()
        """What is being said, and the last answer (for `repeat`)."""
        self.question: str | None = None
        """The last question acted on (transcript)."""
        self.intent: str | None = None
        """Its intent (None: out of scope)."""
        self._now = 0.0
        self._deadline: float | None = None
        self._window: After = "activated"
        self._prompted = False
        self._pending: tuple[str, float, str] | None = None
        """A question awaiting yes/no: (intent, score, transcript)."""
        self._asked_again = False
        """The last question was misheard and the person asked to say it again (only once)."""

    def _tick(self, now: float) -> list[Action]:
        self._now = now
        due = self._deadline is not None and now >= self._deadline
        return self._expire() if due and self.state != "speaking" else []

    def _speech_started(self) -> None:
        """Someone is talking: wait for them to finish, however long they pause."""
        if self.state in ("listening", "confirming"):
            seconds = self._listening.max_question_seconds + self._listening.no_speech_seconds
            self._deadline = self._now + seconds

    def _nothing_heard(self) -> list[Action]:
        """Activated, but nothing usable was heard: say so and rest."""
        if self.state == "confirming" or (
            self.state == "listening" and self._window == "activated"
        ):
            return self._say("not_heard", "rest")
        return []

    def _speaker_event(self, event: SpeechProgress | SpeechFinished) -> list[Action]:
        """Progress and end of the current `Say` (late events of replaced speech are ignored)."""
        if self.state != "speaking" or event.serial != self.plan.serial:
            return []
        if isinstance(event, SpeechProgress):
            self.plan.progress(event.index)
            return []
        return self._after_speech(self.plan.after)

    def _prompt(self, key: str) -> Utterance:
        """Prompt `key`, in its variant for the listening mode (`ready_wake`) if there is one."""
        variant = f"{key}_{self._listening.mode}"
        chosen = variant if variant in self._content.prompts else key
        return Utterance("prompt", key, answer.prompt(self._content, chosen).text)

    def _passage(self, passage_id: str) -> Utterance:
        return Utterance("passage", passage_id, self._content.document.passages[passage_id].text)

    def _once(self, key: str) -> Segment:
        """A control prompt (never repeated)."""
        return Segment((self._prompt(key),), False)

    def _say(self, key: str, after: After) -> list[Action]:
        return self._speak((self._once(key),), after)

    def _speak(self, segments: tuple[Segment, ...], after: After) -> list[Action]:
        self.state, self._deadline = "speaking", None
        return [self.plan.start(segments, after)]

    def _after_speech(self, after: After) -> list[Action]:
        self.plan.clear()
        if after == "rest":
            return [PlayEarcon("rest"), *self._rest()]
        return self._listen(after)

    def _listen(self, window: After) -> list[Action]:
        self.state = "confirming" if window == "confirm" else "listening"
        self._window = window
        seconds = self._listening.no_speech_seconds
        if window in ("follow_up", "confirm"):
            seconds = self._listening.follow_up_seconds
        self._deadline = self._now + seconds
        return [Listen(follow_up=window != "activated")]

    def _expire(self) -> list[Action]:
        """Silence while listening: after activation a gentle prompt once; then rest."""
        declined = self._decline()
        if self._window == "follow_up" or self._prompted:
            return [*declined, *self._say("resting", "rest")]
        self._prompted = True
        return [*declined, *self._say("still_there", "activated")]

    def _decline(self) -> list[Action]:
        """A confirmation question that got no yes is settled as declined."""
        pending, self._pending = self._pending, None
        return [] if pending is None else [Record(*pending, "declined")]

    def _rest(self) -> list[Action]:
        """The conversation is over: the volume goes back to the default."""
        self.state, self._deadline = "resting", None
        self.plan.clear()
        self._prompted = self._asked_again = False
        actions = self._decline()
        if self.volume != self.default_volume:
            self.volume = self.default_volume
            actions.append(SetVolume(self.volume))
        return [*actions, Rest()]

    def _clamp_volume(self, volume: float) -> float:
        return round(min(MAX_VOLUME, max(self._voice.volume_min, volume)), 3)

    def _staff_volume(self, steps: int) -> list[Action]:
        """Staff set the room's level: it moves the default as well as the volume now."""
        step = self._voice.volume_step * steps
        self.default_volume = self._clamp_volume(self.default_volume + step)
        self.volume = self._clamp_volume(self.volume + step)
        return [SetVolume(self.volume)]
