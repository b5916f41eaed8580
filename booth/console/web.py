"""The operator console as a plain WSGI application (no framework), served by waitress.

Why plain WSGI on waitress: a booth is one small, long-running, threaded process on a Pi.
waitress is pure Python, has no C extensions to build on ARM, runs a fixed pool of worker
threads (bounded memory, no event loop to share with the booth's own threads), is maintained,
and is what the download page uses, so the two share one stack. A console of six pages and
a dozen actions does not need a framework's routing, templates or ORM; everything here is
the standard library (html.escape for every value put in a page).

Every page and action needs a logged-in session (see :mod:`booth.console.auth`). Every POST
must carry the session's CSRF token and, when the browser sends one, a same-origin
``Origin``. Responses are ``no-store``, framed by nobody (``X-Frame-Options: DENY``) and run
no inline script (``Content-Security-Policy``: scripts only from ``/static/``).
"""

from __future__ import annotations

import html
import json
import logging
import mimetypes
import re
import time
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from ..errors import BoothError
from .auth import LoginLimiter, Sessions, csrf_ok, verify_password
from .records import STEM_RE, delete_capture, leads_csv, list_captures

log = logging.getLogger(__name__)

COOKIE = "booth_console"
STATIC = Path(__file__).with_name("static")
MAX_FORM = 16 * 1024
PAGES = (("status", "Status"), ("today", "Today"), ("gallery", "Gallery"), ("controls", "Controls"))

e = html.escape


