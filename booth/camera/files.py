"""Recorded input: a video file or a folder of images, played as if it were a camera.

Time is media time (frame index / fps for videos, index / configured fps for folders), so
replays are deterministic and run as fast as the analysis allows. ``full`` is the decoded
frame at its own size, ``image`` the same scaled to the analysis width. With ``loop`` the
source starts again at the end; without it, the end raises :class:`CameraDisconnected`
(which is what a finished recording is to the booth).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..types import CameraMeta, Frame
from .base import CameraDisconnected, CameraOpenError, FrameSource
from .opencv import fit_width

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}


class TruncatedVideo(CameraDisconnected):
    """The video ended before its container said it would (cut off or corrupt)."""


class FileSource(FrameSource):
    """``path`` is a video (anything OpenCV's FFmpeg reads), a folder of images (sorted by name)
    or one image, which is a still camera: the same picture forever.

    A video that ends well before the frame count its container declares raises
    :class:`TruncatedVideo` instead of a plain end (``booth replay`` exits non-zero on it)."""

    def __init__(self, cfg, path: str | Path, loop: bool | None = None):
        self.cfg = cfg.camera
        self.path = Path(path)
        self.loop = self.cfg.loop if loop is None else loop
        self.name = f"file:{self.path}"
        self._cap: cv2.VideoCapture | None = None
        self._images: list[Path] = []
        self._pos = 0
        self._index = 0
        self._fps = self.cfg.fps
        self._still = False
        self._still_img: np.ndarray | None = None
        self.declared_frames = 0  # the container's frame count (0: unknown)
        self.decoded_frames = 0

    def start(self) -> None:
        if not self.path.exists():
            raise CameraOpenError(f"{self.path} does not exist. Fix: give file:PATH to a video or an image folder")
        if self.path.is_dir():
            self._images = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._images:
                raise CameraOpenError(f"{self.path} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}). "
                                      "Fix: give file:PATH to a video, an image or a folder of images")
            return
        if self.path.suffix.lower() in IMAGE_SUFFIXES:
            if cv2.imread(str(self.path), cv2.IMREAD_COLOR) is None:
                raise CameraOpenError(f"{self.path} is not a readable image. Fix: give file:PATH to a JPEG/PNG")
            self._images = [self.path]
            self._still = True
            self.loop = True  # a still camera: the same picture at the camera's rate, forever
            return
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise CameraOpenError(f"{self.path} is not a video OpenCV can read. Fix: convert it to MP4 (H.264)")
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = fps if fps and 1.0 <= fps <= 240.0 else self.cfg.fps
        count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.declared_frames = int(count) if count and count > 0 and count < 1e9 else 0
        self._cap = cap

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def _next_image(self) -> np.ndarray:
        if self._still:
            if self._still_img is None:
                still = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
                if still is None:
                    raise CameraDisconnected(f"{self.path} is no longer a readable image. Fix: restore the file")
                self._still_img = still
            return self._still_img
        if self._images:
            if self._pos >= len(self._images):
                if not self.loop:
                    raise CameraDisconnected(f"{self.path}: end of the image folder")
                self._pos = 0
            p = self._images[self._pos]
            self._pos += 1
            img = cv2.imread(str(p), cv2.IMREAD_COLOR)
            if img is None:
                raise CameraDisconnected(f"{p} is not a readable image (corrupt or not an image). Fix: remove it")
            return img
        if self._cap is None:
            raise CameraDisconnected(f"{self.path} is not open")
        ok, img = self._cap.read()
        if ok:
            self.decoded_frames += 1
        if not ok:
            self._check_complete()
            if not self.loop or self._index == 0:
                raise CameraDisconnected(f"{self.path}: end of the video")
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, img = self._cap.read()
            if not ok:
                raise CameraDisconnected(f"{self.path}: could not rewind the video")
        return img

    def _check_complete(self) -> None:
        """At the end: did we decode (nearly) what the container declares? Containers round
        their count, so a few frames of slack; a cut-off file misses far more."""
        declared, got = self.declared_frames, self.decoded_frames
        if declared and got < declared - max(2, int(declared * 0.02)):
            raise TruncatedVideo(
                f"{self.path} is truncated or corrupt: decoded {got} of the {declared} frames its container "
                f"declares ({got / self._fps:.1f} of {declared / self._fps:.1f} s). Fix: copy or re-encode the "
                "video again (e.g. `ffmpeg -i in.mp4 -c:v libx264 out.mp4`)")

    def read(self, timeout: float | None = None) -> Frame:
        full = self._next_image()
        self._index += 1
        return Frame(image=fit_width(full, self.cfg.analysis_width), t=(self._index - 1) / self._fps,
                     index=self._index - 1, meta=CameraMeta(), full=full)
