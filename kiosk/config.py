"""All settings in one typed place, loaded from `kiosk.yaml` (documented in that file).

Every setting has a default, so the kiosk runs with no configuration file at all. A
file only needs the settings it changes. Unknown keys and wrong types are errors, reported
as one line naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from kiosk.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = "kiosk.yaml"
TOKEN_ENV = "KIOSK_STAFF_TOKEN"


@dataclass
class ContentConfig:
    document: Path = PROJECT_ROOT / "documents" / "vertebral-augmentation.md"
    """The approved patient document: passages with stable ids."""
    overview: Path = PROJECT_ROOT / "documents" / "overview.yaml"
    """The ordered list of passage ids staff play before consent."""
    prompts: Path = PROJECT_ROOT / "documents" / "prompts.yaml"
    """The kiosk's own fixed sentences (help, out-of-scope answer, confirmations...)."""
    intents: Path = PROJECT_ROOT / "intents"
    """One YAML file per intent, with test sentences under `tests/`."""


@dataclass
class MatcherConfig:
    reject_below: float = 0.5
    """A question scoring below this gets the honest "ask staff" answer."""
    confirm_below: float = 0.8
    """A question scoring below this (but not rejected) gets a yes/no confirmation."""
    emergency_above: float = 0.4
    """`emergency` wins whenever its score reaches this, even when another intent scores more."""
    semantic: bool = True
    """Add the all-MiniLM-L6-v2 sentence embedding to the matcher's features (about 70 MB)."""
    cache: Path | None = PROJECT_ROOT / ".cache" / "matcher"
    """Where the trained matcher is kept (keyed by the intent files); `None` = retrain."""


@dataclass
class RecognizerConfig:
    engine: Literal["auto", "whisper", "vosk"] = "auto"
    """`auto` uses Vosk when a Vosk model is found, else the bundled Whisper tiny.en."""
    vosk_model: Path | None = None
    """A Vosk model directory; `None` looks for one under models/."""
    vosk_phrase_list: bool = False
    """Constrain Vosk to phrases built from the intent files (plus [unk])."""
    threads: int = 2
    """CPU threads for recognition."""
    unclear_below: float = -0.6
    """Words heard with a confidence below this (Whisper's mean log-probability per token) are
    unsure: Whisper takes a second look (`whisper.LOOK_AGAIN`), and the result, still a guess,
    is treated as unsure: a question that matches no intent is asked again, once, instead of
    getting the "no information" answer; one that matches a topic is confirmed first."""
    second_opinion: bool = True
    """With Whisper: Moonshine base (models/moonshine-base/, installed by make) also hears the
    utterances Whisper is unsure of or that fit no topic surely, and the words that fit the
    document's topics better are kept (then confirmed, as unsure). Costs about 130 MB and,
    for those utterances, about 0.1-0.2 s."""
    sure_above: float = 0.9
    """Whisper's words that match a topic at least this surely (and are not unsure) get no
    second opinion."""


@dataclass
class VoiceConfig:
    engine: Literal["auto", "piper", "espeak"] = "auto"
    """`auto` uses Piper when installed, else pyttsx3/espeak-ng."""
    espeak_voice: str = "en-us"
    """The espeak-ng voice used by the pyttsx3 fallback."""
    rate_wpm: int = 160
    """Default speaking rate, words per minute."""
    rate_step: int = 20
    """How much "slower"/"faster" changes the rate."""
    rate_min: int = 120
    """Slowest allowed rate."""
    rate_max: int = 220
    """Fastest allowed rate."""
    volume: float = 0.7
    """Default playback volume, 0.0-1.0; restored after each conversation."""
    volume_step: float = 0.15
    """How much "louder"/"quieter" changes the volume."""
    volume_min: float = 0.25
    """Quietest allowed volume (never inaudible)."""
    cache: Path = PROJECT_ROOT / "audio" / "cache"
    """Where rendered speech is kept."""


@dataclass
class AudioConfig:
    input_device: str | None = None
    """Microphone name or index as `kiosk devices` lists it; `None` = system default."""
    output_device: str | None = None
    """Speaker name or index; `None` = system default."""


