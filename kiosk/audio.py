"""Play speech (Speaker) and capture questions (Microphone) through sounddevice.

A lost device raises a one-line `AudioError`; after `refresh_devices()` a new Speaker or
Microphone (or the next `Speaker.play`) opens it again. Devices are found by `kiosk.devices`.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from typing import Any

import numpy as np
import sounddevice as sd

from kiosk.devices import Device, find_device, list_devices, refresh_devices
from kiosk.errors import AudioError
from kiosk.wav import resample

__all__ = ["Device", "Microphone", "Speaker", "find_device", "list_devices", "refresh_devices"]
log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.02
"""Audio block length (how often the callbacks run)."""
MIC_RATE = 16000
"""The rate the microphone delivers (what VAD and recognizers take)."""
LATENCY_S = 0.1
"""Device buffering: smaller cuts stop latency but underflows (gaps) when the CPU is busy."""
DEVICE_TIMEOUT_S = 2.0
"""A running stream that moves no audio for this long has lost its device."""


def _open(kind: Any, device: Device, rate: int, callback: Any) -> tuple[Any, int]:
    """A started stream at `rate`, or at the device's own rate if it refuses `rate`."""
    for candidate in dict.fromkeys((rate, int(device.sample_rate))):
        try:
            stream = kind(samplerate=candidate, blocksize=round(candidate * BLOCK_SECONDS),
                          device=device.index, channels=1, dtype="float32", latency=LATENCY_S,
                          callback=callback)  # fmt: skip
            stream.start()
        except sd.PortAudioError as error:
            log.debug("%s refused %d Hz: %s", device.name, candidate, error)
            continue
        return stream, candidate
    raise AudioError(f"cannot open audio device '{device.name}'")


class Speaker:
    """Plays float32 mono audio through a callback OutputStream fed from a buffer.

    `play` returns at once (the stream keeps running between sounds, so a sound starts within a
    block); `wait` blocks until the end has been heard (by PortAudio's DAC time estimate); `stop`
    drops what the device holds, silent at once; `volume` is a gain, changeable while playing.
    `first_sample_at` is the `time.monotonic()` at which the first sample of the current sound
    reaches the device's output (PortAudio's DAC time estimate).
    """

    def __init__(self, device: str | int | None = None, volume: float = 1.0) -> None:
        self.volume = volume
        self.first_sample_at: float | None = None
        self._spec = device
        self._device = find_device(device, "output")
        self._lock = threading.Lock()  # buffer and position, shared with the callback
        self._control = threading.RLock()  # opening, restarting and closing the stream
        self._buffer = np.zeros(0, dtype=np.float32)
        self._position = 0
        self._done = threading.Event()
        self._done.set()
        self._stream: sd.OutputStream | None = None
        self._last_callback = 0.0
        self._ends_at = 0.0  # when the last sample handed to the device will have been heard
        self.rate = 0
        self.underflows = 0

    def play(self, audio: np.ndarray, sample_rate: int) -> None:
        """Start playing `audio`, replacing anything still playing."""
        with self._control:
            self._restart(sample_rate)
            if sample_rate != self.rate:
                audio = resample(audio, sample_rate, self.rate)
            with self._lock:
                self._buffer, self._position = np.asarray(audio, dtype=np.float32), 0
                self.first_sample_at = None
                self._ends_at = 0.0
                self._last_callback = time.monotonic()
                self._done.clear()

    def stop(self) -> None:
        """Silence at once: the device's queued audio is dropped, the next block is silent."""
        with self._lock:
            was_playing = not self._done.is_set() or time.monotonic() < self._ends_at
            self._buffer, self._position = np.zeros(0, dtype=np.float32), 0
            self._ends_at = 0.0
            self._done.set()
        if was_playing:
            with self._control:
                self._restart(self.rate)

    def _restart(self, rate: int) -> None:
        """A running stream with nothing queued: restarted (dropping its queue), or (re)opened,
        looking the device up again (after `refresh_devices()` old streams and indexes are void)."""
        stream = self._stream
        try:
            if stream is not None and stream.active:
                stream.abort()
                stream.start()
                return
            if stream is not None:  # e.g. ended by the audio server while nothing was playing
                log.warning("speaker '%s' stream stopped; reopening", self._device.name)
        except sd.PortAudioError as error:
            log.info("speaker stream gone (%s); reopening", error)
        self.close()
        self._device = find_device(self._spec, "output")
        self._stream, self.rate = _open(sd.OutputStream, self._device, rate, self._callback)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the sound has been heard to its end (or was stopped); False on timeout.

        Raises AudioError if the device stops asking for audio (lost); `close` and retry."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._done.wait(0.1):
            if time.monotonic() - self._last_callback > DEVICE_TIMEOUT_S:
                raise AudioError(f"speaker '{self._device.name}' stopped playing (lost?)")
            if deadline is not None and time.monotonic() > deadline:
                return False
        while time.monotonic() < self._ends_at:  # the device still holds the end of it
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def close(self) -> None:
        """Release the device (the next `play` reopens it)."""
        with self._control:
            with self._lock:
                self._buffer, self._position = np.zeros(0, dtype=np.float32), 0
                self._done.set()
            if self._stream is not None:
                stream, self._stream = self._stream, None
                with contextlib.suppress(sd.PortAudioError):
                    stream.abort()
                    stream.close()

    def _callback(self, out: np.ndarray, frames: int, when: Any, status: sd.CallbackFlags) -> None:
        if status.output_underflow:
            self.underflows += 1
        with self._lock:
            self._last_callback = time.monotonic()
            start = self._position
            chunk = self._buffer[start : start + frames]
            self._position = start + len(chunk)
            finished = self._position >= len(self._buffer) and not self._done.is_set()
            gain = self.volume
        out[: len(chunk), 0] = chunk * gain
        out[len(chunk) :, 0] = 0.0
        lead = max(0.0, when.outputBufferDacTime - when.currentTime)
        if start == 0 and len(chunk):
            self.first_sample_at = time.monotonic() + lead
        if finished:
            self._ends_at = time.monotonic() + lead + len(chunk) / self.rate
            self._done.set()


