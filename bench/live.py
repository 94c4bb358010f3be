"""The live loop, measured from outside: the real `kiosk run` on a private PulseAudio server.

Questions (Piper joe, held-out set) are played into the fake microphone with `paplay`; keys
are typed into the kiosk's terminal (a pty); the speaker's monitor is captured with a
`time.monotonic()` stamp per 10 ms block (bench/live_capture.py). Measured: start to the
first sound of the greeting (ready), end of each question to the first sound of its answer,
the stop key and a spoken "stop" to silence, and the resident memory of `kiosk run`.
"""

from __future__ import annotations

import random
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench import speechgen
from bench.kiosk_process import KioskProcess
from bench.live_capture import Capture
from bench.soak_sounds import heldout
from bench.stats import summary
from kiosk.wav import write_wav
from tests.pulse import MIC, SPEAKER, PulseServer

QUESTIONS, QUICK_QUESTIONS = 12, 3
SPOKEN_STOPS, QUICK_SPOKEN_STOPS = 4, 2
HOLD_S = 1.5
"""Silence this long counts as stopped (longer than any pause inside an answer)."""
SETTLE_S = 1.0
"""Answer audio heard before a stop is tried."""
CONFIG = """\
listening: {{mode: button}}
audio: {{input_device: {mic}, output_device: {speaker}}}
server: {{enabled: false}}
usage: {{enabled: false}}
"""
LATENCY_LOG = re.compile(r"answer latency (\d+) ms")
READY_LOG = re.compile(r"ready in ([0-9.]+) s")


def _stats(samples: list[float]) -> dict[str, Any]:
    """`stats.summary` of `samples`, with the samples (for the histogram)."""
    return {**summary(samples), "samples": samples} if samples else {}


class LiveKiosk(KioskProcess):
    """`kiosk run` against the private server, its RSS sampled."""

    def __init__(self, pulse: PulseServer, folder: Path) -> None:
        config = folder / "kiosk.yaml"
        config.write_text(CONFIG.format(mic=MIC, speaker=SPEAKER), encoding="utf-8")
        super().__init__(config, folder, pulse.env)
        self.peak_rss_mb = 0.0
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        process = psutil.Process(self.process.pid)
        while self.process.poll() is None:
            try:
                rss = process.memory_info().rss / 2**20
            except psutil.Error:
                return
            self.peak_rss_mb = max(self.peak_rss_mb, rss)
            time.sleep(0.2)


def _wavs(folder: Path, count: int) -> tuple[list[Path], Path]:
    """`count` held-out questions and the word "stop", spoken by Piper joe, no silence after."""
    chooser = random.Random(7)
    questions = chooser.sample([q for i, q in heldout() if i != "-"], count)
    voice = speechgen.piper_voice()
    paths = []
    for index, text in enumerate([*questions, "stop"]):
        paths.append(folder / f"q{index}.wav")
        write_wav(paths[-1], speechgen.pad(speechgen.synthesize(text, voice), 0.2, 0.0))
    return paths[:-1], paths[-1]


def _ask(kiosk: LiveKiosk, capture: Capture, pulse: PulseServer, wav: Path) -> float | None:
    """Once the speaker is quiet: the talk key, then the question. The question's end (ms
    before the first answer sound), or None if no answer came."""
    quiet = capture.wait_silence(time.monotonic() - 0.1, HOLD_S, 60)
    if quiet is None:
        raise RuntimeError("the kiosk did not fall silent")
    kiosk.press(" ")
    time.sleep(0.8)  # the listening earcon
    pulse.play_into_mic(wav)
    ended = time.monotonic()
    onset = capture.wait_sound(ended, 20)
    return None if onset is None else (onset - ended) * 1000


def measure(pulse: PulseServer, folder: Path, questions: int, spoken_stops: int) -> dict[str, Any]:
    wavs, stop_wav = _wavs(folder, questions)
    capture = Capture()
    capture.start()
    kiosk = LiveKiosk(pulse, folder)
    answers: list[float] = []
    stop_keys: list[float] = []
    spoken: list[float] = []
    result: dict[str, Any] = {}
    try:
        greeting = capture.wait_sound(kiosk.started, 30)
        if greeting is None:
            raise RuntimeError(f"kiosk run never spoke: {kiosk.log.read_text()[-600:]}")
        result["ready_s"] = greeting - kiosk.started
        for wav in wavs:
            latency = _ask(kiosk, capture, pulse, wav)
            if latency is None:
                continue
            answers.append(latency)
            time.sleep(SETTLE_S)
            pressed = kiosk.press("s")
            silent = capture.wait_silence(pressed, HOLD_S, 10)
            if silent is not None:
                stop_keys.append((silent - pressed) * 1000)
        for wav in wavs[:spoken_stops]:
            if _ask(kiosk, capture, pulse, wav) is None:
                continue
            time.sleep(SETTLE_S)
            begun = time.monotonic()
            pulse.play_into_mic(stop_wav)
            said = time.monotonic()
            silent = capture.wait_silence(begun, HOLD_S, 15)
            if silent is not None:
                spoken.append((silent - said) * 1000)
    finally:
        kiosk.close(timeout=10)
        log = kiosk.log.read_text(encoding="utf-8", errors="replace")
        capture.close()
    internal = [float(m) for m in LATENCY_LOG.findall(log)]
    ready = READY_LOG.search(log)
    if ready:
        result["internal_ready_s"] = float(ready.group(1))
    return {
        **result,
        "method": (
            f"`kiosk run` (button mode) on a private PulseAudio server; {questions} held-out "
            "questions spoken by Piper joe played into the fake microphone after the talk key "
            "(typed into its terminal); the speaker monitor captured in 10 ms blocks. End of a "
            "question = the moment `paplay` finished playing it; stop = the speaker silent for "
            f"{HOLD_S:g} s. Ready = start of the process to the first sound of its greeting."
        ),
        "questions": questions,
        "answered": len(answers),
        "answer_latency_ms": _stats(answers),
        "internal_answer_latency_ms": _stats(internal),
        "stop_key_ms": _stats(stop_keys),
        "spoken_stop_ms": _stats(spoken),
        "peak_rss_mb": kiosk.peak_rss_mb,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """The `make bench` live-loop part."""
    pulse = PulseServer.start()
    pulse.activate()
    try:
        questions, stops = (
            (QUICK_QUESTIONS, QUICK_SPOKEN_STOPS) if quick else (QUESTIONS, SPOKEN_STOPS)
        )
        with tempfile.TemporaryDirectory(prefix="kiosk-live-") as folder:
            return measure(pulse, Path(folder), questions, stops)
    finally:
        pulse.stop()
