"""Panels for notebook 04 (ketamine pharmacokinetics): regimen explorer, routes, models, decrement times.

Wiring only: the numbers come from :mod:`helpers.models.pk` and :mod:`helpers.models.receptor`, the drawing
from :mod:`helpers.plots.pk`. Each ``compute`` solves every distinct regimen once (``pk.solve``) and returns a
small frozen result; ``draw`` and ``describe`` read only that result. Every number a description prints is a
landmark of the exact solution (``Solution.peak``, ``.time_above``, ``.time_to_fall_after``, ``.auc``), never
read off the plotting grid, so it is right for any slider setting.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import ipywidgets as W
import numpy as np

from .. import evidence, vocab
from ..models import pk, receptor
from ..plots import pk as pkplot
from ..plots.scales import nice_ceiling, nice_window_h
from ._base import Panel
from ._widgets import DURATIONS_H, duration_slider, ladder_slider, nice_ladder, preset_values

__all__ = ["RegimenExplorer", "RouteComparison", "ModelComparison", "DecrementTimes", "RegimenResult",
           "RouteResult", "ModelComparisonResult", "DecrementResult", "regimen_explorer", "route_comparison",
           "model_comparison", "decrement_times", "PANELS", "model_table", "REFERENCES"]

N_POINTS = 600
ROUTE_LABELS = {"iv": "IV bolus", "im": "intramuscular", "intranasal": "intranasal",
                "sublingual": "sublingual", "oral": "oral"}
_MODEL_LABELS = {"domino": "Domino (racemic, 3-cpt)", "clements_nimmo_1981": "Clements & Nimmo 1981 (racemic, 2-cpt)",
                 "fanta_2015": "Fanta 2015 + Otto 2021 (S-ketamine, 3-cpt + norket)"}
#: How the descriptions and the plasma legend name each drug. The racemate keeps the figures' wording
#: "ketamine (racemic)" (vocab.drug_label says "racemic ketamine"; switching changes two committed figures).
_DRUG_WORDS = MappingProxyType({vocab.S_KETAMINE: vocab.drug_label(vocab.S_KETAMINE),
                                vocab.RACEMIC: "ketamine (racemic)"})


def _model_options():
    return [(_model_label(k), k) for k in pk.MODELS]


def _model_label(key: str) -> str:
    return _MODEL_LABELS.get(key, f"{key} ({pk.MODELS[key].drug})")


def _drug(key: str) -> str:
    """How the descriptions name the drug of model ``key``."""
    return _DRUG_WORDS[pk.MODELS[key].drug]


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


def _legend_label(label: str) -> str:
    # The legend keeps the band's name and numbers; its "(racemic ÷ 2; our arithmetic)" caveat is said in full in
    # the description (a legend row that long did not fit the presenter figure).
    return label.split(" (racemic ÷")[0]


def _place_band(panel, band) -> None:
    """The analgesic band ``(low, high, label)``; redrawn only when it changes (model of another drug)."""
    if panel.band is not None and band == panel.band_spec:
        return
    if panel.band is not None:
        panel.band.remove()
    low, high, label = band
    panel.band, panel.band_spec = pkplot.concentration_band(panel.ax, low, high, _legend_label(label)), band


def _effect_site_caveat(drug: str) -> str:
    text = ("The effect-site half-lives are cited (Olofsen 2012, Dahan 2011), but each study fitted its own PK "
            "model; putting them on this one is our assumption")
    if drug != pk.EFFECT_SITES_FITTED_TO:
        text += f", and both were fitted to {pk.EFFECT_SITES_FITTED_TO}, not the racemate"
    return text + ". "


# ---- results: what compute hands to draw and describe ----------------------------------------------------------

@dataclass(frozen=True)
class RegimenResult:
    """What the regimen explorer computed for one setting (read by ``draw`` and ``describe``).

    Parameters
    ----------
    curves : PKResult
        Concentrations on the plotting grid.
    regimen : tuple
        The infusions.
    model, model_label, drug, drug_label : str
        Model key and name; its drug and how the text names it.
    weight_kg : float
        Body weight.
    interval_d : float
        Start-to-start interval (days).
    total_mg : float
        Total dose.
    end_h, window_h : float
        End of the last infusion and of the plotted window (h).
    band : tuple
        The analgesic band ``(low, high, label)`` in the model's drug.
    show_biophase, log_y, overlap : bool
        Slow biophase shown; log axis; infusions longer than the interval.
    peak : tuple of float
        ``(t_h, ng/mL)`` of plasma, when first reached.
    above_h : float
        Hours above the band's lower edge.
    c_end : float
        Plasma at the last stop (ng/mL).
    half_fall_h : float
        Hours from the last stop to half that level.
    norketamine_peak : tuple of float or None
        ``(t_h, ng/mL)`` of norketamine, None without it.
    biophase_peak : tuple of float or None
        ``(t_h, ng/mL)`` of the slow biophase after the last stop (when shown).
    biophase_max : float or None
        Its highest level over the whole course.
    biophase_half_h : float or None
        When (h) it is down to half its level after the last stop.
    """

    curves: pk.PKResult
    regimen: tuple
    model: str
    model_label: str
    drug: str
    drug_label: str
    weight_kg: float
    interval_d: float
    total_mg: float
    end_h: float
    window_h: float
    band: tuple
    show_biophase: bool
    log_y: bool
    overlap: bool
    peak: tuple
    above_h: float
    c_end: float
    half_fall_h: float
    norketamine_peak: tuple | None
    biophase_peak: tuple | None = None
    biophase_max: float | None = None
    biophase_half_h: float | None = None

    @property
    def spans(self) -> tuple:
        """(start_h, end_h) of each infusion."""
        return tuple((e.start_h, e.end_h) for e in self.regimen)


@dataclass(frozen=True)
class RouteResult:
    """One dose by each route (read by ``draw`` and ``describe``).

    Parameters
    ----------
    model, model_label, drug, drug_label : str
        Model key and name; its drug and how the text names it.
    dose_mg : float
        The dose.
    band : tuple
        The analgesic band ``(low, high, label)`` in the model's drug.
    curves : Mapping
        Route -> PKResult on the plotting grid.
    peaks : Mapping
        Route -> ``(t_h, ng/mL)`` of plasma.
    auc_8h : Mapping
        Route -> exact plasma AUC over the window (ng·h/mL).
    bioavailability : Mapping
        Route -> F for the model's drug.
    norketamine_ratio : Mapping or None
        Route -> norketamine/ketamine AUC ratio; None for models without norketamine.
    measured_ratio : tuple
        ``(route, ratio)`` pairs measured with the model's drug.
    """

    model: str
    model_label: str
    drug: str
    drug_label: str
    dose_mg: float
    band: tuple
    curves: Mapping
    peaks: Mapping
    auc_8h: Mapping
    bioavailability: Mapping
    norketamine_ratio: Mapping | None
    measured_ratio: tuple


@dataclass(frozen=True)
class ModelComparisonResult:
    """One infusion through every model (read by ``draw`` and ``describe``).

    Parameters
    ----------
    rate_mg_per_h, duration_h, window_h : float
        The infusion and the plotted window (h).
    curves : Mapping
        Model -> PKResult on the plotting grid.
    c_end : Mapping
        Model -> plasma at the stop (ng/mL).
    css : Mapping
        Model -> steady state rate / CL (ng/mL).
    labels : Mapping
        Model -> its name.
    racemic_band_label, s_ketamine_band_label : str
        Labels of the analgesic band for each drug.
    """

    rate_mg_per_h: float
    duration_h: float
    window_h: float
    curves: Mapping
    c_end: Mapping
    css: Mapping
    labels: Mapping
    racemic_band_label: str
    s_ketamine_band_label: str


@dataclass(frozen=True)
class DecrementResult:
    """Decrement times against infusion length for every model (read by ``draw`` and ``describe``).

    Parameters
    ----------
    durations : numpy.ndarray
        Infusion lengths (h) of the curves.
    curves : Mapping
        Model -> decrement times (h) at ``durations``.
    at : Mapping
        Model -> decrement time (h) at ``duration_h``.
    duration_h, decrement : float
        The chosen infusion length (h) and fall (fraction).
    labels : Mapping
        Model -> its name.
    """

    durations: np.ndarray
    curves: Mapping
    at: Mapping
    duration_h: float
    decrement: float
    labels: Mapping


# ---- panels ----------------------------------------------------------------------------------------------------

class RegimenExplorer(Panel):
    """Plasma (and effect-site) ketamine for repeated constant-rate IV infusions.

    Parameters
    ----------
    preset : str or None
        A key of the ``regimen_explorer`` presets (published regimens).
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "regimen_explorer"
    title = "Concentration-time course for an infusion regimen"

    def make_controls(self) -> dict:
        """Model, rate, infusion length, number and interval, weight, biophase and log-axis switches.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "model": W.Dropdown(options=_model_options(), value="fanta_2015", description="Model",
                                layout=W.Layout(width="430px")),
            # A ladder, not a log grid: every preset's published rate (Noppers 70, Schwartzman 24.5, Kiefer 280
            # mg/h) is a stop, so the slider shows the rate the model runs with.
            "rate_mg_per_h": ladder_slider(20.0, nice_ladder(1.0, 400.0, preset_values(self.name, "rate_mg_per_h")),
                                           "Rate (mg/h)"),
            "session_h": duration_slider(100.0, "Each infusion"),
            "sessions": W.IntSlider(value=1, min=1, max=14, description="Number of infusions"),
            "interval_d": W.FloatSlider(value=1.0, min=0.5, max=28.0, step=0.5,
                                        description="Start-to-start interval (days)"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
            "biophase": W.Checkbox(value=False,
                                   description=f"Show slow biophase (t½ {pk.SLOW_EFFECT_T_HALF_DAYS:g} d)"),
            "log_y": W.Checkbox(value=False, description="Log concentration axis"),
        }

    def setup(self, fig) -> None:
        """Make the band, the concentration lines and the dosing strip.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        self.band, self.band_spec = None, None
        _place_band(self, _analgesic_band(self.values["model"]))
        self.lines = pkplot.concentration_lines(ax, norketamine=True, effect_fast=True, effect_slow=True,
                                                effect_fast_t_half_min=pk.FAST_EFFECT_T_HALF_MIN,
                                                effect_slow_t_half_days=pk.SLOW_EFFECT_T_HALF_DAYS)
        self.bars = pkplot.dosing_bars(ax)
        self.unit = None
        self.window_h = None
        self.dynamic = [*self.lines.values(), self.bars]

    def compute(self, model, rate_mg_per_h, session_h, sessions, interval_d, weight_kg, biophase,
                log_y) -> RegimenResult:
        """Solve the regimen once; its curves on a plotting grid and its exact landmarks.

        Parameters
        ----------
        model : str
            A key of ``pk.MODELS``.
        rate_mg_per_h : float
            Infusion rate.
        session_h : float
            Length of each infusion (h).
        sessions : int
            Number of infusions.
        interval_d : float
            Start-to-start interval (days).
        weight_kg : float
            Body weight.
        biophase : bool
            Whether the slow biophase is shown and described.
        log_y : bool
            Log concentration axis.

        Returns
        -------
        RegimenResult
            Everything ``draw`` and ``describe`` read.
        """
        interval_h = interval_d * 24.0
        regimen = pk.repeat(pk.infusion(rate_mg_per_h, session_h), every_h=interval_h, times=sessions)
        sol = pk.solve(regimen, model=model, weight_kg=weight_kg)
        end_h = sol.end_h
        window_h = nice_window_h(end_h, tail_frac=0.5, min_tail_h=1.5)
        band = _analgesic_band(model)
        bio = {}
        if biophase:
            # after the last stop: the slow site rises until falling plasma meets it, then decays
            t_bio, c_bio = sol.peak("effect_slow", from_h=end_h)
            bio = {"biophase_peak": (t_bio, c_bio), "biophase_max": sol.peak("effect_slow")[1],
                   "biophase_half_h": t_bio + sol.time_to_fall_after(t_bio, 0.5, which="effect_slow")}
        return RegimenResult(
            curves=sol.at(sol.grid(window_h, n=N_POINTS)), regimen=sol.regimen, model=sol.model,
            model_label=_model_label(model), drug=sol.drug, drug_label=_drug(model), weight_kg=sol.weight_kg,
            interval_d=interval_d, total_mg=sol.total_dose_mg, end_h=end_h, window_h=window_h, band=band,
            show_biophase=biophase, log_y=log_y, overlap=session_h > interval_h and sessions > 1,
            peak=sol.peak(), above_h=sol.time_above(band[0]), c_end=float(sol.at([end_h]).plasma_ng_ml[0]),
            half_fall_h=sol.time_to_fall_after(end_h, 0.5),
            norketamine_peak=sol.peak("norketamine") if sol.has_norketamine else None, **bio)

    def static_key(self):
        """What the cached background depends on besides the axes limits.

        Returns
        -------
        tuple
            The model and whether the biophase is shown.
        """
        return (self.values["model"], self.values["biophase"])

    def draw(self, result: RegimenResult) -> None:
        """Update the curves, the dosing strip, the band and the axes in place.

        Parameters
        ----------
        result : RegimenResult
            What ``compute`` returned.
        """
        r = result
        ax = self.ax
        _place_band(self, r.band)
        if r.window_h != self.window_h:
            self.unit = pkplot.time_axis(ax, r.window_h)
            self.window_h = r.window_h
        pkplot.update_concentration(self.lines, r.curves, self.unit)
        self.lines["effect_slow"].set_visible(r.show_biophase)
        pkplot.update_dosing_bars(self.bars, r.spans, self.unit)
        # With one infusion the start-to-start interval changes nothing: greyed out, so nobody drags it in vain.
        self.controls["interval_d"].disabled = len(r.spans) < 2
        nk = r.norketamine_peak[1] if r.norketamine_peak is not None else 0.0
        top = nice_ceiling(max(r.peak[1], nk, 200.0))
        if r.log_y:
            ax.set_yscale("log")
            ax.set_ylim(1.0, top)
        else:
            ax.set_yscale("linear")
            ax.set_ylim(0.0, top)
        self.lines["plasma"].set_label(f"plasma {r.drug_label}")
        handles = [ln for ln in self.lines.values() if ln.get_visible()] + [self.bars, self.band]
        pkplot.legend(ax, handles, small=True)

    def describe(self, result: RegimenResult) -> str:
        """The live text: schedule, peak, time above the band, half-fall, norketamine, slow biophase, caveats.

        Parameters
        ----------
        result : RegimenResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        r = result
        lo, _hi, band_label = r.band
        n = len(r.regimen)
        first = r.regimen[0]
        sched = (f"{n} infusion{'s' if n > 1 else ''} of {_fmt_h(first.duration_h)} at {first.rate_mg_per_h:.3g} "
                 f"mg/h" + (f", starting every {r.interval_d:g} days" if n > 1 else ""))
        t_peak, c_peak = r.peak
        text = (f"{r.model_label}, {r.weight_kg:.0f} kg: {sched} ({r.total_mg:.0f} mg in all). "
                f"Peak plasma {r.drug_label} {c_peak:.0f} ng/mL, first reached at {_fmt_h(t_peak)}; "
                f"{_fmt_h(r.above_h)} spent above {lo:.0f} ng/mL in all, the lower edge of the shaded "
                f"{band_label}. ")
        if math.isfinite(r.half_fall_h):
            text += (f"After the last infusion stops, plasma falls to half its end-of-infusion level "
                     f"({r.c_end:.0f} ng/mL) within {_fmt_h(r.half_fall_h)}. ")
        if r.norketamine_peak is not None:
            text += (f"Norketamine peaks at {r.norketamine_peak[1]:.0f} ng/mL at "
                     f"{_fmt_h(r.norketamine_peak[0])}. ")
        if r.biophase_peak is not None:
            t_bio, c_bio = r.biophase_peak
            end = r.end_h
            site = f"the slow biophase (t½ {pk.SLOW_EFFECT_T_HALF_DAYS:g} days, Dahan 2011)"
            if t_bio - end > 1e-6:
                text += (f"After the last infusion stops, {site} still rises for {_fmt_h(t_bio - end)}, until "
                         f"falling plasma meets it, to {c_bio:.1f} ng/mL; then it decays, with about that half-life")
            else:
                text += (f"When the last infusion stops, {site} ({c_bio:.1f} ng/mL) is already above plasma and "
                         f"decays, with about that half-life")
            half = r.biophase_half_h
            text += (f": it is down to half that level {_fmt_h(half - end)} after the stop. "
                     if math.isfinite(half) else ". ")
            if r.biophase_max > c_bio * 1.001:
                text += f"(Its highest level, {r.biophase_max:.1f} ng/mL, came after an earlier infusion.) "
        text += _effect_site_caveat(r.drug)
        if r.overlap:
            text += "Each infusion is longer than the interval, so infusions overlap and their rates add. "
        return text.strip()


class RouteComparison(Panel):
    """One dose by each route: bioavailability and absorption shape the curve; norketamine by route in the text.

    Parameters
    ----------
    preset : str or None
        A key of the ``route_comparison`` presets.
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "route_comparison"
    title = "One dose, five routes"
    window_h = 8.0

    def make_controls(self) -> dict:
        """Dose, model and weight.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "dose_mg": W.FloatSlider(value=35.0, min=5.0, max=200.0, step=0.5, description="Dose (mg)"),
            "model": W.Dropdown(options=_model_options(), value="fanta_2015", description="Model",
                                layout=W.Layout(width="430px")),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig) -> None:
        """Make the band and one line per route.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        self.band, self.band_spec = None, None
        _place_band(self, _analgesic_band(self.values["model"]))
        self.unit = pkplot.time_axis(ax, self.window_h, unit="h")
        self.lines = pkplot.comparison_lines(ax, ROUTE_LABELS)
        pkplot.plasma_axis(ax)
        pkplot.legend(ax, small=True)
        self.dynamic = list(self.lines.values())

    def compute(self, dose_mg, model, weight_kg) -> RouteResult:
        """Solve the dose once per route: curves, peaks, 8-h exposure; F and norketamine ratios by route.

        Parameters
        ----------
        dose_mg : float
            The dose.
        model : str
            A key of ``pk.MODELS``.
        weight_kg : float
            Body weight.

        Returns
        -------
        RouteResult
            Everything ``draw`` and ``describe`` read.
        """
        t = np.linspace(0.0, self.window_h, N_POINTS)
        sols = {r: pk.solve(pk.bolus(dose_mg, route=r), model=model, weight_kg=weight_kg) for r in ROUTE_LABELS}
        drug = pk.MODELS[model].drug
        ratio = None
        if pk.MODELS[model].norketamine is not None:
            ratio = MappingProxyType({r: pk.norketamine_auc_ratio(r, model=model, weight_kg=weight_kg)
                                      for r in ROUTE_LABELS})
        return RouteResult(
            model=model, model_label=_model_label(model), drug=drug, drug_label=_drug(model), dose_mg=dose_mg,
            band=_analgesic_band(model),
            curves=MappingProxyType({r: s.at(t) for r, s in sols.items()}),
            peaks=MappingProxyType({r: s.peak() for r, s in sols.items()}),
            auc_8h=MappingProxyType({r: s.auc(until_h=self.window_h) for r, s in sols.items()}),
            bioavailability=MappingProxyType({r: pk.bioavailability(r, model=model) for r in ROUTE_LABELS}),
            norketamine_ratio=ratio,
            measured_ratio=tuple((k, val[0]) for k, val in pk.MEASURED_NORKETAMINE_AUC_RATIO.items()
                                 if val[1] == drug))

    def static_key(self):
        """What the cached background depends on besides the axes limits.

        Returns
        -------
        str
            The model (it sets the band).
        """
        return self.values["model"]

    def draw(self, result: RouteResult) -> None:
        """Update the route curves, the band and the y range in place.

        Parameters
        ----------
        result : RouteResult
            What ``compute`` returned.
        """
        _place_band(self, result.band)
        pkplot.update_lines(self.lines, {k: (res.t_h, res.plasma_ng_ml) for k, res in result.curves.items()})
        self.ax.set_ylim(0, nice_ceiling(max(c for _t, c in result.peaks.values()), floor=50))

    def describe(self, result: RouteResult) -> str:
        """The live text: F, peak and 8-h exposure by route, and norketamine by route.

        Parameters
        ----------
        result : RouteResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        r = result
        iv_auc = r.auc_8h["iv"]
        parts = []
        for route in ROUTE_LABELS:
            f = r.bioavailability[route]
            t_peak, c_peak = r.peaks[route]
            rel = r.auc_8h[route] / iv_auc
            tmax = "at once" if route == "iv" else f"at {_fmt_h(t_peak)}"
            parts.append(f"{ROUTE_LABELS[route]}: F {f:.0%}, peak {c_peak:.0f} ng/mL {tmax}, "
                         f"exposure over 8 h {rel:.0%} of IV")
        text = (f"{r.dose_mg:g} mg of {r.drug_label} ({r.model_label}). " + "; ".join(parts)
                + ". Lower bioavailability and slower absorption flatten and delay the peak. ")
        if r.norketamine_ratio is None:
            text += ("This racemic model has no norketamine compartment, so it gives no norketamine; switch to "
                     "the S-ketamine model to compare norketamine by route.")
        else:
            text += ("Norketamine/ketamine exposure (AUC to infinity, model): "
                     + ", ".join(f"{ROUTE_LABELS[k]} {x:.1f}" for k, x in r.norketamine_ratio.items())
                     + ". The non-absorbed part of a swallowed or mucosal dose is sent to norketamine (assumed), "
                       "so the lower the bioavailability, the higher the ratio.")
            for k, value in r.measured_ratio:
                text += f" Measured after {k} S-ketamine: {value:g} (Fanta 2015)."
        return text.strip()


class ModelComparison(Panel):
    """The same infusion through each published parameter set.

    Parameters
    ----------
    preset : str or None
        A key of the ``model_comparison`` presets.
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "model_comparison"
    title = "Same infusion, three published models"

    def make_controls(self) -> dict:
        """Rate, duration and weight.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "rate_mg_per_h": W.FloatSlider(value=20.0, min=1.0, max=100.0, step=0.5, description="Rate (mg/h)"),
            "duration_h": duration_slider(4.0, "Duration"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig) -> None:
        """Make the (racemic) band, one line per model and the steady-state levels.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        low, high, label = _analgesic_band("domino")  # the measured (racemic) band
        pkplot.concentration_band(ax, low, high, _legend_label(label))
        self.lines = pkplot.comparison_lines(ax, {m: _model_label(m) for m in pk.MODELS})
        self.css = pkplot.steady_state_lines(ax, pk.MODELS)
        pkplot.plasma_axis(ax)
        pkplot.legend(ax, small=True)
        self.window_h = None
        self.unit = None
        self.dynamic = [*self.lines.values(), *self.css.values()]

    def compute(self, rate_mg_per_h, duration_h, weight_kg) -> ModelComparisonResult:
        """Solve the infusion once per model: curves, the level at the stop, and rate ÷ clearance.

        Parameters
        ----------
        rate_mg_per_h : float
            Infusion rate.
        duration_h : float
            Infusion length (h).
        weight_kg : float
            Body weight.

        Returns
        -------
        ModelComparisonResult
            Everything ``draw`` and ``describe`` read.
        """
        window_h = nice_window_h(duration_h, tail_frac=0.5, min_tail_h=1.5)
        regimen = pk.infusion(rate_mg_per_h, duration_h)
        sols = {m: pk.solve(regimen, model=m, weight_kg=weight_kg) for m in pk.MODELS}
        t = next(iter(sols.values())).grid(window_h, n=N_POINTS)
        curves = {m: s.at(t) for m, s in sols.items()}
        return ModelComparisonResult(
            rate_mg_per_h=rate_mg_per_h, duration_h=duration_h, window_h=window_h,
            curves=MappingProxyType(curves),
            c_end=MappingProxyType({m: float(np.interp(duration_h, res.t_h, res.plasma_ng_ml))
                                    for m, res in curves.items()}),
            css=MappingProxyType({m: pk.steady_state_ng_ml(rate_mg_per_h, model=m, weight_kg=weight_kg)
                                  for m in pk.MODELS}),
            labels=MappingProxyType({m: _model_label(m) for m in pk.MODELS}),
            racemic_band_label=_analgesic_band("domino")[2], s_ketamine_band_label=_analgesic_band("fanta_2015")[2])

    def draw(self, result: ModelComparisonResult) -> None:
        """Update the model curves, the steady-state levels and the axes in place.

        Parameters
        ----------
        result : ModelComparisonResult
            What ``compute`` returned.
        """
        r = result
        if r.window_h != self.window_h:
            self.unit = pkplot.time_axis(self.ax, r.window_h)
            self.window_h = r.window_h
        per = pkplot.TIME_UNITS[self.unit][1]
        pkplot.update_lines(self.lines, {m: (res.t_h / per, res.plasma_ng_ml) for m, res in r.curves.items()})
        pkplot.update_levels(self.css, r.css)
        top = max(max(r.c_end.values()), max(r.css.values()))  # plasma peaks at the end of an infusion
        self.ax.set_ylim(0, nice_ceiling(top, floor=50))

    def describe(self, result: ModelComparisonResult) -> str:
        """The live text: each model's level at the stop and its steady state.

        Parameters
        ----------
        result : ModelComparisonResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        r = result
        parts = [f"{r.labels[m]} {r.c_end[m]:.0f} ng/mL at the end (steady state {r.css[m]:.0f})" for m in r.curves]
        return (f"{r.rate_mg_per_h:g} mg/h for {_fmt_h(r.duration_h)}: " + "; ".join(parts) +
                ". Dotted lines mark each model's steady state, rate ÷ clearance. The models differ because each "
                "was fitted in different people, with a different drug (racemate or S-ketamine) and sampling "
                "(Fanta's model: venous blood). The "
                f"shaded band is the racemic {r.racemic_band_label.split(' (')[0]}; "
                f"for S-ketamine, about twice as potent, the {r.s_ketamine_band_label}.")


#: The decrement curves run from a 1-min infusion to the duration slider's longest (14 days).
_SHORTEST_H, _LONGEST_H = 1 / 60, DURATIONS_H[-1]


@lru_cache(maxsize=64)
def _decrement_curves(weight_kg: float, decrement: float):
    durations = np.geomspace(_SHORTEST_H, _LONGEST_H, 80)
    return durations, {m: pk.context_sensitive_half_time_h(durations, model=m, weight_kg=weight_kg,
                                                           decrement=decrement) for m in pk.MODELS}


class DecrementTimes(Panel):
    """Context-sensitive decrement times: how long plasma takes to fall after infusions of any length.

    Parameters
    ----------
    preset : str or None
        A key of the ``decrement_times`` presets.
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "decrement_times"
    title = "How fast the drug is gone: context-sensitive decrement times"

    def make_controls(self) -> dict:
        """Infusion duration, fall (50 % or 80 %) and weight.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "duration_h": duration_slider(100.0, "Infusion duration"),
            "decrement": W.Dropdown(options=[("50% (half-time)", 0.5), ("80%", 0.8)], value=0.5,
                                    description="Fall by"),
            "weight_kg": W.FloatSlider(value=70.0, min=40.0, max=150.0, step=1.0, description="Weight (kg)"),
        }

    def setup(self, fig) -> None:
        """Make one curve and one marker per model, and the duration marker.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        self.curves = {}
        for i, m in enumerate(pk.MODELS):
            colour, style = pkplot.series_style(i)
            self.curves[m] = pkplot.decrement_curve(ax, [], [], label=_model_label(m), color=colour, linestyle=style)
        pkplot.decrement_axes(ax, _SHORTEST_H, _LONGEST_H)
        self.marks = pkplot.decrement_markers(ax, pk.MODELS)
        self.vline = pkplot.duration_marker(ax, self.values["duration_h"])
        pkplot.legend(ax, small=True)
        self.dynamic = [*self.curves.values(), *self.marks.values(), self.vline]

    def compute(self, duration_h, decrement, weight_kg) -> DecrementResult:
        """Decrement-time curves of every model (cached per weight and fall) and their values at one duration.

        Parameters
        ----------
        duration_h : float
            The chosen infusion length (h).
        decrement : float
            The fall, as a fraction (0.5 or 0.8).
        weight_kg : float
            Body weight.

        Returns
        -------
        DecrementResult
            Everything ``draw`` and ``describe`` read.
        """
        durations, curves = _decrement_curves(float(weight_kg), float(decrement))
        at = {m: float(pk.context_sensitive_half_time_h(duration_h, model=m, weight_kg=weight_kg,
                                                        decrement=decrement)) for m in pk.MODELS}
        return DecrementResult(durations=durations, curves=MappingProxyType(curves), at=MappingProxyType(at),
                               duration_h=duration_h, decrement=decrement,
                               labels=MappingProxyType({m: _model_label(m) for m in pk.MODELS}))

    def draw(self, result: DecrementResult) -> None:
        """Update the curves, the markers and the y range in place.

        Parameters
        ----------
        result : DecrementResult
            What ``compute`` returned.
        """
        r = result
        pkplot.update_lines(self.curves, {m: (r.durations, r.curves[m]) for m in r.curves})
        pkplot.update_decrement_markers(self.marks, self.vline, r.duration_h, r.at)
        top = max(float(np.max(c)) for c in r.curves.values())
        self.ax.set_ylim(0, nice_ceiling(top, floor=1))

    def describe(self, result: DecrementResult) -> str:
        """The live text: each model's decrement time at the chosen duration, and the longest there is.

        Parameters
        ----------
        result : DecrementResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        r = result
        pct = f"{r.decrement:.0%}"
        parts = [f"{r.labels[m]}: {_fmt_h(r.at[m])}" for m in r.curves]
        longest = max(float(c[-1]) for c in r.curves.values())
        return (f"After an infusion of {_fmt_h(r.duration_h)}, plasma ketamine falls by {pct} within: "
                + "; ".join(parts)
                + f". Even after {_LONGEST_H / 24:g} days of infusion it takes at most {_fmt_h(longest)}. "
                "The drug is gone within hours to a day, yet relief after 4–14-day infusions lasts weeks: "
                "something slower than plasma kinetics must carry it (notebook 05).")


def regimen_explorer(preset: str | None = "sigtermans_2009", **values) -> RegimenExplorer:
    """Concentration–time course for repeated infusions, opening on the Sigtermans 2009 100-h infusion.

    Parameters
    ----------
    preset : str or None
        A key of the ``regimen_explorer`` presets (published regimens), or None for the controls' defaults.
    **values
        Control values that override the preset.

    Returns
    -------
    RegimenExplorer
        The panel; display it in a notebook cell, or drive it with ``.set(...)``.
    """
    return RegimenExplorer(preset, **values)


def route_comparison(preset: str | None = None, **values) -> RouteComparison:
    """One dose by five routes: bioavailability, absorption and norketamine.

    Parameters
    ----------
    preset : str or None
        A key of the ``route_comparison`` presets, or None for the controls' defaults (35 mg, Fanta 2015).
    **values
        Control values that override the preset.

    Returns
    -------
    RouteComparison
        The panel; display it in a notebook cell, or drive it with ``.set(...)``.
    """
    return RouteComparison(preset, **values)


def model_comparison(preset: str | None = None, **values) -> ModelComparison:
    """One infusion through the three published parameter sets.

    Parameters
    ----------
    preset : str or None
        A key of the ``model_comparison`` presets, or None for the controls' defaults.
    **values
        Control values that override the preset.

    Returns
    -------
    ModelComparison
        The panel; display it in a notebook cell, or drive it with ``.set(...)``.
    """
    return ModelComparison(preset, **values)


def decrement_times(preset: str | None = None, **values) -> DecrementTimes:
    """Context-sensitive decrement times after infusions of any length, for every model.

    Parameters
    ----------
    preset : str or None
        A key of the ``decrement_times`` presets, or None for the controls' defaults (100 h, 50 %).
    **values
        Control values that override the preset.

    Returns
    -------
    DecrementTimes
        The panel; display it in a notebook cell, or drive it with ``.set(...)``.
    """
    return DecrementTimes(preset, **values)


PANELS = {"regimen_explorer": RegimenExplorer, "route_comparison": RouteComparison,
          "model_comparison": ModelComparison, "decrement_times": DecrementTimes}


def model_table(weight_kg: float = 70.0) -> str:
    """A Markdown table of the published parameter sets: drug, clearance, half-lives, source, evidence label.

    Parameters
    ----------
    weight_kg : float
        Body weight the clearances and half-lives are given at.

    Returns
    -------
    str
        The table, one row per model.
    """
    rows = ["| model | drug | compartments | clearance (L/h) | half-lives | source | evidence |",
            "|---|---|---|---|---|---|---|"]
    for key, m in pk.MODELS.items():
        halves = pk.half_lives_min(key, weight_kg=weight_kg)
        shown = ", ".join(_fmt_h(h / 60.0) for h in halves)
        rows.append(f"| {_model_label(key)} | {m.drug} | {len(halves)} | "
                    f"{pk.clearance_l_per_h(key, weight_kg=weight_kg):.0f} | {shown} | {m.source} | {m.evidence} |")
    return "\n".join(rows)


#: Reference keys notebook 04 renders: the PK layer's own sources plus the trials behind every panel's presets.
REFERENCES = tuple(dict.fromkeys(
    list(pk.REFERENCE_KEYS) + ["zanos_2018", "hughes_1992", "niesters_2014_review", "cohen_2018", "bell_2009",
                               "kamp_2020", "sigtermans_2009_anesthesiology"]
    + [p["source"] for name in PANELS for p in evidence.presets(name).values()]))
