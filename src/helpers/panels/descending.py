"""Panels for notebook 03 (descending inhibition): the CPM experiment and the inhibition/facilitation balance.

Wiring only: the science (and every number) is in :mod:`helpers.models.descending`, the drawing in
:mod:`helpers.plots.descending`.
"""
from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as W
import numpy as np

from ..models import descending as model
from ..plots import descending as plot
from ._base import Panel

__all__ = ["CPMExperiment", "Balance", "cpm_experiment", "balance", "PANELS", "REFERENCES"]

_K_GRID = np.linspace(0.0, 1.0, 41)

#: The references notebook 03 lists (keys in ``data/references``).
REFERENCES = ["niesters_2011", "niesters_2013", "niesters_2014_review", "niesters_2014_thesis", "eide_1994",
              "granovsky_2022", "yarnitsky_2015", "ilkjaer_1996", "sigtermans_2009_anesthesiology", "olofsen_2012",
              "dahan_2011"]
_SETTING_OPTIONS = [(model.SETTING_LABELS[s], s) for s in model.SETTINGS]


def _slider(value, description, step=0.01):
    return W.FloatSlider(value=value, min=0.0, max=1.0, step=step, description=description,
                         readout_format=".2f", continuous_update=True, layout=W.Layout(width="340px"))


def _controls():
    state = model.DEFAULT_STATES["healthy"]
    return {
        "setting": W.Dropdown(options=_SETTING_OPTIONS, value="healthy", description="setting",
                              layout=W.Layout(width="340px")),
        "inhibition": _slider(state.inhibition, "inhibition recruited (0–1)"),
        "facilitation": _slider(state.facilitation, "facilitation recruited (0–1)"),
        "ketamine": _slider(1.0, "ketamine effect level (0–1)", step=0.05),
    }


def _verb(change):
    if change < -model.CPM_TOLERANCE_POINTS / 2:
        return "strengthened"
    if change > model.CPM_TOLERANCE_POINTS / 2:
        return "weakened"
    return "hardly changed"


def _describe_cpm(c) -> str:
    """Shared wording for both panels (numbers from the model result ``c``)."""
    label = model.SETTING_LABELS[c.setting]
    label = label[0].upper() + label[1:]
    h = c.hypothesis
    return (
        f"{label}: the test stimulus alone hurts {c.pain_alone:.1f}/10. During the conditioning "
        f"stimulus it hurts {c.pain_during_no_ketamine:.1f}/10 without ketamine, a CPM effect of "
        f"{c.cpm_no_ketamine:+.1f} points ({c.cpm_no_ketamine_pct:+.0f} %, "
        f"{model.classify_cpm(c.cpm_no_ketamine)}; negative = inhibition), and {c.pain_during:.1f}/10 with "
        f"ketamine at effect level {c.ketamine:.2f}, a CPM effect of {c.cpm:+.1f} points ({c.cpm_pct:+.0f} %, "
        f"{model.classify_cpm(c.cpm)}). Ketamine {_verb(c.change)} CPM by {abs(c.change):.1f} points in this "
        f"setting (literature direction: {h.direction_source}). Hypothesis in the model: ketamine "
        f"{h.mechanism}. Directions are from the literature; all magnitudes are illustrative, because no "
        f"published model of ketamine on CPM was found.")


