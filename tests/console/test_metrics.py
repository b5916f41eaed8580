"""/metrics: Prometheus' own parser reads it, promtool accepts it, and the figures move while
the booth runs sessions."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families


def scrape(url: str) -> tuple[str, dict[str, float]]:
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        text = r.read().decode()
    values = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            values[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return text, values


def test_metrics_parse_and_move_while_the_booth_runs(running_booth):
    url = running_booth.metrics_url
    running_booth.wait_for(lambda: "booth_latency_seconds" in scrape(url)[1], 10, "a first latency figure")
    _, first = scrape(url)
    assert first['booth_info{booth_id=hall-a-03,camera=test-camera,profile=professional,runtime=' +
                 running_booth.side.bridge.snapshot()["runtime"] + ',version=0.1.0}'] == 1.0
    for name in ("booth_sessions_total", "booth_captures_total", "booth_abandoned_sessions_total",
                 "booth_time_to_capture_seconds_count", "booth_camera_fps", "booth_analysis_fps", "booth_latency_seconds",
                 "booth_disk_free_bytes", "booth_worker_restarts_total", "booth_camera_reconnects_total",
                 "booth_uptime_seconds"):
        assert name in first, name
    assert first["booth_disk_free_bytes"] > 1e6
    # two sessions later: counters and the histogram have moved, the rates are live
    # (the counters come from the 1 Hz status snapshot, the histogram is observed at once: wait for both)
    def two_more(v):
        return (v["booth_captures_total"] >= first["booth_captures_total"] + 2
                and v["booth_time_to_capture_seconds_count"] >= first["booth_time_to_capture_seconds_count"] + 2)

    running_booth.wait_for(lambda: two_more(scrape(url)[1]), timeout=60, what="two more captures")
    _, later = scrape(url)
    # (the first scrape may fall inside a session that had started but not yet captured)
    assert later["booth_sessions_total"] >= first["booth_sessions_total"] + 1
    assert later["booth_time_to_capture_seconds_count"] >= first["booth_time_to_capture_seconds_count"] + 2
    assert later["booth_time_to_capture_seconds_sum"] > first["booth_time_to_capture_seconds_sum"]
    assert later["booth_uptime_seconds"] > first["booth_uptime_seconds"]
    assert later["booth_camera_fps"] > 0 and later["booth_analysis_fps"] > 0  # live rates (the test camera runs at 20 fps)
    assert sum(later[f"booth_state{{state={s}}}"] for s in ("attract", "guiding", "countdown", "capturing", "review",
                                                            "saving", "thank_you", "error", "paused")) == 1.0
    assert later["booth_light_level{channel=key_left}"] >= 0.0


def test_promtool_accepts_the_exposition(running_booth):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not found: Debian's `prometheus` package (scripts/apt.d/console.txt; test.sh installs it as root)")
    text, _ = scrape(running_booth.metrics_url)
    out = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == "" and out.stderr.strip() == "", out.stdout + out.stderr  # not even a lint warning


def test_metrics_serves_only_metrics(running_booth):
    base = running_booth.metrics_url.rsplit("/", 1)[0]
    for path in ("/", "/status", "/login", "/api/status"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + path, timeout=5)
        assert err.value.code == 404
