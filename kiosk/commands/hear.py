"""`kiosk hear FILE.wav ...`: recognise each WAV file, match it, and print the answer.

A file that cannot be used gets one line on stderr and the others still run; the exit status
is 1 if any file failed.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE.wav", help="recorded questions")
    parser.add_argument(
        "--json",
        action="store_true",
        help='one JSON object per file: {"file", "transcript", "confidence", "engine", "unclear", '
        '"intent", "score", "answer", "seconds"}',
    )


def run(args: argparse.Namespace) -> int:
    from kiosk.answer import answer, prompt
    from kiosk.config import load_config
    from kiosk.content import load_content
    from kiosk.errors import AudioError
    from kiosk.hearing import domain_fit
    from kiosk.matcher import Matcher
    from kiosk.recognizers import load_recognizer
    from kiosk.recognizers.second_opinion import SecondOpinion
    from kiosk.wav import read_wav

    config = load_config(args.config)
    content = load_content(config.content)
    matcher = Matcher.from_content(content, config.matcher)
    recognizer = load_recognizer(config, content, domain_fit(matcher.match, config.listening))
    if isinstance(recognizer, SecondOpinion):
        recognizer.load()
    failed = 0
    for name in args.files:
        try:
            audio = read_wav(name)
        except AudioError as error:
            print(f"kiosk hear: {error}", file=sys.stderr, flush=True)
            failed += 1
            continue
        transcript = recognizer.transcribe(audio)
        found = matcher.match(transcript.text) if transcript.text else None
        intent = found.intent if found else None
        unclear = transcript.unclear(config.recognizer.unclear_below)
        if found is None:
            said = prompt(content, "not_heard")
        elif intent is None and unclear:
            said = prompt(content, "say_again")  # what the kiosk says to a first mishearing
        else:
            said = answer(content, intent)
        if args.json:
            result = {
                "file": name,
                "transcript": transcript.text,
                "confidence": transcript.confidence,
                "engine": transcript.engine or recognizer.name,
                "unclear": unclear,
                "intent": intent,
                "score": round(found.score, 4) if found else 0.0,
                "answer": said.text,
                "seconds": round(transcript.seconds, 3),
            }
            print(json.dumps(result), flush=True)
        else:
            print(f"{name}: {transcript.text!r} -> {intent or 'out of scope'}")
            print(said.text, end="\n\n", flush=True)
    return 1 if failed else 0
