"""The screen as small widgets (booth/ui/widgets/): each draws one part of a View onto a
shared Canvas; the error screen's long lines use the one text layout (Typeface.layout)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pygame
import pytest

from booth.config import UiSection
from booth.types import BoothState, SessionEvent
from booth.ui.keys import events_for_key
from booth.ui.text import Typeface
from booth.ui.view import View
from booth.ui.widgets.canvas import INK, KEEP_BG, Canvas
from booth.ui.widgets.review import Review

WIDGETS = Path(__file__).resolve().parents[2] / "booth" / "ui" / "widgets"


@pytest.fixture(scope="module")
def typeface():
    pygame.font.init()
    return Typeface(pygame)


def test_every_widget_class_stays_small():
    """The issue's bound: no class in booth/ui/widgets/ over ~150 lines."""
    sizes = {}
    for f in sorted(WIDGETS.glob("*.py")):
        for node in ast.parse(f.read_text()).body:
            if isinstance(node, ast.ClassDef):
                sizes[f"{f.name}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert len(sizes) >= 12, sizes  # the widgets are there, not folded back into one class
    assert max(sizes.values()) <= 150, {k: v for k, v in sizes.items() if v > 150}


def test_a_widget_draws_a_view_on_a_plain_surface_without_a_window(typeface, artifacts_dir):
    """The review widget needs only a Canvas: two photos side by side, the highlighted one
    outlined, a touch on the other one moves the highlight, Keep is a green button."""
    canvas = Canvas(pygame.Surface((1280, 720)), UiSection(fullscreen=False), typeface)
    canvas.begin("en")
    canvas.surface.fill(INK)
    photos = (np.full((500, 400, 3), 90, np.uint8), np.full((500, 400, 3), 160, np.uint8))
    Review(canvas).draw(View(BoothState.REVIEW, review=photos, review_index=0))
    assert "Pick your photo" in {d.text for d in canvas.drawn}
    nexts = [(rect, n) for rect, ev, n in canvas.hit if ev is SessionEvent.NEXT]
    assert len(nexts) == 1 and nexts[0][1] == 1 and nexts[0][0].centerx > 640  # the second photo, right
    keep = next(rect for rect, ev, _ in canvas.hit if ev is SessionEvent.KEEP)
    assert tuple(canvas.surface.get_at((keep.centerx, keep.top + 4)))[:3] == KEEP_BG
    (artifacts_dir / "ui").mkdir(exist_ok=True)
    pygame.image.save(canvas.surface, str(artifacts_dir / "ui" / "widget_review_on_a_plain_canvas.png"))


def test_never_shrunk_text_fills_lines_breaks_at_newlines_and_cuts_a_long_path(typeface):
    """The error screen's operator line (Typeface.layout with shrink=False): the wanted size
    whatever the length, line breaks kept, a path wider than the screen cut into pieces that
    fit, a French no-break space before "!" never a break."""
    path = "/var/lib/booth/output/" + "a" * 80 + "/photos"
    text = f"Disk full: {path}\nFix: free space"
    block = typeface.layout(text, 40, 600, floor=8, shrink=False)
    assert block.px == 40
    assert all(typeface.width(line, 40) <= 600 for line in block.lines)
    assert block.lines[-1] == "Fix: free space"  # the line break starts a new line
    assert block.lines[0] == "Disk full:" and len(block.lines) >= 4
    assert "".join(block.lines[1:-1]) == path  # the path's pieces, in order, nothing lost
    french = "Désolé, un instant\u00a0! Revenez plus tard\u00a0!"
    narrow = typeface.width("Désolé, un instant", 40) + 10
    lines = typeface.layout(french, 40, narrow, floor=8, shrink=False).lines
    assert all(not line.startswith("!") for line in lines) and "instant\u00a0!" in " ".join(lines)


@pytest.mark.parametrize("state, key, events", [
    (BoothState.GUIDING, pygame.K_SPACE, [SessionEvent.SHUTTER]),
    (BoothState.REVIEW, pygame.K_SPACE, [SessionEvent.KEEP]),
    (BoothState.REVIEW, pygame.K_LEFT, [SessionEvent.NEXT, SessionEvent.NEXT]),  # back one of three
    (BoothState.CONSENT, pygame.K_n, [SessionEvent.DECLINE]),
    (BoothState.ATTRACT, pygame.K_l, [SessionEvent.LANGUAGE]),
    (BoothState.GUIDING, pygame.K_l, []),
])
def test_keys_mean_what_the_screen_up_offers(state, key, events):
    assert events_for_key(key, state, review_count=3) == events
