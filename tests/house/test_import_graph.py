"""The house's import rules, read from the source: the rooms never reach up to the command line."""

from __future__ import annotations

import ast
from pathlib import Path

BOOTH = Path(__file__).resolve().parents[2] / "booth"


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(BOOTH.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def room_modules() -> list[Path]:
    return [p for p in BOOTH.rglob("*.py") if "cli" not in p.relative_to(BOOTH).parts]


def test_the_resolver_sees_relative_imports_of_the_cli():
    probe = BOOTH / "camera" / "base.py"
    assert "booth.types" in imported_modules(probe) or "booth.errors" in imported_modules(probe)


def test_no_room_imports_the_command_line():
    offenders = {str(p.relative_to(BOOTH.parent)): sorted(n for n in imported_modules(p)
                                                          if n == "booth.cli" or n.startswith("booth.cli."))
                 for p in room_modules()}
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 40  # the scan saw the house


def constructions(path: Path, names: set[str], attributes: bool = True) -> list[str]:
    """``Name(...)`` calls of the given class names in ``path`` (``x.Name(...)`` too unless
    ``attributes`` is False: boto3's ``session.Session()`` is not the booth's)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            fn = node.func
            called = fn.id if isinstance(fn, ast.Name) else fn.attr if attributes and isinstance(fn, ast.Attribute) else None
            if called in names:
                found.append(f"{path.relative_to(BOOTH.parent)}:{node.lineno} {called}")
    return found


def test_the_booth_loop_is_composed_in_one_place():
    """BoothLoop is built only by booth/compose.py (run, demo, replay, simulate and the tests
    all go through it); the coach and the session only inside the loop."""
    tests = BOOTH.parent / "tests"
    every = [p for p in BOOTH.rglob("*.py")] + [p for p in tests.rglob("*.py")]
    loops = [c for p in every for c in constructions(p, {"BoothLoop"})]
    assert loops and all(c.startswith("booth/compose.py:") for c in loops), loops
    middle = [c for p in BOOTH.rglob("*.py") for c in constructions(p, {"Coach", "Session"}, attributes=False)]
    assert middle and all(c.startswith("booth/loop.py:") for c in middle), middle
