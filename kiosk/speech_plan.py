"""What the conversation is saying now: segments of utterances, progress, and what to repeat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.turns import Say, Utterance

After = Literal["follow_up", "activated", "confirm", "rest"]
"""Where speech leads: the follow-up window, a fresh question, a yes/no, or rest."""


@dataclass(frozen=True)
class Segment:
    """Consecutive utterances that `repeat` says again together (or never, for prompts)."""

    utterances: tuple[Utterance, ...]
    """What is said."""
    repeatable: bool
    """An answer (passages, help...) rather than a control prompt."""


class SpeechPlan:
    """The current `Say` as segments, which one is playing, and the last answer heard."""

    def __init__(self) -> None:
        self.serial = 0
        """The number of the last `Say`."""
        self.segments: tuple[Segment, ...] = ()
        """What is being said (empty when silent)."""
        self.after: After = "rest"
        """Where the conversation goes when it has been said."""
        self.text: str | None = None
        """The text of the last `Say`."""
        self.last: Segment | None = None
        """The most recent answer segment that started playing: what `repeat` says."""
        self._playing = 0

    def start(self, segments: tuple[Segment, ...], after: After) -> Say:
        """A new `Say` replacing whatever was being said."""
        self.serial += 1
        self.segments, self.after = segments, after
        utterances = tuple(u for segment in segments for u in segment.utterances)
        self.text = "\n\n".join(u.text for u in utterances)
        self.progress(0)
        return Say(utterances, self.serial)

    def progress(self, index: int) -> None:
        """The utterance at `index` started playing."""
        self._playing = index
        segment = self._segment_at(index)
        if segment is not None and segment.repeatable:
            self.last = segment

    def clear(self) -> None:
        """Nothing is being said any more."""
        self.segments = ()

    def remaining(self) -> tuple[Segment, ...]:
        """The segment being said and everything after it."""
        current = self._segment_at(self._playing)
        if current is None:
            return ()
        return self.segments[self.segments.index(current) :]

    def _segment_at(self, index: int) -> Segment | None:
        for segment in self.segments:
            if index < len(segment.utterances):
                return segment
            index -= len(segment.utterances)
        return None
