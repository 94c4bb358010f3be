"""Validate the content: `check_content(config) -> list[Problem]` for `kiosk check`.

Structure first (files, names, passages, facts, prompts, overview), then what needs the
matcher (examples and test sentences reach the right intent), then held-out leakage and the
reading level.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from kiosk.config import ContentConfig, MatcherConfig
from kiosk.content import (
    ALL_INTENTS,
    APPROVED_FACTS,
    CONTENT_INTENTS,
    OPTIONAL_PROMPTS,
    OUT_OF_SCOPE,
    REQUIRED_PROMPTS,
    Content,
    Line,
    Problem,
    load_content,
    load_intent,
    load_intent_tests,
    load_overview,
    load_prompts,
)
from kiosk.content_yaml import ContentFileError
from kiosk.document import load_document
from kiosk.matcher import Matcher, remember_examples
from kiosk.readability import grade
from kiosk.text import normalize

__all__ = [
    "DOCUMENT_GRADE_LIMIT", "PASSAGE_GRADE_LIMIT", "Problem", "check_content", "check_loaded",
]  # fmt: skip

DOCUMENT_GRADE_LIMIT = 8.5
PASSAGE_GRADE_LIMIT = 10.0
PLACEHOLDER = re.compile(r"\{[^}]*\}?|\}")
Found = Iterator[Problem]


def check_content(config: ContentConfig, matcher: MatcherConfig | None = None) -> list[Problem]:
    """Every problem in the content, errors and warnings, in file order."""
    try:
        content = load_content(config)
    except ContentFileError:
        return _unusable(config)
    return check_loaded(content, matcher)


def check_loaded(content: Content, matcher: MatcherConfig | None = None) -> list[Problem]:
    """`check_content` for content already loaded (the content watcher uses what it checked)."""
    checks: list[Callable[[Content], Found]] = [
        _intent_files, _passages, _facts, _prompts, _examples, _tests, _leakage, _reading,
    ]  # fmt: skip
    problems = list(content.problems)
    for check in checks:
        problems.extend(check(content))
    if any(intent.examples for intent in content.intents.values()):
        problems.extend(_matching(content, matcher or MatcherConfig()))
    return sorted(problems, key=lambda p: (str(p.file), p.line))


def _unusable(config: ContentConfig) -> list[Problem]:
    """The files that cannot be loaded at all, each tried on its own."""
    loaders: list[tuple[Callable[[Path, list[Problem]], object], Path]] = [
        (load_document, config.document),
        (load_overview, config.overview),
        (load_prompts, config.prompts),
        *((load_intent, path) for path in sorted(config.intents.glob("*.yaml"))),
        *((load_intent_tests, path) for path in sorted(config.intents.glob("tests/*.yaml"))),
    ]
    problems: list[Problem] = []
    for loader, path in loaders:
        try:
            loader(path, [])
        except ContentFileError as error:
            problems.append(error.problem)
    return problems


def _intent_files(content: Content) -> Found:
    for stem, intent in content.intents.items():
        if intent.name and intent.name != stem:
            yield Problem(intent.file, intent.line, f"intent '{intent.name}' is in {stem}.yaml")
        if intent.name and intent.name not in ALL_INTENTS:
            yield Problem(intent.file, intent.line, f"unknown intent '{intent.name}'")
        if intent.name in CONTENT_INTENTS and not intent.passages:
            yield Problem(intent.file, intent.line, "a content intent needs 'passages'")
        if intent.name not in CONTENT_INTENTS and intent.passages:
            yield Problem(intent.file, intent.line, "only content intents read passages")
        if intent.name != OUT_OF_SCOPE and intent.topic is None:
            yield Problem(intent.file, intent.line, "missing 'topic' (spoken in confirmations)")
        if stem not in content.tests:
            yield Problem(intent.file, 1, f"no test file tests/{stem}.yaml")
    for name in ALL_INTENTS:
        if name not in content.intents:
            yield Problem(content.intents_folder / f"{name}.yaml", 1, "missing intent file")
    for stem, tests in content.tests.items():
        if stem not in content.intents:
            yield Problem(tests.file, 1, f"tests for '{stem}', which has no intent file")
        if tests.intent and tests.intent != stem:
            yield Problem(tests.file, tests.line, f"intent '{tests.intent}' is in {stem}.yaml")
        if not tests.match:
            yield Problem(tests.file, tests.line, "no 'match' sentences")


def _passages(content: Content) -> Found:
    known = content.document.passages
    used: set[str] = set()
    for intent in content.intents.values():
        for line in intent.passages:
            used.add(line.text)
            if line.text not in known:
                yield Problem(line.file, line.line, f"unknown passage '{line.text}'")
    seen: set[str] = set()
    for line in content.overview:
        used.add(line.text)
        if line.text not in known:
            yield Problem(line.file, line.line, f"overview: unknown passage '{line.text}'")
        elif line.text in seen:
            yield Problem(line.file, line.line, f"overview lists '{line.text}' twice", "warning")
        seen.add(line.text)
    for passage in known.values():
        if passage.id not in used:
            yield Problem(passage.file, passage.line, f"passage '{passage.id}' is never read")


def _facts(content: Content) -> Found:
    carried: set[str] = set()
    for passage in content.document.passages.values():
        if not passage.facts:
            yield Problem(passage.file, passage.line, f"passage '{passage.id}' carries no facts")
        for fact in passage.facts:
            carried.add(fact)
            if fact not in APPROVED_FACTS:
                yield Problem(passage.file, passage.line, f"unknown fact '{fact}'")
    missing = [fact for fact in APPROVED_FACTS if fact not in carried]
    if missing:
        yield Problem(content.document.file, 1, f"facts missing: {', '.join(missing)}")


def _prompts(content: Content) -> Found:
    for key in REQUIRED_PROMPTS:
        if key not in content.prompts:
            yield Problem(content.prompts_file, 1, f"missing prompt '{key}'")
    for key, line in content.prompts.items():
        if key not in REQUIRED_PROMPTS and key not in OPTIONAL_PROMPTS:
            yield Problem(line.file, line.line, f"unknown prompt '{key}'", "warning")
        for found in PLACEHOLDER.findall(line.text):
            if found != "{topic}":
                yield Problem(line.file, line.line, f"bad placeholder {found} (only {{topic}})")


def _sentences(content: Content) -> Iterator[tuple[str, Line]]:
    for intent in content.intents.values():
        yield from ((intent.name, line) for line in intent.examples)
    for tests in content.tests.values():
        yield from ((tests.intent, line) for line in (*tests.match, *tests.no_match))


def _examples(content: Content) -> Found:
    first: dict[str, tuple[str, Line]] = {}
    for intent in content.intents.values():
        for line in intent.examples:
            key = normalize(line.text)
            if key in first:
                other, where = first[key]
                place = f"{Path(where.file).name}:{where.line}"
                yield Problem(line.file, line.line, f"duplicate example (also {other}, {place})")
            else:
                first[key] = (intent.name, line)
    for tests in content.tests.values():
        for line in (*tests.match, *tests.no_match):
            if normalize(line.text) in first:
                yield Problem(line.file, line.line, "test sentence is also an example")


def _tests(content: Content) -> Found:
    for stem, tests in content.tests.items():
        if stem in content.intents and not tests.match and not tests.no_match:
            yield Problem(tests.file, 1, "empty test file")


def held_out_files(root: Path) -> list[Path]:
    """The question sets that must never leak into the content of the project at `root` (the
    folder above intents/); the matching benchmark's overall figures come from the same ones."""
    held = [root / "eval" / name for name in ("heldout.tsv", "fresh.tsv")]
    return [*held, root.parent / "shared" / "eval" / "dev.tsv"]


