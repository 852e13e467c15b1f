"""Tests of helpers.models.pk: closed forms, published values, invariants, and agreement with solve_ivp.

Bad-input cases live in test_pk_validation.py.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from _pk_reference import flatten, reference_solution, sampled_time_above, sampled_time_to_fall
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import evidence, units
from helpers.models import pk

MODEL_KEYS = list(pk.MODELS)
LN2 = math.log(2.0)


def assert_close(got, ref, rel=1e-6, what=""):
    """Pointwise agreement: |got - ref| <= rel·|ref| + rel·1e-3·max|ref| (the small floor covers values near 0)."""
    got, ref = np.asarray(got), np.asarray(ref)
    scale = np.max(np.abs(ref))
    bad = np.abs(got - ref) > rel * np.abs(ref) + rel * 1e-3 * scale
    assert not bad.any(), (f"{what}: worst |diff| {np.max(np.abs(got - ref)):.3g} at t-index "
                           f"{int(np.argmax(np.abs(got - ref)))} (scale {scale:.3g})")


def one_compartment(v_l=50.0, cl_l_per_h=10.0, drug="racemic"):
    return pk.AllometricModel(name="one_cpt", drug=drug, v1_l=v_l, cl_l_per_h=cl_l_per_h,
                              source="test model", evidence="illustrative")


MIXED_REGIMEN = (pk.bolus(35.0), pk.infusion(20.0, 2.0, start_h=1.0), pk.bolus(50.0, at_h=5.0, route="oral"),
                 pk.infusion(15.0, 1.5, start_h=8.0, route="intranasal"), pk.bolus(30.0, at_h=12.0, route="im"),
                 pk.bolus(25.0, at_h=14.0, route="sublingual"))


# ----------------------------------------------------------------------------------------------------------
# 1. Closed forms
# ----------------------------------------------------------------------------------------------------------

RAW_CL_70KG = {  # clearance computed here from the raw published numbers, independent of pk's scaling code
    "domino": 0.4381 * 0.063 * 70.0 * 60.0,
    "clements_nimmo_1981": 0.0109 * 1.7522 * 70.0 * 60.0,
    "fanta_2015": 95.2,
}


@pytest.mark.parametrize("model", MODEL_KEYS)
def test_long_infusion_reaches_rate_over_clearance(model):
    """Css = rate / CL: at steady state input equals elimination CL·C, whatever the peripheral compartments.
    1000 h is > 90 slowest half-lives for every model, so the plasma value must equal rate/CL to 1e-9."""
    rate = 20.0
    res = pk.simulate([pk.infusion(rate, 1000.0)], [1000.0], model=model)
    expected = rate / RAW_CL_70KG[model] * 1000.0
    assert res.plasma_ng_ml[0] == pytest.approx(expected, rel=1e-9)
    assert pk.steady_state_ng_ml(rate, model=model) == pytest.approx(expected, rel=1e-12)
    assert res.effect_fast_ng_ml[0] == pytest.approx(expected, rel=1e-9)   # the fast site has equilibrated


def test_norketamine_steady_state_is_formation_over_its_clearance():
    """With fm = 1 every mg of ketamine cleared becomes norketamine, so at steady state norketamine
    elimination CL_nk·C_nk equals the infusion rate (mass ratio 1, Otto's convention)."""
    res = pk.simulate([pk.infusion(20.0, 1000.0)], [1000.0], model="fanta_2015")
    assert res.norketamine_ng_ml[0] == pytest.approx(20.0 / 57.7 * 1000.0, rel=1e-9)
    assert pk.steady_state_norketamine_ng_ml(20.0) == pytest.approx(20.0 / 57.7 * 1000.0, rel=1e-12)


def test_one_compartment_bolus_is_a_single_exponential():
    """One compartment: C(t) = D/V·exp(-CL/V·t). The exact solver must reproduce it to round-off."""
    m = one_compartment(50.0, 10.0)
    t = np.linspace(0.0, 30.0, 301)
    res = pk.simulate([pk.bolus(100.0)], t, model=m)
    assert_close(res.plasma_ng_ml, 100.0 / 50.0 * np.exp(-0.2 * t) * 1000.0, rel=1e-12, what="bolus")


def test_one_compartment_infusion_rises_and_falls_exponentially():
    """One compartment, rate R for T h: C = R/CL·(1 - e^{-kt}) during, then C(T)·e^{-k(t-T)} after."""
    m = one_compartment(50.0, 10.0)
    k = 0.2
    t = np.linspace(0.0, 40.0, 401)
    res = pk.simulate([pk.infusion(30.0, 8.0)], t, model=m)
    during = 30.0 / 10.0 * (1 - np.exp(-k * np.minimum(t, 8.0))) * 1000.0
    expected = np.where(t <= 8.0, during, during * np.exp(-k * (t - 8.0)))
    assert_close(res.plasma_ng_ml, expected, rel=1e-11, what="infusion")


def test_one_compartment_oral_dose_follows_the_bateman_function():
    """First-order absorption into one compartment: C = F·D·ka / (V(ka - k))·(e^{-kt} - e^{-ka t})."""
    m = one_compartment(50.0, 10.0)
    f, ka, k = pk.ROUTES["oral"].bioavailability["racemic"], pk.ROUTES["oral"].ka_per_h, 0.2
    t = np.linspace(0.0, 30.0, 301)
    res = pk.simulate([pk.bolus(100.0, route="oral")], t, model=m)
    expected = f * 100.0 * ka / (50.0 * (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t)) * 1000.0
    assert_close(res.plasma_ng_ml, expected, rel=1e-10, what="oral")


@pytest.mark.parametrize("decrement", [0.2, 0.5, 0.8])
def test_decrement_time_of_one_compartment_is_independent_of_duration(decrement):
    """One compartment decays as a single exponential, so the decrement time is ln(1/(1-d))/k whatever
    the infusion lasted (the 'context' only matters when there are peripheral compartments)."""
    m = one_compartment(50.0, 10.0)
    durations = np.logspace(-2, math.log10(336.0), 50)
    got = pk.context_sensitive_half_time_h(durations, model=m, decrement=decrement)
    assert got == pytest.approx(np.full(50, math.log(1.0 / (1.0 - decrement)) / 0.2), rel=1e-12)


def test_time_above_threshold_matches_the_exponential_closed_form():
    """After a bolus into one compartment C > c* for ln(C0/c*)/k hours: the linear-between-samples estimate on a
    1-min grid (the reference the dense-grid checks use) agrees to 1e-5, the exact Solution.time_above to 1e-7."""
    m = one_compartment(50.0, 10.0)
    t = np.linspace(0.0, 48.0, 2881)
    res = pk.simulate([pk.bolus(100.0)], t, model=m)
    expected = math.log(2000.0 / 500.0) / 0.2
    assert sampled_time_above(res.t_h, res.plasma_ng_ml, 500.0) == pytest.approx(expected, rel=1e-5)
    assert sampled_time_above(res.t_h, res.plasma_ng_ml, 5000.0) == 0.0
    assert pk.solve([pk.bolus(100.0)], model=m).time_above(500.0) == pytest.approx(expected, rel=1e-7)


# ----------------------------------------------------------------------------------------------------------
# 2. Published values (facts sheet §1a, §1c), with the tolerance the rounding allows
# ----------------------------------------------------------------------------------------------------------

PUBLISHED_HALF_LIVES_MIN = {  # facts sheet §1a
    "domino": (0.40, 4.6, 115.0),
    "clements_nimmo_1981": (17.6, 183.0),
    "fanta_2015": (12.9, 89.0, 7.4 * 60.0),
}


@pytest.mark.parametrize("model", MODEL_KEYS)
def test_half_lives_match_the_facts_sheet_within_two_percent(model):
    """Eigenvalue half-lives of the transcribed parameters vs facts sheet §1a (tolerance 2%, the brief's)."""
    got = pk.half_lives_min(model)
    assert len(got) == len(PUBLISHED_HALF_LIVES_MIN[model])
    assert got == pytest.approx(PUBLISHED_HALF_LIVES_MIN[model], rel=0.02)
    assert got == pytest.approx(pk.MODELS[model].reported_half_lives_min, rel=0.02)


def test_fanta_clearance_and_volume_at_70_kg():
    """Fanta 2015: CL 95.2 L/h (abstract 95 L/h [V]); Vss = 133 + 187 + 98.8 = 419 L (facts sheet [D])."""
    assert pk.clearance_l_per_h("fanta_2015", weight_kg=70.0) == pytest.approx(95.2, abs=1e-12)
    assert pk.volume_ss_l("fanta_2015", weight_kg=70.0) == pytest.approx(419.0, abs=0.5)


@pytest.mark.parametrize("model, cl, cl_tol, vss_per_kg, vss_tol", [
    ("domino", 116.0, 0.5, 2.76, 0.005),
    ("clements_nimmo_1981", 80.0, 0.5, 4.1, 0.05),
])
def test_classic_models_clearance_and_vss_match_the_facts_sheet(model, cl, cl_tol, vss_per_kg, vss_tol):
    """Facts sheet §1a [D]: Domino CL ~116 L/h/70 kg, Vss 2.76 L/kg; Clements CL ~80 L/h, Vss 4.1 L/kg.
    Tolerance = half a unit in the last quoted digit."""
    assert pk.clearance_l_per_h(model, weight_kg=70.0) == pytest.approx(cl, abs=cl_tol)
    assert pk.volume_ss_l(model, weight_kg=70.0) / 70.0 == pytest.approx(vss_per_kg, abs=vss_tol)


def test_norketamine_half_lives_match_otto_2021_to_their_rounding():
    """Norketamine half-lives 0.6 h and 5.1 h (facts sheet [D], eigenvalues rounded to one decimal):
    the tolerance is half a unit in that decimal, ±0.05 h (8% for 0.6 h, 1% for 5.1 h)."""
    fast, slow = (h / 60.0 for h in pk.norketamine_half_lives_min("fanta_2015"))
    assert abs(fast - 0.6) <= 0.05
    assert abs(slow - 5.1) <= 0.05


def test_s_ketamine_22_mg_per_h_gives_about_230_ng_ml():
    """Facts §1c [D]: S-ketamine 22 mg/h at CL 95 L/h → about 230 ng/mL (2 significant figures, so ±5);
    also reached by simulation after a long infusion."""
    assert abs(pk.steady_state_ng_ml(22.0, model="fanta_2015") - 230.0) <= 5.0
    res = pk.simulate([pk.infusion(22.0, 500.0)], [500.0], model="fanta_2015")
    assert abs(res.plasma_ng_ml[0] - 230.0) <= 5.0


def test_oral_norketamine_to_ketamine_auc_ratio_is_the_closed_form_and_near_fanta():
    """After an oral dose, AUC_nk / AUC_ket = mass_ratio · (CL/CL_nk) · [F + (1-F)p] / F exactly (all dose
    that is not bioavailable goes to norketamine, p = 1, assumed). For S-ketamine (F 0.08) that is 20.6;
    Fanta 2015 reports 16.5 [V]. The model is not tuned to it: checked only within a factor 1.5 to flag a
    gross error, the 25% excess is reported, not hidden."""
    t = np.array([0.0, 2000.0])
    a_oral = pk.amounts([pk.bolus(100.0, route="oral")], t)
    p = pk.scaled_parameters("fanta_2015")
    nk_auc = a_oral.norketamine_eliminated_mg[-1] / p.norketamine_cl_l_per_h      # AUC = eliminated / CL
    ket_auc = a_oral.eliminated_mg[-1] / p.cl_l_per_h
    ratio = nk_auc / ket_auc
    f = pk.bioavailability("oral", model="fanta_2015")
    assert ratio == pytest.approx(p.norketamine_mass_ratio * p.cl_l_per_h / p.norketamine_cl_l_per_h / f,
                                  rel=1e-9)
    assert 16.5 / 1.5 < ratio < 16.5 * 1.5


# ----------------------------------------------------------------------------------------------------------
# 3. Invariants
# ----------------------------------------------------------------------------------------------------------

event_strategy = st.one_of(
    st.builds(pk.bolus, dose_mg=st.floats(0.0, 500.0), at_h=st.floats(0.0, 200.0),
              route=st.sampled_from(list(pk.ROUTES))),
    st.builds(pk.infusion, rate_mg_per_h=st.floats(0.0, 100.0), duration_h=st.floats(0.0, 150.0),
              start_h=st.floats(0.0, 200.0), route=st.sampled_from(list(pk.ROUTES))),
)
regimen_strategy = st.lists(event_strategy, min_size=0, max_size=6)
T_GRID = np.linspace(0.0, 400.0, 801)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(regimen=regimen_strategy, model=st.sampled_from(MODEL_KEYS), weight=st.floats(30.0, 200.0))
def test_mass_balance_holds_for_any_regimen(regimen, model, weight):
    """Dose given = still in depots + in the body + eliminated + lost or diverted in first pass, at every
    time; and norketamine formed = norketamine in the body + eliminated. Cumulative flows are exact
    integrals, so the balance holds to round-off (1e-9 of the total dose)."""
    a = pk.amounts(regimen, T_GRID, model=model, weight_kg=weight)
    total = a.unabsorbed_mg + a.ketamine_in_body_mg + a.eliminated_mg + a.presystemic_to_norketamine_mg \
        + a.presystemic_lost_mg
    tol = 1e-9 * (pk.total_dose_mg(regimen) + 1.0)
    assert np.max(np.abs(total - a.dosed_mg)) <= tol
    assert np.max(np.abs(a.norketamine_formed_mg - a.norketamine_in_body_mg - a.norketamine_eliminated_mg)) <= tol
    for name, arr in a.states_mg.items():
        assert np.all(arr >= 0.0), name


def roundoff_scale(values, regimen, model):
    """The solver's round-off bound is relative to the larger of the curve's peak and the steady state the
    infusion rates in use would reach (inside an infusion segment z = C + e·S with |C| that steady state)."""
    rates = sum(e.rate_mg_per_h for e in flatten(regimen) if isinstance(e, pk.Infusion))
    css = pk.steady_state_ng_ml(rates, model=model)
    if pk.MODELS[model].norketamine is not None:
        css = max(css, pk.steady_state_norketamine_ng_ml(rates, model=model))
    return max(float(np.max(values)), css, 1e-300)


@FAST
@given(first=regimen_strategy, second=regimen_strategy, model=st.sampled_from(MODEL_KEYS))
def test_superposition_of_two_regimens(first, second, model):
    """The system is linear: simulating two regimens together equals the sum of simulating each (to 1e-9 of
    the round-off scale: the peak, or the steady state of the infusion rates if larger)."""
    both = pk.simulate([first, second], T_GRID, model=model)
    a = pk.simulate(first, T_GRID, model=model)
    b = pk.simulate(second, T_GRID, model=model)
    for name in ("plasma_ng_ml", "effect_fast_ng_ml", "effect_slow_ng_ml", "norketamine_ng_ml"):
        x, y, z = getattr(both, name), getattr(a, name), getattr(b, name)
        if x is None:
            continue
        assert np.max(np.abs(x - (y + z))) <= 1e-9 * roundoff_scale(x, [first, second], model), name


@FAST
@given(regimen=regimen_strategy, factor=st.floats(0.01, 100.0), model=st.sampled_from(MODEL_KEYS))
def test_dose_linearity(regimen, factor, model):
    """Scaling every dose and rate by a factor scales every concentration by that factor."""
    scaled = [pk.bolus(e.dose_mg * factor, e.at_h, e.route) if isinstance(e, pk.Bolus)
              else pk.infusion(e.rate_mg_per_h * factor, e.duration_h, e.start_h, e.route) for e in regimen]
    a = pk.simulate(regimen, T_GRID, model=model)
    b = pk.simulate(scaled, T_GRID, model=model)
    for name in ("plasma_ng_ml", "effect_slow_ng_ml", "norketamine_ng_ml"):
        x, y = getattr(b, name), getattr(a, name)
        if x is None:
            continue
        assert np.max(np.abs(x - factor * y)) <= 1e-9 * roundoff_scale(x, scaled, model), name


@FAST
@given(regimen=regimen_strategy, model=st.sampled_from(MODEL_KEYS), weight=st.floats(30.0, 200.0))
def test_concentrations_are_finite_and_never_negative(regimen, model, weight):
    """Amounts and concentrations of a compartmental system started empty are never negative."""
    res = pk.simulate(regimen, T_GRID, model=model, weight_kg=weight)
    for arr in (res.plasma_ng_ml, res.effect_fast_ng_ml, res.effect_slow_ng_ml, res.norketamine_ng_ml):
        if arr is not None:
            assert np.all(np.isfinite(arr)) and np.all(arr >= 0.0)


@pytest.mark.parametrize("model", MODEL_KEYS)
@pytest.mark.parametrize("route", list(pk.EXTRAVASCULAR_ROUTES))
def test_extravascular_auc_is_bioavailability_times_iv_auc(model, route):
    """Over a long horizon every absorbed mg is eliminated by the same clearance, so
    AUC(route) = F · AUC(IV) — exactly from the integrated solution, and to 1e-4 by the trapezoid rule."""
    t_exact = np.array([0.0, 3000.0])
    f = pk.bioavailability(route, model=model)
    iv = pk.amounts([pk.bolus(100.0)], t_exact, model=model).auc_plasma_ng_h_per_ml[-1]
    ev = pk.amounts([pk.bolus(100.0, route=route)], t_exact, model=model).auc_plasma_ng_h_per_ml[-1]
    assert ev == pytest.approx(f * iv, rel=1e-9)
    assert iv == pytest.approx(100.0 / pk.clearance_l_per_h(model) * 1000.0, rel=1e-9)   # AUC = D / CL
    t = np.concatenate([np.linspace(0.0, 2.0, 20001), np.linspace(2.0, 400.0, 40001)[1:]])
    iv_t = np.trapezoid(pk.simulate([pk.bolus(100.0)], t, model=model).plasma_ng_ml, t)
    ev_t = np.trapezoid(pk.simulate([pk.bolus(100.0, route=route)], t, model=model).plasma_ng_ml, t)
    assert ev_t == pytest.approx(f * iv_t, rel=1e-4)


@pytest.mark.parametrize("model", ["domino", "clements_nimmo_1981"])
def test_per_kg_models_give_the_same_concentration_for_the_same_mg_per_kg(model):
    """Domino and Clements & Nimmo scale volumes with weight and keep rate constants fixed, so a dose
    in mg/kg gives identical concentrations and half-lives at any weight."""
    t = np.linspace(0.0, 24.0, 97)
    a = pk.simulate([pk.bolus(0.5 * 50.0), pk.infusion(0.3 * 50.0, 4.0, 1.0)], t, model=model, weight_kg=50.0)
    b = pk.simulate([pk.bolus(0.5 * 120.0), pk.infusion(0.3 * 120.0, 4.0, 1.0)], t, model=model,
                    weight_kg=120.0)
    assert_close(b.plasma_ng_ml, a.plasma_ng_ml, rel=1e-10, what="per-kg")
    assert pk.half_lives_min(model, weight_kg=50.0) == pytest.approx(pk.half_lives_min(model, weight_kg=120.0),
                                                                     rel=1e-12)


@pytest.mark.parametrize("weight", [30.0, 55.0, 140.0, 200.0])
def test_fanta_scales_as_otto_2021_ran_it(weight):
    """Otto 2021 (as run): V1 and norketamine V × (W/70); CL and norketamine CL × (W/70)^0.75; peripheral
    volumes and inter-compartmental clearances not scaled. Hence Css = rate/CL ∝ W^-0.75."""
    p, p70 = pk.scaled_parameters("fanta_2015", weight_kg=weight), pk.scaled_parameters("fanta_2015", weight_kg=70.0)
    r = weight / 70.0
    assert p.v1_l == pytest.approx(133.0 * r, rel=1e-12)
    assert p.cl_l_per_h == pytest.approx(95.2 * r ** 0.75, rel=1e-12)
    assert p.peripheral_v_l == pytest.approx(p70.peripheral_v_l, rel=1e-12)
    assert p.peripheral_q_l_per_h == pytest.approx(p70.peripheral_q_l_per_h, rel=1e-12)
    assert p.norketamine_v_l == pytest.approx(98.6 * r, rel=1e-12)
    assert p.norketamine_cl_l_per_h == pytest.approx(57.7 * r ** 0.75, rel=1e-12)
    assert p.norketamine_vp_l == pytest.approx(160.0, rel=1e-12)
    assert pk.steady_state_ng_ml(20.0, model="fanta_2015", weight_kg=weight) == pytest.approx(
        pk.steady_state_ng_ml(20.0, model="fanta_2015", weight_kg=70.0) * r ** -0.75, rel=1e-12)


def test_fast_effect_site_peaks_after_plasma_and_slow_site_stays_below_during_an_infusion():
    """An effect compartment integrates plasma: after an IV bolus plasma peaks at once and the fast site
    later; while plasma rises during a constant infusion both sites stay below it."""
    t = np.linspace(0.0, 3.0, 3001)
    res = pk.simulate([pk.bolus(35.0)], t)
    assert t[np.argmax(res.plasma_ng_ml)] == 0.0
    t_fast = float(t[np.argmax(res.effect_fast_ng_ml)])
    assert 0.05 < t_fast < 1.0
    assert res.effect_fast_ng_ml.max() < res.plasma_ng_ml.max()
    inf = pk.simulate([pk.infusion(20.0, 2.0)], np.linspace(0.0, 2.0, 241))
    assert np.all(inf.effect_slow_ng_ml <= inf.plasma_ng_ml)
    assert np.all(inf.effect_fast_ng_ml <= inf.plasma_ng_ml)
    assert inf.effect_slow_ng_ml[-1] < 0.01 * inf.plasma_ng_ml[-1]    # t½ 10.9 d barely moves in 2 h


def test_slow_effect_site_follows_its_half_life_after_plasma_is_gone():
    """Days after an infusion plasma is ~0, so the slow site decays as exp(-ln2·t/10.9 d)."""
    t = np.array([30.0 * 24.0, 40.9 * 24.0])
    res = pk.simulate([pk.infusion(20.0, 100.0)], t)
    assert res.effect_slow_ng_ml[1] / res.effect_slow_ng_ml[0] == pytest.approx(0.5, rel=1e-6)


@pytest.mark.parametrize("model", MODEL_KEYS)
@pytest.mark.parametrize("decrement", [0.2, 0.5, 0.8])
def test_decrement_time_agrees_with_simulation_and_grows_with_duration(model, decrement):
    """Two methods: simulating the infusion, the plasma concentration `decrement time` after the stop is
    exactly (1 - d) of the value at the stop. Invariant: the decrement time never shortens as the
    infusion lengthens (more drug in the slow compartments)."""
    durations = np.array([0.05, 0.5, 4.0, 40.0, 336.0])
    got = pk.context_sensitive_half_time_h(durations, model=model, decrement=decrement)
    for dur, s in zip(durations, got, strict=True):
        res = pk.simulate([pk.infusion(10.0, dur)], [dur, dur + s], model=model)
        assert res.plasma_ng_ml[1] / res.plasma_ng_ml[0] == pytest.approx(1.0 - decrement, rel=1e-9)
    dense = pk.context_sensitive_half_time_h(np.logspace(-2, math.log10(336.0), 200), model=model,
                                             decrement=decrement)
    assert np.all(np.diff(dense) >= -1e-12 * dense[1:])
    assert isinstance(pk.context_sensitive_half_time_h(1.0, model=model), float)


def test_time_shift_invariance_over_months():
    """The same dose given 10,000 h later gives the same curve 10,000 h later (no overflow of
    exp(-λt) over long regimens, no drift)."""
    t = np.linspace(0.0, 24.0, 97)
    early = pk.simulate([pk.bolus(50.0, route="oral")], t)
    late = pk.simulate([pk.bolus(50.0, route="oral", at_h=10_000.0)], t + 10_000.0)
    assert_close(late.plasma_ng_ml, early.plasma_ng_ml, rel=1e-9, what="shift")
    assert_close(late.norketamine_ng_ml, early.norketamine_ng_ml, rel=1e-9, what="shift nk")


def test_sixteen_week_regimen_is_finite_and_matches_its_parts():
    """Two 10 × 4-h courses, a 100-h infusion and monthly boosters over 16 weeks: finite, and equal to the
    sum of its parts (superposition over a long horizon with many boundaries)."""
    parts = [pk.course(20.0, 4.0, 10), [pk.infusion(20.0, 100.0, start_h=21 * 24.0)],
             pk.course(20.0, 4.0, 10, start_h=42 * 24.0),
             pk.repeat(pk.infusion(20.0, 4.0, start_h=70 * 24.0), every_h=28 * 24.0, times=2)]
    t = np.linspace(0.0, 16 * 7 * 24.0, 2000)
    whole = pk.simulate(parts, t)
    assert np.all(np.isfinite(whole.plasma_ng_ml))
    summed = sum(pk.simulate(p, t).plasma_ng_ml for p in parts)
    assert np.max(np.abs(whole.plasma_ng_ml - summed)) <= 1e-9 * whole.plasma_ng_ml.max()
    assert whole.plasma_ng_ml.max() <= pk.steady_state_ng_ml(20.0) * (1 + 1e-9)


def test_empty_regimen_and_times_before_the_first_dose_give_zeros():
    """No drug, no concentration: an empty regimen, and every time before the first event, give 0."""
    t = np.linspace(-5.0, 10.0, 31)
    empty = pk.simulate([], t)
    assert not empty.plasma_ng_ml.any() and not empty.norketamine_ng_ml.any()
    nothing = pk.solve([])
    assert nothing.peak() == (0.0, 0.0) and nothing.auc() == 0.0 and nothing.time_above(0.0) == 0.0
    later = pk.simulate([pk.bolus(10.0, at_h=5.0)], t)
    assert not later.plasma_ng_ml[t < 5.0].any()
    assert later.plasma_ng_ml[t == 5.0][0] == pytest.approx(10.0 / (133.0) * 1000.0, rel=1e-12)


def test_result_is_immutable_and_independent_of_the_input_array():
    """PKResult is frozen, its arrays are read-only, and t_h is a copy of the caller's array."""
    t = np.linspace(0.0, 10.0, 11)
    res = pk.simulate([pk.bolus(10.0)], t)
    t[:] = -1.0
    assert res.t_h[0] == 0.0
    with pytest.raises(ValueError):
        res.plasma_ng_ml[0] = 1.0
    with pytest.raises(AttributeError):
        res.model = "x"
    assert res.model == "fanta_2015" and res.drug == "S-ketamine" and res.weight_kg == 70.0


def test_units_and_the_exact_peak_of_an_infusion():
    """µM = ng/mL ÷ molar mass (237.7 ketamine, 223.7 norketamine); a single infusion peaks at its stop, where
    the exact peak equals the sample taken there."""
    t = np.linspace(0.0, 24.0, 241)
    res = pk.simulate([pk.infusion(20.0, 2.0)], t)
    assert res.plasma_um == pytest.approx(res.plasma_ng_ml / units.KETAMINE_G_PER_MOL, rel=1e-12)
    assert res.norketamine_um == pytest.approx(res.norketamine_ng_ml / units.NORKETAMINE_G_PER_MOL, rel=1e-12)
    t_peak, c_peak = pk.solve([pk.infusion(20.0, 2.0)]).peak()
    assert t_peak == pytest.approx(2.0, abs=1e-9)
    assert c_peak == pytest.approx(res.plasma_ng_ml.max(), rel=1e-12)
    assert pk.simulate([pk.bolus(10.0)], t, model="domino").norketamine_ng_ml is None


def test_regimen_builders():
    """course() = daily sessions; repeat() shifts copies; nested lists are flattened; totals add up."""
    c = pk.course(20.0, 4.0, 10, start_h=2.0)
    assert len(c) == 10 and all(isinstance(e, pk.Infusion) for e in c)
    assert [e.start_h for e in c] == [2.0 + 24.0 * i for i in range(10)]
    assert pk.total_dose_mg(c) == pytest.approx(800.0)
    r = pk.repeat([pk.bolus(5.0, at_h=1.0), pk.infusion(2.0, 1.0)], every_h=12.0, times=3)
    assert [e.at_h for e in r if isinstance(e, pk.Bolus)] == [1.0, 13.0, 25.0]
    assert pk.total_dose_mg([r, [c]]) == pytest.approx(3 * 7.0 + 800.0)
    t = np.linspace(0.0, 30.0, 61)
    one = pk.simulate(pk.bolus(10.0), t)
    listed = pk.simulate([[pk.bolus(10.0)]], t)
    assert np.array_equal(one.plasma_ng_ml, listed.plasma_ng_ml)


def test_bioavailability_by_drug():
    """Route F depends on the drug: oral racemic 0.20 (Yanagihara 2003), oral S-ketamine 0.08 (Fanta 2015),
    IM 0.93, sublingual 0.29 (Rolan 2014), intranasal 0.45 racemic / 0.48 S-ketamine."""
    assert pk.bioavailability("oral", model="fanta_2015") == 0.08
    assert pk.bioavailability("oral", model="domino") == 0.20
    assert pk.bioavailability("im", model="domino") == 0.93
    assert pk.bioavailability("sublingual", model="clements_nimmo_1981") == 0.29
    assert pk.bioavailability("intranasal", model="domino") == 0.45
    assert pk.bioavailability("intranasal", model="fanta_2015") == 0.48
    assert pk.bioavailability("iv", model="fanta_2015") == 1.0
    assert pk.ROUTES["oral"].bioavailability("S-ketamine") == 0.08


def test_every_cited_reference_key_exists():
    """Every reference key a parameter set, route or effect site cites is in the package reference list."""
    refs = evidence.references()
    missing = [k for k in pk.REFERENCE_KEYS if k not in refs]
    assert not missing
    for m in pk.MODELS.values():
        assert m.evidence in ("cited", "assumed", "illustrative") and m.source and "|" not in m.source


# ----------------------------------------------------------------------------------------------------------
# 4. Two methods: exact modal solution vs scipy LSODA
# ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODEL_KEYS)
def test_exact_solution_agrees_with_solve_ivp(model):
    """Bolus + infusion + oral, intranasal, IM and sublingual doses: plasma, norketamine and both effect sites
    from the eigen-decomposition agree with an independently written ODE integrated by LSODA (rtol 1e-10)
    to 1e-6 relative."""
    t = np.linspace(0.0, 36.0, 433)
    got = pk.simulate(MIXED_REGIMEN, t, model=model)
    ref = reference_solution(MIXED_REGIMEN, t, model)
    for name, arr in ref.items():
        assert_close(getattr(got, f"{name}_ng_ml"), arr, rel=1e-6, what=f"{model} {name}")
    assert (got.norketamine_ng_ml is None) == ("norketamine" not in ref)


def test_non_default_weight_and_effect_half_lives_agree_with_solve_ivp():
    """Same check at 112 kg with effect-site half-lives 11.8 min and 5.3 days (the other ends of the
    published ranges)."""
    t = np.linspace(0.0, 30.0, 241)
    got = pk.simulate(MIXED_REGIMEN, t, model="fanta_2015", weight_kg=112.0, effect_fast_t_half_min=11.8,
                      effect_slow_t_half_days=5.3)
    ref = reference_solution(MIXED_REGIMEN, t, "fanta_2015", 112.0, fast_min=11.8, slow_days=5.3)
    for name, arr in ref.items():
        assert_close(getattr(got, f"{name}_ng_ml"), arr, rel=1e-6, what=name)


def _crossing_weight(rate_per_h, which):
    """Weight at which a Fanta disposition rate equals ``rate_per_h`` (bisection on the half-life)."""
    lo, hi = 30.0, 200.0
    def g(w):
        halves = pk.norketamine_half_lives_min("fanta_2015", weight_kg=w) if which == "nk" else pk.half_lives_min(
            "fanta_2015", weight_kg=w)
        return LN2 / (halves[0] / 60.0) - rate_per_h
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("route, which", [("intranasal", "ket"), ("im", "ket"), ("oral", "nk"),
                                          ("sublingual", "ket")])
def test_absorption_rate_equal_to_a_disposition_rate_is_handled(route, which):
    """Fanta's rates move with weight; at some weight a route's ka equals a disposition eigenvalue and the
    system matrix is defective. pk moves that ka by 4e-7 (relative) and says so; the result must still
    agree with solve_ivp (using the unmoved ka) to 1e-6 of the peak."""
    w = _crossing_weight(pk.ROUTES[route].ka_per_h, which)
    info = pk.system_info("fanta_2015", weight_kg=w)
    assert any(label == f"depot_{route}" for label, _, _ in info["shifted_rates"])
    t = np.linspace(0.0, 24.0, 289)
    reg = [pk.bolus(40.0, route=route), pk.infusion(10.0, 2.0, start_h=3.0, route=route), pk.bolus(20.0, at_h=1.0)]
    got = pk.simulate(reg, t, model="fanta_2015", weight_kg=w)
    ref = reference_solution(reg, t, "fanta_2015", w)
    for name, arr in ref.items():
        diff = np.max(np.abs(getattr(got, f"{name}_ng_ml") - arr))
        assert diff <= 1e-6 * np.max(arr), name


def test_exact_auc_agrees_with_trapezoid_of_the_curve():
    """Two methods for exposure: the exact integral from amounts() vs the trapezoid rule on a fine grid."""
    t = np.linspace(0.0, 48.0, 48 * 600 + 1)
    exact = pk.amounts(MIXED_REGIMEN, t).auc_plasma_ng_h_per_ml[-1]
    trap = np.trapezoid(pk.simulate(MIXED_REGIMEN, t).plasma_ng_ml, t)
    assert trap == pytest.approx(exact, rel=1e-5)


# ---- the sampled half-fall the dense-grid checks use as their reference -----------------------------------------
def test_sampled_half_fall_of_an_exponential_is_its_half_life():
    """The brute-force reference is itself right: c = exp(-k t) halves in ln 2 / k; linear interpolation on a
    fine grid is within 1e-4 h."""
    k = 0.7
    t = np.linspace(0.0, 10.0, 20_001)
    assert sampled_time_to_fall(t, np.exp(-k * t), 0.0) == pytest.approx(math.log(2) / k, abs=1e-4)
    assert sampled_time_to_fall(t, np.exp(-k * t), 2.0, 0.2) == pytest.approx(math.log(5) / k, abs=1e-4)


@pytest.mark.parametrize("model", sorted(pk.MODELS))
@pytest.mark.parametrize("duration_h", [0.5, 4.0, 100.0])
def test_sampled_half_fall_of_a_simulated_infusion_agrees_with_the_exact_half_time(model, duration_h):
    """Two methods: the sampled half-fall of a simulated single infusion and the exact context-sensitive
    half-time (root of the sum of exponentials) agree to 1% or 30 s."""
    t = np.concatenate([np.linspace(0.0, duration_h, 200), duration_h + np.geomspace(1e-4, 24.0, 4000)])
    res = pk.simulate([pk.infusion(20.0, duration_h)], t, model=model)
    got = sampled_time_to_fall(res.t_h, res.plasma_ng_ml, duration_h)
    exact = pk.context_sensitive_half_time_h(duration_h, model=model)
    assert got == pytest.approx(exact, rel=0.01, abs=30 / 3600)


def test_sampled_references_of_a_flat_and_an_empty_curve():
    """A curve that never falls never reaches its half (inf); a zero curve has nothing to fall from (inf) and
    spends no time above anything."""
    t = np.linspace(0.0, 1.0, 11)
    assert sampled_time_to_fall(t, np.ones_like(t), 0.5) == math.inf
    assert sampled_time_to_fall(t, np.zeros_like(t), 0.5) == math.inf
    assert sampled_time_above(t, np.zeros_like(t), 0.0) == 0.0
    assert sampled_time_above(t, np.ones_like(t), 0.5) == pytest.approx(1.0, rel=1e-12)


# ---- route constants pinned to the facts sheet / addendum (the solve_ivp reference reads them from pk) ---------
def test_route_constants_are_the_published_ones():
    """ka (1/h) and F by route, as the facts addendum §4 and §1b give them: the ODE cross-check shares these
    inputs with the code, so they are pinned here as literals."""
    expected_ka = {"intranasal": 2.93, "sublingual": 2.4, "oral": 0.97, "im": 5.0}
    for route, ka in expected_ka.items():
        assert pk.ROUTES[route].ka_per_h == ka, route
    expected_f = {("im", "racemic"): 0.93, ("oral", "racemic"): 0.20, ("oral", "S-ketamine"): 0.08,
                  ("sublingual", "racemic"): 0.29, ("sublingual", "S-ketamine"): 0.263,
                  ("intranasal", "racemic"): 0.45, ("intranasal", "S-ketamine"): 0.48}
    for (route, drug), f in expected_f.items():
        assert pk.ROUTES[route].bioavailability[drug] == f, (route, drug)
    assert {r: pk.ROUTES[r].presystemic_to_norketamine for r in pk.EXTRAVASCULAR_ROUTES} == {
        "im": 0.0, "intranasal": 1.0, "sublingual": 1.0, "oral": 1.0}
    assert pk.EFFECT_SITES_FITTED_TO == "S-ketamine"


# ----------------------------------------------------------------------------------------------------------
# Exact landmarks of a regimen (peak, time above, half-fall, AUC): no plotting grid involved
# ----------------------------------------------------------------------------------------------------------

def _dense_reference(regimen, model="fanta_2015", weight_kg=70.0, tail_h=24 * 30):
    """A brute-force reference: simulate() on a very dense grid (fine spacing inside every infusion, a
    geometric fan of 4000 points after every boundary, 200 001 even points over the whole course)."""
    events = flatten(regimen)
    bounds = sorted({b for e in events for b in ((e.at_h,) if isinstance(e, pk.Bolus) else (e.start_h, e.end_h))})
    end = bounds[-1] + tail_h
    parts = [np.linspace(0.0, end, 200_001), np.asarray(bounds)]
    for b in bounds:
        parts.append(b + np.geomspace(1e-6, end - b, 4000))
    t = np.unique(np.concatenate(parts))
    return pk.simulate(regimen, t, model=model, weight_kg=weight_kg)


def _first_peak_time(ref, regimen, tie=1e-3):
    """When the peak is first reached, by brute force on the dense grid: each dose's window (its start to the
    next start) has its own maximum; the first window within ``tie`` of the highest; in it, the last time within
    round-off of its maximum (a plateau creeping up to the end of an infusion counts at its end)."""
    starts = sorted({e.at_h if isinstance(e, pk.Bolus) else e.start_h for e in flatten(regimen)}) + [math.inf]
    c = ref.plasma_ng_ml
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        inside = (ref.t_h >= a) & (ref.t_h < b)
        m = c[inside].max()
        if m >= (1 - tie) * c.max():
            return float(ref.t_h[inside][np.flatnonzero(c[inside] >= m * (1 - 1e-9))[-1]])
    raise AssertionError("no window reaches the peak")


AWKWARD_REGIMENS = {
    "14 x 15 min every 28 days": [pk.infusion(100.0, 0.25, start_h=i * 28 * 24.0) for i in range(14)],
    "3 x 15 min every 12 h at 400 mg/h": [pk.infusion(400.0, 0.25, start_h=i * 12.0) for i in range(3)],
    "overlapping 5 x 100 h every day": [pk.infusion(20.0, 100.0, start_h=i * 24.0) for i in range(5)],
    "mixed routes": [pk.bolus(35.0), pk.bolus(50.0, at_h=30.0, route="oral"),
                     pk.infusion(10.0, 2.0, start_h=200.0, route="intranasal")],
}


@pytest.mark.parametrize("model", MODEL_KEYS)
@pytest.mark.parametrize("name", sorted(AWKWARD_REGIMENS))
def test_landmarks_agree_with_a_brute_force_dense_grid(name, model):
    """Two methods: peak, time above 35 ng/mL and the half-fall after the last stop from the exact landmark
    functions agree with linear interpolation on a brute-force dense grid (peak 1e-6 relative; times 1e-4
    relative or 2 s). This is what makes a panel's description right for any slider setting."""
    reg = AWKWARD_REGIMENS[name]
    ref = _dense_reference(reg, model)
    sol = pk.solve(reg, model=model)
    t_peak, c_peak = sol.peak()
    ref_max = ref.plasma_ng_ml.max()
    assert c_peak == pytest.approx(ref_max, rel=1e-6)
    assert c_peak >= ref_max * (1 - 1e-12)             # the refined maximum is never below a sample
    assert t_peak == pytest.approx(_first_peak_time(ref, reg), rel=1e-4, abs=2 / 3600)
    assert sol.time_above(35.0) == pytest.approx(sampled_time_above(ref.t_h, ref.plasma_ng_ml, 35.0), rel=1e-4,
                                                 abs=2 / 3600)
    last = max(e.end_h for e in reg)
    assert sol.end_h == last
    assert sol.time_to_fall_after(last, 0.5) == pytest.approx(
        sampled_time_to_fall(ref.t_h, ref.plasma_ng_ml, last, 0.5), rel=1e-4, abs=2 / 3600)


@pytest.mark.parametrize("model", MODEL_KEYS)
@pytest.mark.parametrize("decrement", [0.5, 0.8])
@pytest.mark.parametrize("duration_h", [1 / 60, 0.25, 4.0, 100.0, 336.0])
def test_time_to_fall_after_a_single_infusion_is_the_context_sensitive_time(model, decrement, duration_h):
    """Two methods: the regimen half-fall (grid search + refinement on the exact solution) equals the
    context-sensitive decrement time (Newton on the sum of exponentials) to 1e-6 relative."""
    got = pk.solve(pk.infusion(20.0, duration_h), model=model).time_to_fall_after(duration_h, 1.0 - decrement)
    exact = pk.context_sensitive_half_time_h(duration_h, model=model, decrement=decrement)
    assert got == pytest.approx(exact, rel=1e-6)


def test_time_above_and_peak_of_a_one_compartment_bolus_are_the_closed_forms():
    """Closed form: C = (D/V) e^{-kt} is above c* for ln(C0/c*)/k hours; its peak is C0 at t = 0; after a
    constant infusion the maximum is at the stop, Css (1 - e^{-kT})."""
    m = pk.AllometricModel(name="one", drug="racemic", v1_l=50.0, cl_l_per_h=10.0, source="test",
                           evidence="illustrative")
    k, c0 = 10.0 / 50.0, 100.0 / 50.0 * 1000.0
    reg = [pk.bolus(100.0)]
    sol = pk.solve(reg, model=m)
    assert sol.time_above(300.0) == pytest.approx(math.log(c0 / 300.0) / k, rel=1e-7)
    assert sol.peak() == pytest.approx((0.0, c0), rel=1e-12)
    assert sol.time_above(300.0, from_h=2.0, until_h=12.0) == pytest.approx(math.log(c0 / 300.0) / k - 2.0,
                                                                            rel=1e-7)
    assert sol.time_above(300.0, from_h=2.0, until_h=5.0) == pytest.approx(3.0, rel=1e-12)
    inf = pk.solve([pk.infusion(10.0, 3.0)], model=m)
    t_stop, c_stop = inf.peak()
    assert t_stop == pytest.approx(3.0, abs=1e-9)
    assert c_stop == pytest.approx(1000.0 * (1 - math.exp(-k * 3.0)), rel=1e-12)
    assert inf.time_to_fall_after(3.0, 0.25) == pytest.approx(math.log(4) / k, rel=1e-7)


def test_identical_sessions_report_the_first_peak_and_smooth_maxima_are_refined():
    """Sessions 28 days apart are identical to round-off: the earliest peak is reported (end of the first
    infusion), not whichever sample round-off made largest. Norketamine and the slow biophase peak after the
    stop (smooth maxima between samples): the refined value is at least the dense-grid maximum."""
    reg = AWKWARD_REGIMENS["14 x 15 min every 28 days"]
    sol = pk.solve(reg)
    assert sol.peak()[0] == pytest.approx(0.25, abs=1e-9)
    ref = _dense_reference(reg)
    for which, series in (("norketamine", ref.norketamine_ng_ml), ("effect_slow", ref.effect_slow_ng_ml)):
        t_pk, c_pk = sol.peak(which)
        assert c_pk >= series.max() * (1 - 1e-12) and c_pk == pytest.approx(series.max(), rel=1e-6), which
    # the slow biophase peaks after a stop, when falling plasma meets it (dCe/dt = k (Cp - Ce) = 0)
    t_bio = sol.peak("effect_slow")[0]
    since_stop = min(t_bio - e.end_h for e in reg if e.end_h <= t_bio)
    assert 0.0 < since_stop < 48.0
    at = pk.simulate(reg, [t_bio])
    assert at.plasma_ng_ml[0] == pytest.approx(at.effect_slow_ng_ml[0], rel=1e-3)


def test_slow_biophase_peaks_hours_after_a_100_h_infusion_then_decays_with_its_half_life():
    """Sigtermans 2009 (100 h at 20 mg/h, Fanta PK): the 10.9-day compartment does not keep rising for days
    after plasma has gone. It peaks when falling plasma meets it (dCe/dt = k (Cp - Ce) = 0), about 5 h after
    the stop, and then halves in about 10.9 days (plasma is then ~0, so the decay is its own half-life)."""
    reg = [pk.infusion(20.0, 100.0)]
    sol = pk.solve(reg)
    t_bio, c_bio = sol.peak("effect_slow")
    assert 100.0 < t_bio < 100.0 + 12.0
    at = pk.simulate(reg, [t_bio])
    assert at.plasma_ng_ml[0] == pytest.approx(at.effect_slow_ng_ml[0], rel=1e-4)
    half_days = sol.time_to_fall_after(t_bio, 0.5, which="effect_slow") / 24.0
    assert half_days == pytest.approx(pk.SLOW_EFFECT_T_HALF_DAYS, rel=0.05)


@pytest.mark.parametrize("model", MODEL_KEYS)
@pytest.mark.parametrize("route", list(pk.ROUTES))
def test_auc_to_infinity_is_bioavailability_times_dose_over_clearance(model, route):
    """Closed form: AUC(0-inf) = F · dose / CL for any route; both effect sites have the same AUC as plasma
    (unit gain, no feedback); the finite AUC equals the exact integral from amounts()."""
    reg = [pk.bolus(40.0, route=route), pk.infusion(10.0, 3.0, start_h=5.0, route=route)]
    f = pk.bioavailability(route, model=model)
    expected = f * 70.0 / pk.clearance_l_per_h(model) * 1000.0
    sol = pk.solve(reg, model=model)
    assert sol.auc() == pytest.approx(expected, rel=1e-9)
    for which in ("effect_fast", "effect_slow"):
        assert sol.auc(which) == pytest.approx(expected, rel=1e-8)
    t = np.array([0.0, 4.0, 7.5, 48.0])
    exact = pk.amounts(reg, t, model=model).auc_plasma_ng_h_per_ml
    for ti, a in zip(t, exact, strict=True):
        assert sol.auc(until_h=float(ti)) == pytest.approx(a, rel=1e-9, abs=1e-9)


def test_norketamine_auc_ratio_is_the_closed_form_of_the_model_assumptions():
    """Closed form: every mg of S-ketamine cleared forms norketamine (fm = 1) and the non-bioavailable part of a
    mucosal or oral dose goes to norketamine, so ratio = (fm F + (1 - F)) / F × CL / CL_nk (IM loses its 7%).
    Oral: about 21 against the 16.5 Fanta 2015 measured (the model's assumption overshoots; see notebook 04)."""
    p = pk.scaled_parameters("fanta_2015")
    cl_ratio = p.cl_l_per_h / p.norketamine_cl_l_per_h
    for route in pk.ROUTES:
        f = pk.bioavailability(route, model="fanta_2015")
        presys = pk.ROUTES[route].presystemic_to_norketamine
        expected = (f + presys * (1 - f)) / f * cl_ratio
        assert pk.norketamine_auc_ratio(route) == pytest.approx(expected, rel=1e-9), route
    measured, drug, _source = pk.MEASURED_NORKETAMINE_AUC_RATIO["oral"]
    assert (measured, drug) == (16.5, "S-ketamine")
    assert 15.0 < pk.norketamine_auc_ratio("oral") < 25.0


def test_time_grid_holds_every_boundary_and_resolves_the_fall_after_each_stop():
    """The plotting grid has every dosing boundary and points within seconds after each stop, so the peak at a
    stop is sampled and the fall after it is drawn, however far apart the doses are."""
    reg = AWKWARD_REGIMENS["14 x 15 min every 28 days"]
    t = pk.time_grid(reg, 24 * 365.0)
    assert np.all(np.diff(t) > 0) and t[0] == 0.0 and t[-1] == 24 * 365.0
    for e in reg:
        assert e.start_h in t and e.end_h in t
        after = t[(t > e.end_h) & (t < e.end_h + 1.0)]
        assert after.size >= 8 and after[0] - e.end_h < 0.01
    assert pk.time_grid([], 10.0).size == 600


def test_route_evidence_is_tagged_per_drug():
    """Values measured with one drug and reused for the other are 'assumed' for the other: IM F (racemic) on
    S-ketamine; the S-ketamine absorption rates on the racemate; the IM ka is our derivation throughout."""
    im = pk.ROUTES["im"]
    assert im.evidence_for("racemic")["bioavailability"] == "cited"
    assert im.evidence_for("S-ketamine")["bioavailability"] == "assumed"
    assert im.evidence_for("racemic")["ka"] == im.evidence_for("S-ketamine")["ka"] == "assumed"
    for route in ("intranasal", "sublingual", "oral"):
        tags = {d: pk.ROUTES[route].evidence_for(d) for d in pk.DRUGS}
        assert tags["S-ketamine"]["ka"] == "cited" and tags["racemic"]["ka"] == "assumed", route
        assert tags["S-ketamine"]["bioavailability"] == tags["racemic"]["bioavailability"] == "cited", route
        assert tags["racemic"]["presystemic"] == "assumed"
    for r in pk.ROUTES.values():
        parts = [t for d in pk.DRUGS for t in r.evidence_for(d).values()]
        assert r.evidence == max(parts, key=("cited", "assumed", "illustrative").index)
    assert dict(pk.EFFECT_SITE_EVIDENCE) == {"t_half": "cited", "applied_to_pk_model": "assumed"}


# ----------------------------------------------------------------------------------------------------------
# pk.solve: one solution per regimen, the same numbers as before it existed
# ----------------------------------------------------------------------------------------------------------

RECORDED = json.loads((Path(__file__).parent / "pk_recorded_8d29d59.json").read_text(encoding="utf-8"))
RECORDED_REGIMENS = {**AWKWARD_REGIMENS, "mixed regimen": list(MIXED_REGIMEN)}


def _landmark(sol, key, last):
    """The Solution call that reproduces one recorded landmark (keys as written at 8d29d59)."""
    kind, which, *rest = key.split(" ")
    tail = " ".join(rest)
    if kind == "peak":
        kw = {"from last": {"from_h": last}, "1..48h": {"from_h": 1.0, "until_h": 48.0}}.get(tail, {})
        return list(sol.peak(which, **kw))
    if kind == "time_above":
        if tail == "35":
            return sol.time_above(35.0, which)
        return sol.time_above(5.0, which, from_h=0.5, until_h=100.0)
    if kind == "fall":
        if "horizon" in tail:
            return sol.time_to_fall_after(last, 0.2, which=which, horizon_h=30.0)
        if tail == "after 1h 0.5":
            return sol.time_to_fall_after(1.0, 0.5, which=which)
        return sol.time_to_fall_after(last, 0.5, which=which)
    return sol.auc(which) if tail == "inf" else sol.auc(which, until_h=24.0)


@pytest.mark.parametrize("key", sorted(RECORDED["regimens"]))
def test_solution_landmarks_equal_the_free_functions_recorded_before_the_refactor(key):
    """Every landmark a description prints (peak and its time, time above, half-fall, AUC), for plasma,
    norketamine and both effect sites, with and without search windows, at the awkward regimens of the
    dense-grid tests and at a non-default weight and effect-site half-lives, equals what pk.peak,
    pk.time_above_h, pk.time_to_fall_after_h and pk.auc_ng_h_per_ml returned at 8d29d59 (relative 1e-12):
    the solution object changed the API, not the numbers."""
    name, model, kw = key.split(" | ")
    reg = RECORDED_REGIMENS[name]
    sol = pk.solve(reg, model=model, **json.loads(kw))
    last = max(e.end_h for e in flatten(reg))
    for what, want in RECORDED["regimens"][key].items():
        got = _landmark(sol, what, last)
        for g, w in zip(np.atleast_1d(got), np.atleast_1d(want), strict=True):
            w = math.inf if w == "inf" else w
            assert g == w or g == pytest.approx(w, rel=1e-12, abs=0.0), (what, g, w)


@pytest.mark.parametrize("key", sorted(RECORDED["simulate"]))
def test_simulate_and_solution_at_equal_the_samples_recorded_before_the_refactor(key):
    """``simulate`` is ``solve(...).at``: both give, array for array, the concentrations recorded at 8d29d59
    (81 kg, times around every dosing event, before the first dose and months after the last)."""
    name, model = key.split(" | ")
    rec = RECORDED["simulate"][key]
    sol = pk.solve(RECORDED_REGIMENS[name], model=model, weight_kg=81.0)
    at, sim = sol.at(rec["t_h"]), pk.simulate(RECORDED_REGIMENS[name], rec["t_h"], model=model, weight_kg=81.0)
    for series in pk.SERIES:
        want = rec[series]
        got_at, got_sim = getattr(at, f"{series}_ng_ml"), getattr(sim, f"{series}_ng_ml")
        if want is None:
            assert got_at is None and got_sim is None
            continue
        assert np.array_equal(got_at, got_sim), series
        np.testing.assert_allclose(got_at, want, rtol=1e-12, atol=0.0, err_msg=series)
    assert (at.model, at.drug, at.weight_kg, at.regimen) == (sim.model, sim.drug, sim.weight_kg, sim.regimen)


def test_solve_is_computed_once_per_regimen_and_describes_itself():
    """The same question gets the same (cached) solution; its metadata says what was solved: model, drug,
    weight, dose, the last dosing time, and whether it carries norketamine."""
    reg = pk.course(20.0, 4.0, 10, start_h=2.0)
    sol = pk.solve(reg, model="clements_nimmo_1981", weight_kg=82)
    assert pk.solve(list(reg), model="clements_nimmo_1981", weight_kg=82.0) is sol
    assert (sol.model, sol.drug, sol.weight_kg) == ("clements_nimmo_1981", "racemic", 82.0)
    assert sol.total_dose_mg == pytest.approx(800.0) and sol.end_h == 2.0 + 9 * 24.0 + 4.0
    assert not sol.has_norketamine and pk.solve(reg).has_norketamine
    assert sol.regimen == reg
    assert np.array_equal(sol.grid(300.0, n=50), pk.time_grid(reg, 300.0, n=50))
    empty = pk.solve([])
    assert empty.end_h == 0.0 and empty.total_dose_mg == 0.0 and empty.time_to_fall_after(1.0) == math.inf


def test_solution_refuses_norketamine_for_a_model_without_it():
    """Asking a racemic model's solution for norketamine is an error naming ``which``, not a silent zero."""
    sol = pk.solve([pk.bolus(10.0)], model="domino")
    for call in (lambda: sol.peak("norketamine"), lambda: sol.time_above(1.0, "norketamine"),
                 lambda: sol.time_to_fall_after(0.0, which="norketamine"), lambda: sol.auc("norketamine")):
        with pytest.raises(ValueError, match="which='norketamine' needs a model with norketamine"):
            call()
