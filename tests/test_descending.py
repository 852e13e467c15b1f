"""Descending modulation layer: CPM, the inhibition/facilitation balance, ketamine's setting-dependent direction,
the optional effect-site time course, and the two panels."""
from __future__ import annotations

import dataclasses
import inspect
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from scipy.integrate import solve_ivp

from helpers import evidence
from helpers.models import descending as d
from helpers.models import pk
from helpers.panels import descending as panels

unit = st.floats(0.0, 1.0, allow_nan=False)
setting_st = st.sampled_from(d.SETTINGS)


def _default(setting, block_fraction=0.0):
    s = d.DEFAULT_STATES[setting]
    return d.cpm_experiment(setting, s.inhibition, s.facilitation, block_fraction)


# ---- closed forms -----------------------------------------------------------------------------------------------
def test_pain_is_the_spinal_curve_and_the_test_stimulus_is_calibrated():
    """Pain is read off the spinal stimulus-response curve (one curve for notebooks 02 and 03), and the calibrated
    test stimulus gives exactly the target pain alone: x = (4 + 3.7 ln(10 / (10 - 6))) = 7.390 on the 0-10 scale,
    the reference every CPM effect is measured against."""
    x = d.test_stimulus()
    assert x == pytest.approx(4 + 3.7 * np.log(10 / 4), rel=1e-12)
    assert x == pytest.approx(7.390, abs=5e-4)
    assert d.pain_nrs(x, 1.0) == pytest.approx(d.PROTOCOL.test_pain_nrs, rel=1e-12)
    assert d.pain_nrs(6.0, 1.0) == pytest.approx(10 * (1 - np.exp(-2 / 3.7)), rel=1e-12)
    assert d.pain_nrs(3.0, 1.0) == 0.0  # below the pain threshold
    assert d.test_stimulus(spinal_gain=2.0) == pytest.approx(x / 2)


def test_gain_is_one_minus_inhibition_plus_facilitation():
    """G = 1 - I + F by definition, and the net change G - 1 = F - I (negative = net inhibition); no ketamine
    leaves the recruited balance untouched in both settings."""
    assert d.descending_gain(0.3, 0.05) == pytest.approx(0.75)
    assert d.descending_gain(0.0, 0.0) == 1.0
    assert d.gain_change(0.3, 0.05) == pytest.approx(-0.25)
    np.testing.assert_allclose(d.gain_change([0.3, 0.1], [0.29, 1.12]), [-0.01, 1.02], atol=1e-12)
    for setting in d.SETTINGS:
        i_eff, f_eff = d.effective_balance(setting, 0.4, 0.2, 0.0)
        assert (float(i_eff), float(f_eff)) == pytest.approx((0.4, 0.2))


def _cpm_closed_form(gain, pain_alone=6.0, threshold=4.0, scale=3.7):
    """CPM (points) worked out by hand, without the model's functions: the test stimulus x solves
    10 (1 - exp(-(x - threshold) / scale)) = pain_alone, and during conditioning the rating is
    10 (1 - exp(-max(0, G x - threshold) / scale))."""
    x = threshold + scale * np.log(10.0 / (10.0 - pain_alone))
    during = 10.0 * (1.0 - np.exp(-max(0.0, gain * x - threshold) / scale))
    return during - pain_alone


