"""The notebook-05 panels, driven as a student drives them.

Kinds of check: the presets are the trial table (same rows feed presets, markers and references); after a preset
the slider holds the value the model runs with; the live text's numbers are the model's numbers (two methods
agree); invariants (same total dose in every schedule, fixed axes while only the cohort size changes, no
legend on the axes); every preset and the corners give finite figures and descriptions; draw/describe read only
the result.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import figure_arrays

from helpers import evidence
from helpers.models import pk, relief
from helpers.panels import relief as R

WEEK = 7.0


def _finite(panel, context):
    for arr in figure_arrays(panel.figure):
        assert np.all(np.isfinite(arr)), f"{context}: non-finite plotted data"
    text = panel.description
    assert len(text) > 40 and "nan" not in text.lower() and "inf " not in text.lower(), f"{context}: {text}"


@pytest.fixture(scope="module")
def course():
    return R.drug_gone_relief_stays()


def test_presets_are_the_simulable_trial_rows(course):
    """One preset per trial row with a simulable infusion regimen, values as the table gives them (ketamine base,
    70 kg), each source a known reference; every preset lies exactly on its slider, so the readout is the model's
    value (issue 11: no 69.3 shown for 70 mg/h)."""
    rows = {t.key: t for t in evidence.trials()}
    table = R.trial_presets()
    want = [t.key for t in evidence.trials() if t.has_regimen and t.drug and t.hours_per_session]
    assert list(table) == want and "dahan_2011" in table and "kiefer_2008_pilot" in table
    for key, preset in table.items():
        t = rows[key]
        assert preset["source"] == t.reference and preset["source"] in evidence.references()
        vals = preset["values"]
        assert vals["rate_mg_per_h"] == pytest.approx(t.rate_mg_per_h_base(), rel=1e-6)
        assert vals["session_h"] == t.hours_per_session and vals["sessions"] == t.sessions
        course.apply_preset(key)
        assert course.values == {**course.values, **vals}
        for name, value in vals.items():
            w = course.controls[name]
            assert w.value == value, f"{key}: slider {name} shows {w.value}, the model uses {value}"
        rate_label = course.controls["rate_mg_per_h"].label
        assert rate_label == f"{vals['rate_mg_per_h']:.3g} mg/h"
        _finite(course, f"preset {key}")
    course.reset()


def test_course_description_numbers_are_the_models(course):
    """Peak plasma and hours above the analgesic edge from an exact PK solution; days of relief from
    relief_duration_days (a separate PK solution) for both explanations."""
    course.apply_preset("dahan_2011")
    reg = pk.infusion(20.0, 100.0)
    sol = pk.solve(reg, model="fanta_2015")
    text = course.description
    assert f"Peak plasma {sol.peak()[1]:.0f} ng/mL" in text
    assert f"{sol.time_above(35.0):.1f} h above 35 ng/mL" in text
    for h in relief.HYPOTHESES:
        assert f"{relief.relief_duration_days(reg, h):.0f} days" in text
    assert course.controls["interval_d"].disabled
    course.set(sessions=3)
    assert not course.controls["interval_d"].disabled
    course.reset()


def test_headline_text_is_the_model_at_the_read_out_duration():
    """At 100 h and 20 mg/h: the typical days of both explanations equal relief_duration_days (within the sweep's
    0.05 d), the band and share equal cohort_band at that duration."""
    p = R.relief_vs_duration()
    a = p.result.at
    reg = pk.infusion(20.0, 100.0)
    for h in relief.HYPOTHESES:
        assert a[h] == pytest.approx(relief.relief_duration_days(reg, h), abs=0.05)
    band = relief.cohort_band([100.0], 20.0, "biophase", n=500, seed=0)
    assert a["p10"] == pytest.approx(band.p10_days[0]) and a["p90"] == pytest.approx(band.p90_days[0])
    text = p.description
    for h in relief.HYPOTHESES:  # one decimal below 10 weeks, whole weeks above
        w = a[h] / WEEK
        assert (f"{w:.1f} weeks" if w < 10 else f"{w:.0f} weeks") in text
    assert f"{band.p10_days[0] / WEEK:.1f}–{band.p90_days[0] / WEEK:.1f} weeks" in text
    assert f"{band.relieved_share[0] * 100:.0f} % of 500" in text
    assert len(p.result.sweep.durations_h) >= 200 and 50 <= len(p.result.band.durations_h) <= 70


def test_headline_axes_hold_still_when_only_the_cohort_changes():
    """Cohort size and band choice never rescale the axes (the picture is blitted, and a class compares)."""
    p = R.relief_vs_duration()
    lim = p.ax.get_ylim()
    for values in ({"n_patients": 100}, {"n_patients": 1000}, {"band": "reset"}, {"duration_h": 336.0}):
        p.set(**values)
        assert p.ax.get_ylim() == lim, values
    top = p.ax.get_ylim()[1]
    assert top >= np.max(p.result.band.p90_days) / WEEK and top >= max(pt[3] for pt in p.result.points)


def test_every_trial_with_a_relief_number_is_on_the_headline():
    """Simulable rows with any relief number are markers; negative rows are open markers (visible at 0)."""
    p = R.relief_vs_duration()
    keys = [t for t in evidence.trials() if t.has_regimen and t.drug and t.hours_per_session
            and any(x is not None for x in (t.relief_days, t.relief_days_low, t.relief_days_high))]
    assert len(p.result.points) == len(keys) >= 6
    markers = p.overlays
    assert len(markers) == len(keys)
    for t, m in zip(keys, markers, strict=True):
        assert m.get_xdata()[0] == pytest.approx(t.hours_per_session * t.sessions)
        assert (m.get_markerfacecolor() == "none") == t.negative
    assert any(t.negative for t in keys)


def test_schedules_give_the_same_total_dose():
    """Each schedule's regimen delivers the chosen total (rate x hours x sessions)."""
    p = R.same_dose_schedule()
    for total in (250.0, 2000.0, 3000.0):
        for hours in (24.0, 336.0):
            p.set(total_mg=total, continuous_h=hours)
            r = p.result
            sess = {"continuous": (hours, 1), "daily": (4.0, 10), "fortnightly": (6.0, 6)}
            for k, (h, n) in sess.items():
                assert r.rates[k] * h * n == pytest.approx(total)
            _finite(p, f"schedule {total} {hours}")


