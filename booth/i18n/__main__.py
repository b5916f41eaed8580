"""``python -m booth.i18n extract|compile|check`` (Babel; a dev/test tool, not needed at run time).

- extract: the strings marked ``N_`` in booth/ -> booth/i18n/booth.pot
- compile: each locale's booth.po -> booth.mo (committed: the Pi reads .mo with the stdlib)
- check: exit 1 naming each msgid a catalogue lacks, each fuzzy/empty entry and each stale .mo
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from . import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]  # booth/
POT = Path(__file__).resolve().parent / "booth.pot"


def extract_messages() -> list[str]:
    """Every msgid marked N_ in the package, in source order (Babel's Python extractor)."""
    from babel.messages.extract import extract_from_dir

    seen: dict[str, None] = {}
    for _file, _line, msg, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map=[("**.py", "python")], keywords={"N_": None}, comment_tags=(), strip_comment_tags=True):
        if isinstance(msg, str) and msg:
            seen.setdefault(msg, None)
    return list(seen)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_po(lang: str):
    from babel.messages.pofile import read_po as _read

    with po_path(lang).open("rb") as fh:
        return _read(fh, locale=lang, domain=DOMAIN)


def compiled(lang: str) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, read_po(lang), use_fuzzy=False)
    return buf.getvalue()


def problems() -> list[str]:
    msgids = extract_messages()
    out = []
    for lang in LANGUAGES:
        if lang == "en":
            continue
        cat = read_po(lang)
        for m in msgids:
            entry = cat.get(m)
            if entry is None or not entry.string:
                out.append(f"{lang}: no translation for {m!r}")
            elif entry.fuzzy:
                out.append(f"{lang}: fuzzy translation for {m!r}")
            elif "{" in m and set(_fields(m)) != set(_fields(entry.string)):
                out.append(f"{lang}: placeholders differ in {m!r}")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(lang):
            out.append(f"{lang}: {mo} is stale. Fix: python -m booth.i18n compile")
    return out


def _fields(s: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(s) if f]


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "check"
    if cmd == "extract":
        from babel.messages.catalog import Catalog
        from babel.messages.pofile import write_po

        cat = Catalog(domain=DOMAIN, project="booth")
        for m in extract_messages():
            cat.add(m)
        with POT.open("wb") as fh:
            write_po(fh, cat, omit_header=False, sort_output=False, width=100)
        print(f"{len(cat)} messages -> {POT}")
        return 0
    if cmd == "compile":
        for lang in LANGUAGES:
            if lang != "en":
                po_path(lang).with_suffix(".mo").write_bytes(compiled(lang))
                print(f"{lang}: {po_path(lang).with_suffix('.mo')}")
        return 0
    if cmd == "check":
        found = problems()
        for p in found:
            print(p)
        return 1 if found else 0
    print("usage: python -m booth.i18n extract|compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
