"""The one interface every camera speaks, and the wrapper that keeps it alive.

A :class:`FrameSource` delivers :class:`~booth.types.Frame` values: BGR pixels at analysis
size, a timestamp on the source's own clock and what the camera knows about its exposure.
Backends are small classes behind it (picamera2, a USB webcam, a video file, the simulated
sitter); the loop never asks which one it has.

Faults are the normal case for a booth that runs for days: a ribbon cable wiggles, another
process grabs the camera, the ISP stalls. :class:`ResilientSource` wraps any source and turns
a timeout, a disconnect or a failed open into a bounded retry with exponential backoff,
telling the session ``CAMERA_LOST`` / ``CAMERA_BACK`` so the screen can say so. When the
camera stays gone it raises :class:`CameraFatal`; the CLI exits non-zero and systemd
restarts the booth. Every wait is bounded: nothing here can hang.

>>> with ResilientSource(lambda: OpenCVSource(cfg, 0), cfg, on_event=print) as cam:
...     frame = cam.read()
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from abc import ABC, abstractmethod
from typing import Callable

from ..errors import CameraError
from ..types import Frame, SessionEvent

log = logging.getLogger(__name__)


class CameraTimeout(CameraError):
    """No frame arrived within the timeout."""


class CameraDisconnected(CameraError):
    """The camera went away (unplugged, stream ended, device error)."""


class CameraOpenError(CameraError):
    """The camera could not be opened: missing, busy, or its driver failed to start."""


class CameraFatal(CameraError):
    """Every reopen attempt failed; the process should exit for its supervisor to restart it."""


class FrameSource(ABC):
    """Where frames come from.

    Lifecycle: ``start()`` opens the device (raising :class:`CameraOpenError` on failure),
    ``read()`` returns the next frame, ``close()`` releases everything and may be called twice.
    Sources are context managers: ``with source: ...`` starts and closes.
    """

    #: a short name for logs and the `booth simulate` summary
    name: str = "source"

    @abstractmethod
    def start(self) -> None:
        """Open and start streaming. Raises CameraOpenError when that is impossible."""

    @abstractmethod
    def read(self, timeout: float | None = None) -> Frame:
        """The next frame, waiting at most ``timeout`` seconds (the configured timeout when None).

        Raises CameraTimeout or CameraDisconnected."""

    def capture_still(self) -> Frame:
        """A frame with ``full`` at still resolution and the preview's field of view.

        The default returns the next preview frame (sources whose preview is their best)."""
        return self.read()

    def lock_exposure(self) -> None:
        """Hold auto-exposure and auto-white-balance at their current values, and start the
        capture burst: until :meth:`unlock_exposure`, frames carry ``full`` (sources with a
        separate still stream copy it only then; every frame says its ``still_size``)."""

    def unlock_exposure(self) -> None:
        """Let AE and AWB run again; frames go back to analysis size only."""

    @abstractmethod
    def close(self) -> None:
        """Stop and release the device. Idempotent; never raises for an already-dead camera."""

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class ResilientSource(FrameSource):
    """Any source, kept alive: retries with exponential backoff, reports loss and recovery.

    ``factory()`` builds a fresh, unstarted source (a reopen starts from scratch: a
    picamera2 object that timed out is not trusted again). ``on_event`` receives
    :class:`~booth.types.SessionEvent` ``CAMERA_LOST`` once when frames stop and
    ``CAMERA_BACK`` once they flow again. After ``cfg.camera.max_retries`` failed reopen
    attempts :class:`CameraFatal` is raised.

    ``sleep`` is how backoff waits (``time.sleep`` on a booth; the simulator and tests pass a
    function that advances a simulated clock, so retries cost no wall time).

    One owner: every call into the wrapped source (read, still, lock/unlock, close, reopen)
    happens under one lock, so a reopen never swaps the source under another caller. The app
    makes all of them from its camera thread anyway; ``close`` from another thread waits at
    most ``timeout_s + 1`` s for a read in progress and then leaves the hung device alone.
    Frame time (``Frame.t``) and ``Frame.index`` stay monotonic across a reopen (a fresh
    source's clock starts at 0 again). ``heartbeat`` is the monotonic time of the last
    attempt, for the app's supervisor (a reopen loop is progress, a hung driver call is not).
    """

    def __init__(self, factory: Callable[[], FrameSource], cfg, on_event: Callable[[SessionEvent], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.factory = factory
        self.cam = cfg.camera
        self.on_event = on_event
        self.sleep = sleep
        self.source: FrameSource | None = None
        self.lost = False
        self._locked = False
        self._lock = threading.RLock()
        self.heartbeat: float | None = None
        self._t_offset = 0.0
        self._i_offset = 0
        self._last_t: float | None = None
        self._last_i = -1
        self._last_wall = time.monotonic()
        self._fresh = False  # the next frame comes from a newly opened source

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"resilient({self.source.name if self.source else '-'})"

    # -- lifecycle
    def start(self) -> None:
        with self._lock:
            try:
                self._open()
            except CameraError as err:
                log.warning("camera open failed: %s", err)
                self._mark_lost()
                self._recover(err)

    def close(self) -> None:
        if not self._lock.acquire(timeout=self.cam.timeout_s + 1.0):
            log.error("camera close: a read is still hanging in the driver; leaving the device to the OS")
            return
        try:
            self._close_source()
        finally:
            self._lock.release()

    def _close_source(self) -> None:
        if self.source is not None:
            _close_quietly(self.source)
            self.source = None

    # -- frames
    def read(self, timeout: float | None = None) -> Frame:
        with self._lock:
            self.heartbeat = time.monotonic()
            if self.source is None:
                raise CameraError("camera read before start(). Fix: call start() or use `with source:`")
            try:
                frame = self.source.read(timeout)
            except Exception as err:  # noqa: BLE001 - a backend bug is a camera fault too: reopen
                log.warning("camera failed: %s", err if isinstance(err, CameraError) else repr(err))
                self._mark_lost()
                frame = self._recover(err, timeout)
            return self._continuous(frame)

    def _continuous(self, frame: Frame) -> Frame:
        """Frame time and index carried on across a reopen (the new source starts at 0)."""
        if self._fresh and self._last_t is not None and frame.t + self._t_offset <= self._last_t:
            # a reopened camera's clock starts again: continue from the last frame plus the
            # real time the outage took (wall clock), so time-based logic sees the gap
            gap = max(1.0 / max(1.0, self.cam.fps), time.monotonic() - self._last_wall)
            self._t_offset = self._last_t + gap - frame.t
        if self._fresh and frame.index + self._i_offset <= self._last_i:
            self._i_offset = self._last_i + 1 - frame.index
        self._fresh = False
        t, i = frame.t + self._t_offset, frame.index + self._i_offset
        if self._last_t is not None and t < self._last_t:  # never backwards, whatever the source does
            self._t_offset += self._last_t - t
            t = self._last_t
        self._last_t, self._last_i, self._last_wall = t, max(i, self._last_i + 1), time.monotonic()
        if t != frame.t or self._last_i != frame.index:
            frame = dataclasses.replace(frame, t=t, index=self._last_i)
        return frame

    def capture_still(self) -> Frame:
        with self._lock:
            if self.source is None:
                raise CameraError("camera capture before start()")
            try:
                return self._continuous(self.source.capture_still())
            except CameraError as err:
                log.warning("still capture failed: %s", err)
                self._mark_lost()
                self._recover(err)
                return self._continuous(self._current().capture_still())

    def lock_exposure(self) -> None:
        with self._lock:
            self._locked = True
            if self.source is not None:
                self.source.lock_exposure()

    def unlock_exposure(self) -> None:
        with self._lock:
            self._locked = False
            if self.source is not None:
                self.source.unlock_exposure()

    # -- recovery
    def _current(self) -> FrameSource:
        """The open source (after a successful ``_recover`` there always is one)."""
        if self.source is None:
            raise CameraError("camera used while closed. Fix: call start() or use `with source:`")
        return self.source

    def _open(self) -> FrameSource:
        source = self.factory()
        try:
            source.start()
        except CameraError:
            _close_quietly(source)
            raise
        except Exception as exc:  # a backend bug or driver oddity still must not hang the booth
            _close_quietly(source)
            raise CameraOpenError(f"camera failed to start: {exc!r}") from exc
        self.source = source
        self._fresh = True
        return source

    def _mark_lost(self) -> None:
        if not self.lost:
            self.lost = True
            self._emit(SessionEvent.CAMERA_LOST)

    def _recover(self, first_error: Exception, timeout: float | None = None) -> Frame:
        """Reopen with backoff until a frame (or, from start(), an open) succeeds."""
        self._close_source()
        last: Exception = first_error
        delay = self.cam.retry_backoff_s
        for attempt in range(1, self.cam.max_retries + 1):
            self.heartbeat = time.monotonic()
            self.sleep(delay)
            delay = min(delay * 2.0, 30.0) if delay > 0 else 0.0
            self.heartbeat = time.monotonic()
            try:
                source = self._open()
                if self._locked:
                    source.lock_exposure()
                frame = source.read(timeout)
            except Exception as err:  # noqa: BLE001 - CameraError or a backend bug: try again
                log.warning("camera reopen attempt %d/%d failed: %s", attempt, self.cam.max_retries, err)
                last = err
                self._close_source()
                continue
            self.lost = False
            log.warning("camera back after %d attempt(s)", attempt)
            self._emit(SessionEvent.CAMERA_BACK)
            return frame
        # The last error's own fix (a missing file, a busy webcam) is the advice; the cable
        # is only the guess for errors that name none.
        fix = "" if "Fix:" in str(last) else (
            " Fix: check the camera cable and that no other process holds the camera "
            "(`rpicam-hello --list-cameras`), or raise [camera] max_retries")
        raise CameraFatal(
            f"camera lost and {self.cam.max_retries} reopen attempts failed (last error: {last}). "
            f"Exiting so that systemd restarts the booth.{fix}"
        )

    def _emit(self, event: SessionEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # the camera's recovery must not depend on a listener
                log.exception("camera event listener failed")


def _close_quietly(source: FrameSource) -> None:
    try:
        source.close()
    except Exception:  # closing a dead camera may fail in any way; it is gone either way
        log.debug("ignoring error while closing %s", source.name, exc_info=True)
