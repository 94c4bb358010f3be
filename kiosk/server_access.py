"""Who may talk to the control server, and what a request body may be (pure functions)."""

from __future__ import annotations

import hmac
import ipaddress
import json
import threading
import time
from email.message import Message
from io import BufferedIOBase
from typing import Any

MAX_BODY = 1024
"""Largest request body accepted (bytes); control bodies are tiny JSON objects."""


REFUSAL_LOG_S = 60.0
"""Refused calls from one address are logged as a warning at most once this often."""


class RefusalLog:
    """Decides which refused calls to log, so a client stuck with a wrong token cannot flood it."""

    def __init__(self, every_s: float = REFUSAL_LOG_S) -> None:
        self._every_s = every_s
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def should_log(self, address: str, now: float | None = None) -> bool:
        """True for the first refusal from `address` in each period."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if now - self._last.get(address, -self._every_s) < self._every_s:
                return False
            if len(self._last) > 1000:  # many addresses: forget the old ones
                self._last.clear()
            self._last[address] = now
            return True


class BadRequest(Exception):
    """A request the server refuses: `code` is the HTTP status, the message says why."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`; any other name counts as beyond loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_header_is_loopback(host: str) -> bool:
    """Whether a `Host` header (`name`, `name:port`, `[v6]:port`) names this machine."""
    if host.startswith("["):
        return is_loopback(host[1:].split("]")[0])
    return is_loopback(host.rsplit(":", 1)[0] if host.count(":") == 1 else host)


def bearer_token(authorization: str) -> str:
    """The token from an `Authorization: Bearer TOKEN` header, or ""."""
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def token_matches(given: str, token: str | None) -> bool:
    """Constant-time comparison; never true when no token is configured."""
    return bool(token) and hmac.compare_digest(given.encode(), (token or "").encode())


def read_json_body(headers: Message, rfile: BufferedIOBase) -> dict[str, Any]:
    """The request's JSON object body ({} when empty); `BadRequest` when too big or malformed."""
    if "Transfer-Encoding" in headers:
        raise BadRequest(411, "send a Content-Length")
    try:
        length = int(headers.get("Content-Length", "0"))
    except ValueError:
        raise BadRequest(400, "bad Content-Length") from None
    if length > MAX_BODY:
        raise BadRequest(413, f"request body over {MAX_BODY} bytes")
    if length < 0:
        raise BadRequest(400, "bad Content-Length")
    raw = rfile.read(length) if length else b""
    if len(raw) < length:
        raise BadRequest(400, "request body shorter than its Content-Length")
    try:
        body = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return body
