"""A fake ``picamera2`` module that behaves like the real one where the booth depends on it.

Injected with ``sys.modules['picamera2'] = fake`` (see tests/camera/conftest.py). What it
reproduces from picamera2 (manual chapters 4-6, 8; source picamera2/picamera2.py):

- ``Picamera2(camera_num, allocator=...)`` raises ``IndexError`` when there is no such camera
  (``global_camera_info()`` is empty), and ``RuntimeError("Camera __init__ sequence did not
  complete.")`` when libcamera fails to start it; a camera held by another process raises
  ``RuntimeError("Failed to acquire camera: Device or resource busy")``.
- ``create_preview_configuration(main=, lores=, buffer_count=, controls=)``: lores must be
  YUV420 (a Pi 4 ISP limit) and no larger than main; both streams see the same sensor crop,
  so the lores is the main image scaled.
- ``configure`` before ``start``, ``capture_request`` only while started; ``capture_request
  (wait=False)`` returns a job that ``wait(job, timeout)`` resolves or raises TimeoutError.
- A completed request holds one of ``buffer_count`` buffers until ``release()``; when every
  buffer is held the camera stalls (the next wait times out), as the real one does.
- ``make_array('main')`` for "RGB888" is (H, W, 3) in B, G, R order; ``make_array('lores')``
  for YUV420 is (H*3/2, W) planar I420.
- ``set_controls`` takes effect on the next frame; with ``AeEnable: False`` the metadata
  reports the fixed ExposureTime/AnalogueGain; otherwise the simulated AE drifts slowly.

The scene is a synthetic test card: a bright red square at the top-left quarter's centre and
a blue one at the bottom-right quarter's, on a grey gradient, so channel order and field of
view can be checked. Faults are switched on through the class attributes of :class:`Faults`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import allocators  # noqa: F401  (picamera2.allocators exists in the real package)
from .controls_enum import AfModeEnum  # noqa: F401

# Cameras the "system" has: a Camera Module 3 by default (imx708 has autofocus).
CAMERAS: list[dict] = [{"Model": "imx708", "Location": 2, "Rotation": 180, "Id": "/base/soc/i2c0mux/i2c@1/imx708@1a", "Num": 0}]
PIXEL_ARRAY = (4608, 2592)

# Every Picamera2 instance ever made, newest last (tests inspect them).
INSTANCES: list["Picamera2"] = []


@dataclass
class Faults:
    """Switch faults on for the next camera operations (reset by tests/camera/conftest.py)."""

    init_fails: int = 0  # the next N constructions raise "Camera __init__ sequence did not complete."
    busy: int = 0  # the next N constructions raise "Device or resource busy"
    timeouts: int = 0  # the next N waits raise TimeoutError
    make_array_raises: int = 0  # the next N make_array calls raise RuntimeError (a mapped buffer failing)
    dead_after_frames: int | None = None  # every wait times out once this many frames were delivered in total
    delivered: int = 0


FAULTS = Faults()


def reset(cameras: list[dict] | None = None) -> None:
    global FAULTS, CAMERAS
    FAULTS = Faults()
    INSTANCES.clear()
    CAMERAS = list(cameras) if cameras is not None else [dict(_IMX708)]


_IMX708 = dict(CAMERAS[0])
IMX219 = {"Model": "imx219", "Location": 2, "Rotation": 0, "Id": "/base/soc/i2c0mux/i2c@1/imx219@10", "Num": 0}


def global_camera_info() -> list[dict]:
    return [dict(c) for c in CAMERAS]


def _test_card(w: int, h: int) -> np.ndarray:
    """The same scene at any size (same field of view): BGR uint8."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grey = (80 + 80 * xx / max(w - 1, 1)).astype(np.uint8)
    img = np.dstack([grey, grey, grey])
    def square(cx, cy, bgr):
        s = max(2, int(0.08 * w))
        x0, y0 = int(cx * w) - s // 2, int(cy * h) - s // 2
        img[y0:y0 + s, x0:x0 + s] = bgr
    square(0.25, 0.25, (0, 0, 255))  # red, in BGR order
    square(0.75, 0.75, (255, 0, 0))  # blue
    return img


