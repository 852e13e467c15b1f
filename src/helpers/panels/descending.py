"""Panels for notebook 03 (descending inhibition): the CPM experiment and the inhibition/facilitation balance.

Wiring only: the science (and every number) is in :mod:`helpers.models.descending`, the drawing in
:mod:`helpers.plots.descending`.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from ..models import descending as model
from ..plots import descending as plot
from ..vocab import BLOCK_FRACTION
from ._base import Panel

__all__ = ["CPMExperiment", "Balance", "CPMExperimentResult", "BalanceResult", "cpm_experiment", "balance",
           "PANELS", "REFERENCES"]

_BLOCK_GRID = np.linspace(0.0, 1.0, 41)

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
        BLOCK_FRACTION: _slider(1.0, "ketamine effect level: receptors blocked (0–1)", step=0.05),
    }


def _verb(change):
    if change < -model.CPM_TOLERANCE_POINTS / 2:
        return "strengthened"
    if change > model.CPM_TOLERANCE_POINTS / 2:
        return "weakened"
    return "hardly changed"


def _describe_cpm(c, setting_label, classes) -> str:
    """Shared wording for both panels: ``c`` the model's CPMResult, ``classes`` its CPM named without and with
    ketamine."""
    label = setting_label[0].upper() + setting_label[1:]
    h = c.hypothesis
    return (
        f"{label}: the test stimulus alone hurts {c.pain_alone:.1f}/10. During the conditioning "
        f"stimulus it hurts {c.pain_during_no_ketamine:.1f}/10 without ketamine, a CPM effect of "
        f"{c.cpm_no_ketamine:+.1f} points ({c.cpm_no_ketamine_pct:+.0f} %, "
        f"{classes[0]}; negative = inhibition), and {c.pain_during:.1f}/10 with "
        f"ketamine at effect level {c.block_fraction:.2f}, a CPM effect of {c.cpm:+.1f} points ({c.cpm_pct:+.0f} %, "
        f"{classes[1]}). Ketamine {_verb(c.change)} CPM by {abs(c.change):.1f} points in this "
        f"setting (literature direction: {h.direction_source}). Hypothesis in the model: ketamine "
        f"{h.mechanism}. Directions are from the literature; all magnitudes are illustrative, because no "
        f"published model of ketamine on CPM was found.")


class _DescendingPanel(Panel):
    """The controls both panels share."""

    wide = ("setting",)

    def make_controls(self):
        return _controls()


# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CPMExperimentResult:
    """What the CPM panel shows, computed once per update.

    Parameters
    ----------
    cpm : helpers.models.descending.CPMResult
        The experiment at the sliders' values.
    setting_label : str
        The setting as students read it.
    classes : tuple of str
        The CPM effect named without and with ketamine (:func:`helpers.models.descending.classify_cpm`).
    block_grid : numpy.ndarray
        Fractions of NMDA receptors blocked, 0-1, for the curve.
    cpm_grid : numpy.ndarray
        CPM effect (points) at each, in this setting.
    other : str
        The other setting.
    other_grid : numpy.ndarray
        CPM effect (points) along ``block_grid`` in the other setting, at its default balance.
    """

    cpm: model.CPMResult
    setting_label: str
    classes: tuple
    block_grid: np.ndarray
    cpm_grid: np.ndarray
    other: str
    other_grid: np.ndarray


class CPMExperiment(_DescendingPanel):
    """Test-stimulus pain alone and during a conditioning stimulus, without and with ketamine.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/descending.json`` to open on.
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset (``setting``, ``inhibition``, ``facilitation``,
        ``block_fraction``).

    References
    ----------
    .. [1] ``niesters_2011``: Niesters et al. 2011, Pain 152:656 (healthy volunteers: CPM abolished) [V].
    .. [2] ``niesters_2013``: Niesters et al. 2013, Br J Anaesth (chronic pain: CPM restored) [U].
    """

    name = "cpm_experiment"
    title = "Conditioned pain modulation (CPM) and ketamine"

    def compute(self, setting, inhibition, facilitation, block_fraction) -> CPMExperimentResult:
        """Run the CPM experiment, and CPM against block in both settings.

        Parameters
        ----------
        setting : {"healthy", "chronic"}
            The population.
        inhibition, facilitation : float
            What the conditioning stimulus recruits, 0-1.
        block_fraction : float
            Fraction of NMDA receptors blocked by ketamine, 0-1.

        Returns
        -------
        CPMExperimentResult
            Everything ``draw`` and ``describe`` read.
        """
        other = next(s for s in model.SETTINGS if s != setting)
        state = model.DEFAULT_STATES[other]
        cpm = model.cpm_experiment(setting, inhibition, facilitation, block_fraction)
        return CPMExperimentResult(
            cpm=cpm,
            setting_label=model.SETTING_LABELS[setting],
            classes=(model.classify_cpm(cpm.cpm_no_ketamine), model.classify_cpm(cpm.cpm)),
            block_grid=_BLOCK_GRID,
            cpm_grid=model.cpm_effect(setting, inhibition, facilitation, _BLOCK_GRID),
            other=other,
            other_grid=model.cpm_effect(other, state.inhibition, state.facilitation, _BLOCK_GRID),
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

    def setup(self, fig) -> None:
        """Make the bars and the CPM-against-block curve.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        gs = fig.add_gridspec(1, 2, width_ratios=[1.45, 1.0])
        self.ax_bars, self.ax_curve = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        first = self.compute(**self.values)
        self.bars = plot.cpm_bars(self.ax_bars, first.cpm)
        mine, theirs = self._labels(first)
        self.curve = plot.cpm_vs_ketamine(self.ax_curve, first.block_grid, first.cpm_grid, first.cpm.block_fraction,
                                          first.cpm.cpm, label=mine,
                                          other=(first.block_grid, first.other_grid, theirs))
        self._legend_setting = None
        self._legend(first.cpm.setting)
        self.dynamic = (list(self.bars["alone"]) + list(self.bars["during"]) + self.bars["values"]
                        + self.bars["cpm"] + [self.curve["other"], self.curve["line"], self.curve["dot"]])

    def static_key(self):
        """What the cached background depends on besides the axes: the setting (the legend names it).

        Returns
        -------
        str
            The current setting.
        """
        return self.values["setting"]

    def draw(self, result) -> None:
        """Move the bars and the curve to a new result.

        Parameters
        ----------
        result : CPMExperimentResult
            From :meth:`compute`.
        """
        plot.update_cpm_bars(self.bars, result.cpm)
        mine, theirs = self._labels(result)
        plot.update_cpm_vs_ketamine(self.curve, result.block_grid, result.cpm_grid, result.cpm.block_fraction,
                                    result.cpm.cpm, label=mine,
                                    other=(result.block_grid, result.other_grid, theirs))
        self._legend(result.cpm.setting)

    def describe(self, result) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        result : CPMExperimentResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        return _describe_cpm(result.cpm, result.setting_label, result.classes)


