"""The chaos soak: hours of booth time on the fault rig (the real app threads, BoothLoop,
Session, PhotoStore, handoff with download page and upload outbox), with a random fault about
every 2 minutes of booth time. Not part of the test run; run it by hand:

    .venv/bin/python tests/faults/soak.py --booth-hours 2 --speed 10     # ~12 min of wall time

Booth time is accelerated: the fake camera's clock (Frame.t) runs ``--speed`` times faster than
the wall clock, so the session's own timers (countdown, review, thank-you) and the light logic
run at that speed; the app's wall-clock bounds (hung workers, SAVING) are scaled down by the
same factor. Faults that end the process by design (a camera read that never returns, a save
that hangs past its bound, SIGTERM) are covered by tests/faults/test_faults.py one at a time;
here every fault is one the running booth must survive.

Afterwards it checks: every capture complete (crops, thumbnail, sidecar) or absent, no orphan
files, RSS growth from the first to the last quarter < 5 %, open fds flat, no state held past
its bound, and prints the table of faults injected vs survived. Exit 0 when all hold.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import faultrig  # noqa: E402

import booth.atomic as atomic_mod  # noqa: E402
import booth.output.store as store_mod  # noqa: E402
from booth.app import open_fds, rss_kib  # noqa: E402
from booth.config import load_config  # noqa: E402
from booth.handoff import Handoff  # noqa: E402

FAULTS = ("camera_raise", "camera_silent", "analyzer_one", "analyzer_burst", "enospc", "slow_drip",
          "retention_corrupt", "s3_outage")


class Env:
    def setenv(self, k, v):
        os.environ[k] = v

    def delenv(self, k, raising=True):
        os.environ.pop(k, None)


class Outage:
    """An S3 stand-in that is down while ``down`` is set and keeps what it was given otherwise."""

    def __init__(self):
        self.down = False
        self.objects: dict[str, str] = {}

    def remote_sha256(self, key):
        if self.down:
            raise ConnectionError("s3 unreachable (chaos)")
        return self.objects.get(key)

    def put(self, key, data, sha256, ctype):
        if self.down:
            raise ConnectionError("s3 unreachable (chaos)")
        self.objects[key] = sha256


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--booth-hours", type=float, default=2.0)
    ap.add_argument("--speed", type=float, default=10.0, help="booth seconds per wall second")
    ap.add_argument("--fault-every", type=float, default=120.0, help="booth seconds between faults (mean)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", metavar="FILE", help="write the figures here too")
    ap.add_argument("--warmup", type=float, default=60.0, metavar="S",
                    help="wall seconds before memory samples count (caches and the allocator settle)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    k = args.speed
    tmp = Path(tempfile.mkdtemp(prefix="booth-soak-"))
    wall_s = args.booth_hours * 3600.0 / k

    full = {"write": False}
    real_write = atomic_mod.write_bytes_atomic

    def write(path, data, mode=0o600):
        if full["write"]:
            full["write"] = False  # one failed save: the disk "fills" for that one write
            raise OSError(errno.ENOSPC, "No space left on device (chaos)")
        return real_write(path, data, mode)

    store_mod.write_bytes_atomic = write

    remote = Outage()
    hcfg = load_config(None, {"booth": {"output_dir": str(tmp / "out"), "retention_hours": 1000.0},
                              "handoff": {"server_enabled": True, "server_host": "127.0.0.1", "server_port": 0,
                                          "server_head_timeout_s": 2.0, "s3_bucket": "chaos",
                                          "retry_initial_s": 0.2, "retry_max_s": 2.0, "sweep_interval_s": 1.0}})
    handoff = Handoff(hcfg, remote=remote).start()
    rigs: list = []
    make = faultrig.rig_maker(tmp, Env(), rigs)
    rig = make(handoff=handoff, camera={"max_retries": 8, "retry_backoff_s": 0.1},
               hung_worker_s=30.0, save_timeout_s=20.0, state_grace_s=10.0, storage_check_s=0.5)
    faultrig.FaultCamera.speed = k
    rig.start(seconds=wall_s + 5.0)

    injected = {f: 0 for f in FAULTS}
    survived = {f: 0 for f in FAULTS}
    samples: list[tuple[float, int, int]] = []
    checked_captures = 0
    problems: list[str] = []
    t0 = time.monotonic()
    next_fault = t0 + rng.expovariate(1.0 / (args.fault_every / k))
    next_sample = t0 + 5.0
    next_audit = t0 + 30.0

    def audit() -> None:
        nonlocal checked_captures
        try:
            complete, orphans = rig.captures()
        except AssertionError as exc:
            problems.append(f"incomplete capture: {exc}")
            return
        staging = [p for p in rig.out.glob(".staging-*")]
        if orphans:
            problems.append(f"orphans: {orphans}")
        for stem in complete:  # verified: remove, so the disk does not fill over hours
            for p in rig.out.glob(f"{stem}*"):
                if p.suffix in (".jpg", ".json") and not rig.booth.stop_event.is_set():
                    p.unlink(missing_ok=True)
        checked_captures += len(complete)
        if staging and len(staging) > 1:
            problems.append(f"staging folders left: {staging}")

    def healthy_within(seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if rig.booth.stop_event.is_set():
                return False
            if rig.booth.supervisor.healthy() and rig.state() != "error" and rig.booth.out_of_service is None:
                return True
            time.sleep(0.05)
        return False

    while time.monotonic() - t0 < wall_s and not rig.booth.stop_event.is_set():
        now = time.monotonic()
        if now >= next_sample and now - t0 >= args.warmup:
            samples.append((now - t0, rss_kib(), open_fds()))
            next_sample = now + 5.0
        if now >= next_audit:
            audit()
            next_audit = now + 30.0
        if now < next_fault:
            time.sleep(0.05)
            continue
        fault = rng.choice(FAULTS)
        injected[fault] += 1
        ok = True
        try:
            if fault == "camera_raise":
                rig.faults.camera = "raise"
                time.sleep(rng.uniform(0.2, 1.5))
                rig.faults.camera = "ok"
                ok = healthy_within(15.0)
            elif fault == "camera_silent":
                rig.faults.camera = "nothing"
                time.sleep(rng.uniform(1.0, 4.0))
                rig.faults.camera = "ok"
                ok = healthy_within(20.0)
            elif fault == "analyzer_one":
                before = rig.booth.frame_failures_total
                rig.faults.analyzer_raise = 1
                time.sleep(1.0)
                ok = rig.booth.frame_failures_total == before + 1 and healthy_within(5.0)
            elif fault == "analyzer_burst":
                rig.faults.analyzer_raise = rng.randint(5, 20)  # under max_frame_failures (50)
                time.sleep(3.0)
                ok = healthy_within(5.0)
            elif fault == "enospc":
                full["write"] = True
                time.sleep(3.0)
                ok = healthy_within(20.0)
            elif fault == "slow_drip":
                port = handoff.server.address[1]
                socks = faultrig.slow_drips(port, rng.randint(50, 200), 1.0)
                time.sleep(1.0)
                import http.client

                url = rig.saver.last_url
                status = 200
                if url:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.0.2", 0))
                    t = time.monotonic()
                    conn.request("GET", "/" + url.split("/", 3)[3])
                    status = conn.getresponse().status
                    fast = time.monotonic() - t < 1.0
                    conn.close()
                    status = status if fast else 0
                for s in socks:
                    s.close()
                ok = status in (200, 404) and healthy_within(5.0)  # 404: that capture was audited away
            elif fault == "retention_corrupt":
                pending = rig.out / ".outbox" / "pending"
                pending.mkdir(parents=True, exist_ok=True)
                bad = pending / f"chaos-{injected[fault]}.json"
                bad.write_text(rng.choice(['{"items": [{"kind": "file"}], "created_at": "x"}', "[1, 2", "null"]))
                time.sleep(2.5)
                sweeper = rig.booth.supervisor.workers.get("retention")
                ok = sweeper is not None and sweeper.failure is None and healthy_within(5.0)
                bad.unlink(missing_ok=True)
            elif fault == "s3_outage":
                remote.down = True
                time.sleep(rng.uniform(2.0, 6.0))
                remote.down = False
                handoff.outbox.retry_now()
                ok = healthy_within(5.0) and rig.booth.supervisor.workers["outbox"].failure is None
        except Exception as exc:  # noqa: BLE001 - a crash of the soak itself is a failure too
            problems.append(f"{fault}: {exc!r}")
            ok = False
        if ok:
            survived[fault] += 1
        else:
            problems.append(f"{fault} #{injected[fault]} not survived (state {rig.state()}, "
                            f"failures {rig.booth.supervisor.failures()})")
        next_fault = time.monotonic() + rng.expovariate(1.0 / (args.fault_every / k))

    res = rig.stop(60)
    handoff.close()
    audit()
    booth_s = (time.monotonic() - t0) * k
    q = max(1, len(samples) // 4)
    first = statistics.mean(s[1] for s in samples[:q]) if samples else 0
    last = statistics.mean(s[1] for s in samples[-q:]) if samples else 0
    growth = (last - first) / max(1, first)
    fds = [s[2] for s in samples]
    fd_first = statistics.mean(fds[:q]) if fds else 0
    fd_last = statistics.mean(fds[-q:]) if fds else 0
    # "stuck past its timeout": a state that lasted longer (frame time) than its bound plus one
    # second of slack for the frame that ends it; a bound that fired did its job
    from booth.types import BoothState

    bounds = {s.value: rig.booth._state_bound(s) for s in BoothState}
    bounds["saving"] = bounds["saving"] * k  # SAVING's bound is wall time; dwell is booth (frame) time
    dwell = dict(rig.booth.state_dwell_max)
    stuck = [(s, round(d, 2), bounds.get(s)) for s, d in dwell.items()
             if bounds.get(s) is not None and d > bounds[s] + 1.0 * k]
    report = res.get("report")
    print(f"chaos soak: {booth_s / 3600:.2f} h of booth time in {(time.monotonic() - t0) / 60:.1f} min "
          f"(x{k:g}), exit {res.get('exit')} ({rig.booth.exit_reason})")
    print(f"{'fault':20s} {'injected':>9s} {'survived':>9s}")
    for f in FAULTS:
        print(f"{f:20s} {injected[f]:9d} {survived[f]:9d}")
    print(f"captures verified complete: {checked_captures}; orphans: 0 unless listed below")
    print(f"RSS first quarter {first / 1024:.1f} MiB -> last quarter {last / 1024:.1f} MiB ({growth:+.1%}); "
          f"open fds {fd_first:.0f} -> {fd_last:.0f} (max {max(fds) if fds else 0})")
    print("longest stay per state (booth s) / bound: " + ", ".join(
        f"{s} {d:.1f}/{bounds[s] if bounds.get(s) is not None else '-'}" for s, d in sorted(dwell.items())))
    print(f"states ended by the app's bounds (during analysis faults, frames skipped): "
          f"{[(s, round(d, 1)) for s, d in rig.booth.state_timeouts] or 'none'}; stuck past a bound: {stuck or 'none'}")
    ok = (not problems and res.get("exit") == 0 and growth < 0.05 and fd_last <= fd_first + 3
          and sum(survived.values()) == sum(injected.values()) and not stuck)
    for p in problems:
        print("PROBLEM:", p)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "booth_hours": booth_s / 3600, "speed": k, "injected": injected, "survived": survived,
            "captures": checked_captures, "rss_growth": growth, "fds": [fd_first, fd_last],
            "state_timeouts": list(rig.booth.state_timeouts), "dwell_max": dwell, "stuck": stuck,
            "problems": problems, "exit": res.get("exit"),
            "camera_frames": report.camera_frames if report else None}, indent=1))
    faultrig.teardown(rigs)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
