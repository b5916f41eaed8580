"""``python -m booth.output.evaluate``: the background option measured on real and simulated photos.

For each photo: the selfie-segmentation probability, the matte refined at full resolution
(:func:`booth.output.finish.refine_matte`), then the "grey" and "blur" outputs, and:

- ``clutter`` before / after (:func:`booth.output.finish.clutter` on the same background
  pixels) and the reduction in percent;
- ``face_mad``: mean absolute difference (grey levels, all channels) inside the face
  (an ellipse from crown to chin, 2 IED wide, from the face mesh) between output and input;
- on the simulator only, where the true matte is known (a real cut-out person composed onto
  a real cluttered room), ``edge_err``: mean absolute error (grey levels) against the true
  composite in the band within ``EDGE_BAND`` of the person's outline (hair and shoulders),
  for the guided-filter matte (colour guide) and for the plain bilinear upsampling of the
  mask (and the grey-guided filter the booth used before).

Two simulated scenes, because the first one's truth cannot reward an edge-aware matte:

- ``simulator``: the astronaut sprite's own matte, which is itself a selfie-segmentation
  mask (256 px, ramped and blurred: booth/camera/sim/photos.py). Smooth, no strand in it: a
  bilinear upsampling of that mask at 256 px reproduces it almost exactly, so any method
  that follows the image's edges can only score worse against it.
- ``simulator-hair``: the same sitter with flyaway hair strands (thin anti-aliased curves of
  the hair's own colour, 0.5-0.9 opaque, out of the outline above the eyes) composed into
  the truth and the image alike, ``I = a F + (1 - a) B`` exactly: the detail a full-resolution
  matte is for. ``hair_err`` is the error in the band above the eye line alone.

For both, ``oracle``: the same two methods started from the true matte shrunk to the
segmenter's 256x256 instead of the segmenter's output: how much of the band error is the
segmentation's own outline and how much the upsampling's.

    python -m booth.output.evaluate [--data ../shared/data] [--out test-artifacts/background] [--json]
    python -m booth.output.evaluate --body   # the coarse mask from the body model (output.matte_body)

The before/after pictures go to ``--out``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from ..config import BoothConfig
from . import finish as F

EDGE_BAND = 0.012  # the outline band's half-width, fraction of the image's longer side


@dataclass
class Row:
    name: str
    clutter: float | None
    grey_clutter: float | None
    blur_clutter: float | None
    grey_reduction: float | None  # percent
    blur_reduction: float | None
    grey_face_mad: float | None
    blur_face_mad: float | None
    edge_err_guided: float | None = None  # simulator only
    edge_err_bilinear: float | None = None
    hair_err_guided: float | None = None  # simulator-hair: the band above the eye line
    hair_err_bilinear: float | None = None
    oracle_edge_err_guided: float | None = None  # from the true matte at 256 px, not the segmenter's
    edge_err_grey_guided: float | None = None  # the guided filter with a grey guide (the matte before)
    hair_err_grey_guided: float | None = None
    oracle_edge_err_bilinear: float | None = None
    prior_removed: float | None = None  # percent of the coarse mask's person pixels (prob > 0.5) the head prior took out
    grey_clutter_true_bg: float | None = None  # simulator: clutter of the grey output over the true background
    body_ms: float | None = None  # the body model's cost on this photo (output.matte_body), this machine


def _reduction(before, after):
    if before is None or after is None or before <= 0:
        return None
    return 100.0 * (1.0 - after / before)


def _face_mask(analyzer, image: np.ndarray):
    return _face(analyzer, image)[0]


def _face(analyzer, image: np.ndarray):
    """(the face ellipse the store protects, the face's geometry for the head prior), or (None, None)."""
    from .crops import FaceGeometry

    f = analyzer.analyze_still(image).face
    if f is None:
        return None, None
    mask = F.face_ellipse_mask((image.shape[1], image.shape[0]), f.eye_mid, f.chin, f.crown, f.ied_px, scale=0.9)
    return mask, FaceGeometry.of(f)


_BODY: list = []  # the body model, loaded once per process (output.matte_body)


def body_masker():
    from .pose_mask import PoseMasker

    if not _BODY:
        _BODY.append(PoseMasker(1))
    return _BODY[0]


def coarse(prob: np.ndarray, image: np.ndarray, geom, cfg: BoothConfig) -> np.ndarray:
    """The coarse probability the store starts from: the body model's over its ROI with
    ``output.matte_body`` and a face (:mod:`booth.output.pose_mask`), else the selfie mask."""
    from .pose_mask import coarse_probability

    return coarse_probability(body_masker() if cfg.output.matte_body else None, image, prob, geom)[0]


def cleaned(prob: np.ndarray, image: np.ndarray, geom, cfg: BoothConfig) -> np.ndarray:
    """The coarse probability (the body model's with ``output.matte_body``) after the head
    prior, as the store makes it (unchanged without a face or with ``output.matte_head_prior``
    off)."""
    return _prior_only(coarse(prob, image, geom, cfg), image, geom, cfg)


def _prior_only(prob: np.ndarray, image: np.ndarray, geom, cfg: BoothConfig) -> np.ndarray:
    """The head prior on an already coarse probability (what :func:`cleaned` does after
    :func:`coarse`)."""
    if geom is None or not cfg.output.matte_head_prior:
        return prob
    return F.head_prior(prob, (image.shape[1], image.shape[0]), geom.eye_mid, geom.chin, geom.ied, geom.forehead,
                        hair_margin=cfg.output.matte_hair_margin)[0]


def _removed(before: np.ndarray, after: np.ndarray) -> float:
    person = before > 0.5
    return 100.0 * float((person & (after <= 0.5)).sum()) / max(1, int(person.sum()))


def _mad(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None) -> float | None:
    if mask is None or not mask.any():
        return None
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32))[mask].mean())


