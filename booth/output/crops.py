"""Framing geometry: where the profile's output crops sit around a face.

A headshot crop is fixed by a few bands of HEADSHOT_SPEC (``[framing]`` in the config):
head height (chin to crown) 0.55-0.65 of the crop height, the eye line 0.33-0.40 of the crop
height from the top, the eye midpoint 0.45-0.55 of the crop width, the crop bottom at least
1.2 T below the chin, and at least 1.1 IED from each eye centre to the side edges.

The booth's framing checks and its saved photos use the same plan, so what the live guide
shows is what gets saved, and a saved crop analysed again passes the same checks::

    plan = plan_framing(FaceGeometry.of(face), image_size, cfg, aspects_for(cfg.profile))
    plan.fits           # a crop with every band met fits inside the image (+ the allowed pad)
    plan.overflow       # per side, px beyond what is allowed (> 0: the sitter must move)
    plan.crops[0].rect  # the crop to save, in the same pixels as the face geometry

A crop may reach a little beyond the camera image (``framing.max_pad`` of its size per
axis); the store fills that strip from the background (the wall extended past the image, or
``output.pad_fill``'s colour; never the image's edge repeated: see :mod:`booth.output.finish`).
The sidecar records it.

When a face's own proportions cannot meet every band at once (a crown estimated low makes
"shoulders 1.2 T below the chin" clash with the eye line), the bands give way in this order:
shoulders first, then the side margins; head height and eye line always hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from ..config import BoothConfig, Profile
from ..types import FaceMeasures

Aspect = tuple[int, int]  # (width, height) ratio

SQUARE: Aspect = (1, 1)
PORTRAIT: Aspect = (4, 5)

_ASPECTS: Mapping[Profile, tuple[Aspect, ...]] = MappingProxyType({
    Profile.BADGE: (SQUARE, PORTRAIT),
    Profile.PROFESSIONAL: (SQUARE, PORTRAIT),
    Profile.ACTOR: (PORTRAIT,),
})

SIDES = ("top", "bottom", "left", "right")


def aspects_for(profile: Profile | str) -> tuple[Aspect, ...]:
    """The output crops a profile saves, widest first."""
    return _ASPECTS[Profile(profile)]


def aspect_name(aspect: Aspect) -> str:
    return f"{aspect[0]}x{aspect[1]}"


def aspects_to_check(profile: Profile | str, image_size: tuple[int, int]) -> tuple[Aspect, ...]:
    """Which crops the framing checks must fit into an image of ``image_size``.

    An image whose shape already is one of the profile's output aspects is judged as that
    output (a saved 4:5 file cannot hold the 1:1 crop of the same head, nor should it).
    Any other image (a camera frame) must hold every output crop of the profile.
    """
    aspects = aspects_for(profile)
    w, h = image_size
    for a in aspects:
        if h > 0 and abs(w / h - a[0] / a[1]) <= 0.01 * a[0] / a[1]:
            return (a,)
    return aspects


@dataclass(frozen=True)
class FaceGeometry:
    """The few points framing needs, in one pixel space (analysis image or full still)."""

    eye_mid: tuple[float, float]
    iris_left: tuple[float, float]
    iris_right: tuple[float, float]
    chin: tuple[float, float]
    crown: tuple[float, float]
    ied: float
    t: float

    @staticmethod
    def of(face: FaceMeasures) -> "FaceGeometry":
        return FaceGeometry(tuple(face.eye_mid), tuple(face.iris_left), tuple(face.iris_right),
                            tuple(face.chin), tuple(face.crown), float(face.ied_px), float(face.t_px))

    def scaled(self, sx: float, sy: float) -> "FaceGeometry":
        """The same face in an image scaled by (sx, sy), e.g. from analysis size to the still."""
        def p(q):
            return (q[0] * sx, q[1] * sy)
        s = math.sqrt(sx * sy)
        return FaceGeometry(p(self.eye_mid), p(self.iris_left), p(self.iris_right), p(self.chin),
                            p(self.crown), self.ied * s, self.t * s)

    @property
    def head_height(self) -> float:
        return math.dist(self.crown, self.chin)


@dataclass(frozen=True)
class CropRect:
    """One output crop, ``x, y, w, h`` in the geometry's pixels (may reach past the image)."""

    aspect: Aspect
    x: float
    y: float
    w: float
    h: float

    @property
    def name(self) -> str:
        return aspect_name(self.aspect)

    def norm(self, image_size: tuple[int, int]) -> tuple[float, float, float, float]:
        w, h = image_size
        return (self.x / w, self.y / h, self.w / w, self.h / h)

    def pad(self, image_size: tuple[int, int]) -> dict[str, float]:
        """Pixels of this crop outside the image, per side (0 where it is inside)."""
        w, h = image_size
        return {"top": max(0.0, -self.y), "bottom": max(0.0, self.y + self.h - h),
                "left": max(0.0, -self.x), "right": max(0.0, self.x + self.w - w)}


