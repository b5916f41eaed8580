"""`booth handoff ...`: the download page, the upload outbox, retention, QR and badge checks."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..handoff.server import DownloadServer


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("handoff", help="download page, upload outbox, retention, badge IDs",
                       description="Getting photos to their owners: see booth/handoff/README.md.")
    hs = p.add_subparsers(dest="handoff_command", metavar="ACTION", required=True)

    s = hs.add_parser("serve", help="run the QR download page in the foreground (needs handoff.server_enabled)")
    s.set_defaults(handler=_serve)

    o = hs.add_parser("outbox", help="the upload outbox")
    osub = o.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    st = osub.add_parser("status", help="pending / uploaded / failed captures and the last error")
    st.set_defaults(handler=_outbox_status)
    fl = osub.add_parser("flush", help="upload everything pending now (exit 2 if some remain)")
    fl.add_argument("--timeout", type=float, default=120.0, metavar="S", help="give up after S seconds (default 120)")
    fl.set_defaults(handler=_outbox_flush)

    pu = hs.add_parser("purge", help="apply retention now (booth.retention_hours)")
    pu.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    pu.set_defaults(handler=_purge)

    ln = hs.add_parser("link", help="issue a download link for files (prints the URL)")
    ln.add_argument("files", nargs="+")
    ln.add_argument("--badge", default=None, help="attendee ID shown on the page")
    ln.set_defaults(handler=_link)

    q = hs.add_parser("qr", help="write the QR code of a URL as PNG")
    q.add_argument("url")
    q.add_argument("-o", "--out", required=True, help="PNG file to write")
    q.set_defaults(handler=_qr)

    b = hs.add_parser("badge", help="check IDs against handoff.badge_pattern (exit 2 if any is refused)")
    b.add_argument("ids", nargs="+")
    b.set_defaults(handler=_badge)


def _require_server(cfg):
    from ..handoff.server import HandoffServerError

    if not cfg.handoff.server_enabled:
        raise HandoffServerError("the download page is off. Fix: set [handoff] server_enabled = true in the config")


def _server(handoff) -> DownloadServer:
    """The handoff's download server (there is one whenever server_enabled is true)."""
    from ..handoff.server import HandoffServerError

    if handoff.server is None:
        raise HandoffServerError("the download page is off. Fix: set [handoff] server_enabled = true in the config")
    return handoff.server


def _serve(args) -> int:
    import threading

    from . import load_config_from_args
    from ..handoff.service import Handoff

    cfg = load_config_from_args(args)
    _require_server(cfg)
    handoff = Handoff(cfg)
    server = _server(handoff)
    server.start()
    print(f"download page: {server.base_url}/d/<token>/  (Ctrl-C stops)", flush=True)
    stop = threading.Event()
    try:
        while not stop.wait(cfg.handoff.sweep_interval_s):
            handoff.grants.purge_expired()
    finally:
        server.close()
    return 0


def _outbox(cfg):
    from ..handoff.outbox import Outbox, OutboxError

    if not cfg.handoff.s3_bucket:
        raise OutboxError("upload is off. Fix: set [handoff] s3_bucket (and s3_endpoint for a non-AWS server)")
    return Outbox.from_config(cfg)


def _outbox_status(args) -> int:
    from . import load_config_from_args

    box = _outbox(load_config_from_args(args))
    print("\n".join(box.status().lines()))
    return 0


def _outbox_flush(args) -> int:
    from . import load_config_from_args

    box = _outbox(load_config_from_args(args))
    left = box.flush(timeout_s=args.timeout)
    print("\n".join(box.status().lines()))
    return 0 if left == 0 else 2


def _purge(args) -> int:
    from . import load_config_from_args
    from ..handoff.retention import purge

    cfg = load_config_from_args(args)
    report = purge(cfg.booth.output_dir, cfg.booth.retention_hours, bool(cfg.handoff.s3_bucket), dry_run=args.dry_run)
    for p in report.deleted:
        print(("would delete " if args.dry_run else "deleted ") + str(p))
    print(report.summary())
    return 0


def _link(args) -> int:
    from pathlib import Path

    from . import load_config_from_args
    from ..handoff.service import Handoff

    cfg = load_config_from_args(args)
    _require_server(cfg)
    handoff = Handoff(cfg)
    token = handoff.grants.issue([Path(f) for f in args.files], cfg.handoff.token_ttl_s, args.badge)
    print(_server(handoff).url_for(token))
    return 0


def _qr(args) -> int:
    from pathlib import Path

    from ..atomic import write_bytes_atomic
    from ..handoff.qr import qr_png

    write_bytes_atomic(Path(args.out), qr_png(args.url))
    return 0


def _badge(args) -> int:
    from . import load_config_from_args
    from ..handoff.badge import BadgeValidator, badge_safe_name

    validator = BadgeValidator(load_config_from_args(args).handoff.badge_pattern)
    bad = 0
    for raw in args.ids:
        res = validator.check(raw)
        if res.ok:
            print(f"ok      {raw!r} -> file name part {badge_safe_name(res.badge_id or '')!r}")
        else:
            bad += 1
            print(f"refused {raw!r}: {res.reason}")
    return 2 if bad else 0