def finish_photo(image: np.ndarray, prob: np.ndarray, cfg: BoothConfig, method: str = "guided", face=None):
    """(alpha, grey output, blur output) of one photo, as the store makes them (``face``: the
    face mask the store protects)."""
    o = cfg.output
    alpha = F.refine_matte(image, prob, radius_frac=o.matte_radius, eps=o.matte_eps, method=method, protect=face)
    wall = F.background_estimate(image, alpha)
    grey = F.replace_background(image, alpha, "grey", old_background=wall)
    blur = F.replace_background(image, alpha, "blur", F.background_estimate(image, alpha, blur_frac=F.BLUR_FRAC),
                                old_background=wall)
    return alpha, grey, blur


def _row(name, image, prob, cfg, face):
    alpha, grey, blur = finish_photo(image, prob, cfg, face=face)
    bg = alpha < 0.5
    c0, cg, cb = F.clutter(image, bg), F.clutter(grey, bg), F.clutter(blur, bg)
    return Row(name, c0, cg, cb, _reduction(c0, cg), _reduction(c0, cb), _mad(grey, image, face), _mad(blur, image, face)), \
        (alpha, grey, blur)


def _prior_sheet(path: Path, image, raw, grey, blur, cfg: BoothConfig, face, width=360):
    """as shot | grey from the segmenter's own mask (no head prior: the matte before) | grey | blur."""
    _, before, _ = finish_photo(image, raw, cfg, face=face)
    h, w = image.shape[:2]
    s = width / w
    tiles = [cv2.resize(x, (width, int(round(h * s))), interpolation=cv2.INTER_AREA) for x in (image, before, grey, blur)]
    cv2.imwrite(str(path), np.hstack(tiles))


