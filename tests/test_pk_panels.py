"""The numbers the PK panels print are the model's numbers (not only finite and non-empty)."""
from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import ipywidgets as W
import matplotlib.colors as mcolors
import numpy as np
import pytest
from _pk_reference import sampled_time_above, sampled_time_to_fall

from helpers import evidence
from helpers.models import pk, receptor
from helpers.panels import pk as P


def _number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not found in: {text}"
    return float(m.group(1))


def test_regimen_half_fall_printed_is_the_exact_context_sensitive_half_time():
    """Sigtermans 2009 preset (one 100-h infusion): the printed half-fall after stopping is the exact
    context-sensitive half-time of the same model, to the printed precision (0.1 h) plus 2%."""
    p = P.regimen_explorer("sigtermans_2009")
    v = p.values
    exact = pk.context_sensitive_half_time_h(v["session_h"], model=v["model"], weight_kg=v["weight_kg"])
    printed = _number(r"falls to half its end-of-infusion level \(\d+ ng/mL\) within ([\d.]+) h", p.description)
    assert printed == pytest.approx(exact, rel=0.02, abs=0.051)


@pytest.mark.parametrize("model, drug", [("fanta_2015", "S-ketamine"), ("domino", "racemic")])
def test_regimen_band_is_in_the_model_drug_and_time_above_is_the_model_s(model, drug):
    """The shaded band and the 'time above' use the band for the model's drug: measured (racemic) or derived
    for S-ketamine; the printed lower edge and the legend entry say which, and the description carries the full
    label with its racemic-÷-2 caveat (the legend keeps only the name and numbers)."""
    lo, hi, label = receptor.band_for_drug("analgesic", drug)
    p = P.regimen_explorer(model=model)
    assert f"above {lo:.0f} ng/mL" in p.description
    assert label in p.description
    if drug == "S-ketamine":
        assert "(racemic ÷ 2; our arithmetic)" in label
    band_text = p.band.get_label()
    assert f"{lo:.0f}–{hi:.0f} ng/mL" in band_text and "÷" not in band_text
    assert label.startswith(band_text)
    assert ("racemic" in band_text) if drug == "racemic" else ("S-ketamine" in band_text)
    assert band_text in [t.get_text() for t in p.ax.get_legend().get_texts()]
    hours = pk.solve(p.result.regimen, model=model).time_above(lo)
    assert P._fmt_h(hours) in p.description


def test_regimen_band_follows_a_model_change():
    """Switching the model swaps the band (one band on the axes, never two) and its label."""
    p = P.regimen_explorer(model="fanta_2015")
    for model, drug in (("clements_nimmo_1981", "racemic"), ("fanta_2015", "S-ketamine")):
        p.set(model=model)
        lo, hi, label = receptor.band_for_drug("analgesic", drug)
        labels = [a.get_label() for a in p.ax.patches if "analgesic range" in a.get_label()]
        assert len(labels) == 1 and f"{lo:.0f}–{hi:.0f} ng/mL" in labels[0] and label.startswith(labels[0])
        assert labels[0] == p.band.get_label() and label in p.description
        assert labels[0] in [t.get_text() for t in p.ax.get_legend().get_texts()]


def test_every_model_carries_the_effect_site_caveat_and_racemic_ones_say_s_ketamine():
    """The effect-site half-lives are cited, but hanging them on these PK models is our assumption (for Fanta
    too: Olofsen and Dahan fitted their own PK); on the racemic models they were also fitted to another drug."""
    for model in pk.MODELS:
        text = P.regimen_explorer(model=model).description
        assert "cited" in text and "our assumption" in text, model
        assert ("fitted to S-ketamine" in text) == (pk.MODELS[model].drug == "racemic"), model


def test_model_comparison_prints_each_model_s_rate_over_clearance():
    p = P.model_comparison()
    rate, weight = p.values["rate_mg_per_h"], p.values["weight_kg"]
    for m in pk.MODELS:
        css = pk.steady_state_ng_ml(rate, model=m, weight_kg=weight)
        assert f"(steady state {css:.0f})" in p.description, m


def test_route_comparison_prints_the_model_s_bioavailability():
    p = P.route_comparison()
    for route in pk.ROUTES:
        f = pk.bioavailability(route, model=p.values["model"])
        assert f"F {f:.0%}" in p.description, route


# ---- the described numbers are right for ANY slider setting (checked against a brute-force dense grid) --------

_UNIT_H = {"min": 1 / 60, "h": 1.0, "days": 24.0}
# half a unit of the printed precision: _fmt_h prints 1 decimal below 10 min, whole minutes below 1 h,
# 1 decimal of hours below 48 h, 1 decimal of days above
_HALF_UNIT_H = {"min": 0.5 / 60, "h": 0.05, "days": 0.05 * 24}


