"""Descending modulation layer: CPM, the inhibition/facilitation balance, ketamine's setting-dependent direction,
the optional effect-site time course, and the two panels."""
from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from scipy.integrate import solve_ivp

from helpers import evidence
from helpers.models import descending as d
from helpers.panels import descending as panels

unit = st.floats(0.0, 1.0, allow_nan=False)
setting_st = st.sampled_from(d.SETTINGS)


def _default(setting, ketamine=0.0):
    s = d.DEFAULT_STATES[setting]
    return d.cpm_experiment(setting, s.inhibition, s.facilitation, ketamine)


# ---- closed forms -----------------------------------------------------------------------------------------------
def test_pain_curve_half_maximum_and_calibration():
    """At an effective stimulus equal to half_max the curve gives 5/10 (Hill form), and the calibrated test
    stimulus gives exactly the target pain alone: the reference every CPM effect is measured against."""
    c = d.PAIN_CURVE
    assert d.pain_nrs(c.half_max_pct, 1.0) == pytest.approx(5.0)
    assert d.pain_nrs(c.half_max_pct / 2, 2.0) == pytest.approx(5.0)
    assert d.pain_nrs(d.test_stimulus_pct(), 1.0) == pytest.approx(c.test_pain_nrs)
    assert d.pain_nrs(0.0, 1.0) == 0.0


def test_gain_is_one_minus_inhibition_plus_facilitation():
    """G = 1 - I + F by definition; no ketamine leaves the recruited balance untouched in both settings."""
    assert d.descending_gain(0.3, 0.05) == pytest.approx(0.75)
    assert d.descending_gain(0.0, 0.0) == 1.0
    for setting in d.SETTINGS:
        i_eff, f_eff = d.effective_balance(setting, 0.4, 0.2, 0.0)
        assert (float(i_eff), float(f_eff)) == pytest.approx((0.4, 0.2))


def test_cpm_effect_is_during_minus_alone():
    """The sign convention: CPM = pain(during) - pain(alone), negative = inhibition; percent relative to alone."""
    r = _default("healthy")
    assert r.cpm == pytest.approx(r.pain_during - r.pain_alone)
    assert r.cpm_pct == pytest.approx(100 * r.cpm / r.pain_alone)
    assert d.cpm_effect("healthy", 0.3, 0.05, 0.0) == pytest.approx(r.cpm)


# ---- the CPM paradigm and impaired CPM ----------------------------------------------------------------------------
def test_cpm_reduces_test_pain_in_healthy_setting():
    """A conditioning stimulus recruits inhibition: test pain is lower during conditioning (efficient CPM)."""
    r = _default("healthy")
    assert r.pain_during < r.pain_alone
    assert d.classify_cpm(r.cpm) == "inhibition"


def test_impaired_cpm_is_weaker_in_chronic_setting():
    """Chronic pain with impaired CPM: less net inhibition than in the healthy setting (here, none to speak of)."""
    healthy, chronic = _default("healthy"), _default("chronic")
    assert abs(chronic.cpm) < abs(healthy.cpm)
    assert d.classify_cpm(chronic.cpm) == "no CPM"


# ---- published directions of ketamine's effect --------------------------------------------------------------------
def test_ketamine_abolishes_cpm_and_facilitates_in_healthy_volunteers():
    """Niesters 2011 [V]: in healthy volunteers S-ketamine abolished CPM and produced net pain facilitation."""
    before, after = _default("healthy", 0.0), _default("healthy", 1.0)
    assert before.cpm < 0 < after.cpm
    assert d.classify_cpm(after.cpm) == "facilitation"
    assert after.change > 0


def test_ketamine_restores_cpm_in_chronic_pain_with_impaired_cpm():
    """Niesters 2013 [U, direction only]: in patients with impaired CPM, S-ketamine strengthened CPM towards
    the healthy value."""
    healthy = _default("healthy", 0.0)
    before, after = _default("chronic", 0.0), _default("chronic", 1.0)
    assert after.cpm < before.cpm
    assert d.classify_cpm(after.cpm) == "inhibition"
    assert abs(after.cpm - healthy.cpm) < abs(before.cpm - healthy.cpm)


@pytest.mark.parametrize("setting, sign", [("healthy", +1), ("chronic", -1)])
def test_direction_holds_at_every_ketamine_level(setting, sign):
    """The direction is monotone in ketamine effect level for the default balance of each setting."""
    s = d.DEFAULT_STATES[setting]
    cpm = d.cpm_effect(setting, s.inhibition, s.facilitation, np.linspace(0, 1, 51))
    assert np.all(sign * np.diff(cpm) > 0)


