"""The matcher on small inline content: paraphrases, rejection, scores, the cache; answers."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kiosk import matcher as matcher_module
from kiosk.answer import answer
from kiosk.config import MatcherConfig
from kiosk.content import Content, load_content
from kiosk.errors import ContentError
from kiosk.matcher import Matcher, remember_examples
from tests.content_fixture import matcher_config, write_content


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return load_content(write_content(tmp_path_factory.mktemp("content")))


@pytest.fixture(scope="module")
def matcher(content: Content) -> Matcher:
    return Matcher.from_content(content, MatcherConfig(cache=None))


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("um how long will it take", "duration"),
        ("take it how long will", "duration"),
        ("HOW LONG DOES IT TAKE?", "duration"),
        ("can i go home the same day please", "going_home"),
        ("will i have to stay over night", "going_home"),
        ("what's wrong with my back", "condition"),
    ],
)
def test_paraphrases_reach_their_intent(matcher: Matcher, question: str, intent: str) -> None:
    found = matcher.match(question)
    assert found.intent == intent, found
    assert found.runner_up not in (None, intent)
    assert 0.0 <= found.runner_up_score <= found.score <= 1.0


@pytest.mark.parametrize("question", ["how much will it cost", "where are the toilets", ""])
def test_out_of_scope_is_rejected(matcher: Matcher, question: str) -> None:
    found = matcher.match(question)
    assert found.intent is None
    assert found.score < matcher.config.reject_below


def test_the_same_words_twice_are_matched_once(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []
    real = matcher.probabilities

    def counted(texts: list[str]) -> np.ndarray:
        asked.append(list(texts))
        return real(texts)

    monkeypatch.setattr(matcher, "probabilities", counted)
    first = matcher.match("how long does it take")
    assert matcher.match("how long does it take") == first
    other = matcher.match("can i go home the same day")
    assert matcher.match("how long does it take") == first
    assert asked == [["how long does it take"], ["can i go home the same day"],
                     ["how long does it take"]]  # fmt: skip
    assert other.intent == "going_home" and first.intent == "duration"


def test_threshold_decides_rejection(matcher: Matcher) -> None:
    probabilities = matcher.probabilities(["how long is it"])[0]
    score = matcher.decide(probabilities).score
    strict = Matcher(
        matcher.classes, matcher.vectorizer, matcher.model,
        dataclasses.replace(matcher.config, reject_below=score + 1e-6),
    )  # fmt: skip
    assert strict.decide(probabilities).intent is None
    assert strict.decide(probabilities).runner_up == "duration"


def test_probabilities_sum_to_one_and_temperature_is_fitted(matcher: Matcher) -> None:
    rows = matcher.probabilities(["how long", "can i go home", "nonsense words here"])
    assert np.allclose(rows.sum(axis=1), 1.0, atol=1e-5)
    assert matcher.model.temperature != 1.0


def test_cache_gives_the_same_matcher(content: Content, tmp_path: Path) -> None:
    config = matcher_config(tmp_path)
    trained = Matcher.from_content(content, config)
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    loaded = Matcher.from_content(content, config)
    questions = ["how long does it take", "can i go home", "what is the weather"]
    assert np.allclose(trained.probabilities(questions), loaded.probabilities(questions))


def test_example_embeddings_are_kept_for_other_processes(content: Content, tmp_path: Path) -> None:
    config = matcher_config(tmp_path)
    Matcher.from_content(content, config)
    examples = [line.text for intent in content.intents.values() for line in intent.examples]
    kept = dict(matcher_module._EXAMPLES)
    assert len(list((tmp_path / "cache" / "embeddings").glob("*.npz"))) == 1
    matcher_module._EXAMPLES.clear()  # as a new process starts
    matcher_module._READ.clear()
    remember_examples(config.cache)
    assert set(examples) <= set(matcher_module._EXAMPLES)
    assert all(np.array_equal(matcher_module._EXAMPLES[text], kept[text]) for text in examples)


def test_match_all_equals_match_one_by_one(matcher: Matcher) -> None:
    questions = ["how long does it take", "", "where are the toilets", "can i go home today"]
    together = matcher.match_all(questions, batch=2)
    alone = [matcher.match(question) for question in questions]
    assert [m.intent for m in together] == [m.intent for m in alone]
    assert np.allclose([m.score for m in together], [m.score for m in alone], atol=1e-4)


def test_answers(content: Content) -> None:
    duration = answer(content, "duration")
    assert duration.text == "It usually takes less than one hour."
    assert duration.passages == ("procedure-length",)
    assert answer(content, None).text == "The no_information prompt."
    assert answer(content, "out_of_scope").prompt == "no_information"
    assert answer(content, "help").text == "The help prompt."
    assert answer(content, "louder").prompt == "louder"
    assert answer(content, "emergency").prompt == "emergency"
    assert answer(content, "repeat").prompt == "nothing_to_repeat"
    assert answer(content, "stop").prompt == "resting"
    assert answer(content, "no_such_intent").prompt == "no_information"
    overview = answer(content, "overview")
    assert overview.passages == ("fracture-what", "procedure-length")
    assert overview.text.startswith("The overview_start prompt.\n\nA compression fracture")
    assert overview.text.endswith("one hour.\n\nThe overview_end prompt.")


def test_missing_prompt_is_a_content_error(content: Content) -> None:
    broken = dataclasses.replace(content, prompts={})
    with pytest.raises(ContentError, match="missing prompt 'no_information'"):
        answer(broken, None)


def kiosk(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kiosk", "--config", "kiosk.yaml", "ask", *args]
    return subprocess.run(
        command, cwd=folder, input=stdin, capture_output=True, text=True, check=False
    )


def test_kiosk_ask_end_to_end(tmp_path: Path) -> None:
    write_content(tmp_path)
    plain = kiosk(tmp_path, "How long does it take?")
    assert (plain.returncode, plain.stdout) == (0, "It usually takes less than one hour.\n")
    found = json.loads(kiosk(tmp_path, "--json", "can i go home today").stdout)
    assert found["intent"] == "going_home"
    assert found["passages"] == ["going-home"]
    assert found["answer"] == "Many people go home the same day."
    assert set(found) == {
        "question", "intent", "score", "runner_up", "runner_up_score", "answer", "passages",
    }  # fmt: skip
    lines = kiosk(tmp_path, stdin="how long is it\n\nwhere is the toilet\nhelp\n").stdout
    replies = [json.loads(line) for line in lines.splitlines()]
    assert [r["intent"] for r in replies] == ["duration", None, "help"]
    assert replies[1]["answer"] == "The no_information prompt."


def test_kiosk_ask_refuses_an_empty_question(tmp_path: Path) -> None:
    write_content(tmp_path)
    done = kiosk(tmp_path, "   ")
    assert done.returncode != 0
    assert done.stderr == "kiosk ask: the question is empty\n"


def test_emergency_wins_from_emergency_above(matcher: Matcher) -> None:
    config = dataclasses.replace(matcher.config, reject_below=0.5, emergency_above=0.4)
    classes = ("duration", "emergency", "out_of_scope")
    alarmed = Matcher(classes, matcher.vectorizer, matcher.model, config, matcher.encoder)
    assert alarmed.decide(np.array([0.55, 0.42, 0.03])).intent == "emergency"
    found = alarmed.decide(np.array([0.1, 0.45, 0.45]))
    assert (found.intent, found.runner_up) == ("emergency", "duration")
    assert alarmed.decide(np.array([0.2, 0.3, 0.5])).intent is None
