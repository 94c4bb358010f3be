"""Write BENCHMARKS.md and its plots from the benchmark parts' results.

Only measured values are written. A part that did not run is shown as "not measured: reason";
a figure whose data is missing is left out with the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench import plots
from bench.machine import Machine
from bench.targets import ANSWER_LATENCY_MS, RSS_MB, Results, spoken_accuracy, targets_table

PLOTS = Path("bench") / "plots"
TITLES = {
    "matching": "Question understanding (typed questions)",
    "recognition": "Spoken questions (recognition + matching)",
    "live": "The live loop",
    "soak": "Memory and stability over the soak",
}


def _ms(stats: dict[str, Any] | None) -> str:
    if not stats:
        return "not measured"
    parts = [f"{key} {_num(stats[key])} ms" for key in ("median", "p95", "max") if key in stats]
    return ", ".join(parts) + (f" ({len(stats['samples'])} trials)" if "samples" in stats else "")


def _num(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _footer(machine: Machine) -> str:
    return f"Measured on {machine.summary()}."


def _figure(
    root: Path, name: str, draw: Callable[[Path, str], Path], caption: str, machine: Machine
) -> list[str]:
    """Draw a figure (stamped with the machine) and its caption (machine and package versions)."""
    path = draw(root / PLOTS / name, _footer(machine))
    caption = f"{caption} {_footer(machine)} Packages: {machine.versions()}."
    return [f"![{name}]({path.relative_to(root).as_posix()})", "", f"*{caption}*", ""]


def matching_section(result: dict[str, Any], root: Path, machine: Machine) -> list[str]:
    lines = [
        f"- In-scope questions matched to the right intent: {_pct(result['in_scope_accuracy'])}"
        f" of {result['in_scope_count']}",
        f"- Out-of-scope questions rejected: {_pct(result['out_of_scope_rejection'])}"
        f" of {result['out_of_scope_count']}",
        f"- Questions per second (one process, loaded): {result['questions_per_second']:.0f}",
        f"- Time per question: {_ms(result.get('latency_ms'))}",
        f"- Evaluated on: {', '.join(result.get('eval_files', [])) or 'not stated'} (questions no"
        " choice was made on); each file apart, with eval/tuning.tsv, which was used to choose:",
    ]
    for name, part in result.get("files", {}).items():
        lines.append(
            f"  - {name}: in scope {_pct(part['in_scope_accuracy'])} of {part['in_scope_count']},"
            f" out of scope rejected {_pct(part['out_of_scope_rejection'])}"
            f" of {part['out_of_scope_count']}"
        )
    lines.append("")
    if result.get("methods"):
        lines += [
            "Matching methods compared on the tuning questions (eval/tuning.tsv + dev.tsv; each at "
            "its best threshold):",
            "",
            "| method | threshold | in scope right | out of scope rejected |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {m['method']} | {m['reject_below']:g} | {_pct(m['in_scope_accuracy'])} | "
            f"{_pct(m['out_of_scope_rejection'])} |"
            for m in result["methods"]
        ]
        lines.append("")
    labels, matrix = result["confusion"]["labels"], result["confusion"]["matrix"]
    pairs = sorted(
        ((count, labels[i], labels[j]) for i, row in enumerate(matrix)
         for j, count in enumerate(row) if i != j and count),
        reverse=True,
    )  # fmt: skip
    lines += ["Most frequent confusions (expected -> matched):", ""]
    lines += [f"- {exp} -> {got}: {count}" for count, exp, got in pairs[:12]] or ["- none"]
    lines.append("")
    caption = (
        "Confusion matrix of the held-out typed questions through `Matcher.match` "
        "(rows: expected, columns: matched; `out_of_scope` = rejected)."
    )
    draw = partial(plots.confusion_heatmap, result)
    return lines + _figure(root, "confusion-matrix.png", draw, caption, machine)


def _conversation_lines(outcome: dict[str, Any] | None) -> list[str]:
    """How the spoken questions end in the conversation (`bench.second_try`)."""
    if not outcome:
        return []
    scoped, outside = outcome["in_scope"], outcome["out_of_scope"]
    within_two = (outcome["right_first_try"] + outcome["right_second_try"]) / max(scoped, 1)
    return [
        f"- Asked to say it again (the words unsure, and they matched nothing): "
        f"{outcome['asked_again']} of {scoped} in-scope questions; spoken again 15% slower, "
        f"{outcome['right_second_try']} of them reached the right intent. Right within two "
        f"tries: {_pct(within_two)} (first try: {_pct(outcome['right_first_try'] / scoped)}).",
        f"- Out-of-scope questions asked again: {outcome['out_of_scope_asked_again']} of "
        f"{outside}; {outcome['out_of_scope_answered_second_try']} of them were matched to an "
        f"intent on the second try.",
        f"- A wrong intent's passages read with no confirmation: {outcome['wrong_outright']} "
        f"in-scope and {outcome['out_of_scope_outright']} out-of-scope questions (without "
        f"confirming unsure words it would be {outcome['wrong_outright_if_sure']} and "
        f"{outcome['out_of_scope_outright_if_sure']}); {outcome['wrong_confirmed']} wrong "
        f"in-scope matches were put as a yes/no question first.",
    ]


def recognition_section(result: dict[str, Any], root: Path, machine: Machine) -> list[str]:
    rows = result["rows"]
    lines = [
        f"Engine: {result.get('engine', 'not stated')}. Noise: {result.get('noise', 'none')}. "
        f"Questions: a different random sample for each voice and SNR from "
        f"{result.get('questions', 'the held-out set')}.",
        "",
        "| voice | SNR | right intent | word error rate | questions |",
        "|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: (r["voice"], r["snr_db"] is None, r["snr_db"] or 0)):
        snr = "quiet" if row["snr_db"] is None else f"{row['snr_db']:g} dB"
        wer = "-" if row.get("wer") is None else _pct(row["wer"])
        lines.append(
            f"| {row['voice']} | {snr} | {_pct(row['intent_accuracy'])} | {wer} | {row['count']} |"
        )
    lines.append("")
    if "out_of_scope_rejection" in result:
        lines.append(
            f"- Spoken out-of-scope questions rejected: {_pct(result['out_of_scope_rejection'])}"
            f" of {result.get('out_of_scope_count', '?')}"
        )
    for band in result.get("by_word_errors", []):
        edge = f"{band['low']:.0%}" + (f" to {band['high']:.0%}" if band["high"] else " or more")
        share = _pct(band["right"] / band["count"]) if band["count"] else "-"
        lines.append(
            f"- In-scope questions heard with word errors of {edge}: {band['count']}, "
            f"right intent {share}"
        )
    lines += _conversation_lines(result.get("conversation"))
    for name, part in result.get("comparison", {}).items():
        shares = [
            f"{'quiet' if level is None else f'{level:g} dB'} {_pct(value)}"
            for level in (None, 10.0)
            if (value := spoken_accuracy(level)(part)) is not None
        ]
        rejected = _pct(part["out_of_scope_rejection"])
        lines.append(
            f"- {name}, same half sample: right intent {', '.join(shares)}; out of scope "
            f"rejected {rejected}"
        )
    lines.append(f"- Recognition time per question: {_ms(result.get('recognition_ms'))}")
    if "peak_rss_mb" in result:
        lines.append(
            f"- Peak resident memory of the benchmark process: {result['peak_rss_mb']:.0f} MB"
        )
    lines.append("")
    caption = (
        "Share of synthesised held-out questions that reached the right intent, per voice, "
        f"with {result.get('noise', 'noise')} mixed in at each SNR (by average power), "
        f"recognised by {result.get('engine', 'the recognizer')}."
    )
    draw = partial(plots.accuracy_vs_snr, result)
    return lines + _figure(root, "accuracy-vs-snr.png", draw, caption, machine)


def live_section(result: dict[str, Any], root: Path, machine: Machine) -> list[str]:
    lines = [
        result.get("method", ""),
        "",
        f"- Questions answered: {result.get('answered', '?')} of {result.get('questions', '?')}",
        f"- End of question to first answer sound: {_ms(result.get('answer_latency_ms'))}",
        "- The same, as `kiosk run` logs it (from the end of speech its endpointer found; logged"
        " only for answers whose first passage played to its end, so answers cut short by the"
        f" stop key are missing): {_ms(result.get('internal_answer_latency_ms'))}",
        f"- Stop key to silence: {_ms(result.get('stop_key_ms'))}",
        f'- Spoken "stop" (end of the word) to silence: {_ms(result.get("spoken_stop_ms"))}',
    ]
    if "ready_s" in result:
        lines.append(f"- Start of the process to the first sound of its greeting: "
                     f"{result['ready_s']:.2f} s")  # fmt: skip
    if "internal_ready_s" in result:
        lines.append(f"- Ready, as `kiosk run` logs it (loading only, after Python started): "
                     f"{result['internal_ready_s']:.2f} s")  # fmt: skip
    if "peak_rss_mb" in result:
        lines.append(f"- Peak resident memory: {result['peak_rss_mb']:.0f} MB")
    lines.append("")
    samples = result.get("answer_latency_ms", {}).get("samples", [])
    if not samples:
        return [*lines, "Latency histogram: not measured (no answer was heard).", ""]
    caption = (
        f"End of the question (last sample played into the fake microphone) to the first "
        f"answer sound on the speaker monitor, {len(samples)} questions."
    )
    draw = partial(plots.latency_histogram, samples, limit_ms=ANSWER_LATENCY_MS)
    return lines + _figure(root, "latency-histogram.png", draw, caption, machine)


def soak_section(result: dict[str, Any], root: Path, machine: Machine) -> list[str]:
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(result["kinds"].items()))
    outcomes = ", ".join(f"{name} {count}" for name, count in sorted(result["outcomes"].items()))
    lines = [
        result.get("method", ""),
        "",
        f"- Utterances: {result['utterances']} ({kinds}) in {result['duration_s'] / 60:.1f} min",
        f"- Outcomes: {outcomes}; without an outcome: {result['missing_outcomes']}",
        f"- Faults (errors the kiosk logged, or raised out of it): {result['errors']}",
        *(f"  - {example}" for example in result.get("error_examples", [])[:5]),
        *(f"  - no outcome: {example}" for example in result.get("missing_examples", [])[:5]),
        f"- Resident memory: {result['start_rss_mb']:.0f} MB before the kiosk loaded, "
        f"{result['warm_rss_mb']:.0f} MB after the first tenth of the sounds, "
        f"{result['end_rss_mb']:.0f} MB at the end (peak {result['peak_rss_mb']:.0f} MB): "
        f"growth after warm-up {result['growth_mb']:+.1f} MB",
        "- This is `make bench`'s short soak; the 2,000-sound `make soak` gives the long-run "
        'figures (README.md, "What does not work yet").',
        "",
    ]
    caption = (
        f"Resident set size of the kiosk's own process (psutil), sampled every "
        f"{result.get('sample_every', '?')} utterances while {result['utterances']} utterances "
        f"went through the pipeline."
    )
    draw = partial(plots.rss_over_soak, result, limit_mb=RSS_MB)
    return lines + _figure(root, "rss-over-soak.png", draw, caption, machine)


SECTIONS: dict[str, Callable[[dict[str, Any], Path, Machine], list[str]]] = {
    "matching": matching_section,
    "recognition": recognition_section,
    "live": live_section,
    "soak": soak_section,
}


def write(
    results: Results, failures: dict[str, str], machine: Machine, root: Path, sample: str
) -> Path:
    """Write `root/BENCHMARKS.md` (and the plots under `root/bench/plots/`); returns its path."""
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand.",
        "",
        f"- Run: {sample}",
        f"- Machine: {machine.cpu}, {machine.cores} cores, {machine.ram_gb:.1f} GB RAM",
        f"- System: {machine.os}, Python {machine.python}",
        f"- Packages: {machine.versions()}",
        f"- Date: {machine.date}",
        f"- Load average (1, 5, 15 min) when the report was written: "
        f"{', '.join(f'{x:.1f}' for x in machine.load)} on {machine.cores} cores (the machine"
        " is shared; timings under load are slower than on a dedicated kiosk PC)",
        "",
        "## Targets",
        "",
        *targets_table(results, failures),
        "",
    ]
    for part, title in TITLES.items():
        lines += [f"## {title}", ""]
        if part in results:
            lines += SECTIONS[part](results[part], root, machine)
            if "load_avg" in results[part]:
                load = ", ".join(f"{x:.1f}" for x in results[part]["load_avg"])
                lines += [f"Load average (1, 5, 15 min) as this part ended: {load}.", ""]
        else:
            lines += [f"Not measured: {failures.get(part, 'not run (--only)')}", ""]
    path = root / "BENCHMARKS.md"
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    return path