def _leakage(content: Content) -> Found:
    held: dict[str, str] = {}
    for path in held_out_files(content.intents_folder.resolve().parent):
        if path.is_file():
            for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "\t" in row and not row.startswith("#"):
                    held.setdefault(normalize(row.split("\t", 1)[1]), f"{path.name}:{number}")
    for _, line in _sentences(content):
        source = held.get(normalize(line.text))
        if source:
            yield Problem(line.file, line.line, f"held-out question leaked in ({source})")


def _reading(content: Content) -> Found:
    level = grade(content.document.text)
    if level > DOCUMENT_GRADE_LIMIT:
        message = f"reading level is grade {level:.1f} (limit {DOCUMENT_GRADE_LIMIT})"
        yield Problem(content.document.file, 1, message)
    for passage in content.document.passages.values():
        level = grade(passage.text)
        if level > PASSAGE_GRADE_LIMIT:
            message = f"passage '{passage.id}' reads at grade {level:.1f}"
            yield Problem(passage.file, passage.line, message, "warning")


def _matching(content: Content, config: MatcherConfig) -> Found:
    matcher = Matcher.from_content(content, config)
    remember_examples(config.cache)  # examples encoded by earlier runs are not encoded again
    lines = [line for intent in content.intents.values() for line in intent.examples]
    for tests in content.tests.values():
        lines += [*tests.match, *tests.no_match]
    reached = {
        line.text: match.intent or OUT_OF_SCOPE
        for line, match in zip(lines, matcher.match_all([line.text for line in lines]), strict=True)
    }
    for intent in content.intents.values():
        for line in intent.examples:
            got = reached[line.text]
            if got != intent.name:
                yield Problem(line.file, line.line, f"example matches '{got}', not its own")
    for tests in content.tests.values():
        for line in tests.match:
            got = reached[line.text]
            if got != tests.intent:
                yield Problem(line.file, line.line, f"'{line.text}' matched '{got}'")
        for line in tests.no_match:
            if reached[line.text] == tests.intent:
                yield Problem(line.file, line.line, f"'{line.text}' must not match")
