"""The fault-injection rig: the real app (camera, analysis, saver, storage, handoff threads,
the pygame screen on SDL's dummy driver, the real BoothLoop, Session, Coach and PhotoStore),
with a camera and an analyzer whose faults a test switches on and off.

The analyzer is scripted (a well-framed sitter from tests/guidance/sitter.py), so a session
walks attract > guiding > countdown > capturing > review > saving > thank-you in a few
seconds without a model; everything after the analyzer is the booth's own code.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

TESTS = Path(__file__).resolve().parents[1]
for p in (TESTS, TESTS / "app"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from guidance.sitter import observation  # noqa: E402

from booth.app import BackgroundSaver, Booth, BoothParts, Inbox  # noqa: E402
from booth.camera.base import CameraTimeout, ResilientSource  # noqa: E402
from booth.config import BoothConfig, load_config  # noqa: E402
from booth.errors import BoothError  # noqa: E402
from booth.compose import core  # noqa: E402
from booth.output.store import PhotoStore  # noqa: E402
from booth.types import Frame  # noqa: E402
from booth.ui.screen import Screen  # noqa: E402
from booth.watchdog import Notifier  # noqa: E402

SIZE = (1280, 960)


class Faults:
    """What is broken right now (set by the test, read by the fakes on their threads)."""

    def __init__(self):
        self.camera = "ok"  # ok | block | raise | nothing
        self.analyzer_raise = 0  # raise on this many next frames
        self.present = True  # a sitter in front of the camera
        self.unblock = threading.Event()


class FaultCamera:
    """Frames at ``fps`` from its own clock (a new instance starts at t = 0, like a reopened
    camera). Faults: ``block`` waits forever inside read (a hung driver), ``raise`` raises a
    RuntimeError (a backend bug), ``nothing`` delivers no frame (CameraTimeout after the timeout)."""

    name = "fault-camera"
    _image = None
    speed = 1.0  # booth seconds per wall second (the chaos soak accelerates the booth's clock)

    def __init__(self, faults: Faults, fps: float = 20.0):
        self.faults = faults
        self.fps = fps
        self.index = 0
        self._t0 = None
        self.locks: list[bool] = []
        self.closed = False
        if FaultCamera._image is None:
            FaultCamera._image = np.random.default_rng(3).integers(40, 200, (SIZE[1], SIZE[0], 3), dtype=np.uint8)

    def start(self):
        self._t0 = time.monotonic()
        self._next = self._t0

    def read(self, timeout=None):
        mode = self.faults.camera
        if mode == "block":
            self.faults.unblock.wait()  # forever, unless the test lets go at the end
        if mode == "raise":
            raise RuntimeError("simulated backend bug in read()")
        if mode == "nothing":
            time.sleep(timeout or 0.5)
            raise CameraTimeout(f"no frame within {timeout} s (simulated)")
        self._next += 1.0 / self.fps
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            self._next = time.monotonic()
        self.index += 1
        return Frame(self._image, t=(time.monotonic() - self._t0) * self.speed, index=self.index - 1)

    def lock_exposure(self):
        self.locks.append(True)

    def unlock_exposure(self):
        self.locks.append(False)

    def close(self):
        self.closed = True


class ScriptedAnalyzer:
    """A well-framed, ready sitter on every frame (or nobody); raises when told to."""

    def __init__(self, faults: Faults):
        self.faults = faults
        self.calls = 0

    def analyze(self, frame):
        self.calls += 1
        if self.faults.analyzer_raise > 0:
            self.faults.analyzer_raise -= 1
            raise ValueError("simulated: the model returned garbage for this frame")
        return observation(frame.t, frame.index, size=SIZE, present=self.faults.present)


def fault_config(tmp_path: Path, camera: dict | None = None, **service) -> BoothConfig:
    svc = dict(hung_worker_s=2.0, save_timeout_s=3.0, state_grace_s=2.0, max_frame_failures=50,
               storage_check_s=0.2)
    svc.update(service)
    return load_config(None, {
        "booth": {"output_dir": str(tmp_path / "out"), "min_free_mb": 1.0, "countdown_s": 0.5, "review_s": 2.0,
                  "thank_you_s": 1.0, "linger_s": 0.0, "new_sitter_gap_s": 0.0},
        "camera": {"timeout_s": 0.5, "max_retries": 8, "retry_backoff_s": 0.1, **(camera or {})},
        "ui": {"fullscreen": False, "fps": 20},
        "lights": {"enabled": False},
        "service": {**svc, "stats_file": str(tmp_path / "stats.json")},
    })


class Pings:
    """A real sd_notify socket: records every message with its arrival time."""

    def __init__(self, tmp_path: Path, monkeypatch):
        self.path = str(tmp_path / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.05)
        self.got: list[tuple[float, str]] = []
        self._stop = threading.Event()
        monkeypatch.setenv("NOTIFY_SOCKET", self.path)
        monkeypatch.setenv("WATCHDOG_USEC", "200000")  # a ping every 0.1 s while healthy
        monkeypatch.delenv("WATCHDOG_PID", raising=False)
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        while not self._stop.is_set():
            try:
                self.got.append((time.monotonic(), self.sock.recv(4096).decode()))
            except socket.timeout:
                continue
            except OSError:
                return

    def watchdog(self, since: float = 0.0, until: float = float("inf")) -> int:
        return sum(1 for t, m in self.got if m == "WATCHDOG=1" and since <= t <= until)

    def close(self):
        self._stop.set()
        self._t.join(1.0)
        self.sock.close()


class RecordingScreen(Screen):
    """The real pygame screen (SDL dummy) that remembers what each frame showed, with time."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        from collections import deque

        # (t, state, headline, message) of the recent frames (bounded: the soak runs for hours)
        self.history: deque[tuple[float, str, str | None, str | None]] = deque(maxlen=20_000)
        self.last_view = None

    def draw(self, view, now=None):
        self.last_view = view
        super().draw(view, now)
        self.history.append((time.monotonic(), view.state.value, view.headline, view.message))

    def first(self, pred, after: float = 0.0):
        for t, state, headline, message in self.history:
            if t >= after and pred(state, headline, message):
                return t
        return None


