"""Single key presses from the terminal (raw mode), mapped to kiosk functions by `config.keys`.

A USB big-button or keypad is a keyboard to the PC: whatever key it sends is named here (a letter,
`space`, `enter`, `up`, `pageup`, `f5`...) and works once `kiosk.yaml` maps it, e.g.
`keys: {talk: enter}`. `kiosk run -v` logs the name of every key pressed.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import termios
import threading
import tty
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TextIO

from kiosk.config import KeysConfig
from kiosk.turns import KEYS, Key

log = logging.getLogger(__name__)

NAMES = {
    " ": "space", "\r": "enter", "\n": "enter", "\t": "tab", "\x7f": "backspace",
    "\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left",
    "\x1b[H": "home", "\x1b[F": "end", "\x1b[2~": "insert", "\x1b[3~": "delete",
    "\x1b[5~": "pageup", "\x1b[6~": "pagedown",
    "\x1bOP": "f1", "\x1bOQ": "f2", "\x1bOR": "f3", "\x1bOS": "f4", "\x1b[15~": "f5",
    "\x1b[17~": "f6", "\x1b[18~": "f7", "\x1b[19~": "f8", "\x1b[20~": "f9", "\x1b[21~": "f10",
    "\x1b[23~": "f11", "\x1b[24~": "f12",
}  # fmt: skip
"""Terminal byte sequences -> key names (anything else is named by its character)."""
POLL_S = 0.2


def split_keys(data: str) -> list[str]:
    """Key names in a chunk read from the terminal (escape sequences kept whole)."""
    names: list[str] = []
    i = 0
    while i < len(data):
        end = i + 1
        if data[i] == "\x1b" and i + 1 < len(data) and data[i + 1] in "[O":
            end = i + 2
            if data[i + 1] == "O":
                end = min(len(data), i + 3)
            else:
                while end < len(data) and not (data[end].isalpha() or data[end] == "~"):
                    end += 1
                end = min(len(data), end + 1)
        token = data[i:end]
        names.append(NAMES.get(token, token.lower() if len(token) == 1 else token))
        i = end
    return names


def key_map(config: KeysConfig) -> dict[str, Key]:
    """Key name -> kiosk function, from the configuration."""
    return {
        str(getattr(config, field.name)).lower(): field.name
        for field in fields(config)
        if field.name in KEYS
    }


class KeyReader:
    """Reads keys in a daemon thread while running; restores the terminal on `close`."""

    def __init__(
        self, config: KeysConfig, on_key: Callable[[Key], None], stream: TextIO | None = sys.stdin
    ) -> None:
        self._map = key_map(config)
        self._on_key = on_key
        self._stream = stream
        self._saved: list[Any] | None = None
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start reading; False (and nothing done) when the input is not a terminal (or is
        closed or missing, as for a service started without one)."""
        if self._stream is None or self._stream.closed or not self._stream.isatty():
            return False
        fd = self._stream.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)  # keys arrive one by one; Ctrl-C still interrupts
        self._thread = threading.Thread(target=self._read, args=(fd,), name="keys", daemon=True)
        self._thread.start()
        return True

    def close(self) -> None:
        """Stop reading and give the terminal back as it was."""
        self._closing.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * POLL_S + 1)
        if self._saved is not None and self._stream is not None:
            termios.tcsetattr(self._stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def _read(self, fd: int) -> None:
        while not self._closing.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], POLL_S)
                data = os.read(fd, 64) if ready else None
            except OSError as error:  # the terminal went away
                log.warning("cannot read keys any more: %s", error)
                return
            if data is None:
                continue
            if not data:
                return  # end of input
            for name in split_keys(data.decode("utf-8", errors="replace")):
                function = self._map.get(name)
                log.debug("key %r pressed: %s", name, function or "no function")
                if function is not None:
                    self._on_key(function)
