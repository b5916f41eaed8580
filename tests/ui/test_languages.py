"""Every catalogue string, in every language, on the real screen in both orientations: each
rendered line measured against its room (no overflow, no clipping, never under the size
rule), the capitals' height measured in the pixels, and one screenshot sheet per language in
test-artifacts/ui/i18n/ for people to look at."""

from __future__ import annotations

import dataclasses

import numpy as np
import pygame
import pytest

from booth import consent
from booth.config import BoothConfig, UiSection
from booth.guidance import prompts
from booth.i18n import LANGUAGES, gettext
from booth.i18n.__main__ import extract_messages as _extract
from booth.i18n.__main__ import problems
from booth.types import Actions, BoothState, Prompt
from booth.ui.screen import Screen
from booth.ui.text import cap_height
from booth.ui.view import ViewBuilder

from test_screen import CROP, camera_image  # the screen tests' off-centre sitter (countdown beside it)


def candidate(i: int, image: np.ndarray):
    from booth.types import Assessment, Candidate, FaceObservation, Frame

    frame = Frame(image.copy(), t=10.0 + i, index=100 + i)
    obs = FaceObservation(t=frame.t, frame_index=frame.index, image_size=frame.size, faces=1, face_boxes=(), face=None)
    return Candidate(frame, obs, Assessment(t=frame.t, checks=(), prompt=None, ready=True, gates_ok=True, score=0.9))

SIZES = [(1280, 720), (720, 1280)]
_MSGIDS: list[str] = []


def extract_messages() -> list[str]:
    """The marked strings (Babel's extraction takes seconds: once per run)."""
    if not _MSGIDS:
        _MSGIDS.extend(_extract())
    return _MSGIDS


def test_every_catalogue_has_every_string_and_the_mo_files_are_current():
    assert problems() == []
    msgids = extract_messages()
    assert len(msgids) >= 55
    for lang in LANGUAGES:
        if lang != "en":  # written, not copied: hardly any sentence stays English
            same = [m for m in msgids if gettext(m, lang) == m]
            assert len(same) <= 1, (lang, same)


def test_every_character_has_a_glyph_in_the_font():
    pygame.font.init()
    s = Screen(UiSection(fullscreen=False), size=(1280, 720))
    try:
        font = s.typeface.font(40, True)
        for lang in LANGUAGES:
            for m in extract_messages():
                text = gettext(m, lang)
                assert None not in font.metrics(text), (lang, text)
    finally:
        s.close()


def longest_prompt(lang: str) -> Prompt:
    return max(Prompt, key=lambda p: len(prompts.text(p, lang)))


def screens(lang: str):
    """(name, Actions) for every screen and every prompt, in ``lang`` (the countdown, which
    takes room from the band in portrait, with the three longest prompts)."""
    longest = sorted(Prompt, key=lambda p: -len(prompts.text(p, lang)))[:3]
    cfg = BoothConfig()
    cfg = dataclasses.replace(cfg, handoff=dataclasses.replace(cfg.handoff, server_enabled=True))
    for p in Prompt:
        yield f"prompt_{p.value}", Actions(BoothState.GUIDING, prompt=p, readiness=0.3, crop_norm=CROP, language=lang)
        if p in prompts.CATALOGUE_BIG["en"]:
            yield f"step_{p.value}", Actions(BoothState.GUIDING, prompt=p, prompt_amount=0.3, readiness=0.3,
                                             crop_norm=CROP, language=lang)
        if p in longest:
            yield f"countdown_{p.value}", Actions(BoothState.COUNTDOWN, prompt=p, readiness=1.0, crop_norm=CROP,
                                                  countdown_remaining_s=2.5, language=lang)
    yield "actor", Actions(BoothState.GUIDING, prompt=Prompt.EXPRESS_CONFIDENT, crop_norm=CROP,
                           expression_step=(0, 4), language=lang)
    yield "countdown_hold", Actions(BoothState.COUNTDOWN, crop_norm=CROP, countdown_remaining_s=1.5, language=lang)
    yield "capturing", Actions(BoothState.CAPTURING, crop_norm=CROP, language=lang)
    yield "attract", Actions(BoothState.ATTRACT, language=lang)
    for methods in (("touch", "button", "scan"), ("button",)):
        c = dataclasses.replace(cfg, consent=dataclasses.replace(cfg.consent, enabled=True, agree_by=methods))
        for hours in (72.0, 0.0):
            cc = dataclasses.replace(c, booth=dataclasses.replace(c.booth, retention_hours=hours))
            yield f"consent_{'_'.join(methods)}_{hours:g}h", Actions(BoothState.CONSENT, language=lang,
                                                                     consent=consent.screen_for(cc, lang))
    yield "error", Actions(BoothState.ERROR, message="Something went wrong", language=lang)
    yield "restarting", Actions(BoothState.ERROR, language=lang)
    yield "thank_you", Actions(BoothState.THANK_YOU, language=lang)
    yield "saving", Actions(BoothState.SAVING, language=lang)


def ink(rgb: np.ndarray) -> np.ndarray:
    return rgb.min(axis=2) > 180  # white text; yellow hints are > 180 in R and G only


