"""The `kiosk` command: one sub-command per module in `kiosk.commands`.

Each command module defines `add_arguments(parser)` and `run(args) -> int`, plus a
module docstring. Every command module is imported to build the parser, so each keeps its
heavy imports (speech engines, numpy) inside `run`: `kiosk ask` never pays for the speech
stack.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from kiosk.errors import KioskError

#: command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("kiosk.commands.ask", "answer a typed question (or one per line from stdin)"),
    "check": ("kiosk.commands.check", "validate the document, prompts and intent files"),
    "hear": ("kiosk.commands.hear", "recognise WAV files and answer each"),
    "say": ("kiosk.commands.say", "speak a text (or write it to a WAV file)"),
    "render": ("kiosk.commands.render", "pre-render every passage and prompt into audio/"),
    "devices": ("kiosk.commands.devices", "list audio input and output devices"),
    "run": ("kiosk.commands.run", "run the live kiosk"),
    "overview": ("kiosk.commands.overview", "play the procedure overview on the running kiosk"),
    "stop": ("kiosk.commands.stop", "stop the running kiosk speaking"),
    "status": ("kiosk.commands.status", "show what the running kiosk is doing"),
    "doctor": ("kiosk.commands.doctor", "check devices, models, voices and content"),
    "report": ("kiosk.commands.report", "show usage counts and unanswered questions"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Offline voice kiosk that answers procedure questions."
    )
    parser.add_argument("--config", help="configuration file (default: kiosk.yaml if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(module_name=module_name)
        _add_arguments(module_name, command)
    return parser


def _add_arguments(module_name: str, parser: argparse.ArgumentParser) -> None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        return  # command not built yet; running it says so
    module.add_arguments(parser)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        module = importlib.import_module(args.module_name)
        return int(module.run(args))
    except KioskError as error:
        print(f"kiosk {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
