"""Usage counts: what is kept (and what never is), and `kiosk report` on good and broken files."""

from __future__ import annotations

import logging
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import UsageConfig
from kiosk.usage import UsageLog, clean_question

DAY = date(2026, 11, 24)


def make_log(tmp_path: Path, store_questions: bool = False) -> UsageLog:
    config = UsageConfig(store_questions=store_questions, database=tmp_path / "usage.db")
    return UsageLog(config, vocabulary={"parking", "cement"}, today=lambda: DAY)


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("Where is the parking for Mrs Okonkwo?", "where is the parking for …"),
        ("I'm Jane Smith, born 12 March 1950", "i am …"),
        ("can I take twenty five aspirin at 3pm", "can i take … at"),
        ("does the cement hurt", "does the cement hurt"),
        ("my son Benedict drives me home on the second", "my son … me home on the"),
    ],
)
def test_questions_lose_numbers_and_names(said: str, kept: str) -> None:
    assert clean_question(said, {"parking", "cement", "son"}) == kept


def test_counts_are_kept_but_no_text_by_default(tmp_path: Path) -> None:
    usage = make_log(tmp_path)
    usage.record("duration", 0.9, "how long does it take", "answered")
    usage.record("duration", 0.7, "how long is it", "answered")
    usage.record(None, 0.2, "where is the parking", "unanswered")
    asked = rows(tmp_path / "usage.db", "SELECT * FROM asked ORDER BY intent")
    assert asked == [
        ("2026-11-24", "-", "unanswered", 1, 0.2),
        ("2026-11-24", "duration", "answered", 2, pytest.approx(1.6)),
    ]
    assert rows(tmp_path / "usage.db", "SELECT * FROM unanswered") == []


def test_unanswered_text_only_when_asked_for(tmp_path: Path) -> None:
    usage = make_log(tmp_path, store_questions=True)
    usage.record(None, 0.1, "Where is the parking, Doctor Patel?", "unanswered")
    usage.record(None, 0.1, "where is the parking doctor Nakamura", "unanswered")
    usage.record("cement", 0.6, "is the cement safe", "declined")
    usage.record("duration", 0.9, "how long does it take", "answered")
    stored = rows(tmp_path / "usage.db", "SELECT text, count FROM unanswered ORDER BY text")
    assert stored == [("is the cement safe", 1), ("where is the parking doctor …", 2)]


def test_a_broken_database_is_logged_and_the_kiosk_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "usage.db").write_bytes(b"this is not sqlite" * 100)
    usage = make_log(tmp_path)
    with caplog.at_level(logging.WARNING, logger="kiosk.usage"):
        usage.record("duration", 0.9, "how long", "answered")
        usage.record("duration", 0.9, "how long", "answered")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "usage counts not saved" in warnings[0].getMessage()


def write_config(tmp_path: Path, store_questions: bool) -> Path:
    config = tmp_path / "kiosk.yaml"
    config.write_text(
        f"usage:\n  database: usage.db\n  store_questions: {str(store_questions).lower()}\n"
    )
    return config


def test_report_lists_top_intents_and_unanswered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = make_log(tmp_path, store_questions=True)
    usage.today = date.today
    for _ in range(3):
        usage.record("duration", 0.8, "how long", "answered")
    usage.record("cement", 0.6, "is it glue", "confirmed")
    usage.record("sedation", 0.55, "will i be awake", "declined")
    usage.record(None, 0.1, "where is the parking", "unanswered")
    usage.record(None, 0.2, "we'll disable my pin", "misheard")
    assert main(["--config", str(write_config(tmp_path, True)), "report", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "Questions: 6 (answered 3, confirmed 1, declined 1, unanswered 1); misheard" in out
    assert "asked to say it again: 1" in out
    assert "    3  duration  (0.8)" in out
    confirmed = out.split("Most often confirmed")[1].split("Most often corrected")[0]
    assert "cement" in confirmed and "sedation" not in confirmed
    assert "where is the parking" in out.split("Top unanswered")[1]


@pytest.mark.parametrize("content", [None, b"garbage" * 50])
def test_report_on_missing_or_corrupt_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None
) -> None:
    if content is not None:
        (tmp_path / "usage.db").write_bytes(content)
    assert main(["--config", str(write_config(tmp_path, False)), "report"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("kiosk report: ") and error.count("\n") == 1
