"""Printing kept photos through CUPS (``[print]``): badge cards (CR80) and 4x6 photo prints.

::

    printer = Printer(cfg.print).start()
    printer.submit_files(saved_files, badge_id)   # from any thread; returns at once
    printer.status()                              # for the console: printed, failed, last error
    printer.close()

The page is composed here (Pillow) at the media's exact size and ``dpi``: the photo fitted
inside a 3 mm margin at the top, and under it an optional line with the badge ID. It goes to
CUPS as a one-page PDF with ``lp -d <printer> -n <copies> -o media=Custom.<w>x<h>mm``.

A print never holds up the booth: jobs wait in a small bounded queue for one worker thread
(the oldest is dropped, logged, when the queue is full), ``lp`` has ``timeout_s`` to accept a
job, and every failure (no CUPS, an unknown or stopped printer, a timeout) is counted, logged
and shown on the console. A stopped queue in CUPS still accepts jobs: they wait in CUPS, and
the console shows the printer as stopped (``lpstat -p``).
"""

from __future__ import annotations

import logging
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: media name -> (width mm, height mm), portrait
MEDIA_MM = {"cr80": (53.98, 85.6), "4x6": (101.6, 152.4)}
MARGIN_MM = 3.0
LINE_FRACTION = 0.12  # of the page height, for the name/ID line


class PrintError(Exception):
    pass


@dataclass(frozen=True)
class Placement:
    """Where the photo and the name line sit on the page, in pixels at ``dpi``."""

    page_px: tuple[int, int]
    photo_box: tuple[int, int, int, int]  # x, y, w, h
    line_box: tuple[int, int, int, int] | None


def mm_to_px(mm: float, dpi: int) -> int:
    return int(round(mm / 25.4 * dpi))


def layout(media: str, dpi: int, photo_size: tuple[int, int], with_line: bool) -> Placement:
    """The photo fitted (aspect kept) into the page less its margins and the line, centred
    horizontally, at the top."""
    wmm, hmm = MEDIA_MM[media]
    pw, ph = mm_to_px(wmm, dpi), mm_to_px(hmm, dpi)
    m = mm_to_px(MARGIN_MM, dpi)
    line_h = int(ph * LINE_FRACTION) if with_line else 0
    aw, ah = pw - 2 * m, ph - 2 * m - line_h
    iw, ih = photo_size
    scale = min(aw / iw, ah / ih)
    w, h = int(iw * scale), int(ih * scale)
    x, y = (pw - w) // 2, m
    line = (m, y + h, pw - 2 * m, line_h) if with_line else None
    return Placement((pw, ph), (x, y, w, h), line)


def compose_pdf(photo: Path, out: Path, media: str, dpi: int, line: str | None) -> Placement:
    from PIL import Image, ImageDraw, ImageFont

    with Image.open(photo) as opened:
        im = opened.convert("RGB")
        place = layout(media, dpi, im.size, bool(line))
        page = Image.new("RGB", place.page_px, (255, 255, 255))
        x, y, w, h = place.photo_box
        page.paste(im.resize((w, h), Image.Resampling.LANCZOS), (x, y))
    if line and place.line_box is not None:
        lx, ly, lw, lh = place.line_box
        draw = ImageDraw.Draw(page)
        size = max(8, int(lh * 0.5))
        try:
            font = ImageFont.load_default(size=size)
        except TypeError:  # Pillow < 10.1
            font = ImageFont.load_default()
        tw = draw.textlength(line, font=font)
        draw.text((lx + (lw - tw) / 2, ly + (lh - size) / 2), line, fill=(0, 0, 0), font=font)
    page.save(out, "PDF", resolution=float(dpi))
    return place


def pick_photo(files) -> Path | None:
    """The crop to print from a capture's files: 4:5 (portrait) first, then 1:1; never the thumbnail."""
    jpgs = [Path(f) for f in files if str(f).lower().endswith((".jpg", ".jpeg")) and not Path(f).stem.endswith("_thumb")]
    for suffix in ("_4x5", "_1x1"):
        for p in jpgs:
            if p.stem.endswith(suffix):
                return p
    return jpgs[0] if jpgs else None


