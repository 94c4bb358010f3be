"""bench.second_try.outcomes: how spoken questions end, counted from inline records."""

from __future__ import annotations

from typing import Any

from bench.second_try import asked_again, outcomes


def record(expected: str | None, found: str | None, score: float, unclear: bool,
           second: str | None = None) -> dict[str, Any]:  # fmt: skip
    fields: dict[str, Any] = {"expected": expected, "found": found, "score": score}
    fields["unclear"] = unclear
    if second is not None or (found is None and unclear):
        fields["second"] = second
    return fields


def test_outcomes_count_each_way_a_question_ends() -> None:
    records = [
        record("duration", "duration", 0.95, False),  # right, outright
        record("duration", None, 0.2, True, "duration"),  # asked again, right the second time
        record("sedation", None, 0.3, True, None),  # asked again, missed again
        record("cement", None, 0.3, False),  # rejected (clearly heard)
        record("balloon", "cement", 0.9, False),  # wrong, outright
        record("needles", "steps", 0.9, True),  # wrong, but unsure: confirmed first
        record("steps", "needles", 0.6, False),  # wrong, low score: confirmed first
        record(None, None, 0.1, False),  # out of scope, rejected
        record(None, None, 0.2, True, "cement"),  # out of scope, asked again, then matched
        record(None, "cement", 0.85, False),  # out of scope, answered outright
        record(None, "cement", 0.85, True),  # out of scope, unsure: confirmed first
    ]
    assert [asked_again(r) for r in records].count(True) == 3
    assert outcomes(records, confirm_below=0.8) == {
        "in_scope": 7, "right_first_try": 1, "asked_again": 2, "right_second_try": 1,
        "wrong_outright": 1, "wrong_confirmed": 2, "wrong_outright_if_sure": 2,
        "out_of_scope": 4, "out_of_scope_asked_again": 1, "out_of_scope_answered_second_try": 1,
        "out_of_scope_outright": 1, "out_of_scope_outright_if_sure": 2,
    }  # fmt: skip
