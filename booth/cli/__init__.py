"""The ``booth`` command: the command line lives here, one module per command group.

Each module in :data:`COMMAND_MODULES` has ``register(subparsers)``; its handlers take the
parsed arguments and return an exit code. They import the rooms (``booth.vision``,
``booth.camera``, ...); no room imports ``booth.cli``. Handlers import their heavy modules
lazily so that ``booth --help`` stays fast. A :class:`~booth.errors.BoothError` becomes one
line on stderr and its exit code (2), never a traceback; so does a missing optional
dependency (a command is never dropped from ``booth --help`` because one is missing).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from .. import __version__
from ..errors import BoothError

# Order is the order in `booth --help`.
COMMAND_MODULES = (
    "booth.cli.kiosk",  # run, demo, check, stats
    "booth.cli.analyze",  # analyze, bench
    "booth.cli.replay",  # replay
    "booth.cli.simulate",  # simulate
    "booth.cli.lights",  # lights test
    "booth.cli.handoff",  # handoff (serve, outbox)
    "booth.cli.foundation",  # models, config
)

# The commands each module registers, so that a module that cannot be imported still shows
# its commands, and running one says what is missing (tests/foundation/test_cli.py checks it).
COMMAND_NAMES = {
    "booth.cli.kiosk": ("run", "demo", "check", "stats"),
    "booth.cli.analyze": ("analyze", "bench"),
    "booth.cli.replay": ("replay",),
    "booth.cli.simulate": ("simulate",),
    "booth.cli.lights": ("lights",),
    "booth.cli.handoff": ("handoff",),
    "booth.cli.foundation": ("models", "config"),
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


def _register_unavailable(sub, modname: str, module: str) -> None:
    """Commands whose module cannot be imported: listed, and each says what is missing."""
    for name in COMMAND_NAMES.get(modname, ()):
        p = sub.add_parser(name, help=f"(unavailable: needs the Python module '{module}')", add_help=False)

        def unavailable(args, name=name):
            raise MissingDependencyError(name, module)

        p.set_defaults(handler=unavailable, any_arguments=True)


def _version_line() -> str:
    try:
        from ..runtime import runtime

        rt = runtime().describe()
    except BoothError as err:
        rt = f"no TFLite runtime ({err})"
    return f"booth {__version__}; TFLite runtime: {rt}; Python {sys.version.split()[0]}"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="print versions (booth, TFLite runtime) and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(_version_line())
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="booth",
        description="Self-service headshot booth: live guidance, even light, best-frame capture.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--config", metavar="FILE", default=os.environ.get("BOOTH_CONFIG"),
                        help="booth TOML config (default: $BOOTH_CONFIG, else built-in defaults)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for modname in COMMAND_MODULES:
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            missing = missing_dependency(exc)
            if missing is None:
                raise
            _register_unavailable(sub, modname, missing)
            continue
        module.register(sub)
    return parser


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * min(verbosity, 2)
    # journald adds its own timestamps; a <N> prefix carries the priority (sd-daemon(3)).
    journal = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelprefix)s%(name)s: %(message)s" if journal else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JournalFormatter(fmt, journal))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class _JournalFormatter(logging.Formatter):
    _PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}

    def __init__(self, fmt: str, journal: bool):
        super().__init__(fmt)
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        record.levelprefix = f"<{self._PRIORITY.get(record.levelno, 6)}>" if self.journal else ""
        return super().format(record)


def load_config_from_args(args):
    from ..config import load_config

    return load_config(getattr(args, "config", None))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "any_arguments", False):  # an unavailable command takes anything
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    setup_logging(args.verbose)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        try:
            return int(args.handler(args) or 0)
        except ModuleNotFoundError as exc:  # a handler's lazy import of an optional dependency
            missing = missing_dependency(exc)
            if missing is None:
                raise
            raise MissingDependencyError(args.command, missing) from exc
    except BoothError as err:
        print(f"booth: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
