"""`kiosk overview`, `kiosk stop`, `kiosk status` against a running control server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import TOKEN_ENV
from kiosk.server import ServerHandle
from tests.fake_kiosk import TOKEN, FakeKiosk


def config_file(tmp_path: Path, port: int, token: str | None = TOKEN) -> str:
    path = tmp_path / "kiosk.yaml"
    token_line = f"  token: {token}\n" if token else ""
    path.write_text(f"server:\n  host: 127.0.0.1\n  port: {port}\n{token_line}")
    return str(path)


def port_of(handle: ServerHandle) -> int:
    return int(handle.server.server_address[1])


@pytest.mark.parametrize(("command", "call"), [("overview", "overview"), ("stop", "stop")])
def test_commands_drive_the_kiosk(
    handle: ServerHandle, kiosk: FakeKiosk, tmp_path: Path, command: str, call: str
) -> None:
    assert main(["--config", config_file(tmp_path, port_of(handle)), command]) == 0
    assert kiosk.calls == [call]


def test_status_shows_state_question_and_intent(
    handle: ServerHandle, kiosk: FakeKiosk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kiosk.set(state="speaking", question="how long does it take", intent="duration")
    assert main(["--config", config_file(tmp_path, port_of(handle)), "status"]) == 0
    out = capsys.readouterr().out
    assert "speaking" in out and "how long does it take" in out and "duration" in out


def test_the_environment_token_is_used(
    handle: ServerHandle, kiosk: FakeKiosk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert main(["--config", config_file(tmp_path, port_of(handle), token=None), "stop"]) == 0
    assert kiosk.calls == ["stop"]


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    return error


def test_wrong_token_is_a_one_line_error(
    handle: ServerHandle, kiosk: FakeKiosk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_file(tmp_path, port_of(handle), token="not-the-token")
    assert main(["--config", config, "overview"]) == 2
    assert "token" in one_line_error(capsys) and kiosk.calls == []


def test_no_token_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["--config", config_file(tmp_path, 9, token=None), "status"]) == 2
    assert TOKEN_ENV in one_line_error(capsys)


def test_kiosk_not_running_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with socket.socket() as probe:  # a free port, closed again: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["--config", config_file(tmp_path, port), "stop"]) == 2
    assert "not running" in one_line_error(capsys)
