"""``booth simulate``: the whole booth, headless, against a simulated sitter."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("simulate", help="run the real booth loop headless against a simulated sitter (see booth/camera/sim)")
    p.add_argument("--scenario", default="enter-off-centre", help="scenario name (--list shows them)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--seeds", type=int, default=1, metavar="N", help="run seeds seed..seed+N-1 and print the distribution")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--out", metavar="DIR", default=None, help="write the saved photos here (default: a temp dir)")
    p.add_argument("--max-seconds", type=float, default=None, help="simulated seconds before giving up")
    p.add_argument("--fps", type=float, default=15.0,
                   help="simulated camera frame rate (default 15: about what the Pi's analysis keeps up with)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    add_sitter_arguments(p)
    p.add_argument("--profile", choices=("badge", "professional", "actor"), help="override [booth] profile")
    p.add_argument("--screenshots", metavar="DIR", default=None,
                   help="draw the booth's screen (headless) and save a PNG at each new prompt or state")
    p.add_argument("--no-skip-button", action="store_true",
                   help="actor series: the sitter never presses Skip (the booth skips by itself)")
    p.set_defaults(handler=run)


def add_sitter_arguments(p) -> None:
    """``--photos DIR --prefix P``: the simulated sitter's photo set (``booth simulate``, ``booth demo``)."""
    p.add_argument("--photos", metavar="DIR", default=None,
                   help="the sitter's photos: one person's *normal*, *happy*, *sad*, ... files ([camera] sim_photos)")
    p.add_argument("--prefix", metavar="P", default=None,
                   help="only files starting with P in --photos, e.g. subject01_ ([camera] sim_photos_prefix)")


def apply_sitter_arguments(cfg, args):
    """The config with the sitter photo set and profile the command line asked for."""
    import dataclasses

    from ..config import Profile

    cam = cfg.camera
    if getattr(args, "photos", None) is not None:
        cam = dataclasses.replace(cam, sim_photos=args.photos)
    if getattr(args, "prefix", None) is not None:
        cam = dataclasses.replace(cam, sim_photos_prefix=args.prefix)
    cfg = dataclasses.replace(cfg, camera=cam)
    if getattr(args, "profile", None):
        cfg = dataclasses.replace(cfg, booth=dataclasses.replace(cfg.booth, profile=Profile(args.profile)))
    if cfg.camera.sim_photos:
        from ..camera.sim.photos import photos_for

        photos_for(cfg)  # a clear error (no neutral photo, unreadable file) before the run
    return cfg


def run(args) -> int:
    from . import load_config_from_args
    from ..simulate import run_scenario, sim_config
    from ..camera.sim.scenarios import SCENARIOS, scenario_named

    if args.list:
        for s in SCENARIOS.values():
            print(f"{s.name:28s} {s.description}")
        return 0
    scenario_named(args.scenario)  # a clear error before loading models
    cfg = apply_sitter_arguments(sim_config(load_config_from_args(args), args.fps), args)
    import tempfile

    results = []
    # Without --out the photos (of a simulated face) go to a temporary folder that is removed
    # at the end: repeated runs leave nothing behind in /tmp.
    with tempfile.TemporaryDirectory(prefix="booth-sim-") as tmp:
        root = args.out if args.out is not None else tmp
        for seed in range(args.seed, args.seed + max(1, args.seeds)):
            shooter = None if args.screenshots is None else Screenshots(cfg, f"{args.screenshots}/{args.scenario}-{seed}")
            try:
                r = run_scenario(args.scenario, seed, cfg, out_dir=f"{root}/{args.scenario}-{seed}",
                                 max_seconds=args.max_seconds, skip_press_s=None if args.no_skip_button else 3.0,
                                 on_screen=shooter)
            finally:
                if shooter is not None:
                    shooter.close()
            results.append(r)
            if not args.json:
                print(summary_text(r))
        if args.out is None and not args.json and any(r.captured for r in results):
            print("(photos were written to a temporary folder, now removed; pass --out DIR to keep them)")
    if args.json:
        doc = [r.to_json() for r in results]
        print(json.dumps(doc[0] if len(doc) == 1 else doc, indent=2))
    elif len(results) > 1:
        print(distribution_text(results))
        if any(r.series for r in results):
            print(series_distribution_text(results))
    return 0 if all(r.error is None for r in results) else 1


