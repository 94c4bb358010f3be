"""Errors the kiosk reports to a person as one clear line (never a traceback)."""

from __future__ import annotations


class KioskError(Exception):
    """An expected failure with a message written for the person who will read it."""


class ConfigError(KioskError):
    """The configuration file is missing, malformed, or has a bad value."""


class ContentError(KioskError):
    """The document, prompts or intent files cannot be loaded."""


class AudioError(KioskError):
    """An audio file or device cannot be used."""


class ModelError(KioskError):
    """A speech model is missing or corrupt; the message says what to install."""
