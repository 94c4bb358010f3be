"""Real sounddevice I/O through the private PulseAudio server (tests/pulse.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from kiosk.audio import (
    MIC_RATE,
    BlockResampler,
    Microphone,
    Speaker,
    find_device,
    list_devices,
    refresh_devices,
)
from kiosk.errors import AudioError
from kiosk.voices import Voice
from kiosk.wav import resample, write_wav
from tests.pulse import MIC, RATE, SPEAKER, PulseServer

pytestmark = [pytest.mark.live, pytest.mark.speech]
TEXT = "Your backbone is built from many small bones. Each one is called a vertebra."


def align(captured: np.ndarray, source: np.ndarray) -> tuple[int, float]:
    """Offset of `source` in `captured` and the normalised correlation there (over `source`)."""
    spectrum = np.fft.rfft(captured, 2 * len(captured)) * np.conj(
        np.fft.rfft(source, 2 * len(captured))
    )
    lag = int(np.argmax(np.fft.irfft(spectrum)[: len(captured)]))
    part = captured[lag : lag + len(source)]
    ref = source[: len(part)]
    return lag, float(np.dot(part, ref) / (np.linalg.norm(part) * np.linalg.norm(ref) + 1e-12))


def played_like(captured: np.ndarray, source: np.ndarray) -> float:
    """Median correlation of 0.5 s windows of `source` with `captured`, each aligned on its own
    (a busy CPU can make the device skip a block, shifting what follows)."""
    window = RATE // 2
    scores = [align(captured, source[i : i + window])[1]
              for i in range(0, len(source) - window, window)
              if np.max(np.abs(source[i : i + window])) > 0.05]  # fmt: skip
    return float(np.median(scores))


def speech(voice: Voice) -> tuple[np.ndarray, np.ndarray]:
    """The test sentence at the voice's rate and at the capture rate (Piper is not repeatable)."""
    audio = voice.synthesize(TEXT, 160)
    return audio, resample(audio, voice.sample_rate, RATE).astype(np.float32)


def test_devices_listed_by_name(pulse: PulseServer) -> None:
    names = [d.name for d in list_devices()]
    assert SPEAKER in names and MIC in names
    assert find_device(SPEAKER, "output").name == SPEAKER
    with pytest.raises(AudioError, match="no microphone found: 'no-such-mic' not found"):
        find_device("no-such-mic", "input")


def test_speaker_output_is_captured(pulse: PulseServer, piper_voice: Voice) -> None:
    audio, source = speech(piper_voice)
    speaker = Speaker(SPEAKER, volume=0.5)
    recorder = pulse.start_recording_speaker()
    time.sleep(0.3)
    speaker.play(audio, piper_voice.sample_rate)
    assert speaker.wait(30)
    time.sleep(0.3)
    captured = recorder.stop()
    speaker.close()
    assert played_like(captured, source) > 0.9
    peak = np.max(np.abs(captured))
    assert peak == pytest.approx(0.5 * np.max(np.abs(source)), rel=0.15)  # volume is gain
    assert speaker.first_sample_at is not None


def test_stop_silences_the_speaker(pulse: PulseServer, piper_voice: Voice) -> None:
    audio, source = speech(piper_voice)
    speaker = Speaker(SPEAKER)
    recorder = pulse.start_recording_speaker()
    time.sleep(0.3)
    played_at = time.monotonic()
    speaker.play(audio, piper_voice.sample_rate)
    time.sleep(1.5)
    stopped_at = time.monotonic()
    speaker.stop()
    assert speaker.wait(0)
    time.sleep(0.7)
    captured = recorder.stop()
    speaker.close()
    lag, _ = align(captured, source[:RATE])  # the first second was surely played
    _, correlation = align(captured[lag : lag + RATE], source[:RATE])
    assert correlation > 0.9
    loud = np.nonzero(np.abs(captured) > 0.01)[0]
    assert loud[-1] < lag + len(source) - RATE  # well over a second of speech was never played
    tail = captured[loud[-1] + 1 :]
    assert len(tail) > 0.5 * RATE and np.max(np.abs(tail)) <= 0.01
    assert speaker.first_sample_at is not None
    latency = (loud[-1] - lag) / RATE - (stopped_at - speaker.first_sample_at)
    heard = (loud[-1] - lag) / RATE - (stopped_at - played_at)
    print(f"stop latency: {latency * 1000:.0f} ms after the first sample's DAC time; "
          f"sound heard minus play()-to-stop() time: {heard * 1000:.0f} ms")  # fmt: skip


