"""The simulated camera's clock: its own frame-period clock by default (booth simulate, the
soak), the wall clock in booth demo / booth run, so a late frame does not slow the world."""

from __future__ import annotations

from booth.camera.sim.sitter import SimulatedSitter
from booth.config import BoothConfig


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_by_default_each_frame_is_one_frame_period_later_however_long_it_took():
    s = SimulatedSitter("enter-off-centre", 0, BoothConfig())
    s.start()
    ts = [s.read().t for _ in range(4)]
    dt = 1.0 / BoothConfig().camera.fps
    assert [b - a for a, b in zip(ts, ts[1:])] == [pytest_approx(dt)] * 3


def test_following_the_wall_clock_frames_carry_the_time_that_really_passed():
    clock = _Clock()
    s = SimulatedSitter("enter-off-centre", 0, BoothConfig())
    s.follow_wall_clock(clock)
    clock.now += 5.0  # time between building the camera and starting it does not count
    s.start()
    ts = []
    for late in (0.033, 0.25, 0.033, 1.0):  # frames late by a quarter and a whole second
        clock.now += late
        ts.append(s.read().t)
    assert ts[0] == pytest_approx(0.033)
    assert [round(b - a, 3) for a, b in zip(ts, ts[1:])] == [0.25, 0.033, 1.0]
    # the world moved on with the clock: the sitter's own time is the clock's
    assert s.t == pytest_approx(clock.now - 105.0)
    # a still taken at once still gets a later time than the frame before it
    assert s.capture_still().t > ts[-1]


def pytest_approx(v):
    import pytest

    return pytest.approx(v, abs=2e-6)  # frame times are rounded to the microsecond
