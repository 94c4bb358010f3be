"""A stand-in for the live kiosk, HTTP helpers, and the `kiosk` (a FakeKiosk) and `handle` (a
control server in front of it) fixtures, for tests about the control server itself."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from kiosk.config import TOKEN_ENV, Config
from kiosk.events import Alert, EventBus, KioskStatus
from kiosk.server import ServerHandle, start_server

OVERVIEW_TEXT = "A kyphoplasty treats a broken bone in the spine."


class FakeKiosk:
    """Implements `KioskControl`: records each call and publishes status on the bus."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.calls: list[str] = []
        self.alerts: list[Alert] = []
        self.current = KioskStatus("idle", engine="fake-engine", voice="fake-voice", rate_wpm=160)

    def set(self, **changes: Any) -> None:
        self.current = replace(self.current, **changes)
        self.bus.publish("status", self.current.to_json())

    def play_overview(self) -> None:
        self.calls.append("overview")
        self.set(state="speaking", question=None, intent="overview", answer=OVERVIEW_TEXT)

    def stop(self) -> None:
        self.calls.append("stop")
        self.set(state="idle")

    def repeat(self) -> None:
        self.calls.append("repeat")

    def change_volume(self, steps: int) -> None:
        self.calls.append(f"volume {steps:+d}")

    def status(self) -> KioskStatus:
        return self.current

    def recent_alerts(self) -> list[Alert]:
        return list(self.alerts)


TOKEN = "correct-horse-battery"


def make_config(token: str | None = TOKEN, host: str = "127.0.0.1") -> Config:
    config = Config()
    config.server.host, config.server.port, config.server.token = host, 0, token
    return config


def request(
    handle: ServerHandle,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    host, port = handle.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(data) if "json" in kind else {"text": data.decode()}
    finally:
        connection.close()


def staff(handle: ServerHandle, path: str, body: Any = None, token: str = TOKEN) -> int:
    data = json.dumps(body).encode() if body is not None else None
    method = "GET" if path in ("/api/status", "/api/alerts") else "POST"
    return request(handle, method, path, data, {"Authorization": f"Bearer {token}"})[0]


@pytest.fixture
def kiosk(monkeypatch: pytest.MonkeyPatch) -> FakeKiosk:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    return FakeKiosk(EventBus())


@pytest.fixture
def handle(kiosk: FakeKiosk) -> Iterator[ServerHandle]:
    running = start_server(make_config(), kiosk, kiosk.bus)
    yield running
    running.close()
