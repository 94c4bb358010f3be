"""kiosk.yaml documents every setting with its default; bad files are one-line errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk.cli import main
from kiosk.config import PROJECT_ROOT, Config, load_config
from kiosk.errors import ConfigError

KIOSK_YAML = PROJECT_ROOT / "kiosk.yaml"


def test_kiosk_yaml_loads_and_states_the_defaults() -> None:
    assert load_config(KIOSK_YAML) == Config()


def sections() -> list[tuple[str, Any]]:
    return [(f.name, f.default_factory()) for f in dataclasses.fields(Config)]  # type: ignore[misc]


@pytest.mark.parametrize(("section", "settings"), sections())
def test_every_setting_appears_with_a_comment(section: str, settings: Any) -> None:
    data = yaml.safe_load(KIOSK_YAML.read_text(encoding="utf-8"))
    names = [field.name for field in dataclasses.fields(settings)]
    assert sorted(data[section]) == sorted(names)
    lines = KIOSK_YAML.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"{section}:")
    for name in names:
        index = next(i for i in range(start, len(lines)) if lines[i].startswith(f"  {name}:"))
        assert lines[index - 1].lstrip().startswith("#"), f"{section}.{name} has no comment"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("voice:\n  rate_wpn: 150\n", "unknown setting 'voice.rate_wpn'"),
        ("voice:\n  rate_wpm: fast\n", "'voice.rate_wpm' must be int"),
        ("listening:\n  mode: shout\n", "'listening.mode' must be one of button, wake, open"),
        ("server:\n  port: [1, 2]\n", "'server.port' must be int"),
        ("server: 8765\n", "'server' must be a mapping"),
        ("voice:\n  rate_wpm: 150\n bad indent: [\n", "not valid YAML"),
        ("- just\n- a list\n", "top level must be a mapping"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_command_line_shows_a_bad_file_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text("usage:\n  store_questions: maybe\n", encoding="utf-8")
    assert main(["--config", str(path), "report"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "usage.store_questions" in error
    assert main(["--config", str(tmp_path / "missing.yaml"), "status"]) == 2
    assert "cannot read" in capsys.readouterr().err