@pytest.mark.parametrize("setting", d.SETTINGS)
@pytest.mark.parametrize("k", [0.0, 0.5, 1.0])
def test_cpm_effect_matches_a_closed_form(setting, k):
    """Sign convention and size: CPM = pain(during) - pain(alone), negative = inhibition, percent of pain alone.
    Checked against the closed form of the spinal curve with the balance written out from the hypothesis weights,
    so a wrong gain, calibration or sign in the model would fail."""
    s, h = d.DEFAULT_STATES[setting], d.HYPOTHESES[setting]
    i_eff = s.inhibition * (1 - h.supraspinal_inhibition_loss * k)
    f_eff = s.facilitation * (1 - h.spinal_facilitation_block * k) + h.supraspinal_facilitation_gain * k
    want = _cpm_closed_form(1 - i_eff + f_eff)
    r = _default(setting, k)
    assert r.pain_alone == pytest.approx(d.PROTOCOL.test_pain_nrs, rel=1e-12)
    assert r.pain_alone_ketamine == pytest.approx(r.pain_alone, rel=1e-12)  # non-sensitised test site
    assert r.cpm == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert r.cpm_pct == pytest.approx(100 * want / d.PROTOCOL.test_pain_nrs, rel=1e-12, abs=1e-12)
    assert r.cpm_no_ketamine == pytest.approx(_cpm_closed_form(1 - s.inhibition + s.facilitation), rel=1e-12)
    assert d.cpm_effect(setting, s.inhibition, s.facilitation, k) == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_default_cpm_values_are_the_documented_ones():
    """By hand (spinal curve, test stimulus 7.390): healthy G = 1 - 0.24 + 0.05 = 0.81, G x = 5.986,
    pain 10 (1 - exp(-1.986 / 3.7)) = 4.15, CPM -1.85 points (-31 %), the value the notebook and the parameter's
    source quote; chronic G = 1.01 - 0.02 = 0.99: CPM -0.08 (no CPM). With ketamine at 1: healthy +0.63, chronic
    -1.62."""
    assert _default("healthy").cpm == pytest.approx(-1.85, abs=0.005)
    assert _default("healthy").cpm_pct == pytest.approx(-30.8, abs=0.1)
    assert _default("chronic").cpm == pytest.approx(-0.08, abs=0.005)
    assert _default("healthy", 1.0).cpm == pytest.approx(+0.63, abs=0.005)
    assert _default("chronic", 1.0).cpm == pytest.approx(-1.62, abs=0.005)


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
def test_cpm_stimulus_response_monotone_and_consistent(setting, i, f, k):
    """Pain rises with the stimulus on every curve, and the curves pass through the CPM bars at the test stimulus."""
    sr = d.cpm_stimulus_response(setting, i, f, k)
    for y in (sr.alone, sr.during_no_ketamine, sr.during):
        assert np.all(np.diff(y) >= -1e-12)
    s = sr.cpm.test_stimulus
    assert np.interp(s, sr.stimulus, sr.during) == pytest.approx(sr.cpm.pain_during, abs=0.05)


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


def test_biophase_half_lives_are_the_pk_layers():
    """One source of truth: the two hypothetical biophases use the PK layer's effect-site half-lives (Olofsen
    2012 mean across endpoints 6.1 min; Dahan 2011 10.9 days), only converted to hours."""
    assert d.T_HALF_KE0_FAST_H == pk.FAST_EFFECT_T_HALF_MIN / 60.0
    assert d.T_HALF_KE0_SLOW_H == pk.SLOW_EFFECT_T_HALF_DAYS * 24.0
    assert pk.FAST_EFFECT_T_HALF_MIN == pytest.approx(6.1)
    assert pk.SLOW_EFFECT_T_HALF_DAYS == pytest.approx(10.9)


# ---- evidence labels, presets ----------------------------------------------------------------------------------
def test_every_parameter_set_is_labelled():
    """Every parameter set carries a source and an evidence tag; everything tuned here is 'illustrative'."""
    items = [d.PROTOCOL, *d.DEFAULT_STATES.values(), *d.HYPOTHESES.values()]
    for item in items:
        assert item.source and item.evidence == "illustrative"


def test_presets_match_model_defaults_and_cite_known_references():
    """Presets use the model's default balances (one source of truth) and cite references that exist."""
    refs = evidence.references()
    for panel in ("cpm_experiment", "balance"):
        table = evidence.presets(panel)
        assert len(table) == 4
        for p in table.values():
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
    p.set(block_fraction=0.5, inhibition=0.9, facilitation=0.0)
    _assert_blit_matches_full(p)


def _assert_blit_matches_full(p):
    """Same tolerance as the generic panel test: only anti-aliasing may differ, nothing stale."""
    fast, full = (np.asarray(Image.open(io.BytesIO(p.render_png(full=f))).convert("RGB"), dtype=int)
                  for f in (False, True))
    assert (np.abs(fast - full).max(axis=2) > 24).mean() < 1e-4


