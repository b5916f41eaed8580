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
  for the guided-filter matte and for the plain bilinear upsampling of the mask.

    python -m booth.output.evaluate [--data ../shared/data] [--out test-artifacts/background] [--json]

The before/after pictures go to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
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


def _reduction(before, after):
    if before is None or after is None or before <= 0:
        return None
    return 100.0 * (1.0 - after / before)


def _face_mask(analyzer, image: np.ndarray):
    obs = analyzer.analyze_still(image)
    f = obs.face
    if f is None:
        return None
    return F.face_ellipse_mask((image.shape[1], image.shape[0]), f.eye_mid, f.chin, f.crown, f.ied_px, scale=0.9)


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
        row, (alpha, grey, blur) = _row(p.stem[:13], image, seg.probability(image), cfg, _face_mask(analyzer, image))
        rows.append(row)
        if out:
            _sheet(out / f"{row.name}_asshot_grey_blur.png", image, grey, blur)
    # the simulator: the astronaut in front of the busiest room of the set, person painted out
    busiest = max(zip(rows, paths), key=lambda rp: rp[0].clutter or 0.0)[1]
    room = load_image(busiest)
    ra = F.refine_matte(room, seg.probability(room))
    room = np.clip(room.astype(np.float32) * (1 - ra[:, :, None])
                   + F.background_estimate(room, ra, blur_frac=0.02) * ra[:, :, None] + 0.5, 0, 255).astype(np.uint8)
    image, true_alpha, person = simulated_scene(room)
    prob = seg.probability(image)
    row, (alpha, grey, blur) = _row("simulator", image, prob, cfg, _face_mask(analyzer, image))
    ta = true_alpha[:, :, None]
    truth_grey = np.clip(ta * person + (1 - ta) * np.array(F.GREY_BGR, np.float32) + 0.5, 0, 255)
    band_px = max(2, int(round(EDGE_BAND * max(image.shape[:2]))))
    edge = (true_alpha > 0.5).astype(np.uint8)
    k = np.ones((2 * band_px + 1, 2 * band_px + 1), np.uint8)
    band = (cv2.dilate(edge, k) - cv2.erode(edge, k)).astype(bool)
    row.edge_err_guided = _mad(grey, truth_grey, band)
    _, grey_bl, _ = finish_photo(image, prob, cfg, method="bilinear", face=_face_mask(analyzer, image))
    row.edge_err_bilinear = _mad(grey_bl, truth_grey, band)
    rows.append(row)
    if out:
        _sheet(out / "simulator_asshot_grey_blur.png", image, grey, blur)
        zoom = _zoom_on_hair(image, grey, grey_bl, truth_grey.astype(np.uint8), true_alpha)
        cv2.imwrite(str(out / "simulator_hair_input_guided_bilinear_truth.png"), zoom)
    cluttered = [r for r in rows if r.clutter is not None and r.clutter > cfg.output.clutter_advise]
    return {"rows": [asdict(r) for r in rows], "cluttered": [r.name for r in cluttered],
            "edge_band_px": band_px, "clutter_advise": cfg.output.clutter_advise}


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
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / "images" / "mediapipe_gesture_people").is_dir():
        print(f"no photos at {data}/images/mediapipe_gesture_people. Fix: pass --data DIR", file=sys.stderr)
        return 2
    res = evaluate(data, Path(args.out))
    if args.json:
        print(json.dumps(res))
        return 0

    def f(v, fmt="{:.2f}"):
        return "-" if v is None else fmt.format(v)

    print(f"{'photo':14} {'clutter':>7} {'grey':>6} {'-%':>5} {'blur':>6} {'-%':>5} {'faceMAD g/b':>12} {'edge g/b':>11}")
    for r in res["rows"]:
        print(f"{r['name']:14} {f(r['clutter']):>7} {f(r['grey_clutter']):>6} {f(r['grey_reduction'], '{:.0f}'):>5} "
              f"{f(r['blur_clutter']):>6} {f(r['blur_reduction'], '{:.0f}'):>5} "
              f"{f(r['grey_face_mad'])+'/'+f(r['blur_face_mad']):>12} "
              f"{f(r['edge_err_guided'])+'/'+f(r['edge_err_bilinear']):>11}")
    print(f"cluttered (> output.clutter_advise = {res['clutter_advise']:g}): {', '.join(res['cluttered'])}")
    print(f"edge band: +-{res['edge_band_px']} px round the true outline (simulator); guided / bilinear")
    return 0


if __name__ == "__main__":
    sys.exit(main())
