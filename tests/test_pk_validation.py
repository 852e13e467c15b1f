"""Bad input to helpers.models.pk: every case raises ValueError and the message names the parameter.

Why: a slider or a typo must never produce a silent NaN or a wrong curve; the message tells the student
(or the lead) which argument to fix and what range is allowed.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.models import pk

NAN, INF = math.nan, math.inf
T = np.linspace(0.0, 10.0, 11)
OK = [pk.bolus(10.0)]


def _bad_parameter_set(**changes):
    base = dict(name="x", drug="racemic", v1_l=50.0, cl_l_per_h=10.0, source="test", evidence="illustrative")
    base.update(changes)
    return pk.AllometricModel(**base)


CASES = [
    # events and builders
    ("dose_mg", lambda: pk.bolus(-1.0)),
    ("dose_mg", lambda: pk.bolus(NAN)),
    ("dose_mg", lambda: pk.bolus(INF)),
    ("dose_mg", lambda: pk.bolus(True)),
    ("dose_mg", lambda: pk.bolus("10")),
    ("at_h", lambda: pk.bolus(10.0, at_h=-0.5)),
    ("at_h", lambda: pk.bolus(10.0, at_h=NAN)),
    ("route", lambda: pk.bolus(10.0, route="rectal")),
    ("route", lambda: pk.bolus(10.0, route="IV")),
    ("rate_mg_per_h", lambda: pk.infusion(-5.0, 1.0)),
    ("rate_mg_per_h", lambda: pk.infusion(INF, 1.0)),
    ("duration_h", lambda: pk.infusion(5.0, -1.0)),
    ("duration_h", lambda: pk.infusion(5.0, NAN)),
    ("start_h", lambda: pk.infusion(5.0, 1.0, start_h=-2.0)),
    ("start_h", lambda: pk.infusion(5.0, 1.0, start_h=INF)),
    ("route", lambda: pk.infusion(5.0, 1.0, route="drip")),
    ("rate_mg_per_h", lambda: pk.Infusion(-1.0, 1.0)),            # the dataclass validates too
    ("hours_per_day", lambda: pk.course(20.0, 30.0, 10)),
    ("hours_per_day", lambda: pk.course(20.0, -1.0, 10)),
    ("days", lambda: pk.course(20.0, 4.0, 0)),
    ("days", lambda: pk.course(20.0, 4.0, 2.5)),
    ("every_h", lambda: pk.course(20.0, 4.0, 10, every_h=0.0)),
    ("start_h", lambda: pk.course(20.0, 4.0, 10, start_h=-1.0)),
    ("rate_mg_per_h", lambda: pk.course(-20.0, 4.0, 10)),
    ("every_h", lambda: pk.repeat(pk.bolus(5.0), every_h=-1.0, times=2)),
    ("times", lambda: pk.repeat(pk.bolus(5.0), every_h=24.0, times=0)),
    ("events", lambda: pk.repeat("bolus", every_h=24.0, times=2)),
    ("events", lambda: pk.repeat([pk.bolus(5.0), 3.0], every_h=24.0, times=2)),
    # simulate
    ("regimen", lambda: pk.simulate([pk.bolus(10.0), 5.0], T)),
    ("regimen", lambda: pk.simulate("bolus 10 mg", T)),
    ("regimen", lambda: pk.simulate({"dose_mg": 10.0}, T)),
    ("regimen", lambda: pk.simulate([[pk.bolus(1.0), None]], T)),
    ("model", lambda: pk.simulate(OK, T, model="smith_2020")),
    ("model", lambda: pk.simulate(OK, T, model=None)),
    ("weight_kg", lambda: pk.simulate(OK, T, weight_kg=20.0)),
    ("weight_kg", lambda: pk.simulate(OK, T, weight_kg=250.0)),
    ("weight_kg", lambda: pk.simulate(OK, T, weight_kg=NAN)),
    ("weight_kg", lambda: pk.simulate(OK, T, weight_kg=-70.0)),
    ("t_h", lambda: pk.simulate(OK, [0.0, 2.0, 1.0])),
    ("t_h", lambda: pk.simulate(OK, [])),
    ("t_h", lambda: pk.simulate(OK, np.zeros((3, 2)))),
    ("t_h", lambda: pk.simulate(OK, [0.0, NAN, 2.0])),
    ("t_h", lambda: pk.simulate(OK, [0.0, INF])),
    ("t_h", lambda: pk.simulate(OK, ["a", "b"])),
    ("effect_fast_t_half_min", lambda: pk.simulate(OK, T, effect_fast_t_half_min=0.0)),
    ("effect_slow_t_half_days", lambda: pk.simulate(OK, T, effect_slow_t_half_days=NAN)),
    ("weight_kg", lambda: pk.amounts(OK, T, weight_kg=10.0)),
    ("t_h", lambda: pk.amounts(OK, [3.0, 1.0])),
    # closed forms
    ("decrement", lambda: pk.context_sensitive_half_time_h(10.0, decrement=0.0)),
    ("decrement", lambda: pk.context_sensitive_half_time_h(10.0, decrement=1.0)),
    ("decrement", lambda: pk.context_sensitive_half_time_h(10.0, decrement=1.5)),
    ("decrement", lambda: pk.context_sensitive_half_time_h(10.0, decrement=NAN)),
    ("duration_h", lambda: pk.context_sensitive_half_time_h(0.0)),
    ("duration_h", lambda: pk.context_sensitive_half_time_h([1.0, -1.0])),
    ("duration_h", lambda: pk.context_sensitive_half_time_h([1.0, NAN])),
    ("model", lambda: pk.context_sensitive_half_time_h(1.0, model="propofol")),
    ("weight_kg", lambda: pk.context_sensitive_half_time_h(1.0, weight_kg=500.0)),
    ("rate_mg_per_h", lambda: pk.steady_state_ng_ml(-1.0, model="fanta_2015")),
    ("rate_mg_per_h", lambda: pk.steady_state_ng_ml([1.0, NAN], model="fanta_2015")),
    ("weight_kg", lambda: pk.clearance_l_per_h("domino", weight_kg=29.9)),
    ("model", lambda: pk.half_lives_min("hijazi")),
    ("model", lambda: pk.norketamine_half_lives_min("domino")),
    ("route", lambda: pk.bioavailability("rectal", model="fanta_2015")),
    ("model", lambda: pk.bioavailability("oral", model="nope")),
    # solve and the solution's methods
    ("regimen", lambda: pk.solve("bolus 10 mg")),
    ("model", lambda: pk.solve(OK, model="smith_2020")),
    ("weight_kg", lambda: pk.solve(OK, weight_kg=250.0)),
    ("effect_fast_t_half_min", lambda: pk.solve(OK, effect_fast_t_half_min=90.0)),
    ("t_h", lambda: pk.solve(OK).at([2.0, 1.0])),
    ("t_h", lambda: pk.solve(OK).at(3.0)),
    ("window_h", lambda: pk.solve(OK).grid(0.0)),
    ("n", lambda: pk.solve(OK).grid(10.0, n=1)),
    # parameter sets
    ("v1_l", lambda: _bad_parameter_set(v1_l=-1.0)),
    ("cl_l_per_h", lambda: _bad_parameter_set(cl_l_per_h=0.0)),
    ("drug", lambda: _bad_parameter_set(drug="R-ketamine")),
    ("evidence", lambda: _bad_parameter_set(evidence="verified")),
    ("q2_l_per_h", lambda: _bad_parameter_set(v2_l=100.0)),
    ("k21_per_min", lambda: pk.MicroConstantModel(name="x", drug="racemic", v1_l_per_kg=0.1, k10_per_min=0.1,
                                                  k12_per_min=0.2)),
]


@pytest.mark.parametrize("param, call", CASES, ids=[f"{i:02d}-{p}" for i, (p, _) in enumerate(CASES)])
def test_bad_input_raises_value_error_naming_the_parameter(param, call):
    """Each bad argument raises ValueError whose message names that argument."""
    with pytest.raises(ValueError, match=param):
        call()


def test_messages_give_value_and_allowed_range():
    """The message also says what was received and what is allowed (here: the weight range)."""
    with pytest.raises(ValueError, match=r"weight_kg must be in \[30, 200\], got 250"):
        pk.simulate(OK, T, weight_kg=250.0)
    with pytest.raises(ValueError, match=r"hours_per_day must be in \[0, 24\], got 30"):
        pk.course(20.0, 30.0, 10)


LANDMARK_CASES = [
    ("which", lambda: pk.solve(OK).peak("brain")),
    ("which", lambda: pk.solve(OK, model="domino").peak("norketamine")),
    ("which", lambda: pk.solve(OK, model="clements_nimmo_1981").time_above(10.0, "norketamine")),
    ("tie_rtol", lambda: pk.solve(OK).peak(tie_rtol=0.0)),
    ("from_h", lambda: pk.solve(OK).peak(from_h=-1.0)),
    ("until_h", lambda: pk.solve(OK).peak(from_h=5.0, until_h=2.0)),
    ("until_h", lambda: pk.solve(OK).peak(until_h=NAN)),
    ("threshold_ng_ml", lambda: pk.solve(OK).time_above(-1.0)),
    ("threshold_ng_ml", lambda: pk.solve(OK).time_above(NAN)),
    ("until_h", lambda: pk.solve(OK).time_above(10.0, until_h=0.0)),
    ("stop_h", lambda: pk.solve(OK).time_to_fall_after(-1.0)),
    ("fraction", lambda: pk.solve(OK).time_to_fall_after(0.0, 0.0)),
    ("fraction", lambda: pk.solve(OK).time_to_fall_after(0.0, 1.0)),
    ("horizon_h", lambda: pk.solve(OK).time_to_fall_after(0.0, 0.5, horizon_h=0.0)),
    ("effect_slow_t_half_days", lambda: pk.solve(OK, effect_slow_t_half_days=0.0)),
    ("until_h", lambda: pk.solve(OK).auc(until_h=-1.0)),
    ("until_h", lambda: pk.solve(OK).auc(until_h=NAN)),
    ("until_h", lambda: pk.solve(OK).auc(until_h=True)),
    ("which", lambda: pk.solve(OK, model="domino").auc("norketamine")),
    ("route", lambda: pk.norketamine_auc_ratio("rectal")),
    ("model", lambda: pk.norketamine_auc_ratio("oral", model="domino")),
    ("window_h", lambda: pk.time_grid(OK, 0.0)),
    ("n", lambda: pk.time_grid(OK, 10.0, n=1)),
    ("n_after", lambda: pk.time_grid(OK, 10.0, n_after=-1)),
    ("racemic evidence tag", lambda: pk.TagByDrug("verified", "cited")),
    ("drug", lambda: pk.ROUTES["oral"].evidence_for("R-ketamine")),
    ("evidence", lambda: pk.Route(name="x", label="x", bioavailability=pk.ByDrug(0.5, 0.5), ka_per_h=1.0,
                                  presystemic_to_norketamine=0.0, source="test", evidence="cited",
                                  ka_evidence="assumed")),
    ("ka_evidence", lambda: pk.Route(name="x", label="x", bioavailability=pk.ByDrug(0.5, 0.5), ka_per_h=1.0,
                                     presystemic_to_norketamine=0.0, source="test", evidence="assumed",
                                     ka_evidence=3)),
]


@pytest.mark.parametrize("param, call", LANDMARK_CASES,
                         ids=[f"{i:02d}-{p}" for i, (p, _) in enumerate(LANDMARK_CASES)])
def test_landmark_functions_reject_bad_input_naming_the_parameter(param, call):
    """The solution's exact landmarks (peak, time above, half-fall, AUC), the time grid and the route tags raise
    ValueError naming the bad argument, never a NaN."""
    with pytest.raises(ValueError, match=param):
        call()


def test_landmarks_of_an_empty_regimen_are_zero_not_nan():
    """No dose: peak 0 at the start, no time above, infinite fall time (nothing to fall from), zero AUC."""
    nothing = pk.solve([])
    assert nothing.peak() == (0.0, 0.0)
    assert nothing.time_above(0.0) == 0.0
    assert nothing.time_to_fall_after(1.0) == math.inf
    assert nothing.auc() == 0.0 and nothing.auc(until_h=5.0) == 0.0
