"""The control server: who may do what, and bad requests refused without harming the kiosk."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from kiosk import server as server_module
from kiosk.config import TOKEN_ENV
from kiosk.errors import ConfigError
from kiosk.events import Alert
from kiosk.server import ServerHandle, start_server
from kiosk.server_access import RefusalLog
from tests.fake_kiosk import TOKEN, FakeKiosk, make_config, request, staff


@pytest.mark.parametrize(
    ("path", "body", "call"),
    [
        ("/api/overview", None, "overview"),
        ("/api/stop", {}, "stop"),
        ("/api/repeat", None, "repeat"),
        ("/api/volume", {"steps": 1}, "volume +1"),
        ("/api/volume", {"steps": -1}, "volume -1"),
    ],
)
def test_control_calls_with_the_token(
    handle: ServerHandle, kiosk: FakeKiosk, path: str, body: Any, call: str
) -> None:
    assert staff(handle, path, body) == 200
    assert kiosk.calls == [call]


def test_status_and_alerts_for_staff(handle: ServerHandle, kiosk: FakeKiosk) -> None:
    kiosk.set(question="how long does it take", intent="duration")
    kiosk.alerts.append(Alert("emergency", "i feel faint"))
    status, data = request(
        handle, "GET", "/api/status", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200
    assert (data["state"], data["question"], data["intent"]) == (
        "idle",
        "how long does it take",
        "duration",
    )
    assert (
        data["engine"] == "fake-engine" and data["voice"] == "fake-voice" and data["uptime_s"] >= 0
    )
    status, data = request(
        handle, "GET", "/api/alerts", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200 and data["alerts"][0]["kind"] == "emergency"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic " + TOKEN, TOKEN])
@pytest.mark.parametrize("path", ["/api/overview", "/api/stop", "/api/status", "/api/alerts"])
def test_missing_or_wrong_token_is_refused_and_logged(
    handle: ServerHandle,
    kiosk: FakeKiosk,
    caplog: pytest.LogCaptureFixture,
    path: str,
    header: str | None,
) -> None:
    headers = {"Authorization": header} if header else {}
    method = "POST" if path in server_module.CONTROL else "GET"
    with caplog.at_level(logging.WARNING, logger="kiosk.server"):
        status, data = request(handle, method, path, b"{}" if method == "POST" else None, headers)
    assert status == 401 and "token" in data["error"]
    assert kiosk.calls == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "127.0.0.1" in warnings[0]
    assert "wrong-token" not in caplog.text and TOKEN not in caplog.text


def test_no_token_configured_refuses_control_and_says_how(kiosk: FakeKiosk) -> None:
    running = start_server(make_config(token=None), kiosk, kiosk.bus)
    try:
        status, data = request(running, "POST", "/api/overview", b"", {"Authorization": "Bearer "})
        assert status == 403 and TOKEN_ENV in data["error"] and "server.token" in data["error"]
        assert kiosk.calls == []
        assert request(running, "GET", "/")[0] == 200  # the screen stays open on loopback
    finally:
        running.close()


def test_environment_token_overrides_the_file(
    kiosk: FakeKiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "from-the-environment")
    running = start_server(make_config(token="from-the-file"), kiosk, kiosk.bus)
    try:
        assert staff(running, "/api/stop", token="from-the-file") == 401
        assert staff(running, "/api/stop", token="from-the-environment") == 200
        assert kiosk.calls == ["stop"]
    finally:
        running.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "kiosk.example"])
def test_refuses_to_listen_beyond_loopback_without_a_token(kiosk: FakeKiosk, host: str) -> None:
    with pytest.raises(ConfigError, match="token"):
        start_server(make_config(token=None, host=host), kiosk, kiosk.bus)


def test_port_in_use_is_a_one_line_error(handle: ServerHandle, kiosk: FakeKiosk) -> None:
    config = make_config()
    config.server.port = int(handle.server.server_address[1])
    with pytest.raises(ConfigError, match="cannot listen"):
        start_server(config, kiosk, kiosk.bus)


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "expected"),
    [
        ("POST", "/api/volume", b'{"steps": 1', {}, 400),
        ("POST", "/api/volume", b"[1, -1]", {}, 400),
        ("POST", "/api/volume", b'{"steps": 5}', {}, 400),
        ("POST", "/api/volume", b'{"steps": true}', {}, 400),
        ("POST", "/api/volume", b"\xff\xfe", {}, 400),
        ("POST", "/api/overview", b"x" * 5000, {}, 413),
        ("POST", "/api/overview", None, {"Content-Length": "99999999"}, 413),
        ("POST", "/api/overview", None, {"Content-Length": "many"}, 400),
        ("GET", "/api/overview", None, {}, 405),
        ("POST", "/api/status", b"{}", {}, 405),
        ("DELETE", "/api/stop", None, {}, 405),
        ("GET", "/etc/passwd", None, {}, 404),
        ("GET", "/../kiosk/server.py", None, {}, 404),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_done(
    handle: ServerHandle,
    kiosk: FakeKiosk,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    expected: int,
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", **headers}
    status, data = request(handle, method, path, body, headers)
    assert status == expected and data["error"]
    assert kiosk.calls == []
    assert staff(handle, "/api/repeat") == 200  # and the server carries on


def test_a_failing_kiosk_gets_a_500_and_the_server_carries_on(
    handle: ServerHandle, kiosk: FakeKiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("audio device vanished")

    monkeypatch.setattr(kiosk, "play_overview", broken)
    assert staff(handle, "/api/overview") == 500
    assert staff(handle, "/api/stop") == 200


def test_a_silent_client_is_dropped_and_others_are_served(
    handle: ServerHandle, kiosk: FakeKiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module._Handler, "timeout", 0.2)
    address = handle.server.server_address[:2]
    with socket.create_connection((str(address[0]), int(address[1])), timeout=10) as silent:
        silent.sendall(b"POST /api/stop HTTP/1.1\r\n")  # and never finishes the request
        assert staff(handle, "/api/repeat") == 200
        assert silent.recv(1024) == b""  # the server gave up on it
    assert kiosk.calls == ["repeat"]


def test_a_foreign_host_header_is_refused(handle: ServerHandle, kiosk: FakeKiosk) -> None:
    headers = {"Host": "evil.example:8765", "Authorization": f"Bearer {TOKEN}"}
    assert request(handle, "POST", "/api/stop", b"{}", headers)[0] == 403
    assert request(handle, "GET", "/", None, {"Host": "evil.example"})[0] == 403
    assert request(handle, "GET", "/", None, {"Host": "localhost:8765"})[0] == 200
    assert kiosk.calls == []


def test_repeated_refusals_from_one_address_are_logged_once(
    handle: ServerHandle, kiosk: FakeKiosk, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.server"):
        for _ in range(20):
            assert staff(handle, "/api/stop", token="stale-token") == 401
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    assert kiosk.calls == []


def test_refusal_log_allows_one_warning_per_address_per_period() -> None:
    refusals = RefusalLog(every_s=60)
    assert refusals.should_log("10.0.0.1", now=0.0)
    assert not refusals.should_log("10.0.0.1", now=30.0)
    assert refusals.should_log("10.0.0.2", now=30.0)
    assert refusals.should_log("10.0.0.1", now=61.0)
