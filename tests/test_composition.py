"""The layers composed (helpers.models.pathway): plasma → NMDA block → spinal gain × descending gain → pain.

Closed forms for the composition, agreement between the composed model and each layer used on its own, and the
chain from a real PK run to pain, with its invariants."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.models import descending, pathway, pk, receptor, spinal

unit = st.floats(0.0, 1.0, allow_nan=False)


# ---- closed forms ---------------------------------------------------------------------------------------------
def test_gains_multiply():
    """G = (1 + 2 S (1 - b)) (1 - I + F), written out with the illustrative gain_max = 2."""
    assert spinal.STIMULUS_RESPONSE.gain_max == 2.0
    assert pathway.dorsal_horn_gain(0.5, 0.2, 0.3, 0.1) == pytest.approx((1 + 2 * 0.5 * 0.8) * (1 - 0.3 + 0.1))
    assert pathway.dorsal_horn_gain() == 1.0
    np.testing.assert_allclose(pathway.dorsal_horn_gain([0.0, 1.0], 1.0, 0.5, 0.0), [0.5, 0.5])


def test_rating_closed_form_and_threshold():
    """rating = 10 (1 - exp(-(G x - 4) / 3.7)) above threshold, 0 below it: the curve notebooks 02 and 03 share."""
    assert spinal.rating(6.0, 1.0) == pytest.approx(10 * (1 - math.exp(-2 / 3.7)))
    assert spinal.rating(3.9, 1.0) == 0.0
    assert spinal.rating(3.0, 4 / 3) == 0.0 and spinal.rating(3.01, 4 / 3) > 0.0
    assert spinal.rating(10.0, 0.0) == 0.0


@settings(max_examples=150, deadline=None)
@given(st.floats(0, 10), unit, unit)
def test_composed_pain_equals_spinal_layer_without_descending_input(x, s, b):
    """Two routes to the same number: with no descending inhibition or facilitation, the composed model is the
    spinal stimulus-response curve of notebook 02."""
    assert pathway.pain(x, s, b) == pytest.approx(spinal.pain_rating(x, s, b), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(descending.SETTINGS), unit, unit, unit)
def test_cpm_experiment_is_the_composed_model(setting, i, f, k):
    """The descending layer's CPM experiment equals pain from the composed model during minus alone, at the
    calibrated test stimulus (the descending gain acts on the spinal gain, not on a curve of its own)."""
    r = descending.cpm_experiment(setting, i, f, k)
    x = descending.test_stimulus()
    during = pathway.pain(x, 0.0, k, r.inhibition_eff, r.facilitation_eff)
    assert r.pain_during == pytest.approx(during, abs=1e-12)
    assert r.cpm == pytest.approx(during - pathway.pain(x), abs=1e-12)


def test_cpm_at_a_sensitised_test_site():
    """At a sensitised site the calibrated stimulus is weaker (same 6/10 alone), ketamine lowers the test pain
    alone as well (it blocks the NMDA part of the spinal gain), and CPM still follows the composed model."""
    s = 0.5
    r = descending.cpm_experiment("chronic", 0.24, 0.23, 1.0, sensitisation=s)
    g0 = spinal.transmission_gain(s)
    assert r.spinal_gain == pytest.approx(g0) and r.spinal_gain_ketamine == pytest.approx(1.0)
    assert r.test_stimulus == pytest.approx(descending.test_stimulus() / g0)
    assert r.pain_alone == pytest.approx(6.0)
    assert r.pain_alone_ketamine < r.pain_alone
    assert r.cpm == pytest.approx(pathway.pain(r.test_stimulus, s, 1.0, r.inhibition_eff, r.facilitation_eff)
                                  - pathway.pain(r.test_stimulus, s, 1.0), abs=1e-12)


# ---- the chain from a PK run -------------------------------------------------------------------------------------
def _course(regimen, t_end_h=24 * 40, n=4001, site="effect_fast", model="fanta_2015"):
    t = np.linspace(0.0, t_end_h, n)
    return pathway.pain_course_from_pk(pk.simulate(regimen, t, model=model), site=site)


def test_no_drug_means_steady_pain_at_the_sensitised_level():
    """Without drug, block is zero and a long-standing drive holds S at its steady state: pain is constant and
    equal to the closed form of the spinal curve at S*."""
    c = _course([])
    s_star = spinal.sensitisation_steady_state(1.0)
    assert np.all(c.block_fraction == 0.0)
    np.testing.assert_allclose(c.sensitisation, s_star, rtol=1e-12)
    np.testing.assert_allclose(c.pain, spinal.pain_rating(spinal.PAINFUL_STIMULUS, s_star), rtol=1e-12)


def test_block_follows_the_receptor_layer_at_every_time():
    """The chain's block is the receptor layer's Hill block of the chosen concentration, for both drugs."""
    for model, blocker in (("fanta_2015", "S-ketamine"), ("clements_nimmo_1981", "racemic ketamine")):
        t = np.linspace(0, 200, 801)
        res = pk.simulate([pk.infusion(20, 100)], t, model=model)
        c = pathway.pain_course_from_pk(res, site="plasma")
        assert c.blocker == blocker
        np.testing.assert_allclose(c.block_fraction, receptor.block_at_plasma(res.plasma_ng_ml, blocker))


def test_infusion_relieves_pain_while_it_runs_and_pain_returns_after():
    """100 h of S-ketamine at 20 mg/h (Sigtermans 2009 order of magnitude): pain falls below baseline while
    the drug is there, is lowest during the infusion, and is back within 1% of baseline 30 days later
    (sensitisation recovers with the half-time of the sensitisation layer)."""
    c = _course([pk.infusion(20.0, 100.0)])
    t = c.t_h
    during = (t > 24) & (t < 100)
    assert np.all(c.pain[during] < c.baseline_pain - 1.0)
    assert t[np.argmin(c.pain)] <= 101.0
    assert abs(c.pain[-1] - c.baseline_pain) < 0.01 * c.baseline_pain
    assert np.all(np.diff(c.pain[t > 110]) >= -1e-9)  # after the drug has gone, pain only climbs back


def test_longer_infusion_gives_at_least_as_much_relief():
    """Monotonicity of the chain: at the same rate, a longer infusion never leaves less relief at its end or
    any later time (more block, for longer, lowers sensitisation further)."""
    t = np.linspace(0, 24 * 30, 2881)
    pains = [pathway.pain_course_from_pk(pk.simulate([pk.infusion(20.0, d)], t)).pain for d in (4.0, 24.0, 100.0)]
    assert np.all(pains[1] <= pains[0] + 1e-9) and np.all(pains[2] <= pains[1] + 1e-9)


def test_site_choice_matters_and_is_labelled():
    """The slow biophase (t½ 10.9 d) barely moves during a 30-min infusion; the fast site follows plasma."""
    fast = _course([pk.infusion(70.0, 0.5)], site="effect_fast")
    slow = _course([pk.infusion(70.0, 0.5)], site="effect_slow")
    assert fast.site == "effect_fast" and slow.site == "effect_slow"
    assert fast.block_fraction.max() > 0.3
    assert slow.block_fraction.max() < 0.05


# ---- bad input -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, name", [
    (lambda: pathway.dorsal_horn_gain(-0.1), "sensitisation"),
    (lambda: pathway.dorsal_horn_gain(0.5, 1.5), "block_fraction"),
    (lambda: pathway.dorsal_horn_gain(0.5, 0.5, 2.0), "inhibition"),
    (lambda: pathway.dorsal_horn_gain(0.5, 0.5, 0.5, 3.0), "facilitation"),
    (lambda: pathway.pain(11.0), "stimulus"),
    (lambda: spinal.rating(5.0, -1.0), "gain"),
    (lambda: pathway.pain_course([0, 1], [0, 1, 2]), "concentration_ng_ml"),
    (lambda: pathway.pain_course([0, 1], [0, -1]), "concentration_ng_ml"),
    (lambda: pathway.pain_course([1, 0], [0, 0]), "t_h"),
    (lambda: pathway.pain_course([0, 1], [0, 0], blocker="memantine"), "blocker"),
    (lambda: pathway.pain_course([0, 1], [0, 0], stimulus=12.0), "stimulus"),
    (lambda: pathway.pain_course([0, 1], [0, 0], s0=1.5), "s0"),
    (lambda: pathway.pain_course([0, 1], [0, 0], drive=-1.0), "drive"),
    (lambda: pathway.pain_course_from_pk("not a result"), "result"),
    (lambda: pathway.pain_course_from_pk(pk.simulate([], [0.0, 1.0]), site="brain"), "site"),
    (lambda: pathway.pain_course_from_pk(pk.simulate([], [0.0, 1.0]), blocker="S-ketamine"), "blocker"),
    (lambda: descending.cpm_experiment("healthy", 0.2, 0.1, 0.5, sensitisation=1.2), "sensitisation"),
    (lambda: descending.test_stimulus(spinal_gain=0.0), "spinal_gain"),
    (lambda: descending.test_stimulus(protocol="6/10"), "protocol"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
