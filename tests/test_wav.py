"""kiosk.wav: odd but valid WAV files convert to float32 mono 16 kHz; broken ones give one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from kiosk.errors import AudioError
from kiosk.wav import RATE, read_wav, resample, write_wav


def tone(rate: int, seconds: float = 1.0, hz: float = 440.0, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return level * np.sin(2 * np.pi * hz * t)


@pytest.mark.parametrize(
    ("subtype", "rate", "channels"),
    [
        ("PCM_U8", 8000, 1),
        ("PCM_16", 16000, 1),
        ("PCM_16", 22050, 2),
        ("PCM_24", 44100, 1),
        ("PCM_32", 48000, 6),
        ("FLOAT", 16000, 2),
        ("DOUBLE", 11025, 1),
    ],
)
def test_valid_formats_convert(tmp_path: Path, subtype: str, rate: int, channels: int) -> None:
    path = tmp_path / "odd.wav"
    soundfile.write(path, np.stack([tone(rate)] * channels, axis=1), rate, subtype=subtype)
    audio = read_wav(path)
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert abs(len(audio) - RATE) <= 2
    assert 0.45 < float(np.max(np.abs(audio))) < 0.56  # level kept through the conversion
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(int(np.argmax(spectrum)) * RATE / len(audio) - 440) < 3  # pitch kept


def test_resampling_is_band_limited() -> None:
    """A 10 kHz tone at 48 kHz is above the 8 kHz limit of 16 kHz audio: gone, not at 6 kHz."""
    audio = resample(tone(48000, hz=10000.0) + tone(48000, hz=1000.0), 48000)
    spectrum = np.abs(np.fft.rfft(audio))
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    assert spectrum[np.argmin(np.abs(freqs - 1000))] > 100 * spectrum[freqs > 1500].max()


def test_clipped_float_audio_is_scaled_into_range(tmp_path: Path) -> None:
    path = tmp_path / "hot.wav"
    soundfile.write(path, np.clip(tone(16000, level=3.0), -2.0, 2.0), 16000, subtype="FLOAT")
    audio = read_wav(path)
    assert float(np.max(np.abs(audio))) == pytest.approx(1.0, abs=1e-6)


def test_write_then_read_round_trip(tmp_path: Path) -> None:
    original = tone(RATE).astype(np.float32)
    write_wav(tmp_path / "a.wav", original)
    assert np.max(np.abs(read_wav(tmp_path / "a.wav") - original)) < 1e-3


def make_broken(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Broken files by name: (path, words the one-line error must contain)."""
    good = tmp_path / "good.wav"
    write_wav(good, tone(RATE))
    header_only = good.read_bytes()[:30]
    nan = tone(RATE)
    nan[100] = np.nan
    files: dict[str, tuple[Path, str]] = {}

    def add(name: str, expect: str) -> Path:
        files[name] = (tmp_path / f"{name}.wav", expect)
        return files[name][0]

    add("zero-bytes", "empty").write_bytes(b"")
    soundfile.write(add("no-frames", "empty"), np.zeros(0), RATE)
    add("truncated-header", "corrupt WAV header").write_bytes(header_only)
    add("text", "not a WAV").write_text("hello, this is not audio\n")
    soundfile.write(add("flac-inside", "not a WAV"), tone(RATE), RATE, format="FLAC")
    soundfile.write(add("nan", "NaN"), nan, RATE, subtype="FLOAT")
    soundfile.write(add("inf", "NaN or infinity"), np.full(RATE, np.inf), RATE, subtype="FLOAT")
    soundfile.write(add("silent", "silent"), np.zeros(RATE), RATE)
    soundfile.write(add("too-short", "too short"), tone(RATE, 0.1), RATE)
    soundfile.write(add("too-long", "minutes of speech"), tone(8000, 61.0), 8000, subtype="PCM_U8")
    add("folder", "not a file").mkdir()
    files["missing"] = (tmp_path / "missing.wav", "no such file")
    return files


def test_broken_files_give_one_line_audio_error(tmp_path: Path) -> None:
    for name, (path, expect) in make_broken(tmp_path).items():
        with pytest.raises(AudioError) as caught:
            read_wav(path)
        message = str(caught.value)
        assert expect in message, name
        assert "\n" not in message and str(path) in message, name
