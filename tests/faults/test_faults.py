"""One fault each, injected into the running booth; each test asserts the outcome: how long
recovery took, what the screen said, what is on disk, the exit code, and whether the systemd
watchdog was fed. Short bounds are configured for the tests (hung-worker bound 2 s, save
timeout 3 s), so a "hang for 60 s" costs a few seconds here."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path


import booth.atomic as atomic_mod
import booth.output.store as store_mod

REPO = Path(__file__).resolve().parents[2]


def completed_session(rig, timeout=30.0):
    """Wait until a photo is saved (thank-you shown)."""
    return rig.wait(lambda: rig.screen.first(lambda s, h, m: s == "thank_you") is not None, timeout)


def test_a_camera_read_that_blocks_forever_stops_the_watchdog_and_exits_non_zero(make_rig):
    rig = make_rig(camera={"max_retries": 3}).start()
    assert rig.wait(lambda: rig.booth.camera_frames > 10 and rig.pings.watchdog() > 5, 20)
    hung_at = time.monotonic()
    rig.faults.camera = "block"
    res = rig.joined(30)
    # detected within the hung-worker bound (2 s) plus the camera's own retry budget, never later
    detect = res["ended"] - hung_at
    assert res["exit"] == 1 and "camera hung" in str(res["error"]), res
    bound = rig.booth.supervisor.workers["camera"].hung_after_s
    assert detect < bound + 6.0, detect  # the bound, then a bounded shutdown
    # the watchdog heard nothing once the hang passed its bound: systemd would restart us too
    bound_passed = hung_at + rig.booth.supervisor.workers["camera"].hung_after_s + 0.3
    assert rig.pings.watchdog(since=bound_passed) == 0
    assert rig.pings.watchdog(until=hung_at) > 5


def test_a_camera_raising_on_read_is_reopened_and_frame_time_stays_monotonic(make_rig):
    rig = make_rig().start()
    assert rig.wait(lambda: rig.booth.camera_frames > 10 and rig.pings.watchdog() > 5, 20)
    t_before = rig.booth.preview.get()[0].frame.t
    fault_at = time.monotonic()
    rig.faults.camera = "raise"
    assert rig.wait(lambda: rig.screen.first(lambda s, h, m: s == "error", after=fault_at), 10)
    time.sleep(1.0)
    cleared = time.monotonic()
    rig.faults.camera = "ok"
    back = rig.wait(lambda: rig.screen.first(lambda s, h, m: s != "error", after=cleared) is not None, 15)
    assert back is not None, "the booth never left the error screen"
    recovery = back - cleared
    frames_then = rig.booth.camera_frames
    assert rig.wait(lambda: rig.booth.camera_frames > frames_then + 10, 10)
    t_after = rig.booth.preview.get()[0].frame.t
    res = rig.stop()
    assert res["exit"] == 0
    assert len(rig.camera_made) >= 2  # it really reopened the camera
    assert t_after > t_before + 1.0  # the new camera's clock started at 0; frame time did not
    assert recovery < 5.0, recovery
    assert rig.pings.watchdog(since=fault_at, until=cleared) > 3  # reopening is progress: still fed
    print(f"camera raising: recovered {recovery:.2f} s after the fault cleared")


def test_a_camera_delivering_nothing_for_10_s_shows_the_error_then_comes_back(make_rig):
    rig = make_rig().start()
    assert rig.wait(lambda: rig.booth.camera_frames > 10 and rig.pings.watchdog() > 5, 20)
    fault_at = time.monotonic()
    rig.faults.camera = "nothing"
    assert rig.wait(lambda: rig.screen.first(lambda s, h, m: s == "error", after=fault_at), 8)
    shown = rig.screen.last_view
    assert shown.state.value == "error" and shown.message
    rig.wait(lambda: False, 10.0 - (time.monotonic() - fault_at))
    cleared = time.monotonic()
    rig.faults.camera = "ok"
    back = rig.wait(lambda: rig.screen.first(lambda s, h, m: s != "error", after=cleared) is not None, 20)
    res = rig.stop()
    assert back is not None and res["exit"] == 0
    recovery = back - cleared
    assert recovery < 8.0, recovery  # the next reopen attempt after the backoff then in force
    assert rig.pings.watchdog(since=fault_at, until=cleared) > 20  # fed all along (recovery is progress)
    print(f"camera silent 10 s: recovered {recovery:.2f} s after frames came back")


def test_one_frame_the_analysis_raises_on_is_skipped(make_rig):
    rig = make_rig().start()
    assert rig.wait(lambda: rig.booth.analysed > 5, 20)
    rig.faults.analyzer_raise = 1
    assert completed_session(rig)
    res = rig.stop()
    assert res["exit"] == 0 and rig.booth.frame_failures_total == 1
    complete, orphans = rig.captures()
    assert complete and not orphans
    assert rig.pings.watchdog() > 5


def test_fifty_frames_in_a_row_that_raise_end_the_booth_non_zero(make_rig):
    rig = make_rig(max_frame_failures=50).start()
    assert rig.wait(lambda: rig.booth.analysed > 5, 20)
    at = time.monotonic()
    rig.faults.analyzer_raise = 10**6
    res = rig.joined(30)
    assert res["exit"] == 1 and "50 frames in a row" in str(res["error"]), res
    assert rig.booth.frame_failures_total == 50
    assert res["ended"] - at < 10.0  # 50 frames at the camera's 20 fps, plus shutdown
    assert rig.pings.watchdog(since=res["ended"]) == 0


def test_a_save_failing_with_enospc_shows_out_of_service_and_no_sitter_is_guided(make_rig, monkeypatch,
                                                                                 artifacts_dir):
    # The disk fills up between the last probe and the save: the write fails with ENOSPC,
    # and from then on the probe sees the full disk too.
    full = {"write": True, "probe": False}
    real_write = atomic_mod.write_bytes_atomic

    def write(path, data, mode=0o600):
        if full["write"]:
            full["probe"] = True
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, data, mode)

    monkeypatch.setattr(store_mod, "write_bytes_atomic", write)
    state = {"rig": None}

    def storage():
        if full["probe"]:
            return f"only 0 MB free in {state['rig'].out} (simulated full disk). Fix: free space or move old photos off the card"
        return state["rig"].store.readiness()

    rig = make_rig(storage=storage)
    state["rig"] = rig
    rig.start()
    assert rig.wait(lambda: rig.screen.first(lambda s, h, m: h == "Out of service") is not None, 40)
    oos_at = time.monotonic()
    failed = [m for t, s, h, m in rig.screen.history if s == "error" and h is None]
    assert failed and "No space left" in failed[0]  # the failed save said why, then out of service
    # While the disk is full nobody is guided: the session stays in attract.
    rig.wait(lambda: False, 2.0)
    guided = [s for t, s, h, m in rig.screen.history if t > oos_at and s in ("guiding", "countdown")]
    assert not guided
    rig.screen.screenshot(artifacts_dir / "fault_enospc_out_of_service.png")
    complete, orphans = rig.captures()
    assert not complete and not orphans and not list(rig.out.glob(".staging-*"))
    full["write"] = full["probe"] = False
    freed = time.monotonic()
    back = rig.wait(lambda: rig.screen.first(lambda s, h, m: s == "guiding", after=freed) is not None, 10)
    assert back is not None and back - freed < 3.0  # storage_check_s 0.2 s + the next frame
    assert completed_session(rig)
    res = rig.stop()
    assert res["exit"] == 0 and rig.pings.watchdog(since=oos_at, until=freed) > 5
    print(f"ENOSPC: back in service {back - freed:.2f} s after space was freed")


def test_a_save_hanging_for_60_s_ends_saving_with_a_message_and_stops_the_watchdog(make_rig):
    hang = threading.Event()
    released = threading.Event()  # the hung save, let go at the end, has returned

    def wrap(save):
        def slow(*a):
            try:
                hang.wait(60.0)
                return save(*a)
            finally:
                released.set()
        return slow

    rig = make_rig(save_wrap=wrap, save_timeout_s=1.5, hung_worker_s=3.0).start()
    assert rig.wait(lambda: rig.state() == "saving", 30)
    saving_at = time.monotonic()
    told = rig.wait(lambda: rig.screen.first(lambda s, h, m: s == "error" and m, after=saving_at) is not None, 10)
    assert told is not None and told - saving_at < 1.5 + 1.0
    msg = next(m for t, s, h, m in rig.screen.history if t >= saving_at and s == "error")
    assert "could not be saved" in msg
    res = rig.joined(20)
    hang.set()
    # the abandoned save thread finishes here, not in whichever test runs next (it would write
    # through that test's patched store functions: pytest-randomly orders the tests)
    assert released.wait(20)
    assert res["exit"] == 1 and "saver hung" in str(res["error"]), res
    assert rig.pings.watchdog(since=saving_at + 3.3) == 0
    complete, orphans = rig.captures()
    assert not orphans


def test_a_corrupt_retention_job_file_is_skipped_and_purging_goes_on(make_rig, tmp_path):
    from booth.config import load_config
    from booth.handoff import Handoff

    out = tmp_path / "out"
    (out / ".outbox" / "pending").mkdir(parents=True)
    (out / ".outbox" / "pending" / "bad.json").write_text('{"items": [{"kind": "file"}], "created_at": "x"}')
    (out / ".outbox" / "pending" / "worse.json").write_text("[1, 2")
    old = out / "20200101-000000_00000_1x1.jpg"
    old.write_bytes(b"x")
    (out / "20200101-000000_00000.json").write_text("{}")
    os.utime(old, (0, 0))
    cfg = load_config(None, {"booth": {"output_dir": str(out), "retention_hours": 1.0},
                             "handoff": {"sweep_interval_s": 1.0}})
    handoff = Handoff(cfg)
    rig = make_rig(handoff=handoff.start())
    rig.start()
    assert rig.wait(lambda: not old.exists(), 10), "the sweep stopped at the corrupt job file"
    sweeper = rig.booth.supervisor.workers["retention"]
    assert sweeper.failure is None and not sweeper.history
    res = rig.stop()
    assert res["exit"] == 0 and rig.pings.watchdog() > 5


def test_an_s3_outage_keeps_the_capture_pending_and_the_booth_running(make_rig, tmp_path):
    from booth.config import load_config
    from booth.handoff import Handoff

    class Outage:
        calls = 0

        def remote_sha256(self, key):
            Outage.calls += 1
            raise ConnectionError("s3 unreachable (simulated outage)")

        def put(self, *a):
            raise ConnectionError("s3 unreachable (simulated outage)")

    cfg = load_config(None, {"booth": {"output_dir": str(tmp_path / "out")},
                             "handoff": {"s3_bucket": "photos", "retry_initial_s": 0.1}})
    handoff = Handoff(cfg, remote=Outage()).start()
    rig = make_rig(handoff=handoff)
    rig.start()
    assert completed_session(rig)
    assert rig.wait(lambda: Outage.calls >= 2, 10)
    assert handoff.outbox.pending_count() == 1
    assert rig.screen.first(lambda s, h, m: s == "error") is None  # the sitter never saw the outage
    res = rig.stop()
    assert res["exit"] == 0 and rig.booth.supervisor.workers["outbox"].failure is None
    complete, orphans = rig.captures()
    assert len(complete) == 1 and not orphans


SIGTERM_CHILD = textwrap.dedent('''
    import sys, threading, time
    sys.path[:0] = [sys.argv[2], sys.argv[3]]
    from pathlib import Path
    import faultrig as f
    import pytest

    class MP:
        def setenv(self, *a): pass
        def delenv(self, *a, **k): pass

    tmp = Path(sys.argv[1])
    make = f.rig_maker(tmp, MP(), [])

    def wrap(save):
        def slow(*a):
            print("SAVING", flush=True)
            time.sleep(1.5)
            return save(*a)
        return slow

    rig = make(save_wrap=wrap, save_timeout_s=30.0, hung_worker_s=30.0)
    try:
        rig.booth.run(seconds=60)
        print("EXIT 0", rig.booth.exit_reason, flush=True)
    except Exception as e:
        print("EXIT", getattr(e, "exit_code", 1), e, flush=True)
''')


def test_sigterm_during_a_save_finishes_the_photo_then_exits_cleanly(tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYTHONUNBUFFERED="1")
    env.pop("NOTIFY_SOCKET", None)
    here = Path(__file__).resolve().parent
    proc = subprocess.Popen([sys.executable, "-c", SIGTERM_CHILD, str(tmp_path), str(here), str(here.parent)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("SAVING"):
            break
    assert lines and lines[-1].startswith("SAVING"), "".join(lines) + proc.stderr.read()
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode == 0, err[-2000:]
    assert "EXIT 0 SIGTERM" in out, out + err[-2000:]
    store = tmp_path / "out"
    sidecars = list(store.glob("*.json"))
    assert len(sidecars) == 1  # the photo in flight was finished, whole
    meta = json.loads(sidecars[0].read_text())
    for c in meta["crops"].values():
        assert (store / c["file"]).stat().st_size > 1000
    assert not list(store.glob(".staging-*")) and not list(store.glob(".*.part"))
    assert took < 10.0


def test_200_slow_drip_connections_leave_the_booth_and_a_valid_download_working(make_rig, tmp_path):
    import http.client

    from booth.config import load_config
    from booth.handoff import Handoff

    cfg = load_config(None, {"booth": {"output_dir": str(tmp_path / "out")},
                             "handoff": {"server_enabled": True, "server_host": "127.0.0.1", "server_port": 0,
                                         "server_head_timeout_s": 2.0}})
    handoff = Handoff(cfg).start()
    rig = make_rig(handoff=handoff)
    rig.start()
    assert completed_session(rig)
    url = rig.saver.last_url
    assert url
    port = handoff.server.address[1]
    before = threading.active_count()
    import faultrig

    socks = faultrig.slow_drips(port, 200, 2.0)
    try:
        time.sleep(0.5)
        t0 = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.0.2", 0))
        conn.request("GET", "/" + url.split("/", 3)[3])
        status = conn.getresponse().status
        took = time.monotonic() - t0
        conn.close()
        assert status == 200 and took < 1.0, took
        assert threading.active_count() - before <= cfg.handoff.server_max_per_address + 1
        assert rig.booth.supervisor.healthy()
    finally:
        for s in socks:
            s.close()
    res = rig.stop()
    assert res["exit"] == 0 and rig.pings.watchdog() > 5
