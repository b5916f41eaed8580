"""Printing through a real CUPS server on this machine: a private cupsd (its own config,
spool and socket, started here), Debian's cups-pdf as a virtual PDF printer. The printed
PDF's page size and where the photo sits on it are measured; a stopped queue and a hung
``lp`` never hold up the caller."""

from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from booth.config import PrintSection
from booth.output.printing import MARGIN_MM, MEDIA_MM, Printer, layout, pick_photo

PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
QUEUE = "booth_test_pdf"


def _need(cond, why):
    if not cond:
        pytest.skip(why)


@pytest.fixture(scope="module")
def cups():
    """A private cupsd with one cups-pdf queue; CUPS_SERVER points the clients at it. Its
    folders are outside pytest's 0700 tmp tree: cupsd's filters run as user lp and must reach
    the spool (they print blank pages when they cannot)."""
    _need(os.geteuid() == 0, "a private cupsd with the cups-pdf backend needs root")
    for tool in ("cupsd", "lpadmin", "lp", "lpstat", "cupsdisable", "pdftoppm"):
        _need(shutil.which(tool), f"{tool} not found: Debian's cups, printer-driver-cups-pdf and poppler-utils "
                                  "(scripts/apt.d/console.txt; test.sh installs them as root)")
    _need(PPD.exists() and Path("/usr/lib/cups/backend/cups-pdf").exists(), "printer-driver-cups-pdf is not installed")
    d = Path(tempfile.mkdtemp(prefix="booth-cups-"))
    d.chmod(0o755)
    for sub in ("conf", "spool", "cache", "state", "log"):
        (d / sub).mkdir()
    sock = d / "cups.sock"
    (d / "conf" / "cupsd.conf").write_text(f"""Listen {sock}
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""")
    (d / "conf" / "cups-files.conf").write_text(f"""ServerRoot {d}/conf
RequestRoot {d}/spool
CacheDir {d}/cache
StateDir {d}/state
TempDir {d}/spool
ErrorLog {d}/log/error_log
AccessLog {d}/log/access_log
PageLog {d}/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
User lp
Group lp
SystemGroup root
""")
    os.chmod(d / "spool", 0o777)
    proc = subprocess.Popen(["cupsd", "-f", "-c", str(d / "conf" / "cupsd.conf"), "-s", str(d / "conf" / "cups-files.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(os.environ, CUPS_SERVER=str(sock))
    try:
        end = time.monotonic() + 15
        while time.monotonic() < end:
            if sock.exists() and subprocess.run(["lpstat", "-r"], env=env, capture_output=True, text=True).stdout.startswith(
                    "scheduler is running"):
                break
            time.sleep(0.1)
        else:
            pytest.fail("cupsd did not start: " + (d / "log" / "error_log").read_text()[-500:] if (d / "log" / "error_log").exists() else "")
        subprocess.run(["lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-P", str(PPD)], env=env, check=True,
                       capture_output=True, timeout=20)
        old = os.environ.get("CUPS_SERVER")
        os.environ["CUPS_SERVER"] = str(sock)
        yield d
    finally:
        if "old" in locals():
            if old is None:
                os.environ.pop("CUPS_SERVER", None)
            else:
                os.environ["CUPS_SERVER"] = old
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        shutil.rmtree(d, ignore_errors=True)


def pdf_out_dir() -> Path:
    """Where Debian's cups-pdf puts a job of this user: ~/PDF (its /etc/cups/cups-pdf.conf)."""
    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / "PDF"


def wait_for_pdf(job: str, timeout=40.0) -> Path:
    n = job.rsplit("-", 1)[-1]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        hits = list(pdf_out_dir().glob(f"*job_{n}.pdf")) if pdf_out_dir().exists() else []
        if hits and hits[0].stat().st_size > 0:
            time.sleep(0.3)  # cups-pdf renames into place; let it finish
            return hits[0]
        time.sleep(0.2)
    raise AssertionError(f"no PDF for job {job} in {pdf_out_dir()}")


def photo(tmp_path: Path, size=(800, 1000)) -> Path:
    """A 4:5 'photo': a dark blue field with a yellow square at the top left (orientation)."""
    a = np.zeros((size[1], size[0], 3), np.uint8)
    a[:] = (20, 40, 140)
    a[:100, :100] = (240, 220, 0)
    p = tmp_path / "20260101-120000_00001_A1001_4x5.jpg"
    Image.fromarray(a).save(p, quality=95)
    return p


def measure(pdf: Path, tmp_path: Path, dpi=100):
    """(page size in points, the photo's box in mm: x, y, w, h, grey page pixels)."""
    from pypdf import PdfReader

    box = PdfReader(str(pdf)).pages[0].mediabox
    size_pt = (float(box.width), float(box.height))
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True,
                   timeout=30)
    img = np.asarray(Image.open(tmp_path / "page.png").convert("RGB")).astype(int)
    blue = (img[:, :, 2] > 100) & (img[:, :, 0] < 80)
    ys, xs = np.nonzero(blue | ((img[:, :, 0] > 200) & (img[:, :, 2] < 80)))
    mm = 25.4 / dpi
    return size_pt, (xs.min() * mm, ys.min() * mm, (xs.max() + 1 - xs.min()) * mm, (ys.max() + 1 - ys.min()) * mm), img


def section(**kw) -> PrintSection:
    return dataclasses.replace(PrintSection(enabled=True, printer=QUEUE, media="cr80"), **kw)


@pytest.mark.parametrize("media", ["cr80", "4x6"])
def test_a_print_lands_on_the_media_with_the_photo_where_the_layout_puts_it(cups, tmp_path, media, artifacts_dir):
    printer = Printer(section(media=media))
    job = printer.print_one(photo(tmp_path), badge_id="A1001")
    pdf = wait_for_pdf(job)
    try:
        size_pt, (x, y, w, h), img = measure(pdf, tmp_path)
        wmm, hmm = MEDIA_MM[media]
        assert size_pt == pytest.approx((wmm / 25.4 * 72, hmm / 25.4 * 72), abs=1.5)  # the card / 4x6 page
        place = layout(media, 300, (800, 1000), with_line=True)
        px = 25.4 / 300
        ex, ey, ew, eh = (v * px for v in place.photo_box)
        assert (x, y, w, h) == pytest.approx((ex, ey, ew, eh), abs=0.8)  # within 0.8 mm
        assert y == pytest.approx(MARGIN_MM, abs=0.8) and abs((x + w / 2) - wmm / 2) < 0.8  # top margin, centred
        assert w / h == pytest.approx(0.8, abs=0.02)  # the 4:5 photo is not stretched
        # upright: the yellow mark is at the photo's top left
        mm = 25.4 / 100
        r, g, b = img[int((y + 1) / mm), int((x + 1) / mm)]
        assert r > 200 and b < 80
        # the ID line under the photo has dark text
        line = img[int((y + h + 0.5) / mm): int((hmm - MARGIN_MM) / mm), int(x / mm): int((x + w) / mm)]
        assert (line.sum(axis=2) < 300).sum() > 20
        (artifacts_dir / "console").mkdir(exist_ok=True)
        Image.fromarray(img.astype(np.uint8)).save(artifacts_dir / "console" / f"print_{media}.png")
    finally:
        pdf.unlink(missing_ok=True)
        printer.close()


def test_a_stopped_queue_does_not_hold_up_the_booth(cups, tmp_path):
    env = dict(os.environ)
    subprocess.run(["cupsdisable", QUEUE], env=env, check=True, timeout=10)
    printer = Printer(section()).start()
    try:
        picture = photo(tmp_path)
        t0 = time.monotonic()
        assert printer.submit(picture, "B2002")
        assert time.monotonic() - t0 < 0.5  # the caller (the booth's analysis thread) goes on at once
        end = time.monotonic() + 20
        while time.monotonic() < end and printer.status()["printed"] + printer.status()["failed"] == 0:
            time.sleep(0.1)
        st = printer.status()
        assert st["printed"] == 1 and st["last_job"]  # CUPS holds the job until the queue is started
        printer._state_checked = 0.0  # ask CUPS again now rather than in 10 s
        end = time.monotonic() + 10
        while time.monotonic() < end and printer.status()["queue_state"] != "stopped":
            time.sleep(0.1)
        assert printer.status()["queue_state"] == "stopped" and printer.status()["summary"].startswith("stopped")
        held = subprocess.run(["lpstat", "-o", QUEUE], capture_output=True, text=True, timeout=10).stdout
        assert st["last_job"] in held
    finally:
        printer.close()
        subprocess.run(["cancel", "-a", QUEUE], capture_output=True, timeout=10)
        subprocess.run(["cupsenable", QUEUE], capture_output=True, timeout=10)


def test_a_hung_or_failing_lp_is_a_counted_failure_not_a_wait(tmp_path):
    hung = tmp_path / "lp"
    hung.write_text("#!/bin/sh\nsleep 30\n")
    hung.chmod(0o755)
    printer = Printer(section(timeout_s=1.0), lp=str(hung)).start()
    try:
        picture = photo(tmp_path)
        t0 = time.monotonic()
        for _ in range(3):
            printer.submit(picture, None)
        assert time.monotonic() - t0 < 0.5  # lp hangs 30 s each: the submits did not wait for it
        end = time.monotonic() + 15
        while time.monotonic() < end and printer.status()["failed"] < 3:
            time.sleep(0.1)
        st = printer.status()
        assert st["failed"] == 3 and "did not answer within 1 s" in st["last_error"]
    finally:
        printer.close()


def test_an_unknown_printer_is_reported(cups, tmp_path):
    printer = Printer(section(printer="no_such_queue")).start()
    try:
        printer.submit(photo(tmp_path), None)
        end = time.monotonic() + 15
        while time.monotonic() < end and printer.status()["failed"] == 0:
            time.sleep(0.1)
        st = printer.status()
        assert st["failed"] == 1 and "does not exist" in st["last_error"]  # CUPS: "The printer or class does not exist."
    finally:
        printer.close()


def test_the_print_is_the_portrait_crop_never_the_thumbnail():
    files = ["/p/x_thumb.jpg", "/p/x_1x1.jpg", "/p/x_4x5.jpg", "/p/x.json"]
    assert pick_photo(files).name == "x_4x5.jpg"
    assert pick_photo(["/p/x_thumb.jpg", "/p/x_1x1.jpg"]).name == "x_1x1.jpg"
    assert pick_photo(["/p/x_thumb.jpg", "/p/x.json"]) is None
