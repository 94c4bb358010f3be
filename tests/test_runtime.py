"""The live loop's parts, for real: wake phrase and echo checks, terminal keys (a pty), staff
alerts (a shell command), and the runtime itself answering typed questions into WAV files."""

from __future__ import annotations

import os
import pty
import queue
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from kiosk.alerts import StaffAlerts
from kiosk.config import Config, KeysConfig, ListeningConfig
from kiosk.events import EventBus
from kiosk.hearing import domain_fit, is_echo, split_wake, understand
from kiosk.keys import KeyReader, key_map, split_keys
from kiosk.listener import Listener, Utterance
from kiosk.matcher import Match
from kiosk.recognizers import Transcript
from kiosk.turns import ButtonPressed, Heard, Key, NothingHeard

OVERVIEW_START = "Here is an overview of the procedure. You can say stop at any time."


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Hello kiosk, how long does it take?", (True, "how long does it take")),
     ("Hello, kiosks.", (True, "")), ("hello cosk", (True, "")),
     ("Hello kyask, can I go home today?", (True, "can i go home today")),
     ("how long does it take", (False, "how long does it take")),
     ("Um, hello kiosk. What is the cement?", (True, "what is the cement")),
     ("Hello kiosk", (True, "")), ("How long does it take?", (False, "How long does it take?")),
     ("hello there how are you", (False, "hello there how are you"))],
)  # fmt: skip
def test_wake_phrase_is_found_fuzzily_near_the_start(text: str, expected: tuple[bool, str]) -> None:
    assert split_wake(text, "hello kiosk") == expected


@pytest.mark.parametrize(
    ("text", "echo"),
    [("you can say stop at any time", True), ("say stop at any time.", True), ("stop", False),
     ("please stop", False), ("stop stop", False), ("I feel faint", False)],
)  # fmt: skip
def test_echo_of_the_kiosks_own_sentence_is_told_from_a_command(text: str, echo: bool) -> None:
    assert is_echo(text, OVERVIEW_START) == echo


def fixed(intent: str | None) -> Match:
    return Match(intent, 0.9, None, 0.0)


def test_while_the_kiosk_speaks_only_non_echo_commands_get_through() -> None:
    listening = ListeningConfig()
    said = OVERVIEW_START
    assert understand("stop", lambda t: fixed("stop"), listening, said) == Heard(
        "stop", fixed("stop")
    )
    assert (
        understand("you can say stop at any time", lambda t: fixed("stop"), listening, said) is None
    )
    assert understand("how long does it take", lambda t: fixed("duration"), listening, said) is None
    assert understand("", lambda t: fixed(None), listening, said) is None


def test_nothing_recognised_while_silent_is_nothing_heard() -> None:
    assert understand("  ", lambda t: fixed(None), ListeningConfig(), None) == NothingHeard()


def test_an_unsure_transcript_is_passed_on_as_unclear() -> None:
    heard = understand("we'll disable my pin", lambda t: fixed(None), ListeningConfig(), None, True)
    assert heard == Heard("we'll disable my pin", fixed(None), unclear=True)
    wake = ListeningConfig(mode="wake")
    heard = understand("hello kiosk mumble", lambda t: fixed(None), wake, None, True)
    assert heard == Heard("mumble", fixed(None), addressed=True, unclear=True)


@pytest.mark.parametrize(
    ("text", "confidence", "looked_again", "unclear"),
    [("a b", -0.9, False, True), ("a b", -0.2, False, False), ("a b", None, False, False),
     ("", -3.0, False, False), ("a b", -0.2, True, True)],
)  # fmt: skip
def test_transcript_is_unclear_below_the_threshold_or_after_a_second_look(
    text: str, confidence: float | None, looked_again: bool, unclear: bool
) -> None:
    assert Transcript(text, 0.1, confidence, looked_again).unclear(-0.5) == unclear


