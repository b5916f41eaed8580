"""The session table holds its effects as the Session methods themselves, so a misspelt
effect stops the import instead of failing the first time its transition fires."""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest

from booth import session
from booth.session import ON_ENTER, TRANSITIONS, Session
from booth.types import BoothState

SOURCE = Path(session.__file__)


def test_every_effect_and_entry_action_is_a_session_method():
    effects = [tr.effect for tr in TRANSITIONS.values() if tr.effect is not None] + list(ON_ENTER.values())
    assert len(effects) > 10
    for fn in effects:
        assert inspect.isfunction(fn) and getattr(Session, fn.__name__) is fn, fn
        assert list(inspect.signature(fn).parameters) == ["self", "t"], fn
    assert set(ON_ENTER) == set(BoothState)  # every state has its entry action


def load_variant(tmp_path: Path, source: str, monkeypatch):
    """Import ``source`` as if it were booth/session.py (same package, so its imports resolve)."""
    path = tmp_path / "session_variant.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("booth.session_variant", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_unchanged_table_imports(tmp_path, monkeypatch):
    variant = load_variant(tmp_path, SOURCE.read_text(), monkeypatch)
    assert len(variant.TRANSITIONS) == len(TRANSITIONS)


def test_a_misspelt_effect_fails_at_import(tmp_path, monkeypatch):
    text = SOURCE.read_text()
    typo, n = re.subn(r"Transition\(S\.ATTRACT, Session\._remember_badge\)",
                      "Transition(S.ATTRACT, Session._remember_bagde)", text, count=1)
    assert n == 1
    with pytest.raises(AttributeError, match="_remember_bagde"):
        load_variant(tmp_path, typo, monkeypatch)


def test_a_misspelt_entry_action_fails_at_import(tmp_path, monkeypatch):
    typo, n = re.subn(r"S\.REVIEW: Session\._enter_review,", "S.REVIEW: Session._enter_reveiw,", SOURCE.read_text())
    assert n == 1
    with pytest.raises(AttributeError, match="_enter_reveiw"):
        load_variant(tmp_path, typo, monkeypatch)
