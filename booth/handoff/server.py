"""The booth-local download page: the sitter scans the QR and gets their photos on their phone.

Three small pieces:

- :class:`GrantStore` (in :mod:`.grants`) remembers, on disk, which files one link may serve and until when. A
  link's token is ``secrets.token_urlsafe`` (>= 16 bytes = 128 bits); only its sha256 is
  stored (as the grant's file name), so the grants folder does not leak working links, and a
  separate ``booth handoff serve`` process sees grants the booth issued.
- :class:`RateLimiter`: a token bucket per client IP, so nobody on the venue Wi-Fi can try
  tokens quickly or hammer the Pi.
- :class:`DownloadServer`: a stdlib ``ThreadingHTTPServer`` (HTTP, or HTTPS with a configured
  certificate) that answers only ``/d/<token>/`` (a tiny page) and ``/d/<token>/<name>``
  (one of that grant's files). Nothing else exists: no index, no listing.

Why path traversal cannot happen: the request path is matched against a strict pattern
(letters, digits, ``-``, ``_``, ``.`` in the name; no ``%``, no ``/`` beyond the two
separators, no ``..``), and the name is only ever looked up in the grant's own list. The file
served is the absolute path stored in the grant, never one built from the request.
"""

from __future__ import annotations

import html
import io
import logging
import os
import re
import shutil
import socket
import ssl
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from ..i18n import LANGUAGES, N_, gettext

# Grants live in their own module (the booth always keeps them, the page only when it is on);
# they are re-exported here, where the page's callers and tests look for them.
from .grants import NAME_RE, TOKEN_RE, Grant, GrantStore, HandoffServerError, download_name, token_digest  # noqa: F401

log = logging.getLogger(__name__)

PATH_RE = re.compile(r"/d/(?P<token>[A-Za-z0-9_-]{1,200})(?P<slash>/)?(?P<name>[^/]*)")
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
                 ".json": "application/json"}


class RateLimiter:
    """Token bucket per client IP: ``burst`` requests at once, refilled at ``per_min`` a minute."""

    MAX_CLIENTS = 4096

    def __init__(self, per_min: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate = float(per_min) / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, ip: str) -> tuple[bool, float]:
        """(allowed, seconds until the next request would be allowed)."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(ip, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if len(self._buckets) >= self.MAX_CLIENTS and ip not in self._buckets:
                # Forget the clients that have been quiet longest (their buckets are full anyway).
                for old in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: self.MAX_CLIENTS // 4]:
                    del self._buckets[old]
            if tokens >= 1.0:
                self._buckets[ip] = (tokens - 1.0, now)
                return True, 0.0
            self._buckets[ip] = (tokens, now)
            return False, (1.0 - tokens) / self.rate


_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f4f4f4;color:#222;max-width:40rem;margin:auto}}
h1{{font-size:1.4rem}} .photo{{background:#fff;border-radius:.6rem;padding:.6rem;margin:0 0 1rem}}
img{{width:100%;height:auto;border-radius:.4rem;display:block}}
a.dl{{display:block;text-align:center;padding:.9rem;margin-top:.5rem;background:#1565c0;color:#fff;
border-radius:.4rem;text-decoration:none;font-size:1.1rem}} p.small{{font-size:.85rem;color:#666}}
</style></head><body>
<h1>{title}{who}</h1>
{items}
<p class="small">{works_until}
{deleted}</p>
</body></html>
"""


#: download buttons named by use (the saved file's name ends in its crop: <stem>_1x1.jpg ...)
USE_LABELS = (("_1x1", N_("Square for LinkedIn")), ("_4x5", N_("Portrait 4:5")), ("_thumb", N_("Thumbnail")))


def button_label(name: str, tr=lambda s: s) -> str:
    """What a download button says for the file ``name``: its use, not its file name
    (``tr`` translates it into the sitter's language)."""
    stem = Path(name).stem
    for suffix, label in USE_LABELS:
        if stem.endswith(suffix):
            return tr(label)
    return tr(PAGE_DOWNLOAD).format(name=name)