@dataclass(frozen=True)
class CropMeasures:
    """How a face sits in a crop, in the spec's units (what the bands are about)."""

    head_height: float  # chin-to-crown / crop height
    eye_line: float  # eye midpoint from the crop top / crop height
    centre_x: float  # eye midpoint x / crop width
    shoulders_t: float  # (crop bottom - chin) / T
    margin_ied: float  # smaller of the two eye-to-side-edge distances / IED


def measure_crop(geom: FaceGeometry, rect: CropRect) -> CropMeasures:
    ex, ey = geom.eye_mid
    xs = (geom.iris_left[0], geom.iris_right[0])
    return CropMeasures(
        head_height=geom.head_height / rect.h,
        eye_line=(ey - rect.y) / rect.h,
        centre_x=(ex - rect.x) / rect.w,
        shoulders_t=(rect.y + rect.h - geom.chin[1]) / max(geom.t, 1e-6),
        margin_ied=min(min(xs) - rect.x, rect.x + rect.w - max(xs)) / max(geom.ied, 1e-6),
    )


@dataclass(frozen=True)
class Framing:
    """The framing plan for one face in one image.

    ``overflow`` holds, per side and for the whole height/width, how many pixels the best
    possible crop lies beyond the image *plus* the allowed pad (> 0: no in-band crop fits
    on that side; <= 0: room to spare). ``crops`` are the crops to save (widest first),
    placed at the middle of the bands where the image allows.
    """

    image_size: tuple[int, int]
    crops: tuple[CropRect, ...]
    overflow: Mapping[str, float]  # top, bottom, left, right, height, width
    head_fraction_frame: float  # head height / image height
    shoulders_ok: bool  # the face's proportions allowed the shoulder band
    margins_ok: bool

    @property
    def fits(self) -> bool:
        return all(v <= 0.0 for v in self.overflow.values())

    @property
    def widest(self) -> CropRect:
        return self.crops[0]


@dataclass
class _Axis:
    """One axis of the placement problem for one crop size: allowed start positions."""

    lo: float  # smallest start the bands allow
    hi: float  # largest start the bands allow
    want: float  # the start at the middle of the bands
    size: float
    limit: float  # image extent on this axis
    pad: float  # allowed pad per axis

    def overflow_low(self) -> float:  # leaving at the top / left
        return -self.pad - self.hi

    def overflow_high(self) -> float:  # leaving at the bottom / right
        return self.lo + self.size - (self.limit + self.pad)

    def overflow_size(self) -> float:
        return self.size - (self.limit + self.pad)

    def worst(self) -> float:
        return max(self.overflow_low(), self.overflow_high(), self.overflow_size())

    def place(self) -> float:
        """The start nearest the band middle that stays in the image (+pad) if possible."""
        start = min(max(self.want, self.lo), self.hi)
        return min(max(start, -self.pad), self.limit - self.size + self.pad)


def _vertical(geom: FaceGeometry, ch: float, H: float, cfg: BoothConfig) -> tuple[_Axis, bool]:
    fr = cfg.framing
    ey = geom.eye_mid[1]
    lo, hi = ey - fr.eye_line[1] * ch, ey - fr.eye_line[0] * ch
    want = ey - 0.5 * (fr.eye_line[0] + fr.eye_line[1]) * ch
    shoulders_lo = geom.chin[1] + fr.shoulders_t * geom.t - ch
    shoulders_ok = shoulders_lo <= hi
    if shoulders_ok:
        lo = max(lo, shoulders_lo)
    return _Axis(lo, hi, want, ch, H, fr.max_pad * ch), shoulders_ok


