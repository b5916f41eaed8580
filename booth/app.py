"""The running booth: camera, analysis, saving and the screen, each at its own pace.

Threads (only small immutable values cross between them)::

    camera thread ──Shot──▶ [one-slot mailbox] ──▶ analysis worker ──Step──▶ [latest] ──▶ main thread
       source.read()          newest wins:          loop.on_frame()            newest      render at the
                              older frames          loop.on_event()            wins        display rate,
                              are dropped           lights, exposure lock                  poll touch/keys,
                                                    │                                      watchdog pings
                                                    └─Candidate──▶ saver worker ─SAVED/SAVE_FAILED─┘ (events)

- The camera thread never waits for analysis: each new frame replaces the one in the
  mailbox (:class:`Mailbox`), so analysis always works on the newest frame and a slow model
  costs frame rate, never latency or memory.
- The analysis worker is the only caller of the session (``loop``): frames and
  :class:`~booth.types.SessionEvent` (touch, GPIO buttons, camera loss, saver results) are
  serialised there. It carries out each :class:`~booth.types.Actions`: light levels,
  exposure lock, "save this candidate" (handed to the saver, never written on this thread).
- The main thread draws the newest Step over the newest camera image, so the preview runs at
  camera rate even while analysis is slower, and pings the systemd watchdog only while both
  it and the analysis worker are alive.
- SIGTERM/SIGINT stop everything in order: the camera, then analysis, then the saver drains
  (every photo is complete), lights off, counters written, ``STOPPING=1``.

Parts are passed in (:class:`BoothParts`), so tests run this exact code with small fakes and
``booth run`` / ``booth demo`` with the real camera, models, lights and store.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import queue
import resource
import signal
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Protocol, Sequence, TypeVar

from .i18n import N_
from .config import BoothConfig
from .errors import BoothError, CameraError
from .memory import return_free_memory
from .startup import process_age_s
from .types import Actions, BoothState, Candidate, Frame, SessionEvent

log = logging.getLogger(__name__)

T = TypeVar("T")

#: the headline of the screen shown while the output folder cannot take a photo
OUT_OF_SERVICE = "Out of service"


# --------------------------------------------------------------------------- hand-over slots


class Mailbox(Generic[T]):
    """A one-slot mailbox: ``put`` replaces what is there (counting it as dropped), ``take``
    waits for something new. Frames are dropped, never queued."""

    def __init__(self):
        self._cond = threading.Condition()
        self._item: T | None = None
        self.dropped = 0

    def put(self, item: T) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def take(self, timeout: float) -> T | None:
        with self._cond:
            if self._item is None:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


class Latest(Generic[T]):
    """The newest value and a version number; readers never consume it."""

    def __init__(self, initial: T | None = None):
        self._lock = threading.Lock()
        self._value = initial
        self.version = 0

    def set(self, value: T) -> None:
        with self._lock:
            self._value = value
            self.version += 1

    def get(self) -> tuple[T | None, int]:
        with self._lock:
            return self._value, self.version


@dataclass(frozen=True, eq=False)
class Shot:
    """A camera frame and when (wall monotonic clock) the camera thread received it."""

    frame: Frame
    received: float


@dataclass(frozen=True, eq=False)
class Step:
    """One session step for the screen; ``received`` is its frame's Shot.received (None for
    steps caused by events)."""

    actions: Actions
    received: float | None
    seq: int
    out_of_service: bool = False  # the output folder cannot take a photo: the booth says so


@dataclass(frozen=True)
class Posted:
    """A SessionEvent with its payload (``files=`` for SAVED, ``message=`` for SAVE_FAILED)."""

    event: SessionEvent
    payload: tuple[tuple[str, Any], ...] = ()
    # when it was posted (wall clock): a consent's time in the sidecar (the session reads no clock)
    wall: float = field(default_factory=time.time, compare=False)


#: events that may be a sitter's consent: handed on with the wall-clock time they were posted
_WALL_STAMPED = frozenset({SessionEvent.AGREE, SessionEvent.SHUTTER, SessionEvent.BADGE_SCANNED})


class Inbox:
    """SessionEvents from any thread (touch, GPIO, camera, saver) for the analysis worker."""

    def __init__(self):
        self._q: queue.SimpleQueue[Posted] = queue.SimpleQueue()

    def post(self, event: SessionEvent, **payload) -> None:
        self._q.put(Posted(event, tuple(payload.items())))

    def drain(self) -> list[Posted]:
        out = []
        while True:
            try:
                out.append(self._q.get_nowait())
            except queue.Empty:
                return out


@dataclass(frozen=True)
class _Develop:
    """A saver job: make these frames' stills (BackgroundSaver.develop)."""

    frames: tuple[Frame, ...]


