"""`kiosk check`: each kind of fault found with file:line, and the real content passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.check import check_content
from kiosk.config import ContentConfig, MatcherConfig
from kiosk.content import CONTENT_INTENTS
from tests.content_fixture import write_content


def problems(config: ContentConfig) -> set[tuple[str, int, str]]:
    # The sparse matcher (no sentence encoder): quicker, and the faults these tests plant
    # (a duplicate between two intents) reliably misroute one example with it.
    found = check_content(config, MatcherConfig(cache=None, semantic=False))
    return {(p.file.name, p.line, p.message) for p in found if p.severity == "error"}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def config(tmp_path: Path) -> ContentConfig:
    return write_content(tmp_path)


def test_fixture_faults_are_only_the_missing_intents_and_facts(config: ContentConfig) -> None:
    found = problems(config)
    missing = {name for name, _, message in found if message == "missing intent file"}
    assert len(missing) == 27 - 5
    assert f"{CONTENT_INTENTS[-1]}.yaml" in missing
    facts = [m for _, _, m in found if m.startswith("facts missing")]
    carried = (1, 21, 23, 24)
    expected = ", ".join(f"F{n}" for n in range(1, 27) if n not in carried)
    assert facts == [f"facts missing: {expected}"]
    assert len(found) == len(missing) + 1


def test_passage_faults(config: ContentConfig) -> None:
    edit(config.intents / "duration.yaml", "[procedure-length]", "[procedure-length, nope]")
    edit(config.overview, "  - procedure-length\n", "  - procedure-length\n  - gone\n")
    spare = "## spare\nfacts: F99\n\nA spare.\n\n## going-home"
    edit(config.document, "## going-home", spare)
    edit(config.document, "## procedure-length\nfacts: F21\n", "## procedure-length\n")
    found = problems(config)
    assert ("duration.yaml", 3, "unknown passage 'nope'") in found
    assert ("overview.yaml", 4, "overview: unknown passage 'gone'") in found
    assert ("doc.md", 15, "passage 'spare' is never read") in found
    assert ("doc.md", 15, "unknown fact 'F99'") in found
    assert ("doc.md", 11, "passage 'procedure-length' has no 'facts:' line") in found
    assert ("doc.md", 11, "passage 'procedure-length' carries no facts") in found


def test_intent_file_faults(config: ContentConfig) -> None:
    edit(config.intents / "help.yaml", "intent: help", "intent: helpp")
    (config.intents / "tests" / "condition.yaml").unlink()
    (config.intents / "tests" / "duration.yaml").write_text("intent: duration\nno_match: []\n")
    found = problems(config)
    assert ("help.yaml", 1, "intent 'helpp' is in help.yaml") in found
    assert ("help.yaml", 1, "unknown intent 'helpp'") in found
    assert ("condition.yaml", 1, "no test file tests/condition.yaml") in found
    assert ("duration.yaml", 1, "no 'match' sentences") in found


def test_prompt_faults(config: ContentConfig) -> None:
    edit(config.prompts, '  help: "The help prompt."\n', "")
    edit(config.prompts, "about {topic}?", "about {subject}?")
    found = problems(config)
    assert ("prompts.yaml", 1, "missing prompt 'help'") in found
    assert any(m.startswith("bad placeholder {subject}") for _, _, m in found)


def test_prompt_variants_per_mode_are_known_other_keys_are_not(config: ContentConfig) -> None:
    edit(
        config.prompts, "prompts:\n", 'prompts:\n  ready_wake: "Say hello."\n  ready_loud: "Hi."\n'
    )
    found = check_content(config, MatcherConfig(cache=None, semantic=False))
    assert [(p.line, p.message, p.severity) for p in found if "prompt" in p.message] == [
        (3, "unknown prompt 'ready_loud'", "warning")
    ]


def test_duplicates_leakage_and_failing_tests(config: ContentConfig, tmp_path: Path) -> None:
    extra = "  - will i be kept in\n  - Is there parking?\n"
    edit(config.intents / "going_home.yaml", "  - will i be kept in\n", extra)
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "heldout.tsv").write_text("duration\thow many MINUTES\n")
    tests = config.intents / "tests" / "duration.yaml"
    tests.write_text(tests.read_text() + "no_match:\n  - how long does it take to heal\n")
    found = problems(config)
    duplicate = "duplicate example (also going_home, going_home.yaml:11)"
    assert ("out_of_scope.yaml", 9, duplicate) in found
    assert ("duration.yaml", 7, "held-out question leaked in (heldout.tsv:1)") in found
    assert ("duration.yaml", 5, "'how long does it take to heal' must not match") in found
    assert any("not its own" in m for _, _, m in found)


def test_reading_level(config: ContentConfig) -> None:
    hard = "Osteoporotic vertebral fractures necessitate interventional stabilisation procedures."
    edit(config.document, "Many people go home the same day.", hard)
    found = check_content(config, MatcherConfig(cache=None))
    assert any(p.message.startswith("reading level is grade") for p in found)
    warning = [p for p in found if p.message.startswith("passage 'going-home' reads at grade")]
    assert warning and warning[0].severity == "warning"


def test_unloadable_files_are_all_reported(config: ContentConfig) -> None:
    (config.intents / "help.yaml").write_text("intent: [\n")
    (config.intents / "tests" / "help.yaml").write_text("- a\n")
    found = problems(config)
    assert {name for name, _, _ in found} == {"help.yaml"}
    assert len(found) == 2


def test_kiosk_check_prints_file_line_and_fails(config: ContentConfig, tmp_path: Path) -> None:
    edit(config.intents / "duration.yaml", "[procedure-length]", "[procedure-lenght]")
    done = run_check(tmp_path)
    assert done.returncode == 1
    assert "intents/duration.yaml:3: unknown passage 'procedure-lenght'" in done.stdout.splitlines()
    assert done.stdout.splitlines()[-1].startswith("kiosk check: ")
    assert "reading level grade" in done.stdout


def test_real_content_passes_kiosk_check() -> None:
    done = run_check(Path(__file__).resolve().parent.parent, config=None)
    assert done.returncode == 0, done.stdout


def run_check(folder: Path, config: str | None = "kiosk.yaml") -> subprocess.CompletedProcess[str]:
    options = ["--config", config] if config else []
    command = [sys.executable, "-m", "kiosk", *options, "check"]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
