"""Talk to the running kiosk's control server (for `kiosk overview`, `stop`, `status`).

Standard library only, so these commands start quickly. Every failure is a `KioskError` with
one line that says what to do.
"""

from __future__ import annotations

import http.client
import json
from typing import Any

from kiosk.config import TOKEN_ENV, Config
from kiosk.errors import KioskError

TIMEOUT_S = 5.0
"""How long to wait for the kiosk to answer."""


def call(config: Config, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Send one request with the staff token; the decoded JSON reply."""
    token = config.staff_token
    if not token:
        raise KioskError(f"no staff token: set {TOKEN_ENV} or server.token in kiosk.yaml")
    host, port = config.server.host, config.server.port
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"  # listening everywhere: this machine is one of them
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    except ConnectionRefusedError:
        raise KioskError(f"the kiosk is not running (nothing listens on {host}:{port})") from None
    except TimeoutError:
        raise KioskError(f"the kiosk at {host}:{port} did not answer in time") from None
    except (OSError, http.client.HTTPException) as error:
        raise KioskError(f"cannot reach the kiosk at {host}:{port}: {error}") from None
    finally:
        connection.close()
    try:
        reply = json.loads(raw)
    except ValueError:
        raise KioskError(f"{host}:{port} is not the kiosk (unexpected reply)") from None
    if response.status == 401:
        raise KioskError(f"the kiosk did not accept the staff token (check {TOKEN_ENV})")
    if response.status != 200:
        message = reply.get("error") if isinstance(reply, dict) else None
        raise KioskError(f"the kiosk refused: {message or response.status}")
    return reply
