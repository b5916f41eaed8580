"""Errors that reach an operator: each one says what went wrong and names the fix.

The CLI turns a :class:`BoothError` into one line on stderr and its ``exit_code``
instead of a traceback.
"""

from __future__ import annotations


class BoothError(Exception):
    """An error an operator can act on. ``str(err)`` is the whole message."""

    exit_code = 2


class ConfigError(BoothError):
    """The config file has an unknown key, a wrong type or an out-of-range value."""


class ModelError(BoothError):
    """A model file is missing or does not match its pinned sha256."""


class RuntimeMissingError(BoothError):
    """No TFLite runtime (LiteRT or tflite-runtime) can be imported."""


class CameraError(BoothError):
    """The camera could not be opened or stopped delivering frames."""


class StorageError(BoothError):
    """A photo could not be written (disk full, no permission)."""