def summary_text(r) -> str:
    lines = [f"scenario {r.scenario} seed {r.seed}: {'captured' if r.captured else 'NOT captured'}"
             + (f" after {r.time_to_capture_s:.2f} s (simulated)" if r.time_to_capture_s is not None else "")
             + f"; {r.sim_seconds:.1f} s simulated, {r.frames} frames"]
    lines.append(f"  prompts: {', '.join(r.prompts) or '-'}")
    lines.append(f"  states: {' > '.join(s.split(' ', 1)[1] for s in r.states)}")
    if r.countdown_aborted:
        lines.append(f"  countdowns aborted: {r.countdown_aborted}")
    if r.camera_events:
        lines.append(f"  camera: {', '.join(r.camera_events)}")
    lights = ", ".join(f"{k} {v:.2f}" for k, v in r.final_lights.items())
    dev = f"{r.final_dev:+.2f}" if r.final_dev is not None else "-"
    lines.append(f"  lights: {lights or '-'}; dEV {dev}; most faces seen {r.max_faces}")
    if r.photo is not None:
        p = r.photo
        lines.append(f"  photo: ready {r.photo_ready}; IED {p.get('ied_px')} px, roll {p.get('roll')}, gaze "
                     f"{p.get('gaze_h')},{p.get('gaze_v')}, eyes {p.get('ear_left')}/{p.get('ear_right')}, "
                     f"exposure {p.get('exposure')}, dEV {p.get('light_balance_ev')}; failing {p.get('failing')}")
        lines.append(f"  files: {', '.join(r.saved_files)}")
    if r.series:
        done = f"series review after {r.series_done_s:.2f} s" if r.series_done_s is not None else "series NOT finished"
        lines.append(f"  series: {done}; " + ", ".join(
            f"{e['expression']} {e['status']}" + (f" ({e['skipped_by']})" if e["skipped_by"] else "")
            + (f" {e['seconds']:.1f} s" if e["seconds"] is not None else "") for e in r.series))
        if r.series_note:
            lines.append(f"  series sidecar: {r.series_note}")
    if r.error:
        lines.append(f"  error: {r.error}")
    return "\n".join(lines)


class Screenshots:
    """The booth's real screen, drawn off-screen, saved as PNG at each new prompt or state
    (and when a skip is first offered) of a simulated session: what the sitter saw."""

    def __init__(self, cfg, directory: str, size: tuple[int, int] = (1280, 720)):
        import os
        from pathlib import Path

        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        from ..ui.screen import Screen
        from ..ui.view import ViewBuilder

        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.screen = Screen(cfg.ui, size=size)
        self.builder = ViewBuilder()
        self.last: tuple[object, ...] | None = None
        self.count = 0
        self.paths: list = []

    def __call__(self, actions, image) -> None:
        view = self.builder.build(actions, image)
        key = (actions.state, view.prompt, actions.skip_offered, actions.expression_step)
        if key == self.last or actions.state.value in ("capturing", "saving"):
            return
        self.last = key
        self.screen.draw(view, now=0.0)
        self.count += 1
        name = f"{self.count:03d}_{actions.state.value}"
        if actions.expression_step is not None:
            name += f"_expr{actions.expression_step[0] + 1}"
        if actions.skip_offered:
            name += "_skip"
        path = self.dir / f"{name}.png"
        self.screen.screenshot(path)
        self.paths.append(path)

    def close(self) -> None:
        self.screen.close()


def series_distribution_text(results) -> str:
    """Actor series over seeds: per expression, how often saved and the seconds it took."""
    import statistics

    names = [e["expression"] for e in results[0].series]
    lines = [f"{len(results)} seeds: series finished {sum(r.series_done_s is not None for r in results)}/{len(results)}"
             + (f", median {statistics.median([r.series_done_s for r in results if r.series_done_s is not None]):.1f} s"
                if any(r.series_done_s is not None for r in results) else "")]
    for i, name in enumerate(names):
        items = [r.series[i] for r in results if len(r.series) > i]
        saved = [e["seconds"] for e in items if e["status"] == "saved" and e["seconds"] is not None]
        skipped = [e["seconds"] for e in items if e["status"] == "skipped" and e["seconds"] is not None]
        part = f"  {name:13s} saved {len(saved)}/{len(items)}"
        if saved:
            part += f" in {min(saved):.1f}-{max(saved):.1f} s (median {statistics.median(saved):.1f})"
        if skipped:
            part += f"; skipped {len(skipped)} after {min(skipped):.1f}-{max(skipped):.1f} s"
        lines.append(part)
    return "\n".join(lines)


def distribution_text(results) -> str:
    import statistics

    times = sorted(r.time_to_capture_s for r in results if r.time_to_capture_s is not None)
    n = len(results)
    if not times:
        return f"{n} seeds: no capture"
    q = statistics.quantiles(times, n=4) if len(times) >= 2 else [times[0]] * 3
    return (f"{n} seeds: captured {len(times)}/{n}; time_to_capture_s min {times[0]:.2f} q1 {q[0]:.2f} "
            f"median {statistics.median(times):.2f} q3 {q[2]:.2f} max {times[-1]:.2f}; all: "
            + " ".join(f"{t:.2f}" for t in times))
