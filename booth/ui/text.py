"""Type for every screen: one font, real weights, kerning, and a minimum size for sitter text.

The face is Atkinson Hyperlegible (Braille Institute; SIL Open Font License 1.1), designed for
readers with low vision: letters that are easy to tell apart (I l 1, O 0), from the PyPI
package ``fontpkg-atkinson-hyperlegible`` (models/LICENSES.md). Bold is the font's own Bold
file, never pygame's synthetic emboldening (which smears each glyph sideways by a pixel
count that rounds differently per letter: "l i t t l e"). SDL_ttf kerns by default (the
font's kern/GPOS pairs); :func:`kerned` checks it is on.

The size rule: sitter text is at least :data:`MIN_SITTER_PX` px tall (the font's pixel size;
its capitals are :data:`CAP_HEIGHT` of that) on a 720 px short side, scaled with the short side
(``min_px``). Text that does not fit its width at the wanted size is first shrunk down to the
rule, then wrapped onto more lines (never shrunk below the rule): see :func:`layout`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

MIN_SITTER_PX = 28  # at a 720 px short side (1280x720); scaled with the short side
REFERENCE_SHORT_SIDE = 720
HIGH_CONTRAST_SCALE = 1.25  # ui.high_contrast: text this much larger
LINE_GAP = 0.12  # extra space between wrapped lines, fraction of the pixel size


def font_files() -> dict[bool, Path]:
    """{bold: path} of the shipped face; a clear error naming the fix when it is missing."""
    try:
        import fontpkg_atkinson_hyperlegible as pkg
    except ImportError:  # pragma: no cover - a broken install
        from ..errors import ConfigError

        raise ConfigError("the booth's font is not installed. Fix: pip install fontpkg-atkinson-hyperlegible "
                          "(./scripts/run.sh does it)") from None
    root = Path(pkg.ROOT) / "files"
    return {False: root / "AtkinsonHyperlegible-Regular.ttf", True: root / "AtkinsonHyperlegible-Bold.ttf"}


def min_px(short_side: int) -> int:
    """The smallest pixel size sitter text may have on a screen with this short side."""
    return int(math.ceil(MIN_SITTER_PX * short_side / REFERENCE_SHORT_SIDE))


@dataclass(frozen=True)
class TextBlock:
    """Text laid out to fit: the pixel size used and the lines (one or more)."""

    px: int
    lines: tuple[str, ...]


class Typeface:
    """Fonts by (pixel size, bold), cached. ``scale`` is ui.text_scale (x1.25 in high contrast)."""

    def __init__(self, pg, scale: float = 1.0):
        self.pg = pg
        self.scale = scale
        self.files = font_files()
        self._fonts: dict[tuple[int, bool], object] = {}

    def font(self, px: int, bold: bool = True):
        px = max(8, int(px))
        key = (px, bold)
        f = self._fonts.get(key)
        if f is None:
            f = self.pg.font.Font(str(self.files[bold]), px)
            self._fonts[key] = f
        return f

    def width(self, text: str, px: int, bold: bool = True) -> int:
        return self.font(px, bold).size(text)[0]

    def block_height(self, block: TextBlock, bold: bool = True) -> int:
        f = self.font(block.px, bold)
        return f.get_height() * len(block.lines) + int(block.px * LINE_GAP) * (len(block.lines) - 1)

    def layout(self, text: str, px: int, max_width: int | None, floor: int, bold: bool = True,
               max_lines: int = 3, max_height: int | None = None, wrap_first: bool = False,
               shrink: bool = True) -> TextBlock:
        """``text`` at ``px`` (times ``scale``) if it fits ``max_width``; else the largest size
        (down to ``floor``, never below it) at which it fits on one line, or, from 4/5 of the
        wanted size down, on two lines (then three) inside ``max_height``. A single word wider
        than the width is the only case that goes under the floor.

        ``shrink=False`` (the error screen's long lines): never smaller, as many lines as it
        takes, filled from the top; a line break in ``text`` starts a new line and a word
        wider than the width (a long path) is cut."""
        px = max(floor, int(round(px * self.scale)))
        if not shrink and max_width is not None:
            return TextBlock(px, fill(text, lambda s: self.width(s, px, bold), max_width))
        if max_width is None or self.width(text, px, bold) <= max_width:
            return TextBlock(px, (text,))
        def fits_h(b: TextBlock) -> bool:
            return max_height is None or self.block_height(b, bold) <= max_height

        if wrap_first:  # a paragraph: lines at the wanted size before any shrinking
            for n in range(2, max_lines + 1):
                lines = wrap(text, lambda s: self.width(s, px, bold), max_width, n)
                if lines is not None and fits_h(TextBlock(px, lines)):
                    return TextBlock(px, lines)
        size = px
        while True:
            if self.width(text, size, bold) <= max_width:
                return TextBlock(size, (text,))
            if size <= 0.8 * px or size == floor:
                for n in range(2, max_lines + 1):
                    lines = wrap(text, lambda s, size=size: self.width(s, size, bold), max_width, n)
                    if lines is not None and fits_h(TextBlock(size, lines)):
                        return TextBlock(size, lines)
            if size == floor:
                break
            size = max(floor, int(size * 0.94))
        size = floor  # too long for the room even at the floor: more lines, or a word wider than the width
        while size > 8 and self.width(max(text.split(" "), key=len), size, bold) > max_width:
            size -= 1
        return TextBlock(size, wrap(text, lambda s: self.width(s, size, bold), max_width, 99) or (text,))

    def render(self, block: TextBlock, colour, bold: bool = True):
        """One surface with the block's lines centred under each other."""
        pg = self.pg
        f = self.font(block.px, bold)
        surfs = [f.render(line, True, colour) for line in block.lines]
        if len(surfs) == 1:
            return surfs[0]
        step = f.get_height() + int(block.px * LINE_GAP)
        w = max(s.get_width() for s in surfs)
        out = pg.Surface((w, step * (len(surfs) - 1) + surfs[-1].get_height()), pg.SRCALPHA)
        for i, s in enumerate(surfs):
            out.blit(s, ((w - s.get_width()) // 2, i * step))
        return out


def wrap(text: str, width_of, max_width: int, max_lines: int) -> tuple[str, ...] | None:
    """Words of ``text`` on at most ``max_lines`` lines no wider than ``max_width``, with
    lines as even as the words allow (a short last word does not hang alone); None if they
    cannot fit."""
    words = [w for w in text.split(" ") if w]  # only at spaces: a no-break space (French "Merci !") holds
    if not words:
        return (text,)
    best = None
    # balanced: try the narrowest line width that still fits in max_lines
    lo, hi = max(width_of(w) for w in words), max_width
    if lo > max_width:
        return None
    while lo <= hi:
        mid = (lo + hi) // 2
        lines = _greedy(words, width_of, mid)
        if len(lines) <= max_lines:
            best, hi = lines, mid - 1
        else:
            lo = mid + 1
    return tuple(best) if best is not None else None


def fill(text: str, width_of: Callable[[str], int], max_width: int) -> tuple[str, ...]:
    """Words of ``text`` filled line by line up to ``max_width`` (no line limit); each line
    break in ``text`` starts a new line, and a word wider than the width is cut into pieces
    that fit (a long path in an operator's message)."""
    lines: list[str] = []
    for para in text.split("\n"):
        words = [w for w in para.split(" ") if w]
        if words:
            lines += _greedy(words, width_of, max_width, cut=True)
    return tuple(lines)


def _greedy(words: list[str], width_of: Callable[[str], int], limit: int, cut: bool = False) -> list[str]:
    """Words on lines no wider than ``limit``, each line as full as it goes; with ``cut``, a
    word wider than ``limit`` is cut into the longest pieces that fit."""
    lines: list[str] = []
    cur = ""
    for w in words:
        trial = f"{cur} {w}" if cur else w
        if cur and width_of(trial) > limit:
            lines.append(cur)
            cur = w
        else:
            cur = trial
        while cut and cur == w and len(w) > 1 and width_of(w) > limit:
            n = len(w) - 1
            while n > 1 and width_of(w[:n]) > limit:
                n -= 1
            lines.append(w[:n])
            cur = w = w[n:]
    lines.append(cur)
    return lines


def kerned(typeface: Typeface, px: int = 64) -> bool:
    """True when pairs are kerned: "AV" is narrower than "A" and "V" set apart."""
    return typeface.width("AV", px) < typeface.width("A", px) + typeface.width("V", px)


def cap_height(typeface: Typeface, px: int) -> int:
    """Ink height of a capital H at ``px`` (for measuring screenshots against the rule)."""
    pg = typeface.pg
    s = typeface.font(px, True).render("H", True, (255, 255, 255), (0, 0, 0))
    a = pg.surfarray.array_red(s)
    rows = (a > 128).any(axis=0).nonzero()[0]
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0
