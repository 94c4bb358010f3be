"""Server-sent events for the large-print screen: what the kiosk is doing and just said.

The runtime publishes `bus.publish("status", status.to_json())` whenever its state changes.
Each stream sends the current status first, then one `status` event per change, reduced to
what the screen shows (never alerts, engine names or anything staff-only).
"""

from __future__ import annotations

import json
import queue
import threading
from io import BufferedIOBase
from typing import Any

from kiosk.events import EventBus, KioskControl

SCREEN_FIELDS = ("state", "question", "answer", "rate_wpm")
"""What the open screen stream carries: only what the kiosk is doing and just said aloud."""
KEEPALIVE_S = 15
"""Seconds between keep-alive comments when nothing happens (a dead screen is noticed)."""


def screen_view(status: dict[str, Any]) -> dict[str, Any]:
    """The part of a status snapshot the large-print screen may show."""
    return {name: status.get(name) for name in SCREEN_FIELDS}


def stream_events(
    out: BufferedIOBase, control: KioskControl, bus: EventBus, closing: threading.Event
) -> None:
    """Write status events to `out` until the client goes away or `closing` is set."""
    events = bus.subscribe()
    try:
        out.write(b"retry: 2000\n\n")  # the browser reconnects soon after a kiosk restart
        _send(out, screen_view(control.status().to_json()))
        quiet = 0
        while not closing.is_set():
            try:
                event = events.get(timeout=1.0)
            except queue.Empty:
                quiet += 1
                if quiet >= KEEPALIVE_S:
                    out.write(b": keep-alive\n\n")
                    out.flush()
                    quiet = 0
                continue
            if event.get("type") == "status":
                snapshot = event if "state" in event else control.status().to_json()
                _send(out, screen_view(snapshot))
                quiet = 0
    except OSError:
        pass  # the screen closed or its connection broke: nothing to clean up but the queue
    finally:
        bus.unsubscribe(events)


def _send(out: BufferedIOBase, data: dict[str, Any]) -> None:
    out.write(b"event: status\ndata: " + json.dumps(data).encode() + b"\n\n")
    out.flush()
