"""Camera test fixtures: the fake picamera2 module, injected where `import picamera2` looks."""

from __future__ import annotations

import sys

import pytest

from . import fake_picamera2


@pytest.fixture
def fake_picam(monkeypatch):
    """The fake picamera2 module, fresh (no faults, one Camera Module 3), as `picamera2`."""
    fake_picamera2.reset()
    monkeypatch.setitem(sys.modules, "picamera2", fake_picamera2)
    monkeypatch.setitem(sys.modules, "picamera2.allocators", fake_picamera2.allocators)
    yield fake_picamera2
    fake_picamera2.reset()


class SimClock:
    """A sleep that only moves a number: backoff in tests costs no wall time."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


@pytest.fixture
def sim_clock():
    return SimClock()