def _run(cmd: list[str], timeout_s: float) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group; on timeout the whole group is killed (nothing of
    a hung lp is left behind) and TimeoutExpired raised."""
    import signal

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


class Printer:
    def __init__(self, section, *, lp: str = "lp", lpstat: str = "lpstat", queue_size: int = 8):
        self.section = section
        self.lp, self.lpstat = lp, lpstat
        self._q: queue.Queue = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.printed = 0
        self.failed = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.last_job: str | None = None
        self.queue_state: str | None = None
        self._state_checked = 0.0
        self._tmp: Path | None = None  # made on the first print, removed by close()

    @property
    def tmp(self) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="booth-print-"))
        return self._tmp

    # -- any thread
    def submit_files(self, files, badge_id: str | None) -> bool:
        photo = pick_photo(files)
        if photo is None:
            return False
        return self.submit(photo, badge_id)

    def submit(self, photo: Path, badge_id: str | None = None) -> bool:
        """Queue one print; returns at once (False when a print had to be dropped)."""
        item = (Path(photo), badge_id)
        try:
            self._q.put_nowait(item)
            return True
        except queue.Full:
            try:
                old = self._q.get_nowait()
                log.error("print queue full: dropped the print of %s", old[0].name)
            except queue.Empty:
                pass
            with self._lock:
                self.dropped += 1
                self.failed += 1
                self.last_error = "the print queue was full: a print was dropped (is the printer out of paper?)"
            try:
                self._q.put_nowait(item)
            except queue.Full:
                return False
            return False

    def status(self) -> dict:
        """What the console shows (never waits on CUPS: the worker refreshes the queue state)."""
        with self._lock:
            bits = [self.queue_state or "unknown", f"{self.printed} printed"]
            if self.failed:
                bits.append(f"{self.failed} failed")
            return {"printer": self.section.printer or "(default)", "media": self.section.media,
                    "printed": self.printed, "failed": self.failed, "waiting": self._q.qsize(),
                    "queue_state": self.queue_state, "last_error": self.last_error, "last_job": self.last_job,
                    "summary": ", ".join(bits)}

    # -- the worker
    def start(self) -> "Printer":
        if shutil.which(self.lp) is None:
            self.last_error = f"{self.lp} not found: install CUPS (apt install cups-client) or set [print] enabled = false"
            log.error("printing: %s", self.last_error)
        self._thread = threading.Thread(target=self._run, name="printer", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            if time.monotonic() - self._state_checked > 10.0:
                self._state_checked = time.monotonic()
                state = self._queue_state()
                with self._lock:
                    self.queue_state = state
            try:
                photo, badge_id = self._q.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                job = self.print_one(photo, badge_id)
                with self._lock:
                    self.printed += 1
                    self.last_job = job
                log.info("printed %s as %s", photo.name, job)
            except Exception as exc:  # noqa: BLE001 - a print failure never reaches the booth's loop
                with self._lock:
                    self.failed += 1
                    self.last_error = f"printing {photo.name} failed: {exc}"
                log.error("printing: %s", self.last_error)

    def print_one(self, photo: Path, badge_id: str | None) -> str:
        s = self.section
        pdf = self.tmp / f"{photo.stem}.pdf"
        line = badge_id if (s.name_line and badge_id) else None
        compose_pdf(photo, pdf, s.media, s.dpi, line)
        w, h = MEDIA_MM[s.media]
        cmd = [self.lp, "-n", str(s.copies), "-t", f"booth-{photo.stem}", "-o", f"media=Custom.{w:g}x{h:g}mm",
               "-o", "print-scaling=none"]
        if s.printer:
            cmd[1:1] = ["-d", s.printer]
        cmd.append(str(pdf))
        try:
            out = _run(cmd, s.timeout_s)
        except subprocess.TimeoutExpired:
            raise PrintError(f"lp did not answer within {s.timeout_s:g} s (is CUPS running?)") from None
        except OSError as exc:
            raise PrintError(f"cannot run {self.lp}: {exc.strerror or exc}") from None
        finally:
            pdf.unlink(missing_ok=True)
        if out.returncode != 0:
            raise PrintError((out.stderr or out.stdout).strip().splitlines()[-1] if (out.stderr or out.stdout).strip()
                             else f"lp exited with {out.returncode}")
        m = re.search(r"request id is (\S+)", out.stdout)
        return m.group(1) if m else out.stdout.strip()

    def _queue_state(self) -> str | None:
        cmd = [self.lpstat, "-p"] + ([self.section.printer] if self.section.printer else [])
        try:
            out = _run(cmd, 3.0)
        except (OSError, subprocess.TimeoutExpired):
            return "no CUPS"
        text = (out.stdout + out.stderr).lower()
        if "disabled" in text:
            return "stopped"
        if "idle" in text:
            return "ready"
        if "printing" in text or "now printing" in text:
            return "printing"
        return "unknown printer" if out.returncode else "unknown"

    def close(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
