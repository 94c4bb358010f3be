"""A stand-in for the live kiosk, for tests about the control server itself."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kiosk.events import Alert, EventBus, KioskStatus

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
