"""NMDA receptor layer: Mg2+ voltage block, coincidence detection and ketamine channel block.

Core functions (the API contract other layers call):

* :func:`mg_unblocked_fraction` — Jahr & Stevens (1990) Mg2+ block, B(V) = 1 / (1 + exp(-0.062 V) [Mg]/3.57),
  V in mV, [Mg2+] in mM (facts sheet §2 [V]).
* :func:`fraction_blocked` — steady-state Hill occupancy of the channel by a blocker.
* :func:`block_at_plasma` — plasma concentration (ng/mL) of a named blocker -> fraction of receptors blocked.

Also here: the current-voltage relation (:func:`nmda_current`, :func:`iv_relation`), coincidence detection
(:func:`conducting_fraction`, :func:`coincidence_table`), the blockers (:data:`BLOCKERS`), the clinical
concentration bands (:data:`CLINICAL_BANDS_NG_ML`) and a use-dependent trapping-block kinetic scheme
(:func:`block_time_course`).

Evidence: the Mg2+ constants [V] and the Ki values [V2, vendor table] are cited; using a [3H]MK-801 binding Ki
as the IC50 for channel block is an *assumption*; the racemate as two competing enantiomers is our derivation [D];
all absolute rates of the kinetic scheme are *illustrative*; the clinical bands are *racemic* plasma levels.
Teaching material, not dosing advice.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .. import _validate as v
from .. import units
from ..vocab import DRUGS, EVIDENCE_LABELS, RACEMIC, S_KETAMINE, drug_label

__all__ = [
    "MG_VOLTAGE_PER_MV", "MG_HALF_MM", "E_REV_MV", "V_NORM_MV", "V_REST_MV", "V_REST_SOURCE", "V_REST_EVIDENCE",
    "mg_unblocked_fraction", "fraction_blocked", "competing_block",
    "nmda_current", "slope_conductance", "peak_inward_voltage", "negative_slope_region", "IVRelation",
    "iv_relation", "conducting_fraction", "coincidence_table",
    "Blocker", "BLOCKERS", "blocker", "blocker_conc_um", "block_at_plasma",
    "ClinicalBand", "CLINICAL_BANDS_NG_ML", "band_block", "band_for_drug", "S_KETAMINE_POTENCY_VS_RACEMATE",
    "ChannelKinetics", "KINETICS", "rate_matrix", "BlockTimeCourse", "block_time_course",
]

#: Jahr & Stevens 1990 constants (facts sheet §2, [V]).
MG_VOLTAGE_PER_MV = 0.062
MG_HALF_MM = 3.57
#: NMDA reversal potential, ≈ 0 mV (facts sheet §2, [V]).
E_REV_MV = 0.0
#: Currents are normalised to the Mg2+-free current of fully open channels at -70 mV: I = -1 there.
V_NORM_MV = 70.0
#: Resting membrane potential used for "at rest": -70 mV, a round textbook value (*assumed*: not from a cited
#: measurement or the facts sheet).
V_REST_MV = -70.0
V_REST_SOURCE = "textbook round value for a neuron's resting potential; not from a cited measurement"
V_REST_EVIDENCE = "assumed"
_V_LIMIT_MV = 200.0


def mg_unblocked_fraction(v_mv, mg_mm=1.0):
    """Fraction of NMDA channels not blocked by Mg2+: B(V) = 1 / (1 + exp(-0.062 V) [Mg]/3.57).

    Parameters
    ----------
    v_mv : float or array_like
        Membrane potential (mV), in [-200, 200].
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].

    Returns
    -------
    float or numpy.ndarray
        B in (0, 1]; a float for a scalar voltage.

    References
    ----------
    .. [1] ``jahr_stevens_1990``: Jahr & Stevens 1990, J Neurosci 10:3178 (Mg2+ block constants) [V].
    """
    volts = v.array(v_mv, "v_mv", low=-200.0, high=200.0)
    mg = v.in_range(mg_mm, "mg_mm", 0.0, 10.0)
    out = 1.0 / (1.0 + np.exp(-MG_VOLTAGE_PER_MV * volts) * mg / MG_HALF_MM)
    return float(out) if out.ndim == 0 else out


def fraction_blocked(conc_um, ic50_um, hill=1.0):
    """Fraction of receptors blocked at steady state (Hill equation): c^n / (c^n + IC50^n).

    Parameters
    ----------
    conc_um : float or array_like
        Blocker concentration (µM, >= 0).
    ic50_um : float
        Concentration that blocks half the receptors (µM, > 0).
    hill : float
        Hill coefficient n, in [0.1, 10].

    Returns
    -------
    float or numpy.ndarray
        Fraction blocked, in [0, 1).
    """
    c = v.array(conc_um, "conc_um", low=0.0)
    ic50 = v.positive(ic50_um, "ic50_um")
    n = v.in_range(hill, "hill", 0.1, 10.0)
    out = c**n / (c**n + ic50**n)
    return float(out) if out.ndim == 0 else out


def competing_block(concs_um, ic50s_um):
    """Fraction blocked when several blockers compete for the one pore site (Hill coefficient 1).

    Block = Σ(cᵢ/Kᵢ) / (1 + Σ(cᵢ/Kᵢ)): mutually exclusive binding [D].

    Parameters
    ----------
    concs_um : list or tuple
        Concentration of each blocker (µM, >= 0); an entry may itself be an array (all of the same shape).
    ic50s_um : list or tuple
        IC50 of each blocker (µM, > 0), as long as ``concs_um``.

    Returns
    -------
    float or numpy.ndarray
        Fraction blocked, in [0, 1).
    """
    if not isinstance(concs_um, (list, tuple)) or not isinstance(ic50s_um, (list, tuple)):
        raise ValueError(f"concs_um and ic50s_um must be lists or tuples, got {type(concs_um).__name__} and "
                         f"{type(ic50s_um).__name__}")
    if len(concs_um) != len(ic50s_um) or not concs_um:
        raise ValueError(f"concs_um and ic50s_um must have the same non-zero length, got {len(concs_um)} and "
                         f"{len(ic50s_um)}")
    ratio = 0.0
    for c, k in zip(concs_um, ic50s_um, strict=True):
        ratio = ratio + v.array(c, "concs_um", low=0.0) / v.positive(k, "ic50s_um")
    out = np.asarray(ratio / (1.0 + ratio), dtype=float)
    return float(out) if out.ndim == 0 else out


# ---- current-voltage relation and coincidence detection ----------------------------------------------------

def nmda_current(v_mv, mg_mm=1.0, *, open_fraction=1.0, e_rev_mv=E_REV_MV):
    """NMDA current I = g·B(V,[Mg])·(V − E_rev) in *normalised units*: −1 is the Mg2+-free current of fully
    open channels at −70 mV. Inward current is negative.

    Parameters
    ----------
    v_mv : float or array_like
        Membrane potential (mV), in [-200, 200].
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].
    open_fraction : float
        Scales g, in [0, 1] (e.g. 1 − block).
    e_rev_mv : float
        Reversal potential (mV), in [-50, 50]; ≈ 0 mV [V].

    Returns
    -------
    float or numpy.ndarray
        The current in normalised units.

    References
    ----------
    .. [1] ``jahr_stevens_1990``: Jahr & Stevens 1990, J Neurosci 10:3178 (Mg2+ block constants) [V].
    """
    b = mg_unblocked_fraction(v_mv, mg_mm)
    g = v.fraction(open_fraction, "open_fraction")
    e = v.in_range(e_rev_mv, "e_rev_mv", -50.0, 50.0)
    out = g * np.asarray(b) * (np.asarray(v_mv, dtype=float) - e) / V_NORM_MV
    return float(out) if out.ndim == 0 else out


def _b_raw(v_mv, mg_mm):
    return 1.0 / (1.0 + np.exp(-MG_VOLTAGE_PER_MV * v_mv) * mg_mm / MG_HALF_MM)


def _slope_raw(v_mv, mg_mm, e_rev_mv):
    b = _b_raw(v_mv, mg_mm)
    return b * (1.0 + MG_VOLTAGE_PER_MV * (v_mv - e_rev_mv) * (1.0 - b))


def slope_conductance(v_mv, mg_mm=1.0, *, e_rev_mv=E_REV_MV):
    """Slope dI/dV of the NMDA I–V curve, exact: B·[1 + a(V − E)(1 − B)] with a = 0.062 /mV.

    Parameters
    ----------
    v_mv : float or array_like
        Membrane potential (mV), in [-200, 200].
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].
    e_rev_mv : float
        Reversal potential (mV), in [-50, 50].

    Returns
    -------
    float or numpy.ndarray
        The slope in units of the Mg2+-free slope (1 = as steep as without Mg2+; B' = a·B·(1 − B) for the
        Jahr–Stevens B). Negative values mark the negative-slope region, where depolarising *increases* the
        inward current.
    """
    volts = v.array(v_mv, "v_mv", low=-200.0, high=200.0)
    mg = v.in_range(mg_mm, "mg_mm", 0.0, 10.0)
    e = v.in_range(e_rev_mv, "e_rev_mv", -50.0, 50.0)
    out = _slope_raw(volts, mg, e)
    return float(out) if out.ndim == 0 else out


def peak_inward_voltage(mg_mm=1.0, *, e_rev_mv=E_REV_MV):
    """Voltage of the largest inward current, where the negative slope ends.

    Solves 1 + a(V − E)(1 − B(V)) = 0 on [−200 mV, E_rev] by bisection (the slope is positive above E_rev).

    Parameters
    ----------
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].
    e_rev_mv : float
        Reversal potential (mV), in [-50, 50].

    Returns
    -------
    float or None
        The voltage (mV); None with no Mg2+, where the current is linear in V and has no minimum.
    """
    mg = v.in_range(mg_mm, "mg_mm", 0.0, 10.0)
    e = v.in_range(e_rev_mv, "e_rev_mv", -50.0, 50.0)
    lo, hi = -_V_LIMIT_MV, e
    if mg == 0.0 or _slope_raw(lo, mg, e) >= 0.0:
        return None
    for _ in range(60):  # 200 mV / 2**60: below float resolution
        mid = 0.5 * (lo + hi)
        if _slope_raw(mid, mg, e) < 0.0:
            lo = mid
        else:
            hi = mid
    return float(0.5 * (lo + hi))


def negative_slope_region(mg_mm=1.0, v_lo_mv=-100.0, v_hi_mv=40.0, *, e_rev_mv=E_REV_MV):
    """The part of a voltage window where dI/dV < 0.

    The slope is negative at *every* voltage below the peak inward current (the current creeps towards zero as
    Mg2+ block becomes complete), so the region starts at ``v_lo_mv``; it is steep only between about −70 mV
    and the peak (≈ −27 mV at 1 mM Mg2+).

    Parameters
    ----------
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].
    v_lo_mv, v_hi_mv : float
        The window (mV), each in [-200, 200], ``v_hi_mv > v_lo_mv``.
    e_rev_mv : float
        Reversal potential (mV), in [-50, 50].

    Returns
    -------
    tuple of float or None
        ``(start_mv, end_mv)``, or None if the window has no negative slope.
    """
    lo = v.in_range(v_lo_mv, "v_lo_mv", -_V_LIMIT_MV, _V_LIMIT_MV)
    hi = v.in_range(v_hi_mv, "v_hi_mv", -_V_LIMIT_MV, _V_LIMIT_MV)
    if hi <= lo:
        raise ValueError(f"v_hi_mv must be > v_lo_mv, got v_lo_mv={lo!r}, v_hi_mv={hi!r}")
    peak = peak_inward_voltage(mg_mm, e_rev_mv=e_rev_mv)
    if peak is None or peak <= lo:
        return None
    return lo, min(peak, hi)


@dataclass(frozen=True, eq=False)
class IVRelation:
    """NMDA current-voltage relation at one [Mg2+], with a marked voltage. Currents in normalised units.

    Parameters
    ----------
    v_mv : numpy.ndarray
        Voltages (mV).
    current : numpy.ndarray
        Current with Mg2+.
    current_no_mg : numpy.ndarray
        Mg2+-free current, for contrast.
    mg_mm : float
        Extracellular Mg2+ (mM).
    v_mark_mv : float
        The marked voltage (mV).
    unblocked_at_mark : float
        B(V_mark): fraction of open channels that conduct.
    current_at_mark : float
        Current at the marked voltage.
    v_peak_inward_mv : float or None
        End of the negative-slope region (mV).
    v_steepest_mv : float or None
        Voltage of the most negative slope (mV).
    negative_slope_mv : tuple of float or None
        The negative-slope region within ``v_mv``.
    e_rev_mv : float
        Reversal potential (mV).
    """
    v_mv: np.ndarray
    current: np.ndarray            # with Mg2+
    current_no_mg: np.ndarray      # Mg2+-free, for contrast
    mg_mm: float
    v_mark_mv: float
    unblocked_at_mark: float       # B(V_mark): fraction of open channels that conduct
    current_at_mark: float
    v_peak_inward_mv: float | None  # end of the negative-slope region
    v_steepest_mv: float | None     # most negative slope
    negative_slope_mv: tuple[float, float] | None
    e_rev_mv: float


def iv_relation(mg_mm=1.0, v_mark_mv=V_REST_MV, v_mv=None, *, e_rev_mv=E_REV_MV):
    """I–V curve with and without Mg2+, plus the features a student reads.

    Parameters
    ----------
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].
    v_mark_mv : float
        Voltage to mark (mV), in [-200, 200].
    v_mv : array_like, optional
        Voltages (mV), 1-D, at least two; default −100…+40 mV in 0.5-mV steps.
    e_rev_mv : float
        Reversal potential (mV), in [-50, 50].

    Returns
    -------
    IVRelation
        Curves, the negative-slope region and the values at the mark.

    References
    ----------
    .. [1] ``jahr_stevens_1990``: Jahr & Stevens 1990, J Neurosci 10:3178 (Mg2+ block constants) [V].
    """
    mg = v.in_range(mg_mm, "mg_mm", 0.0, 10.0)
    mark = v.in_range(v_mark_mv, "v_mark_mv", -_V_LIMIT_MV, _V_LIMIT_MV)
    grid = np.linspace(-100.0, 40.0, 281) if v_mv is None else v.array(v_mv, "v_mv", low=-200.0, high=200.0,
                                                                       ndim_max=1)
    if grid.ndim != 1 or grid.size < 2:
        raise ValueError(f"v_mv must be a 1-D array of at least two voltages, got shape {grid.shape}")
    i_mg = np.asarray(nmda_current(grid, mg, e_rev_mv=e_rev_mv), dtype=float)
    i_0 = np.asarray(nmda_current(grid, 0.0, e_rev_mv=e_rev_mv), dtype=float)
    region = negative_slope_region(mg, float(grid.min()), float(grid.max()), e_rev_mv=e_rev_mv)
    steepest = None
    if region is not None:
        fine = np.linspace(region[0], region[1], 400)
        steepest = float(fine[np.argmin(_slope_raw(fine, mg, float(e_rev_mv)))])
    return IVRelation(v_mv=grid, current=i_mg, current_no_mg=i_0, mg_mm=mg, v_mark_mv=mark,
                      unblocked_at_mark=mg_unblocked_fraction(mark, mg),
                      current_at_mark=nmda_current(mark, mg, e_rev_mv=e_rev_mv),
                      v_peak_inward_mv=peak_inward_voltage(mg, e_rev_mv=e_rev_mv), v_steepest_mv=steepest,
                      negative_slope_mv=region, e_rev_mv=float(e_rev_mv))


def conducting_fraction(glutamate_bound, v_mv, mg_mm=1.0):
    """Fraction of receptors passing current: needs glutamate bound (channel open) AND Mg2+ expelled.

    = (1 if glutamate_bound else 0) × B(V, [Mg]): the coincidence detector in one line.

    Parameters
    ----------
    glutamate_bound : bool
        Whether glutamate is bound.
    v_mv : float or array_like
        Membrane potential (mV), in [-200, 200].
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].

    Returns
    -------
    float or numpy.ndarray
        The conducting fraction.

    References
    ----------
    .. [1] ``jahr_stevens_1990``: Jahr & Stevens 1990, J Neurosci 10:3178 (Mg2+ block constants) [V].
    """
    if not isinstance(glutamate_bound, (bool, np.bool_)):
        raise ValueError(f"glutamate_bound must be True or False, got {glutamate_bound!r}")
    b = mg_unblocked_fraction(v_mv, mg_mm)
    out = np.asarray(b) * (1.0 if glutamate_bound else 0.0)
    return float(out) if out.ndim == 0 else out


def coincidence_table(mg_mm=1.0, v_rest_mv=V_REST_MV, v_depolarised_mv=-20.0):
    """Conducting fraction for {glutamate no/yes} × {rest, depolarised}.

    Parameters
    ----------
    mg_mm : float
        Extracellular Mg2+ (mM), in [0, 10].
    v_rest_mv : float
        Resting potential (mV).
    v_depolarised_mv : float
        Depolarised potential (mV).

    Returns
    -------
    Mapping
        ``{(glutamate, depolarised): fraction}``, read-only.
    """
    rest = v.in_range(v_rest_mv, "v_rest_mv", -_V_LIMIT_MV, _V_LIMIT_MV)
    dep = v.in_range(v_depolarised_mv, "v_depolarised_mv", -_V_LIMIT_MV, _V_LIMIT_MV)
    return MappingProxyType({(glu, is_dep): conducting_fraction(glu, dep if is_dep else rest, mg_mm)
                             for glu in (False, True) for is_dep in (False, True)})


# ---- blockers and clinical concentrations ------------------------------------------------------------------

@dataclass(frozen=True)
class Blocker:
    """An NMDA channel blocker.

    Parameters
    ----------
    name : str
        Key in :data:`BLOCKERS`.
    ic50_um : float
        The Ki of [3H]MK-801 displacement (µM) used as the IC50 for channel block — an *assumption*: a binding
        Ki in Mg2+-free membranes is not a functional IC50 in Mg2+.
    substance : {"ketamine", "norketamine"}
        Picks the molar mass for ng/mL <-> µM (:attr:`g_per_mol`).
    components : tuple of tuple
        ``((name, mole fraction), ...)`` for a mixture; a pure compound lists itself.
    source : str
        Where the number comes from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label.
    note : str
        A remark for the blocker table.

    References
    ----------
    .. [1] ``ebert_1997``: Ebert et al. 1997, Eur J Pharmacol (Ki vs [3H]MK-801) [V2].
    """
    name: str
    ic50_um: float
    substance: str                       # "ketamine" | "norketamine": molar mass for ng/mL <-> µM
    components: tuple[tuple[str, float], ...]
    source: str
    evidence: str                        # "cited" | "assumed" | "illustrative"
    note: str = ""

    def __post_init__(self):
        v.positive(self.ic50_um, "ic50_um")
        v.choice(self.substance, "substance", ("ketamine", "norketamine"))
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)
        if not self.components or any(not isinstance(c, tuple) or len(c) != 2 for c in self.components):
            raise ValueError(f"components must be ((name, mole fraction), ...), got {self.components!r}")
        total = sum(v.fraction(f, "components mole fraction") for _n, f in self.components)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"components mole fractions must sum to 1, got {total!r}")

    @property
    def ic50_ng_ml(self) -> float:
        """The IC50 as a plasma mass concentration (ng/mL)."""
        return float(units.um_to_ng_ml(self.ic50_um, self.substance))

    @property
    def g_per_mol(self) -> float:
        """Molar mass of the blocker's free base (g/mol): ng/mL per µM (ketamine 237.7, norketamine 223.7)."""
        return float(units.um_to_ng_ml(1.0, self.substance))


