"""The booth's one TOML config, loaded into typed, frozen dataclasses.

Every default comes from ``../shared/HEADSHOT_SPEC.md`` (``[ours]`` values noted there are
the project's own). Loading is strict: an unknown key, a wrong type or an out-of-range
value raises :class:`~booth.errors.ConfigError` with the key path and what is allowed, e.g.::

    booth.toml: [booth] countdown_s = -1 is out of range; allowed 0.5 to 30

Each field declares its range with :func:`num`; sections nest as dataclasses. Rooms read
their own section (``cfg.framing``, ``cfg.lights`` ...); nothing else parses TOML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import tomllib
import typing
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from .errors import ConfigError


def num(default, lo=None, hi=None, doc: str = ""):
    """A numeric field with an inclusive allowed range."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc})


def choice(default: str, options: tuple[str, ...], doc: str = ""):
    return field(default=default, metadata={"choices": options, "doc": doc})


def text(default: str, doc: str = ""):
    return field(default=default, metadata={"doc": doc})


def band(lo: float, hi: float, lo_min=None, hi_max=None, doc: str = ""):
    """A (low, high) pair; both ends must lie in [lo_min, hi_max] and low <= high."""
    return field(default=(lo, hi), metadata={"lo": lo_min, "hi": hi_max, "band": True, "doc": doc})


class Profile(str, Enum):
    BADGE = "badge"
    PROFESSIONAL = "professional"
    ACTOR = "actor"


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class BoothSection:
    profile: str = choice("professional", tuple(p.value for p in Profile), "which headshot the booth makes")
    output_dir: str = text("out/photos", "where finished headshots are written (relative to the working dir)")
    retention_hours: float = num(72.0, 0.0, 24 * 365, "photos older than this are purged; 0 keeps them forever")
    countdown_s: float = num(3.0, 0.5, 30.0, "countdown length once the sitter is ready")
    review_s: float = num(15.0, 2.0, 300.0, "how long the review screen waits for Keep/Retake before keeping the best")
    thank_you_s: float = num(6.0, 1.0, 120.0, "how long the thank-you screen stays")
    face_lost_grace_s: float = num(2.5, 0.2, 60.0, "a face may vanish this long before the session resets to attract")
    linger_s: float = num(20.0, 0.0, 600.0, "after the thank-you, a sitter who stays does not start a new session "
                                            "for this long (unless the frame was empty for new_sitter_gap_s)")
    new_sitter_gap_s: float = num(1.0, 0.0, 60.0, "an empty frame this long means the last sitter left")
    idle_standby_min: float = num(10.0, 0.5, 1440.0, "minutes without anybody before the lights go to standby")
    min_free_mb: float = num(200.0, 1.0, 1e6, "refuse to capture when less disk space than this is free")


@dataclass(frozen=True)
class CameraSection:
    source: str = text("auto", "auto | picamera2 | opencv:N | file:PATH | sim[:SCENARIO]")
    sim_photos: str = text("", "simulated sitter: a folder of one person's photos (*normal*, *happy*, *sad*, *surprised*, *wink*, *sleepy*, ...); empty: the astronaut")
    sim_photos_prefix: str = text("", "simulated sitter: only files starting with this, e.g. subject01 (one Yale subject)")
    analysis_width: int = num(640, 160, 1920, "lores stream used for face analysis")
    analysis_height: int = num(480, 120, 1080)
    still_width: int = num(2304, 320, 9152, "main stream / still resolution (same field of view as the lores)")
    still_height: int = num(1296, 240, 6944)
    fps: float = num(30.0, 1.0, 120.0)
    timeout_s: float = num(2.0, 0.1, 30.0, "every camera call waits at most this long")
    max_retries: int = num(5, 0, 100, "reopen attempts after a failure before the process exits for systemd")
    retry_backoff_s: float = num(0.5, 0.0, 30.0, "first retry delay; doubles per attempt")
    autofocus: bool = field(default=True, metadata={"doc": "continuous AF when the camera has it (Camera Module 3)"})
    loop: bool = field(default=True, metadata={"doc": "file sources start again at the end"})


