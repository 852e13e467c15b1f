"""Booster schedules over a year (models.schedule): invariants, closed forms, two methods agreeing, bad input."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.models import pk, relief
from helpers.models import schedule as S


@pytest.mark.parametrize("coarse,fine", [(4, 2), (6, 3), (12, 6), (12, 4), (16, 8), (8, 2)])
@pytest.mark.parametrize("hypothesis", relief.HYPOTHESES)
def test_more_frequent_boosters_never_give_fewer_relief_days(coarse, fine, hypothesis):
    """Every booster of the coarse schedule is also in the fine one (fine divides coarse), so with linear PK the
    fine schedule's concentrations are at least as high at every time, and relief rises with concentration (and
    with block, for the reset) — relief days cannot fall."""
    a = S.year_outcome(S.interval_schedule(coarse), hypothesis=hypothesis, n=20)
    b = S.year_outcome(S.interval_schedule(fine), hypothesis=hypothesis, n=20)
    assert set(a.schedule.booster_starts_h) <= set(b.schedule.booster_starts_h)
    assert b.relief_days >= a.relief_days - 1e-9
    assert b.relief_days_other >= a.relief_days_other - 1e-9


def test_interval_sweep_is_not_monotone_between_non_nested_intervals():
    """A documented finding, not an invariant: 5-weekly boosters can beat 4-weekly ones ("biophase"), because a
    booster helps most just before relief from the last one fades. The notebook says so; if the model changes so
    that this no longer holds, the text must change too."""
    sw = S.relief_days_vs_interval([4, 5])
    assert sw.biophase_days[1] > sw.biophase_days[0]


@pytest.mark.parametrize("make", [lambda: S.interval_schedule(4),
                                  lambda: S.interval_schedule(6, booster_kind="short_course"),
                                  lambda: S.tapering_schedule(dose_mg=200.0),
                                  lambda: S.interval_schedule(5, booster_kind="single_dose", initial="none")])
def test_cumulative_dose_equals_the_sum_of_the_regimens_doses(make):
    """Cumulative dose is the regimen's doses added up: pk.total_dose_mg, the sum of rate × duration, and the end
    of cumulative_dose_mg agree."""
    sch = make()
    out = S.year_outcome(sch, n=20)
    by_hand = sum(ev.rate_mg_per_h * ev.duration_h for ev in sch.regimen)
    assert out.cumulative_dose_mg == pytest.approx(by_hand, rel=1e-12)
    assert out.cumulative_dose_mg == pytest.approx(pk.total_dose_mg(sch.regimen), rel=1e-12)
    assert S.cumulative_dose_mg(sch.regimen, [0.0, sch.window_h * 2])[-1] == pytest.approx(by_hand, rel=1e-12)


def test_closed_form_doses_of_the_presets():
    """5 days at 20 mg/h = 2400 mg; 12 boosters (weeks 4..48) of 100 mg = 1200 mg; Pickering: 11 doses of 35 mg."""
    assert pk.total_dose_mg(S.interval_schedule(4).regimen) == pytest.approx(2400 + 12 * 100)
    assert len(S.interval_schedule(4).boosters) == 12
    pick = S.interval_schedule(5, booster_kind="single_dose", initial="none")
    assert len(pick.boosters) == 11 and pk.total_dose_mg(pick.regimen) == pytest.approx(11 * 35.0)
    assert len(S.tapering_schedule().boosters) == len(S.TAPER_WEEKS)


def test_time_above_is_zero_for_a_regimen_that_never_reaches_the_level():
    """A 10-mg/h, 4-h infusion peaks far below 200 ng/mL: zero hours above it; and above a level below its peak,
    a positive time no longer than the infusion plus its fall."""
    reg = pk.infusion(10.0, 4.0)
    peak = pk.solve(reg, model="clements_nimmo_1981").peak()[1]
    assert peak < 200.0
    assert S.hours_above(reg, [200.0, peak * 1.0001]) == {200.0: 0.0, peak * 1.0001: 0.0}
    assert 0.0 < S.hours_above(reg, [peak / 2])[peak / 2] < 12.0


def test_hours_above_agrees_with_a_dense_sample():
    """Two methods: the exact crossings of Solution.time_above against counting a 30-s grid."""
    reg = S.interval_schedule(8).regimen
    sol = pk.solve(reg, model="clements_nimmo_1981")
    t = np.arange(0.0, sol.end_h + 48.0, 1 / 120)
    c = sol.at(t).plasma_ng_ml
    for level, hours in S.hours_above(reg).items():
        assert hours == pytest.approx(np.sum(c > level) / 120, abs=0.05 * len(reg) + 0.1)


def test_time_at_or_above_closed_form():
    """A ramp 0 → 1 over 10 h spends 7 h at or above 0.3; a flat curve all or nothing."""
    assert S.time_at_or_above([0, 10], [0, 1], 0.3) == pytest.approx(7.0)
    assert S.time_at_or_above([0, 5, 10], [[1, 1, 1], [0, 0, 0]], 0.5).tolist() == [10.0, 0.0]


def test_typical_patient_agrees_with_the_relief_model():
    """Two methods: the schedule's typical relief against relief.relief_course on the same regimen (the headline
    model's own grid): the relief days agree within a day, for both explanations."""
    sch = S.interval_schedule(6)
    out = S.year_outcome(sch, n=20)
    rc = relief.relief_course(sch.regimen, weeks=S.WEEKS, n_points=4000, model=sch.model)
    keep = rc.t_h <= sch.window_h
    for curve, mine in ((rc.relief_biophase, out.relief_days), (rc.relief_reset, out.relief_days_other)):
        ref = S.time_at_or_above(rc.t_h[keep], curve[keep], 0.3) / 24
        assert mine == pytest.approx(ref, abs=1.0)


