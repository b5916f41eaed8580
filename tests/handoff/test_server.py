"""The booth-local download page: right files for a valid link, nothing else for anybody."""

from __future__ import annotations

import http.client
import re
import shutil
import ssl
import subprocess
from urllib.parse import urlsplit

import pytest

from booth.errors import BoothError
from booth.handoff import Handoff
from booth.handoff.server import DownloadServer, GrantStore, token_digest

from .conftest import make_config


class FakeClock:
    def __init__(self, t: float = 1_700_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def get(url_or_host, path: str | None = None, method: str = "GET", ctx: ssl.SSLContext | None = None):
    """A raw request: the path goes on the wire exactly as given (no client-side normalising)."""
    if path is None:
        u = urlsplit(url_or_host)
        host, port, path = u.hostname, u.port, u.path + (f"?{u.query}" if u.query else "")
    else:
        host, port = url_or_host
    conn = (http.client.HTTPSConnection(host, port, timeout=5, context=ctx) if ctx
            else http.client.HTTPConnection(host, port, timeout=5))
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


@pytest.fixture()
def booth(tmp_path):
    """A booth with the download page on and two sitters' photos saved in the same folder."""
    out = tmp_path / "photos"
    day = out / "2024-05-01"
    day.mkdir(parents=True)
    files = {}
    for who in ("alice", "bob"):
        for kind in ("crop", "portrait"):
            p = day / f"20240501T1200_{who}_{kind}.jpg"
            p.write_bytes(f"{who}'s {kind} ".encode() * 200)
            files[(who, kind)] = p
    (day / "secret.txt").write_text("operator notes")
    clock = FakeClock()
    cfg = make_config(out, server_enabled=True, server_host="127.0.0.1", server_port=0, token_ttl_s=600,
                      rate_limit_burst=200, rate_limit_per_min=6000)
    handoff = Handoff(cfg, clock=clock).start()
    yield handoff, files, clock
    handoff.close()


def test_a_valid_link_serves_exactly_that_sitters_photos(booth):
    handoff, files, _ = booth
    url = handoff.on_saved([files["alice", "crop"], files["alice", "portrait"]], {"score": 0.9}, "ALICE-42")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 22  # 128 bits of token_urlsafe need 22 characters

    status, headers, page = get(url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    html = page.decode()
    assert 'name="viewport"' in html and "ALICE-42" in html
    links = sorted(set(re.findall(r'href="([^"?]+)', html)))
    assert links == sorted(f"/d/{token}/{files['alice', k].name}" for k in ("crop", "portrait"))

    for kind in ("crop", "portrait"):
        status, headers, body = get(url + files["alice", kind].name + "?dl=1")
        assert status == 200
        assert body == files["alice", kind].read_bytes()
        assert headers["Content-Type"] == "image/jpeg"
        assert headers["Content-Disposition"].startswith("attachment")
    status, headers, body = get(url + files["alice", "crop"].name, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == files["alice", "crop"].stat().st_size


def test_another_sitters_file_a_wrong_token_or_an_expired_link_is_404(booth):
    handoff, files, clock = booth
    alice = handoff.on_saved([files["alice", "crop"]], {}, None)
    bob = handoff.on_saved([files["bob", "crop"]], {}, None)
    alice_token = alice.rstrip("/").rsplit("/", 1)[1]

    assert get(alice + files["bob", "crop"].name)[0] == 404  # Bob's photo is in the same folder
    assert get(bob + files["alice", "crop"].name)[0] == 404
    assert get(alice + files["alice", "portrait"].name)[0] == 404  # not offered in this link
    wrong = alice_token[:-2] + ("AA" if not alice_token.endswith("AA") else "BB")
    assert get(alice.replace(alice_token, wrong))[0] == 404
    assert get(alice.replace(alice_token, "short"))[0] == 404

    clock.t += 599
    assert get(alice)[0] == 200
    clock.t += 2  # past token_ttl_s = 600
    status, _, body = get(alice)
    assert status == 404 and b"alice" not in body
    assert get(alice + files["alice", "crop"].name)[0] == 404
    # The sweep removes expired grants from disk; only hashes of tokens were ever stored.
    grants = handoff.output_dir / ".handoff" / "grants"
    assert (grants / f"{token_digest(alice_token)}.json").exists()
    assert all(alice_token not in f.read_text() and alice_token not in f.name for f in grants.iterdir())
    handoff.sweep()
    assert not (grants / f"{token_digest(alice_token)}.json").exists()


@pytest.mark.parametrize("trick", [
    "{t}/../../../../etc/passwd",
    "{t}/..%2f..%2f..%2fetc%2fpasswd",
    "{t}/%2e%2e/%2e%2e/etc/passwd",
    "{t}/%2e%2e%2f{bob}",
    "{t}/%2E%2E/{bob}",
    "{t}/..\\{bob}",
    "{t}/../{bob}",
    "{t}/./{alice}/../{bob}",
    "{t}/{alice}/../{bob}",
    "{t}/secret.txt",
    "{t}/..",
    "{t}/.",
    "{t}/%00{alice}",
    "{t}//{bob}",
    "{t}/{bob}%00.jpg",
    "/d/../d/{t}/{bob}",
    "/d/%2e%2e/{bob}",
    "/../../etc/passwd",
    "/",
    "/d/",
    "/d",
    "/2024-05-01/",
    "/2024-05-01/{bob}",
    "/.handoff/grants/",
])
def test_path_tricks_and_directory_listing_are_refused(booth, trick):
    handoff, files, _ = booth
    url = handoff.on_saved([files["alice", "crop"]], {}, None)
    base = url.rstrip("/")
    token_path = urlsplit(base).path
    path = trick.format(t=token_path, bob=files["bob", "crop"].name, alice=files["alice", "crop"].name)
    status, _, body = get(handoff.server.address, path)
    assert status == 404, f"{path} -> {status}"
    assert b"bob" not in body and b"operator notes" not in body and b"root:" not in body


def test_only_get_and_head(booth):
    handoff, files, _ = booth
    url = handoff.on_saved([files["alice", "crop"]], {}, None)
    for method in ("POST", "PUT", "DELETE"):
        assert get(url, method=method)[0] == 405


def test_rate_limit_per_client_ip(tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x" * 100)
    grants = GrantStore(tmp_path / "grants")
    token = grants.issue([photo], 600)
    with DownloadServer(grants, "127.0.0.1", 0, rate_per_min=1, burst=5) as server:
        statuses = [get(server.url_for(token))[0] for _ in range(5)]
        status, headers, _ = get(server.url_for(token))
        wrong = [get(server.url_for("x" * 32))[0] for _ in range(3)]
    assert statuses == [200] * 5
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert wrong == [429] * 3  # guessing tokens is slowed down just the same


def test_the_server_is_off_unless_enabled(tmp_path):
    photo = tmp_path / "photos" / "p.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"x")
    handoff = Handoff(make_config(tmp_path / "photos")).start()
    try:
        assert handoff.server is None
        assert handoff.on_saved([photo], {}, None) is None
    finally:
        handoff.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not available to make a test certificate")
def test_https_with_a_configured_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=booth",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    out = tmp_path / "photos"
    out.mkdir()
    photo = out / "p.jpg"
    photo.write_bytes(b"jpeg bytes" * 10)
    cfg = make_config(out, server_enabled=True, server_host="127.0.0.1", server_port=0,
                      server_cert_file=str(cert), server_key_file=str(key))
    with Handoff(cfg) as handoff:
        url = handoff.on_saved([photo], {}, None)
        assert url.startswith("https://127.0.0.1:")
        ctx = ssl.create_default_context(cafile=str(cert))
        status, _, body = get(url + "p.jpg", ctx=ctx)
        assert (status, body) == (200, photo.read_bytes())
        with pytest.raises(ssl.SSLError):  # a client that does not trust the cert gets nothing
            get(url + "p.jpg", ctx=ssl.create_default_context())


def test_a_missing_certificate_is_a_clear_error(tmp_path):
    cfg = make_config(tmp_path, server_enabled=True, server_host="127.0.0.1", server_port=0,
                      server_cert_file=str(tmp_path / "none.pem"), server_key_file=str(tmp_path / "none.key"))
    with pytest.raises(BoothError, match="server_cert_file.*does not exist"):
        Handoff(cfg)


def test_public_url_goes_into_the_link(tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    cfg = make_config(tmp_path, server_enabled=True, server_host="127.0.0.1", server_port=0,
                      server_public_url="https://booth-7.local:8443/")
    with Handoff(cfg) as handoff:
        url = handoff.on_saved([photo], {}, None)
    assert re.fullmatch(r"https://booth-7\.local:8443/d/[A-Za-z0-9_-]{32}/", url)