@dataclass(frozen=True)
class VisionSection:
    # Measured with `booth bench --threads N --all-cores` over every frame of ../shared/data/videos
    # (booth/vision/README.md "Threads"): 2 threads cut the mean frame 1.5% with a face (7.82 ->
    # 7.70 ms) and 18% without (5.48 -> 4.50: the full-range detector is the one model big enough
    # to split) for 25% more CPU. On a Pi 4 or 5 (4 cores) the camera, screen, saver and upload
    # threads need those cores, and on this 2-core machine too: 1 everywhere.
    threads: int = num(1, 1, 8, "interpreter threads (always passed): 1 on Pi 4, Pi 5 and this 2-core machine; "
                       "2 bought 1.5% on face frames for 25% more CPU (booth/vision/README.md)")
    detector: str = choice("auto", ("auto", "short", "full"), "BlazeFace model; auto adds full-range when no face is found")
    min_detection_score: float = num(0.5, 0.05, 0.99)
    nms_iou: float = num(0.3, 0.05, 0.95)
    redetect_every: int = num(30, 1, 1000, "frames between detections while tracking")
    min_tracking_score: float = num(0.5, 0.05, 0.99, "mesh face-presence below this drops to detection")
    min_face_presence: float = num(0.5, 0.05, 0.99, "mesh face-presence a new detection needs to count as a face")
    expression_every: int = num(3, 1, 30, "run the expression model every Nth frame while tracking")
    segmentation_every: int = num(90, 1, 300, "run the background segmentation every Nth frame (the background "
                                  "hardly changes; 4-7 ms a run, the costliest step of a face frame)")
    iris_alternate: bool = field(default=True, metadata={"doc": "while tracking, run the iris model on one eye per "
                                                         "frame in turn (the other carried with the head) and on both "
                                                         "when an eye narrows, the head moves fast or a blink is in "
                                                         "progress; false: both eyes every frame"})
    iris_reuse_change: float = num(3.0, 0.0, 50.0, "while tracking, an eye whose crop differs from the one last "
                                   "read by less than this mean grey difference (middle of the crop) is not read again: "
                                   "the last reading moves with the head (at most 8 frames old); 0 reads every time. "
                                   "Measured: opening error p95 0.02, gaze_v 0.05, under the models' own frame-to-frame "
                                   "jitter; blinks unchanged (booth/vision/README.md)")
    mesh_reuse_change: float = num(8.0, 0.0, 50.0, "while tracking, a face that looks as it did when the mesh last "
                                   "read it (no block of a 16x16 grid over the face crop that holds an eye, a brow, the "
                                   "lips or a cheek patch of the light balance moved by more than this many grey levels, "
                                   "nor any other block by more than "
                                   "mesh_reuse_change_rest) is not read again: the mesh, both eyes and the expression "
                                   "carry over (at most 10 frames); 0 reads every frame (booth/vision/README.md)")
    mesh_reuse_change_rest: float = num(12.0, 0.0, 50.0, "the same limit for the crop's other blocks (the face's "
                                        "outline, forehead and chin, the background at the corners), where a small "
                                        "move of the head shows first and the measures hardly change; measured on the "
                                        "clips: carried readings stay within 1.5x the models' own frame-to-frame jitter "
                                        "and no blink or closed-eye frame differs (booth/vision/README.md)")
    min_face_px: float = num(40.0, 8.0, 1000.0, "smaller faces are ignored")
    gaze_v_offset: float = num(0.16, -1.0, 1.0, "subtracted from the vertical gaze so that eyes on the lens read 0 "
                               "(median over GENKI-4K, whose sitters look at the camera)")
    pitch_offset_deg: float = num(6.2, -30.0, 30.0, "added to the fitted pitch so that a level head reads 0 "
                                  "(calibrated on GENKI-4K: the canonical face model's frontal pose is chin-down)")
    attract_extra_every: int = num(10, 1, 100, "with nobody tracked the short-range pass runs on every frame and the "
                                   "wider passes (short-range with a margin, full-range) take turns every Nth frame; "
                                   "a pass is not run while the scene looks as it did when it last found nothing (the "
                                   "short-range one at least every 10 frames); every pass runs on the first frame after "
                                   "a face is lost; 1: all passes every frame")
    learned_smile: bool = field(default=True, metadata={"doc": "smile = the learned model on the expression "
                                                      "probabilities and mouth geometry (booth/vision/data); false: P(happy)"})
    learned_eyes: bool = field(default=True, metadata={"doc": "eyes closed by the learned model on the eyelid contour "
                                                     "and mesh (booth/vision/data); false: the eyes.open_floor rule"})
    learned_pose: bool = field(default=True, metadata={"doc": "correct the Procrustes pose with the learned model on "
                                                     "mesh features (booth/vision/data)"})


@dataclass(frozen=True)
class FramingSection:
    second_face_ratio: float = num(0.10, 0.0, 1.0, "a second face larger than this fraction of the first counts as a person")
    head_height: tuple[float, float] = band(0.55, 0.65, 0.2, 0.95, "chin-to-crown over crop height")
    eye_line: tuple[float, float] = band(0.33, 0.40, 0.1, 0.7, "eye line from the crop top, fraction of crop height")
    centre_x: tuple[float, float] = band(0.45, 0.55, 0.2, 0.8, "eye-midpoint x over crop width")
    shoulders_t: float = num(1.2, 0.0, 5.0, "crop bottom at least this many T below the chin")
    side_margin_ied: float = num(1.1, 0.0, 5.0, "eye centre to crop edge, in IED")
    min_ied_px: float = num(90.0, 20.0, 1000.0, "IED on the full-resolution still")
    preferred_ied_px: float = num(110.0, 20.0, 1000.0)
    crown_factor: float = num(0.35, 0.0, 1.5, "crown = forehead + factor * (forehead - chin) when segmentation cannot "
                              "see the top of the head (median measured on ../shared/data, booth/vision/README.md)")
    crown_from_segmentation: bool = field(default=True, metadata={"doc": "measure the sitter's own crown factor on the "
                                                                  "selfie-segmentation mask (hair included)"})
    crown_factor_range: tuple[float, float] = band(0.05, 0.9, 0.0, 1.5, "a mask-measured crown factor outside this is ignored")
    target_head_fraction: float = num(0.25, 0.05, 0.9, "head height / frame height the sitter is guided toward on the preview")
    distance_tolerance: float = num(0.25, 0.05, 1.0, "relative deviation from the target head size before 'closer'/'back'")
    centre_tolerance: float = num(0.12, 0.01, 0.5, "eye midpoint offset from the frame centre line (the lights axis), fraction of frame width; 1.5x to leave")
    max_pad: float = num(0.10, 0.0, 0.5, "fraction of the output crop's height (or width) that may lie outside the camera image, filled from the background (output.pad_fill)")
    fit_margin_ied: float = num(0.10, 0.0, 2.0, "hysteresis: a framing check turns OK only with this much room to spare, in IED")
    tight_head_badge: float = num(0.10, 0.0, 0.3, "when no in-band crop fits inside the camera image, the saved crop may be tighter "
                                  "(the head this much more of its height than head_height's top) before any of it is padded")
    tight_head_professional: float = num(0.07, 0.0, 0.3)
    tight_head_actor: float = num(0.05, 0.0, 0.3)
    inside_tolerance: float = num(0.01, 0.0, 0.5, "fraction of the output crop's height (or width) it may lie outside the camera image before the booth asks the sitter to step back or centre (crop_inside); beyond it only framing.max_pad's fallback (manual shutter, a tight camera)")


