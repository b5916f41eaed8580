"""What the ``booth`` registry needs to keep a command whose optional dependency is missing:
the commands each module registers, how to install a missing module, and the one-line error."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import BoothError

# The commands each module registers, so that a module that cannot be imported still shows
# its commands, and running one says what is missing (tests/house/test_cli.py checks it).
COMMAND_NAMES = {
    "booth.cli.kiosk": ("run", "demo", "check", "stats"),
    "booth.cli.analyze": ("analyze", "bench"),
    "booth.cli.replay": ("replay",),
    "booth.cli.simulate": ("simulate",),
    "booth.cli.lights": ("lights",),
    "booth.cli.handoff": ("handoff",),
    "booth.cli.foundation": ("models", "config"),
    "booth.cli.console": ("console",),
}

# How to install the module a command needs (top-level import name -> the fix).
INSTALL_HINTS = {
    "cv2": "pip install opencv-python-headless",
    "numpy": "pip install numpy",
    "pygame": "pip install pygame-ce",
    "gpiozero": "pip install gpiozero",
    "lgpio": "pip install lgpio (Raspberry Pi 5)",
    "PIL": "pip install pillow",
    "segno": "pip install segno",
    "boto3": "pip install 'booth[upload]'",
    "ai_edge_litert": "pip install ai-edge-litert",
    "tflite_runtime": "pip install 'booth[tflite-runtime]'",
    "picamera2": "sudo apt install python3-picamera2 (and a venv with --system-site-packages)",
}


class MissingDependencyError(BoothError):
    """A command needs a Python module that is not installed (exit 2, one line)."""

    def __init__(self, command: str, module: str):
        hint = INSTALL_HINTS.get(module, f"install the package that provides it (pip install {module})")
        super().__init__(f"`booth {command}` needs the Python module '{module}', which is not installed. Fix: {hint}")
        self.command = command
        self.module = module


def missing_dependency(exc: BaseException) -> str | None:
    """The top-level name of a missing third-party module, or None (a missing ``booth``
    module is a bug, not an optional dependency, and is re-raised)."""
    name = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    if not name:
        return None
    top = name.split(".")[0]
    return None if top == "booth" else top


def register_unavailable(sub: Any, modname: str, module: str) -> None:
    """Commands whose module cannot be imported: listed, and each says what is missing."""
    for name in COMMAND_NAMES.get(modname, ()):
        p = sub.add_parser(name, help=f"(unavailable: needs the Python module '{module}')", add_help=False)

        def unavailable(args: argparse.Namespace, name: str = name) -> None:
            raise MissingDependencyError(name, module)

        p.set_defaults(handler=unavailable, any_arguments=True)
