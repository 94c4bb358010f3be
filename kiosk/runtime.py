"""The live kiosk: one conversation thread turns events into actions and carries them out.

Inputs (microphone listener, typed questions, keys, staff through `KioskControl`) only `post`
events; the conversation thread feeds them, with a `Tick` of the clock, to the pure
`Conversation`, and hands the actions to `Playback` (speech, earcons), `StaffAlerts` and the
`EventBus`. Data flows one way; nothing waits on the speaker or the recognizer here.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from kiosk.alerts import StaffAlerts
from kiosk.audio import Speaker
from kiosk.content import Content
from kiosk.conversation import Conversation
from kiosk.events import Alert, KioskState, KioskStatus
from kiosk.playback import Playback
from kiosk.playback_files import AnswerFiles
from kiosk.speech_render import Renderer
from kiosk.turns import (
    Action,
    AlertStaff,
    ContentChanged,
    Event,
    Heard,
    NothingHeard,
    PlayEarcon,
    Record,
    Say,
    SetRate,
    SetVolume,
    SpeechStarted,
    StaffCommand,
    Started,
    StopSpeaking,
    Tick,
)  # fmt: skip
from kiosk.usage import UsageLog

log = logging.getLogger(__name__)

TICK_S = 0.1
"""How often the clock reaches the conversation when nothing else happens."""
POLL_S = 0.05
STATES: dict[str, KioskState] = {
    "resting": "idle", "listening": "listening", "confirming": "listening", "speaking": "speaking",
}  # fmt: skip


class Runtime:
    """Implements `events.KioskControl`; `start()` it, `close()` it (both from one thread)."""

    def __init__(
        self, conversation: Conversation, renderer: Renderer, output: Speaker | AnswerFiles,
        alerts: StaffAlerts, usage: UsageLog, earcons: dict[str, np.ndarray], status: KioskStatus,
    ) -> None:  # fmt: skip
        self.bus = alerts.bus
        self.playback = Playback(renderer, output, self.post)
        """The speaker side (rate, what was said when)."""
        self._conversation = conversation
        self._playback = self.playback
        self._alerts = alerts
        self._usage = usage
        self._records = ThreadPoolExecutor(max_workers=1, thread_name_prefix="usage")
        self._earcons = earcons
        self._events: queue.Queue[tuple[Event, float | None]] = queue.Queue()
        self._lock = threading.Lock()
        self._status = status
        self._thinking = False
        self._expected: dict[int, float] = {}
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="conversation", daemon=True)
        self.playback.on_first_sound = self._first_sound

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, greet: bool = True) -> None:
        """Start the conversation thread (the kiosk introduces itself if `greet`)."""
        self._thread.start()
        self._publish()
        if greet:
            self.post(Started())

    def post(self, event: Event, heard_end: float | None = None) -> None:
        """Queue an event; `heard_end` is when the question it carries ended (monotonic s)."""
        self._events.put((event, heard_end))

    def wait_closed(self) -> None:
        """Block until `close` (Ctrl-C and SIGTERM interrupt the wait)."""
        while not self._closing.wait(1.0):
            pass

    def wait_until_settled(self) -> None:
        """Block until every event posted so far is handled and nothing is being said."""
        self._events.join()
        while self.status().state == "speaking" and not self._closing.wait(POLL_S):
            pass

    def close(self) -> None:
        """Stop talking and stop the conversation thread."""
        self._closing.set()
        self._playback.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        self._playback.close()
        self._records.shutdown(wait=True)
        self._set_status(state="stopped")

    # -- KioskControl -----------------------------------------------------------------------------

    def play_overview(self) -> None:
        self.post(StaffCommand("overview"))

    def stop(self) -> None:
        self._playback.stop()  # silence first, without waiting for the conversation thread
        self.post(StaffCommand("stop"))

    def repeat(self) -> None:
        self.post(StaffCommand("repeat"))

    def change_volume(self, steps: int) -> None:
        self.post(StaffCommand("volume", steps))

    def use_content(self, content: Content) -> None:
        """Speak from `content` from now on (already checked)."""
        self.post(ContentChanged(content))

    def status(self) -> KioskStatus:
        with self._lock:
            return self._status

    def recent_alerts(self) -> list[Alert]:
        return self._alerts.recent()

    # -- the conversation thread ---------------------------------------------------------------

    def _loop(self) -> None:
        while not self._closing.is_set():
            try:
                event, heard_end = self._events.get(timeout=TICK_S)
            except queue.Empty:
                self._handle(Tick(time.monotonic()), None)
                continue
            self._handle(Tick(time.monotonic()), None)
            self._handle(event, heard_end)
            self._events.task_done()

    def _handle(self, event: Event, heard_end: float | None) -> None:
        try:
            self._note(event)
            self._carry_out(self._conversation.handle(event), heard_end)
            self._publish()
        except Exception:  # the kiosk must keep running whatever goes wrong
            log.exception("conversation failed on %r", event)

    def _note(self, event: Event) -> None:
        if isinstance(event, SpeechStarted):
            self._thinking = self._conversation.state in ("listening", "confirming")
        elif isinstance(event, Heard | NothingHeard):
            self._thinking = False
        if isinstance(event, Heard):
            log.info("heard %r -> %s (%.2f)", event.transcript, event.match.intent,
                     event.match.score)  # fmt: skip

    def _carry_out(self, actions: list[Action], heard_end: float | None) -> None:
        earcon: np.ndarray | None = None
        for action in actions:
            if isinstance(action, StopSpeaking):
                self._playback.stop()
            elif isinstance(action, AlertStaff):
                self._alerts.raise_alert(action.kind, action.text)
                earcon = self._earcons.get("alert")
            elif isinstance(action, PlayEarcon):
                earcon = self._earcons.get(action.name)
            elif isinstance(action, Say):
                log.info("saying %s", ", ".join(u.key for u in action.utterances))
                if heard_end is not None:
                    with self._lock:
                        self._expected = {action.serial: heard_end}
                self._playback.play(action, earcon)
                earcon = None
            elif isinstance(action, SetRate):
                self._playback.rate_wpm = action.wpm
            elif isinstance(action, SetVolume):
                self._playback.set_volume(action.volume)
            elif isinstance(action, Record):
                self._records.submit(self._usage.record, action.intent, action.score,
                                     action.question, action.outcome)  # fmt: skip
        if earcon is not None:
            self._playback.play(None, earcon)

    def _first_sound(self, serial: int, at: float) -> None:
        with self._lock:
            heard_end = self._expected.pop(serial, None)
            if heard_end is None:
                return
            latency_ms = (at - heard_end) * 1000
        log.debug("answer latency %.0f ms (end of question to first answer sound)", latency_ms)
        self.bus.publish("latency", {"answer_ms": round(latency_ms, 1)})

    def _publish(self) -> None:
        conversation = self._conversation
        state = STATES[conversation.state]
        if self._thinking and state == "listening":
            state = "thinking"
        self._set_status(
            state=state, question=conversation.question, intent=conversation.intent,
            answer=conversation.plan.text, rate_wpm=conversation.rate_wpm,
            volume=conversation.volume,
        )  # fmt: skip

    def _set_status(self, **changes: object) -> None:
        with self._lock:
            before = self._status
            self._status = replace(before, **changes)  # type: ignore[arg-type]
            changed = self._status != before
            status = self._status
        if changed:
            self.bus.publish("status", status.to_json())
