"""The booth's type (booth/ui/text.py): a real Bold, kerning, even letter spacing and the
minimum text height, measured in pixels."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from booth.config import UiSection
from booth.ui.screen import Screen
from booth.ui.text import MIN_SITTER_PX, Typeface, cap_height, font_files, kerned, min_px


@pytest.fixture(scope="module")
def typeface():
    pygame.font.init()
    return Typeface(pygame)


def ink_columns(surf) -> np.ndarray:
    a = pygame.surfarray.array_red(surf)  # rendered white on black
    return np.nonzero((a > 100).any(axis=1))[0]


def glyph_ink(font, word: str) -> list[tuple[int, int]]:
    """(first, last) ink column of each glyph where the whole word's pen puts it (kerned)."""
    out = []
    for i, ch in enumerate(word):
        pen = font.size(word[: i + 1])[0] - font.metrics(ch)[0][4]  # kerned against the letter before
        xs = ink_columns(font.render(ch, True, (255, 255, 255), (0, 0, 0)))
        out.append((pen + int(xs[0]), pen + int(xs[-1])))
    return out


def spacing(font, word: str) -> tuple[list[int], int]:
    """Gaps between the letters' ink, and the ink width of the first letter (an 'l': its stem,
    and in this face its tail)."""
    ink = glyph_ink(font, word)
    gaps = [b[0] - a[1] - 1 for a, b in zip(ink, ink[1:])]
    return gaps, ink[0][1] - ink[0][0] + 1


def test_the_font_is_the_shipped_face_with_its_own_bold(typeface):
    files = font_files()
    assert files[True].name == "AtkinsonHyperlegible-Bold.ttf" and files[True].exists()
    bold, regular = typeface.font(80, True), typeface.font(80, False)
    assert bold.style_name == "Bold" and regular.style_name == "Regular"
    _, stem_bold = spacing(bold, "l")
    _, stem_regular = spacing(regular, "l")
    assert stem_bold >= stem_regular * 1.3  # the Bold file's heavier stems, not a smear
    assert kerned(typeface)  # "AV" set tighter than A and V apart


@pytest.mark.parametrize("px", [40, 79, 120])
def test_little_is_set_evenly_not_l_i_t_t_l_e(typeface, px):
    """The old screen's "little" (pygame's default face, bold smeared on): gaps between the
    letters nearly as wide as an l (4-5 px against 6 at 40 px). Now no gap between letters is
    wider than half an l."""
    word = "little"
    font = typeface.font(px, True)
    whole = ink_columns(font.render(word, True, (255, 255, 255), (0, 0, 0)))
    ink = glyph_ink(font, word)
    assert abs(int(whole[0]) - ink[0][0]) <= 1 and abs(int(whole[-1]) - ink[-1][1]) <= 2  # the word spans its glyphs
    gaps, stem = spacing(font, word)
    assert max(gaps) <= stem * 0.5, (gaps, stem)
    old = pygame.font.Font(None, px)
    old.set_bold(True)
    old_gaps, old_stem = spacing(old, word)
    assert max(old_gaps) > old_stem * 0.5  # the bug this replaces, measured the same way
    print(f"px {px}: gaps {gaps} stem {stem}; old default+set_bold gaps {old_gaps} stem {old_stem}")


def test_the_minimum_size_scales_with_the_short_side():
    assert min_px(720) == MIN_SITTER_PX == 28
    assert min_px(480) == 19 and min_px(1080) == 42


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (800, 480)])
def test_long_text_wraps_instead_of_shrinking_below_the_rule(size):
    s = Screen(UiSection(fullscreen=False), size=size)
    try:
        long = "Tippen Sie auf „Einverstanden“, drücken Sie den Knopf oder scannen Sie Ihr Namensschild."
        block = s.text_block(long, int(s.layout.unit * 0.11), int(s.layout.size[0] * 0.5))
        assert block.px >= s.min_text_px and len(block.lines) > 1
        for line in block.lines:
            assert s.typeface.width(line, block.px) <= s.layout.size[0] * 0.5
        # and in pixels: the capitals of the rendered block are at least the rule's cap height
        surf = s.typeface.render(block, (255, 255, 255))
        assert cap_height(s.typeface, block.px) >= cap_height(s.typeface, s.min_text_px)
        assert surf.get_height() >= len(block.lines) * s.min_text_px
    finally:
        s.close()


def test_high_contrast_mode_sets_text_larger():
    normal = Screen(UiSection(fullscreen=False), size=(1280, 720))
    n = normal.text_block("Hold still", 80, 1200)
    normal.close()
    hc = Screen(UiSection(fullscreen=False, high_contrast=True), size=(1280, 720))
    h = hc.text_block("Hold still", 80, 1200)
    hc.close()
    assert h.px == round(n.px * 1.25)
