"""A USB webcam through OpenCV (V4L2 on Linux): for desks, demos and booths without a Pi camera.

A webcam has one stream: the analysis image is the capture scaled to the analysis width,
and ``full`` is the capture itself (same field of view). Exposure lock uses V4L2's manual
exposure mode where the driver honours it; many webcams ignore it, which is logged once.
``cv2.VideoCapture.read`` has no timeout of its own, so one long-lived reader thread owns the
capture and the caller waits on its frames with a timeout (if the driver hangs, the reader is
left with the capture: nothing in the booth waits forever, and nothing releases the capture
under a read in progress).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import cv2
import numpy as np

from ..types import CameraMeta, Frame
from .base import CameraDisconnected, CameraOpenError, CameraTimeout, FrameSource

log = logging.getLogger(__name__)


def fit_width(image: np.ndarray, width: int) -> np.ndarray:
    """``image`` scaled to ``width`` pixels wide (aspect kept); unchanged when already that size."""
    h, w = image.shape[:2]
    if w == width:
        return image
    height = max(2, int(round(h * width / w)))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


class OpenCVSource(FrameSource):
    """/dev/videoN through cv2.VideoCapture, at the configured still size if the camera offers it.

    One owner: a single long-lived reader thread makes every call into the capture object
    (read, get, set for the exposure lock, release). ``read(timeout)`` waits for the reader's
    next frame; ``lock_exposure``/``unlock_exposure`` are queued and run by the reader between
    two reads; ``close`` asks the reader to stop and release. A driver hung inside
    ``cap.read`` therefore never has ``release`` called under it from another thread: close
    waits a bounded time and leaves the (daemon) reader to release when the read returns."""

    def __init__(self, cfg, device: int = 0):
        self.cfg = cfg.camera
        self.device = device
        self.name = f"opencv:{device}"
        self.cap: cv2.VideoCapture | None = None
        self._index = 0
        self._t0: float | None = None
        self._locked = False
        self._cond = threading.Condition()
        self._frame: tuple[np.ndarray, float, float | None, float | None] | None = None  # (img, t, exp, gain)
        self._seq = 0
        self._taken = 0
        self._ended: str | None = None  # why the reader stopped
        self._ops: list[Callable[[cv2.VideoCapture], None]] = []  # exposure changes for the reader to make
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        cap = cv2.VideoCapture(self.device)
        if not cap.isOpened():
            cap.release()
            raise CameraOpenError(
                f"USB camera {self.device} could not be opened. Fix: check `v4l2-ctl --list-devices`, "
                "that no other program holds it, and [camera] source = \"opencv:N\""
            )
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.cfg.still_width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.cfg.still_height)
        cap.set(cv2.CAP_PROP_FPS, self.cfg.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of stale ones
        self.cap = cap
        self._stop.clear()
        self._reader = threading.Thread(target=self._read_loop, args=(cap,), daemon=True, name=f"{self.name}-reader")
        self._reader.start()

    def _read_loop(self, cap: cv2.VideoCapture) -> None:
        try:
            while not self._stop.is_set():
                with self._cond:
                    ops, self._ops = self._ops, []
                for op in ops:
                    op(cap)
                ok, img = cap.read()
                if self._stop.is_set():
                    break
                if not ok or img is None:
                    with self._cond:
                        self._ended = f"USB camera {self.device} stopped delivering frames (unplugged?)"
                        self._cond.notify_all()
                    return
                now = time.monotonic()
                exp, gain = cap.get(cv2.CAP_PROP_EXPOSURE), cap.get(cv2.CAP_PROP_GAIN)
                with self._cond:
                    self._frame = (img, now, exp, gain)
                    self._seq += 1
                    self._cond.notify_all()
        except Exception as exc:  # noqa: BLE001 - reported to read() as a disconnect
            with self._cond:
                self._ended = f"USB camera {self.device} failed: {exc!r}"
                self._cond.notify_all()
        finally:
            cap.release()  # the reader owns the capture: released on its own thread

    def close(self) -> None:
        self._stop.set()
        reader, self._reader = self._reader, None
        self.cap = None
        if reader is not None:
            reader.join(self.cfg.timeout_s + 1.0)
            if reader.is_alive():
                log.error("USB camera %s: the driver is stuck in a read; it is released when the read returns",
                          self.device)

    def read(self, timeout: float | None = None) -> Frame:
        if self._reader is None:
            raise CameraDisconnected(f"USB camera {self.device} is not open")
        timeout = self.cfg.timeout_s if timeout is None else timeout
        with self._cond:
            if not self._cond.wait_for(lambda: self._seq > self._taken or self._ended is not None, timeout):
                raise CameraTimeout(f"USB camera {self.device} delivered no frame within {timeout:g} s")
            if self._seq <= self._taken or self._frame is None:
                raise CameraDisconnected(self._ended or f"USB camera {self.device} stopped")
            full, now, exp, gain = self._frame
            self._taken = self._seq
        self._t0 = now if self._t0 is None else self._t0
        meta = CameraMeta(exposure_us=float(exp) if exp else None, analogue_gain=float(gain) if gain else None,
                          ae_locked=self._locked, awb_locked=self._locked)
        self._index += 1
        return Frame(image=fit_width(full, self.cfg.analysis_width), t=now - self._t0, index=self._index - 1,
                     meta=meta, full=full)

    def _queue(self, op: Callable[[cv2.VideoCapture], None]) -> None:
        with self._cond:
            self._ops.append(op)

    def lock_exposure(self) -> None:
        if self._reader is None:
            return

        def lock(cap: cv2.VideoCapture) -> None:
            exposure = cap.get(cv2.CAP_PROP_EXPOSURE)
            # V4L2: auto_exposure 1 = manual; OpenCV maps it through CAP_PROP_AUTO_EXPOSURE.
            ok = cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 1) and cap.set(cv2.CAP_PROP_EXPOSURE, exposure)
            cap.set(cv2.CAP_PROP_AUTO_WB, 0)
            if not ok:
                log.info("USB camera %s ignores manual exposure; frames may vary during the burst", self.device)

        self._queue(lock)
        self._locked = True

    def unlock_exposure(self) -> None:
        if self._reader is None:
            return

        def unlock(cap: cv2.VideoCapture) -> None:
            cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 3)  # V4L2 aperture-priority auto
            cap.set(cv2.CAP_PROP_AUTO_WB, 1)

        self._queue(unlock)
        self._locked = False
