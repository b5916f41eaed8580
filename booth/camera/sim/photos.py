"""The simulated sitter's photos: one real person, cut out, with eyes located once.

A :class:`PhotoSet` holds one person's expressions (``neutral``, optionally ``smile`` and
``eyes_closed``) as :class:`Sprite` values: linear-light RGB pixels, a person mask (from the
MediaPipe selfie-segmentation model), and the two eye centres, found once with the face-mesh
model on a rough face box. Nothing is ever drawn by hand; blinks, gaze and light are applied
to these real pixels by :mod:`booth.camera.sim.render`.

- :func:`astronaut` is the default (scikit-image's public-domain astronaut.png, fetched by
  ``booth models fetch``). She smiles in the only photo, so it serves as ``neutral`` and
  ``smile`` both (an honest limit: asking her to smile changes nothing).
- :func:`photo_folder` loads a folder with files named ``*normal*``/``*neutral*``,
  ``*happy*``/``*smile*`` and ``*sleepy*``/``*closed*`` (e.g. one Yale subject's set), and
  the further expressions the actor series asks for when present (``*sad*``,
  ``*surprised*``, ``*wink*``, ``*confident*``, ``*smirk*``: ``PhotoSet.extra``).
  ``booth simulate --photos DIR --prefix P`` (``[camera] sim_photos``) picks the set.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import cv2
import numpy as np

from ...errors import BoothError
from ...vision.measures import LINEAR_LUT

# MediaPipe mesh indices (HEADSHOT_SPEC): eye corners and lids, mouth corners, chin, forehead.
R_EYE = (33, 133, 159, 145)
L_EYE = (362, 263, 386, 374)
CHIN, FOREHEAD = 152, 10


class PhotoSetError(BoothError):
    """A sitter photo set that cannot be used (missing files, no face found)."""


def linear_to_srgb(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(x, 1 / 2.4) - 0.055).astype(np.float32)


@dataclass(frozen=True, eq=False)
class Sprite:
    """One photo of the person: pixels, mask, and where the face is (photo pixels)."""

    linear: np.ndarray  # (H, W, 3) float32 linear RGB in B, G, R order (like the frames)
    alpha: np.ndarray  # (H, W) float32 0..1 person mask
    eye_right: tuple[float, float]  # the subject's right eye (image left)
    eye_left: tuple[float, float]
    eye_size: tuple[float, float]  # (width, height) of an eye opening, px
    chin: tuple[float, float]
    forehead: tuple[float, float]

    @property
    def eye_mid(self) -> tuple[float, float]:
        return ((self.eye_right[0] + self.eye_left[0]) / 2, (self.eye_right[1] + self.eye_left[1]) / 2)

    @property
    def ied(self) -> float:
        return float(np.hypot(self.eye_left[0] - self.eye_right[0], self.eye_left[1] - self.eye_right[1]))

    @property
    def head_height(self) -> float:
        """Chin to estimated crown (crown = forehead + 0.45 * (forehead - chin))."""
        return 1.45 * float(np.hypot(self.forehead[0] - self.chin[0], self.forehead[1] - self.chin[1]))


@dataclass(frozen=True, eq=False)
class PhotoSet:
    name: str
    neutral: Sprite
    smile: Sprite | None = None
    eyes_closed: Sprite | None = None
    notes: tuple[str, ...] = field(default=())
    extra: Mapping[str, Sprite] = field(default_factory=dict)  # more expressions: sad, surprised, wink ...

    @property
    def can_smile(self) -> bool:
        return self.smile is not None

    def role(self, name: str) -> Sprite | None:
        """The photo acting ``name`` (neutral, smile, eyes_closed, or one of ``extra``), or None."""
        if name in ("neutral", "smile", "eyes_closed"):
            return getattr(self, name)
        return self.extra.get(name)

    @property
    def roles(self) -> tuple[str, ...]:
        base = [r for r in ("neutral", "smile") if getattr(self, r) is not None]
        return tuple(base + sorted(self.extra))


def _mesh(bgr: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """468 mesh points (x, y) in photo px from the face-mesh model run on ``box`` (x, y, w, h)."""

    interp = _interpreter("face_landmark")
    x, y, w, h = box
    side = max(w, h) * 1.5
    cx, cy = x + w / 2, y + h / 2
    src = np.array([[cx - side / 2, cy - side / 2], [cx + side / 2, cy - side / 2], [cx - side / 2, cy + side / 2]],
                   dtype=np.float32)
    dst = np.array([[0, 0], [192, 0], [0, 192]], dtype=np.float32)
    m = cv2.getAffineTransform(src, dst)
    crop = cv2.warpAffine(bgr, m, (192, 192), borderMode=cv2.BORDER_REPLICATE)
    rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB).astype(np.float32)[None] / 255.0
    inp = interp.get_input_details()[0]
    interp.set_tensor(inp["index"], rgb)
    interp.invoke()
    outs = {o["name"]: interp.get_tensor(o["index"]) for o in interp.get_output_details()}
    pts = next(v for v in outs.values() if v.size == 1404).reshape(468, 3)[:, :2]
    minv = cv2.invertAffineTransform(m)
    return pts @ minv[:, :2].T + minv[:, 2]


@lru_cache(maxsize=4)
def _interpreter(name: str):
    from ...models import model_path
    from ...runtime import make_interpreter

    return make_interpreter(model_path(name), 1)


def _person_mask(bgr: np.ndarray) -> np.ndarray:
    interp = _interpreter("selfie_segmentation")
    h, w = bgr.shape[:2]
    rgb = cv2.cvtColor(cv2.resize(bgr, (256, 256), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
    inp = interp.get_input_details()[0]
    interp.set_tensor(inp["index"], rgb.astype(np.float32)[None] / 255.0)
    interp.invoke()
    prob = interp.get_tensor(interp.get_output_details()[0]["index"])[0, :, :, 0]
    mask = cv2.resize(prob, (w, h), interpolation=cv2.INTER_LINEAR)
    # A soft but decided edge: hair stays wispy, the wall is gone.
    mask = np.clip((mask - 0.3) / 0.4, 0.0, 1.0)
    return cv2.GaussianBlur(mask, (0, 0), max(1.0, w / 400)).astype(np.float32)


#: bump when what _locate computes changes (the cache key also holds the models' sha256)
LOCATE_VERSION = 1


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "booth" / "sim"


def _locate(bgr: np.ndarray, face_box: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(468 mesh points, person mask) of a photo, from the face-mesh and segmentation models.

    Kept in a small cache (``$XDG_CACHE_HOME/booth/sim``, keyed by the pixels, the box and the
    models' sha256): loading the two models and running them took ~0.15 s of every start of
    ``booth demo``, for the same answer each time. An unwritable cache only costs that time."""
    from ...models import load_manifest

    specs = load_manifest()
    key = hashlib.sha256(bgr.tobytes() + repr((bgr.shape, face_box, LOCATE_VERSION)).encode()
                         + "".join(specs[m].sha256 for m in ("face_landmark", "selfie_segmentation")).encode()).hexdigest()
    path = _cache_dir() / f"{key[:32]}.npz"
    try:
        with np.load(path) as cached:
            return cached["pts"], cached["mask"]
    except (OSError, ValueError, KeyError):
        pass  # not made yet, or unreadable: made again below
    pts = _mesh(bgr, face_box)
    for _ in range(2):  # refine the box from the mesh itself
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        pts = _mesh(bgr, (x0, y0, x1 - x0, y1 - y0))
    mask = _person_mask(bgr)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.npz")
        np.savez(tmp, pts=pts, mask=mask)
        os.replace(tmp, path)  # whole or absent, as every file the booth writes
    except OSError:
        pass
    return pts, mask