PAGE_TITLE = N_("Your headshot")
PAGE_DOWNLOAD = N_("Download {name}")
PAGE_UNTIL = N_("This link works until {until} (booth time) and only on the booth's network.")
PAGE_DELETED = N_("Photos are deleted from the booth as described in its privacy note.")


def render_page(token: str, grant: Grant) -> bytes:
    """The download page, in the sitter's language (``Grant.language``)."""
    lang = grant.language if grant.language in LANGUAGES else "en"

    def tr(message: str) -> str:
        return gettext(message, lang)

    items = []
    for name, _ in grant.files:
        href = f"/d/{token}/{name}"
        preview = (f'<img src="{href}" alt="{html.escape(name)}">'
                   if Path(name).suffix.lower() in (".jpg", ".jpeg", ".png", ".webp") else "")
        items.append(f'<div class="photo">{preview}<a class="dl" href="{href}?dl=1" download="{html.escape(name)}">'
                     f"{html.escape(button_label(name, tr))}</a></div>")
    who = f" ({html.escape(grant.badge_id)})" if grant.badge_id else ""
    until = time.strftime("%H:%M", time.localtime(grant.expires_at))
    return _PAGE.format(lang=lang, title=html.escape(tr(PAGE_TITLE)), who=who, items="\n".join(items),
                        works_until=html.escape(tr(PAGE_UNTIL).format(until=until)),
                        deleted=html.escape(tr(PAGE_DELETED))).encode()


class _HeadDeadline(io.RawIOBase):
    """The socket as a raw stream whose reads stop at ``handler.deadline`` (monotonic; None =
    only the socket's own timeout): a client that drips one byte at a time cannot stretch the
    request head past the deadline, however often it sends."""

    def __init__(self, sock, handler):
        self.sock, self.handler = sock, handler

    def readable(self):
        return True

    def readinto(self, buf):
        deadline = self.handler.deadline
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("request head deadline passed")
            self.sock.settimeout(min(left, self.handler.timeout))
        try:
            return self.sock.recv_into(buf)
        finally:
            if deadline is not None:
                self.sock.settimeout(self.handler.timeout)


