"""The picamera2 backend against a faithful fake picamera2 (tests/camera/fake_picamera2)."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from booth.camera.base import CameraFatal, CameraOpenError, CameraTimeout, ResilientSource
from booth.camera.picam import PiCamera2Source
from booth.config import BoothConfig
from booth.types import SessionEvent


def config(**camera):
    cfg = BoothConfig()
    return dataclasses.replace(cfg, camera=dataclasses.replace(cfg.camera, **camera))


def test_configures_lores_yuv_for_analysis_and_main_rgb_for_stills_with_one_field_of_view(fake_picam):
    cfg = config(analysis_width=640, still_width=2304, still_height=1296)
    with PiCamera2Source(cfg) as cam:
        pc = fake_picam.INSTANCES[-1]
        conf = pc.camera_config
        assert pc.call_log[:3] == ["configure", "set_controls", "start"]
        assert conf["main"] == {"format": "RGB888", "size": (2304, 1296)}
        assert conf["lores"]["format"] == "YUV420"
        lw, lh = conf["lores"]["size"]
        assert lw == 640 and abs(lw / lh - 2304 / 1296) < 0.01  # same aspect: same field of view, no stretch
        assert isinstance(pc.allocator, fake_picam.allocators.PersistentAllocator)
        assert pc.controls["AfMode"] == 2  # continuous AF on a Camera Module 3

        frame = cam.read()
        assert frame.image.shape == (lh, lw, 3) and frame.full is None
        assert pc.arrays_made == ["lores"]  # the 9 MB main buffer is not copied per preview frame
        # Red square at the top-left quarter's centre: BGR order survives YUV420 -> BGR.
        b, g, r = frame.image[int(0.25 * lh), int(0.25 * lw)].astype(int)
        assert r > 200 and b < 60 and g < 60
        assert frame.meta.exposure_us == pytest.approx(pc._metadata_for(1)["ExposureTime"])
        assert frame.meta.lux is not None and frame.meta.ae_locked is False


def test_no_autofocus_control_is_sent_to_a_camera_without_it(fake_picam):
    fake_picam.reset([fake_picam.IMX219])
    with PiCamera2Source(config()):
        pc = fake_picam.INSTANCES[-1]
        assert "AfMode" not in pc.controls
        assert pc.call_log[:2] == ["configure", "start"]


def test_still_is_full_resolution_same_field_of_view_and_exposure_locked_first(fake_picam):
    cfg = config(analysis_width=640, still_width=2304, still_height=1296)
    with PiCamera2Source(cfg) as cam:
        pc = fake_picam.INSTANCES[-1]
        preview = cam.read()
        md = pc._metadata_for(preview.index + 1)
        still = cam.capture_still()
        assert still.full.shape == (1296, 2304, 3)
        # Same field of view: the downscaled still matches the preview pixel for pixel (within YUV loss).
        small = cv2.resize(still.full, preview.size, interpolation=cv2.INTER_AREA)
        assert np.mean(np.abs(small.astype(int) - preview.image.astype(int))) < 6
        # The lock came from the preview's metadata and was sent before the still's request.
        lock = next(c for f, c in pc.control_log if c.get("AeEnable") is False)
        assert lock["ExposureTime"] == md["ExposureTime"] and lock["AnalogueGain"] == md["AnalogueGain"]
        assert lock["AwbEnable"] is False and lock["ColourGains"] == md["ColourGains"]
        log = pc.call_log
        lock_i, unlock_i = [i for i, c in enumerate(log) if c == "set_controls"][1:3]
        still_request = max(i for i, c in enumerate(log) if c == "capture_request")
        assert lock_i < still_request < unlock_i  # lock, capture, then unlock
        assert first_lock_value(pc) == still.meta.exposure_us
        assert still.meta.ae_locked
        assert pc.controls["AeEnable"] is True  # unlocked again afterwards


def test_explicit_lock_holds_exposure_across_frames(fake_picam):
    with PiCamera2Source(config()) as cam:
        first = cam.read()
        cam.lock_exposure()
        held = [cam.read().meta.exposure_us for _ in range(6)]
        assert set(held) == {first.meta.exposure_us}
        cam.unlock_exposure()
        free = {cam.read().meta.exposure_us for _ in range(8)}
        assert len(free) > 1  # the fake's AE moves again


def test_every_request_is_released_on_every_path(fake_picam):
    with PiCamera2Source(config()) as cam:
        pc = fake_picam.INSTANCES[-1]
        for _ in range(20):  # more than buffer_count: a leak would stall the camera
            cam.read()
        cam.capture_still()
        fake_picam.FAULTS.make_array_raises = 1
        with pytest.raises(Exception):
            cam.read()
        fake_picam.FAULTS.make_array_raises = 1
        with pytest.raises(Exception):
            cam.capture_still()
        cam.read()
        assert pc.held == 0
        assert pc.releases == pc.frame_no


def test_timeouts_are_bounded_and_raise_camera_timeout(fake_picam):
    with PiCamera2Source(config(timeout_s=0.5)) as cam:
        fake_picam.FAULTS.timeouts = 1
        with pytest.raises(CameraTimeout, match="0.5 s"):
            cam.read()
        cam.read()  # the fake raises AssertionError if any wait had no timeout


def test_timeout_restarts_the_camera_and_the_session_hears_lost_then_back(fake_picam, sim_clock):
    events = []
    cfg = config(max_retries=4, retry_backoff_s=0.5)
    cam = ResilientSource(lambda: PiCamera2Source(cfg), cfg, on_event=events.append, sleep=sim_clock.sleep)
    with cam:
        cam.read()
        fake_picam.FAULTS.timeouts = 3  # the read and the first two reopened reads time out
        frame = cam.read()
        assert frame.image.shape[2] == 3
        assert events == [SessionEvent.CAMERA_LOST, SessionEvent.CAMERA_BACK]
        assert sim_clock.sleeps == [0.5, 1.0, 2.0]  # exponential backoff, no wall time spent
        dead = fake_picam.INSTANCES[:-1]
        assert all(p.closed for p in dead) and len(fake_picam.INSTANCES) == 4  # a fresh Picamera2 per attempt
        assert all(p.held == 0 for p in fake_picam.INSTANCES)
    assert fake_picam.INSTANCES[-1].closed


def test_open_failures_busy_and_init_sequence_are_retried(fake_picam, sim_clock):
    events = []
    cfg = config(max_retries=5, retry_backoff_s=0.1)
    fake_picam.FAULTS.busy = 1
    fake_picam.FAULTS.init_fails = 1
    cam = ResilientSource(lambda: PiCamera2Source(cfg), cfg, on_event=events.append, sleep=sim_clock.sleep)
    with cam:
        assert cam.read().image.size > 0
    assert events == [SessionEvent.CAMERA_LOST, SessionEvent.CAMERA_BACK]
    assert sim_clock.sleeps == [0.1, 0.2]


def test_camera_that_stays_dead_ends_in_a_fatal_error_not_a_hang(fake_picam, sim_clock):
    events = []
    cfg = config(max_retries=3, retry_backoff_s=1.0)
    cam = ResilientSource(lambda: PiCamera2Source(cfg), cfg, on_event=events.append, sleep=sim_clock.sleep)
    cam.start()
    cam.read()
    fake_picam.FAULTS.dead_after_frames = 0
    with pytest.raises(CameraFatal, match="3 reopen attempts failed.*systemd"):
        cam.read()
    assert events == [SessionEvent.CAMERA_LOST]
    assert sim_clock.sleeps == [1.0, 2.0, 4.0]
    assert all(p.closed and p.held == 0 for p in fake_picam.INSTANCES)


def test_missing_camera_names_the_fix(fake_picam):
    fake_picam.reset([])
    with pytest.raises(CameraOpenError, match="no camera 0 found.*list-cameras"):
        PiCamera2Source(config()).start()


def first_lock_value(pc):
    return next(c["ExposureTime"] for f, c in pc.control_log if c.get("AeEnable") is False)
