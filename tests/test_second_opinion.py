"""SecondOpinion's rule (pure logic: recognizers that return fixed words)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from kiosk.errors import ModelError
from kiosk.recognizers import Recognizer, Transcript
from kiosk.recognizers.second_opinion import Rules, SecondOpinion

FIT = {"what does the bone cement do": ("cement", 0.99),
       "what does the balloon cement do": ("balloon", 0.6),
       "what does the cement do": ("cement", 0.7),
       "how long does it take": ("duration", 0.97),
       "the moon is bright": ("causes", 0.1)}  # fmt: skip
"""The topic each text fits best, and how well (the matcher's best intent and score)."""
AUDIO = np.zeros(16000, np.float32)


@dataclass
class Fixed:
    """A recognizer that always hears the same words."""

    text: str
    confidence: float | None = -0.2
    name: str = "fixed"
    calls: list[bool] = field(default_factory=list)

    def transcribe(self, audio: np.ndarray, second_look: bool = True) -> Transcript:
        self.calls.append(second_look)
        return Transcript(self.text, 0.1, self.confidence if self.text else None)


def fit(text: str) -> tuple[str | None, float]:
    return FIT.get(text, (None, 0.0))


def pair(first: Fixed, second: Recognizer, load: bool = True) -> SecondOpinion:
    opinion = SecondOpinion(first, lambda: second, fit, Rules(0.9, -0.6, 0.5, alone_above=0.8))
    if load:
        opinion.load()
    return opinion


def test_sure_words_that_fit_a_topic_get_no_second_opinion() -> None:
    second = Fixed("the moon is bright", name="moonshine")
    heard = pair(Fixed("how long does it take"), second).transcribe(AUDIO)
    assert heard.text == "how long does it take" and not heard.looked_again
    assert heard.engine == "fixed" and second.calls == []


def test_words_that_fit_no_topic_surely_take_the_better_fitting_second_reading() -> None:
    second = Fixed("what does the bone cement do", name="moonshine")
    heard = pair(Fixed("what does the balloon cement do"), second).transcribe(AUDIO)
    assert heard.text == "what does the bone cement do"
    assert heard.engine == "moonshine" and heard.looked_again and heard.unclear(-0.6)
    assert heard.seconds == pytest.approx(0.2)  # both engines' time


def test_a_better_fitting_second_reading_of_the_same_topic_is_as_sure_as_the_first() -> None:
    second = Fixed("what does the bone cement do", name="moonshine")
    heard = pair(Fixed("what does the cement do"), second).transcribe(AUDIO)
    assert heard.text == "what does the bone cement do" and heard.engine == "moonshine"
    assert not heard.unclear(-0.6)  # both engines heard a question about the cement
    unsure = pair(Fixed("what does the cement do", confidence=-0.8), second).transcribe(AUDIO)
    assert unsure.text == "what does the bone cement do" and unsure.unclear(-0.6)


def test_a_clearly_heard_question_that_fits_no_topic_gets_no_second_opinion() -> None:
    second = Fixed("what does the bone cement do", name="moonshine")
    clear = Fixed("is there parking near the hospital", confidence=-0.1)
    assert pair(clear, second).transcribe(AUDIO).engine == "fixed" and second.calls == []
    less_clear = Fixed("is there parking near the hospital", confidence=-0.4)
    assert pair(less_clear, second).transcribe(AUDIO).engine == "moonshine"


def test_a_topic_only_the_second_reading_names_must_be_named_surely() -> None:
    unsure = Fixed("is there parking near the hospital", confidence=-0.4)  # fits no topic
    assert pair(unsure, Fixed("what does the cement do")).transcribe(AUDIO).engine == "fixed"
    sure = pair(unsure, Fixed("what does the bone cement do", name="moonshine"))
    assert sure.transcribe(AUDIO).engine == "moonshine"  # 0.99 >= 0.8


def test_a_second_reading_that_fits_worse_is_not_taken() -> None:
    first = Fixed("what does the balloon cement do", confidence=-0.9)  # unsure, and fits badly
    heard = pair(first, Fixed("the moon is bright")).transcribe(AUDIO)
    assert heard.text == "what does the balloon cement do" and heard.confidence == -0.9
    assert heard.engine == "fixed" and heard.unclear(-0.6)


def test_unsure_words_get_a_second_opinion_even_when_they_fit() -> None:
    second = Fixed("what does the bone cement do", name="moonshine")
    first = Fixed("how long does it take", confidence=-0.8)
    pair(first, second).transcribe(AUDIO)
    assert second.calls == [True]


@pytest.mark.parametrize("first_text", ["", "what does the balloon cement do"])
def test_no_second_opinion_for_silence_while_speaking_or_before_loading(first_text: str) -> None:
    second = Fixed("what does the bone cement do")
    assert pair(Fixed(first_text), second).transcribe(AUDIO, second_look=False).text == first_text
    if first_text:
        unloaded = pair(Fixed(first_text), second, load=False)
        assert not unloaded.loaded.is_set()
        assert unloaded.transcribe(AUDIO).text == first_text
    else:
        assert pair(Fixed(first_text), second).transcribe(AUDIO).text == ""
    assert second.calls == []


def test_a_second_engine_that_cannot_load_leaves_the_first_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> Recognizer:
        raise ModelError("Moonshine model missing or corrupt at models/moonshine-base: run make")

    opinion = SecondOpinion(Fixed("what does the balloon cement do"), broken, fit, Rules(0.9, -0.6))
    opinion.load_in_background()
    assert opinion.loaded.wait(5)
    assert opinion.transcribe(AUDIO).text == "what does the balloon cement do"
    assert "no second opinion" in caplog.text and "run make" in caplog.text