def _handler_class(grants: GrantStore, limiter: RateLimiter, request_timeout_s: float, head_timeout_s: float = 5.0,
                   max_body_bytes: int = 16384):
    class DownloadHandler(BaseHTTPRequestHandler):
        server_version = "booth"
        sys_version = ""
        timeout = request_timeout_s  # a slow or silent client cannot hold a thread for long
        protocol_version = "HTTP/1.1"
        deadline: float | None = None

        def setup(self):
            super().setup()  # applies ``timeout`` to the socket, so the handshake is bounded too
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.settimeout(min(head_timeout_s, request_timeout_s))
                self.connection.do_handshake()
                self.connection.settimeout(request_timeout_s)
            self.rfile = io.BufferedReader(_HeadDeadline(self.connection, self), 8192)

        def handle_one_request(self):
            # the whole request head (and, on keep-alive, the wait for it) within head_timeout_s
            self.deadline = time.monotonic() + head_timeout_s
            try:
                super().handle_one_request()
            except (socket.timeout, TimeoutError):
                self.close_connection = True

        def _body_ok(self) -> bool:
            """Read (and drop) a request body up to max_body_bytes; else refuse and close."""
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True  # chunked bodies are never read: the connection ends
                return True
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > max_body_bytes:
                self.close_connection = True
                self._small(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large")
                return False
            while length > 0:  # under the head deadline: a slow body is cut off too
                chunk = self.rfile.read(min(length, 65536))
                if not chunk:
                    self.close_connection = True
                    return False
                length -= len(chunk)
            self.deadline = None
            return True

        def log_message(self, fmt, *args):  # never log tokens
            log.debug("%s %s", self.client_address[0], re.sub(r"/d/[^/\s]+", "/d/<token>", fmt % args))

        def _headers(self, status: HTTPStatus, ctype: str, length: int, extra: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(length))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("X-Frame-Options", "DENY")
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()

        def _small(self, status: HTTPStatus, text: str, extra: dict | None = None, body: bool = True):
            data = (text + "\n").encode()
            self._headers(status, "text/plain; charset=utf-8", len(data), extra)
            if body:
                self.wfile.write(data)

        def do_GET(self):
            if self._body_ok():
                self._serve(body=True)

        def do_HEAD(self):
            if self._body_ok():
                self._serve(body=False)

        def _refuse_method(self):
            if self._body_ok():  # an unread body would be parsed as the next request
                self._small(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed", {"Allow": "GET, HEAD"})

        do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

        def _serve(self, body: bool):
            ok, wait_s = limiter.allow(self.client_address[0])
            if not ok:
                self._small(HTTPStatus.TOO_MANY_REQUESTS, "too many requests, try again shortly",
                            {"Retry-After": str(max(1, int(wait_s + 0.999)))}, body)
                return
            parts = urlsplit(self.path)
            m = PATH_RE.fullmatch(parts.path)
            grant = grants.lookup(m["token"]) if m else None
            if grant is None or m is None:
                self._small(HTTPStatus.NOT_FOUND, "not found (the link may have expired)", body=body)
                return
            token, name = m["token"], m["name"]
            if not m["slash"]:
                self._small(HTTPStatus.MOVED_PERMANENTLY, "moved", {"Location": f"/d/{token}/"}, body)
                return
            if not name:
                page = render_page(token, grant)
                self._headers(HTTPStatus.OK, "text/html; charset=utf-8", len(page))
                if body:
                    self.wfile.write(page)
                return
            path = grant.path_of(name) if NAME_RE.fullmatch(name) and ".." not in name else None
            if path is None or path.is_symlink() or not path.is_file():
                self._small(HTTPStatus.NOT_FOUND, "not found", body=body)
                return
            ctype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
            disp = "attachment" if "dl=1" in parts.query.split("&") else "inline"
            with path.open("rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                self._headers(HTTPStatus.OK, ctype, size, {"Content-Disposition": f'{disp}; filename="{name}"'})
                if body:
                    shutil.copyfileobj(fh, self.wfile, 64 * 1024)

    return DownloadHandler


class _Server(ThreadingHTTPServer):
    """One thread per connection, but at most ``max_connections`` of them, and at most
    ``max_per_address`` per client address; the per-address rate limit is applied at accept,
    before a thread is spent. Refused connections get a short 503/429 and are closed on the
    accept loop (a non-blocking send: nothing there waits on a client)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, handler, ssl_context: ssl.SSLContext | None, *, max_connections: int = 32,
                 max_per_address: int = 4, limiter: RateLimiter | None = None):
        self.ssl_context = ssl_context
        self.max_connections = max_connections
        self.max_per_address = max_per_address
        self.limiter = limiter
        self._open: dict[str, int] = {}
        self._count_lock = threading.Lock()
        self.refused = 0
        super().__init__(addr, handler)

    @property
    def open_connections(self) -> int:
        with self._count_lock:
            return sum(self._open.values())

    def verify_request(self, request, client_address) -> bool:
        ip = client_address[0]
        with self._count_lock:
            total = sum(self._open.values())
            mine = self._open.get(ip, 0)
            why = ("busy" if total >= self.max_connections else
                   "too many connections from your address" if mine >= self.max_per_address else None)
            if why is None and self.limiter is not None and not self.limiter.allow(ip)[0]:
                why = "too many requests"
            if why is None:
                self._open[ip] = mine + 1
                return True
        self.refused += 1
        status = "429 Too Many Requests" if why != "busy" else "503 Service Unavailable"
        try:
            if self.ssl_context is None:
                request.setblocking(False)
                request.send(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n"
                             f"Retry-After: 2\r\n\r\n".encode())
        except OSError:
            pass
        return False

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            ip = client_address[0]
            with self._count_lock:
                n = self._open.get(ip, 1) - 1
                if n > 0:
                    self._open[ip] = n
                else:
                    self._open.pop(ip, None)

    def get_request(self):
        sock, addr = super().get_request()
        if self.ssl_context is not None:
            # The TLS handshake runs on the handler's thread (first read), not on the accept loop.
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        log.debug("download page: request from %s failed", client_address[0], exc_info=True)


def make_ssl_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    for what, p in (("server_cert_file", cert_file), ("server_key_file", key_file)):
        if not Path(p).is_file():
            raise HandoffServerError(f"handoff.{what} = {p!r} does not exist. Fix: point it at a PEM file "
                                     "or leave both cert and key empty for plain HTTP")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(cert_file, key_file)
    except ssl.SSLError as exc:
        raise HandoffServerError(f"handoff: cannot use certificate {cert_file} with key {key_file} ({exc}). "
                                 "Fix: a PEM certificate and its matching unencrypted private key") from None
    return ctx


def lan_address() -> str:
    """The address other devices on the LAN reach this booth at (UDP connect sends no packet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 9))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


class DownloadServer:
    """Serves granted files over HTTP(S) on a background thread. ``start()`` / ``close()``."""

    def __init__(self, grants: GrantStore, host: str = "127.0.0.1", port: int = 0, *, cert_file: str = "",
                 key_file: str = "", public_url: str = "", rate_per_min: float = 60.0, burst: int = 30,
                 request_timeout_s: float = 10.0, max_connections: int = 32, max_per_address: int = 4,
                 head_timeout_s: float = 5.0, max_body_bytes: int = 16384):
        self.grants = grants
        self.host, self.port = host, int(port)
        self.ssl_context = make_ssl_context(cert_file, key_file) if cert_file else None
        self.public_url = public_url.rstrip("/")
        self.limiter = RateLimiter(rate_per_min, burst)
        self.request_timeout_s = request_timeout_s
        self.max_connections, self.max_per_address = max_connections, max_per_address
        self.head_timeout_s, self.max_body_bytes = head_timeout_s, max_body_bytes
        self.accept_limiter = RateLimiter(rate_per_min, burst)  # connections per address, at accept
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, section, grants: GrantStore) -> "DownloadServer":
        return cls(grants, section.server_host, section.server_port, cert_file=section.server_cert_file,
                   key_file=section.server_key_file, public_url=section.server_public_url,
                   rate_per_min=section.rate_limit_per_min, burst=section.rate_limit_burst,
                   request_timeout_s=section.request_timeout_s, max_connections=section.server_max_connections,
                   max_per_address=section.server_max_per_address, head_timeout_s=section.server_head_timeout_s,
                   max_body_bytes=section.server_max_body_bytes)

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_context else "http"

    @property
    def address(self) -> tuple[str, int]:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        if not isinstance(host, str):  # an AF_INET/AF_INET6 server's host is text; bytes only for AF_UNIX
            raise RuntimeError(f"server bound to a non-IP address {host!r}")
        return host, port

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url
        if self._httpd is None and self.port == 0:
            raise RuntimeError("the download server picks its port when started: call start() first")
        host, port = self.address if self._httpd else (self.host, self.port)
        if host in ("0.0.0.0", "::", ""):
            host = lan_address()
        return f"{self.scheme}://{host}:{port}"

    def url_for(self, token: str) -> str:
        return f"{self.base_url}/d/{token}/"

    def start(self) -> "DownloadServer":
        if self._httpd is not None:
            return self
        handler = _handler_class(self.grants, self.limiter, self.request_timeout_s, self.head_timeout_s,
                                 self.max_body_bytes)
        try:
            self._httpd = _Server((self.host, self.port), handler, self.ssl_context,
                                  max_connections=self.max_connections, max_per_address=self.max_per_address,
                                  limiter=self.accept_limiter)
        except OSError as exc:
            raise HandoffServerError(f"download page cannot listen on {self.host}:{self.port} ({exc.strerror}). "
                                     "Fix: choose a free handoff.server_port or stop the other program") from None
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.25},
                                        name="handoff-http", daemon=True)
        self._thread.start()
        log.info("download page at %s", self.base_url)
        return self

    def close(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._httpd = self._thread = None

    def restart(self) -> None:
        """A fresh listener after the serving thread died (the app's supervisor calls this)."""
        self.close()
        self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
