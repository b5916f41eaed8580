"""The photo store: finished headshots on disk, each file whole or not at all.

One capture becomes the profile's crops at full resolution (``<stem>_1x1.jpg``,
``<stem>_4x5.jpg``), a square profile thumbnail (``<stem>_thumb.jpg``, 400x400) and a
sidecar ``<stem>.json`` with the measures, score, profile, config digest and timings::

    store = PhotoStore(cfg)
    saved = store.save(candidate)          # -> SavedCapture(paths...)

Retention (deleting captures after ``booth.retention_hours``) is the handoff room's
:func:`booth.handoff.retention.purge`: it knows which captures still wait for upload.

JPEGs are quality ``output.jpeg_quality`` (>= 92), tagged sRGB (an embedded ICC profile)
and stored upright (pixels upright, EXIF orientation 1). Every file is written to a hidden
``.<name>.part`` in the same directory, flushed, fsync'ed, renamed into place and the
directory fsync'ed: a crash or ``kill -9`` leaves at most a ``.part`` file (removed on the
next start), never a truncated ``.jpg``. The sidecar is renamed last: its presence means the
capture is complete. Files are mode 0600 (photos of people).

Before writing, the store checks free space against ``booth.min_free_mb`` and raises
:class:`~booth.errors.StorageError` naming the fix. :meth:`PhotoStore.readiness` answers the
same question (and whether the folder is writable, with inodes left) *before* a session
starts: the app shows "Out of service" with that fix while it fails.

A capture is one unit. All its files are first written whole (each fsync'ed) into a hidden
staging folder ``.staging-<stem>/``; then they are renamed into ``output_dir``, the sidecar
last, and the staging folder removed. Start-up (:meth:`PhotoStore.repair`) finishes what a
power cut interrupted: a staging folder that holds its sidecar is rolled forward (every file
renamed into place), one without a sidecar never became a photo and is removed; a JPEG in
``output_dir`` with no sidecar and no staging folder is moved to ``.quarantine/`` (never
deleted silently). Each repair is logged. ``kill -9`` at any moment therefore leaves, after
the next start, every capture complete or absent and no partial file under a final name.

:meth:`PhotoStore.lock` takes an exclusive lock on the output folder (``.booth.lock``): a
second booth on the same folder stops with one line and exit 2.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import io
import json
import logging
import math
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import cv2
import numpy as np

from ..atomic import fsync_dir, sweep_parts, write_bytes_atomic
from ..config import BoothConfig, Profile
from ..errors import StorageError
from ..types import Candidate, FaceMeasures
from . import finish
from .crops import SQUARE, CropRect, FaceGeometry, aspect_name, aspects_for, measure_crop, plan_framing, tight_head_for

if TYPE_CHECKING:
    from ..vision.expression import Segmenter
    from .pose_mask import PoseMasker

log = logging.getLogger(__name__)

STAGING_PREFIX = ".staging-"
STORE_NAME = re.compile(r"^\d{8}-\d{6}_\d{5}.*_[^_]+\.jpg$")  # <stem>_<crop>.jpg as _stem() names them
QUARANTINE_DIR = ".quarantine"
LOCK_FILE = ".booth.lock"
MIN_FREE_INODES = 64  # a capture takes ~5 (staging folder, crops, thumbnail, sidecar)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)



@dataclass(frozen=True)
class SavedCapture:
    """The files of one saved capture (absolute paths)."""

    stem: str
    crops: Mapping[str, Path]  # aspect name ("1x1", "4x5") -> JPEG
    thumbnail: Path
    sidecar: Path
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(self.crops.values()) + (self.thumbnail, self.sidecar)


@functools.cache
def _srgb_icc() -> bytes | None:
    """The sRGB ICC profile, made on the first save: Pillow's colour module costs 20 ms to
    import, and the booth's first frame should not wait for its first photo's profile."""
    try:
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    except Exception:  # noqa: BLE001 - Pillow built without LittleCMS: plain JPEG (still sRGB by convention)
        return None


def encode_jpeg(bgr: np.ndarray, quality: int) -> bytes:
    """BGR pixels -> JPEG bytes: sRGB ICC profile, EXIF orientation 1 (upright), 4:4:4."""
    from PIL import Image

    img = Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    exif = Image.Exif()
    exif[0x0112] = 1  # Orientation: the pixels are already upright
    buf = io.BytesIO()
    kwargs = {"quality": int(quality), "subsampling": 0, "exif": exif.tobytes()}
    icc = _srgb_icc()
    if icc:
        kwargs["icc_profile"] = icc
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def extract_crop(image: np.ndarray, rect: CropRect, out_w: int, out_h: int,
                 fill: np.ndarray | tuple[int, int, int] = finish.GREY_BGR,
                 origin: tuple[int, int] = (0, 0)) -> tuple[np.ndarray, bool]:
    """Cut ``rect`` (in the still's px, may reach outside ``image``) and resize to (out_w,
    out_h). ``image`` starts at ``origin`` (x, y) of the still (a finished canvas may cover
    only part of it, or reach past it). Strips outside ``image`` take ``fill`` (a colour, or
    an image of ``image``'s size grown by the pad: see :func:`booth.output.finish.pad_image`);
    no edge pixel is ever repeated. Returns (pixels, upscaled)."""
    h, w = image.shape[:2]
    x0, y0 = int(math.floor(rect.x)) - origin[0], int(math.floor(rect.y)) - origin[1]
    x1, y1 = int(math.ceil(rect.x + rect.w)) - origin[0], int(math.ceil(rect.y + rect.h)) - origin[1]
    pad = (max(0, -y0), max(0, y1 - h), max(0, -x0), max(0, x1 - w))
    inner = image[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
    if any(pad):
        if isinstance(fill, np.ndarray):
            fill = finish.GREY_BGR  # a fill image belongs to the whole canvas; here only a colour fits
        inner = finish.pad_image(inner, pad, fill)
    upscaled = out_w > inner.shape[1] * 1.001
    interp = cv2.INTER_CUBIC if upscaled else cv2.INTER_AREA
    return cv2.resize(inner, (out_w, out_h), interpolation=interp), upscaled


@dataclass(frozen=True)
class Finished:
    """The still, finished over the union of the crops: background applied, pad filled."""

    canvas: np.ndarray  # BGR, covers ``origin`` .. ``origin + size`` of the still (may reach past it)
    origin: tuple[int, int]  # (x, y) of the canvas's top-left in still px
    alpha: np.ndarray | None  # the matte over the canvas (None: no matte was made)
    clutter_before: float | None
    clutter_after: float | None
    meta: dict


def finish_still(still: np.ndarray, rects: list[CropRect], cfg: BoothConfig,
                 probability: np.ndarray | None, geom: FaceGeometry | None = None) -> Finished:
    """The still over the union of ``rects``: matte refined at full resolution, the
    ``output.background`` applied, strips past the image filled by ``output.pad_fill``
    (see :mod:`booth.output.finish`); the face inside the mesh outline of ``geom`` (still px)
    keeps its pixels exactly. ``probability``: the segmentation's person probability
    for the whole still (None when the model is unavailable: the background stays as shot,
    a pad takes grey)."""
    t0 = time.perf_counter()
    o = cfg.output
    sh, sw = still.shape[:2]
    x0 = int(math.floor(min(r.x for r in rects)))
    y0 = int(math.floor(min(r.y for r in rects)))
    x1 = int(math.ceil(max(r.x + r.w for r in rects)))
    y1 = int(math.ceil(max(r.y + r.h for r in rects)))
    pad = (max(0, -y0), max(0, y1 - sh), max(0, -x0), max(0, x1 - sw))
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(sw, x1), min(sh, y1)
    inner = still[cy0:cy1, cx0:cx1]
    padded = any(pad)
    meta: dict = {"background": o.background, "padded": padded, "pad_fill": None, "matte": None}
    if probability is None:
        meta["matte"] = "unavailable"
        fill = finish.parse_colour(o.pad_fill) or finish.GREY_BGR
        canvas = finish.pad_image(inner, pad, fill) if padded else inner
        meta["pad_fill"] = ("#%02x%02x%02x" % fill[::-1]) if padded else None
        if o.background != "as-shot":
            meta["background"] = "as-shot"
            meta["background_note"] = "segmentation unavailable: background left as shot"
        return Finished(canvas, (x0, y0), None, None, None, meta)

    region = (cx0, cy0, cx1 - cx0, cy1 - cy0)
    refine = padded or o.background != "as-shot"  # as shot, the matte only feeds the clutter measure
    if geom is not None and o.matte_head_prior:
        probability, removed = finish.head_prior(probability, (sw, sh), geom.eye_mid, geom.chin, geom.ied, geom.forehead,
                                                 hair_margin=o.matte_hair_margin)
        meta["head_prior_removed"] = round(float(removed.mean()), 4)  # of the coarse mask's pixels
    face = None
    if geom is not None:
        def p(q):
            return (q[0] - cx0, q[1] - cy0)
        face = finish.face_ellipse_mask((cx1 - cx0, cy1 - cy0), p(geom.eye_mid), p(geom.chin), p(geom.crown),
                                        geom.ied, scale=0.9)
    alpha = finish.refine_matte(still, probability, radius_frac=o.matte_radius, eps=o.matte_eps,
                                method="guided" if refine else "bilinear", region=region, protect=face)
    meta["matte"] = "guided-filter" if refine else "bilinear (clutter measure only)"
    wall = finish.background_estimate(inner, alpha, pad=pad) if refine else None
    below = None
    if padded:
        colour = finish.parse_colour(o.pad_fill)
        if colour is None:
            if wall is None:  # padded implies refine, which estimated the wall
                raise RuntimeError("finish: padding without a background estimate")
            grown_fill, below = finish.continue_person_below(inner, alpha, wall, pad)
            canvas = finish.pad_image(inner, pad, grown_fill)
            if below is not None:
                meta["pad_below_person"] = "the sitter's own colours (low-pass) below where they reach the bottom edge"
        else:
            canvas = finish.pad_image(inner, pad, colour)
        meta["pad_fill"] = o.pad_fill
    else:
        canvas = inner
    grown_alpha = cv2.copyMakeBorder(alpha, *pad, cv2.BORDER_CONSTANT, value=0.0) if padded else alpha
    if below is not None:  # the continued person below the frame is person for the background option too
        grown_alpha[pad[0] + alpha.shape[0]:, pad[2]:pad[2] + alpha.shape[1]] = below[None, :]
    before = finish.clutter(canvas, grown_alpha < 0.5)
    if o.background != "as-shot":
        new_bg = finish.background_estimate(inner, alpha, pad=pad, blur_frac=finish.BLUR_FRAC) if o.background == "blur" else None
        canvas = finish.replace_background(canvas, grown_alpha, o.background, new_bg, old_background=wall)
    after = finish.clutter(canvas, grown_alpha < 0.5) if o.background != "as-shot" else before
    meta["ms"] = round((time.perf_counter() - t0) * 1000.0, 1)
    return Finished(canvas, (x0, y0), grown_alpha, before, after, meta)


def output_size(cfg: BoothConfig, aspect: tuple[int, int], native_w: float) -> tuple[int, int]:
    """The crop's output size: native resolution, but never below the profile's minimum."""
    o = cfg.output
    min_w = {Profile.BADGE: o.min_px_badge, Profile.PROFESSIONAL: o.min_px_professional,
             Profile.ACTOR: o.min_px_actor}[cfg.profile]
    w = max(min_w, int(round(native_w)))
    return w, int(round(w * aspect[1] / aspect[0]))


def _measures(face: FaceMeasures) -> dict:
    keys = ("ied_px", "t_px", "yaw", "pitch", "roll", "ear_left", "ear_right", "eyes_closed", "blink", "gaze_h",
            "gaze_v", "mouth_gap", "mouth_width", "smile", "exposure", "clipped", "light_balance_ev", "sharpness",
            "background", "cast_a", "cast_b", "score")
    out = {k: getattr(face, k) for k in keys}
    out["expression"] = dict(face.expression)
    return {k: (round(v, 5) if isinstance(v, float) else v) for k, v in out.items()}


def _eyes_meta(face: FaceMeasures, neutral: float | None, engaged_ratio: float) -> dict:
    opening = 0.5 * (face.ear_left + face.ear_right)
    ratio = opening / neutral if neutral else None
    return {"opening": round(opening, 4), "neutral_opening": None if neutral is None else round(neutral, 4),
            "ratio_to_neutral": None if ratio is None else round(ratio, 3),
            "engaged": None if ratio is None else ratio >= engaged_ratio}


def free_mb(directory: Path) -> float:
    """Free space where ``directory`` lives, in the unit of ``booth.min_free_mb`` (MiB)."""
    return shutil.disk_usage(directory).free / 2**20


class PhotoStore:
    """Writes captures under ``booth.output_dir`` (see the module doc)."""

    def __init__(self, cfg: BoothConfig, directory: str | Path | None = None, *, lock: bool = False):
        """``lock``: take the folder's exclusive lock first (the running booth does; the lock
        comes before the repair, so a second booth never touches the first one's captures)."""
        self.cfg = cfg
        self.directory = Path(directory or cfg.booth.output_dir).expanduser().resolve()
        self._lock_fd: int | None = None
        self.repaired: list[str] = []  # what the start-up repair did (one line each)
        if lock:
            self.lock()
        self._series_names: dict = {}
        self._segmenter: Segmenter | None = None  # loaded on the first save that needs it
        self._segmenter_failed = False  # it could not load: no matte for this store's life
        self._body: PoseMasker | None = None  # the body model (output.matte_body), loaded on first use
        self._body_failed = False  # it could not load or run: the selfie mask alone for this store's life
        self._clean_parts()
        self.repair()

    # -- saving ----------------------------------------------------------------------

    def save(self, candidate: Candidate, *, badge_id: str | None = None, expression: str | None = None,
             extra: Mapping[str, Any] | None = None, neutral_open_eye: float | None = None) -> SavedCapture:
        """Write the crops, the thumbnail and the sidecar of ``candidate``, each whole or not at
        all. ``expression``: the actor series step it was taken for; ``extra``: anything else
        for the sidecar's ``extra``; ``neutral_open_eye``: the sitter's eye opening at rest (the
        coach's baseline), to record how open the chosen frame's eyes are against it."""
        t0 = time.perf_counter()
        face = candidate.observation.face
        if face is None:
            raise StorageError("nothing to save: the chosen frame has no face. Fix: retake the photo")
        self._ensure_dir()
        self._check_space()

        frame = candidate.frame
        still = frame.best
        sh, sw = still.shape[:2]
        iw, ih = candidate.observation.image_size
        geom = FaceGeometry.of(face).scaled(sw / iw, sh / ih)
        aspects = aspects_for(self.cfg.profile)
        plan = plan_framing(geom, (sw, sh), self.cfg, aspects + ((SQUARE,) if SQUARE not in aspects else ()))
        by_name = {r.name: r for r in plan.crops}

        stem = self._stem(frame.t, badge_id)
        crops_meta = {}
        crop_files: dict[str, str] = {}  # crop name -> file name
        blobs: dict[str, bytes] = {}
        probability = self._person_probability(still)
        coarse_name, t_coarse = None, time.perf_counter()
        if probability is not None:
            probability, coarse_name = self._coarse(still, probability, geom)
        coarse_ms = round((time.perf_counter() - t_coarse) * 1000.0, 1)
        done = finish_still(still, list(plan.crops), self.cfg, probability, geom)
        done.meta["coarse_mask"] = coarse_name  # "body+selfie" | "selfie" | None (no segmentation)
        done.meta["coarse_ms"] = coarse_ms if coarse_name == "body+selfie" else None
        for aspect in aspects:
            rect = by_name[aspect_name(aspect)]
            out_w, out_h = output_size(self.cfg, aspect, rect.w)
            pixels, upscaled = extract_crop(done.canvas, rect, out_w, out_h, origin=done.origin)
            name = f"{stem}_{rect.name}.jpg"
            blobs[name] = encode_jpeg(pixels, self.cfg.output.jpeg_quality)
            m = measure_crop(geom, rect)
            crop_files[rect.name] = name
            crops_meta[rect.name] = {
                "file": name, "size": [out_w, out_h], "upscaled": upscaled,
                "rect_still_px": [round(v, 1) for v in (rect.x, rect.y, rect.w, rect.h)],
                "rect_norm": [round(v, 5) for v in rect.norm((sw, sh))],
                "pad_px": {k: round(v, 1) for k, v in rect.pad((sw, sh)).items()},
                "head_height": round(m.head_height, 4), "eye_line": round(m.eye_line, 4),
                "centre_x": round(m.centre_x, 4), "shoulders_t": round(m.shoulders_t, 3),
                "margin_ied": round(m.margin_ied, 3),
                "pad_fill": done.meta["pad_fill"] if any(v > 0 for v in rect.pad((sw, sh)).values()) else None,
            }
        tp = self.cfg.output.thumbnail_px
        square = by_name[aspect_name(SQUARE)]
        thumb, _ = extract_crop(done.canvas, square, tp, tp, origin=done.origin)
        legible = self._legibility(thumb, geom, square)
        thumb_name = f"{stem}_thumb.jpg"
        blobs[thumb_name] = encode_jpeg(thumb, self.cfg.output.jpeg_quality)
        encode_ms = (time.perf_counter() - t0) * 1000.0
        timings: dict[str, float] = {**{k: round(v, 3) for k, v in candidate.observation.timings_ms.items()},
                                     "encode": round(encode_ms, 1)}  # "save_total" follows once written

        needed = sum(len(b) for b in blobs.values())
        self._check_space(needed)
        staging = self.directory / f"{STAGING_PREFIX}{stem}"
        try:
            staging.mkdir(mode=0o700)
        except OSError as exc:
            raise StorageError(f"could not write in {self.directory}: {exc.strerror or exc}. Fix: check that "
                               f"{self.directory} is writable and has free space and inodes (booth.output_dir)") from None
        for name, blob in blobs.items():
            self._write(staging / name, blob, staging)

        a = candidate.assessment
        meta = {
            "stem": stem,
            "profile": self.cfg.profile.value,
            "expression_target": expression,
            "config_digest": self.cfg.digest(),
            "badge_id": badge_id,
            "frame": {"t": round(frame.t, 4), "index": frame.index, "image_size": [iw, ih], "still_size": [sw, sh]},
            "score": round(a.score, 5),
            "relax_level": a.relax_level,
            "checks": [{"name": c.name, "ok": c.ok, "value": None if c.value is None else round(float(c.value), 5),
                        "target": c.target, "hard": c.hard} for c in a.checks],
            "measures": _measures(face),
            "framing": {"shoulders_ok": plan.shoulders_ok, "margins_ok": plan.margins_ok, "fit": plan.fit,
                        "head_height_band": list(self.cfg.framing.head_height),
                        **({"tight_head": tight_head_for(self.cfg)} if plan.fit == "tightened" else {})},
            "finish": done.meta,
            "background": self._background_meta(done),
            "legibility_80px": legible.as_dict(),
            "eyes": _eyes_meta(face, neutral_open_eye if neutral_open_eye is not None else candidate.neutral_open_eye,
                               self.cfg.best_frame.engaged_eye_ratio),
            "crops": crops_meta,
            "thumbnail": {"file": thumb_name, "size": [tp, tp]},
            "timings_ms": timings,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        if candidate.language is not None:
            meta["language"] = candidate.language
        if candidate.consent is not None:
            from ..consent import sidecar as consent_sidecar

            meta["consent"] = consent_sidecar(candidate.consent, frame.t)
        if extra:
            meta["extra"] = dict(extra)
        timings["save_total"] = round((time.perf_counter() - t0) * 1000.0, 1)
        sidecar = self.directory / f"{stem}.json"
        self._write(staging / sidecar.name, (json.dumps(meta, indent=1, default=str) + "\n").encode(), staging)
        self._commit(staging, sidecar.name)
        return SavedCapture(stem=stem, crops={k: self.directory / v for k, v in crop_files.items()},
                            thumbnail=self.directory / thumb_name, sidecar=sidecar, metadata=meta)

    def _person_probability(self, still: np.ndarray) -> np.ndarray | None:
        """The selfie-segmentation person probability of the whole still (the model is loaded
        once per store); None when it cannot run (the sidecar says so)."""
        if self._segmenter_failed:
            return None
        if self._segmenter is None:
            try:
                from ..vision.expression import Segmenter

                self._segmenter = Segmenter(self.cfg.vision.threads)
            except Exception as exc:  # noqa: BLE001 - a missing model must not lose the photo
                log.warning("segmentation unavailable for the finished photo (%s): background as shot, "
                            "pad in grey. Fix: run `booth models fetch`", exc)
                self._segmenter_failed = True
                return None
        return self._segmenter.probability(still)

    def _coarse(self, still: np.ndarray, selfie: np.ndarray, geom: FaceGeometry) -> tuple[np.ndarray, str]:
        """The coarse mask the matte starts from (``output.matte_body``: the body model's over
        its ROI, :mod:`booth.output.pose_mask`); the selfie mask alone when the body model is
        off or cannot run (logged once, the photo is saved all the same)."""
        if not self.cfg.output.matte_body or self._body_failed:
            return selfie, "selfie"
        try:
            from .pose_mask import PoseMasker, coarse_probability

            if self._body is None:
                self._body = PoseMasker(self.cfg.vision.threads)
            return coarse_probability(self._body, still, selfie, geom)
        except Exception as exc:  # noqa: BLE001 - a missing model must not lose the photo
            log.warning("body model unavailable for the finished photo's mask (%s): the selfie mask alone. "
                        "Fix: run `booth models fetch`", exc)
            self._body_failed = True
            return selfie, "selfie"

    def _legibility(self, thumb: np.ndarray, geom: FaceGeometry, square: CropRect) -> "finish.Legibility":
        s = thumb.shape[1] / square.w

        def p(q):
            return ((q[0] - square.x) * s, (q[1] - square.y) * s)

        o = self.cfg.output
        min_ied = {Profile.BADGE: o.legible_ied_80_badge, Profile.PROFESSIONAL: o.legible_ied_80_professional,
                   Profile.ACTOR: o.legible_ied_80_actor}[self.cfg.profile]
        return finish.legibility_80(thumb, p(geom.eye_mid), p(geom.chin), p(geom.crown), geom.ied * s,
                                    min_ied_px=min_ied, min_contrast=o.legible_contrast_80)

    def _background_meta(self, done: "Finished") -> dict:
        o = self.cfg.output
        level = finish.clutter_level(done.clutter_before, o.clutter_advise, o.clutter_busy)
        return {"clutter": None if done.clutter_before is None else round(done.clutter_before, 2),
                "clutter_saved": None if done.clutter_after is None else round(done.clutter_after, 2),
                "level": level, "advice": finish.clutter_advice(level, o.background)}

    def _write(self, path: Path, blob: bytes, staging: Path | None = None) -> None:
        try:
            write_bytes_atomic(path, blob)
        except OSError as exc:
            if staging is not None:
                _remove_tree(staging)  # nothing of this capture became visible
            raise StorageError(f"could not write the photo to {self.directory}: {exc.strerror or exc}. Fix: check that "
                               f"{self.directory} is writable and has free space (booth.output_dir)") from None

    def _commit(self, staging: Path, sidecar_name: str) -> None:
        """Rename the staged files into place, the sidecar last, then drop the staging folder."""
        fsync_dir(staging)
        names = sorted(p.name for p in staging.iterdir() if p.name != sidecar_name and not p.name.endswith(".part"))
        try:
            for name in names + [sidecar_name]:
                os.replace(staging / name, self.directory / name)
            fsync_dir(self.directory)
            staging.rmdir()
        except OSError as exc:  # a rename within one folder: only a dying disk gets here
            raise StorageError(f"could not finish the photo in {self.directory}: {exc.strerror or exc}; it is "
                               "completed at the next start. Fix: check the storage (dmesg)") from None

    # -- start-up repair, readiness, the folder lock ---------------------------------

    def repair(self) -> list[str]:
        """Finish or quarantine what a power cut left half-committed (see the module doc)."""
        done: list[str] = []
        d = self.directory
        if not d.is_dir():
            return done
        for staging in sorted(d.glob(f"{STAGING_PREFIX}*")):
            if not staging.is_dir():
                continue
            stem = staging.name[len(STAGING_PREFIX):]
            sweep_parts(staging)
            if (staging / f"{stem}.json").exists():
                try:
                    self._commit(staging, f"{stem}.json")
                    done.append(f"completed capture {stem}: a power cut had stopped it while it was renamed into place")
                except StorageError as err:
                    done.append(f"could not complete capture {stem}: {err}")
            else:
                _remove_tree(staging)
                done.append(f"removed the unfinished capture {stem} (its files were never visible)")
        sidecars = {p.stem for p in d.glob("*.json")}
        for jpg in sorted(d.glob("*.jpg")):
            if not STORE_NAME.match(jpg.name) or jpg.name.rsplit("_", 1)[0] in sidecars:
                continue  # not one of ours, or complete
            qdir = d / QUARANTINE_DIR
            try:
                qdir.mkdir(mode=0o700, exist_ok=True)
                os.replace(jpg, qdir / jpg.name)
                done.append(f"moved {jpg.name} to {qdir} (a photo without its sidecar; check and delete it by hand)")
            except OSError as exc:
                done.append(f"could not quarantine {jpg}: {exc.strerror or exc}")
        if done:
            fsync_dir(d)
        for line in done:
            log.warning("start-up repair: %s", line)
        self.repaired += done
        return done

    def readiness(self) -> str | None:
        """None when the output folder can take a photo now, else the operator's fix (one line)."""
        d = self.directory
        try:
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            return (f"cannot create the photo folder {d} ({exc.strerror or exc}). "
                    "Fix: set booth.output_dir to a writable folder")
        try:
            st = os.statvfs(d)
        except OSError as exc:
            return f"cannot read the photo folder {d} ({exc.strerror or exc}). Fix: check the storage"
        free = st.f_bavail * st.f_frsize / 2**20
        need = self.cfg.booth.min_free_mb
        if free < need:
            return (f"only {free:.0f} MB free in {d}; a photo needs {need:g} MB (booth.min_free_mb). "
                    "Fix: free space or move old photos off the card, or lower booth.retention_hours")
        if st.f_files and st.f_favail < MIN_FREE_INODES:
            return (f"only {st.f_favail} free inodes in {d}. Fix: delete or move old photos off the card")
        probe = d / f".probe-{os.getpid()}"
        try:
            fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            os.unlink(probe)
        except FileExistsError:
            try:
                os.unlink(probe)
            except OSError:
                pass
        except OSError as exc:
            return (f"cannot write in the photo folder {d} ({exc.strerror or exc}). "
                    "Fix: make it writable for the booth user, or set booth.output_dir")
        return None

    def lock(self) -> "PhotoStore":
        """Take the output folder for this booth alone (StorageError, exit 2, when another has it)."""
        self._ensure_dir()
        path = self.directory / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = ""
            try:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            except OSError:
                pass
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise StorageError(
                    f"another booth{f' (pid {holder})' if holder else ''} is already using the output folder "
                    f"{self.directory}. Fix: stop it (systemctl stop booth) or give this one its own "
                    "booth.output_dir") from None
            raise StorageError(f"cannot lock {path}: {exc.strerror or exc}. Fix: check booth.output_dir") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd
        return self

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing drops the flock
            self._lock_fd = None
    def save_series_note(self, note: Mapping[str, Any]) -> Path:
        """The actor series sidecar ``series_<stamp>.json`` (one per series, rewritten whole
        when the series changes): every expression, saved with its files or skipped."""
        self._ensure_dir()
        key = (round(float(note.get("t", 0.0)), 3), note.get("badge_id"))
        name = self._series_names.get(key)
        if name is None:
            name = f"series_{self._stem(key[0], key[1])}.json"
            self._series_names = {key: name}
        path = self.directory / name
        self._write(path, (json.dumps(dict(note), indent=1, default=str) + "\n").encode())
        return path

    def _stem(self, t: float, badge_id: str | None) -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}_{int(round(t * 1000)) % 100000:05d}"
        if badge_id:
            from ..handoff.badge import badge_safe_name  # one rule for names, keys and pages

            base += f"_{badge_safe_name(badge_id)}"
        stem, n = base, 1
        while (self.directory / f"{stem}.json").exists() or any(self.directory.glob(f"{stem}_*.jpg")):
            n += 1
            stem = f"{base}-{n}"
        return stem

    def _ensure_dir(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StorageError(f"cannot create the photo directory {self.directory}: {exc.strerror or exc}. "
                               "Fix: set booth.output_dir to a writable folder") from None

    def _check_space(self, needed_bytes: int = 0) -> None:
        free = free_mb(self.directory)
        if free - needed_bytes / 2**20 < self.cfg.booth.min_free_mb:
            raise StorageError(
                f"only {free:.0f} MB free in {self.directory}; the booth keeps at least "
                f"{self.cfg.booth.min_free_mb:g} MB free. Fix: free space or move old photos off the card, "
                "lower booth.retention_hours so old photos are purged, or lower booth.min_free_mb")

    def _clean_parts(self) -> None:
        """Remove ``.part`` files a crash left behind (never a finished photo)."""
        sweep_parts(self.directory)

    # -- retention -------------------------------------------------------------------

