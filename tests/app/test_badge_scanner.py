"""A keyboard-wedge badge scanner on the real pygame screen: its keystrokes become the
sitter's badge ID, which names the photo files and goes into the sidecar."""

from __future__ import annotations

import json

import pygame

from booth.app import Inbox
from booth.compose import badge_keys, core
from booth.config import BoothConfig
from booth.handoff import Handoff
from booth.types import SessionEvent
from booth.ui.screen import Screen

from guidance.sitter import frame, observation


def scan(text: str) -> None:
    """What a USB scanner does: one KEYDOWN per character, then Enter."""
    for ch in text:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=ord(ch.lower()), unicode=ch, mod=0, scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, unicode="\r", mod=0, scancode=0))


def test_a_scanned_badge_names_the_photo_and_a_bad_scan_asks_again(tmp_path):
    cfg = BoothConfig()
    screen = Screen(cfg.ui, size=(640, 360))
    inbox = Inbox()
    handoff = Handoff(cfg)
    screen.on_char = badge_keys(handoff, screen, inbox)
    try:
        scan("AB!")  # a misread: not a badge
        assert screen.poll() == [] and inbox.drain() == []  # the Enter was the scan's, not the shutter
        assert "scan again" in screen._notice[0]

        scan("ATT-4711")
        assert screen.poll() == []
        posted = inbox.drain()
        assert [(p.event, dict(p.payload)) for p in posted] == [(SessionEvent.BADGE_SCANNED, {"badge_id": "ATT-4711"})]

        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, unicode="\r", mod=0, scancode=0))
        assert screen.poll() == [SessionEvent.SHUTTER]  # a lone Enter is still the shutter key
    finally:
        screen.close()
        handoff.close()

    # The session carries the ID to the store: file names and sidecar.
    class Scripted:
        def analyze(self, fr):
            return observation(fr.t, fr.index, jitter=0.05)

    loop = core(cfg, analyzer=Scripted(), out_dir=tmp_path, lights=False).loop
    loop.on_event(SessionEvent.BADGE_SCANNED, 0.0, badge_id="ATT-4711")
    for i in range(int(4.5 * 30)):
        loop.on_frame(frame(i / 30, i))
    loop.on_event(SessionEvent.KEEP, 4.5)
    (saved,) = loop.saved
    assert all("ATT-4711" in p.name for p in saved.paths)
    sidecar = next(p for p in saved.paths if p.suffix == ".json")
    assert json.loads(sidecar.read_text())["badge_id"] == "ATT-4711"
