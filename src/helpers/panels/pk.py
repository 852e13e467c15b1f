"""Panels for notebook 04 (ketamine pharmacokinetics): regimen explorer, routes, models, decrement times.

Wiring only: the numbers come from :mod:`helpers.models.pk` and :mod:`helpers.models.receptor`.
"""
from __future__ import annotations

import math
from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import export
from ..models import pk, receptor
from ..plots import pk as pkplot
from ..plots.scales import nice_ceiling, nice_window_h
from ._base import Panel, log_slider

__all__ = ["RegimenExplorer", "RouteComparison", "ModelComparison", "DecrementTimes", "regimen_explorer",
           "route_comparison", "model_comparison", "decrement_times", "PANELS"]

N_POINTS = 600
ROUTE_LABELS = {"iv": "IV bolus", "im": "intramuscular", "intranasal": "intranasal",
                "sublingual": "sublingual", "oral": "oral"}


def _model_options():
    return [(_model_label(k), k) for k in pk.MODELS]


def _model_label(key: str) -> str:
    m = pk.MODELS[key]
    pretty = {"domino": "Domino (racemic, 3-cpt)", "clements_nimmo_1981": "Clements & Nimmo 1981 (racemic, 2-cpt)",
              "fanta_2015": "Fanta 2015 + Otto 2021 (S-ketamine, 3-cpt + norket)"}
    return pretty.get(key, f"{key} ({m.drug})")


def _drug(key: str) -> str:
    return "S-ketamine" if pk.MODELS[key].drug.lower().startswith("s") else "ketamine (racemic)"


def _time_grid(window_h: float, boundaries) -> np.ndarray:
    """Evenly spaced points plus the dosing boundaries, so peaks at the end of an infusion are exact."""
    t = np.linspace(0.0, window_h, N_POINTS)
    extra = [b for b in boundaries if 0.0 <= b <= window_h]
    return np.unique(np.concatenate([t, extra])) if extra else t