def check_drawn(screen: Screen, name: str) -> list[int]:
    """Each text of the last draw: every line fits its width, inside the screen, never under
    the size rule, no two texts overlap. Returns the prompt band's capital heights (px)."""
    W, H = screen.layout.size
    rects = []
    for d in screen.drawn:
        if not d.sitter:
            continue
        assert d.block.px >= screen.min_text_px, (name, d.text, d.block.px)
        for line in d.block.lines:
            w = screen.typeface.width(line, d.block.px)
            if d.max_width is not None:
                assert w <= d.max_width, (name, line, w, d.max_width)
        x, y, w, h = d.rect
        assert 0 <= x and x + w <= W and 0 <= y and y + h <= H, (name, d.text, d.rect)
        r = pygame.Rect(d.rect)
        for other_text, other in rects:
            assert not r.colliderect(other), (name, d.text, other_text)
        rects.append((d.text, r))
    return rects


def band_check(screen: Screen, name: str, text: str) -> int:
    """The prompt's text lies inside the band with room to spare on every side (no clipping),
    in the pixels; returns the ink height of its first capital."""
    bx, by, bw, bh = screen.layout.band
    d = next(d for d in screen.drawn if d.text == text)
    x, y, w, h = d.rect
    assert bx <= x and x + w <= bx + bw and by <= y and y + h <= by + bh, (name, text, d.rect, screen.layout.band)
    rgb = pygame.surfarray.array3d(screen.surface).transpose(1, 0, 2)
    band = ink(rgb[by: by + bh, bx: bx + bw])
    cols = np.nonzero(band.any(axis=0))[0]
    rows = np.nonzero(band.any(axis=1))[0]
    assert cols[0] >= 4 and cols[-1] <= bw - 5 and rows[0] >= 2 and rows[-1] <= bh - 3, (name, text)
    band = band[:, max(0, x - bx - 2): x - bx + w + 2]  # the prompt alone (not a countdown number beside it)
    rows = np.nonzero(band.any(axis=1))[0]
    # the first letter of the first line: its columns up to the first empty one
    line_h = screen.typeface.font(d.block.px).get_height()
    first_line = band[rows[0]: rows[0] + line_h]
    lc = np.nonzero(first_line.any(axis=0))[0]
    first = first_line[:, lc[0]:]
    gap = np.nonzero(~first.any(axis=0))[0]
    glyph = first[:, : gap[0]] if len(gap) else first
    grow = np.nonzero(glyph.any(axis=1))[0]
    return int(grow[-1] - grow[0] + 1)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_string_in_every_language_fits_both_orientations(size, artifacts_dir):
    out = artifacts_dir / "ui" / "i18n"
    out.mkdir(parents=True, exist_ok=True)
    screen = Screen(UiSection(fullscreen=False, orientation="portrait" if size[1] > size[0] else "landscape"), size=size)
    preview = camera_image()
    reviews = tuple(candidate(i, preview) for i in range(3))
    try:
        rule_caps = cap_height(screen.typeface, screen.min_text_px)
        summary = []
        for lang in LANGUAGES:
            bands, full = [], {}
            caps = []
            for name, actions in screens(lang):
                if name == "thank_you":
                    # a saved photo and a link, as after KEEP
                    builder = ViewBuilder(language=lang)
                    builder.build(Actions(BoothState.SAVING, review=reviews, save=reviews[0], crop_norm=CROP,
                                          language=lang), preview)
                    view = builder.build(actions, preview, download_url="http://booth-7.local:8080/d/abc")
                else:
                    view = ViewBuilder(language=lang).build(actions, preview)
                screen.draw(view, now=100.0)
                check_drawn(screen, f"{lang}/{name}")
                if name.startswith(("prompt_", "step_", "countdown_")) and view.prompt:
                    caps.append(band_check(screen, f"{lang}/{name}", view.prompt))
                if name.startswith(("prompt_", "step_")):
                    bx, by, bw, bh = screen.layout.band
                    bands.append(pygame.surfarray.array3d(screen.surface)[bx:bx + bw, by:by + bh].transpose(1, 0, 2))
                if not name.startswith(("prompt_", "step_", "countdown_")) or name == f"countdown_{longest_prompt(lang).value}":
                    full[name] = pygame.surfarray.array3d(screen.surface).transpose(1, 0, 2).copy()
            # review: three candidates, Keep / Retake in the sitter's language
            view = ViewBuilder(language=lang).build(Actions(BoothState.REVIEW, review=reviews, crop_norm=CROP,
                                                           language=lang), preview)
            screen.draw(view, now=100.0)
            check_drawn(screen, f"{lang}/review")
            full["review"] = pygame.surfarray.array3d(screen.surface).transpose(1, 0, 2).copy()
            assert min(caps) >= rule_caps, (lang, min(caps), rule_caps)
            summary.append(f"{lang}: {len(caps)} prompt lines, capitals {min(caps)}-{max(caps)} px "
                           f"(rule: {screen.min_text_px} px type = {rule_caps} px capitals)")
            save_sheet(out / f"prompts_{lang}_{size[0]}x{size[1]}.png", bands, cols=2 if size[0] > size[1] else 3)
            save_sheet(out / f"screens_{lang}_{size[0]}x{size[1]}.png", list(full.values()), cols=4)
        print("\n".join(summary))
    finally:
        screen.close()


def save_sheet(path, images, cols: int, scale: float = 0.5) -> None:
    import cv2

    small = [cv2.resize(np.ascontiguousarray(im), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
             for im in images]
    h, w = small[0].shape[:2]
    rows = (len(small) + cols - 1) // cols
    sheet = np.full((rows * (h + 4), cols * (w + 4), 3), 60, np.uint8)
    for i, im in enumerate(small):
        r, c = divmod(i, cols)
        sheet[r * (h + 4): r * (h + 4) + h, c * (w + 4): c * (w + 4) + w] = im
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