def make_sprite(bgr: np.ndarray, face_box: tuple[float, float, float, float]) -> Sprite:
    """Locate the face with two mesh passes from a rough ``face_box`` and cut the person out."""
    if bgr.ndim == 2:
        bgr = cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR)
    pts, mask = _locate(bgr, face_box)

    def point(xy: np.ndarray) -> tuple[float, float]:
        return float(xy[0]), float(xy[1])

    def centre(idx: Iterable[int]) -> tuple[float, float]:
        return point(pts[list(idx)].mean(axis=0))

    eye_w = float(np.hypot(*(pts[R_EYE[1]] - pts[R_EYE[0]])))
    eye_h = float(np.hypot(*(pts[R_EYE[3]] - pts[R_EYE[2]])))
    # The body continues below the photo's bottom edge: extend the last rows downward so a
    # sitter placed high in the frame never shows a cut-off torso.
    pad = bgr.shape[0]
    alpha = cv2.copyMakeBorder(mask, 0, pad, 0, 0, cv2.BORDER_REPLICATE)
    bgr = cv2.copyMakeBorder(bgr, 0, pad, 0, 0, cv2.BORDER_REPLICATE)
    return Sprite(
        linear=LINEAR_LUT[bgr],  # the analyzer's own sRGB decoding (float32, per 8-bit value)
        alpha=alpha,
        eye_right=centre(R_EYE),
        eye_left=centre(L_EYE),
        eye_size=(eye_w, max(eye_h, 0.25 * eye_w)),
        chin=point(pts[CHIN]),
        forehead=point(pts[FOREHEAD]),
    )


