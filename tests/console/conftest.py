"""A running booth with the operator side switched on, for the console's tests.

The booth is the real app (booth.app.Booth: camera thread, analysis worker, saver, main loop
with the real pygame Screen on SDL's dummy driver), the real OperatorSide (waitress console
and /metrics, the status hooks, the command queue) and the real photo store writing real
captures (the astronaut analysed once by the real FaceAnalyzer). The session is scripted:
it walks every screen in a few seconds, and obeys PAUSE/RESUME the way the real session's
table does (tests/guidance checks that table), so a pause shows on the booth's screen.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
from booth_fakes import PacedCamera, sitter_image  # noqa: E402  (the app tests' camera and sitter picture)

from booth.app import BackgroundSaver, Booth, BoothParts, Inbox
from booth.config import (BoothConfig, ConsoleSection, HandoffSection, MetricsSection, PrintSection, ServiceSection,
                          UiSection)
from booth.types import (Actions, Assessment, BoothState, Candidate, Frame, LightLevels, Prompt, SessionEvent)

PASSWORD = "correct horse battery"
BADGES = ("A1001", "B2002", "C3003", "D4004", "E5005", "F6006")


class Camera(PacedCamera):
    """The app tests' paced camera (20 fps here) under the name the metrics tests read."""

    name = "test-camera"

    def __init__(self, image, fps=20.0):
        super().__init__(fps=fps, image=image)


class PausableSession:
    """Attract -> guiding -> countdown -> capturing -> review -> (keep) saving -> thank-you -> attract,
    by frame counts; PAUSE from anywhere but saving, RESUME back to attract."""

    def __init__(self, observation, saver, n=None):
        self.obs, self.saver = observation, saver
        self.n = n or dict(attract=12, guiding=20, countdown=12, capture=3, review=6, thank_you=10)
        self.state, self.count, self.badge = BoothState.ATTRACT, 0, 0
        self.cfg = None

    def _go(self, s):
        self.state, self.count = s, 0

    def on_frame(self, frame):
        self.count += 1
        s, c, n = self.state, self.count, self.n
        if s is BoothState.ATTRACT and c >= n["attract"]:
            self._go(BoothState.GUIDING)
        elif s is BoothState.GUIDING and c >= n["guiding"]:
            self._go(BoothState.COUNTDOWN)
        elif s is BoothState.COUNTDOWN and c >= n["countdown"]:
            self._go(BoothState.CAPTURING)
        elif s is BoothState.CAPTURING and c >= n["capture"]:
            self._go(BoothState.REVIEW)
        elif s is BoothState.REVIEW and c >= n["review"]:
            self._go(BoothState.SAVING)
            badge = BADGES[self.badge % len(BADGES)]
            self.badge += 1
            cand = Candidate(frame, self.obs, Assessment(frame.t, (), None, True, True, 0.9))
            self.saver(cand, badge, None)
            return Actions(BoothState.SAVING, save=cand, badge_id=badge)
        elif s is BoothState.THANK_YOU and c >= n["thank_you"]:
            self._go(BoothState.ATTRACT)
        lights = {BoothState.ATTRACT: LightLevels.of(key_left=0.15, key_right=0.15),
                  BoothState.PAUSED: LightLevels.of(key_left=0.0, key_right=0.0)}.get(
            self.state, LightLevels.of(key_left=0.62, key_right=0.55))
        prompt = {BoothState.GUIDING: Prompt.LOOK_AT_CAMERA, BoothState.COUNTDOWN: Prompt.HOLD_STILL}.get(self.state)
        return Actions(self.state, prompt=prompt, lights=lights, readiness=0.8,
                       countdown_remaining_s=1.0 if self.state is BoothState.COUNTDOWN else None)

    @property
    def session(self):
        return self

    def on_event(self, event, t, **payload):
        if event is SessionEvent.PAUSE and self.state not in (BoothState.SAVING, BoothState.PAUSED):
            self._go(BoothState.PAUSED)
        elif event is SessionEvent.RESUME and self.state is BoothState.PAUSED:
            self._go(BoothState.ATTRACT)
        elif event is SessionEvent.SAVED and self.state is BoothState.SAVING:
            self._go(BoothState.THANK_YOU)
            return Actions(BoothState.THANK_YOU, saved_files=tuple(payload.get("files", ())))
        return Actions(self.state)


