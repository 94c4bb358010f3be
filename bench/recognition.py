"""Spoken held-out questions: recognition (WER, time) and the intent they reach, per voice and SNR.

Questions from the project's unseen sets (eval/heldout.tsv, eval/fresh.tsv and the shared
dev.tsv: `check.held_out_files`) are synthesised by several
espeak-ng variants and Piper, with recorded-speech babble mixed in at 20, 10 and 5 dB SNR, and
recognised by the kiosk's default engines (Whisper tiny.en with the domain prompt, and Moonshine
base as its second opinion). A smaller run with Whisper alone, with and without the prompt,
shows what the second opinion and the bias are worth.

    python -m bench.recognition [--quick]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from typing import Any

from bench import matching, second_try, speechgen
from bench.stats import summary
from kiosk.check import held_out_files
from kiosk.config import PROJECT_ROOT, Config
from kiosk.content import OUT_OF_SCOPE, load_content
from kiosk.hearing import domain_fit
from kiosk.matcher import Matcher
from kiosk.recognizers import Recognizer, load_recognizer, moonshine, vocabulary, whisper
from kiosk.recognizers.second_opinion import SecondOpinion

UNSEEN = [path for path in held_out_files(PROJECT_ROOT) if path.is_file()]
VOICES = (*speechgen.VOICES[:5], speechgen.VOICES[7])
"""Five espeak-ng variants and Piper joe."""
LEVELS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)
"""Quiet, then babble at these SNRs (dB)."""
NOISE = "babble of 5 overlapped recorded voices (asterisk prompts)"

Sample = tuple[str | None, str]
"""(expected intent or None for out of scope, question)."""
Cells = dict[tuple[int, float | None], list[Sample]]
"""The questions spoken by each (voice index, SNR)."""
Record = dict[str, Any]
"""One spoken question: voice, snr_db, index, expected, found, edits, words, ms."""


def load_questions() -> list[Sample]:
    """The questions of every unseen set, each once."""
    rows: dict[str, str] = {}
    for path in UNSEEN:
        for question, intent in matching.read_eval(path):
            rows.setdefault(question, intent)
    return [(None if intent == OUT_OF_SCOPE else intent, q) for q, intent in rows.items()]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words) between two texts."""
    ref, hyp = vocabulary.words(reference), vocabulary.words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, heard in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != heard))
    return row[-1], len(ref)


def evaluate(
    recognizer: Recognizer, matcher: Matcher, cells: Cells, unclear_below: float
) -> list[Record]:
    """Recognise and match every question of every cell."""
    records = []
    for (voice_index, snr), samples in cells.items():
        voice = VOICES[voice_index]
        for index, (intent, question) in enumerate(samples):
            audio = speechgen.question(question, voice, snr, index)
            transcript = recognizer.transcribe(audio)
            match = matcher.match(transcript.text) if transcript.text else None
            edits, words = word_errors(question, transcript.text)
            records.append(
                {"voice": voice.name, "snr_db": snr, "index": index, "expected": intent,
                 "question": question, "voice_index": voice_index,
                 "found": match.intent if match else None, "score": match.score if match else 0.0,
                 "unclear": transcript.unclear(unclear_below),
                 "edits": edits, "words": words, "ms": transcript.seconds * 1000}
            )  # fmt: skip
    return records


def summarise(records: list[Record]) -> dict[str, Any]:
    """Rows per (voice, SNR): in-scope intent accuracy and WER; out-of-scope rejection."""
    rows = []
    for voice, snr in dict.fromkeys((r["voice"], r["snr_db"]) for r in records):
        cell = [r for r in records if (r["voice"], r["snr_db"]) == (voice, snr)]
        scoped = [r for r in cell if r["expected"] is not None]
        rows.append(
            {"voice": voice, "snr_db": snr, "count": len(scoped),
             "intent_accuracy": sum(r["found"] == r["expected"] for r in scoped) / len(scoped),
             "wer": sum(r["edits"] for r in cell) / max(sum(r["words"] for r in cell), 1)}
        )  # fmt: skip
    outside = [r["found"] is None for r in records if r["expected"] is None]
    rejection = sum(outside) / max(len(outside), 1)
    return {"rows": rows, "out_of_scope_rejection": rejection, "out_of_scope_count": len(outside),
            "by_word_errors": by_word_errors(records)}  # fmt: skip


WER_BANDS = (0.0, 0.2, 0.4)
"""Lower edges of the word-error bands the in-scope questions are grouped into."""


def by_word_errors(records: list[Record]) -> list[dict[str, Any]]:
    """In-scope questions grouped by how badly they were heard: is the recogniser or the
    matcher the limit?"""
    bands: list[dict[str, Any]] = []
    scoped = [(r, r["edits"] / max(r["words"], 1)) for r in records if r["expected"] is not None]
    for low, high in zip(WER_BANDS, (*WER_BANDS[1:], None), strict=True):
        cell = [r for r, wer in scoped if low <= wer and (high is None or wer < high)]
        right = sum(r["found"] == r["expected"] for r in cell)
        bands.append({"low": low, "high": high, "count": len(cell), "right": right})
    return bands