@dataclass(frozen=True)
class PoseSection:
    yaw_enter: float = num(5.0, 0.5, 45.0)
    yaw_exit: float = num(8.0, 0.5, 45.0)
    pitch_enter: float = num(5.0, 0.5, 45.0, "the spec's 5: with the learned pose correction 20% of GENKI-4K faces "
                             "labelled level read beyond 5 deg (23% read beyond 8 before; booth/vision/README.md)")
    pitch_exit: float = num(8.0, 0.5, 45.0, "the spec's 8")
    roll_enter: float = num(5.0, 0.5, 45.0)
    roll_exit: float = num(8.0, 0.5, 45.0)
    turn: str = choice("none", ("none", "left", "right"), "professional profile: the head turned a little toward "
                       "the sitter's own left or right (\"left\" = the sitter turns to their left, so that on a page "
                       "the face looks into it from the top-left profile picture when the photo is not mirrored: see "
                       "booth/guidance/README.md); none = frontal")
    turn_yaw: tuple[float, float] = band(10.0, 22.0, 2.0, 40.0, "|yaw| band (deg) of a turned pose; the exit side widens it by pose.yaw_exit - pose.yaw_enter")


@dataclass(frozen=True)
class GazeSection:
    h_enter: float = num(0.10, 0.01, 1.0)
    h_exit: float = num(0.15, 0.01, 1.0)
    v_enter: float = num(0.15, 0.01, 1.0)
    v_exit: float = num(0.20, 0.01, 1.0)


@dataclass(frozen=True)
class EyesSection:
    open_ratio: float = num(0.75, 0.3, 1.0, "opening must be >= this x the sitter's own open median")
    open_floor: float = num(0.22, 0.0, 1.0, "absolute floor of the iris-contour opening (vertical / horizontal extent)")
    blink_guard_frames: int = num(3, 0, 30, "frames around a blink dip that count as blinking")
    open_ratio_smile: float = num(0.50, 0.2, 1.0, "open_ratio at P(happy) = 1 (a smile narrows the eyes; linear in "
                                  "between; measured, see booth/vision/README.md)")
    open_floor_smile: float = num(0.15, 0.0, 1.0, "open_floor at P(happy) = 1")
    serious_open_ratio: float = num(0.85, 0.3, 1.2, "actor 'serious'/'intense': the eyes open at least this x the sitter's "
                                    "neutral opening (no smile eases it) and the gaze on the lens (gaze enter band)")
    blink_dip: float = num(0.7, 0.1, 1.0, "a blink: the mean opening drops under this x its median over blink_window_s")
    blink_window_s: float = num(0.6, 0.1, 5.0, "the recent level a blink dips from; a narrowing that lasts longer is no blink")


@dataclass(frozen=True)
class ExpressionSection:
    happy_professional: tuple[float, float] = band(0.4, 1.0, 0.0, 1.0, "P(happy) band for the professional profile (laughs are caught by mouth_gap_professional)")
    happy_badge_max: float = num(0.9, 0.0, 1.0)
    mouth_width_gain: float = num(0.05, 0.0, 1.0, "smile: mouth width/IED at least this much above the neutral baseline")
    mouth_gap_badge: float = num(0.10, 0.0, 1.0, "inner-lip gap / T")
    mouth_gap_professional: float = num(0.15, 0.0, 1.0)
    mouth_gap_actor: float = num(0.30, 0.0, 1.0)
    hysteresis: float = num(0.05, 0.0, 0.5, "P(happy) bands widen by this once met (enter/exit)")
    neutral_happy_max: float = num(0.2, 0.0, 1.0, "frames below this P(happy) teach the sitter's neutral mouth width")
    actor_series: tuple[str, ...] = field(default=("confident", "approachable", "serious", "vulnerable", "playful"),
                                          metadata={"doc": "actor profile: expressions captured in turn (confident | approachable | serious | vulnerable | playful; booth/guidance/actor.py)"})
    actor_confident_happy: tuple[float, float] = band(0.2, 1.0, 0.0, 1.0, "actor 'confident': P(happy) band (a closed-mouth smile; the lips decide, booth/guidance/actor.py)")
    actor_approachable_happy: tuple[float, float] = band(0.5, 1.0, 0.0, 1.0)
    actor_serious_happy: tuple[float, float] = band(0.0, 0.2, 0.0, 1.0)
    actor_vulnerable_happy: tuple[float, float] = band(0.0, 0.3, 0.0, 1.0)
    actor_playful_happy: tuple[float, float] = band(0.7, 1.0, 0.0, 1.0)
    actor_closed_mouth_gap: float = num(0.035, 0.0, 1.0, "inner-lip gap / T for 'confident' and 'serious' (Yale: unsmiling <= 0.037, smiles >= 0.059)")
    actor_skip_offer_s: float = num(15.0, 1.0, 600.0, "actor: an expression not reached in this long offers a Skip (touch / keep button)")
    actor_skip_after_s: float = num(30.0, 1.0, 1200.0, "actor: ... and is skipped by itself after this long (noted in the series sidecar)")


@dataclass(frozen=True)
class LightSection:
    balance_target_ev: float = num(0.3, 0.0, 3.0, "the light loop acts above this left/right dEV")
    balance_fail_ev: float = num(0.5, 0.0, 3.0, "a photo fails above this dEV")
    exposure: tuple[float, float] = band(0.4, 0.6, 0.0, 1.0, "mean linear Y over the face")
    clip_max: float = num(0.01, 0.0, 1.0, "fraction of face pixels >= 247 or <= 25")
    background_max: float = num(40.0, 0.0, 1000.0, "mean Sobel gradient of linear Y over the background")
    cast_a: tuple[float, float] = band(5.0, 25.0, -128.0, 127.0, "cheek CIELAB a*")
    cast_b: tuple[float, float] = band(5.0, 35.0, -128.0, 127.0, "cheek CIELAB b*")