# ---- invariants (hypothesis) -------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(setting_st, unit, unit, unit)
def test_outputs_are_bounded(setting, i, f, k):
    """Pain stays on its 0-10 scale and the effective balance inside its ranges, for any inputs."""
    r = d.cpm_experiment(setting, i, f, k)
    for p in (r.pain_alone, r.pain_during, r.pain_during_no_ketamine):
        assert 0.0 <= p < 10.0
    assert 0.0 <= r.inhibition_eff <= r.inhibition + 1e-12
    h = d.HYPOTHESES[setting]
    assert 0.0 <= r.facilitation_eff <= 1.0 + h.supraspinal_facilitation_gain
    assert -r.pain_alone <= r.cpm < 10.0 - r.pain_alone


@settings(max_examples=200, deadline=None)
@given(setting_st, unit, unit, unit, st.floats(0.01, 0.5))
def test_cpm_monotone_in_inhibition_and_facilitation(setting, i, f, k, step):
    """Model hypothesis: more recruited inhibition never weakens CPM; more facilitation never strengthens it."""
    base = d.cpm_effect(setting, i, f, k)
    assert d.cpm_effect(setting, min(i + step, 1.0), f, k) <= base + 1e-12
    assert d.cpm_effect(setting, i, min(f + step, 1.0), k) >= base - 1e-12


@settings(max_examples=100, deadline=None)
@given(setting_st, unit, unit, unit)
def test_stimulus_response_monotone_and_consistent(setting, i, f, k):
    """Pain rises with the stimulus on every curve, and the curves pass through the CPM bars at the test stimulus."""
    sr = d.stimulus_response(setting, i, f, k)
    for y in (sr.alone, sr.during_no_ketamine, sr.during):
        assert np.all(np.diff(y) >= -1e-12)
    s = sr.cpm.test_stimulus_pct
    assert np.interp(s, sr.stimulus_pct, sr.during) == pytest.approx(sr.cpm.pain_during, abs=0.05)


# ---- time course: closed form against solve_ivp --------------------------------------------------------------------
@pytest.mark.parametrize("t_half_h, duration_h, t_end_h", [
    (d.T_HALF_KE0_FAST_H, 1.0, 3.0),
    (d.T_HALF_KE0_SLOW_H, 100.0, 2000.0),
])
def test_effect_site_closed_form_matches_solve_ivp(t_half_h, duration_h, t_end_h):
    """dCe/dt = ke0 (Cp - Ce) with a rectangular Cp: the closed form must agree with a numerical integration."""
    ke0 = np.log(2) / t_half_h
    t = np.linspace(0, t_end_h, 301)

    def rhs(tt, y):
        return [ke0 * ((0.8 if tt < duration_h else 0.0) - y[0])]

    sol = solve_ivp(rhs, (0, t_end_h), [0.0], t_eval=t, rtol=1e-10, atol=1e-12, max_step=duration_h / 50)
    ce = d.effect_site_after_infusion(t, duration_h, t_half_h, level=0.8)
    np.testing.assert_allclose(ce, sol.y[0], atol=1e-6)


def test_effect_site_reaches_half_at_one_half_life():
    """Closed form: during a constant input the effect site reaches half the plasma level after one t½ke0."""
    t_half = d.T_HALF_KE0_FAST_H
    ce = d.effect_site_after_infusion([t_half], 1.0, t_half)
    assert ce[0] == pytest.approx(0.5)


def test_piecewise_linear_effect_site_matches_solve_ivp():
    """The exact piecewise-linear solver agrees with solve_ivp for an irregular plasma profile."""
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.05, 0.5, 40))
    t -= t[0]
    cp = rng.uniform(0, 2, t.size)
    t_half = 0.3
    ke0 = np.log(2) / t_half
    sol = solve_ivp(lambda tt, y: [ke0 * (np.interp(tt, t, cp) - y[0])], (t[0], t[-1]), [0.1], t_eval=t,
                    rtol=1e-10, atol=1e-12, max_step=0.01)
    np.testing.assert_allclose(d.effect_site_level(t, cp, t_half, ce0=0.1), sol.y[0], atol=1e-6)


def test_fast_and_slow_biophase_give_different_time_courses():
    """Hypothetical biophases: with t½ke0 6.1 min a 1-h infusion reaches its full CPM change and loses it within
    hours; with 10.9 d the same infusion barely moves CPM (under 1 % of the full change)."""
    s = d.DEFAULT_STATES["chronic"]
    full = d.cpm_effect("chronic", s.inhibition, s.facilitation, 1.0) - d.cpm_effect("chronic", s.inhibition,
                                                                                    s.facilitation, 0.0)
    base = d.cpm_effect("chronic", s.inhibition, s.facilitation, 0.0)
    t = np.array([0.0, 1.0, 3.0])
    k_fast, cpm_fast = d.cpm_time_course("chronic", s.inhibition, s.facilitation, t, 1.0, d.T_HALF_KE0_FAST_H)
    k_slow, cpm_slow = d.cpm_time_course("chronic", s.inhibition, s.facilitation, t, 1.0, d.T_HALF_KE0_SLOW_H)
    assert k_fast[1] > 0.99 and k_fast[2] < 0.01
    assert cpm_fast[1] - base == pytest.approx(full, rel=0.02)
    assert abs(cpm_slow[1] - base) < 0.01 * abs(full)


