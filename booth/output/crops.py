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
    plan.overflow_inside  # the same against framing.inside_tolerance (> 0: the crop would pad)
    plan.crops[0].rect  # the crop to save, in the same pixels as the face geometry

The booth guides toward a crop inside the camera image (``overflow_inside``: at most
``framing.inside_tolerance`` of the crop past the image; the ``crop_inside`` check asks the
sitter to step back or centre while it does not fit), and the plan prefers such a crop (a
crop height inside the image, placed without pad wherever the bands allow). When no in-band
crop fits inside the image, the saved crop is first made tighter: the largest crop of its
aspect inside the image, the head up to ``framing.tight_head_<profile>`` past the band's top
(``plan.fit`` "tightened"; the checks read the overflow, not this crop). Only as the
fallback (the manual shutter, a camera too tight for the profile's crop at any distance the
sitter may stand) a crop may reach a little beyond the camera image (``framing.max_pad`` of
its size per axis); the store fills that strip from the background (the wall extended past the image, or
``output.pad_fill``'s colour; never the image's edge repeated: see :mod:`booth.output.finish`).
The sidecar records it.

When a face's own proportions cannot meet every band at once (a crown estimated low makes
"shoulders 1.2 T below the chin" clash with the eye line), the bands give way in this order:
shoulders first, then the side margins; head height and eye line always hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

import numpy as np

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
    forehead: tuple[float, float] | None = None  # the mesh's forehead point (10): the head's own top, for the matte

    @staticmethod
    def of(face: FaceMeasures) -> "FaceGeometry":
        lm = np.asarray(face.landmarks)
        forehead = (float(lm[10, 0]), float(lm[10, 1])) if lm.ndim == 2 and lm.shape[0] > 10 else None
        return FaceGeometry(_pt(face.eye_mid), _pt(face.iris_left), _pt(face.iris_right),
                            _pt(face.chin), _pt(face.crown), float(face.ied_px), float(face.t_px), forehead)

    def scaled(self, sx: float, sy: float) -> "FaceGeometry":
        """The same face in an image scaled by (sx, sy), e.g. from analysis size to the still."""
        def p(q: tuple[float, float]) -> tuple[float, float]:
            return (q[0] * sx, q[1] * sy)
        s = math.sqrt(sx * sy)
        return FaceGeometry(p(self.eye_mid), p(self.iris_left), p(self.iris_right), p(self.chin),
                            p(self.crown), self.ied * s, self.t * s, None if self.forehead is None else p(self.forehead))

    def shrunk(self, s: float, centre: tuple[float, float]) -> "FaceGeometry":
        """The same face ``s`` times as large about ``centre`` (the image centre: a sitter who
        steps back from 1 to 1/s of the distance, pinhole camera, the face's points at one depth)."""
        def p(q: tuple[float, float]) -> tuple[float, float]:
            return (centre[0] + s * (q[0] - centre[0]), centre[1] + s * (q[1] - centre[1]))
        return FaceGeometry(p(self.eye_mid), p(self.iris_left), p(self.iris_right), p(self.chin),
                            p(self.crown), self.ied * s, self.t * s, None if self.forehead is None else p(self.forehead))

    @property
    def head_height(self) -> float:
        return math.dist(self.crown, self.chin)


