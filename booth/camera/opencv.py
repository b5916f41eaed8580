"""A USB webcam through OpenCV (V4L2 on Linux): for desks, demos and booths without a Pi camera.

A webcam has one stream: the analysis image is the capture scaled to the analysis width,
and ``full`` is the capture itself (same field of view). Exposure lock uses V4L2's manual
exposure mode where the driver honours it; many webcams ignore it, which is logged once.
``cv2.VideoCapture.read`` has no timeout of its own, so reads run on a small reader thread
and the caller waits on it with a timeout (the thread is abandoned with the capture if the
driver hangs: nothing in the booth waits forever).
"""

from __future__ import annotations

import logging
import threading
import time

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
    """/dev/videoN through cv2.VideoCapture, at the configured still size if the camera offers it."""

    def __init__(self, cfg, device: int = 0):
        self.cfg = cfg.camera
        self.device = device
        self.name = f"opencv:{device}"
        self.cap = None
        self._index = 0
        self._t0 = None
        self._locked = False

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

    def close(self) -> None:
        cap, self.cap = self.cap, None
        if cap is not None:
            cap.release()

    def _grab(self, timeout: float) -> np.ndarray:
        result: list = []
        cap = self.cap

        def reader():
            ok, img = cap.read()
            result.append(img if ok else None)

        t = threading.Thread(target=reader, daemon=True, name=f"{self.name}-read")
        t.start()
        t.join(timeout)
        if t.is_alive():
            raise CameraTimeout(f"USB camera {self.device} delivered no frame within {timeout:g} s")
        if not result or result[0] is None:
            raise CameraDisconnected(f"USB camera {self.device} stopped delivering frames (unplugged?)")
        return result[0]

    def read(self, timeout: float | None = None) -> Frame:
        if self.cap is None:
            raise CameraDisconnected(f"USB camera {self.device} is not open")
        full = self._grab(self.cfg.timeout_s if timeout is None else timeout)
        now = time.monotonic()
        self._t0 = now if self._t0 is None else self._t0
        exp = self.cap.get(cv2.CAP_PROP_EXPOSURE)
        gain = self.cap.get(cv2.CAP_PROP_GAIN)
        meta = CameraMeta(exposure_us=float(exp) if exp else None, analogue_gain=float(gain) if gain else None,
                          ae_locked=self._locked, awb_locked=self._locked)
        self._index += 1
        return Frame(image=fit_width(full, self.cfg.analysis_width), t=now - self._t0, index=self._index - 1,
                     meta=meta, full=full)

    def lock_exposure(self) -> None:
        if self.cap is None:
            return
        exposure = self.cap.get(cv2.CAP_PROP_EXPOSURE)
        # V4L2: auto_exposure 1 = manual; OpenCV maps it through CAP_PROP_AUTO_EXPOSURE.
        ok = self.cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 1) and self.cap.set(cv2.CAP_PROP_EXPOSURE, exposure)
        self.cap.set(cv2.CAP_PROP_AUTO_WB, 0)
        if not ok:
            log.info("USB camera %s ignores manual exposure; frames may vary during the burst", self.device)
        self._locked = True

    def unlock_exposure(self) -> None:
        if self.cap is None:
            return
        self.cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 3)  # V4L2 aperture-priority auto
        self.cap.set(cv2.CAP_PROP_AUTO_WB, 1)
        self._locked = False
