"""The booth's figures in Prometheus' text format, for a fleet's scraper (``[metrics]``).

Counters come from the booth's durable counters (``booth stats``: they survive restarts,
which Prometheus' ``rate()`` handles like any counter reset); gauges from the status
snapshot the app publishes once a second; the time-to-capture histogram is observed as each
session reaches its first review screen. Everything is read at scrape time from the
:class:`~booth.console.hooks.ConsoleBridge`; nothing here touches the booth's threads.

The booth's name is the ``booth_id`` label of ``booth_info``; the scrape config in
``fleet/prometheus.yml`` also puts it on every series as the ``booth`` target label.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import make_wsgi_app

TIME_TO_CAPTURE_BUCKETS = (5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, float("inf"))
STATES = ("attract", "guiding", "countdown", "capturing", "review", "saving", "thank_you", "error", "paused")


class BoothCollector:
    def __init__(self, bridge):
        self.bridge = bridge

    def describe(self):
        return []  # collected fresh each scrape

    def collect(self):
        s = self.bridge.snapshot()
        yield InfoMetricFamily("booth", "this booth", value={
            "booth_id": str(self.bridge.booth_id), "version": str(s.get("version", "")),
            "runtime": str(s.get("runtime", "")), "profile": str(s.get("profile", "")),
            "camera": str(s.get("camera", ""))})
        c = s.get("counters") or {}
        for key, name, doc in (("sessions", "sessions", "sessions started (left attract)"),
                               ("captures", "captures", "arrivals at the review screen"),
                               ("kept", "photos_kept", "photos saved"),
                               ("retakes", "retakes", "retakes asked for on the review screen"),
                               ("abandoned", "abandoned_sessions", "sessions that ended before a capture"),
                               ("save_failures", "save_failures", "photos that could not be saved")):
            if key in c:
                yield CounterMetricFamily(f"booth_{name}", doc, value=c[key])
        for key, name, doc in (("camera_reconnects", "camera_reconnects", "times the camera came back after failing"),
                               ("worker_restarts", "worker_restarts", "booth worker threads restarted by supervision"),
                               ("error_count", "log_errors", "warnings and errors logged")):
            yield CounterMetricFamily(f"booth_{name}", doc, value=s.get(key) or 0)
        pr = s.get("printer") or {}
        if pr:
            yield CounterMetricFamily("booth_print_jobs", "print jobs accepted by CUPS", value=pr.get("printed", 0))
            yield CounterMetricFamily("booth_print_failures", "print jobs that failed", value=pr.get("failed", 0))
        for key, name, doc, scale in (("camera_fps", "camera_fps", "camera frames per second (last second)", 1),
                                      ("analysis_fps", "analysis_fps", "analysed frames per second", 1),
                                      ("screen_fps", "screen_fps", "screen frames per second", 1),
                                      ("latency_ms_p50", "latency_seconds", "camera frame to prompt on screen, median", 1e-3),
                                      ("disk_free_mb", "disk_free_bytes", "free space where photos are written", 2**20),
                                      ("uptime_s", "uptime_seconds", "seconds since the booth started", 1)):
            v = s.get(key)
            if v is not None:
                yield GaugeMetricFamily(f"booth_{name}", doc, value=float(v) * scale)
        ob = s.get("outbox")
        if ob:
            yield GaugeMetricFamily("booth_outbox_pending", "captures waiting to upload", value=ob["pending"])
            yield GaugeMetricFamily("booth_outbox_failed", "captures that cannot upload", value=ob["failed"])
        state = GaugeMetricFamily("booth_state", "1 for the state the booth is in", labels=["state"])
        for st in STATES:
            state.add_metric([st], 1.0 if s.get("state") == st else 0.0)
        yield state
        lights = GaugeMetricFamily("booth_light_level", "light channel level 0..1", labels=["channel"])
        for ch, v in sorted((s.get("lights") or {}).items()):
            lights.add_metric([ch], float(v))
        yield lights


class BoothMetrics:
    """The registry and its WSGI app: ``BoothMetrics(bridge).wsgi_app`` serves /metrics."""

    def __init__(self, bridge):
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(BoothCollector(bridge))
        self.time_to_capture = Histogram("booth_time_to_capture_seconds", "stepping in to the first review screen",
                                         buckets=TIME_TO_CAPTURE_BUCKETS, registry=self.registry)
        bridge.capture_observers.append(self.time_to_capture.observe)
        metrics_app = make_wsgi_app(self.registry)

        def app(environ, start_response):
            if environ.get("PATH_INFO") not in ("/metrics", "/metrics/"):
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"only /metrics here\n"]
            return metrics_app(environ, start_response)

        self.wsgi_app = app
