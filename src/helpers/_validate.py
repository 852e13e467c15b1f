"""Input checks shared by every public function.

Each check raises ``ValueError`` whose message names the parameter, the value received and the allowed
range, e.g. ``ValueError("ic50_um must be > 0, got -1")``. Nothing here returns NaN for bad input.
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Iterable

import numpy as np

__all__ = [
    "number",
    "positive",
    "nonnegative",
    "in_range",
    "fraction",
    "integer",
    "choice",
    "array",
    "time_array",
]


def number(value, name: str) -> float:
    """A finite real number (bools are rejected: ``True`` is not a dose)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.number)):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return value


def positive(value, name: str) -> float:
    value = number(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def nonnegative(value, name: str) -> float:
    value = number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def in_range(value, name: str, low: float, high: float, *, low_open: bool = False,
             high_open: bool = False) -> float:
    """A finite number in [low, high] (or an open end where asked)."""
    value = number(value, name)
    bad_low = value <= low if low_open else value < low
    bad_high = value >= high if high_open else value > high
    if bad_low or bad_high:
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"{name} must be in {lo}{low:g}, {high:g}{hi}, got {value!r}")
    return value


def fraction(value, name: str) -> float:
    """A number in [0, 1]."""
    return in_range(value, name, 0.0, 1.0)


def integer(value, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        rng = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {rng}, got {value!r}")
    return value


def choice(value, name: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def array(values, name: str, *, low: float | None = None, high: float | None = None,
          ndim_max: int | None = None) -> np.ndarray:
    """A float array with every element finite and inside [low, high] where given."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {values!r}") from None
    if ndim_max is not None and arr.ndim > ndim_max:
        raise ValueError(f"{name} must have at most {ndim_max} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite everywhere, got {_show(arr)}")
    if low is not None and arr.size and arr.min() < low:
        raise ValueError(f"{name} must be >= {low:g} everywhere, got minimum {arr.min()!r}")
    if high is not None and arr.size and arr.max() > high:
        raise ValueError(f"{name} must be <= {high:g} everywhere, got maximum {arr.max()!r}")
    return arr


def time_array(values, name: str = "t_h") -> np.ndarray:
    """A non-empty, finite, 1-D, non-decreasing array of times."""
    arr = array(values, name, ndim_max=1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of times, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one time, got an empty array")
    if arr.size > 1 and np.any(np.diff(arr) < 0):
        raise ValueError(f"{name} must be non-decreasing (sorted in time), got {_show(arr)}")
    return arr


def _show(arr: np.ndarray) -> str:
    flat = np.ravel(arr)
    if flat.size <= 6:
        return repr(flat.tolist())
    return f"array of {flat.size} values starting {flat[:4].tolist()}"
