"""fleet/: the scrape config and alert rules pass promtool, and every series the Grafana
dashboard and the alerts ask for is one the booth exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from booth.console.metrics import BoothMetrics

FLEET = Path(__file__).resolve().parents[2] / "fleet"


class FullBridge:
    """A bridge whose snapshot has every optional part: an outbox and a printer."""

    booth_id = "hall-a-01"

    def __init__(self):
        self.capture_observers = []

    def snapshot(self):
        return {"version": "0.1.0", "runtime": "litert", "profile": "badge", "camera": "picamera2", "state": "attract",
                "counters": {"sessions": 3, "captures": 2, "kept": 2, "retakes": 1, "abandoned": 1, "save_failures": 0},
                "camera_reconnects": 0, "worker_restarts": 0, "error_count": 0, "camera_fps": 30.0,
                "analysis_fps": 29.0, "screen_fps": 30.0, "latency_ms_p50": 35.0, "disk_free_mb": 1000.0,
                "uptime_s": 60.0, "outbox": {"pending": 1, "failed": 0}, "printer": {"printed": 2, "failed": 0},
                "lights": {"key_left": 0.5}}


def exported_names() -> set[str]:
    m = BoothMetrics(FullBridge())
    m.time_to_capture.observe(7.0)
    names = set()
    for fam in text_string_to_metric_families(generate_latest(m.registry).decode()):
        names |= {s.name for s in fam.samples}
    return names


def used_names(text: str) -> set[str]:
    return set(re.findall(r"\bbooth_[a-z_]+\b", text))


def test_the_dashboard_and_alerts_ask_only_for_exported_series():
    names = exported_names()
    dash = json.loads((FLEET / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert len(dash["panels"]) >= 10 and exprs
    for text in exprs + [(FLEET / "booth-alerts.yml").read_text()]:
        missing = used_names(text) - names
        assert not missing, (missing, text)
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("what,path", [("config", "prometheus.yml"), ("rules", "booth-alerts.yml")])
def test_promtool_accepts_the_fleet_files(what, path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not found: Debian's `prometheus` package (scripts/apt.d/console.txt; test.sh installs it as root)")
    out = subprocess.run([promtool, "check", what, str(FLEET / path)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout + out.stderr
