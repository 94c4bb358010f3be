"""`kiosk overview`: play the procedure overview on the running kiosk (staff token needed)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the server address and token come from kiosk.yaml and KIOSK_STAFF_TOKEN."""


def run(args: argparse.Namespace) -> int:
    from kiosk.client import call
    from kiosk.config import load_config

    call(load_config(args.config), "POST", "/api/overview", {})
    print("The kiosk is playing the overview.")
    return 0
