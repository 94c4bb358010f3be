"""The staff control server: a small HTTP server beside the live kiosk (standard library only).

Who may do what (see README "Configuration"):

- Control calls (`POST /api/overview|stop|repeat|volume`) and the staff reads
  (`GET /api/status`, `GET /api/alerts`) always need `Authorization: Bearer TOKEN`. With no
  token configured they are refused (403, saying how to set one): open control is never allowed.
- The large-print screen (`GET /`) and its event stream (`GET /events`) only show what the kiosk
  just said aloud (state, question, answer; never alerts). On loopback they are open; bound
  beyond loopback they need the token too, as `?token=` (EventSource cannot send headers).
- `GET /api/health` is always open and carries no question text and no secrets.
- On loopback, requests must name a loopback `Host` (defeats DNS rebinding from a web page).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kiosk.config import TOKEN_ENV, Config
from kiosk.errors import ConfigError
from kiosk.events import EventBus, KioskControl
from kiosk.server_access import (
    BadRequest,
    RefusalLog,
    bearer_token,
    host_header_is_loopback,
    is_loopback,
    read_json_body,
    token_matches,
)
from kiosk.server_stream import stream_events

log = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent / "web"
STATIC = {
    "/": ("screen.html", "text/html"),
    "/staff": ("staff.html", "text/html"),
    "/screen.js": ("screen.js", "text/javascript"),
    "/staff.js": ("staff.js", "text/javascript"),
    "/kiosk.css": ("kiosk.css", "text/css"),
}
CONTROL = ("/api/overview", "/api/stop", "/api/repeat", "/api/volume")
STAFF_READS = ("/api/status", "/api/alerts")
MAX_STREAMS = 8
"""Most event streams open at once (each holds a thread)."""
NO_TOKEN = f"no staff token is set: set server.token in kiosk.yaml or {TOKEN_ENV}"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # never wait for a stalled client at shutdown
    control: KioskControl
    bus: EventBus
    token: str | None
    loopback: bool
    closing: threading.Event
    streams: threading.BoundedSemaphore
    refusals: RefusalLog


class _Server6(_Server):
    address_family = socket.AF_INET6


@dataclass
class ServerHandle:
    """A running control server; `close()` stops it (open event streams end within a second)."""

    url: str
    """Base URL, e.g. `http://127.0.0.1:8765`."""
    server: _Server
    """The HTTP server."""
    thread: threading.Thread
    """The daemon thread serving requests."""

    def close(self) -> None:
        self.server.closing.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_server(config: Config, control: KioskControl, bus: EventBus) -> ServerHandle:
    """Listen on `config.server.host:port` and serve in a daemon thread."""
    host, port, token = config.server.host, config.server.port, config.staff_token
    loopback = is_loopback(host)
    if not loopback and not token:
        raise ConfigError(f"server.host {host} is beyond loopback: set a staff token first")
    try:
        server = (_Server6 if ":" in host else _Server)((host, port), _Handler)
    except OSError as error:
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    server.control, server.bus, server.token, server.loopback = control, bus, token, loopback
    server.closing = threading.Event()
    server.streams = threading.BoundedSemaphore(MAX_STREAMS)
    server.refusals = RefusalLog()
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_address[1]}"
    log.info("staff control server on %s (screen %s/, staff panel %s/staff)", url, url, url)
    if not token:
        log.warning("%s; staff control is refused until then", NO_TOKEN)
    return ServerHandle(url, server, thread)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # seconds a client may take to send its request (or to take a write)
    sent = False  # headers already on the wire: too late for an error reply
    server_version = "kiosk"
    sys_version = ""

    def _dispatch(self) -> None:
        try:
            self._route(self.command)
        except BadRequest as error:
            self._reply(error.code, {"error": str(error)})
        except OSError:
            self.close_connection = True  # the client went away or timed out
        except Exception:
            log.exception("control server: %s %s failed", self.command, self._path())
            if not self.sent:
                self._reply(500, {"error": "the kiosk could not do that; see its log"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def _path(self) -> str:
        return urlsplit(self.path).path

    def _route(self, method: str) -> None:
        path = self._path()
        if self.server.loopback and not host_header_is_loopback(self.headers.get("Host", "")):
            self._reply(403, {"error": "this server answers only to localhost"})
            return
        post = path in CONTROL
        if not post and path not in (*STATIC, *STAFF_READS, "/events", "/api/health"):
            self._reply(404, {"error": f"no such page: {path}"})
            return
        allowed = "POST" if post else "GET"
        if method != allowed:
            self._reply(405, {"error": f"{method} not allowed here"}, allow=allowed)
            return
        if path == "/api/health":
            status = self.server.control.status()
            body = {"ok": True, "state": status.state, "uptime_s": status.to_json()["uptime_s"]}
            self._reply(200, body | {"token_set": bool(self.server.token)})
        elif path in STATIC:
            if path == "/" and not self._screen_allowed():
                return
            name, kind = STATIC[path]
            self._send(200, (WEB / name).read_bytes(), f"{kind}; charset=utf-8")
        elif path == "/events":
            if self._screen_allowed():
                self._events()
        elif self._authorised():
            if post:
                self._control(path)
            elif path == "/api/status":
                self._reply(200, self.server.control.status().to_json())
            else:
                alerts = self.server.control.recent_alerts()
                self._reply(200, {"alerts": [asdict(alert) for alert in alerts]})

    def _screen_allowed(self) -> bool:
        if self.server.loopback:
            return True
        given = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        return self._check(given or bearer_token(self.headers.get("Authorization", "")))

    def _authorised(self) -> bool:
        if not self.server.token:
            self._reply(403, {"error": NO_TOKEN})
            return False
        return self._check(bearer_token(self.headers.get("Authorization", "")))

    def _check(self, given: str) -> bool:
        if token_matches(given, self.server.token):
            return True
        peer = self.client_address[0]
        level = logging.WARNING if self.server.refusals.should_log(peer) else logging.DEBUG
        why = "wrong" if given else "missing"
        log.log(level, "refused %s %s from %s: %s token", self.command, self._path(), peer, why)
        self._reply(401, {"error": "wrong or missing staff token"})
        return False

    def _control(self, path: str) -> None:
        body = read_json_body(self.headers, self.rfile)
        control = self.server.control
        if path == "/api/volume":
            steps = body.get("steps")
            if steps not in (1, -1) or isinstance(steps, bool):
                raise BadRequest(400, 'send {"steps": 1} or {"steps": -1}')
            control.change_volume(steps)
        else:
            action = {"/api/overview": control.play_overview, "/api/stop": control.stop}
            action.get(path, control.repeat)()
        log.info("staff %s from %s", path.removeprefix("/api/"), self.client_address[0])
        self._reply(200, {"ok": True})

    def _events(self) -> None:
        if not self.server.streams.acquire(blocking=False):
            self._reply(503, {"error": "too many screens open"})
            return
        try:
            self.sent = True
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            stream_events(self.wfile, self.server.control, self.server.bus, self.server.closing)
        finally:
            self.server.streams.release()

    def _reply(self, code: int, body: dict[str, Any], allow: str | None = None) -> None:
        headers = {"Allow": allow} if allow else {}
        if code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        self._send(code, json.dumps(body).encode(), "application/json", headers)

    def _send(self, code: int, data: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
        self.sent = True
        self.send_response(code)
        for name, value in (SECURITY_HEADERS | (extra or {})).items():
            self.send_header(name, value)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s -> %s", self.command, self._path(), code)  # never the query (token)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("control server: " + format, *args)
