"""The consent screen and the language choice on the real screen: touches and keys become the
session's events (AGREE, DECLINE, LANGUAGE, SHUTTER for the button)."""

from __future__ import annotations

import dataclasses

import pygame
import pytest

from booth import consent
from booth.config import BoothConfig, UiSection
from booth.types import Actions, BoothState, SessionEvent
from booth.ui.screen import Screen
from booth.ui.view import ViewBuilder


@pytest.fixture(params=[(1280, 720), (720, 1280)], ids=["landscape", "portrait"])
def screen(request):
    s = Screen(UiSection(fullscreen=False), size=request.param)
    yield s
    s.close()


def show_consent(screen, lang="en", agree_by=("touch", "button", "scan")):
    cfg = BoothConfig()
    cfg = dataclasses.replace(cfg, consent=dataclasses.replace(cfg.consent, enabled=True, agree_by=agree_by))
    view = ViewBuilder().build(Actions(BoothState.CONSENT, language=lang, consent=consent.screen_for(cfg, lang)), None)
    screen.draw(view, now=1.0)
    return view


def test_touching_i_agree_or_no_thanks(screen, artifacts_dir):
    view = show_consent(screen)
    (artifacts_dir / "ui").mkdir(exist_ok=True)
    screen.screenshot(artifacts_dir / "ui" / f"consent_{screen.layout.size[0]}x{screen.layout.size[1]}.png")
    agree, decline = screen.hit_rect(SessionEvent.AGREE), screen.hit_rect(SessionEvent.DECLINE)
    assert screen.tap(agree.center) == [SessionEvent.AGREE]
    assert screen.tap(decline.center) == [SessionEvent.DECLINE]
    u = screen.layout.unit
    assert min(agree.height, decline.height) >= u / 8  # touch targets
    shown = {d.text for d in screen.drawn}
    assert {view.consent.title, view.consent.agree, view.consent.decline, view.consent.hint} <= shown
    assert set(view.consent.body) <= shown  # the organiser's text is on screen, whole
    # keys: Enter is the shutter button (which agrees if allowed), n declines
    assert screen.key_event(pygame.K_RETURN) == [SessionEvent.SHUTTER]
    assert screen.key_event(pygame.K_n) == [SessionEvent.DECLINE]


def test_no_i_agree_button_when_touch_may_not_agree(screen):
    show_consent(screen, agree_by=("button", "scan"))
    assert screen.hit_rect(SessionEvent.AGREE) is None and screen.hit_rect(SessionEvent.DECLINE) is not None
    assert any(d.text == "Press the button or scan your badge to agree." for d in screen.drawn)


def test_each_language_button_reaches_its_language(screen):
    from booth.i18n import LANGUAGES

    view = ViewBuilder().build(Actions(BoothState.ATTRACT, language="de"), None)
    screen.draw(view, now=1.0)
    names = {d.text: d.rect for d in screen.drawn if d.text in LANGUAGES.values()}
    assert set(names) == set(LANGUAGES.values())
    order = list(LANGUAGES)
    for code, name in LANGUAGES.items():
        steps = screen.tap(pygame.Rect(names[name]).center)
        assert steps == [SessionEvent.LANGUAGE] * ((order.index(code) - order.index("de")) % len(order))
    assert any(d.text == "Gratis-Porträtfoto" for d in screen.drawn)  # the screen's own words follow
