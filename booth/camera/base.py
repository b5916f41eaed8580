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

import logging
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

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"resilient({self.source.name if self.source else '-'})"

    # -- lifecycle
    def start(self) -> None:
        try:
            self._open()
        except CameraError as err:
            log.warning("camera open failed: %s", err)
            self._mark_lost()
            self._recover(err)

    def close(self) -> None:
        if self.source is not None:
            _close_quietly(self.source)
            self.source = None

    # -- frames
    def read(self, timeout: float | None = None) -> Frame:
        if self.source is None:
            raise CameraError("camera read before start(). Fix: call start() or use `with source:`")
        try:
            return self.source.read(timeout)
        except CameraError as err:
            log.warning("camera failed: %s", err)
            self._mark_lost()
            return self._recover(err, timeout)

    def capture_still(self) -> Frame:
        if self.source is None:
            raise CameraError("camera capture before start()")
        try:
            return self.source.capture_still()
        except CameraError as err:
            log.warning("still capture failed: %s", err)
            self._mark_lost()
            self._recover(err)
            return self.source.capture_still()  # type: ignore[union-attr]

    def lock_exposure(self) -> None:
        self._locked = True
        if self.source is not None:
            self.source.lock_exposure()

    def unlock_exposure(self) -> None:
        self._locked = False
        if self.source is not None:
            self.source.unlock_exposure()

    # -- recovery
    def _open(self) -> None:
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

    def _mark_lost(self) -> None:
        if not self.lost:
            self.lost = True
            self._emit(SessionEvent.CAMERA_LOST)

    def _recover(self, first_error: Exception, timeout: float | None = None) -> Frame | None:
        """Reopen with backoff until a frame (or, from start(), an open) succeeds."""
        self.close()
        last: Exception = first_error
        delay = self.cam.retry_backoff_s
        for attempt in range(1, self.cam.max_retries + 1):
            self.sleep(delay)
            delay = min(delay * 2.0, 30.0) if delay > 0 else 0.0
            try:
                self._open()
                if self._locked:
                    self.source.lock_exposure()  # type: ignore[union-attr]
                frame = self.source.read(timeout)  # type: ignore[union-attr]
            except CameraError as err:
                log.warning("camera reopen attempt %d/%d failed: %s", attempt, self.cam.max_retries, err)
                last = err
                self.close()
                continue
            self.lost = False
            log.warning("camera back after %d attempt(s)", attempt)
            self._emit(SessionEvent.CAMERA_BACK)
            return frame
        raise CameraFatal(
            f"camera lost and {self.cam.max_retries} reopen attempts failed (last error: {last}). "
            "Exiting so that systemd restarts the booth. Fix: check the camera cable and that no other "
            "process holds the camera (`rpicam-hello --list-cameras`), or raise [camera] max_retries"
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