def _duration(pattern: str, text: str) -> tuple[float, float]:
    """(value in hours, half a printed unit in hours) of the first duration matching ``pattern``, whose one
    group is a duration as _fmt_h prints it ("0.4 min", "36 min", "1.8 h", "4.5 days")."""
    m = re.search(pattern.replace("DUR", r"([\d.]+ (?:min|h|days))"), text)
    assert m, f"{pattern!r} not found in: {text}"
    number, unit = m.group(1).split()
    half = _HALF_UNIT_H[unit] / (10 if unit == "min" and "." in number else 1)
    return float(number) * _UNIT_H[unit], half


def _dense(regimen, model, weight_kg):
    """Brute force, independent of pk's landmark functions: simulate() on a very dense grid (200 001 even
    points, 2 000 inside each infusion and a geometric fan of 3 000 points after each boundary)."""
    end = max(e.end_h for e in regimen) + 60 * 24.0
    parts = [np.linspace(0.0, end, 200_001)]
    for e in regimen:
        parts += [np.linspace(e.start_h, e.end_h, 2000), e.end_h + np.geomspace(1e-6, end - e.end_h, 3000),
                  e.start_h + np.geomspace(1e-6, end - e.start_h, 3000)]
    t = np.unique(np.concatenate(parts))
    return pk.simulate(regimen, t, model=model, weight_kg=weight_kg)


def _first_session_peak_time(ref, regimen, tie=1e-3):
    """When the peak is first reached, by brute force: the maximum of each session's window (its start to the
    next start) on the dense grid; the first window within ``tie`` of the highest; in it, the last time within
    round-off of its maximum (a plateau creeping up to the stop counts at the stop)."""
    starts = [e.start_h for e in regimen] + [math.inf]
    c = ref.plasma_ng_ml
    top = c.max()
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        inside = (ref.t_h >= a) & (ref.t_h < b)
        m = c[inside].max()
        if m >= (1 - tie) * top:
            return float(ref.t_h[inside][np.flatnonzero(c[inside] >= m * (1 - 1e-9))[-1]])
    raise AssertionError("no session reaches the peak")


_SESSION_MIN = P.RegimenExplorer().controls["session_h"]
_SHORTEST = _SESSION_MIN.options[0][1]                 # the slider's shortest infusion (15 min)
AWKWARD = [
    # the audit's case: short infusions far apart (the old 600-point grid said 3.2 days above, true ~28 h)
    dict(model="fanta_2015", rate_mg_per_h=100.0, session_h=_SHORTEST, sessions=14, interval_d=28.0),
    dict(model="fanta_2015", rate_mg_per_h=400.0, session_h=_SHORTEST, sessions=3, interval_d=0.5, biophase=True),
    dict(model="domino", rate_mg_per_h=60.0, session_h=_SHORTEST, sessions=14, interval_d=7.0),
    dict(model="clements_nimmo_1981", rate_mg_per_h=50.0, session_h=1.0, sessions=14, interval_d=28.0,
         weight_kg=150.0),
    # long infusions, long gaps; the last one ends after the plotted year
    dict(model="fanta_2015", rate_mg_per_h=20.0, session_h=336.0, sessions=14, interval_d=28.0, biophase=True),
    # overlapping infusions
    dict(model="fanta_2015", rate_mg_per_h=20.0, session_h=100.0, sessions=5, interval_d=1.0, biophase=True),
    dict(model="clements_nimmo_1981", rate_mg_per_h=24.5, session_h=4.0, sessions=10, interval_d=1.0),
]


@pytest.mark.parametrize("setting", AWKWARD, ids=[f"{s['model']}-{s['sessions']}x{s['session_h']:.3g}h-"
                                                  f"{s['interval_d']}d" for s in AWKWARD])
