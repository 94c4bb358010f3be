"""Faults: the microphone and the speaker disappear and come back while `kiosk run` runs (the
private PulseAudio server stopped and started again; the kiosk's playback stream killed). The
kiosk must wait, log, and answer again without a restart. (Unloading a PulseAudio module does
not do: PulseAudio moves the kiosk's streams to another device, so nothing disappears.)
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.live_capture import Capture
from tests.pulse import PulseServer
from tests.test_live_loop import LiveKiosk

pytestmark = [pytest.mark.live, pytest.mark.speech]

QUESTION = "How long does the procedure take?"


def answered(live: LiveKiosk) -> bool:
    """Ask the question; whether an answer sound followed it."""
    live.quiet()
    _, ended = live.say(QUESTION)
    return live.capture.wait_sound(ended, 120) is not None


@pytest.fixture
def live(pulse: PulseServer, tmp_path: Path) -> Iterator[LiveKiosk]:
    """A started `kiosk run` (open mode) on the private server."""
    kiosk = LiveKiosk(pulse, tmp_path)
    assert kiosk.capture.wait_sound(kiosk.started, 300) is not None, "no greeting"
    yield kiosk
    kiosk.close()


def restart_server(pulse: PulseServer, down_s: float, during: Callable[[], object]) -> None:
    """Stop the private server (every device vanishes), run `during`, wait, start it again on
    the same socket with the same devices."""
    command = [
        "pulseaudio",
        "--daemonize=yes",
        "-n",
        "-F",
        str(pulse.root / "server.pa"),
        "--exit-idle-time=-1",
        "--disable-shm=yes",
        "--use-pid-file=no",
        f"--log-target=file:{pulse.root / 'log'}",
    ]  # as tests/pulse.py starts it
    pulse.pactl("exit")
    deadline = time.monotonic() + 10
    while pulse.pactl("info").returncode == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    during()
    time.sleep(down_s)
    subprocess.run(command, env=pulse.env, check=True, timeout=10)
    while pulse.pactl("info").returncode != 0:
        assert time.monotonic() < deadline + down_s + 30, "the server did not come back"
        time.sleep(0.05)
    pulse.warm_up()


def test_audio_server_gone_and_back_without_a_restart(pulse: PulseServer, live: LiveKiosk) -> None:
    """Both devices vanish (the server stops), the kiosk waits and logs, then answers again."""
    assert answered(live)
    live.capture.close()
    restart_server(pulse, 5.0, lambda: live.wait_log(r"(?i)microphone.*(stopped|unplugged)", 30))
    live.wait_log(r"microphone .* is back", 60)
    live.capture = Capture()
    live.capture.start()
    assert answered(live), live.log.read_text()[-2000:]
    assert live.process.poll() is None


def test_speaker_gone_mid_answer_and_back(pulse: PulseServer, live: LiveKiosk) -> None:
    """The audio server stops while the kiosk is answering (as when a USB speaker is pulled);
    the kiosk logs, waits, and the next answer is heard once the server is back."""
    live.quiet()
    _, ended = live.say(QUESTION)
    assert live.capture.wait_sound(ended, 120) is not None
    live.capture.close()
    restart_server(pulse, 5.0, lambda: live.wait_log(r"(?i)speaker.*(retrying|lost|stopped)", 30))
    live.capture = Capture()
    live.capture.start()
    assert answered(live), live.log.read_text()[-2000:]
    assert live.process.poll() is None


def test_speaker_stream_killed_mid_answer_and_back(pulse: PulseServer, live: LiveKiosk) -> None:
    """PulseAudio ends the kiosk's playback stream while it answers (the stream stops asking
    for audio: `Speaker.wait` notices, playback logs and reopens it) and then between answers
    (the next `play` finds it inactive and reopens it); each next answer is heard."""
    live.quiet()
    _, ended = live.say(QUESTION)
    assert live.capture.wait_sound(ended, 120) is not None
    assert pulse.kill_playback(live.process.pid) == 1
    live.wait_log(r"(?i)speaker.*(lost|stopped)", 30)
    assert answered(live), live.log.read_text()[-2000:]
    live.quiet()
    assert pulse.kill_playback(live.process.pid) == 1  # killed between answers
    assert answered(live), live.log.read_text()[-2000:]
    live.wait_log(r"speaker .* stream stopped; reopening", 30)
    assert live.process.poll() is None
