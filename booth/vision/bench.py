"""``booth bench``: what the face pipeline costs per frame, on real frames.

Frames: the first 120 frames of ../shared/data/videos/lfi_24/sample_vid.mp4 (a real
head-and-shoulders clip) when that folder exists, else the bundled astronaut photo moved a
few pixels per frame. Each frame is scaled to the target height and padded (replicated
border) to 640x480 and 1280x720, so the face is the same real face at both sizes.

Modes:
- ``detect``: static mode (detection + two mesh passes + iris + expression + segmentation
  on every frame), what ``booth analyze`` does per photo;
- ``tracking``: video mode, what the booth's loop does (detection only when needed,
  expression and segmentation at their configured rates, the iris model only on the eyes
  that need reading: the runs per frame are printed).

When the ``mediapipe`` package is importable (here, or in the interpreter given with
``--mediapipe-python``) MediaPipe's own ``face_mesh`` (refine_landmarks, video mode) runs
on the same frames in the same run, interleaved round by round, and the ratio is printed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

SIZES = ((640, 480), (1280, 720))
N_FRAMES = 120
ROUNDS = 3


def source_frames(n: int = N_FRAMES) -> tuple[list[np.ndarray], str]:
    data = Path(os.environ.get("BOOTH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
    video = data / "videos" / "lfi_24" / "sample_vid.mp4"
    frames = []
    if video.exists():
        cap = cv2.VideoCapture(str(video))
        while len(frames) < n:
            ok, img = cap.read()
            if not ok:
                break
            frames.append(img)
        cap.release()
        if frames:
            return frames, str(video)
    from ..models import model_path

    base = cv2.imread(str(model_path("astronaut")))
    for i in range(n):
        shift = np.float32([[1, 0, 3 * np.sin(i / 9)], [0, 1, 2 * np.cos(i / 7)]])
        frames.append(cv2.warpAffine(base, shift, base.shape[1::-1], borderMode=cv2.BORDER_REPLICATE))
    return frames, "astronaut.png (moved per frame)"


def fit(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    s = min(w / img.shape[1], h / img.shape[0])
    r = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
    top, left = (h - r.shape[0]) // 2, (w - r.shape[1]) // 2
    return cv2.copyMakeBorder(r, top, h - r.shape[0] - top, left, w - r.shape[1] - left, cv2.BORDER_REPLICATE)


def _booth_round(analyzer, frames, mode: str) -> tuple[list[float], dict[str, list[float]]]:
    from ..types import Frame

    analyzer.reset()
    totals, stages = [], {}
    reads, meshes = analyzer.iris_reads, analyzer.mesh_runs
    # CPU time over the whole round: the process CPU clock is too coarse on some VMs to time
    # one 3 ms frame (per-frame sums came out at half the true figure here)
    c_round = time.process_time()
    for i, img in enumerate(frames):
        t0 = time.perf_counter()
        obs = analyzer.analyze(Frame(img, i / 30.0, i)) if mode == "tracking" else analyzer.analyze_still(img)
        totals.append((time.perf_counter() - t0) * 1000.0)
        for k, v in obs.timings_ms.items():
            if k != "total":
                stages.setdefault(k, []).append(v)
        for k in stages:  # stages that did not run this frame cost 0 on it
            if k not in obs.timings_ms:
                stages[k].append(0.0)
    stages["cpu"] = [(time.process_time() - c_round) * 1000.0 / max(len(frames), 1)] * len(frames)
    stages["iris_runs"] = [(analyzer.iris_reads - reads) / max(len(frames), 1)] * len(frames)
    stages["mesh_runs"] = [(analyzer.mesh_runs - meshes) / max(len(frames), 1)] * len(frames)
    return totals, stages


def mediapipe_round(frames) -> list[list[float]]:
    """[wall ms, CPU ms of the whole process] per frame of MediaPipe
    face_mesh(refine_landmarks=True, video mode) on ``frames``."""
    import mediapipe as mp

    walls = []
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=True,
                                         min_detection_confidence=0.5, min_tracking_confidence=0.5) as fm:
        c_round = time.process_time()
        for img in frames:
            t0 = time.perf_counter()
            rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)  # MediaPipe wants RGB: part of its cost
            fm.process(rgb)
            walls.append((time.perf_counter() - t0) * 1000.0)
        cpu = (time.process_time() - c_round) * 1000.0 / max(len(frames), 1)
    return [[w, cpu] for w in walls]


def _mediapipe_available() -> bool:
    try:
        import mediapipe as mp  # noqa: F401

        return hasattr(mp, "solutions")
    except Exception:  # noqa: BLE001 - any import failure means "not available"
        return False


def _mediapipe_subprocess(python: str, frames: list[np.ndarray]) -> list[list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frames.npy"
        np.save(path, np.stack(frames))
        code = ("import json,sys,numpy as np; from booth.vision.bench import mediapipe_round; "
                f"print(json.dumps(mediapipe_round(list(np.load({str(path)!r})))))")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        proc = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
        return json.loads(proc.stdout.strip().splitlines()[-1])


def _summary(ms: list[float], cpu: list[float]) -> dict[str, float]:
    """Wall-clock and CPU ms per frame. CPU time is the fair figure on a busy machine: wall
    time also counts the time other processes held the core."""
    return {"mean_ms": statistics.fmean(ms), "median_ms": statistics.median(ms), "fps": 1000.0 / statistics.fmean(ms),
            "cpu_mean_ms": statistics.fmean(cpu), "cpu_median_ms": statistics.median(cpu)}


def pin_to_one_core() -> int | None:
    """Pin this process (and children started later) to one CPU, so that "1 thread" means
    one core for everybody: MediaPipe's graph otherwise spreads over every core it finds."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})
    cv2.setNumThreads(1)
    return cpu