@dataclass(frozen=True)
class GuidanceSection:
    ema_alpha: float = num(0.3, 0.01, 1.0)
    prompt_hold_s: float = num(0.4, 0.0, 5.0, "a new condition must hold this long before the prompt changes")
    prompt_min_show_s: float = num(1.2, 0.0, 10.0, "a prompt stays on screen at least this long")
    ready_hold_s: float = num(0.7, 0.0, 10.0, "all gates must pass this long")
    motion_max_ied: float = num(0.01, 0.0, 1.0, "landmark motion per frame, fraction of IED, for 'hold still'")
    motion_baseline_frames: int = num(5, 1, 30, "motion per frame is measured over this many frames (1 = frame to "
                                      "frame, mostly mesh jitter)")
    countdown_abort_s: float = num(0.2, 0.0, 5.0, "a gate failing this long aborts the countdown")
    relax_after_s: float = num(25.0, 5.0, 600.0, "seconds without success before the soft thresholds relax one step")
    relax_factor: float = num(1.5, 1.0, 5.0, "each relax step widens the soft bands by this factor")
    max_relax_steps: int = num(2, 0, 10)
    background_hint: float = num(12.0, 0.0, 255.0, "the saved photo's clutter measure (booth.output.finish.clutter inside the crops) read on the preview, above which the sitter gets one soft hint about the busy wall (the gesture set's 2 busy rooms read 15.0-16.4 on the preview, every other room 9.0 or less; booth/output/README.md)")
    background_every_s: float = num(1.0, 0.0, 60.0, "how often the preview's clutter is read for the hint (one segmentation pass, ~10-17 ms here); 0: never")
    background_hint_s: float = num(2.0, 0.0, 30.0, "the busy-background hint shows at most this long, once per sitter, only while no other prompt is up; the countdown waits for it (0: never)")


@dataclass(frozen=True)
class BestFrameSection:
    ring_s: float = num(2.0, 0.2, 10.0, "seconds of recent frames kept as capture candidates")
    min_candidates: int = num(5, 1, 100)
    review_count: int = num(3, 1, 6, "frames offered on the review screen")
    w_sharpness: float = num(0.25, 0.0, 1.0)
    w_expression: float = num(0.25, 0.0, 1.0)
    w_eyes: float = num(0.15, 0.0, 1.0)
    w_gaze: float = num(0.10, 0.0, 1.0)
    w_pose: float = num(0.10, 0.0, 1.0)
    w_light: float = num(0.10, 0.0, 1.0)
    w_exposure: float = num(0.05, 0.0, 1.0)
    max_frames: int = num(30, 5, 300, "cap on frames held in the ring")
    max_full_frames: int = num(8, 1, 100, "full-resolution frames kept in the ring, the best-scored (memory: ~9-12 MB each)")
    capture_window_s: float = num(1.0, 0.0, 10.0, "after the countdown, keep collecting this long until min_candidates pass the gates")
    review_min_gap_s: float = num(0.3, 0.0, 5.0, "frames offered together on the review screen lie at least this far "
                                  "apart (adjacent frames look the same; 0 offers the top frames as they come)")
    engaged_eye_ratio: float = num(0.8, 0.3, 1.2, "engaged eyes: a smiling frame whose mean eye opening is under this x the "
                                   "sitter's own neutral opening ranks after every frame that keeps it (no slit-eyed laugh as the pick)")


@dataclass(frozen=True)
class OutputSection:
    jpeg_quality: int = num(95, 92, 100)
    thumbnail_px: int = num(400, 64, 2000)
    min_px_badge: int = num(600, 64, 10000, "output crop side for the badge profile")
    min_px_professional: int = num(1200, 64, 10000)
    min_px_actor: int = num(1600, 64, 10000, "width of the 4:5 actor crop (height 2000 at the default)")
    background: str = text("as-shot", "as-shot | blur | grey | #RRGGBB: what the saved crops show behind the sitter "
                           "(matte: the selfie-segmentation mask refined at full resolution by a guided filter)")
    pad_fill: str = text("background", "background | #RRGGBB: what fills a crop strip beyond the camera image (the "
                         "background extended and blurred, never the image edge repeated)")
    matte_radius: float = num(0.004, 0.001, 0.05, "guided-filter radius of the matte, fraction of the still's longer side")
    matte_eps: float = num(0.0001, 1e-6, 0.1, "guided-filter regularisation (grey levels 0..1, squared): smaller follows edges closer")
    matte_head_prior: bool = field(default=True, metadata={"doc": "take out of the matte what the mesh's head shows cannot be the "
                                   "sitter: mask regions above or beside the head beyond the hair margin that never join the body"})
    matte_hair_margin: float = num(0.2, 0.0, 1.0, "hair allowed beyond the skull, fraction of the face's forehead-to-chin length")
    matte_body: bool = field(default=False, metadata={"doc": "the coarse person mask from the body model (MediaPipe "
                             "pose_landmark_full's segmentation over a body ROI the face gives; models/manifest.toml) where "
                             "that ROI reaches, the selfie segmenter elsewhere; off: the selfie segmenter alone"})
    clutter_advise: float = num(9.0, 0.0, 255.0, "background clutter (mean grey gradient, see booth.output.finish) above "
                                "which `booth check` and the sidecar advise the operator")
    clutter_busy: float = num(16.0, 0.0, 255.0, "clutter above this is clearly busy: the sitter is told too")
    legible_ied_80_badge: float = num(10.0, 1.0, 80.0, "at 80x80 px the eyes must be at least this far apart (px)")
    legible_ied_80_professional: float = num(11.0, 1.0, 80.0)
    legible_ied_80_actor: float = num(10.0, 1.0, 80.0)
    legible_contrast_80: float = num(0.06, 0.0, 1.0, "RMS grey contrast of the face at 80x80 px at least this")

    def __post_init__(self):
        import re

        for key, allowed in (("background", ("as-shot", "blur", "grey")), ("pad_fill", ("background",))):
            value = getattr(self, key)
            if value not in allowed and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
                raise ConfigError(f"output.{key} = {value!r} is not allowed; choose one of: {', '.join(allowed)} "
                                  "or a colour #RRGGBB")
        if self.clutter_busy < self.clutter_advise:
            raise ConfigError(f"output.clutter_busy = {self.clutter_busy} must be >= output.clutter_advise")


