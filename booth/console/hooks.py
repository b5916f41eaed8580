"""The console's hooks into the running booth, kept small: the app publishes a status
snapshot and drains a command queue; nothing else of the booth is shared.

::

    bridge = ConsoleBridge(cfg, stats=stats, config_path=args.config)
    booth.console = bridge                     # the app calls the four hooks below
    # analysis thread:  bridge.observe(actions); bridge.on_event(event); bridge.tick(booth)
    # main thread:      bridge.publish(booth, elapsed_s, render_frames)   (at most once a second)
    # console threads:  bridge.snapshot(); bridge.submit("pause") -> Future[str]

Pause and resume travel as SessionEvents through the booth's inbox (the session's table owns
the PAUSED state, which the sitter's screen shows as "Out of service"). Switching profile and
reloading the config replace the session, coach and store settings on the analysis thread
(their only owner), and only while nobody is being photographed. A lights test runs as a
short timed sequence on the analysis thread (no sleeps), the session's own light levels held
back meanwhile.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import queue
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from .. import __version__
from ..errors import BoothError
from ..types import Actions, BoothState, LightLevels, SessionEvent
from .records import DayLog

log = logging.getLogger(__name__)

COMMANDS = ("pause", "resume", "profile", "lights_test", "reload")
IDLE_STATES = (BoothState.ATTRACT, BoothState.PAUSED, BoothState.ERROR)


class ErrorLog(logging.Handler):
    """The last warnings and errors of the ``booth`` loggers, for the Status page."""

    def __init__(self, size: int = 20):
        super().__init__(logging.WARNING)
        self.recent: deque[dict] = deque(maxlen=size)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad log call must not break logging
            msg = str(record.msg)
        self.recent.append({"t": time.strftime("%H:%M:%S", time.localtime(record.created)),
                            "level": record.levelname.lower(), "where": record.name, "message": msg[:300]})
        self.count += 1


class LightsTest:
    """Each channel up to full and down again, one after the other, then all off."""

    def __init__(self, channels: list[str], start: float, step_s: float = 0.6):
        self.channels, self.start, self.step_s = channels, start, step_s

    @property
    def duration_s(self) -> float:
        return self.step_s * (len(self.channels) + 1)

    def levels_at(self, now: float) -> LightLevels | None:
        i = int((now - self.start) // self.step_s)
        if i < 0 or i > len(self.channels):
            return None
        return LightLevels.of(**{ch: (1.0 if k == i else 0.0) for k, ch in enumerate(self.channels)})


@dataclass
class _Command:
    kind: str
    arg: str | None
    future: concurrent.futures.Future


def default_booth_id(cfg) -> str:
    return cfg.metrics.booth_id or socket.gethostname()


class ConsoleBridge:
    def __init__(self, cfg, *, stats=None, config_path: str | None = None, printer=None,
                 load_config: Callable[[str | None], Any] | None = None, clock: Callable[[], float] = time.time):
        self.cfg = cfg
        self.stats = stats
        self.config_path = config_path
        self.printer = printer
        self.booth_id = default_booth_id(cfg)
        self.started = clock()
        self.clock = clock
        if load_config is None:
            from ..config import load_config as _load

            load_config = _load
        self._load_config = load_config
        self.errors = ErrorLog()
        logging.getLogger("booth").addHandler(self.errors)
        self._commands: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self._snapshot_lock = threading.Lock()
        self._snapshot: dict = {}
        self._slow_lock = threading.Lock()
        self._slow: tuple[float, dict] | None = None
        self._last_pub: tuple[float, int, int, int] | None = None
        self._next_pub = 0.0
        self.lights: dict[str, float] = {}
        self.lights_test: LightsTest | None = None
        self.camera_reconnects = 0
        self.camera_losses = 0
        self.state = BoothState.ATTRACT
        self._want_pause = False  # an operator's pause waits while a photo is being saved
        self._pause_posted = False
        self.capture_observers: list[Callable[[float], None]] = []
        import os

        self.day = DayLog(os.path.join(cfg.booth.output_dir, ".console"), clock=clock, on_capture=self._on_capture)

    def close(self) -> None:
        logging.getLogger("booth").removeHandler(self.errors)

    # ------------------------------------------------------------ analysis thread (the app)

    def observe(self, actions: Actions) -> None:
        if actions.lights is not None:
            self.lights = {k: round(float(v), 3) for k, v in actions.lights.levels.items()}
        if actions.state is BoothState.THANK_YOU and self.state is not BoothState.THANK_YOU and self.printer is not None:
            self.printer.submit_files(actions.saved_files, actions.badge_id)
        self.state = actions.state
        if actions.state is BoothState.PAUSED:
            self._want_pause = False
        self.day.observe(actions)

    def on_event(self, event: SessionEvent) -> None:
        if event is SessionEvent.CAMERA_BACK:
            self.camera_reconnects += 1
        elif event is SessionEvent.CAMERA_LOST:
            self.camera_losses += 1
        elif event is SessionEvent.RETAKE:
            self.day.retake()
        elif event is SessionEvent.PAUSE:
            self._pause_posted = False  # the session has it now

    def holds_lights(self) -> bool:
        """True while a lights test owns the rig (the session's levels wait)."""
        return self.lights_test is not None

    def tick(self, booth) -> None:
        """Carry out queued commands; step a lights test. Called on each analysis turn."""
        now = time.monotonic()
        if self.lights_test is not None:
            levels = self.lights_test.levels_at(now)
            rig = booth.parts.rig
            if levels is None:
                self.lights_test = None
            elif rig is not None:
                rig.apply(levels)
                self.lights = dict(levels.levels)
        state = booth.parts.loop.state
        if self._want_pause and not self._pause_posted and state not in (BoothState.SAVING, BoothState.PAUSED):
            booth.post(SessionEvent.PAUSE)  # the photo is saved: now out of service
            self._pause_posted = True
        while True:
            try:
                cmd = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                cmd.future.set_result(self._carry_out(booth, cmd, now))
            except BoothError as err:
                cmd.future.set_exception(err)
            except Exception as exc:  # noqa: BLE001 - the booth keeps running; the operator sees it
                log.exception("console command %s failed", cmd.kind)
                cmd.future.set_exception(exc)

    def _carry_out(self, booth, cmd: _Command, now: float) -> str:
        loop = booth.parts.loop
        state = loop.state
        if cmd.kind == "pause":  # through the inbox, like a button; never in the middle of a save
            self._want_pause = True
            if state is BoothState.SAVING:
                return "pausing once the photo being saved is written (then Out of service)"
            booth.post(SessionEvent.PAUSE)
            self._pause_posted = True
            return "paused: the booth shows Out of service"
        if cmd.kind == "resume":
            self._want_pause = False
            booth.post(SessionEvent.RESUME)
            return "resumed"
        if cmd.kind == "lights_test":
            rig = booth.parts.rig
            if rig is None:
                raise BoothError("no lights on this booth (lights.enabled = false or no rig)")
            if state not in IDLE_STATES:
                raise BoothError(f"a sitter is being photographed ({state.value}); try again in a moment or pause first")
            names = list(getattr(rig, "channels", None) or [ch.name for ch in booth.cfg.lights.channels])
            self.lights_test = LightsTest(names, now)
            return f"lights test: {', '.join(names)}, {self.lights_test.duration_s:.1f} s"
        if state not in IDLE_STATES:
            raise BoothError(f"a sitter is being photographed ({state.value}); try again when the booth is idle or paused")
        if cmd.kind == "profile":
            new = booth.cfg.with_profile(cmd.arg or "")
            self._apply_config(booth, new, paused=state is BoothState.PAUSED)
            return f"profile is now {new.profile.value}"
        if cmd.kind == "reload":
            new = self._load_config(self.config_path)
            restart = [f.name for f in dataclasses.fields(new)
                       if f.name in ("camera", "vision", "lights", "ui", "buttons", "service", "handoff", "console",
                                     "metrics", "print") and getattr(new, f.name) != getattr(booth.cfg, f.name)]
            self._apply_config(booth, new, paused=state is BoothState.PAUSED)
            msg = f"config {self.config_path or '(defaults)'} loaded and applied"
            return msg + (f"; takes effect at the next restart: [{'], ['.join(restart)}]" if restart else "")
        raise BoothError(f"unknown command {cmd.kind}")

    def _apply_config(self, booth, new, paused: bool) -> None:
        loop = booth.parts.loop
        keep = dataclasses.replace(new, camera=booth.cfg.camera, vision=booth.cfg.vision, lights=booth.cfg.lights,
                                   ui=booth.cfg.ui)  # those belong to running hardware: at restart
        loop.reconfigure(keep)
        if getattr(loop, "store", None) is not None:
            loop.store.cfg = keep
        booth.cfg = keep
        self.cfg = keep
        t = booth._last_frame_t
        actions = loop.on_event(SessionEvent.PAUSE, t) if paused else loop.session._actions(t, None, None, None)
        booth._carry_out(actions, None)

    # ------------------------------------------------------------ main thread (the app)

    def publish(self, booth, elapsed_s: float, render_frames: int) -> None:
        now = time.monotonic()
        if now < self._next_pub:
            return
        self._next_pub = now + 1.0
        try:
            snap = self._build(booth, now, elapsed_s, render_frames)
        except Exception:  # noqa: BLE001 - a broken status must not stop the booth's screen
            log.exception("console: status snapshot failed")
            return
        with self._snapshot_lock:
            self._snapshot = snap

    def _build(self, booth, now: float, elapsed_s: float, render_frames: int) -> dict:
        import itertools

        counts = (now, booth.camera_frames, booth.analysed, render_frames)
        prev, self._last_pub = self._last_pub, counts
        if prev is None or now - prev[0] <= 0:
            rates = [c / max(1e-6, elapsed_s) for c in counts[1:]]
        else:
            rates = [(c - p) / (now - prev[0]) for c, p in zip(counts[1:], prev[1:])]
        lat = list(itertools.islice(reversed(booth.latencies_ms), 60))
        parts = booth.parts
        self._booth = booth
        c = self.stats.counters if self.stats is not None else None
        step, _ = booth.steps.get()
        return {
            "booth_id": self.booth_id,
            "version": __version__,
            "uptime_s": round(self.clock() - self.started, 1),
            "state": step.actions.state.value if step is not None else "starting",
            "paused": step is not None and step.actions.state is BoothState.PAUSED,
            "message": step.actions.message if step is not None else None,
            "profile": booth.cfg.profile.value,
            "camera_fps": round(rates[0], 1),
            "analysis_fps": round(rates[1], 1),
            "screen_fps": round(rates[2], 1),
            "latency_ms_p50": round(sorted(lat)[len(lat) // 2], 1) if lat else None,
            "dropped_frames": booth.frames.dropped,
            "lights": dict(self.lights),
            "lights_test": self.lights_test is not None,
            "errors": list(self.errors.recent)[-10:][::-1],
            "error_count": self.errors.count,
            "camera": getattr(parts.source, "name", type(parts.source).__name__),
            "camera_reconnects": self.camera_reconnects,
            "camera_losses": self.camera_losses,
            "worker_restarts": int(getattr(booth, "restarts", 0) or 0),
            "runtime": _runtime_line(),
            "models": _model_lines(),
            "counters": None if c is None else {
                "sessions": c.sessions, "captures": c.captures, "kept": c.kept, "retakes": c.retakes,
                "abandoned": c.abandoned, "save_failures": c.save_failures},
            "printer": self.printer.status() if self.printer is not None else None,
        }

    # ------------------------------------------------------------ console threads

    def snapshot(self) -> dict:
        """The newest status, with disk and upload figures (read from disk on the asking
        thread, at most every 5 s: never on the booth's render loop)."""
        with self._snapshot_lock:
            snap = dict(self._snapshot)
        if snap:
            snap.update(self._slow_figures())
        return snap

    def _slow_figures(self) -> dict:
        import shutil

        from ..output.store import free_mb

        now = time.monotonic()
        with self._slow_lock:
            if self._slow is not None and now - self._slow[0] < 5.0:
                return self._slow[1]
            booth = getattr(self, "_booth", None)
            ob = None
            outbox = getattr(getattr(getattr(booth, "parts", None), "handoff", None), "outbox", None)
            if outbox is not None:
                st = outbox.status()
                ob = {"pending": st.pending, "uploaded": st.done, "failed": st.failed, "last_error": st.last_error,
                      "oldest_pending_age_s": st.oldest_pending_age_s}
            try:
                where = _existing(self.cfg.booth.output_dir)
                disk, total = round(free_mb(where), 1), round(shutil.disk_usage(where).total / 2**20, 1)
            except OSError:
                disk = total = None  # type: ignore[assignment]  # unknown: the page shows "-"
            figures = {"disk_free_mb": disk, "disk_total_mb": total, "outbox": ob}
            self._slow = (now, figures)
            return figures

    def submit(self, kind: str, arg: str | None = None) -> concurrent.futures.Future:
        """Queue a command for the analysis thread; the future holds its result line."""
        if kind not in COMMANDS:
            raise ValueError(f"unknown command {kind!r}")
        fut: concurrent.futures.Future = concurrent.futures.Future()
        self._commands.put(_Command(kind, arg, fut))
        return fut

    def _on_capture(self, seconds: float) -> None:
        for fn in self.capture_observers:
            try:
                fn(seconds)
            except Exception:  # noqa: BLE001
                log.exception("console: capture observer failed")


def _existing(path: str):
    from pathlib import Path

    p = Path(path).resolve()
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


_RUNTIME: str | None = None
_MODELS: dict | None = None


def _runtime_line() -> str:
    global _RUNTIME
    if _RUNTIME is None:
        try:
            from ..runtime import runtime

            _RUNTIME = runtime().describe()
        except BoothError as err:
            _RUNTIME = f"none ({err})"
    return _RUNTIME


def _model_lines() -> dict:
    global _MODELS
    if _MODELS is None:
        try:
            from ..models import load_manifest

            _MODELS = {name: f"{spec.package} "
                             f"sha256 {spec.sha256[:12]}".strip()
                       for name, spec in load_manifest().items()}
        except Exception:  # noqa: BLE001 - the status page shows what it can
            _MODELS = {}
    return _MODELS