@pytest.mark.parametrize("preset", ["healthy_ketamine", "chronic_ketamine"])
def test_balance_panel_net_markers_are_the_models_gain_change(preset):
    """The net diamonds sit at the model's gain change for the recruited and the ketamine balance, and the
    description prints the same numbers (the plot does no arithmetic of its own)."""
    p = panels.balance(preset)
    c = p.result.cpm
    want = [d.gain_change(c.inhibition, c.facilitation), d.gain_change(c.inhibition_eff, c.facilitation_eff)]
    xs, _ys = p.bal["net"].get_data()
    np.testing.assert_allclose(xs, want, rtol=0, atol=1e-12)
    assert f"{want[0]:+.2f} without ketamine, {want[1]:+.2f} with it" in p.description


@pytest.mark.parametrize("cls", list(panels.PANELS.values()))
def test_presets_open_on_their_block_fraction(cls):
    """Presets give the NMDA block under the shared name ``block_fraction``; the panel opens with that block and
    the model's CPM for it."""
    for key, preset in evidence.presets(cls.name).items():
        vals = preset["values"]
        want = vals["block_fraction"]
        p = cls(key)
        assert p.values["block_fraction"] == want
        assert "ketamine" not in p.values
        state = d.DEFAULT_STATES[vals["setting"]]
        r = d.cpm_experiment(vals["setting"], state.inhibition, state.facilitation, want)
        assert p.result.cpm.cpm == pytest.approx(r.cpm, rel=1e-12)


@pytest.mark.parametrize("cls", list(panels.PANELS.values()))
def test_draw_and_describe_read_only_the_result(cls, monkeypatch):
    """A panel's ``compute`` returns a frozen result; ``draw`` and ``describe`` read only it. With every model
    function made to fail, drawing the result and describing it again still works and gives the same text."""
    p = cls("chronic_ketamine")
    result, text = p.result, p.description
    assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen

    def fail(*_args, **_kwargs):
        raise AssertionError("draw/describe called the model")

    for name in d.__all__:
        if inspect.isfunction(getattr(d, name)):
            monkeypatch.setattr(d, name, fail)
    p.draw(result)
    assert p.describe(result) == text


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
    (lambda: d.cpm_experiment("healthy", 0.3, 0.1, float("nan")), "block_fraction"),
    (lambda: d.cpm_effect("chronic", 0.3, 0.1, [0.0, 1.2]), "block_fraction"),
    (lambda: d.cpm_time_course("healthy", 0.3, 0.1, [0, 1], 1.0, 0.1, level=1.5), "level"),
    (lambda: d.pain_nrs(12.0), "stimulus"),
    (lambda: d.pain_nrs(5.0, -1.0), "gain"),
    (lambda: d.descending_gain(0.2, 3.0), "facilitation"),
    (lambda: d.gain_change(-0.1, 0.2), "inhibition"),
    (lambda: d.cpm_stimulus_response("healthy", 0.3, 0.1, 0.0, stimulus=[0, 5, -5]), "stimulus"),
    (lambda: d.cpm_effect("healthy", 0.3, 0.1, 0.5, sensitisation=-0.1), "sensitisation"),
    (lambda: d.cpm_experiment("healthy", 0.3, 0.1, 0.5, protocol=None), "protocol"),
    (lambda: d.effect_site_after_infusion([0, 1], 0.0, 0.1), "duration_h"),
    (lambda: d.effect_site_after_infusion([0, 1], 1.0, -0.1), "t_half_ke0_h"),
    (lambda: d.effect_site_after_infusion([1, 0], 1.0, 0.1), "t_h"),
    (lambda: d.effect_site_after_infusion([0, 1], 1.0, 0.1, level=2.0), "level"),
    (lambda: d.effect_site_level([0, 1, 2], [0, 1], 0.1), "plasma_level"),
    (lambda: d.effect_site_level([0, 1], [0, 1], 0.1, ce0=-1), "ce0"),
    (lambda: d.classify_cpm("big"), "cpm_points"),
    (lambda: panels.cpm_experiment(block_fraction=2.0), "block_fraction"),
    (lambda: panels.balance(ketamine=0.5), "ketamine"),  # the old name of block_fraction is gone
    (lambda: panels.balance(setting="acute"), "setting"),
    (lambda: panels.balance(preset="nope"), "preset"),
])
def test_bad_input_names_the_parameter(call, param):
    """Bad input raises ValueError whose message names the parameter (never a silent NaN)."""
    with pytest.raises(ValueError, match=param):
        call()
