"""One regimen's exact solution, computed once: :func:`solve` → :class:`Solution`; and :func:`simulate`.

``sol = pk.solve(regimen, model=..., weight_kg=...)`` superposes the regimen over its dosing boundaries once
(:mod:`.superposition`); then ``sol.at(t_h)`` gives every concentration at any times, and ``sol.peak()``,
``sol.time_above()``, ``sol.time_to_fall_after()`` and ``sol.auc()`` give landmarks that do not depend on a
plotting grid. Solutions are cached per (regimen, model, weight, effect-site half-lives).

Concentrations are ng/mL (mg/L × 1000). Fanta/Otto concentrations are venous (the models were fitted to venous
samples); the classic models are as their papers sampled.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ... import _validate as v
from ... import units
from .parameters import _NG_PER_MG_PER_L, FAST_EFFECT_T_HALF_MIN, MODELS, SLOW_EFFECT_T_HALF_DAYS
from .regimen import Bolus, _flatten, _plot_grid, _resolving_grid
from .routes import EXTRAVASCULAR_ROUTES, ROUTES
from .superposition import _ROUTE_COL, _clip_roundoff, _modal_at, _segments
from .system import _active_modes, _get_system, _System

__all__ = ["SERIES", "PKResult", "PKAmounts", "Solution", "solve", "simulate", "amounts"]

#: The concentrations a solution carries (``"norketamine"`` only for models with norketamine).
SERIES = ("plasma", "norketamine", "effect_fast", "effect_slow")

_N_EVEN, _N_AFTER = 200, 48  # landmark search grid: even points plus geometric points after every boundary
# Refinement on the exact solution: few rounds of many points (each round is one vectorised evaluation).
_CROSS_POINTS, _CROSS_ROUNDS = 48, 2   # a crossing's bracket shrinks 48x a round (2304x), then linear interpolation
_PEAK_POINTS, _PEAK_ROUNDS = 32, 3     # a maximum's bracket shrinks 16x a round (4096x)
_CROSS_FRAC = np.linspace(0.0, 1.0, _CROSS_POINTS + 1)
_PEAK_FRAC = np.linspace(0.0, 1.0, _PEAK_POINTS + 1)
_PEAK_TIE = 1e-9           # maxima within this relative gap are the same peak (the earliest is reported)
_WASHOUT_HALF_LIVES = 60.0  # after the last dose, 60 half-lives of the slowest mode leave < 1e-18 of any dose


@dataclass(frozen=True, eq=False)
class PKResult:
    """Concentrations (ng/mL) at given times for one regimen, model and weight. Arrays are read-only.

    For landmarks that do not depend on the sampling (peak, time above a level, half-fall, AUC) ask the
    :class:`Solution` the result came from.

    Parameters
    ----------
    t_h : numpy.ndarray
        Sample times (h).
    plasma_ng_ml : numpy.ndarray
        Plasma ketamine.
    norketamine_ng_ml : numpy.ndarray or None
        Plasma norketamine; None when the model has no norketamine compartment (Domino, Clements & Nimmo).
    effect_fast_ng_ml, effect_slow_ng_ml : numpy.ndarray
        The fast effect site (Olofsen 2012) and the slow biophase (Dahan 2011).
    model, drug : str
        Model key and its drug.
    weight_kg : float
        Body weight.
    regimen : tuple
        The flattened events.
    """

    t_h: np.ndarray
    plasma_ng_ml: np.ndarray
    norketamine_ng_ml: np.ndarray | None
    effect_fast_ng_ml: np.ndarray
    effect_slow_ng_ml: np.ndarray
    model: str
    drug: str
    weight_kg: float
    regimen: tuple = ()

    @property
    def plasma_um(self) -> np.ndarray:
        """Plasma ketamine in µM (237.7 g/mol)."""
        return units.ng_ml_to_um(self.plasma_ng_ml, "ketamine")

    @property
    def norketamine_um(self) -> np.ndarray | None:
        """Plasma norketamine in µM (223.7 g/mol), or None."""
        if self.norketamine_ng_ml is None:
            return None
        return units.ng_ml_to_um(self.norketamine_ng_ml, "norketamine")


@dataclass(frozen=True, eq=False)
class PKAmounts:
    """Amounts (mg) in every compartment plus exact cumulative flows, for mass balance.

    Ketamine-side flows are mg of ketamine; ``norketamine_*`` are mg of norketamine (Otto convention: mass
    ratio 1 unless the model says otherwise). Balance: ``dosed_mg = unabsorbed_mg + ketamine_in_body_mg +
    eliminated_mg + presystemic_to_norketamine_mg + presystemic_lost_mg`` and
    ``norketamine_formed_mg = norketamine_in_body_mg + norketamine_eliminated_mg``.

    Parameters
    ----------
    t_h : numpy.ndarray
        Sample times (h).
    states_mg : Mapping
        Amount in each compartment and depot (mg), by state name.
    dosed_mg, eliminated_mg : numpy.ndarray
        Cumulative dose given and ketamine eliminated (mg).
    presystemic_to_norketamine_mg, presystemic_lost_mg : numpy.ndarray
        Cumulative first-pass amounts sent to norketamine or lost (mg).
    norketamine_formed_mg, norketamine_eliminated_mg : numpy.ndarray
        Cumulative norketamine formed and eliminated (mg).
    auc_plasma_ng_h_per_ml : numpy.ndarray
        Exact cumulative area under the plasma curve (ng·h/mL).
    """

    t_h: np.ndarray
    states_mg: Mapping[str, np.ndarray]
    dosed_mg: np.ndarray
    eliminated_mg: np.ndarray
    presystemic_to_norketamine_mg: np.ndarray
    presystemic_lost_mg: np.ndarray
    norketamine_formed_mg: np.ndarray
    norketamine_eliminated_mg: np.ndarray
    auc_plasma_ng_h_per_ml: np.ndarray

    @property
    def unabsorbed_mg(self) -> np.ndarray:
        """Drug still in the absorption depots (mg)."""
        return sum((a for k, a in self.states_mg.items() if k.startswith("depot_")), np.zeros_like(self.t_h))

    @property
    def ketamine_in_body_mg(self) -> np.ndarray:
        """Ketamine in the central and peripheral compartments (mg)."""
        return sum((a for k, a in self.states_mg.items() if k == "central" or k.startswith("peripheral_")),
                   np.zeros_like(self.t_h))

    @property
    def norketamine_in_body_mg(self) -> np.ndarray:
        """Norketamine in its compartments (mg)."""
        return sum((a for k, a in self.states_mg.items() if k.startswith("norketamine_")),
                   np.zeros_like(self.t_h))


def _no_norketamine(model_name: str) -> ValueError:
    return ValueError(f"which='norketamine' needs a model with norketamine; model {model_name!r} has none (use "
                      f"one of {[k for k, m in MODELS.items() if m.norketamine is not None]})")


def _auc_to_infinity(events: tuple, sys: _System, row: int) -> float:
    """Closed form of the AUC from 0 to infinity: Σ_doses dose × Σ_modes w_m b_m / |λ_m| (F·dose / CL for plasma)."""
    dose = np.zeros(len(ROUTES))
    for ev in events:
        dose[_ROUTE_COL[ev.route]] += ev.total_mg
    modal = sys.in_modal @ dose                          # modal image of all doses
    return float(np.sum(sys.out_modal[row] * modal / -sys.lam))


class Solution:
    """The exact solution of one regimen for one model and weight: every concentration, at any time.

    Build one with :func:`solve`; it superposes the regimen over its dosing boundaries once, and every method
    reuses that work (the landmarks also share one sampled search grid).

    Parameters
    ----------
    events : tuple of Bolus and Infusion
        The flattened regimen.
    system : object
        The cached linear system of the model (internal; :func:`solve` supplies it).
    """

    def __init__(self, events: tuple, system: _System):
        self.regimen = events
        self._sys = sys = system
        self._seg = _segments(sys, events, _active_modes(sys, events))
        self._bounds = np.zeros(0) if self._seg is None else self._seg.bounds
        self._w = None if self._seg is None else sys.out_modal[:, self._seg.modes]      # n_out x m
        self._samples: dict = {}
        if self._seg is None:
            self.washout_h = 0.0
        else:
            # every output decays after the last dose at the slowest rate it shows; one horizon for all outputs
            # lets all landmarks of a regimen share one sampled grid
            seen = np.abs(self._w) > 1e-12 * np.abs(self._w).max(axis=1, keepdims=True)
            slowest = float(np.min(-self._seg.lam[seen.any(axis=0)]))
            self.washout_h = float(self._bounds[-1]) + _WASHOUT_HALF_LIVES * math.log(2.0) / slowest

    # ---- what the solution is about -------------------------------------------------------------------------
    @property
    def model(self) -> str:
        """Key of the model (its ``name``)."""
        return self._sys.model_name

    @property
    def drug(self) -> str:
        """The model's drug: "racemic" or "S-ketamine"."""
        return self._sys.drug

    @property
    def weight_kg(self) -> float:
        """Body weight (kg)."""
        return float(self._sys.params.weight_kg)

    @property
    def has_norketamine(self) -> bool:
        """Whether the model carries norketamine."""
        return "norketamine" in self._sys.out_names

    @property
    def total_dose_mg(self) -> float:
        """Total dose of the regimen (mg, before bioavailability)."""
        return float(sum(ev.total_mg for ev in self.regimen))

    @property
    def end_h(self) -> float:
        """When the last dose has been given: the latest bolus time or infusion stop (h); 0 for no dose."""
        return max((ev.end_h for ev in self.regimen), default=0.0)

    # ---- concentrations -----------------------------------------------------------------------------------
    def _row(self, which: str) -> int:
        v.choice(which, "which", SERIES)
        if which not in self._sys.out_names:
            raise _no_norketamine(self.model)
        return self._sys.out_names.index(which)

    def _outputs(self, t: np.ndarray, check: bool = True) -> np.ndarray:
        """All outputs at sorted 1-D times (T x n_out). Negative round-off is checked (and set to 0) as
        :meth:`at` needs it; ``check=False`` only clips (internal search grids)."""
        if self._seg is None:
            return np.zeros((t.size, len(self._sys.out_names)))
        z, kk, _, _ = _modal_at(self._seg, t)
        out = z @ self._w.T
        if not check:
            return np.maximum(out, 0.0, out=out)
        if np.any(out < 0.0):
            # z = e·S + C is a difference of terms as large as |z| + 2|C|: that is the round-off scale
            _clip_roundoff(out, (np.abs(z) + 2.0 * np.abs(self._seg.steady[kk])) @ np.abs(self._w).T,
                           "a concentration")
        return out

    def _curve(self, t, row: int) -> np.ndarray:
        """One output at times of any shape (any order); tiny negative round-off is set to 0."""
        t = np.asarray(t, dtype=float)
        if self._seg is None:
            return np.zeros(t.shape)
        flat = t.ravel()
        if flat.size > 1 and np.any(flat[1:] < flat[:-1]):
            order = np.argsort(flat, kind="stable")
            z = _modal_at(self._seg, flat[order])[0]
            out = np.empty(flat.size)
            out[order] = z @ self._w[row]
        else:
            out = _modal_at(self._seg, flat)[0] @ self._w[row]
        return np.maximum(out, 0.0, out=out).reshape(t.shape)

    def _sampled(self, t0: float, t1: float):
        """The resolving grid on [t0, t1] and every output on it (several landmarks share them)."""
        key = (t0, t1)
        hit = self._samples.get(key)
        if hit is None:
            t = _resolving_grid(self._bounds, t0, t1, _N_EVEN, _N_AFTER)
            hit = (t, self._outputs(t, check=False))
            if len(self._samples) > 8:
                self._samples.clear()
            self._samples[key] = hit
        return hit

    def at(self, t_h) -> PKResult:
        """Exact concentrations (ng/mL) at the given times.

        Parameters
        ----------
        t_h : array_like
            A non-empty 1-D sequence of finite, non-decreasing times (h); times before the first dose give zeros.

        Returns
        -------
        PKResult
            Plasma ketamine, norketamine (None for models without it) and both effect sites at ``t_h``.
        """
        t = v.time_array(t_h, "t_h")
        out = self._outputs(t)
        cols = {name: np.ascontiguousarray(out[:, i]) for i, name in enumerate(self._sys.out_names)}
        t_copy = t.copy()
        for arr in (t_copy, *cols.values()):
            arr.setflags(write=False)
        return PKResult(t_h=t_copy, plasma_ng_ml=cols["plasma"], norketamine_ng_ml=cols.get("norketamine"),
                        effect_fast_ng_ml=cols["effect_fast"], effect_slow_ng_ml=cols["effect_slow"],
                        model=self.model, drug=self.drug, weight_kg=self.weight_kg, regimen=self.regimen)

    def grid(self, window_h: float, *, n: int = 600, n_after: int = 24) -> np.ndarray:
        """Sample times for plotting this regimen on [0, ``window_h``]: :func:`time_grid` of its events.

        Parameters
        ----------
        window_h : float
            End of the window (h), > 0.
        n : int
            Number of even points, in [2, 100 000].
        n_after : int
            Geometric points after each dosing boundary, in [0, 10 000].

        Returns
        -------
        numpy.ndarray
            Sorted, unique times (h).
        """
        return _plot_grid(self._bounds, window_h, n, n_after)

    # ---- landmarks, exact (independent of any plotting grid) -------------------------------------------------
    def _span(self, from_h, until_h) -> tuple[float, float]:
        start = v.nonnegative(from_h, "from_h")
        if until_h is None:
            return start, max(self.washout_h, start + 1.0)
        return start, v.in_range(until_h, "until_h", start, math.inf, low_open=True)

    def _first_crossings(self, row: int, lo: np.ndarray, hi: np.ndarray, level: float) -> np.ndarray:
        """First time in each bracket [lo, hi] (sorted, not overlapping) where the curve − level changes sign."""
        if not lo.size:
            return lo
        rows = np.arange(lo.size)
        for _ in range(_CROSS_ROUNDS):
            pts = lo[:, None] + (hi - lo)[:, None] * _CROSS_FRAC
            f = self._curve(pts, row) - level
            above = f > 0.0
            change = above[:, 1:] != above[:, :-1]
            j = np.where(change.any(axis=1), np.argmax(change, axis=1), _CROSS_POINTS - 1)
            lo, hi = pts[rows, j], pts[rows, j + 1]
            f0, f1 = f[rows, j], f[rows, j + 1]
        span = f0 - f1
        w = np.where(span != 0.0, f0 / np.where(span != 0.0, span, 1.0), 0.5)
        return lo + np.clip(w, 0.0, 1.0) * (hi - lo)

    def peak(self, which: str = "plasma", *, from_h: float = 0.0, until_h: float | None = None,
             tie_rtol: float = 1e-3) -> tuple[float, float]:
        """The highest concentration on [``from_h``, ``until_h``] and when it is first reached.

        The value is exact to ~1e-9 relative: the curve is sampled on a grid that resolves every dosing event and
        each candidate maximum is refined on finer sub-grids of the exact solution. A maximum is a rise and fall
        of the curve (a plateau that only creeps up to the end of an infusion counts once, at its end). When
        several separate maxima (repeated sessions) come within ``tie_rtol`` of the highest, the earliest of them
        is given: the time the peak is first reached.

        Parameters
        ----------
        which : {"plasma", "norketamine", "effect_fast", "effect_slow"}
            The concentration.
        from_h : float
            Start of the search (h), >= 0.
        until_h : float or None
            End of the search (h), > ``from_h``; None: until every dose has washed out.
        tie_rtol : float
            Maxima within this relative gap of the highest count as reaching it, in (0, 0.1] (default 0.1 %,
            below the printed precision).

        Returns
        -------
        tuple of float
            ``(t_h, ng/mL)``; ``(from_h, 0.0)`` for an empty regimen.
        """
        tie = v.in_range(tie_rtol, "tie_rtol", 0.0, 0.1, low_open=True)
        row = self._row(which)
        start, end = self._span(from_h, until_h)
        if self._seg is None:
            return start, 0.0
        t, out = self._sampled(start, end)
        c = out[:, row]
        cmax = float(c.max())
        if cmax <= 0.0:
            return start, 0.0
        # candidates: local maxima of the samples near the largest (refining can only raise them)
        left = np.concatenate([[-np.inf], c[:-1]])
        right = np.concatenate([c[1:], [-np.inf]])
        cand = np.flatnonzero((c >= left) & (c >= right) & (c >= (1.0 - max(0.02, 2 * tie)) * cmax))
        if cand.size > 256:   # a plateau flat to round-off: the latest 256 such samples stand for it
            cand = cand[-256:]
        lo = t[np.maximum(cand - 1, 0)]
        hi = t[np.minimum(cand + 1, t.size - 1)]
        best_t, best_c = t[cand].copy(), c[cand].copy()
        rows = np.arange(lo.size)
        for _ in range(_PEAK_ROUNDS):
            pts = lo[:, None] + (hi - lo)[:, None] * _PEAK_FRAC
            vals = self._curve(pts, row)
            j = np.argmax(vals, axis=1)
            better = vals[rows, j] >= best_c
            best_t = np.where(better, pts[rows, j], best_t)
            best_c = np.where(better, vals[rows, j], best_c)
            lo = pts[rows, np.maximum(j - 1, 0)]
            hi = pts[rows, np.minimum(j + 1, _PEAK_POINTS)]
        top = float(best_c.max())
        # group candidates into separate maxima: consecutive candidates with no real dip between them (a
        # plateau, flat to round-off) are one maximum, represented by its last point within round-off of its top
        groups, current = [], [0]
        for a, b in zip(range(cand.size - 1), range(1, cand.size), strict=True):
            dip = float(c[cand[a]:cand[b] + 1].min())
            if dip >= (1.0 - tie) * min(best_c[a], best_c[b]):
                current.append(b)
            else:
                groups.append(current)
                current = [b]
        groups.append(current)
        for g in groups:
            g_top = float(best_c[g].max())
            if g_top >= (1.0 - tie) * top:
                last = max(i for i in g if best_c[i] >= g_top * (1.0 - _PEAK_TIE))
                return float(best_t[last]), top
        return float(best_t[int(np.argmax(best_c))]), top  # pragma: no cover - the top group always qualifies

    def time_above(self, threshold_ng_ml: float, which: str = "plasma", *, from_h: float = 0.0,
                   until_h: float | None = None) -> float:
        """Hours a concentration spends above a threshold.

        Every crossing is located on the exact solution (to ~1e-5 of the local sample spacing, then linear
        interpolation), so the answer does not depend on a plotting grid.

        Parameters
        ----------
        threshold_ng_ml : float
            The level (ng/mL), >= 0; 0 counts the time the level is above zero.
        which : {"plasma", "norketamine", "effect_fast", "effect_slow"}
            The concentration.
        from_h : float
            Start of the count (h), >= 0.
        until_h : float or None
            End of the count (h), > ``from_h``; None: the whole course, until every dose has washed out.

        Returns
        -------
        float
            Hours above ``threshold_ng_ml``.
        """
        thr = v.nonnegative(threshold_ng_ml, "threshold_ng_ml")
        row = self._row(which)
        start, end = self._span(from_h, until_h)
        if self._seg is None:
            return 0.0
        t, out = self._sampled(start, end)
        c = out[:, row]
        above = c > thr
        a0, a1 = above[:-1], above[1:]
        total = float(np.sum(np.diff(t)[a0 & a1]))
        cross = np.flatnonzero(a0 != a1)      # a crossing inside [t_i, t_i+1]
        if cross.size:
            x = self._first_crossings(row, t[cross], t[cross + 1], thr)
            up = a1[cross]                    # upward: above from x to t_i+1; downward: from t_i to x
            total += float(np.sum(np.where(up, t[cross + 1] - x, x - t[cross])))
        return total

    def time_to_fall_after(self, stop_h: float, fraction: float = 0.5, *, which: str = "plasma",
                           horizon_h: float | None = None) -> float:
        """Hours after ``stop_h`` until a concentration first falls to a fraction of its level at ``stop_h``.

        Exact for any regimen (doses after ``stop_h`` included): for a single IV infusion stopped at ``stop_h``
        and ``fraction`` 0.5 it is the context-sensitive half-time (:func:`context_sensitive_half_time_h`).

        Parameters
        ----------
        stop_h : float
            The time to measure from (h), >= 0.
        fraction : float
            The fraction of the level at ``stop_h`` to fall to, in (0, 1).
        which : {"plasma", "norketamine", "effect_fast", "effect_slow"}
            The concentration.
        horizon_h : float or None
            How long after ``stop_h`` to look (h), > 0; None: until every dose has washed out.

        Returns
        -------
        float
            Hours; ``math.inf`` when the level at ``stop_h`` is zero or never falls that far within the horizon.
        """
        stop = v.nonnegative(stop_h, "stop_h")
        frac = v.in_range(fraction, "fraction", 0.0, 1.0, low_open=True, high_open=True)
        if horizon_h is not None:
            v.positive(horizon_h, "horizon_h")
        row = self._row(which)
        if self._seg is None:
            return math.inf
        c_stop = float(self._curve(np.array([stop]), row)[0])
        if c_stop <= 0.0:
            return math.inf
        target = frac * c_stop
        if horizon_h is None and stop < self.washout_h:
            t, out = self._sampled(0.0, self.washout_h)     # shared with peak() and time_above()
            c = out[:, row]
            k = np.searchsorted(t, stop, side="right")
            t = np.concatenate([[stop], t[k:]])
            c = np.concatenate([[c_stop], c[k:]])
        else:
            end = stop + (horizon_h if horizon_h is not None else 1.0)
            t, out = self._sampled(stop, end)
            c = out[:, row]
        below = np.flatnonzero(c <= target)
        if not below.size:
            return math.inf
        i = int(below[0])
        x = self._first_crossings(row, t[[i - 1]], t[[i]], target)
        return float(x[0]) - stop

    def auc(self, which: str = "plasma", *, until_h: float = math.inf) -> float:
        """Exact area under a concentration curve from 0 to ``until_h``.

        To infinity it is a closed form of the modal solution, Σ_doses dose × Σ_modes w_m b_m / |λ_m|; for
        plasma that is F·dose / CL (the test suite checks it). A finite end integrates the modal solution exactly.

        Parameters
        ----------
        which : {"plasma", "norketamine", "effect_fast", "effect_slow"}
            The concentration.
        until_h : float
            End of the integral (h), >= 0, or ``math.inf``.

        Returns
        -------
        float
            AUC (ng·h/mL).
        """
        if isinstance(until_h, (float, np.floating)) and until_h == math.inf:
            until = math.inf
        else:
            until = v.nonnegative(until_h, "until_h")
        row = self._row(which)
        if until == math.inf:          # closed form: no need to integrate the time course
            return _auc_to_infinity(self.regimen, self._sys, row)
        if self._seg is None:
            return 0.0
        w = self._sys.out_modal[row]
        seg = self._seg
        bounds, s, steady, lam = seg.bounds, seg.s, seg.steady, seg.lam
        k = np.searchsorted(bounds, until, side="right") - 1
        if k < 0:
            return 0.0
        dtb = np.diff(bounds[:k + 1])
        full = (s[:k] * (np.expm1(np.outer(dtb, lam)) / lam) + steady[:k] * dtb[:, None]).sum(axis=0)
        dt = until - bounds[k]
        part = s[k] * (np.expm1(dt * lam) / lam) + steady[k] * dt
        return float((full + part) @ w[seg.modes])