@dataclass(frozen=True)
class LightChannel:
    name: str = text("key_left", "key_left | key_right | fill | hair | background | status, or your own")
    pin: int = num(12, 0, 27, "BCM GPIO number")
    kind: str = choice("pwm", ("pwm", "hwpwm", "onoff"), "pwm: gpiozero PWM; hwpwm: kernel PWM via sysfs; onoff: relay")
    frequency_hz: float = num(25000.0, 1.0, 1e6)
    min_level: float = num(0.0, 0.0, 1.0)
    max_level: float = num(1.0, 0.0, 1.0)
    gamma: float = num(2.2, 0.5, 4.0, "perceptual level -> duty cycle exponent")
    key: bool = field(default=False, metadata={"doc": "a key light: must not band (>= 1 kHz, hardware PWM advised)"})
    pwm_chip: int = num(0, 0, 16, "hwpwm only: /sys/class/pwm/pwmchipN")
    pwm_channel: int = num(0, 0, 16, "hwpwm only: the chip's channel")


def _default_channels() -> tuple[LightChannel, ...]:
    # Pi 5 pwm-2chan overlay: GPIO12 -> pwmchip0 ch0... on the RP1 the mapping is chip 0 ch 0/1
    # for GPIO12/13 (see hardware/README.md).
    return (
        LightChannel("key_left", 12, "hwpwm", 25000.0, 0.05, 1.0, 2.2, True, 0, 0),
        LightChannel("key_right", 13, "hwpwm", 25000.0, 0.05, 1.0, 2.2, True, 0, 1),
        LightChannel("fill", 18, "pwm", 2000.0, 0.0, 1.0, 2.2, False, 0, 0),
        LightChannel("background", 19, "pwm", 2000.0, 0.0, 1.0, 2.2, False, 0, 0),
        LightChannel("status", 26, "pwm", 100.0, 0.0, 1.0, 1.0, False, 0, 0),
    )


@dataclass(frozen=True)
class LightsSection:
    enabled: bool = field(default=True, metadata={"doc": "drive GPIO lights (mock pins when GPIOZERO_PIN_FACTORY=mock)"})
    channels: tuple[LightChannel, ...] = field(default_factory=_default_channels)
    attract_level: float = num(0.15, 0.0, 1.0, "key/fill level while nobody is there")
    guiding_level: float = num(0.6, 0.0, 1.0, "starting key level when a sitter appears")
    standby_level: float = num(0.0, 0.0, 1.0)
    max_step: float = num(0.08, 0.005, 1.0, "largest level change per controller step")
    gain: float = num(0.6, 0.01, 1.0, "fraction of the measured left/right imbalance (EV of light output) corrected per step; <= 1 never overshoots")
    settle_frames: int = num(3, 0, 30, "frames to wait after a change for the camera's AE to settle")
    min_soft_pwm_key_hz: float = num(1000.0, 100.0, 1e6, "key lights on software PWM below this are refused")
    breathing: bool = field(default=True, metadata={"doc": "slow breathing on the status light in attract"})
    fill_level: float = num(0.3, 0.0, 1.0, "starting fill level when a sitter appears (raised when the keys run out of range)")
    balance_aim_ev: float = num(0.12, 0.0, 3.0, "once correcting, keep going until |dEV| is below this (hysteresis inside light.balance_target_ev)")
    exposure_gain: float = num(0.5, 0.0, 1.0, "fraction of the face's exposure error (EV) corrected per step; 0 leaves exposure to the camera")
    max_settle_s: float = num(4.0, 0.0, 60.0, "the countdown waits at most this long for a running light correction")
    exhausted_after: int = num(3, 1, 100, "settled measurements with the lights at their limits and dEV > light.balance_fail_ev before the sitter is asked to turn")
    breathing_period_s: float = num(4.0, 0.5, 60.0, "one breath of the status light in attract")
    exposure_patience: int = num(4, 1, 100, "exposure steps without halving the face's exposure error before the loop leaves exposure to the camera's AE")


@dataclass(frozen=True)
class UiSection:
    fullscreen: bool = field(default=True, metadata={"doc": "fullscreen on the Pi (KMS/DRM); a window at a desk"})
    width: int = num(1280, 320, 7680)
    height: int = num(720, 240, 4320)
    orientation: str = choice("landscape", ("landscape", "portrait"))
    mirror: bool = field(default=True, metadata={"doc": "show the preview as a mirror (prompts then match the sitter's sides)"})
    fps: float = num(30.0, 5.0, 120.0, "render rate")
    text_scale: float = num(1.0, 0.5, 3.0)
    language: str = text("en", "prompt catalogue language, the default for each sitter (en, de, fr, es; a sitter "
                         "may choose another on the attract screen)")
    lens: str = choice("top", ("top", "bottom", "left", "right"), "where the camera sits relative to the screen: the "
                       "countdown and a 'look here' cue are drawn next to it")
    high_contrast: bool = field(default=False, metadata={"doc": "high-contrast, larger-text mode: pure white on "
                                                         "black bands, text 1.25x larger (never below the size rule)"})

    def __post_init__(self):
        from .i18n import check_language

        check_language(self.language)


CONSENT_METHODS = ("touch", "button", "scan")


@dataclass(frozen=True)
class ConsentSection:
    """Asking before photographing (booth/consent.py). Off unless the venue turns it on: a
    conference booth should (``enabled = true``)."""

    enabled: bool = field(default=False, metadata={"doc": "ask for consent before guiding starts; declining returns "
                                                   "to attract and stores nothing"})
    agree_by: tuple[str, ...] = field(default=CONSENT_METHODS, metadata={
        "doc": "how a sitter may agree: touch (the I agree button), button (the shutter button or key), scan (a badge)"})
    text: str = field(default="", metadata={"doc": "the organiser's text in booth.ui.language: what is kept, where it goes, for how long "
                     "(paragraphs split by a blank line; {hours} = booth.retention_hours); empty = the booth's "
                     "standard text, translated, built from retention_hours, the upload and the download page"})
    text_de: str = field(default="", metadata={"doc": "the organiser's text in German (empty: the standard text, or text when that is set)"})
    text_fr: str = field(default="", metadata={"doc": "the organiser's text in French"})
    text_es: str = field(default="", metadata={"doc": "the organiser's text in Spanish"})
    timeout_s: float = num(40.0, 5.0, 600.0, "no answer for this long: back to attract, nothing stored")

    def __post_init__(self):
        bad = [m for m in self.agree_by if m not in CONSENT_METHODS]
        if bad or not self.agree_by:
            raise ConfigError(f"consent.agree_by = {list(self.agree_by)!r}: use one or more of {', '.join(CONSENT_METHODS)}")