_EBERT = ("Ebert, Mikkelsen, Thorkildsen & Borgbjerg 1997, Eur J Pharmacol (pages 333:99-104 not confirmed) "
          "(Ki vs [3H]MK-801, rat brain; secondary source: as tabulated on a vendor page)")
_S = Blocker(S_KETAMINE, 0.30, "ketamine", ((S_KETAMINE, 1.0),), _EBERT, "cited",
             "Ki 0.30 µM used as IC50 (assumption).")
_R = Blocker("R-ketamine", 1.4, "ketamine", (("R-ketamine", 1.0),), _EBERT, "cited",
             "Ki 1.4 µM used as IC50 (assumption).")
_NK = Blocker("S-norketamine", 1.7, "norketamine", (("S-norketamine", 1.0),), _EBERT, "cited",
              "Ki 1.7 µM used as IC50 (assumption).")
#: Racemate: 1:1 S + R competing for the pore site -> effective IC50 = 1 / (0.5/K_S + 0.5/K_R) [D].
_RAC_IC50 = 1.0 / (0.5 / _S.ic50_um + 0.5 / _R.ic50_um)
_RAC = Blocker(drug_label(RACEMIC), _RAC_IC50, "ketamine", ((S_KETAMINE, 0.5), ("R-ketamine", 0.5)),
               "our arithmetic from the Ebert 1997 S and R Ki (secondary source); cross-check: Sałat 2015 measured "
               "racemic Ki 0.119 µM (another lab; same vendor page, secondary source)", "assumed",
               f"1:1 S + R as two competing blockers: effective IC50 {_RAC_IC50:.3f} µM.")

