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
from .registry import COMMAND_NAMES as COMMAND_NAMES  # re-exported: the registry's table
from .registry import INSTALL_HINTS as INSTALL_HINTS
from .registry import MissingDependencyError, missing_dependency, register_unavailable

# Order is the order in `booth --help`.
COMMAND_MODULES = (
    "booth.cli.kiosk",  # run, demo, check, stats
    "booth.cli.analyze",  # analyze, bench
    "booth.cli.replay",  # replay
    "booth.cli.simulate",  # simulate
    "booth.cli.lights",  # lights test
    "booth.cli.handoff",  # handoff (serve, outbox)
    "booth.cli.foundation",  # models, config
    "booth.cli.console",  # console hash-password
)

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
            register_unavailable(sub, modname, missing)
            continue
        module.register(sub)
    return parser


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * min(verbosity, 2)
    # journald adds its own timestamps; a <N> prefix carries the priority (sd-daemon(3)).
    journal = bool(os.environ.get("JOURNAL_STREAM"))
    fmt = "%(levelprefix)s%(name)s: %(message)s" if journal else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = _StderrHandler()
    handler.setFormatter(_JournalFormatter(fmt, journal))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class _StderrHandler(logging.StreamHandler):
    """A stream handler on whatever ``sys.stderr`` is when a record comes, not the one at
    set-up: a caller that swaps stderr (pytest's capture, a wrapper) and closes it later
    would otherwise leave every later warning writing into a closed stream
    ("--- Logging error ---"), as the standard library's own last-resort handler avoids."""

    @property
    def stream(self):  # the current stderr
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns it; the property ignores it
        pass


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
