"""Cuts microphone audio into utterances, and says early when a speaker pauses.

Frames of 20 ms are classed voiced or not by `kiosk.vad.VoiceActivity` (webrtcvad behind an
energy floor that follows the room's noise). An utterance starts once `min_speech_ms` of voiced
audio has come (coughs and clicks do not start one), and ends after `end_of_speech_ms` of
silence, long enough for slow, pausing speakers: as `kiosk.vad.UtteranceSegmenter` does, plus
one thing the live loop needs for a quick answer: after a short pause (`PAUSE_MS`) a `Cut` of
kind `pause` carries the audio so far, so the listener can recognise it at once and answer
without waiting for the end when the question is already clear.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kiosk.config import ListeningConfig
from kiosk.vad import FRAME, FRAME_S, VoiceActivity

PRE_ROLL_FRAMES = 15
"""Audio kept from before the start (300 ms): the first syllable is often quiet."""
TAIL_FRAMES = 5
"""Silence kept after the last voiced frame (100 ms), so word endings are not clipped."""
PAUSE_MS = 240
"""A pause this long gets an early look."""


@dataclass(frozen=True)
class Cut:
    """Something the microphone audio just did."""

    kind: Literal["start", "pause", "end"]
    """Speech started; the speaker paused (audio so far); the utterance ended (whole audio)."""
    audio: np.ndarray
    """The utterance so far, up to shortly after its last voiced frame (empty for `start`)."""
    silence_s: float
    """How long ago the last voiced frame ended, in audio time."""


class Endpointer:
    """Feed it microphone blocks of any length; it returns the `Cut`s they complete."""

    def __init__(self, listening: ListeningConfig) -> None:
        self._activity = VoiceActivity(listening.vad_aggressiveness, listening.vad_floor_db)
        self._start_frames = max(1, round(listening.min_speech_ms / 1000 / FRAME_S))
        self._end_frames = max(1, round(listening.end_of_speech_ms / 1000 / FRAME_S))
        self._pause_frames = round(PAUSE_MS / 1000 / FRAME_S)
        self._max_frames = round(listening.max_question_seconds / FRAME_S)
        self._left = np.zeros(0, dtype=np.float32)
        self._before: deque[np.ndarray] = deque(maxlen=PRE_ROLL_FRAMES)
        self._frames: list[np.ndarray] = []
        self._voiced = 0
        self._last_voiced = 0
        self._started = False
        self._paused = False

    def feed(self, block: np.ndarray) -> list[Cut]:
        samples = np.concatenate([self._left, np.asarray(block, dtype=np.float32)])
        whole = len(samples) // FRAME * FRAME
        self._left = samples[whole:]
        cuts: list[Cut] = []
        for frame in samples[:whole].reshape(-1, FRAME):
            cut = self._frame(frame)
            if cut is not None:
                cuts.append(cut)
        return cuts

    def _frame(self, frame: np.ndarray) -> Cut | None:
        voiced = self._activity.is_speech(frame)
        if not self._frames:
            if not voiced:
                self._before.append(frame)
                return None
            self._frames = list(self._before)
            self._before.clear()
        self._frames.append(frame)
        if voiced:
            self._voiced += 1
            self._last_voiced = len(self._frames)
            self._paused = False
        silent = len(self._frames) - self._last_voiced
        if not self._started:
            if self._voiced >= self._start_frames:
                self._started = True
                return Cut("start", np.zeros(0, dtype=np.float32), 0.0)
            if silent >= self._pause_frames:
                self._reset()  # a click or a cough
            return None
        if silent >= self._end_frames or len(self._frames) >= self._max_frames:
            cut = Cut("end", self._audio(), silent * FRAME_S)
            self._reset()
            return cut
        if silent >= self._pause_frames and not self._paused:
            self._paused = True
            return Cut("pause", self._audio(), silent * FRAME_S)
        return None

    def _audio(self) -> np.ndarray:
        keep = min(len(self._frames), self._last_voiced + TAIL_FRAMES)
        return np.concatenate(self._frames[:keep])

    def _reset(self) -> None:
        self._frames, self._voiced, self._last_voiced = [], 0, 0
        self._started = self._paused = False
