"""Load the document, overview, prompts and intent files into dataclasses that keep file:line.

A file that cannot be used at all (missing, too large, not YAML, not a mapping) raises
`ContentFileError`. Smaller schema faults (a wrong type, an unknown key, a bad passage id) skip
the faulty item and are recorded as `Problem`s on the result, for `kiosk check` to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import ContentConfig
from kiosk.content_yaml import Line, Problem, YamlFile, display_path
from kiosk.document import Document, Passage, load_document

__all__ = [
    "ALL_INTENTS",
    "APPROVED_FACTS",
    "CONTENT_INTENTS",
    "CONTROL_INTENTS",
    "OPTIONAL_PROMPTS",
    "OUT_OF_SCOPE",
    "PROMPT_MODES",
    "REQUIRED_PROMPTS",
    "Content",
    "Document",
    "IntentFile",
    "IntentTests",
    "Line",
    "Passage",
    "Problem",
    "display_path",
    "load_content",
    "load_intent",
    "load_intent_tests",
    "load_overview",
    "load_prompts",
]

CONTENT_INTENTS = (
    "condition", "causes", "symptoms", "heal_on_own", "other_treatments", "procedure", "cement",
    "balloon", "sedation", "steps", "needles", "duration", "multiple_fractures", "going_home",
    "pain_relief", "medications",
)  # fmt: skip
CONTROL_INTENTS = (
    "help", "overview", "repeat", "stop", "slower", "faster", "louder", "quieter", "staff",
    "emergency",
)  # fmt: skip
OUT_OF_SCOPE = "out_of_scope"
ALL_INTENTS = (*CONTENT_INTENTS, *CONTROL_INTENTS, OUT_OF_SCOPE)
REQUIRED_PROMPTS = (
    "ready", "no_information", "not_heard", "say_again", "confirm", "confirm_no", "help",
    "still_there", "resting", "slower", "slowest", "faster", "fastest", "louder", "loudest",
    "quieter", "quietest", "nothing_to_repeat", "overview_start", "overview_end", "staff",
    "emergency", "anything_else",
)  # fmt: skip
PROMPT_MODES = ("button", "wake", "open")
"""`listening.mode` values; a prompt may have a variant for each (`ready_wake`)."""
OPTIONAL_PROMPTS = tuple(f"{key}_{mode}" for key in REQUIRED_PROMPTS for mode in PROMPT_MODES)
"""Per-mode variants, said instead of the plain prompt in that mode when present."""
APPROVED_FACTS = tuple(f"F{number}" for number in range(1, 27))


@dataclass(frozen=True)
class IntentFile:
    """One `intents/<intent>.yaml` file."""

    name: str
    """The `intent:` value (should equal the file name)."""
    file: Path
    """The file it was read from."""
    line: int
    """Line of the `intent:` key (1 if missing)."""
    topic: Line | None
    """Spoken in confirmations and help; None if the file has none."""
    passages: tuple[Line, ...]
    """Passage ids read for this intent, in order (content intents only)."""
    examples: tuple[Line, ...]
    """The ways patients ask: the matcher's training data."""


@dataclass(frozen=True)
class IntentTests:
    """One `intents/tests/<intent>.yaml` file."""

    intent: str
    """The `intent:` value."""
    file: Path
    """The file it was read from."""
    line: int
    """Line of the `intent:` key (1 if missing)."""
    match: tuple[Line, ...]
    """Sentences that must reach this intent (for out_of_scope: must be rejected)."""
    no_match: tuple[Line, ...]
    """Sentences that must not reach this intent."""


@dataclass(frozen=True)
class Content:
    """Everything the kiosk may say and the intent data it matches questions with."""

    document: Document
    """The approved patient document."""
    overview: tuple[Line, ...]
    """Passage ids staff play before consent, in order."""
    overview_file: Path
    """Where the overview came from."""
    prompts: dict[str, Line]
    """The kiosk's own fixed sentences by key."""
    prompts_file: Path
    """Where the prompts came from."""
    intents: dict[str, IntentFile]
    """Intent files by intent name."""
    tests: dict[str, IntentTests]
    """Intent test files by intent name."""
    intents_folder: Path
    """The folder of intent files (tests are in its `tests/`)."""
    problems: tuple[Problem, ...] = field(default=())
    """Schema faults found while loading (the faulty items were skipped)."""

    def passage_texts(self, ids: tuple[str, ...] | list[str]) -> list[str]:
        """The spoken texts of the passages `ids`, skipping unknown ids."""
        return [self.document.passages[i].text for i in ids if i in self.document.passages]

    def intent_passages(self, intent: str) -> tuple[str, ...]:
        """The passage ids an intent reads (empty for control intents and unknown names)."""
        found = self.intents.get(intent)
        return tuple(p.text for p in found.passages) if found else ()


def load_overview(path: Path, problems: list[Problem]) -> tuple[Line, ...]:
    """The `overview:` list of passage ids."""
    yaml_file = YamlFile.read(path, problems)
    return yaml_file.lines(yaml_file.require("overview"), "overview")


def load_prompts(path: Path, problems: list[Problem]) -> dict[str, Line]:
    """The `prompts:` mapping of key -> sentence."""
    yaml_file = YamlFile.read(path, problems)
    return yaml_file.text_map(yaml_file.require("prompts"), "prompts")


def load_intent(path: Path, problems: list[Problem]) -> IntentFile:
    """One intent file; unknown keys and wrong types are recorded in `problems`."""
    yaml_file = YamlFile.read(path, problems, ("intent", "topic", "passages", "examples"))
    name, line = yaml_file.name("intent")
    topic = yaml_file.optional_text("topic")
    passages = yaml_file.lines(yaml_file.get("passages"), "passages")
    examples = yaml_file.lines(yaml_file.require("examples"), "examples")
    return IntentFile(name, path, line, topic, passages, examples)


def load_intent_tests(path: Path, problems: list[Problem]) -> IntentTests:
    """One intent test file."""
    yaml_file = YamlFile.read(path, problems, ("intent", "match", "no_match"))
    name, line = yaml_file.name("intent")
    match = yaml_file.lines(yaml_file.get("match"), "match")
    no_match = yaml_file.lines(yaml_file.get("no_match"), "no_match")
    return IntentTests(name, path, line, match, no_match)


def load_content(config: ContentConfig) -> Content:
    """Load all content; raises ContentError (one line, `file:line: message`) if unusable."""
    problems: list[Problem] = []
    document = load_document(config.document, problems)
    overview = load_overview(config.overview, problems)
    prompts = load_prompts(config.prompts, problems)
    intents: dict[str, IntentFile] = {}
    for path in sorted(config.intents.glob("*.yaml")):
        intent = load_intent(path, problems)
        intents[path.stem] = intent
    tests: dict[str, IntentTests] = {}
    for path in sorted((config.intents / "tests").glob("*.yaml")):
        tests[path.stem] = load_intent_tests(path, problems)
    return Content(
        document, overview, config.overview, prompts, config.prompts, intents, tests,
        config.intents, tuple(problems),
    )  # fmt: skip
