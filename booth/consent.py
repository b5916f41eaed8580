"""Consent: what the sitter is told before being photographed, and the record of their "yes".

Pure: the session builds the screen's text with :func:`screen_for` (in the sitter's
language), hashes exactly what is shown, and on "I agree" keeps a
:class:`~booth.types.ConsentRecord` that the store writes into the sidecar. Declining (or
walking away, or no answer in ``consent.timeout_s``) returns to attract; no frame of that
sitter is held (the session collects candidates only while guiding).

The organiser's own text comes from ``[consent] text`` (``text_de`` ... per language); left
empty, the booth's standard text says what is true of this booth's config: how long photos are
kept (``booth.retention_hours``), whether a copy is uploaded (``handoff.s3_bucket``) and whether a
download link is offered. Retention and upload follow it: the text is built from the same
values the sweep and the outbox use, and a capture whose consent record says "no upload" is
never queued (``booth.handoff``).

>>> from booth.config import BoothConfig
>>> s = screen_for(BoothConfig(), "en")
>>> s.title, s.agree
('Before we take your photo', 'I agree')
>>> s.body[0]
'This booth keeps your photo for 72 hours, then deletes it.'
"""

from __future__ import annotations

import hashlib

from .config import BoothConfig
from .i18n import N_, gettext
from .types import ConsentRecord, ConsentScreen

TITLE = N_("Before we take your photo")
AGREE = N_("I agree")
DECLINE = N_("No, thanks")
KEPT_HOURS = N_("This booth keeps your photo for {hours} hours, then deletes it.")
KEPT_FOREVER = N_("This booth keeps your photo until the organiser deletes it.")
UPLOADED = N_("A copy goes to the organiser's photo storage.")
LOCAL_ONLY = N_("Your photo stays on this booth; nobody else receives it.")
DOWNLOAD = N_("You can download it with the QR code shown afterwards.")
NOTHING_IF_NO = N_("If you choose “No, thanks”, nothing is saved.")
HINTS = {  # how to agree, by the allowed methods (whole sentences: no words glued together)
    ("touch",): N_("Tap “I agree” to begin."),
    ("button",): N_("Press the button to agree."),
    ("scan",): N_("Scan your badge to agree."),
    ("button", "touch"): N_("Tap “I agree” or press the button."),
    ("scan", "touch"): N_("Tap “I agree” or scan your badge."),
    ("button", "scan"): N_("Press the button or scan your badge to agree."),
    ("button", "scan", "touch"): N_("Tap “I agree”, press the button or scan your badge."),
}


def _hours(h: float) -> str:
    return f"{h:g}"


def _organiser_text(cfg: BoothConfig, lang: str) -> str:
    c = cfg.consent
    own = {"de": c.text_de, "fr": c.text_fr, "es": c.text_es}.get(lang, "")
    if own:
        return own
    if c.text and lang == cfg.ui.language:
        return c.text
    return ""


def screen_for(cfg: BoothConfig, lang: str) -> ConsentScreen:
    """The consent screen in ``lang``: the organiser's text (or the standard text), the
    buttons, how to agree, and the sha256 of all of it as shown."""
    hours = cfg.booth.retention_hours
    own = _organiser_text(cfg, lang)
    if own:
        body = tuple(p.strip().replace("{hours}", _hours(hours)) for p in own.split("\n\n") if p.strip())
    else:
        parts = [gettext(KEPT_HOURS, lang).replace("{hours}", _hours(hours)) if hours > 0 else gettext(KEPT_FOREVER, lang),
                 gettext(UPLOADED if uploads(cfg) else LOCAL_ONLY, lang)]
        if cfg.handoff.server_enabled:
            parts.append(gettext(DOWNLOAD, lang))
        parts.append(gettext(NOTHING_IF_NO, lang))
        body = tuple(parts)
    methods = tuple(sorted(set(cfg.consent.agree_by)))
    hint = gettext(HINTS[methods], lang)
    title, agree, decline = gettext(TITLE, lang), gettext(AGREE, lang), gettext(DECLINE, lang)
    shown = "\n".join((title, *body, hint, agree, decline))
    return ConsentScreen(title=title, body=body, agree=agree, decline=decline, hint=hint,
                         touch="touch" in cfg.consent.agree_by, text_sha256=hashlib.sha256(shown.encode()).hexdigest())


def uploads(cfg: BoothConfig) -> bool:
    return bool(cfg.handoff.s3_bucket)


def record(cfg: BoothConfig, screen: ConsentScreen, lang: str, method: str, t: float,
           wall: float | None = None) -> ConsentRecord:
    return ConsentRecord(t=t, method=method, language=lang, text_sha256=screen.text_sha256,
                         retention_hours=cfg.booth.retention_hours, upload=uploads(cfg), wall=wall)


def sidecar(rec: ConsentRecord, frame_t: float) -> dict:
    """The sidecar's ``consent`` entry."""
    import time

    return {
        "agreed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(rec.wall)) if rec.wall is not None else None,
        "seconds_before_frame": round(frame_t - rec.t, 3),
        "method": rec.method, "language": rec.language, "text_sha256": rec.text_sha256,
        "retention_hours": rec.retention_hours, "upload": rec.upload,
    }


def allows(cfg: BoothConfig, method: str) -> bool:
    return method in cfg.consent.agree_by
