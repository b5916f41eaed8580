"""The command line lives in booth/cli/, and a missing dependency never hides a command."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import textwrap

import pytest

import booth.cli as cli


def registered_commands(modname: str) -> set[str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(modname).register(sub)
    return set(sub.choices)


@pytest.mark.parametrize("modname", cli.COMMAND_MODULES)
def test_every_command_module_declares_the_commands_it_registers(modname):
    assert set(cli.COMMAND_NAMES[modname]) == registered_commands(modname)


def test_a_missing_library_in_a_handler_gives_one_line_naming_the_fix():
    # cv2 blocked the way an absent package is: the import of cv2 raises ModuleNotFoundError.
    code = "import sys; sys.modules['cv2'] = None\nfrom booth.cli import main\nsys.exit(main(['analyze', 'x.jpg']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)  # a safety bound only: a loaded CI machine starts Python slowly
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "booth: `booth analyze` needs the Python module 'cv2', which is not installed. "
        "Fix: pip install opencv-python-headless"]
    assert "Traceback" not in out.stderr


def test_a_command_module_that_cannot_import_still_lists_its_command_and_says_why(tmp_path, monkeypatch, capsys):
    (tmp_path / "booth_extra_cmds.py").write_text(textwrap.dedent("""
        import no_such_vendor_sdk  # an optional dependency that is not installed

        def register(sub):
            sub.add_parser("print")
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "COMMAND_MODULES", cli.COMMAND_MODULES + ("booth_extra_cmds",))
    monkeypatch.setitem(cli.COMMAND_NAMES, "booth_extra_cmds", ("print",))
    parser = cli.build_parser()
    assert "print" in parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert cli.main(["print", "--copies", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("booth: `booth print` needs the Python module 'no_such_vendor_sdk', which is not installed. "
                   "Fix: install the package that provides it (pip install no_such_vendor_sdk)")


def test_a_missing_booth_module_is_a_bug_and_not_reported_as_a_dependency(tmp_path, monkeypatch):
    (tmp_path / "booth_broken_cmds.py").write_text("import booth.no_such_room\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "COMMAND_MODULES", cli.COMMAND_MODULES + ("booth_broken_cmds",))
    with pytest.raises(ModuleNotFoundError, match="booth.no_such_room"):
        cli.build_parser()


def test_the_cli_log_follows_the_current_stderr_not_the_one_it_started_with(capsys):
    """A test (or a wrapper) that swaps stderr and later closes it must not leave the booth's
    log writing into the closed stream ("--- Logging error ---" in every later warning)."""
    import io
    import logging

    from booth.cli import setup_logging

    old_handlers, old_level = logging.getLogger().handlers[:], logging.getLogger().level
    swapped = io.StringIO()
    real = sys.stderr
    try:
        sys.stderr = swapped
        setup_logging(0)
        logging.getLogger("booth.test").warning("while swapped")
        sys.stderr = real
        swapped.close()
        logging.getLogger("booth.test").warning("after the swapped stream closed")
    finally:
        sys.stderr = real
        logging.getLogger().handlers[:] = old_handlers
        logging.getLogger().setLevel(old_level)
    err = capsys.readouterr().err
    assert "after the swapped stream closed" in err and "Logging error" not in err
