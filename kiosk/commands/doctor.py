"""`kiosk doctor`: check devices, models, voices, content, disk and port; say what to fix."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: it checks what kiosk.yaml (or --config) configures."""


def run(args: argparse.Namespace) -> int:
    from kiosk.config import Config, load_config
    from kiosk.doctor import CHECKS, Result
    from kiosk.errors import ConfigError

    try:
        config = load_config(args.config)
        results = [Result("config", True, f"{args.config or 'kiosk.yaml (or defaults)'} loads")]
    except ConfigError as error:
        config = Config()
        results = [Result("config", False, str(error), "correct that setting (see kiosk.yaml)")]
    problems = 0
    for check in CHECKS:
        try:
            results.append(check(config))
        except Exception as error:  # a check must never stop the others
            results.append(Result(check.__name__.removeprefix("check_"), False, str(error)))
    for result in results:
        mark = "OK     " if result.ok else "PROBLEM"
        print(f"{mark} {result.name:<13} {result.detail}")
        if not result.ok:
            problems += 1
            if result.fix:
                print(f"        {'':<13} -> {result.fix}")
    print(f"kiosk doctor: {problems} problem(s)" if problems else "kiosk doctor: all good")
    return 1 if problems else 0
