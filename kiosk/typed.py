"""Questions typed on standard input, one per line: for a kiosk without a microphone (or
`kiosk run --typed`). Each line is like pressing the big button and asking it aloud, once the
kiosk has finished speaking; a command for speaking time ("stop", "louder") acts at once."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from kiosk.conversation import WHILE_SPEAKING
from kiosk.matcher import Match
from kiosk.runtime import Runtime
from kiosk.turns import ButtonPressed, Heard

log = logging.getLogger(__name__)

MAX_CHARS = 1000
"""Longer lines are cut (a question is a sentence or two)."""


class TypedQuestions:
    """Reads lines in a daemon thread; `finished` is set at the end of input."""

    def __init__(
        self, match: Callable[[str], Match], runtime: Runtime, stream: TextIO = sys.stdin
    ) -> None:
        self.finished = threading.Event()
        """Set when the input ends (Ctrl-D, or the end of a piped file)."""
        self._match = match
        self._runtime = runtime
        self._stream = stream

    def start(self) -> None:
        threading.Thread(target=self._read, name="typed", daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self._stream:
                question = line.strip()[:MAX_CHARS]
                if not question:
                    continue
                found = self._match(question)
                if found.intent not in WHILE_SPEAKING:
                    self._runtime.wait_until_settled()
                    self._runtime.post(ButtonPressed("talk"))
                self._runtime.post(Heard(question, found), time.monotonic())
        except (OSError, UnicodeDecodeError) as error:
            log.warning("cannot read typed questions any more: %s", error)
        finally:
            self.finished.set()
