"""SciPy, replaced by a stand-in whose `scipy.special` holds the few NumPy formulas students call by name.

A sigmoid written `from scipy.special import expit` (MiniFlow's Sigmoid, a layer's forward), a softmax from
`scipy.special.softmax` or `logsumexp`: the code is right, but a grading run has only NumPy, the import failed
at the top of the file and every class below it counted as missing (0 points; sample
submissions/miniflow/sigmoid_scipy_expit.py). These functions are a line of NumPy each, computed here
with SciPy's formulas for float64 arrays (the same values to the last bit or two, far inside every
tolerance); at the edges they differ (float64 results for float32 input, no `out=` keyword, an empty
logsumexp raising, a softmax of an infinite entry), which no graded case reaches. Everything else of
SciPy imports (any submodule, any name) and raises `ScipyNeeded` when called or built: a numerical derivative
(`scipy.misc.derivative`, `scipy.optimize.approx_fprime`) never runs, so no gradient is computed by SciPy.
"""

from __future__ import annotations

import importlib
import types
from typing import Any

import numpy as np

from .data import unavailable

SCIPY_PACKAGES = ("scipy",)
SPECIAL = "scipy.special"


class ScipyNeeded(RuntimeError):
    """Raised by every SciPy name the stand-in does not compute."""


def _raise(qualified: str) -> None:
    raise ScipyNeeded(
        f"scipy is not available while grading ({qualified}): only scipy.special's "
        f"{', '.join(sorted(FUNCTIONS))} are, computed with NumPy; write the rest with NumPy"
    )


def expit(x: Any) -> Any:
    """1 / (1 + exp(-x)), without overflow for large negative x (SciPy's logistic sigmoid)."""
    a = np.asarray(x)
    a = a if a.dtype.kind == "f" else a.astype(np.float64)  # ints and bools as SciPy: float64
    e = np.exp(-np.abs(a))
    out = np.where(a >= 0, 1 / (1 + e), e / (1 + e))
    return out[()] if out.ndim == 0 else out


def logit(p: Any) -> Any:
    """log(p / (1 - p)), the inverse of expit."""
    a = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.log(a / (1 - a))
    return out[()] if out.ndim == 0 else out


def logsumexp(
    a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False
) -> Any:
    """log(sum(b * exp(a))) over `axis`, shifted by the maximum so that it does not overflow."""
    if return_sign:
        _raise(f"{SPECIAL}.logsumexp(..., return_sign=True)")
    x = np.asarray(a, dtype=np.float64)
    top = _finite_max(x, axis)
    w = np.exp(x - top) if b is None else np.asarray(b) * np.exp(x - top)
    out = np.log(np.sum(w, axis=axis, keepdims=True)) + top
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out[()] if out.ndim == 0 else out


def _finite_max(a: Any, axis: Any) -> Any:
    """The maximum over `axis` (kept), 0 where it is not finite: the shift that keeps exp from overflowing."""
    top = np.max(a, axis=axis, keepdims=True)
    return np.where(np.isfinite(top), top, 0)


def _shifted(x: Any, axis: Any) -> tuple[Any, Any]:
    """x minus its maximum over `axis` (kept), and the sum of the exponentials of that, as SciPy has them."""
    a = np.asarray(x, dtype=np.float64)
    shifted = a - _finite_max(a, axis)
    return shifted, np.sum(np.exp(shifted), axis=axis, keepdims=True)


def softmax(x: Any, axis: Any = None) -> Any:
    """exp(x) / sum(exp(x)) over `axis` (None: the whole array, SciPy's default), shifted by its maximum."""
    shifted, total = _shifted(x, axis)
    return np.exp(shifted) / total


def log_softmax(x: Any, axis: Any = None) -> Any:
    shifted, total = _shifted(x, axis)
    with np.errstate(divide="ignore"):
        return shifted - np.log(total)


FUNCTIONS = {f.__name__: f for f in (expit, logit, logsumexp, softmax, log_softmax)}


def make_module(fullname: str) -> types.ModuleType:
    """scipy's stand-in module (a package): scipy.special with FUNCTIONS, every other name unavailable."""
    module = types.ModuleType(fullname, "stand-in: scipy is not available while grading")
    module.__path__ = []
    if fullname == SPECIAL:
        vars(module).update(FUNCTIONS)
    module.__all__ = list(FUNCTIONS) if fullname == SPECIAL else []  # type: ignore[attr-defined]

    def __getattr__(name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        if f"{fullname}.{name}" == SPECIAL:  # `import scipy` then scipy.special.expit, as SciPy loads it
            return importlib.import_module(SPECIAL)
        made = unavailable(f"{fullname}.{name}", _raise)
        setattr(module, name, made)
        return made

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module
