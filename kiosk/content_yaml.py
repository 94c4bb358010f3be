"""Read content YAML files keeping line numbers (via `yaml.compose`), and report faults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kiosk.errors import ContentError

MAX_FILE_BYTES = 2_000_000
NULL_TAG = "tag:yaml.org,2002:null"
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML has it: the same nodes and marks, about 10 times faster."""


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Problem:
    """One fault in the content, as `kiosk check` reports it."""

    file: Path
    """The file at fault."""
    line: int
    """1-based line number (1 when the fault is about the whole file)."""
    message: str
    """What is wrong, in one line."""
    severity: Literal["error", "warning"] = "error"
    """Errors fail `kiosk check`; warnings are only shown."""

    def __str__(self) -> str:
        mark = "warning: " if self.severity == "warning" else ""
        return f"{display_path(self.file)}:{self.line}: {mark}{self.message}"


class ContentFileError(ContentError):
    """A content file cannot be used at all; carries the `Problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
        """The fault, with file and line."""


@dataclass(frozen=True)
class Line:
    """A piece of text from a content file, with where it came from."""

    text: str
    """The text as written."""
    file: Path
    """The file it was read from."""
    line: int
    """1-based line number in that file."""


def fail(path: Path, line: int, message: str) -> ContentFileError:
    """The error for a file that cannot be used."""
    return ContentFileError(Problem(path, line, message))


def read_text(path: Path) -> str:
    """A content file's text; refuses missing, unreadable, oversized and non-UTF-8 files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(path, 1, f"file is too large ({size} bytes; limit {MAX_FILE_BYTES})")
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise fail(path, 1, f"cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise fail(path, 1, "not UTF-8 text") from None


class YamlFile:
    """A YAML file whose top level is a mapping, read with line numbers."""

    def __init__(self, path: Path, root: MappingNode, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.keys = self.mapping(root, "top level")

    @classmethod
    def read(
        cls, path: Path, problems: list[Problem], allowed: tuple[str, ...] | None = None
    ) -> YamlFile:
        """Parse `path`; unknown top-level keys (when `allowed` is given) become problems."""
        try:
            root = yaml.compose(read_text(path), Loader=LOADER)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            reason = getattr(error, "problem", None) or "not valid YAML"
            raise fail(path, line, f"not valid YAML: {reason}") from None
        if not isinstance(root, MappingNode):
            line = root.start_mark.line + 1 if root is not None else 1
            raise fail(path, line, "the top level must be a mapping of keys")
        yaml_file = cls(path, root, problems)
        for key, (key_node, _) in yaml_file.keys.items():
            if allowed is not None and key not in allowed:
                yaml_file.problem(key_node, f"unknown key '{key}' (allowed: {', '.join(allowed)})")
        return yaml_file

    def problem(self, node: Node, message: str) -> None:
        """Record a fault at `node`."""
        self.problems.append(Problem(self.path, node.start_mark.line + 1, message))

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
        """The scalar keys of a mapping node; duplicates and odd keys become problems."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"'{what}' must be a mapping")
            return {}
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, f"keys in '{what}' must be plain words")
            elif key_node.value in found:
                self.problem(key_node, f"duplicate key '{key_node.value}' in '{what}'")
            else:
                found[key_node.value] = (key_node, value_node)
        return found

    def get(self, key: str) -> Node | None:
        """The value node of a top-level key, or None."""
        entry = self.keys.get(key)
        return entry[1] if entry else None

    def require(self, key: str) -> Node | None:
        """Like `get`, recording a problem when the key is missing."""
        if key not in self.keys:
            self.problems.append(Problem(self.path, 1, f"missing key '{key}'"))
        return self.get(key)

    def text(self, node: Node, what: str) -> Line | None:
        """A non-empty scalar as a `Line`, or None (recorded as a problem)."""
        if not isinstance(node, ScalarNode):
            self.problem(node, f"'{what}' must be text, not a list or mapping")
            return None
        text = str(node.value).strip()
        if node.tag == NULL_TAG or not text:
            self.problem(node, f"'{what}' is empty")
            return None
        return Line(text, self.path, node.start_mark.line + 1)

    def name(self, key: str) -> tuple[str, int]:
        """A required top-level scalar and its line ("" and 1 when missing or wrong)."""
        node = self.require(key)
        found = self.text(node, key) if node is not None else None
        return (found.text, found.line) if found else ("", 1)

    def optional_text(self, key: str) -> Line | None:
        """An optional top-level scalar."""
        node = self.get(key)
        return self.text(node, key) if node is not None else None

    def lines(self, node: Node | None, what: str) -> tuple[Line, ...]:
        """A list of scalars; wrong items are recorded and skipped."""
        if node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG):
            return ()
        if not isinstance(node, SequenceNode):
            self.problem(node, f"'{what}' must be a list")
            return ()
        found = (self.text(item, f"an item of {what}") for item in node.value)
        return tuple(line for line in found if line is not None)

    def text_map(self, node: Node | None, what: str) -> dict[str, Line]:
        """A mapping of key -> text; wrong values are recorded and skipped."""
        if node is None:
            return {}
        found: dict[str, Line] = {}
        for key, (_, value_node) in self.mapping(node, what).items():
            line = self.text(value_node, f"{what}.{key}")
            if line is not None:
                found[key] = line
        return found
