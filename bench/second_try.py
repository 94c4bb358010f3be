"""How each spoken question ends in the kiosk's conversation, with a second try when asked.

The kiosk asks a person to say a question again (`say_again`) when Whisper was unsure of the
words (`recognizer.unclear_below`) and they matched no intent, and it confirms an unsure match
before answering. Here every question asked again is spoken a second time by the same voice,
15% slower (the prompt asks for "a little more slowly"), and heard and matched again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench import speechgen
from kiosk.matcher import Matcher
from kiosk.recognizers import Recognizer

Record = dict[str, Any]
"""One spoken question, as `bench.recognition.evaluate` records it."""
SECOND_SEED = 1000
"""Added to a question's index for the padding of its second try."""


def asked_again(record: Record) -> bool:
    """The kiosk said "say_again": unsure words that matched nothing."""
    return record["found"] is None and bool(record["unclear"])


def second_tries(
    recognizer: Recognizer,
    matcher: Matcher,
    records: list[Record],
    speakers: Sequence[speechgen.Speaker],
) -> None:
    """Hear every question asked again a second time, slower; sets record["second"].
    `speakers` are the voices the records' "voice_index" refers to."""
    again = [r for r in records if asked_again(r)]
    voices = {r["voice_index"]: speechgen.slower(speakers[r["voice_index"]]) for r in again}
    jobs = {(r["question"], voices[r["voice_index"]]) for r in again}
    speechgen.synthesize_apart(jobs)
    for record in again:
        audio = speechgen.question(
            record["question"], voices[record["voice_index"]], record["snr_db"],
            SECOND_SEED + record["index"],
        )  # fmt: skip
        text = recognizer.transcribe(audio).text
        record["second"] = matcher.match(text).intent if text else None


def outcomes(records: list[Record], confirm_below: float) -> dict[str, Any]:
    """Counts of how questions end: in scope and out of scope separately."""
    scoped = [r for r in records if r["expected"] is not None]
    outside = [r for r in records if r["expected"] is None]

    def outright(r: Record) -> bool:  # answered with no confirmation and no second try
        return r["found"] is not None and r["score"] >= confirm_below and not r["unclear"]

    def wrong(r: Record) -> bool:
        return r["found"] is not None and r["found"] != r["expected"]

    return {
        "in_scope": len(scoped),
        "right_first_try": sum(r["found"] == r["expected"] for r in scoped),
        "asked_again": sum(asked_again(r) for r in scoped),
        "right_second_try": sum(r.get("second") == r["expected"] for r in scoped if asked_again(r)),
        "wrong_outright": sum(wrong(r) and outright(r) for r in scoped),
        "wrong_confirmed": sum(wrong(r) and not outright(r) for r in scoped),
        "wrong_outright_if_sure": sum(wrong(r) and r["score"] >= confirm_below for r in scoped),
        "out_of_scope": len(outside),
        "out_of_scope_asked_again": sum(asked_again(r) for r in outside),
        "out_of_scope_answered_second_try": sum(
            r.get("second") is not None for r in outside if asked_again(r)
        ),
        "out_of_scope_outright": sum(outright(r) for r in outside),
        "out_of_scope_outright_if_sure": sum(
            r["found"] is not None and r["score"] >= confirm_below for r in outside
        ),
    }
