"""Independent references for the PK tests: the ODEs written out by hand and integrated by scipy, and landmarks
read off sampled curves by linear interpolation (the brute force that the exact landmarks are checked against).

Nothing here uses pk's solver: only its parameter sets, route constants and event classes.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.integrate import solve_ivp

from helpers.models import pk

LN2 = math.log(2.0)


def flatten(regimen) -> list:
    """The events of a (possibly nested) regimen, in order."""
    if isinstance(regimen, (pk.Bolus, pk.Infusion)):
        return [regimen]
    return [e for item in regimen for e in flatten(item)]


def reference_solution(regimen, t, model, weight_kg=70.0, fast_min=6.1, slow_days=10.9):
    """Concentrations from the ODE right-hand side written by hand (not from pk's matrix), solved with
    scipy's LSODA (rtol 1e-10, atol 1e-13) piecewise between dosing boundaries, boluses applied as jumps."""
    m = pk.MODELS[model] if isinstance(model, str) else model
    p = pk.scaled_parameters(m, weight_kg=weight_kg)
    routes = list(pk.EXTRAVASCULAR_ROUTES)
    nd, npk, has_nk = len(routes), len(p.peripheral_v_l), p.has_norketamine
    n = nd + 1 + npk + (2 if has_nk else 0) + 2
    c, n1, e_f, e_s = nd, nd + 1 + npk, n - 2, n - 1
    kf, ks = LN2 / (fast_min / 60.0), LN2 / (slow_days * 24.0)
    f = [pk.ROUTES[r].bioavailability[m.drug] for r in routes]
    ka = [pk.ROUTES[r].ka_per_h for r in routes]
    ps = [pk.ROUTES[r].presystemic_to_norketamine for r in routes]
    events = flatten(regimen)

    def target(route):
        return c if route == "iv" else routes.index(route)

    def input_rates(t0):
        u = np.zeros(n)
        for ev in events:
            if isinstance(ev, pk.Infusion) and ev.start_h <= t0 < ev.end_h:
                u[target(ev.route)] += ev.rate_mg_per_h
        return u

    def rhs(_t, y, u):
        d = u.copy()
        a1 = y[c]
        for i in range(nd):
            d[i] -= ka[i] * y[i]
            d[c] += f[i] * ka[i] * y[i]
            if has_nk:
                d[n1] += (1.0 - f[i]) * ps[i] * p.norketamine_mass_ratio * ka[i] * y[i]
        d[c] -= p.cl_l_per_h / p.v1_l * a1
        for j, (vj, qj) in enumerate(zip(p.peripheral_v_l, p.peripheral_q_l_per_h, strict=True)):
            flow = qj * (a1 / p.v1_l - y[c + 1 + j] / vj)
            d[c] -= flow
            d[c + 1 + j] += flow
        if has_nk:
            d[n1] += p.fraction_metabolised * p.norketamine_mass_ratio * p.cl_l_per_h / p.v1_l * a1
            d[n1] -= p.norketamine_cl_l_per_h / p.norketamine_v_l * y[n1]
            flow = p.norketamine_q_l_per_h * (y[n1] / p.norketamine_v_l - y[n1 + 1] / p.norketamine_vp_l)
            d[n1] -= flow
            d[n1 + 1] += flow
        cp = a1 / p.v1_l * 1000.0
        d[e_f] += kf * (cp - y[e_f])
        d[e_s] += ks * (cp - y[e_s])
        return d

    # The hand-written right-hand side is linear, so its Jacobian is exact from unit vectors; giving it to
    # the solver makes the reference fast without borrowing anything from pk.
    zero = np.zeros(n)
    jac = np.column_stack([rhs(0.0, np.eye(n)[j], zero) for j in range(n)])

    def rhs_linear(_t, y, u):
        return jac @ y + u

    cuts = {0.0}
    for ev in events:
        cuts |= {ev.at_h} if isinstance(ev, pk.Bolus) else {ev.start_h, ev.end_h}
    cuts = sorted(x for x in cuts if x < t[-1]) + [float(t[-1])]
    y = np.zeros(n)
    out = np.zeros((len(t), n))
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        for ev in events:
            if isinstance(ev, pk.Bolus) and ev.at_h == a:
                y[target(ev.route)] += ev.dose_mg
        sol = solve_ivp(rhs_linear, (a, b), y, method="LSODA", rtol=1e-10, atol=1e-13, dense_output=True,
                        jac=lambda _t, _y, _u: jac, args=(input_rates(a),))
        sel = (t >= a) & (t <= b)
        out[sel] = sol.sol(t[sel]).T
        y = sol.y[:, -1]
    res = {"plasma": out[:, c] / p.v1_l * 1000.0, "effect_fast": out[:, e_f], "effect_slow": out[:, e_s]}
    if has_nk:
        res["norketamine"] = out[:, n1] / p.norketamine_v_l * 1000.0
    return res


def sampled_time_above(t, c, threshold):
    """Hours a sampled curve spends above ``threshold``, linear between samples."""
    t, c = np.asarray(t, dtype=float), np.asarray(c, dtype=float)
    if t.size < 2:
        return 0.0
    c0, c1, dt = c[:-1], c[1:], np.diff(t)
    hi, lo = np.maximum(c0, c1), np.minimum(c0, c1)
    span = hi - lo
    frac = np.where(lo > threshold, 1.0,
                    np.where(hi > threshold, (hi - threshold) / np.where(span > 0, span, 1.0), 0.0))
    return float(np.sum(frac * dt))


def sampled_time_to_fall(t, c, stop_h, fraction=0.5):
    """Hours after ``stop_h`` for a sampled curve to fall to ``fraction`` of its (interpolated) level at
    ``stop_h``, linear between samples; ``math.inf`` when it never does (or the level is zero)."""
    t, c = np.asarray(t, dtype=float), np.asarray(c, dtype=float)
    c_stop = float(np.interp(stop_h, t, c))
    if c_stop <= 0.0:
        return math.inf
    target = fraction * c_stop
    after = np.nonzero((t > stop_h) & (c <= target))[0]
    if not after.size:
        return math.inf
    i = int(after[0])
    t0, c0 = (stop_h, c_stop) if t[i - 1] <= stop_h else (float(t[i - 1]), float(c[i - 1]))
    t1, c1 = float(t[i]), float(c[i])
    crossing = t1 if c0 == c1 else t0 + (c0 - target) * (t1 - t0) / (c0 - c1)
    return crossing - stop_h
