"""`booth check`: each part PASS/FAIL/SKIP with a fix; non-zero exit on any FAIL."""

from __future__ import annotations

import threading
import time


from booth.cli import main
from booth.config import BoothConfig, BoothSection, ButtonsSection
from booth.selftest import check_buttons, check_camera, check_storage, run_checks


def test_check_on_a_desk_with_the_simulated_camera(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cfg = BoothConfig()
    lines = run_checks(cfg, camera="sim", button_timeout_s=0.1, out=lambda s: None)
    capsys.readouterr()
    by_part = {line.part: line for line in lines}
    assert by_part["runtime"].status == "PASS" and "litert" in by_part["runtime"].detail
    assert by_part["models"].status == "PASS"
    assert by_part["disk"].status == "PASS" and str(tmp_path) in by_part["disk"].detail
    assert by_part["camera"].status == "PASS" and "640x480" in by_part["camera"].detail
    assert by_part["camera still"].status == "PASS" and "2304x" in by_part["camera still"].detail
    assert by_part["display"].status == "SKIP"  # SDL dummy: nothing to look at, not a pass
    assert by_part["buttons"].status == "SKIP" and "none configured" in by_part["buttons"].detail
    lights = [line for line in lines if line.part.startswith("light ")]
    assert len(lights) == len(cfg.lights.channels)
    assert all(line.status == "SKIP" and "mock" in line.detail for line in lights)  # mock pins light nothing


def test_failures_name_the_fix_and_the_command_exits_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the photo folder should be")
    cfg = BoothConfig(booth=BoothSection(output_dir=str(blocked / "photos")))
    (line,) = [x for x in check_storage(cfg) if x.part == "disk"]
    assert line.status == "FAIL" and "Fix:" in line.detail
    lines = list(check_camera(cfg, "file:/nonexistent/video.mp4"))
    assert lines[0].status == "FAIL"
    config = tmp_path / "booth.toml"
    config.write_text(f'[booth]\noutput_dir = "{blocked / "photos"}"\n')
    code = main(["--config", str(config), "check", "--camera", "sim", "--button-timeout", "0.1"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  disk" in out and "failed" in out.splitlines()[-1]


def test_buttons_prompt_for_a_press_and_fail_without_one():
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    Device.pin_factory = MockFactory()
    try:
        cfg = BoothConfig(buttons=ButtonsSection(shutter_pin=5, keep_pin=6))
        said = []

        def press_shutter_only(_sink):
            def later():
                time.sleep(0.2)
                Device.pin_factory.pin(5).drive_low()

            threading.Thread(target=later, daemon=True).start()

        lines = list(check_buttons(cfg, timeout_s=1.0, say=said.append, sink_hook=press_shutter_only))
        assert [(x.part, x.status) for x in lines] == [("button shutter", "PASS"), ("button keep", "FAIL")]
        assert "GND" in lines[1].detail and any("press the SHUTTER" in s for s in said)
    finally:
        Device.pin_factory.reset()
