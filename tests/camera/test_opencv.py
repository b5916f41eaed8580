"""The webcam backend: one long-lived reader owns the cv2.VideoCapture; every call into it
(read, get, set for the exposure lock, release) happens on that thread, and release never
runs under a read in progress. A fake VideoCapture stands in for the driver."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import booth.camera.opencv as ocv
from booth.camera.base import CameraDisconnected, CameraTimeout
from booth.config import load_config


class FakeCapture:
    instances: list["FakeCapture"] = []

    def __init__(self, device):
        self.calls: list[tuple[str, int]] = []
        self.in_read = False
        self.hang = threading.Event()  # set: read blocks until released
        self.go = threading.Event()
        self.fail = False
        self.released_during_read = False
        self.props: dict = {}
        FakeCapture.instances.append(self)

    def _note(self, what):
        self.calls.append((what, threading.get_ident()))

    def isOpened(self):
        return True

    def read(self):
        self._note("read")
        self.in_read = True
        try:
            if self.hang.is_set():
                self.go.wait(10)
            time.sleep(0.01)
            if self.fail:
                return False, None
            return True, np.full((720, 1280, 3), 120, np.uint8)
        finally:
            self.in_read = False

    def get(self, prop):
        self._note("get")
        return self.props.get(prop, 100.0)

    def set(self, prop, value):
        self._note(f"set{prop}")
        self.props[prop] = value
        return True

    def release(self):
        self._note("release")
        if self.in_read:
            self.released_during_read = True


@pytest.fixture
def cam(monkeypatch):
    FakeCapture.instances.clear()
    monkeypatch.setattr(ocv.cv2, "VideoCapture", FakeCapture)
    cfg = load_config(None, {"camera": {"timeout_s": 0.3}})
    src = ocv.OpenCVSource(cfg, 0)
    src.start()
    yield src, FakeCapture.instances[0]
    src.close()


def test_every_call_into_the_capture_after_start_is_made_by_one_reader_thread(cam):
    src, cap = cam
    frames = [src.read() for _ in range(5)]
    src.lock_exposure()
    frames += [src.read() for _ in range(3)]
    src.unlock_exposure()
    frames += [src.read() for _ in range(3)]
    src.close()
    n_setup = 4  # the four cap.set calls of start(), on the caller's thread, before the reader exists
    after = cap.calls[n_setup:]
    assert {tid for _, tid in after} == {src_thread for src_thread in {after[0][1]}}  # one thread
    assert after[0][1] != threading.get_ident()
    names = [c for c, _ in after]
    assert f"set{ocv.cv2.CAP_PROP_AUTO_EXPOSURE}" in names and names[-1] == "release"
    assert all(b.t > a.t for a, b in zip(frames, frames[1:]))
    assert frames[0].image.shape[1] == src.cfg.analysis_width and frames[0].full.shape == (720, 1280, 3)


def test_a_hung_driver_read_times_out_and_close_never_releases_under_it(cam):
    src, cap = cam
    src.read()
    cap.hang.set()
    time.sleep(0.05)
    with pytest.raises(CameraTimeout):
        for _ in range(3):  # a frame read just before the hang may still be waiting
            src.read(0.3)
    t0 = time.monotonic()
    src.close()
    assert time.monotonic() - t0 < src.cfg.timeout_s + 1.5  # bounded
    assert not cap.released_during_read
    cap.go.set()  # the driver returns at last: the reader releases on its own thread
    for _ in range(100):
        if any(c == "release" for c, _ in cap.calls):
            break
        time.sleep(0.02)
    assert any(c == "release" for c, _ in cap.calls) and not cap.released_during_read


def test_an_unplugged_webcam_reads_as_disconnected(cam):
    src, cap = cam
    src.read()
    cap.fail = True
    with pytest.raises(CameraDisconnected):
        for _ in range(5):
            src.read(0.5)
