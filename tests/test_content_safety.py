"""Everything the kiosk can say is a passage of the approved document or one of its prompts.

test_conversation_properties.py drives the state machine with made-up matches; here the
questions are real (every evaluation, test and example sentence, and random text) and go
through the real matcher, mixed with its random keys, staff commands, speaker events and
clock. `kiosk ask` is checked over the same questions and a few hundred random strings.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import PROJECT_ROOT
from kiosk.turns import Heard, Say
from tests.real_content import real_content, real_matcher
from tests.test_conversation_properties import ALLOWED, events, modes, new, run

EVAL_FILES = (PROJECT_ROOT / "eval" / "heldout.tsv", PROJECT_ROOT.parent / "shared/eval/dev.tsv")
REPLIES = ("yes", "no", "yeah please", "no thanks", "stop", "repeat that", "louder", "help")


@cache
def questions() -> tuple[str, ...]:
    """Every question the project has: held-out and dev sets, intent tests, and examples."""
    found: list[str] = list(REPLIES)
    for path in EVAL_FILES:
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            found += [line.split("\t", 1)[1] for line in lines if "\t" in line[:40]]
    for tests in real_content().tests.values():
        found += [line.text for line in (*tests.match, *tests.no_match)]
    for intent in real_content().intents.values():
        found += [line.text for line in intent.examples]
    return tuple(found)


@cache
def approved() -> frozenset[str]:
    """Passage texts, prompt texts, and prompts with `{topic}` filled by each intent's topic."""
    texts = {passage.text for passage in real_content().document.passages.values()}
    topics = [i.topic.text for i in real_content().intents.values() if i.topic is not None]
    for line in real_content().prompts.values():
        if "{topic}" in line.text:
            texts.update(line.text.replace("{topic}", topic) for topic in topics)
        else:
            texts.add(line.text)
    return frozenset(texts)


def is_approved_answer(text: str) -> bool:
    """`text` is approved units joined by blank lines (an overview, a few passages), or empty."""
    if not text:
        return True
    parts = text.split("\n\n")
    reachable = {0}  # part indexes where an approved unit may start
    for start in range(len(parts)):
        if start not in reachable:
            continue
        for end in range(start + 1, len(parts) + 1):
            if "\n\n".join(parts[start:end]) in approved():
                reachable.add(end)
    return len(parts) in reachable


any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
real_heards = st.builds(
    lambda text, addressed: Heard(text, real_matcher().match(text), addressed),
    st.one_of(st.sampled_from(questions()), any_text),
    st.booleans(),
)
"""What the recognizer could pass on: real questions and any text, through the real matcher."""


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modes, st.lists(st.one_of(real_heards, real_heards, events), min_size=1, max_size=40))
def test_conversation_only_says_approved_text(mode: str, sequence: list[object]) -> None:
    for step in run(new(mode), sequence):
        for action in step.actions:
            if isinstance(action, Say):
                for utterance in action.utterances:
                    assert utterance.text in ALLOWED[(utterance.kind, utterance.key)], utterance
                    assert utterance.text in approved()


def test_every_prompt_and_passage_is_approved_and_nonempty() -> None:
    assert real_content().document.passages, "the document has no passages"
    assert all(text.strip() for text in approved())
    assert not any("{" in text for text in approved()), "an unfilled placeholder is approved"


def random_lines(count: int, seed: int) -> list[str]:
    chooser = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " éü中\t"
    words = [word for question in questions() for word in question.split()]
    lines = []
    for index in range(count):
        if index % 2:
            lines.append("".join(chooser.choices(alphabet, k=chooser.randint(1, 120))))
        else:
            lines.append(" ".join(chooser.choices(words or ["x"], k=chooser.randint(1, 15))))
    return lines


def test_kiosk_ask_answers_only_with_approved_text(tmp_path: Path) -> None:
    lines = [*questions(), *random_lines(300, seed=5)]
    asked = [line for line in lines if line.strip()]
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "ask"],
        input="\n".join(asked) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(asked)
    for reply in answers:
        assert is_approved_answer(reply["answer"]), f"unapproved answer: {reply!r}"
        assert set(reply["passages"]) <= set(real_content().document.passages)
