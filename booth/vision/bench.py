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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import cv2
import numpy as np

if TYPE_CHECKING:
    from ..config import BoothConfig
    from ..loop import BoothLoop
    from .analyzer import FaceAnalyzer

#: a JSON-able report or row (``--json`` prints it)
Report = dict[str, Any]

SIZES = ((640, 480), (1280, 720))
N_FRAMES = 120
ROUNDS = 3


def source_frames(n: int = N_FRAMES) -> tuple[list[np.ndarray], str]:
    data = Path(os.environ.get("BOOTH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
    video = data / "videos" / "lfi_24" / "sample_vid.mp4"
    frames: list[np.ndarray] = []
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
    if base is None:
        raise FileNotFoundError(f"{model_path('astronaut')}: unreadable. Fix: run `booth models fetch`")
    for i in range(n):
        shift = np.array([[1, 0, 3 * np.sin(i / 9)], [0, 1, 2 * np.cos(i / 7)]], dtype=np.float32)
        frames.append(np.asarray(cv2.warpAffine(base, shift, (base.shape[1], base.shape[0]),
                                                borderMode=cv2.BORDER_REPLICATE)))
    return frames, "astronaut.png (moved per frame)"


def fit(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    s = min(w / img.shape[1], h / img.shape[0])
    r = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
    top, left = (h - r.shape[0]) // 2, (w - r.shape[1]) // 2
    return np.asarray(cv2.copyMakeBorder(r, top, h - r.shape[0] - top, left, w - r.shape[1] - left, cv2.BORDER_REPLICATE))


def _booth_round(analyzer: "FaceAnalyzer", frames: list[np.ndarray], mode: str) -> tuple[list[float], dict[str, list[float]]]:
    from ..types import Frame

    analyzer.reset()
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
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


def mediapipe_round(frames: list[np.ndarray]) -> list[list[float]]:
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
        rows: list[list[float]] = json.loads(proc.stdout.strip().splitlines()[-1])
        return rows


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


def run(cfg: "BoothConfig", mediapipe_python: str | None = None, n_frames: int = N_FRAMES, rounds: int = ROUNDS,
        one_core: bool = True) -> Report:
    from ..runtime import runtime
    from .analyzer import FaceAnalyzer

    cpu = pin_to_one_core() if one_core and cfg.vision.threads == 1 else None

    raw, source = source_frames(n_frames)
    analyzer = FaceAnalyzer(cfg)
    mp_mode = "in-process" if _mediapipe_available() else ("subprocess" if mediapipe_python else None)
    results: list[Report] = []
    report: Report = {"source": source, "frames": len(raw), "rounds": rounds, "threads": cfg.vision.threads,
                      "runtime": runtime().describe(), "pinned_cpu": cpu, "results": results}
    for size in SIZES:
        frames = [fit(f, size) for f in raw]
        acc: dict[str, tuple[list[float], dict[str, list[float]]]] = {"detect": ([], {}), "tracking": ([], {})}
        mp_ms: list[list[float]] = []
        for _ in range(rounds):  # interleaved rounds: the machine's drift hits all alike
            for mode in ("detect", "tracking"):
                totals, stages = _booth_round(analyzer, frames, mode)
                acc[mode][0].extend(totals)
                for k, v in stages.items():
                    acc[mode][1].setdefault(k, []).extend(v)
            if mp_mode == "in-process":
                mp_ms.extend(mediapipe_round(frames))
            elif mp_mode == "subprocess" and mediapipe_python:
                mp_ms.extend(_mediapipe_subprocess(mediapipe_python, frames))
        for mode, (totals, stages) in acc.items():
            cpu_ms = stages.pop("cpu")
            iris_runs = statistics.fmean(stages.pop("iris_runs"))
            mesh_runs = statistics.fmean(stages.pop("mesh_runs"))
            entry = {"size": f"{size[0]}x{size[1]}", "mode": mode, **_summary(totals, cpu_ms),
                     "iris_runs_per_frame": iris_runs, "mesh_runs_per_frame": mesh_runs,
                     "stages_ms": {k: statistics.fmean(v) for k, v in stages.items()}}
            results.append(entry)
        if mp_ms:
            mp = _summary([w for w, _ in mp_ms], [c for _, c in mp_ms])
            tracking = next(r for r in results if r["size"] == f"{size[0]}x{size[1]}" and r["mode"] == "tracking")
            results.append({"size": f"{size[0]}x{size[1]}", "mode": "mediapipe_face_mesh_refine_tracking",
                                      **mp, "ratio_vs_booth_tracking": mp["mean_ms"] / tracking["mean_ms"],
                                      "median_ratio_vs_booth_tracking": mp["median_ms"] / tracking["median_ms"],
                                      "cpu_ratio_vs_booth_tracking": mp["cpu_mean_ms"] / tracking["cpu_mean_ms"]})
    if not mp_mode:
        report["mediapipe"] = "not importable: install mediapipe==0.10.14 in a separate venv and pass --mediapipe-python"
    return report


def format_report(rep: Report) -> str:
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


# ------------------------------------------------------------------------------ whole clips
#
# The default ``booth bench``: every frame of every video in a folder (face and no-face
# frames alike), as a kiosk sees its day. Frames are decoded once into a memory-mapped .npy
# that the booth and MediaPipe (in its own interpreter) both read, so both see identical
# pixels at the clip's own size. Per round and clip, the booth analyzer and MediaPipe's
# face_mesh (one graph per clip, built once and warmed with one untimed pass) take turns, on
# one pinned core. Each frame's wall time and CPU-time delta is booked to its label (face /
# no face, from ../shared/data/labels/videos_annotations.csv), so the CPU figures are exact
# sums per category even where the CPU clock is coarse.

#: how much slower than one thread of this machine (PERF_NOTES: estimates, no Pi measured)
PI_FACTORS = {"Pi 5": (2.0, 3.5), "Pi 4": (5.0, 8.0)}
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm")
CATEGORIES = ("face", "noface", "all")


def default_video_dir() -> Path:
    data = Path(os.environ.get("BOOTH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
    return data / "videos"


def _segments(video_dir: Path) -> dict[str, list[tuple[float, float, bool, tuple[int, int] | None]]]:
    """{path relative to the data root: [(start_s, end_s, face present, (first, last) frame
    when the row names them ("frames 0-71"), ...]}."""
    import csv
    import re

    labels = video_dir.parent / "labels" / "videos_annotations.csv"
    out: dict[str, list[tuple[float, float, bool, tuple[int, int] | None]]] = {}
    if labels.exists():
        with labels.open(newline="") as fh:
            for row in csv.DictReader(fh):
                m = re.search(r"frames (\d+)-(\d+)", " ".join(str(v) for v in row.values()))
                out.setdefault(row["path"], []).append((float(row["start_s"]), float(row["end_s"]),
                                                        row["faces_present"].strip() == "1",
                                                        (int(m[1]), int(m[2])) if m else None))
    return out


def face_labels(path: Path, video_dir: Path, n: int, fps: float) -> np.ndarray:
    """Face present per frame from ../shared/data/labels/videos_annotations.csv: a frame range
    the row names wins (the cut clips' labels give exact frames, their times assume another
    frame rate); otherwise the time segment the frame falls in; outside every segment, no
    face. A clip without labels counts as face frames unless its name says no_face."""
    try:
        key = str(path.relative_to(video_dir.parent))
    except ValueError:
        key = path.name
    seg = _segments(video_dir).get(key)
    if not seg:
        return np.full(n, "no_face" not in path.stem, bool)
    flags = np.zeros(n, bool)
    for i in range(n):
        by_frame = [face for _, _, face, fr in seg if fr is not None and fr[0] <= i <= fr[1]]
        if by_frame:
            flags[i] = by_frame[0]
            continue
        t = i / fps
        by_time = [face for start, end, face, _ in seg if start - 1e-6 <= t < end + 1e-6]
        flags[i] = bool(by_time and by_time[-1])
    return flags


@dataclass
class Clip:
    name: str
    frames: np.ndarray  # (N, H, W, 3) uint8 BGR, memory-mapped
    npy: Path
    face: np.ndarray  # (N,) bool
    fps: float


def load_clips(video_dir: Path, tmp: Path) -> list[Clip]:
    clips: list[Clip] = []
    for path in sorted(p for p in video_dir.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES):
        cap = cv2.VideoCapture(str(path))
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        fps = fps if 1.0 <= fps <= 240.0 else 30.0
        imgs: list[np.ndarray] = []
        while True:
            ok, img = cap.read()
            if not ok:
                break
            imgs.append(img)
        cap.release()
        if not imgs:
            continue
        npy = tmp / f"clip{len(clips)}.npy"
        arr = np.lib.format.open_memmap(npy, mode="w+", dtype=np.uint8, shape=(len(imgs),) + imgs[0].shape)
        for i, img in enumerate(imgs):
            arr[i] = img
        arr.flush()
        del arr, imgs
        frames = np.load(npy, mmap_mode="r")
        clips.append(Clip(str(path.relative_to(video_dir)), frames, npy,
                          face_labels(path, video_dir, len(frames), fps), fps))
    return clips


class _Tally:
    """Per-frame wall ms and CPU ms (plus counters) booked by category."""

    def __init__(self, keys: tuple[str, ...] = ()) -> None:
        self.wall: dict[str, list[float]] = {c: [] for c in CATEGORIES}
        self.cpu: dict[str, float] = {c: 0.0 for c in CATEGORIES}
        self.n: dict[str, int] = {c: 0 for c in CATEGORIES}
        self.counts: dict[str, dict[str, int]] = {c: {k: 0 for k in keys} for c in CATEGORIES}

    def add(self, face: bool, wall_ms: float, cpu_ms: float, counts: dict[str, int] | None = None) -> None:
        for c in ("face" if face else "noface", "all"):
            self.wall[c].append(wall_ms)
            self.cpu[c] += cpu_ms
            self.n[c] += 1
            for k, v in (counts or {}).items():
                self.counts[c][k] += v

    def merge(self, other: "_Tally") -> None:
        for c in CATEGORIES:
            self.wall[c].extend(other.wall[c])
            self.cpu[c] += other.cpu[c]
            self.n[c] += other.n[c]
            for k, v in other.counts[c].items():
                self.counts[c][k] = self.counts[c].get(k, 0) + v

    def to_json(self) -> Report:
        return {"wall": self.wall, "cpu": self.cpu, "n": self.n, "counts": self.counts}

    @classmethod
    def from_json(cls, d: Report) -> "_Tally":
        t = cls()
        t.wall, t.cpu, t.n, t.counts = d["wall"], d["cpu"], d["n"], d["counts"]
        return t

    def summary(self, c: str) -> Report | None:
        n = self.n[c]
        if not n:
            return None
        out: Report = {"n": n, "mean_ms": statistics.fmean(self.wall[c]), "median_ms": statistics.median(self.wall[c]),
               "p95_ms": float(np.percentile(self.wall[c], 95)), "cpu_ms": self.cpu[c] / n}
        out.update({f"{k}_per_frame": v / n for k, v in self.counts[c].items()})
        return out


def _booth_clip_round(analyzer: "FaceAnalyzer", clip: Clip, loop: "BoothLoop | None" = None) -> _Tally:
    """One timed pass of the booth over ``clip``: the analyzer alone, or (``loop``) the whole
    per-frame loop: analyzer + coach + lights + session."""
    from ..types import BoothState, Frame, SessionEvent

    tally = _Tally(("detector_runs", "mesh_runs", "iris_runs"))
    def counters() -> tuple[int, int, int]:
        return analyzer.detector_runs, analyzer.mesh_runs, analyzer.iris_reads

    before = counters()
    c0 = time.process_time()
    for i in range(len(clip.frames)):
        img = clip.frames[i]
        frame = Frame(np.asarray(img), i / clip.fps, i)
        t0 = time.perf_counter()
        if loop is None:
            analyzer.analyze(frame)
        else:
            actions = loop.on_frame(frame)
            if actions.state is BoothState.REVIEW:
                loop.on_event(SessionEvent.KEEP, frame.t)
        wall = (time.perf_counter() - t0) * 1000.0
        c1 = time.process_time()
        now = counters()
        tally.add(bool(clip.face[i]), wall, (c1 - c0) * 1000.0,
                  {"detector_runs": now[0] - before[0], "mesh_runs": now[1] - before[1], "iris_runs": now[2] - before[2]})
        c0, before = c1, now
    return tally


class MediaPipeClips:
    """MediaPipe face_mesh(refine_landmarks=True, video mode), one graph per clip, built once
    and warmed with one untimed pass over the clip; then timed passes on request."""

    def __init__(self) -> None:
        import mediapipe as mp

        self._mp = mp
        self._graphs: dict[str, tuple[Any, np.ndarray]] = {}  # clip -> (FaceMesh graph, its frames)

    def load(self, key: str, npy: str) -> None:
        frames = np.load(npy, mmap_mode="r")
        fm = self._mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=True,
                                                   min_detection_confidence=0.5, min_tracking_confidence=0.5)
        for i in range(len(frames)):  # warm-up pass
            fm.process(cv2.cvtColor(np.asarray(frames[i]), cv2.COLOR_BGR2RGB))
        self._graphs[key] = (fm, frames)

    def round(self, key: str, face: list[bool]) -> Report:
        fm, frames = self._graphs[key]
        tally = _Tally()
        c0 = time.process_time()
        for i in range(len(frames)):
            img = np.asarray(frames[i])
            t0 = time.perf_counter()
            fm.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))  # MediaPipe wants RGB: part of its cost
            wall = (time.perf_counter() - t0) * 1000.0
            c1 = time.process_time()
            tally.add(bool(face[i]), wall, (c1 - c0) * 1000.0)
            c0 = c1
        return tally.to_json()

    def close(self) -> None:
        for fm, _ in self._graphs.values():
            fm.close()
        self._graphs.clear()


def mediapipe_server() -> None:
    """JSON lines on stdin -> JSON lines on stdout (``--mediapipe-python`` subprocess)."""
    import sys

    runner = MediaPipeClips()
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "load":
            runner.load(cmd["key"], cmd["npy"])
            out = {"ok": True}
        elif cmd["op"] == "round":
            out = runner.round(cmd["key"], cmd["face"])
        else:
            break
        print(json.dumps(out), flush=True)
    runner.close()


class _MediaPipeProcess:
    def __init__(self, python: str):
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        self._proc = subprocess.Popen([python, "-c", "from booth.vision.bench import mediapipe_server; mediapipe_server()"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env)

    def _ask(self, cmd: Report) -> Report:
        assert self._proc.stdin and self._proc.stdout
        self._proc.stdin.write(json.dumps(cmd) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            err = self._proc.stderr.read().strip().splitlines() if self._proc.stderr else []
            raise RuntimeError(f"MediaPipe subprocess failed: {err[-1] if err else 'no output'}")
        answer: Report = json.loads(line)
        return answer

    def load(self, key: str, npy: str) -> None:
        self._ask({"op": "load", "key": key, "npy": npy})

    def round(self, key: str, face: list[bool]) -> Report:
        return self._ask({"op": "round", "key": key, "face": face})

    def close(self) -> None:
        try:
            self._ask({"op": "quit"})
        except (RuntimeError, BrokenPipeError, ValueError):
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=5)


class _MediaPipeRunner(Protocol):
    """MediaPipe in this interpreter (MediaPipeClips) or in another one (_MediaPipeProcess)."""

    def load(self, key: str, npy: str) -> None: ...
    def round(self, key: str, face: list[bool]) -> Report: ...
    def close(self) -> None: ...


def run_clips(cfg: "BoothConfig", video_dir: Path | None = None, mediapipe_python: str | None = None,
              rounds: int = ROUNDS, one_core: bool = True, loop: bool = True) -> Report:
    """The whole-clip benchmark (see the section comment). Returns a JSON-able report."""
    from ..runtime import runtime
    from .analyzer import FaceAnalyzer

    video_dir = Path(video_dir) if video_dir is not None else default_video_dir()
    if not video_dir.is_dir():
        raise FileNotFoundError(f"no video folder {video_dir}. Fix: pass --videos DIR, or use --quick")
    cpu = pin_to_one_core() if one_core and cfg.vision.threads == 1 else None
    clip_rows: list[Report] = []
    results: list[Report] = []
    report: Report = {"source": str(video_dir), "rounds": rounds, "threads": cfg.vision.threads,
                      "runtime": runtime().describe(), "pinned_cpu": cpu, "clips": clip_rows, "results": results}
    mp: _MediaPipeRunner | None = None
    if _mediapipe_available():
        mp = MediaPipeClips()
    elif mediapipe_python:
        mp = _MediaPipeProcess(mediapipe_python)
    else:
        report["mediapipe"] = "not importable: install mediapipe==0.10.14 in a separate venv and pass --mediapipe-python"
    rows = {"booth": _Tally(), "mediapipe": _Tally(), "loop": _Tally()}
    with tempfile.TemporaryDirectory(prefix="booth-bench-") as tmp:
        clips = load_clips(video_dir, Path(tmp))
        if not clips:
            raise FileNotFoundError(f"no videos in {video_dir}. Fix: pass --videos DIR with .mp4/.mov files")
        analyzer = FaceAnalyzer(cfg)
        loops: dict[str, "BoothLoop"] = {}
        if loop:
            loops = {c.name: _make_loop(cfg, analyzer, Path(tmp) / "out") for c in clips}
        try:
            for c in clips:
                clip_rows.append({"clip": c.name, "frames": len(c.frames), "face_frames": int(c.face.sum()),
                                        "size": f"{c.frames.shape[2]}x{c.frames.shape[1]}", "fps": round(c.fps, 2)})
                if mp is not None:
                    mp.load(c.name, str(c.npy))
                _booth_clip_round(analyzer, c)  # the booth's warm-up pass
            for _ in range(rounds):  # interleaved: the machine's drift hits all alike
                for c in clips:
                    analyzer.reset()
                    rows["booth"].merge(_booth_clip_round(analyzer, c))
                    if mp is not None:
                        rows["mediapipe"].merge(_Tally.from_json(mp.round(c.name, c.face.tolist())))
                    if loop:
                        analyzer.reset()
                        rows["loop"].merge(_booth_clip_round(analyzer, c, loops[c.name]))
        finally:
            if mp is not None:
                mp.close()
            analyzer.close()
    for name, tally in rows.items():
        for cat in CATEGORIES:
            s = tally.summary(cat)
            if s is not None:
                results.append({"row": name, "frames": cat, **s})
    if mp is not None:
        for cat in CATEGORIES:
            b, m = rows["booth"].summary(cat), rows["mediapipe"].summary(cat)
            if b and m:
                results.append({"row": "mediapipe/booth", "frames": cat, "cpu_ratio": m["cpu_ms"] / b["cpu_ms"],
                                          "median_ratio": m["median_ms"] / b["median_ms"],
                                          "mean_ratio": m["mean_ms"] / b["mean_ms"]})
    return report


def _make_loop(cfg: "BoothConfig", analyzer: "FaceAnalyzer", out: Path) -> "BoothLoop":
    import dataclasses

    from ..output.store import PhotoStore

    from ..lights.controller import LightController

    controller = LightController(cfg)  # pure: no hardware, the loop row steers no real light
    out.mkdir(parents=True, exist_ok=True)
    store_cfg = dataclasses.replace(cfg, booth=dataclasses.replace(cfg.booth, output_dir=str(out)))
    from ..compose import core

    return core(store_cfg, analyzer=analyzer, store=PhotoStore(store_cfg, out), lights=controller).loop


def format_clips_report(rep: Report) -> str:
    lines = [f"whole clips from {rep['source']}, {rep['rounds']} rounds; threads per interpreter: {rep['threads']}; "
             f"{rep['runtime']}; " + (f"process pinned to CPU {rep['pinned_cpu']} (MediaPipe too)"
                                       if rep.get("pinned_cpu") is not None else "not pinned")]
    for c in rep["clips"]:
        lines.append(f"  {c['clip']:32s} {c['frames']:4d} frames ({c['face_frames']} with a face), {c['size']}, {c['fps']} fps")
    lines.append(f"{'row':16s} {'frames':7s} {'n':>6s} {'CPU ms':>7s} {'median':>7s} {'mean':>7s} {'p95':>7s}  runs per frame")
    for r in rep["results"]:
        if r["row"] == "mediapipe/booth":
            lines.append(f"{r['row']:16s} {r['frames']:7s}  ratio by CPU time {r['cpu_ratio']:.2f}, "
                         f"by median frame {r['median_ratio']:.2f}, by mean wall {r['mean_ratio']:.2f}")
            continue
        runs = ""
        if "mesh_runs_per_frame" in r:
            runs = (f"detector {r['detector_runs_per_frame']:.2f}  mesh {r['mesh_runs_per_frame']:.2f}  "
                    f"iris {r['iris_runs_per_frame']:.2f}")
        lines.append(f"{r['row']:16s} {r['frames']:7s} {r['n']:6d} {r['cpu_ms']:7.2f} {r['median_ms']:7.2f} "
                     f"{r['mean_ms']:7.2f} {r['p95_ms']:7.2f}  {runs}")
    lines += ["Pi projection (this run's booth CPU ms/frame x PERF_NOTES' slow-down: Pi 5 2-3.5x, Pi 4 5-8x one "
              "thread of this machine; estimates, no Pi measured):"]
    for r in rep["results"]:
        if r["row"] in ("booth", "loop"):
            lo5, hi5 = (f * r["cpu_ms"] for f in PI_FACTORS["Pi 5"])
            lo4, hi4 = (f * r["cpu_ms"] for f in PI_FACTORS["Pi 4"])
            lines.append(f"  {r['row']:6s} {r['frames']:7s} Pi 5 {lo5:5.1f}-{hi5:5.1f} ms ({1000 / hi5:4.0f}-{1000 / lo5:4.0f} fps)"
                         f"   Pi 4 {lo4:5.1f}-{hi4:5.1f} ms ({1000 / hi4:4.0f}-{1000 / lo4:4.0f} fps)")
    if "mediapipe" in rep:
        lines.append(f"MediaPipe comparison: {rep['mediapipe']}")
    return "\n".join(lines)
