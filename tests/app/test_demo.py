"""The booth end to end with its real parts: the simulated sitter as camera, the real models,
coach, session, light controller, photo store and the real pygame screen (SDL dummy).

Also the short version of the soak (the 100k-frame one is a documented command, see
booth/cli/kiosk.py: ``booth demo --headless --fast --frames 100000 --report``).
"""

from __future__ import annotations

import os
import threading
import time

from booth_fakes import PacedCamera, ScreenshotScreen, ScriptedSession, SlowSaver

from booth.app import BackgroundSaver, Booth, BoothParts, Inbox
from booth.compose import booth_parts
from booth.config import BoothConfig, CameraSection, FramingSection, UiSection
from booth.stats import SessionStats, load_counters
from booth.types import BoothState


def test_the_real_booth_guides_the_simulated_sitter_to_a_saved_photo(tmp_path, artifacts_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)  # [booth] output_dir is relative: photos land in tmp_path/out/photos
    shots = artifacts_dir / "demo"
    shots.mkdir(exist_ok=True)
    # A 1280x960 still with the IED gate scaled to it: the simulator composes a still only
    # when one is wanted (types.Frame.develop), and the review's three then cost less.
    cfg = BoothConfig(ui=UiSection(fullscreen=False), camera=CameraSection(still_width=1280, still_height=960),
                      framing=FramingSection(min_ied_px=50.0, preferred_ied_px=60.0))
    inbox = Inbox()
    parts = booth_parts(cfg, "sim:enter-off-centre", inbox, lights_required=False)
    screen = ScreenshotScreen(cfg.ui, size=(1280, 720), shots_dir=shots, prefix="demo",
                              guiding_frame=60)
    booth = Booth(cfg, parts, screen=screen, stats=SessionStats(tmp_path / "stats.json"), inbox=inbox)

    def until_thank_you():
        end = time.monotonic() + 150
        while time.monotonic() < end and "thank_you" not in screen.saved:
            time.sleep(0.1)
        booth.stop("thank-you shown" if "thank_you" in screen.saved else "gave up")

    threading.Thread(target=until_thank_you, daemon=True).start()
    report = booth.run(seconds=170)
    print("\n".join(report.lines()))

    assert report.exit_reason == "thank-you shown", report.lines()
    for state in ("attract", "guiding", "countdown", "review", "thank_you"):
        assert state in screen.saved, (state, report.states)
    # Every screenshot with a prompt showed the coach's sentence in the band.
    assert screen.prompt_scores and all(s > 0.8 for _, s in screen.prompt_scores), screen.prompt_scores
    photos = sorted((tmp_path / "out" / "photos").rglob("*.jpg"))
    assert photos, "the kept photo was written"
    assert not list((tmp_path / "out" / "photos").rglob("*.part"))
    counters = load_counters(tmp_path / "stats.json")
    assert counters.sessions >= 1 and counters.captures >= 1 and counters.kept >= 1
    assert counters.median_time_to_capture_s is not None


def test_short_soak_memory_and_descriptors_stay_flat(tmp_path):
    """Many sessions through the app's threads, saver and screen (fakes for the heavy parts).

    ``BOOTH_SOAK_FRAMES=100000 pytest tests/app/test_demo.py -k soak -s`` runs the long version
    of this machinery soak (~5 min); the soak with the real models is
    ``booth demo --headless --fast --frames 100000 --report`` (systemd/README.md)."""
    frames = int(os.environ.get("BOOTH_SOAK_FRAMES", "0"))
    cfg = BoothConfig(ui=UiSection(fullscreen=False, fps=60))
    from booth.ui.screen import Screen

    inbox = Inbox()
    saver = BackgroundSaver(SlowSaver(tmp_path, delay_s=0.0), inbox)
    session = ScriptedSession(attract=5, guiding=20, countdown=20, capture=2, thank_you=10, auto_keep=True,
                              saver=saver.submit)
    booth = Booth(cfg, BoothParts(source=PacedCamera(fps=400), loop=session, saver=saver),
                  screen=Screen(cfg.ui, size=(640, 360)), inbox=inbox)
    if frames:
        def stop_at_frames():
            while booth.camera_frames < frames and not booth.stop_event.is_set():
                time.sleep(0.1)
            booth.stop(f"{frames} frames")

        threading.Thread(target=stop_at_frames, daemon=True).start()
    report = booth.run(seconds=None if frames else 14, warmup_s=30 if frames else 4)
    print("\n".join(report.lines()))
    sessions = len(saver.results)  # photos saved: one per completed session
    assert report.camera_frames > 2500 and sessions >= 10, report.lines()
    assert report.rss_growth < 0.05, report.lines()
    assert report.fds_end <= report.fds_warm, report.lines()
    assert session.state is not BoothState.ERROR