def _horizontal(geom: FaceGeometry, cw: float, W: float, cfg: BoothConfig) -> tuple[_Axis, bool]:
    fr = cfg.framing
    ex = geom.eye_mid[0]
    lo, hi = ex - fr.centre_x[1] * cw, ex - fr.centre_x[0] * cw
    want = ex - 0.5 * cw
    xs = (geom.iris_left[0], geom.iris_right[0])
    m_lo = max(xs) + fr.side_margin_ied * geom.ied - cw
    m_hi = min(xs) - fr.side_margin_ied * geom.ied
    nlo, nhi = max(lo, m_lo), min(hi, m_hi)
    margins_ok = nlo <= nhi
    if margins_ok:
        lo, hi = nlo, nhi
    return _Axis(lo, hi, want, cw, W, fr.max_pad * cw), margins_ok


def plan_framing(geom: FaceGeometry, image_size: tuple[int, int], cfg: BoothConfig,
                 aspects: tuple[Aspect, ...] | None = None, steps: int = 11) -> Framing:
    """Find the in-band crops for ``geom`` in an image of ``image_size`` (see module doc)."""
    aspects = aspects or aspects_for(cfg.profile)
    aspects = tuple(sorted(aspects, key=lambda a: -a[0] / a[1]))  # widest first
    W, H = float(image_size[0]), float(image_size[1])
    hf_lo, hf_hi = cfg.framing.head_height
    hh = max(geom.head_height, 1e-6)
    hf_mid = 0.5 * (hf_lo + hf_hi)
    fractions = [hf_hi + (hf_lo - hf_hi) * i / (steps - 1) for i in range(steps)] if steps > 1 else [hf_mid]

    best_fit = None  # (worst, ...) over crop heights: how much room the best crop has
    best_out = None  # the crop height to save: the one nearest the band middle that fits
    for hf in fractions:
        ch = hh / hf
        v, shoulders_ok = _vertical(geom, ch, H, cfg)
        hs = [_horizontal(geom, ch * a[0] / a[1], W, cfg) for a in aspects]
        worst = max([v.worst()] + [h.worst() for h, _ in hs])
        entry = (worst, abs(hf - hf_mid), hf, ch, v, hs, shoulders_ok)
        if best_fit is None or worst < best_fit[0]:
            best_fit = entry
        if worst <= 0.0 and (best_out is None or entry[1] < best_out[1]):
            best_out = entry
    if best_out is None:
        best_out = best_fit
    assert best_fit is not None and best_out is not None

    _, _, _, _, v, hs, _ = best_fit
    widest = hs[0][0]
    overflow = {
        "top": v.overflow_low(), "bottom": v.overflow_high(), "height": v.overflow_size(),
        "left": max(h.overflow_low() for h, _ in hs), "right": max(h.overflow_high() for h, _ in hs),
        "width": widest.overflow_size(),
    }
    _, _, _, ch, v, hs, shoulders_ok = best_out
    top = v.place()
    crops = tuple(CropRect(a, h.place(), top, h.size, ch) for a, (h, _) in zip(aspects, hs))
    return Framing(
        image_size=(int(W), int(H)),
        crops=crops,
        overflow=MappingProxyType(overflow),
        head_fraction_frame=hh / H,
        shoulders_ok=shoulders_ok,
        margins_ok=all(ok for _, ok in hs),
    )


def plan_for_face(face: FaceMeasures, image_size: tuple[int, int], cfg: BoothConfig,
                  aspects: tuple[Aspect, ...] | None = None) -> Framing:
    """:func:`plan_framing` for a measured face; ``aspects`` default to what the image must hold."""
    return plan_framing(FaceGeometry.of(face), image_size, cfg,
                        aspects or aspects_to_check(cfg.profile, image_size))
