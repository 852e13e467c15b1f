"""Panels for notebook 01 (NMDA receptor blockade): I–V curve with Mg2+, block vs concentration, use dependence.

Wiring only: the numbers come from :mod:`helpers.models.receptor`, the drawing from :mod:`helpers.plots.receptor`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from .. import evidence
from ..models import receptor
from ..plots import receptor as rplot
from ..vocab import RACEMIC, S_KETAMINE, drug_label
from ._base import Panel
from ._widgets import ladder_slider, log_slider, nice_ladder, preset_values

__all__ = ["IVCurve", "BlockCurve", "UseDependence", "IVCurveResult", "BlockCurveResult", "UseDependenceResult",
           "iv_curve", "block_curve", "use_dependence", "blocker_table", "PANELS"]

#: The racemate's name among the blockers (its name in student text).
_RACEMIC_BLOCKER = drug_label(RACEMIC)
_BLOCKER_OPTIONS = [("S-ketamine (esketamine)", S_KETAMINE), ("R-ketamine (arketamine)", "R-ketamine"),
                    ("racemic ketamine (1:1 S + R)", _RACEMIC_BLOCKER), ("S-norketamine", "S-norketamine")]
#: Use-dependence protocol shown: 120 s, drug washed out at 60 s.
_DURATION_S = 120.0
_WASHOUT_S = 60.0
#: The use-dependence panel opens on this preset: S-ketamine 50 ng/mL at 1 Hz, inside the derived S-ketamine
#: analgesic level (racemic band ÷ 2, ``receptor.band_for_drug``), the case notebook 01 describes.
USE_DEPENDENCE_OPENING = "analgesic_1hz"


def _pct(x: float) -> str:
    """A fraction as a percentage: one decimal below 10% (4.4%), none above (58%)."""
    return f"{100 * x:.1f}%" if 0 < x < 0.095 else f"{100 * x:.0f}%"


def _signed(x: float) -> str:
    """A signed number with a true minus sign: −0.044, +0.120."""
    return f"{x:+.3f}".replace("-", "−")


def _mv(x: float) -> str:
    """A voltage with a true minus sign: −70 mV."""
    return f"{x:.0f} mV".replace("-", "−")


def _ng(x: float) -> str:
    # As the level slider's readout writes it: 10.5 (the Dahan C50 stop) must not read as 10.
    if x >= 10:
        return f"{x:,.0f}" if x == round(x) or x >= 1000 else f"{x:.3g}"
    return f"{x:.2g}"


@dataclass(frozen=True, eq=False)
class IVCurveResult:
    """What the I–V panel shows, computed once per update.

    Parameters
    ----------
    iv : helpers.models.receptor.IVRelation
        The I–V relation at the sliders' Mg2+ and marked voltage.
    table : Mapping
        Conducting fraction ``{(glutamate, depolarised): fraction}`` at rest and at the marked voltage.
    v_rest_mv : float
        The resting potential (mV) the bars and text call "at rest".
    v_norm_mv : float
        The currents are in units of the Mg2+-free current at minus this voltage (mV).
    """

    iv: receptor.IVRelation
    table: Mapping
    v_rest_mv: float
    v_norm_mv: float


class IVCurve(Panel):
    """NMDA current-voltage relation with Mg2+ block, and the coincidence detector in four bars.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/receptor.json`` to open on.
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset (``mg_mm``, ``v_mv``).

    References
    ----------
    .. [1] ``jahr_stevens_1990``: Jahr & Stevens 1990, J Neurosci 10:3178 (Mg2+ block constants) [V].
    """

    name = "iv_curve"
    title = "NMDA current-voltage relation with Mg²⁺"

    def make_controls(self):
        """The controls, keyed by the argument names of :meth:`compute`.

        Returns
        -------
        dict
            Fresh widgets.
        """
        return {
            "mg_mm": W.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, readout_format=".1f",
                                   description="Extracellular Mg²⁺ (mM)"),
            "v_mv": W.FloatSlider(value=receptor.V_REST_MV, min=-100.0, max=40.0, step=1.0, readout_format=".0f",
                                  description="Marked voltage (mV)"),
        }

    def setup(self, fig) -> None:
        """Make the I–V axes and the coincidence bars.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        gs = fig.add_gridspec(1, 2, width_ratios=[2.2, 1.0])
        self.ax = ax = fig.add_subplot(gs[0, 0])
        self.ax_bars = fig.add_subplot(gs[0, 1])
        rplot.iv_axes(ax)
        self.iv = rplot.iv_artists(ax)
        self.bars = rplot.coincidence_bars(self.ax_bars, receptor.V_REST_MV)
        self.dynamic = [*self.iv.values(), *self.bars["bars"], *self.bars["labels"]]

    def compute(self, mg_mm, v_mv) -> IVCurveResult:
        """The I–V relation and the coincidence table.

        Parameters
        ----------
        mg_mm : float
            Extracellular Mg2+ (mM).
        v_mv : float
            The marked voltage (mV).

        Returns
        -------
        IVCurveResult
            Everything ``draw`` and ``describe`` read.
        """
        return IVCurveResult(iv=receptor.iv_relation(mg_mm, v_mv),
                             table=receptor.coincidence_table(mg_mm, receptor.V_REST_MV, v_mv),
                             v_rest_mv=receptor.V_REST_MV, v_norm_mv=receptor.V_NORM_MV)

    def draw(self, r) -> None:
        """Move the curves, the marker and the bars to a new result.

        Parameters
        ----------
        r : IVCurveResult
            From :meth:`compute`.
        """
        rplot.update_iv(self.iv, r.iv)
        rplot.update_coincidence_bars(self.bars, r.table)

    def describe(self, r) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        r : IVCurveResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        iv, table = r.iv, r.table
        text = (f"With {iv.mg_mm:.1f} mM Mg²⁺ at {_mv(iv.v_mark_mv)}, {_pct(iv.unblocked_at_mark)} of open NMDA "
                f"channels conduct (Jahr–Stevens Mg²⁺ block); the current is {_signed(iv.current_at_mark)} in units "
                f"of the Mg²⁺-free current at {_mv(-r.v_norm_mv)}. ")
        if iv.negative_slope_mv is None:
            text += ("Without Mg²⁺ every open channel conducts: the current is a straight line through the reversal "
                     f"potential ({_mv(iv.e_rev_mv)}), with no negative slope. ")
        else:
            text += (f"The slope is negative below {_mv(iv.negative_slope_mv[1])}, steepest near "
                     f"{_mv(iv.v_steepest_mv)}: there, depolarising the cell makes the inward current larger, "
                     f"because Mg²⁺ is driven out faster than the driving force shrinks. The current reverses at "
                     f"{_mv(iv.e_rev_mv)}. ")
        text += ("Coincidence detection: without glutamate no channel conducts at any voltage; with glutamate "
                 f"bound, {_pct(table[(True, False)])} conduct at rest ({_mv(r.v_rest_mv)})")
        # Compared as printed: a marked voltage that reads as the resting one would only repeat the same number.
        if _mv(iv.v_mark_mv) == _mv(r.v_rest_mv):
            text += ", the voltage chosen here."
        else:
            text += f" and {_pct(table[(True, True)])} at {_mv(iv.v_mark_mv)}."
        return text


