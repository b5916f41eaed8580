"""Per-frame checks: one observation in, the spec's checks out, in the spec's priority order.

Every check is a :class:`~booth.types.Check` with its measured value, the target as text,
whether it passes, the prompt to show when it fails and whether it is a hard gate::

    checks = evaluate_checks(obs, cfg)          # a live frame, "enter" thresholds
    top_prompt(checks)                          # -> Prompt.MOVE_CLOSER, or None
    assess_still(obs, cfg).gates_ok             # one photo on its own

Priority (HEADSHOT_SPEC, Guidance): a face / one person; distance; centring (then the crop
inside the frame without pad: step back or centre, added); roll, yaw,
pitch; gaze; eyes; mouth and expression; then light (the lights' business: the sitter hears
about it only when the lights cannot fix it); hold still. After those come advisory
measures (exposure, background, colour cast): reported, scored, never prompted or gating.

Thresholds come in pairs (HEADSHOT_SPEC "enter"/"exit"): ``strict=True`` uses the enter
side (to *become* OK), ``strict=False`` the exit side (to *stay* OK). The coach combines
the two into hysteresis; a single still is judged on the exit side, the limit a sitter may
drift to without losing readiness, so a photo the booth took passes when analysed again.

Soft checks (expression, hold still) widen one step per ``relax_level``
(``guidance.relax_factor``); hard gates never relax.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..config import BoothConfig, Profile
from ..errors import ConfigError
from ..output.crops import FaceGeometry, Framing, aspects_to_check, plan_for_face, plan_framing
from ..types import Assessment, Check, FaceMeasures, FaceObservation, Prompt
from ..vision.measures import eye_open_limits
from .actor import EXPRESSIONS, judge

#: the actor series' expressions and their prompts (rules and derivation: booth/guidance/actor.py)
ACTOR_EXPRESSIONS = {name: e.prompt for name, e in EXPRESSIONS.items()}
ADVISORY = frozenset({"exposure", "background", "colour_cast"})


@dataclass(frozen=True)
class Baseline:
    """What the coach has learnt about this sitter (None until it has seen enough)."""

    open_eye: float | None = None  # median eye opening while the eyes are open
    neutral_mouth_width: float | None = None  # mouth width / IED while not smiling


def gating(check: Check) -> bool:
    """Does this check have to pass before the booth counts down? Hard gates and every
    check the sitter can act on (it has a prompt); advisory measures do not."""
    return check.hard or check.prompt is not None


def top_prompt(checks: Iterable[Check], *, skip: frozenset[Prompt] | set[Prompt] = frozenset()) -> Prompt | None:
    """The prompt of the highest-priority failing check that has one (``checks`` are in
    priority order), leaving out prompts in ``skip``."""
    for c in checks:
        if not c.ok and c.prompt is not None and c.prompt not in skip:
            return c.prompt
    return None


def expression_band(cfg: BoothConfig, expression: str | None) -> tuple[float, float]:
    """The P(happy) band for the profile, or for one expression of the actor series."""
    ex = cfg.expression
    if cfg.profile is Profile.ACTOR:
        name = expression or (ex.actor_series[0] if ex.actor_series else "confident")
        if name not in ACTOR_EXPRESSIONS:
            raise ConfigError(f"expression.actor_series: {name!r} is not an expression the booth knows; "
                              f"choose from {', '.join(ACTOR_EXPRESSIONS)}")
        band: tuple[float, float] = getattr(ex, f"actor_{name}_happy")
        return band
    if cfg.profile is Profile.BADGE:
        return (0.0, ex.happy_badge_max)
    return ex.happy_professional


def mouth_limit(cfg: BoothConfig, expression: str | None) -> float:
    ex = cfg.expression
    if cfg.profile is Profile.BADGE:
        return ex.mouth_gap_badge
    if cfg.profile is Profile.ACTOR:
        name = expression or (ex.actor_series[0] if ex.actor_series else "confident")
        if name in ("confident", "serious"):
            return ex.actor_closed_mouth_gap
        if name == "playful":
            return ex.mouth_gap_actor
        return EXPRESSIONS[name].mouth_max if name in EXPRESSIONS else ex.mouth_gap_actor
    return ex.mouth_gap_professional


def _widen(band: tuple[float, float], factor: float) -> tuple[float, float]:
    mid, half = 0.5 * (band[0] + band[1]), 0.5 * (band[1] - band[0])
    return (max(0.0, mid - half * factor), min(1.0, mid + half * factor))


def _hysteresis_check(name: str, value: float, enter: float, exit_: float, strict: bool,
                      prompt: Prompt | None, unit: str, hard: bool = True) -> Check:
    limit = enter if strict else exit_
    return Check(name, abs(value) <= limit, value, f"|{name}| <= {limit:g}{unit}", prompt, hard)


def _sign_prompt(value: float, positive: Prompt, negative: Prompt) -> Prompt:
    return positive if value > 0 else negative


def turn_sign(turn: str) -> float:
    """+1 for pose.turn = "left" (the sitter turns toward their own left: yaw > 0), -1 for
    "right", 0 for "none"."""
    return {"left": 1.0, "right": -1.0}.get(turn, 0.0)


def turn_check(yaw: float, cfg: BoothConfig, strict: bool = True) -> Check:
    """The turned pose of ``pose.turn`` (professional profile): |yaw| inside ``pose.turn_yaw``
    on the asked side; the exit side widens the band by ``pose.yaw_exit - pose.yaw_enter``.
    Too little (or the wrong way): turn the shoulders that way (the head follows without the
    neck twisting); too much: turn the face back a little."""
    po = cfg.pose
    sign = turn_sign(po.turn)
    lo, hi = po.turn_yaw
    if not strict:
        grow = max(0.0, po.yaw_exit - po.yaw_enter)
        lo, hi = max(0.0, lo - grow), hi + grow
    turned = yaw * sign  # degrees toward the asked side
    if turned < lo:
        prompt = Prompt.TURN_SHOULDERS_LEFT if sign > 0 else Prompt.TURN_SHOULDERS_RIGHT
    else:  # too far: back toward the camera
        prompt = Prompt.TURN_RIGHT if sign > 0 else Prompt.TURN_LEFT
    return Check("yaw", lo <= turned <= hi, yaw, f"yaw {lo:g}-{hi:g} deg toward the sitter's {po.turn}", prompt)
@dataclass(frozen=True)
class _Frame:
    """What every check family reads: one observation with its face, its framing plan and
    the settings of this evaluation (see :func:`evaluate_checks`)."""

    obs: FaceObservation
    face: FaceMeasures
    cfg: BoothConfig
    plan: Framing
    ied: float  # the face's IED in analysed pixels (never 0)
    margin: float  # the framing margin in IED (0 on the exit side)
    strict: bool
    relax_level: int
    baseline: Baseline | None
    expression: str | None
    motion: float | None
    still_size: tuple[int, int] | None


def evaluate_checks(obs: FaceObservation, cfg: BoothConfig, *, relax_level: int = 0,
                    baseline: Baseline | None = None, strict: bool = True,
                    expression: str | None = None, motion: float | None = None,
                    still_size: tuple[int, int] | None = None,
                    framing: Framing | None = None) -> tuple[Check, ...]:
    """The raw checks of one observation, in priority order (:data:`CHECK_FAMILIES`).

    ``expression``: the actor series step being asked for. ``motion``: landmark motion per
    frame in IED (the coach measures it; None leaves the hold-still check out).
    ``still_size``: the full-resolution still's (width, height) when it differs from the
    analysed image (the IED minimum is about the still). ``framing``: a plan already made
    for this face (else one is made here).
    """
    face = obs.face
    if face is None:
        return (Check("face", False, 0.0, "one face in frame", Prompt.STEP_IN),)
    f = _Frame(obs=obs, face=face, cfg=cfg, plan=framing or plan_for_face(face, obs.image_size, cfg),
               ied=max(face.ied_px, 1e-6), margin=cfg.framing.fit_margin_ied if strict else 0.0, strict=strict,
               relax_level=relax_level, baseline=baseline, expression=expression, motion=motion,
               still_size=still_size)
    return tuple(check for family in CHECK_FAMILIES for check in family(f))


def _presence(f: _Frame) -> list[Check]:
    return [
        Check("face", True, 1.0, "one face in frame", Prompt.STEP_IN),
        Check("one_person", f.obs.faces <= 1, float(f.obs.faces), "exactly one person", Prompt.ONE_PERSON),
    ]


def _distance(f: _Frame) -> list[Check]:
    # Too far: too few pixels on the face for the still, or a head much smaller than the
    # guide's target. Too close: not even the smallest in-band crop fits.
    fr, face, plan = f.cfg.framing, f.face, f.plan
    sx = (f.still_size[0] / f.obs.image_size[0]) if f.still_size else 1.0
    ied_still = face.ied_px * sx
    small = plan.head_fraction_frame < fr.target_head_fraction * (1.0 - fr.distance_tolerance)
    too_close = max(plan.overflow["height"], plan.overflow["width"]) / f.ied
    return [
        Check("distance_far", ied_still >= fr.min_ied_px and not small, ied_still,
              f"IED >= {fr.min_ied_px:g} px on the still, head >= "
              f"{fr.target_head_fraction * (1 - fr.distance_tolerance):.2f} of the frame", Prompt.MOVE_CLOSER),
        Check("distance_close", too_close <= -f.margin, too_close,
              f"the crop fits with {f.margin:g} IED to spare", Prompt.MOVE_BACK),
    ]


def _centring(f: _Frame) -> list[Check]:
    # The crop must not leave the image on any side. Image left is the sitter's right: a
    # crop spilling off image-left asks the sitter to move to their left.
    fr, plan, ied, margin, width = f.cfg.framing, f.plan, f.ied, f.margin, f.obs.image_size[0]
    left, right = plan.overflow["left"] / ied, plan.overflow["right"] / ied
    h_value = max(left, right)
    h_ok = h_value <= -margin
    # how far to go (frame widths) to bring the crop back inside with the margin to spare
    h_amount = None if h_ok else (h_value + margin) * ied / width
    checks = [Check("centre_h", h_ok, h_value, f"crop inside the frame with {margin:g} IED to spare",
                    Prompt.MOVE_LEFT if left >= right else Prompt.MOVE_RIGHT, amount=h_amount)]
    # ... and the sitter must stand on the booth's axis: the key lights are placed for a centred
    # face (off axis, one side is nearer its light) and the lens distorts least there. An eye
    # midpoint left of centre in the image is off to the sitter's right: move left.
    offset = f.face.eye_mid[0] / width - 0.5
    tol = fr.centre_tolerance * (1.0 if f.strict else 1.5)
    axis_ok = abs(offset) <= tol
    # The amount is the way to the centre line, not just to the tolerance's edge: that is
    # where the sitter should aim, and a step that falls a little short still lands inside.
    checks.append(Check("centre_axis", axis_ok, offset, f"eyes within {tol:.2f} of the frame's centre line",
                        Prompt.MOVE_LEFT if offset < 0 else Prompt.MOVE_RIGHT,
                        amount=None if axis_ok else abs(offset)))
    top, bottom = plan.overflow["top"] / ied, plan.overflow["bottom"] / ied
    v_value = max(top, bottom)
    checks.append(Check("centre_v", v_value <= -margin, v_value, f"crop inside the frame with {margin:g} IED to spare",
                        Prompt.MOVE_DOWN if top >= bottom else Prompt.MOVE_UP))
    return checks + _inside(f)  # then the crops inside the frame without pad (step back or centre)


#: crop_inside: a sitter told "move back" steps back by about this factor more than needed
#: (the simulated sitter shrinks the face by 12-22 % a step); the step must still leave the
#: face large enough for distance_far, else stepping back and coming closer would fight
STEP_BACK_OVERSHOOT = 1.25


#: crop_inside: the smallest face scale a step back is ever asked to reach
MIN_FIT_SCALE = 0.2


def _fits_at(f: _Frame, s: float) -> bool:
    """Do the profile's crops fit inside the image with the face ``s`` times its size (about
    the image centre: the sitter steps back to 1/s of the distance)?"""
    w, h = f.obs.image_size
    geom = FaceGeometry.of(f.face).shrunk(s, (0.5 * w, 0.5 * h))
    return plan_framing(geom, f.obs.image_size, f.cfg, aspects_to_check(f.cfg.profile, f.obs.image_size)).fits_inside


def _smallest_scale_not_too_far(f: _Frame) -> float:
    """The smallest face scale s at which distance_far still passes: s >= this."""
    fr = f.cfg.framing
    sx = (f.still_size[0] / f.obs.image_size[0]) if f.still_size else 1.0
    by_ied = fr.min_ied_px / max(f.face.ied_px * sx, 1e-9)
    by_head = fr.target_head_fraction * (1.0 - fr.distance_tolerance) / max(f.plan.head_fraction_frame, 1e-9)
    return max(by_ied, by_head)


def _step_back_helps(f: _Frame) -> bool:
    """Is there a step back after which the crops fit and the face, with the sitter's usual
    overshoot, is still large enough for distance_far? Fitting and being large enough are
    both monotonic in the scale, so this is one plan at the scale the overshoot allows (not
    a search: the check runs on every frame the crop does not fit, and plan_framing is the
    coach's most expensive step)."""
    s = max(STEP_BACK_OVERSHOOT * _smallest_scale_not_too_far(f), MIN_FIT_SCALE)
    return s <= 1.0 and _fits_at(f, s)


def _inside(f: _Frame) -> list[Check]:
    # No pad: the profile's crops inside the camera image (framing.inside_tolerance), not only
    # within framing.max_pad as distance_close/centre_h/centre_v ask. Sideways when a move
    # toward the centre line alone brings the crop in (and leaves the eyes on the axis), else
    # a step back (which shrinks the crop and draws it toward the image centre). Closer wins:
    # when the step back needed (with a sitter's usual overshoot) would make the face too
    # small for distance_far, the check yields and the pad fill is the fallback (a tight camera).
    fr, plan, ied, margin = f.cfg.framing, f.plan, f.ied, f.margin
    ov = plan.overflow_inside
    value = max(ov.values()) / ied if ov else -math.inf
    target = f"crops inside the frame (<= {fr.inside_tolerance:g} of the crop past it) with {margin:g} IED to spare"
    if value <= -margin:
        return [Check("crop_inside", True, value, target, Prompt.MOVE_BACK)]
    width = f.obs.image_size[0]
    left, right = ov["left"] / ied, ov["right"] / ied
    sideways = max(left, right) > -margin and all(ov[k] / ied <= -margin for k in ("top", "bottom", "height", "width"))
    if sideways:
        shift = (max(left, right) + margin) * ied / width  # frame widths toward the centre
        offset = f.face.eye_mid[0] / width - 0.5
        after = offset + (shift if left >= right else -shift)
        if abs(after) <= fr.centre_tolerance * (1.0 if f.strict else 1.5):
            return [Check("crop_inside", False, value, target, Prompt.MOVE_LEFT if left >= right else Prompt.MOVE_RIGHT,
                          amount=shift)]
    if not _step_back_helps(f):
        return [Check("crop_inside", True, value, f"{target}: yields, a step back would leave the face too small "
                      "(the pad is filled from the background)", Prompt.MOVE_BACK)]
    return [Check("crop_inside", False, value, target, Prompt.MOVE_BACK)]


def _pose(f: _Frame) -> list[Check]:
    # Roll, then yaw, then pitch. yaw > 0 turns toward the sitter's left: ask right.
    po, face, strict = f.cfg.pose, f.face, f.strict
    if f.cfg.profile is Profile.PROFESSIONAL and po.turn != "none":
        yaw = turn_check(face.yaw, f.cfg, strict)  # the turned pose: a yaw band on the asked side
    else:
        yaw = _hysteresis_check("yaw", face.yaw, po.yaw_enter, po.yaw_exit, strict,
                                _sign_prompt(face.yaw, Prompt.TURN_RIGHT, Prompt.TURN_LEFT), " deg")
    return [
        _hysteresis_check("roll", face.roll, po.roll_enter, po.roll_exit, strict, Prompt.STRAIGHTEN_HEAD, " deg"),
        yaw,
        _hysteresis_check("pitch", face.pitch, po.pitch_enter, po.pitch_exit, strict,
                          _sign_prompt(face.pitch, Prompt.CHIN_DOWN, Prompt.CHIN_UP), " deg"),
    ]


def _gaze(f: _Frame) -> list[Check]:
    gz, face, strict = f.cfg.gaze, f.face, f.strict
    return [
        _hysteresis_check("gaze_h", face.gaze_h, gz.h_enter, gz.h_exit, strict, Prompt.LOOK_AT_CAMERA, ""),
        _hysteresis_check("gaze_v", face.gaze_v, gz.v_enter, gz.v_exit, strict, Prompt.LOOK_AT_CAMERA, ""),
    ]


def _eyes(f: _Frame) -> list[Check]:
    # Open against the sitter's own open median (and an absolute floor), both eased by the
    # smile (a genuine smile narrows the eyes: measure.eye_open_limits); a blink in progress
    # is a hard gate without a prompt (it passes by itself). The floor is about the narrower
    # eye; the sitter's median (learnt from both eyes' mean) about the mean.
    face, baseline = f.face, f.baseline
    floor, ratio = eye_open_limits(f.cfg.eyes, face.smile)
    opening = min(face.ear_left, face.ear_right)
    mean_opening = 0.5 * (face.ear_left + face.ear_right)
    need = floor
    relative_ok = True
    if baseline is not None and baseline.open_eye:
        relative_ok = mean_opening >= ratio * baseline.open_eye
        need = max(need, ratio * baseline.open_eye)
    checks = [
        Check("eyes_open", (not face.eyes_closed) and opening >= floor and relative_ok, opening,
              f">= {need:.3f}", Prompt.OPEN_EYES),
        Check("blink", not face.blink, 1.0 if face.blink else 0.0, "no blink in progress", None),
    ]
    if f.cfg.profile is Profile.ACTOR and f.expression in SERIOUS_EXPRESSIONS:
        checks.append(serious_eyes_check(face, f.cfg, baseline.open_eye if baseline else None, f.strict))
    return checks


def _mouth_and_expression(f: _Frame) -> list[Check]:
    # The mouth is a hard gate, the expression a soft one.
    cfg, face = f.cfg, f.face
    limit = mouth_limit(cfg, f.expression)
    actor_name = (f.expression or (cfg.expression.actor_series[0] if cfg.expression.actor_series else "confident")) \
        if cfg.profile is Profile.ACTOR else None
    closed_wanted = cfg.profile is Profile.BADGE or (actor_name in EXPRESSIONS and EXPRESSIONS[actor_name].closed)
    return [
        Check("mouth", face.mouth_gap <= limit, face.mouth_gap, f"inner-lip gap <= {limit:g} T",
              Prompt.CLOSE_MOUTH if closed_wanted else Prompt.SOFTEN_SMILE),
        _expression_check(face, cfg, f.expression, f.relax_level, f.baseline, f.strict),
    ]


def _light(f: _Frame) -> list[Check]:
    lt, face = f.cfg.light, f.face
    return [
        Check("light_balance", abs(face.light_balance_ev) <= lt.balance_fail_ev, face.light_balance_ev,
              f"|dEV| <= {lt.balance_fail_ev:g}", Prompt.TURN_TO_LIGHT),
        Check("clipping", face.clipped < lt.clip_max, face.clipped, f"< {lt.clip_max:g} of face pixels", None),
    ]


def _stillness(f: _Frame) -> list[Check]:
    if f.motion is None:
        return []
    limit_m = f.cfg.guidance.motion_max_ied * f.cfg.guidance.relax_factor ** f.relax_level
    return [Check("hold_still", f.motion < limit_m, f.motion, f"< {limit_m:.3f} IED per frame",
                  Prompt.HOLD_STILL, hard=False)]


def _advisory(f: _Frame) -> list[Check]:
    # Measured and scored, fixed by the lights and the booth's build, not the sitter.
    lt, face = f.cfg.light, f.face
    checks = [Check("exposure", lt.exposure[0] <= face.exposure <= lt.exposure[1], face.exposure,
                    f"{lt.exposure[0]:g}-{lt.exposure[1]:g}", None, hard=False)]
    if face.background is not None:
        checks.append(Check("background", face.background <= lt.background_max, face.background,
                            f"<= {lt.background_max:g}", None, hard=False))
    cast_ok = lt.cast_a[0] <= face.cast_a <= lt.cast_a[1] and lt.cast_b[0] <= face.cast_b <= lt.cast_b[1]
    checks.append(Check("colour_cast", cast_ok, face.cast_a, f"a* {lt.cast_a}, b* {lt.cast_b}", None, hard=False))
    return checks


#: The check families in the spec's priority order (HEADSHOT_SPEC, Guidance): the one place
#: that order is written. The first failing check with a prompt is the one the sitter hears.
CHECK_FAMILIES: tuple[Callable[[_Frame], list[Check]], ...] = (
    _presence,  # a face, one person
    _distance,  # too far, too close
    _centring,  # crop inside the frame (+ max_pad), on the booth's axis; then without pad (crop_inside)
    _pose,  # roll, yaw, pitch
    _gaze,  # horizontal, vertical
    _eyes,  # open, no blink
    _mouth_and_expression,
    _light,  # balance, clipping: the lights' business first
    _stillness,  # hold still (soft; only when the coach measures motion)
    _advisory,  # exposure, background, colour cast: never prompted or gating
)


def _expression_check(face: FaceMeasures, cfg: BoothConfig, expression: str | None, relax_level: int,
                      baseline: Baseline | None, strict: bool) -> Check:
    ex = cfg.expression
    if cfg.profile is Profile.ACTOR:
        return _actor_check(face, cfg, expression, baseline, strict)
    factor = cfg.guidance.relax_factor ** relax_level
    lo, hi = _widen(expression_band(cfg, expression), factor)
    if not strict:
        lo, hi = max(0.0, lo - ex.hysteresis), min(1.0, hi + ex.hysteresis)
    p = face.smile
    more, less = Prompt.SMILE, Prompt.SOFTEN_SMILE
    target = f"P(happy) {lo:.2f}-{hi:.2f}"
    if p < lo:
        return Check("expression", False, p, target, more, hard=False)
    if p > hi:
        return Check("expression", False, p, target, less, hard=False)
    # A smile shows in the mouth too: wider than this sitter's own neutral mouth.
    wants_smile = cfg.profile is Profile.PROFESSIONAL
    if baseline is not None and baseline.neutral_mouth_width:
        gain = ex.mouth_width_gain / factor
        ratio = face.mouth_width / baseline.neutral_mouth_width - 1.0
        if wants_smile and ratio < gain:
            return Check("expression", False, p, f"{target}, mouth width >= +{gain:.0%} of neutral", more, hard=False)
    # A smile with life in the eyes: a laugh that narrows them to slits (the opening well under
    # the sitter's own neutral one) is asked to soften; relaxes with the other soft checks.
    if wants_smile and baseline is not None and baseline.open_eye:
        need = cfg.best_frame.engaged_eye_ratio / factor * (1.0 if strict else 0.95)
        if eye_opening(face) < need * baseline.open_eye:
            return Check("expression", False, p, f"{target}, eyes >= {need:.2f} x neutral opening", less, hard=False)
    return Check("expression", True, p, target, more, hard=False)


# ------------------------------------------------------------------------------ engaged eyes

#: actor expressions whose eyes carry the picture: open and on the lens
SERIOUS_EXPRESSIONS = frozenset({"serious", "intense"})


def eye_opening(face: FaceMeasures) -> float:
    """The mean of the two eyes' openings (what the sitter's baseline is learnt from)."""
    return 0.5 * (face.ear_left + face.ear_right)


def engaged_ratio(face: FaceMeasures, neutral_open_eye: float | None) -> float | None:
    """The eye opening relative to the sitter's own neutral (not smiling) opening; None
    until the coach has learnt it."""
    if not neutral_open_eye:
        return None
    return eye_opening(face) / neutral_open_eye


def engaged_eyes(face: FaceMeasures, cfg: BoothConfig, neutral_open_eye: float | None) -> bool:
    """Life in the eyes while smiling: the opening stays near the sitter's neutral one
    (``best_frame.engaged_eye_ratio``). True while the baseline is unknown."""
    r = engaged_ratio(face, neutral_open_eye)
    return r is None or r >= cfg.best_frame.engaged_eye_ratio


def serious_eyes_check(face: FaceMeasures, cfg: BoothConfig, neutral_open_eye: float | None,
                       strict: bool = True) -> Check:
    """The rule for a serious or intense expression (actor series): the eyes open at least
    ``eyes.serious_open_ratio`` of the sitter's neutral opening (no smile to ease it) and the
    gaze on the lens within the gaze *enter* band on both axes (no drifting to the exit
    side: a serious look off the lens reads as absent). Reusable by the actor series."""
    gz = cfg.gaze
    on_lens = abs(face.gaze_h) <= gz.h_enter and abs(face.gaze_v) <= gz.v_enter
    r = engaged_ratio(face, neutral_open_eye)
    need = cfg.eyes.serious_open_ratio * (1.0 if strict else 0.95)
    open_ok = r is None or r >= need
    prompt = Prompt.LOOK_AT_CAMERA if not on_lens else Prompt.OPEN_EYES
    return Check("serious_eyes", on_lens and open_ok and not face.eyes_closed, r if r is not None else 1.0,
                 f"eyes >= {need:.2f} x neutral opening, gaze within {gz.h_enter:g}/{gz.v_enter:g}", prompt)


def _actor_check(face: FaceMeasures, cfg: BoothConfig, expression: str | None, baseline: Baseline | None,
                 strict: bool) -> Check:
    """The actor series' expression: the evidence-derived rule of booth/guidance/actor.py.
    It does not relax with time (a relaxed "confident" would accept a toothy grin): an
    expression the sitter cannot reach is skipped instead (the session offers a skip)."""
    ex = cfg.expression
    name = expression or (ex.actor_series[0] if ex.actor_series else "confident")
    lo, hi = expression_band(cfg, name)
    if not strict:
        lo, hi = max(0.0, lo - ex.hysteresis), min(1.0, hi + ex.hysteresis)
    b = baseline or Baseline()
    v = judge(name, face, cfg, neutral_width=b.neutral_mouth_width, open_eye=b.open_eye, happy_band=(lo, hi))
    target = v.target if v.ok else f"{v.target} ({v.why})"
    return Check("expression", v.ok, v.value, target, ACTOR_EXPRESSIONS[name], hard=False)


# ------------------------------------------------------------------------------ score


def _band_term(value: float, band: tuple[float, float]) -> float:
    """1 at the middle of the band, 0.5 at its edges, 0 one half-width outside it."""
    mid, half = 0.5 * (band[0] + band[1]), max(0.5 * (band[1] - band[0]), 1e-6)
    return max(0.0, 1.0 - 0.5 * abs(value - mid) / half)


def soft_terms(face: FaceMeasures, cfg: BoothConfig, *, expression: str | None = None,
               open_eye: float | None = None, sharpness_rank: float | None = None,
               neutral_open_eye: float | None = None) -> dict[str, float]:
    """The spec's soft-score terms, each 0..1 (``sharpness_rank`` is relative to the other
    frames of the session or buffer; 0.5 when unknown). ``neutral_open_eye``: the sitter's
    own opening at rest; the eyes term is then also the opening relative to it (a laugh
    that narrows the eyes to slits scores low even when the whole buffer is laughing)."""
    po, gz, lt = cfg.pose, cfg.gaze, cfg.light
    open_ref = open_eye or max(face.ear_left, face.ear_right, 1e-6)
    eyes = min(1.0, min(face.ear_left, face.ear_right) / open_ref)
    if neutral_open_eye:  # engaged eyes: judged against the sitter's own neutral opening
        eyes = min(eyes, min(1.0, eye_opening(face) / neutral_open_eye))
    yaw_err = abs(face.yaw)
    if cfg.profile is Profile.PROFESSIONAL and po.turn != "none":  # the turned pose's own middle
        yaw_err = abs(face.yaw * turn_sign(po.turn) - 0.5 * (po.turn_yaw[0] + po.turn_yaw[1]))
    pose = 1.0 - min(1.0, (yaw_err / po.yaw_exit + abs(face.pitch) / po.pitch_exit
                           + abs(face.roll) / po.roll_exit) / 3.0)
    gaze = 1.0 - min(1.0, math.hypot(face.gaze_h / gz.h_exit, face.gaze_v / gz.v_exit) / math.sqrt(2.0))
    light = 1.0 - min(1.0, abs(face.light_balance_ev) / max(lt.balance_fail_ev, 1e-6))
    e_lo, e_hi = lt.exposure
    dist = max(0.0, e_lo - face.exposure, face.exposure - e_hi)
    exposure = 1.0 - min(1.0, dist / max(e_hi - e_lo, 1e-6))
    return {
        "sharpness": 0.5 if sharpness_rank is None else float(sharpness_rank),
        "expression": _band_term(face.smile, expression_band(cfg, expression)),
        "eyes": eyes, "gaze": gaze, "pose": pose, "light": light, "exposure": exposure,
    }


def soft_score(face: FaceMeasures, cfg: BoothConfig, **kwargs: Any) -> float:
    """Weighted sum of :func:`soft_terms` with ``[best_frame]`` weights, normalised to 0..1."""
    bf = cfg.best_frame
    weights = {"sharpness": bf.w_sharpness, "expression": bf.w_expression, "eyes": bf.w_eyes,
               "gaze": bf.w_gaze, "pose": bf.w_pose, "light": bf.w_light, "exposure": bf.w_exposure}
    terms = soft_terms(face, cfg, **kwargs)
    total = sum(weights.values()) or 1.0
    return sum(weights[k] * terms[k] for k in weights) / total


def hard_gates_ok(checks: Iterable[Check]) -> bool:
    return all(c.ok for c in checks if c.hard)


def assess_still(obs: FaceObservation, cfg: BoothConfig, *, expression: str | None = None) -> Assessment:
    """Judge one still on its own: no smoothing, no dwell, no sitter baseline.

    ``prompt`` is the highest-priority failing check's; ``gates_ok`` (and ``ready``) mean
    every gating check passes on the exit side of its band (see the module doc).
    """
    # a photo judged on its own may be the booth's tightened crop (booth/output/crops.py)
    framing = plan_for_face(obs.face, obs.image_size, cfg, as_output=True) if obs.face is not None else None
    checks = evaluate_checks(obs, cfg, strict=False, expression=expression, framing=framing)
    ok = all(c.ok for c in checks if gating(c))
    score = soft_score(obs.face, cfg, expression=expression) if (obs.face is not None and hard_gates_ok(checks)) else 0.0
    prompt = top_prompt(checks)
    return Assessment(t=obs.t, checks=checks, prompt=prompt, ready=ok, gates_ok=ok, score=score)
