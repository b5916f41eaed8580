"""The one object the app talks to: :class:`Handoff`.

::

    handoff = Handoff(cfg)                 # reads cfg.handoff and cfg.booth.output_dir
    handoff.start()                        # download page, upload worker, retention sweeps
    url = handoff.on_saved(paths, sidecar, badge_id)   # after the store wrote a capture
    if url:
        qr = handoff.qr_image(url)         # RGB uint8 for the thank-you screen
    handoff.close()

Everything is off unless configured: with the defaults ``on_saved`` uploads nothing, offers no
link and returns None, and the booth behaves as it did without this room.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .badge import BadgeError, BadgeScanBuffer, BadgeValidator, EvdevBadgeReader, ScanResult
from .outbox import Outbox
from .qr import qr_rgb
from .retention import purge
from .grants import GrantStore

log = logging.getLogger(__name__)

DOWNLOADABLE = {".jpg", ".jpeg", ".png", ".webp"}


class Handoff:
    """Badge IDs in, photos out: QR download links, the upload outbox, retention."""

    def __init__(self, cfg, *, remote=None, on_badge: Callable[[ScanResult], None] | None = None,
                 clock: Callable[[], float] = time.time):
        self.cfg = cfg
        h = cfg.handoff
        self.output_dir = Path(cfg.booth.output_dir)
        self.validator = BadgeValidator(h.badge_pattern)
        self.scan_buffer = BadgeScanBuffer(h.badge_pattern, h.badge_scan_gap_s)
        self.on_badge = on_badge
        self.clock = clock
        self.grants = GrantStore(self.output_dir / ".handoff" / "grants", h.token_bytes, clock)
        self.server = None
        if h.server_enabled:  # imported only then: the stdlib's HTTP and TLS cost 60 ms of start-up
            from .server import DownloadServer

            self.server = DownloadServer.from_config(h, self.grants)
        self.outbox = Outbox.from_config(cfg, remote, clock=clock) if h.s3_bucket else None
        self._reader: EvdevBadgeReader | None = None
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self.sweep_busy_since: float | None = None

    @property
    def badge_required(self) -> bool:
        return self.cfg.handoff.badge_required

    # ------------------------------------------------------------------ badge

    def check_badge(self, text: str) -> ScanResult:
        """Validate an ID typed on the touch screen (scanners go through ``scan_buffer``)."""
        return self.validator.check(text)

    # ------------------------------------------------------------------ after a save

    def on_saved(self, paths: list[Path], sidecar: dict, badge_id: str | None) -> str | None:
        """A capture is on disk: queue its upload, offer it for download. Returns the link or None.

        ``paths`` are the capture's files as the store wrote them (crops, thumbnail and, if it
        wrote one, the ``.json`` sidecar file, which is then uploaded as it is; otherwise the
        ``sidecar`` dict is uploaded as ``<stem>.json``). ``badge_id`` must be an accepted ID (or
        None); it is added to the uploaded sidecar dict. The link offers the crops (not the
        thumbnail or the sidecar).
        """
        paths = [Path(p) for p in paths]
        if badge_id is not None and not self.validator.check(badge_id).ok:
            raise BadgeError(f"badge ID {badge_id!r} does not match handoff.badge_pattern; "
                             "only IDs accepted by the scanner check may name photos")
        sidecar = dict(sidecar)
        if badge_id is not None:
            sidecar["badge_id"] = badge_id
        # upload follows the consent (booth/consent.py): with consent asked, only a capture whose
        # sitter agreed to a text that said a copy is uploaded goes to the outbox
        agreed_upload = bool((sidecar.get("consent") or {}).get("upload"))
        if self.outbox is not None and (agreed_upload or not self.cfg.consent.enabled):
            self.outbox.enqueue(paths, sidecar, badge_id)
        if self.server is None:
            return None
        images = [p for p in paths if p.suffix.lower() in DOWNLOADABLE]
        offered = [p for p in images if not p.stem.endswith("_thumb")] or images or paths
        token = self.grants.issue(offered, self.cfg.handoff.token_ttl_s, badge_id,
                                  language=str(sidecar.get("language") or self.cfg.ui.language))
        return self.server.url_for(token)

    def qr_image(self, url: str, module_px: int = 8) -> np.ndarray:
        """The QR code for ``url`` as (H, W, 3) RGB uint8."""
        return qr_rgb(url, module_px=module_px)

    # ------------------------------------------------------------------ lifecycle

    def sweep(self) -> None:
        """Purge expired links and photos past retention (also runs every sweep_interval_s)."""
        self.grants.purge_expired()
        purge(self.output_dir, self.cfg.booth.retention_hours, upload_configured=self.outbox is not None,
              now=self.clock())

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self.cfg.handoff.sweep_interval_s):
            self.sweep_busy_since = time.monotonic()
            try:
                self.sweep()
            except Exception as exc:  # noqa: BLE001 - purging is a privacy promise: keep sweeping
                log.exception("handoff: retention sweep failed (%s); next sweep in %g s", exc,
                              self.cfg.handoff.sweep_interval_s)
            finally:
                self.sweep_busy_since = None

    def _start_sweeper(self) -> None:
        self._sweeper = threading.Thread(target=self._sweep_loop, name="handoff-sweep", daemon=True)
        self._sweeper.start()

    def _restart_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self._reader = EvdevBadgeReader(self.cfg.handoff.badge_device, self.scan_buffer, self.on_badge or (lambda _: None))
        self._reader.start()

    def workers(self) -> list[dict]:
        """The long-lived threads, for the app's supervisor (booth/supervisor.py): retention
        sweeper, upload worker, badge scanner, download server. None of them is required for
        taking photos, so each is restarted with backoff when it dies."""
        out = [dict(name="retention", thread=lambda: self._sweeper, heartbeat=lambda: self.sweep_busy_since,
                    restart=self._start_sweeper, required=False)]
        if self.outbox is not None:
            out.append(dict(name="outbox", thread=lambda: self.outbox._thread, restart=self.outbox.restart,
                            required=False))
        if self._reader is not None:
            out.append(dict(name="badge-scanner", thread=lambda: self._reader._thread if self._reader else None,
                            restart=self._restart_reader, required=False))
        if self.server is not None:
            out.append(dict(name="download-server", thread=lambda: self.server._thread, restart=self.server.restart,
                            required=False))
        return out

    def start(self) -> "Handoff":
        self._stop.clear()
        if self.outbox is not None:
            self.outbox.start()
        if self.server is not None:
            self.server.start()
        if self.cfg.handoff.badge_device and self.on_badge is not None:
            self._reader = EvdevBadgeReader(self.cfg.handoff.badge_device, self.scan_buffer, self.on_badge)
            self._reader.start()
        self._start_sweeper()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self.server is not None:
            self.server.close()
        if self.outbox is not None:
            self.outbox.close()
        if self._sweeper is not None:
            self._sweeper.join(timeout=2.0)
            self._sweeper = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
