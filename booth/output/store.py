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
:class:`~booth.errors.StorageError` naming the fix.
"""

from __future__ import annotations

import io
import json
import logging
import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import cv2
import numpy as np

from ..atomic import sweep_parts, write_bytes_atomic
from ..config import BoothConfig, Profile
from ..errors import StorageError
from ..types import Candidate, FaceMeasures
from .crops import SQUARE, CropRect, FaceGeometry, aspect_name, aspects_for, measure_crop, plan_framing

log = logging.getLogger(__name__)



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


def _srgb_icc() -> bytes | None:
    try:
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    except Exception:  # Pillow built without LittleCMS: plain JPEG (still sRGB by convention)
        return None


_ICC = _srgb_icc()


def encode_jpeg(bgr: np.ndarray, quality: int) -> bytes:
    """BGR pixels -> JPEG bytes: sRGB ICC profile, EXIF orientation 1 (upright), 4:4:4."""
    from PIL import Image

    img = Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    exif = Image.Exif()
    exif[0x0112] = 1  # Orientation: the pixels are already upright
    buf = io.BytesIO()
    kwargs = {"quality": int(quality), "subsampling": 0, "exif": exif.tobytes()}
    if _ICC:
        kwargs["icc_profile"] = _ICC
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def extract_crop(image: np.ndarray, rect: CropRect, out_w: int, out_h: int) -> tuple[np.ndarray, bool]:
    """Cut ``rect`` (image px, may reach outside) and resize to (out_w, out_h). Strips
    outside the image repeat its edge. Returns (pixels, upscaled)."""
    h, w = image.shape[:2]
    x0, y0 = int(math.floor(rect.x)), int(math.floor(rect.y))
    x1, y1 = int(math.ceil(rect.x + rect.w)), int(math.ceil(rect.y + rect.h))
    pad = (max(0, -y0), max(0, y1 - h), max(0, -x0), max(0, x1 - w))
    inner = image[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
    if any(pad):
        inner = soft_border(inner, pad)
    upscaled = out_w > inner.shape[1] * 1.001
    interp = cv2.INTER_CUBIC if upscaled else cv2.INTER_AREA
    return cv2.resize(inner, (out_w, out_h), interpolation=interp), upscaled


def soft_border(image: np.ndarray, pad: tuple[int, int, int, int]) -> np.ndarray:
    """``image`` grown by ``pad`` (top, bottom, left, right) px. The new strips repeat the
    edge pixels, then are blurred more the farther they lie from the image, so that they read
    as out-of-focus continuation (wall, shoulders) rather than hard streaks; the camera's
    own pixels are not touched."""
    top, bottom, left, right = pad
    grown = cv2.copyMakeBorder(image, top, bottom, left, right, cv2.BORDER_REPLICATE)
    gh, gw = grown.shape[:2]
    # distance (px) of each pixel outside the original image, per axis
    yy = np.maximum(np.maximum(top - np.arange(gh), np.arange(gh) - (gh - 1 - bottom)), 0).astype(np.float32)
    xx = np.maximum(np.maximum(left - np.arange(gw), np.arange(gw) - (gw - 1 - right)), 0).astype(np.float32)
    dist = np.maximum(yy[:, None], xx[None, :])
    reach = float(max(pad))
    # a strong blur computed small (fast at full resolution), blended in with the distance
    scale = max(1, int(reach // 8))
    small = cv2.resize(grown, (max(1, gw // scale), max(1, gh // scale)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigmaX=max(1.0, reach / scale / 2.0))
    blurred = cv2.resize(small, (gw, gh), interpolation=cv2.INTER_LINEAR)
    weight = np.clip(dist / max(reach * 0.5, 1.0), 0.0, 1.0)[:, :, None]
    out = grown.astype(np.float32) * (1.0 - weight) + blurred.astype(np.float32) * weight
    out[top:gh - bottom, left:gw - right] = image  # the camera's pixels exactly as they were
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


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


def free_mb(directory: Path) -> float:
    """Free space where ``directory`` lives, in the unit of ``booth.min_free_mb`` (MiB)."""
    return shutil.disk_usage(directory).free / 2**20


class PhotoStore:
    """Writes captures under ``booth.output_dir`` (see the module doc)."""

    def __init__(self, cfg: BoothConfig, directory: str | Path | None = None):
        self.cfg = cfg
        self.directory = Path(directory or cfg.booth.output_dir).expanduser().resolve()
        self._series_names: dict = {}
        self._clean_parts()

    # -- saving ----------------------------------------------------------------------

    def save(self, candidate: Candidate, *, badge_id: str | None = None, expression: str | None = None,
             extra: Mapping[str, Any] | None = None) -> SavedCapture:
        """Write the crops, the thumbnail and the sidecar of ``candidate``, each whole or not at
        all. ``expression``: the actor series step it was taken for; ``extra``: anything else
        for the sidecar's ``extra``."""
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
        blobs: dict[str, bytes] = {}
        for aspect in aspects:
            rect = by_name[aspect_name(aspect)]
            out_w, out_h = output_size(self.cfg, aspect, rect.w)
            pixels, upscaled = extract_crop(still, rect, out_w, out_h)
            name = f"{stem}_{rect.name}.jpg"
            blobs[name] = encode_jpeg(pixels, self.cfg.output.jpeg_quality)
            m = measure_crop(geom, rect)
            crops_meta[rect.name] = {
                "file": name, "size": [out_w, out_h], "upscaled": upscaled,
                "rect_still_px": [round(v, 1) for v in (rect.x, rect.y, rect.w, rect.h)],
                "rect_norm": [round(v, 5) for v in rect.norm((sw, sh))],
                "pad_px": {k: round(v, 1) for k, v in rect.pad((sw, sh)).items()},
                "head_height": round(m.head_height, 4), "eye_line": round(m.eye_line, 4),
                "centre_x": round(m.centre_x, 4), "shoulders_t": round(m.shoulders_t, 3),
                "margin_ied": round(m.margin_ied, 3),
            }
        tp = self.cfg.output.thumbnail_px
        thumb, _ = extract_crop(still, by_name[aspect_name(SQUARE)], tp, tp)
        thumb_name = f"{stem}_thumb.jpg"
        blobs[thumb_name] = encode_jpeg(thumb, self.cfg.output.jpeg_quality)
        encode_ms = (time.perf_counter() - t0) * 1000.0

        needed = sum(len(b) for b in blobs.values())
        self._check_space(needed)
        for name, blob in blobs.items():
            self._write(self.directory / name, blob)

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
            "framing": {"shoulders_ok": plan.shoulders_ok, "margins_ok": plan.margins_ok},
            "crops": crops_meta,
            "thumbnail": {"file": thumb_name, "size": [tp, tp]},
            "timings_ms": {**{k: round(v, 3) for k, v in candidate.observation.timings_ms.items()},
                           "encode": round(encode_ms, 1)},
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        if extra:
            meta["extra"] = dict(extra)
        meta["timings_ms"]["save_total"] = round((time.perf_counter() - t0) * 1000.0, 1)
        sidecar = self.directory / f"{stem}.json"
        self._write(sidecar, (json.dumps(meta, indent=1, default=str) + "\n").encode())
        return SavedCapture(stem=stem, crops={k: self.directory / v["file"] for k, v in crops_meta.items()},
                            thumbnail=self.directory / thumb_name, sidecar=sidecar, metadata=meta)

    def _write(self, path: Path, blob: bytes) -> None:
        try:
            write_bytes_atomic(path, blob)
        except OSError as exc:
            raise StorageError(f"could not write {path}: {exc.strerror or exc}. Fix: check that "
                               f"{self.directory} is writable and has free space (booth.output_dir)") from None

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

