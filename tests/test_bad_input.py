"""Bad input through the commands a person runs: `kiosk hear` with odd and broken audio,
`kiosk check` and `kiosk ask` with broken content. One line per problem, never a traceback.

(`kiosk.wav` itself is unit-tested in test_wav.py; these run the real command end to end.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile

from bench import speechgen
from kiosk.config import PROJECT_ROOT
from kiosk.wav import RATE, resample
from tests.test_wav import make_broken

QUESTION = ("how long will the whole procedure take", "duration")
"""A question and the intent it must reach after any conversion."""


def kiosk(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, timeout=300, check=False,
    )  # fmt: skip


def problem_lines(stderr: str, command: str) -> list[str]:
    """The stderr lines a command printed about problems (log lines are not problems)."""
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith(f"kiosk {command}:")]


def odd_files(folder: Path) -> dict[str, Path]:
    """The question written in every odd but valid format `kiosk hear` must take."""
    speech = speechgen.pad(speechgen.synthesize(QUESTION[0], speechgen.piper_voice()), 0.3, 0.5)
    at = {rate: resample(speech, RATE, rate) for rate in (8000, 44100, 48000)}
    formats: dict[str, tuple[np.ndarray, int, str]] = {
        "8bit-8k": (at[8000], 8000, "PCM_U8"),
        "stereo-44k": (np.stack([at[44100], 0.5 * at[44100]], axis=1), 44100, "PCM_16"),
        "48k-24bit": (at[48000], 48000, "PCM_24"),
        "float-16k": (speech * 0.9, RATE, "FLOAT"),
        "quiet-double": (speech * 0.05, RATE, "DOUBLE"),
        "clipped": (np.clip(speech * 6.0, -1.0, 1.0), RATE, "PCM_16"),
    }
    paths = {}
    for name, (audio, rate, subtype) in formats.items():
        paths[name] = folder / f"{name}.wav"
        soundfile.write(paths[name], audio, rate, subtype=subtype)
    return paths


@pytest.mark.speech
def test_hear_answers_odd_audio_and_refuses_broken_audio_one_line_each(tmp_path: Path) -> None:
    good = odd_files(tmp_path)
    (tmp_path / "broken").mkdir()
    broken = make_broken(tmp_path / "broken")
    long_speech = tmp_path / "broken" / "minutes-of-speech.wav"
    speech = speechgen.synthesize(QUESTION[0], speechgen.piper_voice())
    soundfile.write(long_speech, np.tile(speech, int(150 * RATE / len(speech)) + 1), RATE)
    broken["minutes-of-speech"] = (long_speech, "too long")
    order = [str(p) for p in good.values()] + [str(p) for p, _ in broken.values()]
    order.insert(1, order.pop())  # a broken file between good ones: the rest still run
    done = kiosk("hear", "--json", *order, cwd=tmp_path)
    assert done.returncode != 0
    answered = {Path(r["file"]).stem: r for r in map(json.loads, done.stdout.splitlines())}
    assert set(answered) == set(good), done.stderr
    for name, reply in answered.items():
        assert reply["intent"] == QUESTION[1], (name, reply)
        assert reply["answer"], name
    errors = problem_lines(done.stderr, "hear")
    assert len(errors) == len(broken), done.stderr
    for path, expect in broken.values():
        lines = [line for line in errors if str(path) in line]
        assert len(lines) == 1 and expect in lines[0], (path, errors)


# -- broken content ----------------------------------------------------------------------------


def content_copy(root: Path) -> Path:
    """A copy of the content with a kiosk.yaml pointing at it; returns the config path."""
    for folder in ("documents", "intents"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    config = root / "kiosk.yaml"
    config.write_text(
        "content:\n  document: documents/vertebral-augmentation.md\n"
        "  overview: documents/overview.yaml\n  prompts: documents/prompts.yaml\n"
        "  intents: intents\n",
        encoding="utf-8",
    )
    return config


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


Breakage = Callable[[Path], tuple[str, int]]
"""Breaks the content under a folder; returns the file (relative) and line to be named."""


def bad_yaml(root: Path) -> tuple[str, int]:
    path = root / "intents/duration.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("examples:") + 1
    lines.insert(at, "  - how long: does: it take")  # a mapping where a list item belongs
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "intents/duration.yaml", at + 1


def wrong_type(root: Path) -> tuple[str, int]:
    replace(root / "intents/cement.yaml", "topic:", "topic: [one, two]\nold_topic:")
    return "intents/cement.yaml", 2


def unknown_passage(root: Path) -> tuple[str, int]:
    text = (root / "intents/duration.yaml").read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("passages:"))
    replace(root / "intents/duration.yaml", "passages: [", "passages: [no-such-passage, ")
    return "intents/duration.yaml", line


def unknown_overview_id(root: Path) -> tuple[str, int]:
    path = root / "documents/overview.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, t in enumerate(lines) if t.strip().startswith("- "))
    lines.insert(at, "  - not-a-passage")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "documents/overview.yaml", at + 1


def huge_file(root: Path) -> tuple[str, int]:
    path = root / "intents/help.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - what can you do\n" * 200_000)
    return "intents/help.yaml", 1


def not_utf8(root: Path) -> tuple[str, int]:
    (root / "documents/prompts.yaml").write_bytes(b"prompts:\n  ready: \xff\xfe caf\xe9\n")
    return "documents/prompts.yaml", 1


BREAKAGES: dict[str, Breakage] = {
    "bad-yaml": bad_yaml,
    "wrong-type": wrong_type,
    "unknown-passage": unknown_passage,
    "unknown-overview-id": unknown_overview_id,
    "huge-file": huge_file,
    "not-utf8": not_utf8,
}
UNUSABLE = ("bad-yaml", "huge-file", "not-utf8")
"""Breakages that leave a file unreadable: even `kiosk ask` cannot answer."""


@pytest.mark.parametrize("name", BREAKAGES)
def test_check_names_file_and_line_of_broken_content(tmp_path: Path, name: str) -> None:
    config = content_copy(tmp_path)
    where, line = BREAKAGES[name](tmp_path)
    done = kiosk("--config", str(config), "check", cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    reported = [ln for ln in (done.stdout + done.stderr).splitlines() if f"{where}:{line}:" in ln]
    assert reported, done.stdout + done.stderr


@pytest.mark.parametrize("name", UNUSABLE)
def test_ask_refuses_unusable_content_in_one_line(tmp_path: Path, name: str) -> None:
    config = content_copy(tmp_path)
    where, line = BREAKAGES[name](tmp_path)
    done = kiosk("--config", str(config), "ask", "how long does it take", cwd=tmp_path)
    assert done.returncode != 0
    errors = problem_lines(done.stderr, "ask")
    assert len(errors) == 1 and f"{where}:{line}:" in errors[0], done.stderr
    assert done.stdout == ""


def test_broken_config_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text("voice:\n  rate_wpm: fast\n  no_such_setting: 1\n", encoding="utf-8")
    done = kiosk("--config", str(config), "ask", "how long does it take", cwd=tmp_path)
    assert done.returncode != 0
    assert len(problem_lines(done.stderr, "ask")) == 1, done.stderr