#: The blockers by name (S-ketamine, R-ketamine, racemic ketamine, S-norketamine).
BLOCKERS = MappingProxyType({b.name: b for b in (_S, _R, _RAC, _NK)})


def blocker(name: str) -> Blocker:
    """A blocker from :data:`BLOCKERS` by name.

    Parameters
    ----------
    name : str
        "S-ketamine", "R-ketamine", "racemic ketamine" or "S-norketamine".

    Returns
    -------
    Blocker
        Its IC50, molar mass, source and evidence label.
    """
    return BLOCKERS[v.choice(name, "blocker", BLOCKERS)]


def blocker_conc_um(conc_ng_ml, blocker: str = S_KETAMINE):
    """A plasma concentration of a blocker in µM (ketamine 237.7 g/mol; norketamine 223.7 g/mol).

    Parameters
    ----------
    conc_ng_ml : float or array_like
        Concentration (ng/mL, >= 0).
    blocker : str
        A key of :data:`BLOCKERS`.

    Returns
    -------
    float or numpy.ndarray
        Concentration (µM).
    """
    b = BLOCKERS[v.choice(blocker, "blocker", BLOCKERS)]
    return units.ng_ml_to_um(conc_ng_ml, b.substance)


def block_at_plasma(conc_ng_ml, blocker: str = S_KETAMINE):
    """Fraction of NMDA receptors blocked at steady state by a plasma concentration of a blocker.

    Hill coefficient 1, IC50 = Ebert 1997 Ki ([V2], used as an IC50 by assumption, see :class:`Blocker`). The
    racemate is computed as S and R (half each) competing for the pore site. Plasma is taken as the receptor's
    concentration (no effect-site delay, no protein binding).

    Parameters
    ----------
    conc_ng_ml : float or array_like
        Plasma concentration (ng/mL, >= 0).
    blocker : str
        A key of :data:`BLOCKERS`.

    Returns
    -------
    float or numpy.ndarray
        Fraction blocked, in [0, 1).

    References
    ----------
    .. [1] ``ebert_1997``: Ebert et al. 1997, Eur J Pharmacol (Ki vs [3H]MK-801) [V2].
    """
    b = BLOCKERS[v.choice(blocker, "blocker", BLOCKERS)]
    c_um = units.ng_ml_to_um(conc_ng_ml, b.substance)
    return competing_block([np.asarray(c_um) * f for _n, f in b.components],
                           [BLOCKERS[n].ic50_um for n, _f in b.components])


