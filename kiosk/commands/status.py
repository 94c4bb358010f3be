"""`kiosk status`: what the running kiosk is doing, what it last heard and said."""

from __future__ import annotations

import argparse
import json
from typing import Any

LABELS = (
    ("state", "State"),
    ("question", "Last question"),
    ("intent", "Last intent"),
    ("answer", "Last said"),
    ("engine", "Recognizer"),
    ("voice", "Voice"),
    ("rate_wpm", "Rate (words/min)"),
    ("volume", "Volume"),
    ("uptime_s", "Running for"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the status as JSON")


def run(args: argparse.Namespace) -> int:
    from kiosk.client import call
    from kiosk.config import load_config

    status = call(load_config(args.config), "GET", "/api/status")
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    for name, label in LABELS:
        print(f"{label + ':':<18}{_shown(name, status.get(name))}")
    return 0


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if name == "volume":
        return f"{round(float(value) * 100)}%"
    if name == "uptime_s":
        minutes = int(value) // 60
        return f"{minutes // 60} h {minutes % 60} min"
    text = str(value)
    return text if len(text) <= 100 else text[:97] + "..."
