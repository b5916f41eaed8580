"""Start-up to the first analysed frame, timed as a fresh process would see it (``booth bench --startup``).

Two figures, each from a new Python process per run, runs interleaved so that the machine's
drift hits both alike:

- **demo**: ``booth demo --headless`` on the simulated sitter; the booth's own report line
  "start-up to the first analysed frame" (process age, from /proc, when the analysis thread
  finishes its first frame).
- **floor**: the analysis path alone in the same kind of process: the config, the analyzer
  with its models, the simulated camera, one frame read and analysed; no loop, screen,
  lights, store or handoff. No arrangement of the booth's start-up can beat it, so it says
  how much of the demo's start-up is the booth's assembly and how much the interpreter, numpy,
  OpenCV, the models and the first frame.

Linux only (process age from /proc), like the report line it reads.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
from dataclasses import dataclass

_REPORT = re.compile(r"start-up to the first analysed frame ([0-9.]+) s")
_FLOOR = re.compile(r"^floor ([0-9.]+)$", re.M)


def process_age_s() -> float | None:
    """Seconds since this process started (Linux /proc), else None."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def floor_s() -> float | None:
    """In this process (fresh: call it first thing): seconds from the process start to the
    first analysed frame of the bare analysis path on the simulated sitter."""
    from .camera.select import open_source
    from .config import load_config
    from .vision.analyzer import FaceAnalyzer

    cfg = load_config()
    source = open_source("sim", cfg, on_event=lambda *a, **k: None, seed=0)
    source.start()
    analyzer = FaceAnalyzer(cfg)
    try:
        analyzer.analyze(source.read(cfg.camera.timeout_s))
        return process_age_s()
    finally:
        analyzer.close()
        source.close()


@dataclass(frozen=True)
class StartupRuns:
    demo_s: tuple[float, ...]
    floor_s: tuple[float, ...]

    def lines(self) -> list[str]:
        def row(name: str, xs: tuple[float, ...]) -> str:
            if not xs:
                return f"{name:6s} no run reported a figure"
            return (f"{name:6s} min {min(xs):.2f}  median {statistics.median(xs):.2f}  max {max(xs):.2f} s   "
                    f"({' '.join(f'{x:.2f}' for x in xs)})")

        return [f"start-up to the first analysed frame, {max(len(self.demo_s), len(self.floor_s))} fresh processes each:",
                row("demo", self.demo_s), row("floor", self.floor_s)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SDL_VIDEODRIVER", "dummy")
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    env.setdefault("GPIOZERO_PIN_FACTORY", "mock")
    return env


def _one(cmd: list[str], pattern: re.Pattern[str], timeout_s: float) -> float | None:
    import subprocess  # here: booth.app imports process_age_s from this module at start-up

    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, env=_env()).stdout
    except subprocess.TimeoutExpired:
        return None
    m = pattern.search(out)
    return float(m.group(1)) if m else None


def run(runs: int = 8, timeout_s: float = 60.0) -> StartupRuns:
    """``runs`` interleaved demo and floor processes, after one untimed warm-up of each (the
    first start after a build reads every file from disk)."""
    demo = [sys.executable, "-m", "booth.cli", "demo", "--seconds", "1.5", "--headless", "--report"]
    floor = [sys.executable, "-c", "from booth.startup import floor_s; print(f'floor {floor_s():.3f}')"]
    _one(demo, _REPORT, timeout_s)
    _one(floor, _FLOOR, timeout_s)
    demo_s: list[float] = []
    floor_s_: list[float] = []
    for _ in range(max(1, runs)):
        for cmd, pattern, into in ((demo, _REPORT, demo_s), (floor, _FLOOR, floor_s_)):
            x = _one(cmd, pattern, timeout_s)
            if x is not None:
                into.append(x)
    return StartupRuns(tuple(demo_s), tuple(floor_s_))
