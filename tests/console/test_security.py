"""The console refuses everything without a login, limits wrong passwords, rejects actions
without the session's CSRF token, and never appears on the sitters' download port."""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse

import pytest

from booth.console.auth import LoginLimiter, hash_password, verify_password
from booth.errors import ConfigError

from .conftest import PASSWORD, make_config

PAGES = ["/", "/status", "/today", "/gallery", "/controls"]
DATA = ["/api/status", "/api/today", "/export.csv", "/thumb/20260101-000000_00000"]
ACTIONS = ["/controls/pause", "/controls/resume", "/controls/profile", "/controls/lights_test", "/controls/reload",
           "/gallery/delete", "/logout"]


def request(base, method, path, body=None, headers=None):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    data = urllib.parse.urlencode(body).encode() if isinstance(body, dict) else body
    hdrs = {"Content-Type": "application/x-www-form-urlencoded"} if data is not None else {}
    hdrs.update(headers or {})
    conn.request(method, path, body=data, headers=hdrs)
    r = conn.getresponse()
    out = (r.status, dict(r.getheaders()), r.read())
    conn.close()
    return out


def login(base, password=PASSWORD) -> tuple[str, str]:
    """(cookie header, CSRF token) of a fresh session."""
    status, headers, _ = request(base, "POST", "/login", {"password": password})
    assert status == 303, status
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    jar = cookie.split(";")[0]
    _, _, page = request(base, "GET", "/controls", headers={"Cookie": jar})
    csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
    return jar, csrf


def test_the_password_hash_is_scrypt_and_checks_only_the_right_password():
    h = hash_password("s3cret-enough")
    assert h.startswith("scrypt$n=16384,r=8,p=1$")
    assert verify_password("s3cret-enough", h) and not verify_password("s3cret-enougH", h)
    assert hash_password("s3cret-enough") != h  # salted
    with pytest.raises(ConfigError, match="hash-password"):
        verify_password("x", "md5$abc")


def test_no_page_data_or_action_without_a_login(running_booth):
    base = running_booth.console_url
    for path in PAGES:
        status, headers, _ = request(base, "GET", path)
        assert status == 303 and headers["Location"] == "/login", path
    for path in DATA:
        status, _, body = request(base, "GET", path)
        assert status == 401, path
        assert b"booth_id" not in body and b"badge" not in body
    for path in ACTIONS:
        status, _, _ = request(base, "POST", path, {"csrf": "x", "stem": "a"})
        assert status == 401, path
    # a made-up session cookie is no session
    status, _, _ = request(base, "GET", "/api/status", headers={"Cookie": "booth_console=forged"})
    assert status == 401
    assert not running_booth.side.bridge.snapshot().get("paused")  # nothing happened


def test_a_logged_in_session_sees_pages_with_strict_headers(running_booth):
    base = running_booth.console_url
    jar, _ = login(base)
    status, headers, body = request(base, "GET", "/api/status", headers={"Cookie": jar})
    assert status == 200 and json.loads(body)["booth_id"] == "hall-a-03"
    status, headers, _ = request(base, "GET", "/status", headers={"Cookie": jar})
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_wrong_passwords_are_rate_limited_per_address(tmp_path, running_booth):
    """A separate console app on the same booth (its own limiter), so the lockout does not
    spill into the other tests: five wrong passwords, then 429 even for the right one."""
    from booth.console.server import WaitressServer
    from booth.console.web import ConsoleApp

    cfg = make_config(tmp_path, login_max_failures=5, login_lockout_s=60.0)
    app = ConsoleApp(cfg, running_booth.side.bridge)
    server = WaitressServer(app, "127.0.0.1", 0, name="console-limit-test").start()
    try:
        base = server.url
        codes = [request(base, "POST", "/login", {"password": f"guess{i}"})[0] for i in range(5)]
        assert codes == [401] * 5
        status, headers, body = request(base, "POST", "/login", {"password": PASSWORD})
        assert status == 429 and int(headers["Retry-After"]) >= 30 and b"Too many wrong passwords" in body
    finally:
        server.close()


def test_the_lockout_doubles_and_a_right_password_clears_it():
    now = [0.0]
    lim = LoginLimiter(max_failures=3, lockout_s=10.0, clock=lambda: now[0])
    for _ in range(3):
        lim.failed("10.0.0.9")
    assert lim.retry_after("10.0.0.9") == pytest.approx(10.0)
    assert lim.retry_after("10.0.0.10") == 0.0  # another address is not affected
    now[0] = 11.0
    lim.failed("10.0.0.9")
    assert lim.retry_after("10.0.0.9") == pytest.approx(20.0)
    lim.succeeded("10.0.0.9")
    assert lim.retry_after("10.0.0.9") == 0.0


def test_actions_without_the_csrf_token_are_rejected(running_booth):
    base = running_booth.console_url
    jar, csrf = login(base)
    before = running_booth.captures()
    for body in ({}, {"csrf": "wrong"}, {"csrf": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")}):
        status, _, text = request(base, "POST", "/controls/pause", body, headers={"Cookie": jar})
        assert status == 403 and b"CSRF" in text
    if before:
        status, _, _ = request(base, "POST", "/gallery/delete", {"stem": before[0].stem}, headers={"Cookie": jar})
        assert status == 403 and before[0].exists()
    # the right token from a foreign origin is refused too
    status, _, _ = request(base, "POST", "/controls/pause", {"csrf": csrf},
                           headers={"Cookie": jar, "Origin": "http://evil.example"})
    assert status == 403
    assert running_booth.booth.steps.get()[0].actions.state.value != "paused"
    # another session's token does not work either
    jar2, csrf2 = login(base)
    status, _, _ = request(base, "POST", "/controls/pause", {"csrf": csrf2}, headers={"Cookie": jar})
    assert status == 403


def test_the_download_port_does_not_serve_the_console(tmp_path, running_booth):
    from booth.handoff.server import DownloadServer, GrantStore

    server = DownloadServer(GrantStore(tmp_path / "grants"), "127.0.0.1", 0).start()
    try:
        base = server.base_url
        for path in ["/login", "/status", "/api/status", "/export.csv", "/gallery", "/metrics", "/static/console.js"]:
            status, _, body = request(base, "GET", path)
            assert status == 404, path
            assert b"booth_id" not in body and b"password" not in body
        status, _, _ = request(base, "POST", "/login", {"password": PASSWORD})
        assert status in (404, 405, 501)
    finally:
        server.close()


def test_the_console_may_not_share_the_download_port(tmp_path):
    import dataclasses

    from booth.console.service import check_config

    cfg = make_config(tmp_path)
    cfg = dataclasses.replace(cfg, console=dataclasses.replace(cfg.console, port=8080),
                              handoff=dataclasses.replace(cfg.handoff, server_enabled=True, server_port=8080))
    with pytest.raises(ConfigError, match="download page's port"):
        check_config(cfg)
    no_hash = dataclasses.replace(cfg, console=dataclasses.replace(cfg.console, password_hash=""))
    with pytest.raises(ConfigError, match="hash-password"):
        check_config(no_hash)
