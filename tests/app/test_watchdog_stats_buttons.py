"""systemd notify/watchdog from the main loop, durable counters, GPIO buttons (mock pins)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from booth_fakes import PacedCamera, ScriptedSession

from booth.app import Booth, BoothParts
from booth.config import BoothConfig, ButtonsSection, UiSection
from booth.stats import SessionStats, load_counters
from booth.types import Actions, BoothState, SessionEvent
from booth.ui.buttons import GpioButtons
from booth.watchdog import Notifier


def listen(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.05)
    return sock


def collect(sock, until_stopped: threading.Event) -> list[tuple[float, str]]:
    got = []
    while not until_stopped.is_set() or True:
        try:
            data = sock.recv(4096)
        except socket.timeout:
            if until_stopped.is_set():
                return got
            continue
        got.append((time.monotonic(), data.decode()))


def test_the_main_loop_pings_the_watchdog_and_a_stall_stops_the_pings(tmp_path, monkeypatch):
    path = str(tmp_path / "notify.sock")
    sock = listen(path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # ping every 0.1 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    notifier = Notifier.from_env()
    assert notifier.interval_s == pytest.approx(0.1)

    cfg = BoothConfig(ui=UiSection(fullscreen=False, fps=30))
    booth = Booth(cfg, BoothParts(source=PacedCamera(fps=30), loop=ScriptedSession(attract=10**9)), notifier=notifier)
    done = threading.Event()
    received: list = []
    reader = threading.Thread(target=lambda: received.extend(collect(sock, done)))
    reader.start()
    stall_at = []

    def stall_later():
        time.sleep(1.0)
        stall_at.append(time.monotonic())
        booth.stall_main_s = 1.0  # the render loop hangs for a second

    threading.Thread(target=stall_later, daemon=True).start()
    booth.run(seconds=3.0)
    done.set()
    reader.join()
    notifier.close()

    messages = [m for _, m in received]
    assert messages[0].startswith("READY=1")
    assert messages[-1] == "STOPPING=1"
    pings = [t for t, m in received if m == "WATCHDOG=1"]
    assert len(pings) >= 12  # ~2 s of healthy running at 10 pings/s
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    healthy = sorted(gaps)[len(gaps) // 2]
    assert 0.08 <= healthy <= 0.2
    # While the main loop was stuck, nothing was sent: one gap covers the stall.
    stalled = [g for g in gaps if g > 0.9]
    assert len(stalled) == 1
    assert any(a <= stall_at[0] + 0.2 and b >= stall_at[0] + 0.9 for a, b in zip(pings, pings[1:]))


def test_abstract_namespace_socket_and_no_socket():
    name = f"booth-test-{time.monotonic_ns()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(1.0)
    n = Notifier.from_env(environ={"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "1000000"})
    n.ready()
    assert sock.recv(100) == b"READY=1"
    assert n.tick(100.0) and sock.recv(100) == b"WATCHDOG=1"
    assert not n.tick(100.2)  # within half the period: no ping
    assert n.tick(100.6)
    n.close()
    sock.close()
    quiet = Notifier.from_env(environ={})
    assert not quiet.active and not quiet.tick(1e9)
    quiet.ready()  # a no-op outside systemd
    other_pid = Notifier.from_env(environ={"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"})
    assert other_pid.interval_s is None  # the watchdog is meant for another process


def test_counters_survive_a_restart_and_compute_abandon_rate_and_median(tmp_path):
    path = tmp_path / "state" / "stats.json"
    stats = SessionStats(path)
    A = BoothState

    def walk(t0, states):
        for i, s in enumerate(states):
            stats.observe(Actions(s), t0 + i)

    walk(0, [A.ATTRACT, A.GUIDING, A.COUNTDOWN, A.CAPTURING, A.REVIEW])  # session starts at t=1, captured at t=4: 3 s
    stats.event(SessionEvent.RETAKE)
    walk(10, [A.GUIDING, A.COUNTDOWN, A.CAPTURING, A.REVIEW, A.SAVING, A.THANK_YOU, A.ATTRACT])
    walk(30, [A.GUIDING, A.GUIDING, A.ATTRACT])  # walked away: abandoned
    walk(40, [A.GUIDING, A.GUIDING, A.GUIDING, A.GUIDING, A.GUIDING, A.GUIDING, A.GUIDING, A.GUIDING,
              A.COUNTDOWN, A.REVIEW, A.THANK_YOU, A.ATTRACT])  # starts at t=40, captured at t=49: 9 s
    stats.flush()
    again = load_counters(path)
    assert (again.sessions, again.captures, again.retakes, again.abandoned, again.kept) == (3, 3, 1, 1, 2)
    assert again.abandon_rate == pytest.approx(1 / 3)
    assert again.median_time_to_capture_s == pytest.approx(6.0)  # median of 3 s and 9 s
    assert not list(path.parent.glob("*.part"))
    # A restarted booth keeps counting from where it was.
    more = SessionStats(path)
    more.observe(Actions(A.GUIDING), 100)
    more.flush()
    assert load_counters(path).sessions == 4


def test_corrupt_stats_file_starts_fresh(tmp_path):
    path = tmp_path / "stats.json"
    path.write_text("{not json")
    assert load_counters(path).sessions == 0


def test_gpio_buttons_send_session_events():
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    Device.pin_factory = MockFactory()
    got: list[SessionEvent] = []
    buttons = GpioButtons(ButtonsSection(shutter_pin=5, keep_pin=6, retake_pin=-1), sink=got.append)
    try:
        assert set(buttons.buttons) == {"shutter", "keep"}
        pin = Device.pin_factory.pin(6)
        pin.drive_low()  # pressed (pull-up, button to ground)
        time.sleep(0.1)
        pin.drive_high()
        Device.pin_factory.pin(5).drive_low()
        time.sleep(0.1)
        assert got == [SessionEvent.KEEP, SessionEvent.SHUTTER]
    finally:
        buttons.close()
        Device.pin_factory.reset()
    assert GpioButtons(ButtonsSection(), sink=got.append).buttons == {}