def _body_sheets(out: Path, name: str, image, raw, geom, grey, blur, cfg: BoothConfig, face, width=360):
    """Before/after of the body model (``output.matte_body``), both with the head prior:
    ``<name>_shot_grey-selfie_grey-body_blur.png`` (the whole picture: as shot | grey from the
    selfie mask | grey from the body model's | blur) and ``<name>_1x1_shot_selfie_body.png``
    (the same inside the square crop the store saves, larger)."""

    from .crops import SQUARE, plan_framing

    cfg_sel = dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, matte_body=False))
    _, before, _ = finish_photo(image, cleaned(raw, image, geom, cfg_sel), cfg_sel, face=face)
    h, w = image.shape[:2]
    s = width / w
    tiles = [cv2.resize(x, (width, int(round(h * s))), interpolation=cv2.INTER_AREA) for x in (image, before, grey, blur)]
    cv2.imwrite(str(out / f"{name}_shot_grey-selfie_grey-body_blur.png"), np.hstack(tiles))
    if geom is None:
        return
    r = plan_framing(geom, (w, h), cfg, (SQUARE,)).crops[0]
    x0, y0 = max(0, int(round(r.x))), max(0, int(round(r.y)))
    x1, y1 = min(w, int(round(r.x + r.w))), min(h, int(round(r.y + r.h)))
    side = 420
    crops = [cv2.resize(x[y0:y1, x0:x1], (side, int(round((y1 - y0) * side / max(1, x1 - x0)))),
                        interpolation=cv2.INTER_AREA) for x in (image, before, grey)]
    cv2.imwrite(str(out / f"{name}_1x1_shot_selfie_body.png"), np.hstack(crops))


def _sheet(path: Path, image, grey, blur, width=360):
    h, w = image.shape[:2]
    s = width / w
    tiles = [cv2.resize(x, (width, int(round(h * s))), interpolation=cv2.INTER_AREA) for x in (image, grey, blur)]
    cv2.imwrite(str(path), np.hstack(tiles))


def simulated_scene(backdrop: np.ndarray, size=(1280, 960)):
    """(image, true alpha, person sRGB) of the simulator's sitter (the astronaut cut-out) in
    front of ``backdrop`` (a real room; any person in it is painted out first)."""
    from ..camera.sim.photos import astronaut, linear_to_srgb
    from ..camera.sim.render import Placement, place

    w, h = size
    room = cv2.resize(backdrop, size, interpolation=cv2.INTER_AREA)
    sprite = astronaut().neutral
    person_lin, alpha = place(sprite, Placement(eye_x=w * 0.5, eye_y=h * 0.38, ied_px=w * 0.075), size)
    person = np.clip(linear_to_srgb(np.clip(person_lin, 0, 1)) * 255.0, 0, 255)
    a = alpha[:, :, None]
    image = np.clip(a * person + (1 - a) * room + 0.5, 0, 255).astype(np.uint8)
    return image, alpha, person


HAIR_STRANDS = 500


