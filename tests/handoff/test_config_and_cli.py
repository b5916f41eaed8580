"""The [handoff] config section and the `booth handoff` commands."""

from __future__ import annotations

import logging

import pytest

from booth.cli import main
from booth.config import load_config
from booth.errors import ConfigError


@pytest.fixture(autouse=True)
def restore_logging():
    """main() points the root logger at this test's captured stderr; put it back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("bad, message", [
    ({"badge_pattern": "[A-Z"}, "handoff.badge_pattern"),
    ({"server_cert_file": "cert.pem"}, "set together"),
    ({"token_bytes": 8}, "handoff.token_bytes"),
    ({"retry_initial_s": 10.0, "retry_max_s": 1.0}, "retry_max_s"),
    ({"s3_addressing": "sideways"}, "handoff.s3_addressing"),
])
def test_bad_handoff_settings_name_the_key(bad, message):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides={"handoff": bad})


def test_defaults_turn_everything_off():
    h = load_config().handoff
    assert not h.server_enabled and h.s3_bucket == "" and not h.badge_required


def test_cli_badge_check_and_outbox_off(tmp_path, capsys):
    cfg = tmp_path / "booth.toml"
    cfg.write_text('[handoff]\nbadge_pattern = "[A-Z]{2}-[0-9]{4}"\n')
    assert main(["--config", str(cfg), "handoff", "badge", "KX-1234"]) == 0
    assert main(["--config", str(cfg), "handoff", "badge", "KX-12"]) == 2
    out = capsys.readouterr().out
    assert "ok" in out and "refused 'KX-12'" in out
    assert main(["--config", str(cfg), "handoff", "outbox", "status"]) == 2
    assert "s3_bucket" in capsys.readouterr().err


def test_cli_outbox_flush_and_status(tmp_path, s3_server, bucket, capsys):
    from booth.handoff.outbox import Outbox

    from .test_outbox import write_capture
    import numpy as np

    out = tmp_path / "photos"
    cfg_file = tmp_path / "booth.toml"
    cfg_file.write_text(f'[booth]\noutput_dir = "{out}"\n[handoff]\ns3_bucket = "{bucket}"\n'
                        f's3_endpoint = "{s3_server.endpoint}"\n')
    cfg = load_config(cfg_file)
    paths, sidecar = write_capture(out, 1, np.random.default_rng(5))
    Outbox.from_config(cfg).enqueue(paths, sidecar)
    assert main(["--config", str(cfg_file), "handoff", "outbox", "status"]) == 0
    assert "pending 1, uploaded 0" in capsys.readouterr().out
    assert main(["--config", str(cfg_file), "handoff", "outbox", "flush", "--timeout", "20"]) == 0
    assert "pending 0, uploaded 1, failed 0" in capsys.readouterr().out
