"""The live loop for real: `kiosk run` on a private PulseAudio server, questions spoken (Piper)
into the fake microphone with paplay, keys typed into its terminal (a pty), and the speaker's
monitor captured and recognised. Latencies are printed and kept in the pytest cache
(`.pytest_cache/v/kiosk/live_loop`), never asserted."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy import signal as dsp

from bench import speechgen
from bench.kiosk_process import KioskProcess
from bench.live_capture import RATE, Capture
from kiosk.config import Config
from kiosk.content import load_content
from kiosk.recognizers import whisper
from kiosk.voices import load_voice
from kiosk.voices.cache import SpeechCache
from kiosk.wav import resample, write_wav
from tests.pulse import MIC, SPEAKER, PulseServer

pytestmark = [pytest.mark.live, pytest.mark.speech]

QUIET_S = 2.5
"""Silence this long means the kiosk has finished speaking (pauses inside answers are shorter)."""
CONFIG = """\
listening: {{mode: {mode}}}
audio: {{input_device: {mic}, output_device: {speaker}}}
server: {{enabled: false}}
usage: {{enabled: false}}
alerts: {{command: 'echo "$KIOSK_ALERT_KIND|$KIOSK_ALERT_TEXT" >> {alerts}'}}
"""


class LiveKiosk(KioskProcess):
    """`kiosk run` against the private server, its speaker captured with a time stamp per 10 ms."""

    def __init__(self, pulse: PulseServer, folder: Path, mode: str = "open") -> None:
        self.pulse, self.folder = pulse, folder
        self.alerts = folder / "alerts.txt"
        config = folder / "kiosk.yaml"
        config.write_text(CONFIG.format(mode=mode, mic=MIC, speaker=SPEAKER, alerts=self.alerts))
        self.capture = Capture()
        self.capture.start()
        super().__init__(config, folder, pulse.env)
        self.results: dict[str, list[float]] = {}

    def wait_log(self, pattern: str, timeout: float = 120, since: int = 0) -> re.Match[str]:
        """The first match of `pattern` in the log from character `since` on."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log.read_text(errors="replace")[since:])
            if found:
                return found
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in the log: {self.log.read_text()[-3000:]}")

    def quiet(self) -> float:
        """Wait until the speaker has been silent for QUIET_S; when it went silent."""
        silent = self.capture.wait_silence(time.monotonic() - 0.2, QUIET_S, 300)
        assert silent is not None, "the kiosk never fell silent"
        return silent

    def say(self, text: str) -> tuple[float, float]:
        """Speak `text` into the microphone; (start, end) of the speech (monotonic)."""
        return self.play(speechgen.synthesize(text, speechgen.piper_voice()), text)

    def play(self, audio: np.ndarray, name: str) -> tuple[float, float]:
        """Play 16 kHz `audio` into the microphone; (start, end) of it (monotonic)."""
        wav = self.folder / f"{abs(hash(name))}.wav"
        write_wav(wav, speechgen.pad(audio, 0.1, 0.0))
        start = time.monotonic()
        self.pulse.play_into_mic(wav)
        return start, time.monotonic()

    def close(self, timeout: float = 30) -> int:
        code = super().close(timeout)
        self.capture.close()
        return code


