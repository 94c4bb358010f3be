"""`kiosk say`, `kiosk devices`: through the command line, with the real voice and devices."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from kiosk import cli
from tests.pulse import MIC, SPEAKER, PulseServer

pytestmark = pytest.mark.speech
TEXT = "The cement hardens quickly and supports the bone."


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.yaml"
    path.write_text(f"voice:\n  cache: {tmp_path / 'cache'}\n  volume: 1.0\n")
    return path


def test_say_out_writes_a_wav_at_the_rate_asked(config: Path, tmp_path: Path) -> None:
    seconds = {}
    for rate in (120, 220):
        out = tmp_path / f"say-{rate}.wav"
        assert cli.main(["--config", str(config), "say", TEXT, "--out", str(out),
                         "--rate", str(rate)]) == 0  # fmt: skip
        audio, sample_rate = soundfile.read(str(out), dtype="float32")
        assert sample_rate == 22050 and audio.ndim == 1 and np.max(np.abs(audio)) > 0.1
        seconds[rate] = len(audio) / sample_rate
    assert seconds[120] > 1.4 * seconds[220]
    assert 8 / 220 * 60 * 0.7 < seconds[220] < 8 / 120 * 60 * 1.3


def test_say_nothing_is_one_line(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--config", str(config), "say", "  "]) == 2
    assert capsys.readouterr().err == "kiosk say: nothing to say (the text is empty)\n"


@pytest.mark.live
def test_say_plays_through_the_speaker(pulse: PulseServer, config: Path) -> None:
    recording = pulse.start_recording_speaker()
    time.sleep(0.2)
    assert cli.main(["--config", str(config), "say", TEXT]) == 0
    time.sleep(0.3)
    captured = recording.stop()
    loud = np.nonzero(np.abs(captured) > 0.05)[0]
    assert len(loud) and (loud[-1] - loud[0]) / 44100 > 1.5


@pytest.mark.live
def test_devices_lists_the_speaker_and_microphone(
    pulse: PulseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["devices"]) == 0
    out = capsys.readouterr().out
    microphones, speakers = out.split("Speakers")
    assert MIC in microphones and SPEAKER in speakers


def test_devices_says_when_there_are_none(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "ALSA_"))}
    env.update(HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path), PULSE_SERVER="unix:/nonexistent")
    if Path("/dev/snd").exists():
        pytest.skip("this machine has a sound card")
    result = subprocess.run([sys.executable, "-m", "kiosk", "devices"], env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.count("  none found") == 2
    assert "without a speaker it writes answers to WAV files" in result.stdout
