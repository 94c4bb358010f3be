"""Voice activity and end of utterance over 16 kHz float32 audio (pure logic, no devices).

`VoiceActivity` classes 20 ms frames: webrtcvad, gated by an energy floor (absolute, and a few
dB above the tracked background level) so steady room noise is not speech. `UtteranceSegmenter`
is fed blocks of any length and returns each finished utterance, with 300 ms of audio from
before it started. A question ends after `end_of_speech_ms` of silence (long, so that the
pauses of slow speakers do not cut it), or at `max_question_seconds`; bursts with less than
`min_speech_ms` of voiced audio (clicks, coughs) are dropped.

The live loop wants a quick answer too: given `pause_ms`, the segmenter also says when speech
has started (kind `start`, once `min_speech_ms` of voice has come) and, at each pause that long,
hands over the utterance so far (kind `pause`), so a clear question can be recognised and
answered without waiting for the long end-of-speech silence; the utterance goes on.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np
import webrtcvad

from kiosk.config import ListeningConfig
from kiosk.errors import ConfigError

RATE = 16000
FRAME = 320
"""Samples per 20 ms frame (webrtcvad takes 10, 20 or 30 ms)."""
FRAME_S = FRAME / RATE
PRE_ROLL_S = 0.3
"""Audio kept from before the first voiced frame: first syllables are often quiet."""
TAIL_S = 0.2
"""Silence kept after the last voiced frame, so word endings are not clipped."""
NOISE_MARGIN_DB = 6.0
"""Speech must be this much louder than the background level."""
NOISE_WINDOW_S = 3.0
"""The background level is the quietest frame of this much recent audio (speech has gaps)."""
EARLY_PAUSE_MS = 240
"""The live loop's `pause_ms`: a pause this long gets an early look."""


def level_db(frame: np.ndarray) -> float:
    """RMS level in dBFS."""
    return 10.0 * float(np.log10(np.mean(np.square(frame, dtype=np.float64)) + 1e-12))


class VoiceActivity:
    """Is a 20 ms frame speech? webrtcvad and an energy floor must both agree."""

    def __init__(self, aggressiveness: int = 2, floor_db: float = -50.0) -> None:
        if aggressiveness not in range(4):
            raise ConfigError(f"listening.vad_aggressiveness must be 0-3, not {aggressiveness}")
        self._vad = webrtcvad.Vad(aggressiveness)
        self._floor_db = floor_db
        self._levels: deque[float] = deque(maxlen=round(NOISE_WINDOW_S / FRAME_S))

    @property
    def noise_db(self) -> float:
        """The background level (dBFS): the quietest recent frame."""
        return min(self._levels, default=-120.0)

    def is_speech(self, frame: np.ndarray) -> bool:
        level = level_db(frame)
        self._levels.append(level)
        if level < max(self._floor_db, self.noise_db + NOISE_MARGIN_DB):
            return False
        pcm = (np.clip(frame, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        return bool(self._vad.is_speech(pcm, RATE))


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech."""

    audio: np.ndarray
    """Float32 mono 16 kHz: pre-roll, the speech, and a short tail."""
    start_s: float
    """Where the first voiced frame starts, in seconds of audio fed so far."""
    end_s: float
    """Where the last voiced frame ends, in seconds of audio fed so far."""
    cut_off: bool
    """True if it hit max_question_seconds instead of ending in silence."""
    kind: Literal["start", "pause", "end"] = "end"
    """Speech started (no audio yet); a pause (the audio so far); the end (the whole audio)."""


class UtteranceSegmenter:
    """Feed audio blocks; get back the utterances they complete (and, with `pause_ms`, the
    starts and pauses they contain)."""

    def __init__(self, config: ListeningConfig, pause_ms: int | None = None) -> None:
        self.activity = VoiceActivity(config.vad_aggressiveness, config.vad_floor_db)
        self._end_frames = max(1, round(config.end_of_speech_ms / 1000 / FRAME_S))
        self._min_voiced = max(1, round(config.min_speech_ms / 1000 / FRAME_S))
        self._max_frames = round(config.max_question_seconds / FRAME_S)
        self._pause_frames = None if pause_ms is None else round(pause_ms / 1000 / FRAME_S)
        self._paused = self._started = False
        self._before: deque[np.ndarray] = deque(maxlen=round(PRE_ROLL_S / FRAME_S))
        self._left = np.zeros(0, dtype=np.float32)
        self._frames: list[np.ndarray] = []
        self._voiced = 0
        self._since_voiced = 0
        self._frame_count = 0
        self._start_frame = 0

    @property
    def in_speech(self) -> bool:
        """True while an utterance is open (speech heard, end not reached)."""
        return bool(self._frames)

    @property
    def fed_s(self) -> float:
        """Seconds of audio classed so far (`end_s` is on this clock)."""
        return self._frame_count * FRAME_S

    def feed(self, block: np.ndarray) -> list[Utterance]:
        samples = np.concatenate([self._left, np.asarray(block, dtype=np.float32)])
        whole = len(samples) // FRAME * FRAME
        self._left = samples[whole:]
        found = (self._frame(frame) for frame in samples[:whole].reshape(-1, FRAME))
        return [utterance for utterance in found if utterance is not None]

    def flush(self) -> Utterance | None:
        """End of the audio: the open utterance, if it has enough speech."""
        return self._finish(cut_off=False) if self._frames else None

    def _frame(self, frame: np.ndarray) -> Utterance | None:
        self._frame_count += 1
        voiced = self.activity.is_speech(frame)
        if not self._frames:
            if not voiced:
                self._before.append(frame)
                return None
            self._frames = [*self._before, frame]
            self._before.clear()
            self._start_frame = self._frame_count - 1
            self._voiced, self._since_voiced = 1, 0
            return None
        self._frames.append(frame)
        if voiced:
            self._voiced += 1
            self._since_voiced = 0
            self._paused = False
        else:
            self._since_voiced += 1
        if self._since_voiced >= self._end_frames:
            return self._finish(cut_off=False)
        if len(self._frames) >= self._max_frames:
            return self._finish(cut_off=True)
        return self._early()

    def _early(self) -> Utterance | None:
        """With `pause_ms`: a `start` once there is enough voice, a `pause` at each pause."""
        if self._pause_frames is None or self._voiced < self._min_voiced:
            return None
        since = self._since_voiced
        if not self._started:
            self._started = True
            return Utterance(np.zeros(0, dtype=np.float32), self._start_s, self._start_s,
                             False, "start")  # fmt: skip
        if since < self._pause_frames or self._paused:
            return None
        self._paused = True
        return Utterance(self._audio(self._frames, since), self._start_s,
                         (self._frame_count - since) * FRAME_S, False, "pause")  # fmt: skip

    @property
    def _start_s(self) -> float:
        return self._start_frame * FRAME_S

    @staticmethod
    def _audio(frames: list[np.ndarray], since: int) -> np.ndarray:
        """Up to a short tail after the last voiced frame."""
        keep = min(len(frames), len(frames) - since + round(TAIL_S / FRAME_S))
        return np.concatenate(frames[:keep])

    def _finish(self, cut_off: bool) -> Utterance | None:
        frames, voiced, since = self._frames, self._voiced, self._since_voiced
        self._frames, self._voiced, self._since_voiced = [], 0, 0
        self._paused = self._started = False
        if since:
            self._before.extend(frames[-since:])  # pre-roll for the next utterance
        if voiced < self._min_voiced:
            return None
        end_s = (self._frame_count - since) * FRAME_S
        return Utterance(self._audio(frames, since), self._start_s, end_s, cut_off)
