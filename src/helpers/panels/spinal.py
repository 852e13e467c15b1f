"""Panels for notebook 02 (central sensitisation): wind-up train, stimulus–response curves, sensitisation
time course. Wiring only: the science is in :mod:`helpers.models.spinal`, the drawing in
:mod:`helpers.plots.spinal`.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from ..models import spinal
from ..plots import spinal as plot
from ..style import ROLE
from ._base import Panel
from ._widgets import FREQUENCIES_HZ, ladder_slider, log_slider

__all__ = ["WindupPanel", "StimulusResponsePanel", "SensitisationPanel", "WindupResult", "StimulusResponseResult",
           "SensitisationResult", "windup_train", "stimulus_response", "sensitisation_course", "PANELS"]

_WINDUP_WORDS = {"none": "no wind-up", "slight": "slight wind-up", "clear": "clear wind-up"}

_N_SLOTS = 20
_F_MIN, _F_MAX = 0.05, 2.0


def _fold(fold):
    return f"{fold:.2f}-fold" if fold < spinal.CLEAR_WINDUP_FROM else f"{fold:.1f}-fold"


def _slider(value, lo, hi, step, description, fmt=".2f"):
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=fmt, continuous_update=True, layout=W.Layout(width="340px"))


# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class WindupResult:
    """What the wind-up panel shows, computed once per update.

    Parameters
    ----------
    train : helpers.models.spinal.WindupTrain
        The train at the sliders' values.
    no_drug : helpers.models.spinal.WindupTrain
        The same train without ketamine.
    slow : helpers.models.spinal.WindupTrain
        The same train at the low-frequency control rate.
    f_grid : numpy.ndarray
        Frequencies (Hz) of the fold curves.
    fold_drug, fold_none : numpy.ndarray
        Wind-up fold along ``f_grid`` with and without the block.
    words : str
        The train's wind-up in words ("clear wind-up", ...).
    control_hz : float
        The control rate (Hz).
    """

    train: spinal.WindupTrain
    no_drug: spinal.WindupTrain
    slow: spinal.WindupTrain
    f_grid: np.ndarray
    fold_drug: np.ndarray
    fold_none: np.ndarray
    words: str
    control_hz: float


class WindupPanel(Panel):
    """Response to each stimulus of a C-fibre train; wind-up against frequency beside it.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/spinal.json`` to open on.
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "windup_train"
    title = "Wind-up: responses to a train of C-fibre stimuli"

    def make_controls(self):
        """The controls, keyed by the argument names of :meth:`compute`.

        Returns
        -------
        dict
            Fresh widgets.
        """
        return {
            # The frequencies the papers use, not a 2 %-a-press log grid: 0.1 -> 0.33 Hz is four presses.
            "frequency_hz": ladder_slider(0.5, [f for f in FREQUENCIES_HZ if _F_MIN <= f <= _F_MAX],
                                          "frequency (Hz)", fmt="{:.2f}".format, layout=W.Layout(width="340px")),
            "n_stimuli": W.IntSlider(value=16, min=1, max=_N_SLOTS, step=1, description="stimuli (n)",
                                     continuous_update=True, layout=W.Layout(width="300px")),
            "block_fraction": _slider(0.0, 0.0, 0.9, 0.05, "NMDA block by ketamine", ".0%"),
        }

    def compute(self, frequency_hz, n_stimuli, block_fraction) -> WindupResult:
        """Simulate the train, the same without the drug and at the control rate, and wind-up vs frequency.

        Parameters
        ----------
        frequency_hz : float
            Stimulation frequency (Hz).
        n_stimuli : int
            Number of stimuli.
        block_fraction : float
            Fraction of NMDA channels blocked by ketamine.

        Returns
        -------
        WindupResult
            Everything ``draw`` and ``describe`` read.
        """
        f_grid = np.geomspace(_F_MIN, _F_MAX, 60)
        train = spinal.windup_train(frequency_hz, n_stimuli, block_fraction)
        return WindupResult(
            train=train,
            no_drug=spinal.windup_train(frequency_hz, n_stimuli, 0.0),
            slow=spinal.windup_train(spinal.CONTROL_HZ, n_stimuli, block_fraction),
            f_grid=f_grid,
            fold_drug=spinal.windup_fold(f_grid, n_stimuli, block_fraction),
            fold_none=spinal.windup_fold(f_grid, n_stimuli, 0.0),
            words=_WINDUP_WORDS[spinal.windup_label(train.fold)],
            control_hz=spinal.CONTROL_HZ,
        )

    def setup(self, fig) -> None:
        """Make the axes and the artists ``draw`` moves.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        gs = fig.add_gridspec(1, 2, width_ratios=[1.55, 1.0])
        ax, axf = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
        top = spinal.max_response() * 1.12
        empty = spinal.windup_train(spinal.CONTROL_HZ, 1)
        self.bars = plot.windup_bars(ax, empty, n_slots=_N_SLOTS)
        self.no_drug_line = plot.response_steps(ax, empty, label="no ketamine", color="C7", linestyle="--")
        # Not the threshold's colour and dots: "same train at 0.1 Hz" and "summation >= 0.33 Hz" looked alike.
        self.slow_line = plot.response_steps(ax, empty, label=f"same train at {spinal.CONTROL_HZ:g} Hz",
                                             color=ROLE["effect_slow"], linestyle="-.")
        ax.set_xlim(0.3, _N_SLOTS + 0.7)
        ax.set_ylim(0.0, top)
        ax.set_xticks([1, 5, 10, 15, 20])
        self.fold_text = ax.text(0.03, 0.97, "", transform=ax.transAxes, ha="left", va="top",
                                 fontsize="large")

        axf.set_xlim(_F_MIN, _F_MAX)
        axf.set_ylim(0.8, spinal.max_response() * 1.08)
        self.fold_none = plot.fold_vs_frequency(axf, [_F_MIN, _F_MAX], [1, 1], color="C7", linestyle="--")
        self.fold_drug = plot.fold_vs_frequency(axf, [_F_MIN, _F_MAX], [1, 1], label="with this block",
                                                color=ROLE["ketamine"])
        (self.here,) = axf.plot([0.5], [1.0], marker="o", linestyle="none", color=plot.colour(ROLE["ketamine"]))
        plot.frequency_guides(axf, spinal.HUMAN_NO_SUMMATION_HZ, spinal.HUMAN_SUMMATION_HZ, low_hz=_F_MIN)
        axf.set_xticks([0.05, 0.1, 0.2, 0.5, 1, 2], labels=["0.05", "0.1", "0.2", "0.5", "1", "2"])
        self.legend = None
        self.ax, self.axf = ax, axf
        self.dynamic = (self.bars["ampa"].patches + self.bars["nmda"].patches
                        + [self.no_drug_line, self.slow_line, self.fold_text,
                           self.fold_none, self.fold_drug, self.here])

    def static_key(self):
        """What the cached background depends on besides the axes limits.

        Returns
        -------
        bool
            Whether the no-ketamine line is drawn (the legend lists it only then).
        """
        return self.no_drug_line.get_visible()

    def _list_drawn(self) -> None:
        # The legend lists only what is drawn: no "no ketamine" entry when there is no block.
        handles = [h for h in (*self.ax.get_legend_handles_labels()[0], *self.axf.get_legend_handles_labels()[0])
                   if getattr(h, "get_visible", lambda: True)()]  # a bar container has no visibility
        if self.legend is not None and self._listed == handles:
            return
        if self.legend is not None:
            self.legend.remove()
        self.legend = self.figure.legend(handles=handles, loc="outside upper center", ncols=3)
        self._listed = handles

    def draw(self, r) -> None:
        """Move the artists to a new result.

        Parameters
        ----------
        r : WindupResult
            From :meth:`compute`.
        """
        plot.update_windup_bars(self.bars, r.train)
        self.no_drug_line.set_data(r.no_drug.stimulus, r.no_drug.response)
        self.no_drug_line.set_visible(r.train.block_fraction > 0)
        self._list_drawn()
        self.slow_line.set_data(r.slow.stimulus, r.slow.response)
        self.fold_text.set_text(f"{_fold(r.train.fold)}: {r.words}")
        self.fold_none.set_data(r.f_grid, r.fold_none)
        self.fold_drug.set_data(r.f_grid, r.fold_drug)
        self.here.set_data([r.train.frequency_hz], [r.train.fold])

    def describe(self, r) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        r : WindupResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        t, n0 = r.train, r.no_drug
        n = len(t.response)
        if n == 1:
            share = t.params.nmda_share
            text = (f"A single stimulus, NMDA block {t.block_fraction:.0%}: response {t.first:.2f} (without drug = 1), "
                    f"{1 - t.first / n0.first:.0%} lower than without the drug. Only the NMDA share of the response "
                    f"({share:.0%} at rest, where Mg2+ leaves {t.mg_unblocked[0]:.0%} of NMDA channels unblocked) can "
                    f"be blocked. Wind-up needs a train: add stimuli. ")
            return text + "The NMDA share is an assumption."
        text = (f"{n} stimuli at {t.frequency_hz:.2f} Hz (one every {1 / t.frequency_hz:.1f} s), "
                f"NMDA block {t.block_fraction:.0%}. First response {t.first:.2f}, last {t.last:.2f} "
                f"(first response without drug = 1): {_fold(t.fold)}, {r.words}. ")
        text += (f"Just before the last stimulus the membrane sits at {t.v_mv[-1]:.0f} mV (rest {t.v_mv[0]:.0f} mV), "
                 f"where Mg2+ leaves {t.mg_unblocked[-1]:.0%} of NMDA channels unblocked ({t.mg_unblocked[0]:.0%} at "
                 f"rest). The same train at {r.control_hz:g} Hz grows {r.slow.fold:.2f}-fold. ")
        if t.block_fraction > 0:
            text += (f"Without ketamine the last response would be {n0.last:.2f} ({_fold(n0.fold)}): the block "
                     f"lowers the first response by {1 - t.first / n0.first:.0%} but the last by "
                     f"{1 - t.last / n0.last:.0%}. ")
        text += ("The frequency threshold follows Vierck 1997 and Staud 2007; the size of the fold is an "
                 "assumption (we assumed a 2–10x range; no published fold was found).")
        return text


# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class StimulusResponseResult:
    """What the stimulus–response panel shows, computed once per update.

    Parameters
    ----------
    s : float
        Sensitisation S.
    block : float
        NMDA block.
    x : numpy.ndarray
        Stimulus intensities of the curves (0–10 scale).
    probes : numpy.ndarray
        The light-touch and painful stimuli.
    normal, sens, sens_k : numpy.ndarray
        Pain ratings along ``x``: normal, sensitised, sensitised with the block.
    at_normal, at_sens, at_sens_k : numpy.ndarray
        The same at the two probes.
    thr : tuple of float
        Pain thresholds: normal, sensitised, sensitised with the block.
    gain : tuple of float
        Spinal gain sensitised, without and with the block.
    """

    s: float
    block: float
    x: np.ndarray
    probes: np.ndarray
    normal: np.ndarray
    sens: np.ndarray
    sens_k: np.ndarray
    at_normal: np.ndarray
    at_sens: np.ndarray
    at_sens_k: np.ndarray
    thr: tuple
    gain: tuple


class StimulusResponsePanel(Panel):
    """Pain rating against stimulus intensity: normal, sensitised, sensitised + ketamine.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/spinal.json`` to open on.
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "stimulus_response"
    title = "Hyperalgesia and allodynia: the stimulus–response curve"

    def make_controls(self):
        """The controls, keyed by the argument names of :meth:`compute`.

        Returns
        -------
        dict
            Fresh widgets.
        """
        return {
            "sensitisation": _slider(0.75, 0.0, 1.0, 0.05, "sensitisation S (0–1)"),
            "block_fraction": _slider(0.5, 0.0, 0.9, 0.05, "NMDA block by ketamine", ".0%"),
        }

    def compute(self, sensitisation, block_fraction) -> StimulusResponseResult:
        """The three curves, their values at the probes, thresholds and gains.

        Parameters
        ----------
        sensitisation : float
            Sensitisation S, 0-1.
        block_fraction : float
            NMDA block by ketamine, 0-1.

        Returns
        -------
        StimulusResponseResult
            Everything ``draw`` and ``describe`` read.
        """
        x = np.linspace(0.0, 10.0, 201)
        probes = np.array([spinal.TOUCH_STIMULUS, spinal.PAINFUL_STIMULUS])
        return StimulusResponseResult(
            s=sensitisation, block=block_fraction, x=x, probes=probes,
            normal=spinal.pain_rating(x, 0.0), sens=spinal.pain_rating(x, sensitisation),
            sens_k=spinal.pain_rating(x, sensitisation, block_fraction),
            at_normal=spinal.pain_rating(probes, 0.0),
            at_sens=spinal.pain_rating(probes, sensitisation),
            at_sens_k=spinal.pain_rating(probes, sensitisation, block_fraction),
            thr=(spinal.pain_threshold(0.0), spinal.pain_threshold(sensitisation),
                 spinal.pain_threshold(sensitisation, block_fraction)),
            gain=(spinal.transmission_gain(sensitisation), spinal.transmission_gain(sensitisation, block_fraction)),
        )

    def setup(self, fig) -> None:
        """Make the axes and the artists ``draw`` moves.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        ax = fig.add_subplot()
        x = np.linspace(0.0, 10.0, 201)
        plot.innocuous_range(ax, spinal.PAIN_THRESHOLD)
        for probe, name in ((spinal.TOUCH_STIMULUS, "light touch"), (spinal.PAINFUL_STIMULUS, "painful")):
            ax.axvline(probe, color=plot.colour("C7"), alpha=0.35, linewidth=1.0)
            ax.text(probe, 10.25, name, ha="center", va="bottom", fontsize="small")
        plot.stimulus_response_curve(ax, x, spinal.pain_rating(x, 0.0), label="normal", color="C7")
        self.sens = plot.stimulus_response_curve(ax, x, x * 0, label="sensitised", color=ROLE["effect_slow"],
                                                 linestyle="--")
        self.sens_k = plot.stimulus_response_curve(ax, x, x * 0, label="sensitised + ketamine",
                                                   color=ROLE["ketamine"], linestyle="-.")
        probes = [spinal.TOUCH_STIMULUS, spinal.PAINFUL_STIMULUS]
        (self.dots_n,) = ax.plot(probes, spinal.pain_rating(probes, 0.0), "o", color=plot.colour("C7"))
        (self.dots_s,) = ax.plot(probes, [0, 0], "o", color=plot.colour(ROLE["effect_slow"]))
        (self.dots_k,) = ax.plot(probes, [0, 0], "o", color=plot.colour(ROLE["ketamine"]))
        ax.set_xlim(0.0, 10.0)
        ax.set_ylim(0.0, 10.0)
        ax.legend(loc="lower right")
        self.note = ax.text(0.012, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize="small")
        self.ax = ax
        self.dynamic = [self.sens, self.sens_k, self.dots_s, self.dots_k, self.note]

    def draw(self, r) -> None:
        """Move the artists to a new result.

        Parameters
        ----------
        r : StimulusResponseResult
            From :meth:`compute`.
        """
        self.sens.set_data(r.x, r.sens)
        self.sens_k.set_data(r.x, r.sens_k)
        self.dots_s.set_data(r.probes, r.at_sens)
        self.dots_k.set_data(r.probes, r.at_sens_k)
        self.note.set_text(f"pain threshold\nnormal {r.thr[0]:.1f}\nsensitised {r.thr[1]:.1f}\n"
                           f"+ ketamine {r.thr[2]:.1f}")

    def describe(self, r) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        r : StimulusResponseResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        touch, hurt = 0, 1
        text = (f"Normal: pain starts at intensity {r.thr[0]:.1f}; a light touch ({r.probes[touch]:g}) rates "
                f"{r.at_normal[touch]:.1f}/10 and a painful stimulus ({r.probes[hurt]:g}) {r.at_normal[hurt]:.1f}/10. ")
        if r.s == 0:
            return text + ("With no sensitisation all three curves coincide: in this model NMDA block does not "
                           "move the normal curve, as low-dose ketamine left brief heat pain in normal skin "
                           "unchanged (Ilkjaer 1996); higher plasma levels do relieve acute experimental pain "
                           "(Simons 2022), which is not modelled. Shapes are illustrative.")
        allo = "allodynia" if r.at_sens[touch] > 0.05 else "not yet allodynia"
        text += (f"Sensitised (S = {r.s:.2f}, gain {r.gain[0]:.2f}x): pain starts at {r.thr[1]:.1f}"
                 f"{', inside the innocuous range' if r.thr[1] < r.thr[0] else ''}, so the touch rates "
                 f"{r.at_sens[touch]:.1f}/10 ({allo}) and the painful stimulus {r.at_sens[hurt]:.1f}/10 instead of "
                 f"{r.at_normal[hurt]:.1f} (hyperalgesia). ")
        if r.block == 0:
            text += "With no NMDA block the ketamine curve lies on the sensitised one. "
        else:
            text += (f"With {r.block:.0%} NMDA block the gain falls to {r.gain[1]:.2f}x: threshold {r.thr[2]:.1f}, "
                     f"touch {r.at_sens_k[touch]:.1f}/10, painful stimulus {r.at_sens_k[hurt]:.1f}/10. ")
        return text + ("In this model block leaves the normal curve where it is, as at the low doses of "
                       "Ilkjaer 1996; higher plasma levels do relieve acute experimental pain (Simons 2022), "
                       "which is not modelled. Shapes are illustrative.")


# ---------------------------------------------------------------------------------------------------------
_START_DAY, _END_DAY = 5.0, 28.0


@dataclass(frozen=True, eq=False)
class SensitisationResult:
    """What the sensitisation panel shows, computed once per update.

    Parameters
    ----------
    t_days : numpy.ndarray
        Times (days).
    s : numpy.ndarray
        Sensitisation S with the infusion.
    s_star : float
        S held by the drive without ketamine.
    s_end : float
        S when the infusion stops.
    touch : numpy.ndarray
        Pain from a light touch over time, with the infusion.
    touch0 : float
        Pain from a light touch without ketamine.
    touch_end : float
        Pain from a light touch just after the infusion (set by S alone).
    drive, block, infusion_h : float
        The sliders' values.
    stop_day : float
        When the infusion stops (day).
    half_recovery_days : float
        Time for S to regain half its drop after the infusion (days).
    touch_stimulus : float
        The light touch on the 0–10 stimulus scale.
    """

    t_days: np.ndarray
    s: np.ndarray
    s_star: float
    s_end: float
    touch: np.ndarray
    touch0: float
    touch_end: float
    drive: float
    block: float
    infusion_h: float
    stop_day: float
    half_recovery_days: float
    touch_stimulus: float


class SensitisationPanel(Panel):
    """A slow sensitisation state under ongoing input, and what an NMDA-blocking infusion does to it.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/spinal.json`` to open on.
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "sensitisation_course"
    title = "A slow sensitisation state and an infusion of ketamine"

    def make_controls(self):
        """The controls, keyed by the argument names of :meth:`compute`.

        Returns
        -------
        dict
            Fresh widgets.
        """
        return {
            "drive": _slider(1.0, 0.0, 3.0, 0.1, "ongoing nociceptive drive (1 = reference)", ".1f"),
            "block_fraction": _slider(0.7, 0.0, 0.9, 0.05, "NMDA block during the infusion", ".0%"),
            "infusion_h": log_slider(100.0, 1.0, 336.0, 0.01,
                                     description="infusion length (h)", readout_format=".0f",
                                     continuous_update=True, layout=W.Layout(width="340px")),
        }

    def compute(self, drive, block_fraction, infusion_h) -> SensitisationResult:
        """S and light-touch pain over four weeks with an infusion from day 5.

        Parameters
        ----------
        drive : float
            Ongoing nociceptive drive (1 = reference).
        block_fraction : float
            NMDA block during the infusion, 0-1.
        infusion_h : float
            Infusion length (h).

        Returns
        -------
        SensitisationResult
            Everything ``draw`` and ``describe`` read.
        """
        t_h, block = spinal.pulse_schedule(_END_DAY * 24, _START_DAY * 24, infusion_h, block_fraction)
        s_star = spinal.sensitisation_steady_state(drive)
        s = spinal.sensitisation_course(t_h, drive, block, s0=s_star)
        touch = spinal.pain_rating(spinal.TOUCH_STIMULUS, s, block)
        stop_h = _START_DAY * 24 + infusion_h
        s_end = float(np.interp(stop_h, t_h, s))
        half_h = spinal.recovery_half_time_h(drive)
        return SensitisationResult(t_days=t_h / 24, s=s, s_star=s_star, s_end=s_end, touch=touch,
                                   touch0=spinal.pain_rating(spinal.TOUCH_STIMULUS, s_star),
                                   touch_end=float(spinal.pain_rating(spinal.TOUCH_STIMULUS, s_end)),
                                   drive=drive, block=block_fraction, infusion_h=infusion_h, stop_day=stop_h / 24,
                                   half_recovery_days=half_h / 24, touch_stimulus=spinal.TOUCH_STIMULUS)

    def setup(self, fig) -> None:
        """Make the axes and the artists ``draw`` moves.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        ax_s, ax_p = fig.subplots(2, 1, sharex=True)
        days = [0.0, _END_DAY]
        self.s0_line = plot.time_course(ax_s, days, [0, 0], label="no ketamine", color="C7", linestyle="--")
        self.s_line = plot.time_course(ax_s, days, [0, 0], label="with the infusion", color=ROLE["ketamine"],
                                       ylabel="sensitisation S")
        self.p0_line = plot.time_course(ax_p, days, [0, 0], color="C7", linestyle="--")
        self.p_line = plot.time_course(ax_p, days, [0, 0], color=ROLE["ketamine"],
                                       ylabel=f"pain from a light\ntouch ({spinal.TOUCH_STIMULUS:g}), 0–10")
        ax_s.set_xlabel("")
        self.spans = [plot.infusion_span(ax, _START_DAY, _START_DAY + 1, label="ketamine on")
                      for ax in (ax_s, ax_p)]
        ax_s.set_xlim(0.0, _END_DAY)
        ax_s.set_ylim(0.0, 1.0)
        ax_p.set_ylim(0.0, 6.0)
        fig.legend(handles=ax_s.get_legend_handles_labels()[0], loc="outside upper center", ncols=3)
        self.axes = (ax_s, ax_p)
        self.dynamic = [*self.spans, self.s0_line, self.s_line, self.p0_line, self.p_line]

    def draw(self, r) -> None:
        """Move the artists to a new result.

        Parameters
        ----------
        r : SensitisationResult
            From :meth:`compute`.
        """
        for span in self.spans:
            plot.update_span(span, _START_DAY, r.stop_day)
        self.s0_line.set_data([0, _END_DAY], [r.s_star, r.s_star])
        self.s_line.set_data(r.t_days, r.s)
        self.p0_line.set_data([0, _END_DAY], [r.touch0, r.touch0])
        self.p_line.set_data(r.t_days, r.touch)

    def describe(self, r) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        r : SensitisationResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        text = (f"Ongoing drive {r.drive:.1f} holds sensitisation at S = {r.s_star:.2f}, so a light touch "
                f"({r.touch_stimulus:g}) rates {r.touch0:.1f}/10"
                f"{' (allodynia)' if r.touch0 > 0.05 else ''}. ")
        if r.block == 0:
            return text + ("An infusion with no NMDA block changes nothing: S stays where the drive holds it. "
                           "Time constants are illustrative.")
        text += (f"A {r.infusion_h:.0f}-h infusion with {r.block:.0%} NMDA block from day {_START_DAY:g} turns the "
                 f"gain down at once and lets S decay, to {r.s_end:.2f} by its end. When it stops, the immediate "
                 f"effect goes with the drug and the touch rates {r.touch_end:.1f}/10, set by S alone. ")
        if r.s_star - r.s_end < 0.02:
            text += "S hardly moved, so nothing outlasts the infusion. "
        elif r.stop_day + r.half_recovery_days > _END_DAY:
            text += f"S has not recovered half of its drop by day {_END_DAY:g}. "
        else:
            text += (f"S then rebuilds under the ongoing drive and has recovered half of its drop "
                     f"{r.half_recovery_days:.1f} days after the infusion, whatever its length: in this one-state "
                     f"model a longer infusion buys a deeper drop, not a slower return. ")
        return text + ("Time constants are illustrative; notebook 05 compares explanations for relief that lasts "
                       "weeks to months.")


# ---------------------------------------------------------------------------------------------------------
def windup_train(preset=None, **values) -> WindupPanel:
    """Wind-up panel: frequency, number of stimuli and ketamine block; responses and wind-up vs frequency.

    Parameters
    ----------
    preset : str, optional
        Preset key in ``data/presets/spinal.json`` (e.g. "dickenson_sullivan_1987", "guirimand_2000_ketamine").
    **values
        Control values that override the preset (``frequency_hz``, ``n_stimuli``, ``block_fraction``, ``look``).

    Returns
    -------
    WindupPanel
        The panel; display it as a notebook cell's last expression.

    References
    ----------
    .. [1] ``dickenson_sullivan_1987``: Dickenson & Sullivan 1987 (wind-up in rat dorsal horn) [V].
    .. [2] ``guirimand_2000``: Guirimand et al. 2000 (ketamine and wind-up in humans) [V].
    """
    return WindupPanel(preset, **values)


def stimulus_response(preset=None, **values) -> StimulusResponsePanel:
    """Stimulus–response panel: normal, sensitised and sensitised + ketamine curves.

    Parameters
    ----------
    preset : str, optional
        Preset key in ``data/presets/spinal.json``.
    **values
        Control values that override the preset (``sensitisation``, ``block_fraction``, ``look``).

    Returns
    -------
    StimulusResponsePanel
        The panel; display it as a notebook cell's last expression.
    """
    return StimulusResponsePanel(preset, **values)


def sensitisation_course(preset=None, **values) -> SensitisationPanel:
    """Sensitisation time-course panel: ongoing drive, an infusion of NMDA block; S and touch pain over 4 weeks.

    Parameters
    ----------
    preset : str, optional
        Preset key in ``data/presets/spinal.json``.
    **values
        Control values that override the preset (``drive``, ``block_fraction``, ``infusion_h``, ``look``).

    Returns
    -------
    SensitisationPanel
        The panel; display it as a notebook cell's last expression.
    """
    return SensitisationPanel(preset, **values)


PANELS = {"windup_train": WindupPanel, "stimulus_response": StimulusResponsePanel,
          "sensitisation_course": SensitisationPanel}
