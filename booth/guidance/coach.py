"""The coach: a stream of observations in, one calm prompt and a readiness verdict out.

Per frame it smooths the measures (EMA, ``guidance.ema_alpha``), evaluates the checks with
enter/exit hysteresis, picks the single prompt to show and decides readiness::

    coach = Coach(cfg)
    for obs in observations:
        a = coach.update(obs)
        a.prompt   # changes only after the new condition held prompt_hold_s (0.4 s)
                   # and the old prompt was on screen prompt_min_show_s (1.2 s)
        a.ready    # every gate for ready_hold_s (0.7 s), landmarks still (< 1% IED/frame)
        a.prompt_amount  # how far to go for a move prompt (frame widths), None once its checks pass

It also learns the sitter: their open-eye opening (median over the session) and their
neutral mouth width (while not smiling), so that "eyes open" and "smile" are judged
against this face rather than an average one. After ``relax_after_s`` without becoming
ready the soft thresholds relax one step (up to ``max_relax_steps``).

Time is the observation's ``t``: the coach never reads a clock, so a replay at any speed
and the live booth behave the same.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections import deque
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from ..config import BoothConfig
from ..types import Assessment, Check, FaceMeasures, FaceObservation, Prompt
from .checks import Baseline, evaluate_checks, gating, hard_gates_ok, soft_score, top_prompt
from ..output.crops import plan_for_face

_POINTS = ("iris_left", "iris_right", "eye_mid", "chin", "crown")
_SCALARS = ("ied_px", "t_px", "yaw", "pitch", "roll", "gaze_h", "gaze_v", "mouth_gap", "mouth_width",
            "smile", "exposure", "clipped", "light_balance_ev", "cast_a", "cast_b")
_BASELINE_WINDOW = 150  # frames (~5 s at 30 fps) of history for the sitter's medians


def _ema(old: float, new: float, alpha: float) -> float:
    return old + alpha * (new - old)


def _ema_array(old: npt.NDArray[np.float64], new: npt.NDArray[np.float64], alpha: float) -> npt.NDArray[np.float64]:
    return old + alpha * (new - old)


def _xy(v: npt.NDArray[np.float64]) -> tuple[float, float]:
    return float(v[0]), float(v[1])


_BLIND_WHILE_BLINKING = ("gaze_h", "gaze_v")


@dataclasses.dataclass
class _SmoothState:
    """The smoothed measures: points (and the box) as arrays, scalars, expression classes.
    ``scalars`` has "background" only once a background was measured."""

    points: dict[str, npt.NDArray[np.float64]]
    scalars: dict[str, float]
    expression: dict[str, float]


class _Smoother:
    """EMA over the measures the checks read; eye opening and blink stay raw (a blink is a
    few frames long and smoothing would hide it), and gaze holds its value through a blink."""

    def __init__(self, alpha: float):
        self.alpha = alpha
        self.state: _SmoothState | None = None

    def reset(self) -> None:
        self.state = None

    def __call__(self, face: FaceMeasures) -> FaceMeasures:
        a = self.alpha
        points = {n: np.asarray(getattr(face, n), dtype=float) for n in _POINTS + ("box",)}
        scalars = {n: float(getattr(face, n)) for n in _SCALARS}
        expression = {k: float(v) for k, v in face.expression.items()}
        if face.background is not None:
            scalars["background"] = float(face.background)
        if self.state is None:
            self.state = _SmoothState(points, scalars, expression)
        else:
            s = self.state
            if face.blink or face.eyes_closed:
                # lids over the iris: the gaze reading is noise, not a look away; hold it
                for n in _BLIND_WHILE_BLINKING:
                    scalars.pop(n, None)
            for n, pv in points.items():
                s.points[n] = _ema_array(s.points[n], pv, a) if n in s.points else pv
            for n, v in scalars.items():
                s.scalars[n] = _ema(s.scalars[n], v, a) if n in s.scalars else v
            s.expression = {k: _ema(s.expression.get(k, p), p, a) for k, p in expression.items()}
        s = self.state
        pt, sc = s.points, s.scalars
        box = pt["box"]
        return dataclasses.replace(
            face,
            box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])),
            iris_left=_xy(pt["iris_left"]), iris_right=_xy(pt["iris_right"]), eye_mid=_xy(pt["eye_mid"]),
            chin=_xy(pt["chin"]), crown=_xy(pt["crown"]),
            ied_px=sc["ied_px"], t_px=sc["t_px"], yaw=sc["yaw"], pitch=sc["pitch"], roll=sc["roll"],
            gaze_h=sc["gaze_h"], gaze_v=sc["gaze_v"], mouth_gap=sc["mouth_gap"], mouth_width=sc["mouth_width"],
            smile=sc["smile"], exposure=sc["exposure"], clipped=sc["clipped"],
            light_balance_ev=sc["light_balance_ev"], cast_a=sc["cast_a"], cast_b=sc["cast_b"],
            expression=MappingProxyType(dict(s.expression)),
            background=sc["background"] if face.background is not None else None,
        )


class Coach:
    """Turns observations into :class:`~booth.types.Assessment` s (see the module doc).

    ``expression`` is the actor series step being asked for (the session sets it).
    """

    def __init__(self, cfg: BoothConfig):
        self.cfg = cfg
        self.expression: str | None = None
        self._smooth = _Smoother(cfg.guidance.ema_alpha)
        self._ok: dict[str, bool] = {}
        self.restart(None)

    # -- lifecycle -------------------------------------------------------------------

    def restart(self, t: float | None) -> None:
        """A new sitter (or a retake): forget hysteresis, readiness and the relax clock.
        The sitter baselines are forgotten only for a new sitter (``t`` is None or the
        face was gone), see :meth:`_forget_sitter`."""
        self._attempt_start = t
        self._ready_since: float | None = None
        self._shown: Prompt | None = None
        self._shown_since = -math.inf
        self._candidate: Prompt | None = None
        self._candidate_since = -math.inf
        self._resolved_since: float | None = None  # when the shown prompt's condition stopped failing
        self._ok = {}
        self._motion: float | None = None
        self._prev_landmarks: deque[npt.NDArray[np.float32]] | None = None
        self._smooth.reset()
        if t is None:
            self._forget_sitter()

    def _forget_sitter(self) -> None:
        self._hint_given = False  # the busy-background hint: once per sitter
        self._hint_since: float | None = None
        self._busy_since: float | None = None
        self._open_eyes: deque[float] = deque(maxlen=_BASELINE_WINDOW)
        self._neutral_mouth: deque[float] = deque(maxlen=_BASELINE_WINDOW)
        self._last_face_t: float | None = None

    @property
    def baseline(self) -> Baseline:
        # statistics.median, not np.median: the same value, and 2.5 us instead of 36 for a deque
        # of 150 (the loop reads the baseline twice a frame)
        open_eye = statistics.median(self._open_eyes) if len(self._open_eyes) >= 5 else None
        mouth = statistics.median(self._neutral_mouth) if len(self._neutral_mouth) >= 5 else None
        return Baseline(open_eye, mouth)

    # -- per frame -------------------------------------------------------------------

    def update(self, obs: FaceObservation, *, lights_exhausted: bool = False, lights_settled: bool = True,
               still_size: tuple[int, int] | None = None, background_clutter: float | None = None) -> Assessment:
        """Assess one observation. ``lights_exhausted``: the light controller can do no
        more, so a failing light balance is shown to the sitter ("turn to the light").
        ``lights_settled``: False while the lights are still evening out the face; the
        sitter is not ready then (the countdown locks the lights where they are).
        ``still_size``: (width, height) of the full-resolution still, if not the image's.
        ``background_clutter``: the saved photo's clutter measure read on the preview (the
        loop's :class:`booth.output.preview.BackgroundWatch`; None: not read), what the
        busy-background hint goes by."""
        g = self.cfg.guidance
        t = obs.t
        face = obs.face
        if face is not None:
            gone = self._last_face_t is not None and t - self._last_face_t > self.cfg.booth.face_lost_grace_s
            if gone:
                self.restart(None)
            if self._attempt_start is None:
                self._attempt_start = t
            self._last_face_t = t
            self._learn(face)
        else:
            self._smooth.reset()
            self._prev_landmarks = None
            self._motion = None

        relax = self.relax_level(t)
        baseline = self.baseline
        if face is None:
            enter = exit_ = evaluate_checks(obs, self.cfg)
            smoothed = None
        else:
            motion = self._measure_motion(face)
            smoothed = self._smooth(face)
            sm_obs = dataclasses.replace(obs, face=smoothed)
            plan = plan_for_face(smoothed, obs.image_size, self.cfg)
            enter, exit_ = (evaluate_checks(sm_obs, self.cfg, strict=strict, relax_level=relax, baseline=baseline,
                                            expression=self.expression, motion=motion, still_size=still_size,
                                            framing=plan)
                            for strict in (True, False))
        checks = self._hysteresis(enter, exit_)

        gates_ok = all(c.ok for c in checks if gating(c))
        if gates_ok and lights_settled:
            if self._ready_since is None:
                self._ready_since = t
        else:
            self._ready_since = None
        ready = self._ready_since is not None and t - self._ready_since >= g.ready_hold_s

        skip = frozenset() if lights_exhausted else frozenset({Prompt.TURN_TO_LIGHT})
        still_asked = {c.prompt for c in checks if not c.ok and c.prompt is not None}
        prompt = self._dwell(top_prompt(checks, skip=skip), still_asked, t)
        prompt = self._background_hint(smoothed, background_clutter, prompt, ready, t)
        if prompt is Prompt.BUSY_BACKGROUND:
            ready = False  # the countdown waits until the hint has been read (<= background_hint_s)
        score = 0.0
        if smoothed is not None and hard_gates_ok(checks):
            score = soft_score(smoothed, self.cfg, expression=self.expression, open_eye=baseline.open_eye)
        return Assessment(t=t, checks=checks, prompt=prompt, ready=ready, gates_ok=gates_ok,
                          score=score, relax_level=relax)

    def relax_level(self, t: float) -> int:
        g = self.cfg.guidance
        if self._attempt_start is None:
            return 0
        return min(g.max_relax_steps, int(max(0.0, t - self._attempt_start) // g.relax_after_s))

    # -- parts -----------------------------------------------------------------------

    def _learn(self, face: FaceMeasures) -> None:
        # the open-eye reference is the eyes at rest: a smile narrows them (that is allowed
        # for, in the check) and must not lower the reference itself
        if not face.blink and not face.eyes_closed and face.smile < 0.5:
            self._open_eyes.append(0.5 * (face.ear_left + face.ear_right))
        if face.smile < self.cfg.expression.neutral_happy_max and face.mouth_gap < self.cfg.expression.mouth_gap_badge:
            self._neutral_mouth.append(face.mouth_width)

    def _measure_motion(self, face: FaceMeasures) -> float:
        """Landmark motion per frame in IED, smoothed: the mean displacement over the last
        ``guidance.motion_baseline_frames`` frames divided by that many frames. A one-frame
        difference is mostly the mesh's own jitter (which does not add up over frames), a
        longer baseline sees the drift a moving head makes (booth/guidance/README.md). The
        first frame of a face counts as moving."""
        pts = np.asarray(face.landmarks, dtype=np.float32)[:, :2]
        hist = self._prev_landmarks
        if not hist or hist[-1].shape != pts.shape:
            self._prev_landmarks = deque([pts], maxlen=self.cfg.guidance.motion_baseline_frames + 1)
            self._motion = math.inf
            return self._motion
        hist.append(pts)
        frames = len(hist) - 1
        raw = float(np.mean(np.linalg.norm(pts - hist[0], axis=1))) / frames / max(face.ied_px, 1e-6)
        if self._motion is None or not math.isfinite(self._motion):
            self._motion = raw
        else:
            self._motion = _ema(self._motion, raw, self.cfg.guidance.ema_alpha)
        return self._motion

    def _hysteresis(self, enter: tuple[Check, ...], exit_: tuple[Check, ...]) -> tuple[Check, ...]:
        """A check that was OK stays OK until it fails its exit threshold; one that was
        failing turns OK only when it meets the enter threshold."""
        exits = {c.name: c for c in exit_}
        out = []
        ok_now: dict[str, bool] = {}
        for c in enter:
            was_ok = self._ok.get(c.name, False)
            e = exits.get(c.name, c)
            ok = e.ok if was_ok else c.ok
            ok_now[c.name] = ok
            # ok differs from the enter check only for a check that was OK and still passes exit
            out.append(c if ok == c.ok else e)
        self._ok = ok_now
        return tuple(out)

    @property
    def background_hint_given(self) -> bool:
        """The busy-background hint has been shown to this sitter (no more readings needed)."""
        return self._hint_given

    def _background_hint(self, face: FaceMeasures | None, clutter: float | None, prompt: Prompt | None, ready: bool,
                         t: float) -> Prompt | None:
        """The busy-background hint (``Prompt.BUSY_BACKGROUND``) in place of an empty prompt
        line: once per sitter, after the preview's clutter reading (the saved photo's
        measure) has stayed above ``guidance.background_hint`` for
        ``prompt_hold_s``, never once the sitter is ready (the countdown), for at most
        ``background_hint_s``; any real prompt ends it at once. It is no check: it never gates
        capture; while it is up the countdown waits for it (so it can be read), at most
        ``background_hint_s`` once per sitter."""
        g = self.cfg.guidance
        if self._hint_since is not None:  # on screen
            if prompt is None and t - self._hint_since < g.background_hint_s:
                return Prompt.BUSY_BACKGROUND
            self._hint_since = None
            return prompt
        if self._hint_given or g.background_hint_s <= 0 or face is None:
            return prompt
        if clutter is None or clutter <= g.background_hint:
            self._busy_since = None
            return prompt
        if self._busy_since is None:
            self._busy_since = t
        if prompt is not None or ready or t - self._busy_since < g.prompt_hold_s:
            return prompt
        self._hint_given, self._hint_since = True, t
        return Prompt.BUSY_BACKGROUND

    def _dwell(self, candidate: Prompt | None, still_asked: set[Prompt], t: float) -> Prompt | None:
        """The prompt to show: a new one only after its condition held ``prompt_hold_s`` and
        the old one was up ``prompt_min_show_s``. A shown prompt whose own condition has been
        met for ``prompt_hold_s`` is withdrawn even while the next condition still flickers:
        a stale "move left" makes a sitter who already arrived keep moving."""
        g = self.cfg.guidance
        if candidate != self._candidate:
            self._candidate, self._candidate_since = candidate, t
        if self._shown is None or self._shown in still_asked:
            self._resolved_since = None
        elif self._resolved_since is None:
            self._resolved_since = t
        # a prompt stays up prompt_min_show_s; an empty prompt line may fill at once
        shown_long_enough = self._shown is None or t - self._shown_since >= g.prompt_min_show_s
        if candidate != self._shown and shown_long_enough:
            if t - self._candidate_since >= g.prompt_hold_s:
                self._shown, self._shown_since = candidate, t
            elif self._resolved_since is not None and t - self._resolved_since >= g.prompt_hold_s:
                self._shown, self._shown_since = None, t
        return self._shown
