"""A private PulseAudio server with a fake speaker and a fake microphone, for real audio I/O tests.

    server = PulseServer.start()       # or use the session fixture `pulse` from conftest.py
    server.env                          # environment for subprocesses (`kiosk run`)
    server.activate()                   # point this process (and sounddevice) at it
    server.play_into_mic("q.wav")       # what the microphone `kiosk_mic` then hears
    audio = server.record_speaker(3.0)  # what was played to `kiosk_speaker` (float32, 44.1 kHz)
    recording = server.start_recording_speaker(); ...; audio = recording.stop()
    server.stop()

Endpoints (PulseAudio names; ALSA PCMs of the same name so sounddevice lists them by name):
`kiosk_speaker` (null sink, the default output), `kiosk_mic_feed` (null sink that feeds the
microphone) and `kiosk_mic` (its monitor remapped as a source, the default input).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SPEAKER = "kiosk_speaker"
MIC_FEED = "kiosk_mic_feed"
MIC = "kiosk_mic"
RATE = 44100
"""The server's native rate: compare captured audio at this rate (resampling lowers correlation)."""

PA_CONFIG = f"""\
load-module module-native-protocol-unix auth-anonymous=1 socket={{socket}}
load-module module-null-sink sink_name={SPEAKER} rate={RATE} channels=1 format=float32le
load-module module-null-sink sink_name={MIC_FEED} rate={RATE} channels=1 format=float32le
load-module module-remap-source source_name={MIC} master={MIC_FEED}.monitor channels=1
load-module module-null-source source_name=kiosk_silence rate={RATE} channels=1
load-module module-loopback source=kiosk_silence sink={SPEAKER} latency_msec=20
load-module module-loopback source=kiosk_silence sink={MIC_FEED} latency_msec=20
set-default-sink {SPEAKER}
set-default-source {MIC}
"""
ALSA_PCM = 'pcm.{name} {{ type pulse device "{device}" hint {{ show on description "{name}" }} }}\n'
ALSA_ENDPOINTS = {SPEAKER: SPEAKER, MIC: MIC, f"{SPEAKER}_monitor": f"{SPEAKER}.monitor"}


@dataclass
class Recording:
    """A capture of the speaker in progress."""

    process: subprocess.Popen[bytes]
    """The `parec` process writing to `path`."""
    path: Path
    """Raw float32 samples so far."""

    def stop(self) -> np.ndarray:
        """End the capture; the samples (float32 mono at RATE)."""
        self.process.terminate()
        self.process.wait(timeout=10)
        data = self.path.read_bytes()
        self.path.unlink()
        return np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4").copy()


@dataclass
class PulseServer:
    """A running private server; `env` holds the variables that point a client at it."""

    root: Path
    """Temporary directory with the socket, config, HOME and XDG_RUNTIME_DIR."""
    env: dict[str, str]
    """Full environment (os.environ plus the server's variables) for subprocesses."""

    @classmethod
    def start(cls) -> PulseServer:
        """Start the server and wait until it answers; the first capture is warmed up."""
        root = Path(tempfile.mkdtemp(prefix="kiosk-pulse-"))
        runtime, home = root / "runtime", root / "home"
        runtime.mkdir(mode=0o700)
        home.mkdir()
        socket = runtime / "native"
        config = root / "server.pa"
        config.write_text(PA_CONFIG.format(socket=socket))
        asound = home / ".asoundrc"
        asound.write_text("".join(ALSA_PCM.format(name=n, device=d)
                                  for n, d in ALSA_ENDPOINTS.items()))  # fmt: skip
        env = dict(os.environ)
        env.update(
            XDG_RUNTIME_DIR=str(runtime), HOME=str(home), PULSE_SERVER=f"unix:{socket}",
            PULSE_COOKIE=str(root / "cookie"), PULSE_SINK=SPEAKER, PULSE_SOURCE=MIC,
        )  # fmt: skip
        env.pop("ALSA_CONFIG_PATH", None)  # the system ALSA config reads ~/.asoundrc
        subprocess.run(
            ["pulseaudio", "--daemonize=yes", "-n", "-F", str(config), "--exit-idle-time=-1",
             "--disable-shm=yes", "--use-pid-file=no", "--log-target=file:" + str(root / "log")],
            env=env, check=True, timeout=10,
        )  # fmt: skip
        server = cls(root, env)
        deadline = time.monotonic() + 10
        while server.pactl("info").returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"private PulseAudio did not start: {root / 'log'}")
            time.sleep(0.02)
        server.warm_up()
        return server

    def warm_up(self) -> None:
        """Capture until the monitor delivers in real time (the first captures stall ~2 s)."""
        deadline = time.monotonic() + 15
        while len(self.record_speaker(0.3)) < 0.25 * RATE:
            if time.monotonic() > deadline:
                raise RuntimeError("private PulseAudio: the speaker monitor delivers nothing")

    def pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `pactl` against this server."""
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              timeout=10)  # fmt: skip

    def activate(self) -> None:
        """Point this process at the server and make sounddevice re-scan its devices."""
        for key in ("XDG_RUNTIME_DIR", "HOME", "PULSE_SERVER", "PULSE_COOKIE", "PULSE_SINK",
                    "PULSE_SOURCE"):  # fmt: skip
            os.environ[key] = self.env[key]
        from kiosk.audio import refresh_devices

        refresh_devices()

    def play_into_mic(self, wav_path: str | Path) -> None:
        """Play a WAV file into the fake microphone (blocks until it has played)."""
        subprocess.run(["paplay", f"--device={MIC_FEED}", str(wav_path)], env=self.env,
                       check=True, timeout=120)  # fmt: skip

    def start_recording_speaker(self) -> Recording:
        """Start capturing the speaker's monitor (float32 mono at RATE); `.stop()` returns it."""
        fd, name = tempfile.mkstemp(suffix=".f32", dir=self.root)
        with os.fdopen(fd, "wb") as output:  # a file, not a pipe: a full pipe stalls parec
            process = subprocess.Popen(
                ["parec", f"--device={SPEAKER}.monitor", "--format=float32le", f"--rate={RATE}",
                 "--channels=1", "--latency-msec=10", "--raw"],
                env=self.env, stdout=output,
            )  # fmt: skip
        return Recording(process, Path(name))

    def record_speaker(self, seconds: float) -> np.ndarray:
        """Capture `seconds` of whatever is played to the speaker (float32 mono at RATE)."""
        recording = self.start_recording_speaker()
        time.sleep(seconds)
        return recording.stop()

    def kill_playback(self, pid: int) -> int:
        """End the playback streams of process `pid`, as PulseAudio does to a misbehaving client
        (`pactl` has no such command: through the server's command-line socket); how many."""
        found = json.loads(self.pactl("-f", "json", "list", "sink-inputs").stdout)
        ids = [
            s["index"] for s in found if s["properties"].get("application.process.id") == str(pid)
        ]
        cli = self.root / "cli"
        if ids and not cli.exists():
            self.pactl("load-module", "module-cli-protocol-unix", f"socket={cli}")
        for index in ids:
            with socket.socket(socket.AF_UNIX) as connection:
                connection.connect(str(cli))
                connection.sendall(f"kill-sink-input {index}\n".encode())
                connection.shutdown(socket.SHUT_WR)  # ("exit" would stop the server)
                connection.settimeout(5)
                while connection.recv(4096):  # the server closes when it has read it all
                    pass
        return len(ids)

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        self.pactl("exit")
        shutil.rmtree(self.root, ignore_errors=True)
