"""The console's commands carried out on the booth the way the analysis thread does: the real
BoothLoop and Session, profile switch, config reload (its error worded as the CLI words it),
pause/resume through the session's table, and refusal while a sitter is being photographed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from booth.app import Booth, BoothParts
from booth.config import BoothConfig, Profile
from booth.console.hooks import ConsoleBridge
from booth.errors import BoothError, ConfigError
from booth.compose import core
from booth.output.store import PhotoStore
from booth.session import Session
from booth.stats import SessionStats
from booth.types import Actions, BoothState, FaceObservation, SessionEvent

from .conftest import Camera, RecordingRig, make_config, sitter_image


class NobodyThere:
    def analyze(self, frame):
        return FaceObservation(t=frame.t, frame_index=frame.index, image_size=frame.size, faces=0, face_boxes=(),
                               face=None)


def drain(booth):
    """What the analysis worker does with the inbox each turn."""
    for posted in booth.inbox.drain():
        booth.console.on_event(posted.event)
        booth._carry_out(booth.parts.loop.on_event(posted.event, booth._last_frame_t, **dict(posted.payload)), None)


@pytest.fixture
def idle_booth(tmp_path):
    cfg = make_config(tmp_path)
    loop = core(cfg, analyzer=NobodyThere(), store=PhotoStore(cfg), lights=False).loop
    booth = Booth(cfg, BoothParts(source=Camera(sitter_image()), loop=loop, rig=RecordingRig()), screen=None)
    bridge = ConsoleBridge(cfg, stats=SessionStats(None), config_path=str(tmp_path / "booth.toml"))
    booth.console = bridge
    yield booth, bridge, tmp_path
    bridge.close()


def run(booth, bridge, kind, arg=None):
    fut = bridge.submit(kind, arg)
    bridge.tick(booth)
    drain(booth)
    return fut.result(timeout=1)


def test_switching_profile_rebuilds_the_session_and_coach_for_the_next_sitter(idle_booth):
    booth, bridge, _ = idle_booth
    old_session = booth.parts.loop.session
    assert run(booth, bridge, "profile", "badge") == "profile is now badge"
    loop = booth.parts.loop
    assert loop.cfg.profile is Profile.BADGE and booth.cfg.profile is Profile.BADGE
    assert loop.session is not old_session and loop.session.cfg.profile is Profile.BADGE
    assert loop.coach.cfg.profile is Profile.BADGE and loop.store.cfg.profile is Profile.BADGE
    with pytest.raises(ValueError):
        run(booth, bridge, "profile", "wedding")


def test_a_bad_config_is_refused_with_the_line_the_cli_prints(idle_booth):
    booth, bridge, tmp = idle_booth
    bad = tmp / "booth.toml"
    bad.write_text("[booth]\ncountdown_s = -1.0\n")
    with pytest.raises(ConfigError) as err:
        run(booth, bridge, "reload")
    cli = subprocess.run([sys.executable, "-m", "booth.cli", "--config", str(bad), "config"], capture_output=True,
                         text=True, timeout=60)
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"booth: {err.value}"  # the console shows exactly this line
    assert "countdown_s = -1.0 is out of range" in str(err.value)
    assert booth.cfg.booth.countdown_s == 3.0  # nothing applied


def test_a_good_config_is_applied_and_hardware_changes_wait_for_a_restart(idle_booth):
    booth, bridge, tmp = idle_booth
    (tmp / "booth.toml").write_text(
        f'[booth]\nprofile = "actor"\ncountdown_s = 5.0\noutput_dir = "{booth.cfg.booth.output_dir}"\n'
        '[camera]\nfps = 15.0\n')
    msg = run(booth, bridge, "reload")
    assert "loaded and applied" in msg and "takes effect at the next restart: [camera]" in msg
    assert booth.cfg.profile is Profile.ACTOR and booth.parts.loop.session.cfg.booth.countdown_s == 5.0
    assert booth.cfg.camera.fps == 30.0  # the running camera keeps its settings until the restart


def test_pause_and_resume_go_through_the_session_and_survive_a_profile_switch(idle_booth):
    booth, bridge, _ = idle_booth
    assert run(booth, bridge, "pause").startswith("paused")
    assert booth.parts.loop.state is BoothState.PAUSED
    assert booth.steps.get()[0].actions.state is BoothState.PAUSED  # what the screen draws
    run(booth, bridge, "profile", "badge")
    assert booth.parts.loop.state is BoothState.PAUSED  # still out of service with the new profile
    run(booth, bridge, "resume")
    assert booth.parts.loop.state is BoothState.ATTRACT


def test_nothing_is_switched_under_a_sitter(idle_booth):
    booth, bridge, _ = idle_booth
    booth.parts.loop.session.state = BoothState.COUNTDOWN
    for kind, arg in (("profile", "badge"), ("reload", None), ("lights_test", None)):
        with pytest.raises(BoothError, match="a sitter is being photographed"):
            run(booth, bridge, kind, arg)
    assert booth.cfg.profile is Profile.PROFESSIONAL


def test_the_session_table_pauses_from_anywhere_but_saving():
    cfg = BoothConfig()
    for state in BoothState:
        s = Session(cfg)
        s.state = state
        s.handle(SessionEvent.PAUSE, 1.0)
        assert s.state is (BoothState.SAVING if state is BoothState.SAVING else BoothState.PAUSED), state
    s = Session(cfg)
    s.handle(SessionEvent.PAUSE, 1.0)
    for ev in (SessionEvent.SHUTTER, SessionEvent.CAMERA_LOST, SessionEvent.KEEP, SessionEvent.SAVED):
        s.handle(ev, 2.0)
        assert s.state is BoothState.PAUSED, ev
    s.handle(SessionEvent.RESUME, 3.0)
    assert s.state is BoothState.ATTRACT


def test_a_pause_is_neither_a_session_nor_an_abandon_in_the_counters():
    stats = SessionStats(None)
    for st in (BoothState.ATTRACT, BoothState.PAUSED, BoothState.ATTRACT, BoothState.GUIDING, BoothState.PAUSED,
               BoothState.ATTRACT):
        stats.observe(Actions(st), 0.0)
    c = stats.counters
    assert (c.sessions, c.abandoned) == (1, 1)  # the one sitter who was there when it paused


def test_a_pause_during_a_save_waits_for_the_photo_then_takes_the_booth_out_of_service(idle_booth):
    booth, bridge, _ = idle_booth
    session = booth.parts.loop.session
    session.state = BoothState.SAVING
    assert run(booth, bridge, "pause").startswith("pausing once the photo being saved is written")
    assert booth.parts.loop.state is BoothState.SAVING  # the photo being written is not abandoned
    booth.post(SessionEvent.SAVED, files=["x_4x5.jpg"])
    drain(booth)
    assert booth.parts.loop.state is BoothState.THANK_YOU
    bridge.tick(booth)  # the next analysis turn
    drain(booth)
    assert booth.parts.loop.state is BoothState.PAUSED
    bridge.tick(booth)
    assert not booth.inbox.drain()  # paused once, not again and again