def test_microphone_hears_the_fake_mic(pulse: PulseServer, espeak_voice: Voice,
                                       tmp_path: Path) -> None:  # fmt: skip
    audio = espeak_voice.synthesize("Will this help my back pain?", 160)
    wav = tmp_path / "question.wav"
    write_wav(wav, audio, espeak_voice.sample_rate)
    with Microphone(MIC) as microphone:
        microphone.read()
        microphone.drain()
        pulse.play_into_mic(wav)
        time.sleep(0.3)
        blocks = []
        while not microphone.blocks.empty():
            blocks.append(microphone.read())
    recorded = np.concatenate(blocks)
    assert {len(b) for b in blocks} == {round(MIC_RATE * 0.02)}
    source = resample(audio, espeak_voice.sample_rate, MIC_RATE).astype(np.float32)
    _, correlation = align(recorded, source)
    assert correlation > 0.9


LOSE_DEVICES = """
import sys, numpy as np
from kiosk.audio import Microphone, Speaker
from kiosk.errors import AudioError
speaker, microphone = Speaker("kiosk_speaker"), Microphone("kiosk_mic")
microphone.start()
speaker.play(np.zeros(22050 * 30, dtype=np.float32), 22050)
microphone.read()
print("playing", flush=True)
sys.stdin.readline()
for part in (lambda: speaker.wait(20), lambda: [microphone.read() for _ in range(1000)],
             lambda: speaker.play(np.zeros(100, dtype=np.float32), 22050)):
    try:
        part()
    except AudioError as error:
        print(error, flush=True)
"""


def test_lost_devices_are_one_line_audio_errors() -> None:
    server = PulseServer.start()  # its own server: this test kills it
    try:
        child = subprocess.Popen([sys.executable, "-c", LOSE_DEVICES], env=server.env,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline() == "playing\n"
        server.pactl("exit")
        child.stdin.write("\n")
        child.stdin.flush()
        out, _ = child.communicate(timeout=60)
    finally:
        server.stop()
    assert out.splitlines() == [
        "speaker 'kiosk_speaker' stopped playing (lost?)",
        "microphone 'kiosk_mic' stopped delivering audio (unplugged?)",
        "cannot open audio device 'kiosk_speaker'",
    ]


@pytest.mark.parametrize("rate", [44100, 48000])
def test_block_resampling_matches_resampling_the_whole(rate: int) -> None:
    """A microphone that refuses 16 kHz is resampled block by block, without edge clicks."""
    t = np.arange(rate * 2) / rate
    audio = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)).astype(
        np.float32
    )
    resampler = BlockResampler(rate, MIC_RATE)
    size = round(rate * 0.02)
    out = [resampler(audio[i : i + size]) for i in range(0, len(audio), size)]
    assert out[0] is None
    blocks = [b for b in out if b is not None]
    assert {len(b) for b in blocks} == {320}
    whole = resample(audio, rate, MIC_RATE)[: 320 * len(blocks)]
    assert np.max(np.abs(np.concatenate(blocks) - whole)) < 0.01


def tone(hz: float, seconds: float, rate: int = 22050) -> np.ndarray:
    return (0.5 * np.sin(2 * np.pi * hz * np.arange(round(seconds * rate)) / rate)).astype(
        np.float32
    )


def test_sounds_in_a_row_play_whole_and_volume_changes_while_playing(pulse: PulseServer) -> None:
    speaker = Speaker(SPEAKER)
    recording = pulse.start_recording_speaker()
    time.sleep(0.3)
    for hz in (440, 660):  # a sound waited for is heard to its end before the next starts
        speaker.play(tone(hz, 0.5), 22050)
        assert speaker.wait(10)
    speaker.play(tone(550, 1.0), 22050)
    time.sleep(0.5)
    speaker.volume = 0.25
    assert speaker.wait(10)
    time.sleep(0.3)
    captured = recording.stop()
    speaker.close()
    frames = captured[: len(captured) // 441 * 441].reshape(-1, 441)  # 10 ms frames
    spectrum = np.abs(np.fft.rfft(frames, axis=1))  # 100 Hz bins
    loud = np.max(np.abs(frames), axis=1) > 0.05
    peaks = np.argmax(spectrum, axis=1) * 100
    for hz in (440, 660):
        heard = np.sum(loud & (np.abs(peaks - hz) <= 50)) / 100
        assert heard == pytest.approx(0.5, abs=0.03), (hz, heard)
    levels = np.max(np.abs(frames[loud & (np.abs(peaks - 550) <= 50)]), axis=1)
    assert np.max(levels[:20]) == pytest.approx(0.5, rel=0.1)
    assert np.max(levels[-20:]) == pytest.approx(0.125, rel=0.1)


def test_speaker_survives_a_device_rescan(pulse: PulseServer) -> None:
    """refresh_devices() voids open streams; the next play() reopens without an error."""
    speaker = Speaker(SPEAKER)
    speaker.play(tone(440, 0.2), 22050)
    assert speaker.wait(10)
    refresh_devices()
    recording = pulse.start_recording_speaker()
    time.sleep(0.3)
    speaker.play(tone(440, 0.5), 22050)
    assert speaker.wait(10)
    time.sleep(0.2)
    captured = recording.stop()
    speaker.close()
    assert np.sum(np.abs(captured) > 0.25) > 0.1 * RATE
