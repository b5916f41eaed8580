"""The light rig on mock GPIO pins and a fake kernel PWM tree: levels become the right duty
cycles, limits hold, bad wiring/config is refused with a fix, and every light is dark when
the process ends (normally, by exception, by SIGTERM)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from booth.config import BoothConfig, LightChannel, LightsSection, load_config
from booth.errors import ConfigError
from booth.lights.rig import LightRig, LightRigError
from booth.types import LightLevels

from .fake_sysfs import FakeKernel, make_chip, read_channel

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def factory():
    f = MockFactory(pin_class=MockPWMPin)
    yield f
    f.reset()


@pytest.fixture
def pwm_root(tmp_path):
    root = tmp_path / "pwm"
    make_chip(root, 0, npwm=4, exported=(0, 1))
    return root


def pin_state(factory, gpio: int) -> float:
    return float(factory.pin(gpio).state)


def test_levels_become_gamma_duty_cycles_within_each_channels_limits(factory, pwm_root):
    lights = BoothConfig().lights  # key_left/right: hwpwm 25 kHz on chip 0; fill 18, background 19, status 26
    with LightRig(lights, pin_factory=factory, sysfs_root=pwm_root) as rig:
        applied = rig.apply(LightLevels.of(key_left=0.5, key_right=0.01, fill=0.7, status=1.0))
        # key_right asked below its min_level 0.05: held at the minimum, not switched off
        assert applied.get("key_right") == pytest.approx(0.05)
        assert applied.get("key_left") == pytest.approx(0.5)
        period = 1e9 / 25000
        assert read_channel(pwm_root, 0, 0) == {"period": "40000", "duty_cycle": str(round(0.5 ** 2.2 * period)), "enable": "1"}
        assert int(read_channel(pwm_root, 0, 1)["duty_cycle"]) == round(0.05 ** 2.2 * period)
        assert pin_state(factory, 18) == pytest.approx(0.7 ** 2.2)  # fill: gamma 2.2
        assert pin_state(factory, 26) == pytest.approx(1.0)  # status: gamma 1
        assert factory.pin(18).frequency == 2000
        # background not named: untouched (still off); levels report what is lit
        assert pin_state(factory, 19) == 0.0
        assert rig.levels.get("background") == 0.0 and rig.levels.get("fill") == pytest.approx(0.7)
        # level 0 is off even on a channel with a minimum
        rig.apply(LightLevels.of(key_right=0.0))
        assert read_channel(pwm_root, 0, 1)["duty_cycle"] == "0"
        # a name the rig does not have is ignored, the others still apply
        rig.apply(LightLevels.of(hair=1.0, fill=0.2))
        assert pin_state(factory, 18) == pytest.approx(0.2 ** 2.2)
    assert read_channel(pwm_root, 0, 0)["enable"] == "0"


def test_max_level_caps_and_onoff_channel_switches(factory, tmp_path):
    lights = LightsSection(channels=(
        LightChannel("fill", 18, "pwm", 2000.0, 0.0, 0.5, 2.0),
        LightChannel("background", 23, "onoff", 100.0, 0.0, 1.0, 1.0),
    ))
    with LightRig(lights, pin_factory=factory, sysfs_root=tmp_path) as rig:
        rig.apply(LightLevels.of(fill=1.0, background=0.3))
        assert rig.levels.get("fill") == 0.5 and pin_state(factory, 18) == pytest.approx(0.25)
        assert factory.pin(23).state is True or factory.pin(23).state == 1
        rig.apply(LightLevels.of(background=0.0))
        assert not factory.pin(23).state
        rig.off()
        assert pin_state(factory, 18) == 0.0 and rig.levels.get("fill") == 0.0


def test_hardware_pwm_exports_waits_for_the_kernel_and_gives_the_channel_back(factory, tmp_path):
    root = tmp_path / "pwm"
    chip = make_chip(root, 0, npwm=4)  # nothing exported yet
    lights = LightsSection(channels=(LightChannel("key_left", 12, "hwpwm", 20000.0, 0.0, 1.0, 1.0, True, 0, 0),))
    with FakeKernel(root):
        rig = LightRig(lights, pin_factory=factory, sysfs_root=root)
    assert read_channel(root, 0, 0) == {"period": "50000", "duty_cycle": "0", "enable": "1"}
    rig.apply(LightLevels.of(key_left=0.25))
    assert read_channel(root, 0, 0)["duty_cycle"] == "12500"
    rig.close()
    assert read_channel(root, 0, 0) == {"period": "50000", "duty_cycle": "0", "enable": "0"}
    assert (chip / "unexport").read_text().strip() == "0"
    rig.close()  # idempotent
    # a late frame after shutdown must not light anything again
    assert rig.apply(LightLevels.of(key_left=0.5)).get("key_left") == 0.0
    assert read_channel(root, 0, 0)["duty_cycle"] == "0"


def test_missing_pwm_chip_or_channel_names_the_fix(factory, tmp_path, monkeypatch):
    import booth.lights.rig as rig_mod

    monkeypatch.setattr(rig_mod, "_is_mock", lambda f: False)  # as on a Pi: lgpio pins, no desk fallback
    root = tmp_path / "pwm"
    make_chip(root, 2, npwm=4)
    lights = BoothConfig().lights  # wants pwmchip0
    with pytest.raises(LightRigError, match=r"pwmchip0.*present: pwmchip2.*dtoverlay=pwm-2chan"):
        LightRig(lights, pin_factory=factory, sysfs_root=root)
    # nothing half-open is left behind: the gpiozero pins are free again
    assert not factory._reservations
    make_chip(root, 0, npwm=1, exported=(0,))
    with pytest.raises(LightRigError, match="1 channels, pwm_channel = 1"):
        LightRig(lights, pin_factory=factory, sysfs_root=root)


def test_on_a_desk_key_lights_without_kernel_pwm_become_mock_pwm_pins(factory, tmp_path, caplog):
    with LightRig(BoothConfig().lights, pin_factory=factory, sysfs_root=tmp_path / "no-pwm") as rig:
        rig.apply(LightLevels.of(key_left=0.5))
        assert pin_state(factory, 12) == pytest.approx(0.5 ** 2.2)
        assert factory.pin(12).frequency == 25000
    assert "using a mock PWM pin" in caplog.text


def test_kernel_that_never_exports_is_reported_with_permissions_fix(factory, tmp_path):
    root = tmp_path / "pwm"
    make_chip(root, 0)
    ch = LightChannel("key_left", 12, "hwpwm", 25000.0, 0.0, 1.0, 2.2, True, 0, 0)
    from booth.lights.rig import SysfsPwmOutput

    with pytest.raises(LightRigError, match="did not become writable.*gpio"):
        SysfsPwmOutput(ch, root, export_timeout_s=0.1)


def test_disabled_lights_touch_no_pin(factory, tmp_path):
    lights = dataclasses.replace(BoothConfig().lights, enabled=False)
    with LightRig(lights, pin_factory=factory, sysfs_root=tmp_path / "absent") as rig:
        rig.apply(LightLevels.of(key_left=0.7))
        assert rig.levels.get("key_left") == pytest.approx(0.7)
    assert not factory.pins


# ------------------------------------------------------------------------------ config


def test_config_refuses_slow_software_pwm_on_a_key_light_and_says_why(tmp_path):
    toml = tmp_path / "booth.toml"
    toml.write_text(textwrap.dedent("""
        [[lights.channels]]
        name = "key_left"
        pin = 12
        kind = "pwm"
        frequency_hz = 100.0
        key = true
    """))
    with pytest.raises(ConfigError) as err:
        load_config(toml)
    msg = str(err.value)
    assert "lights.channels[0].frequency_hz = 100" in msg and "rolling shutter" in msg and "hwpwm" in msg
    # the same light at 2 kHz software PWM is allowed; so is 100 Hz on a non-key light
    toml.write_text(toml.read_text().replace("100.0", "2000.0"))
    assert load_config(toml).lights.channels[0].frequency_hz == 2000.0
    toml.write_text(toml.read_text().replace("frequency_hz = 2000.0\nkey = true", "frequency_hz = 100.0\nkey = false"))
    assert not load_config(toml).lights.channels[0].key


def test_config_refuses_hardware_pwm_on_a_pin_without_it_or_too_slow(tmp_path):
    toml = tmp_path / "booth.toml"
    toml.write_text('[[lights.channels]]\nname = "key_left"\npin = 5\nkind = "hwpwm"\nkey = true\n')
    with pytest.raises(ConfigError, match="pin = 5 cannot be hardware PWM.*GPIO12, 13, 18"):
        load_config(toml)
    toml.write_text('[[lights.channels]]\nname = "key_left"\npin = 12\nkind = "hwpwm"\nkey = true\nfrequency_hz = 400.0\n')
    with pytest.raises(ConfigError, match="too low for key light 'key_left'"):
        load_config(toml)


# ------------------------------------------------------------------------------ process exit

CHILD = textwrap.dedent("""
    import atexit, json, os, sys, time
    from pathlib import Path
    from gpiozero.pins.mock import MockFactory, MockPWMPin
    factory = MockFactory(pin_class=MockPWMPin)
    report_path, sysfs_root, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

    def report():
        # Registered before the rig exists, so it runs after the rig's own exit hook (atexit is
        # last-in first-out) and before gpiozero's, which would release the pins anyway.
        report_path.write_text(json.dumps({info.name: float(pin.state) for info, pin in factory.pins.items()}))
    atexit.register(report)

    from booth.config import BoothConfig
    from booth.lights.rig import LightRig
    from booth.types import LightLevels
    rig = LightRig(BoothConfig().lights, pin_factory=factory, sysfs_root=sysfs_root)
    rig.apply(LightLevels.of(key_left=0.8, key_right=0.8, fill=0.8, background=0.8, status=1.0))
    print("lit", flush=True)
    if mode == "crash":
        raise RuntimeError("simulated crash in the main loop")
    if mode == "wait":
        time.sleep(60)