def _bgr_to_i420(bgr: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)


class Job:
    """What ``capture_request(wait=False)`` returns: resolved by ``Picamera2.wait``."""

    def __init__(self, camera: "Picamera2"):
        self.camera = camera
        self._result = None
        self._done = False

    def get_result(self, timeout=None):
        return self.camera.wait(self, timeout=timeout)


class CompletedRequest:
    def __init__(self, camera: "Picamera2", frame_no: int):
        self.camera = camera
        self.frame_no = frame_no
        self.released = False
        self._metadata = camera._metadata_for(frame_no)

    def _check(self):
        if self.released:
            raise RuntimeError("request used after release()")

    def make_array(self, name: str) -> np.ndarray:
        self._check()
        if FAULTS.make_array_raises > 0:
            FAULTS.make_array_raises -= 1
            raise RuntimeError("failed to map buffer")
        stream = self.camera.camera_config[name]
        if stream is None:
            raise KeyError(name)
        w, h = stream["size"]
        card = _test_card(w, h)
        self.camera.arrays_made.append(name)
        if stream["format"] == "YUV420":
            return _bgr_to_i420(card)
        if stream["format"] in ("RGB888", "BGR888"):
            return card if stream["format"] == "RGB888" else card[:, :, ::-1].copy()
        if stream["format"] in ("XRGB8888", "XBGR8888"):
            return np.dstack([card, np.full(card.shape[:2], 255, np.uint8)])
        raise RuntimeError(f"fake cannot make format {stream['format']}")

    def get_metadata(self) -> dict:
        self._check()
        return dict(self._metadata)

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.camera.held -= 1
            self.camera.releases += 1


