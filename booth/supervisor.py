"""One small supervisor for every long-lived worker of the running booth.

Each worker is registered with :meth:`Supervisor.watch`: how to find its thread, how to read
its heartbeat, whether it may be restarted. The main loop calls :meth:`Supervisor.check`
every turn; it

- logs a worker's death once, with the exception that ended it (``thread.error``) or
  "ended without an error";
- counts a worker as *hung* when its heartbeat says it has been busy for longer than its
  bound (``hung_after_s``; a worker that is idle-waiting for work reports ``None``, so a
  saver with nothing to save is never "hung");
- restarts a dead worker that registered a ``restart`` function, with exponential backoff
  (1 s, 2 s, 4 s ... capped at 60 s), and otherwise reports it as fatal: the app then stops
  and exits non-zero so systemd restarts the booth;
- answers :meth:`healthy`: True only while every *required* worker is alive and not hung.
  The systemd watchdog is fed only while this is True.

A hung thread cannot be killed in Python, so a hung worker is never "restarted": it is fatal
when required, and only logged (and left alone) when optional.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger(__name__)


@dataclass
class Watched:
    name: str
    thread: Callable[[], threading.Thread | None]  # the current thread (a restart makes a new one)
    heartbeat: Callable[[], float | None]  # monotonic time the current piece of work began; None = idle
    required: bool = True
    restart: Callable[[], None] | None = None
    hung_after_s: float = 30.0
    restarts: int = 0
    next_restart: float = 0.0
    dead_logged: bool = False
    hung_logged: bool = False
    failure: str | None = None  # why it is dead or hung (None: fine)
    history: list = field(default_factory=list)  # (time, what) for reports and tests


class Supervisor:
    """Watches workers (see the module doc). All methods are for the main thread."""

    BACKOFF_S = 1.0
    MAX_BACKOFF_S = 60.0

    def __init__(self, hung_after_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.hung_after_s = hung_after_s
        self.clock = clock
        self.workers: dict[str, Watched] = {}
        self.fatal: str | None = None

    def watch(self, name: str, thread, *, heartbeat: Callable[[], float | None] | None = None,
              restart: Callable[[], None] | None = None, required: bool = True,
              hung_after_s: float | None = None) -> Watched:
        """``thread``: a Thread or a function returning the current one."""
        get = thread if callable(thread) and not isinstance(thread, threading.Thread) else (lambda t=thread: t)
        w = Watched(name, get, heartbeat or (lambda: None), required, restart,
                    self.hung_after_s if hung_after_s is None else hung_after_s)
        self.workers[name] = w
        return w

    def _state(self, w: Watched, now: float) -> str | None:
        t = w.thread()
        if t is None or not t.is_alive():
            err = getattr(t, "error", None) if t is not None else None
            return f"died: {type(err).__name__}: {err}" if err is not None else "ended without an error"
        beat = w.heartbeat()
        if beat is not None and now - beat > w.hung_after_s:
            return f"hung: no progress for {now - beat:.1f} s (bound {w.hung_after_s:g} s)"
        return None

    def check(self) -> str | None:
        """Look at every worker once; restart what may be restarted. Returns the first fatal
        failure (also kept in ``self.fatal``), else None."""
        now = self.clock()
        for w in self.workers.values():
            state = self._state(w, now)
            w.failure = state
            if state is None:
                w.dead_logged = w.hung_logged = False
                continue
            hung = state.startswith("hung")
            if hung:
                if not w.hung_logged:
                    log.error("worker %s %s", w.name, state)
                    w.history.append((now, state))
                    w.hung_logged = True
                if w.required and self.fatal is None:
                    self.fatal = f"{w.name} {state}"
                continue
            if not w.dead_logged:
                log.error("worker %s %s", w.name, state)
                w.history.append((now, state))
                w.dead_logged = True
                if w.restart is not None:
                    w.next_restart = now + min(self.MAX_BACKOFF_S, self.BACKOFF_S * 2 ** w.restarts)
            if w.restart is None:
                if w.required and self.fatal is None:
                    self.fatal = f"{w.name} {state}"
            elif now >= w.next_restart:
                w.restarts += 1
                log.warning("restarting worker %s (restart %d)", w.name, w.restarts)
                try:
                    w.restart()
                except Exception as exc:  # noqa: BLE001 - a failed restart is retried with more backoff
                    log.exception("restarting worker %s failed", w.name)
                    w.next_restart = now + min(self.MAX_BACKOFF_S, self.BACKOFF_S * 2 ** w.restarts)
                    w.history.append((now, f"restart failed: {exc!r}"))
                    continue
                w.history.append((now, "restarted"))
                w.dead_logged = False
        return self.fatal

    def healthy(self) -> bool:
        """Every required worker alive and making progress (the condition for feeding the watchdog)."""
        now = self.clock()
        return self.fatal is None and all(self._state(w, now) is None for w in self.workers.values() if w.required)

    def failures(self) -> dict[str, str]:
        return {w.name: w.failure for w in self.workers.values() if w.failure}
