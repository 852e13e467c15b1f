"""Axis limits that change rarely: a slider move then only redraws the data (blitting), not the axes."""
from __future__ import annotations

import math

from .. import _validate as v

__all__ = ["nice_ceiling", "nice_window_h"]

_WINDOWS_H = (0.5, 1, 2, 4, 8, 12, 24, 48, 72, 24 * 5, 24 * 7, 24 * 10, 24 * 14, 24 * 21, 24 * 28, 24 * 42,
              24 * 56, 24 * 84, 24 * 112, 24 * 168, 24 * 365, 24 * 448, 24 * 730)


def nice_ceiling(value: float, headroom: float = 1.12, floor: float = 1.0) -> float:
    """A round axis limit: the smallest of 1, 2, 2.5, 5 × 10^k at or above ``value × headroom``.

    Parameters
    ----------
    value : float
        The largest value to show, >= 0.
    headroom : float, optional
        Factor of room above it, > 0.
    floor : float, optional
        The smallest limit returned, > 0.

    Returns
    -------
    float
        The limit, at least ``floor``.
    """
    value = v.nonnegative(value, "value")
    target = max(value * v.positive(headroom, "headroom"), v.positive(floor, "floor"))
    exp = math.floor(math.log10(target))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= target * (1 - 1e-12):
            return float(m * 10**exp)
    return float(10 ** (exp + 1))


def nice_window_h(end_h: float, tail_frac: float = 0.3, min_tail_h: float = 1.0) -> float:
    """A time window from a short ladder (hours to two years) that shows a regimen and a tail after it.

    Axis limits from a ladder change rarely, so a slider move mostly redraws the data, not the axes.

    Parameters
    ----------
    end_h : float
        When the regimen ends, h, >= 0.
    tail_frac : float, optional
        Tail wanted after the end, as a fraction of ``end_h``.
    min_tail_h : float, optional
        The shortest tail wanted, h.

    Returns
    -------
    float
        The smallest window on the ladder that holds ``end_h`` plus the tail (the longest if none does).
    """
    end_h = v.nonnegative(end_h, "end_h")
    target = end_h + max(end_h * tail_frac, min_tail_h)
    for w in _WINDOWS_H:
        if w >= target:
            return float(w)
    return float(_WINDOWS_H[-1])