def test_fit_panel_error_is_the_mean_distance_to_the_reported_ranges():
    """The one number is the mean distance of the predictions to the reported ranges over the fitted trials (0
    inside a range), recomputed here with fresh PK solutions; the calibrated rates beat the opening rates and
    every corner of the sliders, and the description states the calibrated value, the biophase's error on the
    same trials and each trial's error."""
    p = R.fit_reset()
    r = p.result
    targets = [t for t in relief.calibration_targets(evidence.trials()) if t.fit]
    assert r.n_fitted == len(targets) == 6
    fresh = np.array([relief.relief_duration_days(t.regimen, "reset", model=t.model, reset=r.yours.params)
                      for t in targets])
    lo = np.array([t.low_days for t in targets])
    hi = np.array([np.inf if t.high_days is None else t.high_days for t in targets])
    dist = np.maximum(lo - fresh, 0.0) + np.maximum(fresh - hi, 0.0)
    assert r.mae_weeks("yours") == pytest.approx(np.mean(dist) / WEEK, abs=0.01)
    assert f"{np.mean(dist) / WEEK:.1f} weeks" in p.description
    cal = relief.RESET_FIT
    assert r.mae_weeks("calibrated") == pytest.approx(cal.mean_abs_error_days / WEEK, abs=0.01)
    assert f"{relief.RESET.rebuild_days:.3g} days" in p.description
    assert f"{r.mae_weeks('calibrated'):.1f} weeks" in p.description
    assert f"not fitted: {r.mae_weeks('biophase'):.1f} weeks" in p.description
    assert "Schwartzman 2009 (at least 90 days)" in p.description
    assert "Kiefer 2008 pilot, reported 0 days" in p.description
    # log-loss optimum: the calibrated rates beat the opening rates and the slider corners on the same loss
    for tau in (6.0, 20.0, 400.0):
        for k in (0.025, 2.0, 10.0):
            p.set(rebuild_days=tau, decay_per_day=k)
            assert p.result.yours.loss >= cal.loss - 1e-6
            _finite(p, f"fit {tau} {k}")
    # the open bounds are drawn at the bound, the ranges as bars
    i = r.labels.index("Schwartzman 2009")
    assert r.reported[i] == r.low[i] == r.high[i] == 90.0


@pytest.mark.parametrize("factory", [R.drug_gone_relief_stays, R.relief_vs_duration, R.same_dose_schedule,
                                     R.fit_reset])
def test_no_legend_on_the_axes(factory):
    """Every legend sits outside the axes, so no legend hides a plotted point (issue 11)."""
    p = factory()
    p.figure.canvas.draw()
    r = p.figure.canvas.get_renderer()
    legends = list(p.figure.legends) + [ax.get_legend() for ax in p.figure.axes if ax.get_legend()]
    assert legends
    for leg in legends:
        box = leg.get_window_extent(r)
        for ax in p.figure.axes:
            a = ax.get_window_extent(r)
            assert box.x0 >= a.x1 - 1 or box.x1 <= a.x0 + 1 or box.y0 >= a.y1 - 1 or box.y1 <= a.y0 + 1


@pytest.mark.parametrize("factory", [R.drug_gone_relief_stays, R.relief_vs_duration, R.same_dose_schedule,
                                     R.fit_reset])
def test_draw_and_describe_read_only_the_result(factory, monkeypatch):
    """With every model entry point broken, draw and describe still work from the stored result."""
    p = factory()
    result = p.result

    def boom(*_a, **_k):
        raise AssertionError("draw/describe called the model")

    for name in ("relief_course", "relief_vs_duration", "cohort_band", "evaluate_reset", "relief_duration_days"):
        monkeypatch.setattr(relief, name, boom)
    monkeypatch.setattr(pk, "solve", boom)
    p.draw(result)
    assert p.describe(result) == p.description


def test_corner_and_all_presets_of_the_headline_are_finite():
    """Every preset of the headline panel (single S-ketamine infusions of the table) and the rate corners."""
    p = R.relief_vs_duration()
    assert set(p._table) == {t.key for t in evidence.trials() if t.has_regimen and t.drug == "S-ketamine"
                             and t.sessions == 1 and t.hours_per_session}
    for key in p._table:
        p.apply_preset(key)
        assert p.controls["rate_mg_per_h"].value == p.values["rate_mg_per_h"]
        _finite(p, key)
    for rate in (R.RATES_MG_PER_H[0], R.RATES_MG_PER_H[-1]):
        for thr in (0.3, 0.5):
            p.set(rate_mg_per_h=rate, threshold=thr)
            _finite(p, f"rate {rate} thr {thr}")
            assert re.search(r"\d+ % of \d+ virtual patients", p.description)
    assert math.isfinite(p.result.y_top_weeks)
