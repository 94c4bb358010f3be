"""Local usage counts for content editors, in one SQLite file (`usage.database`).

Kept: how often each intent was asked per day, and how each question ended (answered at once,
confirmed, declined, unanswered, misheard and asked again). Only with
`usage.store_questions: true`: the text of questions the kiosk could not answer, with numbers
removed and every word that is neither in the content's vocabulary nor a common English word
replaced by "…" (so names are never kept).
Never audio, never times of day. A broken database never stops the kiosk: `record` logs and
carries on.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kiosk.common_words import COMMON_WORDS
from kiosk.config import UsageConfig
from kiosk.errors import KioskError

if TYPE_CHECKING:
    from kiosk.content import Content

log = logging.getLogger(__name__)

Outcome = Literal["answered", "confirmed", "declined", "unanswered", "misheard"]
"""How a question ended: answered at once; yes / no (or no reply) to a confirmation; rejected;
heard too unclearly to place, so the person was asked to say it again."""
UNANSWERED: tuple[Outcome, ...] = ("unanswered", "declined")
"""Outcomes whose (cleaned) question text is kept when `store_questions` is on."""
NO_INTENT = "-"
"""The intent recorded for a question that matched nothing."""
HIDDEN = "…"
_NUMBERS = """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million first second third fourth fifth sixth seventh eighth ninth
    tenth twelfth twentieth once twice half dozen"""
NUMBER_WORDS = frozenset(_NUMBERS.split())
SCHEMA = """
CREATE TABLE IF NOT EXISTS asked (
    day TEXT NOT NULL, intent TEXT NOT NULL, outcome TEXT NOT NULL,
    count INTEGER NOT NULL, score_sum REAL NOT NULL, PRIMARY KEY (day, intent, outcome));
CREATE TABLE IF NOT EXISTS unanswered (
    day TEXT NOT NULL, text TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, text));
"""


def content_vocabulary(content: Content) -> frozenset[str]:
    """Every word of the intent examples, topics, tests, prompts and document passages."""
    texts = [passage.text for passage in content.document.passages.values()]
    texts += [prompt.text for prompt in content.prompts.values()]
    for intent in content.intents.values():
        texts += [line.text for line in intent.examples]
        texts += [intent.topic.text] if intent.topic else []
    for tests in content.tests.values():
        texts += [line.text for line in (*tests.match, *tests.no_match)]
    return frozenset(word for text in texts for word in re.findall(r"[a-z']+", text.lower()))


def clean_question(text: str, vocabulary: Iterable[str] = ()) -> str:
    """`text` with numbers dropped and unknown words (names) replaced by "…"."""
    from kiosk.text import words  # normalised: contractions expanded, number words as digits

    known = COMMON_WORDS | frozenset(vocabulary)
    kept: list[str] = []
    for word in words(text):
        if any(c.isdigit() for c in word) or word in NUMBER_WORDS:
            continue
        shown = word if word in known else HIDDEN
        if not (shown == HIDDEN and kept and kept[-1] == HIDDEN):
            kept.append(shown)
    return " ".join(kept)


class UsageLog:
    """Records each question's intent and outcome; never raises while the kiosk runs."""

    def __init__(
        self,
        config: UsageConfig,
        vocabulary: Iterable[str] = (),
        today: Callable[[], date] = date.today,
    ) -> None:
        self.config = config
        self.vocabulary = frozenset(vocabulary)
        self.today = today
        self._failing = False

    def record(
        self, intent: str | None, score: float, question: str | None, outcome: Outcome
    ) -> None:
        """Count one question (`intent` None: matched nothing); keep its cleaned text if allowed."""
        if not self.config.enabled:
            return
        day = self.today().isoformat()
        text = ""
        if self.config.store_questions and question and outcome in UNANSWERED:
            text = clean_question(question, self.vocabulary)
        try:
            with _connect(self.config.database) as db:
                db.executescript(SCHEMA)
                db.execute(
                    "INSERT INTO asked VALUES (?, ?, ?, 1, ?) ON CONFLICT DO UPDATE SET "
                    "count = count + 1, score_sum = score_sum + excluded.score_sum",
                    (day, intent or NO_INTENT, outcome, float(score)),
                )
                if text.strip(HIDDEN + " "):
                    db.execute(
                        "INSERT INTO unanswered VALUES (?, ?, 1) "
                        "ON CONFLICT DO UPDATE SET count = count + 1",
                        (day, text),
                    )
            self._failing = False
        except sqlite3.Error as error:
            level = logging.DEBUG if self._failing else logging.WARNING
            log.log(level, "usage counts not saved to %s: %s", self.config.database, error)
            self._failing = True


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=2)


def open_for_report(path: Path) -> sqlite3.Connection:
    """The usage database, read-only; `KioskError` (one line) when missing or not a database."""
    if not path.is_file():
        raise KioskError(f"no usage recorded yet: {path} does not exist")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        db.execute("SELECT count(*) FROM asked").fetchone()
    except sqlite3.Error as error:
        raise KioskError(
            f"{path} is not a usable usage database ({error}); move it aside"
        ) from None
    return db