class BackgroundSaver:
    """Writes photos on its own thread; the session hears back through the inbox.

    ``submit`` is what :class:`booth.loop.BoothLoop` calls as its ``saver`` (candidate,
    badge id, expression); ``save(candidate, badge_id, expression)`` does the writing
    (PhotoStore.save) and returns the file paths; ``after(saved_paths, result, badge_id)`` may
    return a download link (the handoff room). ``close()`` waits until every photo is whole.

    ``busy_since`` is when the photo being written now was taken up (None while idle): the
    app's supervisor counts the saver as hung when that is older than its bound, and the
    SAVING state's timeout tells the sitter. ``restart()`` starts a fresh thread on the same
    queue (after the thread died; a hung one is never replaced).
    """

    def __init__(self, save: Callable[..., Any], inbox: Inbox, after: Callable[..., str | None] | None = None):
        self.save = save
        self.inbox = inbox
        self.after = after
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.results: deque[Any] = deque(maxlen=1000)  # the recent saves (a booth runs for days)
        self.last_url: str | None = None
        self.error: BaseException | None = None
        self.busy_since: float | None = None
        self.on_failed: Callable[[], None] | None = None  # the app re-checks the storage at once

    def submit(self, candidate: Candidate, badge_id: str | None = None, expression: str | None = None) -> None:
        self._q.put((candidate, badge_id, expression))

    def develop(self, frames: Sequence[Frame]) -> None:
        """Make these frames' stills now, on this thread, before they are wanted: a source
        that composes its stills on demand (the simulator, ``Frame.develop``) would otherwise
        make the review's stills in the screen's draw or on the analysis thread."""
        pending = tuple(f for f in frames if f.full is None and f.develop is not None)
        if pending:
            self._q.put(_Develop(pending))

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def start(self) -> None:
        self._thread = _Worker("saver", self._run)
        self._thread.start()

    restart = start

    def _failed(self, message: str) -> None:
        self.inbox.post(SessionEvent.SAVE_FAILED, message=message)
        if self.on_failed is not None:
            self.on_failed()

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            if isinstance(item, _Develop):
                for frame in item.frames:
                    try:
                        frame.best  # noqa: B018 - made once and kept by the frame's develop()
                    except Exception:  # noqa: BLE001 - the screen or the save will ask again and see it
                        log.exception("making a still in advance failed")
                continue
            candidate, badge_id, expression = item
            self.busy_since = time.monotonic()
            try:
                try:
                    result = self.save(candidate, badge_id, expression)
                except BoothError as err:
                    log.error("saving failed: %s", err)
                    self._failed(str(err))
                    continue
                except Exception as exc:  # noqa: BLE001 - a bug in saving must not stop the booth
                    log.exception("saving failed")
                    self._failed(f"could not save the photo ({type(exc).__name__})")
                    continue
                files = [str(p) for p in getattr(result, "paths", result)]
                self.results.append(result)
                self.last_url = None
                if self.after is not None:
                    try:
                        self.last_url = self.after(result, badge_id)
                    except Exception:  # noqa: BLE001 - the photo is saved; a failed link is not fatal
                        log.exception("handoff after saving failed")
                self.inbox.post(SessionEvent.SAVED, files=files)
            finally:
                self.busy_since = None
                return_free_memory()  # the save's full-resolution temporaries (booth/memory.py)

    def close(self, timeout: float = 60.0) -> None:
        if self._thread is not None:
            self._q.put(None)
            self._thread.join(timeout)  # a photo is written whole: wait for it
            if self._thread.is_alive():
                log.error("saver did not finish within %.1f s; leaving it (the photo is whole or absent)", timeout)
            self._thread = None


# --------------------------------------------------------------------------- parts


class Session(Protocol):
    """What the app needs of the guidance loop (booth.loop.BoothLoop)."""

    def on_frame(self, frame: Frame) -> Actions: ...

    def on_event(self, event: SessionEvent, t: float, **payload) -> Actions: ...


