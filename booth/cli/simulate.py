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
    p.set_defaults(handler=run)


def run(args) -> int:
    from . import load_config_from_args
    from ..simulate import run_scenario, sim_config
    from ..camera.sim.scenarios import SCENARIOS, scenario_named

    if args.list:
        for s in SCENARIOS.values():
            print(f"{s.name:28s} {s.description}")
        return 0
    scenario_named(args.scenario)  # a clear error before loading models
    cfg = sim_config(load_config_from_args(args), args.fps)
    import tempfile

    results = []
    # Without --out the photos (of a simulated face) go to a temporary folder that is removed
    # at the end: repeated runs leave nothing behind in /tmp.
    with tempfile.TemporaryDirectory(prefix="booth-sim-") as tmp:
        root = args.out if args.out is not None else tmp
        for seed in range(args.seed, args.seed + max(1, args.seeds)):
            r = run_scenario(args.scenario, seed, cfg, out_dir=f"{root}/{args.scenario}-{seed}",
                             max_seconds=args.max_seconds)
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
    if r.error:
        lines.append(f"  error: {r.error}")
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