@dataclass(frozen=True)
class SpeechSection:
    """Spoken prompts (booth/ui/speech.py): espeak-ng, synthesised ahead of time per language."""

    enabled: bool = field(default=False, metadata={"doc": "speak each prompt and the countdown (off by default: an "
                                                   "office booth stays quiet; a conference booth may turn it on)"})
    cache_dir: str = text("out/speech", "where the synthesised prompts are kept (one folder per language)")
    rate_wpm: int = num(165, 80, 400, "speaking rate, words per minute")
    volume: float = num(0.8, 0.0, 1.0, "playback volume")


@dataclass(frozen=True)
class ButtonsSection:
    shutter_pin: int = num(-1, -1, 27, "GPIO of a shutter button; -1 = none")
    keep_pin: int = num(-1, -1, 27)
    retake_pin: int = num(-1, -1, 27)


@dataclass(frozen=True)
class ServiceSection:
    watchdog: bool = field(default=True, metadata={"doc": "send systemd WATCHDOG=1 pings from the main loop"})
    stats_file: str = text("out/stats.json", "durable counters shown by `booth stats`")
    hung_worker_s: float = num(30.0, 0.5, 3600.0, "a worker busy this long without progress counts as dead: the watchdog "
                               "is no longer fed and the booth exits non-zero (systemd restarts it)")
    save_timeout_s: float = num(30.0, 0.5, 3600.0, "a photo not saved within this long ends SAVING with a message")
    guiding_timeout_s: float = num(300.0, 10.0, 3600.0, "the longest a guided session may last before it ends")
    state_grace_s: float = num(10.0, 0.5, 600.0, "timed states (countdown, review, thank-you ...) end at most this long "
                               "after their own time, even when no frames arrive")
    max_frame_failures: int = num(30, 1, 100000, "consecutive frames the analysis may raise on (each skipped) before "
                                  "the booth exits non-zero")
    storage_check_s: float = num(2.0, 0.1, 600.0, "how often free space and writability of booth.output_dir are checked")


@dataclass(frozen=True)
class HandoffSection:
    """Getting the photo to its owner: badge ID, QR download page, fleet upload (booth/handoff/)."""

    badge_pattern: str = text(r"[A-Za-z0-9][A-Za-z0-9_-]{2,39}", "regex a whole scanned/typed attendee ID must match")
    badge_required: bool = field(default=False, metadata={"doc": "ask for a badge before guiding starts"})
    badge_scan_gap_s: float = num(0.3, 0.01, 10.0, "a scanner types an ID in a burst; a longer gap between keys starts over")
    badge_device: str = text("", "evdev path of a USB scanner (Pi, e.g. /dev/input/by-id/...-event-kbd); empty = screen keys")
    server_enabled: bool = field(default=False, metadata={"doc": "serve the QR download page on the venue network"})
    server_host: str = text("0.0.0.0", "address the download page listens on")
    server_port: int = num(8080, 0, 65535, "0 = any free port")
    server_public_url: str = text("", "base URL put in the QR (e.g. https://booth-7.local:8443); empty = from host/port")
    server_cert_file: str = text("", "PEM certificate: set with server_key_file for HTTPS; both empty = HTTP")
    server_key_file: str = text("", "PEM private key of server_cert_file")
    server_max_connections: int = num(32, 1, 4096, "download page: connections served at once (one thread each); more wait "
                                      "in the listen queue or are refused")
    server_max_per_address: int = num(4, 1, 4096, "download page: open connections one client address may hold; more are "
                                      "closed at accept, so one client cannot fill server_max_connections")
    server_head_timeout_s: float = num(5.0, 0.2, 120.0, "download page: the whole request line and headers must "
                                       "arrive within this long (a slow-drip client is cut off)")
    server_max_body_bytes: int = num(16384, 0, 10_000_000, "download page: larger request bodies close the connection")
    token_ttl_s: float = num(3600.0, 10.0, 30 * 86400.0, "a download link works this long after the photo is saved")
    token_bytes: int = num(24, 16, 64, "random bytes per link token (16 = 128 bits minimum)")
    rate_limit_per_min: float = num(60.0, 1.0, 100000.0, "requests per minute per client IP (token bucket refill)")
    rate_limit_burst: int = num(30, 1, 10000, "requests a client IP may make at once before it is slowed")
    s3_bucket: str = text("", "upload finished captures to this bucket; empty = no upload")
    s3_endpoint: str = text("", "S3-compatible endpoint URL (MinIO, Garage, R2 ...); empty = AWS")
    s3_prefix: str = text("booth/", "key prefix inside the bucket; {booth_id} becomes [metrics] booth_id (a fleet)")
    s3_region: str = text("us-east-1")
    s3_access_key_env: str = text("BOOTH_S3_ACCESS_KEY_ID", "environment variable holding the access key (unset = boto3's own chain)")
    s3_secret_key_env: str = text("BOOTH_S3_SECRET_ACCESS_KEY", "environment variable holding the secret key")
    s3_addressing: str = choice("path", ("path", "virtual", "auto"), "bucket addressing style; MinIO wants path")
    request_timeout_s: float = num(10.0, 0.2, 300.0, "connect/read timeout of one storage request")
    retry_initial_s: float = num(2.0, 0.01, 3600.0, "first retry delay after a failed upload; doubles per attempt")
    retry_max_s: float = num(300.0, 0.01, 86400.0, "longest delay between upload retries")
    sweep_interval_s: float = num(600.0, 1.0, 86400.0, "how often expired links and old photos are purged")

    def __post_init__(self):
        import re

        try:
            re.compile(self.badge_pattern)
        except re.error as exc:
            raise ConfigError(f"handoff.badge_pattern = {self.badge_pattern!r} is not a valid regex ({exc})") from None
        if bool(self.server_cert_file) != bool(self.server_key_file):
            raise ConfigError("handoff.server_cert_file and handoff.server_key_file must be set together (HTTPS) or both left empty (HTTP)")
        if self.retry_max_s < self.retry_initial_s:
            raise ConfigError(f"handoff.retry_max_s = {self.retry_max_s} must be >= handoff.retry_initial_s")


