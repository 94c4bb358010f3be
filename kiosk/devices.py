"""Audio devices as PortAudio sees them: list them, find one by name or index, re-scan.

PortAudio caches the device list when it starts; `refresh_devices()` re-reads it, so the runtime
can wait for a lost device to come back. A device that is not there is a one-line `AudioError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sounddevice as sd

from kiosk.errors import AudioError

Kind = Literal["input", "output"]


@dataclass(frozen=True)
class Device:
    """One PortAudio device as `kiosk devices` lists it."""

    index: int
    """PortAudio index (changes when devices come and go)."""
    name: str
    """Device name; configuration may give any unique part of it."""
    inputs: int
    """Input channels (0: not a microphone)."""
    outputs: int
    """Output channels (0: not a speaker)."""
    sample_rate: float
    """The device's default sample rate."""


def refresh_devices() -> None:
    """Make PortAudio re-scan devices (it caches the list from its first use)."""
    sd._terminate()
    sd._initialize()


def list_devices() -> list[Device]:
    """Every device PortAudio knows about now."""
    return [
        Device(int(d["index"]), str(d["name"]), int(d["max_input_channels"]),
               int(d["max_output_channels"]), float(d["default_samplerate"]))
        for d in sd.query_devices()
    ]  # fmt: skip


def find_device(spec: str | int | None, kind: Kind) -> Device:
    """The device named (any unique part, case-insensitive) or numbered `spec`, or the default."""
    what = "microphone" if kind == "input" else "speaker"
    usable = [d for d in list_devices() if (d.inputs if kind == "input" else d.outputs) > 0]
    if not usable:
        raise AudioError(f"no {what} found: the system has no audio {kind} device")
    if spec is None or spec == "":
        default = sd.default.device[0 if kind == "input" else 1]
        return next((d for d in usable if d.index == default), usable[0])
    if isinstance(spec, int) or spec.isdigit():
        match = [d for d in usable if d.index == int(spec)]
    else:
        exact = [d for d in usable if d.name.lower() == spec.lower()]
        match = exact or [d for d in usable if spec.lower() in d.name.lower()]
    if len(match) != 1:
        names = ", ".join(d.name for d in usable)
        problem = "is ambiguous" if match else "not found"
        raise AudioError(f"no {what} found: '{spec}' {problem} (have: {names})")
    return match[0]
