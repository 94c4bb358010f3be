"""deploy/: the systemd units are valid (systemd-analyze verify); install.sh installs them all."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_units_verify(tmp_path: Path) -> None:
    """The units as install.sh installs them; the kiosk's path in /opt is this venv's kiosk."""
    kiosk = Path(sys.executable).parent / "kiosk"
    for unit in UNITS:
        text = unit.read_text().replace("/opt/kiosk/.venv/bin/kiosk", str(kiosk))
        (tmp_path / unit.name).write_text(text)
    verify = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr


def test_install_script_installs_and_enables_every_unit() -> None:
    script = (DEPLOY / "install.sh").read_text()
    assert {"kiosk.service", "kiosk-restart.service", "kiosk-restart.timer"} <= {
        u.name for u in UNITS
    }
    for unit in UNITS:
        assert f"deploy/{unit.name}" in script, unit.name
    assert "systemctl enable --now kiosk.service" in script
    assert "systemctl enable --now kiosk-restart.timer" in script
