"""The TFLite shim prefers LiteRT, falls back to tflite-runtime, and says which it uses."""

from __future__ import annotations

import subprocess
import sys
import types

import numpy as np
import pytest

from booth import models, runtime
from booth.errors import RuntimeMissingError


def _importer(available: dict[str, types.ModuleType]):
    def importer(name):
        if name in available:
            return available[name]
        raise ImportError(f"No module named {name!r}")

    return importer


def _fake_runtime(version: str):
    pkg = types.ModuleType("pkg")
    pkg.__version__ = version
    interp_mod = types.ModuleType("pkg.interpreter")
    interp_mod.Interpreter = type("Interpreter", (), {})
    return pkg, interp_mod


def test_litert_is_preferred_when_both_are_present():
    lp, li = _fake_runtime("2.3.0")
    tp, ti = _fake_runtime("2.14.0")
    info = runtime.select_runtime("", _importer({"ai_edge_litert": lp, "ai_edge_litert.interpreter": li,
                                                 "tflite_runtime": tp, "tflite_runtime.interpreter": ti}))
    assert (info.name, info.version, info.interpreter_class) == ("litert", "2.3.0", li.Interpreter)


def test_tflite_runtime_is_the_fallback():
    tp, ti = _fake_runtime("2.14.0")
    info = runtime.select_runtime("", _importer({"tflite_runtime": tp, "tflite_runtime.interpreter": ti}))
    assert info.name == "tflite_runtime" and info.describe().startswith("tflite_runtime 2.14.0")


def test_no_runtime_names_the_fix():
    with pytest.raises(RuntimeMissingError, match="pip install ai-edge-litert"):
        runtime.select_runtime("", _importer({}))


def test_the_real_runtime_here_is_litert_and_runs_a_model_with_explicit_threads():
    info = runtime.select_runtime("")
    assert info.name == "litert"
    from importlib.metadata import version

    assert info.version == version("ai-edge-litert")
    interp = runtime.make_interpreter(models.model_path("emotion"), threads=1)
    inp = interp.get_input_details()[0]
    interp.set_tensor(inp["index"], np.zeros(inp["shape"], np.float32))
    interp.invoke()
    probs = interp.get_tensor(interp.get_output_details()[0]["index"])[0]
    assert probs.shape == (7,) and probs.sum() == pytest.approx(1.0, abs=1e-3)


def test_booth_version_reports_the_runtime():
    proc = subprocess.run([sys.executable, "-m", "booth.cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "TFLite runtime: litert" in proc.stdout
