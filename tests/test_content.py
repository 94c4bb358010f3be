"""The content loader: passages, YAML files with line numbers, schema faults, unusable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.content import load_content, load_intent, load_prompts
from kiosk.content_yaml import MAX_FILE_BYTES, ContentFileError, Problem
from tests.content_fixture import write_content


def test_document_passages_facts_and_lines(tmp_path: Path) -> None:
    content = load_content(write_content(tmp_path))
    passages = content.document.passages
    assert list(passages) == ["fracture-what", "procedure-length", "going-home"]
    first = passages["fracture-what"]
    assert first.facts == ("F1",)
    assert first.line == 4
    assert first.text == (
        "A compression fracture is a break in a bone of the spine.\n\n"
        "It squashes the bone into a wedge."
    )
    assert passages["going-home"].facts == ("F23", "F24")
    assert content.document.title == "Test document"
    assert content.problems == ()


def test_intents_overview_prompts_keep_lines(tmp_path: Path) -> None:
    content = load_content(write_content(tmp_path))
    duration = content.intents["duration"]
    assert duration.name == "duration"
    assert duration.topic is not None and duration.topic.text == "the duration"
    assert [p.text for p in duration.passages] == ["procedure-length"]
    assert (duration.examples[0].text, duration.examples[0].line) == ("how long does it take", 5)
    assert [(line.text, line.line) for line in content.overview] == [
        ("fracture-what", 2), ("procedure-length", 3),
    ]  # fmt: skip
    assert content.prompts["confirm"].text == "Did you want to know about {topic}?"
    assert content.tests["going_home"].match[0].text == "can i go home"


def test_schema_faults_are_recorded_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "duration.yaml"
    path.write_text(
        "intent: duration\nexampels: []\nexamples:\n  - how long\n  - [a, list]\n  -\n"
        "passages: procedure-length\n"
    )
    problems: list[Problem] = []
    intent = load_intent(path, problems)
    assert [e.text for e in intent.examples] == ["how long"]
    assert intent.passages == ()
    found = {(p.line, p.message.split(" (")[0]) for p in problems}
    assert found == {
        (2, "unknown key 'exampels'"),
        (5, "'an item of examples' must be text, not a list or mapping"),
        (6, "'an item of examples' is empty"),
        (7, "'passages' must be a list"),
    }


def test_document_faults(tmp_path: Path) -> None:
    config = write_content(tmp_path)
    config.document.write_text(
        "# t\nstray text\n## Bad_Id\nF1\n\nText.\n## ok\nfacts: F1, 7\n\nMore.\n## ok\nfacts: F2\n"
    )
    problems = {(p.line, p.message) for p in load_content(config).problems}
    assert problems == {
        (2, "text before the first '## id' passage"),
        (3, "passage id 'Bad_Id' is not kebab-case"),
        (3, "passage 'Bad_Id' has no 'facts:' line"),
        (8, "'7' is not a fact id like F12"),
        (11, "duplicate passage id 'ok'"),
        (11, "passage 'ok' has no text"),
    }


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "prompts.yaml"
    path.write_text('prompts:\n  ready: "Hello\n  help: [\n')
    with pytest.raises(ContentFileError) as raised:
        load_prompts(path, [])
    assert str(raised.value).startswith(f"{path}:")
    assert raised.value.problem.line > 1
    assert "not valid YAML" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("- a list\n", "the top level must be a mapping"), ("", "the top level must be a mapping")],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(ContentFileError, match=message):
        load_prompts(path, [])


def test_oversized_and_missing_files_are_refused(tmp_path: Path) -> None:
    config = write_content(tmp_path)
    config.document.write_text("# big\n" + "x" * MAX_FILE_BYTES)
    with pytest.raises(ContentFileError, match="too large"):
        load_content(config)
    config.document.unlink()
    with pytest.raises(ContentFileError, match="cannot read"):
        load_content(config)


def test_missing_passage_text_is_not_spoken(tmp_path: Path) -> None:
    content = load_content(write_content(tmp_path))
    assert content.passage_texts(["nope", "going-home"]) == ["Many people go home the same day."]
    assert content.intent_passages("help") == ()
