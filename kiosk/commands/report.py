"""`kiosk report`: what patients asked, what was confirmed or corrected, what went unanswered."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import date, timedelta

TOP = 10
"""Rows shown in each table."""
OUTCOMES = ("answered", "confirmed", "declined", "unanswered")
TABLES = (
    (
        "Most asked intents (count, average match score)",
        "SELECT intent, sum(count), round(sum(score_sum) / sum(count), 2) FROM asked "
        "WHERE day >= ? AND intent != '-' GROUP BY intent",
    ),
    (
        'Most often confirmed (the person said yes to "Did you want to know about...?")',
        "SELECT intent, sum(count) FROM asked WHERE day >= ? AND outcome = 'confirmed' "
        "GROUP BY intent",
    ),
    (
        "Most often corrected (the person said no to the confirmation: a wrong match)",
        "SELECT intent, sum(count) FROM asked WHERE day >= ? AND outcome = 'declined' "
        "GROUP BY intent",
    ),
    (
        "Top unanswered questions (numbers and names removed)",
        "SELECT text, sum(count) FROM unanswered WHERE day >= ? GROUP BY text",
    ),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days", type=int, default=30, help="how many days back to look (default 30)"
    )


def run(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.errors import KioskError
    from kiosk.usage import open_for_report

    if args.days < 1:
        raise KioskError("--days must be 1 or more")
    config = load_config(args.config)
    path = config.usage.database
    since = (date.today() - timedelta(days=args.days - 1)).isoformat()
    db = open_for_report(path)
    try:
        print(f"Usage since {since} ({args.days} days), from {path}")
        query = "SELECT outcome, sum(count) FROM asked WHERE day >= ? GROUP BY outcome"
        totals = {str(outcome): int(count) for outcome, count in db.execute(query, (since,))}
        counts = ", ".join(f"{name} {totals.get(name, 0)}" for name in OUTCOMES)
        asked = sum(totals.get(name, 0) for name in OUTCOMES)
        again = totals.get("misheard", 0)  # then asked again: the retry has its own outcome
        print(f"Questions: {asked} ({counts}); misheard and asked to say it again: {again}")
        for title, query in TABLES:
            rows = db.execute(f"{query} ORDER BY 2 DESC, 1 LIMIT {TOP}", (since,)).fetchall()
            print(f"\n{title}:")
            for first, count, *score in rows:
                print(f"  {count:>5}  {first}" + (f"  ({score[0]})" if score else ""))
            if not rows:
                print("  none")
    except sqlite3.Error as error:
        raise KioskError(f"{path}: cannot read usage ({error}); move it aside") from None
    finally:
        db.close()
    if not config.usage.store_questions:
        print("\n(question text is not kept: usage.store_questions is off in kiosk.yaml)")
    return 0
