"""The actor series: which expressions, what each asks of the face, and the rule that accepts it.

Casting headshots "showcase a range of emotions" (HEADSHOT_SPEC, profile table; the seed:
confidence, approachability, intensity, vulnerability, playfulness, never the dead gaze).
Each expression is one :class:`Expression`: a short name, the prompt (what to *do*, in a few
words: the catalogue in :mod:`booth.guidance.prompts`), and an acceptance rule over the
measures the booth already has (:class:`~booth.types.FaceMeasures`: FER's seven
probabilities, the inner-lip gap, the mouth width, the eye opening) and what the coach has
learnt about this sitter (:class:`~booth.guidance.checks.Baseline`: the neutral mouth width
and the open-eye median). :func:`judge` applies one rule to one face.

The numbers were derived on the development set (``python -m booth.guidance.actor_eval``
prints the acceptance matrix; booth/guidance/README.md has it with the reasoning). In short,
on Yale (8 subjects; each subject's ``normal`` photo as the sitter's baseline, as the coach
learns it from the unsmiling frames) and GENKI-4K:

- **Lips closed** ``gap <= 0.035 T`` (:data:`CLOSED_GAP`): Yale's unsmiling photos (normal,
  sad, noglasses, glasses: 32 photos) read 0.002-0.037, p90 0.024; Yale's happy (a toothy
  smile) 0.059-0.115. 0.035 sits between the two.
- **Teeth / lips apart** ``gap >= 0.05 T`` (:data:`OPEN_GAP`): every Yale happy photo is
  above (min 0.059), no unsmiling one is. GENKI smiles with and without teeth split there.
- **A smile in the mouth**: the mouth widens against the sitter's own neutral width. Yale
  happy vs normal: +18 % to +28 % (all 8 subjects); sad and surprised: -5 % to +10 %. So
  ``+15 %`` (:data:`BROAD_GAIN`) marks a broad smile even where FER hesitates (subject 04's
  happy reads P(happy) 0.30 with +18 %), and ``+5 %`` (the config's ``mouth_width_gain``)
  is what any smile must show; an unsmiling look must stay under ``+8 %``
  (:data:`FLAT_GAIN`).
- **P(happy)** (FER) bands from ``[expression] actor_<name>_happy``: FER saturates on real
  smiles (75 % of GENKI smiles > 0.95, booth/guidance/README.md) so the bands only separate
  "smiling" from "not smiling"; which smile it is (closed, open, grin) is the mouth's job.
- **Negative affect** ``P(sad) + P(fear) + P(angry) + P(disgust) >= 0.25``
  (:data:`SOFT_NEGATIVE`): FER spreads a vulnerable, unsmiling face over its negative
  classes (Yale subject 01's sad photo: sad 0.50, angry 0.37). On Yale's sad photos the sum
  is >= 0.25 for 5 of 8 subjects, on their normal photos for 2 (subjects 01 and 05, whom FER
  reads as sad at rest). Yale's sad is a weak expression (subject 04's sad file is byte for
  byte their normal one), so this is the least certain rule; it is written down as such.
- **Engaged eyes** (never the dead gaze): the eyes-open limits the booth already uses
  (:func:`booth.vision.measures.eye_open_limits`, eased by a smile), and for the unsmiling
  intense look a firmer ``0.85 x`` the sitter's open median (:data:`INTENSE_EYES`): Yale's
  normal photos are 1.0 by construction, sleepy 0.33-0.53 and winks (the narrower eye) 0.38-0.62.
  Gaze at the lens is the booth's own gaze gate (``[gaze]``), for every expression.
  (Issue 14 adds an "engaged eyes" rule to the guidance; until it lands this is the one
  small local function :func:`eyes_engaged`.)

Without a baseline (a still analysed alone, or the first frames of a sitter) the parts of a
rule that need one are left out: the rule then rests on FER and the lip gap alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import BoothConfig, EyesSection
from ..types import FaceMeasures, Prompt
from ..vision.measures import eye_open_limits

CLOSED_GAP = 0.035  # inner-lip gap / T: lips together (confident, serious, vulnerable)
OPEN_GAP = 0.05  # lips apart, teeth showing (playful)
SMILE_GAP_MAX = 0.15  # an open smile, not yet a laugh (approachable; the professional profile's limit)
LAUGH_GAP_MAX = 0.30  # playful may laugh ([expression] mouth_gap_actor)
BROAD_GAIN = 0.15  # mouth width above neutral that is a broad smile whatever FER says
FLAT_GAIN = 0.08  # an unsmiling mouth stays under this above neutral
SOFT_NEGATIVE = 0.25  # P(sad)+P(fear)+P(angry)+P(disgust) for "vulnerable"
INTENSE_EYES = 0.85  # intense: eyes at least this x the sitter's open median
SOFT_EYES = 0.6  # vulnerable: lids may lower to this x the open median (sleepy is below 0.55)


@dataclass(frozen=True)
class Expression:
    name: str
    prompt: Prompt
    asks: str  # what it asks of the face, for people (docs, `booth config`)
    mouth_max: float  # the hard mouth gate's limit (inner-lip gap / T)
    closed: bool  # the mouth gate asks to close the mouth (else to soften the smile)
    photo_roles: tuple[str, ...]  # the simulated sitter's photos that act it, best first


EXPRESSIONS: dict[str, Expression] = {e.name: e for e in (
    Expression("confident", Prompt.EXPRESS_CONFIDENT, "a slight smile with the lips closed, eyes open, at the lens",
               CLOSED_GAP, True, ("confident", "smirk")),
    Expression("approachable", Prompt.EXPRESS_APPROACHABLE, "a warm, open smile (teeth or not), no laugh",
               SMILE_GAP_MAX, False, ("approachable", "smile")),
    Expression("serious", Prompt.EXPRESS_SERIOUS, "intensity: no smile, lips closed, eyes wide awake on the lens",
               CLOSED_GAP, True, ("serious", "neutral")),
    Expression("vulnerable", Prompt.EXPRESS_VULNERABLE, "no smile, a soft, sad or worried look, eyes open",
               0.05, True, ("vulnerable", "sad")),
    Expression("playful", Prompt.EXPRESS_PLAYFUL, "a big grin with the lips apart (a laugh is fine)",
               LAUGH_GAP_MAX, False, ("playful", "smile")),
)}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    value: float  # P(happy), the value the expression check reports
    target: str  # what the rule asks, as text
    why: str  # "" when ok, else the first part that failed


def negative(face: FaceMeasures) -> float:
    e = face.expression
    return float(sum(e.get(k, 0.0) for k in ("sad", "fear", "angry", "disgust")))


def mouth_gain(face: FaceMeasures, neutral_width: float | None) -> float | None:
    return None if not neutral_width else face.mouth_width / neutral_width - 1.0


def eyes_engaged(face: FaceMeasures, eyes_cfg: EyesSection, open_eye: float | None, *, firm: float | None = None,
                 soft: float | None = None) -> bool:
    """Open eyes, judged like the booth's eyes-open check (eased by the smile), but *each* eye
    against the sitter's open median (a wink is not engaged). ``firm``: the unsmiling intense
    look keeps at least this x the median; ``soft``: the vulnerable look may lower the lids
    to this x (Yale sad: 0.67-0.71 for two subjects; sleepy <= 0.55)."""
    floor, ratio = eye_open_limits(eyes_cfg, face.smile)  # the booth's one smile measure (FaceMeasures.smile)
    narrow = min(face.ear_left, face.ear_right)
    if face.eyes_closed or narrow < floor:
        return False
    if open_eye:
        need = soft if soft is not None else max(ratio, firm or 0.0)
        if narrow < need * open_eye:
            return False
    return True


def judge(name: str, face: FaceMeasures, cfg: BoothConfig, *, neutral_width: float | None = None,
          open_eye: float | None = None, happy_band: tuple[float, float] | None = None) -> Verdict:
    """Does ``face`` show expression ``name``? ``neutral_width`` / ``open_eye``: the sitter's
    baselines (None: that part of the rule is left out). ``happy_band`` overrides the
    config's P(happy) band (the coach passes it widened by its hysteresis)."""
    ex = cfg.expression
    lo, hi = happy_band or getattr(ex, f"actor_{name}_happy")
    p = face.smile  # the booth's one smile measure (FaceMeasures.smile)
    gap = face.mouth_gap
    gain = mouth_gain(face, neutral_width)
    closed = min(ex.actor_closed_mouth_gap, EXPRESSIONS[name].mouth_max) if name != "vulnerable" else EXPRESSIONS[name].mouth_max
    fails: list[str] = []
    if name == "confident":
        target = f"lips closed (gap <= {closed:g} T), P(happy) >= {lo:.2f} or mouth +{ex.mouth_width_gain:.0%}"
        if gap > closed:
            fails.append("lips apart")
        if not (p >= lo or (gain is not None and gain >= ex.mouth_width_gain)):
            fails.append("no smile")
    elif name in ("approachable", "playful"):
        broad = gain is not None and gain >= BROAD_GAIN
        if name == "approachable":
            target = f"P(happy) >= {lo:.2f} or mouth +{BROAD_GAIN:.0%}, mouth >= +{ex.mouth_width_gain:.0%}, gap <= {SMILE_GAP_MAX:g} T"
            if gap > SMILE_GAP_MAX:
                fails.append("a laugh")
        else:
            target = f"P(happy) >= {lo:.2f} or mouth +{BROAD_GAIN:.0%}, lips apart {OPEN_GAP:g}-{LAUGH_GAP_MAX:g} T"
            if gap < OPEN_GAP:
                fails.append("lips closed")
            if gap > LAUGH_GAP_MAX:
                fails.append("mouth too wide open")
        if not (p >= lo or broad):
            fails.append("no smile")
        if gain is not None and gain < ex.mouth_width_gain:
            fails.append("mouth not wider than neutral")
    elif name == "serious":
        target = f"P(happy) <= {hi:.2f}, lips closed (gap <= {closed:g} T), eyes >= {INTENSE_EYES:g} x open"
        if p > hi:
            fails.append("smiling")
        if gap > closed:
            fails.append("lips apart")
        if gain is not None and gain > FLAT_GAIN:
            fails.append("mouth wider than neutral")
    elif name == "vulnerable":
        target = f"P(happy) <= {hi:.2f}, negative >= {SOFT_NEGATIVE:g}, gap <= {closed:g} T"
        if p > hi:
            fails.append("smiling")
        if negative(face) < SOFT_NEGATIVE:
            fails.append("no softness")
        if gap > closed:
            fails.append("lips apart")
    else:
        raise KeyError(name)
    if not eyes_engaged(face, cfg.eyes, open_eye, firm=INTENSE_EYES if name == "serious" else None,
                        soft=SOFT_EYES if name == "vulnerable" else None):
        fails.append("eyes not engaged")
    return Verdict(not fails, p, target, fails[0] if fails else "")
