"""The Raspberry Pi camera through picamera2 (libcamera).

One preview configuration serves everything, as the picamera2 manual suggests for
low-latency capture: ``main`` at still resolution ("RGB888", which numpy sees as B, G, R:
exactly what OpenCV wants) and ``lores`` (YUV420, the only lores format a Pi 4 ISP can
produce) at analysis size. Both streams are scaled from the same sensor crop, so the
preview the sitter sees and the still the booth saves have the same field of view, and
taking the still needs no mode switch: it is the ``main`` buffer of a request.

Rules this backend keeps (each is a way real booths hang or leak):

- ``capture_request(wait=False)`` then ``wait(job, timeout)``: a stalled ISP raises
  TimeoutError instead of blocking forever; the resilient wrapper then restarts the camera.
- Every request is ``release()``d in a ``finally``: a held request pins one of the few
  buffers, and when all are pinned the camera stops delivering.
- A ``PersistentAllocator`` keeps buffers allocated across stop/start and mode changes
  (no CMA churn on a long-running booth).
- Continuous autofocus only when the camera advertises ``AfMode`` (Camera Module 3).
- Exposure/white balance are locked from the *current metadata* (ExposureTime,
  AnalogueGain, ColourGains) before the burst, so every frame of the capture matches.
- The lores size is derived from the main stream's aspect ratio: a lores of another aspect
  would be stretched, and the analysis would measure a distorted face.

Runs unchanged on a Pi (``apt install python3-picamera2``); tests inject a fake module.
"""

from __future__ import annotations

import errno
import importlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import cv2
import numpy as np

from ..types import CameraMeta, Frame
from .base import CameraDisconnected, CameraOpenError, CameraTimeout, FrameSource

log = logging.getLogger(__name__)

AF_CONTINUOUS = 2  # libcamera controls.AfModeEnum.Continuous (used when libcamera is not importable)


def lores_size_for(main: tuple[int, int], analysis_width: int) -> tuple[int, int]:
    """Lores (w, h) with main's aspect ratio, ``analysis_width`` wide, both even."""
    w = min(int(analysis_width), main[0]) & ~1
    h = int(round(w * main[1] / main[0])) & ~1
    return w, max(h, 2)


class _Request(Protocol):
    """The part of a ``picamera2.CompletedRequest`` this backend uses."""

    def make_array(self, name: str) -> np.ndarray: ...
    def get_metadata(self) -> dict[str, Any]: ...
    def release(self) -> None: ...


class _Picamera2(Protocol):
    """The part of ``picamera2.Picamera2`` this backend uses (picamera2 ships no type hints)."""

    camera_controls: Mapping[str, Any]
    camera_properties: Mapping[str, Any]

    def create_preview_configuration(self, main: dict[str, Any], lores: dict[str, Any], buffer_count: int,
                                     controls: dict[str, Any]) -> Any: ...
    def configure(self, config: Any) -> None: ...
    def set_controls(self, controls: dict[str, Any]) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...
    def capture_request(self, wait: bool) -> Any: ...
    def wait(self, job: Any, timeout: float) -> _Request: ...


