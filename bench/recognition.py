"""Spoken held-out questions: recognition (WER, time) and the intent they reach, per voice and SNR.

Questions from eval/heldout.tsv (the project's unseen questions) are synthesised by several
espeak-ng variants and Piper, with recorded-speech babble mixed in at 20, 10 and 5 dB SNR, and
recognised by the kiosk's default engine (Whisper tiny.en with the domain prompt). A smaller
run without the prompt shows what the bias is worth.

    python -m bench.recognition [--quick]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench import speechgen
from kiosk.config import PROJECT_ROOT, Config
from kiosk.content import load_content
from kiosk.matcher import Matcher
from kiosk.recognizers import Recognizer, vocabulary, whisper

HELDOUT = PROJECT_ROOT / "eval" / "heldout.tsv"
DEV = Path("/work/shared/eval/dev.tsv")
VOICES = (*speechgen.VOICES[:5], speechgen.VOICES[7])
"""Five espeak-ng variants and Piper joe."""
LEVELS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)
"""Quiet, then babble at these SNRs (dB)."""
NOISE = "babble of 5 overlapped recorded voices (asterisk prompts)"

Sample = tuple[str | None, str]
"""(expected intent or None for out of scope, question)."""


def load_questions() -> list[Sample]:
    """The held-out questions (the shared dev set until eval/heldout.tsv exists)."""
    path = HELDOUT if HELDOUT.is_file() else DEV
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, question = line.split("\t", 1)
            rows.append((None if intent == "-" else intent, question.strip()))
    return rows


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
    recognizer: Recognizer, matcher: Matcher, cells: dict[tuple[int, float | None], list[Sample]]
) -> tuple[list[dict[str, Any]], list[float], list[bool]]:
    """Per (voice, SNR) rows, recognition times (ms), and out-of-scope rejections."""
    rows, times, rejected = [], [], []
    for (voice_index, snr), samples in cells.items():
        voice = VOICES[voice_index]
        right = edits = words = in_scope = 0
        for seed, (intent, question) in enumerate(samples):
            audio = speechgen.question(question, voice, snr, seed)
            transcript = recognizer.transcribe(audio)
            times.append(transcript.seconds * 1000)
            found = matcher.match(transcript.text).intent if transcript.text else None
            errors, count = word_errors(question, transcript.text)
            edits, words = edits + errors, words + count
            if intent is None:
                rejected.append(found is None)
            else:
                in_scope += 1
                right += found == intent
        rows.append(
            {"voice": voice.name, "snr_db": snr, "count": in_scope,
             "intent_accuracy": right / max(in_scope, 1), "wer": edits / max(words, 1)}
        )  # fmt: skip
    return rows, times, rejected


def plan(per_cell: int, seed: int = 3) -> dict[tuple[int, float | None], list[Sample]]:
    """A different random sample of questions for each voice and noise level."""
    questions = load_questions()
    chooser = random.Random(seed)
    return {
        (v, snr): chooser.sample(questions, per_cell) for v in range(len(VOICES)) for snr in LEVELS
    }


def synthesise_all(cells: dict[tuple[int, float | None], list[Sample]]) -> None:
    """Fill the speech cache in a child process, so Piper's memory is not counted here."""
    jobs = sorted({(q, v) for (v, _), samples in cells.items() for _, q in samples})
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        list(pool.map(_synthesise, jobs, chunksize=16))


def _synthesise(job: tuple[str, int]) -> None:
    speechgen.synthesize(job[0], VOICES[job[1]])


def run(quick: bool = False) -> dict[str, Any]:
    """Measure everything; plain data for the report and plots."""
    per_cell = 6 if quick else 12
    cells = plan(per_cell)
    synthesise_all(cells)
    config = Config()
    content = load_content(config.content)
    matcher = Matcher.from_content(content, config.matcher)
    started = time.perf_counter()
    recognizer = whisper.load(config.recognizer.threads, vocabulary.prompt(content))
    load_s = time.perf_counter() - started
    rows, times, rejected = evaluate(recognizer, matcher, cells)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    unbiased = whisper.load(config.recognizer.threads, None)
    no_bias_cells = {
        key: cell[: per_cell // 2] for key, cell in cells.items() if key[1] in (None, 10.0)
    }
    plain_rows, _, plain_rejected = evaluate(unbiased, matcher, no_bias_cells)
    return {
        "engine": f"Whisper tiny.en ({whisper.PACKAGE}, int8, beam {whisper.BEAM_SIZE})",
        "noise": NOISE,
        "questions": str(HELDOUT.relative_to(PROJECT_ROOT) if HELDOUT.is_file() else DEV),
        "rows": rows,
        "out_of_scope_rejection": sum(rejected) / max(len(rejected), 1),
        "out_of_scope_count": len(rejected),
        "recognition_ms": _stats(times),
        "peak_rss_mb": peak_mb,
        "model_load_s": load_s,
        "without_prompt": {
            "rows": plain_rows,
            "out_of_scope_rejection": sum(plain_rejected) / max(len(plain_rejected), 1),
        },
    }


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "max": ordered[-1],
    }


def _summary(result: dict[str, Any]) -> str:
    lines = [f"{result['engine']}; {result['questions']}; noise: {result['noise']}"]
    plain = {(r["voice"], r["snr_db"]): r for r in result["without_prompt"]["rows"]}
    for row in result["rows"]:
        snr = "quiet" if row["snr_db"] is None else f"{row['snr_db']:g} dB"
        line = f"  {row['voice']:<28} {snr:>6}  intent {row['intent_accuracy']:6.1%}"
        line += f"  WER {row['wer']:6.1%}  n={row['count']}"
        other = plain.get((row["voice"], row["snr_db"]))
        if other:
            line += f"  (no prompt: {other['intent_accuracy']:.1%}, WER {other['wer']:.1%})"
        lines.append(line)
    for level in LEVELS:
        cell = [r for r in result["rows"] if r["snr_db"] == level]
        total = sum(r["count"] for r in cell)
        share = sum(r["intent_accuracy"] * r["count"] for r in cell) / max(total, 1)
        name = "quiet" if level is None else f"{level:g} dB"
        lines.append(f"  all voices {name}: {share:.1%}")
    lines.append(
        f"  out of scope rejected {result['out_of_scope_rejection']:.1%} "
        f"of {result['out_of_scope_count']} (no prompt: "
        f"{result['without_prompt']['out_of_scope_rejection']:.1%})"
    )
    times = result["recognition_ms"]
    lines.append(
        f"  recognition ms median {times['median']:.0f} p95 {times['p95']:.0f}; "
        f"load {result['model_load_s']:.2f} s; peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.recognition")
    parser.add_argument("--quick", action="store_true", help="small sample")
    print(_summary(run(quick=parser.parse_args().quick)))
    sys.exit(0)
