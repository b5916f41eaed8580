"""Badge IDs: from scanner keystrokes to file names, object keys, sidecar and download page."""

from __future__ import annotations

import json
import re

import pygame
import pytest

from booth.errors import BoothError
from booth.handoff import BadgeScanBuffer, Handoff, badge_safe_name, capture_stem
from booth.handoff.badge import EvdevKeyMapper, char_from_pygame_event

from .conftest import list_objects, make_config
from .test_server import get

PATTERN = r"[A-Z]{2}-\d{4,8}"


def scanner_keydowns(text: str) -> list[pygame.event.Event]:
    """The KEYDOWN events a keyboard-wedge scanner produces for ``text`` + Enter."""
    events = []
    for ch in text:
        events.append(pygame.event.Event(pygame.KEYDOWN, key=pygame.key.key_code(ch.lower()) if ch.isalnum()
                                         else pygame.K_MINUS, unicode=ch, mod=0))
        events.append(pygame.event.Event(pygame.KEYUP, key=0, unicode="", mod=0))
    events.append(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, unicode="\r", mod=0))
    return events


def scan(buffer: BadgeScanBuffer, events, t0=10.0, dt=0.012):
    results = []
    for i, ev in enumerate(events):
        ch = char_from_pygame_event(ev)
        if ch is not None:
            res = buffer.feed(ch, t0 + i * dt)
            if res is not None:
                results.append(res)
    return results


def test_a_scanned_id_reaches_the_file_names_the_sidecar_the_upload_and_the_page(tmp_path, s3_server, bucket):
    out = tmp_path / "photos"
    cfg = make_config(out, badge_pattern=PATTERN, server_enabled=True, server_host="127.0.0.1", server_port=0,
                      s3_bucket=bucket, s3_endpoint=s3_server.endpoint, retry_initial_s=0.05, retry_max_s=0.2)
    with Handoff(cfg) as handoff:
        pygame.init()
        try:
            [result] = scan(handoff.scan_buffer, scanner_keydowns("KX-20240517"))
        finally:
            pygame.quit()
        assert result.ok and result.badge_id == "KX-20240517"

        # The store names the capture with the ID (what booth.output.store does through these helpers).
        stem = capture_stem("2024-05-17T10:31:02Z", result.badge_id)
        assert stem == "20240517T103102Z_KX-20240517"
        out.mkdir(exist_ok=True)  # the outbox already made it
        crop, portrait = out / f"{stem}.jpg", out / f"{stem}_portrait.jpg"
        crop.write_bytes(b"crop" * 500)
        portrait.write_bytes(b"portrait" * 100)
        url = handoff.on_saved([crop, portrait], {"profile": "badge"}, result.badge_id)
        assert handoff.outbox.flush(timeout_s=20) == 0

        # The download page lists the files by their ID-bearing names and shows the ID.
        status, _, page = get(url)
        assert status == 200
        assert "KX-20240517" in page.decode()
        assert set(re.findall(r'download="([^"]+)"', page.decode())) == {crop.name, portrait.name}

    client = s3_server.client()
    keys = sorted(o["Key"] for o in list_objects(client, bucket))
    assert len(keys) == 3 and all("KX-20240517" in k for k in keys)
    sidecar_key = next(k for k in keys if k.endswith(".json"))
    sidecar = json.loads(client.get_object(Bucket=bucket, Key=sidecar_key)["Body"].read())
    assert sidecar == {"profile": "badge", "badge_id": "KX-20240517"}


@pytest.mark.parametrize("typed, reason", [
    ("KX-12", "pattern"),            # a half-read code
    ("KX-1234KX-5678", "pattern"),   # two codes run together (a missed Enter)
    ("kx-1234", "pattern"),
    ("../../etc", "pattern"),
    ("KX-1234\x07", "control"),
    ("X" * 300, "too long"),
])
def test_a_malformed_scan_is_refused_with_scan_again(typed, reason):
    buffer = BadgeScanBuffer(PATTERN, max_gap_s=0.3)
    [result] = buffer.feed_text(typed + "\n")
    assert not result.ok and result.badge_id is None
    assert reason in result.reason
    assert "scan again" in result.message
    # The booth keeps working: the next good scan is accepted.
    [again] = buffer.feed_text("KX-1234\n", t0=5.0)
    assert again.ok and again.badge_id == "KX-1234"


def test_a_pause_between_keys_starts_a_new_scan():
    buffer = BadgeScanBuffer(PATTERN, max_gap_s=0.3)
    assert buffer.feed_text("KX-99", t0=0.0) == []        # someone pokes at the keyboard ...
    [result] = buffer.feed_text("KX-123456\n", t0=2.0)     # ... and later a real scan arrives
    assert result.ok and result.badge_id == "KX-123456"
    assert buffer.feed("\n", 3.0) is None                  # a stray Enter is not a scan


def test_on_saved_refuses_an_id_that_did_not_pass_the_check(tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    handoff = Handoff(make_config(tmp_path, badge_pattern=PATTERN))
    with pytest.raises(BoothError, match="badge_pattern"):
        handoff.on_saved([photo], {}, "../../etc/passwd")
    assert handoff.check_badge(" KX-1234 ").badge_id == "KX-1234"  # touch-screen entry, trimmed


@pytest.mark.parametrize("raw, safe", [
    ("KX-1234", "KX-1234"),
    ("ab_cd", "ab_cd"),
    ("../../etc/passwd", "etc-passwd"),
    ("..", "badge"),
    ("Zoë Ångström", "Zoe-Angstrom"),
    ("a/b\\c:d*e", "a-b-c-d-e"),
    (".hidden", "hidden"),
    ("x" * 100, "x" * 64),
])
def test_badge_safe_name_never_leaves_the_folder(raw, safe):
    assert badge_safe_name(raw) == safe


def test_evdev_keys_of_a_scanner_become_text():
    mapper = EvdevKeyMapper()
    typed = []
    events = [("KEY_LEFTSHIFT", 1), ("KEY_K", 1), ("KEY_K", 0), ("KEY_X", 1), ("KEY_X", 0), ("KEY_LEFTSHIFT", 0),
              ("KEY_MINUS", 1), ("KEY_MINUS", 0), ("KEY_4", 1), ("KEY_4", 2), ("KEY_4", 0), ("KEY_2", 1),
              ("KEY_LEFTSHIFT", 1), ("KEY_MINUS", 1), ("KEY_LEFTSHIFT", 0), ("KEY_A", 1), ("KEY_ENTER", 1)]
    for name, value in events:
        ch = mapper.key(name, value)
        if ch is not None:
            typed.append(ch)
    assert "".join(typed) == "KX-42_a\n"