class PiCamera2Source(FrameSource):
    """picamera2 preview configuration: lores for analysis, main for display and stills."""

    name = "picamera2"

    def __init__(self, cfg, camera_num: int = 0, module=None):
        self.cfg = cfg.camera
        self.camera_num = camera_num
        self._module = module
        self.cam: _Picamera2 | None = None
        self._last_meta: dict[str, Any] = {}
        self._locked = False
        self._index = 0
        self._t0_ns: int | None = None
        self.main_size = (int(self.cfg.still_width) & ~1, int(self.cfg.still_height) & ~1)
        self.lores_size = lores_size_for(self.main_size, self.cfg.analysis_width)

    # ------------------------------------------------------------------ open / close
    def _picamera2(self):
        if self._module is not None:
            return self._module
        try:
            return importlib.import_module("picamera2")
        except ImportError as exc:
            raise CameraOpenError(
                f"picamera2 is not installed ({exc}). Fix: on Raspberry Pi OS `sudo apt install python3-picamera2` "
                "and create the venv with --system-site-packages; at a desk use [camera] source = \"opencv:0\" or \"sim\""
            ) from None

    def start(self) -> None:
        mod = self._picamera2()
        allocator = None
        try:
            allocator = importlib.import_module(mod.__name__ + ".allocators").PersistentAllocator()
        except (ImportError, AttributeError):
            log.info("picamera2 has no PersistentAllocator; using its default allocator")
        try:
            cam: _Picamera2 = (mod.Picamera2(self.camera_num, allocator=allocator) if allocator
                               else mod.Picamera2(self.camera_num))
            self.cam = cam
        except IndexError:
            raise CameraOpenError(
                f"no camera {self.camera_num} found (libcamera lists {len(mod.global_camera_info())}). "
                "Fix: check the ribbon cable and `rpicam-hello --list-cameras`"
            ) from None
        except (RuntimeError, OSError) as exc:
            raise CameraOpenError(_explain_open_failure(exc)) from None
        try:
            controls = {"FrameDurationLimits": (int(1e6 / self.cfg.fps),) * 2}
            config = cam.create_preview_configuration(
                main={"size": self.main_size, "format": "RGB888"},
                lores={"size": self.lores_size, "format": "YUV420"},
                buffer_count=4,
                controls={k: v for k, v in controls.items() if k in cam.camera_controls},
            )
            cam.configure(config)
            if self.cfg.autofocus and "AfMode" in cam.camera_controls:
                cam.set_controls({"AfMode": _af_continuous()})
            cam.start()
        except (RuntimeError, OSError) as exc:
            self.close()
            raise CameraOpenError(f"picamera2 could not start: {_explain_open_failure(exc)}") from None
        log.info("picamera2 %s started: main %s RGB888, lores %s YUV420",
                 cam.camera_properties.get("Model"), self.main_size, self.lores_size)

    def close(self) -> None:
        cam, self.cam = self.cam, None
        if cam is None:
            return
        for step in (cam.stop, cam.close):
            try:
                step()
            except Exception:  # a dead camera fails to stop in many ways; it is closed either way
                log.debug("picamera2 %s failed during close", step.__name__, exc_info=True)

    # ------------------------------------------------------------------ frames
    def _request(self, timeout: float | None) -> _Request:
        if self.cam is None:
            raise CameraDisconnected("picamera2 is not open")
        timeout = self.cfg.timeout_s if timeout is None else timeout
        try:
            job = self.cam.capture_request(wait=False)
            return self.cam.wait(job, timeout=timeout)
        except TimeoutError:
            raise CameraTimeout(f"picamera2 delivered no frame within {timeout:g} s") from None
        except RuntimeError as exc:
            raise CameraDisconnected(f"picamera2 failed: {exc}") from None

    def _frame_from(self, request: _Request, with_full: bool) -> Frame:
        """Copy what we need out of ``request``; the caller releases it."""
        lores = request.make_array("lores")
        image = cv2.cvtColor(lores, cv2.COLOR_YUV2BGR_I420)
        full = np.ascontiguousarray(request.make_array("main")[:, :, :3]) if with_full else None
        md = request.get_metadata()
        self._last_meta = md
        ts = md.get("SensorTimestamp")
        if ts is not None:
            if self._t0_ns is None:
                self._t0_ns = int(ts)
            t = (int(ts) - self._t0_ns) / 1e9
        else:
            t = self._index / self.cfg.fps
        self._index += 1
        return Frame(image=image, t=t, index=self._index - 1, meta=_meta(md, self._locked), full=full,
                     still_size=self.main_size)

    def read(self, timeout: float | None = None) -> Frame:
        request = self._request(timeout)
        try:
            # the capture burst (exposure locked) carries main: the best-frame ring saves from it
            return self._frame_from(request, with_full=self._locked)
        except (RuntimeError, KeyError, ValueError) as exc:
            raise CameraDisconnected(f"picamera2 returned an unusable frame: {exc}") from None
        finally:
            request.release()

    def capture_still(self) -> Frame:
        """Full-resolution ``main`` with exposure locked, from the running preview configuration."""
        locked_here = not self._locked
        if locked_here:
            if not self._last_meta:
                self.read()  # metadata to lock from
            self.lock_exposure()
        try:
            request = self._request(None)
            try:
                return self._frame_from(request, with_full=True)
            except (RuntimeError, KeyError, ValueError) as exc:
                raise CameraDisconnected(f"picamera2 returned an unusable still: {exc}") from None
            finally:
                request.release()
        finally:
            if locked_here:
                self.unlock_exposure()

    # ------------------------------------------------------------------ exposure
    def lock_exposure(self) -> None:
        if self.cam is None:
            return
        md = self._last_meta
        controls: dict[str, Any] = {"AeEnable": False, "AwbEnable": False}
        if "ExposureTime" in md:
            controls["ExposureTime"] = int(md["ExposureTime"])
        if "AnalogueGain" in md:
            controls["AnalogueGain"] = float(md["AnalogueGain"])
        if md.get("ColourGains"):
            controls["ColourGains"] = tuple(float(g) for g in md["ColourGains"])
        self.cam.set_controls(controls)
        self._locked = True

    def unlock_exposure(self) -> None:
        if self.cam is None:
            return
        self.cam.set_controls({"AeEnable": True, "AwbEnable": True})
        self._locked = False


def _af_continuous() -> Any:
    try:
        from libcamera import controls

        return controls.AfModeEnum.Continuous
    except ImportError:
        return AF_CONTINUOUS


def _meta(md: Mapping[str, Any], locked: bool) -> CameraMeta:
    def f(key: str) -> float | None:
        v = md.get(key)
        return float(v) if v is not None else None

    return CameraMeta(exposure_us=f("ExposureTime"), analogue_gain=f("AnalogueGain"), lux=f("Lux"),
                      colour_temperature_k=f("ColourTemperature"), ae_locked=locked, awb_locked=locked)


def _explain_open_failure(exc: BaseException) -> str:
    text = str(exc)
    if (isinstance(exc, OSError) and exc.errno == errno.EBUSY) or "busy" in text.lower():
        return (f"the camera is busy ({text}). Fix: stop the other program using it "
                "(another booth instance, rpicam-*, a browser) ")
    if "did not complete" in text:
        return (f"libcamera failed to start the camera ({text}). Fix: reseat the ribbon cable; "
                "check `dmesg` for the sensor driver and the camera_auto_detect line in config.txt")
    return f"picamera2 failed to open the camera: {text}"