def test_wake_mode_turns_the_phrase_into_activation_or_an_addressed_question() -> None:
    listening = ListeningConfig(mode="wake")
    assert understand("Hello kiosk.", lambda t: fixed(None), listening, None) == ButtonPressed(
        "talk"
    )
    heard = understand("hello kiosk how long is it", lambda t: fixed(t), listening, None)
    assert heard == Heard("how long is it", fixed("how long is it"), addressed=True)
    assert understand("how long is it", lambda t: fixed(t), listening, None) == Heard(
        "how long is it", fixed("how long is it")
    )


def test_domain_fit_leaves_the_wake_phrase_out() -> None:
    def match(text: str) -> Match:
        if text == "how long is it":
            return Match("duration", 0.95, "steps", 0.02)
        return Match(None, 0.2, "causes", 0.2)

    wake = domain_fit(match, ListeningConfig(mode="wake"))
    assert wake("Hello, kiosk. How long is it") == ("duration", 0.95)
    assert wake("Hello kiosk.") == (None, 1.0)  # nothing to improve on
    assert wake("how long is it") == ("duration", 0.95)
    assert wake("what a day") == ("causes", 0.2)  # rejected: the best topic, not enough
    button = domain_fit(match, ListeningConfig(mode="button"))
    assert button("hello kiosk how long is it") == ("causes", 0.2)
    assert button("...") == (None, 0.0)


@pytest.mark.parametrize(
    ("data", "names"),
    [(" ", ["space"]), ("s", ["s"]), ("\x1b[A\x1b[B", ["up", "down"]), ("\x1b[15~", ["f5"]),
     ("+-\r", ["+", "-", "enter"]), ("\x1bOP", ["f1"]), ("\x1b[5~", ["pageup"]), ("R", ["r"])],
)  # fmt: skip
def test_terminal_bytes_become_key_names(data: str, names: list[str]) -> None:
    assert split_keys(data) == names


def test_default_keys_map_to_functions() -> None:
    mapping = key_map(KeysConfig())
    assert mapping["space"] == "talk" and mapping["s"] == "stop" and mapping["up"] == "louder"
    assert key_map(KeysConfig(talk="enter"))["enter"] == "talk"


def test_keys_are_read_from_a_real_terminal_and_it_is_restored() -> None:
    master, slave = pty.openpty()
    pressed: queue.Queue[Key] = queue.Queue()
    with os.fdopen(slave, "r") as terminal:
        import termios

        before = termios.tcgetattr(slave)
        reader = KeyReader(KeysConfig(), pressed.put, terminal)
        assert reader.start()
        assert termios.tcgetattr(slave) != before  # raw (cbreak) mode while reading
        os.write(master, b" \x1b[Ax")
        assert [pressed.get(timeout=10), pressed.get(timeout=10)] == ["talk", "louder"]
        reader.close()
        assert termios.tcgetattr(slave) == before
    os.close(master)


def test_keys_are_not_read_when_input_is_not_a_terminal(tmp_path: Path) -> None:
    with (tmp_path / "input").open("w+") as not_a_terminal:
        assert not KeyReader(KeysConfig(), print, not_a_terminal).start()


def test_keys_are_not_read_when_input_is_closed_or_missing(tmp_path: Path) -> None:
    """A service, or a spawned process, may start with no standard input or a closed one."""
    with (tmp_path / "input").open("w+") as closed:
        pass
    assert not KeyReader(KeysConfig(), print, closed).start()
    reader = KeyReader(KeysConfig(), print, None)
    assert not reader.start()
    reader.close()


def test_alert_runs_the_command_without_blocking_and_publishes(tmp_path: Path) -> None:
    gate, out = tmp_path / "gate", tmp_path / "alert.txt"
    os.mkfifo(gate)
    command = f'cat "{gate}" > /dev/null; echo "$KIOSK_ALERT_KIND|$KIOSK_ALERT_TEXT" > "{out}"'
    bus = EventBus()
    events = bus.subscribe()
    alerts = StaffAlerts(command, bus)
    alert = alerts.raise_alert("emergency", "I feel faint")  # returns with the command blocked
    assert not out.exists()
    assert events.get(timeout=5) == {"type": "alert", "kind": "emergency",
                                     "text": "I feel faint", "at": alert.at}  # fmt: skip
    assert alerts.recent() == [alert]
    gate.write_text("go\n")  # lets the command finish
    for _ in range(300):
        if out.exists() and out.read_text():
            break
        threading.Event().wait(0.1)
    assert out.read_text() == "emergency|I feel faint\n"


