"""`kiosk devices`: list the audio input and output devices (names or numbers for kiosk.yaml)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> int:
    from kiosk.devices import list_devices

    devices = list_devices()
    for kind, what in (("inputs", "Microphones"), ("outputs", "Speakers")):
        found = [d for d in devices if getattr(d, kind) > 0]
        print(f"{what} (audio.{'input' if kind == 'inputs' else 'output'}_device):")
        if not found:
            print("  none found")
        for device in found:
            print(f"  {device.index:3d}  {device.name}  ({device.sample_rate:.0f} Hz)")
    if not any(d.inputs for d in devices) or not any(d.outputs for d in devices):
        print("Without a microphone `kiosk run` takes typed questions; without a speaker it "
              "writes answers to WAV files.")  # fmt: skip
    return 0
