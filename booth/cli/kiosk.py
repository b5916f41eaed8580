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
            from .simulate import add_sitter_arguments

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


def _quiet_sdl(headless: bool) -> None:
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def _start(args, camera_spec: str, seed: int = 0) -> int:
    import dataclasses

    from . import load_config_from_args

    cfg = load_config_from_args(args)
    from ..console.service import check_config

    check_config(cfg)  # [console]/[metrics] mistakes stop the booth before the camera and models start
    if getattr(args, "photos", None) is not None or getattr(args, "prefix", None) is not None:
        from .simulate import apply_sitter_arguments

        cfg = apply_sitter_arguments(cfg, args)  # booth demo --photos DIR --prefix P
    if args.window:
        cfg = dataclasses.replace(cfg, ui=dataclasses.replace(cfg.ui, fullscreen=False))
    _quiet_sdl(args.headless)
    from ..compose import assemble
    from ..watchdog import Notifier

    sim = camera_spec.strip().lower().startswith("sim")
    notifier = Notifier.from_env(cfg.service.watchdog)
    booth = assemble(cfg, camera_spec, seed=seed, paced=not args.fast, lights_required=not sim,
                     notifier=notifier, show_status=args.status)
    screen = booth.screen
    if args.frames:
        _stop_after_frames(booth, args.frames)
    if args.samples:
        booth.samples_path = args.samples
    from ..console.service import OperatorSide

    operator = OperatorSide.start(cfg, booth, stats=booth.stats, config_path=getattr(args, "config", None))
    if operator is not None:
        booth.parts.close.insert(0, operator.close)  # the console and /metrics stop first at shutdown
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
    from ..camera.select import open_source
    from ..errors import CameraError

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
    from . import load_config_from_args

    cfg = load_config_from_args(args)
    return _start(args, resolve_auto(args.camera or cfg.camera.source, cfg))


def _demo(args) -> int:
    return _start(args, f"sim:{args.scenario}", seed=args.seed)


def _check(args) -> int:
    from . import load_config_from_args
    from ..selftest import run_checks

    cfg = load_config_from_args(args)
    _quiet_sdl(False)
    lines = run_checks(cfg, camera=args.camera, button_timeout_s=args.button_timeout,
                       out=lambda s: print(s, flush=True))
    return 1 if any(line.status == "FAIL" for line in lines) else 0


def _stats(args) -> int:
    from dataclasses import asdict

    from . import load_config_from_args
    from ..stats import load_counters

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
    from . import main

    sys.exit(main(["run", *sys.argv[1:]]))
