"""The console in a real browser: Debian's Chromium, headless, driven by Playwright, at a phone
and a laptop size, against a running booth. Screenshots go to test-artifacts/console/.

One browser for the module; each viewport gets its own context (its own cookies)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import time

import pytest

from .conftest import PASSWORD

CHROMIUM = os.environ.get("BOOTH_CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 860}}


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: pip install -e .[test]")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"no Chromium at {CHROMIUM}: Debian's `chromium` package (scripts/apt.d/console.txt; test.sh installs it as root)")
    pw = sync_api.sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                           headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                "--disable-dev-shm-usage"])
    try:
        yield b
    finally:
        b.close()
        pw.stop()


@pytest.fixture
def shots(artifacts_dir):
    d = artifacts_dir / "console"
    d.mkdir(exist_ok=True)
    return d


def log_in(page, base):
    page.goto(base + "/status")
    assert page.url.endswith("/login")  # not logged in: the login page, nothing else
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "Wrong password."
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/status")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_console_in_chromium(browser, running_booth, shots, size):
    rb = running_booth
    base = rb.console_url
    ctx = browser.new_context(viewport=VIEWPORTS[size], accept_downloads=True,
                              device_scale_factor=2 if size == "phone" else 1, is_mobile=size == "phone",
                              has_touch=size == "phone")
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    bad = []  # every response >= 400 except the wrong password's 401 on purpose
    page.on("response", lambda r: bad.append((r.status, r.url))
            if r.status >= 400 and not (r.status == 401 and r.url.endswith("/login")) else None)
    try:
        page.goto(base + "/login")
        page.screenshot(path=str(shots / f"{size}_1_login.png"))
        log_in(page, base)
        cookie = [c for c in ctx.cookies() if c["name"] == "booth_console"][0]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        # -- Status updates by itself while sessions run: states change, uptime grows
        state = page.locator('[data-key="state"]')
        seen, uptimes = set(), set()
        end = time.monotonic() + 20
        while time.monotonic() < end and (len(seen) < 3 or len(uptimes) < 3):
            seen.add(state.inner_text())
            uptimes.add(page.locator('[data-key="uptime"]').inner_text())
            page.wait_for_timeout(250)
        assert len(seen) >= 3, seen  # e.g. attract, guiding, countdown ... without reloading the page
        assert seen <= {"attract", "guiding", "countdown", "capturing", "review", "saving", "thank you"}, seen
        assert len(uptimes) >= 3
        assert float(page.locator('[data-key="camera_fps"]').inner_text()) > 0
        assert page.locator("#lights .bar").count() == 2  # key_left, key_right meters
        page.screenshot(path=str(shots / f"{size}_2_status.png"), full_page=True)

        # -- Today: figures and the two plots
        rb.wait_for(lambda: len(rb.captures()) >= 2, 40, "two captures on disk")
        page.click("text=Today")
        page.wait_for_url(base + "/today")
        assert int(page.locator('[data-key="t_captures"]').inner_text()) >= 1
        assert page.locator("svg.chart").count() == 2
        assert page.locator("svg.chart").first.locator("rect.barfill").count() == 24
        page.screenshot(path=str(shots / f"{size}_3_today.png"), full_page=True)

        # -- Gallery: thumbnails with badge and upload state; delete one (a privacy request)
        page.click("text=Gallery")
        page.wait_for_url(base + "/gallery")
        items = page.locator("li.capture")
        n = items.count()
        assert n == len(rb.captures()) or n >= 2
        first = items.first
        stem = first.get_attribute("data-stem")
        badge = first.locator(".badge").inner_text()
        assert badge.startswith(("A", "B", "C", "D", "E", "F")) and first.locator(".upload").inner_text() == "upload off"
        assert first.locator("img").evaluate("img => img.naturalWidth") == rb.cfg.output.thumbnail_px  # a real JPEG
        page.screenshot(path=str(shots / f"{size}_4_gallery.png"), full_page=True)
        files_before = sorted(p.name for p in rb.output_dir.glob(f"{stem}*"))
        assert len(files_before) >= 3  # crops, thumbnail, sidecar
        page.once("dialog", lambda d: d.accept())
        first.locator("button.danger").click()
        page.wait_for_selector(".notice")
        assert f"Deleted {stem}" in page.locator(".notice").inner_text()
        assert not list(rb.output_dir.glob(f"{stem}*")), "every local file of the deleted capture is gone"
        assert page.locator(f'li.capture[data-stem="{stem}"]').count() == 0
        page.screenshot(path=str(shots / f"{size}_5_gallery_deleted.png"), full_page=True)

        # -- CSV export: the lead list, as the organiser downloads it
        def on_disk():
            return {json.loads(sc.read_text())["stem"]: json.loads(sc.read_text()) for sc in rb.captures()}

        before = on_disk()
        with page.expect_download() as dl:
            page.click("text=Export CSV")
        assert dl.value.suggested_filename.startswith("leads-hall-a-03-")
        rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
        after = on_disk()
        assert rows and set(rows[0]) == {"badge_id", "saved_at", "files", "upload"}
        exported = {r["files"].split()[-1][:-len(".json")]: r for r in rows}  # the sidecar (last) names the capture
        assert stem not in exported  # the deleted capture is not a lead any more
        assert set(before) <= set(exported) <= set(after)  # every capture on the booth, nothing else
        for s, r in exported.items():
            meta = after[s]
            assert r["badge_id"] == meta["badge_id"] and r["saved_at"] == meta["saved_at"] and r["upload"] == "off"
            assert all((rb.output_dir / f).is_file() for f in r["files"].split())
            assert any(f.endswith("_4x5.jpg") for f in r["files"].split())

        # -- Pause reaches the booth's screen ("Out of service"), resume brings it back
        page.click("text=Controls")
        page.wait_for_url(base + "/controls")
        page.click("#pause")
        page.wait_for_selector(".notice")
        rb.wait_for(lambda: rb.screen.last_state is not None and rb.screen.last_state.value == "paused", 10,
                    "the booth's screen to show paused")
        time.sleep(0.3)
        rb.screen.screenshot(shots / f"{size}_6_booth_screen_paused.png")
        expect(page.locator("#ctl-state")).to_have_text("paused", timeout=5000)  # the live status knows too
        page.screenshot(path=str(shots / f"{size}_7_controls_paused.png"), full_page=True)
        # a lights test while out of service: each key light alone at full, on the booth's rig
        n_applied = len(rb.rig.applied)
        page.click("#lights-test")
        expect(page.locator(".notice")).to_contain_text("lights test: key_left, key_right")
        rb.wait_for(lambda: {(lv.get("key_left"), lv.get("key_right")) for lv in rb.rig.applied[n_applied:]}
                    >= {(1.0, 0.0), (0.0, 1.0)}, 10, "each key light lit alone")
        captures_paused = len(rb.captures())
        time.sleep(1.5)
        assert len(rb.captures()) == captures_paused  # nobody is photographed while out of service
        page.click("#resume")
        page.wait_for_selector(".notice")
        rb.wait_for(lambda: rb.screen.last_state.value != "paused", 10, "the booth's screen to leave paused")
        assert rb.screen.last_state.value in ("attract", "guiding", "countdown", "capturing", "review")  # in service

        # -- A print failure (the configured printer does not exist) shows on the Status page,
        # and the booth went on photographing meanwhile (the captures above)
        page.click("text=Status")
        expect(page.locator('[data-key="printer"]')).to_contain_text("failed", timeout=10000)
        expect(page.locator("#errors")).to_contain_text("printing", timeout=10000)

        assert not bad, bad  # (after logging out, a last status poll rightly gets a 401)

        # -- Log out: the pages are closed again
        page.click("button.link")
        page.wait_for_url(base + "/login")
        page.goto(base + "/gallery")
        assert page.url.endswith("/login")
        assert not errors, errors  # no script errors, no CSP violations
    finally:
        ctx.close()
