"""What goes into the conversation (events) and what comes out of it (actions).

Small frozen dataclasses, so the state machine in `kiosk.conversation` stays pure: the live
loop turns microphone, keys, speaker and clock into events, and carries out the actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.content import Content
from kiosk.matcher import Match
from kiosk.usage import Outcome

Key = Literal["talk", "stop", "repeat", "slower", "faster", "louder", "quieter", "overview"]
KEYS: tuple[Key, ...] = (
    "talk", "stop", "repeat", "slower", "faster", "louder", "quieter", "overview",
)  # fmt: skip
StaffVerb = Literal["overview", "stop", "repeat", "volume"]


# Events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """The kiosk has just started (it introduces itself)."""


@dataclass(frozen=True)
class Heard:
    """A question (or command) was recognised and matched."""

    transcript: str
    """What the recognizer heard."""
    match: Match
    """The matcher's verdict on the transcript."""
    addressed: bool = False
    """The person addressed the kiosk (the wake phrase was in the same utterance)."""
    unclear: bool = False
    """The recognizer was unsure of the words (`Transcript.unclear`): if they match nothing,
    the person is asked to say it again rather than told the kiosk has no information; if they
    match a topic, it is confirmed first; in open mode they never wake the kiosk."""


@dataclass(frozen=True)
class ButtonPressed:
    """A key or the big button was pressed."""

    key: Key
    """Which function the key is mapped to."""


@dataclass(frozen=True)
class SpeechStarted:
    """The microphone picked up the start of an utterance (not yet recognised)."""


@dataclass(frozen=True)
class NothingHeard:
    """Speech was picked up but nothing usable was recognised."""


@dataclass(frozen=True)
class SpeechProgress:
    """The speaker started the utterance at `index` of a `Say`."""

    serial: int
    """The `Say.serial` it belongs to."""
    index: int
    """Position in `Say.utterances`."""


@dataclass(frozen=True)
class SpeechFinished:
    """The speaker played a `Say` to its end (never sent for speech that was stopped)."""

    serial: int
    """The `Say.serial` it belongs to."""


@dataclass(frozen=True)
class Tick:
    """The clock: the only way time reaches the conversation."""

    now: float
    """Monotonic seconds."""


@dataclass(frozen=True)
class StaffCommand:
    """A request from staff through the control server."""

    verb: StaffVerb
    """What staff asked for."""
    steps: int = 0
    """Volume steps for `volume` (positive = louder)."""


@dataclass(frozen=True)
class ContentChanged:
    """New content (checked) is in use from now on."""

    content: Content
    """The document, prompts and intents."""


Event = (
    ContentChanged | Started | Heard | ButtonPressed | SpeechStarted | NothingHeard | SpeechProgress
    | SpeechFinished | Tick | StaffCommand
)  # fmt: skip


# Actions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Utterance:
    """One approved piece of speech: a document passage or a fixed prompt."""

    kind: Literal["passage", "prompt"]
    """Where the text comes from."""
    key: str
    """The passage id or the prompt key."""
    text: str
    """The exact text to speak (a prompt's `{topic}` already filled in)."""


@dataclass(frozen=True)
class Say:
    """Speak these utterances in order (replacing anything still being said)."""

    utterances: tuple[Utterance, ...]
    """What to say."""
    serial: int
    """Numbers each `Say`, so late speaker events of replaced speech are told apart."""


@dataclass(frozen=True)
class StopSpeaking:
    """Silence the speaker at once."""


@dataclass(frozen=True)
class PlayEarcon:
    """Play a short tone."""

    name: Literal["listening", "alert", "rest"]
    """Which tone: listening starts, staff are alerted, the kiosk goes back to rest."""


@dataclass(frozen=True)
class AlertStaff:
    """Call a member of staff."""

    kind: Literal["staff", "emergency"]
    """How urgent."""
    text: str
    """What the person said (or why)."""


@dataclass(frozen=True)
class SetRate:
    """Speak at this rate from now on."""

    wpm: int
    """Words per minute."""


@dataclass(frozen=True)
class SetVolume:
    """Play at this volume from now on (applied at once, even mid-sentence)."""

    volume: float
    """0..1."""


@dataclass(frozen=True)
class Listen:
    """A question is expected now (the kiosk is listening)."""

    follow_up: bool
    """True in the window after an answer; False right after activation."""


@dataclass(frozen=True)
class Rest:
    """The conversation is over; wait for activation."""


@dataclass(frozen=True)
class Record:
    """A question is settled: count it (`kiosk.usage`)."""

    intent: str | None
    """The intent it reached; None when out of scope."""
    score: float
    """The matcher's score."""
    question: str
    """What was heard."""
    outcome: Outcome
    """Answered, confirmed (yes), declined (no, or no reply) or unanswered."""


Action = Record | Say | StopSpeaking | PlayEarcon | AlertStaff | SetRate | SetVolume | Listen | Rest