@pytest.fixture(scope="module")
def kiosk(pulse: PulseServer, tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> Iterator[LiveKiosk]:  # fmt: skip
    live = LiveKiosk(pulse, tmp_path_factory.mktemp("live"))
    assert live.capture.wait_sound(live.started, 300) is not None, "no greeting"
    live.quiet()
    yield live
    code = live.close()
    log = live.log.read_text()
    measured = re.findall(r"answer latency (\d+) ms", log)
    live.results["kiosk_answer_latency_ms"] = [float(m) for m in measured]
    ready = re.search(r"ready in ([0-9.]+) s", log)
    live.results["ready_s"] = [float(ready.group(1))] if ready else []
    request.config.cache.set("kiosk/live_loop", live.results)
    print(f"\nlive loop measurements (ms; ready in s): {live.results}")
    assert code == 0, log[-3000:]
    assert "Traceback" not in log


def transcribe(audio_44k: np.ndarray) -> str:
    recognizer = whisper.load(2, None)
    return recognizer.transcribe(resample(audio_44k, RATE, 16000)).text


def cached_speech(text: str) -> np.ndarray:
    """What the kiosk plays for `text` at the default rate (its speech cache), at RATE."""
    config = Config().voice
    cache = SpeechCache(load_voice(config), config)
    return resample(cache.get(text, config.rate_wpm), cache.voice.sample_rate, RATE)


def similarity(recorded: np.ndarray, expected: np.ndarray) -> float:
    """Peak normalised cross-correlation of `expected` within `recorded` (1: identical)."""
    if len(recorded) < len(expected):
        recorded = np.concatenate([recorded, np.zeros(len(expected) - len(recorded))])
    products = dsp.correlate(recorded, expected, mode="valid", method="fft")
    energy = dsp.correlate(recorded**2, np.ones(len(expected)), mode="valid", method="fft")
    norm = np.sqrt(np.maximum(energy, 1e-12) * np.sum(expected**2))
    return float(np.max(products / norm))


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def test_a_spoken_question_gets_the_right_passage_after_it_ends(kiosk: LiveKiosk) -> None:
    recording = kiosk.pulse.start_recording_speaker()
    started, ended = kiosk.say("How long does the procedure take?")
    onset = kiosk.capture.wait_sound(started, 120)
    assert onset is not None, "no answer"
    assert onset > ended, "the answer started before the question ended"
    kiosk.quiet()
    audio = recording.stop()
    kiosk.results.setdefault("answer_onset_after_question_end_ms", []).append(
        (onset - ended) * 1000
    )
    content = load_content(Config().content)
    passage = " ".join(content.passage_texts(content.intent_passages("duration")))
    heard = words(transcribe(audio))
    assert len(words(passage) & heard) >= 0.7 * len(words(passage)), heard
    right = similarity(audio, cached_speech(passage))
    wrong = similarity(audio, cached_speech(content.document.passages["going-home-same-day"].text))
    kiosk.results.setdefault("passage_correlation", []).append(right)
    assert right > 0.5 and right > 2 * wrong, (right, wrong)


def test_spoken_stop_silences_the_overview(kiosk: LiveKiosk) -> None:
    pressed = kiosk.press("o")
    assert kiosk.capture.wait_sound(pressed, 120) is not None
    kiosk.wait_log(r"saying overview_start")
    time.sleep(3.0)  # well into the overview, which lasts minutes
    started, ended = kiosk.say("Stop.")
    silent = kiosk.capture.wait_silence(started, QUIET_S, 60)
    assert silent is not None, "still speaking a minute after stop"
    kiosk.wait_log(r"heard 'Stop\.?' -> stop")
    kiosk.results.setdefault("spoken_stop_ms", []).append((silent - ended) * 1000)


def test_stop_key_silences_at_once(kiosk: LiveKiosk) -> None:
    kiosk.quiet()
    pressed = kiosk.press("o")
    assert kiosk.capture.wait_sound(pressed, 120) is not None
    time.sleep(2.0)
    stopped = kiosk.press("s")
    silent = kiosk.capture.wait_silence(stopped, QUIET_S, 60)
    assert silent is not None
    kiosk.results.setdefault("stop_key_ms", []).append((silent - stopped) * 1000)


def test_an_emergency_phrase_alerts_staff_then_reassures(kiosk: LiveKiosk) -> None:
    kiosk.quiet()
    kiosk.say("I feel very faint and unwell.")
    kiosk.wait_log(r"STAFF ALERT \(emergency\)")
    kiosk.wait_log(r"saying emergency")
    deadline = time.monotonic() + 60
    while not kiosk.alerts.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kiosk.alerts.read_text().startswith("emergency|I feel")


def test_garbled_speech_after_an_answer_is_never_answered_outright(kiosk: LiveKiosk) -> None:
    """Whisper heard it backwards as "Yeah, medicine, more organic." (medications, 0.95): the
    words are unsure, so the kiosk asks again or confirms; it does not read a passage."""
    kiosk.quiet()
    since = len(kiosk.log.read_text(errors="replace"))
    kiosk.say("Can I go home the same day?")
    kiosk.wait_log(r"saying .*going-home-same-day", since=since)
    kiosk.quiet()  # the answer is over; the follow-up window is open
    answered = len(kiosk.log.read_text(errors="replace"))
    question = speechgen.synthesize("Can I go home the same day?", speechgen.piper_voice())
    kiosk.play(question[::-1].copy(), "backwards")  # speech sounds, no words
    said = kiosk.wait_log(r"saying ([\w-]+)", since=answered).group(1)
    assert said in ("say_again", "confirm"), kiosk.log.read_text(errors="replace")[answered:]


def test_wake_mode_answers_a_question_after_the_wake_phrase(
    pulse: PulseServer, kiosk: LiveKiosk, tmp_path: Path
) -> None:
    kiosk.quiet()
    kiosk.process.send_signal(signal.SIGSTOP)  # it shares the microphone: pause it meanwhile
    woken = LiveKiosk(pulse, tmp_path, mode="wake")
    try:
        assert woken.capture.wait_sound(woken.started, 300) is not None, "no greeting"
        woken.quiet()
        started, ended = woken.say("Hello kiosk, how long does the procedure take?")
        woken.wait_log(r"saying procedure-length")
        onset = woken.capture.wait_sound(started, 120)
        assert onset is not None and onset > ended
    finally:
        assert woken.close() == 0
        kiosk.process.send_signal(signal.SIGCONT)
