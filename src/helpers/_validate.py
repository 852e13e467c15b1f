"""Input checks shared by every public function.

Each check raises ``ValueError`` whose message names the parameter, the value received and the allowed
range, e.g. ``ValueError("ic50_um must be > 0, got -1")``. Nothing here returns NaN for bad input.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real

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


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def number(value, name: str, *, allowed: str = "a finite real number") -> float:
    """A finite real number.

    Bools (``True``, ``np.True_``) are refused: ``True`` is not a dose, even though Python counts it as 1.

    Parameters
    ----------
    value : object
        The input to check.
    name : str
        The parameter's name, for the message.
    allowed : str, optional
        How the message words the allowed range ("a finite real number > 0", ...).

    Returns
    -------
    float
        The value as a float.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    if _is_bool(value):
        raise ValueError(f"{name} must be {allowed}, not a bool, got {value!r}")
    if not isinstance(value, (Real, np.number)) or isinstance(value, np.complexfloating):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def positive(value, name: str) -> float:
    """A finite number > 0.

    Parameters
    ----------
    value : object
        The input to check.
    name : str
        The parameter's name, for the message.

    Returns
    -------
    float
        The value as a float.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    value = number(value, name, allowed="a finite real number > 0")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def nonnegative(value, name: str) -> float:
    """A finite number >= 0.

    Parameters
    ----------
    value : object
        The input to check.
    name : str
        The parameter's name, for the message.

    Returns
    -------
    float
        The value as a float.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    value = number(value, name, allowed="a finite real number >= 0")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def in_range(value, name: str, low: float, high: float, *, low_open: bool = False,
             high_open: bool = False) -> float:
    """A finite number in [low, high], or with an open end where asked.

    Parameters
    ----------
    value : object
        The input to check.
    name : str
        The parameter's name, for the message.
    low, high : float
        The ends of the interval.
    low_open, high_open : bool, optional
        Exclude that end.

    Returns
    -------
    float
        The value as a float.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
    interval = f"{lo}{low:g}, {high:g}{hi}"
    value = number(value, name, allowed=f"a finite real number in {interval}")
    bad_low = value <= low if low_open else value < low
    bad_high = value >= high if high_open else value > high
    if bad_low or bad_high:
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def fraction(value, name: str) -> float:
    """A number in [0, 1].

    Parameters
    ----------
    value : object
        The input to check.
    name : str
        The parameter's name, for the message.

    Returns
    -------
    float
        The value as a float.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    return in_range(value, name, 0.0, 1.0)


def integer(value, name: str, low: int, high: int | None = None) -> int:
    """An integer in [low, high]; an integral float such as 3.0 is accepted, a bool is not.

    Parameters
    ----------
    value : object
        The input to check.
    name : str
        The parameter's name, for the message.
    low : int
        The smallest value allowed.
    high : int, optional
        The largest value allowed; no upper end when None.

    Returns
    -------
    int
        The value as an int.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    rng = f">= {low}" if high is None else f"in [{low}, {high}]"
    if _is_bool(value):
        raise ValueError(f"{name} must be an integer {rng}, not a bool, got {value!r}")
    if not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer {rng}, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer {rng}, got {value!r}")
    return value


def choice(value, name: str, allowed: Iterable[str]) -> str:
    """One of a set of strings.

    Parameters
    ----------
    value : object
        The input to check.
    name : str
        The parameter's name, for the message.
    allowed : iterable of str
        The strings allowed (a dict's keys work).

    Returns
    -------
    str
        The value.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def _contains_bool(values) -> bool:
    """True if ``values`` is, or holds anywhere, a bool. ``np.asarray([True, 2.0])`` would turn the bool into
    1.0 silently, so nested lists and object arrays are walked before conversion (float arrays cost nothing)."""
    if _is_bool(values):
        return True
    if isinstance(values, np.ndarray):
        if values.dtype == np.bool_:
            return True
        return values.dtype == object and any(_contains_bool(x) for x in values.flat)
    if isinstance(values, (list, tuple)):
        return any(_contains_bool(x) for x in values)
    return False


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" in [{low:g}, {high:g}]"
    if low is not None:
        return f" >= {low:g}"
    if high is not None:
        return f" <= {high:g}"
    return ""


def array(values, name: str, *, low: float | None = None, high: float | None = None,
          ndim_max: int | None = None) -> np.ndarray:
    """A float array with every element finite and inside [low, high] where given; bools are refused.

    Parameters
    ----------
    values : array_like
        The input to check.
    name : str
        The parameter's name, for the message.
    low, high : float, optional
        Bounds every element must respect.
    ndim_max : int, optional
        The most dimensions allowed.

    Returns
    -------
    numpy.ndarray
        The values as a new float array.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    allowed = f"finite real number(s){_bounds(low, high)}"
    if _contains_bool(values):
        raise ValueError(f"{name} must be {allowed}, not bools, got {_show_input(values)}")
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError):  # ragged nesting
        raise ValueError(f"{name} must be {allowed}, got {_show_input(values)}") from None
    # Only integer, unsigned and float arrays (or objects that are real numbers): np.asarray(..., float) would
    # also turn "1.5" into 1.5 and drop the imaginary part of a complex number.
    if raw.dtype.kind == "O":
        if not all(isinstance(x, Real) or isinstance(x, (np.integer, np.floating)) for x in raw.flat):
            raise ValueError(f"{name} must be {allowed}, got {_show_input(values)}")
    elif raw.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be {allowed}, got {_show_input(values)}")
    arr = np.asarray(raw, dtype=float)
    if ndim_max is not None and arr.ndim > ndim_max:
        raise ValueError(f"{name} must have at most {ndim_max} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be {allowed} everywhere, got {_show(arr)}")
    if low is not None and arr.size and arr.min() < low:
        raise ValueError(f"{name} must be >= {low:g} everywhere, got minimum {arr.min()!r}")
    if high is not None and arr.size and arr.max() > high:
        raise ValueError(f"{name} must be <= {high:g} everywhere, got maximum {arr.max()!r}")
    return arr


def time_array(values, name: str = "t_h") -> np.ndarray:
    """A non-empty, finite, 1-D, non-decreasing array of times.

    Parameters
    ----------
    values : array_like
        The times.
    name : str, optional
        The parameter's name, for the message.

    Returns
    -------
    numpy.ndarray
        The times as a float array.

    Raises
    ------
    ValueError
        Naming ``name``, the value received and the allowed range.
    """
    arr = array(values, name, ndim_max=1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of times, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one time, got an empty array")
    if arr.size > 1 and np.any(np.diff(arr) < 0):
        raise ValueError(f"{name} must be non-decreasing (sorted in time), got {_show(arr)}")
    return arr


def _show_input(values) -> str:
    if isinstance(values, np.ndarray):
        return _show(values)
    text = repr(values)
    return text if len(text) <= 80 else text[:77] + "..."


def _show(arr: np.ndarray) -> str:
    flat = np.ravel(arr)
    if flat.size <= 6:
        return repr(flat.tolist())
    return f"array of {flat.size} values starting {flat[:4].tolist()}"
