"""`kiosk render`: render every passage and prompt at every speaking rate into the speech cache."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the voice, rates and cache folder come from kiosk.yaml."""


def run(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.content import load_content
    from kiosk.voices import load_voice
    from kiosk.voices.cache import SpeechCache, rate_steps, render_all

    config = load_config(args.config)
    content = load_content(config.content)
    voice = load_voice(config.voice)
    rates = rate_steps(config.voice)
    print(f"Rendering with {voice.name} at {', '.join(map(str, rates))} words a minute")

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total}", end="\n" if done == total else "", file=sys.stderr)
        elif done % 50 == 0 or done == total:
            print(f"{done}/{total}", file=sys.stderr, flush=True)

    report = render_all(content, SpeechCache(voice, config.voice), rates, progress)
    print(
        f"{report.rendered} rendered, {report.cached} already cached, "
        f"{report.seconds:.1f} s; cache {report.bytes / 1e6:.1f} MB in {config.voice.cache}"
    )
    return 0