class RecordingRig:
    def __init__(self):
        self.applied = []
        self.channels = ("key_left", "key_right")

    def apply(self, levels):
        self.applied.append(levels)
        return levels

    def off(self):
        pass

    def close(self):
        pass


@dataclasses.dataclass
class RunningBooth:
    cfg: BoothConfig
    booth: Booth
    side: object
    screen: object
    output_dir: Path
    rig: RecordingRig

    @property
    def console_url(self) -> str:
        return self.side.console.url

    @property
    def metrics_url(self) -> str:
        return self.side.metrics.url + "/metrics"

    def wait_for(self, pred, timeout=20.0, what="condition"):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def captures(self) -> list[Path]:
        return sorted(self.output_dir.glob("*.json"))


def make_config(tmp: Path, **console) -> BoothConfig:
    from booth.console.auth import hash_password

    return BoothConfig(
        booth=dataclasses.replace(BoothConfig().booth, output_dir=str(tmp / "photos"), retention_hours=0.0),
        ui=UiSection(fullscreen=False),
        service=ServiceSection(watchdog=False, stats_file=str(tmp / "stats.json")),
        handoff=HandoffSection(),
        console=ConsoleSection(enabled=True, host="127.0.0.1", port=0, password_hash=hash_password(PASSWORD), **console),
        metrics=MetricsSection(enabled=True, host="127.0.0.1", port=0, booth_id="hall-a-03"),
        # a printer that is not there: every kept photo's print fails, and the console must say so
        print=PrintSection(enabled=True, printer="booth_no_such_queue", timeout_s=5.0),
    )


@pytest.fixture(scope="package")
def analysed_sitter():
    """The astronaut picture and what the real analyzer sees in it (one face)."""
    from booth.vision.analyzer import FaceAnalyzer

    image = sitter_image()
    analyzer = FaceAnalyzer(BoothConfig())
    try:
        obs = analyzer.analyze(Frame(image, t=0.0, index=0))
    finally:
        analyzer.close()
    assert obs.face is not None
    return image, obs


@pytest.fixture(scope="package")
def running_booth(tmp_path_factory, analysed_sitter):
    from booth.console.service import OperatorSide
    from booth.output.store import PhotoStore
    from booth.stats import SessionStats
    from booth.ui.screen import Screen

    tmp = tmp_path_factory.mktemp("console-booth")
    cfg = make_config(tmp)
    image, obs = analysed_sitter
    store = PhotoStore(cfg)
    inbox = Inbox()
    saver = BackgroundSaver(lambda cand, badge, expr: store.save(cand, badge_id=badge, expression=expr), inbox)
    session = PausableSession(obs, saver.submit)
    rig = RecordingRig()
    screen = Screen(cfg.ui, size=(800, 480))
    stats = SessionStats(cfg.service.stats_file)
    booth = Booth(cfg, BoothParts(source=Camera(image), loop=session, saver=saver, rig=rig), screen=screen,
                  stats=stats, inbox=inbox)
    side = OperatorSide.start(cfg, booth, stats=stats)
    runner = threading.Thread(target=booth.run, name="booth-under-test", daemon=True)
    runner.start()
    rb = RunningBooth(cfg, booth, side, screen, Path(cfg.booth.output_dir), rig)
    try:
        rb.wait_for(lambda: bool(side.bridge.snapshot()), 10, "the first status snapshot")
        yield rb
    finally:
        booth.stop("tests done")
        runner.join(15)
        side.close()
