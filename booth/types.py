"""The typed values that flow between the booth's stages, one direction only::

    FrameSource --Frame--> FaceAnalyzer --FaceObservation--> Coach --Assessment-->
    Session --Actions--> Screen / LightRig / PhotoStore

Every value here is immutable (frozen dataclasses; numpy arrays are treated as read-only
once built). Only these cross module and thread boundaries. Coordinates are pixels of the
*analysis* image (``Frame.image``) with x to the right and y down, unless a name says
``_norm`` (0..1 of the frame's width/height, valid at any resolution of the same field of
view: the still and the preview share it).

"Left" and "right" always mean the *subject's* left and right. In the camera image (not
mirrored) the subject's left eye is on the image's right side.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

# ------------------------------------------------------------------------------ camera


@dataclass(frozen=True)
class CameraMeta:
    """What the camera reports for a frame (None where the source does not know)."""

    exposure_us: float | None = None
    analogue_gain: float | None = None
    lux: float | None = None
    colour_temperature_k: float | None = None
    ae_locked: bool = False
    awb_locked: bool = False


@dataclass(frozen=True, eq=False)
class Frame:
    """One camera frame.

    ``image`` is BGR uint8 (H, W, 3) at analysis size: what the face pipeline sees.
    ``full`` is the same instant at still resolution and the same field of view, when the
    source delivers it (sources with a separate still stream deliver it only while exposure
    is locked: the countdown and capture burst, so that ~9 MB are not copied per frame).
    ``still_size`` is the (width, height) a still of this instant has, known even when
    ``full`` is None; None means ``image`` itself is the still. ``t`` is seconds on the
    source's monotonic clock (simulated time in the simulator, media time in replays).

    ``develop``, instead of ``full``: a source whose still costs more to make than a frame
    period (the simulator composes it) hands over the function that makes it, and ``best``
    calls it when a still is wanted: a capture burst keeps a few of its frames' stills and
    saves one, so the others are never made. The function renders once (it caches), from
    what the source fixed at this instant.
    """

    image: np.ndarray
    t: float
    index: int
    meta: CameraMeta = field(default_factory=CameraMeta)
    full: np.ndarray | None = None
    still_size: tuple[int, int] | None = None
    develop: Callable[[], np.ndarray] | None = field(default=None, repr=False)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of ``image``."""
        return int(self.image.shape[1]), int(self.image.shape[0])

    @property
    def best(self) -> np.ndarray:
        """The highest-resolution pixels of this instant."""
        if self.full is not None:
            return self.full
        return self.develop() if self.develop is not None else self.image

    @property
    def has_full(self) -> bool:
        """True when this instant's still is here or can be made (``full`` or ``develop``)."""
        return self.full is not None or self.develop is not None

    def without_full(self) -> "Frame":
        """This frame with its analysis image only (the still and any way to make it dropped)."""
        return dataclasses.replace(self, full=None, develop=None)

    @property
    def still_dims(self) -> tuple[int, int]:
        """(width, height) of the still this frame stands for: what IED-on-the-still and the
        output crop size are judged against."""
        if self.full is not None:
            return int(self.full.shape[1]), int(self.full.shape[0])
        return self.still_size if self.still_size is not None else self.size

    @property
    def missing_full(self) -> bool:
        """True when the source has a larger still than ``image`` but did not deliver it."""
        return not self.has_full and self.still_size is not None and tuple(self.still_size) != self.size


# ------------------------------------------------------------------------------ vision

EXPRESSION_CLASSES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