@dataclass(frozen=True, eq=False)
class BalanceResult:
    """What the balance panel shows, computed once per update.

    Parameters
    ----------
    sr : helpers.models.descending.CPMStimulusResponse
        Stimulus–response curves alone, during conditioning, during conditioning with ketamine.
    rows : tuple of tuple
        ``(inhibition, facilitation, net change in gain)`` without and with ketamine.
    setting_label : str
        The setting as students read it.
    classes : tuple of str
        The CPM effect named without and with ketamine.
    """

    sr: model.CPMStimulusResponse
    rows: tuple
    setting_label: str
    classes: tuple

    @property
    def cpm(self) -> model.CPMResult:
        """The CPM experiment behind the curves."""
        return self.sr.cpm


class Balance(_DescendingPanel):
    """The inhibition/facilitation balance and what it does to the stimulus-response curve.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/descending.json`` to open on.
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset (``setting``, ``inhibition``, ``facilitation``,
        ``block_fraction``).
    """

    name = "balance"
    title = "Descending inhibition vs facilitation: the balance and the stimulus–response curve"

    def compute(self, setting, inhibition, facilitation, block_fraction) -> BalanceResult:
        """Stimulus–response curves during conditioning and the balance, without and with ketamine.

        Parameters
        ----------
        setting : {"healthy", "chronic"}
            The population.
        inhibition, facilitation : float
            What the conditioning stimulus recruits, 0-1.
        block_fraction : float
            Fraction of NMDA receptors blocked by ketamine, 0-1.

        Returns
        -------
        BalanceResult
            Everything ``draw`` and ``describe`` read.
        """
        sr = model.cpm_stimulus_response(setting, inhibition, facilitation, block_fraction)
        c = sr.cpm
        rows = ((c.inhibition, c.facilitation, model.gain_change(c.inhibition, c.facilitation)),
                (c.inhibition_eff, c.facilitation_eff, model.gain_change(c.inhibition_eff, c.facilitation_eff)))
        return BalanceResult(sr=sr, rows=rows, setting_label=model.SETTING_LABELS[c.setting],
                             classes=(model.classify_cpm(c.cpm_no_ketamine), model.classify_cpm(c.cpm)))

    def setup(self, fig) -> None:
        """Make the stimulus–response curves and the balance bars.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        gs = fig.add_gridspec(1, 2, width_ratios=[1.5, 1.0])
        self.ax_sr, self.ax_bal = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        first = self.compute(**self.values)
        self.sr = plot.cpm_curves(self.ax_sr, first.sr)
        self.bal = plot.balance(self.ax_bal, list(first.rows))
        # One legend above both axes: inside, it sat on the conditioned curves in the larger looks. Three columns
        # fit a slide-wide figure; the 9.6-inch ones take two.
        handles = [*self.ax_sr.get_legend_handles_labels()[0], *self.ax_bal.get_legend_handles_labels()[0]]
        fig.legend(handles=handles, loc="outside upper center", ncols=3 if fig.get_figwidth() >= 12 else 2,
                   fontsize="small", frameon=False)
        self.dynamic = ([self.sr["during"], self.sr["ketamine"], self.sr["dots"]] + self.bal["inhibition"]
                        + self.bal["facilitation"] + [self.bal["net"]])

    def draw(self, result) -> None:
        """Move the curves and the bars to a new result.

        Parameters
        ----------
        result : BalanceResult
            From :meth:`compute`.
        """
        plot.update_cpm_curves(self.sr, result.sr)
        plot.update_balance(self.bal, list(result.rows))

    def describe(self, result) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        result : BalanceResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        (_i0, _f0, net0), (_i1, _f1, net1) = result.rows
        return (f"Net change in descending gain during conditioning: {net0:+.2f} without "
                f"ketamine, {net1:+.2f} with it; it multiplies the spinal gain (negative shifts the "
                f"stimulus–response curve to the right: less pain for the same stimulus). "
                + _describe_cpm(result.cpm, result.setting_label, result.classes))


# ---- factories ---------------------------------------------------------------------------------------------------
def cpm_experiment(preset=None, **values) -> CPMExperiment:
    """The CPM experiment panel (presets: healthy, chronic, each with and without S-ketamine).

    Parameters
    ----------
    preset : str, optional
        Preset key: "healthy", "healthy_ketamine", "chronic" or "chronic_ketamine".
    **values
        Control values that override the preset (``setting``, ``inhibition``, ``facilitation``,
        ``block_fraction``, ``look``).

    Returns
    -------
    CPMExperiment
        The panel; display it as a notebook cell's last expression.
    """
    return CPMExperiment(preset, **values)


def balance(preset=None, **values) -> Balance:
    """The inhibition/facilitation balance panel with stimulus-response curves.

    Parameters
    ----------
    preset : str, optional
        Preset key: "healthy", "healthy_ketamine", "chronic" or "chronic_ketamine".
    **values
        Control values that override the preset (``setting``, ``inhibition``, ``facilitation``,
        ``block_fraction``, ``look``).

    Returns
    -------
    Balance
        The panel; display it as a notebook cell's last expression.
    """
    return Balance(preset, **values)


PANELS = {"cpm_experiment": CPMExperiment, "balance": Balance}
