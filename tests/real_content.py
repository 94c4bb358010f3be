"""The project's own content, and a matcher trained on it, each loaded once per test session."""

from __future__ import annotations

from functools import cache

from kiosk.config import Config
from kiosk.content import Content, load_content
from kiosk.matcher import Matcher


@cache
def real_content() -> Content:
    """documents/ and intents/ as the kiosk loads them."""
    return load_content(Config().content)


@cache
def real_matcher() -> Matcher:
    """The matcher the kiosk would use on that content."""
    return Matcher.from_content(real_content(), Config().matcher)