@dataclass(frozen=True, eq=False)
class BlockCurveResult:
    """What the block-curve panel shows, computed once per update.

    Parameters
    ----------
    blocker : str
        The chosen blocker.
    conc_ng_ml : float
        The chosen plasma level (ng/mL).
    conc : numpy.ndarray
        Plasma levels (ng/mL) of the curves.
    curves : dict
        Fraction blocked along ``conc`` for every blocker.
    bands : dict
        ``{band: (low, high)}`` fraction blocked by the chosen blocker at each clinical band's levels.
    clinical_bands : Mapping
        The clinical bands themselves (:data:`helpers.models.receptor.CLINICAL_BANDS_NG_ML`).
    block : float
        Fraction blocked at the chosen level.
    conc_um : float
        The chosen level in µM.
    ic50_um, ic50_ng_ml : float
        The chosen blocker's IC50.
    substance : str
        "ketamine" or "norketamine" (the µM axis's molar mass).
    g_per_mol : float
        Its molar mass.
    s_analgesic_ng_ml : tuple of float
        The derived S-ketamine analgesic level (ng/mL).
    s_analgesic_block : tuple of float
        S-ketamine's block at those levels.
    s_potency : float
        S-ketamine's clinical potency relative to the racemate.
    """

    blocker: str
    conc_ng_ml: float
    conc: np.ndarray
    curves: dict
    bands: dict
    clinical_bands: Mapping
    block: float
    conc_um: float
    ic50_um: float
    ic50_ng_ml: float
    substance: str
    g_per_mol: float
    s_analgesic_ng_ml: tuple
    s_analgesic_block: tuple
    s_potency: float