def test_regimen_description_matches_a_dense_grid_at_awkward_settings(setting):
    """Driven as a student would, at settings a 600-point grid gets wrong (short infusions far apart, many
    sessions, long gaps, overlaps): every number the description prints (peak, time above the band, half-fall
    after the last stop, norketamine peak, slow-biophase peak and half-fall) equals the brute-force dense-grid
    value within half a unit of its printed precision plus 0.5%."""
    p = P.regimen_explorer(**setting)
    text = p.description
    v = p.values
    reg = p.result.regimen
    ref = _dense(reg, v["model"], v["weight_kg"])
    lo = P._analgesic_band(v["model"])[0]
    end = p.result.end_h

    def close(got_half, want, what):
        got, half = got_half
        assert abs(got - want) <= half + 0.005 * want, f"{what}: printed {got:.5g} h, dense grid {want:.5g} h"

    close(_duration(r"; DUR spent above", text), sampled_time_above(ref.t_h, ref.plasma_ng_ml, lo), "time above")
    close(_duration(r"within DUR\. ", text), sampled_time_to_fall(ref.t_h, ref.plasma_ng_ml, end, 0.5), "half-fall")
    c_peak = _number(rf"Peak plasma {re.escape(P._drug(v['model']))} (\d+) ng/mL", text)
    assert abs(c_peak - ref.plasma_ng_ml.max()) <= 0.5 + 1e-3 * ref.plasma_ng_ml.max()
    close(_duration(r"first reached at DUR", text), _first_session_peak_time(ref, reg), "peak time")
    if ref.norketamine_ng_ml is not None:
        nk = _number(r"Norketamine peaks at (\d+) ng/mL", text)
        assert abs(nk - ref.norketamine_ng_ml.max()) <= 0.5 + 1e-3 * ref.norketamine_ng_ml.max()
    if v["biophase"]:
        after = ref.t_h >= end
        t_after, bio = ref.t_h[after], ref.effect_slow_ng_ml[after]
        i = int(np.argmax(bio))
        level = _number(r"to ([\d.]+) ng/mL; then it decays", text)
        assert abs(level - bio[i]) <= 0.05 + 1e-3 * bio[i]
        close(_duration(r"still rises for DUR, until falling plasma meets it", text), t_after[i] - end,
              "biophase rise after the stop")
        half = sampled_time_to_fall(t_after, bio, float(t_after[i]), 0.5) + t_after[i] - end
        close(_duration(r"down to half that level DUR after the stop", text), half, "biophase half-fall")


def test_awkward_settings_cover_what_a_coarse_grid_gets_wrong():
    """The first awkward case is the audit's: the numbers must be the true ~28 h above 35 ng/mL and a 30-min
    half-fall (the old even grid printed 3.2 days and 4.7 h)."""
    p = P.regimen_explorer(**AWKWARD[0])
    hours, _ = _duration(r"; DUR spent above", p.description)
    assert 27.5 < hours < 28.5
    assert _duration(r"within DUR\. ", p.description)[0] == pytest.approx(0.5, abs=0.01)
    assert "first reached at 15 min" in p.description


def test_regimen_update_stays_fast_at_the_awkward_settings():
    """Every slider move recomputes; the exact landmarks must not make it sluggish (generous bound for CI)."""
    p = P.regimen_explorer(**AWKWARD[0])
    t0 = time.process_time()
    for _ in range(5):
        p.compute(**p.values)
        pk.solution._cached_solution.cache_clear()
    assert (time.process_time() - t0) / 5 < 0.05


def test_biophase_text_says_it_peaks_hours_after_the_stop_not_days_later():
    """Sigtermans preset with the biophase on: the text gives the model's numbers: the slow site rises for
    about 5 h after the stop, until falling plasma meets it, then halves about 11.5 days after the stop. It
    never says it 'lags plasma by days' or is still rising 'when plasma has already gone'."""
    p = P.regimen_explorer("sigtermans_2009", biophase=True)
    text = p.description
    t_bio, c_bio = pk.solve(p.result.regimen).peak("effect_slow")
    assert f"still rises for {P._fmt_h(t_bio - 100.0)}, until falling plasma meets it, to {c_bio:.1f} ng/mL" in text
    assert 3.0 < t_bio - 100.0 < 8.0
    half, _ = _duration(r"down to half that level DUR after the stop", text)
    assert 10.5 * 24 < half < 12.5 * 24
    assert "lags plasma" not in text and "already gone" not in text


# ---- routes: norketamine in the description, computed by the model layer --------------------------------------
def test_route_description_gives_the_model_s_norketamine_ratio_by_route():
    """S-ketamine model: the norketamine/ketamine AUC ratio of every route is the model's, and the measured oral
    ratio (Fanta 2015, 16.5) is set beside it. Racemic models say they have no norketamine."""
    p = P.route_comparison()
    for route, label in P.ROUTE_LABELS.items():
        assert f"{label} {pk.norketamine_auc_ratio(route, model=p.values['model']):.1f}" in p.description, route
    assert "Measured after oral S-ketamine: 16.5 (Fanta 2015)" in p.description
    p.set(model="domino")
    assert "no norketamine" in p.description and "Measured after" not in p.description