class ConsoleApp:
    """``ConsoleApp(cfg, bridge)`` is a WSGI callable. ``bridge``: a ConsoleBridge (status
    snapshot, commands, today's log); ``grants``: the handoff's GrantStore (links revoked on
    delete); ``upload_configured``: whether captures go to a bucket."""

    def __init__(self, cfg, bridge, *, grants=None, clock: Callable[[], float] = time.monotonic,
                 command_timeout_s: float = 5.0):
        c = cfg.console
        self.cfg = cfg
        self.bridge = bridge
        self.grants = grants
        self.password_hash = c.password_hash
        self.sessions = Sessions(idle_s=c.session_idle_min * 60.0, clock=clock)
        self.limiter = LoginLimiter(c.login_max_failures, c.login_lockout_s, clock=clock)
        self.output_dir = Path(cfg.booth.output_dir)
        self.upload_configured = bool(cfg.handoff.s3_bucket)
        self.command_timeout_s = command_timeout_s

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ, start_response):
        try:
            status, headers, body = self.handle(environ)
        except Exception:  # noqa: BLE001 - one bad request must not take the console down
            log.exception("console: request failed")
            status, headers, body = 500, [("Content-Type", "text/plain; charset=utf-8")], b"internal error\n"
        headers = list(headers) + [
            ("Cache-Control", "no-store"),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),  # no-referrer would make forms send "Origin: null"
            ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
            ("Content-Length", str(len(body))),
        ]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    def handle(self, environ) -> tuple[int, list, bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        ip = environ.get("REMOTE_ADDR", "?")
        if path == "/favicon.ico":
            return 204, [], b""
        if path.startswith("/static/") and method == "GET":
            return self._static(path[len("/static/"):])
        if path == "/login":
            if method == "POST":
                return self._login(environ, ip)
            return self._page_login()
        token = self._cookie(environ)
        csrf = self.sessions.lookup(token)
        if csrf is None:
            if method == "GET" and not path.startswith(("/api/", "/export", "/thumb/")):
                return 303, [("Location", "/login")], b""
            return _text(401, "log in first: /login\n")
        if method == "POST":
            form = _form(environ)
            if not self._same_origin(environ) or not csrf_ok(csrf, form.get("csrf") or environ.get("HTTP_X_CSRF_TOKEN")):
                log.warning("console: refused a POST to %s from %s without a valid CSRF token", path, ip)
                return _text(403, "refused: the form's CSRF token is missing or wrong; reload the page\n")
            return self._action(path, form, token, csrf)
        if method not in ("GET", "HEAD"):
            return _text(405, "method not allowed\n")
        if path == "/":
            return 303, [("Location", "/status")], b""
        if path == "/api/status":
            return _json(self.bridge.snapshot())
        if path == "/api/today":
            return _json(self.bridge.day.summary())
        if path == "/export.csv":
            body = leads_csv(list_captures(self.output_dir, self.upload_configured)).encode("utf-8")
            name = f"leads-{self.bridge.booth_id}-{time.strftime('%Y%m%d-%H%M')}.csv"
            return 200, [("Content-Type", "text/csv; charset=utf-8"),
                         ("Content-Disposition", f'attachment; filename="{_safe(name)}"')], body
        m = re.fullmatch(r"/thumb/([^/]+)", path)
        if m:
            return self._thumb(m.group(1))
        page = path.strip("/")
        if page in dict(PAGES):
            return self._render(page, csrf)
        return _text(404, "not found\n")

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _cookie(environ) -> str | None:
        jar = SimpleCookie()
        try:
            jar.load(environ.get("HTTP_COOKIE", ""))
        except Exception:  # noqa: BLE001 - a garbled cookie is no cookie
            return None
        m = jar.get(COOKIE)
        return m.value if m else None

    @staticmethod
    def _same_origin(environ) -> bool:
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return True  # not every client sends it; the CSRF token still must match
        host = environ.get("HTTP_HOST", "")
        return urlsplit(origin).netloc == host

    def _static(self, name: str):
        if not re.fullmatch(r"[a-z0-9_-]+\.(js|css)", name) or not (STATIC / name).is_file():
            return _text(404, "not found\n")
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return 200, [("Content-Type", f"{ctype}; charset=utf-8")], (STATIC / name).read_bytes()

    def _thumb(self, stem: str):
        if not STEM_RE.fullmatch(stem) or ".." in stem:
            return _text(404, "not found\n")
        p = self.output_dir / f"{stem}_thumb.jpg"
        if not p.is_file():
            return _text(404, "not found\n")
        return 200, [("Content-Type", "image/jpeg")], p.read_bytes()

    # ------------------------------------------------------------------ login

    def _login(self, environ, ip: str):
        wait = self.limiter.retry_after(ip)
        if wait > 0:
            log.warning("console: login from %s refused for %.0f s (too many wrong passwords)", ip, wait)
            return 429, [("Retry-After", str(int(wait) + 1)), ("Content-Type", "text/html; charset=utf-8")], \
                self._login_html(f"Too many wrong passwords. Try again in {int(wait) + 1} s.")
        if not self._same_origin(environ):
            return _text(403, "refused: cross-site login\n")
        form = _form(environ)
        password = form.get("password", "")
        if not self.password_hash or not verify_password(password, self.password_hash):
            self.limiter.failed(ip)
            log.warning("console: wrong password from %s", ip)
            return 401, [("Content-Type", "text/html; charset=utf-8")], self._login_html("Wrong password.")
        self.limiter.succeeded(ip)
        token, _ = self.sessions.create()
        cookie = f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={int(self.sessions.max_age_s)}"
        if environ.get("wsgi.url_scheme") == "https" or environ.get("HTTP_X_FORWARDED_PROTO") == "https":
            cookie += "; Secure"
        log.info("console: operator logged in from %s", ip)
        return 303, [("Location", "/status"), ("Set-Cookie", cookie)], b""

    def _page_login(self):
        return 200, [("Content-Type", "text/html; charset=utf-8")], self._login_html(None)

    def _login_html(self, error: str | None) -> bytes:
        err = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
        body = f"""<main class="login"><h1>Booth {e(self.bridge.booth_id)}</h1>{err}
<form method="post" action="/login"><input type="text" name="username" value="operator" autocomplete="username" hidden>
<label>Operator password
<input type="password" name="password" autocomplete="current-password" autofocus required></label>
<button type="submit">Log in</button></form></main>"""
        return _doc("Log in", body)

    # ------------------------------------------------------------------ actions

    def _action(self, path: str, form: dict, token: str | None, csrf: str):
        if path == "/logout":
            self.sessions.end(token)
            return 303, [("Location", "/login"),
                         ("Set-Cookie", f"{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")], b""
        if path == "/gallery/delete":
            stem = form.get("stem", "")
            try:
                removed = delete_capture(self.output_dir, stem, grants=self.grants,
                                         upload_configured=self.upload_configured)
            except ValueError as err:
                return self._render("gallery", csrf, notice=str(err), status=404)
            note = f"Deleted {stem}: {len(removed)} files removed from the booth"
            if self.upload_configured:
                note += "; the uploaded copy is queued for deletion"
            return self._render("gallery", csrf, notice=note)
        m = re.fullmatch(r"/controls/(pause|resume|profile|lights_test|reload)", path)
        if m:
            kind = m.group(1)
            arg = form.get("profile") if kind == "profile" else None
            try:
                result = self.bridge.submit(kind, arg).result(timeout=self.command_timeout_s)
                return self._render("controls", csrf, notice=result)
            except BoothError as err:
                return self._render("controls", csrf, notice=f"booth: {err}", status=409, error=True)
            except ValueError as err:  # an unknown profile name
                return self._render("controls", csrf, notice=f"booth: {err}", status=400, error=True)
            except TimeoutError:
                return self._render("controls", csrf, notice="the booth did not answer in time (is it running?)",
                                    status=504, error=True)
        return _text(404, "not found\n")

    # ------------------------------------------------------------------ pages

    def _render(self, page: str, csrf: str, notice: str | None = None, status: int = 200, error: bool = False):
        nav = "".join(f'<a href="/{p}"{" aria-current=page" if p == page else ""}>{e(t)}</a>' for p, t in PAGES)
        nav += '<a href="/export.csv" download>Export CSV</a>'
        nav += (f'<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{e(csrf)}">'
                '<button type="submit" class="link">Log out</button></form>')
        note = f'<p class="{"error" if error else "notice"}" role="status">{e(notice)}</p>' if notice else ""
        content = getattr(self, f"_content_{page}")(csrf)
        body = (f'<header><strong>Booth {e(self.bridge.booth_id)}</strong><nav>{nav}</nav></header>'
                f'<main data-page="{page}">{note}{content}</main>')
        return status, [("Content-Type", "text/html; charset=utf-8")], _doc(dict(PAGES)[page], body, script=True)

    def _content_status(self, csrf: str) -> str:
        s = self.bridge.snapshot()
        return f"""<h1>Status</h1>
<section class="cards" id="status" data-live="/api/status">
{_card("state", "State", s.get("state", "starting"))}
{_card("camera_fps", "Camera fps", s.get("camera_fps"))}
{_card("analysis_fps", "Analysis fps", s.get("analysis_fps"))}
{_card("latency_ms_p50", "Latency p50 ms", s.get("latency_ms_p50"))}
{_card("disk_free_mb", "Disk free MB", s.get("disk_free_mb"))}
{_card("outbox", "Upload backlog", (s.get("outbox") or {}).get("pending", "off") if s.get("outbox") else "off")}
{_card("sessions", "Sessions (all time)", (s.get("counters") or {}).get("sessions"))}
{_card("captures", "Captures (all time)", (s.get("counters") or {}).get("captures"))}
{_card("uptime", "Uptime", _duration(s.get("uptime_s")))}
{_card("printer", "Printer", (s.get("printer") or {}).get("summary", "off") if s.get("printer") else "off")}
</section>
<h2>Lights</h2><div id="lights" class="bars">{_light_bars(s.get("lights") or {})}</div>
<h2>Last errors</h2><ul id="errors" class="errors">{_error_items(s.get("errors") or [])}</ul>
<h2>Versions</h2><dl class="versions"><dt>booth</dt><dd id="version">{e(str(s.get("version", "")))}</dd>
<dt>TFLite runtime</dt><dd>{e(str(s.get("runtime", "")))}</dd><dt>camera</dt><dd>{e(str(s.get("camera", "")))}</dd>
{"".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in (s.get("models") or {}).items())}</dl>
<p class="small">Updated <span id="updated">now</span> (every second).</p>"""

    def _content_today(self, csrf: str) -> str:
        d = self.bridge.day.summary()
        rate = "-" if d["abandon_rate"] is None else f"{d['abandon_rate']:.0%}"
        med = "-" if d["median_time_to_capture_s"] is None else f"{d['median_time_to_capture_s']:.1f} s"
        return f"""<h1>Today</h1>
<section class="cards" id="today">
{_card("t_sessions", "Sessions", d["sessions"])}{_card("t_captures", "Captures", d["captures"])}
{_card("t_kept", "Photos kept", d["kept"])}{_card("t_retakes", "Retakes", d["retakes"])}
{_card("t_abandon", "Abandon rate", rate)}{_card("t_median", "Median time to capture", med)}
</section>
<h2>Captures per hour</h2>{bar_chart_svg([str(h) for h in range(24)], d["captures_per_hour"], "captures", "hour of the day")}
<h2>Time to capture</h2>{bar_chart_svg(_hist_labels(d["time_to_capture_hist"]["edges_s"]),
                                        d["time_to_capture_hist"]["counts"], "sessions", "seconds from stepping in to the photo")}"""

    def _content_gallery(self, csrf: str) -> str:
        records = list_captures(self.output_dir, self.upload_configured, limit=60)
        if not records:
            return "<h1>Gallery</h1><p>No photos on the booth.</p>"
        items = []
        for r in records:
            img = (f'<img src="/thumb/{e(r.stem)}" alt="photo {e(r.stem)}" loading="lazy" width="160" height="160">'
                   if r.thumbnail else '<div class="nothumb">no thumbnail</div>')
            items.append(f"""<li class="capture" data-stem="{e(r.stem)}">{img}
<div class="meta"><span class="badge">{e(r.badge_id or "no badge")}</span>
<span class="time">{e(r.saved_at[11:19] if len(r.saved_at) >= 19 else r.saved_at)}</span>
<span class="upload upload-{e(r.upload)}">{e("upload off" if r.upload == "off" else r.upload)}</span></div>
<form method="post" action="/gallery/delete" class="delete" data-confirm="Delete this photo for good (a privacy request)?">
<input type="hidden" name="csrf" value="{e(csrf)}"><input type="hidden" name="stem" value="{e(r.stem)}">
<button type="submit" class="danger">Delete</button></form></li>""")
        return f'<h1>Gallery</h1><p class="small">{len(records)} most recent</p><ul class="gallery">{"".join(items)}</ul>'

    def _content_controls(self, csrf: str) -> str:
        s = self.bridge.snapshot()
        paused = bool(s.get("paused"))
        profile = s.get("profile") or self.cfg.profile.value
        hidden = f'<input type="hidden" name="csrf" value="{e(csrf)}">'
        opts = "".join(f'<option value="{p}"{" selected" if p == profile else ""}>{p}</option>'
                       for p in ("badge", "professional", "actor"))
        # Both buttons are there; the one that does not apply now is disabled (the live status
        # script flips them as the booth's state changes).
        toggle = (f'<form method="post" action="/controls/pause">{hidden}<button type="submit" id="pause"'
                  f'{" disabled" if paused else ""}>Pause (out of service)</button></form>'
                  f'<form method="post" action="/controls/resume">{hidden}<button type="submit" id="resume"'
                  f'{"" if paused else " disabled"}>Resume</button></form>')
        return f"""<h1>Controls</h1>
<p>The booth is <strong id="ctl-state">{e(s.get("state", "starting"))}</strong>.</p>
<section class="controls">{toggle}
<form method="post" action="/controls/profile">{hidden}<label>Profile <select name="profile">{opts}</select></label>
<button type="submit" id="switch">Switch profile</button></form>
<form method="post" action="/controls/lights_test">{hidden}<button type="submit" id="lights-test">Lights test</button></form>
<form method="post" action="/controls/reload">{hidden}<button type="submit" id="reload">Reload config</button>
<span class="small">validates the config file first; shows the error as <code>booth config</code> does</span></form>
</section>"""


# --------------------------------------------------------------------------- small pieces


def _doc(title: str, body: str, script: bool = False) -> bytes:
    js = '<script src="/static/console.js" defer></script>' if script else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{e(title)} - booth console</title><link rel="stylesheet" href="/static/console.css">{js}</head>'
            f'<body>{body}</body></html>').encode("utf-8")