@dataclass(frozen=True)
class ClinicalBand:
    """A range of plasma ketamine concentrations linked to an effect (Zanos 2018 Table 1 [V]).

    All three bands are *racemic* ketamine levels; S-ketamine is about twice as potent clinically, so its
    equivalent levels are about half (:func:`band_for_drug`).

    Parameters
    ----------
    name : str
        "analgesic", "dissociative" or "anaesthetic".
    low_ng_ml, high_ng_ml : float
        The range (ng/mL), ``0 <= low < high``.
    source : str
        Where the numbers come from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label.
    note : str
        Dose and unit remarks.
    measured_with : str
        The drug the levels were measured after.

    References
    ----------
    .. [1] ``zanos_2018``: Zanos et al. 2018, Pharmacol Rev 70:621, Table 1 [V].
    """
    name: str
    low_ng_ml: float
    high_ng_ml: float
    source: str
    evidence: str
    note: str = ""
    measured_with: str = drug_label(RACEMIC)

    def __post_init__(self):
        lo = v.nonnegative(self.low_ng_ml, "low_ng_ml")
        hi = v.positive(self.high_ng_ml, "high_ng_ml")
        if hi <= lo:
            raise ValueError(f"high_ng_ml must be > low_ng_ml, got low_ng_ml={lo!r}, high_ng_ml={hi!r}")
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)