def test_route_description_exposure_and_peaks_are_exact():
    """The 8-h exposure relative to IV comes from the exact AUC (Domino's 0.4-min phase defeats a trapezoid on
    the plot grid) and each peak from the exact solution."""
    p = P.route_comparison(model="domino")
    dose = p.values["dose_mg"]
    iv = pk.solve([pk.bolus(dose)], model="domino").auc(until_h=8.0)
    for route, label in P.ROUTE_LABELS.items():
        reg = [pk.bolus(dose, route=route)]
        sol = pk.solve(reg, model="domino")
        rel = sol.auc(until_h=8.0) / iv
        t_pk, c_pk = sol.peak()
        assert f"{label}: F {pk.bioavailability(route, model='domino'):.0%}, peak {c_pk:.0f} ng/mL" in p.description
        assert f"exposure over 8 h {rel:.0%} of IV" in p.description


# ---- presets on every panel: on the slider grids, cited sources, cited-vs-assumed notes ----------------------
@pytest.mark.parametrize("cls", [P.RouteComparison, P.ModelComparison, P.DecrementTimes])
def test_every_pk_panel_has_published_presets_on_its_slider_grids(cls):
    """route, model and decrement panels each offer named published presets (the dropdown is enabled); every
    value lies on its slider's step grid (a browser would snap it otherwise), every source is a known reference
    and every note says what is cited and what is assumed."""
    table = evidence.presets(cls.name)
    assert len(table) >= 3
    panel = cls()
    assert not panel._preset.disabled
    refs = evidence.references()
    for key, preset in table.items():
        assert preset["source"] in refs, key
        assert "Cited:" in preset["note"] and "Assumed:" in preset["note"], key
        for name, value in preset["values"].items():
            w = panel.controls[name]
            if isinstance(w, W.SelectionSlider):
                assert value in [o[1] for o in w.options], f"{cls.name} {key}: {name}={value} is not on the slider"
                continue
            if isinstance(w, W.FloatLogSlider):
                n = (math.log(value, w.base) - w.min) / w.step
            elif isinstance(w, (W.FloatSlider, W.IntSlider)):
                n = (value - w.min) / w.step
            else:
                continue
            assert abs(n - round(n)) < 1e-6, f"{cls.name} {key}: {name}={value} is off the slider grid"
        panel.apply_preset(key)
        assert panel.values == {**panel.values, **preset["values"]}


def test_decrement_presets_are_the_published_durations():
    durations = sorted(p["values"]["duration_h"] for p in evidence.presets("decrement_times").values())
    assert durations == [0.5, 4.0, 100.0, 336.0]


# ---- number formats, model table, line styles -----------------------------------------------------------------
def test_short_times_keep_a_decimal_and_the_model_table_shows_domino_s_fastest_phase():
    assert P._fmt_h(0.40 / 60) == "0.4 min"
    assert P._fmt_h(4.6 / 60) == "4.6 min"
    assert P._fmt_h(13 / 60) == "13 min"
    assert P._fmt_h(1.8) == "1.8 h" and P._fmt_h(100.0) == "4.2 days"
    row = next(r for r in P.model_table().splitlines() if r.startswith("| Domino"))
    assert "0.4 min, 4.6 min, 1.9 h" in row and "| 0 min" not in row


def test_model_table_says_secondary_source_in_words_not_tags():
    """Every PK model was read through a transcription (opentiva, nlmixr2lib): the table says so in words, and
    shows none of the working notes' [V]/[V2]/[U]/[D] tags."""
    import re

    rows = P.model_table().splitlines()[2:]
    assert rows and all("secondary source" in row for row in rows)
    assert not any(re.search(r"\[(V2?|U|D)\]", row) for row in rows)


@pytest.mark.parametrize("factory, attr", [(P.route_comparison, "lines"), (P.model_comparison, "lines"),
                                           (P.decrement_times, "curves")])
def test_compared_curves_differ_in_colour_and_line_style(factory, attr):
    """Redundant coding: no two compared curves share a colour or a line style (IV and oral were both solid)."""
    p = factory()
    lines = list(getattr(p, attr).values())
    colours = {mcolors.to_hex(ln.get_color()) for ln in lines}
    # the dash pattern a line is drawn with (a custom dash-dot-dot reports get_linestyle() '--')
    styles = {(ln.get_linestyle(), ln._unscaled_dash_pattern[1]) for ln in lines}
    assert len(colours) == len(lines), colours
    assert len(styles) == len(lines), styles