@dataclass(frozen=True, eq=False)
class FaceMeasures:
    """Everything the guidance needs about the main face, in HEADSHOT_SPEC's units.

    Sign conventions (checked against GENKI-4K's labels in tests/):
    - ``yaw`` > 0: the face turns toward the subject's left (image right).
    - ``pitch`` > 0: chin up (face tilts up).
    - ``roll`` > 0: the head tilts toward the subject's left shoulder: in the unmirrored
      image a clockwise turn, the subject's left eye (image right) *lower* than the right eye
      (as GENKI-4K labels it; see booth/vision/measures.py).
    - ``gaze_h`` > 0: eyes look toward the subject's left; ``gaze_v`` > 0: up.
    - ``light_balance_ev`` > 0: the subject's left cheek is brighter.
    """

    box: tuple[float, float, float, float]  # x, y, w, h of the face (analysis px)
    score: float  # detection or tracking confidence 0..1
    landmarks: np.ndarray  # (468, 3) mesh in analysis px (z in px-like units)
    iris_left: tuple[float, float]  # subject's left iris centre, px
    iris_right: tuple[float, float]
    eye_mid: tuple[float, float]  # midpoint of the two iris centres, px
    chin: tuple[float, float]  # mesh 152, px
    crown: tuple[float, float]  # estimated top of the head, px
    ied_px: float  # inter-eye distance, analysis px
    t_px: float  # eye midpoint to chin, analysis px (OFIQ's T)
    yaw: float  # degrees
    pitch: float
    roll: float
    ear_left: float  # eye opening (vertical / horizontal extent of the iris model's contour)
    ear_right: float
    eyes_closed: bool
    blink: bool  # a blink is in progress or within the guard window
    gaze_h: float  # pose-compensated, fraction of eye width
    gaze_v: float  # fraction of eye height
    mouth_gap: float  # inner-lip gap / T
    mouth_width: float  # mouth corners 61-291 / IED
    expression: Mapping[str, float]  # the 7 FER classes -> probability
    # 0..1, the booth's one smile measure: the learned P(smile) (expression probabilities and
    # mouth geometry, booth/vision/learned.py), or P(happy) with vision.learned_smile = false.
    # Every gate that decides "smiling" reads it (expression bands, eye easing, the coach's
    # baselines, the actor series)
    smile: float
    exposure: float  # mean linear Y over the face, 0..1
    clipped: float  # fraction of face pixels >= 247 or <= 25
    light_balance_ev: float  # signed log2(left/right cheek linear Y)
    sharpness: float  # variance of the Laplacian on the face crop
    background: float | None  # mean Sobel gradient of linear Y on the background (None if not measured)
    cast_a: float  # cheek CIELAB a*
    cast_b: float  # cheek CIELAB b*
    tracked: bool = False  # True when the ROI came from the previous frame's landmarks
    eye_closed_p: tuple[float, float] = (0.0, 0.0)  # (left, right) P(eye closed), the learned eye model


@dataclass(frozen=True, eq=False)
class FaceObservation:
    """What the analyzer saw in one frame. ``face`` is None when nobody is there."""

    t: float
    frame_index: int
    image_size: tuple[int, int]  # (width, height) of the analysed image
    faces: int  # people in frame: faces whose area is >= second_face_ratio of the largest
    face_boxes: tuple[tuple[float, float, float, float], ...]  # all detections, largest first
    face: FaceMeasures | None
    timings_ms: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def has_face(self) -> bool:
        return self.face is not None


# ------------------------------------------------------------------------------ guidance


class Prompt(Enum):
    """Everything the booth can ask of a sitter. Texts live in booth/guidance/prompts.py.

    Directions are the sitter's own: MOVE_LEFT asks the sitter to move toward their left
    (which is image right in the unmirrored camera frame, screen left on a mirrored preview).
    """

    STEP_IN = "step_in"
    ONE_PERSON = "one_person"
    MOVE_CLOSER = "move_closer"
    MOVE_BACK = "move_back"
    MOVE_LEFT = "move_left"
    MOVE_RIGHT = "move_right"
    MOVE_UP = "move_up"  # raise the head in frame: sit/stand taller
    MOVE_DOWN = "move_down"
    STRAIGHTEN_HEAD = "straighten_head"  # roll
    TURN_LEFT = "turn_left"  # yaw toward the sitter's left
    TURN_RIGHT = "turn_right"
    CHIN_UP = "chin_up"  # pitch
    CHIN_DOWN = "chin_down"
    LOOK_AT_CAMERA = "look_at_camera"
    OPEN_EYES = "open_eyes"
    SMILE = "smile"  # more smile
    SOFTEN_SMILE = "soften_smile"  # less: a laugh or an open mouth where the profile forbids it
    CLOSE_MOUTH = "close_mouth"
    HOLD_STILL = "hold_still"
    TURN_TO_LIGHT = "turn_to_light"  # the lights cannot even out the face by themselves
    # Actor series: one expression at a time.
    EXPRESS_CONFIDENT = "express_confident"
    EXPRESS_APPROACHABLE = "express_approachable"
    EXPRESS_SERIOUS = "express_serious"
    EXPRESS_PLAYFUL = "express_playful"
    # Professional profile with pose.turn: a turned pose, shoulders first (the face follows).
    TURN_SHOULDERS_LEFT = "turn_shoulders_left"  # toward the sitter's own left
    TURN_SHOULDERS_RIGHT = "turn_shoulders_right"
    LOOK_HERE = "look_here"  # the countdown's cue next to the lens ([ui] lens)
    EXPRESS_VULNERABLE = "express_vulnerable"
    BUSY_BACKGROUND = "busy_background"  # a soft hint, once per sitter, never gating (guidance.background_hint)


