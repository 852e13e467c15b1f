"""Panels for notebook 04 (ketamine pharmacokinetics): regimen explorer, routes, models, decrement times.

Wiring only: the numbers come from :mod:`helpers.models.pk` and :mod:`helpers.models.receptor`, the drawing
from :mod:`helpers.plots.pk`. Every number a description prints is computed on the exact model solution
(``pk.peak``, ``pk.time_above_h``, ``pk.time_to_fall_after_h``, ``pk.auc_ng_h_per_ml``), never read off the
plotting grid, so it is right for any slider setting.
"""
from __future__ import annotations

import math
from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import evidence
from ..models import pk, receptor
from ..plots import pk as pkplot
from ..plots.scales import nice_ceiling, nice_window_h
from ._base import Panel
from ._widgets import DURATIONS_H, duration_slider, log_slider

__all__ = ["RegimenExplorer", "RouteComparison", "ModelComparison", "DecrementTimes", "regimen_explorer",
           "route_comparison", "model_comparison", "decrement_times", "PANELS", "model_table", "REFERENCES"]

N_POINTS = 600
ROUTE_LABELS = {"iv": "IV bolus", "im": "intramuscular", "intranasal": "intranasal",
                "sublingual": "sublingual", "oral": "oral"}
_MODEL_LABELS = {"domino": "Domino (racemic, 3-cpt)", "clements_nimmo_1981": "Clements & Nimmo 1981 (racemic, 2-cpt)",
                 "fanta_2015": "Fanta 2015 + Otto 2021 (S-ketamine, 3-cpt + norket)"}


def _model_options():
    return [(_model_label(k), k) for k in pk.MODELS]


def _model_label(key: str) -> str:
    return _MODEL_LABELS.get(key, f"{key} ({pk.MODELS[key].drug})")


def _drug(key: str) -> str:
    return "S-ketamine" if pk.MODELS[key].drug == "S-ketamine" else "ketamine (racemic)"


def _fmt_h(hours: float) -> str:
    """Hours as min / h / days; one decimal below 10 min so a 0.40-min half-life does not read "0 min"."""
    if hours < 1:
        minutes = hours * 60
        return f"{minutes:.1f} min" if minutes < 9.95 else f"{minutes:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def _analgesic_band(model: str = "domino"):
    """(low, high, label) of the analgesic band in plasma levels of the model's drug: the measured racemic band,
    or its S-ketamine translation (see ``receptor.band_for_drug``)."""
    return receptor.band_for_drug("analgesic", pk.MODELS[model].drug)


def _label_on_top(panel, text) -> None:
    """Draw a band label after the curves (an overlay), so a curve never runs across the words."""
    panel._band_text = text
    panel.overlays = [text]


def _place_band(panel, model: str) -> None:
    """The analgesic band in the model's drug (racemic, or S-ketamine translated); redrawn when that changes."""
    if panel.band is not None and _analgesic_band(model) == _analgesic_band(panel.band_model):
        return
    if panel.band is not None:
        for artist in panel.band:
            artist.remove()
    lo, hi, label = _analgesic_band(model)
    panel.band, panel.band_model = pkplot.concentration_band(panel.ax, lo, hi, label), model
    _label_on_top(panel, panel.band[1])


def _effect_site_caveat(model: str) -> str:
    text = ("The effect-site half-lives are cited (Olofsen 2012, Dahan 2011), but each study fitted its own PK "
            "model; putting them on this one is our assumption")
    if pk.MODELS[model].drug != pk.EFFECT_SITES_FITTED_TO:
        text += f", and both were fitted to {pk.EFFECT_SITES_FITTED_TO}, not the racemate"
    return text + ". "