def test_biophase_half_lives_are_the_cited_values():
    """Cited constants: Olofsen 2012 t½ke0 6.1 min; Dahan 2011 onset/offset t½ 10.9 days."""
    assert d.T_HALF_KE0_FAST_H * 60 == pytest.approx(6.1)
    assert d.T_HALF_KE0_SLOW_H / 24 == pytest.approx(10.9)


# ---- evidence labels, presets ----------------------------------------------------------------------------------
def test_every_parameter_set_is_labelled():
    """Every parameter set carries a source and an evidence tag; everything tuned here is 'illustrative'."""
    items = [d.PAIN_CURVE, *d.DEFAULT_STATES.values(), *d.HYPOTHESES.values()]
    for item in items:
        assert item.source and item.evidence == "illustrative"


def test_presets_match_model_defaults_and_cite_known_references():
    """Presets use the model's default balances (one source of truth) and cite references that exist."""
    refs = evidence.references()
    for panel in ("cpm_experiment", "balance"):
        table = evidence.presets(panel)
        assert len(table) == 4
        for key, p in table.items():
            vals = p["values"]
            state = d.DEFAULT_STATES[vals["setting"]]
            assert (vals["inhibition"], vals["facilitation"]) == pytest.approx(
                (state.inhibition, state.facilitation))
            assert p["source"] in refs
    assert "not verified" in refs["niesters_2013"]["note"].lower()


# ---- panels -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", list(panels.PANELS.values()))
@pytest.mark.parametrize("preset, word", [("healthy_ketamine", "weakened"), ("chronic_ketamine", "strengthened"),
                                          ("healthy", "hardly changed")])
def test_panel_description_tells_the_direction(cls, preset, word):
    """Driven like a student would, each panel's text states the direction for the setting and the caveat;
    blitted and full renders agree."""
    p = cls(preset)
    assert word in p.description
    assert "illustrative" in p.description
    _assert_blit_matches_full(p)
    p.set(ketamine=0.5, inhibition=0.9, facilitation=0.0)
    _assert_blit_matches_full(p)


def _assert_blit_matches_full(p):
    """Same tolerance as the generic panel test: only anti-aliasing may differ, nothing stale."""
    fast, full = (np.asarray(Image.open(io.BytesIO(p.render_png(full=f))).convert("RGB"), dtype=int)
                  for f in (False, True))
    assert (np.abs(fast - full).max(axis=2) > 24).mean() < 1e-4


def test_cpm_panel_bars_show_the_model_numbers():
    """The bar heights are the model's pains (wiring only, no science in the panel)."""
    p = panels.cpm_experiment("chronic_ketamine")
    heights = [b.get_height() for b in p.bars["alone"] + p.bars["during"]]
    r = p.result.cpm
    assert heights == pytest.approx([r.pain_alone, r.pain_alone, r.pain_during_no_ketamine, r.pain_during])


# ---- bad input ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, param", [
    (lambda: d.cpm_experiment("sick", 0.3, 0.1, 0.0), "setting"),
    (lambda: d.cpm_experiment("healthy", 1.5, 0.1, 0.0), "inhibition"),
    (lambda: d.cpm_experiment("healthy", 0.3, -0.1, 0.0), "facilitation"),
    (lambda: d.cpm_experiment("healthy", 0.3, 0.1, float("nan")), "ketamine"),
    (lambda: d.cpm_effect("chronic", 0.3, 0.1, [0.0, 1.2]), "ketamine"),
    (lambda: d.pain_nrs(120.0), "stimulus_pct"),
    (lambda: d.pain_nrs(50.0, -1.0), "gain"),
    (lambda: d.descending_gain(0.2, 3.0), "facilitation"),
    (lambda: d.stimulus_response("healthy", 0.3, 0.1, 0.0, stimulus_pct=[0, 50, -5]), "stimulus_pct"),
    (lambda: d.effect_site_after_infusion([0, 1], 0.0, 0.1), "duration_h"),
    (lambda: d.effect_site_after_infusion([0, 1], 1.0, -0.1), "t_half_ke0_h"),
    (lambda: d.effect_site_after_infusion([1, 0], 1.0, 0.1), "t_h"),
    (lambda: d.effect_site_after_infusion([0, 1], 1.0, 0.1, level=2.0), "level"),
    (lambda: d.effect_site_level([0, 1, 2], [0, 1], 0.1), "plasma_level"),
    (lambda: d.effect_site_level([0, 1], [0, 1], 0.1, ce0=-1), "ce0"),
    (lambda: d.classify_cpm("big"), "cpm_points"),
    (lambda: panels.cpm_experiment(ketamine=2.0), "ketamine"),
    (lambda: panels.balance(setting="acute"), "setting"),
    (lambda: panels.balance(preset="nope"), "preset"),
])
def test_bad_input_names_the_parameter(call, param):
    """Bad input raises ValueError whose message names the parameter (never a silent NaN)."""
    with pytest.raises(ValueError, match=param):
        call()