@dataclass
class ListeningConfig:
    mode: Literal["button", "wake", "open"] = "button"
    """How listening starts: a key press, a wake phrase, or always on."""
    wake_phrase: str = "hello kiosk"
    """Said before a question in `wake` mode."""
    follow_up_seconds: float = 8.0
    """After an answer, listen this long for a follow-up with no button or wake phrase."""
    end_of_speech_ms: int = 1000
    """Silence that ends a question (long enough for slow, pausing speakers)."""
    max_question_seconds: float = 15.0
    """A question is cut off after this long."""
    no_speech_seconds: float = 6.0
    """After activation, silence this long gets a gentle prompt."""
    vad_aggressiveness: int = 2
    """webrtcvad aggressiveness, 0-3: higher rejects more noise (and more quiet speech)."""
    vad_floor_db: float = -50.0
    """Audio quieter than this (dBFS RMS) is never speech, whatever webrtcvad says."""
    min_speech_ms: int = 250
    """Less voiced audio than this is a click or a cough, not a question."""


@dataclass
class KeysConfig:
    talk: str = "space"
    """Start listening (the big button)."""
    stop: str = "s"
    """Stop speaking at once."""
    repeat: str = "r"
    """Say the last answer again."""
    slower: str = "-"
    """Speak more slowly."""
    faster: str = "+"
    """Speak faster."""
    louder: str = "up"
    """Volume up."""
    quieter: str = "down"
    """Volume down."""
    overview: str = "o"
    """Staff only: play the procedure overview."""


@dataclass
class ServerConfig:
    enabled: bool = True
    """Start the staff control server with `kiosk run`."""
    host: str = "127.0.0.1"
    """Bind address; anything but loopback needs a token."""
    port: int = 8765
    """TCP port."""
    token: str | None = None
    """Staff token; the KIOSK_STAFF_TOKEN environment variable overrides it."""


@dataclass
class AlertsConfig:
    command: str | None = None
    """Run (through the shell) when staff are alerted; gets KIOSK_ALERT_KIND and
    KIOSK_ALERT_TEXT in its environment."""


@dataclass
class UsageConfig:
    enabled: bool = True
    """Count how often each intent is asked (no text, no audio)."""
    store_questions: bool = False
    """Also keep the text of unanswered questions, with numbers and names removed."""
    database: Path = PROJECT_ROOT / "kiosk-usage.db"
    """SQLite file for the counts."""


@dataclass
class Config:
    content: ContentConfig = field(default_factory=ContentConfig)
    matcher: MatcherConfig = field(default_factory=MatcherConfig)
    recognizer: RecognizerConfig = field(default_factory=RecognizerConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    listening: ListeningConfig = field(default_factory=ListeningConfig)
    keys: KeysConfig = field(default_factory=KeysConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    usage: UsageConfig = field(default_factory=UsageConfig)

    @property
    def staff_token(self) -> str | None:
        """The staff token, from the environment first, then the file."""
        return os.environ.get(TOKEN_ENV) or self.server.token


def load_config(path: str | Path | None = None) -> Config:
    """Load `path`, or `kiosk.yaml` in the working directory or project root if present."""
    if path is None:
        for candidate in (Path(DEFAULT_CONFIG_FILE), PROJECT_ROOT / DEFAULT_CONFIG_FILE):
            if candidate.is_file():
                path = candidate
                break
        else:
            return Config()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML") from None
    if data is None:
        return Config()
    base = path.resolve().parent
    return typing.cast(Config, _build(Config, data, str(path), "", base))


def _build(cls: type, data: Any, source: str, prefix: str, base: Path) -> Any:
    if not isinstance(data, dict):
        where = f"'{prefix.rstrip('.')}'" if prefix else "top level"
        raise ConfigError(f"{source}: {where} must be a mapping")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in known:
            raise ConfigError(f"{source}: unknown setting '{name}'")
        values[key] = _convert(hints[key], value, source, name, base)
    return cls(**values)


def _convert(hint: Any, value: Any, source: str, name: str, base: Path) -> Any:
    if dataclasses.is_dataclass(hint):
        return _build(typing.cast(type, hint), value, source, f"{name}.", base)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        hint = next(option for option in options if option is not type(None))
        origin = typing.get_origin(hint)
    if origin is Literal:
        allowed = typing.get_args(hint)
        if value not in allowed:
            choices = ", ".join(map(str, allowed))
            raise ConfigError(f"{source}: '{name}' must be one of {choices}, not {value!r}")
        return value
    if hint is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: '{name}' must be a path")
        return (base / value).resolve()
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # keys like `-` or `1` read naturally unquoted
    if not isinstance(value, hint) or (hint is not bool and isinstance(value, bool)):
        raise ConfigError(f"{source}: '{name}' must be {hint.__name__}, not {value!r}")
    return value
