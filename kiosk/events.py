"""What the running kiosk tells the outside world, and what staff can ask of it.

The live loop (`kiosk.runtime`) implements `KioskControl` and publishes `KioskStatus`
snapshots and `Alert`s on an `EventBus`; the control server (`kiosk.server`) only talks to
these, so either side can be tested without the other.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

KioskState = Literal["starting", "idle", "listening", "thinking", "speaking", "stopped"]


@dataclass(frozen=True)
class KioskStatus:
    """A snapshot of the kiosk, as the large-print screen and `kiosk status` show it."""

    state: KioskState
    """What the kiosk is doing now."""
    question: str | None = None
    """The last question heard (transcript), if any."""
    intent: str | None = None
    """The intent the last question matched; None when out of scope."""
    answer: str | None = None
    """The text of the last thing said."""
    engine: str = ""
    """The recognizer in use, e.g. `whisper-tiny.en`."""
    voice: str = ""
    """The voice in use, e.g. `piper-joe`."""
    rate_wpm: int = 0
    """Current speaking rate."""
    volume: float = 0.0
    """Current playback volume, 0-1."""
    started_at: float = field(default_factory=time.time)
    """When the kiosk started (Unix time)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["uptime_s"] = round(time.time() - self.started_at, 1)
        return data


@dataclass(frozen=True)
class Alert:
    """A call for staff: `emergency` is urgent, `staff` is a wish to talk to someone."""

    kind: Literal["staff", "emergency"]
    """How urgent."""
    text: str
    """What the person said."""
    at: float = field(default_factory=time.time)
    """When (Unix time)."""


class KioskControl(Protocol):
    """What staff (through the control server) can ask the running kiosk to do."""

    def play_overview(self) -> None: ...
    def stop(self) -> None: ...
    def repeat(self) -> None: ...
    def change_volume(self, steps: int) -> None: ...
    def status(self) -> KioskStatus: ...
    def recent_alerts(self) -> list[Alert]: ...


class EventBus:
    """Thread-safe fan-out of events (dicts with a `type` key) to any number of listeners."""

    def __init__(self, backlog: int = 100) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[queue.Queue[dict[str, Any]]] = []
        self._backlog = backlog

    def publish(self, event_type: str, payload: dict[str, Any]) -> None:
        event = {"type": event_type, **payload}
        with self._lock:
            for subscriber in self._subscribers:
                with contextlib.suppress(queue.Full):  # a stalled listener misses events;
                    subscriber.put_nowait(event)  # it never blocks the kiosk

    def subscribe(self) -> queue.Queue[dict[str, Any]]:
        subscriber: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=self._backlog)
        with self._lock:
            self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: queue.Queue[dict[str, Any]]) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)