#: The graded moves: the prompts whose way to go is measured (``Check.amount``, in frame
#: widths) and shown as an arrow, with the direction each points in the unmirrored camera
#: image (x right, y down; the sitter's left is the image's right).
MOVE_DIRECTIONS: Mapping[Prompt, tuple[float, float]] = MappingProxyType({
    Prompt.MOVE_LEFT: (1.0, 0.0),
    Prompt.MOVE_RIGHT: (-1.0, 0.0),
})


@dataclass(frozen=True)
class Check:
    """One check of one frame: e.g. name='yaw', value=6.1, target='<= 5 deg', ok=False."""

    name: str
    ok: bool
    value: float | None
    target: str
    prompt: Prompt | None  # what to ask when it fails
    hard: bool = True  # a hard gate (must pass for capture) or a soft one (relaxes over time)
    # How far the sitter must go to pass, in the prompt's own unit (MOVE_LEFT/MOVE_RIGHT:
    # fraction of the frame width); None when it passes or the check has no such measure.
    amount: float | None = None


@dataclass(frozen=True)
class Assessment:
    """The coach's verdict on one observation."""

    t: float
    checks: tuple[Check, ...]
    prompt: Prompt | None  # the single prompt to show now (after dwell/hold), or None
    ready: bool  # every gate has passed for ready_hold_s with the sitter still
    gates_ok: bool  # every gate passes on this frame (before the hold time)
    score: float  # best-frame soft score 0..1 (0 when a hard gate fails)
    relax_level: int = 0

    def failing(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def prompt_amount(self) -> float | None:
        """How far to go for ``prompt`` (see Check.amount): the largest amount among this
        frame's failing checks that ask for it (one move must satisfy them all: a crop back
        inside the frame and eyes on the centre line are both "move left"). None when they
        all pass now (a met prompt the dwell has not withdrawn yet: no arrow for a way
        already gone) or have no measure."""
        if self.prompt is None:
            return None
        amounts = [c.amount for c in self.failing() if c.prompt is self.prompt and c.amount is not None]
        return max(amounts) if amounts else None


# ------------------------------------------------------------------------------ lights


@dataclass(frozen=True)
class LightLevels:
    """Perceptual levels 0..1 per named channel (gamma is the rig's business)."""

    levels: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @staticmethod
    def of(**levels: float) -> "LightLevels":
        return LightLevels(MappingProxyType({k: float(v) for k, v in levels.items()}))

    def get(self, name: str, default: float = 0.0) -> float:
        return float(self.levels.get(name, default))

    def with_(self, **changes: float) -> "LightLevels":
        merged = dict(self.levels)
        merged.update({k: float(v) for k, v in changes.items()})
        return LightLevels(MappingProxyType(merged))


# ------------------------------------------------------------------------------ session


class BoothState(Enum):
    ATTRACT = "attract"
    GUIDING = "guiding"
    COUNTDOWN = "countdown"
    CAPTURING = "capturing"
    REVIEW = "review"
    SAVING = "saving"
    THANK_YOU = "thank_you"
    ERROR = "error"
    PAUSED = "paused"  # out of service: the operator paused the booth (console)
    CONSENT = "consent"  # before guiding: the organiser's text, agree or decline (booth/consent.py)
    SERIES_REVIEW = "series_review"  # actor: the series as a set, keep/retake per expression


class SessionEvent(Enum):
    """Things that happen to a session from outside the frame stream."""

    SHUTTER = "shutter"  # manual shutter: button or touch; always works while someone is there
    KEEP = "keep"  # review: keep the highlighted (or the best) frame
    RETAKE = "retake"  # review: start guiding again
    NEXT = "next"  # review: highlight the next candidate
    CAMERA_LOST = "camera_lost"
    CAMERA_BACK = "camera_back"
    SAVED = "saved"  # the store finished writing the chosen photo
    SAVE_FAILED = "save_failed"
    BADGE_SCANNED = "badge_scanned"  # handoff: an attendee ID was read
    PAUSE = "pause"  # the operator takes the booth out of service (console)
    RESUME = "resume"  # ... and back into service
    AGREE = "agree"  # consent screen: "I agree" touched (the button and a badge scan agree too, if allowed)
    DECLINE = "decline"  # consent screen: "No, thanks": back to attract, nothing stored
    LANGUAGE = "language"  # attract/consent: the next catalogue language, for this sitter only
    STATE_TIMEOUT = "state_timeout"  # the app: a state outlived its bound (e.g. no frames): end it
    SKIP = "skip"  # actor series: skip the expression being asked for (offered after a while)


@dataclass(frozen=True)
class ConsentRecord:
    """A sitter's agreement, as the sidecar keeps it. ``t``: on the session's clock (the
    frames'); the store turns it into wall-clock time. ``text_sha256``: of the exact text shown
    (booth/consent.py), in ``language``; ``method``: touch | button | scan."""

    t: float
    method: str
    language: str
    text_sha256: str
    retention_hours: float  # what the text said about keeping the photo
    upload: bool  # whether the text said a copy goes to the organiser's storage
    wall: float | None = None  # wall-clock time (time.time()) of the agreement, when the event carried it


@dataclass(frozen=True)
class ConsentScreen:
    """What the consent screen shows, in the sitter's language (hashed as shown)."""

    title: str
    body: tuple[str, ...]  # paragraphs
    agree: str
    decline: str
    hint: str  # how to agree here (touch / button / badge)
    touch: bool  # "I agree" is a touch button
    text_sha256: str


@dataclass(frozen=True, eq=False)
class SeriesItem:
    """One expression of the actor series as it stands: saved (with its files and the chosen
    frame, for the series review) or skipped (by the sitter's button or by itself)."""

    expression: str
    status: str = "pending"  # pending | saved | skipped
    files: tuple[str, ...] = ()
    seconds: float | None = None  # from the expression's first prompt to its save or skip
    skipped_by: str | None = None  # "button" | "auto"
    candidate: "Candidate | None" = None  # the saved frame (the series review shows it)
    crop_norm: tuple[float, float, float, float] | None = None  # its output crop on the frame (x, y, w, h, 0..1)
    retakes: int = 0


@dataclass(frozen=True, eq=False)
class Candidate:
    """A frame that could become the photo: the frame, what was seen in it, its score."""

    frame: Frame
    observation: FaceObservation
    assessment: Assessment
    #: the sitter's eye opening at rest when this candidate was chosen (the best-frame ring
    #: sets it; the store records the chosen frame's eyes against it)
    neutral_open_eye: float | None = None
    consent: ConsentRecord | None = None  # set on the one chosen to be saved, when consent was asked
    language: str | None = None  # the sitter's language, set on the one chosen to be saved (sidecar, download page)

    @property
    def score(self) -> float:
        return self.assessment.score


@dataclass(frozen=True, eq=False)
class Actions:
    """What the outside world must do after one step of the session. The session itself
    never touches hardware; the app (or replay, or the simulator) carries these out."""

    state: BoothState
    prompt: Prompt | None = None
    prompt_amount: float | None = None  # how far to go for ``prompt`` (Assessment.prompt_amount): word and arrow size
    readiness: float = 0.0  # 0..1: how close to ready (guide colour)
    countdown_remaining_s: float | None = None
    lock_camera: bool = False  # hold AE/AWB locked (countdown and capture)
    flash: bool = False  # show the capture flash this frame
    review: tuple[Candidate, ...] = ()  # best first
    review_index: int = 0  # which review candidate is highlighted
    save: Candidate | None = None  # write this one now
    lights: LightLevels | None = None  # set these levels (None: leave as they are)
    message: str | None = None  # an operator/sitter message (camera lost, disk full ...)
    expression_step: tuple[int, int] | None = None  # actor series: (index, count)
    badge_id: str | None = None
    saved_files: tuple[str, ...] = ()  # set on the thank-you screen after saving
    crop_norm: tuple[float, float, float, float] | None = None  # the output crop (x, y, w, h, 0..1) the guide shows
    download_url: str | None = None  # handoff: QR link on the thank-you screen
    language: str | None = None  # the sitter's own catalogue language (None: the configured default)
    consent: ConsentScreen | None = None  # the consent screen's text (state CONSENT)
    skip_offered: bool = False  # actor series: the expression may be skipped now (touch / keep button)
    series: tuple[SeriesItem, ...] = ()  # actor series: every expression's state (series review)
    series_note: Mapping[str, object] | None = None  # actor series: write this series sidecar now
