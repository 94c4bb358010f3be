"""Parse the patient document: `## id` passages, each with a `facts:` line and spoken text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kiosk.content_yaml import Problem, fail, read_text

PASSAGE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FACT_ID = re.compile(r"F[0-9]+")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Passage:
    """One passage of the document: the unit the kiosk reads aloud."""

    id: str
    """Stable kebab-case id that intents and the overview refer to."""
    facts: tuple[str, ...]
    """Approved fact ids (F1-F26) the passage carries."""
    text: str
    """The spoken text; paragraphs separated by a blank line."""
    file: Path
    """The document file."""
    line: int
    """Line of the `## id` heading."""


@dataclass(frozen=True)
class Document:
    """The approved patient document."""

    title: str
    """The `# ` heading (empty if missing)."""
    file: Path
    """Where it was read from."""
    passages: dict[str, Passage]
    """Passages by id, in document order."""

    @property
    def text(self) -> str:
        """All spoken text, in order."""
        return "\n\n".join(passage.text for passage in self.passages.values())


def _blank_comments(text: str) -> str:
    """Remove `<!-- -->` comments but keep their newlines, so line numbers stay right."""
    return COMMENT.sub(lambda found: "\n" * found.group().count("\n"), text)


def _paragraphs(lines: list[str]) -> str:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join(" ".join(paragraph) for paragraph in paragraphs if paragraph)


def _passage(
    path: Path, heading: int, lines: list[tuple[int, str]], problems: list[Problem]
) -> Passage:
    passage_id = lines[0][1][3:].strip()
    if not PASSAGE_ID.fullmatch(passage_id):
        problems.append(Problem(path, heading, f"passage id '{passage_id}' is not kebab-case"))
    body = [(number, line) for number, line in lines[1:] if line.strip()]
    facts: tuple[str, ...] = ()
    if body and body[0][1].strip().startswith("facts:"):
        number, line = body.pop(0)
        facts = tuple(f.strip() for f in line.strip()[6:].split(",") if f.strip())
        for fact in facts:
            if not FACT_ID.fullmatch(fact):
                problems.append(Problem(path, number, f"'{fact}' is not a fact id like F12"))
    else:
        problems.append(Problem(path, heading, f"passage '{passage_id}' has no 'facts:' line"))
    start = lines.index(body[0]) if body else len(lines)
    text = _paragraphs([line for _, line in lines[start:]])
    if not text:
        problems.append(Problem(path, heading, f"passage '{passage_id}' has no text"))
    return Passage(passage_id, facts, text, path, heading)


def load_document(path: Path, problems: list[Problem]) -> Document:
    """Parse the document; raises ContentFileError if it has no passages at all."""
    numbered = list(enumerate(_blank_comments(read_text(path)).splitlines(), start=1))
    title = ""
    sections: list[list[tuple[int, str]]] = []
    for number, line in numbered:
        if line.startswith("## "):
            sections.append([(number, line)])
        elif sections:
            sections[-1].append((number, line))
        elif line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.strip():
            problems.append(Problem(path, number, "text before the first '## id' passage"))
    if not sections:
        raise fail(path, 1, "no passages: each passage starts with a '## id' line")
    passages: dict[str, Passage] = {}
    for section in sections:
        passage = _passage(path, section[0][0], section, problems)
        if passage.id in passages:
            problems.append(Problem(path, passage.line, f"duplicate passage id '{passage.id}'"))
        else:
            passages[passage.id] = passage
    return Document(title, path, passages)
