"""Shared fixtures. `pulse`: a private PulseAudio server (see tests/pulse.py) for live tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from kiosk.config import VoiceConfig
from kiosk.voices import Voice
from tests.pulse import PulseServer

pytest_plugins = ["tests.fake_kiosk"]  # the `kiosk` and `handle` fixtures of the server tests


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseServer]:
    """A private PulseAudio server, started once per session, this process pointed at it.

    Devices: `kiosk_speaker` (default output), `kiosk_mic` (default input) fed by
    `pulse.play_into_mic(wav)`; `pulse.record_speaker(s)` captures the speaker; `pulse.env`
    is the environment for a subprocess such as `kiosk run`.
    """
    if shutil.which("pulseaudio") is None:
        pytest.skip("pulseaudio is not installed (make apt-test)")
    server = PulseServer.start()
    server.activate()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def piper_voice() -> Voice:
    """The Piper voice, loaded once."""
    from kiosk.voices.piper import PiperJoe

    return PiperJoe.load(VoiceConfig())


@pytest.fixture(scope="session")
def espeak_voice() -> Voice:
    """The pyttsx3/espeak-ng fallback voice (one engine for the whole session)."""
    from kiosk.voices.espeak import EspeakVoice

    return EspeakVoice(VoiceConfig())
