"""Earcons: the committed WAV files are what the code makes; the tones are distinct and gentle."""

from __future__ import annotations

import numpy as np

from kiosk import earcons


def test_committed_wavs_match_the_code() -> None:
    made = earcons.generate()
    loaded = earcons.load_earcons(earcons.RATE)
    assert set(loaded) == set(earcons.NAMES) == set(made)
    for name in earcons.NAMES:
        assert (earcons.DIRECTORY / f"{name}.wav").is_file()
        assert len(loaded[name]) == len(made[name])
        assert np.max(np.abs(loaded[name] - made[name])) < 1e-3, "run python -m kiosk.earcons"


def test_tones_are_short_unclipped_and_distinct() -> None:
    tones = earcons.load_earcons(16000)
    for audio in tones.values():
        assert 0.2 < len(audio) / 16000 < 1.0
        assert 0.1 < np.max(np.abs(audio)) < 0.9
        assert abs(audio[0]) < 0.01 and abs(audio[-1]) < 0.01  # no clicks
    peak = {name: np.argmax(np.abs(np.fft.rfft(audio))) * 16000 / len(audio)
            for name, audio in tones.items()}  # fmt: skip
    assert peak["alert"] > 1.1 * max(peak["listening"], peak["rest"])  # the alert is higher


def test_a_missing_file_is_made_in_memory() -> None:
    tones = earcons.load_earcons(22050, directory=earcons.DIRECTORY / "missing")
    assert set(tones) == set(earcons.NAMES)