_ZANOS = "Zanos et al. 2018, Pharmacol Rev 70:621-660, Table 1 (plasma Cmax, racemic ketamine) [V]"
#: Clinical concentration bands by key ("analgesic", "dissociative", "anaesthetic"). A note gives a dose only
#: where the facts sheet ties one to the band (0.15 mg/kg IV for analgesia); the doses behind the dissociative
#: and anaesthetic rows are not in the facts sheets, so none is stated. (The "0.5 mg/kg over 40 min" of the
#: same table belongs to its antidepressant row, Zarate 2006: see the receptor presets.)
CLINICAL_BANDS_NG_ML = MappingProxyType({
    "analgesic": ClinicalBand("analgesic", 70.0, 160.0, _ZANOS, "cited",
                              "After 0.15 mg/kg IV; 0.29-0.67 µM as printed in the table, which cites Grant 1981, "
                              "Clements 1982 and others [V]."),
    "dissociative": ClinicalBand("dissociative", 100.0, 250.0, _ZANOS, "cited",
                                 "Dissociation (Krystal 1994, as cited in the table) [V]; 0.42-1.1 µM is our "
                                 "conversion at 237.7 g/mol [D]."),
    "anaesthetic": ClinicalBand("anaesthetic", 1200.0, 2400.0, _ZANOS, "cited",
                                "5-10 µM as printed in the table [V]. Idvall 1979 measured 9.3 µmol/L during "
                                "maintenance and waking at 2.7 µmol/L [V]."),
})


#: Clinical potency of S-ketamine relative to the racemate: about 2x (Bell 2009, Pain 141:210 [V]; Oxford ICU
#: drugs text [V2]). Used only to translate the racemic bands to S-ketamine levels (see ``band_for_drug``).
S_KETAMINE_POTENCY_VS_RACEMATE = 2.0


def band_for_drug(band: str, drug: str) -> tuple[float, float, str]:
    """A clinical band in plasma levels of a drug.

    The bands were measured with racemic ketamine (Zanos 2018 Table 1). For S-ketamine they are divided by its
    clinical potency relative to the racemate (about 2x), which is our arithmetic [D] on a rounded ratio, not a
    measured S-ketamine band: the label says so.

    Parameters
    ----------
    band : str
        A key of :data:`CLINICAL_BANDS_NG_ML`.
    drug : {"racemic", "S-ketamine"}
        A drug of :data:`helpers.vocab.DRUGS`.

    Returns
    -------
    low, high : float
        The band (ng/mL of ``drug``).
    label : str
        How to label it, saying where a level is derived.

    References
    ----------
    .. [1] ``zanos_2018``: Zanos et al. 2018, Pharmacol Rev 70:621, Table 1 [V].
    .. [2] ``bell_2009``: Bell 2009, Pain 141:210 (S-ketamine about twice as potent) [V].
    """
    b = CLINICAL_BANDS_NG_ML[v.choice(band, "band", CLINICAL_BANDS_NG_ML)]
    drug = v.choice(drug, "drug", DRUGS)
    if drug == RACEMIC:
        return b.low_ng_ml, b.high_ng_ml, f"{b.name} range {b.low_ng_ml:.0f}–{b.high_ng_ml:.0f} ng/mL (racemic)"
    f = S_KETAMINE_POTENCY_VS_RACEMATE
    lo, hi = b.low_ng_ml / f, b.high_ng_ml / f
    return lo, hi, f"{b.name} range as S-ketamine ≈ {lo:.0f}–{hi:.0f} ng/mL (racemic ÷ {f:g}; our arithmetic)"


