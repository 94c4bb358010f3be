"""`kiosk run` as a child process in a pseudo-terminal (so key presses reach it as from a
keyboard), pointed at a private PulseAudio server; used by the live tests and benchmark."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path


class KioskProcess:
    """A running `kiosk --config CONFIG -v run`, its output in `folder/kiosk.log`."""

    def __init__(self, config: Path, folder: Path, env: dict[str, str]) -> None:
        self.log = folder / "kiosk.log"
        """Everything the kiosk printed and logged."""
        self.started = time.monotonic()
        """When the process was started (monotonic clock)."""
        master, slave = pty.openpty()
        self._keys = master
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "--config", str(config), "-v", "run"],
                stdin=slave, stdout=log, stderr=log, env=env, cwd=folder,
            )  # fmt: skip
        os.close(slave)

    def press(self, key: str) -> float:
        """Type `key` into the kiosk's terminal; when (monotonic)."""
        moment = time.monotonic()
        os.write(self._keys, key.encode())
        return moment

    def close(self, timeout: float = 30) -> int:
        """Stop the kiosk (SIGTERM, then SIGKILL after `timeout`); its exit code."""
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._keys)
        return self.process.returncode