@dataclass(frozen=True)
class ConsoleSection:
    """The operator console on the LAN (booth/console/): off unless enabled, password required."""

    enabled: bool = field(default=False, metadata={"doc": "serve the operator console (status, today, gallery, controls, export)"})
    host: str = text("0.0.0.0", "address the console listens on")
    port: int = num(8090, 0, 65535, "0 = any free port; never the download page's port")
    password_hash: str = text("", "scrypt hash from `booth console hash-password`; required when enabled")
    session_idle_min: float = num(30.0, 1.0, 1440.0, "an operator is logged out after this long without a request")
    login_max_failures: int = num(5, 1, 100, "wrong passwords from one address before a lockout")
    login_lockout_s: float = num(30.0, 1.0, 3600.0, "first lockout; doubles with every further wrong password")


@dataclass(frozen=True)
class MetricsSection:
    """Prometheus exposition for a fleet (booth/console/metrics.py)."""

    enabled: bool = field(default=False, metadata={"doc": "serve /metrics (Prometheus text format) for the fleet's scraper"})
    host: str = text("0.0.0.0", "address /metrics listens on")
    port: int = num(9410, 0, 65535, "0 = any free port")
    booth_id: str = text("", "this booth's name in the fleet (metrics label, upload key prefix {booth_id}); empty = host name")


@dataclass(frozen=True)
class PrintSection:
    """Printing each kept photo through CUPS (booth/output/printing.py)."""

    enabled: bool = field(default=False, metadata={"doc": "print each kept photo"})
    printer: str = text("", "CUPS queue name (lpstat -p); empty = the CUPS default printer")
    media: str = choice("cr80", ("cr80", "4x6"), "cr80 = 54 x 85.6 mm badge card (portrait), 4x6 = 4 x 6 inch photo")
    copies: int = num(1, 1, 10)
    name_line: bool = field(default=True, metadata={"doc": "print the badge ID under the photo when there is one"})
    dpi: int = num(300, 100, 1200, "resolution the page is composed at")
    timeout_s: float = num(15.0, 1.0, 300.0, "lp may take this long to accept a job")


