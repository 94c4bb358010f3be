"""`kiosk ask`: answer a typed question, or one question per line from standard input."""

from __future__ import annotations

import argparse
import json
import sys

MAX_QUESTION_CHARS = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "question", nargs="?", help="the question; without it, read one per line from stdin"
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON object (always so for stdin)"
    )


def run(args: argparse.Namespace) -> int:
    from kiosk.answer import answer
    from kiosk.config import load_config
    from kiosk.content import load_content
    from kiosk.errors import KioskError
    from kiosk.matcher import Matcher

    config = load_config(args.config)
    content = load_content(config.content)
    matcher = Matcher.from_content(content, config.matcher)

    def reply(question: str) -> dict[str, object]:
        found = matcher.match(question)
        said = answer(content, found.intent)
        return {
            "question": question,
            "intent": found.intent,
            "score": round(found.score, 4),
            "runner_up": found.runner_up,
            "runner_up_score": round(found.runner_up_score, 4),
            "answer": said.text,
            "passages": list(said.passages),
        }

    if args.question is not None:
        question = args.question.strip()
        if not question:
            raise KioskError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise KioskError(f"the question is too long (limit {MAX_QUESTION_CHARS} characters)")
        result = reply(question)
        print(json.dumps(result) if args.json else result["answer"])
        return 0
    for line in sys.stdin:
        question = line.strip()[:MAX_QUESTION_CHARS]
        if question:
            print(json.dumps(reply(question)), flush=True)
    return 0