@lru_cache(maxsize=32)
def _cached_solution(events: tuple, sys: _System) -> Solution:
    return Solution(events, sys)


def _solution(events: tuple, sys: _System) -> Solution:
    try:
        return _cached_solution(events, sys)
    except TypeError:  # pragma: no cover - an unhashable event field; solve without the cache
        return Solution(events, sys)


def solve(regimen, *, model="fanta_2015", weight_kg: float = 70.0,
          effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
          effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> Solution:
    """The exact solution of one regimen, computed once; ask it for concentrations and landmarks.

    Parameters
    ----------
    regimen : Bolus or Infusion or sequence
        Events (:func:`bolus`, :func:`infusion`, :func:`course`, :func:`repeat`), possibly nested; empty gives
        zeros everywhere.
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.
    effect_fast_t_half_min : float
        Equilibration half-life of the fast effect site (min), in [0.1, 60]; default Olofsen 2012's 6.1 min.
    effect_slow_t_half_days : float
        Half-life of the slow biophase (days), in [0.5, 60]; default Dahan 2011's 10.9 days.

    Returns
    -------
    Solution
        Cached per (regimen, model, weight, effect-site half-lives): asking again is a dictionary look-up.

    References
    ----------
    .. [olofsen_2012] Olofsen et al. 2012, Anesthesiology 117:353 (fast effect site, t½ 6.1 min).
    .. [dahan_2011] Dahan et al. 2011, Eur J Pain 15:258 (slow biophase, t½ 10.9 days).

    Both half-lives are cited; each study fitted its own PK model, so putting them on these models is assumed
    (:data:`EFFECT_SITE_EVIDENCE`).
    """
    events = _flatten(regimen)
    sys = _get_system(model, weight_kg, effect_fast_t_half_min, effect_slow_t_half_days)
    return _solution(events, sys)


def simulate(regimen, t_h, model="fanta_2015", weight_kg: float = 70.0, *,
             effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
             effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> PKResult:
    """Exact concentrations (ng/mL) of a regimen at given times: ``solve(regimen, ...).at(t_h)``.

    Parameters
    ----------
    regimen : Bolus or Infusion or sequence
        Events, possibly nested; empty gives zeros.
    t_h : array_like
        A non-empty 1-D sequence of finite, non-decreasing times (h); times before the first dose give zeros.
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.
    effect_fast_t_half_min : float
        Equilibration half-life of the fast effect site (min), in [0.1, 60].
    effect_slow_t_half_days : float
        Half-life of the slow biophase (days), in [0.5, 60].

    Returns
    -------
    PKResult
        Its ``norketamine_ng_ml`` is None for models without a norketamine compartment (``"domino"`` and
        ``"clements_nimmo_1981"``). For numbers that must not depend on the sampling use :func:`solve`.

    References
    ----------
    .. [olofsen_2012] Olofsen et al. 2012, Anesthesiology 117:353 (fast effect site).
    .. [dahan_2011] Dahan et al. 2011, Eur J Pain 15:258 (slow biophase).
    """
    sol = solve(regimen, model=model, weight_kg=weight_kg, effect_fast_t_half_min=effect_fast_t_half_min,
                effect_slow_t_half_days=effect_slow_t_half_days)
    return sol.at(t_h)


def amounts(regimen, t_h, *, model="fanta_2015", weight_kg: float = 70.0) -> PKAmounts:
    """Every compartment's amount (mg) and the exact cumulative dose, elimination and first-pass flows.

    Cumulative flows are exact integrals of the modal solution (no time stepping), so mass balance can be
    checked to round-off.

    Parameters
    ----------
    regimen : Bolus or Infusion or sequence
        Events, possibly nested.
    t_h : array_like
        A non-empty 1-D sequence of finite, non-decreasing times (h).
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    PKAmounts
        Amounts and cumulative flows at ``t_h``.
    """
    events = _flatten(regimen)
    t = v.time_array(t_h, "t_h")
    sys = _get_system(model, weight_kg, FAST_EFFECT_T_HALF_MIN, SLOW_EFFECT_T_HALF_DAYS)
    p = sys.params
    n = sys.lam.size
    seg = _segments(sys, events)
    if seg is None:
        x = np.zeros((t.size, n))
        integral = np.zeros((t.size, n))
    else:
        bounds, s, steady, lam = seg.bounds, seg.s, seg.steady, seg.lam
        dtb = np.diff(bounds)
        z, kk, live, dt = _modal_at(seg, t)
        # integral of z over [t_k, t_{k+1}) and cumulatively up to each boundary
        inc = s[:-1] * (np.expm1(np.outer(dtb, lam)) / lam) + steady[:-1] * dtb[:, None]
        cum = np.vstack([np.zeros((1, n)), np.cumsum(inc, axis=0)])
        part = s[kk] * (np.expm1(dt[:, None] * lam[None, :]) / lam) + steady[kk] * dt[:, None]
        zint = cum[kk] + part
        zint[~live] = 0.0
        x = z @ sys.vec.T
        integral = zint @ sys.vec.T
        if np.any(x < 0.0):
            _clip_roundoff(x, (np.abs(z) + 2.0 * np.abs(steady[kk])) @ np.abs(sys.vec).T, "an amount")
    idx = sys.index
    states = {name: x[:, i].copy() for i, name in enumerate(sys.names) if not name.startswith("effect_")}
    c = idx["central"]
    dosed = np.zeros_like(t)
    for ev in events:
        if isinstance(ev, Bolus):
            dosed += ev.dose_mg * (t >= ev.at_h)
        else:
            dosed += ev.rate_mg_per_h * np.clip(t - ev.start_h, 0.0, ev.duration_h)
    eliminated = p.cl_l_per_h / p.v1_l * integral[:, c]
    to_nk = np.zeros_like(t)
    lost = np.zeros_like(t)
    for r in EXTRAVASCULAR_ROUTES:
        absorbed_flow = sys.route_ka[r] * integral[:, idx[f"depot_{r}"]]   # mg that left the depot
        miss = (1.0 - sys.route_f[r]) * absorbed_flow
        to_nk += sys.route_presys[r] * miss
        lost += (1.0 - sys.route_presys[r]) * miss
    if p.has_norketamine:
        formed = p.norketamine_mass_ratio * (p.fraction_metabolised * eliminated + to_nk)
        nk_elim = p.norketamine_cl_l_per_h / p.norketamine_v_l * integral[:, idx["norketamine_central"]]
    else:
        formed = np.zeros_like(t)
        nk_elim = np.zeros_like(t)
    auc = _NG_PER_MG_PER_L / p.v1_l * integral[:, c]
    return PKAmounts(t_h=t.copy(), states_mg=MappingProxyType(states), dosed_mg=dosed, eliminated_mg=eliminated,
                     presystemic_to_norketamine_mg=to_nk, presystemic_lost_mg=lost,
                     norketamine_formed_mg=formed, norketamine_eliminated_mg=nk_elim,
                     auc_plasma_ng_h_per_ml=auc)
