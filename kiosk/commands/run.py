"""`kiosk run`: the live kiosk (microphone, keys, speaker, staff control server)."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

READY = {
    "button": "press {talk} (or the big button), then ask",
    "wake": 'say "{wake}", then ask',
    "open": "just ask",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode",
        choices=("button", "wake", "open"),
        help="how listening starts (default: listening.mode in kiosk.yaml)",
    )
    parser.add_argument(
        "--typed",
        action="store_true",
        help="take typed questions from stdin instead of the microphone",
    )
    parser.add_argument(
        "--no-server", action="store_true", help="do not start the staff control server"
    )
    parser.add_argument("--answers-dir", type=Path, default=Path("kiosk-answers"),
                        help="with no speaker, write each answer here as a WAV file")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.startup import start_kiosk

    signal.signal(signal.SIGTERM, _interrupt)  # systemd stop: a clean exit, like Ctrl-C
    config = load_config(args.config)
    if args.mode:
        config.listening.mode = args.mode
    kiosk = start_kiosk(config, args.typed, args.answers_dir, server=not args.no_server)
    how = READY[config.listening.mode].format(talk=config.keys.talk,
                                              wake=config.listening.wake_phrase)  # fmt: skip
    source = "type a question and press Enter" if kiosk.typed else how
    print(f"Kiosk ready in {kiosk.ready_s:.1f} s ({config.listening.mode} mode): {source}. "
          "Ctrl-C quits.", flush=True)  # fmt: skip
    try:
        if kiosk.typed is not None:
            kiosk.typed.finished.wait()
            kiosk.runtime.wait_until_settled()
        else:
            kiosk.runtime.wait_closed()
    except KeyboardInterrupt:
        print("\nKiosk stopped.", flush=True)
    finally:
        kiosk.close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
