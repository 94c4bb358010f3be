"""Utterance segmentation of synthesised speech with pauses, noise, clicks."""

from __future__ import annotations

import numpy as np
import pytest

from bench import speechgen
from kiosk.config import ListeningConfig
from kiosk.errors import ConfigError
from kiosk.vad import EARLY_PAUSE_MS, RATE, Utterance, UtteranceSegmenter, VoiceActivity
from kiosk.voices import Voice
from kiosk.wav import resample


def said(voice: Voice, text: str) -> np.ndarray:
    return resample(voice.synthesize(text, 150), voice.sample_rate, RATE).astype(np.float32)


def gap(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def edges(audio: np.ndarray) -> tuple[float, float]:
    """Where the clean speech in `audio` starts and ends (seconds)."""
    loud = np.nonzero(np.abs(audio) > 0.02)[0]
    return loud[0] / RATE, loud[-1] / RATE


def segment(audio: np.ndarray, config: ListeningConfig | None = None,
            noise_db: float | None = -45.0) -> list[tuple[float, float, bool]]:  # fmt: skip
    """Feed `audio` (with steady noise mixed in) in 20 ms blocks; (start, end, cut_off) list."""
    if noise_db is not None:
        noise = np.random.default_rng(1).standard_normal(len(audio)) * 10 ** (noise_db / 20)
        audio = (audio + noise).astype(np.float32)
    segmenter = UtteranceSegmenter(config or ListeningConfig())
    found = []
    for start in range(0, len(audio), 320):
        found += segmenter.feed(audio[start : start + 320])
    last = segmenter.flush()
    found += [last] if last is not None else []
    for utterance in found:  # the audio includes pre-roll and tail
        assert len(utterance.audio) / RATE >= utterance.end_s - utterance.start_s
    return [(u.start_s, u.end_s, u.cut_off) for u in found]


@pytest.mark.speech
def test_pauses_inside_a_question_do_not_split_it(piper_voice: Voice) -> None:
    first = said(piper_voice, "How long does it take")
    second = said(piper_voice, "and will I be awake?")
    audio = np.concatenate([gap(0.8), first, gap(0.7), second, gap(2.0)])
    found = segment(audio)
    assert len(found) == 1
    start, end, cut_off = found[0]
    assert start == pytest.approx(edges(audio)[0], abs=0.15)
    assert end == pytest.approx(edges(audio)[1], abs=0.15)
    assert not cut_off


@pytest.mark.speech
def test_a_long_pause_separates_two_questions(piper_voice: Voice) -> None:
    one = said(piper_voice, "Will it hurt?")
    two = said(piper_voice, "When can I go home?")
    audio = np.concatenate([gap(0.5), one, gap(2.5), two, gap(1.5)])
    found = segment(audio)
    assert len(found) == 2
    assert found[1][0] == pytest.approx(edges(audio[round(3 * RATE) :])[0] + 3, abs=0.15)


@pytest.mark.speech
def test_a_question_is_cut_at_the_maximum_length(piper_voice: Voice) -> None:
    long = said(piper_voice, "I have had back pain for a very long time and I would like to "
                "know whether this procedure will help me with it, and how soon.")  # fmt: skip
    found = segment(np.concatenate([long, gap(1.5)]), ListeningConfig(max_question_seconds=3.0))
    assert len(found) >= 2 and found[0][2]  # cut off; the rest is the next utterance
    assert all(end - start <= 3.0 for start, end, _ in found)


def test_clicks_and_steady_noise_are_not_speech() -> None:
    rng = np.random.default_rng(2)
    click = (rng.standard_normal(round(0.06 * RATE)) * 0.3).astype(np.float32)
    hum = 0.05 * np.sin(2 * np.pi * 120 * np.arange(5 * RATE) / RATE).astype(np.float32)
    audio = np.concatenate([gap(1.0), click, gap(1.5), click, gap(1.0)])
    assert segment(audio) == []
    assert segment(hum.astype(np.float32)) == []


def test_silence_never_starts_an_utterance() -> None:
    assert segment(gap(5.0), noise_db=None) == []
    with pytest.raises(ConfigError, match="vad_aggressiveness"):
        VoiceActivity(aggressiveness=5)


def early(audio: np.ndarray) -> list[Utterance]:
    """The live loop's segmenter (early look at pauses), fed in 20 ms blocks."""
    segmenter = UtteranceSegmenter(ListeningConfig(), EARLY_PAUSE_MS)
    return [cut for i in range(0, len(audio), 320) for cut in segmenter.feed(audio[i : i + 320])]


def test_the_live_loop_gets_a_start_a_pause_and_one_end() -> None:
    voice = speechgen.espeak_voice("en-us")
    first = speechgen.synthesize("how long does the procedure take", voice)
    second = speechgen.synthesize("and when can I go home", voice)
    cuts = early(np.concatenate([gap(0.5), first, gap(0.5), second, gap(1.5)]))
    kinds = [cut.kind for cut in cuts]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("end") == 1
    assert "pause" in kinds  # the half-second gap gets an early look, the utterance goes on
    pause, end = cuts[kinds.index("pause")], cuts[-1]
    assert len(first) < len(pause.audio) < len(end.audio)
    assert len(end.audio) >= len(first) + len(second)
    assert pause.start_s == end.start_s < pause.end_s < end.end_s


def test_a_click_gets_no_early_look() -> None:
    click = np.concatenate([gap(0.5), 0.8 * np.ones(RATE // 50, np.float32), gap(1.0)])
    assert early(click) == []