def test_pk_plot_functions_reject_bad_input_naming_the_parameter():
    """The plot layer checks what it is given (ValueError naming the argument), like the models."""
    from matplotlib.figure import Figure

    from helpers.plots import pk as pkplot

    ax = Figure().add_subplot()
    lines = pkplot.comparison_lines(ax, {"a": "A", "b": "B"})
    for call, name in ((lambda: pkplot.comparison_lines(ax, {}), "labels"),
                       (lambda: pkplot.comparison_lines(ax, {str(i): str(i) for i in range(9)}), "labels"),
                       (lambda: pkplot.update_lines(lines, {"a": ([0], [1])}), "data"),
                       (lambda: pkplot.update_levels(pkplot.steady_state_lines(ax, ["a"]), {"a": float("nan")}),
                        "levels"),
                       (lambda: pkplot.series_style(99), "i"),
                       (lambda: pkplot.duration_marker(ax, 0.0), "duration_h"),
                       (lambda: pkplot.decrement_axes(ax, 1.0, 0.5), "longest_h"),
                       (lambda: pkplot.time_axis(ax, -1.0), "window_h")):
        with pytest.raises(ValueError, match=name):
            call()


# ---- one entry into the model per question; draw and describe read only the result ---------------------------
RECORDED_PANELS = json.loads((Path(__file__).parent / "pk_recorded_8d29d59.json").read_text(encoding="utf-8"))
#: Distinct regimens a panel update asks about: one regimen; one dose by each of five routes; one infusion through
#: each of three models (a solution is per regimen and model); the decrement panel needs closed forms only.
SOLVES_PER_UPDATE = {"regimen_explorer": 1, "route_comparison": len(P.ROUTE_LABELS),
                     "model_comparison": len(pk.MODELS), "decrement_times": 0}
_MOVES = {"regimen_explorer": [dict(rate_mg_per_h=35.0), dict(sessions=3, interval_d=2.0), dict(biophase=True),
                               dict(model="domino"), dict(weight_kg=90.0, log_y=True)],
          "route_comparison": [dict(dose_mg=50.0), dict(model="clements_nimmo_1981"), dict(weight_kg=99.0)],
          "model_comparison": [dict(rate_mg_per_h=30.0), dict(duration_h=336.0), dict(weight_kg=45.0)],
          "decrement_times": [dict(duration_h=4.0), dict(decrement=0.8), dict(weight_kg=120.0)]}


@pytest.mark.parametrize("name", sorted(P.PANELS))
def test_each_update_solves_each_distinct_regimen_once(name, monkeypatch):
    """Counting calls of the single entry point ``pk.solve``: a slider move of the regimen explorer solves its
    regimen exactly once (it used to enter the model 6-9 times), and the other panels solve exactly one regimen
    per curve they draw. Caches are cleared so a repeated question cannot hide a second solve."""
    panel = P.PANELS[name]()
    calls = []
    real = pk.solve

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pk, "solve", counting)
    for move in _MOVES[name]:
        pk.solution._cached_solution.cache_clear()
        calls.clear()
        panel.set(**move)
        assert len(calls) == SOLVES_PER_UPDATE[name], (move, len(calls))


@pytest.mark.parametrize("name", sorted(P.PANELS))
def test_draw_and_describe_call_no_model(name, monkeypatch):
    """``draw`` and ``describe`` read only the result ``compute`` returned: with every callable of the PK and
    receptor layers made to fail, redrawing and describing the last result still work and give the same text."""
    panel = P.PANELS[name]()
    result, text = panel.result, panel.description

    def refuse(*_args, **_kwargs):
        raise AssertionError("draw/describe called the model layer")

    for module in (pk, receptor):
        for attr in dir(module):
            if not attr.startswith("_") and callable(getattr(module, attr)) and \
                    not isinstance(getattr(module, attr), type):
                monkeypatch.setattr(module, attr, refuse)
    panel.draw(result)
    assert panel.describe(result) == text


def test_panel_results_are_frozen():
    """A result handed to draw/describe cannot be changed by them (frozen dataclasses)."""
    import dataclasses

    for name, cls in P.PANELS.items():
        result = cls().result
        assert dataclasses.is_dataclass(result), name
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.__setattr__(dataclasses.fields(result)[0].name, None)


@pytest.mark.parametrize("case", [(name, key) for name, recs in sorted(RECORDED_PANELS["panels"].items())
                                  for key in sorted(recs)], ids=lambda c: f"{c[0]}-{c[1]}")
def test_descriptions_equal_those_recorded_before_the_refactor(case):
    """Every PK panel's description (the exported figures' alt text) at its defaults, every preset, the awkward
    settings above (with and without the biophase) and odd weights and doses is, character for character, the
    text recorded at 8d29d59, before panels computed through pk.solve."""
    name, key = case
    rec = RECORDED_PANELS["panels"][name][key]
    assert P.PANELS[name](None, **rec["values"]).description == rec["description"]