class BlockCurve(Panel):
    """Fraction of NMDA receptors blocked against plasma concentration, with the clinical bands.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/receptor.json`` to open on.
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset (``blocker``, ``conc_ng_ml``).

    References
    ----------
    .. [1] ``ebert_1997``: Ebert et al. 1997, Eur J Pharmacol (Ki vs [3H]MK-801) [V2].
    .. [2] ``zanos_2018``: Zanos et al. 2018, Pharmacol Rev 70:621, Table 1 (clinical bands) [V].
    """

    name = "block_curve"
    title = "How many NMDA receptors does a plasma level block?"
    c_lim = (1.0, 10_000.0)

    def make_controls(self):
        """The controls, keyed by the argument names of :meth:`compute`.

        Returns
        -------
        dict
            Fresh widgets.
        """
        from ..models import relief  # only for the C50 the notebook names; relief is heavy to import up front

        return {
            "blocker": W.Dropdown(options=_BLOCKER_OPTIONS, value=S_KETAMINE, description="Blocker",
                                  layout=W.Layout(width="340px")),
            # A ladder that stops on every preset's measured level (185, 1,800 ng/mL) and on the Dahan 2011 slow-site
            # C50 the notebook asks students to slide to, so the readout is the level the model uses.
            "conc_ng_ml": ladder_slider(100.0, nice_ladder(1.0, 1e4, (*preset_values(self.name, "conc_ng_ml"),
                                                                      relief.BiophaseParams().c50_slow_ng_ml)),
                                        "Plasma level (ng/mL)"),
        }

    def setup(self, fig) -> None:
        """Make the axes, the clinical bands, one line per blocker and the marker.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        self.um_substance = "ketamine"
        self.um_axis = rplot.block_axes(ax, self.c_lim, receptor.blocker(S_KETAMINE).g_per_mol, self.um_substance)
        rplot.clinical_bands(ax, receptor.CLINICAL_BANDS_NG_ML)
        self.lines = rplot.block_curves(ax, [v for _l, v in _BLOCKER_OPTIONS])
        self.base_lw = next(iter(self.lines.values())).get_linewidth()
        self.marker = rplot.concentration_marker(ax)
        self.dynamic = [*self.lines.values(), *self.marker.values()]

    def compute(self, blocker, conc_ng_ml) -> BlockCurveResult:
        """Block curves of every blocker, the chosen point, the bands and S-ketamine's derived analgesic level.

        Parameters
        ----------
        blocker : str
            A key of :data:`helpers.models.receptor.BLOCKERS`.
        conc_ng_ml : float
            Plasma level (ng/mL).

        Returns
        -------
        BlockCurveResult
            Everything ``draw`` and ``describe`` read.
        """
        conc = np.geomspace(*self.c_lim, 300)
        curves = {name: receptor.block_at_plasma(conc, name) for _l, name in _BLOCKER_OPTIONS}
        bands = {key: receptor.band_block(key, blocker) for key in receptor.CLINICAL_BANDS_NG_ML}
        s_lo, s_hi, _label = receptor.band_for_drug("analgesic", S_KETAMINE)
        b = receptor.blocker(blocker)
        return BlockCurveResult(
            blocker=blocker, conc_ng_ml=conc_ng_ml, conc=conc, curves=curves, bands=bands,
            clinical_bands=receptor.CLINICAL_BANDS_NG_ML,
            block=receptor.block_at_plasma(conc_ng_ml, blocker),
            conc_um=receptor.blocker_conc_um(conc_ng_ml, blocker),
            ic50_um=b.ic50_um, ic50_ng_ml=b.ic50_ng_ml, substance=b.substance, g_per_mol=b.g_per_mol,
            s_analgesic_ng_ml=(s_lo, s_hi),
            s_analgesic_block=tuple(receptor.block_at_plasma(np.array([s_lo, s_hi]), S_KETAMINE)),
            s_potency=receptor.S_KETAMINE_POTENCY_VS_RACEMATE)

    def static_key(self):
        """What the cached background depends on besides the axes: the µM axis's substance.

        Returns
        -------
        str
            "ketamine" or "norketamine".
        """
        return self.um_substance  # the µM axis (in the cached background) follows the blocker's molar mass

    def draw(self, r) -> None:
        """Move the curves and the marker; switch the µM axis when the substance changes.

        Parameters
        ----------
        r : BlockCurveResult
            From :meth:`compute`.
        """
        if r.substance != self.um_substance:
            rplot.set_um_axis(self.um_axis, r.g_per_mol, r.substance)
            self.um_substance = r.substance
        rplot.update_block_curves(self.lines, r.conc, r.curves, r.blocker, self.base_lw)
        rplot.update_concentration_marker(self.marker, r.conc_ng_ml, r.block,
                                          f"{_ng(r.conc_ng_ml)} ng/mL: {_pct(r.block)} blocked")

    def describe(self, r) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        r : BlockCurveResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        name = r.blocker
        bands = r.clinical_bands
        measured = " / ".join(sorted({b.measured_with for b in bands.values()}))
        parts = [f"{key} {_ng(bands[key].low_ng_ml)}–{_ng(bands[key].high_ng_ml)} ng/mL: "
                 f"{_pct(lo)}–{_pct(hi)}" for key, (lo, hi) in r.bands.items()]
        lo, hi = r.bands["analgesic"]
        a_lo, a_hi = r.bands["anaesthetic"]
        top = ("only anaesthetic levels come close to full block" if a_lo >= 0.9 else
               f"even anaesthetic levels leave {_pct(1 - a_hi)}–{_pct(1 - a_lo)} of receptors free")
        text = (f"{name} at {_ng(r.conc_ng_ml)} ng/mL ({r.conc_um:.2g} µM) blocks {_pct(r.block)} of "
                f"NMDA receptors at steady state (Hill curve, IC50 {r.ic50_um:.2g} µM = "
                f"{_ng(r.ic50_ng_ml)} ng/mL). The shaded bands are plasma levels measured with {measured} "
                f"(Zanos 2018); {name} at those levels: " + "; ".join(parts) + ". ")
        if name == S_KETAMINE:
            (s_lo, s_hi), (b_lo, b_hi) = r.s_analgesic_ng_ml, r.s_analgesic_block
            f = r.s_potency
            text += (f"S-ketamine is about {f:g}× as potent as the racemate in the clinic, so its analgesic level is "
                     f"about {_ng(s_lo)}–{_ng(s_hi)} ng/mL (racemic ÷ {f:g}, our arithmetic), where it blocks only "
                     f"part of the receptors ({_pct(b_lo)}–{_pct(b_hi)}); {top}. ")
        elif name == _RACEMIC_BLOCKER:
            text += f"Analgesic levels block only part of the receptors ({_pct(lo)}–{_pct(hi)}); {top}. "
        else:
            text += f"{top[0].upper()}{top[1:]}. "
        return text + "The IC50 is a binding Ki used as a functional IC50, an assumption."


@dataclass(frozen=True, eq=False)
class UseDependenceResult:
    """What the use-dependence panel shows, computed once per update.

    Parameters
    ----------
    course : helpers.models.receptor.BlockTimeCourse
        The block under repeated activation.
    conc_ng_ml : float
        The drug level (ng/mL) the course was run at.
    """

    course: receptor.BlockTimeCourse
    conc_ng_ml: float


class UseDependence(Panel):
    """Block builds up only while channels open, and trapped drug leaves only when they open again.

    Parameters
    ----------
    preset : str, optional
        Key of a preset in ``data/presets/receptor.json`` to open on (default: :data:`USE_DEPENDENCE_OPENING`).
    look : str
        Style sheet: "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset (``frequency_hz``, ``conc_ng_ml``, ``blocker``, ``washout``,
        ``rest_s``).

    References
    ----------
    .. [1] ``orser_1997``: Orser, Pennefather & MacDonald 1997 (rates behind the defaults) [V].
    """

    name = "use_dependence"
    title = "Use-dependent, trapping block under repeated activation"

    def make_controls(self):
        """The controls, keyed by the argument names of :meth:`compute`, opening on the preset notebook 01 uses.

        Returns
        -------
        dict
            Fresh widgets.
        """
        # The opening case is a preset (data), so the notebook text, the preset and the sliders cannot drift
        # apart; the log slider's grid is anchored on its values and the level's ladder holds every preset's level,
        # so a browser has nothing to snap.
        o = evidence.preset(self.name, USE_DEPENDENCE_OPENING)["values"]
        return {
            "frequency_hz": log_slider(o["frequency_hz"], 0.1, 10.0, 0.05,
                                       readout_format=".2g", description="Activation rate (Hz)"),
            "conc_ng_ml": ladder_slider(o["conc_ng_ml"], nice_ladder(10.0, 3000.0, preset_values(self.name,
                                                                                              "conc_ng_ml")),
                                        "Drug level (ng/mL)"),
            "blocker": W.Dropdown(options=_BLOCKER_OPTIONS, value=o["blocker"], description="Blocker",
                                  layout=W.Layout(width="340px")),
            "washout": W.Checkbox(value=o["washout"], description=f"Wash the drug out at {_WASHOUT_S:.0f} s"),
            "rest_s": W.FloatSlider(value=o["rest_s"], min=0.0, max=40.0, step=1.0, readout_format=".0f",
                                    description="Pause in activation after washout (s)"),
        }

    def setup(self, fig) -> None:
        """Make the time axes and the artists ``draw`` moves.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        rplot.time_course_axes(ax, _DURATION_S)
        self.art = rplot.time_course_artists(ax)
        self.dynamic = list(self.art.values())

    def compute(self, frequency_hz, conc_ng_ml, blocker, washout, rest_s) -> UseDependenceResult:
        """Run the trapping-block scheme for the 120-s protocol.

        Parameters
        ----------
        frequency_hz : float
            Activation rate (Hz).
        conc_ng_ml : float
            Drug level (ng/mL).
        blocker : str
            A key of :data:`helpers.models.receptor.BLOCKERS`.
        washout : bool
            Wash the drug out at 60 s.
        rest_s : float
            Pause in activation after washout (s).

        Returns
        -------
        UseDependenceResult
            Everything ``draw`` and ``describe`` read.
        """
        c_um = receptor.blocker_conc_um(conc_ng_ml, blocker)
        course = receptor.block_time_course(c_um, frequency_hz, _DURATION_S, blocker,
                                            washout_at_s=_WASHOUT_S if washout else None,
                                            rest_after_washout_s=rest_s if washout else 0.0)
        return UseDependenceResult(course=course, conc_ng_ml=conc_ng_ml)

    def draw(self, r) -> None:
        """Move the artists to a new result.

        Parameters
        ----------
        r : UseDependenceResult
            From :meth:`compute`.
        """
        rplot.update_time_course(self.art, r.course)
        # Without a washout there is no pause after it: the pause slider does nothing, so it is greyed out.
        self.controls["rest_s"].disabled = r.course.washout_at_s is None

    def describe(self, r) -> str:
        """The live text description (also the exported figure's alt text).

        Parameters
        ----------
        r : UseDependenceResult
            From :meth:`compute`.

        Returns
        -------
        str
            One paragraph with the model's numbers.
        """
        res, conc = r.course, r.conc_ng_ml
        text = (f"{res.blocker} {_ng(conc)} ng/mL ({res.conc_um:.2g} µM), activated at {res.frequency_hz:.2g} Hz: "
                f"block builds up only while channels are open. ")
        end_drug = res.duration_s if res.washout_at_s is None else res.washout_at_s
        if res.t_half_s is not None:
            n = int(np.count_nonzero(res.pulse_starts_s <= res.t_half_s))
            text += (f"It reaches half its steady-state level ({_pct(res.steady_state)}, the Hill value) after "
                     f"{res.t_half_s:.1f} s ({n} activation{'s' if n != 1 else ''}). ")
        else:
            reached = float(np.interp(end_drug, res.t_s, res.blocked))
            text += (f"It does not reach half its steady-state level ({_pct(res.steady_state)}) within "
                     f"{end_drug:.0f} s: only {_pct(reached)} blocked. ")
        if res.washout_at_s is None:
            text += f"At {res.duration_s:.0f} s, {_pct(float(res.blocked[-1]))} of receptors are blocked. "
        else:
            text += f"At washout ({res.washout_at_s:.0f} s) {_pct(res.blocked_at_washout)} are blocked. "
            if res.rest_s > 0:
                text += (f"During {res.rest_s:.0f} s without activation the block stays at "
                         f"{_pct(res.blocked_after_rest)}: the drug is trapped in closed channels. ")
            if res.t_half_recovery_s is not None:
                text += (f"Once activation {'resumes' if res.rest_s > 0 else 'continues'}, the block halves in "
                         f"{res.t_half_recovery_s:.1f} s. ")
            elif res.blocked_after_rest is not None and res.blocked_after_rest > 1e-6:
                left = float(res.blocked[-1])
                text += (f"Activation is too sparse for the block to halve by {res.duration_s:.0f} s "
                         f"({_pct(left)} left). ")
        return text + "Absolute rates are illustrative; the steady state is the Hill curve."


