"""The prompt catalogue: what the booth says, in short human sentences.

Code never spells a sentence; it names a :class:`~booth.types.Prompt` and the screen asks
:func:`text` for the words. Directions are the sitter's own (see ``Prompt``): the words
therefore read right whether the preview is mirrored or not. The English sentences below are
the gettext msgids; the other languages are catalogues in ``booth/i18n/locale`` (see
:mod:`booth.i18n`: a new language is one more ``.po``); a missing entry falls back to English.
A new prompt is one more row here (marked ``N_``) and one more entry per ``.po``.

>>> text(Prompt.MOVE_CLOSER)
'Move a little closer'
>>> text(Prompt.MOVE_CLOSER, "de")
'Kommen Sie etwas näher'

Graded prompts: a move that has a measured way to go (``Actions.prompt_amount``) is worded
by its size. From :data:`BIG_MOVE` (0.15 of the frame width, about 20 cm at a 1.3 m wide
field: more than the ~7 % a sitter shuffles when told "a little") the sentence asks for a
real step, so that the sitter takes one step instead of three small ones; the screen's
arrow shows how far. Below it, or with no amount, the plain sentence stays.

>>> text(Prompt.MOVE_LEFT, amount=0.23)
'Take a step to your left'
>>> text(Prompt.MOVE_LEFT, amount=0.08)
'Move a little to your left'
"""

from __future__ import annotations

from types import MappingProxyType

from ..i18n import LANGUAGES, N_, gettext
from ..types import MOVE_DIRECTIONS, Prompt

_EN = {
    Prompt.STEP_IN: N_("Step in front of the camera"),
    Prompt.ONE_PERSON: N_("Only one person, please"),
    Prompt.MOVE_CLOSER: N_("Move a little closer"),
    Prompt.MOVE_BACK: N_("Move back a little"),
    Prompt.MOVE_LEFT: N_("Move a little to your left"),
    Prompt.MOVE_RIGHT: N_("Move a little to your right"),
    Prompt.MOVE_UP: N_("Sit up a little taller"),
    Prompt.MOVE_DOWN: N_("Lower yourself a little"),
    Prompt.STRAIGHTEN_HEAD: N_("Straighten your head"),
    Prompt.TURN_LEFT: N_("Turn your face a little to your left"),
    Prompt.TURN_RIGHT: N_("Turn your face a little to your right"),
    Prompt.CHIN_UP: N_("Lift your chin a little"),
    Prompt.CHIN_DOWN: N_("Lower your chin a little"),
    Prompt.LOOK_AT_CAMERA: N_("Look at the camera"),
    Prompt.OPEN_EYES: N_("Eyes open, please"),
    Prompt.SMILE: N_("A relaxed smile"),
    Prompt.SOFTEN_SMILE: N_("Soften your smile a little"),
    Prompt.CLOSE_MOUTH: N_("Close your mouth gently"),
    Prompt.HOLD_STILL: N_("Hold still"),
    Prompt.TURN_TO_LIGHT: N_("Turn a little toward the light"),
    # the actor series: what to do, in a few words (the rules: booth/guidance/actor.py)
    Prompt.EXPRESS_CONFIDENT: N_("Confident: think of good news you can't share yet"),
    Prompt.EXPRESS_APPROACHABLE: N_("Approachable: smile at a friend walking in"),
    Prompt.EXPRESS_SERIOUS: N_("Intense: no smile, look right through the lens"),
    Prompt.EXPRESS_VULNERABLE: N_("Vulnerable: think of someone you miss"),
    Prompt.EXPRESS_PLAYFUL: N_("Playful: grin at a joke only you get"),
    Prompt.TURN_SHOULDERS_LEFT: N_("Turn your shoulders a little to your left"),
    Prompt.TURN_SHOULDERS_RIGHT: N_("Turn your shoulders a little to your right"),
    Prompt.LOOK_HERE: N_("Look here"),
    # a soft hint, once per sitter, when the wall behind is clearly busy (never gates capture)
    Prompt.BUSY_BACKGROUND: N_("Tip: a plain wall behind you makes the best photo"),
}

# The same prompts when the way to go is at least BIG_MOVE (the arrow carries the distance).
_EN_BIG = {
    Prompt.MOVE_LEFT: N_("Take a step to your left"),
    Prompt.MOVE_RIGHT: N_("Take a step to your right"),
}

BIG_MOVE = 0.15  # fraction of the frame width from which a sideways move is a step, not "a little"
#: once a move reads as a step, it keeps that wording until the way to go is under this: a
#: sitter swaying at 0.15 must not see the sentence flicker (``was_big`` below; the screen
#: remembers what it showed)
BIG_MOVE_EXIT = 0.13

CATALOGUE = MappingProxyType({"en": MappingProxyType(_EN)})
CATALOGUE_BIG = MappingProxyType({"en": MappingProxyType(_EN_BIG)})


def is_big(prompt: Prompt, amount: float | None, *, was_big: bool = False) -> bool:
    """Does ``amount`` make ``prompt`` a big move (one with a graded sentence)? ``was_big``:
    the same prompt already reads as a step on screen, which it keeps down to
    :data:`BIG_MOVE_EXIT`."""
    return (prompt in MOVE_DIRECTIONS and amount is not None
            and amount >= (BIG_MOVE_EXIT if was_big else BIG_MOVE))


def text(prompt: Prompt, lang: str = "en", amount: float | None = None, *, was_big: bool = False) -> str:
    """The sentence for ``prompt`` in ``lang`` (English when that language lacks it; the
    English tables are the msgids, the translations are gettext catalogues).
    ``amount``: how far the sitter must go (``Actions.prompt_amount``); a big one reads as
    a step (see the module doc and :func:`is_big`)."""
    if is_big(prompt, amount, was_big=was_big):
        return gettext(CATALOGUE_BIG["en"][prompt], lang)
    return gettext(CATALOGUE["en"][prompt], lang)


def english(prompt: Prompt) -> str:
    """The msgid of ``prompt`` (its English sentence)."""
    return CATALOGUE["en"][prompt]


def languages() -> tuple[str, ...]:
    return tuple(LANGUAGES)