def band_block(band: str, blocker: str = S_KETAMINE) -> tuple[float, float]:
    """Fraction blocked across a clinical band by a blocker, at the band's plasma levels.

    The bands are *racemic* ketamine levels (Zanos 2018 Table 1). For any other blocker this is the block that
    blocker would give at those mass concentrations, not at its own clinical levels: for S-ketamine use the
    derived levels of :func:`band_for_drug` (about half) with :func:`block_at_plasma`.

    Parameters
    ----------
    band : str
        A key of :data:`CLINICAL_BANDS_NG_ML`.
    blocker : str
        A key of :data:`BLOCKERS`.

    Returns
    -------
    low, high : float
        Fraction blocked at the band's low and high level.
    """
    b = CLINICAL_BANDS_NG_ML[v.choice(band, "band", CLINICAL_BANDS_NG_ML)]
    lo, hi = block_at_plasma(np.array([b.low_ng_ml, b.high_ng_ml]), blocker)
    return float(lo), float(hi)


# ---- use-dependent trapping block: C, O, OB, CB ------------------------------------------------------------

@dataclass(frozen=True)
class ChannelKinetics:
    """Rates of the four-state trapping-block scheme (all *illustrative* in absolute terms).

    C ⇄ O and CB ⇄ OB share the gating: opening ``k_open_per_s`` only while glutamate is bound, closing
    ``k_close_per_s`` always. Block O → OB at ``k_on_per_um_s``·[blocker]; unblock OB → O at k_on·IC50 (so the
    steady state under steady gating is the Hill curve with n = 1). No exit from CB but reopening: trapping.

    Parameters
    ----------
    k_open_per_s : float
        Opening rate while glutamate is bound (per s).
    k_close_per_s : float
        Closing rate (per s).
    k_on_per_um_s : float
        Blocking rate constant (per µM per s).
    pulse_ms : float
        Length of a glutamate pulse (ms).
    source : str
        Where the numbers come from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label.

    References
    ----------
    .. [1] ``orser_1997``: Orser, Pennefather & MacDonald 1997 (mean open time, Po′, block at 1 µM) [V].

    What the defaults reproduce (Orser, Pennefather & MacDonald 1997, cell-attached, facts sheet §2 [V]): mean open
    time 1/k_close = 3.26 ms; open probability while glutamate is bound k_open/(k_open + k_close) = 0.058 (Orser's
    Po′); with 1 µM blocker the mean open time 1/(k_close + k_on·1 µM) is 68% of control. Only these three are
    fitted: Orser's fall in opening frequency (44%) and in Po′ (24% at 1 µM) are not (the membrane route is not
    modelled), and the one k_on, from "ketamine" in Orser, is used for every blocker (an assumption).
    """
    k_open_per_s: float = 18.9
    k_close_per_s: float = 1000.0 / 3.26
    k_on_per_um_s: float = 144.0
    pulse_ms: float = 20.0
    source: str = ("k_close = 1/3.26 ms, the mean open time in Orser, Pennefather & MacDonald 1997 [V]; k_open "
                   "gives an open probability of 0.058 while glutamate is bound (Orser's Po′, used loosely); "
                   "k_on = (1/0.68 − 1)/3.26 ms per µM [D] from Orser's 68% open time at 1 µM ketamine, "
                   "assuming simple open-channel block; pulse width chosen")
    evidence: str = "illustrative"

    def __post_init__(self):
        for name in ("k_open_per_s", "k_close_per_s", "k_on_per_um_s", "pulse_ms"):
            v.positive(getattr(self, name), name)
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)


#: Default rates of the kinetic scheme.
KINETICS = ChannelKinetics()

_STATES = ("C", "O", "OB", "CB")
_TAIL_TAUS = 8.0  # closing time constants after a pulse at which an extra sample is taken


def rate_matrix(glutamate_bound: bool, conc_um: float, ic50_um: float, kinetics: ChannelKinetics = KINETICS):
    """Generator A of dx/dt = A x for the occupancies x = (C, O, OB, CB).

    Parameters
    ----------
    glutamate_bound : bool
        Whether channels can open.
    conc_um : float
        Blocker concentration (µM, >= 0).
    ic50_um : float
        Blocker IC50 (µM, > 0); sets the unblocking rate k_on·IC50.
    kinetics : ChannelKinetics
        The rates.

    Returns
    -------
    numpy.ndarray
        A 4 × 4 matrix (per s) whose columns sum to zero.
    """
    if not isinstance(glutamate_bound, (bool, np.bool_)):
        raise ValueError(f"glutamate_bound must be True or False, got {glutamate_bound!r}")
    c = v.nonnegative(conc_um, "conc_um")
    k = v.positive(ic50_um, "ic50_um")
    ko = kinetics.k_open_per_s if glutamate_bound else 0.0
    kc, kon = kinetics.k_close_per_s, kinetics.k_on_per_um_s
    koff = kon * k
    return np.array([
        [-ko, kc, 0.0, 0.0],
        [ko, -(kc + kon * c), koff, 0.0],
        [0.0, kon * c, -(koff + kc), ko],
        [0.0, 0.0, kc, -ko],
    ])


def _expm(a: np.ndarray) -> np.ndarray:
    """Matrix exponential by scaling and squaring with an 18-term Taylor series (numpy only).

    Chosen over an eigen-decomposition because the generators here can have (near-)repeated eigenvalues
    (e.g. when the blocking and unblocking rates coincide), where eigenvectors are ill-conditioned. With the
    scaled norm ≤ 0.5 the truncation error is below 1e-20; the result is exact to rounding.
    """
    norm = float(np.max(np.sum(np.abs(a), axis=0)))
    s = max(0, int(math.ceil(math.log2(norm / 0.5)))) if norm > 0.5 else 0
    m = a / (2.0**s)
    out = np.eye(a.shape[0])
    term = np.eye(a.shape[0])
    for j in range(1, 19):
        term = term @ m / j
        out = out + term
    for _ in range(s):
        out = out @ out
    return out


