"""Staff alerts: a WARNING log line, the configured shell command, the event bus, a short history.

`raise_alert` never blocks the caller: the command runs in its own thread, and a command that
fails or hangs is logged and abandoned, never retried in the loop.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from collections import deque
from dataclasses import asdict
from typing import Literal

from kiosk.events import Alert, EventBus

log = logging.getLogger(__name__)

KEEP = 20
"""Alerts kept for the staff panel."""
COMMAND_TIMEOUT_S = 30.0
"""A command running longer than this is killed."""


class StaffAlerts:
    """Raises alerts and remembers the recent ones (thread-safe)."""

    def __init__(self, command: str | None, bus: EventBus) -> None:
        self.bus = bus
        """Where alerts (and the kiosk's status) are published."""
        self._command = command
        self._lock = threading.Lock()
        self._recent: deque[Alert] = deque(maxlen=KEEP)

    def raise_alert(self, kind: Literal["staff", "emergency"], text: str) -> Alert:
        """Tell staff at once, every way configured."""
        alert = Alert(kind, text)
        log.warning("STAFF ALERT (%s): %s", kind, text or "-")
        with self._lock:
            self._recent.append(alert)
        self.bus.publish("alert", asdict(alert))
        if self._command:
            threading.Thread(
                target=self._run, args=(self._command, alert), name="alert-command", daemon=True
            ).start()
        return alert

    def recent(self) -> list[Alert]:
        """The most recent alerts, oldest first."""
        with self._lock:
            return list(self._recent)

    @staticmethod
    def _run(command: str, alert: Alert) -> None:
        env = {**os.environ, "KIOSK_ALERT_KIND": alert.kind, "KIOSK_ALERT_TEXT": alert.text}
        try:
            done = subprocess.run(
                command, shell=True, env=env, timeout=COMMAND_TIMEOUT_S, check=False,
                stdin=subprocess.DEVNULL, capture_output=True, text=True,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            log.error("alert command timed out after %.0f s: %s", COMMAND_TIMEOUT_S, command)
            return
        except OSError as error:
            log.error("alert command could not run: %s", error)
            return
        if done.returncode != 0:
            detail = (done.stderr or "").strip().splitlines()
            log.error("alert command failed (exit %d): %s", done.returncode,
                      detail[-1] if detail else command)  # fmt: skip