# The astronaut's face sits at about x 160-300, y 40-190 of the 512 px photo; the mesh refines it.
_ASTRONAUT_BOX = (160.0, 50.0, 135.0, 140.0)


@lru_cache(maxsize=1)
def astronaut() -> PhotoSet:
    from ...models import model_path

    path = model_path("astronaut")
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise PhotoSetError(f"{path} is not a readable image. Fix: run `booth models fetch`")
    sprite = make_sprite(bgr, _ASTRONAUT_BOX)
    return PhotoSet("astronaut", neutral=sprite, smile=sprite, eyes_closed=None,
                    notes=("one photo: already smiling, so 'smile' changes nothing",
                           "blinks are painted lids (skin colour from below the eye) over the mesh-located eyes"))


#: 8-bit range a set's photos are compressed into before they become a sitter. Scanned photo
#: sets crush their shadows and blow their highlights (Yale: 2-24 % of face pixels <= 25 or
#: >= 247, a property of the scan, not of the booth's camera): relit in linear light, a
#: crushed black stays black at any exposure and the booth's clipping gate could never pass.
#: The sim's camera model decides clipping; the photo keeps its contrast order.
TONE_RANGE = (40, 200)


def lift_clipped(bgr: np.ndarray, lo: int = TONE_RANGE[0], hi: int = TONE_RANGE[1]) -> np.ndarray:
    """``bgr`` with its 8-bit values mapped linearly from 0..255 into ``lo..hi``."""
    lut = np.round(lo + np.arange(256) * (hi - lo) / 255.0).astype(np.uint8)
    return lut[bgr]


_ROLES = {"neutral": ("normal", "neutral", "noglasses"), "smile": ("happy", "smile"), "eyes_closed": ("sleepy", "closed"),
          # further expressions the actor series can ask for (booth/guidance/actor.py, photo_roles)
          "sad": ("sad",), "surprised": ("surprised", "surprise"), "wink": ("wink",),
          "confident": ("confident",), "smirk": ("smirk",)}
_BASE_ROLES = ("neutral", "smile", "eyes_closed")


@lru_cache(maxsize=8)
def photo_folder(folder: str, prefix: str = "") -> PhotoSet:
    """One person's photos from ``folder`` (files starting with ``prefix``), roles from file names."""
    base = Path(folder)
    files = sorted(p for p in base.iterdir() if p.name.startswith(prefix) and p.suffix.lower() in {".png", ".jpg", ".jpeg", ".pgm"}) \
        if base.is_dir() else []
    found: dict[str, Path] = {}
    for role, words in _ROLES.items():
        for word in words:
            hit = next((p for p in files if word in p.stem.lower()), None)
            if hit is not None:
                found[role] = hit
                break
    if "neutral" not in found:
        raise PhotoSetError(f"no neutral photo (*normal* or *neutral*) with prefix {prefix!r} in {base}. "
                            "Fix: --photos DIR --prefix P naming one person's photos, e.g. "
                            "--photos ../shared/data/images/yalefaces --prefix subject03_")
    sprites = {}
    for role, p in found.items():
        img = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if img is None:
            raise PhotoSetError(f"{p} is not a readable image")
        img = lift_clipped(img)
        h, w = img.shape[:2]
        sprites[role] = make_sprite(img, (0.3 * w, 0.25 * h, 0.4 * w, 0.5 * h))
    return PhotoSet(f"{base.name}/{prefix}", sprites["neutral"], sprites.get("smile"), sprites.get("eyes_closed"),
                    notes=tuple(f"{r}: {p.name}" for r, p in found.items()),
                    extra={r: sp for r, sp in sprites.items() if r not in _BASE_ROLES})


def photos_for(cfg) -> PhotoSet:
    """The sitter's photo set from ``[camera] sim_photos`` / ``sim_photos_prefix`` (the astronaut when empty)."""
    folder = getattr(cfg.camera, "sim_photos", "")
    if not folder:
        return astronaut()
    return photo_folder(str(Path(folder).expanduser().resolve()), cfg.camera.sim_photos_prefix)
