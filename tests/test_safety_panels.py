"""Panels of notebook 06 (panels.safety): corners of the controls and every preset draw finite data and a
description; the description's numbers are the model's; controls that do nothing are disabled; draw and describe
call no model; results are frozen; presets sit on the slider grids (the slider shows the value the model uses);
slider steps blit."""
from __future__ import annotations

import dataclasses
import io
import itertools

import numpy as np
import pytest
from conftest import figure_arrays
from PIL import Image

from helpers import evidence
from helpers.models import pk, relief
from helpers.models import schedule as S
from helpers.panels import safety as P

CORNERS = {
    "booster_schedule": dict(schedule=["interval", "taper"], interval_weeks=[2, 16], booster=list(S.BOOSTER_TYPES),
                             dose_mg=[50, 300], initial=list(S.INITIAL_COURSES), hypothesis=["biophase", "reset"]),
    "side_effects": dict(model=["clements_nimmo_1981", "fanta_2015"], bolus_mg=[0, 100], rate_mg_per_h=["min", "max"],
                         session_h=[0.25, 336.0], sessions=[1, 10]),
    "liver_timeline": dict(gap_days=[1, 240], course_h=[24.0, 168.0], rate_mg_per_h=[5, 40], check_every_d=[1, 2]),
}


def _slider_end(widget, end):
    """A ladder slider's end: its first or last stop."""
    stops = [o[1] if isinstance(o, tuple) else o for o in widget.options]
    return stops[0] if end == "min" else stops[-1]


def _corners(name, limit=12):
    keys = list(CORNERS[name])
    combos = list(itertools.product(*(CORNERS[name][k] for k in keys)))
    step = max(1, len(combos) // limit)
    return [dict(zip(keys, c, strict=True)) for c in combos[::step]]


def _finite(panel):
    for arr in figure_arrays(panel.figure):
        a = np.asarray(arr, dtype=float)
        assert not np.isnan(a).any() or a.size == 2, "NaN in the figure data"
    assert "nan" not in panel.description.lower()
    assert panel.description


@pytest.mark.parametrize("name", sorted(P.PANELS))
def test_corners_of_the_controls_draw_finite_data(name):
    """No exception, no NaN in plotted data or text, at the corners of every control (a spread sample of them)."""
    panel = P.PANELS[name]()
    for values in _corners(name):
        values = {k: _slider_end(panel.controls[k], x) if x in ("min", "max") else x for k, x in values.items()}
        panel.set(**values)
        _finite(panel)
        panel.render_png(full=True)


@pytest.mark.parametrize("name", sorted(P.PANELS))
def test_every_preset_draws_and_the_sliders_show_the_values_used(name):
    """Each preset opens without error, and each control then shows exactly the value the model runs with."""
    panel = P.PANELS[name]()
    for key, preset in evidence.presets(name).items():
        panel.apply_preset(key)
        _finite(panel)
        for control, value in preset["values"].items():
            assert panel.controls[control].value == value, (key, control)
            assert panel.values[control] == value


def test_booster_description_numbers_are_the_models():
    """The live text prints the schedule model's relief days, cohort range, infusion days and dose."""
    panel = P.booster_schedule("every_4_weeks")
    out = S.year_outcome(S.interval_schedule(4), n=200)
    text = panel.description
    assert f"{out.relief_days:.0f} days with at least 30% relief" in text
    lo, _med, hi = out.cohort_days
    assert f"{lo:.0f}–{hi:.0f} days" in text
    assert f"{out.infusion_days} infusion days, {out.cumulative_dose_mg:.0f} mg" in text


def test_controls_that_do_nothing_are_disabled():
    """The interval slider is disabled on the tapering protocol; the dose slider for the mg/kg single dose."""
    panel = P.booster_schedule()
    assert not panel.controls["interval_weeks"].disabled and not panel.controls["dose_mg"].disabled
    panel.apply_preset("tapering_protocol")
    assert panel.controls["interval_weeks"].disabled
    panel.apply_preset("pickering_2020")
    assert panel.controls["dose_mg"].disabled and not panel.controls["interval_weeks"].disabled


def test_side_effect_hours_are_exact_and_zero_when_never_reached():
    """The bars are Solution.time_above of the same regimen; the slowest rate (about 1 mg/h) never reaches 40 ng/mL."""
    panel = P.side_effects("booster_4h")
    sol = pk.solve(pk.infusion(25.0, 4.0), model="clements_nimmo_1981")
    for (level, _label), hours in zip(panel.result.levels, panel.result.hours, strict=True):
        assert hours == pytest.approx(sol.time_above(level), abs=1e-9)
    panel.set(rate_mg_per_h=_slider_end(panel.controls["rate_mg_per_h"], "min"), bolus_mg=0)
    assert all(h == 0.0 for h in panel.result.hours)


def test_liver_timeline_counts_and_dose():
    """Noppers 2011 design: two 100-h courses at 20 mg/h = 4000 mg; checks: one before each course and one a day
    for 4 days during each (100 h) = 10."""
    r = P.liver_timeline("noppers_2011_liver").result
    assert r.cumulative_mg[-1] == pytest.approx(4000.0)
    assert len(r.check_days) == 10
    assert r.spans_days[1][0] - r.spans_days[0][1] == pytest.approx(16.0)


@pytest.mark.parametrize("name", sorted(P.PANELS))
def test_draw_and_describe_call_no_model(name, monkeypatch):
    """draw/describe read only the result: with the model layers made to fail they still give the same text."""
    panel = P.PANELS[name]()
    result, text = panel.result, panel.description

    def refuse(*_args, **_kwargs):
        raise AssertionError("draw/describe called the model layer")

    for module in (pk, relief, S):
        for attr in dir(module):
            obj = getattr(module, attr)
            if not attr.startswith("_") and callable(obj) and not isinstance(obj, type):
                monkeypatch.setattr(module, attr, refuse)
    panel.draw(result)
    assert panel.describe(result) == text


def test_results_are_frozen():
    """A result handed to draw/describe cannot be changed."""
    for name, cls in P.PANELS.items():
        result = cls().result
        assert dataclasses.is_dataclass(result), name
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.__setattr__(dataclasses.fields(result)[0].name, None)


def test_references_resolve():
    """Every reference key the notebook prints exists in the reference data."""
    for key in P.REFERENCES:
        evidence.reference(key)


@pytest.mark.parametrize("name,key,steps", [("booster_schedule", "interval_weeks", list(range(3, 17))),
                                            ("liver_timeline", "gap_days", list(range(17, 31))),
                                            ("side_effects", "bolus_mg", list(range(5, 75, 5)))])
def test_slider_steps_blit_and_match_a_full_redraw(name, key, steps):
    """One-step moves of a slider keep the axes (round tops from a ladder), so they redraw only the moving
    artists: at most one move in four draws the whole figure, and the blitted picture is a full redraw's."""
    panel = P.PANELS[name]()
    before = panel.renderer.full_draws
    for x in steps:
        panel.set(**{key: x})
    assert panel.renderer.full_draws - before <= len(steps) // 4, f"{name}: {key} steps redrew the whole figure"
    fast = np.asarray(Image.open(io.BytesIO(panel._image.value)).convert("RGB"), dtype=int)
    full = np.asarray(Image.open(io.BytesIO(panel.render_png(full=True))).convert("RGB"), dtype=int)
    assert (np.abs(fast - full).max(axis=2) > 24).mean() < 1e-4
