"""`kiosk doctor` checks: one small function per thing the kiosk needs, each saying what to do.

Each check imports what it uses inside itself, so a missing module or package is reported as
"not available" by that check alone, never as a crash of the whole doctor.
"""

from __future__ import annotations

import ctypes.util
import http.client
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import TOKEN_ENV, Config

MIN_FREE_MB = 500
"""Less free disk than this (where the kiosk writes) is a problem."""
OPEN_SECONDS = 0.2
"""How long each audio device is opened."""
MIN_TOKEN_CHARS = 12
"""A shorter staff token is reported as guessable (install.sh makes 24 random characters)."""


@dataclass(frozen=True)
class Result:
    """The outcome of one check."""

    name: str
    """What was checked, e.g. `microphone`."""
    ok: bool
    """True when the kiosk can rely on it."""
    detail: str
    """What was found, in one line."""
    fix: str = ""
    """What to do about a problem, in one line."""


Check = Callable[[Config], Result]


def check_microphone(config: Config) -> Result:
    return _device(config.audio.input_device, "input", "microphone")


def check_speaker(config: Config) -> Result:
    return _device(config.audio.output_device, "output", "speaker")


def _device(spec: str | None, kind: str, name: str) -> Result:
    fix = (
        f"plug in the {name}, check `kiosk devices`, set audio.{kind}_device in kiosk.yaml "
        "(if the kiosk is running it may hold the device: sudo systemctl stop kiosk)"
    )
    try:
        import sounddevice as sd

        from kiosk.audio import find_device

        device = find_device(spec, "input" if kind == "input" else "output")
        stream_type = sd.InputStream if kind == "input" else sd.OutputStream
        rate = int(device.sample_rate)
        with stream_type(device=device.index, channels=1, samplerate=rate, dtype="float32"):
            sd.sleep(int(OPEN_SECONDS * 1000))
    except ImportError as error:
        return Result(name, False, f"not available ({error.name} missing)", "make run")
    except Exception as error:
        return Result(name, False, _one_line(error), fix)
    return Result(name, True, f"'{device.name}' opens")


def check_recognizer(config: Config) -> Result:
    try:
        from kiosk.recognizers import find_vosk_model, vosk, whisper
    except ImportError as error:
        return Result("recognizer", False, f"not available ({error.name} missing)", "make run")
    model = find_vosk_model(config) if config.recognizer.engine != "whisper" else None
    if config.recognizer.engine == "vosk" or model is not None:
        if model is None:
            fix = f"unzip {vosk.DEFAULT_MODEL_NAME} into models/"
            return Result("recognizer", False, "engine vosk but no model found", fix)
        missing = vosk.missing_files(model)
        if missing:
            fix = f"unzip {vosk.DEFAULT_MODEL_NAME} into models/ again"
            return Result("recognizer", False, f"Vosk model {model} lacks {missing}", fix)
        return Result("recognizer", True, f"Vosk model {model} complete")
    path = whisper.model_path()
    try:
        whisper.verify_model(path)
    except Exception as error:
        return Result("recognizer", False, _one_line(error), f"make run (or {whisper.PACKAGE})")
    return Result("recognizer", True, f"Whisper tiny.en at {path} (SHA-256 matches)")


def check_second_opinion(config: Config) -> Result:
    settings = config.recognizer
    if not settings.second_opinion or settings.engine == "vosk":
        return Result("second opinion", True, "not used (recognizer.second_opinion is off)")
    try:
        from kiosk.recognizers import moonshine
    except ImportError as error:
        return Result("second opinion", False, f"not available ({error.name} missing)", "make run")
    try:
        moonshine.verify_model(moonshine.model_dir(), moonshine.tokenizer_path())
    except Exception as error:
        fix = "make run (scripts/fetch-moonshine; Whisper hears alone until then)"
        return Result("second opinion", False, _one_line(error), fix)
    return Result("second opinion", True, f"Moonshine base at {moonshine.model_dir()} (SHA-256 "
                  "matches)")  # fmt: skip


def check_piper(config: Config) -> Result:
    if config.voice.engine == "espeak":
        return Result("piper voice", True, "not used (voice.engine is espeak)")
    try:
        from kiosk.voices.piper import PiperJoe

        voice = PiperJoe.load(config.voice)
        voice.synthesize("Hello.", config.voice.rate_wpm)  # the model loads on first use
    except Exception as error:
        return Result("piper voice", False, _one_line(error), "make run (reinstalls the voice)")
    return Result("piper voice", True, f"{voice.name} loads and speaks")