@dataclass
class BoothParts:
    """Everything the running booth composes. Only ``source`` and ``loop`` are required."""

    source: Any  # booth.camera.base.FrameSource (started by the app)
    loop: Session
    saver: BackgroundSaver | None = None  # the loop's saver (started and drained by the app)
    rig: Any = None  # booth.lights.rig.LightRig: apply(LightLevels), off(), close()
    sitter: Any = None  # a simulated sitter: respond(actions) after each step
    buttons: Any = None  # closed at shutdown
    close: list[Callable[[], None]] = field(default_factory=list)  # extra clean-ups (analyzer ...)
    handoff: Any = None  # booth.handoff.Handoff: badge scans, download links, upload, retention
    # None when the output folder can take a photo, else the operator's fix (PhotoStore.readiness);
    # while it says no, no session starts and the screen says the booth is out of service.
    storage: Callable[[], str | None] | None = None


# --------------------------------------------------------------------------- report


def rss_kib() -> int:
    """Resident set size now, KiB (from /proc; the peak from getrusage elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def _pct(values, q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


@dataclass(frozen=True)
class RunReport:
    """What a run measured: rates, the camera-to-screen latency, memory and descriptors."""

    seconds: float
    camera_frames: int
    analysed_frames: int
    dropped_frames: int
    render_frames: int
    render_fps: float
    render_fps_p5: float | None  # the slowest 5% of rendered frames, as a rate
    analysis_fps: float
    latency_ms_p50: float | None  # camera frame received -> its prompt on screen (after flip)
    latency_ms_p95: float | None
    rss_kib_warm: int
    rss_kib_end: int
    fds_warm: int
    fds_end: int
    states: tuple[str, ...]
    exit_reason: str
    rss_kib_max: int = 0  # the largest RSS sampled after warm-up
    fds_max: int = 0
    countdowns_s: tuple[float, ...] = ()  # wall time of each countdown (entering it -> leaving it)
    first_analysis_s: float | None = None  # process start -> the first analysed frame (Linux)

    @property
    def rss_growth(self) -> float:
        return (self.rss_kib_end - self.rss_kib_warm) / max(1, self.rss_kib_warm)

    def lines(self) -> list[str]:
        def ms(v):
            return "-" if v is None else f"{v:.1f} ms"

        p5 = "-" if self.render_fps_p5 is None else f"{self.render_fps_p5:.1f}"
        return [
            f"ran {self.seconds:.1f} s ({self.exit_reason})",
            f"camera   {self.camera_frames} frames ({self.camera_frames / max(1e-9, self.seconds):.1f} fps)",
            f"analysis {self.analysed_frames} frames ({self.analysis_fps:.1f} fps), {self.dropped_frames} dropped (newest wins)",
            f"screen   {self.render_frames} frames ({self.render_fps:.1f} fps; slowest 5% at {p5} fps)",
            f"latency  camera frame -> prompt on screen: p50 {ms(self.latency_ms_p50)}, p95 {ms(self.latency_ms_p95)}",
            f"memory   RSS {self.rss_kib_warm / 1024:.1f} MiB after warm-up -> {self.rss_kib_end / 1024:.1f} MiB "
            f"({self.rss_growth:+.1%}, peak {self.rss_kib_max / 1024:.1f} MiB); "
            f"open fds {self.fds_warm} -> {self.fds_end} (peak {self.fds_max})",
            f"states   {' '.join(self.states if len(self.states) <= 16 else ('...',) + self.states[-15:])}",
            f"countdown wall time {', '.join(f'{c:.2f} s' for c in self.countdowns_s) or '-'}; "
            f"start-up to the first analysed frame {'-' if self.first_analysis_s is None else f'{self.first_analysis_s:.2f} s'}",
        ]


# --------------------------------------------------------------------------- workers


class BoothFault(BoothError):
    """A worker died or hung and may not be restarted: exit non-zero so systemd restarts the booth."""

    exit_code = 1


#: what the sitter reads when a save did not finish in time
SAVE_TIMEOUT_MESSAGE = N_("Your photo could not be saved. Please try again in a moment")


class _Worker(threading.Thread):
    """A daemon thread that records the exception that ended it (the supervisor checks)."""

    def __init__(self, name: str, target: Callable[[], None]):
        super().__init__(name=name, daemon=True)
        self._target_fn = target
        self.error: BaseException | None = None
        self.heartbeat = time.monotonic()

    def run(self) -> None:
        try:
            self._target_fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            self.error = exc
            if not isinstance(exc, BoothError):
                log.exception("%s thread failed", self.name)


class Booth:
    """The running booth. ``run()`` blocks on the calling (main) thread until stopped."""

    def __init__(self, cfg: BoothConfig, parts: BoothParts, screen=None, notifier=None, stats=None,
                 show_status: bool = False, inbox: Inbox | None = None):
        from .ui.view import ViewBuilder

        self.cfg = cfg
        self.parts = parts
        self.screen = screen
        self.notifier = notifier
        self.stats = stats
        self.builder = ViewBuilder(status=show_status, language=cfg.ui.language)
        self.frames: Mailbox[Shot] = Mailbox()
        self.preview: Latest[Shot] = Latest()
        self.steps: Latest[Step] = Latest(Step(Actions(BoothState.ATTRACT), None, 0))
        self.inbox = inbox or (parts.saver.inbox if parts.saver is not None else Inbox())
        self.stop_event = threading.Event()
        self.exit_reason = "stopped"
        self.camera_frames = 0
        self.analysed = 0
        self._seq = 0
        self._locked = False
        self._last_frame_t = 0.0
        self._states: list[str] = []
        self._countdowns: list[float] = []  # wall seconds of each countdown, for the report
        self._countdown_at: float | None = None
        self._first_analysis_s: float | None = None
        # Bounded: figures describe the recent past, and a booth runs for days.
        self.latencies_ms: deque[float] = deque(maxlen=20_000)
        self.render_intervals: deque[float] = deque(maxlen=20_000)
        self.samples: list[tuple[float, int, int, int]] = []  # (s, RSS KiB, fds, camera frames) every 10 s
        self.samples_path: str | None = None  # append each sample to this CSV as it is taken
        self.stall_main_s = 0.0  # tests: make the main loop hang this long once (watchdog check)
        self.console = None  # booth.console.hooks.ConsoleBridge: status snapshot out, operator commands in
        from .supervisor import Supervisor

        svc = cfg.service
        self.supervisor = Supervisor(svc.hung_worker_s)
        self.fatal: str | None = None  # why the booth stopped on its own (exit non-zero)
        self.out_of_service: str | None = None  # the operator's fix while the output cannot take a photo
        self.frame_failures = 0  # consecutive frames the analysis raised on
        self.frame_failures_total = 0
        self.state_timeouts: deque[tuple[str, float]] = deque(maxlen=100)  # (state, seconds) each time a bound fired
        self.state_dwell_max: dict[str, float] = {}
        self.watchdog_fed = 0  # WATCHDOG=1 pings sent
        self._want_lock = False  # what the session asks; the camera thread applies it
        self._cam_locked = False
        self._cam_beat: float | None = None
        self._ana_beat: float | None = None
        self._state_since = time.monotonic()
        self._state_since_t = 0.0
        self._last_shot_wall = time.monotonic()
        self._state_now = BoothState.ATTRACT
        self._state_fired = False
        self._probe_now = threading.Event()
        self._storage_beat: float | None = None
        self._storage_thread: _Worker | None = None
        self._t_offset = 0.0

    # -- public controls (thread-safe)
    def post(self, event: SessionEvent, **payload) -> None:
        """Queue a SessionEvent for the session (from any thread: GPIO, camera, touch)."""
        self.inbox.post(event, **payload)

    def stop(self, reason: str = "stopped") -> None:
        if not self.stop_event.is_set():
            self.exit_reason = reason
            self.stop_event.set()
            self.frames.wake()
            self._probe_now.set()

    def fail(self, reason: str) -> None:
        """Stop because something is broken that a restart of the process should fix."""
        if self.fatal is None:
            self.fatal = reason
            log.error("stopping the booth: %s", reason)
        self.stop(reason)

    # -- threads
    def _camera_loop(self) -> None:
        """Read frames as the camera delivers them. A ResilientSource retries by itself and
        raises only CameraFatal; a bare source (the simulator) gets the same bounded retry here."""
        from .camera.base import CameraFatal

        source = self.parts.source
        cam = self.cfg.camera
        failures = 0
        while not self.stop_event.is_set():
            self._cam_beat = time.monotonic()
            try:
                want = self._want_lock
                if want != self._cam_locked:  # the camera's own thread makes every call into it
                    self._cam_locked = want
                    (source.lock_exposure if want else source.unlock_exposure)()
                frame = source.read(cam.timeout_s)
            except CameraFatal as err:
                self.post(SessionEvent.CAMERA_LOST)
                self.stop(f"camera: {err}")
                raise
            except Exception as err:  # noqa: BLE001 - a bare source's bug counts as a failed read
                if not isinstance(err, CameraError):
                    log.exception("camera read raised")
                failures += 1
                if failures == 1:
                    log.warning("camera failed: %s", err)
                    self.post(SessionEvent.CAMERA_LOST)
                if failures > cam.max_retries:
                    self.stop(f"camera: {err}")
                    if not isinstance(err, CameraError):
                        self.fail(f"camera: {type(err).__name__}: {err}")
                        return
                    raise
                self.stop_event.wait(min(5.0, cam.retry_backoff_s * 2 ** (failures - 1)))
                continue
            if failures:
                log.warning("camera back after %d failed read(s)", failures)
                failures = 0
                self.post(SessionEvent.CAMERA_BACK)
            self._cam_beat = None
            shot = Shot(frame, time.monotonic())
            self.camera_frames += 1
            self.preview.set(shot)
            self.frames.put(shot)

    def _analysis_loop(self) -> None:
        loop = self.parts.loop
        worker = threading.current_thread()
        limit = self.cfg.service.max_frame_failures
        while not self.stop_event.is_set():
            self._ana_beat = worker.heartbeat = time.monotonic()  # type: ignore[attr-defined]
            self._check_state_timeout()
            if self.console is not None:
                self.console.tick(self)
            for posted in self.inbox.drain():
                if self.stats is not None:
                    self.stats.event(posted.event)
                if self.console is not None:
                    self.console.on_event(posted.event)
                payload = dict(posted.payload)
                if posted.event in _WALL_STAMPED:
                    payload.setdefault("wall", posted.wall)
                try:
                    actions = loop.on_event(posted.event, self._last_frame_t, **payload)
                except Exception:  # noqa: BLE001 - one bad event must not end the booth
                    log.exception("the session raised on %s; event dropped", posted.event.value)
                    continue
                self._carry_out(actions, None)
            shot = self.frames.take(timeout=0.05)
            if shot is None:
                continue
            self._last_frame_t = shot.frame.t
            self._last_shot_wall = time.monotonic()
            session = getattr(loop, "session", None)
            if session is not None:
                session.blocked = self.out_of_service  # no new session while no photo can be saved
            try:
                actions = loop.on_frame(shot.frame)
            except Exception as exc:  # noqa: BLE001 - a frame the analysis cannot handle is skipped
                self.frame_failures += 1
                self.frame_failures_total += 1
                if self.frame_failures == 1 or self.frame_failures % 10 == 0:
                    log.exception("analysis raised on frame %d (%d in a row); frame skipped",
                                  shot.frame.index, self.frame_failures)
                if self.frame_failures >= limit:
                    self.fail(f"analysis raised on {self.frame_failures} frames in a row (last: "
                              f"{type(exc).__name__}: {exc}); [service] max_frame_failures = {limit}")
                continue
            self.frame_failures = 0
            self.analysed += 1
            if self.analysed == 1:
                self._first_analysis_s = process_age_s()
            self._carry_out(actions, shot.received)
            if self.out_of_service is not None and actions.state is BoothState.ATTRACT:
                self._show_out_of_service(shot.received)

    def _state_bound(self, state: BoothState) -> float | None:
        """How long (wall seconds) ``state`` may last before the app ends it. The session's own
        timers run on frame time; these bounds hold even when frames stop coming."""
        b, svc = self.cfg.booth, self.cfg.service
        grace = svc.state_grace_s
        return {
            BoothState.GUIDING: svc.guiding_timeout_s,
            BoothState.COUNTDOWN: b.countdown_s + grace,
            BoothState.CAPTURING: self.cfg.best_frame.capture_window_s + grace,
            BoothState.REVIEW: b.review_s + grace,
            BoothState.SAVING: svc.save_timeout_s,
            BoothState.THANK_YOU: b.thank_you_s + grace,
            BoothState.ERROR: None if self.out_of_service else b.thank_you_s + grace + self._camera_bound(),
        }.get(state)

    def _camera_bound(self) -> float:
        cam = self.cfg.camera  # an error screen for a lost camera lasts as long as its retries
        return sum(min(30.0, cam.retry_backoff_s * 2 ** i) + cam.timeout_s for i in range(cam.max_retries))

    def _check_state_timeout(self) -> None:
        if self._state_fired:
            return
        state = self._state_now
        bound = self._state_bound(state)
        if bound is None:
            return
        now = time.monotonic()
        if state is BoothState.SAVING:  # saving runs on wall time
            spent = now - self._state_since
        else:  # the session's timers run on frame time; a stalled stream counts in wall time
            spent = max(self._last_frame_t - self._state_since_t, now - max(self._state_since, self._last_shot_wall))
        if spent < bound:
            return
        self._state_fired = True
        self.state_timeouts.append((state.value, spent))
        log.error("state %s lasted %.1f s (bound %.1f s): ending it", state.value, spent, bound)
        if state is BoothState.SAVING:
            self.post(SessionEvent.SAVE_FAILED, message=SAVE_TIMEOUT_MESSAGE)
        else:
            self.post(SessionEvent.STATE_TIMEOUT)

    def _show_out_of_service(self, received: float | None) -> None:
        self._seq += 1
        self.steps.set(Step(Actions(BoothState.ERROR, message=self.out_of_service), received, self._seq,
                            out_of_service=True))

    def _carry_out(self, actions: Actions, received: float | None) -> None:
        """Do what one step asks of the hardware, then hand it to the screen."""
        parts = self.parts
        if actions.lights is not None and parts.rig is not None and not (self.console and self.console.holds_lights()):
            parts.rig.apply(actions.lights)
        if actions.lock_camera != self._locked:
            self._locked = actions.lock_camera
            self._want_lock = actions.lock_camera  # carried out by the camera thread before its next read
        if parts.sitter is not None:
            parts.sitter.respond(actions)
        if self.stats is not None:
            self.stats.observe(actions, time.monotonic())
        if self.console is not None:
            self.console.observe(actions)
        if actions.state is not self._state_now:
            if actions.state is BoothState.REVIEW and parts.saver is not None:
                parts.saver.develop([c.frame for c in actions.review])
            left = self._state_now.value  # the longest each state lasted, on frame time (soak figures)
            self.state_dwell_max[left] = max(self.state_dwell_max.get(left, 0.0), self._last_frame_t - self._state_since_t)
            self._state_now, self._state_since, self._state_fired = actions.state, time.monotonic(), False
            self._state_since_t = self._last_frame_t
        if not self._states or self._states[-1] != actions.state.value:
            now = time.monotonic()
            if self._states and self._states[-1] == "countdown" and self._countdown_at is not None:
                self._countdowns.append(now - self._countdown_at)
            self._countdown_at = now if actions.state.value == "countdown" else None
            self._states.append(actions.state.value)
            if len(self._states) > 64:  # a soak runs thousands of sessions: keep the recent ones
                del self._states[:-48]
                self._states[0] = "..."
            log.info("state %s%s", actions.state.value, f" ({actions.message})" if actions.message else "")
        self._seq += 1
        self.steps.set(Step(actions, received, self._seq))

    # -- main thread
    def run(self, seconds: float | None = None, warmup_s: float = 3.0) -> RunReport:
        """Run until ``seconds`` pass, SIGTERM/SIGINT, a quit key, or a fatal camera error.

        Without a screen (tests, soak runs) the main loop still turns at the display rate."""
        previous = self._install_signals()
        parts = self.parts
        workers: list[_Worker] = []
        start = time.monotonic()
        rss_warm = fds_warm = None
        next_sample = float("inf")
        render_frames = 0
        try:
            parts.source.start()
            if parts.saver is not None:
                parts.saver.on_failed = self._probe_now.set
                parts.saver.start()
            workers = [_Worker("camera", self._camera_loop), _Worker("analysis", self._analysis_loop)]
            for w in workers:
                w.start()
            self._supervise(workers)
            if self.notifier is not None:
                self.notifier.ready(status="booth running")
            fps = self.cfg.ui.fps
            period = 1.0 / fps
            next_frame = time.monotonic()
            shown_seq = -1
            last_render = None
            while not self.stop_event.is_set():
                now = time.monotonic()
                if seconds is not None and now - start >= seconds:
                    self.stop("time limit")
                    break
                if rss_warm is None and now - start >= warmup_s:
                    rss_warm, fds_warm = rss_kib(), open_fds()
                    next_sample = now
                if rss_warm is not None and now >= next_sample:
                    self.samples.append((round(now - start, 1), rss_kib(), open_fds(), self.camera_frames))
                    self._write_sample(self.samples[-1])
                    next_sample = now + 10.0
                fatal = self.supervisor.check()
                if fatal is not None and not self.stop_event.is_set():
                    if isinstance(workers[0].error, CameraError):
                        self.stop(f"camera: {workers[0].error}")  # CameraFatal: re-raised below
                    else:
                        self.fail(fatal)
                    break
                if self.screen is not None:
                    for event in self.screen.poll():
                        self.post(event)
                    if self.screen.quit_requested:
                        self.stop("quit requested")
                step, _ = self.steps.get()
                shot, _ = self.preview.get()
                if self.screen is not None and step is not None:
                    view = self.builder.build(step.actions, shot.frame.image if shot else None,
                                              status=self._status_line(now - start, render_frames),
                                              download_url=parts.saver.last_url if parts.saver else None)
                    if step.out_of_service:
                        view = dataclasses.replace(view, headline=OUT_OF_SERVICE)
                    self.screen.draw(view, now)
                    self.screen.present()
                shown = time.monotonic()
                if step is not None and step.seq != shown_seq:
                    shown_seq = step.seq
                    if step.received is not None:
                        self.latencies_ms.append((shown - step.received) * 1000.0)
                render_frames += 1
                if last_render is not None:
                    self.render_intervals.append(shown - last_render)
                last_render = shown
                if self.stall_main_s:
                    time.sleep(self.stall_main_s)  # a deliberately hung main loop (tests only)
                    self.stall_main_s = 0.0
                # The watchdog hears from us only while this loop turns and every required
                # worker is alive and making progress (Supervisor.healthy).
                if self.notifier is not None and self.supervisor.healthy():
                    if self.notifier.tick(time.monotonic()):
                        self.watchdog_fed += 1
                if self.stats is not None and render_frames % max(1, int(fps)) == 0:
                    self.stats.flush()
                if self.console is not None:
                    self.console.publish(self, now - start, render_frames)
                next_frame += period
                delay = next_frame - time.monotonic()
                if delay > 0:
                    self.stop_event.wait(delay)
                else:
                    next_frame = time.monotonic()  # behind: do not try to catch up in a burst
        finally:
            self._shutdown(workers)
            self._restore_signals(previous)
        elapsed = time.monotonic() - start
        camera_worker = workers[0] if workers else None
        if camera_worker is not None and isinstance(camera_worker.error, CameraError):
            raise camera_worker.error
        if self.fatal is not None:
            raise BoothFault(f"{self.fatal}. Exiting non-zero so that systemd restarts the booth")
        return self._report(elapsed, render_frames, rss_warm, fds_warm)

    # -- supervision
    def _supervise(self, workers: list[_Worker]) -> None:
        """Register every long-lived worker with the supervisor (see booth/supervisor.py)."""
        sup = self.supervisor
        svc = self.cfg.service
        camera, analysis = workers
        cam = self.cfg.camera  # a reopen loop beats between attempts: the longest gap is one backoff + one read
        longest_gap = min(30.0, cam.retry_backoff_s * 2 ** max(0, cam.max_retries - 1)) + 2 * cam.timeout_s + 1.0
        cam_bound = max(svc.hung_worker_s, longest_gap)

        def cam_beat():
            beats = [b for b in (self._cam_beat, getattr(self.parts.source, "heartbeat", None)) if b is not None]
            return max(beats) if beats and self._cam_beat is not None else None

        sup.watch("camera", camera, heartbeat=cam_beat, hung_after_s=cam_bound)
        sup.watch("analysis", analysis, heartbeat=lambda: self._ana_beat)
        saver = self.parts.saver
        if saver is not None:
            sup.watch("saver", lambda: saver.thread, heartbeat=lambda: saver.busy_since, restart=saver.restart,
                      hung_after_s=max(svc.hung_worker_s, svc.save_timeout_s))
        if self.parts.storage is not None:
            self._start_storage()
            sup.watch("storage", lambda: self._storage_thread, heartbeat=lambda: self._storage_beat,
                      restart=self._start_storage)
        workers_of = getattr(self.parts.handoff, "workers", None)
        if callable(workers_of):
            for spec in workers_of():
                sup.watch(**spec)

    def _start_storage(self) -> None:
        self._storage_thread = _Worker("storage", self._storage_loop)
        self._storage_thread.start()

    def _storage_loop(self) -> None:
        """Free space and writability of the output, checked every [service] storage_check_s
        (and at once after a failed save): the booth goes out of service and comes back by itself."""
        probe = self.parts.storage
        assert probe is not None  # the storage worker starts only when a probe was given
        while not self.stop_event.is_set():
            self._storage_beat = time.monotonic()
            problem = probe()
            self._storage_beat = None
            if problem != self.out_of_service:
                if problem:
                    log.error("out of service: %s", problem)
                else:
                    log.warning("back in service: the output folder can take photos again")
                self.out_of_service = problem
            self._probe_now.wait(self.cfg.service.storage_check_s)
            self._probe_now.clear()

    def _write_sample(self, row) -> None:
        if self.samples_path is None:
            return
        new = not os.path.exists(self.samples_path)
        with open(self.samples_path, "a") as fh:
            if new:
                fh.write("seconds,rss_kib,fds,camera_frames\n")
            fh.write(",".join(map(str, row)) + "\n")

    def _status_line(self, elapsed: float, render_frames: int) -> str:
        lat = list(itertools.islice(reversed(self.latencies_ms), 30))
        return (f"screen {render_frames / max(1e-6, elapsed):.0f} fps  analysis {self.analysed / max(1e-6, elapsed):.1f} fps"
                f"  latency {statistics.median(lat) if lat else 0:.0f} ms")

    def _report(self, elapsed, render_frames, rss_warm, fds_warm) -> RunReport:
        intervals = self.render_intervals
        slow = _pct(intervals, 95)
        lat = self.latencies_ms
        return RunReport(
            seconds=elapsed,
            camera_frames=self.camera_frames,
            analysed_frames=self.analysed,
            dropped_frames=self.frames.dropped,
            render_frames=render_frames,
            render_fps=render_frames / max(1e-9, elapsed),
            render_fps_p5=(1.0 / slow) if slow else None,
            analysis_fps=self.analysed / max(1e-9, elapsed),
            latency_ms_p50=_pct(lat, 50),
            latency_ms_p95=_pct(lat, 95),
            rss_kib_warm=rss_warm or rss_kib(),
            rss_kib_end=rss_kib(),
            fds_warm=fds_warm if fds_warm is not None else open_fds(),
            fds_end=open_fds(),
            states=tuple(self._states),
            exit_reason=self.exit_reason,
            rss_kib_max=max([x[1] for x in self.samples] + [rss_kib()]),
            fds_max=max([x[2] for x in self.samples] + [open_fds()]),
            countdowns_s=tuple(self._countdowns),
            first_analysis_s=self._first_analysis_s,
        )

    def _shutdown(self, workers: list[_Worker]) -> None:
        """Camera, then analysis, then the saver drains; lights off; counters written."""
        self.stop(self.exit_reason)
        if self.notifier is not None:
            self.notifier.stopping()
        by_name = {w.name: w for w in workers}
        timeout = self.cfg.camera.timeout_s + 1.0
        for name in ("camera", "analysis"):
            w = by_name.get(name)
            if w is not None:
                w.join(timeout)
                if w.is_alive():
                    log.error("%s thread did not stop within %.1f s", name, timeout)
        parts = self.parts
        if parts.saver is not None:
            parts.saver.close(self.cfg.service.save_timeout_s)
        steps = [("camera", parts.source.close)]
        if parts.rig is not None:
            steps += [("lights off", parts.rig.off), ("lights", parts.rig.close)]
        if parts.buttons is not None:
            steps.append(("buttons", parts.buttons.close))
        steps += [(getattr(fn, "__qualname__", "part"), fn) for fn in parts.close]
        if self.stats is not None:
            steps.append(("stats", self.stats.flush))
        if self.screen is not None:
            steps.append(("screen", self.screen.close))
        for what, fn in steps:
            try:
                fn()
            except Exception:  # one failing part must not keep the others (lights!) on
                log.exception("shutdown: %s failed", what)

    def _install_signals(self):
        if threading.current_thread() is not threading.main_thread():
            return None
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda signum, _frame: self.stop(signal.Signals(signum).name))
        return previous

    @staticmethod
    def _restore_signals(previous) -> None:
        if previous:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
