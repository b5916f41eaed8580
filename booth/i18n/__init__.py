"""The sitter's languages: every sentence the booth shows or says goes through gettext.

Source strings are English and marked in the code with :func:`N_` (a no-op marker that Babel's
extraction finds); :func:`gettext` looks a string up in the sitter's language at the moment it
is shown. Catalogues are ``booth/i18n/locale/<lang>/LC_MESSAGES/booth.po`` (written by hand)
and the compiled ``booth.mo`` next to each, committed so that the Pi needs only the standard
library's :mod:`gettext` at run time (Babel is a dev/test tool here). After editing a ``.po``::

    python -m booth.i18n compile      # .po -> .mo (Babel)
    python -m booth.i18n extract      # the marked strings -> booth/i18n/booth.pot, and the
                                      # msgids a catalogue lacks (a test fails on any)

A new language is one more folder and one more row in :data:`LANGUAGES`. A string a
catalogue lacks falls back to English (and the catalogue test names it).

>>> gettext("Hold still", "de")
'Nicht bewegen'
>>> gettext("Hold still", "xx")
'Hold still'
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "booth"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: language code -> its own name (what the attract screen's choice shows), English first
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; returns it unchanged (translate it where it is shown)."""
    return message


@lru_cache(maxsize=None)
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English, i.e. no translation, when there is none)."""
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True)


def gettext(message: str, lang: str = "en") -> str:
    """``message`` in ``lang``."""
    return translations(lang).gettext(message)


def known(lang: str) -> bool:
    return lang in LANGUAGES


def check_language(lang: str, key: str = "ui.language") -> str:
    """``lang`` if the booth has it, else a ConfigError naming the key and the choices."""
    from ..errors import ConfigError

    if lang not in LANGUAGES:
        raise ConfigError(f"{key} = {lang!r} is not a catalogue language; choose one of: {', '.join(LANGUAGES)}")
    return lang
