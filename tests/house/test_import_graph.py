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