class Picamera2:
    def __init__(self, camera_num: int = 0, allocator=None, tuning=None):
        if FAULTS.busy > 0:
            FAULTS.busy -= 1
            raise RuntimeError("Failed to acquire camera: Device or resource busy")
        info = global_camera_info()
        self.camera_info = info[camera_num]  # IndexError: list index out of range, like picamera2
        if FAULTS.init_fails > 0:
            FAULTS.init_fails -= 1
            raise RuntimeError("Camera __init__ sequence did not complete.")
        self.camera_num = camera_num
        self.allocator = allocator
        self.camera_properties = {"Model": self.camera_info["Model"], "PixelArraySize": PIXEL_ARRAY}
        self.camera_controls = {
            "ExposureTime": (75, 1_000_000, 20_000),
            "AnalogueGain": (1.0, 16.0, 1.0),
            "AeEnable": (False, True, True),
            "AwbEnable": (False, True, True),
            "ColourGains": (0.0, 32.0, None),
            "FrameDurationLimits": (33_333, 120_000_000, 33_333),
        }
        if self.camera_info["Model"] == "imx708":
            self.camera_controls["AfMode"] = (0, 2, 0)
            self.camera_controls["LensPosition"] = (0.0, 15.0, 1.0)
        self.camera_config: dict | None = None
        self.started = False
        self.closed = False
        self.controls: dict = {}
        self.control_log: list[tuple[int, dict]] = []  # (frame number when set, controls)
        self.call_log: list[str] = []
        self.arrays_made: list[str] = []
        self.frame_no = 0
        self.held = 0
        self.releases = 0
        self._ae_exposure = 20_000.0
        self._ae_gain = 2.0
        INSTANCES.append(self)

    # -- configuration
    def create_preview_configuration(self, main=None, lores=None, raw=None, transform=None, colour_space=None,
                                     buffer_count=4, controls=None, display="main", encode="main", queue=True,
                                     sensor=None, use_case="preview"):
        main = {"format": "XBGR8888", "size": (640, 480), **(main or {})}
        if lores is not None:
            lores = {"format": "YUV420", "size": (320, 240), **lores}
        return {"use_case": use_case, "main": main, "lores": lores, "raw": raw, "buffer_count": buffer_count,
                "controls": dict(controls or {}), "display": display, "queue": queue}

    def create_still_configuration(self, main=None, lores=None, buffer_count=1, controls=None, **kw):
        main = {"format": "BGR888", "size": PIXEL_ARRAY, **(main or {})}
        return {"use_case": "still", "main": main, "lores": lores, "raw": None, "buffer_count": buffer_count,
                "controls": dict(controls or {}), "display": None, "queue": False}

    def _validate(self, config: dict) -> None:
        lores = config.get("lores")
        main = config["main"]
        if lores is not None:
            if lores["format"] != "YUV420":
                raise RuntimeError("lores stream must be YUV420 on this platform")
            if lores["size"][0] > main["size"][0] or lores["size"][1] > main["size"][1]:
                raise RuntimeError("lores stream dimensions may not exceed main stream")
        for s in (main, lores):
            if s is not None and (s["size"][0] % 2 or s["size"][1] % 2):
                raise RuntimeError(f"stream size {s['size']} must be even")

    def configure(self, config: dict) -> None:
        self.call_log.append("configure")
        if self.started:
            raise RuntimeError("Camera must be stopped before configuring")
        self._validate(config)
        self.camera_config = config
        self.controls.update(config.get("controls", {}))

    def switch_mode(self, config: dict) -> None:
        self.call_log.append("switch_mode")
        self._validate(config)
        self.camera_config = config

    def start(self, config=None, show_preview=False) -> None:
        self.call_log.append("start")
        if config is not None:
            self.configure(config)
        if self.camera_config is None:
            raise RuntimeError("Camera has not been configured")
        self.started = True

    def stop(self) -> None:
        self.call_log.append("stop")
        self.started = False

    def close(self) -> None:
        self.call_log.append("close")
        self.started = False
        self.closed = True

    # -- controls
    def set_controls(self, controls: dict) -> None:
        self.call_log.append("set_controls")
        for k in controls:
            if k not in self.camera_controls:
                raise RuntimeError(f"Control {k} is not advertised by libcamera")
        self.controls.update(controls)
        self.control_log.append((self.frame_no, dict(controls)))

    def _metadata_for(self, frame_no: int) -> dict:
        if self.controls.get("AeEnable", True):
            self._ae_exposure = 20_000.0 + 500.0 * (frame_no % 7)
            self._ae_gain = 2.0 + 0.05 * (frame_no % 5)
        else:
            self._ae_exposure = float(self.controls.get("ExposureTime", self._ae_exposure))
            self._ae_gain = float(self.controls.get("AnalogueGain", self._ae_gain))
        gains = self.controls.get("ColourGains") if not self.controls.get("AwbEnable", True) else (1.8 + 0.01 * (frame_no % 3), 1.5)
        md = {"SensorTimestamp": 1_000_000_000 + frame_no * 33_333_000, "FrameDuration": 33_333,
              "ExposureTime": int(self._ae_exposure), "AnalogueGain": self._ae_gain, "DigitalGain": 1.0,
              "ColourGains": tuple(gains), "ColourTemperature": 4800, "Lux": 310.0 + frame_no % 4,
              "AeLocked": not self.controls.get("AeEnable", True)}
        if "AfMode" in self.camera_controls:
            md["AfState"] = 2 if self.controls.get("AfMode") == 2 else 0
            md["LensPosition"] = 1.5
        return md

    # -- capture
    def capture_request(self, wait=None, flush=None, signal_function=None):
        self.call_log.append("capture_request")
        if not self.started:
            raise RuntimeError("Camera is not started")  # the real library would wait forever; fail loudly
        job = Job(self)
        if wait is False:
            return job
        return self.wait(job, timeout=None)

    def wait(self, job: Job, timeout=None):
        self.call_log.append("wait")
        stalled = self.held >= self.camera_config["buffer_count"]
        dead = FAULTS.dead_after_frames is not None and FAULTS.delivered >= FAULTS.dead_after_frames
        if FAULTS.timeouts > 0 or stalled or dead or not self.started:
            if FAULTS.timeouts > 0:
                FAULTS.timeouts -= 1
            if timeout is None:
                raise AssertionError("the booth waited on a camera job without a timeout: that can hang forever")
            raise TimeoutError("Timed out waiting for job")
        self.frame_no += 1
        FAULTS.delivered += 1
        self.held += 1
        return CompletedRequest(self, self.frame_no)
