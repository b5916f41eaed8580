"""The download page names its buttons by use, not by file name."""

from __future__ import annotations

import re
import time

from booth.handoff.server import Grant, button_label, render_page


def test_buttons_say_what_each_photo_is_for(tmp_path):
    names = ["20261201-203252_05900_1x1.jpg", "20261201-203252_05900_4x5.jpg", "20261201-203252_05900_thumb.jpg"]
    files = []
    for n in names:
        (tmp_path / n).write_bytes(b"x")
        files.append((n, str(tmp_path / n)))
    page = render_page("tok", Grant(files=tuple(files), expires_at=time.time() + 60)).decode()
    buttons = re.findall(r'<a class="dl"[^>]*>([^<]*)</a>', page)
    assert buttons == ["Square for LinkedIn", "Portrait 4:5", "Thumbnail"]
    assert all(f'download="{n}"' in page for n in names)  # the saved file keeps its own name
    assert button_label("notes.txt") == "Download notes.txt"