def plan(per_cell: int, seed: int = 3) -> Cells:
    """A different random sample of questions for each voice and noise level."""
    questions = load_questions()
    chooser = random.Random(seed)
    return {
        (v, snr): chooser.sample(questions, per_cell) for v in range(len(VOICES)) for snr in LEVELS
    }


def synthesise_all(cells: Cells) -> None:
    """Fill the speech cache for every question of every cell."""
    jobs = {(q, VOICES[v]) for (v, _), samples in cells.items() for _, q in samples}
    speechgen.synthesize_apart(jobs)


def run(quick: bool = False) -> dict[str, Any]:
    """Measure everything; plain data for the report and plots."""
    per_cell = 6 if quick else 20
    cells = plan(per_cell)
    synthesise_all(cells)
    config = Config()
    content = load_content(config.content)
    matcher = Matcher.from_content(content, config.matcher)
    config.recognizer.engine = "whisper"
    started = time.perf_counter()
    unsure = config.recognizer.unclear_below
    recognizer = load_recognizer(config, content, domain_fit(matcher.match, config.listening))
    assert isinstance(recognizer, SecondOpinion)
    recognizer.load()
    load_s = time.perf_counter() - started
    records = evaluate(recognizer, matcher, cells, unsure)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    second_try.second_tries(recognizer, matcher, records, VOICES)
    config.recognizer.second_opinion = False
    alone = load_recognizer(config, content)
    unbiased = whisper.load(config.recognizer.threads, None, look_again_below=unsure)
    half = {key: cell[: per_cell // 2] for key, cell in cells.items() if key[1] in (None, 10.0)}
    paired = [r for r in records if r["snr_db"] in (None, 10.0) and r["index"] < per_cell // 2]
    return {
        "engine": f"Whisper tiny.en ({whisper.PACKAGE}, int8, beam {whisper.BEAM_SIZE}) with "
        f"Moonshine base ({moonshine.NPM_PACKAGE}, int8) as its second opinion",
        "noise": NOISE,
        "questions": " + ".join(path.name for path in UNSEEN),
        **summarise(records),
        "conversation": second_try.outcomes(records, config.matcher.confirm_below),
        "recognition_ms": summary([r["ms"] for r in records]),
        "peak_rss_mb": peak_mb,
        "model_load_s": load_s,
        "comparison": {
            "Whisper with its second opinion (as shipped)": summarise(paired),
            "Whisper alone, with the prompt of the domain's words": summarise(
                evaluate(alone, matcher, half, unsure)
            ),
            "Whisper alone, without the prompt": summarise(
                evaluate(unbiased, matcher, half, unsure)
            ),
        },
    }


def _summary(result: dict[str, Any]) -> str:
    lines = [f"{result['engine']}; {result['questions']}; noise: {result['noise']}"]
    for row in result["rows"]:
        lines.append(_row(row))
    for level in LEVELS:
        lines.append(f"  all voices: {_overall(result['rows'], level)}")
    lines.append(
        f"  out of scope rejected {result['out_of_scope_rejection']:.1%} "
        f"of {result['out_of_scope_count']}"
    )
    lines.append(f"  conversation: {result['conversation']}")
    times = result["recognition_ms"]
    lines.append(
        f"  recognition ms median {times['median']:.0f} p95 {times['p95']:.0f}; "
        f"load {result['model_load_s']:.2f} s; peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    for name, part in result["comparison"].items():
        overall = ", ".join(_overall(part["rows"], level) for level in (None, 10.0))
        wer = sum(r["wer"] for r in part["rows"]) / len(part["rows"])
        lines.append(
            f"  {name} (same half sample): {overall}; mean WER {wer:.1%}; "
            f"out of scope rejected {part['out_of_scope_rejection']:.1%}"
        )
    return "\n".join(lines)


def _row(row: dict[str, Any]) -> str:
    snr = "quiet" if row["snr_db"] is None else f"{row['snr_db']:g} dB"
    return (
        f"  {row['voice']:<28} {snr:>6}  intent {row['intent_accuracy']:6.1%}"
        f"  WER {row['wer']:6.1%}  n={row['count']}"
    )


def _overall(rows: list[dict[str, Any]], level: float | None) -> str:
    cell = [r for r in rows if r["snr_db"] == level]
    total = sum(r["count"] for r in cell)
    share = sum(r["intent_accuracy"] * r["count"] for r in cell) / max(total, 1)
    return f"{'quiet' if level is None else f'{level:g} dB'} {share:.1%} of {total}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.recognition")
    parser.add_argument("--quick", action="store_true", help="small sample")
    print(_summary(run(quick=parser.parse_args().quick)))
    sys.exit(0)
