"""A WSGI app on waitress in one owned thread: bound on start (a taken port is one clear
line, exit 2), stopped and joined on close. Used by the console and by /metrics."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from ..errors import BoothError, ConfigError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from waitress.server import BaseWSGIServer
    from waitress.wasyncore import dispatcher

log = logging.getLogger(__name__)


class ServeError(BoothError):
    """A console or metrics port cannot be opened."""


class WaitressServer:
    def __init__(self, app: WSGIApplication, host: str, port: int, *, name: str, threads: int = 4,
                 setting: str = ""):
        self.app, self.host, self.port, self.name, self.threads = app, host, port, name, threads
        self.setting = setting  # the config keys to name in an error, e.g. "console.host/console.port"
        self._server: BaseWSGIServer | None = None
        self._map: dict[int, dispatcher] = {}  # waitress' socket map (fd -> server and channels)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.error: BaseException | None = None

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("not started")
        # types-waitress omits effective_host/effective_port, which BaseWSGIServer.__init__ sets
        # (waitress/server.py: ``self.effective_host, self.effective_port = self.getsockname()``)
        host, port = self._server.effective_host, self._server.effective_port  # type: ignore[attr-defined]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"

    def start(self) -> "WaitressServer":
        try:
            from waitress.server import BaseWSGIServer, create_server
        except ImportError:
            raise ConfigError(f"the {self.name} needs waitress: `pip install booth[console]` (or disable it)") from None
        try:
            # types-waitress types the map as fd -> socket; waitress keeps its dispatchers there
            # (the server and each channel: wasyncore.dispatcher), which is what _run closes
            server = create_server(self.app, map=self._map,  # type: ignore[arg-type]
                                   host=self.host, port=self.port, threads=self.threads,
                                   channel_timeout=30, connection_limit=50, ident="booth",
                                   clear_untrusted_proxy_headers=True, asyncore_loop_timeout=0.5)
        except OSError as exc:
            raise ServeError(f"the {self.name} cannot listen on {self.host}:{self.port} ({exc.strerror or exc}). "
                             f"Fix: choose another {self.setting or 'port'} or stop what uses it") from None
        if not isinstance(server, BaseWSGIServer):  # one host and port: one socket, never a MultiSocketServer
            server.close()
            raise ServeError(f"the {self.name} on {self.host}:{self.port} opened several sockets. "
                             f"Fix: give one address in {self.setting or 'host'}")
        self._server = server
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        log.info("%s on %s", self.name, self.url)
        return self

    def _run(self) -> None:
        """waitress' loop in short turns, so that a stop is seen within 0.2 s; the sockets are
        closed here, on the thread that polls them (closing them from another thread races select)."""
        server = self._server
        if server is None:  # start() sets it before the thread exists
            raise RuntimeError(f"{self.name}: the serving thread started without a server")
        try:
            while not self._stop.is_set():
                server.asyncore.loop(timeout=0.2, map=self._map, use_poll=server.adj.asyncore_use_poll, count=1)
        except BaseException as exc:  # noqa: BLE001 - seen by whoever checks alive()
            self.error = exc
            log.exception("%s stopped", self.name)
        finally:
            try:
                server.close()
            except Exception:  # noqa: BLE001 - closing anyway
                pass
            for channel in list(self._map.values()):
                try:
                    channel.close()
                except Exception:  # noqa: BLE001
                    pass
            self._map.clear()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def close(self, timeout_s: float = 3.0) -> None:
        server = self._server
        if server is None:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.error("%s did not stop within %.1f s", self.name, timeout_s)
            self._thread = None
        # types-waitress says int; waitress adds it to time.time(), so a float is what it takes
        server.task_dispatcher.shutdown(timeout=timeout_s)  # type: ignore[arg-type]
        self._server = None
