"""The out-of-service and error screens are readable: measured in screenshots at 1280x720,
the sitter's lines have >= 28 px of ink, the operator's fix >= 20 px, nothing is shrunk to fit
(a long fix wraps onto more lines instead), and every word of the fix is on screen."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from booth.config import UiSection
from booth.types import BoothState
from booth.ui.screen import Screen
from booth.ui.view import View

FIX = ("only 3 MB free in /media/booth-card/photos/2026-12-01/conference-hall-b; a photo needs 200 MB "
       "(booth.min_free_mb). Fix: free space or move old photos off the card, or lower booth.retention_hours")


def ink_height(surface, rect, colour) -> int:
    """Rows inside ``rect`` of the screenshot that hold pixels of the text's colour."""
    x, y, w, h = rect
    px = pygame.surfarray.array3d(surface)[x:x + w, y:y + h].transpose(1, 0, 2).astype(int)
    close = (np.abs(px - np.array(colour)).sum(axis=2) < 60)
    rows = np.nonzero(close.any(axis=1))[0]
    return int(rows.max() - rows.min() + 1) if len(rows) else 0


def cap_height(screen: Screen, px: int) -> int:
    """The height of a capital H at font size ``px`` (what "text height" means here)."""
    surf = screen.font(px, True).render("H", True, (255, 255, 255), (0, 0, 0))
    a = pygame.surfarray.array3d(surf).transpose(1, 0, 2).min(axis=2) > 128
    rows = np.nonzero(a.any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280)])
@pytest.mark.parametrize("headline", ["Out of service", None])
def test_error_screens_keep_sitter_text_at_28_px_and_the_operator_fix_at_20_px(size, headline, artifacts_dir):
    from booth.ui import screen as screen_mod

    screen = Screen(UiSection(fullscreen=False), size=size)
    preview = np.full((480, 640, 3), 90, np.uint8)
    screen.draw(View(state=BoothState.ERROR, preview=preview, message=FIX, headline=headline))
    name = f"error_{'oos' if headline else 'save'}_{size[0]}x{size[1]}.png"
    screen.screenshot(artifacts_dir / name)
    rects = screen.error_text_rects
    sitter = [r for role, _, r in rects if role == "sitter"]
    operator = [(t, r) for role, t, r in rects if role == "operator"]
    assert len(sitter) >= 2 and len(operator) >= 2
    u = min(size)
    op_px = int(u * screen_mod.ERROR_OPERATOR_UNIT)
    sitter_px = int(u * screen_mod.ERROR_SITTER_UNIT)
    heights = {"operator cap": cap_height(screen, op_px), "sitter cap": cap_height(screen, sitter_px)}
    assert heights["sitter cap"] >= 28 and heights["operator cap"] >= 20, heights
    # In the screenshot itself: each operator line's ink is at least the cap height (nothing shrunk)
    for text, r in operator:
        assert ink_height(screen.surface, r, (255, 255, 255)) >= heights["operator cap"], text
        assert r.left >= 0 and r.right <= size[0]
    assert ink_height(screen.surface, sitter[0], (255, 255, 255)) >= 28
    # every character of the fix is on screen, in order (a long path is cut across lines)
    assert "".join(t for t, _ in operator).replace(" ", "") == FIX.replace(" ", "")
    print(f"{size}: sitter cap {heights['sitter cap']} px, operator cap {heights['operator cap']} px, "
          f"{len(operator)} operator lines")
    screen.close()