@dataclass(frozen=True)
class BoothConfig:
    booth: BoothSection = field(default_factory=BoothSection)
    camera: CameraSection = field(default_factory=CameraSection)
    vision: VisionSection = field(default_factory=VisionSection)
    framing: FramingSection = field(default_factory=FramingSection)
    pose: PoseSection = field(default_factory=PoseSection)
    gaze: GazeSection = field(default_factory=GazeSection)
    eyes: EyesSection = field(default_factory=EyesSection)
    expression: ExpressionSection = field(default_factory=ExpressionSection)
    light: LightSection = field(default_factory=LightSection)
    guidance: GuidanceSection = field(default_factory=GuidanceSection)
    best_frame: BestFrameSection = field(default_factory=BestFrameSection)
    output: OutputSection = field(default_factory=OutputSection)
    lights: LightsSection = field(default_factory=LightsSection)
    ui: UiSection = field(default_factory=UiSection)
    consent: ConsentSection = field(default_factory=ConsentSection)
    speech: SpeechSection = field(default_factory=SpeechSection)
    buttons: ButtonsSection = field(default_factory=ButtonsSection)
    service: ServiceSection = field(default_factory=ServiceSection)
    handoff: HandoffSection = field(default_factory=HandoffSection)
    console: ConsoleSection = field(default_factory=ConsoleSection)
    metrics: MetricsSection = field(default_factory=MetricsSection)
    print: PrintSection = field(default_factory=PrintSection)

    @property
    def profile(self) -> Profile:
        return Profile(self.booth.profile)

    def with_profile(self, profile: str | Profile) -> "BoothConfig":
        return dataclasses.replace(self, booth=dataclasses.replace(self.booth, profile=Profile(profile).value))

    def to_dict(self) -> dict:
        return _to_plain(self)

    def digest(self) -> str:
        """A short hash of the effective config (goes into each photo's sidecar)."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# --------------------------------------------------------------------------- loading


def _to_plain(obj):
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple):
        return [_to_plain(v) for v in obj]
    return obj


def _type_name(tp) -> str:
    return {bool: "true/false", int: "an integer", float: "a number", str: "a string"}.get(tp, str(tp))


def _coerce(value, tp, path: str, meta: dict):
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{path} must be a table, got {type(value).__name__}")
        return _build(tp, value, path)
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list):
            raise ConfigError(f"{path} must be a list, got {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0], f"{path}[{i}]", {}) for i, v in enumerate(value))
        if len(value) != len(args):
            raise ConfigError(f"{path} must have {len(args)} values, got {len(value)}")
        out = tuple(_coerce(v, a, f"{path}[{i}]", {}) for i, (v, a) in enumerate(zip(value, args)))
        if meta.get("band") and out[0] > out[1]:
            raise ConfigError(f"{path} = {value!r}: the low end must not exceed the high end")
        _check_range(out, path, meta)
        return out
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path} must be true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path} must be an integer, got {value!r}")
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path} must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(f"{path} = {value!r} is not a finite number. Fix: give a plain number "
                              f"(allowed {meta.get('lo')} to {meta.get('hi')})")
    elif tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path} must be a string, got {value!r}")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ConfigError(f"{path} = {value!r} is not allowed; choose one of: {', '.join(choices)}")
        return value
    _check_range(value, path, meta)
    return value


def _check_range(value, path: str, meta: dict):
    lo, hi = meta.get("lo"), meta.get("hi")
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ConfigError(f"{path} = {v!r} is out of range; allowed {lo} to {hi}")


def _build(cls, data: dict, prefix: str):
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(f"{prefix}.{key} is not a known setting (known in [{prefix}]: {known})" if prefix else
                              f"[{key}] is not a known section (known: {known})")
    kwargs = {}
    for name, value in data.items():
        path = f"{prefix}.{name}" if prefix else name
        kwargs[name] = _coerce(value, hints[name], path, dict(names[name].metadata))
    try:
        obj = cls(**kwargs)
    except TypeError as exc:  # a required field (LightChannel) left out
        raise ConfigError(f"{prefix}: {exc}") from None
    _cross_checks(obj, prefix)
    return obj


def _cross_checks(obj, prefix: str):
    for f in dataclasses.fields(obj):
        if f.name.endswith("_enter"):
            stem = f.name[: -len("_enter")]
            exit_value = getattr(obj, stem + "_exit", None)
            if exit_value is not None and exit_value < getattr(obj, f.name):
                raise ConfigError(f"{prefix}.{stem}_exit = {exit_value} must be >= {prefix}.{f.name} (hysteresis)")
    if isinstance(obj, LightChannel):
        if obj.min_level > obj.max_level:
            raise ConfigError(f"{prefix}.min_level must not exceed max_level")
    if isinstance(obj, LightsSection):
        seen = set()
        for i, ch in enumerate(obj.channels):
            if ch.name in seen:
                raise ConfigError(f"lights.channels[{i}].name = {ch.name!r} is used twice")
            seen.add(ch.name)
            if ch.key and ch.kind == "pwm" and ch.frequency_hz < obj.min_soft_pwm_key_hz:
                raise ConfigError(
                    f"lights.channels[{i}].frequency_hz = {ch.frequency_hz:g} is too low for key light {ch.name!r}: "
                    f"software PWM below {obj.min_soft_pwm_key_hz:g} Hz bands against the camera's rolling shutter. "
                    "Use kind = \"hwpwm\" at >= 20000 Hz, a DC constant-current driver, or raise frequency_hz"
                )
            if ch.key and ch.kind == "hwpwm" and ch.frequency_hz < obj.min_soft_pwm_key_hz:
                raise ConfigError(
                    f"lights.channels[{i}].frequency_hz = {ch.frequency_hz:g} is too low for key light {ch.name!r}: "
                    f"PWM below {obj.min_soft_pwm_key_hz:g} Hz bands against the camera's rolling shutter even from "
                    "the hardware PWM block. Use >= 20000 Hz"
                )
            if ch.kind == "hwpwm" and ch.pin not in (12, 13, 18, 19):
                raise ConfigError(
                    f"lights.channels[{i}].pin = {ch.pin} cannot be hardware PWM on a Raspberry Pi: only GPIO12, 13, 18 "
                    "and 19 reach the PWM block. Move the wire, or use kind = \"pwm\" (software) for a non-key light"
                )
        pins = [ch.pin for ch in obj.channels]
        if len(pins) != len(set(pins)):
            raise ConfigError("lights.channels: two channels share a GPIO pin")


def load_config(path: str | Path | None = None, overrides: dict | None = None) -> BoothConfig:
    """Load and validate ``path`` (defaults only when None). Raises ConfigError naming the key."""
    data: dict = {}
    if path is not None:
        if not str(path).strip():
            raise ConfigError("the config path is empty (BOOTH_CONFIG= or --config ''). "
                              "Fix: unset BOOTH_CONFIG or point it at a booth.toml file")
        p = Path(path)
        if not p.exists():
            raise ConfigError(f"config file {p} does not exist. Fix: copy booth.toml from the repository or pass --config")
        if p.is_dir():
            raise ConfigError(f"config path {p} is a directory. Fix: pass the booth.toml file inside it, "
                              f"e.g. --config {p / 'booth.toml'}")
        try:
            with p.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: not valid TOML ({exc})") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{p}: not UTF-8 text (byte {exc.start}). Fix: save the file as UTF-8") from None
        except OSError as exc:
            raise ConfigError(f"config file {p} cannot be read: {exc.strerror or exc}. "
                              "Fix: check its permissions") from None
    if overrides:
        data = _merge(data, overrides)
    try:
        return _build(BoothConfig, data, "")
    except ConfigError as exc:
        if path is not None:
            raise ConfigError(f"{path}: {exc}") from None
        raise


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def render_toml(cfg: BoothConfig, docs: bool = False) -> str:
    """The effective config as TOML (what `booth config` prints); ``docs`` adds each
    setting's meaning and allowed range as comments (how booth.toml is generated)."""
    lines: list[str] = []

    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, tuple):
            return "[" + ", ".join(val(x) for x in v) + "]"
        return repr(v)

    def comment(f) -> str:
        meta = f.metadata
        bits = [meta.get("doc", "")]
        if meta.get("choices"):
            bits.append("one of: " + ", ".join(meta["choices"]))
        elif meta.get("lo") is not None or meta.get("hi") is not None:
            bits.append(f"range {meta.get('lo')} to {meta.get('hi')}")
        text_ = "; ".join(b for b in bits if b)
        return f"  # {text_}" if docs and text_ else ""

    def emit(obj, header: str, table_array: bool = False):
        lines.append(f"[[{header}]]" if table_array else f"[{header}]")
        nested = []
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, tuple) and v and dataclasses.is_dataclass(v[0]):
                nested.append((f.name, v))
                continue
            lines.append(f"{f.name} = {val(v)}{comment(f)}")
        lines.append("")
        for name, rows in nested:
            for row in rows:
                emit(row, f"{header}.{name}", table_array=True)

    for f in dataclasses.fields(cfg):
        emit(getattr(cfg, f.name), f.name)
    return "\n".join(lines)
