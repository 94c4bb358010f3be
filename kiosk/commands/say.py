"""`kiosk say "TEXT"`: speak a text through the speaker, or write it to a WAV file."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help="what to say")
    parser.add_argument("--out", metavar="FILE.wav", help="write a WAV file instead of playing")
    parser.add_argument("--rate", type=int, metavar="WPM", help="words a minute (default: config)")


def run(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.errors import KioskError
    from kiosk.voices import load_voice
    from kiosk.voices.cache import SpeechCache

    config = load_config(args.config)
    if not args.text.strip():
        raise KioskError("nothing to say (the text is empty)")
    voice = load_voice(config.voice)
    audio = SpeechCache(voice, config.voice).get(args.text, args.rate or config.voice.rate_wpm)
    if args.out:
        from kiosk.wav import write_wav

        write_wav(args.out, audio, voice.sample_rate)
        print(f"{args.out}: {len(audio) / voice.sample_rate:.1f} s, {voice.name}")
        return 0
    from kiosk.audio import Speaker

    speaker = Speaker(config.audio.output_device, volume=config.voice.volume)
    try:
        speaker.play(audio, voice.sample_rate)
        speaker.wait()
    finally:
        speaker.close()
    return 0
