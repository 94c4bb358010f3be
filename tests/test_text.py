"""Normalisation: what the matcher sees of a question."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.readability import grade, syllables
from kiosk.soundalike import Lexicon
from kiosk.text import normalize


@pytest.mark.parametrize(
    ("said", "seen"),
    [
        ("How LONG does it take?", "how long does it take"),
        ("What's the cement for?", "what is the cement for"),
        ("I can't hear you", "i can not hear you"),
        ("you're too loud", "you are too loud"),
        ("dont whats im", "do not what is i am"),
        ("Um, so, er... how long will it take, please?", "how long will it take"),
        ("well you know will it hurt", "will it hurt"),
        ("what is the anaesthetic", "what is the anesthetic"),
        ("is it a tumour", "is it a tumor"),
        ("does it stabilise the bone", "does it stabilize the bone"),
        ("will I need two needles", "will i need 2 needles"),
        ("an x-ray", "an x ray"),
        ("what is kai foe plasty", "what is kyphoplasty"),
        ("what is vertebral augmentation", "what is kyphoplasty"),
        ("painkillers", "pain killers"),
        ("not so loud please", "too loud"),
        ("it's not loud enough", "it is too quiet"),
        ("you're not fast enough", "you are too slow"),
        ("not as fast", "too fast"),
        ("so", "so"),
        ("um", ""),
    ],
)
def test_normalize(said: str, seen: str) -> None:
    assert normalize(said) == seen


@given(st.text(alphabet=st.sampled_from(list("abcdeiosy '-,.?!\u2019XY12")), max_size=40))
def test_normalize_is_plain_and_idempotent(text: str) -> None:
    once = normalize(text)
    assert re.fullmatch(r"[a-z0-9]*( [a-z0-9]+)*", once)
    assert normalize(once) == once


def test_sound_alikes_are_repaired_against_known_words() -> None:
    lexicon = Lexicon.learn([["what", "is", "the", "balloon", "for"], ["cement", "brace"]])
    assert lexicon.repair(["what", "is", "the", "ball", "loon", "for"]) == [
        "what", "is", "the", "balloon", "for",
    ]  # fmt: skip
    assert lexicon.repair(["the", "see", "meant"]) == ["the", "cement"]
    assert lexicon.repair(["a", "back", "brass"]) == ["a", "back", "brace"]
    assert lexicon.repair(["mri", "scan"]) == ["mri", "scan"]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("The cat sat on the mat.", -4.0, 2.0),
     ("Osteoporotic vertebral fractures necessitate interventional stabilisation.", 14.0, 60.0)],
)  # fmt: skip
def test_reading_grade(text: str, low: float, high: float) -> None:
    assert low < grade(text) < high
    assert syllables("vertebra") == 3
