"""systemd's notify protocol (sd_notify) over a unix datagram socket, without libsystemd.

With ``Type=notify`` and ``WatchdogSec=`` in the unit, systemd passes ``$NOTIFY_SOCKET`` (a path,
or ``@name`` for the abstract namespace) and ``$WATCHDOG_USEC``. The booth says ``READY=1``
once the screen and camera are up, then ``WATCHDOG=1`` from the *main loop* at half the
watchdog period: if the render loop stalls, the pings stop and systemd restarts the booth.
Outside systemd (no ``$NOTIFY_SOCKET``) every call is a cheap no-op.

>>> notifier = Notifier.from_env()
>>> notifier.ready()
>>> while running:
...     notifier.tick(time.monotonic())   # pings only when half the period has passed
>>> notifier.stopping()
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify messages. ``interval_s`` is the ping period (None: no watchdog)."""

    def __init__(self, address: str | None, interval_s: float | None = None):
        self.address = address
        self.interval_s = interval_s
        self._sock: socket.socket | None = None
        self._last_ping = float("-inf")
        if address:
            if address.startswith("@"):
                address = "\0" + address[1:]  # Linux abstract namespace
            self._target = address
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    @classmethod
    def from_env(cls, enabled: bool = True, environ=os.environ) -> "Notifier":
        """From ``$NOTIFY_SOCKET`` and ``$WATCHDOG_USEC`` (honouring ``$WATCHDOG_PID``)."""
        address = environ.get("NOTIFY_SOCKET") if enabled else None
        interval = None
        usec = environ.get("WATCHDOG_USEC")
        pid = environ.get("WATCHDOG_PID")
        if usec and (not pid or pid == str(os.getpid())):
            try:
                interval = int(usec) / 1e6 / 2.0
            except ValueError:
                log.warning("ignoring WATCHDOG_USEC=%r (not an integer)", usec)
        return cls(address, interval)

    @property
    def active(self) -> bool:
        return self._sock is not None

    def notify(self, message: str) -> bool:
        """Send one message; a failure is logged, never raised (the booth must keep running)."""
        if self._sock is None:
            return False
        try:
            self._sock.sendto(message.encode(), self._target)
            return True
        except OSError as exc:
            log.warning("sd_notify %r failed: %s", message, exc)
            return False

    def ready(self, status: str | None = None) -> None:
        self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> None:
        self.notify(f"STATUS={text}")

    def tick(self, now: float) -> bool:
        """Call from the main loop every iteration; pings when half the period has passed."""
        if self.interval_s is None or now - self._last_ping < self.interval_s:
            return False
        self._last_ping = now
        return self.notify("WATCHDOG=1")

    def stopping(self) -> None:
        self.notify("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