def _card(key: str, label: str, value) -> str:
    v = "-" if value is None else (value.replace("_", " ") if key == "state" and isinstance(value, str) else value)
    return f'<div class="card"><div class="label">{e(label)}</div><div class="value" data-key="{e(key)}">{e(str(v))}</div></div>'


def _light_bars(levels: dict) -> str:
    if not levels:
        return '<p class="small">no light levels yet</p>'
    return "".join(f'<div class="bar"><span>{e(k)}</span><meter min="0" max="1" value="{float(v):.3f}"></meter>'
                   f'<span>{float(v):.2f}</span></div>' for k, v in sorted(levels.items()))


def _error_items(errors: list) -> str:
    if not errors:
        return "<li class=small>none</li>"
    return "".join(f'<li class="{e(x["level"])}"><time>{e(x["t"])}</time> {e(x["message"])}</li>' for x in errors)


def _duration(s) -> str:
    if s is None:
        return "-"
    s = int(s)
    return f"{s // 3600}h {s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m {s % 60:02d}s"


def _hist_labels(edges: list) -> list[str]:
    return [f"{a}-{b}" for a, b in zip(edges, edges[1:])] + [f"{edges[-1]}+"]


def bar_chart_svg(labels: list[str], values: list[int], unit: str, xlabel: str) -> str:
    """A bar chart as inline SVG (no script, scales with the page)."""
    w, h, left, bottom, top = 640, 220, 36, 40, 14
    n = max(1, len(values))
    peak = max(values) if values and max(values) > 0 else 1
    bw = (w - left - 8) / n
    parts = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{e(xlabel)}">']
    for frac in (0.0, 0.5, 1.0):
        y = h - bottom - frac * (h - bottom - top)
        parts.append(f'<line x1="{left}" x2="{w - 4}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">{round(frac * peak, 1):g}</text>')
    for i, (lab, v) in enumerate(zip(labels, values)):
        bh = (h - bottom - top) * v / peak
        x = left + i * bw
        parts.append(f'<rect x="{x + bw * 0.12:.1f}" y="{h - bottom - bh:.1f}" width="{bw * 0.76:.1f}" height="{bh:.1f}" '
                     f'class="barfill"><title>{e(lab)}: {v} {e(unit)}</title></rect>')
        if v:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{h - bottom - bh - 3:.1f}" text-anchor="middle" class="val">{v}</text>')
        if n <= 12 or i % 3 == 0:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{h - bottom + 14}" text-anchor="middle" class="axis">{e(lab)}</text>')
    parts.append(f'<text x="{(w + left) / 2:.0f}" y="{h - 6}" text-anchor="middle" class="axis">{e(xlabel)}</text></svg>')
    return "".join(parts)


def _form(environ) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    return {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _text(status: int, text: str):
    return status, [("Content-Type", "text/plain; charset=utf-8")], text.encode("utf-8")


def _json(data) -> tuple[int, list, bytes]:
    return 200, [("Content-Type", "application/json")], json.dumps(data, default=str).encode("utf-8")
