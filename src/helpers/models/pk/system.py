"""The linear system x' = A x + B u(t) of one model at one weight, and its eigen-decomposition (cached).

The whole system (absorption depots, central and peripheral compartments, norketamine, both effect sites) is
linear. ``A`` is diagonalised once per (model, weight, effect-site half-lives) and cached.

Near-repeated eigenvalues. An absorption depot or an effect site is a single state with its own rate that feeds
(or is fed by) the disposition compartments. If that rate equals a disposition eigenvalue the matrix is defective
(a t·e^{λt} term) and the eigenvector matrix is singular. That happens for real inputs: Fanta's rates move with
weight (allometry), and at 32 kg (IM ka 5/h), 86 kg (intranasal 2.93/h), 97 kg (oral 0.97/h vs norketamine) and
143 kg (sublingual 2.4/h) a ka equals a disposition eigenvalue. When a single-state rate lies within a relative
1e-7 of another eigenvalue that rate is moved up by a relative 4e-7 (far below any parameter's uncertainty; the
solution is smooth in the rate, so it moves by ≈2e-7 of its peak — checked against solve_ivp). Outside that band
the eigenvector matrix stays well enough conditioned (≤ ~1e9) that round-off stays below ~3e-9 of the peak. The
condition number is checked; :func:`system_info` reports it and any shifted rate.

Norketamine (fanta_2015 only): fm = 1, every mg of S-ketamine cleared forms norketamine. Otto 2021's as-run NONMEM
code carries the metabolite in S-ketamine mass with no molar-mass conversion (nlmixr2lib transcription [V2]);
because the norketamine volume and clearance were fitted that way the same is done here (mass ratio 1), so the
curve is Otto's prediction.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ... import _validate as v
from .parameters import (
    _FAST_T_HALF_RANGE_MIN,
    _NG_PER_MG_PER_L,
    _SLOW_T_HALF_RANGE_DAYS,
    FAST_EFFECT_T_HALF_MIN,
    SLOW_EFFECT_T_HALF_DAYS,
    ScaledParameters,
    _model,
    _weight,
)
from .routes import EXTRAVASCULAR_ROUTES, ROUTES

__all__ = ["system_info"]

_MIN_RATE_GAP = 1e-7               # relative gap below which a single-state rate is moved
_RATE_SHIFT = 4e-7                 # relative shift applied when it is
_MAX_EIGVEC_COND = 1e12


@dataclass(frozen=True, eq=False)
class _System:
    names: tuple[str, ...]
    index: Mapping[str, int]
    a: np.ndarray                 # system matrix (1/h), states in mg (compartments) or ng/mL (effect sites)
    lam: np.ndarray               # eigenvalues (1/h, negative)
    vec: np.ndarray               # eigenvectors (columns)
    inv: np.ndarray               # inverse eigenvector matrix
    inputs: Mapping[str, int]     # route -> state receiving its dose
    in_modal: np.ndarray          # n x n_routes: modal image of a unit input to each route's state
    out_names: tuple[str, ...]
    out_modal: np.ndarray         # n_out x n: modal weights of the outputs (ng/mL)
    params: ScaledParameters
    drug: str
    route_f: Mapping[str, float]
    route_ka: Mapping[str, float]  # ka actually used (after any separation shift)
    route_presys: Mapping[str, float]
    effect_rates: Mapping[str, float]
    shifted: tuple[tuple[str, float, float], ...]
    cond: float
    route_modes: Mapping[str, np.ndarray]   # route -> boolean mask of the modes its input excites
    model_name: str


def _active_modes(sys: _System, events: tuple) -> np.ndarray:
    used = {ev.route for ev in events}
    mask = np.zeros(sys.lam.size, dtype=bool)
    for r in used:
        mask |= sys.route_modes[r]
    return np.flatnonzero(mask)


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _mammillary_block(v1: float, cl: float, vp, qp) -> np.ndarray:
    n = 1 + len(vp)
    a = np.zeros((n, n))
    a[0, 0] = -(cl + sum(qp)) / v1
    for j, (vj, qj) in enumerate(zip(vp, qp, strict=True), start=1):
        a[0, j] = qj / vj
        a[j, 0] = qj / v1
        a[j, j] = -qj / vj
    return a


def _separate(rate: float, others: list[float]) -> float:
    """Move ``rate`` up until it is at least a relative _MIN_RATE_GAP away from every other rate."""
    r = rate
    for _ in range(1000):
        if all(abs(r - o) > _MIN_RATE_GAP * max(r, o) for o in others):
            return r
        r *= 1.0 + _RATE_SHIFT
    raise RuntimeError(f"could not separate rate {rate!r} from {others!r}")  # pragma: no cover


@lru_cache(maxsize=128)
def _system(model, weight_kg: float, fast_t_half_min: float, slow_t_half_days: float) -> _System:
    p = model.scaled(weight_kg)
    drug = model.drug
    has_nk = p.has_norketamine
    names = [f"depot_{r}" for r in EXTRAVASCULAR_ROUTES] + ["central"]
    names += [f"peripheral_{j}" for j in range(1, len(p.peripheral_v_l) + 1)]
    if has_nk:
        names += ["norketamine_central", "norketamine_peripheral"]
    names += ["effect_fast", "effect_slow"]
    idx = {n: i for i, n in enumerate(names)}
    n = len(names)
    c = idx["central"]

    # Disposition eigenvalues (positive rates) that single-state rates must stay clear of.
    ket = _mammillary_block(p.v1_l, p.cl_l_per_h, p.peripheral_v_l, p.peripheral_q_l_per_h)
    blocks = [ket]
    if has_nk:
        nkb = _mammillary_block(p.norketamine_v_l, p.norketamine_cl_l_per_h, (p.norketamine_vp_l,),
                                (p.norketamine_q_l_per_h,))
        blocks.append(nkb)
    taken = [float(-x) for b in blocks for x in np.linalg.eigvals(b).real]
    shifted = []

    def place(label: str, rate: float) -> float:
        new = _separate(rate, taken)
        if new != rate:
            shifted.append((label, rate, new))
        taken.append(new)
        return new

    ln2 = math.log(2.0)
    k_fast = place("effect_fast", ln2 / (fast_t_half_min / 60.0))
    k_slow = place("effect_slow", ln2 / (slow_t_half_days * 24.0))

    a = np.zeros((n, n))
    sl = slice(c, c + ket.shape[0])
    a[sl, sl] = ket
    if has_nk:
        n1 = idx["norketamine_central"]
        a[n1:n1 + 2, n1:n1 + 2] = nkb
        a[n1, c] += p.fraction_metabolised * p.norketamine_mass_ratio * p.cl_l_per_h / p.v1_l
    route_f, route_ka, route_presys = {}, {}, {}
    for r in EXTRAVASCULAR_ROUTES:
        route = ROUTES[r]
        d = idx[f"depot_{r}"]
        f = route.bioavailability[drug]
        ka = place(f"depot_{r}", route.ka_per_h)
        presys = route.presystemic_to_norketamine if has_nk else 0.0
        a[d, d] = -ka
        a[c, d] += f * ka
        if has_nk:
            a[idx["norketamine_central"], d] += (1.0 - f) * presys * p.norketamine_mass_ratio * ka
        route_f[r], route_ka[r], route_presys[r] = f, ka, presys
    route_f["iv"], route_presys["iv"] = 1.0, 0.0
    ef, es = idx["effect_fast"], idx["effect_slow"]
    a[ef, c] = k_fast * _NG_PER_MG_PER_L / p.v1_l
    a[ef, ef] = -k_fast
    a[es, c] = k_slow * _NG_PER_MG_PER_L / p.v1_l
    a[es, es] = -k_slow

    lam, vec = np.linalg.eig(a)
    if np.iscomplexobj(lam):
        if np.max(np.abs(lam.imag)) > 1e-9 * np.max(np.abs(lam)):
            raise RuntimeError(f"complex eigenvalues for model {model.name!r}: {lam!r}")  # pragma: no cover
        lam, vec = lam.real, vec.real
    if np.any(lam >= 0):
        raise RuntimeError(f"non-negative eigenvalue for model {model.name!r}: {lam!r}")  # pragma: no cover
    cond = float(np.linalg.cond(vec))
    if not cond < _MAX_EIGVEC_COND:
        raise RuntimeError(f"eigenvector matrix too ill-conditioned ({cond:.3g}) for model {model.name!r}")
    inv = np.linalg.inv(vec)

    inputs = {"iv": c, **{r: idx[f"depot_{r}"] for r in EXTRAVASCULAR_ROUTES}}
    in_modal = inv[:, [inputs[r] for r in ROUTES]]
    # Modes a unit input by each route can excite (others are zero up to round-off: an unused depot's
    # left eigenvector is that depot's unit vector). Judged by the mode's share of the outputs it feeds.
    out_rows = []
    out_names = ["plasma", "effect_fast", "effect_slow"]
    for state, gain in ((c, _NG_PER_MG_PER_L / p.v1_l), (ef, 1.0), (es, 1.0)):
        row = np.zeros(n)
        row[state] = gain
        out_rows.append(row)
    if has_nk:
        row = np.zeros(n)
        row[idx["norketamine_central"]] = _NG_PER_MG_PER_L / p.norketamine_v_l
        out_rows.append(row)
        out_names.append("norketamine")
    out_modal = np.array(out_rows) @ vec
    reach = np.abs(in_modal) * np.abs(out_modal).max(axis=0)[:, None]          # n x n_routes
    route_modes = {r: _ro(reach[:, i] > 1e-14 * reach[:, i].max()) for i, r in enumerate(ROUTES)}
    return _System(
        names=tuple(names), index=MappingProxyType(idx), a=_ro(a), lam=_ro(lam), vec=_ro(vec), inv=_ro(inv),
        inputs=MappingProxyType(inputs), in_modal=_ro(np.ascontiguousarray(in_modal)),
        out_names=tuple(out_names), out_modal=_ro(np.ascontiguousarray(out_modal)), params=p, drug=drug,
        route_f=MappingProxyType(route_f), route_ka=MappingProxyType(route_ka),
        route_presys=MappingProxyType(route_presys),
        effect_rates=MappingProxyType({"effect_fast": k_fast, "effect_slow": k_slow}),
        shifted=tuple(shifted), cond=cond, route_modes=MappingProxyType(route_modes), model_name=model.name)


def _get_system(model, weight_kg, fast_t_half_min, slow_t_half_days) -> _System:
    m = _model(model)
    w = _weight(weight_kg)
    fast = v.in_range(fast_t_half_min, "effect_fast_t_half_min", *_FAST_T_HALF_RANGE_MIN)
    slow = v.in_range(slow_t_half_days, "effect_slow_t_half_days", *_SLOW_T_HALF_RANGE_DAYS)
    return _system(m, w, fast, slow)


def system_info(model="fanta_2015", *, weight_kg: float = 70.0,
                effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
                effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> dict:
    """Diagnostics of the cached linear system of a model.

    Parameters
    ----------
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.
    effect_fast_t_half_min : float
        Fast effect-site equilibration half-life (min), in [0.1, 60].
    effect_slow_t_half_days : float
        Slow biophase half-life (days), in [0.5, 60].

    Returns
    -------
    dict
        ``states`` (names), ``eigenvalues_per_h``, ``condition_number`` of the eigenvector matrix, ``ka_per_h``
        and ``effect_rates_per_h`` actually used, and ``shifted_rates``: (label, old, new) for any rate moved
        off a repeated eigenvalue (1/h).
    """
    s = _get_system(model, weight_kg, effect_fast_t_half_min, effect_slow_t_half_days)
    return {"states": s.names, "eigenvalues_per_h": s.lam.copy(), "condition_number": s.cond,
            "ka_per_h": dict(s.route_ka), "effect_rates_per_h": dict(s.effect_rates),
            "shifted_rates": s.shifted}
