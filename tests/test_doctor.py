"""`kiosk doctor`: each check finds its problem and says what to do; exit 1 on any problem."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk import doctor
from kiosk.cli import main
from kiosk.config import TOKEN_ENV, Config
from kiosk.content import load_content
from kiosk.events import EventBus
from kiosk.recognizers import moonshine, whisper
from kiosk.server import start_server
from kiosk.voices import load_voice
from kiosk.voices.cache import SpeechCache, rate_steps, render_all
from tests.content_fixture import write_content
from tests.fake_kiosk import FakeKiosk, make_config
from tests.pulse import MIC, SPEAKER, PulseServer


def vosk_config(model: Path) -> Config:
    config = Config()
    config.recognizer.engine, config.recognizer.vosk_model = "vosk", model
    return config


def test_incomplete_vosk_model_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"x")
    result = doctor.check_recognizer(vosk_config(tmp_path))
    assert not result.ok and "conf/model.conf" in result.detail and "models/" in result.fix


def test_complete_vosk_model_is_ok(tmp_path: Path) -> None:
    for name in ("am/final.mdl", "conf/model.conf", "graph/HCLG.fst"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert doctor.check_recognizer(vosk_config(tmp_path)).ok


def test_whisper_model_is_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    config.recognizer.engine = "whisper"
    assert doctor.check_recognizer(config).ok  # the installed package
    for name in whisper.MODEL_FILES:
        (tmp_path / name).write_bytes(b"damaged")
    monkeypatch.setattr(whisper, "model_path", lambda: tmp_path)
    result = doctor.check_recognizer(config)
    assert not result.ok and "corrupt" in result.detail and whisper.PACKAGE in result.fix


def test_moonshine_model_is_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    assert doctor.check_second_opinion(config).ok  # installed by make
    for name in moonshine.FILES_SHA256:
        (tmp_path / name).write_bytes(b"damaged")
    monkeypatch.setattr(moonshine, "model_dir", lambda: tmp_path)
    result = doctor.check_second_opinion(config)
    assert not result.ok and "corrupt" in result.detail and "fetch-moonshine" in result.fix
    config.recognizer.second_opinion = False
    assert doctor.check_second_opinion(config).ok


@pytest.mark.speech
def test_speech_cache_rendered_or_not(tmp_path: Path) -> None:
    config = Config()
    config.content = write_content(tmp_path)
    config.voice.cache = tmp_path / "speech"
    config.voice.rate_min = config.voice.rate_max = config.voice.rate_wpm  # one rate: quick
    result = doctor.check_speech_cache(config)
    assert not result.ok and "not rendered" in result.detail and "kiosk render" in result.fix
    cache = SpeechCache(load_voice(config.voice), config.voice)
    render_all(load_content(config.content), cache, rate_steps(config.voice))
    assert doctor.check_speech_cache(config).ok
    next((tmp_path / "speech").rglob("*.wav")).unlink()
    result = doctor.check_speech_cache(config)
    assert not result.ok and result.detail.startswith("1 of ")


def test_low_disk_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    config.usage.database = tmp_path / "usage.db"
    assert doctor.check_disk(config).ok
    monkeypatch.setattr(doctor, "MIN_FREE_MB", 2**40)
    result = doctor.check_disk(config)
    assert not result.ok and "free" in result.fix


def test_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    result = doctor.check_token(Config())
    assert not result.ok and TOKEN_ENV in result.fix
    monkeypatch.setenv(TOKEN_ENV, "1234")
    result = doctor.check_token(Config())
    assert not result.ok and "guess" in result.detail and "1234" not in result.detail
    monkeypatch.setenv(TOKEN_ENV, "a-long-secret-value")
    result = doctor.check_token(Config())
    assert result.ok and "a-long-secret-value" not in result.detail


def test_port_taken_by_another_program_is_a_problem() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        config = make_config()
        config.server.port = other.getsockname()[1]
        result = doctor.check_port(config)
    assert not result.ok and "server.port" in result.fix


def test_port_taken_by_the_running_kiosk_is_ok() -> None:
    kiosk = FakeKiosk(EventBus())
    handle = start_server(make_config(), kiosk, kiosk.bus)
    try:
        config = make_config()
        config.server.port = int(handle.server.server_address[1])
        result = doctor.check_port(config)
    finally:
        handle.close()
    assert result.ok and "running kiosk" in result.detail
    assert doctor.check_port(config).ok  # and free again once it stopped


def test_unknown_device_is_a_problem_that_says_what_to_do() -> None:
    config = Config()
    config.audio.input_device = "no-such-microphone-anywhere"
    result = doctor.check_microphone(config)
    assert not result.ok and "kiosk devices" in result.fix


@pytest.mark.live
def test_devices_open_when_present(pulse: PulseServer) -> None:
    config = Config()
    config.audio.input_device, config.audio.output_device = MIC, SPEAKER
    assert doctor.check_microphone(config).ok
    assert doctor.check_speaker(config).ok


def test_the_command_prints_every_check_and_fails_on_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text("voice:\n  rate_wpm: quick\n", encoding="utf-8")
    assert main(["--config", str(config), "doctor"]) == 1
    lines = capsys.readouterr().out.splitlines()
    checked = [line for line in lines if line.startswith(("OK ", "PROBLEM "))]
    assert len(checked) == len(doctor.CHECKS) + 1
    assert checked[0].startswith("PROBLEM config") and "voice.rate_wpm" in checked[0]
    assert lines[-1].startswith("kiosk doctor: ") and "problem" in lines[-1]
