"""Durable booth counters: sessions, captures, retakes, abandon rate, median time to capture.

The counters live in one small JSON file (``[service] stats_file``), rewritten atomically
(temporary file, fsync, rename) so a power cut leaves the old or the new file, never half.
:class:`SessionStats` watches the stream of :class:`~booth.types.Actions` and
:class:`~booth.types.SessionEvent` the app already sees; it never talks to the session.

A *session* starts when the booth leaves ATTRACT for GUIDING; it is *abandoned* when it
returns to ATTRACT without having reached the review screen; a *capture* is each arrival at
the review screen (time to capture = from the session start to the first one); a *retake* is
a RETAKE event; *kept* counts photos saved.
"""

from __future__ import annotations

import json
import logging
import statistics
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import write_text_atomic
from .types import Actions, BoothState, SessionEvent

log = logging.getLogger(__name__)

MAX_TIMES = 1000  # recent times to capture kept for the median


@dataclass
class Counters:
    sessions: int = 0
    captures: int = 0
    retakes: int = 0
    abandoned: int = 0
    kept: int = 0
    save_failures: int = 0
    times_to_capture_s: list[float] = field(default_factory=list)

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.sessions if self.sessions else None

    @property
    def median_time_to_capture_s(self) -> float | None:
        return statistics.median(self.times_to_capture_s) if self.times_to_capture_s else None

    def lines(self) -> list[str]:
        rate = self.abandon_rate
        med = self.median_time_to_capture_s
        return [
            f"sessions              {self.sessions}",
            f"captures              {self.captures}",
            f"photos kept           {self.kept}",
            f"retakes               {self.retakes}",
            f"abandoned             {self.abandoned}",
            f"abandon rate          {'-' if rate is None else f'{rate:.0%}'}",
            f"median time to capture {'-' if med is None else f'{med:.1f} s'}",
            f"save failures         {self.save_failures}",
        ]


def load_counters(path: str | Path) -> Counters:
    """The counters in ``path``; fresh ones when it does not exist or is unreadable."""
    p = Path(path)
    if not p.exists():
        return Counters()
    try:
        data = json.loads(p.read_text())
        known = {k: v for k, v in data.items() if k in Counters.__dataclass_fields__}
        c = Counters(**known)
        c.times_to_capture_s = [float(t) for t in c.times_to_capture_s][-MAX_TIMES:]
        return c
    except (ValueError, TypeError) as exc:
        log.warning("stats file %s is unreadable (%s); starting new counters", p, exc)
        return Counters()


class SessionStats:
    """Counts sessions from Actions/SessionEvents; ``flush()`` persists (only when changed)."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self.counters = load_counters(self.path) if self.path else Counters()
        self._lock = threading.Lock()
        self._state = BoothState.ATTRACT
        self._started: float | None = None
        self._captured = False
        self._dirty = False

    def observe(self, actions: Actions, t: float) -> None:
        """Feed every Actions with the wall/monotonic time it happened."""
        with self._lock:
            state, prev = actions.state, self._state
            c = self.counters
            if state is not prev:
                if prev is BoothState.ATTRACT and state not in (BoothState.ERROR, BoothState.PAUSED):
                    c.sessions += 1
                    self._started, self._captured = t, False
                    self._dirty = True
                if state is BoothState.REVIEW:
                    c.captures += 1
                    if not self._captured and self._started is not None:
                        c.times_to_capture_s = (c.times_to_capture_s + [round(t - self._started, 3)])[-MAX_TIMES:]
                    self._captured = True
                    self._dirty = True
                if state in (BoothState.ATTRACT, BoothState.PAUSED) and prev not in (BoothState.ERROR, BoothState.PAUSED):
                    if self._started is not None and not self._captured:
                        c.abandoned += 1
                        self._dirty = True
                    self._started = None
                if state is BoothState.THANK_YOU:
                    c.kept += 1
                    self._dirty = True
                self._state = state

    def event(self, event: SessionEvent) -> None:
        with self._lock:
            if event is SessionEvent.RETAKE and self._state is BoothState.REVIEW:
                self.counters.retakes += 1
                self._dirty = True
            elif event is SessionEvent.SAVE_FAILED:
                self.counters.save_failures += 1
                self._dirty = True

    def flush(self) -> None:
        """Write the counters if they changed (cheap to call every second)."""
        with self._lock:
            if not self._dirty or self.path is None:
                return
            text = json.dumps(asdict(self.counters), indent=1)
            self._dirty = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, text)
        except OSError as exc:
            log.warning("could not write stats to %s: %s", self.path, exc)