def _fmt_h(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def _analgesic_band(model: str = "domino"):
    """(low, high, label) of the analgesic band in plasma levels of the model's drug: the measured racemic band,
    or its S-ketamine translation (derived, see ``receptor.band_for_drug``)."""
    return receptor.band_for_drug("analgesic", pk.MODELS[model].drug)


def _label_on_top(panel, text) -> None:
    """Draw a band label after the curves (an overlay), so a curve never runs across the words."""
    panel._band_text = text
    panel.overlays = [text]


def _effect_site_caveat(model: str) -> str:
    if pk.MODELS[model].drug == pk.EFFECT_SITES_FITTED_TO:
        return ""
    return (f"Both effect sites were fitted to {pk.EFFECT_SITES_FITTED_TO}; on this racemic model they are an "
            "assumption. ")


class RegimenExplorer(Panel):
    """Plasma (and effect-site) ketamine for repeated constant-rate IV infusions."""

    name = "regimen_explorer"
    title = "Concentration-time course for an infusion regimen"

    def make_controls(self):
        return {
            "model": W.Dropdown(options=_model_options(), value="fanta_2015", description="Model",
                                layout=W.Layout(width="430px")),
            "rate_mg_per_h": log_slider(20.0, 1.0, 400.0, 0.02,
                                              readout_format=".3g", description="Rate (mg/h)"),
            "session_h": log_slider(100.0, 0.25, 336.0, 0.02, readout_format=".3g", description="Each infusion (h)"),
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
        self._place_band(self.values["model"])
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
        bounds = [e.start_h for e in regimen] + [e.start_h + e.duration_h for e in regimen]
        t = _time_grid(window_h, bounds)
        result = pk.simulate(regimen, t, model=model, weight_kg=weight_kg)
        return {"result": result, "regimen": regimen, "end_h": end_h, "window_h": window_h,
                "spans": [(e.start_h, e.start_h + e.duration_h) for e in regimen], "biophase": biophase,
                "log_y": log_y, "overlap": session_h > interval_h and sessions > 1}

    def static_key(self):
        return (self.values["model"], self.values["biophase"])

    def _place_band(self, model: str) -> None:
        """The analgesic band in the model's drug (racemic, or S-ketamine derived); redrawn when that changes."""
        if self.band is not None and _analgesic_band(model) == _analgesic_band(self.band_model):
            return
        if self.band is not None:
            for artist in self.band:
                artist.remove()
        lo, hi, label = _analgesic_band(model)
        self.band, self.band_model = pkplot.concentration_band(self.ax, lo, hi, label), model
        _label_on_top(self, self.band[1])

    def draw(self, r):
        res = r["result"]
        ax = self.ax
        self._place_band(res.model)
        if r["window_h"] != self.window_h:
            self.unit = pkplot.time_axis(ax, r["window_h"])
            self.window_h = r["window_h"]
        pkplot.update_concentration(self.lines, res, self.unit)
        self.lines["effect_slow"].set_visible(r["biophase"])
        pkplot.update_dosing_bars(self.bars, r["spans"], self.unit)
        top = nice_ceiling(max(res.peak_ng_ml, float(np.max(res.norketamine_ng_ml))
                               if res.norketamine_ng_ml is not None else 0.0, 200.0))
        if r["log_y"]:
            ax.set_yscale("log")
            ax.set_ylim(1.0, top)
        else:
            ax.set_yscale("linear")
            ax.set_ylim(0.0, top)
        self.lines["plasma"].set_label(f"plasma {_drug(res.model)}")
        handles = [ln for ln in self.lines.values() if ln.get_visible()] + [self.bars]
        ax.legend(handles=handles, loc="upper right")

    def describe(self, r):
        res = r["result"]
        lo, _hi, band_label = _analgesic_band(res.model)
        drug = _drug(res.model)
        total = sum(e.rate_mg_per_h * e.duration_h for e in r["regimen"])
        n = len(r["regimen"])
        sched = (f"{n} infusion{'s' if n > 1 else ''} of {_fmt_h(r['spans'][0][1] - r['spans'][0][0])} at "
                 f"{r['regimen'][0].rate_mg_per_h:.3g} mg/h" + (f", starting every {self.values['interval_d']:g} days"
                                                                  if n > 1 else ""))
        text = (f"{_model_label(res.model)}, {res.weight_kg:.0f} kg: {sched} ({total:.0f} mg in all). "
                f"Peak plasma {drug} {res.peak_ng_ml:.0f} ng/mL at {_fmt_h(res.t_peak_h)}; "
                f"{_fmt_h(res.time_above_h(lo))} spent above {lo:.0f} ng/mL, the lower edge of the shaded "
                f"{band_label}. ")
        end = r["end_h"]
        if end < res.t_h[-1]:
            c_end = float(np.interp(end, res.t_h, res.plasma_ng_ml))
            fall = pk.time_to_fall_h(res.t_h, res.plasma_ng_ml, end, 0.5)
            if math.isfinite(fall):
                text += (f"After the last infusion stops, plasma falls to half its end-of-infusion level "
                         f"({c_end:.0f} ng/mL) within {_fmt_h(fall)}. ")
        if res.norketamine_ng_ml is not None:
            text += f"Norketamine peaks at {np.max(res.norketamine_ng_ml):.0f} ng/mL. "
        if r["biophase"]:
            text += (f"The slow biophase (Dahan 2011) reaches {np.max(res.effect_slow_ng_ml):.1f} ng/mL "
                     f"and lags plasma by days. ")
        text += _effect_site_caveat(res.model)
        if r["overlap"]:
            text += "Each infusion is longer than the interval, so infusions overlap and their rates add. "
        return text.strip()


class RouteComparison(Panel):
    """One dose by each route: bioavailability and absorption shape the curve."""

    name = "route_comparison"
    title = "One dose, five routes"
    window_h = 8.0

    def make_controls(self):
        return {
            "dose_mg": W.FloatSlider(value=35.0, min=5.0, max=200.0, step=5.0, description="Dose (mg)"),
            "model": W.Dropdown(options=_model_options(), value="fanta_2015", description="Model",
                                layout=W.Layout(width="430px")),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig):
        self.ax = ax = fig.add_subplot()
        self.band, self.band_model = None, None
        RegimenExplorer._place_band(self, self.values["model"])
        self.unit = pkplot.time_axis(ax, self.window_h, unit="h")
        self.lines = {r: ax.plot([], [], color=f"C{i}", linestyle=("-", "--", "-.", ":", "-")[i],
                                 label=ROUTE_LABELS[r])[0] for i, r in enumerate(ROUTE_LABELS)}
        ax.set_ylabel("plasma ketamine (ng/mL)")
        ax.legend(loc="upper right")
        self.dynamic = list(self.lines.values())
        _label_on_top(self, self.band[1])

    def compute(self, dose_mg, model, weight_kg):
        t = np.linspace(0.0, self.window_h, N_POINTS)
        return {r: pk.simulate([pk.bolus(dose_mg, route=r)], t, model=model, weight_kg=weight_kg)
                for r in ROUTE_LABELS}

    def static_key(self):
        return self.values["model"]

    def draw(self, results):
        RegimenExplorer._place_band(self, results["iv"].model)
        for r, res in results.items():
            self.lines[r].set_data(res.t_h, res.plasma_ng_ml)
        self.ax.set_ylim(0, nice_ceiling(max(res.peak_ng_ml for res in results.values()), floor=50))

    def describe(self, results):
        iv = results["iv"]
        model = iv.model
        parts = []
        for r, res in results.items():
            f = pk.bioavailability(r, model)
            rel = res.auc_ng_h_per_ml / iv.auc_ng_h_per_ml if iv.auc_ng_h_per_ml > 0 else float("nan")
            tmax = "at once" if r == "iv" else f"at {_fmt_h(res.t_peak_h)}"
            parts.append(f"{ROUTE_LABELS[r]}: F {f:.0%}, peak {res.peak_ng_ml:.0f} ng/mL {tmax}, "
                         f"exposure over 8 h {rel:.0%} of IV")
        return (f"{self.values['dose_mg']:.0f} mg of {_drug(model)} ({_model_label(model)}). "
                + "; ".join(parts) + ". Lower bioavailability and slower absorption flatten and delay the peak.")


class ModelComparison(Panel):
    """The same infusion through each published parameter set."""

    name = "model_comparison"
    title = "Same infusion, three published models"

    def make_controls(self):
        return {
            "rate_mg_per_h": W.FloatSlider(value=20.0, min=1.0, max=100.0, step=1.0, description="Rate (mg/h)"),
            "duration_h": log_slider(4.0, 0.25, 336.0, 0.02, readout_format=".3g", description="Duration (h)"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig):
        self.ax = ax = fig.add_subplot()
        band = pkplot.concentration_band(ax, *_analgesic_band("domino"))  # the measured (racemic) band
        self.lines = {m: ax.plot([], [], color=f"C{i}", linestyle=("-", "--", "-.", ":")[i % 4],
                                 label=_model_label(m))[0] for i, m in enumerate(pk.MODELS)}
        self.css = {m: ax.axhline(np.nan, color=f"C{i}", linewidth=1.0, linestyle=":", alpha=0.8)
                    for i, m in enumerate(pk.MODELS)}
        ax.set_ylabel("plasma ketamine (ng/mL)")
        ax.legend(loc="upper right", fontsize="small")
        self.window_h = None
        self.unit = None
        self.dynamic = [*self.lines.values(), *self.css.values()]
        _label_on_top(self, band[1])

    def compute(self, rate_mg_per_h, duration_h, weight_kg):
        window_h = nice_window_h(duration_h, tail_frac=0.5, min_tail_h=1.5)
        t = _time_grid(window_h, [duration_h])
        regimen = [pk.infusion(rate_mg_per_h, duration_h)]
        return {"window_h": window_h, "duration_h": duration_h,
                "results": {m: pk.simulate(regimen, t, model=m, weight_kg=weight_kg) for m in pk.MODELS},
                "css": {m: pk.steady_state_ng_ml(rate_mg_per_h, m, weight_kg) for m in pk.MODELS}}

    def draw(self, r):
        if r["window_h"] != self.window_h:
            self.unit = pkplot.time_axis(self.ax, r["window_h"])
            self.window_h = r["window_h"]
        per = pkplot.TIME_UNITS[self.unit][1]
        for m, res in r["results"].items():
            self.lines[m].set_data(res.t_h / per, res.plasma_ng_ml)
            self.css[m].set_ydata([r["css"][m], r["css"][m]])
        top = max(max(res.peak_ng_ml for res in r["results"].values()), max(r["css"].values()))
        self.ax.set_ylim(0, nice_ceiling(top, floor=50))

    def describe(self, r):
        d = r["duration_h"]
        parts = []
        for m, res in r["results"].items():
            c_end = float(np.interp(d, res.t_h, res.plasma_ng_ml))
            parts.append(f"{_model_label(m)} {c_end:.0f} ng/mL at the end (steady state {r['css'][m]:.0f})")
        return (f"{self.values['rate_mg_per_h']:.0f} mg/h for {_fmt_h(d)}: " + "; ".join(parts) +
                ". Dotted lines mark each model's steady state, rate ÷ clearance. The models differ because their "
                "volunteers, sampling sites (arterial or venous) and drug (racemate or S-ketamine) differ. The "
                f"shaded band is the racemic {_analgesic_band('domino')[2].split(' (')[0]}; "
                f"for S-ketamine, about twice as potent, the {_analgesic_band('fanta_2015')[2]}.")


@lru_cache(maxsize=64)
def _decrement_curves(weight_kg: float, decrement: float):
    durations = np.geomspace(1 / 60, 336.0, 80)
    return durations, {m: pk.context_sensitive_half_time_h(durations, model=m, weight_kg=weight_kg,
                                                           decrement=decrement) for m in pk.MODELS}


class DecrementTimes(Panel):
    """Context-sensitive decrement times: how long plasma takes to fall after infusions of any length."""

    name = "decrement_times"
    title = "How fast the drug is gone: context-sensitive decrement times"

    def make_controls(self):
        return {
            "duration_h": log_slider(100.0, 1 / 60, 336.0, 0.02, readout_format=".3g", description="Infusion duration (h)"),
            "decrement": W.Dropdown(options=[("50% (half-time)", 0.5), ("80%", 0.8)], value=0.5,
                                    description="Fall by"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig):
        self.ax = ax = fig.add_subplot()
        ax.set_xscale("log")
        ax.set_xlim(1 / 60, 336)
        ax.set_xlabel("infusion duration (h, log scale)")
        ax.set_ylabel("time to fall after stopping (h)")
        self.curves = {m: ax.plot([], [], color=f"C{i}", linestyle=("-", "--", "-.")[i % 3],
                                  label=_model_label(m))[0] for i, m in enumerate(pk.MODELS)}
        self.marks = {m: ax.plot([], [], "o", color=f"C{i}", markersize=8)[0] for i, m in enumerate(pk.MODELS)}
        self.vline = ax.axvline(100, color="0.4", linewidth=1.0, linestyle=":")
        ax.set_xticks([1 / 60, 0.1, 1, 10, 100], labels=["1 min", "6 min", "1 h", "10 h", "100 h"])
        ax.legend(loc="upper left", fontsize="small")
        self.dynamic = [*self.curves.values(), *self.marks.values(), self.vline]

    def compute(self, duration_h, decrement, weight_kg):
        durations, curves = _decrement_curves(float(weight_kg), float(decrement))
        at = {m: float(pk.context_sensitive_half_time_h(duration_h, model=m, weight_kg=weight_kg,
                                                        decrement=decrement)) for m in pk.MODELS}
        return {"durations": durations, "curves": curves, "at": at, "duration_h": duration_h,
                "decrement": decrement}

    def draw(self, r):
        for m in pk.MODELS:
            self.curves[m].set_data(r["durations"], r["curves"][m])
            self.marks[m].set_data([r["duration_h"]], [r["at"][m]])
        self.vline.set_xdata([r["duration_h"], r["duration_h"]])
        top = max(float(np.max(c)) for c in r["curves"].values())
        self.ax.set_ylim(0, nice_ceiling(top, floor=1))

    def describe(self, r):
        pct = f"{r['decrement']:.0%}"
        parts = [f"{_model_label(m)}: {_fmt_h(r['at'][m])}" for m in pk.MODELS]
        longest = max(float(c[-1]) for c in r["curves"].values())
        return (f"After an infusion of {_fmt_h(r['duration_h'])}, plasma ketamine falls by {pct} within: "
                + "; ".join(parts) + f". Even after 14 days of infusion it takes at most {_fmt_h(longest)}. "
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


def _builder(cls, preset=None, **values):
    def build(look):
        panel = cls(preset, look=look, **values)
        return panel.figure, panel.description
    return build


export.register("pk_regimen_sigtermans_2009", caption="Plasma S-ketamine during and after a 100-h infusion",
                notebook="04_ketamine_pharmacokinetics")(_builder(RegimenExplorer, "sigtermans_2009"))
export.register("pk_regimen_schwartzman_2009", caption="Ten daily 4-h infusions of racemic ketamine",
                notebook="04_ketamine_pharmacokinetics")(_builder(RegimenExplorer, "schwartzman_2009"))
export.register("pk_routes", caption="One 35-mg dose by five routes",
                notebook="04_ketamine_pharmacokinetics")(_builder(RouteComparison))
export.register("pk_models", caption="One infusion through three published models",
                notebook="04_ketamine_pharmacokinetics")(_builder(ModelComparison))
export.register("pk_decrement_times", caption="Context-sensitive half-times after infusions of any length",
                notebook="04_ketamine_pharmacokinetics")(_builder(DecrementTimes))


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


#: Reference keys notebook 04 renders: the PK layer's own sources plus the trials behind the presets.
REFERENCES = tuple(dict.fromkeys(
    list(pk.REFERENCE_KEYS) + ["zanos_2018", "hughes_1992", "niesters_2014_review", "cohen_2018", "bell_2009",
                               "kamp_2020", "sigtermans_2009_anesthesiology"]
    + [p["source"] for p in __import__("helpers.evidence", fromlist=["presets"]).presets("regimen_explorer").values()]))