def _pt(q: Sequence[float]) -> tuple[float, float]:
    """A landmark point (a tuple, list or array of two numbers) as a pair of floats."""
    return (float(q[0]), float(q[1]))


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
    on that side; <= 0: room to spare). ``overflow_inside``: the same against the small
    ``framing.inside_tolerance`` instead of ``framing.max_pad`` (> 0: every in-band crop
    would be padded by more than the tolerance). ``crops`` are the crops to save (widest
    first), placed at the middle of the bands where the image allows, inside the image
    wherever the bands allow.
    """

    image_size: tuple[int, int]
    crops: tuple[CropRect, ...]
    overflow: Mapping[str, float]  # top, bottom, left, right, height, width
    head_fraction_frame: float  # head height / image height
    shoulders_ok: bool  # the face's proportions allowed the shoulder band
    margins_ok: bool
    overflow_inside: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))  # pad: inside_tolerance
    fit: str = "in-band"  # "in-band" | "tightened" (head beyond the band's top, framing.tight_head_*) | "padded"

    @property
    def fits(self) -> bool:
        return all(v <= 0.0 for v in self.overflow.values())

    @property
    def fits_inside(self) -> bool:
        """An in-band crop fits inside the image (within ``framing.inside_tolerance``)."""
        return all(v <= 0.0 for v in self.overflow_inside.values())

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

    def with_pad(self, pad: float) -> "_Axis":
        return _Axis(self.lo, self.hi, self.want, self.size, self.limit, pad)

    def place(self) -> float:
        """The start nearest the band middle that stays inside the image if the bands allow
        that, else in the image (+pad) if possible."""
        start = min(max(self.want, self.lo), self.hi)
        a, b = max(self.lo, 0.0), min(self.hi, self.limit - self.size)  # band starts without pad
        if a <= b:
            return min(max(start, a), b)
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


@dataclass(frozen=True)
class _Entry:
    """One candidate crop height of :func:`plan_framing`."""

    worst: float  # the largest overflow (px, against framing.max_pad) over the axes
    off_mid: float  # head fraction's distance from the band middle
    ch: float  # crop height
    v: _Axis
    hs: list[tuple[_Axis, bool]]
    shoulders_ok: bool


def plan_framing(geom: FaceGeometry, image_size: tuple[int, int], cfg: BoothConfig,
                 aspects: tuple[Aspect, ...] | None = None, steps: int = 11, *, as_output: bool = False) -> Framing:
    """Find the in-band crops for ``geom`` in an image of ``image_size`` (see module doc).
    ``as_output``: the image is a photo judged on its own (``booth analyze``): one of the
    output's own shape may be a tightened crop, so its overflow is judged up to the profile's
    ``tight_head`` past the band (live camera frames never are: guidance asks first)."""
    aspects = aspects or aspects_for(cfg.profile)
    aspects = tuple(sorted(aspects, key=lambda a: -a[0] / a[1]))  # widest first
    W, H = float(image_size[0]), float(image_size[1])
    hf_lo, hf_hi = cfg.framing.head_height
    hh = max(geom.head_height, 1e-6)
    hf_mid = 0.5 * (hf_lo + hf_hi)
    fractions = [hf_hi + (hf_lo - hf_hi) * i / (steps - 1) for i in range(steps)] if steps > 1 else [hf_mid]

    tol = cfg.framing.inside_tolerance

    def tight(axis: _Axis) -> _Axis:
        return axis.with_pad(tol * axis.size)

    def at(ch: float, off_mid: float) -> tuple[_Entry, float]:
        """The crops of height ``ch``: their entry, and their worst overflow within the tolerance."""
        v, shoulders_ok = _vertical(geom, ch, H, cfg)
        hs = [_horizontal(geom, ch * a[0] / a[1], W, cfg) for a in aspects]
        worst = max([v.worst()] + [h.worst() for h, _ in hs])
        worst_in = max([tight(v).worst()] + [tight(h).worst() for h, _ in hs])
        return _Entry(worst, off_mid, ch, v, hs, shoulders_ok), worst_in

    best_fit = None  # (worst, ...) over crop heights: how much room the best crop has
    best_in = None  # the same within framing.inside_tolerance
    # The crop height to save: nearest the band middle among those that fit without any pad,
    # else within the tolerance, else within framing.max_pad (the fallback), else the best fit.
    tiers: list[_Entry | None] = [None, None, None]
    pads: tuple[Callable[[_Axis], _Axis], ...] = (lambda a: a.with_pad(0.0), tight, lambda a: a)
    for hf in fractions:
        entry, worst_in = at(hh / hf, abs(hf - hf_mid))
        if best_fit is None or entry.worst < best_fit.worst:
            best_fit = entry
        if best_in is None or worst_in < best_in[0]:
            best_in = (worst_in, entry)
        for i, pad in enumerate(pads):
            best = tiers[i]
            v, hs = pad(entry.v), [(pad(h), ok) for h, ok in entry.hs]
            fits = max([v.worst()] + [h.worst() for h, _ in hs]) <= 0.0
            if fits and (best is None or entry.off_mid < best.off_mid):
                tiers[i] = replace(entry, v=v, hs=hs)
    assert best_fit is not None and best_in is not None
    fit = "in-band"
    if tiers[0] is None and tiers[1] is None:
        # no in-band crop fits inside the image: a tighter crop of the same aspect (the head a
        # little bigger than the band allows, framing.tight_head_*) before any pad
        tightened = _tight_entry(geom, W, H, cfg, aspects, hh, hf_hi)
        if tightened is not None:
            tiers[1], fit = tightened, "tightened"
    chosen = next((e for e in tiers if e is not None), best_fit)
    if fit == "in-band" and chosen is not tiers[0] and chosen is not tiers[1]:
        fit = "padded"

    def overflow_of(e: _Entry, pad: Callable[[_Axis], _Axis]) -> dict[str, float]:
        v, hs = pad(e.v), [pad(h) for h, _ in e.hs]
        return {
            "top": v.overflow_low(), "bottom": v.overflow_high(), "height": v.overflow_size(),
            "left": max(h.overflow_low() for h in hs), "right": max(h.overflow_high() for h in hs),
            "width": hs[0].overflow_size(),
        }

    judge_fit, judge_in = best_fit, best_in
    a0 = aspects[0]
    if as_output and len(aspects) == 1 and H > 0 and abs(W / H - a0[0] / a0[1]) <= 0.01 * a0[0] / a0[1]:
        # a photo of the output's own shape, judged on its own, may be a tightened crop: its
        # framing is judged up to the profile's tight_head past the band (+ JUDGE_SLACK for
        # the crop's pixel rounding), so the booth's own photo analysed again passes
        steps_out = int(math.floor((tight_head_for(cfg) + JUDGE_SLACK) / TIGHT_STEP + 1e-9))
        for i in range(1, steps_out + 1):
            entry, worst_in = at(hh / (hf_hi + i * TIGHT_STEP), i * TIGHT_STEP)
            if entry.worst < judge_fit.worst:
                judge_fit = entry
            if worst_in < judge_in[0]:
                judge_in = (worst_in, entry)
    overflow = overflow_of(judge_fit, lambda a: a)
    overflow_inside = overflow_of(judge_in[1], tight)
    ch, v, hs, shoulders_ok = chosen.ch, chosen.v, chosen.hs, chosen.shoulders_ok
    top = v.place()
    crops = tuple(CropRect(a, h.place(), top, h.size, ch) for a, (h, _) in zip(aspects, hs))
    return Framing(
        image_size=(int(W), int(H)),
        crops=crops,
        overflow=MappingProxyType(overflow),
        head_fraction_frame=hh / H,
        shoulders_ok=shoulders_ok,
        margins_ok=all(ok for _, ok in hs),
        overflow_inside=MappingProxyType(overflow_inside),
        fit=fit,
    )


TIGHT_STEP = 0.005  # head-fraction step of the tightened crops tried
JUDGE_SLACK = 0.01  # a photo judged on its own: up to tight_head + this (the crop's pixel rounding)


def tight_head_for(cfg: BoothConfig) -> float:
    """How far past ``framing.head_height``'s top the profile's saved crop may go rather than pad."""
    fr = cfg.framing
    return {Profile.BADGE: fr.tight_head_badge, Profile.PROFESSIONAL: fr.tight_head_professional,
            Profile.ACTOR: fr.tight_head_actor}[cfg.profile]


def _tight_entry(geom: FaceGeometry, W: float, H: float, cfg: BoothConfig, aspects: tuple[Aspect, ...], hh: float,
                 hf_hi: float) -> _Entry | None:
    """The largest crop (smallest head fraction) above the band's top, up to the profile's
    ``tight_head``, whose every aspect fits inside the image with no pad; None if none does."""
    n = int(math.floor(tight_head_for(cfg) / TIGHT_STEP + 1e-9))

    def entry(i: int) -> _Entry | None:
        hf = hf_hi + i * TIGHT_STEP
        ch = hh / hf
        v, shoulders_ok = _vertical(geom, ch, H, cfg)
        v = v.with_pad(0.0)
        hs = [(h.with_pad(0.0), ok) for h, ok in (_horizontal(geom, ch * a[0] / a[1], W, cfg) for a in aspects)]
        worst = max([v.worst()] + [h.worst() for h, _ in hs])
        return _Entry(worst, hf - hf_hi, ch, v, hs, shoulders_ok) if worst <= 0.0 else None

    # a smaller crop fits more easily: try the tightest first (the usual answer of a crop that
    # does not fit is none, at one evaluation), then bisect for the largest crop that fits
    best = entry(n) if n >= 1 else None
    if best is None:
        return None
    lo, hi = 0, n  # entry(lo) does not fit (lo = 0: the band's top, known), entry(hi) does
    while hi - lo > 1:
        mid = (lo + hi) // 2
        e = entry(mid)
        if e is None:
            lo = mid
        else:
            hi, best = mid, e
    return best


def plan_for_face(face: FaceMeasures, image_size: tuple[int, int], cfg: BoothConfig,
                  aspects: tuple[Aspect, ...] | None = None, *, as_output: bool = False) -> Framing:
    """:func:`plan_framing` for a measured face; ``aspects`` default to what the image must hold."""
    return plan_framing(FaceGeometry.of(face), image_size, cfg,
                        aspects or aspects_to_check(cfg.profile, image_size), as_output=as_output)
