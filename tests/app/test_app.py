"""The running booth's threads, with the real pygame screen (SDL dummy) and small fakes."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from booth_fakes import PacedCamera, RecordingRig, ScreenshotScreen, ScriptedSession, SlowSaver

from booth.app import BackgroundSaver, Booth, BoothParts, Inbox, Mailbox
from booth.config import BoothConfig, CameraSection, UiSection
from booth.errors import CameraError
from booth.stats import SessionStats, load_counters
from booth.types import BoothState, SessionEvent
from booth.ui.screen import Screen


def config(**ui) -> BoothConfig:
    return BoothConfig(ui=UiSection(fullscreen=False, **ui))


def test_a_simulated_session_walks_every_screen_and_saves_the_chosen_photo(tmp_path, artifacts_dir):
    shots = artifacts_dir / "session"
    shots.mkdir(exist_ok=True)
    cfg = config()
    screen = ScreenshotScreen(cfg.ui, size=(1280, 720), shots_dir=shots)
    saver = SlowSaver(tmp_path, delay_s=0.5)
    background = BackgroundSaver(saver, Inbox(), after=lambda result, badge: "http://booth.local/p/abc123")
    session = ScriptedSession(capture=10, saver=background.submit)
    rig = RecordingRig()
    stats = SessionStats(tmp_path / "stats.json")
    camera = PacedCamera(fps=30)
    booth = Booth(cfg, BoothParts(source=camera, loop=session, saver=background, rig=rig), screen=screen, stats=stats)

    def finished():
        return session.state is BoothState.ATTRACT and saver.written

    stopper = threading.Thread(target=lambda: (_wait_for(finished, 20), booth.stop("session done")), daemon=True)
    stopper.start()
    report = booth.run(seconds=25)

    assert report.exit_reason == "session done"
    assert list(report.states[:7]) == ["attract", "guiding", "countdown", "capturing", "review", "saving", "thank_you"]
    assert set(screen.saved) >= {"attract", "guiding", "countdown", "capturing", "review", "saving", "thank_you"}
    # The prompt band showed the session's sentence (compared with the text rendered alone).
    assert screen.prompt_scores and all(score > 0.8 for _, score in screen.prompt_scores), screen.prompt_scores
    # The review keys went through the screen to the session: NEXT then KEEP, and the second-best
    # frame (highlighted by NEXT) is the one written.
    assert session.events[:2] == [SessionEvent.NEXT, SessionEvent.KEEP]
    assert SessionEvent.SAVED in session.events
    saved_payload = session.payloads[session.events.index(SessionEvent.SAVED)]
    assert saved_payload == {"files": [str(saver.written[0])]}
    assert saver.written and saver.written[0].exists() and not list(tmp_path.glob("*.part"))
    assert saver.written[0].name == f"photo_{session.review[1].frame.index}.png"
    # The session ran only on the analysis worker, never on the render (main) thread.
    assert threading.main_thread().ident not in session.thread_ids and len(session.thread_ids) == 1
    # Lights followed the session; exposure was locked for the countdown and released after.
    assert rig.applied and rig.off_called and rig.closed
    assert camera.locks[:2] == [True, False] and camera.closed
    counters = load_counters(tmp_path / "stats.json")
    assert (counters.sessions, counters.captures, counters.kept) == (1, 1, 1)


def _wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end and not pred():
        time.sleep(0.02)


def test_frames_are_dropped_not_queued_when_analysis_is_slow():
    cfg = config(fps=30)
    screen = Screen(cfg.ui, size=(640, 360))
    session = ScriptedSession(attract=10**9, work_s=0.04)  # 25 fps analysis at best
    camera = PacedCamera(fps=120)
    booth = Booth(cfg, BoothParts(source=camera, loop=session), screen=screen)
    report = booth.run(seconds=2.5, warmup_s=0.5)
    assert report.camera_frames > 200
    assert report.analysed_frames < report.camera_frames * 0.5
    assert report.dropped_frames > report.camera_frames * 0.4
    # Newest frame wins: the prompt on screen is at most ~one analysis step behind the camera.
    assert report.latency_ms_p50 < 150, report.lines()
    assert 20 <= report.render_fps <= 31, report.lines()


def test_mailbox_keeps_only_the_newest():
    box: Mailbox[int] = Mailbox()
    for i in range(5):
        box.put(i)
    assert box.take(0.01) == 4 and box.dropped == 4
    assert box.take(0.01) is None


def test_sigterm_stops_cleanly_with_the_photo_complete_and_lights_off(tmp_path):
    cfg = config()
    saver = SlowSaver(tmp_path, delay_s=0.8)  # SIGTERM arrives while the photo is being written
    background = BackgroundSaver(saver, Inbox())
    session = ScriptedSession(attract=3, guiding=5, countdown=5, capture=1, auto_keep=True, saver=background.submit)
    rig = RecordingRig()
    camera = PacedCamera(fps=30)
    booth = Booth(cfg, BoothParts(source=camera, loop=session, saver=background, rig=rig), screen=None)

    def term_when_saving():
        _wait_for(lambda: session.state is BoothState.SAVING, 10)
        time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=term_when_saving, daemon=True).start()
    before = signal.getsignal(signal.SIGTERM)  # SIG_DFL, or the light rig's safety net if a rig was made
    report = booth.run(seconds=15)
    assert report.exit_reason == "SIGTERM"
    assert len(saver.written) == 1 and saver.written[0].stat().st_size > 1000
    assert not list(tmp_path.glob("*.part"))
    assert rig.off_called and rig.closed and camera.closed
    assert signal.getsignal(signal.SIGTERM) is before  # handlers restored


def test_a_dead_camera_ends_the_run_with_a_camera_error():
    cfg = BoothConfig(camera=CameraSection(retry_backoff_s=0.01, max_retries=3))
    camera = PacedCamera(fps=60, fail_after=20)
    rig = RecordingRig()
    session = ScriptedSession()
    booth = Booth(cfg, BoothParts(source=camera, loop=session, rig=rig), screen=None)
    with pytest.raises(CameraError, match="unplugged"):
        booth.run(seconds=10)
    assert camera.failed == 4  # the first failure and three retries
    assert rig.off_called and camera.closed


def test_a_camera_that_comes_back_is_reported_lost_then_back():
    cfg = BoothConfig(camera=CameraSection(retry_backoff_s=0.01, max_retries=5))
    camera = PacedCamera(fps=60, fail_after=20, fail_for=3)
    session = ScriptedSession(attract=10**9)
    booth = Booth(cfg, BoothParts(source=camera, loop=session), screen=None)
    threading.Thread(target=lambda: (_wait_for(lambda: SessionEvent.CAMERA_BACK in session.events, 5),
                                     booth.stop("back")), daemon=True).start()
    report = booth.run(seconds=6)
    assert report.exit_reason == "back"
    assert session.events == [SessionEvent.CAMERA_LOST, SessionEvent.CAMERA_BACK]


def test_a_failed_save_is_reported_to_the_session(tmp_path):
    cfg = config()
    background = BackgroundSaver(SlowSaver(tmp_path, fail=True), Inbox())
    session = ScriptedSession(attract=2, guiding=3, countdown=3, capture=1, auto_keep=True, saver=background.submit)
    booth = Booth(cfg, BoothParts(source=PacedCamera(fps=60), loop=session, saver=background))
    threading.Thread(target=lambda: (_wait_for(lambda: SessionEvent.SAVE_FAILED in session.events, 10),
                                     booth.stop("seen")), daemon=True).start()
    report = booth.run(seconds=12)
    assert report.exit_reason == "seen"
    failed = session.payloads[session.events.index(SessionEvent.SAVE_FAILED)]
    assert "disk full" in failed["message"]
