"""The operator's side of a running booth, composed: console, /metrics, printing, remote deletes.

``OperatorSide.start(cfg, booth, ...)`` returns None when ``[console]``, ``[metrics]`` and
``[print]`` are all off (the default): the booth then runs exactly as without this room.
"""

from __future__ import annotations

import logging

from ..errors import ConfigError

log = logging.getLogger(__name__)


def check_config(cfg) -> None:
    """What cannot be known from one section alone; ConfigError (exit 2) naming the fix."""
    c = cfg.console
    if c.enabled:
        if not c.password_hash:
            raise ConfigError("console.enabled = true needs console.password_hash. Fix: run "
                              "`booth console hash-password` and paste its line into [console]")
        from .auth import parse_hash

        parse_hash(c.password_hash)
        h = cfg.handoff
        if h.server_enabled and c.port and c.port == h.server_port:
            raise ConfigError(f"console.port = {c.port} is the download page's port (handoff.server_port): the sitters' "
                              "page must never serve the console. Fix: choose another console.port")
        if cfg.metrics.enabled and c.port and c.port == cfg.metrics.port:
            raise ConfigError(f"console.port = {c.port} is also metrics.port. Fix: give each its own port")


class OperatorSide:
    def __init__(self, bridge, console=None, metrics=None, printer=None, deleter=None):
        self.bridge, self.console, self.metrics, self.printer, self.deleter = bridge, console, metrics, printer, deleter

    @classmethod
    def start(cls, cfg, booth, *, stats=None, config_path: str | None = None, force: bool = False) -> "OperatorSide | None":
        if not (force or cfg.console.enabled or cfg.metrics.enabled or cfg.print.enabled):
            return None
        check_config(cfg)
        printer = None
        if cfg.print.enabled:
            from ..output.printing import Printer

            printer = Printer(cfg.print).start()
        from .hooks import ConsoleBridge  # here, not at the top: a booth with the operator's side off never loads it

        bridge = ConsoleBridge(cfg, stats=stats, config_path=config_path, printer=printer)
        booth.console = bridge
        side = cls(bridge, printer=printer)
        try:
            from .server import WaitressServer

            if cfg.metrics.enabled:
                try:
                    from .metrics import BoothMetrics
                except ImportError:
                    raise ConfigError("metrics.enabled = true needs prometheus-client: `pip install booth[console]` "
                                      "(or set [metrics] enabled = false)") from None

                side.metrics = WaitressServer(BoothMetrics(bridge).wsgi_app, cfg.metrics.host, cfg.metrics.port,
                                              name="metrics", threads=2, setting="metrics.port").start()
            if cfg.console.enabled:
                from .web import ConsoleApp

                handoff = getattr(booth.parts, "handoff", None)
                app = ConsoleApp(cfg, bridge, grants=getattr(handoff, "grants", None))
                side.console = WaitressServer(app, cfg.console.host, cfg.console.port, name="console", threads=4,
                                              setting="console.port").start()
                outbox = getattr(handoff, "outbox", None)
                if outbox is not None and hasattr(outbox.remote, "client"):
                    from .records import RemoteDeleter

                    side.deleter = RemoteDeleter(cfg.booth.output_dir, outbox.remote).start()
        except BaseException:
            side.close()
            raise
        return side

    def close(self) -> None:
        for part in (self.console, self.metrics, self.deleter, self.printer):
            if part is not None:
                try:
                    part.close()
                except Exception:  # noqa: BLE001 - the others must still close
                    log.exception("closing %s failed", type(part).__name__)
        self.bridge.close()
