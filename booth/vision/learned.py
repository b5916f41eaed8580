"""Small learned models evaluated in numpy: logistic regression and ridge regression.

The weights live in ``booth/vision/data/*.json`` and are made by
``python -m booth.vision.data.train`` from the development set (../shared/data); the same
trainer computes the k-fold cross-validated figures (booth/vision/README.md, and
tests/vision/test_learned.py recomputes them). No runtime dependency beyond numpy: a model
is a standardisation (mean, scale) and one weight vector, a few microseconds per frame.

Trainers here are plain numpy (IRLS for the logistic model, a closed form for ridge), so the
test that recomputes a cross-validated figure needs nothing that the booth does not ship.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LinearModel:
    """``kind`` "logistic": P = sigmoid(w . (x - mean) / scale + b); "ridge": y = the same
    linear form without the sigmoid."""

    kind: str
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    meta: dict[str, Any]

    def decision(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, np.float64) - self.mean) / self.scale
        return np.asarray(z @ self.coef + self.intercept)

    def predict(self, x: np.ndarray) -> np.ndarray:
        d = self.decision(x)
        if self.kind == "logistic":
            return np.asarray(1.0 / (1.0 + np.exp(-np.clip(d, -30.0, 30.0))))
        return d

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "features": list(self.features), "mean": self.mean.round(8).tolist(),
                "scale": self.scale.round(8).tolist(), "coef": self.coef.round(8).tolist(),
                "intercept": round(float(self.intercept), 8), "meta": self.meta}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "LinearModel":
        return cls(d["kind"], tuple(d["features"]), np.array(d["mean"], np.float64), np.array(d["scale"], np.float64),
                   np.array(d["coef"], np.float64), float(d["intercept"]), dict(d.get("meta", {})))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")


def load_model(name: str) -> LinearModel:
    return LinearModel.from_json(json.loads((DATA_DIR / f"{name}.json").read_text()))


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def _penalty(l2: float | np.ndarray, n: int) -> np.ndarray:
    return np.array(np.broadcast_to(np.asarray(l2, np.float64), (n,)))


def fit_logistic(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], l2: float | np.ndarray = 1.0,
                 weights: np.ndarray | None = None, iterations: int = 50, meta: dict[str, Any] | None = None,
                 start: LinearModel | None = None) -> LinearModel:
    """L2-regularised logistic regression by Newton's method (IRLS) on standardised
    features; ``l2`` penalises the weights (not the intercept): one figure, or one per
    feature (e.g. a heavier penalty on a large block of appearance features). ``weights``:
    per-sample weights (e.g. class balance). ``start``: a model fitted on the same ``x``
    (e.g. with another penalty) to start Newton's method from; the problem is strictly
    convex, so the fit is the same (to the 1e-8 step tolerance), in fewer steps."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    mean, scale = _standardise(x)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    sw = np.ones(len(x)) if weights is None else np.asarray(weights, np.float64)
    w = np.zeros(z.shape[1]) if start is None else np.append(start.coef, start.intercept)
    pen = np.append(_penalty(l2, x.shape[1]), 0.0)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (sw * (p - y)) + pen * w
        # z' W z as (sqrt(W) z)' (sqrt(W) z): numpy's matmul of an array with its own
        # transpose is a symmetric rank-k update (syrk), ~1.5x faster than the general product
        zs = z * np.sqrt(sw * p * (1 - p))[:, None]
        hess = zs.T @ zs + np.diag(pen) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return LinearModel("logistic", tuple(features), mean, scale, w[:-1], float(w[-1]), dict(meta or {}))


def fit_ridge(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], l2: float | np.ndarray = 1.0,
              meta: dict[str, Any] | None = None) -> LinearModel:
    """Ridge regression on standardised features (closed form); ``l2`` one figure or one
    per feature."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    mean, scale = _standardise(x)
    z = (x - mean) / scale
    ym = y.mean()
    coef = np.linalg.solve(z.T @ z + np.diag(_penalty(l2, z.shape[1])), z.T @ (y - ym))
    return LinearModel("ridge", tuple(features), mean, scale, coef, float(ym), dict(meta or {}))


def kfold(n: int, k: int, seed: int = 0, groups: np.ndarray | None = None) -> list[np.ndarray]:
    """Test-index arrays of ``k`` folds over ``n`` samples (a fixed shuffle); with
    ``groups``, every group stays within one fold (e.g. one Yale subject)."""
    rng = np.random.default_rng(seed)
    if groups is None:
        order = rng.permutation(n)
        return [np.sort(order[i::k]) for i in range(k)]
    uniq = np.unique(groups)
    uniq = uniq[rng.permutation(len(uniq))]
    return [np.flatnonzero(np.isin(groups, uniq[i::k])) for i in range(k)]


def cross_validate(fit: Callable[[np.ndarray, np.ndarray], Any], x: np.ndarray, y: np.ndarray, folds: list[np.ndarray]) -> np.ndarray:
    """Out-of-fold predictions: each fold predicted by ``fit(x_train, y_train)`` trained
    on the other folds."""
    out = np.full(len(x), np.nan)
    for test in folds:
        train = np.setdiff1d(np.arange(len(x)), test)
        out[test] = fit(x[train], y[train]).predict(x[test])
    return out


def balanced_accuracy(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> float:
    y = np.asarray(y).astype(bool)
    hit = np.asarray(p) >= threshold
    return 0.5 * (float(hit[y].mean()) + float((~hit[~y]).mean()))