def test_cohort_band_holds_the_typical_patient_and_is_ordered():
    """Percentiles are ordered; the responder share is near 0.67 (Dahan 2011); relief in [0, 1)."""
    out = S.year_outcome(S.tapering_schedule(), n=400)
    assert np.all(out.band_low <= out.band_median + 1e-12) and np.all(out.band_median <= out.band_high + 1e-12)
    assert out.cohort_days[0] <= out.cohort_days[1] <= out.cohort_days[2]
    assert out.responder_share == pytest.approx(relief.RESPONDER_PROBABILITY, abs=0.06)
    assert 0.0 <= out.relief.min() and out.relief.max() < 1.0
    assert out.cohort_days[0] <= out.relief_days <= out.cohort_days[2]


def test_infusion_days_counts_calendar_days():
    """5-day course + 12 single-day boosters = 17 days; a short course booster adds 3 days each."""
    assert S.infusion_days(S.interval_schedule(4).regimen) == 17
    assert S.infusion_days(S.interval_schedule(12, booster_kind="short_course").regimen) == 5 + 4 * 3
    assert S.infusion_days(pk.infusion(10, 30.0, start_h=20.0)) == 3


def test_pickering_schedule_gives_little_or_no_relief():
    """0.5 mg/kg every 35 days: under both explanations less than 2 days of the year at >= 30 % relief, as the
    trial found no benefit (Pickering 2020)."""
    out = S.year_outcome(S.interval_schedule(5, booster_kind="single_dose", initial="none"), n=20)
    assert out.relief_days < 2.0 and out.relief_days_other < 2.0


@pytest.mark.parametrize("call,name", [
    (lambda: S.interval_schedule(0.5), "interval_weeks"),
    (lambda: S.interval_schedule(4, booster_kind="pill"), "booster"),
    (lambda: S.interval_schedule(4, dose_mg=5000), "dose_mg"),
    (lambda: S.tapering_schedule(initial="long"), "initial"),
    (lambda: S.year_outcome(S.interval_schedule(4), hypothesis="magic"), "hypothesis"),
    (lambda: S.year_outcome(S.interval_schedule(4), threshold=1.5), "threshold"),
    (lambda: S.year_outcome("weekly"), "schedule"),
    (lambda: S.hours_above(pk.infusion(10, 4), [-1.0]), "levels_ng_ml"),
    (lambda: S.relief_days_vs_interval([0.0]), "interval_weeks"),
    (lambda: S.infusion_days([]), "regimen"),
])
def test_bad_input_names_the_parameter(call, name):
    """Bad input raises ValueError naming the parameter."""
    with pytest.raises(ValueError, match=name):
        call()


def test_fast_cohort_paths_agree_with_the_plain_ones():
    """The slider path's shortcuts compute what the plain code does: the whole cohort's reset state in one call
    equals relief.reset_state_course patient by patient; the one-sort percentiles equal np.percentile; the
    scaled-cumsum filter equals a step-by-step loop of the exact step; a repeated year_outcome is the cached one."""
    sch = S.interval_schedule(6)
    events = S._events(sch.regimen)
    t = S._grid(events, sch.window_h)
    _sol, _plasma, plasma_eq, fast_eq = S._pk_levels(sch, t)
    pts = S._patients(40, 3)
    rows = S._relief_rows("reset", t, plasma_eq, fast_eq, pts)
    from helpers.models import receptor
    block = receptor.block_at_plasma(fast_eq[None, :] * pts.conc_factor[:, None], "S-ketamine")
    for i in (0, 17, 39):
        s = relief.reset_state_course(t, block[i], relief.ResetParams(rebuild_days=float(pts.rebuild_days[i]),
                                                                      decay_per_day=float(pts.decay_per_day[i])))
        plain = 1.0 - np.asarray(relief.reset_pain(s, block[i])) / relief.BASELINE_PAIN_NRS
        np.testing.assert_allclose(rows[i], plain, rtol=0, atol=1e-12)
    rng = np.random.default_rng(1)
    for n in (20, 21, 134):
        x = rng.random((n, 50))
        np.testing.assert_allclose(np.array(S._percentiles(x, (10, 50, 90))),
                                   np.percentile(x, [10, 50, 90], axis=0), rtol=0, atol=1e-14)
    ke0 = np.array([np.log(2) / 24.0, np.log(2) / (30 * 24.0)])
    y = S._filter(t[:400], plasma_eq[:400], ke0)
    loop = np.zeros_like(y)
    for j in range(1, 400):
        dt = t[j] - t[j - 1]
        x = ke0 * dt
        e = np.exp(-x)
        m = (plasma_eq[j] - plasma_eq[j - 1]) / dt
        loop[:, j] = loop[:, j - 1] * e + plasma_eq[j] - plasma_eq[j - 1] * e - m * (1 - e) / ke0
    np.testing.assert_allclose(y, np.maximum(loop, 0.0), rtol=1e-9, atol=1e-9)
    assert S.year_outcome(sch, n=40) is S.year_outcome(S.interval_schedule(6), n=40)
