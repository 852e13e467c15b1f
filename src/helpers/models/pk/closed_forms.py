"""Closed forms of the compartment models: clearance, volumes, half-lives, steady states, decrement times,
and the norketamine/ketamine exposure ratio of one dose."""
from __future__ import annotations

import math
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from ... import _validate as v
from ... import vocab
from .parameters import _NG_PER_MG_PER_L, FAST_EFFECT_T_HALF_MIN, MODELS, SLOW_EFFECT_T_HALF_DAYS, _model, _weight
from .regimen import Bolus
from .routes import ROUTES
from .solution import _auc_to_infinity
from .system import _get_system, _mammillary_block, _ro

__all__ = ["clearance_l_per_h", "volume_ss_l", "half_lives_min", "norketamine_half_lives_min",
           "steady_state_ng_ml", "steady_state_norketamine_ng_ml", "context_sensitive_half_time_h",
           "MEASURED_NORKETAMINE_AUC_RATIO", "norketamine_auc_ratio"]

def _scaled(model, weight_kg):
    return _model(model).scaled(_weight(weight_kg))


def clearance_l_per_h(model="fanta_2015", *, weight_kg: float = 70.0) -> float:
    """Elimination clearance of ketamine at one body weight.

    Parameters
    ----------
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    float
        CL (L/h).

    References
    ----------
    .. [fanta_2015] Fanta et al. 2015: CL 95 L/h at 70 kg (abstract).
    """
    return float(_scaled(model, weight_kg).cl_l_per_h)


def volume_ss_l(model="fanta_2015", *, weight_kg: float = 70.0) -> float:
    """Volume of distribution at steady state, V1 + peripheral volumes.

    Parameters
    ----------
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    float
        Vss (L).
    """
    p = _scaled(model, weight_kg)
    return float(p.v1_l + sum(p.peripheral_v_l))


def _half_lives(block: np.ndarray) -> tuple[float, ...]:
    rates = np.sort(-np.linalg.eigvals(block).real)[::-1]          # fastest first
    return tuple(float(math.log(2.0) / r * 60.0) for r in rates)


def half_lives_min(model="fanta_2015", *, weight_kg: float = 70.0) -> tuple[float, ...]:
    """Disposition half-lives of ketamine, shortest first: ln 2 / each eigenvalue of the compartment model.

    Parameters
    ----------
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    tuple of float
        One half-life (min) per compartment.
    """
    p = _scaled(model, weight_kg)
    return _half_lives(_mammillary_block(p.v1_l, p.cl_l_per_h, p.peripheral_v_l, p.peripheral_q_l_per_h))


def norketamine_half_lives_min(model="fanta_2015", *, weight_kg: float = 70.0) -> tuple[float, ...]:
    """Disposition half-lives of norketamine, shortest first. Only for models with norketamine.

    Parameters
    ----------
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set with norketamine.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    tuple of float
        Two half-lives (min).

    References
    ----------
    .. [otto_2021] Otto et al. 2021 (S-norketamine, two compartments).
    """
    p = _scaled(model, weight_kg)
    if not p.has_norketamine:
        raise ValueError(f"model {_model(model).name!r} has no norketamine model; "
                         f"use one of {[k for k, m in MODELS.items() if m.norketamine is not None]}")
    return _half_lives(_mammillary_block(p.norketamine_v_l, p.norketamine_cl_l_per_h, (p.norketamine_vp_l,),
                                         (p.norketamine_q_l_per_h,)))


def steady_state_ng_ml(rate_mg_per_h, *, model="fanta_2015", weight_kg: float = 70.0):
    """Plasma steady state of a constant IV infusion: rate / CL.

    Parameters
    ----------
    rate_mg_per_h : float or array_like
        Infusion rate(s) (mg/h), >= 0.
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    float or numpy.ndarray
        Css (ng/mL), shaped like ``rate_mg_per_h``.
    """
    rate = v.array(rate_mg_per_h, "rate_mg_per_h", low=0.0)
    out = rate / clearance_l_per_h(model, weight_kg=weight_kg) * _NG_PER_MG_PER_L
    return float(out) if out.ndim == 0 else out


def steady_state_norketamine_ng_ml(rate_mg_per_h, *, model="fanta_2015", weight_kg: float = 70.0):
    """Norketamine steady state of a constant IV infusion: mass ratio × fm × rate / CL_norketamine.

    Parameters
    ----------
    rate_mg_per_h : float or array_like
        Infusion rate(s) (mg/h), >= 0.
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set with norketamine.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    float or numpy.ndarray
        Norketamine Css (ng/mL), shaped like ``rate_mg_per_h``.
    """
    rate = v.array(rate_mg_per_h, "rate_mg_per_h", low=0.0)
    p = _scaled(model, weight_kg)
    if not p.has_norketamine:
        raise ValueError(f"model {_model(model).name!r} has no norketamine model")
    out = rate * p.fraction_metabolised * p.norketamine_mass_ratio / p.norketamine_cl_l_per_h * _NG_PER_MG_PER_L
    return float(out) if out.ndim == 0 else out


@lru_cache(maxsize=64)
def _ket_modes(model, weight_kg: float):
    """Ketamine-only modes: rates (1/h, positive) and the plasma response weights to a unit IV rate."""
    p = model.scaled(weight_kg)
    a = _mammillary_block(p.v1_l, p.cl_l_per_h, p.peripheral_v_l, p.peripheral_q_l_per_h)
    lam, vec = np.linalg.eig(a)
    lam, vec = lam.real, vec.real
    inv = np.linalg.inv(vec)
    # plasma after an infusion of unit rate lasting T, at s h after it stops:
    #   C = sum_m w_m (1 - exp(-r_m T)) exp(-r_m s),  w_m = vec[0, m] inv[m, 0] / r_m / V1 (mg/L per mg/h)
    rates = -lam
    w = vec[0, :] * inv[:, 0] / rates / p.v1_l
    return _ro(rates), _ro(w)