def iv_curve(preset: str | None = None, **values) -> IVCurve:
    """Panel: NMDA I–V curve with Mg²⁺, marked voltage and the coincidence bars.

    Parameters
    ----------
    preset : str, optional
        Preset key in ``data/presets/receptor.json``.
    **values
        Control values that override the preset (``mg_mm``, ``v_mv``, ``look``).

    Returns
    -------
    IVCurve
        The panel; display it as a notebook cell's last expression.
    """
    return IVCurve(preset, **values)


def block_curve(preset: str | None = None, **values) -> BlockCurve:
    """Panel: fraction of receptors blocked vs plasma concentration, with clinical bands.

    Parameters
    ----------
    preset : str, optional
        Preset key in ``data/presets/receptor.json`` (e.g. "analgesic_racemic").
    **values
        Control values that override the preset (``blocker``, ``conc_ng_ml``, ``look``).

    Returns
    -------
    BlockCurve
        The panel; display it as a notebook cell's last expression.
    """
    return BlockCurve(preset, **values)


def use_dependence(preset: str | None = None, **values) -> UseDependence:
    """Panel: block onset under repeated activation, washout and trapping.

    Parameters
    ----------
    preset : str, optional
        Preset key in ``data/presets/receptor.json`` (e.g. "high_frequency", "rare_activity", "no_pause").
    **values
        Control values that override the preset (``frequency_hz``, ``conc_ng_ml``, ``blocker``, ``washout``,
        ``rest_s``, ``look``).

    Returns
    -------
    UseDependence
        The panel; display it as a notebook cell's last expression.
    """
    return UseDependence(preset, **values)


PANELS = {"iv_curve": IVCurve, "block_curve": BlockCurve, "use_dependence": UseDependence}


def blocker_table() -> str:
    """A Markdown table of the blockers for notebook 01.

    Returns
    -------
    str
        One row per blocker: IC50 in µM and ng/mL, block at 100 ng/mL, source and evidence label.

    References
    ----------
    .. [1] ``ebert_1997``: Ebert et al. 1997, Eur J Pharmacol (Ki vs [3H]MK-801) [V2].
    .. [2] ``salat_2015``: Sałat et al. 2015 (racemic Ki cross-check) [V2].
    """
    rows = ["| blocker | IC50 used (µM) | = ng/mL | blocked at 100 ng/mL | source | evidence |",
            "|---|---|---|---|---|---|"]
    for b in receptor.BLOCKERS.values():
        at_100 = _pct(receptor.block_at_plasma(100.0, b.name))
        rows.append(f"| {b.name} | {b.ic50_um:.2g} | {b.ic50_ng_ml:.0f} | {at_100} | {b.source} | {b.evidence} |")
    return "\n".join(rows)
