"""Superposition over dosing boundaries: the exact modal solution of a regimen, evaluable at any times.

In modal coordinates each mode is independent: between two consecutive event boundaries t_k ≤ t < t_{k+1}
(bolus times, infusion starts and stops) its value is ``exp(λ (t − t_k)) S_k + C_k`` where ``C_k`` is the steady
state of the input active on that interval. ``S_k`` obeys S_k = exp(λ(t_k − t_{k−1})) S_{k−1} + drive_k over the
sorted boundaries (not over time points); it is evaluated in blocks of 64 boundaries as
S_i = Σ_{j≤i} exp(λ(t_i − t_j)) drive_j. All time points are then evaluated at once via ``np.searchsorted``.
Exponents are never positive, so nothing overflows however long the regimen; they are floored at −700 (exp would
return ~1e−304 there) because numpy's exp is ~8× slower in the underflow range. Modes a regimen cannot excite
(e.g. the depot of a route not used) are left out of the sum.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from .regimen import Bolus
from .routes import ROUTES
from .system import _ro, _System

__all__: list[str] = []

# exp() of very negative arguments takes a slow underflow path (about 8x slower); exp(-700) ~ 1e-304 is
# already zero for every purpose here, so exponents are clipped there.
_EXP_FLOOR = -700.0
_BLOCK = 64                        # boundaries solved together in the superposition recurrence

_ROUTE_COL = {r: i for i, r in enumerate(ROUTES)}


@cache
def _tril(b: int):
    """Lower-triangle index pairs (i, j <= i) of a b x b block, rows contiguous, and each row's start."""
    ii, jj = np.tril_indices(b)
    starts = np.arange(b) * (np.arange(b) + 1) // 2
    return _ro(ii), _ro(jj), _ro(starts)


@dataclass(frozen=True, eq=False)
class _Segments:
    bounds: np.ndarray     # sorted event boundaries t_k (h)
    s: np.ndarray          # K x m: S_k
    steady: np.ndarray     # K x m: C_k
    lam: np.ndarray        # the m eigenvalues used
    modes: np.ndarray      # their indices in the full system


def _segments(sys: _System, events: tuple, modes: np.ndarray | None = None) -> _Segments | None:
    """Boundaries t_k and per-mode (S_k, C_k) so that z(t) = exp(λ(t − t_k)) S_k + C_k on [t_k, t_{k+1}).

    ``modes``: indices of the modes to carry (default all); modes a regimen cannot excite may be left out.
    """
    nr = len(ROUTES)
    times, kinds, cols, amounts = [], [], [], []
    for ev in events:
        col = _ROUTE_COL[ev.route]
        if isinstance(ev, Bolus):
            if ev.dose_mg > 0.0:
                times.append(ev.at_h)
                kinds.append(0)
                cols.append(col)
                amounts.append(ev.dose_mg)
        elif ev.rate_mg_per_h > 0.0 and ev.duration_h > 0.0:
            times += [ev.start_h, ev.start_h + ev.duration_h]
            kinds += [1, 1]
            cols += [col, col]
            amounts += [ev.rate_mg_per_h, -ev.rate_mg_per_h]
    if not times:
        return None
    if modes is None:
        modes = np.arange(sys.lam.size)
    lam = sys.lam[modes]
    in_modal = sys.in_modal[modes]
    bounds, pos = np.unique(np.asarray(times), return_inverse=True)
    k = bounds.size
    kinds = np.asarray(kinds)
    cols = np.asarray(cols)
    amounts = np.asarray(amounts)
    kick = np.zeros((k, nr))
    rate_step = np.zeros((k, nr))
    b = kinds == 0
    np.add.at(kick, (pos[b], cols[b]), amounts[b])
    np.add.at(rate_step, (pos[~b], cols[~b]), amounts[~b])
    rate = np.cumsum(rate_step, axis=0)
    # Remove the round-off left after infusions stop (a cumsum of +r and -r need not be exactly 0).
    scale = np.abs(rate_step).sum(axis=0)
    rate[np.abs(rate) <= 1e-12 * scale] = 0.0
    steady = -(rate @ in_modal.T) / lam                 # C_k, k x m
    drive = kick @ in_modal.T - steady                  # S_k = exp(λΔ_k) S_{k-1} + drive_k
    drive[1:] += steady[:-1]
    # Solved in blocks of boundaries (never over time points): inside a block starting at a,
    # S_i = sum_{a<=j<=i} exp(λ(t_i - t_j)) drive_j + exp(λ(t_i - t_{a-1})) S_{a-1}; only the lower
    # triangle is evaluated and rows are summed with reduceat.
    s = np.empty_like(drive)
    for a0 in range(0, k, _BLOCK):
        b0 = min(a0 + _BLOCK, k)
        ii, jj, starts = _tril(b0 - a0)
        tb = bounds[a0:b0]
        arg = np.multiply.outer(tb[ii] - tb[jj], lam)
        np.maximum(arg, _EXP_FLOOR, out=arg)
        np.exp(arg, out=arg)
        arg *= drive[a0:b0][jj]
        s[a0:b0] = np.add.reduceat(arg, starts, axis=0)
        if a0:
            carry = np.exp(np.maximum(np.multiply.outer(tb - bounds[a0 - 1], lam), _EXP_FLOOR))
            s[a0:b0] += carry * s[a0 - 1]
    return _Segments(bounds=bounds, s=s, steady=steady, lam=lam, modes=modes)


def _modal_at(seg: _Segments, t: np.ndarray):
    """Modal coordinates z(t) (T x m); zero before the first boundary. Also segment index, mask, offset."""
    k = np.searchsorted(seg.bounds, t, side="right") - 1
    live = k >= 0
    all_live = bool(live[0])                     # t is sorted: the first time decides
    kk = k if all_live else np.where(live, k, 0)
    dt = t - seg.bounds[kk]
    if not all_live:
        dt[~live] = 0.0
    arg = np.multiply.outer(dt, seg.lam)
    np.maximum(arg, _EXP_FLOOR, out=arg)
    z = np.exp(arg, out=arg)
    z *= seg.s[kk]
    z += seg.steady[kk]
    if not all_live:
        z[~live] = 0.0
    return z, kk, live, dt


def _clip_roundoff(values: np.ndarray, contributions_abs: np.ndarray, what: str) -> np.ndarray:
    """Set tiny negative round-off to 0; refuse anything that is not round-off.

    ``contributions_abs`` (same shape) holds sum_m |w_m z_m| per entry; the round-off scale at a time is the
    largest of these in that row (one unit per row), plus 1e-12 of the largest anywhere, plus 1e-250 (amounts
    that small are zero; it also covers denormal underflow).
    """
    neg = values < 0.0
    if np.any(neg):
        row_scale = np.broadcast_to(contributions_abs.max(axis=1, keepdims=True), values.shape)
        tol = 1e-8 * row_scale[neg] + 1e-12 * contributions_abs.max() + 1e-250   # last term: denormals
        if np.any(values[neg] < -tol):
            worst = float(values[neg].min())
            raise RuntimeError(f"{what} went negative beyond round-off ({worst!r}); please report this")
        values[neg] = 0.0
    return values
