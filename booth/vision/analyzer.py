"""FaceAnalyzer: one frame in, one :class:`~booth.types.FaceObservation` out.

Two modes:

- **video** (:meth:`FaceAnalyzer.analyze`): tracking as in MediaPipe's face mesh. The face
  ROI of the next frame comes from this frame's landmarks; the detector runs only when
  there is no face yet, when the mesh's face-presence score drops below
  ``vision.min_tracking_score``, and every ``vision.redetect_every`` frames (to count
  people who walk in). The expression and segmentation models run every
  ``expression_every`` / ``segmentation_every`` frames and their last values are reused in
  between. The iris model reads one eye per frame in turn and both when an eye narrows
  (``vision.iris_alternate``, see :meth:`FaceAnalyzer._read_eyes`). A face that looks as it
  did where the mesh last read it keeps that reading, eyes and expression included
  (``vision.mesh_reuse_change`` and ``_rest``, see :meth:`FaceAnalyzer._carried_mesh`), unless
  :attr:`FaceAnalyzer.read_every_frame` is set. Eyes are judged against the sitter's own
  running open median as well as an absolute floor, and a blink keeps ``blink`` set for
  ``eyes.blink_guard_frames`` frames. All history resets when the face is lost.
- **static** (:meth:`FaceAnalyzer.analyze_still`): detection every time, every model runs,
  the absolute eye floor only.

>>> analyzer = FaceAnalyzer(load_config())
>>> obs = analyzer.analyze(frame)
>>> obs.face.yaw if obs.face else None
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Generic, Sequence, TypeVar, overload

import cv2
import numpy as np

from ..config import BoothConfig
from ..types import EXPRESSION_CLASSES, FaceMeasures, FaceObservation, Frame
from . import measures as M
from .detector import Detection, FaceDetector, Letterbox
from .expression import ExpressionModel, Segmenter, smile_score
from .landmarks import (LEFT_EYE_CORNERS, RIGHT_EYE_CORNERS, EyeResult, FaceMesh, IrisModel, MeshResult,
                        Roi, eye_rois, project, roi_from_detection, warp)

#: replicated border (fraction of the long side) tried when a photo is a tight face crop
TIGHT_CROP_MARGIN = 0.25
#: frames of eye-opening history kept for the sitter's own open median (~3 s at 30 fps)
EYE_HISTORY = 90
#: minimum history before the relative eye test is trusted
EYE_HISTORY_MIN = 8
#: segmentation-measured crown factors kept per sitter (their median is used)
CROWN_HISTORY = 5
#: detections per detector pass tried with the mesh before moving to the next pass
MAX_CANDIDATES = 3
#: mesh face-presence at which a newly found face is reported at once; below it (but above
#: vision.min_face_presence) the face must survive one frame of tracking first
SURE_PRESENCE = 0.9
#: with vision.iris_alternate: an eye read under this x its own previous reading may be
#: starting a blink, so the other eye is read on the same frame as well. Well above
#: eyes.blink_dip: the trigger must fire before the blink test can. (Not against the open
#: median: a smile narrows the eyes for seconds, and is no reason to read both.)
IRIS_RECHECK = 0.85
#: a tracked face whose landmarks put the next ROI this far (fraction of the ROI side) from
#: the one the mesh just looked through gets a second mesh pass on the new ROI (fast moves)
REFRAME_SHIFT = 0.04
#: attract schedule: frames a wider detector pass stays on every frame after a near miss (a box
#: of NEAR_SIZE x vision.min_face_px or more but under it: a far face flickering across the limit)
HOT_FRAMES = 15
NEAR_SIZE = 0.75
#: attract schedule: a wider pass whose turn comes while the scene looks as it did when that
#: pass last ran and found nothing is skipped (the same pixels give the same answer; an empty
#: booth is a still picture). "Looks": the frame as SCENE_GRID x SCENE_GRID grey block means;
#: changed when any block moved by more than SCENE_CHANGE levels (camera noise between frames
#: of the cut clips: 2-4, someone walking in: 8-220). Every ATTRACT_RECHECK frames the pass
#: runs regardless (slow light drift, a sitter standing still at the edge of detection).
SCENE_GRID = 16
SCENE_CHANGE = 6
ATTRACT_RECHECK = 60
#: the same for the short-range pass itself, on every frame of the schedule: while the scene
#: looks as it did when that pass last found nothing, its model is not run, except on every
#: FIRST_PASS_RECHECK-th frame (a third of a second at 30 fps: a sitter standing still at the
#: edge of the model's score is looked at as often as that). Someone walking in changes the
#: scene at once. The letterbox is made either way: the scene is read off it.
FIRST_PASS_RECHECK = 10
#: static mode: when the main face found by the short-range model is shorter than this
#: fraction of the image height, the full-range model looks for the other faces
STILL_OTHERS_FULL_RANGE = 0.4
#: frames an eye reading may be carried without the model reading the eye again
IRIS_MAX_AGE = 8
#: with vision.iris_alternate: the eye off turn is read as well when the head has carried it
#: this far since its last reading (in eye-crop sides, shift + relative size change): a fast
#: move can hide a glance
IRIS_MAX_MOVE = 0.15
#: with vision.mesh_reuse_change: frames a mesh reading may be carried without the mesh
#: reading the face again (its face-presence score is that old too)
MESH_MAX_AGE = 10
#: the face's "look" for mesh reuse: the crop at MESH_LOOK_SIDE px, as MESH_LOOK_GRID x
#: MESH_LOOK_GRID grey block means (each block ~1/16 of the face ROI's side: a lip corner or
#: an eyelid moving by a few pixels changes its block by far more than camera noise does)
MESH_LOOK_SIDE = 64
MESH_LOOK_GRID = 16
#: the mesh points whose blocks of the look are held to vision.mesh_reuse_change (the rest to
#: vision.mesh_reuse_change_rest): the eyelid contours, the brows and the lips, which
#: the eye, smile and gaze measures read. A blink or a smile starts there; a small move of the
#: whole head shows first at the face's outline against the background. The cheek patches the
#: light balance reads (measures.cheek_patches) are held to it too (:func:`_look_limits`): a
#: light step must not be hidden behind a carried reading while the light loop waits for it
MESH_LOOK_FEATURES = np.array([
    33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246,  # right eyelids
    263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466,  # left eyelids
    70, 63, 105, 66, 107, 55, 65, 52, 53, 46,  # right brow
    300, 293, 334, 296, 336, 285, 295, 282, 283, 276,  # left brow
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,  # outer lips
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191])  # inner lips


@dataclass
class _Track:
    """Per-sitter state in video mode. Replaced wholesale when the face is lost."""

    roi: Roi | None = None
    frames: int = 0
    since_detect: int = 0
    detections: tuple[Detection, ...] = ()
    expression: np.ndarray | None = None
    background: float | None = None
    since_segmentation: int = 0
    open_left: deque[float] = field(default_factory=lambda: deque(maxlen=EYE_HISTORY))
    open_right: deque[float] = field(default_factory=lambda: deque(maxlen=EYE_HISTORY))
    #: (t, mean opening) for the blink level
    recent: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=EYE_HISTORY))
    blink_recent: deque[bool] = field(default_factory=lambda: deque(maxlen=1))  # sized by _new_track
    crown_factors: deque[float] = field(default_factory=lambda: deque(maxlen=CROWN_HISTORY))
    eyes: tuple[EyeResult | None, EyeResult | None] = (None, None)  # last reading (right, left)
    iris_turn: int = 0  # the eye read next when only one is (0 right, 1 left)
    #: the mesh's last reading of the face and how the face looked where it read it
    #: (vision.mesh_reuse_change); mesh_age: frames it has been carried since
    mesh: MeshResult | None = None
    #: (the look's block means, how far each block may move): see _look and _look_limits
    mesh_look: tuple[np.ndarray, np.ndarray] | None = None
    mesh_age: int = 0
    carried: bool = False  # this frame's mesh (and eyes, expression) carried over, not read
    face: FaceMeasures | None = None  # the last frame's measures (a carried frame's start from them)
    since_expression: int = 0


_T = TypeVar("_T")
_R = TypeVar("_R")
#: a wider detector pass in the attract schedule: (margin, id of its detector)
PassKey = tuple[float, int]


class _Lazy(Generic[_T]):
    """A model (or table) built on first use and then kept as a plain instance attribute.

    Start-up: the booth's first frames need only the short-range detector; the mesh, iris,
    expression and segmentation models (~30 ms each to load) come when the first face does,
    the full-range model when its pass first runs."""

    def __init__(self, build: Callable[["FaceAnalyzer"], _T]):
        self.build = build

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> "_Lazy[_T]": ...
    @overload
    def __get__(self, obj: "FaceAnalyzer", objtype: type | None = None) -> _T: ...

    def __get__(self, obj: "FaceAnalyzer | None", objtype: type | None = None) -> "_T | _Lazy[_T]":
        if obj is None:
            return self
        value = self.build(obj)
        obj.__dict__[self.name] = value  # later lookups find the instance attribute first
        return value


def _detector(kind: str) -> Callable[["FaceAnalyzer"], FaceDetector | None]:
    def build(a: "FaceAnalyzer") -> FaceDetector | None:
        v = a.cfg.vision
        if v.detector not in ("auto", kind):
            return None
        make = FaceDetector.short_range if kind == "short" else FaceDetector.full_range
        return make(v.threads, min_score=v.min_detection_score, iou_threshold=v.nms_iou)
    return build


class FaceAnalyzer:
    """Detection, mesh, iris, expression and image measures for the main face.

    The models load on first use (see :class:`_Lazy`); :meth:`close` releases them."""

    threads: int
    _short = _Lazy(_detector("short"))
    _full = _Lazy(_detector("full"))
    _mesh = _Lazy(lambda a: FaceMesh(a.threads))
    _iris = _Lazy(lambda a: IrisModel(a.threads))
    _expression = _Lazy(lambda a: ExpressionModel(a.threads))
    _segmenter = _Lazy(lambda a: Segmenter(a.threads))
    _mask = _Lazy(lambda a: M.face_mask(a._mesh.n))

    def __init__(self, cfg: BoothConfig):
        self.cfg = cfg
        self.threads = cfg.vision.threads
        self._bgra_buf: np.ndarray | None = None
        self._track = self._new_track()
        #: True: no mesh reading is carried over (``vision.mesh_reuse_change``), every frame
        #: is read by the mesh. The booth's loop sets it on the frames the photo is picked
        #: from (the countdown and its burst); set it between calls to :meth:`analyze`, from
        #: the thread that calls it (the analyzer is not thread-safe)
        self.read_every_frame = False
        # frames searched since the last tracked face (the attract schedule). 1, not 0: the
        # every-pass frame is for a face just lost; at start-up nobody was, and the first frame
        # then needs only the short-range model (loaded, run, analysed in ~50 ms)
        self._attract_n = 1
        self._acquired_pixels: np.ndarray | None = None  # this frame's BGRA once _acquire needed it
        self._hot: dict[PassKey, int] = {}  # wider passes that found something lately: frames left
        self._last_raw = 0  # near misses on size of the last pass
        # attract schedule: per wider pass, the scene (block means) and frame when it last ran empty
        self._empty_scene: dict[PassKey, tuple[np.ndarray, int]] = {}

    # ------------------------------------------------------------------ public API

    @property
    def iris_reads(self) -> int:
        """How many times the iris model has run (one eye each)."""
        return self._runs("_iris")

    @property
    def mesh_runs(self) -> int:
        """How many times the face mesh has run."""
        return self._runs("_mesh")

    @property
    def detector_runs(self) -> int:
        """How many detector passes have run (short-range, margin and full-range alike)."""
        return self._runs("_short") + self._runs("_full")

    def _runs(self, model: str) -> int:
        built = self.__dict__.get(model)  # a model never used was never loaded: 0 runs
        return 0 if built is None else int(built.runs)

    @property
    def expression_model(self) -> ExpressionModel:
        """The FER expression model (evaluate's SMILEsmileD figure uses it alone)."""
        return self._expression

    def reset(self) -> None:
        """Forget the tracked face and every per-sitter history."""
        self._track = self._new_track()
        self._attract_n = 1
        self._hot.clear()
        self._empty_scene.clear()

    def close(self) -> None:
        for name in ("_short", "_full", "_mesh", "_iris", "_expression", "_segmenter"):
            self.__dict__[name] = None

    def __enter__(self) -> "FaceAnalyzer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def analyze(self, frame: Frame) -> FaceObservation:
        """Video mode: track the face across calls (see the module docstring)."""
        timings: dict[str, float] = {}
        t_start = time.perf_counter()
        image = frame.image
        tr = self._track
        # the one colour conversion of the frame; with nobody tracked only once the detector
        # has found something for the mesh to look at (the empty booth needs none). A tracked
        # face's frame is converted first even when its mesh reading is then carried: the
        # carry test warps its look from the converted pixels at half the cost of a warp from
        # the BGR frame, which evens out the conversion (face frames 2.372 vs 2.371 ms, and
        # the median face frame 2.46 vs 2.55 ms, in an interleaved A/B on the clips)
        pixels = self._bgra(image) if tr.roi is not None else None
        tr.frames += 1
        detected_now = False
        if tr.roi is not None and tr.since_detect >= self.cfg.vision.redetect_every:
            # scheduled look for newcomers (the tracked face itself needs no detector)
            tr.detections = tuple(self._timed(timings, "detect", self._detect_once, image))
            tr.since_detect = 0
            detected_now = True
        tr.since_detect += 1
        mesh = None
        tracked = tr.roi is not None
        tr.carried = False
        if tr.roi is not None:
            assert pixels is not None  # converted above whenever a face is tracked
            mesh = None if detected_now else self._timed(timings, "mesh", self._carried_mesh, pixels)
            if mesh is not None:
                tr.carried = True
            else:
                mesh = self._timed(timings, "mesh", self._mesh, pixels, tr.roi)
                if mesh.presence < self.cfg.vision.min_tracking_score:
                    mesh = None
                elif mesh.next_roi.offset_from(tr.roi) > REFRAME_SHIFT:
                    # The face moved within the ROI. The mesh pulls landmarks toward the middle of
                    # its crop, so on an off-centre face it reports only part of the move (and a
                    # turned head): look again, centred on what it found.
                    mesh = self._look_again(pixels, mesh, timings)
        if mesh is None:
            # no face yet, or tracking lost: look again right away rather than wait a frame
            # a face found by detection starts a new sitter: every history starts afresh
            if tracked or tr.roi is not None:
                self._attract_n = 0  # a face just lost (or doubtful): every pass, at once
                self._empty_scene.clear()
            tracked = False
            mesh, others = self._acquire(image, pixels, still=False, timings=timings, schedule=self._attract_n)
            if pixels is None:
                pixels = self._acquired_pixels
            self._attract_n += 1
            self._track = tr = self._new_track()
            tr.frames, tr.since_detect, tr.detections = 1, 1, others
            if mesh is not None and mesh.presence < SURE_PRESENCE:
                # a doubtful new face (a cartoon can fool detector and mesh for one frame):
                # report it only once the next frame's tracking confirms it
                tr.roi = mesh.next_roi
                return self._observation(frame, None, (), timings, t_start)
        elif detected_now:
            assert pixels is not None  # tracked: converted above
            tr.detections = self._verified_others(pixels, mesh, tr.detections, timings)
        if mesh is None:
            self._track = self._new_track()
            return self._observation(frame, None, (), timings, t_start)
        assert pixels is not None  # a face was tracked or acquired: its frame was converted
        tr.roi = mesh.next_roi
        if not tr.carried and self.cfg.vision.mesh_reuse_change > 0:
            limits = _look_limits(mesh, self.cfg.vision.mesh_reuse_change, self.cfg.vision.mesh_reuse_change_rest)
            tr.mesh, tr.mesh_look, tr.mesh_age = mesh, (_look(pixels, mesh.roi), limits), 0
        if tr.expression is None or (not tr.carried and tr.since_expression >= self.cfg.vision.expression_every):
            tr.expression = self._timed(timings, "expression", self._expression, pixels, mesh.roi)
            tr.since_expression = 0
        tr.since_expression += 1
        if tr.since_segmentation == 0:
            tr.background, k = self._timed(timings, "segmentation", self._segment, image, mesh)
            if k is not None:
                tr.crown_factors.append(k)
        segmented = tr.since_segmentation == 0  # this frame's background is new: measure afresh
        tr.since_segmentation = (tr.since_segmentation + 1) % self.cfg.vision.segmentation_every
        last = tr.face
        if tr.carried and not segmented and last is not None and last.landmarks is mesh.landmarks:
            # the same mesh, eyes and expression as the last frame and (within
            # vision.mesh_reuse_change) the same pixels: the same measures; only the eyes'
            # history-dependent verdicts (the sitter's open median, the blink guard) move on
            t0 = time.perf_counter()
            closed, blink = self._eyes(last.ear_left, last.ear_right, last.smile, frame.t, True,
                                       max(last.eye_closed_p) if self.cfg.vision.learned_eyes else None)
            face = dataclasses.replace(last, eyes_closed=closed, blink=blink, tracked=tracked)
            timings["measures"] = (time.perf_counter() - t0) * 1000.0
        else:
            crown_k = statistics.median(tr.crown_factors) if tr.crown_factors else None
            face = self._measure(image, pixels, mesh, tr.expression, tr.background, timings, video=True,
                                 tracked=tracked, crown_k=crown_k, t=frame.t)
        tr.face = face
        return self._observation(frame, face, tr.detections, timings, t_start)

    def analyze_still(self, image_bgr: np.ndarray, t: float = 0.0, index: int = 0) -> FaceObservation:
        """Static mode: detect, then mesh twice (the second pass on the ROI from the first
        pass's landmarks, which frames the face better than the detector box), iris, expression,
        segmentation; the absolute eye floor decides eyes_closed."""
        timings: dict[str, float] = {}
        t_start = time.perf_counter()
        frame = Frame(image_bgr, t, index)
        pixels = self._bgra(image_bgr)
        mesh, others = self._acquire(image_bgr, pixels, still=True, timings=timings)
        if mesh is None:
            return self._observation(frame, None, (), timings, t_start)
        expression = self._timed(timings, "expression", self._expression, pixels, mesh.roi)
        background, crown_k = self._timed(timings, "segmentation", self._segment, image_bgr, mesh)
        face = self._measure(image_bgr, pixels, mesh, expression, background, timings, video=False, tracked=False,
                             crown_k=crown_k, t=t)
        return self._observation(frame, face, others, timings, t_start)

    # ------------------------------------------------------------------ stages

    def _new_track(self) -> _Track:
        tr = _Track()
        tr.blink_recent = deque(maxlen=self.cfg.eyes.blink_guard_frames + 1)
        return tr

    @staticmethod
    def _timed(timings: dict[str, float], stage: str, fn: Callable[..., _R], *args: Any) -> _R:
        t0 = time.perf_counter()
        out = fn(*args)
        timings[stage] = timings.get(stage, 0.0) + (time.perf_counter() - t0) * 1000.0
        return out

    def _attempts(self, schedule: int | None = None, still: bool = False) -> list[tuple[FaceDetector, float]]:
        """Detector passes in order of cost: short-range on the letterboxed frame; with a
        replicated margin (tight face crops); the full-range model (far faces); in static
        mode, last, the full-range model with the margin (a dim 61 px face in
        mediapipe_gesture_people whose unpadded box framed the mesh off the face).

        ``schedule`` (video mode with nobody tracked: frames searched so far) is the attract
        schedule: the first pass on every frame, the wider ones in turn on every
        ``vision.attract_extra_every``-th frame, all of them on frame 0 (a face just lost).
        :meth:`_acquire` then skips a pass whose scene is unchanged since it last found
        nothing (:data:`SCENE_CHANGE`)."""
        passes = []
        if self._short is not None:
            passes += [(self._short, 0.0), (self._short, TIGHT_CROP_MARGIN)]
        if self._full is not None:
            passes.append((self._full, 0.0))
            if still:
                passes.append((self._full, TIGHT_CROP_MARGIN))
        every = self.cfg.vision.attract_extra_every
        if schedule is None or schedule == 0 or every <= 1 or len(passes) == 1:
            return passes
        extra = passes[1:]
        on_turn = None if schedule % every else (schedule // every - 1) % len(extra)
        # a wider pass that lately found a face just under the size limit stays on every frame
        # while it lasts: the far sitter is then searched as often as before, the empty booth
        # (and a poster the mesh rejects) not
        return [passes[0]] + [p for i, p in enumerate(extra) if i == on_turn or self._hot.get(p[1:] + (id(p[0]),), 0) > 0]

    def _detect_pass(self, det: FaceDetector, image: np.ndarray, margin: float,
                     fitted: tuple[np.ndarray, Letterbox] | None = None) -> list[Detection]:
        raw = det.detect(image, margin, fitted)
        limit = self.cfg.vision.min_face_px
        # near misses on size: a face that may cross the limit on the next frames
        self._last_raw = sum(1 for d in raw if NEAR_SIZE * limit <= max(d.box[2], d.box[3]) < limit)
        return [d for d in raw if max(d.box[2], d.box[3]) >= limit]

    def _detect_once(self, image: np.ndarray) -> list[Detection]:
        for det, margin in self._attempts():
            found = self._detect_pass(det, image, margin)
            if found:
                return found
        return []

    def _mesh_on(self, image: np.ndarray, roi: Roi, still: bool, timings: dict[str, float]) -> MeshResult:
        first = self._timed(timings, "mesh", self._mesh, image, roi)
        # a detector box can frame a hat or a tilted face badly: the landmark ROI often rescues it
        return self._look_again(image, first, timings) if still else first

    def _carried_mesh(self, pixels: np.ndarray) -> MeshResult | None:
        """The tracked face's last mesh reading, when the face still looks as it did where the
        mesh read it (``vision.mesh_reuse_change``): then the landmarks are where they were,
        and so are the eyes and the expression, which look at parts of the same pixels. A
        still sitter (most of a countdown and of a review) costs a small warp instead of the
        mesh, iris and expression models. None when the mesh must read the face."""
        tr = self._track
        limit = self.cfg.vision.mesh_reuse_change
        if (limit <= 0 or self.read_every_frame or tr.mesh is None or tr.mesh_look is None
                or tr.mesh_age >= MESH_MAX_AGE or any(tr.blink_recent) or tr.eyes[0] is None):
            return None
        look, limits = tr.mesh_look
        if bool((np.abs(_look(pixels, tr.mesh.roi) - look) > limits).any()):
            return None
        tr.mesh_age += 1
        return tr.mesh

    def _look_again(self, image: np.ndarray, first: MeshResult, timings: dict[str, float]) -> MeshResult:
        """A second mesh pass through the ROI the first pass's landmarks frame. The second is
        kept unless its face presence falls under both the first's and
        ``vision.min_tracking_score``."""
        second = self._timed(timings, "mesh", self._mesh, image, first.next_roi)
        return second if second.presence >= min(first.presence, self.cfg.vision.min_tracking_score) else first

    def _acquire(self, image: np.ndarray, pixels: np.ndarray | None, still: bool, timings: dict[str, float],
                 schedule: int | None = None) -> tuple[MeshResult | None, tuple[Detection, ...]]:
        """Find the main face: each detector pass in turn; within a pass, candidates by
        score until the mesh confirms one (a logo or a cartoon can fool the detector, rarely
        the mesh as well). Returns the mesh and the other confirmed faces."""
        bar = self.cfg.vision.min_face_presence
        self._acquired_pixels = pixels
        for key in list(self._hot):
            self._hot[key] -= 1
        scene = None
        passes = self._attempts(schedule, still)
        attract = schedule is not None and self.cfg.vision.attract_extra_every > 1
        for i, (det, margin) in enumerate(passes):
            key = (margin, id(det))
            fitted = None
            if i == 0 and attract:
                fitted = self._timed(timings, "detect", det.fit, image, margin)
                scene = _scene(fitted[0])  # the first pass's input on this frame
            if schedule and scene is not None:  # a pass in the attract schedule (not just after a loss)
                last = self._empty_scene.get(key)
                recheck = FIRST_PASS_RECHECK if i == 0 else ATTRACT_RECHECK
                if (last is not None and schedule - last[1] < recheck and self._hot.get(key, 0) <= 0
                        and int(np.abs(scene - last[0]).max()) <= SCENE_CHANGE):
                    continue
            found = self._timed(timings, "detect", self._detect_pass, det, image, margin, fitted)
            if i > 0 and self._last_raw:
                self._hot[key] = HOT_FRAMES
            if scene is not None and schedule is not None:
                if found or self._last_raw:
                    self._empty_scene.pop(key, None)
                else:
                    self._empty_scene[key] = (scene, schedule)
            if not found:
                continue
            if pixels is None:
                pixels = self._acquired_pixels = self._bgra(image)
            for cand in sorted(found, key=lambda d: -d.score)[:MAX_CANDIDATES]:
                mesh = self._mesh_on(pixels, self._roi_of(cand), still, timings)
                if mesh.presence >= bar:
                    rest = [d for d in found if d is not cand]
                    if still and det is self._short and self._full is not None and \
                            cand.box[3] < STILL_OTHERS_FULL_RANGE * image.shape[0]:
                        # a photo that is not a close-up: the short-range model merges or
                        # misses faces beyond ~2 m (a group of 5 read as 2); the full-range
                        # model counts the others
                        rest = self._timed(timings, "detect", self._detect_pass, self._full, image, 0.0)
                    return mesh, self._verified_others(pixels, mesh, rest, timings)
        return None, ()

    def _verified_others(self, image: np.ndarray, mesh: MeshResult, detections: Sequence[Detection], timings: dict[str, float]) -> tuple[Detection, ...]:
        """Detections of *other* people big enough to count, each confirmed by the mesh."""
        lm = mesh.landmarks
        x0, y0 = lm[:, 0].min(), lm[:, 1].min()
        main = np.array([x0, y0, lm[:, 0].max(), lm[:, 1].max()])
        main_area = (main[2] - main[0]) * (main[3] - main[1])
        out = []
        for d in detections:
            if _overlap(main, d.box) >= 0.3 or d.area < self.cfg.framing.second_face_ratio * main_area * 0.5:
                continue
            if self._timed(timings, "mesh", self._mesh, image, self._roi_of(d)).presence >= self.cfg.vision.min_face_presence:
                out.append(d)
        return tuple(out)

    def _bgra(self, image: np.ndarray) -> np.ndarray:
        """The frame as BGRA in a buffer reused across frames of the same size (the crops
        are taken from it: OpenCV warps 4-channel pixels ~2.5x faster than 3-channel)."""
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"FaceAnalyzer wants BGR uint8 (H, W, 3) images, got shape {image.shape}")
        if self._bgra_buf is None or self._bgra_buf.shape[:2] != image.shape[:2]:
            self._bgra_buf = np.empty(image.shape[:2] + (4,), np.uint8)
        return cv2.cvtColor(image, cv2.COLOR_BGR2BGRA, dst=self._bgra_buf)

    @staticmethod
    def _roi_of(det: Detection) -> Roi:
        return roi_from_detection(det.box, det.keypoints[0], det.keypoints[1])

    def _segment(self, image: np.ndarray, mesh: MeshResult) -> tuple[float | None, float | None]:
        """One selfie-segmentation pass: the background measure, and the sitter's own crown
        factor where the mask shows the top of the head (None otherwise; see
        :func:`measures.crown_factor_from_mask`)."""
        small, person = self._segmenter(image)
        background = M.background_gradient(small, person)
        fr = self.cfg.framing
        k = None
        if fr.crown_from_segmentation:
            lm = mesh.landmarks
            ied = float(np.hypot(*(lm[LEFT_EYE_CORNERS[0], :2] + lm[LEFT_EYE_CORNERS[1], :2]
                                   - lm[RIGHT_EYE_CORNERS[0], :2] - lm[RIGHT_EYE_CORNERS[1], :2]))) / 2
            k = M.crown_factor_from_mask(person, (image.shape[1], image.shape[0]), lm[10, :2], lm[152, :2], ied)
            if k is not None and not (fr.crown_factor_range[0] <= k <= fr.crown_factor_range[1]):
                k = None  # a hand on the head, a second person behind: not this head's outline
        return background, k

    def _read_eyes(self, pixels: np.ndarray, lm: np.ndarray, video: bool) -> tuple[EyeResult, EyeResult]:
        """(right eye, left eye) from the iris model, as cheaply as the eyes allow.

        Static mode, a new face, or a blink in progress: both eyes, read afresh. Otherwise
        (video mode), two economies, each measured in booth/vision/README.md:

        - ``vision.iris_alternate``: one eye per frame, in turn; the other eye's last reading
          moves with the head. Blinks close both eyes at once, so the eye on turn sees a
          blink start: when it narrows (:data:`IRIS_RECHECK`), the other eye is read on the
          same frame too, and the blink test sees both. So is an eye the head has carried
          far (:data:`IRIS_MAX_MOVE`) since it was read.
        - ``vision.iris_reuse_change``: an eye that looks as it did when last read (the
          middle of its crop within that many grey levels) is not read again, for at most
          :data:`IRIS_MAX_AGE` frames (see :class:`IrisModel`).
        """
        v = self.cfg.vision
        tr = self._track
        right_last, left_last = tr.eyes
        if video and tr.carried and right_last is not None and left_last is not None:
            return right_last, left_last  # the face, eyes included, looks as it did: the same reading
        rois = eye_rois(lm)
        if not video or right_last is None or left_last is None or any(tr.blink_recent):
            eyes = (self._iris(pixels, rois[0], False), self._iris(pixels, rois[1], True))
        else:
            last = (right_last, left_last)

            def read(i: int) -> EyeResult:
                previous = last[i] if last[i].age < IRIS_MAX_AGE else None
                return self._iris(pixels, rois[i], i == 1, previous, v.iris_reuse_change)

            if not v.iris_alternate:
                eyes = (read(0), read(1))
            else:
                i = tr.iris_turn
                tr.iris_turn = 1 - i
                fresh = read(i)
                carried = last[1 - i]
                moved = carried.read_roi is None or rois[1 - i].offset_from(carried.read_roi) > IRIS_MAX_MOVE
                if fresh.opening < IRIS_RECHECK * last[i].opening or moved:
                    other = read(1 - i)
                else:
                    other = self._iris.reproject(carried, rois[1 - i])
                eyes = (fresh, other) if i == 0 else (other, fresh)
        if video:
            tr.eyes = eyes
        return eyes

    def _measure(self, image: np.ndarray, pixels: np.ndarray, mesh: MeshResult, expression: np.ndarray, background: float | None,
                 timings: dict[str, float], video: bool, tracked: bool, crown_k: float | None = None, t: float = 0.0) -> FaceMeasures:
        lm = mesh.landmarks
        t0 = time.perf_counter()
        right_eye, left_eye = self._read_eyes(pixels, lm, video)
        timings["iris"] = timings.get("iris", 0.0) + (time.perf_counter() - t0) * 1000.0
        t0 = time.perf_counter()
        face = self._measures(image, mesh, right_eye, left_eye, expression, background, video, tracked, crown_k, t)
        timings["measures"] = (time.perf_counter() - t0) * 1000.0
        return face

    def _eyes(self, left: float, right: float, happy: float, t: float, video: bool,
              p_closed: float | None = None) -> tuple[bool, bool]:
        """(eyes_closed, blink) from the two openings.

        Closed: an eye under the absolute floor, or (video) under ``ratio`` x its own open
        median; both limits drop with the smile measure (``happy``: the learned P(smile), or
        P(happy) with ``vision.learned_smile`` off), because a genuine smile narrows the eyes
        (:func:`measures.eye_open_limits`). Blink (video): a *fast* dip, the mean opening
        under ``eyes.blink_dip`` x its median over the last ``eyes.blink_window_s``; a
        sustained narrowing (a smile) soon becomes the recent level and is no blink. The flag
        stays set ``eyes.blink_guard_frames`` frames after the dip.

        ``p_closed`` (``vision.learned_eyes``): the learned eye model's P(closed) of the more
        closed eye; when given, it replaces the absolute floor (closed at >= 0.5), and the
        sitter's own open median still applies in video mode.
        """
        ey = self.cfg.eyes
        floor, ratio = M.eye_open_limits(ey, happy)
        absolute = (min(left, right) < floor) if p_closed is None else p_closed >= 0.5
        if not video:
            return absolute, absolute
        tr = self._track
        closed = absolute
        for value, hist in ((left, tr.open_left), (right, tr.open_right)):
            limit = 0.0 if p_closed is not None else floor
            if len(hist) >= EYE_HISTORY_MIN:
                limit = max(limit, ratio * statistics.median(hist))
            closed |= value < limit
        mean = 0.5 * (left + right)
        window = [v for tv, v in tr.recent if t - ey.blink_window_s <= tv < t]
        dip = len(window) >= 3 and mean < ey.blink_dip * statistics.median(window)
        tr.recent.append((t, mean))
        if not closed and not dip:
            # the open median learns from open eyes only: a long blink or squint must not
            # drag the sitter's reference down
            tr.open_left.append(left)
            tr.open_right.append(right)
        tr.blink_recent.append(dip)
        return closed, any(tr.blink_recent)

    def _measures(self, image: np.ndarray, mesh: MeshResult, right_eye: EyeResult, left_eye: EyeResult,
                  expression: np.ndarray, background: float | None, video: bool, tracked: bool,
                  crown_k: float | None, t: float) -> FaceMeasures:
        cfg = self.cfg
        lm = mesh.landmarks
        iris_r = right_eye.iris[0]
        iris_l = left_eye.iris[0]
        eye_mid = (iris_r + iris_l) / 2
        ied = float(np.hypot(*(iris_l - iris_r)))
        chin = lm[152, :2]
        forehead = lm[10, :2]
        # the sitter's own crown where segmentation measured it (hair included), else the
        # fitted population factor (booth/vision/README.md)
        crown = forehead + (cfg.framing.crown_factor if crown_k is None else crown_k) * (forehead - chin)
        t_px = float(np.hypot(*(chin - eye_mid)))
        yaw, pitch, roll = M.head_pose(lm, cfg.vision.pitch_offset_deg)
        # the gaze compensation and vision.gaze_v_offset were measured with the Procrustes
        # angles: they keep them (with the corrected pitch the lfi_24 sitter's gaze_v fell
        # ~0.06 lower and the gaze check held through the smiles)
        fit_yaw, fit_pitch = yaw, pitch
        v = cfg.vision
        happy = smile_score(expression)
        learned = None
        if v.learned_pose or v.learned_smile or v.learned_eyes:  # booth/vision/README.md "Learned measures"
            learned = M.learned_models().measure(lm, expression, (right_eye.opening, left_eye.opening), happy,
                                                 (yaw, pitch, roll), M.eye_line_roll(iris_r, iris_l))
            if v.learned_pose:
                # the learned yaw is odd by construction (mirror-symmetric, no intercept:
                # booth/vision/data/train.py fit_odd_ridge)
                yaw, pitch, roll = learned[2]
        # gaze: each eye against its own corners, pose-compensated, then averaged. The iris
        # sits above the corner line when looking at the lens: a GENKI-measured offset is
        # removed (README: "Vertical gaze").
        gazes = []
        for eye, (a, b) in ((right_eye, RIGHT_EYE_CORNERS), (left_eye, LEFT_EYE_CORNERS)):
            ca, cb = lm[a, :2], lm[b, :2]
            height = eye.opening * float(np.hypot(*(cb - ca)))
            gazes.append(M.gaze(eye.iris[0], ca, cb, height, fit_yaw, fit_pitch))
        gaze_h = 0.5 * (gazes[0][0] + gazes[1][0])
        gaze_v = 0.5 * (gazes[0][1] + gazes[1][1]) - cfg.vision.gaze_v_offset
        p_closed = learned[1] if learned is not None and v.learned_eyes else None  # (right, left)
        # the booth's one smile measure (the eye easing reads it too, as the guidance does)
        smile = learned[0] if learned is not None and v.learned_smile else happy
        eyes_closed, blink = self._eyes(left_eye.opening, right_eye.opening, smile, t, video,
                                        None if p_closed is None else max(p_closed))
        mouth_gap = float(np.hypot(*(lm[13, :2] - lm[14, :2]))) / max(t_px, 1e-6)
        mouth_width = float(np.hypot(*(lm[61, :2] - lm[291, :2]))) / max(ied, 1e-6)
        stats = M.exposure_stats(mesh.crop, self._mask)
        (lx, ly, side), (rx, ry, _) = M.cheek_patches(lm, ied)
        left_patch, right_patch = M.patch(image, lx, ly, side), M.patch(image, rx, ry, side)
        balance = M.light_balance_ev(left_patch, right_patch)
        cast_a, cast_b = M.lab_cast([left_patch, right_patch])
        (x0, y0), (x1, y1) = lm[:, :2].min(axis=0), lm[:, :2].max(axis=0)
        box = (float(x0), float(y0), float(x1 - x0), float(y1 - y0))
        probs = MappingProxyType({name: float(p) for name, p in zip(EXPRESSION_CLASSES, expression)})
        return FaceMeasures(
            box=box, score=float(mesh.presence), landmarks=lm,
            iris_left=(float(iris_l[0]), float(iris_l[1])), iris_right=(float(iris_r[0]), float(iris_r[1])),
            eye_mid=(float(eye_mid[0]), float(eye_mid[1])), chin=(float(chin[0]), float(chin[1])),
            crown=(float(crown[0]), float(crown[1])), ied_px=ied, t_px=t_px,
            yaw=yaw, pitch=pitch, roll=roll,
            ear_left=left_eye.opening, ear_right=right_eye.opening, eyes_closed=eyes_closed, blink=blink,
            gaze_h=gaze_h, gaze_v=gaze_v, mouth_gap=mouth_gap, mouth_width=mouth_width,
            expression=probs, smile=smile,
            exposure=stats.exposure, clipped=stats.clipped, light_balance_ev=balance,
            sharpness=stats.sharpness, background=background, cast_a=cast_a, cast_b=cast_b, tracked=tracked,
            eye_closed_p=(0.0, 0.0) if p_closed is None else (p_closed[1], p_closed[0]),
        )

    def _observation(self, frame: Frame, face: FaceMeasures | None, detections: Sequence[Detection],
                     timings: dict[str, float], t_start: float) -> FaceObservation:
        boxes = [d.box for d in detections]
        if face is not None:
            # the tracked face leads; detections of the same face are not a second person
            fx, fy, fw, fh = face.box
            fbox = np.array([fx, fy, fx + fw, fy + fh])
            others = [b for b in boxes if _overlap(fbox, b) < 0.3]
            boxes = [face.box] + others
        boxes.sort(key=lambda b: -b[2] * b[3])
        if boxes:
            largest = boxes[0][2] * boxes[0][3]
            faces = sum(1 for b in boxes if b[2] * b[3] >= self.cfg.framing.second_face_ratio * largest)
        else:
            faces = 0
        timings["total"] = (time.perf_counter() - t_start) * 1000.0
        return FaceObservation(
            t=frame.t, frame_index=frame.index, image_size=frame.size, faces=faces,
            face_boxes=tuple((float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in boxes), face=face,
            timings_ms=MappingProxyType(timings),
        )


def _look(pixels: np.ndarray, roi: Roi) -> np.ndarray:
    """How the face looks through ``roi`` (vision.mesh_reuse_change): grey block means,
    MESH_LOOK_GRID x MESH_LOOK_GRID, of a MESH_LOOK_SIDE px crop."""
    return _block_means(warp(pixels, roi.matrix(MESH_LOOK_SIDE), MESH_LOOK_SIDE), MESH_LOOK_GRID).astype(np.float32)


def _look_limits(mesh: MeshResult, features: float, rest: float) -> np.ndarray:
    """Per block of :func:`_look` through ``mesh.roi``: ``features`` grey levels for the
    blocks that hold a point of :data:`MESH_LOOK_FEATURES` and for the 3 x 3 blocks around
    each cheek patch's centre (a patch is 0.3 IED wide: one to two blocks), ``rest`` for the
    others."""
    lm = mesh.landmarks
    cheeks = [(x, y) for x, y, _ in M.cheek_patches(lm, 1.0)]  # the centres (the side is not needed)
    image_points = np.vstack([lm[MESH_LOOK_FEATURES, :2], cheeks])
    look_points = project(image_points, cv2.invertAffineTransform(mesh.roi.matrix(MESH_LOOK_SIDE)))
    blocks = np.clip((look_points * (MESH_LOOK_GRID / MESH_LOOK_SIDE)).astype(np.intp), 0, MESH_LOOK_GRID - 1)
    limits = np.full((MESH_LOOK_GRID, MESH_LOOK_GRID), rest, np.float32)
    limits[blocks[:-2, 1], blocks[:-2, 0]] = features
    for col, row in blocks[-2:]:
        limits[max(row - 1, 0):row + 2, max(col - 1, 0):col + 2] = features
    return limits


def _block_means(image: np.ndarray, grid: int) -> np.ndarray:
    """``image`` (BGR or BGRA) as grid x grid grey block means (uint8)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, (grid, grid), interpolation=cv2.INTER_AREA)


def _scene(canvas: np.ndarray) -> np.ndarray:
    """A detector's square input as SCENE_GRID x SCENE_GRID grey block means (int16: the
    differences may be negative). From the letterboxed 128 px input: ~0.02 ms."""
    return _block_means(canvas, SCENE_GRID).astype(np.int16)


def _overlap(box_xyxy: np.ndarray, b: tuple[float, float, float, float]) -> float:
    """Intersection over the smaller area (a detector box sits inside the mesh's box)."""
    x0, y0 = max(box_xyxy[0], b[0]), max(box_xyxy[1], b[1])
    x1, y1 = min(box_xyxy[2], b[0] + b[2]), min(box_xyxy[3], b[1] + b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    small = min((box_xyxy[2] - box_xyxy[0]) * (box_xyxy[3] - box_xyxy[1]), b[2] * b[3])
    return float(inter / max(small, 1e-9))