def run(cfg, mediapipe_python: str | None = None, n_frames: int = N_FRAMES, rounds: int = ROUNDS,
        one_core: bool = True) -> dict:
    from ..runtime import runtime
    from .analyzer import FaceAnalyzer

    cpu = pin_to_one_core() if one_core and cfg.vision.threads == 1 else None

    raw, source = source_frames(n_frames)
    analyzer = FaceAnalyzer(cfg)
    mp_mode = "in-process" if _mediapipe_available() else ("subprocess" if mediapipe_python else None)
    report = {"source": source, "frames": len(raw), "rounds": rounds, "threads": cfg.vision.threads,
              "runtime": runtime().describe(), "pinned_cpu": cpu, "results": []}
    for size in SIZES:
        frames = [fit(f, size) for f in raw]
        acc = {"detect": ([], {}), "tracking": ([], {})}
        mp_ms: list[list[float]] = []
        for _ in range(rounds):  # interleaved rounds: the machine's drift hits all alike
            for mode in ("detect", "tracking"):
                totals, stages = _booth_round(analyzer, frames, mode)
                acc[mode][0].extend(totals)
                for k, v in stages.items():
                    acc[mode][1].setdefault(k, []).extend(v)
            if mp_mode == "in-process":
                mp_ms.extend(mediapipe_round(frames))
            elif mp_mode == "subprocess":
                mp_ms.extend(_mediapipe_subprocess(mediapipe_python, frames))
        for mode, (totals, stages) in acc.items():
            cpu = stages.pop("cpu")
            iris_runs = statistics.fmean(stages.pop("iris_runs"))
            mesh_runs = statistics.fmean(stages.pop("mesh_runs"))
            entry = {"size": f"{size[0]}x{size[1]}", "mode": mode, **_summary(totals, cpu),
                     "iris_runs_per_frame": iris_runs, "mesh_runs_per_frame": mesh_runs,
                     "stages_ms": {k: statistics.fmean(v) for k, v in stages.items()}}
            report["results"].append(entry)
        if mp_ms:
            mp = _summary([w for w, _ in mp_ms], [c for _, c in mp_ms])
            tracking = next(r for r in report["results"] if r["size"] == f"{size[0]}x{size[1]}" and r["mode"] == "tracking")
            report["results"].append({"size": f"{size[0]}x{size[1]}", "mode": "mediapipe_face_mesh_refine_tracking",
                                      **mp, "ratio_vs_booth_tracking": mp["mean_ms"] / tracking["mean_ms"],
                                      "median_ratio_vs_booth_tracking": mp["median_ms"] / tracking["median_ms"],
                                      "cpu_ratio_vs_booth_tracking": mp["cpu_mean_ms"] / tracking["cpu_mean_ms"]})
    if not mp_mode:
        report["mediapipe"] = "not importable: install mediapipe==0.10.14 in a separate venv and pass --mediapipe-python"
    return report


def format_report(rep: dict) -> str:
    lines = [f"frames: {rep['frames']} from {rep['source']}, {rep['rounds']} rounds; "
             f"threads per interpreter: {rep['threads']}; {rep['runtime']}; "
             + (f"process pinned to CPU {rep['pinned_cpu']} (MediaPipe too)" if rep.get("pinned_cpu") is not None
                else "not pinned")]
    for r in rep["results"]:
        line = (f"{r['size']:>9s} {r['mode']:36s} mean {r['mean_ms']:6.2f} ms  median {r['median_ms']:6.2f} ms  "
                f"{r['fps']:6.1f} fps  CPU {r['cpu_mean_ms']:6.2f} ms/frame")
        if "ratio_vs_booth_tracking" in r:
            line += (f"\n{'':10s}-> booth tracking runs at {r['ratio_vs_booth_tracking']:.2f}x MediaPipe's speed "
                     f"(wall, means), {r['median_ratio_vs_booth_tracking']:.2f}x (medians), "
                     f"{r['cpu_ratio_vs_booth_tracking']:.2f}x (CPU time)")
        lines.append(line)
        if "stages_ms" in r:
            lines.append(" " * 10 + "  ".join(f"{k} {v:.2f}" for k, v in r["stages_ms"].items())
                         + f"   (runs per frame: mesh {r['mesh_runs_per_frame']:.2f}, iris {r['iris_runs_per_frame']:.2f})")
    if "mediapipe" in rep:
        lines.append(f"MediaPipe comparison: {rep['mediapipe']}")
    return "\n".join(lines)
