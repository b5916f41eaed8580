"""Bad input gets one clear line naming the fix and the right exit code; nothing is lost."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.camera.base import CameraFatal, ResilientSource
from booth.camera.files import FileSource
from booth.config import load_config
from booth.errors import ConfigError, StorageError
from booth.output.store import PhotoStore

REPO = Path(__file__).resolve().parents[2]


def booth_cli(*args, env=None, timeout=300):
    e = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    e.pop("BOOTH_CONFIG", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "booth.cli", *args], capture_output=True, text=True, env=e,
                          cwd=REPO, timeout=timeout)


def one_line(err: str) -> str:
    # (the TFLite runtime prints its own INFO line when a model loads; not ours)
    lines = [line for line in err.strip().splitlines() if line.strip() and not line.startswith("INFO: Created TensorFlow")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_refused_in_every_float_setting(tmp_path, value):
    p = tmp_path / "booth.toml"
    p.write_text(f"[booth]\ncountdown_s = {value}\n")
    with pytest.raises(ConfigError, match="not a finite number"):
        load_config(p)
    p.write_text(f"[vision]\nmin_face_px = {value}\n")
    with pytest.raises(ConfigError, match="vision.min_face_px"):
        load_config(p)


def test_config_path_problems_are_one_line_and_exit_2(tmp_path):
    nan = tmp_path / "nan.toml"
    nan.write_text("[booth]\ncountdown_s = nan\n")
    latin = tmp_path / "latin1.toml"
    latin.write_bytes("[booth]\n# caf\xe9\nprofile = \"badge\"\n".encode("latin-1"))
    cases = {
        "empty BOOTH_CONFIG": ((["config"]), {"BOOTH_CONFIG": ""}, "empty"),
        "a directory": ((["--config", str(tmp_path), "config"]), None, "is a directory"),
        "not UTF-8": ((["--config", str(latin), "config"]), None, "not UTF-8"),
        "nan": ((["--config", str(nan), "config"]), None, "finite"),
    }
    for what, (args, env, words) in cases.items():
        r = booth_cli(*args, env=env, timeout=60)
        assert r.returncode == 2, (what, r.returncode, r.stderr)
        line = one_line(r.stderr)
        assert words in line and "Fix" in line, (what, line)


def _png_header_only(path: Path, w: int, h: int) -> None:
    """A PNG whose header claims w x h (a decompression bomb's calling card), with no real data."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_analyze_refuses_a_bomb_decodes_a_huge_jpeg_reduced_and_carries_on(tmp_path):
    bomb = tmp_path / "a_bomb.png"
    _png_header_only(bomb, 16000, 12000)
    big = tmp_path / "b_big.jpg"
    cv2.imwrite(str(big), np.full((9000, 12000), 128, np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 50])
    face = tmp_path / "c_face.jpg"
    from booth.models import model_path

    cv2.imwrite(str(face), cv2.imread(str(model_path("astronaut"))))
    # The child's own peak is VmHWM: getrusage's ru_maxrss survives exec, so a child of a big
    # pytest process reports its parent's peak (1.1 GB seen in CI, 0.2 GB alone).
    code = ("import sys; from booth.cli import main; rc = main(['analyze', *sys.argv[1:]]); "
            "hwm = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]; "
            "print('MAXRSS_KIB', hwm); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code, str(bomb), str(big), str(face)], capture_output=True, text=True,
                       cwd=REPO, timeout=300)
    out = r.stdout.splitlines()
    assert r.returncode == 1, r.stderr  # one file failed, the others were analysed
    assert any(line.startswith(f"{bomb}: ERROR") and "refused" in line and "bomb" in line for line in out), out[0]
    assert any(line.startswith(f"{big}: no face") for line in out), out
    assert any(line.startswith(f"{face}: faces 1") for line in out), out
    rss_mib = int(out[-1].split()[1]) / 1024
    assert rss_mib < 700, rss_mib  # the 12000x9000 JPEG whole would be 324 MB of RGB, 2 GB in the old path
    print(f"analyze: bomb refused, 12000x9000 JPEG analysed, peak RSS {rss_mib:.0f} MiB")


def test_annotate_followed_by_files_says_the_folder_is_missing(tmp_path):
    photo = tmp_path / "p.jpg"
    cv2.imwrite(str(photo), np.full((64, 64, 3), 100, np.uint8))
    for args in (["--annotate", str(photo), str(photo)], ["--annotate", str(tmp_path / "new.jpg"), str(photo)]):
        r = booth_cli("analyze", *args, timeout=120)
        assert r.returncode == 2, r.stderr
        assert "--annotate" in one_line(r.stderr) and "Fix" in r.stderr
    assert photo.stat().st_size > 0  # nothing overwritten


def test_replay_of_a_truncated_video_exits_non_zero_with_a_clear_line(tmp_path):
    whole = tmp_path / "whole.avi"
    w = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    for i in range(90):
        w.write(np.full((240, 320, 3), i, np.uint8))
    w.release()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    r = booth_cli("replay", str(cut), "--out", str(tmp_path / "photos"), timeout=300)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    line = one_line(r.stderr)
    assert "truncated" in line and "of the 90 frames" in line and "Fix" in line
    # the whole file replays fine
    r = booth_cli("replay", str(whole), "--out", str(tmp_path / "photos"), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "90 frames" in r.stdout


def test_a_still_image_as_camera_is_a_still_camera(tmp_path):
    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), np.full((480, 640, 3), 90, np.uint8))
    cfg = load_config(None, {"camera": {"loop": False}})
    with FileSource(cfg, photo) as cam:
        frames = [cam.read() for _ in range(100)]
    assert [f.index for f in frames] == list(range(100))
    assert all(f.t > p.t for p, f in zip(frames, frames[1:]))
    assert frames[-1].image.shape[:2] == (480, 640)


