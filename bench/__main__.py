"""`make bench`: run every benchmark part, then write BENCHMARKS.md and bench/plots/*.png.

Each part (`bench/<part>.py`, `run(quick) -> dict`) runs in a process of its own, so its memory
figures are its own and a crash in one part leaves the others measured. A part that is missing,
raises or times out is reported as "not measured: reason".

    python -m bench                      # everything (what `make bench` runs)
    python -m bench --quick              # small samples, for development
    python -m bench --only matching,soak
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import machine, report

PARTS = ("matching", "recognition", "live", "soak")
TIMEOUT_S = {"matching": 180, "recognition": 900, "live": 360, "soak": 360}
"""Longest each part may take; a full run usually takes 10-15 minutes on a busy 2-core machine."""
ROOT = Path(__file__).resolve().parent.parent


def run_part(part: str, quick: bool, out: Path) -> None:
    """Inside the child process: run one part and write its result as JSON to `out`."""
    module = importlib.import_module(f"bench.{part}")
    takes_quick = "quick" in inspect.signature(module.run).parameters
    result = module.run(quick=quick) if takes_quick else module.run()
    result["load_avg"] = os.getloadavg()  # other work on the shared CPU while it ran
    out.write_text(json.dumps(result), encoding="utf-8")


def _reason(stderr: str, returncode: int) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("ModuleNotFoundError"):
            name = line.split("'")[1] if "'" in line else line
            return f"module {name} is not written yet"
    return lines[-1] if lines else f"exited with status {returncode}"


def measure(part: str, quick: bool) -> tuple[dict[str, Any] | None, str]:
    """Run `part` in a child process; its result, or None and why not."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench", "--part", part, "--json", str(out)]
        command += ["--quick"] if quick else []
        timeout = TIMEOUT_S[part]
        try:
            done = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout} s"
        if done.returncode:
            sys.stderr.write("".join(done.stderr.splitlines(keepends=True)[-15:]))
        if done.returncode != 0 or not out.exists():
            return None, _reason(done.stderr, done.returncode)
        return json.loads(out.read_text(encoding="utf-8")), ""


def render_ahead() -> None:
    """`kiosk render` in a process of its own, as `make run` and deploy/install.sh do: the kiosk
    measured by the live loop and the soak speaks from the rendered-speech cache, and loads
    Piper only for what is missing (which would add 110-160 MB to its memory)."""
    print("bench: kiosk render ...", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, "-m", "kiosk", "render"], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=1800)  # fmt: skip
    said = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"bench: kiosk render: {said}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small samples, for development")
    parser.add_argument("--only", help=f"comma-separated parts ({','.join(PARTS)})")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.part:
        run_part(args.part, args.quick, args.json)
        return 0
    parts = [p.strip() for p in args.only.split(",")] if args.only else list(PARTS)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    results: dict[str, dict[str, Any]] = {}
    failures: dict[str, str] = {}
    if {"live", "soak"} & set(parts):
        render_ahead()
    for part in PARTS:
        if part not in parts:
            failures[part] = "not run this time (--only)"
            continue
        started = time.monotonic()
        print(f"bench: {part} ...", file=sys.stderr, flush=True)
        result, reason = measure(part, args.quick)
        took = time.monotonic() - started
        if result is None:
            failures[part] = reason
            print(f"bench: {part} not measured ({took:.0f} s): {reason}", file=sys.stderr)
        else:
            results[part] = result
            print(f"bench: {part} done in {took:.0f} s", file=sys.stderr)
    sample = "quick sample (--quick)" if args.quick else "full run"
    path = report.write(results, failures, machine.describe(), ROOT, sample)
    print(f"bench: wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