def test_a_failing_alert_command_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    alerts = StaffAlerts("exit 3", EventBus())
    with caplog.at_level("ERROR"):
        alerts.raise_alert("staff", "")
        for _ in range(300):
            if caplog.records:
                break
            threading.Event().wait(0.1)
    assert "exit 3" in caplog.text


def test_only_a_clearly_heard_sure_question_is_answered_at_a_pause() -> None:
    sure = Match("duration", 0.95, None, 0.0)
    assert Listener._clear(Heard("how long does it take", sure))
    assert not Listener._clear(Heard("how long does it take", sure, unclear=True))
    assert not Listener._clear(Heard("how long", sure))  # too short to be sure it is over


class _Waiting:
    """A recognizer that holds its first utterance until `go` is set, noting `second_look`."""

    name = "waiting"

    def __init__(self) -> None:
        self.go = threading.Event()
        self.looks: list[bool] = []

    def transcribe(self, audio: np.ndarray, second_look: bool = True) -> Transcript:
        self.go.wait(10)
        self.looks.append(second_look)
        return Transcript("how long does it take", 0.1, confidence=-0.1)


def _started_listener(recognizer: _Waiting, posted: queue.Queue[object]) -> Listener:
    """A listener on a silent microphone, its events put in `posted`; utterances are queued
    by the test."""
    playback = SimpleNamespace(spoken=SimpleNamespace(during=lambda *args: None))
    runtime = SimpleNamespace(playback=playback, post=lambda event, end=None: posted.put(event))
    microphone = SimpleNamespace(
        read=lambda: threading.Event().wait(0.02) or np.zeros(320), close=lambda: None
    )
    match = lambda text: Match("duration", 0.95, None, 0.0)  # noqa: E731
    listener = Listener(Config(), microphone, recognizer, match, runtime)  # type: ignore[arg-type]
    listener.start()
    return listener


def test_a_listener_behind_hears_each_utterance_once_without_a_second_look() -> None:
    """Speech queued while the recognizer works (a loud room): none is skipped, and none gets
    the slow second look until the queue is empty again."""
    recognizer, posted = _Waiting(), queue.Queue[object]()
    listener = _started_listener(recognizer, posted)
    audio = np.zeros(16000, np.float32)
    for number in (1, 2, 3):
        listener._utterances.put(Utterance(audio, 0.0, 1.0, number, True))
        threading.Event().wait(0.2)  # the first is being recognised when the others arrive
    recognizer.go.set()
    events = [posted.get(timeout=10) for _ in range(3)]
    listener.close()
    assert all(isinstance(event, Heard) for event in events)
    assert recognizer.looks == [True, False, True]


def test_a_listener_is_idle_after_a_question_answered_at_a_pause() -> None:
    """The end of a question already answered at a pause is not recognised again, and the
    listener is idle once it has passed (background work waits for that)."""
    recognizer, posted = _Waiting(), queue.Queue[object]()
    recognizer.go.set()
    listener = _started_listener(recognizer, posted)
    listener.idle.clear()  # as the capture thread does when speech starts
    audio = np.zeros(16000, np.float32)
    listener._utterances.put(Utterance(audio, 0.0, 1.0, 1, False))  # a pause: answered at once
    assert isinstance(posted.get(timeout=10), Heard)
    listener._utterances.put(Utterance(audio, 0.0, 1.5, 1, True))  # the end of the same question
    assert listener.idle.wait(10)
    listener.close()
    assert recognizer.looks == [True]  # heard once