def _prefix_products(mats: np.ndarray) -> np.ndarray:
    """S[i] = mats[i] @ mats[i-1] @ ... @ mats[0] for a stack of square matrices (log-depth scan, numpy only)."""
    out = mats.copy()
    shift = 1
    while shift < out.shape[0]:
        out[shift:] = out[shift:] @ out[:-shift]  # right side is evaluated before assignment: old values
        shift *= 2
    return out


@dataclass(frozen=True, eq=False)
class BlockTimeCourse:
    """State occupancies of the trapping scheme at every phase boundary (exact at those times).

    Parameters
    ----------
    t_s : numpy.ndarray
        Phase-boundary times (s).
    closed, open, open_blocked, trapped : numpy.ndarray
        Occupancies of C, O, OB and CB.
    conc_um : float
        Blocker concentration while the drug is present (µM).
    frequency_hz : float
        Activation rate (Hz).
    duration_s : float
        Length of the protocol (s).
    blocker : str
        The blocker's name.
    ic50_um : float
        Its IC50 (µM).
    steady_state : float
        The Hill steady state at ``conc_um``.
    pulse_starts_s : numpy.ndarray
        Start of each glutamate pulse (s).
    pulse_ms : float
        Pulse length (ms).
    washout_at_s : float or None
        When the drug is washed out (s).
    rest_s : float
        Pause in activation after washout (s).
    t_half_s : float or None
        Time until block first reaches half its steady state (None if not within the drug phase).
    blocked_at_washout, blocked_after_rest : float or None
        Block at washout and at the end of the pause.
    t_half_recovery_s : float or None
        After washout, time from the restart of activation until the block has halved (None if not reached
        or no washout).
    kinetics : ChannelKinetics
        The rates used.
    """
    t_s: np.ndarray
    closed: np.ndarray
    open: np.ndarray
    open_blocked: np.ndarray
    trapped: np.ndarray
    conc_um: float
    frequency_hz: float
    duration_s: float
    blocker: str
    ic50_um: float
    steady_state: float
    pulse_starts_s: np.ndarray
    pulse_ms: float
    washout_at_s: float | None
    rest_s: float
    t_half_s: float | None
    blocked_at_washout: float | None
    blocked_after_rest: float | None
    t_half_recovery_s: float | None
    kinetics: ChannelKinetics = field(repr=False, default=KINETICS)

    @property
    def blocked(self) -> np.ndarray:
        """Fraction blocked, OB + CB."""
        return self.open_blocked + self.trapped

    @property
    def states(self) -> np.ndarray:
        """Shape (4, n): rows C, O, OB, CB."""
        return np.vstack([self.closed, self.open, self.open_blocked, self.trapped])


def _pulse_train(t0: float, t1: float, period: float | None, width: float) -> np.ndarray:
    if period is None or t1 <= t0:
        return np.empty(0)
    n = int(math.floor((t1 - t0) / period - 1e-12)) + 1
    starts = t0 + period * np.arange(n)
    return starts[starts < t1 - 1e-12]