@dataclass
class Rig:
    cfg: BoothConfig
    booth: Booth
    faults: Faults
    screen: RecordingScreen
    pings: Pings
    store: PhotoStore
    saver: BackgroundSaver
    camera_made: list = field(default_factory=list)
    result: dict = field(default_factory=dict)
    thread: threading.Thread | None = None

    @property
    def out(self) -> Path:
        return self.store.directory

    def start(self, seconds: float = 60.0) -> "Rig":
        def run():
            t0 = time.monotonic()
            try:
                self.result["report"] = self.booth.run(seconds=seconds, warmup_s=0.5)
                self.result["exit"] = 0
            except BoothError as err:
                self.result["error"] = err
                self.result["exit"] = err.exit_code
            self.result["ended"] = time.monotonic()
            self.result["took"] = self.result["ended"] - t0

        # Booth.run installs signal handlers only on the main thread; tests that need SIGTERM
        # call run_here() instead.
        self.thread = threading.Thread(target=run, name="test-booth", daemon=True)
        self.thread.start()
        return self

    def wait(self, pred, timeout: float) -> float | None:
        """Wait until ``pred()``; returns the time it became true (None on timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return time.monotonic()
            time.sleep(0.02)
        return None

    def state(self) -> str:
        step, _ = self.booth.steps.get()
        return step.actions.state.value

    def stop(self, timeout: float = 15.0) -> dict:
        self.booth.stop("test done")
        if self.thread is not None:
            self.thread.join(timeout)
            assert not self.thread.is_alive(), "the booth did not stop"
        self.faults.unblock.set()
        return self.result

    def joined(self, timeout: float) -> dict:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the booth did not stop by itself"
        self.faults.unblock.set()
        return self.result

    def captures(self) -> tuple[list[str], list[str]]:
        """(complete stems, orphan files): a complete capture has its sidecar, both crops and the thumbnail."""
        import json

        complete, files = [], {p.name for p in self.out.glob("*.jpg")}
        for sc in self.out.glob("*.json"):
            meta = json.loads(sc.read_text())
            names = [c["file"] for c in meta["crops"].values()] + [meta["thumbnail"]["file"]]
            assert all(n in files for n in names), f"capture {sc.stem} is missing files"
            files -= set(names)
            complete.append(sc.stem)
        return complete, sorted(files)


def rig_maker(tmp_path: Path, monkeypatch, rigs: list):
    """A function that builds a Rig (see make_rig); ``monkeypatch`` needs setenv/delenv."""

    def make(*, resilient: bool = True, storage=None, handoff=None, save_wrap=None, camera=None, **service) -> Rig:
        cfg = fault_config(tmp_path, camera, **service)
        faults = Faults()
        made: list = []

        def factory():
            cam = FaultCamera(faults)
            made.append(cam)
            return cam

        source = ResilientSource(factory, cfg) if resilient else factory()
        inbox = Inbox()
        if resilient:
            source.on_event = inbox.post
        store = PhotoStore(cfg)

        def save(candidate, badge_id, expression):
            return store.save(candidate, badge_id=badge_id, expression=expression)

        after = None
        if handoff is not None:
            def after(saved, badge_id):
                return handoff.on_saved(list(saved.paths), dict(saved.metadata), badge_id)
        saver = BackgroundSaver(save_wrap(save) if save_wrap else save, inbox, after=after)
        loop = core(cfg, analyzer=ScriptedAnalyzer(faults), store=store, lights=False, saver=saver.submit).loop
        pings = Pings(tmp_path, monkeypatch)
        screen = RecordingScreen(cfg.ui, size=(1280, 720))
        parts = BoothParts(source=source, loop=loop, saver=saver, handoff=handoff,
                           storage=storage if storage is not None else store.readiness,
                           close=[handoff.close] if handoff is not None else [])
        booth = Booth(cfg, parts, screen=screen, notifier=Notifier.from_env(), inbox=inbox)
        rig = Rig(cfg, booth, faults, screen, pings, store, saver, made)
        rigs.append(rig)
        return rig

    return make


def teardown(rigs: list) -> None:
    for rig in rigs:
        rig.faults.unblock.set()
        rig.booth.stop("teardown")
        if rig.thread is not None:
            rig.thread.join(10)
        rig.pings.close()


@pytest.fixture
def make_rig(tmp_path, monkeypatch):
    """``make_rig(**service settings)`` -> a Rig; ``rig.start()`` runs the booth on a thread."""
    rigs: list[Rig] = []
    yield rig_maker(tmp_path, monkeypatch, rigs)
    teardown(rigs)


def slow_drips(port: int, n: int, timeout_s: float) -> list[socket.socket]:
    """``n`` loopback clients that send one byte of a request head and then nothing (the
    slow-drip attack on the download page); the caller closes them."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(timeout_s)
        try:
            s.connect(("127.0.0.1", port))
            s.send(b"G")
            socks.append(s)
        except OSError:
            s.close()
    return socks
