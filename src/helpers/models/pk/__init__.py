"""Ketamine pharmacokinetics: published compartment models, routes, dosing events and an exact solver.

Teaching material, not dosing advice.

One question, one entry into the model::

    sol = pk.solve(pk.course(20, 4, 10), model="clements_nimmo_1981", weight_kg=70)
    sol.at(t_h)                  # PKResult: plasma, norketamine, fast and slow effect sites (ng/mL)
    sol.peak(), sol.time_above(35.0), sol.time_to_fall_after(sol.end_h), sol.auc()

What is where
-------------
* :mod:`.parameters`: the parameter sets (:data:`MODELS`: ``"domino"`` and ``"clements_nimmo_1981"``, racemic;
  ``"fanta_2015"``, S-ketamine with Otto's S-norketamine) and the effect-site half-lives: fast t½ 6.1 min
  (Olofsen 2012 [V]) and slow biophase t½ 10.9 days (Dahan 2011 [V]). The half-lives are cited, but each study
  fitted its own PK model; hanging them on the PK models here is our construction, so the effect sites are
  tagged "t½ cited; applied to this PK model: assumed" (:data:`EFFECT_SITE_EVIDENCE`; facts addendum §2b).
* :mod:`.routes`: bioavailability by drug and a first-order absorption rate (:data:`ROUTES`), each with its source.
* :mod:`.regimen`: :class:`Bolus`, :class:`Infusion` and their builders :func:`bolus`, :func:`infusion`,
  :func:`course`, :func:`repeat`; :func:`time_grid`, sample times that resolve every dosing event.
* :mod:`.system`: the linear system and its cached eigen-decomposition; :mod:`.superposition`: the exact modal
  solution over dosing boundaries.
* :mod:`.solution`: :func:`solve` → :class:`Solution` (concentrations at any times and exact landmarks);
  :func:`simulate` (= ``solve(...).at(t_h)``); :func:`amounts` (every compartment in mg and exact cumulative
  flows, for mass balance).
* :mod:`.closed_forms`: clearance, Vss, half-lives, steady states, context-sensitive decrement times, the
  norketamine/ketamine exposure ratio.

Conventions (assumptions, labelled): doses and concentrations are ketamine *base* mass; norketamine is carried in
ketamine mass (Otto 2021 as run, mass ratio 1); the non-bioavailable part of an oral, sublingual or intranasal dose
goes to norketamine (assumed).
"""
from __future__ import annotations

from .closed_forms import (
    MEASURED_NORKETAMINE_AUC_RATIO,
    clearance_l_per_h,
    context_sensitive_half_time_h,
    half_lives_min,
    norketamine_auc_ratio,
    norketamine_half_lives_min,
    steady_state_ng_ml,
    steady_state_norketamine_ng_ml,
    volume_ss_l,
)
from .parameters import (
    DRUGS,
    EFFECT_SITE_EVIDENCE,
    EFFECT_SITE_EVIDENCE_LABEL,
    EFFECT_SITES_FITTED_TO,
    FAST_EFFECT_REFERENCE,
    FAST_EFFECT_SOURCE,
    FAST_EFFECT_T_HALF_MIN,
    MODELS,
    SLOW_EFFECT_REFERENCE,
    SLOW_EFFECT_SOURCE,
    SLOW_EFFECT_T_HALF_DAYS,
    WEIGHT_RANGE_KG,
    AllometricModel,
    MicroConstantModel,
    NorketamineModel,
    ScaledParameters,
    scaled_parameters,
)
from .regimen import Bolus, Infusion, bolus, course, infusion, repeat, time_grid, total_dose_mg
from .routes import EXTRAVASCULAR_ROUTES, REFERENCE_KEYS, ROUTES, ByDrug, Route, TagByDrug, bioavailability
from .solution import SERIES, PKAmounts, PKResult, Solution, amounts, simulate, solve
from .system import system_info

__all__ = [
    # parameter sets and effect sites
    "MODELS", "DRUGS", "WEIGHT_RANGE_KG", "NorketamineModel", "MicroConstantModel", "AllometricModel",
    "ScaledParameters", "scaled_parameters",
    "FAST_EFFECT_T_HALF_MIN", "FAST_EFFECT_SOURCE", "FAST_EFFECT_REFERENCE", "SLOW_EFFECT_T_HALF_DAYS",
    "SLOW_EFFECT_SOURCE", "SLOW_EFFECT_REFERENCE", "EFFECT_SITES_FITTED_TO", "EFFECT_SITE_EVIDENCE",
    "EFFECT_SITE_EVIDENCE_LABEL", "REFERENCE_KEYS",
    # routes
    "ROUTES", "EXTRAVASCULAR_ROUTES", "Route", "ByDrug", "TagByDrug", "bioavailability",
    # regimens
    "Bolus", "Infusion", "bolus", "infusion", "course", "repeat", "total_dose_mg", "time_grid",
    # the solution
    "solve", "Solution", "SERIES", "PKResult", "simulate", "PKAmounts", "amounts", "system_info",
    # closed forms
    "clearance_l_per_h", "volume_ss_l", "half_lives_min", "norketamine_half_lives_min", "steady_state_ng_ml",
    "steady_state_norketamine_ng_ml", "context_sensitive_half_time_h", "MEASURED_NORKETAMINE_AUC_RATIO",
    "norketamine_auc_ratio",
]
