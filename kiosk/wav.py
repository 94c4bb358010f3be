"""Read WAV files as float32 mono 16 kHz for recognition, and write WAV files.

Odd but valid audio is converted: 8-bit unsigned, 16/24/32-bit integer and 32/64-bit float
samples, any number of channels (mixed down), any sample rate (band-limited resampling).
Audio that cannot be a question raises `AudioError` with one line naming the file.
"""

from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np
import soundfile

from kiosk.errors import AudioError

RATE = 16000
"""The sample rate every recognizer takes."""
MAX_SECONDS = 60.0
"""Longer files are refused: a question is a few seconds, not minutes of speech."""
MIN_SECONDS = 0.25
"""Shorter files are refused: too short to hold a word."""
SILENCE_PEAK = 1e-3
"""A file whose loudest sample is below this (-60 dBFS) is silent."""
WAV_FORMATS = ("WAV", "WAVEX", "RF64")
"""libsndfile container names accepted as WAV."""


def read_wav(path: str | Path) -> np.ndarray:
    """The file's audio as float32 mono at 16 kHz, in -1..1."""
    path = Path(path)
    info = _info(path)
    if info.frames == 0:
        raise AudioError(f"{path}: empty (no audio frames)")
    seconds = info.frames / info.samplerate
    if seconds > MAX_SECONDS:
        raise AudioError(
            f"{path}: too long ({seconds / 60:.1f} minutes of speech; "
            f"a question is at most {MAX_SECONDS:.0f} s)"
        )
    if seconds < MIN_SECONDS:
        raise AudioError(f"{path}: too short ({seconds:.2f} s; at least {MIN_SECONDS} s needed)")
    try:
        data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise AudioError(f"{path}: corrupt WAV data ({_reason(error)})") from None
    if len(data) == 0:
        raise AudioError(f"{path}: empty (no audio frames)")
    if not np.isfinite(data).all():
        raise AudioError(f"{path}: contains invalid samples (NaN or infinity)")
    audio = data.mean(axis=1)
    audio = resample(audio, int(rate), RATE)
    peak = float(np.max(np.abs(audio)))
    if peak < SILENCE_PEAK:
        raise AudioError(f"{path}: silent (nothing louder than -60 dBFS)")
    if peak > 1.0:
        audio = audio / peak  # float files may exceed full scale
    return np.asarray(audio, dtype=np.float32)


def write_wav(path: str | Path, audio: np.ndarray, rate: int = RATE) -> None:
    """Write mono float audio as 16-bit PCM WAV (samples clipped to -1..1)."""
    clipped = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    soundfile.write(str(path), clipped, rate, subtype="PCM_16", format="WAV")


def resample(audio: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    """Band-limited polyphase resampling of mono audio from `rate` to `target` Hz."""
    if rate == target:
        return audio
    from scipy.signal import resample_poly

    common = gcd(rate, target)
    return np.asarray(resample_poly(audio, target // common, rate // common))


def _info(path: Path) -> soundfile._SoundFileInfo:
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if not path.is_file():
        raise AudioError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: empty file (0 bytes)")
    with path.open("rb") as handle:
        magic = handle.read(12)
    if magic[:4] not in (b"RIFF", b"RIFX", b"RF64") or magic[8:12] != b"WAVE":
        raise AudioError(f"{path}: not a WAV file")
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise AudioError(f"{path}: truncated or corrupt WAV header ({_reason(error)})") from None
    if info.format not in WAV_FORMATS:
        raise AudioError(f"{path}: not a WAV file ({info.format})")
    if info.samplerate <= 0 or info.channels <= 0:
        raise AudioError(f"{path}: corrupt WAV header (rate {info.samplerate})")
    return info


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
    return text.split(": ", 1)[-1] if text.startswith("Error opening") else text