def check_espeak(config: Config) -> Result:
    library = ctypes.util.find_library("espeak-ng")
    if library is None:
        return Result("espeak-ng", False, "library not found", "sudo apt install libespeak-ng1")
    return Result("espeak-ng", True, f"{library} (fallback voice {config.voice.espeak_voice})")


def check_content(config: Config) -> Result:
    try:
        from kiosk.check import check_content as run_checker
    except ImportError as error:
        return Result("content", False, f"checker not available ({error.name})", "make run")
    problems = run_checker(config.content, config.matcher)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        detail = f"{len(errors)} error(s), first: {errors[0]}"
        return Result("content", False, detail, "run `kiosk check` and fix each line it names")
    warnings = len(problems) - len(errors)
    return Result("content", True, f"document, prompts and intents pass ({warnings} warning(s))")


def check_disk(config: Config) -> Result:
    place = _existing(config.usage.database.parent)
    free_mb = shutil.disk_usage(place).free // 2**20
    if free_mb < MIN_FREE_MB:
        fix = "free some space (old logs: sudo journalctl --vacuum-size=200M)"
        return Result("free disk", False, f"{free_mb} MB free at {place}", fix)
    return Result("free disk", True, f"{free_mb} MB free at {place}")


def check_writable(config: Config) -> Result:
    places = [config.voice.cache, config.usage.database.parent]
    places += [config.matcher.cache] if config.matcher.cache else []
    blocked = [p for p in places if not os.access(_existing(p), os.W_OK)]
    if blocked:
        fix = "give the kiosk user write access, or point these settings elsewhere in kiosk.yaml"
        return Result("writable", False, "cannot write " + ", ".join(map(str, blocked)), fix)
    return Result("writable", True, "speech cache, matcher cache and usage database")


def check_speech_cache(config: Config) -> Result:
    try:
        from kiosk.content import load_content
        from kiosk.voices import load_voice
        from kiosk.voices.cache import SpeechCache, rate_steps, speech_texts

        cache = SpeechCache(load_voice(config.voice), config.voice)
        texts = speech_texts(load_content(config.content))
    except ImportError as error:
        return Result("speech cache", False, f"not available ({error.name} missing)", "make run")
    except Exception as error:
        return Result("speech cache", False, _one_line(error), "fix the problem named first")
    wanted = [(text, rate) for rate in rate_steps(config.voice) for text in texts]
    missing = sum(not cache.has(text, rate) for text, rate in wanted)
    where = config.voice.cache / cache.voice.name
    if missing:
        fix = "run `kiosk render` (answers then start at once and survive a voice failure)"
        return Result("speech cache", False, f"{missing} of {len(wanted)} not rendered", fix)
    return Result("speech cache", True, f"all {len(wanted)} rendered in {where}")


def check_token(config: Config) -> Result:
    token = config.staff_token
    fix = f"set {TOKEN_ENV} (in /etc/kiosk/kiosk.env) or server.token in kiosk.yaml"
    if not token:
        return Result("staff token", False, "not set: staff control is refused", fix)
    if len(token) < MIN_TOKEN_CHARS:
        detail = f"shorter than {MIN_TOKEN_CHARS} characters: easy to guess"
        return Result("staff token", False, detail, fix + " to a long random one")
    return Result("staff token", True, "set (the staff panel and `kiosk overview` work)")


def check_port(config: Config) -> Result:
    host, port = config.server.host, config.server.port
    if not config.server.enabled:
        return Result("server port", True, "control server disabled (server.enabled: false)")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind((host, port))
    except OSError as error:
        if _kiosk_answers(host, port):
            return Result("server port", True, f"{host}:{port} in use by the running kiosk")
        fix = "stop the other program or choose another server.port in kiosk.yaml"
        return Result("server port", False, f"{host}:{port}: {error.strerror}", fix)
    return Result("server port", True, f"{host}:{port} free")


def _kiosk_answers(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        connection.request("GET", "/api/health", headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status == 200 and b'"ok": true' in response.read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


CHECKS: tuple[Check, ...] = (
    check_microphone,
    check_speaker,
    check_recognizer,
    check_second_opinion,
    check_piper,
    check_espeak,
    check_content,
    check_speech_cache,
    check_disk,
    check_writable,
    check_token,
    check_port,
)
"""Every check, in the order `kiosk doctor` prints them."""