def simulated_hair_scene(backdrop: np.ndarray, size: tuple[int, int] = (1280, 960), strands: int = HAIR_STRANDS,
                         seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`simulated_scene` with flyaway hair: ``strands`` thin curves (8-28 px, 1 px,
    anti-aliased, 0.5-0.9 opaque) leaving the outline above the eye line outward, in the
    hair's own colour (carried out from inside the outline), added to the true matte and
    composed into the image with it. (image, true alpha, person sRGB)."""
    _, alpha0, person = simulated_scene(backdrop, size)
    w, h = size
    room = cv2.resize(backdrop, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    rng = np.random.default_rng(seed)
    contours, _ = cv2.findContours((alpha0 > 0.5).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outline = max(contours, key=len)[:, 0, :].astype(np.float32)
    eye_y = 0.38 * h  # simulated_scene's eye line
    roots = outline[outline[:, 1] < eye_y]
    gy, gx = np.gradient(cv2.GaussianBlur(alpha0, (0, 0), 4))
    strands_a = np.zeros((h, w), np.float32)
    for _ in range(strands):
        x, y = roots[rng.integers(len(roots))]
        ang = float(np.arctan2(-gy[int(y), int(x)], -gx[int(y), int(x)]) + rng.normal(0.0, 0.5))  # outward
        length, bend = rng.uniform(8, 28), rng.normal(0.0, 0.04)
        px, py = x - 3 * np.cos(ang), y - 3 * np.sin(ang)  # rooted just inside the outline
        pts = []
        for _ in range(int(length)):
            pts.append((px, py))
            ang += bend
            px, py = px + np.cos(ang), py + np.sin(ang)
        cv2.polylines(strands_a, [(np.array(pts) * 16).astype(np.int32)], False, float(rng.uniform(0.5, 0.9)), 1,
                      cv2.LINE_AA, shift=4)
    alpha = np.maximum(alpha0, np.clip(strands_a, 0.0, 1.0))
    above = (np.arange(h)[:, None] < eye_y).astype(np.float32)
    hair_colour = F._fill_from(person.astype(np.float32), (alpha0 > 0.95).astype(np.float32) * above)
    person = np.where((alpha0 > 0.5)[:, :, None], person, hair_colour)
    a = alpha[:, :, None]
    image = np.clip(a * person + (1 - a) * room + 0.5, 0, 255).astype(np.uint8)
    return image, alpha, person


def person_free_backdrop(room: np.ndarray, seg) -> np.ndarray:
    """A wall made of ``room`` without its person: the wider side strip beside the person,
    mirrored side by side to a 4:3 frame. (Painting the person out instead leaves a smooth
    person-shaped patch right behind the simulated sitter's head, which the segmenter joins
    to the sitter: an error of the scene, not of a booth's wall.) Falls back to painting
    out when neither strip is 10 % of the width."""
    prob = seg.probability(room)
    alpha = F.refine_matte(room, prob)
    h, w = room.shape[:2]
    cols = np.nonzero((alpha > 0.5).any(axis=0))[0]
    x0, x1 = (int(cols.min()), int(cols.max()) + 1) if cols.size else (w, w)
    strip = room[:, :x0] if x0 >= w - x1 else room[:, x1:]
    if strip.shape[1] < 0.1 * w:
        a = alpha[:, :, None]
        return np.clip(room.astype(np.float32) * (1 - a) + F.background_estimate(room, alpha, blur_frac=0.02) * a
                       + 0.5, 0, 255).astype(np.uint8)
    tiles: list[np.ndarray] = []
    width = 0
    while width < 4 * h / 3:
        tiles.append(strip if len(tiles) % 2 == 0 else strip[:, ::-1])
        width += strip.shape[1]
    return np.ascontiguousarray(np.hstack(tiles))


def _outline_band(true_alpha: np.ndarray, band_px: int) -> np.ndarray:
    edge = (true_alpha > 0.5).astype(np.uint8)
    k = np.ones((2 * band_px + 1, 2 * band_px + 1), np.uint8)
    return (cv2.dilate(edge, k) - cv2.erode(edge, k)).astype(bool)


def _grey_of(image: np.ndarray, prob: np.ndarray, cfg: BoothConfig, method: str, face) -> np.ndarray:
    _, grey, _ = finish_photo(image, prob, cfg, method=method, face=face)
    return grey


def _simulated_row(name: str, image: np.ndarray, true_alpha: np.ndarray, person: np.ndarray, seg, analyzer,
                   cfg: BoothConfig, out: Path | None) -> Row:
    """The band errors of one simulated scene: guided and bilinear, from the segmenter's
    mask and from the true matte at the segmenter's size (``oracle``)."""
    face, geom = _face(analyzer, image)
    raw = seg.probability(image)
    prob = cleaned(raw, image, geom, cfg)
    row, (alpha, grey, blur) = _row(name, image, prob, cfg, face)
    row.prior_removed = _removed(raw, prob)
    row.grey_clutter_true_bg = F.clutter(grey, true_alpha < 0.5)
    ta = true_alpha[:, :, None]
    truth_grey = np.clip(ta * person + (1 - ta) * np.array(F.GREY_BGR, np.float32) + 0.5, 0, 255)
    band = _outline_band(true_alpha, max(2, int(round(EDGE_BAND * max(image.shape[:2])))))
    hair = band & (np.arange(image.shape[0])[:, None] < 0.38 * image.shape[0])
    grey_bl = _grey_of(image, prob, cfg, "bilinear", face)
    row.edge_err_guided, row.edge_err_bilinear = _mad(grey, truth_grey, band), _mad(grey_bl, truth_grey, band)
    row.hair_err_guided, row.hair_err_bilinear = _mad(grey, truth_grey, hair), _mad(grey_bl, truth_grey, hair)
    grey_gg = _grey_of(image, prob, cfg, "guided-grey", face)
    row.edge_err_grey_guided, row.hair_err_grey_guided = _mad(grey_gg, truth_grey, band), _mad(grey_gg, truth_grey, hair)
    oracle = cv2.resize(true_alpha, prob.shape[::-1], interpolation=cv2.INTER_AREA)
    row.oracle_edge_err_guided = _mad(_grey_of(image, oracle, cfg, "guided", face), truth_grey, band)
    row.oracle_edge_err_bilinear = _mad(_grey_of(image, oracle, cfg, "bilinear", face), truth_grey, band)
    if out:
        _sheet(out / f"{name}_asshot_grey_blur.png", image, grey, blur)
        if cfg.output.matte_head_prior:
            _prior_sheet(out / f"{name}_shot_grey-without-prior_grey_blur.png", image, raw, grey, blur, cfg, face)
        if cfg.output.matte_body:
            _body_sheets(out, name, image, raw, geom, grey, blur, cfg, face)
        zoom = _zoom_on_hair(image, grey, grey_bl, truth_grey.astype(np.uint8), true_alpha)
        cv2.imwrite(str(out / f"{name}_hair_input_guided_bilinear_truth.png"), zoom)
    return row


def evaluate(data: Path, out: Path | None, cfg: BoothConfig | None = None, limit: int | None = None) -> dict:
    from ..vision.analyzer import FaceAnalyzer
    from ..vision.expression import Segmenter
    from ..vision.images import list_images, load_image

    cfg = cfg or BoothConfig()
    seg = Segmenter(cfg.vision.threads)
    analyzer = FaceAnalyzer(cfg)
    if out:
        out.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    paths = list_images([data / "images" / "mediapipe_gesture_people"])[:limit]
    for p in paths:
        image = load_image(p)
        face, geom = _face(analyzer, image)
        raw = seg.probability(image)
        t0 = time.perf_counter()
        body = coarse(raw, image, geom, cfg)
        body_ms = (time.perf_counter() - t0) * 1000.0 if cfg.output.matte_body and geom is not None else None
        prob = _prior_only(body, image, geom, cfg)
        row, (alpha, grey, blur) = _row(p.stem[:13], image, prob, cfg, face)
        row.body_ms = body_ms
        row.prior_removed = _removed(raw, prob)
        rows.append(row)
        if out:
            _sheet(out / f"{row.name}_asshot_grey_blur.png", image, grey, blur)
            if cfg.output.matte_head_prior:
                _prior_sheet(out / f"{row.name}_shot_grey-without-prior_grey_blur.png", image, raw, grey, blur, cfg, face)
            if cfg.output.matte_body:
                _body_sheets(out, row.name, image, raw, geom, grey, blur, cfg, face)
    # the simulator: the astronaut in front of the busiest room of the set, its person-free side
    busiest = max(zip(rows, paths), key=lambda rp: rp[0].clutter or 0.0)[1]
    room = person_free_backdrop(load_image(busiest), seg)
    for name, make in (("simulator", simulated_scene), ("simulator-hair", simulated_hair_scene)):
        image, true_alpha, person = make(room)
        rows.append(_simulated_row(name, image, true_alpha, person, seg, analyzer, cfg, out))
    cluttered = [r for r in rows if r.clutter is not None and r.clutter > cfg.output.clutter_advise]
    band_px = max(2, int(round(EDGE_BAND * 1280)))  # the simulated scenes are 1280x960
    return {"rows": [asdict(r) for r in rows], "cluttered": [r.name for r in cluttered],
            "edge_band_px": band_px, "clutter_advise": cfg.output.clutter_advise}


def _plain_backdrop(size: tuple[int, int] = (1280, 960)) -> np.ndarray:
    """The simulator's own plain painted wall, sRGB uint8."""
    from ..camera.sim.photos import linear_to_srgb
    from ..camera.sim.render import wall

    return np.clip(linear_to_srgb(np.clip(wall(*size), 0, 1)) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _curtain_backdrop(data: Path) -> np.ndarray:
    """The busy curtain of the gesture set's none__0a4a8907 (its person-free top left,
    mirrored and tiled: the wall tests/guidance/test_background_hint.py puts behind the
    simulated sitter), sRGB."""
    from ..vision.images import load_image

    room = load_image(next((data / "images" / "mediapipe_gesture_people").glob("none__0a4a8907*")))
    h, w = room.shape[:2]
    part = room[: int(0.38 * h), : int(0.35 * w)]
    row = np.hstack([part, part[:, ::-1]] * 6)
    return np.ascontiguousarray(np.vstack([row, row[::-1]] * 3))


@dataclass
class HintRow:
    name: str
    still_clutter: float | None  # the sidecar's background.clutter (as shot, inside the crops)
    level: str  # its level: plain | advise | busy
    preview_clutter: float | None  # the hint's reading on the 640 px preview
    gradient: float | None  # the per-frame gradient the hint read before (FaceMeasures.background)
    preview_ms: float | None  # the reading's cost (segmentation + measure), this machine


def hint_table(data: Path, cfg: BoothConfig | None = None, preview_width: int = 640) -> list[HintRow]:
    """The busy-background hint's reading against the saved photo's clutter, on the 20
    gesture photos and the simulator's sitter in front of the busiest room, the curtain and
    the plain wall: each photo as the still (the store's measure) and shrunk to the preview
    (the hint's measure, :func:`booth.output.preview.preview_clutter`)."""
    from ..vision.analyzer import FaceAnalyzer
    from ..vision.expression import Segmenter
    from ..vision.images import list_images, load_image
    from .crops import SQUARE, FaceGeometry, aspects_for, plan_framing
    from .preview import preview_clutter
    from .store import finish_still

    cfg = cfg or BoothConfig()
    seg = Segmenter(cfg.vision.threads)
    analyzer = FaceAnalyzer(cfg)
    photos = [(p.stem[:13], load_image(p)) for p in list_images([data / "images" / "mediapipe_gesture_people"])]
    busiest = max(photos, key=lambda np_: F.clutter(np_[1], seg.probability(np_[1]) < 0.5) or 0.0)[1]
    for name, backdrop in (("sim-busiest", person_free_backdrop(busiest, seg)), ("sim-curtain", _curtain_backdrop(data)),
                           ("sim-plain", _plain_backdrop())):
        photos.append((name, simulated_scene(backdrop)[0]))
    rows = []
    aspects = aspects_for(cfg.profile)
    for name, image in photos:
        face = analyzer.analyze_still(image).face
        if face is None:
            rows.append(HintRow(name, None, "unknown", None, None, None))
            continue
        geom = FaceGeometry.of(face)
        plan = plan_framing(geom, (image.shape[1], image.shape[0]), cfg, aspects + ((SQUARE,) if SQUARE not in aspects else ()))
        done = finish_still(image, list(plan.crops), cfg, coarse(seg.probability(image), image, geom, cfg), geom)
        level = F.clutter_level(done.clutter_before, cfg.output.clutter_advise, cfg.output.clutter_busy)
        h, w = image.shape[:2]
        small = cv2.resize(image, (preview_width, int(round(h * preview_width / w))), interpolation=cv2.INTER_AREA)
        obs = analyzer.analyze_still(small)
        t0 = time.perf_counter()
        value = preview_clutter(small, obs, seg.probability(small), cfg) if obs.face is not None else None
        ms = (time.perf_counter() - t0) * 1000.0
        rows.append(HintRow(name, done.clutter_before, level, value, obs.face.background if obs.face else None, ms))
    return rows


def _zoom_on_hair(*images_and_alpha):
    *images, alpha = images_and_alpha
    ys, xs = np.nonzero(alpha > 0.5)
    top = int(ys.min())
    cx = int(np.median(xs[ys < top + 40]))
    h, w = alpha.shape
    x0, y0 = max(0, cx - 120), max(0, top - 60)
    tiles = [cv2.resize(im[y0:y0 + 180, x0:x0 + 240], (480, 360), interpolation=cv2.INTER_NEAREST) for im in images]
    return np.hstack(tiles)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m booth.output.evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2].parent / "shared" / "data"))
    ap.add_argument("--out", default="test-artifacts/background")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-prior", action="store_true", help="the matte without the head prior (output.matte_head_prior off)")
    ap.add_argument("--body", action="store_true", help="the coarse mask from the body model (output.matte_body on); "
                    "writes the before/after sheets <photo>_shot_grey-selfie_grey-body_blur.png and <photo>_1x1_shot_selfie_body.png")
    ap.add_argument("--hint", action="store_true", help="the busy-background hint's preview reading against the saved "
                    "photo's clutter (the table that chose guidance.background_hint)")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "images" / "mediapipe_gesture_people").is_dir():
        print(f"no photos at {data}/images/mediapipe_gesture_people. Fix: pass --data DIR", file=sys.stderr)
        return 2
    cfg = BoothConfig()
    if args.no_prior:
        cfg = dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, matte_head_prior=False))
    if args.body:
        cfg = dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, matte_body=True))
    if args.hint:
        rows = hint_table(data, cfg)
        g = cfg.guidance
        print(f"{'photo':14} {'still':>6} {'level':>7} {'preview':>7} {'hint':>5} {'gradient':>8} {'old':>4} {'ms':>6}")
        for h in rows:
            def v(x, fmt="{:.2f}"):
                return "-" if x is None else fmt.format(x)
            hint = h.preview_clutter is not None and h.preview_clutter > g.background_hint
            old = h.gradient is not None and h.gradient > 60.0
            print(f"{h.name:14} {v(h.still_clutter):>6} {h.level:>7} {v(h.preview_clutter):>7} {'yes' if hint else '-':>5} "
                  f"{v(h.gradient, '{:.1f}'):>8} {'yes' if old else '-':>4} {v(h.preview_ms, '{:.1f}'):>6}")
        print(f"hint: preview clutter > guidance.background_hint = {g.background_hint:g}; old: per-frame gradient > 60")
        return 0
    res = evaluate(data, Path(args.out), cfg)
    if args.json:
        print(json.dumps(res))
        return 0

    def f(v, fmt="{:.2f}"):
        return "-" if v is None else fmt.format(v)

    print(f"{'photo':14} {'clutter':>7} {'grey':>6} {'-%':>5} {'blur':>6} {'-%':>5} {'faceMAD g/b':>12} {'edge g/b':>11} "
          f"{'prior-%':>7} {'body ms':>7}")
    for r in res["rows"]:
        print(f"{r['name']:14} {f(r['clutter']):>7} {f(r['grey_clutter']):>6} {f(r['grey_reduction'], '{:.0f}'):>5} "
              f"{f(r['blur_clutter']):>6} {f(r['blur_reduction'], '{:.0f}'):>5} "
              f"{f(r['grey_face_mad'])+'/'+f(r['blur_face_mad']):>12} "
              f"{f(r['edge_err_guided'])+'/'+f(r['edge_err_bilinear']):>11} {f(r['prior_removed'], '{:.1f}'):>7} "
              f"{f(r['body_ms'], '{:.0f}'):>7}")
    print(f"cluttered (> output.clutter_advise = {res['clutter_advise']:g}): {', '.join(res['cluttered'])}")
    print(f"edge band: +-{res['edge_band_px']} px round the true outline (simulator); guided / bilinear")
    for r in res["rows"]:
        if r["oracle_edge_err_guided"] is not None:
            hair = (f"; hair band (above the eyes) {f(r['hair_err_guided'])} / {f(r['hair_err_bilinear'])}"
                    if r["name"] == "simulator-hair" else "")
            print(f"{r['name']}: edge band {f(r['edge_err_guided'])} / {f(r['edge_err_bilinear'])}{hair}; "
                  f"grey-guided {f(r['edge_err_grey_guided'])} (hair {f(r['hair_err_grey_guided'])}); "
                  f"from the true matte at 256 px (oracle) {f(r['oracle_edge_err_guided'])} / "
                  f"{f(r['oracle_edge_err_bilinear'])}; grey output's clutter over the true background "
                  f"{f(r['grey_clutter_true_bg'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
