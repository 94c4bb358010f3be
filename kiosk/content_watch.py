"""New content while the kiosk runs: when a content file changes, the content is checked as
`kiosk check` does. Content without errors (and a matcher trained on it) replaces the old; with
errors, each is logged as `file:line: message` and the last good content stays in use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.check import check_content, check_loaded
from kiosk.config import Config, ContentConfig
from kiosk.content import Content, load_content
from kiosk.errors import KioskError
from kiosk.matcher import Match, Matcher

log = logging.getLogger(__name__)

POLL_S = 2.0
"""How often the files are looked at; a change is used once they are unchanged for as long."""
SHOWN = 10
"""Content errors logged per change (the rest are counted)."""

Signature = tuple[tuple[str, int, int], ...]


class CurrentMatcher:
    """The matcher in use; `match` always asks the latest one."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher

    def match(self, text: str) -> Match:
        return self.matcher.match(text)


def signature(config: ContentConfig) -> Signature:
    """Name, modification time and size of every content file."""
    intents = [*sorted(config.intents.glob("*.yaml")), *sorted(config.intents.glob("tests/*.yaml"))]
    files = [config.document, config.overview, config.prompts, *intents]
    found = []
    for path in files:
        try:
            stat = Path(path).stat()
        except OSError:
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class ContentWatcher:
    """Polls the content files in a daemon thread until `close()`."""

    def __init__(self, config: Config, use: Callable[[Content, Matcher], None]) -> None:
        self._config = config
        self._use = use
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="content-watch", daemon=True)
        self._baseline: Signature = ()

    def start(self) -> None:
        """Take the files as they are now as the content in use, then watch for changes."""
        self._baseline = signature(self._config.content)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=POLL_S + 1)

    def _run(self) -> None:
        used = seen = self._baseline  # taken in start(), not when this thread gets to run
        while not self._closing.wait(POLL_S):
            now = signature(self._config.content)
            if now == seen and now != used:  # changed, and settled for one poll
                used = now
                try:
                    self._reload()
                except Exception:  # never stop the kiosk over new content
                    log.exception("new content could not be used; the last good content stays")
            seen = now

    def _reload(self) -> None:
        config = self._config
        try:
            content: Content | None = load_content(config.content)
        except KioskError:
            content = None  # unusable: check_content names the files and lines
        problems = (
            check_loaded(content, config.matcher) if content
            else check_content(config.content, config.matcher)
        )  # fmt: skip
        errors = [p for p in problems if p.severity == "error"]
        if content is None or errors:
            for problem in errors[:SHOWN]:
                log.error("content not used: %s", problem)
            more = f" (and {len(errors) - SHOWN} more)" if len(errors) > SHOWN else ""
            log.error("the content changed but has %d errors%s: the last good content stays in "
                      "use; run kiosk check", len(errors), more)  # fmt: skip
            return
        self._use(content, Matcher.from_content(content, config.matcher))
        log.info("content changed: now in use")