""")


def _start_child(tmp_path, mode: str):
    root = tmp_path / "pwm"
    make_chip(root, 0, npwm=4, exported=(0, 1))
    report = tmp_path / "pins.json"
    env = dict(os.environ, GPIOZERO_PIN_FACTORY="mock", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(report), str(root), mode], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "lit", proc.stderr.read()
    return proc, root, report


def _assert_all_dark(root: Path, report: Path):
    pins = json.loads(report.read_text())
    assert set(pins) == {"GPIO18", "GPIO19", "GPIO26"}
    assert all(v == 0.0 for v in pins.values()), pins
    for ch in (0, 1):
        assert read_channel(root, 0, ch)["duty_cycle"] == "0"
        assert read_channel(root, 0, ch)["enable"] == "0"


@pytest.mark.parametrize("mode", ["exit", "crash"])
def test_every_light_is_dark_after_the_process_ends(tmp_path, mode):
    proc, root, report = _start_child(tmp_path, mode)
    code = proc.wait(30)
    assert code == (0 if mode == "exit" else 1)
    _assert_all_dark(root, report)


def test_sigterm_turns_every_light_off_before_the_process_exits(tmp_path):
    proc, root, report = _start_child(tmp_path, "wait")
    assert int(read_channel(root, 0, 0)["duty_cycle"]) > 0  # really lit while running
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 128 + signal.SIGTERM
    _assert_all_dark(root, report)


def test_sigkill_leaves_kernel_pwm_lit_until_booth_lights_off(tmp_path):
    """The hazard the exit hooks cannot cover: kernel PWM outlives a killed process. The
    service's ExecStopPost runs `booth lights off` for that."""
    proc, root, _ = _start_child(tmp_path, "wait")
    proc.kill()
    proc.wait(30)
    assert int(read_channel(root, 0, 0)["duty_cycle"]) > 0 and read_channel(root, 0, 0)["enable"] == "1"
    env = dict(os.environ, GPIOZERO_PIN_FACTORY="mock", PYTHONPATH=str(REPO))
    env.pop("GPIOZERO_MOCK_PIN_CLASS", None)
    out = subprocess.run([sys.executable, "-m", "booth.cli", "lights", "off", "--sysfs-root", str(root)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert read_channel(root, 0, 0)["duty_cycle"] == "0" and read_channel(root, 0, 0)["enable"] == "0"


def test_booth_lights_test_walks_every_channel_and_ends_dark(tmp_path):
    root = tmp_path / "pwm"
    make_chip(root, 0, npwm=4, exported=(0, 1))
    env = dict(os.environ, GPIOZERO_PIN_FACTORY="mock", PYTHONPATH=str(REPO))
    env.pop("GPIOZERO_MOCK_PIN_CLASS", None)
    out = subprocess.run([sys.executable, "-m", "booth.cli", "lights", "test", "--step-s", "0", "--sysfs-root", str(root)],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    headers = [ln.split(":")[0] for ln in lines if not ln.startswith(" ") and "GPIO" in ln]
    assert headers == ["key_left", "key_right", "fill", "background", "status"]
    # each channel reaches its maximum and returns to off
    for name in headers:
        levels = [float(ln.split()[-1]) for ln in lines if ln.startswith(f"  {name} level")]
        assert max(levels) == 1.0 and levels[-1] == 0.0
    assert read_channel(root, 0, 0)["enable"] == "0" and read_channel(root, 0, 1)["duty_cycle"] == "0"
    bad = subprocess.run([sys.executable, "-m", "booth.cli", "lights", "test", "--only", "hair", "--sysfs-root", str(root)],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "no light channel named hair" in bad.stderr
