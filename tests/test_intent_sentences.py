"""Every sentence in intents/tests/*.yaml against the real content and matcher (like
home-assistant/intents): `match` lines must reach the file's intent (for `out_of_scope`: be
rejected), `no_match` lines must not."""

from __future__ import annotations

import pytest

from kiosk.content import OUT_OF_SCOPE
from tests.real_content import real_content, real_matcher


def cases(kind: str) -> list[pytest.ParameterSet]:
    found = []
    for tests in real_content().tests.values():
        for line in tests.match if kind == "match" else tests.no_match:
            where = f"{tests.file.parent.name}/{tests.file.name}:{line.line}"
            found.append(pytest.param(tests.intent, line.text, id=f"{where} {line.text}"))
    return found


@pytest.mark.parametrize(("intent", "sentence"), cases("match"))
def test_match(intent: str, sentence: str) -> None:
    found = real_matcher().match(sentence)
    reached = found.intent or OUT_OF_SCOPE
    assert reached == intent, (
        f"{sentence!r} should reach {intent} but reached {reached} (score {found.score:.2f}, "
        f"runner-up {found.runner_up} {found.runner_up_score:.2f})"
    )


@pytest.mark.parametrize(("intent", "sentence"), cases("no_match"))
def test_no_match(intent: str, sentence: str) -> None:
    found = real_matcher().match(sentence)
    reached = found.intent or OUT_OF_SCOPE
    assert reached != intent, f"{sentence!r} must not reach {intent} (score {found.score:.2f})"
