"""The open side of the control server: health, the pages, and the screen's event stream."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from kiosk.server import ServerHandle
from tests.fake_kiosk import TOKEN, FakeKiosk, request


def test_health_is_open_and_carries_no_secrets(handle: ServerHandle, kiosk: FakeKiosk) -> None:
    kiosk.set(question="my name is jane doe", answer="secret answer")
    status, data = request(handle, "GET", "/api/health")
    assert status == 200 and data["ok"] is True and data["token_set"] is True
    assert TOKEN not in json.dumps(data) and "jane" not in json.dumps(data)


@pytest.mark.parametrize(
    ("path", "marker"),
    [("/", 'lang="en"'), ("/staff", "Play overview"), ("/screen.js", "EventSource")],
)
def test_pages_are_served_with_a_strict_content_policy(
    handle: ServerHandle, path: str, marker: str
) -> None:
    host, port = handle.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 200 and marker in response.read().decode()
    assert response.getheader("Content-Security-Policy", "").startswith("default-src 'self'")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    connection.close()


def read_event(stream: http.client.HTTPResponse) -> dict[str, Any]:
    lines: list[bytes] = []
    while not (line := stream.readline()).startswith(b"data: "):
        lines.append(line)
    assert b"event: status\n" in lines
    event: dict[str, Any] = json.loads(line.removeprefix(b"data: "))
    return event


def test_event_stream_shows_what_was_said_and_nothing_else(
    handle: ServerHandle, kiosk: FakeKiosk
) -> None:
    host, port = handle.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.request("GET", "/events")
    stream = connection.getresponse()
    assert stream.status == 200 and stream.getheader("Content-Type", "").startswith(
        "text/event-stream"
    )
    assert read_event(stream)["state"] == "idle"
    kiosk.bus.publish("alert", {"kind": "emergency", "text": "help me"})
    kiosk.set(state="speaking", question="does it hurt", answer="You will have medicine.")
    event = read_event(stream)
    assert event == {
        "state": "speaking",
        "question": "does it hurt",
        "answer": "You will have medicine.",
        "rate_wpm": 160,
    }
    connection.close()


def test_beyond_loopback_the_screen_needs_the_token(handle: ServerHandle) -> None:
    handle.server.loopback = False  # as if bound to a LAN address (tests bind only to loopback)
    assert request(handle, "GET", "/", None, {"Host": "10.0.0.5"})[0] == 401
    assert request(handle, "GET", f"/?token={TOKEN}", None, {"Host": "10.0.0.5"})[0] == 200
    assert request(handle, "GET", "/events?token=nope")[0] == 401