# ---------------------------------------------------------------------------------------------------------------
class CPMExperiment(Panel):
    """Test-stimulus pain alone and during a conditioning stimulus, without and with ketamine."""

    name = "cpm_experiment"
    title = "Conditioned pain modulation (CPM) and ketamine"
    wide = ("setting",)

    def make_controls(self):
        return _controls()

    def compute(self, setting, inhibition, facilitation, ketamine):
        other = next(s for s in model.SETTINGS if s != setting)
        state = model.DEFAULT_STATES[other]
        return SimpleNamespace(
            cpm=model.cpm_experiment(setting, inhibition, facilitation, ketamine),
            k_grid=_K_GRID,
            cpm_grid=model.cpm_effect(setting, inhibition, facilitation, _K_GRID),
            other=other,
            other_grid=model.cpm_effect(other, state.inhibition, state.facilitation, _K_GRID),
        )

    @staticmethod
    def _labels(result):
        return f"{result.cpm.setting} (sliders)", f"{result.other} (default)"

    def _legend(self, setting):
        """The legend names the settings: rebuilt only when the setting changes (then the background is too)."""
        if getattr(self, "_legend_setting", None) != setting:
            leg = self.ax_curve.legend(loc="upper left", fontsize="small", frameon=True, framealpha=1.0,
                                       edgecolor="none")
            leg.set_in_layout(False)
            self._legend_setting = setting

    def setup(self, fig):
        gs = fig.add_gridspec(1, 2, width_ratios=[1.45, 1.0])
        self.ax_bars, self.ax_curve = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        first = self.compute(**self.values)
        self.bars = plot.cpm_bars(self.ax_bars, first.cpm)
        mine, theirs = self._labels(first)
        self.curve = plot.cpm_vs_ketamine(self.ax_curve, first.k_grid, first.cpm_grid, first.cpm.ketamine,
                                          first.cpm.cpm, label=mine, other=(first.k_grid, first.other_grid, theirs))
        self._legend_setting = None
        self._legend(first.cpm.setting)
        self.dynamic = (list(self.bars["alone"]) + list(self.bars["during"]) + self.bars["values"]
                        + self.bars["cpm"] + [self.curve["other"], self.curve["line"], self.curve["dot"]])

    def static_key(self):
        return self.values["setting"]  # the legend names the settings

    def draw(self, result):
        plot.update_cpm_bars(self.bars, result.cpm)
        mine, theirs = self._labels(result)
        plot.update_cpm_vs_ketamine(self.curve, result.k_grid, result.cpm_grid, result.cpm.ketamine,
                                    result.cpm.cpm, label=mine, other=(result.k_grid, result.other_grid, theirs))
        self._legend(result.cpm.setting)

    def describe(self, result):
        return _describe_cpm(result.cpm)


class Balance(Panel):
    """The inhibition/facilitation balance and what it does to the stimulus-response curve."""

    name = "balance"
    title = "Descending inhibition vs facilitation: the balance and the stimulus–response curve"
    wide = ("setting",)

    def make_controls(self):
        return _controls()

    def compute(self, setting, inhibition, facilitation, ketamine):
        return model.stimulus_response(setting, inhibition, facilitation, ketamine)

    def setup(self, fig):
        gs = fig.add_gridspec(1, 2, width_ratios=[1.5, 1.0])
        self.ax_sr, self.ax_bal = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        first = self.compute(**self.values)
        self.sr = plot.stimulus_response(self.ax_sr, first)
        self.ax_sr.legend(loc="lower right", fontsize="small", frameon=True, framealpha=1.0, edgecolor="none")
        self.bal = plot.balance(self.ax_bal, self._rows(first))
        self.ax_bal.legend(loc="upper center", ncols=1, fontsize="small", frameon=True, framealpha=1.0, edgecolor="none")
        self.dynamic = ([self.sr["during"], self.sr["ketamine"], self.sr["dots"]] + self.bal["inhibition"]
                        + self.bal["facilitation"] + [self.bal["net"]])

    @staticmethod
    def _rows(sr):
        c = sr.cpm
        return [(c.inhibition, c.facilitation, model.gain_change(c.inhibition, c.facilitation)),
                (c.inhibition_eff, c.facilitation_eff, model.gain_change(c.inhibition_eff, c.facilitation_eff))]

    def draw(self, result):
        plot.update_stimulus_response(self.sr, result)
        plot.update_balance(self.bal, self._rows(result))

    def describe(self, result):
        c = result.cpm
        net0 = model.gain_change(c.inhibition, c.facilitation)
        net1 = model.gain_change(c.inhibition_eff, c.facilitation_eff)
        return (f"Net change in descending gain during conditioning: {net0:+.2f} without "
                f"ketamine, {net1:+.2f} with it; it multiplies the spinal gain (negative shifts the "
                f"stimulus–response curve to the right: less pain for the same stimulus). "
                + _describe_cpm(result.cpm))


# ---- factories ---------------------------------------------------------------------------------------------------
def cpm_experiment(preset=None, **values):
    """The CPM experiment panel (presets: healthy, chronic, each with and without S-ketamine)."""
    return CPMExperiment(preset, **values)


def balance(preset=None, **values):
    """The inhibition/facilitation balance panel with stimulus-response curves."""
    return Balance(preset, **values)


PANELS = {"cpm_experiment": CPMExperiment, "balance": Balance}