def test_a_missing_camera_file_gives_its_own_fix_not_the_cable(tmp_path):
    cfg = load_config(None, {"camera": {"max_retries": 2, "retry_backoff_s": 0.0}})
    cam = ResilientSource(lambda: FileSource(cfg, tmp_path / "nope.mp4"), cfg, sleep=lambda s: None)
    with pytest.raises(CameraFatal) as err:
        cam.start()
    assert "does not exist" in str(err.value) and "cable" not in str(err.value)


def test_a_second_booth_on_the_same_output_folder_stops_with_one_line(tmp_path):
    out = tmp_path / "out"
    cfg = load_config(None, {"booth": {"output_dir": str(out)}})
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from booth.config import load_config; from booth.output.store import PhotoStore; "
        f"PhotoStore(load_config(None, {{'booth': {{'output_dir': {str(out)!r}}}}}), lock=True); "
        "print('LOCKED', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().startswith("LOCKED")
        with pytest.raises(StorageError) as err:
            PhotoStore(cfg, lock=True)
        msg = str(err.value)
        assert "another booth" in msg and f"pid {holder.pid}" in msg and "Fix" in msg and err.value.exit_code == 2
    finally:
        holder.kill()
        holder.wait()
    PhotoStore(cfg, lock=True).unlock()  # free again once the first booth is gone


def test_simulate_without_out_leaves_no_temp_folder(tmp_path, monkeypatch):
    import argparse

    from booth.cli import simulate as commands
    from booth import simulate as sim_run

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    written = []

    def fake_run(name, seed, cfg, out_dir=None, max_seconds=None, **_):
        Path(out_dir).mkdir(parents=True)
        (Path(out_dir) / "face_1x1.jpg").write_bytes(b"photo of a face")
        written.append(Path(out_dir))
        r = sim_run.SimResult(name, seed)
        r.captured = True
        return r

    monkeypatch.setattr(sim_run, "run_scenario", fake_run)
    monkeypatch.setattr(commands, "summary_text", lambda r: "ok")
    args = argparse.Namespace(list=False, scenario="enter-off-centre", fps=15.0, seed=0, seeds=2, out=None,
                              max_seconds=None, json=False, screenshots=None, no_skip_button=False, photos=None,
                              prefix=None)
    assert commands.run(args) == 0
    assert written and all(str(p).startswith(str(tmp_path)) for p in written)
    assert not list(tmp_path.glob("booth-sim-*"))  # removed at the end


def test_badge_required_gates_guiding_on_a_valid_scan():
    sys.path.insert(0, str(REPO / "tests"))
    from guidance.sitter import frame, observation

    from booth.guidance.coach import Coach
    from booth.session import BADGE_FIRST, Session
    from booth.types import BoothState, SessionEvent

    cfg = load_config(None, {"handoff": {"badge_required": True}})
    session, coach = Session(cfg), Coach(cfg)

    def run(t0, n):
        for i in range(n):
            t = t0 + i / 15
            obs = observation(t, i)
            actions = session.step(frame(t, i), obs, coach.update(obs))
        return actions

    actions = run(0.0, 30)  # a sitter stands there for 2 s without a badge
    assert session.state is BoothState.ATTRACT and actions.message == BADGE_FIRST
    session.handle(SessionEvent.BADGE_SCANNED, 2.0, badge_id="A-1234")
    run(2.1, 3)
    assert session.state in (BoothState.GUIDING, BoothState.COUNTDOWN) and session.badge_id == "A-1234"