class Microphone:
    """Captures mono float32 audio at 16 kHz in ~20 ms blocks, into `blocks` (a queue).

    If the device refuses 16 kHz it is opened at its own rate and each block is resampled.
    `read()` raises `AudioError` when the device stops delivering (unplugged, server gone).
    """

    def __init__(self, device: str | int | None = None) -> None:
        self.device = find_device(device, "input")
        self.blocks: queue.Queue[np.ndarray] = queue.Queue()
        self.overflows = 0
        self._stream: sd.InputStream | None = None
        self._resampler: BlockResampler | None = None

    def start(self) -> None:
        """Open the device and start capturing (a no-op while running)."""
        if self._stream is not None:
            return
        self._stream, rate = _open(sd.InputStream, self.device, MIC_RATE, self._callback)
        self._resampler = BlockResampler(rate, MIC_RATE) if rate != MIC_RATE else None

    def read(self, timeout: float = DEVICE_TIMEOUT_S) -> np.ndarray:
        """The next block; raises AudioError if none arrives within `timeout` seconds."""
        try:
            return self.blocks.get(timeout=timeout)
        except queue.Empty:
            lost = f"microphone '{self.device.name}' stopped delivering audio (unplugged?)"
            raise AudioError(lost) from None

    def drain(self) -> None:
        """Drop blocks captured so far (e.g. while the kiosk itself was speaking)."""
        while not self.blocks.empty():
            self.blocks.get_nowait()

    def close(self) -> None:
        """Stop capturing and release the device."""
        if self._stream is not None:
            stream, self._stream = self._stream, None
            with contextlib.suppress(sd.PortAudioError):  # a lost device may refuse
                stream.abort()
                stream.close()

    def __enter__(self) -> Microphone:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _callback(self, data: np.ndarray, frames: int, when: Any, status: sd.CallbackFlags) -> None:
        if status.input_overflow:
            self.overflows += 1
        block = data[:, 0].copy()
        resampled = block if self._resampler is None else self._resampler(block)
        if resampled is not None:
            self.blocks.put(resampled)


class BlockResampler:
    """Resamples a stream block by block without clicks at block edges: each block is resampled
    with the blocks before and after it as context, so the output is one block late."""

    def __init__(self, rate: int, target: int) -> None:
        self.rate, self.target = rate, target
        self._context: list[np.ndarray] = []

    def __call__(self, block: np.ndarray) -> np.ndarray | None:
        """The previous block at `target` Hz (None for the first block)."""
        self._context = [*self._context[-2:], block]
        if len(self._context) == 1:
            return None
        window = np.concatenate(self._context)
        out = resample(window, self.rate, self.target)
        start = round(len(self._context[0]) * self.target / self.rate)
        if len(self._context) == 2:  # the very first block has no context before it
            start = 0
        size = round(len(self._context[-2]) * self.target / self.rate)
        return np.asarray(out[start : start + size], dtype=np.float32)
