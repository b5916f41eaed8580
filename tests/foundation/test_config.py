"""The config is strict: a broken file exits 2 with one line naming the key."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from booth.config import BoothConfig, load_config, render_toml
from booth.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def run_booth(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "booth.cli", *args], capture_output=True, text=True, cwd=cwd or REPO)


def test_defaults_come_from_the_headshot_spec():
    cfg = load_config()
    assert cfg.booth.countdown_s == 3.0
    assert cfg.framing.head_height == (0.55, 0.65)
    assert cfg.framing.eye_line == (0.33, 0.40)
    assert (cfg.pose.yaw_enter, cfg.pose.yaw_exit) == (5.0, 8.0)
    assert (cfg.gaze.h_enter, cfg.gaze.h_exit, cfg.gaze.v_enter, cfg.gaze.v_exit) == (0.10, 0.15, 0.15, 0.20)
    assert cfg.light.balance_fail_ev == 0.5 and cfg.light.exposure == (0.4, 0.6)
    weights = cfg.best_frame
    total = sum([weights.w_sharpness, weights.w_expression, weights.w_eyes, weights.w_gaze, weights.w_pose,
                 weights.w_light, weights.w_exposure])
    assert total == pytest.approx(1.0)


def test_example_booth_toml_is_valid_and_equals_the_defaults():
    assert load_config(REPO / "booth.toml") == BoothConfig()


def test_effective_config_round_trips_through_toml():
    cfg = load_config(overrides={"booth": {"profile": "actor", "countdown_s": 5}})
    again = load_config(overrides=tomllib.loads(render_toml(cfg)))
    assert again == cfg and again.digest() == cfg.digest() != BoothConfig().digest()


@pytest.mark.parametrize(
    "toml_text, key, detail",
    [
        ("[booth]\ncountdwn_s = 3\n", "booth.countdwn_s", "not a known setting"),
        ("[booth]\ncountdown_s = -1\n", "booth.countdown_s", "allowed 0.5 to 30"),
        ('[pose]\nyaw_enter = "five"\n', "pose.yaw_enter", "must be a number"),
        ("[pose]\nyaw_enter = 9\nyaw_exit = 8\n", "pose.yaw_exit", "hysteresis"),
        ('[booth]\nprofile = "passport"\n', "booth.profile", "badge, professional, actor"),
        ("[nonsense]\nx = 1\n", "[nonsense]", "not a known section"),
        ("[[lights.channels]]\nname = \"key_left\"\npin = 12\nkind = \"pwm\"\nfrequency_hz = 100\nkey = true\n",
         "lights.channels[0].frequency_hz", "bands against the camera's rolling shutter"),
    ],
)
def test_broken_config_exits_2_with_one_line_naming_the_key(tmp_path, toml_text, key, detail):
    path = tmp_path / "booth.toml"
    path.write_text(toml_text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert key in str(err.value) and detail in str(err.value)

    proc = run_booth("--config", str(path), "config")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_config_file_names_the_fix(tmp_path):
    proc = run_booth("--config", str(tmp_path / "nope.toml"), "config")
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "--config" in proc.stderr


def test_booth_config_prints_the_effective_settings():
    proc = run_booth("config")
    assert proc.returncode == 0
    printed = tomllib.loads(proc.stdout)
    assert printed["booth"]["profile"] == "professional"
    assert printed["lights"]["channels"][0]["name"] == "key_left"