def context_sensitive_half_time_h(duration_h, *, model="fanta_2015", weight_kg: float = 70.0,
                                  decrement: float = 0.5):
    """Time for plasma ketamine to fall by a fraction after a constant IV infusion of a given length.

    0.5 gives the context-sensitive half-time; 0.2 / 0.8 give 20 % / 80 % decrement times. Exact: the
    post-infusion curve is a positive sum of decaying exponentials; its root is found by Newton steps from the
    left (the curve is convex, so they never overshoot) combined with bisection, to ~1e-10 relative or better.

    Parameters
    ----------
    duration_h : float or array_like
        Infusion length(s) (h), each > 0 (any positive lengths, e.g. 0.01 h to 14 days).
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set.
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.
    decrement : float
        The fall, as a fraction of the level at the stop, in (0, 1).

    Returns
    -------
    float or numpy.ndarray
        Decrement time(s) (h), shaped like ``duration_h``.

    References
    ----------
    .. [hughes_1992] Hughes, Glass & Jacobs 1992, Anesthesiology 76:334 (the context-sensitive half-time).
    """
    dur = v.array(duration_h, "duration_h")
    if dur.size and not np.all(dur > 0):
        raise ValueError(f"duration_h must be > 0 everywhere, got minimum {float(dur.min())!r}")
    d = v.in_range(decrement, "decrement", 0.0, 1.0, low_open=True, high_open=True)
    rates, w = _ket_modes(_model(model), _weight(weight_kg))
    T = np.atleast_1d(dur).ravel()
    amp = w[None, :] * -np.expm1(-np.outer(T, rates))               # a_m(T) >= 0, shape (nT, n)
    amp = np.maximum(amp, 0.0)
    target = (1.0 - d) * amp.sum(axis=1)
    log_ratio = -math.log1p(-d)                                      # ln(1 / (1 - d))
    lo = np.full(T.shape, log_ratio / rates.max())                   # every term decays at most this fast
    hi = np.full(T.shape, log_ratio / rates.min())                   # ... and at least this fast

    def f(s):
        e = np.exp(-s[:, None] * rates[None, :]) * amp
        return e.sum(axis=1) - target, -(e * rates[None, :]).sum(axis=1)

    for _ in range(200):
        val, slope = f(lo)
        step = np.where(slope < 0, -val / np.where(slope < 0, slope, -1.0), 0.0)
        newton = np.minimum(lo + np.maximum(step, 0.0), hi)
        mid = 0.5 * (newton + hi)
        vmid, _ = f(mid)
        lo = np.where(vmid >= 0, mid, newton)
        hi = np.where(vmid >= 0, hi, mid)
        # Newton converges quadratically, then its step sits at round-off (~1e-15 relative).
        if np.all(((hi - lo) <= 1e-13 * hi) | (np.abs(step) <= 1e-13 * lo)):
            break
    out = lo.reshape(dur.shape)
    return float(out) if out.ndim == 0 else out


#: Measured norketamine/ketamine AUC ratios, to set beside :func:`norketamine_auc_ratio`:
#: route -> (ratio, drug, source).
MEASURED_NORKETAMINE_AUC_RATIO = MappingProxyType({
    "oral": (16.5, vocab.S_KETAMINE, "Fanta 2015, Eur J Clin Pharmacol 71:441 (abstract): norketamine AUC 16.5x "
                                     "S-ketamine after oral dosing [V]"),
})


def norketamine_auc_ratio(route: str, *, model="fanta_2015", weight_kg: float = 70.0) -> float:
    """Norketamine/ketamine exposure (AUC 0–∞) after one dose by a route; dose-independent (linear model).

    It follows from the model's assumptions: every mg of ketamine cleared forms norketamine (fm = 1, Otto 2021)
    and the non-bioavailable part of an oral, sublingual or intranasal dose goes to norketamine (assumed). For
    IV it is fm × CL / CL_norketamine. Set it beside :data:`MEASURED_NORKETAMINE_AUC_RATIO`.

    Parameters
    ----------
    route : str
        A key of :data:`ROUTES`.
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set with norketamine (ValueError otherwise).
    weight_kg : float
        Body weight, in :data:`WEIGHT_RANGE_KG`.

    Returns
    -------
    float
        AUC of norketamine divided by AUC of ketamine.

    References
    ----------
    .. [otto_2021] Otto et al. 2021 (fm = 1, metabolite in ketamine mass).
    .. [fanta_2015] Fanta et al. 2015: measured oral ratio 16.5.
    """
    v.choice(route, "route", ROUTES)
    m = _model(model)
    if m.norketamine is None:
        raise ValueError(f"model {m.name!r} has no norketamine model; use one of "
                         f"{[k for k, x in MODELS.items() if x.norketamine is not None]}")
    dose = (Bolus(1.0, 0.0, route),)
    sys = _get_system(m, weight_kg, FAST_EFFECT_T_HALF_MIN, SLOW_EFFECT_T_HALF_DAYS)
    ket = _auc_to_infinity(dose, sys, sys.out_names.index("plasma"))
    nk = _auc_to_infinity(dose, sys, sys.out_names.index("norketamine"))
    return nk / ket
