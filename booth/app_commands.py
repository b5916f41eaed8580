"""`booth run`, `booth demo`, `booth check`, `booth stats`: the kiosk's commands.

::

    booth run                         # the booth: picamera2, else a webcam, else the simulated sitter
    booth run --camera opencv:0       # a USB webcam at a desk
    booth demo                        # the simulated sitter on screen, answering the prompts
    booth demo --seconds 60 --headless --report   # steady-rate check: fps and camera-to-screen latency
    booth demo --headless --fast --frames 100000 --report   # the soak: RSS and fd growth
    booth check                       # installer self-test, PASS/FAIL/SKIP per part
    booth stats                       # sessions, captures, retakes, abandon rate, time to capture
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time

log = logging.getLogger("booth.app")


def register(sub: argparse._SubParsersAction) -> None:
    for name, helptext in (("run", "run the booth (camera, guidance, lights, screen)"),
                           ("demo", "the booth with the simulated sitter answering its prompts")):
        p = sub.add_parser(name, help=helptext, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
        if name == "run":
            p.add_argument("--camera", metavar="SPEC", default=None,
                           help="auto | picamera2[:N] | opencv:N | file:PATH | sim[:SCENARIO] (default: [camera] source)")
        else:
            p.add_argument("--scenario", default="enter-off-centre", help="simulated sitter scenario (see booth simulate)")
            p.add_argument("--seed", type=int, default=0)
            from .camera.commands import add_sitter_arguments

            add_sitter_arguments(p)
        p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="booth TOML config")
        p.add_argument("--seconds", type=float, default=None, help="stop after this long")
        p.add_argument("--frames", type=int, default=None, help="stop after this many camera frames (soak runs)")
        p.add_argument("--headless", action="store_true", help="draw off-screen (SDL dummy driver): no window")
        p.add_argument("--window", action="store_true", help="a window even when [ui] fullscreen = true")
        p.add_argument("--fast", action="store_true",
                       help="simulated camera as fast as it renders instead of at [camera] fps (soak runs)")
        p.add_argument("--report", action="store_true",
                       help="print fps, camera-to-screen latency, RSS and fd figures at the end")
        p.add_argument("--status", action="store_true", help="show an fps/latency line on the screen")
        p.add_argument("--warmup", type=float, default=3.0, metavar="S",
                       help="seconds before the memory/fd baseline of --report is taken")
        p.add_argument("--samples", metavar="CSV", default=None,
                       help="write (seconds, RSS KiB, fds, camera frames) every 10 s to this CSV (soak runs)")
        p.set_defaults(handler=_run if name == "run" else _demo)

    c = sub.add_parser("check", help="installer self-test: camera, lights, buttons, display, disk, models, runtime")
    c.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS)
    c.add_argument("--camera", metavar="SPEC", default=None, help="camera to test (default: [camera] source)")
    c.add_argument("--button-timeout", type=float, default=10.0, help="seconds to wait for each button press")
    c.set_defaults(handler=_check)

    s = sub.add_parser("stats", help="show the booth's durable counters")
    s.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS)
    s.add_argument("--json", action="store_true", help="machine-readable")
    s.set_defaults(handler=_stats)


# --------------------------------------------------------------------------- composing the parts


class _SimCamera:
    """The simulated sitter as the app's camera: frames at a camera's rate (a real camera paces
    itself; the simulator renders as fast as asked) and one lock, because the camera thread
    reads while the analysis worker shows the sitter each step (``respond``)."""

    def __init__(self, sitter, fps: float | None):
        self.sitter = sitter
        self.period = 1.0 / fps if fps else 0.0
        self.name = getattr(sitter, "name", "sim")
        self._lock = threading.Lock()
        self._next = 0.0

    def start(self):
        with self._lock:
            self.sitter.start()
        self._next = time.monotonic()

    def read(self, timeout=None):
        if self.period:
            self._next += self.period
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                self._next = time.monotonic()
        with self._lock:
            return self.sitter.read(timeout)

    def respond(self, actions):
        with self._lock:
            self.sitter.respond(actions)

    def __getattr__(self, name):  # capture_still, lock/unlock_exposure, close
        attr = getattr(self.sitter, name)
        if not callable(attr):
            return attr

        def locked(*a, **kw):
            with self._lock:
                return attr(*a, **kw)

        return locked


def build_parts(cfg, camera_spec: str, inbox, *, seed: int = 0, paced: bool = True, lights_required: bool = True):
    """The real parts for ``camera_spec``: camera, analyzer, light controller and rig, photo
    store behind a background saver, handoff (when configured) and the booth loop."""
    from .app import BackgroundSaver, BoothParts
    from .camera.select import open_source
    from .errors import BoothError

    source = open_source(camera_spec, cfg, on_event=inbox.post, seed=seed)
    sitter = None
    if hasattr(source, "respond"):
        source = sitter = _SimCamera(source, cfg.camera.fps if paced else None)
    closers = []
    from .vision.analyzer import FaceAnalyzer

    analyzer = FaceAnalyzer(cfg)
    closers.append(analyzer.close)
    from .output.store import PhotoStore

    store = PhotoStore(cfg)
    rig = controller = None
    if cfg.lights.enabled:
        from .lights.controller import LightController
        from .lights.rig import LightRig

        controller = LightController(cfg)
        try:
            rig = LightRig(cfg.lights)
        except BoothError as err:
            if lights_required:
                raise
            log.warning("running without lights: %s", err)
    from .handoff import Handoff

    # Handoff always runs: it does retention (upload-aware), and the QR page and fleet upload
    # when they are configured.
    from .types import SessionEvent

    def badge_read(result) -> None:  # a USB scanner on evdev (scanner thread)
        if result.ok:
            inbox.post(SessionEvent.BADGE_SCANNED, badge_id=result.badge_id)
        else:
            log.info("badge scan refused: %s", result.message)

    handoff = Handoff(cfg, on_badge=badge_read).start()
    closers.append(handoff.close)

    def after(saved, badge_id):
        return handoff.on_saved(list(saved.paths), dict(saved.metadata), badge_id)

    def save(candidate, badge_id, expression):
        return store.save(candidate, badge_id=badge_id, expression=expression)

    saver = BackgroundSaver(save, inbox, after=after)
    from .loop import BoothLoop

    loop = BoothLoop(cfg, analyzer, store, light_controller=controller, saver=saver.submit)
    return BoothParts(source=source, loop=loop, saver=saver, rig=rig, sitter=sitter, close=closers, handoff=handoff)


def badge_keys(handoff, screen, inbox):
    """Keystrokes from a keyboard-wedge badge scanner (or typed on a keyboard) -> badge IDs.

    Characters go to the handoff's scan buffer; Enter ends a scan. An accepted ID reaches the
    session (BADGE_SCANNED: it names the files and goes into the sidecar); a refused one shows
    "please scan again" on screen. Enter with no scan pending stays the shutter/keep key."""
    import time

    from .types import SessionEvent

    def on_char(ch: str) -> bool:
        if ch == "\n" and not handoff.scan_buffer.pending:
            return False
        result = handoff.scan_buffer.feed(ch, time.monotonic())
        if result is not None:
            if result.ok:
                inbox.post(SessionEvent.BADGE_SCANNED, badge_id=result.badge_id)
                screen.notice(result.message)
            else:
                screen.notice(result.message)
        return True

    return on_char


def _quiet_sdl(headless: bool) -> None:
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def _start(args, camera_spec: str, seed: int = 0) -> int:
    import dataclasses

    from .cli import load_config_from_args

    cfg = load_config_from_args(args)
    if getattr(args, "photos", None) is not None or getattr(args, "prefix", None) is not None:
        from .camera.commands import apply_sitter_arguments

        cfg = apply_sitter_arguments(cfg, args)  # booth demo --photos DIR --prefix P
    if args.window:
        cfg = dataclasses.replace(cfg, ui=dataclasses.replace(cfg.ui, fullscreen=False))
    _quiet_sdl(args.headless)
    from .app import Booth, Inbox
    from .stats import SessionStats
    from .ui.buttons import GpioButtons
    from .ui.screen import Screen
    from .watchdog import Notifier

    inbox = Inbox()
    sim = camera_spec.strip().lower().startswith("sim")
    parts = build_parts(cfg, camera_spec, inbox, seed=seed, paced=not args.fast, lights_required=not sim)
    screen = Screen(cfg.ui)
    screen.on_char = badge_keys(parts.handoff, screen, inbox)
    parts.buttons = GpioButtons(cfg.buttons, inbox.post)
    notifier = Notifier.from_env(cfg.service.watchdog)
    booth = Booth(cfg, parts, screen=screen, notifier=notifier, stats=SessionStats(cfg.service.stats_file),
                  show_status=args.status, inbox=inbox)
    if args.frames:
        _stop_after_frames(booth, args.frames)
    if args.samples:
        booth.samples_path = args.samples
    log.info("booth running: camera %s, screen %s %dx%d", camera_spec, screen.driver, *screen.layout.size)
    try:
        report = booth.run(seconds=args.seconds, warmup_s=args.warmup)
    finally:
        notifier.close()
    if args.report:
        print("\n".join(report.lines()))
    return 0


def _stop_after_frames(booth, frames: int) -> None:
    def watch():
        while not booth.stop_event.is_set():
            if booth.camera_frames >= frames:
                booth.stop(f"{frames} frames")
                return
            time.sleep(0.05)

    threading.Thread(target=watch, name="frame-limit", daemon=True).start()


def resolve_auto(spec: str, cfg) -> str:
    """``auto``: picamera2 if a Pi camera is there, else a webcam, else the simulated sitter
    (so a booth at a desk without any camera still starts, and says so)."""
    if spec.strip().lower() != "auto":
        return spec
    from .camera.select import open_source
    from .errors import CameraError

    probe = open_source("auto", cfg, resilient=False)
    try:
        probe.start()
        probe.read(cfg.camera.timeout_s)
        return "auto"
    except CameraError as err:
        log.warning("no camera found (%s); running the simulated sitter instead", err)
        return "sim"
    finally:
        try:
            probe.close()
        except Exception:  # noqa: BLE001 - the probe is gone either way
            pass


def _run(args) -> int:
    from .cli import load_config_from_args

    cfg = load_config_from_args(args)
    return _start(args, resolve_auto(args.camera or cfg.camera.source, cfg))


def _demo(args) -> int:
    return _start(args, f"sim:{args.scenario}", seed=args.seed)


def _check(args) -> int:
    from .cli import load_config_from_args
    from .selftest import run_checks

    cfg = load_config_from_args(args)
    _quiet_sdl(False)
    lines = run_checks(cfg, camera=args.camera, button_timeout_s=args.button_timeout,
                       out=lambda s: print(s, flush=True))
    return 1 if any(line.status == "FAIL" for line in lines) else 0


def _stats(args) -> int:
    from dataclasses import asdict

    from .cli import load_config_from_args
    from .stats import load_counters

    cfg = load_config_from_args(args)
    counters = load_counters(cfg.service.stats_file)
    if args.json:
        data = asdict(counters)
        data.pop("times_to_capture_s")
        data.update(abandon_rate=counters.abandon_rate, median_time_to_capture_s=counters.median_time_to_capture_s)
        print(json.dumps(data, indent=1))
    else:
        print(f"counters from {cfg.service.stats_file}")
        print("\n".join(counters.lines()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    from .cli import main

    sys.exit(main(["run", *sys.argv[1:]]))