def block_time_course(conc_um, frequency_hz, duration_s, blocker: str = S_KETAMINE, *,
                      washout_at_s=None, rest_after_washout_s=0.0, pulse_ms=None,
                      kinetics: ChannelKinetics = KINETICS, initial=None) -> BlockTimeCourse:
    """Use-dependent trapping block under repeated activation (glutamate pulses at ``frequency_hz``).

    States C, O, OB, CB. Each pulse (``pulse_ms`` long, default from ``kinetics``) lets C → O and CB → OB;
    channels close (O → C, OB → CB) at all times; the blocker binds only O and leaves only from OB. At
    ``washout_at_s`` the blocker concentration drops to zero and stimulation pauses for
    ``rest_after_washout_s`` (a new pulse train starts after the pause). ``frequency_hz = 0``: no activation.
    ``pulse_ms = 1000/frequency_hz`` means glutamate is always present (continuous opening).

    The ODE is linear with piecewise-constant coefficients, so each phase is propagated exactly by a matrix
    exponential; the few distinct phases (pulse, closing tail, gap, ...) get one propagator each, chained by a
    log-depth prefix product (about 10 ms for 10 Hz over 120 s). Rates are illustrative (see
    :class:`ChannelKinetics`); the steady state under continuous opening equals :func:`fraction_blocked` with
    the blocker's IC50 and hill = 1.

    Parameters
    ----------
    conc_um : float
        Blocker concentration (µM), in [0, 1000].
    frequency_hz : float
        Activation rate (Hz), in [0, 100]; 0 = no activation.
    duration_s : float
        Length of the protocol (s), in (0, 3600].
    blocker : str
        A key of :data:`BLOCKERS`.
    washout_at_s : float, optional
        When the blocker concentration drops to zero (s), in [0, duration_s].
    rest_after_washout_s : float
        Pause in activation after washout (s), in [0, 3600]; needs ``washout_at_s``.
    pulse_ms : float, optional
        Glutamate pulse length (ms), at most one period; default from ``kinetics``.
    kinetics : ChannelKinetics
        The rates.
    initial : array_like, optional
        Starting occupancies (C, O, OB, CB) summing to 1; default all closed and unblocked.

    Returns
    -------
    BlockTimeCourse
        Occupancies at every phase boundary and the landmarks a student reads.

    References
    ----------
    .. [1] ``orser_1997``: Orser, Pennefather & MacDonald 1997 (rates behind the defaults) [V].
    """
    c = v.in_range(conc_um, "conc_um", 0.0, 1000.0)
    f = v.in_range(frequency_hz, "frequency_hz", 0.0, 100.0)
    dur = v.in_range(duration_s, "duration_s", 0.0, 3600.0, low_open=True)
    blk = BLOCKERS[v.choice(blocker, "blocker", BLOCKERS)]
    if not isinstance(kinetics, ChannelKinetics):
        raise ValueError(f"kinetics must be a ChannelKinetics, got {kinetics!r}")
    width_ms = kinetics.pulse_ms if pulse_ms is None else pulse_ms
    period = 1.0 / f if f > 0 else None
    width_ms = v.in_range(width_ms, "pulse_ms", 0.0, (1000.0 * period) if period else 1e6, low_open=True)
    width = width_ms / 1000.0
    wash = None if washout_at_s is None else v.in_range(washout_at_s, "washout_at_s", 0.0, dur)
    rest = v.in_range(rest_after_washout_s, "rest_after_washout_s", 0.0, 3600.0)
    if wash is None and rest > 0:
        raise ValueError(f"rest_after_washout_s needs washout_at_s, got rest_after_washout_s={rest!r} and "
                         "washout_at_s=None")
    if initial is None:
        x = np.array([1.0, 0.0, 0.0, 0.0])
    else:
        x = v.array(initial, "initial", low=0.0, high=1.0, ndim_max=1)
        if x.shape != (4,) or abs(x.sum() - 1.0) > 1e-9:
            raise ValueError(f"initial must be four occupancies (C, O, OB, CB) summing to 1, got {x.tolist()}")
        x = x.copy()

    # Pulse trains: one from 0; after a washout with a rest, a fresh train from the end of the rest.
    if wash is None or rest == 0.0:
        starts = _pulse_train(0.0, dur, period, width)
    else:
        starts = np.concatenate([_pulse_train(0.0, wash, period, width),
                                 _pulse_train(wash + rest, dur, period, width)])
    ends = np.minimum(starts + width, dur)
    tail = ends + _TAIL_TAUS / kinetics.k_close_per_s
    events = [np.array([0.0, dur]), starts, ends, tail[tail < dur]]
    if wash is not None:
        events.append(np.array([wash, min(wash + rest, dur)]))
    times = np.unique(np.concatenate(events))
    times = times[(times >= 0.0) & (times <= dur)]
    mids = 0.5 * (times[:-1] + times[1:])
    on = np.zeros(mids.shape, bool)
    if starts.size:
        idx = np.searchsorted(starts, mids, side="right") - 1
        on = (idx >= 0) & (mids < ends[np.clip(idx, 0, None)])
    drug = np.ones(mids.shape, bool) if wash is None else mids < wash
    dts = np.diff(times)

    # Few distinct (gating, drug, duration) phases: one exact propagator each, then a prefix product.
    cache: dict = {}
    kinds = np.empty(dts.size, dtype=int)
    props = []
    for i in range(dts.size):
        key = (bool(on[i]), bool(drug[i]), round(float(dts[i]), 12))
        j = cache.get(key)
        if j is None:
            a = rate_matrix(key[0], c if key[1] else 0.0, blk.ic50_um, kinetics)
            j = cache[key] = len(props)
            props.append(_expm(a * dts[i]))
        kinds[i] = j
    out = np.empty((times.size, 4))
    out[0] = x
    if dts.size:
        out[1:] = _prefix_products(np.asarray(props)[kinds]) @ x
    out = np.clip(out, 0.0, 1.0)  # rounding only: a propagator of a rate matrix keeps occupancies in [0, 1]

    blocked = out[:, 2] + out[:, 3]
    target = fraction_blocked(c, blk.ic50_um)
    end_drug = dur if wash is None else wash
    t_half = _first_crossing(times, blocked, 0.5 * target, rising=True, t_from=0.0, t_to=end_drug) \
        if target > 0 else None
    at_wash = after_rest = t_rec = None
    if wash is not None:
        at_wash = float(np.interp(wash, times, blocked))
        t_restart = min(wash + rest, dur)
        after_rest = float(np.interp(t_restart, times, blocked))
        if after_rest > 1e-9:
            crossing = _first_crossing(times, blocked, 0.5 * after_rest, rising=False, t_from=t_restart, t_to=dur)
            t_rec = None if crossing is None else crossing - t_restart
    return BlockTimeCourse(t_s=times, closed=out[:, 0], open=out[:, 1], open_blocked=out[:, 2],
                           trapped=out[:, 3], conc_um=c, frequency_hz=f, duration_s=dur, blocker=blk.name,
                           ic50_um=blk.ic50_um, steady_state=float(target), pulse_starts_s=starts,
                           pulse_ms=width_ms, washout_at_s=wash, rest_s=rest, t_half_s=t_half,
                           blocked_at_washout=at_wash, blocked_after_rest=after_rest, t_half_recovery_s=t_rec,
                           kinetics=kinetics)


def _first_crossing(t, y, level, *, rising, t_from, t_to):
    """First time in [t_from, t_to] where y crosses ``level`` (linear interpolation between samples)."""
    sel = np.nonzero((t >= t_from) & (t <= t_to))[0]
    if sel.size == 0:
        return None
    ys = y[sel]
    hit = np.nonzero(ys >= level if rising else ys <= level)[0]
    if hit.size == 0:
        return None
    j = sel[hit[0]]
    if j == sel[0]:
        return float(t[j])
    t0, t1, y0, y1 = t[j - 1], t[j], y[j - 1], y[j]
    return float(t0 + (level - y0) * (t1 - t0) / (y1 - y0)) if y1 != y0 else float(t1)