class RegimenExplorer(Panel):
    """Plasma (and effect-site) ketamine for repeated constant-rate IV infusions."""

    name = "regimen_explorer"
    title = "Concentration-time course for an infusion regimen"

    def make_controls(self):
        return {
            "model": W.Dropdown(options=_model_options(), value="fanta_2015", description="Model",
                                layout=W.Layout(width="430px")),
            "rate_mg_per_h": log_slider(20.0, 1.0, 400.0, 0.02, readout_format=".3g", description="Rate (mg/h)"),
            "session_h": duration_slider(100.0, "Each infusion"),
            "sessions": W.IntSlider(value=1, min=1, max=14, description="Number of infusions"),
            "interval_d": W.FloatSlider(value=1.0, min=0.5, max=28.0, step=0.5,
                                        description="Start-to-start interval (days)"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
            "biophase": W.Checkbox(value=False,
                                   description=f"Show slow biophase (t½ {pk.SLOW_EFFECT_T_HALF_DAYS:g} d)"),
            "log_y": W.Checkbox(value=False, description="Log concentration axis"),
        }

    def setup(self, fig):
        self.ax = ax = fig.add_subplot()
        self.band, self.band_model = None, None
        _place_band(self, self.values["model"])
        self.lines = pkplot.concentration_lines(ax, norketamine=True, effect_fast=True, effect_slow=True)
        self.bars = pkplot.dosing_bars(ax)
        self.unit = None
        self.window_h = None
        self.dynamic = [*self.lines.values(), self.bars]
        _label_on_top(self, self.band[1])

    def compute(self, model, rate_mg_per_h, session_h, sessions, interval_d, weight_kg, biophase, log_y):
        interval_h = interval_d * 24.0
        regimen = [pk.infusion(rate_mg_per_h, session_h, start_h=i * interval_h) for i in range(sessions)]
        end_h = (sessions - 1) * interval_h + session_h
        window_h = nice_window_h(end_h, tail_frac=0.5, min_tail_h=1.5)
        kw = {"model": model, "weight_kg": weight_kg}
        result = pk.simulate(regimen, pk.time_grid(regimen, window_h, n=N_POINTS), **kw)
        lo = _analgesic_band(model)[0]
        out = {"result": result, "regimen": regimen, "end_h": end_h, "window_h": window_h,
               "spans": [(e.start_h, e.end_h) for e in regimen], "biophase": biophase, "log_y": log_y,
               "overlap": session_h > interval_h and sessions > 1,
               "peak": pk.peak(regimen, **kw), "threshold": lo, "above_h": pk.time_above_h(regimen, lo, **kw),
               "c_end": float(pk.simulate(regimen, [end_h], **kw).plasma_ng_ml[0]),
               "half_fall_h": pk.time_to_fall_after_h(regimen, end_h, 0.5, **kw),
               "norketamine_peak": (pk.peak(regimen, which="norketamine", **kw)
                                    if result.norketamine_ng_ml is not None else None),
               "biophase_peak": None, "biophase_max": None, "biophase_half_h": None}
        if biophase:
            # after the last stop: the slow site rises until falling plasma meets it, then decays
            t_bio, c_bio = pk.peak(regimen, which="effect_slow", from_h=end_h, **kw)
            out["biophase_peak"] = (t_bio, c_bio)
            out["biophase_max"] = pk.peak(regimen, which="effect_slow", **kw)[1]
            out["biophase_half_h"] = t_bio + pk.time_to_fall_after_h(regimen, t_bio, 0.5, which="effect_slow",
                                                                     **kw)
        return out

    def static_key(self):
        return (self.values["model"], self.values["biophase"])

    def draw(self, r):
        res = r["result"]
        ax = self.ax
        _place_band(self, res.model)
        if r["window_h"] != self.window_h:
            self.unit = pkplot.time_axis(ax, r["window_h"])
            self.window_h = r["window_h"]
        pkplot.update_concentration(self.lines, res, self.unit)
        self.lines["effect_slow"].set_visible(r["biophase"])
        pkplot.update_dosing_bars(self.bars, r["spans"], self.unit)
        nk = r["norketamine_peak"][1] if r["norketamine_peak"] is not None else 0.0
        top = nice_ceiling(max(r["peak"][1], nk, 200.0))
        if r["log_y"]:
            ax.set_yscale("log")
            ax.set_ylim(1.0, top)
        else:
            ax.set_yscale("linear")
            ax.set_ylim(0.0, top)
        self.lines["plasma"].set_label(f"plasma {_drug(res.model)}")
        handles = [ln for ln in self.lines.values() if ln.get_visible()] + [self.bars]
        pkplot.legend(ax, handles)

    def describe(self, r):
        res = r["result"]
        lo, _hi, band_label = _analgesic_band(res.model)
        drug = _drug(res.model)
        total = sum(e.total_mg for e in r["regimen"])
        n = len(r["regimen"])
        first = r["regimen"][0]
        sched = (f"{n} infusion{'s' if n > 1 else ''} of {_fmt_h(first.duration_h)} at {first.rate_mg_per_h:.3g} "
                 f"mg/h" + (f", starting every {self.values['interval_d']:g} days" if n > 1 else ""))
        t_peak, c_peak = r["peak"]
        text = (f"{_model_label(res.model)}, {res.weight_kg:.0f} kg: {sched} ({total:.0f} mg in all). "
                f"Peak plasma {drug} {c_peak:.0f} ng/mL, first reached at {_fmt_h(t_peak)}; "
                f"{_fmt_h(r['above_h'])} spent above {lo:.0f} ng/mL in all, the lower edge of the shaded "
                f"{band_label}. ")
        if math.isfinite(r["half_fall_h"]):
            text += (f"After the last infusion stops, plasma falls to half its end-of-infusion level "
                     f"({r['c_end']:.0f} ng/mL) within {_fmt_h(r['half_fall_h'])}. ")
        if r["norketamine_peak"] is not None:
            text += (f"Norketamine peaks at {r['norketamine_peak'][1]:.0f} ng/mL at "
                     f"{_fmt_h(r['norketamine_peak'][0])}. ")
        if r["biophase_peak"] is not None:
            t_bio, c_bio = r["biophase_peak"]
            end = r["end_h"]
            site = f"the slow biophase (t½ {pk.SLOW_EFFECT_T_HALF_DAYS:g} days, Dahan 2011)"
            if t_bio - end > 1e-6:
                text += (f"After the last infusion stops, {site} still rises for {_fmt_h(t_bio - end)}, until "
                         f"falling plasma meets it, to {c_bio:.1f} ng/mL; then it decays, with about that half-life")
            else:
                text += (f"When the last infusion stops, {site} ({c_bio:.1f} ng/mL) is already above plasma and "
                         f"decays, with about that half-life")
            half = r["biophase_half_h"]
            text += (f": it is down to half that level {_fmt_h(half - end)} after the stop. "
                     if math.isfinite(half) else ". ")
            if r["biophase_max"] > c_bio * 1.001:
                text += f"(Its highest level, {r['biophase_max']:.1f} ng/mL, came after an earlier infusion.) "
        text += _effect_site_caveat(res.model)
        if r["overlap"]:
            text += "Each infusion is longer than the interval, so infusions overlap and their rates add. "
        return text.strip()


class RouteComparison(Panel):
    """One dose by each route: bioavailability and absorption shape the curve; norketamine by route in the text."""

    name = "route_comparison"
    title = "One dose, five routes"
    window_h = 8.0

    def make_controls(self):
        return {
            "dose_mg": W.FloatSlider(value=35.0, min=5.0, max=200.0, step=0.5, description="Dose (mg)"),
            "model": W.Dropdown(options=_model_options(), value="fanta_2015", description="Model",
                                layout=W.Layout(width="430px")),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig):
        self.ax = ax = fig.add_subplot()
        self.band, self.band_model = None, None
        _place_band(self, self.values["model"])
        self.unit = pkplot.time_axis(ax, self.window_h, unit="h")
        self.lines = pkplot.comparison_lines(ax, ROUTE_LABELS)
        pkplot.plasma_axis(ax)
        pkplot.legend(ax)
        self.dynamic = list(self.lines.values())
        _label_on_top(self, self.band[1])

    def compute(self, dose_mg, model, weight_kg):
        t = np.linspace(0.0, self.window_h, N_POINTS)
        kw = {"model": model, "weight_kg": weight_kg}
        out = {"model": model, "curves": {}, "peaks": {}, "auc_8h": {}, "norketamine_ratio": None}
        for r in ROUTE_LABELS:
            dose = [pk.bolus(dose_mg, route=r)]
            out["curves"][r] = pk.simulate(dose, t, **kw)
            out["peaks"][r] = pk.peak(dose, **kw)
            out["auc_8h"][r] = pk.auc_ng_h_per_ml(dose, until_h=self.window_h, **kw)
        if pk.MODELS[model].norketamine is not None:
            out["norketamine_ratio"] = {r: pk.norketamine_auc_ratio(r, **kw) for r in ROUTE_LABELS}
        return out

    def static_key(self):
        return self.values["model"]

    def draw(self, r):
        _place_band(self, r["model"])
        pkplot.update_lines(self.lines, {k: (res.t_h, res.plasma_ng_ml) for k, res in r["curves"].items()})
        self.ax.set_ylim(0, nice_ceiling(max(c for _t, c in r["peaks"].values()), floor=50))

    def describe(self, r):
        model = r["model"]
        drug = pk.MODELS[model].drug
        iv_auc = r["auc_8h"]["iv"]
        parts = []
        for route in ROUTE_LABELS:
            f = pk.bioavailability(route, model)
            t_peak, c_peak = r["peaks"][route]
            rel = r["auc_8h"][route] / iv_auc
            tmax = "at once" if route == "iv" else f"at {_fmt_h(t_peak)}"
            parts.append(f"{ROUTE_LABELS[route]}: F {f:.0%}, peak {c_peak:.0f} ng/mL {tmax}, "
                         f"exposure over 8 h {rel:.0%} of IV")
        text = (f"{self.values['dose_mg']:g} mg of {_drug(model)} ({_model_label(model)}). " + "; ".join(parts)
                + ". Lower bioavailability and slower absorption flatten and delay the peak. ")
        ratio = r["norketamine_ratio"]
        if ratio is None:
            text += ("This racemic model has no norketamine compartment, so it gives no norketamine; switch to "
                     "the S-ketamine model to compare norketamine by route.")
        else:
            text += ("Norketamine/ketamine exposure (AUC to infinity, model): "
                     + ", ".join(f"{ROUTE_LABELS[k]} {x:.1f}" for k, x in ratio.items())
                     + ". The non-absorbed part of a swallowed or mucosal dose is sent to norketamine (assumed), "
                       "so the lower the bioavailability, the higher the ratio.")
            measured = [(k, val) for k, val in pk.MEASURED_NORKETAMINE_AUC_RATIO.items() if val[1] == drug]
            for k, (value, _drug_name, _source) in measured:
                text += f" Measured after {k} S-ketamine: {value:g} (Fanta 2015)."
        return text.strip()


class ModelComparison(Panel):
    """The same infusion through each published parameter set."""

    name = "model_comparison"
    title = "Same infusion, three published models"

    def make_controls(self):
        return {
            "rate_mg_per_h": W.FloatSlider(value=20.0, min=1.0, max=100.0, step=0.5, description="Rate (mg/h)"),
            "duration_h": duration_slider(4.0, "Duration"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig):
        self.ax = ax = fig.add_subplot()
        band = pkplot.concentration_band(ax, *_analgesic_band("domino"))  # the measured (racemic) band
        self.lines = pkplot.comparison_lines(ax, {m: _model_label(m) for m in pk.MODELS})
        self.css = pkplot.steady_state_lines(ax, pk.MODELS)
        pkplot.plasma_axis(ax)
        pkplot.legend(ax, small=True)
        self.window_h = None
        self.unit = None
        self.dynamic = [*self.lines.values(), *self.css.values()]
        _label_on_top(self, band[1])

    def compute(self, rate_mg_per_h, duration_h, weight_kg):
        window_h = nice_window_h(duration_h, tail_frac=0.5, min_tail_h=1.5)
        regimen = [pk.infusion(rate_mg_per_h, duration_h)]
        t = pk.time_grid(regimen, window_h, n=N_POINTS)
        results = {m: pk.simulate(regimen, t, model=m, weight_kg=weight_kg) for m in pk.MODELS}
        return {"window_h": window_h, "duration_h": duration_h, "results": results,
                "c_end": {m: float(np.interp(duration_h, res.t_h, res.plasma_ng_ml)) for m, res in results.items()},
                "css": {m: pk.steady_state_ng_ml(rate_mg_per_h, m, weight_kg) for m in pk.MODELS}}

    def draw(self, r):
        if r["window_h"] != self.window_h:
            self.unit = pkplot.time_axis(self.ax, r["window_h"])
            self.window_h = r["window_h"]
        per = pkplot.TIME_UNITS[self.unit][1]
        pkplot.update_lines(self.lines, {m: (res.t_h / per, res.plasma_ng_ml) for m, res in r["results"].items()})
        pkplot.update_levels(self.css, r["css"])
        top = max(max(r["c_end"].values()), max(r["css"].values()))  # plasma peaks at the end of an infusion
        self.ax.set_ylim(0, nice_ceiling(top, floor=50))

    def describe(self, r):
        d = r["duration_h"]
        parts = [f"{_model_label(m)} {r['c_end'][m]:.0f} ng/mL at the end (steady state {r['css'][m]:.0f})"
                 for m in pk.MODELS]
        return (f"{self.values['rate_mg_per_h']:g} mg/h for {_fmt_h(d)}: " + "; ".join(parts) +
                ". Dotted lines mark each model's steady state, rate ÷ clearance. The models differ because each "
                "was fitted in different people, with a different drug (racemate or S-ketamine) and sampling "
                "(Fanta's model: venous blood). The "
                f"shaded band is the racemic {_analgesic_band('domino')[2].split(' (')[0]}; "
                f"for S-ketamine, about twice as potent, the {_analgesic_band('fanta_2015')[2]}.")


#: The decrement curves run from a 1-min infusion to the duration slider's longest (14 days).
_SHORTEST_H, _LONGEST_H = 1 / 60, DURATIONS_H[-1]


@lru_cache(maxsize=64)
def _decrement_curves(weight_kg: float, decrement: float):
    durations = np.geomspace(_SHORTEST_H, _LONGEST_H, 80)
    return durations, {m: pk.context_sensitive_half_time_h(durations, model=m, weight_kg=weight_kg,
                                                           decrement=decrement) for m in pk.MODELS}


class DecrementTimes(Panel):
    """Context-sensitive decrement times: how long plasma takes to fall after infusions of any length."""

    name = "decrement_times"
    title = "How fast the drug is gone: context-sensitive decrement times"

    def make_controls(self):
        return {
            "duration_h": duration_slider(100.0, "Infusion duration"),
            "decrement": W.Dropdown(options=[("50% (half-time)", 0.5), ("80%", 0.8)], value=0.5,
                                    description="Fall by"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig):
        self.ax = ax = fig.add_subplot()
        self.curves = {}
        for i, m in enumerate(pk.MODELS):
            colour, style = pkplot.series_style(i)
            self.curves[m] = pkplot.decrement_curve(ax, [], [], label=_model_label(m), color=colour, linestyle=style)
        pkplot.decrement_axes(ax, _SHORTEST_H, _LONGEST_H)
        self.marks = pkplot.decrement_markers(ax, pk.MODELS)
        self.vline = pkplot.duration_marker(ax, self.values["duration_h"])
        pkplot.legend(ax, loc="upper left", small=True)
        self.dynamic = [*self.curves.values(), *self.marks.values(), self.vline]

    def compute(self, duration_h, decrement, weight_kg):
        durations, curves = _decrement_curves(float(weight_kg), float(decrement))
        at = {m: float(pk.context_sensitive_half_time_h(duration_h, model=m, weight_kg=weight_kg,
                                                        decrement=decrement)) for m in pk.MODELS}
        return {"durations": durations, "curves": curves, "at": at, "duration_h": duration_h,
                "decrement": decrement}

    def draw(self, r):
        pkplot.update_lines(self.curves, {m: (r["durations"], r["curves"][m]) for m in pk.MODELS})
        pkplot.update_decrement_markers(self.marks, self.vline, r["duration_h"], r["at"])
        top = max(float(np.max(c)) for c in r["curves"].values())
        self.ax.set_ylim(0, nice_ceiling(top, floor=1))

    def describe(self, r):
        pct = f"{r['decrement']:.0%}"
        parts = [f"{_model_label(m)}: {_fmt_h(r['at'][m])}" for m in pk.MODELS]
        longest = max(float(c[-1]) for c in r["curves"].values())
        return (f"After an infusion of {_fmt_h(r['duration_h'])}, plasma ketamine falls by {pct} within: "
                + "; ".join(parts)
                + f". Even after {_LONGEST_H / 24:g} days of infusion it takes at most {_fmt_h(longest)}. "
                "The drug is gone within hours to a day, yet relief after 4–14-day infusions lasts weeks: "
                "something slower than plasma kinetics must carry it (notebook 05).")


def regimen_explorer(preset: str | None = "sigtermans_2009", **values) -> RegimenExplorer:
    return RegimenExplorer(preset, **values)


def route_comparison(preset: str | None = None, **values) -> RouteComparison:
    return RouteComparison(preset, **values)


def model_comparison(preset: str | None = None, **values) -> ModelComparison:
    return ModelComparison(preset, **values)


def decrement_times(preset: str | None = None, **values) -> DecrementTimes:
    return DecrementTimes(preset, **values)


PANELS = {"regimen_explorer": RegimenExplorer, "route_comparison": RouteComparison,
          "model_comparison": ModelComparison, "decrement_times": DecrementTimes}


def model_table(weight_kg: float = 70.0) -> str:
    """A Markdown table of the published parameter sets: drug, clearance, half-lives, source, evidence tag."""
    rows = ["| model | drug | compartments | clearance (L/h) | half-lives | source | evidence |",
            "|---|---|---|---|---|---|---|"]
    for key, m in pk.MODELS.items():
        halves = pk.half_lives_min(key, weight_kg)
        shown = ", ".join(_fmt_h(h / 60.0) for h in halves)
        rows.append(f"| {_model_label(key)} | {m.drug} | {len(halves)} | "
                    f"{pk.clearance_l_per_h(key, weight_kg):.0f} | {shown} | {m.source} | {m.evidence} |")
    return "\n".join(rows)


#: Reference keys notebook 04 renders: the PK layer's own sources plus the trials behind every panel's presets.
REFERENCES = tuple(dict.fromkeys(
    list(pk.REFERENCE_KEYS) + ["zanos_2018", "hughes_1992", "niesters_2014_review", "cohen_2018", "bell_2009",
                               "kamp_2020", "sigtermans_2009_anesthesiology"]
    + [p["source"] for name in PANELS for p in evidence.presets(name).values()]))
