"""``booth analyze`` and ``booth bench``.

    booth analyze photo.jpg folder/ [--json] [--annotate DIR] [--profile badge]
    booth bench [--json] [--threads N] [--mediapipe-python /path/to/python] [--videos DIR] [--quick]
    booth bench --startup [--runs N]

``analyze`` runs the face pipeline in static mode on each image and prints its measures,
the guidance checks and the one prompt the booth would show. A file that cannot be read is
reported on its own line and the rest continue (exit 1 if any failed).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from ..vision.report import face_json
from ..errors import BoothError


def register(sub) -> None:
    p = sub.add_parser("analyze", help="analyse photos: face measures, checks, the prompt the booth would show")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    p.add_argument("--json", action="store_true", help="one JSON object per image per line")
    p.add_argument("--annotate", metavar="DIR", help="write an annotated PNG per image into DIR")
    p.add_argument("--profile", choices=("badge", "professional", "actor"), help="override [booth] profile")
    p.set_defaults(handler=cmd_analyze)

    b = sub.add_parser("bench", help="time the face pipeline on every frame of the shared videos (face and no-face "
                                     "frames), against MediaPipe; --quick: 120 frames per stage at 640x480, 1280x720")
    b.add_argument("--json", action="store_true")
    b.add_argument("--threads", type=int, help="interpreter threads (default: [vision] threads)")
    b.add_argument("--quick", action="store_true",
                   help="the short run: the first --frames frames of one clip, per stage, at 640x480 and 1280x720")
    b.add_argument("--videos", metavar="DIR", help="whole-clip run: every video in DIR (default ../shared/data/videos)")
    b.add_argument("--no-loop", action="store_true", help="whole-clip run: skip the 'loop' row (coach, lights, session)")
    b.add_argument("--frames", type=int, default=120, help="--quick: frames per round (default 120)")
    b.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    b.add_argument("--all-cores", action="store_true",
                   help="do not pin the run to one CPU (MediaPipe then uses every core)")
    b.add_argument("--mediapipe-python", metavar="PYTHON",
                   help="an interpreter with mediapipe==0.10.14 for the comparison, when this one lacks it")
    b.add_argument("--startup", action="store_true",
                   help="time the start-up to the first analysed frame instead: `booth demo --headless` and the bare "
                        "analysis path (the floor), each in --runs fresh processes")
    b.add_argument("--runs", type=int, default=8, help="--startup: processes of each kind (default 8)")
    b.set_defaults(handler=cmd_bench)


# ------------------------------------------------------------------------------ analyze

#: photos are analysed at most this large on the long side (faces need far less; decoding a
#: 12000x9000 photo whole would take gigabytes)
ANALYZE_MAX_SIDE = 4096


class UsageError(BoothError):
    """A bad command line: one line, exit 2."""


def _guidance():
    """(assess_still, prompt text) from the guidance room, or None when it is not there."""
    try:
        from ..guidance.checks import assess_still
        from ..guidance.prompts import text
    except ImportError:
        return None
    return assess_still, text


def observation_json(path: str, obs, assessment, text_of, note: str | None, near: list[str] | None = None) -> dict:
    out = {"path": path, "size": list(obs.image_size), "faces": obs.faces, "face": face_json(obs.face)}
    if assessment is None:
        out.update(checks=[], prompt=None, ready=None)
    else:
        out["checks"] = [{"name": c.name, "ok": bool(c.ok), "value": None if c.value is None else round(float(c.value), 4),
                          "target": c.target, "prompt": text_of(c.prompt) if c.prompt is not None else None}
                         for c in assessment.checks]
        amount = getattr(assessment, "prompt_amount", None)
        out["prompt"] = text_of(assessment.prompt, amount=amount) if assessment.prompt is not None else None
        out["prompt_amount"] = None if amount is None else round(float(amount), 3)  # frame widths to go
        out["ready"] = bool(assessment.gates_ok)
    if near is not None:
        # Checks whose verdict would flip if a measure moved by its platform tolerance (a Pi's
        # aarch64 build measures slightly differently): a knife-edge verdict, said so.
        out["near_threshold"] = near
    if note:
        out["note"] = note
    out["timings_ms"] = {k: round(v, 2) for k, v in obs.timings_ms.items()}
    return out


def human_line(rec: dict) -> str:
    f = rec["face"]
    if f is None:
        head = f"{rec['path']}: no face"
    else:
        head = (f"{rec['path']}: faces {rec['faces']}  IED {f['ied_px']:.0f}px  yaw {f['yaw']:+.1f} pitch {f['pitch']:+.1f} "
                f"roll {f['roll']:+.1f}  eyes L {f['ear_left']:.2f} R {f['ear_right']:.2f}{' CLOSED' if f['eyes_closed'] else ''}  "
                f"gaze {f['gaze_h']:+.2f},{f['gaze_v']:+.2f}  smile {f['smile']:.2f}  mouth {f['mouth_gap']:.2f}  "
                f"exposure {f['exposure']:.2f} clipped {100 * f['clipped']:.1f}%  dEV {f['light_balance_ev']:+.2f}  "
                f"sharp {f['sharpness']:.0f}  bg {f['background'] if f['background'] is not None else '-'}")
    if rec.get("ready") is not None:
        failing = [c["name"] for c in rec["checks"] if not c["ok"]]
        head += f"\n    ready: {'yes' if rec['ready'] else 'no'}; prompt: {rec['prompt'] or '-'}; failing: {', '.join(failing) or 'none'}"
        if rec.get("near_threshold"):
            head += f"; within platform tolerance of its threshold: {', '.join(rec['near_threshold'])}"
    elif rec.get("note"):
        head += f"\n    ({rec['note']})"
    return head


def cmd_analyze(args) -> int:
    from . import load_config_from_args
    from ..errors import BoothError
    from ..guidance.tolerance import checks_near_threshold
    from ..vision.analyzer import FaceAnalyzer
    from ..vision.images import list_images, load_image

    cfg = load_config_from_args(args)
    if args.profile:
        cfg = cfg.with_profile(args.profile)
    guidance = _guidance()
    note = None if guidance else "guidance checks unavailable (booth.guidance not installed): measures only"
    files = list_images(args.paths)
    if not files:
        print("booth: no images found in the given paths", file=sys.stderr)
        return 1
    annotate_dir = Path(args.annotate) if args.annotate else None
    if annotate_dir:
        from ..vision.images import IMAGE_SUFFIXES

        if annotate_dir.exists() and not annotate_dir.is_dir():
            raise UsageError(f"--annotate {annotate_dir} is a file, not a folder. Fix: give the folder for the "
                             f"annotated PNGs first, e.g. --annotate out/ {annotate_dir}")
        if not annotate_dir.exists() and annotate_dir.suffix.lower() in IMAGE_SUFFIXES:
            raise UsageError(f"--annotate {annotate_dir} looks like an image, not a folder. Fix: --annotate DIR "
                             "then the photos")
        try:
            annotate_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--annotate {annotate_dir}: cannot create it ({exc.strerror or exc}). "
                             "Fix: give a writable folder") from None
    failed = 0
    with FaceAnalyzer(cfg) as analyzer:
        for path in files:
            try:
                image = load_image(path, max_side=ANALYZE_MAX_SIDE)
            except BoothError as err:
                failed += 1
                if args.json:
                    print(json.dumps({"path": str(path), "error": str(err)}), flush=True)
                else:
                    print(f"{path}: ERROR {err}", flush=True)
                continue
            obs = analyzer.analyze_still(image)
            assessment = guidance[0](obs, cfg) if guidance else None
            near = checks_near_threshold(obs, lambda o: guidance[0](o, cfg), assessment) if guidance else None
            rec = observation_json(str(path), obs, assessment, guidance[1] if guidance else None, note, near)
            print(json.dumps(rec) if args.json else human_line(rec), flush=True)
            if annotate_dir:
                from ..vision.annotate import annotate

                out = annotate_dir / (path.stem + ".png")
                annotate(image, obs, assessment, cfg, guidance[1] if guidance else None).save(out)
    return 1 if failed else 0


# ------------------------------------------------------------------------------ bench


def cmd_bench(args) -> int:
    from . import load_config_from_args
    from ..vision.bench import format_report, run

    if args.startup:
        from ..startup import run as run_startup

        runs = run_startup(args.runs)
        print(json.dumps({"demo_s": runs.demo_s, "floor_s": runs.floor_s}) if args.json else "\n".join(runs.lines()))
        return 0 if runs.demo_s and runs.floor_s else 1
    cfg = load_config_from_args(args)
    if args.threads:
        cfg = dataclasses.replace(cfg, vision=dataclasses.replace(cfg.vision, threads=args.threads))
    if args.quick:
        rep = run(cfg, mediapipe_python=args.mediapipe_python, n_frames=args.frames, rounds=args.rounds,
                  one_core=not args.all_cores)
        print(json.dumps(rep) if args.json else format_report(rep))
        return 0
    from ..vision.bench import format_clips_report, run_clips

    try:
        rep = run_clips(cfg, Path(args.videos) if args.videos else None, mediapipe_python=args.mediapipe_python,
                        rounds=args.rounds, one_core=not args.all_cores, loop=not args.no_loop)
    except FileNotFoundError as exc:
        print(f"booth bench: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(rep) if args.json else format_clips_report(rep))
    return 0
