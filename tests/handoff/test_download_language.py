"""The download page speaks the sitter's language (booth/handoff/server.py, booth/i18n)."""

from __future__ import annotations

import json

from booth.config import BoothConfig
from booth.handoff.server import GrantStore, render_page
from booth.handoff.service import Handoff


def test_the_page_is_in_the_language_of_the_grant(tmp_path):
    photo = tmp_path / "x_1x1.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xd9")
    grants = GrantStore(tmp_path / "grants")
    # the square crop's button is named by its use (issue 14), in the sitter's language
    for lang, title, button in (("de", "Ihr Porträtfoto", "Quadratisch für LinkedIn"),
                                ("fr", "Votre portrait", "Carré pour LinkedIn"),
                                ("es", "Su retrato", "Cuadrada para LinkedIn"),
                                ("en", "Your headshot", "Square for LinkedIn")):
        token = grants.issue([photo], 60, None, language=lang)
        page = render_page(token, grants.lookup(token)).decode()
        assert f'<html lang="{lang}">' in page and f"<h1>{title}</h1>" in page and button in page
    old = grants.issue([photo], 60)  # a grant written before languages: English
    assert "Your headshot" in render_page(old, grants.lookup(old)).decode()


class _Server:
    def url_for(self, token):
        return f"http://127.0.0.1/d/{token}"


def test_the_saved_sitters_language_reaches_the_link(tmp_path):
    photo = tmp_path / "y_1x1.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xd9")
    h = Handoff(BoothConfig(), remote=object())
    h.grants = GrantStore(tmp_path / "grants")
    h.server = _Server()
    url = h.on_saved([photo], {"language": "es"}, None)
    token = url.rsplit("/", 1)[1]
    assert h.grants.lookup(token).language == "es"
    stored = next((tmp_path / "grants").glob("*.json"))
    assert json.loads(stored.read_text())["language"] == "es"
