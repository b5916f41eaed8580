"""The download page under abuse, on loopback: slow-drip clients, unread bodies, one address
trying to fill the server. A valid link keeps answering quickly from another address."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from booth.handoff.server import DownloadServer, GrantStore


@pytest.fixture()
def served(tmp_path):
    photo = tmp_path / "p_1x1.jpg"
    photo.write_bytes(b"\xff\xd8" + b"x" * 5000)
    grants = GrantStore(tmp_path / "grants", 24)
    server = DownloadServer(grants, "127.0.0.1", 0, max_connections=32, max_per_address=4, head_timeout_s=2.0,
                            rate_per_min=6000, burst=100).start()
    token = grants.issue([photo], 600, None)
    yield server, token
    server.close()


def drip(port: int, n: int, stop: threading.Event, host: str = "127.0.0.1") -> list[socket.socket]:
    """``n`` connections that send a request one byte every 0.5 s."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect((host, port))
            s.send(b"G")
            socks.append(s)
        except OSError:
            s.close()

    def feed():
        while not stop.wait(0.5):
            for s in list(socks):
                try:
                    s.send(b"E")
                except OSError:
                    socks.remove(s)
                    s.close()

    threading.Thread(target=feed, daemon=True).start()
    return socks


def timed_get(source: str, port: int, path: str) -> tuple[int, float]:
    """GET from the loopback source address ``source`` (127.0.0.2: another client than the drips)."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.monotonic() - t0
    finally:
        conn.close()


def test_500_slow_drip_connections_do_not_stop_a_valid_download(served):
    server, token = served
    port = server.address[1]
    before = threading.active_count()
    stop = threading.Event()
    socks = drip(port, 500, stop)
    try:
        time.sleep(1.0)
        peak = threading.active_count() - before
        status, took = timed_get("127.0.0.2", port, f"/d/{token}/")  # another address
        assert status == 200 and took < 1.0, took
        status, took_file = timed_get("127.0.0.2", port, f"/d/{token}/p_1x1.jpg")
        assert status == 200 and took_file < 1.0
        # one address holds at most max_per_address connections: the rest were refused at accept
        assert server._httpd.open_connections <= 4 + 1
        assert server._httpd.refused >= 400
        assert peak <= 32 + 2, peak  # the drip feeder and this test's thread aside
        time.sleep(2.5)  # the head deadline (2 s) cuts the drips that were let in
        assert server._httpd.open_connections == 0
        print(f"500 slow drips: page in {took * 1000:.0f} ms, file in {took_file * 1000:.0f} ms, "
              f"server threads at peak {peak}, refused at accept {server._httpd.refused}")
    finally:
        stop.set()
        for s in socks:
            s.close()


def test_an_unread_post_body_is_not_parsed_as_a_second_request(served):
    server, token = served
    port = server.address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        body = f"GET /d/{token}/p_1x1.jpg HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        s.sendall(b"POST /d/x/ HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        time.sleep(0.5)
        s.settimeout(1.0)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
    assert data.startswith(b"HTTP/1.1 405")
    assert data.count(b"HTTP/1.1 ") == 1  # the body was read and dropped, not answered as a request


def test_a_body_over_the_limit_closes_the_connection(served):
    server, _ = served
    port = server.address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")
        s.settimeout(2.0)
        data = s.recv(4096)
        assert data.startswith(b"HTTP/1.1 413")
        rest = s.recv(4096)
        assert rest == b"" or b"HTTP" not in rest
