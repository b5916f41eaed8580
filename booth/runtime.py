"""One small shim over the TFLite runtimes.

LiteRT (``ai_edge_litert``) is preferred: it is maintained, has wheels for current
Pythons and works with numpy 1.x and 2.x. ``tflite_runtime`` is the fallback for
images that already carry it (it stops at Python 3.11 and breaks with numpy 2).
Both expose the same ``Interpreter`` API; XNNPACK is on by default in both.

Set ``BOOTH_TFLITE_RUNTIME=tflite_runtime`` to force the fallback (for
comparisons on a Pi), or ``litert`` to require LiteRT.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RuntimeMissingError

_CANDIDATES = (
    ("litert", "ai_edge_litert.interpreter", "ai_edge_litert"),
    ("tflite_runtime", "tflite_runtime.interpreter", "tflite_runtime"),
)


@dataclass(frozen=True)
class RuntimeInfo:
    """Which runtime is in use: ``name`` is 'litert' or 'tflite_runtime'."""

    name: str
    module: str
    version: str
    interpreter_class: Any

    def describe(self) -> str:
        return f"{self.name} {self.version} ({self.module})"


_cached: RuntimeInfo | None = None


def _version_of(package: str, module: Any) -> str:
    ver = getattr(module, "__version__", None)
    if ver:
        return str(ver)
    try:
        from importlib.metadata import version

        return version(package.replace("_", "-"))
    except Exception:  # noqa: BLE001 - a version string is informational only
        return "unknown"


def select_runtime(prefer: str | None = None, importer=importlib.import_module) -> RuntimeInfo:
    """Find the runtime to use. ``importer`` is injectable so tests can hide modules."""
    prefer = prefer if prefer is not None else os.environ.get("BOOTH_TFLITE_RUNTIME", "")
    order = list(_CANDIDATES)
    if prefer:
        chosen = [c for c in order if c[0] == prefer]
        if not chosen:
            raise RuntimeMissingError(
                f"BOOTH_TFLITE_RUNTIME={prefer!r} is not a runtime this booth knows; use 'litert' or 'tflite_runtime'"
            )
        order = chosen
    errors = []
    for name, modname, package in order:
        try:
            mod = importer(modname)
            pkg = importer(package)
        except ImportError as exc:
            errors.append(f"{modname}: {exc}")
            continue
        return RuntimeInfo(name, modname, _version_of(package, pkg), mod.Interpreter)
    raise RuntimeMissingError(
        "no TFLite runtime could be imported (" + "; ".join(errors) + "). "
        "Fix: pip install ai-edge-litert (or, on Python <= 3.11 with numpy 1.x, tflite-runtime)"
    )


def runtime() -> RuntimeInfo:
    """The process-wide runtime, selected once."""
    global _cached
    if _cached is None:
        _cached = select_runtime()
    return _cached


def make_interpreter(model: str | Path | bytes, threads: int = 1):
    """An allocated interpreter for ``model`` (a file, or a model's bytes changed in memory)
    with an explicit thread count.

    ``threads`` is always passed: the runtimes' defaults differ, and tflite-runtime with
    2 threads on a 2-core machine is pathological (see PERF_NOTES).
    """
    if threads < 1:
        raise ValueError("threads must be >= 1")
    info = runtime()
    source = {"model_content": model} if isinstance(model, bytes) else {"model_path": str(model)}
    interp = info.interpreter_class(**source, num_threads=int(threads))
    interp.allocate_tensors()
    return interp
