"""Ketamine pharmacokinetics: published compartment models, routes, dosing events and an exact simulator.

Teaching material, not dosing advice.

What is here
------------
* Parameter sets (:data:`MODELS`): ``"domino"`` and ``"clements_nimmo_1981"`` (racemic; micro-constants as
  transcribed by the opentiva library [V2]) and ``"fanta_2015"`` (S-ketamine, Fanta 2015 as fixed in Otto 2021,
  plus Otto's 2-compartment S-norketamine model [V2]). Facts sheet §1a.
* Routes (:data:`ROUTES`): bioavailability by drug and a first-order absorption rate, each with its source.
* Dosing events :class:`Bolus` and :class:`Infusion` and their builders :func:`bolus`, :func:`infusion`,
  :func:`course`, :func:`repeat`. A regimen is any (possibly nested) sequence of events.
* :func:`simulate` → :class:`PKResult`: plasma ketamine, norketamine, a fast effect site (t½ 6.1 min,
  Olofsen 2012 [V]) and a slow biophase (t½ 10.9 days, Dahan 2011 [V]), all in ng/mL. The two half-lives are
  cited, but each study fitted its half-life with its own PK model; hanging them on the PK models here (Fanta
  included, and the racemic models all the more: both were fitted to S-ketamine) is our construction, so the
  effect sites are tagged "t½ cited; applied to this PK model: assumed" (:data:`EFFECT_SITE_EVIDENCE`; facts
  addendum §2b).
* :func:`amounts` → :class:`PKAmounts`: every compartment in mg plus exact cumulative eliminated amounts
  (mass balance).
* Closed forms: :func:`clearance_l_per_h`, :func:`half_lives_min`, :func:`norketamine_half_lives_min`,
  :func:`steady_state_ng_ml`, :func:`context_sensitive_half_time_h`, :func:`norketamine_auc_ratio`.
* Exact landmarks of any regimen, independent of a plotting grid: :func:`peak`, :func:`time_above_h`,
  :func:`time_to_fall_after_h`, :func:`auc_ng_h_per_ml`; and :func:`time_grid`, sample times that resolve
  every dosing event (for plotting).

How it is solved
----------------
The whole system (absorption depots, central and peripheral compartments, norketamine, both effect sites) is
linear, x' = A x + B u(t). ``A`` is diagonalised once per (model, weight, effect-site half-lives) and cached.
In modal coordinates each mode is independent: between two consecutive event boundaries t_k ≤ t < t_{k+1}
(bolus times, infusion starts and stops) its value is ``exp(λ (t − t_k)) S_k + C_k`` where ``C_k`` is the
steady state of the input active on that interval. ``S_k`` obeys S_k = exp(λ(t_k − t_{k−1})) S_{k−1} + drive_k
over the sorted boundaries (not over time points); it is evaluated in blocks of 64 boundaries as
S_i = Σ_{j≤i} exp(λ(t_i − t_j)) drive_j. All time points are then evaluated at once via ``np.searchsorted``.
Exponents are never positive, so nothing overflows however long the regimen; they are floored at −700 (exp
would return ~1e−304 there) because numpy's exp is ~8× slower in the underflow range. Modes a regimen cannot
excite (e.g. the depot of a route not used) are left out of the sum.

Near-repeated eigenvalues. An absorption depot or an effect site is a single state with its own rate that
feeds (or is fed by) the disposition compartments. If that rate equals a disposition eigenvalue the matrix
is defective (a t·e^{λt} term) and the eigenvector matrix is singular. That happens for real inputs: Fanta's
rates move with weight (allometry), and at 32 kg (IM ka 5/h), 86 kg (intranasal 2.93/h), 97 kg (oral 0.97/h
vs norketamine) and 143 kg (sublingual 2.4/h) a ka equals a disposition eigenvalue. When a single-state rate
lies within a relative 1e-7 of another eigenvalue we move that rate up by a relative 4e-7 (far below any
parameter's uncertainty; the solution is smooth in the rate, so it moves by ≈2e-7 of its peak — checked
against solve_ivp). Outside that band the eigenvector matrix stays well enough conditioned (≤ ~1e9) that
round-off stays below ~3e-9 of the peak. The condition number is checked; :func:`system_info` reports it and
any shifted rate.

Conventions (assumptions, labelled)
-----------------------------------
* Doses and concentrations are ketamine *base* mass (assays report the base). For a dose written as the HCl
  salt multiply by ``units.SALT_TO_BASE``.
* Concentrations: mg/L × 1000 = ng/mL. Fanta/Otto concentrations are venous (the models were fitted to venous
  samples); the classic models are as their papers sampled.
* Norketamine (fanta_2015 only): fm = 1, every mg of S-ketamine cleared forms norketamine. Otto 2021's as-run
  NONMEM code carries the metabolite in S-ketamine mass with no molar-mass conversion (nlmixr2lib transcription
  [V2]); because the norketamine volume and clearance were fitted that way we do the same (mass ratio 1) so the
  curve is Otto's prediction. ``NorketamineModel.mass_ratio`` can be set to 223.7/237.7 (molar conversion)
  instead; that changes norketamine by −5.9 %.
* Presystemic metabolism (assumed): for oral, sublingual and intranasal doses the non-bioavailable fraction
  1 − F is absorbed into norketamine with the same ka (``Route.presystemic_to_norketamine``); this is why oral
  norketamine ≫ ketamine. IM: none (the 7 % not absorbed is simply lost).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

import numpy as np

from .. import _validate as v
from .. import units

__all__ = [
    "FAST_EFFECT_T_HALF_MIN", "FAST_EFFECT_SOURCE", "SLOW_EFFECT_T_HALF_DAYS", "SLOW_EFFECT_SOURCE",
    "FAST_EFFECT_REFERENCE", "SLOW_EFFECT_REFERENCE", "REFERENCE_KEYS", "EFFECT_SITES_FITTED_TO",
    "EFFECT_SITE_EVIDENCE", "EFFECT_SITE_EVIDENCE_LABEL", "MEASURED_NORKETAMINE_AUC_RATIO",
    "time_to_fall_h", "TagByDrug", "time_grid", "peak", "time_above_h", "time_to_fall_after_h", "auc_ng_h_per_ml",
    "norketamine_auc_ratio",
    "WEIGHT_RANGE_KG", "DRUGS", "NorketamineModel", "MicroConstantModel", "AllometricModel",
    "ScaledParameters", "MODELS", "ByDrug", "Route", "ROUTES", "EXTRAVASCULAR_ROUTES", "Bolus", "Infusion",
    "bolus", "infusion", "course", "repeat", "total_dose_mg", "PKResult", "PKAmounts", "simulate", "amounts",
    "scaled_parameters", "bioavailability", "clearance_l_per_h", "volume_ss_l", "half_lives_min",
    "norketamine_half_lives_min", "steady_state_ng_ml", "steady_state_norketamine_ng_ml",
    "context_sensitive_half_time_h", "system_info",
]

# --------------------------------------------------------------------------------------------------------
# Effect sites
# --------------------------------------------------------------------------------------------------------

#: Blood–effect-site equilibration half-life (min) of the fast effect site: the mean over Olofsen's endpoints
#: (for pain alone it was 11.8 min). The value is cited; using it with these PK models is assumed (see
#: ``EFFECT_SITE_EVIDENCE``), and on the racemic models doubly so (fitted to S-ketamine, ``EFFECT_SITES_FITTED_TO``).
FAST_EFFECT_T_HALF_MIN = 6.1
FAST_EFFECT_SOURCE = ("Olofsen et al. 2012, Anesthesiology 117:353: blood-effect-site equilibration t½ "
                      "6.1 min averaged over endpoints (range 0-11.8 min; pain 11.8 min) [V]")
#: Onset/offset half-life (days) of the slow biophase driving chronic-pain relief. Cited; Dahan fitted it with
#: the PK of the same trial's venous samples, so applying it to these PK models is assumed.
SLOW_EFFECT_T_HALF_DAYS = 10.9
SLOW_EFFECT_SOURCE = ("Dahan et al. 2011, Eur J Pain 15:258: onset/offset t½ 10.9 ± 4.0 days "
                      "(95% CI 5.3-20.5) for S-ketamine in CRPS-1 [V]")
#: The drug both effect-site half-lives were measured with; other drugs reuse them as an assumption.
EFFECT_SITES_FITTED_TO = "S-ketamine"
#: Evidence of the effect sites, in two parts: the half-lives are published values; putting them on one of the
#: PK models here is our choice (Olofsen and Dahan fitted them with their own PK; addendum §2b).
EFFECT_SITE_EVIDENCE = MappingProxyType({"t_half": "cited", "applied_to_pk_model": "assumed"})
EFFECT_SITE_EVIDENCE_LABEL = "t½ cited; applied to this PK model: assumed"
FAST_EFFECT_REFERENCE = "olofsen_2012"
SLOW_EFFECT_REFERENCE = "dahan_2011"

#: Adult models only.
WEIGHT_RANGE_KG = (30.0, 200.0)
DRUGS = ("racemic", "S-ketamine")
_EVIDENCE = ("cited", "assumed", "illustrative")

_FAST_T_HALF_RANGE_MIN = (0.1, 60.0)
_SLOW_T_HALF_RANGE_DAYS = (0.5, 60.0)
_NG_PER_MG_PER_L = 1000.0          # mg/L -> ng/mL
_MIN_RATE_GAP = 1e-7               # relative gap below which a single-state rate is moved
_RATE_SHIFT = 4e-7                 # relative shift applied when it is
_MAX_EIGVEC_COND = 1e12
# exp() of very negative arguments takes a slow underflow path (about 8x slower); exp(-700) ~ 1e-304 is
# already zero for every purpose here, so exponents are clipped there.
_EXP_FLOOR = -700.0
_BLOCK = 64                        # boundaries solved together in the superposition recurrence


# --------------------------------------------------------------------------------------------------------
# Parameter sets
# --------------------------------------------------------------------------------------------------------

def _check_tags(drug: str, evidence: str) -> None:
    v.choice(drug, "drug", DRUGS)
    v.choice(evidence, "evidence", _EVIDENCE)


def _pair(a, b, name_a: str, name_b: str) -> None:
    if (a is None) != (b is None):
        raise ValueError(f"{name_a} and {name_b} must both be given or both be None, got {a!r} and {b!r}")
    if a is not None:
        v.positive(a, name_a)
        v.positive(b, name_b)


@dataclass(frozen=True)
class NorketamineModel:
    """Two-compartment (S-)norketamine disposition driven by ketamine clearance (70-kg values).

    ``fraction_metabolised`` of ketamine clearance forms norketamine; ``mass_ratio`` converts mg of ketamine
    cleared to mg of norketamine formed (1.0 = Otto's as-run code; 223.7/237.7 = molar conversion).
    """

    v_l: float
    cl_l_per_h: float
    vp_l: float
    q_l_per_h: float
    fraction_metabolised: float = 1.0
    mass_ratio: float = 1.0
    reference_weight_kg: float = 70.0
    volume_exponent: float = 1.0
    clearance_exponent: float = 0.75
    scale_peripheral: bool = False
    source: str = ""
    evidence: str = "cited"
    reference_keys: tuple[str, ...] = ()
    reported_half_lives_min: tuple[float, ...] = ()

    def __post_init__(self):
        for name in ("v_l", "cl_l_per_h", "vp_l", "q_l_per_h", "mass_ratio", "reference_weight_kg"):
            v.positive(getattr(self, name), name)
        v.fraction(self.fraction_metabolised, "fraction_metabolised")
        v.in_range(self.volume_exponent, "volume_exponent", 0.0, 2.0)
        v.in_range(self.clearance_exponent, "clearance_exponent", 0.0, 2.0)
        v.choice(self.evidence, "evidence", _EVIDENCE)


@dataclass(frozen=True)
class MicroConstantModel:
    """Mammillary model given as V1 per kg and micro-constants per minute (volumes ∝ weight, k fixed).

    1 compartment: leave k12..k31 as None; 2 compartments: give k12/k21; 3: also k13/k31.
    """

    name: str
    drug: str
    v1_l_per_kg: float
    k10_per_min: float
    k12_per_min: float | None = None
    k21_per_min: float | None = None
    k13_per_min: float | None = None
    k31_per_min: float | None = None
    label: str = ""
    source: str = ""
    evidence: str = "cited"
    reference_keys: tuple[str, ...] = ()
    reported_half_lives_min: tuple[float, ...] = ()
    norketamine: None = None
    notes: str = ""

    def __post_init__(self):
        _check_tags(self.drug, self.evidence)
        v.positive(self.v1_l_per_kg, "v1_l_per_kg")
        v.positive(self.k10_per_min, "k10_per_min")
        _pair(self.k12_per_min, self.k21_per_min, "k12_per_min", "k21_per_min")
        _pair(self.k13_per_min, self.k31_per_min, "k13_per_min", "k31_per_min")
        if self.k13_per_min is not None and self.k12_per_min is None:
            raise ValueError("k13_per_min needs k12_per_min: fill the second compartment first")
        if self.norketamine is not None:
            raise ValueError("norketamine is only supported on AllometricModel")

    @property
    def n_compartments(self) -> int:
        return 1 + (self.k12_per_min is not None) + (self.k13_per_min is not None)

    def scaled(self, weight_kg: float) -> "ScaledParameters":
        w = v.in_range(weight_kg, "weight_kg", *WEIGHT_RANGE_KG)
        v1 = self.v1_l_per_kg * w
        per_h = 60.0
        vp, qp = [], []
        for k1j, kj1 in ((self.k12_per_min, self.k21_per_min), (self.k13_per_min, self.k31_per_min)):
            if k1j is not None:
                q = k1j * per_h * v1                 # Q = k1j V1
                vp.append(q / (kj1 * per_h))         # Vj = Q / kj1
                qp.append(q)
        return ScaledParameters(weight_kg=w, v1_l=v1, cl_l_per_h=self.k10_per_min * per_h * v1,
                                peripheral_v_l=tuple(vp), peripheral_q_l_per_h=tuple(qp))


@dataclass(frozen=True)
class AllometricModel:
    """Mammillary model given as volumes (L) and clearances (L/h) at ``reference_weight_kg``.

    Scaling (Otto 2021 as run): V1 × (W/70)^volume_exponent, CL × (W/70)^clearance_exponent; peripheral
    volumes and inter-compartmental clearances are scaled the same way only if ``scale_peripherals``.
    """

    name: str
    drug: str
    v1_l: float
    cl_l_per_h: float
    v2_l: float | None = None
    q2_l_per_h: float | None = None
    v3_l: float | None = None
    q3_l_per_h: float | None = None
    reference_weight_kg: float = 70.0
    volume_exponent: float = 1.0
    clearance_exponent: float = 0.75
    scale_peripherals: bool = False
    norketamine: NorketamineModel | None = None
    label: str = ""
    source: str = ""
    evidence: str = "cited"
    reference_keys: tuple[str, ...] = ()
    reported_half_lives_min: tuple[float, ...] = ()
    notes: str = ""

    def __post_init__(self):
        _check_tags(self.drug, self.evidence)
        v.positive(self.v1_l, "v1_l")
        v.positive(self.cl_l_per_h, "cl_l_per_h")
        _pair(self.v2_l, self.q2_l_per_h, "v2_l", "q2_l_per_h")
        _pair(self.v3_l, self.q3_l_per_h, "v3_l", "q3_l_per_h")
        if self.v3_l is not None and self.v2_l is None:
            raise ValueError("v3_l needs v2_l: fill the second compartment first")
        v.positive(self.reference_weight_kg, "reference_weight_kg")
        v.in_range(self.volume_exponent, "volume_exponent", 0.0, 2.0)
        v.in_range(self.clearance_exponent, "clearance_exponent", 0.0, 2.0)
        if self.norketamine is not None and not isinstance(self.norketamine, NorketamineModel):
            raise ValueError(f"norketamine must be a NorketamineModel or None, got {self.norketamine!r}")

    @property
    def n_compartments(self) -> int:
        return 1 + (self.v2_l is not None) + (self.v3_l is not None)

    def scaled(self, weight_kg: float) -> "ScaledParameters":
        w = v.in_range(weight_kg, "weight_kg", *WEIGHT_RANGE_KG)
        fv = (w / self.reference_weight_kg) ** self.volume_exponent
        fc = (w / self.reference_weight_kg) ** self.clearance_exponent
        pv = fv if self.scale_peripherals else 1.0
        pc = fc if self.scale_peripherals else 1.0
        vp, qp = [], []
        for vol, q in ((self.v2_l, self.q2_l_per_h), (self.v3_l, self.q3_l_per_h)):
            if vol is not None:
                vp.append(vol * pv)
                qp.append(q * pc)
        nk = self.norketamine
        extra = {}
        if nk is not None:
            nfv = (w / nk.reference_weight_kg) ** nk.volume_exponent
            nfc = (w / nk.reference_weight_kg) ** nk.clearance_exponent
            extra = dict(norketamine_v_l=nk.v_l * nfv, norketamine_cl_l_per_h=nk.cl_l_per_h * nfc,
                         norketamine_vp_l=nk.vp_l * (nfv if nk.scale_peripheral else 1.0),
                         norketamine_q_l_per_h=nk.q_l_per_h * (nfc if nk.scale_peripheral else 1.0),
                         fraction_metabolised=nk.fraction_metabolised, norketamine_mass_ratio=nk.mass_ratio)
        return ScaledParameters(weight_kg=w, v1_l=self.v1_l * fv, cl_l_per_h=self.cl_l_per_h * fc,
                                peripheral_v_l=tuple(vp), peripheral_q_l_per_h=tuple(qp), **extra)


@dataclass(frozen=True)
class ScaledParameters:
    """A model's parameters at one body weight: volumes in L, clearances in L/h."""

    weight_kg: float
    v1_l: float
    cl_l_per_h: float
    peripheral_v_l: tuple[float, ...] = ()
    peripheral_q_l_per_h: tuple[float, ...] = ()
    norketamine_v_l: float | None = None
    norketamine_cl_l_per_h: float | None = None
    norketamine_vp_l: float | None = None
    norketamine_q_l_per_h: float | None = None
    fraction_metabolised: float = 0.0
    norketamine_mass_ratio: float = 1.0

    @property
    def has_norketamine(self) -> bool:
        return self.norketamine_v_l is not None


_OTTO_NORKET = NorketamineModel(
    v_l=98.6, cl_l_per_h=57.7, vp_l=160.0, q_l_per_h=42.8, fraction_metabolised=1.0, mass_ratio=1.0,
    source=("Otto et al. 2021, Eur J Clin Pharmacol 77:1181, doi:10.1007/s00228-021-03104-1; values via the "
            "nlmixr2lib transcription Otto_2021_s_ketamine [V2]. fm = 1 and mass ratio 1 as in the as-run "
            "code (assumed units: ng/mL norketamine)"),
    evidence="cited", reference_keys=("otto_2021", "nlmixr2lib"),
    reported_half_lives_min=(0.6 * 60.0, 5.1 * 60.0),
)

MODELS: dict[str, MicroConstantModel | AllometricModel] = {
    "domino": MicroConstantModel(
        name="domino", drug="racemic", v1_l_per_kg=0.063,
        k10_per_min=0.4381, k12_per_min=0.5921, k21_per_min=0.2470, k13_per_min=0.5900, k31_per_min=0.0146,
        label="Domino (racemic, 3-cpt)",
        source="Domino (PMID 7198883 as cited by opentiva), via opentiva/ketamine.py [V2]",
        evidence="cited", reference_keys=("domino_1982", "opentiva"),
        reported_half_lives_min=(0.40, 4.6, 115.0),
        notes=("Which Domino paper PMID 7198883 is was not confirmed (1982, or Clin Pharmacol Ther 1984 36:645). "
               "Volumes ∝ weight, rate constants fixed. Half-lives are facts-sheet eigenvalue arithmetic [D]."),
    ),
    "clements_nimmo_1981": MicroConstantModel(
        name="clements_nimmo_1981", drug="racemic", v1_l_per_kg=1.7522,
        k10_per_min=0.0109, k12_per_min=0.0186, k21_per_min=0.0137,
        label="Clements & Nimmo 1981 (racemic, 2-cpt)",
        source="Clements & Nimmo 1981, Br J Anaesth 53:27, doi:10.1093/bja/53.1.27, via opentiva [V2]",
        evidence="cited", reference_keys=("clements_nimmo_1981", "opentiva"),
        reported_half_lives_min=(17.6, 183.0),
        notes=("0.25 mg/kg bolus data. Volumes ∝ weight, rate constants fixed. Half-lives are facts-sheet "
               "eigenvalue arithmetic [D]."),
    ),
    "fanta_2015": AllometricModel(
        name="fanta_2015", drug="S-ketamine", v1_l=133.0, cl_l_per_h=95.2,
        v2_l=187.0, q2_l_per_h=23.2, v3_l=98.8, q3_l_per_h=157.0,
        reference_weight_kg=70.0, volume_exponent=1.0, clearance_exponent=0.75, scale_peripherals=False,
        norketamine=_OTTO_NORKET,
        label="Fanta 2015 + Otto 2021 (S-ketamine, 3-cpt + norket)",
        source=("Fanta 2015, Eur J Clin Pharmacol 71:441, doi:10.1007/s00228-015-1826-y, as fixed in Otto 2021, "
                "doi:10.1007/s00228-021-03104-1 (via nlmixr2lib) [V2]"),
        evidence="cited", reference_keys=("fanta_2015", "otto_2021", "nlmixr2lib"),
        reported_half_lives_min=(12.9, 89.0, 7.4 * 60.0),
        notes=("CL 95 L/h is in Fanta's abstract [V]; the other values via Otto 2021 [V2]. Venous samples. "
               "S-norketamine (2-cpt) and allometry from Otto 2021 as run: central volumes x (W/70), clearances "
               "x (W/70)^0.75, peripheral volumes and Q not scaled; fm = 1, metabolite carried in ketamine mass "
               "(mass ratio 1). Half-lives are facts-sheet eigenvalue arithmetic [D]."),
    ),
}


def _model(model) -> MicroConstantModel | AllometricModel:
    if isinstance(model, (MicroConstantModel, AllometricModel)):
        return model
    if isinstance(model, str) and model in MODELS:
        return MODELS[model]
    raise ValueError(f"model must be one of {list(MODELS)} or a parameter set "
                     f"(MicroConstantModel / AllometricModel), got {model!r}")


def _weight(weight_kg) -> float:
    return v.in_range(weight_kg, "weight_kg", *WEIGHT_RANGE_KG)


def scaled_parameters(model="fanta_2015", weight_kg: float = 70.0) -> ScaledParameters:
    """Volumes (L) and clearances (L/h) of ``model`` at ``weight_kg`` (scaled as its source defines)."""
    return _model(model).scaled(_weight(weight_kg))


# --------------------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ByDrug:
    """A value that differs by drug; index or call with ``"racemic"`` or ``"S-ketamine"``."""

    racemic: float
    s_ketamine: float
    racemic_source: str = ""
    s_ketamine_source: str = ""

    def __getitem__(self, drug: str) -> float:
        return self.racemic if v.choice(drug, "drug", DRUGS) == "racemic" else self.s_ketamine

    def __call__(self, drug: str) -> float:
        return self[drug]


@dataclass(frozen=True)
class TagByDrug:
    """An evidence tag that differs by drug: a value measured with one drug and reused for the other is
    "cited" for the first and "assumed" for the second."""

    racemic: str
    s_ketamine: str

    def __post_init__(self):
        v.choice(self.racemic, "racemic evidence tag", _EVIDENCE)
        v.choice(self.s_ketamine, "s_ketamine evidence tag", _EVIDENCE)

    def __getitem__(self, drug: str) -> str:
        return self.racemic if v.choice(drug, "drug", DRUGS) == "racemic" else self.s_ketamine

    def __call__(self, drug: str) -> str:
        return self[drug]


def _weakest(tags) -> str:
    return max(tags, key=_EVIDENCE.index)


@dataclass(frozen=True)
class Route:
    """A route of administration: bioavailability F by drug, first-order absorption ka (1/h), first pass.

    ``presystemic_to_norketamine`` is the fraction of the non-bioavailable dose (1 − F) that reaches
    norketamine (with the same ka) in models that have norketamine. Each part carries its own evidence tag,
    per drug where a value measured with one drug is reused for the other (:class:`TagByDrug`; a plain string
    means the same tag for both); :meth:`evidence_for` gives them for one drug. ``evidence`` is the weakest
    tag over all parts and both drugs.
    """

    name: str
    label: str
    bioavailability: ByDrug
    ka_per_h: float | None
    presystemic_to_norketamine: float
    source: str
    evidence: str
    bioavailability_evidence: TagByDrug | str = "cited"
    ka_evidence: TagByDrug | str = "cited"
    presystemic_evidence: str = "assumed"
    reference_keys: tuple[str, ...] = ()

    def __post_init__(self):
        for tag in ("bioavailability_evidence", "ka_evidence"):
            value = getattr(self, tag)
            if isinstance(value, str):
                v.choice(value, tag, _EVIDENCE)
                object.__setattr__(self, tag, TagByDrug(value, value))
            elif not isinstance(value, TagByDrug):
                raise ValueError(f"{tag} must be one of {list(_EVIDENCE)} or a TagByDrug, got {value!r}")
        for tag in ("evidence", "presystemic_evidence"):
            v.choice(getattr(self, tag), tag, _EVIDENCE)
        weakest = _weakest([self.bioavailability_evidence.racemic, self.bioavailability_evidence.s_ketamine,
                            self.ka_evidence.racemic, self.ka_evidence.s_ketamine, self.presystemic_evidence])
        if self.evidence != weakest:
            raise ValueError(f"evidence must be the weakest tag of the route's parts ({weakest!r}), "
                             f"got {self.evidence!r}")
        v.in_range(self.bioavailability.racemic, "bioavailability", 0.0, 1.0, low_open=True)
        v.in_range(self.bioavailability.s_ketamine, "bioavailability", 0.0, 1.0, low_open=True)
        if self.ka_per_h is not None:
            v.positive(self.ka_per_h, "ka_per_h")
        v.fraction(self.presystemic_to_norketamine, "presystemic_to_norketamine")

    def evidence_for(self, drug: str) -> dict[str, str]:
        """Evidence tags of F, ka and first pass for ``drug`` ("racemic" or "S-ketamine")."""
        return {"bioavailability": self.bioavailability_evidence[drug], "ka": self.ka_evidence[drug],
                "presystemic": self.presystemic_evidence}


# ka values come from S-ketamine population models (Perez-Ruixo 2021: esketamine nasal and oral solution;
# Simons 2022: S-ketamine film), so they are cited for S-ketamine and assumed (transferred) for the racemate.
_KA_FROM_S_KETAMINE = TagByDrug(racemic="assumed", s_ketamine="cited")

ROUTES: dict[str, Route] = {
    "iv": Route(
        name="iv", label="intravenous", bioavailability=ByDrug(1.0, 1.0, "definition", "definition"),
        ka_per_h=None, presystemic_to_norketamine=0.0, source="F = 1 by definition; no absorption step",
        evidence="cited", presystemic_evidence="cited"),
    "im": Route(
        name="im", label="intramuscular",
        bioavailability=ByDrug(0.93, 0.93, "93%, widely cited (Clements, Nimmo & Grant 1982 [U]) [V2]",
                               "racemic value applied to S-ketamine (assumed)"),
        ka_per_h=5.0, presystemic_to_norketamine=0.0,
        source=("F 0.93 for racemic ketamine [V2], applied to S-ketamine (assumed); ka ~5/h (range 3-8) is our "
                "derivation from tmax 15-30 min in a 1984 IM study with Fanta disposition, facts addendum §4c-d "
                "[D] (assumed); no first pass (assumed)"),
        evidence="assumed", bioavailability_evidence=TagByDrug(racemic="cited", s_ketamine="assumed"),
        ka_evidence="assumed", reference_keys=("fanta_2015",)),
    "intranasal": Route(
        name="intranasal", label="intranasal",
        bioavailability=ByDrug(0.45, 0.48, "~45%, Yanagihara et al. 2003 (nasal spray, n = 3) [V]",
                               "~48%, Spravato medical information (J&J) [V2]"),
        ka_per_h=2.93, presystemic_to_norketamine=1.0,
        source=("F racemic 0.45 (Yanagihara 2003 [V]; other devices 11-17%, Pharmacotherapy 2022), S-ketamine "
                "0.48 (Spravato [V2]); ka 2.93/h nasal mucosa, Perez-Ruixo 2021 esketamine [V2] (reused for the "
                "racemate: assumed); 1 - F to norketamine with the same ka (assumed)"),
        evidence="assumed", ka_evidence=_KA_FROM_S_KETAMINE,
        reference_keys=("yanagihara_2003", "spravato_medinfo", "perez_ruixo_2021")),
    "sublingual": Route(
        name="sublingual", label="sublingual",
        bioavailability=ByDrug(0.29, 0.263, "29% (90% CI 27-31), Rolan et al. 2014 wafer [V]",
                               "26.3% mucosal F1, Simons et al. 2022 oral thin film [V]"),
        ka_per_h=2.4, presystemic_to_norketamine=1.0,
        source=("F racemic 0.29 (Rolan 2014 [V]), S-ketamine 0.263 (Simons 2022 [V]); ka 2.4/h mucosal, "
                "Simons 2022 S-ketamine film [V2] (13-min zero-order input ignored; reused for the racemate: "
                "assumed); 1 - F to norketamine (assumed)"),
        evidence="assumed", ka_evidence=_KA_FROM_S_KETAMINE, reference_keys=("rolan_2014", "simons_2022_pk")),
    "oral": Route(
        name="oral", label="oral",
        bioavailability=ByDrug(0.20, 0.08, "~20%, Yanagihara et al. 2003 (n = 3) [V]; other reports 17-23% "
                                           "(Chong 2006: 23 ± 9%)",
                               "8%, Fanta et al. 2015 [V]"),
        ka_per_h=0.97, presystemic_to_norketamine=1.0,
        source=("F racemic 0.20 (Yanagihara 2003 [V]), S-ketamine 0.08 (Fanta 2015 [V]); ka 0.97/h oral "
                "esketamine solution, Perez-Ruixo 2021 [V2] (0.32-h zero-order input ignored; reused for the "
                "racemate: assumed); 1 - F to norketamine (assumed)"),
        evidence="assumed", ka_evidence=_KA_FROM_S_KETAMINE,
        reference_keys=("yanagihara_2003", "fanta_2015", "perez_ruixo_2021")),
}
EXTRAVASCULAR_ROUTES = tuple(r for r in ROUTES if ROUTES[r].ka_per_h is not None)

#: Every reference key this module cites (for a notebook's References cell).
REFERENCE_KEYS = tuple(dict.fromkeys(
    [k for m in MODELS.values() for k in m.reference_keys]
    + [k for r in ROUTES.values() for k in r.reference_keys]
    + ["olofsen_2012", "dahan_2011"]))


def bioavailability(route: str, model="fanta_2015") -> float:
    """Bioavailability F of ``route`` for the drug of ``model`` (racemic or S-ketamine)."""
    r = ROUTES[v.choice(route, "route", ROUTES)]
    return r.bioavailability[_model(model).drug]


# --------------------------------------------------------------------------------------------------------
# Dosing events
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bolus:
    """An instantaneous dose of ``dose_mg`` (base) at ``at_h`` by ``route`` (into its depot if not IV)."""

    dose_mg: float
    at_h: float = 0.0
    route: str = "iv"

    def __post_init__(self):
        object.__setattr__(self, "dose_mg", v.nonnegative(self.dose_mg, "dose_mg"))
        object.__setattr__(self, "at_h", v.nonnegative(self.at_h, "at_h"))
        v.choice(self.route, "route", ROUTES)

    @property
    def total_mg(self) -> float:
        return self.dose_mg


@dataclass(frozen=True)
class Infusion:
    """Zero-order input of ``rate_mg_per_h`` for ``duration_h`` from ``start_h``.

    An extravascular "infusion" is zero-order input into that route's depot (e.g. a slowly swallowed dose).
    """

    rate_mg_per_h: float
    duration_h: float
    start_h: float = 0.0
    route: str = "iv"

    def __post_init__(self):
        object.__setattr__(self, "rate_mg_per_h", v.nonnegative(self.rate_mg_per_h, "rate_mg_per_h"))
        object.__setattr__(self, "duration_h", v.nonnegative(self.duration_h, "duration_h"))
        object.__setattr__(self, "start_h", v.nonnegative(self.start_h, "start_h"))
        v.choice(self.route, "route", ROUTES)

    @property
    def end_h(self) -> float:
        return self.start_h + self.duration_h

    @property
    def total_mg(self) -> float:
        return self.rate_mg_per_h * self.duration_h


_EVENTS = (Bolus, Infusion)


def bolus(dose_mg: float, at_h: float = 0.0, route: str = "iv") -> Bolus:
    """One bolus dose (mg base) at ``at_h`` hours by ``route``."""
    return Bolus(dose_mg, at_h, route)


def infusion(rate_mg_per_h: float, duration_h: float, start_h: float = 0.0, route: str = "iv") -> Infusion:
    """A constant-rate infusion (mg/h) lasting ``duration_h`` hours from ``start_h``."""
    return Infusion(rate_mg_per_h, duration_h, start_h, route)


def course(rate_mg_per_h: float, hours_per_day: float, days: int, start_h: float = 0.0,
           every_h: float = 24.0, route: str = "iv") -> tuple[Infusion, ...]:
    """Daily sessions: ``hours_per_day`` at ``rate_mg_per_h``, repeated every ``every_h`` for ``days`` sessions.

    E.g. ``course(20, 4, 10)`` = 4 h a day for 10 days (Schwartzman 2009 design).
    """
    every = v.positive(every_h, "every_h")
    hours = v.in_range(hours_per_day, "hours_per_day", 0.0, every)
    n = v.integer(days, "days", 1, 10_000)
    start = v.nonnegative(start_h, "start_h")
    return tuple(Infusion(rate_mg_per_h, hours, start + i * every, route) for i in range(n))


def repeat(events, every_h: float, times: int) -> tuple:
    """``events`` (one event or a sequence) repeated ``times`` times, shifted by ``every_h`` each time."""
    base = _flatten(events, "events")
    every = v.positive(every_h, "every_h")
    n = v.integer(times, "times", 1, 10_000)
    out = []
    for i in range(n):
        shift = i * every
        for ev in base:
            if isinstance(ev, Bolus):
                out.append(Bolus(ev.dose_mg, ev.at_h + shift, ev.route))
            else:
                out.append(Infusion(ev.rate_mg_per_h, ev.duration_h, ev.start_h + shift, ev.route))
    return tuple(out)


def _flatten(regimen, name: str = "regimen") -> tuple:
    """Events from an event or an arbitrarily nested list/tuple of events."""
    if isinstance(regimen, _EVENTS):
        return (regimen,)
    if not isinstance(regimen, (list, tuple)):
        raise ValueError(f"{name} must be a Bolus, an Infusion or a list/tuple of them, got {regimen!r}")
    out: list = []
    stack = [iter(regimen)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, _EVENTS):
                out.append(item)
            elif isinstance(item, (list, tuple)):
                stack.append(iter(item))
                break
            else:
                raise ValueError(f"{name} must contain only Bolus/Infusion events (or lists of them), "
                                 f"got item {item!r}")
        else:
            stack.pop()
    return tuple(out)


def total_dose_mg(regimen) -> float:
    """Total dose (mg) a regimen puts in (before bioavailability)."""
    return float(sum(ev.total_mg for ev in _flatten(regimen)))


# --------------------------------------------------------------------------------------------------------
# The linear system and its eigen-decomposition
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _System:
    names: tuple[str, ...]
    index: Mapping[str, int]
    a: np.ndarray                 # system matrix (1/h), states in mg (compartments) or ng/mL (effect sites)
    lam: np.ndarray               # eigenvalues (1/h, negative)
    vec: np.ndarray               # eigenvectors (columns)
    inv: np.ndarray               # inverse eigenvector matrix
    inputs: Mapping[str, int]     # route -> state receiving its dose
    in_modal: np.ndarray          # n x n_routes: modal image of a unit input to each route's state
    out_names: tuple[str, ...]
    out_modal: np.ndarray         # n_out x n: modal weights of the outputs (ng/mL)
    params: ScaledParameters
    drug: str
    route_f: Mapping[str, float]
    route_ka: Mapping[str, float]  # ka actually used (after any separation shift)
    route_presys: Mapping[str, float]
    effect_rates: Mapping[str, float]
    shifted: tuple[tuple[str, float, float], ...]
    cond: float
    route_modes: Mapping[str, np.ndarray]   # route -> boolean mask of the modes its input excites


def _active_modes(sys: _System, events: tuple) -> np.ndarray:
    used = {ev.route for ev in events}
    mask = np.zeros(sys.lam.size, dtype=bool)
    for r in used:
        mask |= sys.route_modes[r]
    return np.flatnonzero(mask)


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _mammillary_block(v1: float, cl: float, vp, qp) -> np.ndarray:
    n = 1 + len(vp)
    a = np.zeros((n, n))
    a[0, 0] = -(cl + sum(qp)) / v1
    for j, (vj, qj) in enumerate(zip(vp, qp), start=1):
        a[0, j] = qj / vj
        a[j, 0] = qj / v1
        a[j, j] = -qj / vj
    return a


def _separate(rate: float, others: list[float]) -> float:
    """Move ``rate`` up until it is at least a relative _MIN_RATE_GAP away from every other rate."""
    r = rate
    for _ in range(1000):
        if all(abs(r - o) > _MIN_RATE_GAP * max(r, o) for o in others):
            return r
        r *= 1.0 + _RATE_SHIFT
    raise RuntimeError(f"could not separate rate {rate!r} from {others!r}")  # pragma: no cover


@lru_cache(maxsize=128)
def _system(model, weight_kg: float, fast_t_half_min: float, slow_t_half_days: float) -> _System:
    p = model.scaled(weight_kg)
    drug = model.drug
    has_nk = p.has_norketamine
    names = [f"depot_{r}" for r in EXTRAVASCULAR_ROUTES] + ["central"]
    names += [f"peripheral_{j}" for j in range(1, len(p.peripheral_v_l) + 1)]
    if has_nk:
        names += ["norketamine_central", "norketamine_peripheral"]
    names += ["effect_fast", "effect_slow"]
    idx = {n: i for i, n in enumerate(names)}
    n = len(names)
    c = idx["central"]

    # Disposition eigenvalues (positive rates) that single-state rates must stay clear of.
    ket = _mammillary_block(p.v1_l, p.cl_l_per_h, p.peripheral_v_l, p.peripheral_q_l_per_h)
    blocks = [ket]
    if has_nk:
        nkb = _mammillary_block(p.norketamine_v_l, p.norketamine_cl_l_per_h, (p.norketamine_vp_l,),
                                (p.norketamine_q_l_per_h,))
        blocks.append(nkb)
    taken = [float(-x) for b in blocks for x in np.linalg.eigvals(b).real]
    shifted = []

    def place(label: str, rate: float) -> float:
        new = _separate(rate, taken)
        if new != rate:
            shifted.append((label, rate, new))
        taken.append(new)
        return new

    ln2 = math.log(2.0)
    k_fast = place("effect_fast", ln2 / (fast_t_half_min / 60.0))
    k_slow = place("effect_slow", ln2 / (slow_t_half_days * 24.0))

    a = np.zeros((n, n))
    sl = slice(c, c + ket.shape[0])
    a[sl, sl] = ket
    if has_nk:
        n1 = idx["norketamine_central"]
        a[n1:n1 + 2, n1:n1 + 2] = nkb
        a[n1, c] += p.fraction_metabolised * p.norketamine_mass_ratio * p.cl_l_per_h / p.v1_l
    route_f, route_ka, route_presys = {}, {}, {}
    for r in EXTRAVASCULAR_ROUTES:
        route = ROUTES[r]
        d = idx[f"depot_{r}"]
        f = route.bioavailability[drug]
        ka = place(f"depot_{r}", route.ka_per_h)
        presys = route.presystemic_to_norketamine if has_nk else 0.0
        a[d, d] = -ka
        a[c, d] += f * ka
        if has_nk:
            a[idx["norketamine_central"], d] += (1.0 - f) * presys * p.norketamine_mass_ratio * ka
        route_f[r], route_ka[r], route_presys[r] = f, ka, presys
    route_f["iv"], route_presys["iv"] = 1.0, 0.0
    ef, es = idx["effect_fast"], idx["effect_slow"]
    a[ef, c] = k_fast * _NG_PER_MG_PER_L / p.v1_l
    a[ef, ef] = -k_fast
    a[es, c] = k_slow * _NG_PER_MG_PER_L / p.v1_l
    a[es, es] = -k_slow

    lam, vec = np.linalg.eig(a)
    if np.iscomplexobj(lam):
        if np.max(np.abs(lam.imag)) > 1e-9 * np.max(np.abs(lam)):
            raise RuntimeError(f"complex eigenvalues for model {model.name!r}: {lam!r}")  # pragma: no cover
        lam, vec = lam.real, vec.real
    if np.any(lam >= 0):
        raise RuntimeError(f"non-negative eigenvalue for model {model.name!r}: {lam!r}")  # pragma: no cover
    cond = float(np.linalg.cond(vec))
    if not cond < _MAX_EIGVEC_COND:
        raise RuntimeError(f"eigenvector matrix too ill-conditioned ({cond:.3g}) for model {model.name!r}")
    inv = np.linalg.inv(vec)

    inputs = {"iv": c, **{r: idx[f"depot_{r}"] for r in EXTRAVASCULAR_ROUTES}}
    in_modal = inv[:, [inputs[r] for r in ROUTES]]
    # Modes a unit input by each route can excite (others are zero up to round-off: an unused depot's
    # left eigenvector is that depot's unit vector). Judged by the mode's share of the outputs it feeds.
    out_rows = []
    out_names = ["plasma", "effect_fast", "effect_slow"]
    row = np.zeros(n); row[c] = _NG_PER_MG_PER_L / p.v1_l; out_rows.append(row)
    row = np.zeros(n); row[ef] = 1.0; out_rows.append(row)
    row = np.zeros(n); row[es] = 1.0; out_rows.append(row)
    if has_nk:
        row = np.zeros(n); row[idx["norketamine_central"]] = _NG_PER_MG_PER_L / p.norketamine_v_l
        out_rows.append(row)
        out_names.append("norketamine")
    out_modal = np.array(out_rows) @ vec
    reach = np.abs(in_modal) * np.abs(out_modal).max(axis=0)[:, None]          # n x n_routes
    route_modes = {r: _ro(reach[:, i] > 1e-14 * reach[:, i].max()) for i, r in enumerate(ROUTES)}
    return _System(
        names=tuple(names), index=MappingProxyType(idx), a=_ro(a), lam=_ro(lam), vec=_ro(vec), inv=_ro(inv),
        inputs=MappingProxyType(inputs), in_modal=_ro(np.ascontiguousarray(in_modal)),
        out_names=tuple(out_names), out_modal=_ro(np.ascontiguousarray(out_modal)), params=p, drug=drug,
        route_f=MappingProxyType(route_f), route_ka=MappingProxyType(route_ka),
        route_presys=MappingProxyType(route_presys),
        effect_rates=MappingProxyType({"effect_fast": k_fast, "effect_slow": k_slow}),
        shifted=tuple(shifted), cond=cond, route_modes=MappingProxyType(route_modes))


def _get_system(model, weight_kg, fast_t_half_min, slow_t_half_days) -> _System:
    m = _model(model)
    w = _weight(weight_kg)
    fast = v.in_range(fast_t_half_min, "effect_fast_t_half_min", *_FAST_T_HALF_RANGE_MIN)
    slow = v.in_range(slow_t_half_days, "effect_slow_t_half_days", *_SLOW_T_HALF_RANGE_DAYS)
    return _system(m, w, fast, slow)


def system_info(model="fanta_2015", weight_kg: float = 70.0, *,
                effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
                effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> dict:
    """Diagnostics of the cached linear system: state names, eigenvalues (1/h), eigenvector condition
    number, rates actually used, and any rate moved off a repeated eigenvalue (label, old, new; 1/h)."""
    s = _get_system(model, weight_kg, effect_fast_t_half_min, effect_slow_t_half_days)
    return {"states": s.names, "eigenvalues_per_h": s.lam.copy(), "condition_number": s.cond,
            "ka_per_h": dict(s.route_ka), "effect_rates_per_h": dict(s.effect_rates),
            "shifted_rates": s.shifted}


# --------------------------------------------------------------------------------------------------------
# Superposition over event boundaries
# --------------------------------------------------------------------------------------------------------

_ROUTE_COL = {r: i for i, r in enumerate(ROUTES)}


@lru_cache(maxsize=None)
def _tril(b: int):
    """Lower-triangle index pairs (i, j <= i) of a b x b block, rows contiguous, and each row's start."""
    ii, jj = np.tril_indices(b)
    starts = np.arange(b) * (np.arange(b) + 1) // 2
    return _ro(ii), _ro(jj), _ro(starts)


@dataclass(frozen=True, eq=False)
class _Segments:
    bounds: np.ndarray     # sorted event boundaries t_k (h)
    s: np.ndarray          # K x m: S_k
    steady: np.ndarray     # K x m: C_k
    lam: np.ndarray        # the m eigenvalues used
    modes: np.ndarray      # their indices in the full system


def _segments(sys: _System, events: tuple, modes: np.ndarray | None = None) -> _Segments | None:
    """Boundaries t_k and per-mode (S_k, C_k) so that z(t) = exp(λ(t − t_k)) S_k + C_k on [t_k, t_{k+1}).

    ``modes``: indices of the modes to carry (default all); modes a regimen cannot excite may be left out.
    """
    nr = len(ROUTES)
    times, kinds, cols, amounts = [], [], [], []
    for ev in events:
        col = _ROUTE_COL[ev.route]
        if isinstance(ev, Bolus):
            if ev.dose_mg > 0.0:
                times.append(ev.at_h); kinds.append(0); cols.append(col); amounts.append(ev.dose_mg)
        elif ev.rate_mg_per_h > 0.0 and ev.duration_h > 0.0:
            times.append(ev.start_h); kinds.append(1); cols.append(col); amounts.append(ev.rate_mg_per_h)
            times.append(ev.start_h + ev.duration_h); kinds.append(1); cols.append(col)
            amounts.append(-ev.rate_mg_per_h)
    if not times:
        return None
    if modes is None:
        modes = np.arange(sys.lam.size)
    lam = sys.lam[modes]
    in_modal = sys.in_modal[modes]
    bounds, pos = np.unique(np.asarray(times), return_inverse=True)
    k = bounds.size
    kinds = np.asarray(kinds)
    cols = np.asarray(cols)
    amounts = np.asarray(amounts)
    kick = np.zeros((k, nr))
    rate_step = np.zeros((k, nr))
    b = kinds == 0
    np.add.at(kick, (pos[b], cols[b]), amounts[b])
    np.add.at(rate_step, (pos[~b], cols[~b]), amounts[~b])
    rate = np.cumsum(rate_step, axis=0)
    # Remove the round-off left after infusions stop (a cumsum of +r and -r need not be exactly 0).
    scale = np.abs(rate_step).sum(axis=0)
    rate[np.abs(rate) <= 1e-12 * scale] = 0.0
    steady = -(rate @ in_modal.T) / lam                 # C_k, k x m
    drive = kick @ in_modal.T - steady                  # S_k = exp(λΔ_k) S_{k-1} + drive_k
    drive[1:] += steady[:-1]
    # Solved in blocks of boundaries (never over time points): inside a block starting at a,
    # S_i = sum_{a<=j<=i} exp(λ(t_i - t_j)) drive_j + exp(λ(t_i - t_{a-1})) S_{a-1}; only the lower
    # triangle is evaluated and rows are summed with reduceat.
    s = np.empty_like(drive)
    for a0 in range(0, k, _BLOCK):
        b0 = min(a0 + _BLOCK, k)
        ii, jj, starts = _tril(b0 - a0)
        tb = bounds[a0:b0]
        arg = np.multiply.outer(tb[ii] - tb[jj], lam)
        np.maximum(arg, _EXP_FLOOR, out=arg)
        np.exp(arg, out=arg)
        arg *= drive[a0:b0][jj]
        s[a0:b0] = np.add.reduceat(arg, starts, axis=0)
        if a0:
            carry = np.exp(np.maximum(np.multiply.outer(tb - bounds[a0 - 1], lam), _EXP_FLOOR))
            s[a0:b0] += carry * s[a0 - 1]
    return _Segments(bounds=bounds, s=s, steady=steady, lam=lam, modes=modes)


def _modal_at(seg: _Segments, t: np.ndarray):
    """Modal coordinates z(t) (T x m); zero before the first boundary. Also segment index, mask, offset."""
    k = np.searchsorted(seg.bounds, t, side="right") - 1
    live = k >= 0
    all_live = bool(live[0])                     # t is sorted: the first time decides
    kk = k if all_live else np.where(live, k, 0)
    dt = t - seg.bounds[kk]
    if not all_live:
        dt[~live] = 0.0
    arg = np.multiply.outer(dt, seg.lam)
    np.maximum(arg, _EXP_FLOOR, out=arg)
    z = np.exp(arg, out=arg)
    z *= seg.s[kk]
    z += seg.steady[kk]
    if not all_live:
        z[~live] = 0.0
    return z, kk, live, dt


def _clip_roundoff(values: np.ndarray, contributions_abs: np.ndarray, what: str) -> np.ndarray:
    """Set tiny negative round-off to 0; refuse anything that is not round-off.

    ``contributions_abs`` (same shape) holds sum_m |w_m z_m| per entry; the round-off scale at a time is the
    largest of these in that row (one unit per row), plus 1e-12 of the largest anywhere, plus 1e-250 (amounts
    that small are zero; it also covers denormal underflow).
    """
    neg = values < 0.0
    if np.any(neg):
        row_scale = np.broadcast_to(contributions_abs.max(axis=1, keepdims=True), values.shape)
        tol = 1e-8 * row_scale[neg] + 1e-12 * contributions_abs.max() + 1e-250   # last term: denormals
        if np.any(values[neg] < -tol):
            worst = float(values[neg].min())
            raise RuntimeError(f"{what} went negative beyond round-off ({worst!r}); please report this")
        values[neg] = 0.0
    return values


# --------------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------------

_SERIES = ("plasma", "norketamine", "effect_fast", "effect_slow")


@dataclass(frozen=True, eq=False)
class PKResult:
    """Concentrations (ng/mL) at ``t_h`` for one regimen, model and weight. Arrays are read-only.

    ``norketamine_ng_ml`` is ``None`` when the model has no norketamine compartment (Domino, Clements & Nimmo).
    The summary properties (peak, AUC, time above) are those of the samples; see :func:`peak` and
    :func:`time_above_h` for grid-independent values.
    """

    t_h: np.ndarray
    plasma_ng_ml: np.ndarray
    norketamine_ng_ml: np.ndarray | None
    effect_fast_ng_ml: np.ndarray
    effect_slow_ng_ml: np.ndarray
    model: str
    drug: str
    weight_kg: float
    regimen: tuple = ()

    def _series(self, which: str) -> np.ndarray:
        v.choice(which, "which", _SERIES)
        arr = getattr(self, f"{which}_ng_ml")
        if arr is None:
            raise ValueError(f"which='norketamine' needs a model with norketamine; model {self.model!r} has none")
        return arr

    @property
    def plasma_um(self) -> np.ndarray:
        """Plasma ketamine in µM (237.7 g/mol)."""
        return units.ng_ml_to_um(self.plasma_ng_ml, "ketamine")

    @property
    def norketamine_um(self) -> np.ndarray | None:
        """Plasma norketamine in µM (223.7 g/mol), or None."""
        if self.norketamine_ng_ml is None:
            return None
        return units.ng_ml_to_um(self.norketamine_ng_ml, "norketamine")

    @property
    def peak_ng_ml(self) -> float:
        """Highest sampled plasma concentration (ng/mL)."""
        return float(self.plasma_ng_ml.max())

    @property
    def t_peak_h(self) -> float:
        """Time of the (first) highest sampled plasma concentration (h)."""
        return float(self.t_h[int(np.argmax(self.plasma_ng_ml))])

    @property
    def auc_ng_h_per_ml(self) -> float:
        """Area under the plasma curve over ``t_h`` (trapezoid rule; ng·h/mL)."""
        return float(np.trapezoid(self.plasma_ng_ml, self.t_h)) if self.t_h.size > 1 else 0.0

    @property
    def norketamine_auc_ng_h_per_ml(self) -> float | None:
        if self.norketamine_ng_ml is None:
            return None
        return float(np.trapezoid(self.norketamine_ng_ml, self.t_h)) if self.t_h.size > 1 else 0.0

    def time_above_h(self, threshold_ng_ml: float, which: str = "plasma") -> float:
        """Hours the concentration exceeds ``threshold_ng_ml`` (linear between samples).

        ``which``: "plasma", "norketamine", "effect_fast" or "effect_slow".
        """
        thr = v.nonnegative(threshold_ng_ml, "threshold_ng_ml")
        c = self._series(which)
        if self.t_h.size < 2:
            return 0.0
        c0, c1, dt = c[:-1], c[1:], np.diff(self.t_h)
        hi = np.maximum(c0, c1)
        lo = np.minimum(c0, c1)
        span = hi - lo
        frac = np.where(lo > thr, 1.0,
                        np.where(hi > thr, (hi - thr) / np.where(span > 0, span, 1.0), 0.0))
        return float(np.sum(frac * dt))


@dataclass(frozen=True, eq=False)
class PKAmounts:
    """Amounts (mg) in every compartment plus exact cumulative flows, for mass balance.

    Ketamine-side flows are mg of ketamine; ``norketamine_*`` are mg of norketamine (Otto convention: mass
    ratio 1 unless the model says otherwise). Balance: ``dosed_mg = unabsorbed_mg + ketamine_in_body_mg +
    eliminated_mg + presystemic_to_norketamine_mg + presystemic_lost_mg`` and
    ``norketamine_formed_mg = norketamine_in_body_mg + norketamine_eliminated_mg``.
    """

    t_h: np.ndarray
    states_mg: Mapping[str, np.ndarray]
    dosed_mg: np.ndarray
    eliminated_mg: np.ndarray
    presystemic_to_norketamine_mg: np.ndarray
    presystemic_lost_mg: np.ndarray
    norketamine_formed_mg: np.ndarray
    norketamine_eliminated_mg: np.ndarray
    auc_plasma_ng_h_per_ml: np.ndarray

    @property
    def unabsorbed_mg(self) -> np.ndarray:
        return sum((a for k, a in self.states_mg.items() if k.startswith("depot_")), np.zeros_like(self.t_h))

    @property
    def ketamine_in_body_mg(self) -> np.ndarray:
        return sum((a for k, a in self.states_mg.items() if k == "central" or k.startswith("peripheral_")),
                   np.zeros_like(self.t_h))

    @property
    def norketamine_in_body_mg(self) -> np.ndarray:
        return sum((a for k, a in self.states_mg.items() if k.startswith("norketamine_")),
                   np.zeros_like(self.t_h))


# --------------------------------------------------------------------------------------------------------
# Public simulation functions
# --------------------------------------------------------------------------------------------------------

def simulate(regimen, t_h, model="fanta_2015", weight_kg: float = 70.0, *,
             effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
             effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> PKResult:
    """Exact concentrations (ng/mL) for a regimen at times ``t_h``.

    ``t_h``: a non-empty 1-D sequence of finite times (h), non-decreasing; times before the first dose give
    zeros. A scalar, a 2-D array or unsorted times are rejected with ValueError. ``regimen``: events (:func:`bolus`, :func:`infusion`, :func:`course`, :func:`repeat`),
    possibly nested; empty gives zeros. ``model``: a key of :data:`MODELS` or a parameter set. Effect sites:
    fast t½ (Olofsen 2012, default 6.1 min) and slow t½ (Dahan 2011, default 10.9 days), both driven by
    plasma (half-lives cited, their use with this PK model assumed: :data:`EFFECT_SITE_EVIDENCE`).

    Returns a :class:`PKResult`; its ``norketamine_ng_ml`` is ``None`` for models without a norketamine
    compartment (``"domino"`` and ``"clements_nimmo_1981"``), an array for ``"fanta_2015"``. For numbers that
    must not depend on the sampling (peak, time above a level, half-fall) use :func:`peak`,
    :func:`time_above_h` and :func:`time_to_fall_after_h`.
    """
    events = _flatten(regimen)
    t = v.time_array(t_h, "t_h")
    sys = _get_system(model, weight_kg, effect_fast_t_half_min, effect_slow_t_half_days)
    m = _model(model)
    # z = e·S + C is a difference of terms as large as |z| + 2|C|: that is the round-off scale (checked there).
    out = _solution(events, sys).outputs(t)
    cols = {name: np.ascontiguousarray(out[:, i]) for i, name in enumerate(sys.out_names)}
    t_copy = t.copy()
    for arr in (t_copy, *cols.values()):
        arr.setflags(write=False)
    return PKResult(t_h=t_copy, plasma_ng_ml=cols["plasma"], norketamine_ng_ml=cols.get("norketamine"),
                    effect_fast_ng_ml=cols["effect_fast"], effect_slow_ng_ml=cols["effect_slow"],
                    model=m.name, drug=m.drug, weight_kg=float(weight_kg), regimen=events)


def amounts(regimen, t_h, model="fanta_2015", weight_kg: float = 70.0) -> PKAmounts:
    """Every compartment's amount (mg) and the exact cumulative dose, elimination and first-pass flows.

    Cumulative flows are exact integrals of the modal solution (no time stepping).
    """
    events = _flatten(regimen)
    t = v.time_array(t_h, "t_h")
    sys = _get_system(model, weight_kg, FAST_EFFECT_T_HALF_MIN, SLOW_EFFECT_T_HALF_DAYS)
    p = sys.params
    n = sys.lam.size
    seg = _segments(sys, events)
    if seg is None:
        x = np.zeros((t.size, n))
        integral = np.zeros((t.size, n))
    else:
        bounds, s, steady, lam = seg.bounds, seg.s, seg.steady, seg.lam
        dtb = np.diff(bounds)
        z, kk, live, dt = _modal_at(seg, t)
        # integral of z over [t_k, t_{k+1}) and cumulatively up to each boundary
        inc = s[:-1] * (np.expm1(np.outer(dtb, lam)) / lam) + steady[:-1] * dtb[:, None]
        cum = np.vstack([np.zeros((1, n)), np.cumsum(inc, axis=0)])
        part = s[kk] * (np.expm1(dt[:, None] * lam[None, :]) / lam) + steady[kk] * dt[:, None]
        zint = cum[kk] + part
        zint[~live] = 0.0
        x = z @ sys.vec.T
        integral = zint @ sys.vec.T
        if np.any(x < 0.0):
            _clip_roundoff(x, (np.abs(z) + 2.0 * np.abs(steady[kk])) @ np.abs(sys.vec).T, "an amount")
    idx = sys.index
    states = {name: x[:, i].copy() for i, name in enumerate(sys.names) if not name.startswith("effect_")}
    c = idx["central"]
    dosed = np.zeros_like(t)
    for ev in events:
        if isinstance(ev, Bolus):
            dosed += ev.dose_mg * (t >= ev.at_h)
        else:
            dosed += ev.rate_mg_per_h * np.clip(t - ev.start_h, 0.0, ev.duration_h)
    eliminated = p.cl_l_per_h / p.v1_l * integral[:, c]
    to_nk = np.zeros_like(t)
    lost = np.zeros_like(t)
    for r in EXTRAVASCULAR_ROUTES:
        absorbed_flow = sys.route_ka[r] * integral[:, idx[f"depot_{r}"]]   # mg that left the depot
        miss = (1.0 - sys.route_f[r]) * absorbed_flow
        to_nk += sys.route_presys[r] * miss
        lost += (1.0 - sys.route_presys[r]) * miss
    if p.has_norketamine:
        formed = p.norketamine_mass_ratio * (p.fraction_metabolised * eliminated + to_nk)
        nk_elim = p.norketamine_cl_l_per_h / p.norketamine_v_l * integral[:, idx["norketamine_central"]]
    else:
        formed = np.zeros_like(t)
        nk_elim = np.zeros_like(t)
    auc = _NG_PER_MG_PER_L / p.v1_l * integral[:, c]
    return PKAmounts(t_h=t.copy(), states_mg=MappingProxyType(states), dosed_mg=dosed, eliminated_mg=eliminated,
                     presystemic_to_norketamine_mg=to_nk, presystemic_lost_mg=lost,
                     norketamine_formed_mg=formed, norketamine_eliminated_mg=nk_elim,
                     auc_plasma_ng_h_per_ml=auc)


# --------------------------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------------------------

def clearance_l_per_h(model="fanta_2015", weight_kg: float = 70.0) -> float:
    """Elimination clearance (L/h) at ``weight_kg``."""
    return float(scaled_parameters(model, weight_kg).cl_l_per_h)


def volume_ss_l(model="fanta_2015", weight_kg: float = 70.0) -> float:
    """Volume of distribution at steady state, V1 + peripheral volumes (L)."""
    p = scaled_parameters(model, weight_kg)
    return float(p.v1_l + sum(p.peripheral_v_l))


def _half_lives(block: np.ndarray) -> tuple[float, ...]:
    rates = np.sort(-np.linalg.eigvals(block).real)[::-1]          # fastest first
    return tuple(float(math.log(2.0) / r * 60.0) for r in rates)


def half_lives_min(model="fanta_2015", weight_kg: float = 70.0) -> tuple[float, ...]:
    """Disposition half-lives of ketamine (min), shortest first (ln 2 / eigenvalue of the compartment model)."""
    p = scaled_parameters(model, weight_kg)
    return _half_lives(_mammillary_block(p.v1_l, p.cl_l_per_h, p.peripheral_v_l, p.peripheral_q_l_per_h))


def norketamine_half_lives_min(model="fanta_2015", weight_kg: float = 70.0) -> tuple[float, ...]:
    """Disposition half-lives of norketamine (min), shortest first. Only for models with norketamine."""
    p = scaled_parameters(model, weight_kg)
    if not p.has_norketamine:
        raise ValueError(f"model {_model(model).name!r} has no norketamine model; "
                         f"use one of {[k for k, m in MODELS.items() if m.norketamine is not None]}")
    return _half_lives(_mammillary_block(p.norketamine_v_l, p.norketamine_cl_l_per_h, (p.norketamine_vp_l,),
                                         (p.norketamine_q_l_per_h,)))


def steady_state_ng_ml(rate_mg_per_h, model="fanta_2015", weight_kg: float = 70.0):
    """Plasma steady state of a constant IV infusion: rate / CL (ng/mL). ``rate_mg_per_h`` may be an array."""
    rate = v.array(rate_mg_per_h, "rate_mg_per_h", low=0.0)
    out = rate / clearance_l_per_h(model, weight_kg) * _NG_PER_MG_PER_L
    return float(out) if out.ndim == 0 else out


def steady_state_norketamine_ng_ml(rate_mg_per_h, model="fanta_2015", weight_kg: float = 70.0):
    """Norketamine steady state of a constant IV infusion: mass ratio × fm × rate / CL_norket (ng/mL)."""
    rate = v.array(rate_mg_per_h, "rate_mg_per_h", low=0.0)
    p = scaled_parameters(model, weight_kg)
    if not p.has_norketamine:
        raise ValueError(f"model {_model(model).name!r} has no norketamine model")
    out = rate * p.fraction_metabolised * p.norketamine_mass_ratio / p.norketamine_cl_l_per_h * _NG_PER_MG_PER_L
    return float(out) if out.ndim == 0 else out


@lru_cache(maxsize=64)
def _ket_modes(model, weight_kg: float):
    """Ketamine-only modes: rates (1/h, positive) and the plasma response weights to a unit IV rate."""
    p = model.scaled(weight_kg)
    a = _mammillary_block(p.v1_l, p.cl_l_per_h, p.peripheral_v_l, p.peripheral_q_l_per_h)
    lam, vec = np.linalg.eig(a)
    lam, vec = lam.real, vec.real
    inv = np.linalg.inv(vec)
    # plasma after an infusion of unit rate lasting T, at s h after it stops:
    #   C = sum_m w_m (1 - exp(-r_m T)) exp(-r_m s),  w_m = vec[0, m] inv[m, 0] / r_m / V1 (mg/L per mg/h)
    rates = -lam
    w = vec[0, :] * inv[:, 0] / rates / p.v1_l
    return _ro(rates), _ro(w)


def context_sensitive_half_time_h(duration_h, model="fanta_2015", weight_kg: float = 70.0,
                                  decrement: float = 0.5):
    """Time (h) for plasma ketamine to fall by ``decrement`` after a constant IV infusion of ``duration_h``.

    0.5 gives the context-sensitive half-time; 0.2 / 0.8 give 20 % / 80 % decrement times. ``duration_h``
    may be an array (any positive lengths, e.g. 0.01 h to 14 days). Exact: the post-infusion curve is a
    positive sum of decaying exponentials; its root is found by Newton steps from the left (the curve is
    convex, so they never overshoot) combined with bisection, to ~1e-10 relative or better.
    """
    dur = v.array(duration_h, "duration_h")
    if dur.size and not np.all(dur > 0):
        raise ValueError(f"duration_h must be > 0 everywhere, got minimum {float(dur.min())!r}")
    d = v.in_range(decrement, "decrement", 0.0, 1.0, low_open=True, high_open=True)
    rates, w = _ket_modes(_model(model), _weight(weight_kg))
    T = np.atleast_1d(dur).ravel()
    amp = w[None, :] * -np.expm1(-np.outer(T, rates))               # a_m(T) >= 0, shape (nT, n)
    amp = np.maximum(amp, 0.0)
    target = (1.0 - d) * amp.sum(axis=1)
    log_ratio = -math.log1p(-d)                                      # ln(1 / (1 - d))
    lo = np.full(T.shape, log_ratio / rates.max())                   # every term decays at most this fast
    hi = np.full(T.shape, log_ratio / rates.min())                   # ... and at least this fast

    def f(s):
        e = np.exp(-s[:, None] * rates[None, :]) * amp
        return e.sum(axis=1) - target, -(e * rates[None, :]).sum(axis=1)

    for _ in range(200):
        val, slope = f(lo)
        step = np.where(slope < 0, -val / np.where(slope < 0, slope, -1.0), 0.0)
        newton = np.minimum(lo + np.maximum(step, 0.0), hi)
        mid = 0.5 * (newton + hi)
        vmid, _ = f(mid)
        lo = np.where(vmid >= 0, mid, newton)
        hi = np.where(vmid >= 0, hi, mid)
        # Newton converges quadratically, then its step sits at round-off (~1e-15 relative).
        if np.all(((hi - lo) <= 1e-13 * hi) | (np.abs(step) <= 1e-13 * lo)):
            break
    out = lo.reshape(dur.shape)
    return float(out) if out.ndim == 0 else out


def time_to_fall_h(t_h, conc, stop_h: float, fraction: float = 0.5) -> float:
    """Time (h) after ``stop_h`` for a sampled curve to fall to ``fraction`` of its level at ``stop_h``.

    For any regimen's plasma curve (repeated infusions included), where :func:`context_sensitive_half_time_h`
    covers a single infusion exactly. Linear interpolation between samples, so the answer is as fine as the
    time grid. ``math.inf`` when the curve stays above the target to the end of the samples (or the level at
    ``stop_h`` is zero).
    """
    t = v.time_array(t_h, "t_h")
    c = v.array(conc, "conc")
    if c.shape != t.shape:
        raise ValueError(f"conc must have the shape of t_h {t.shape}, got {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError("conc must be finite everywhere")
    stop = v.in_range(stop_h, "stop_h", float(t[0]), float(t[-1]))
    frac = v.in_range(fraction, "fraction", 0.0, 1.0, low_open=True, high_open=True)
    c_stop = float(np.interp(stop, t, c))
    if c_stop <= 0.0:
        return math.inf
    target = frac * c_stop
    after = np.nonzero((t > stop) & (c <= target))[0]
    if not after.size:
        return math.inf
    i = int(after[0])
    t0, c0 = (stop, c_stop) if t[i - 1] <= stop else (float(t[i - 1]), float(c[i - 1]))
    t1, c1 = float(t[i]), float(c[i])
    crossing = t1 if c0 == c1 else t0 + (c0 - target) * (t1 - t0) / (c0 - c1)
    return crossing - stop


# --------------------------------------------------------------------------------------------------------
# Exact landmarks of a regimen (independent of any plotting grid)
# --------------------------------------------------------------------------------------------------------

#: Measured norketamine/ketamine AUC ratios, to set beside :func:`norketamine_auc_ratio`:
#: route -> (ratio, drug, source).
MEASURED_NORKETAMINE_AUC_RATIO = MappingProxyType({
    "oral": (16.5, "S-ketamine", "Fanta 2015, Eur J Clin Pharmacol 71:441 (abstract): norketamine AUC 16.5x "
                                 "S-ketamine after oral dosing [V]"),
})

_FIRST_STEP_H = 1e-3       # first geometric point after a dosing boundary (3.6 s; Domino's fastest t½ is 24 s)
_N_EVEN, _N_AFTER = 200, 48  # landmark search grid: even points plus geometric points after every boundary
# Refinement on the exact solution: few rounds of many points (each round is one vectorised evaluation).
_CROSS_POINTS, _CROSS_ROUNDS = 48, 2   # a crossing's bracket shrinks 48x a round (2304x), then linear interpolation
_PEAK_POINTS, _PEAK_ROUNDS = 32, 3     # a maximum's bracket shrinks 16x a round (4096x)
_CROSS_FRAC = np.linspace(0.0, 1.0, _CROSS_POINTS + 1)
_PEAK_FRAC = np.linspace(0.0, 1.0, _PEAK_POINTS + 1)
_PEAK_TIE = 1e-9           # maxima within this relative gap are the same peak (the earliest is reported)
_WASHOUT_HALF_LIVES = 60.0  # after the last dose, 60 half-lives of the slowest mode leave < 1e-18 of any dose


class _Solution:
    """The exact solution of one regimen (all outputs), evaluable at any times; cached per regimen."""

    def __init__(self, events: tuple, sys: _System):
        self.events = events
        self.sys = sys
        self.seg = _segments(sys, events, _active_modes(sys, events))
        self.bounds = np.zeros(0) if self.seg is None else self.seg.bounds
        self.w = None if self.seg is None else sys.out_modal[:, self.seg.modes]      # n_out x m
        self._samples: dict = {}
        if self.seg is None:
            self.washout_h = 0.0
        else:
            # every output decays after the last dose at the slowest rate it shows; one horizon for all outputs
            # lets all landmarks of a regimen share one sampled grid
            seen = np.abs(self.w) > 1e-12 * np.abs(self.w).max(axis=1, keepdims=True)
            slowest = float(np.min(-self.seg.lam[seen.any(axis=0)]))
            self.washout_h = float(self.bounds[-1]) + _WASHOUT_HALF_LIVES * math.log(2.0) / slowest

    def outputs(self, t: np.ndarray, check: bool = True) -> np.ndarray:
        """All outputs at sorted 1-D times ``t`` (T x n_out). Negative round-off is checked (and set to 0) as
        :func:`simulate` needs it; ``check=False`` only clips (internal search grids)."""
        if self.seg is None:
            return np.zeros((t.size, len(self.sys.out_names)))
        z, kk, _, _ = _modal_at(self.seg, t)
        out = z @ self.w.T
        if not check:
            return np.maximum(out, 0.0, out=out)
        if np.any(out < 0.0):
            _clip_roundoff(out, (np.abs(z) + 2.0 * np.abs(self.seg.steady[kk])) @ np.abs(self.w).T,
                           "a concentration")
        return out

    def output(self, t: np.ndarray, row: int) -> np.ndarray:
        """One output at times ``t`` of any shape (any order); tiny negative round-off is set to 0."""
        t = np.asarray(t, dtype=float)
        if self.seg is None:
            return np.zeros(t.shape)
        flat = t.ravel()
        if flat.size > 1 and np.any(flat[1:] < flat[:-1]):
            order = np.argsort(flat, kind="stable")
            z = _modal_at(self.seg, flat[order])[0]
            out = np.empty(flat.size)
            out[order] = z @ self.w[row]
        else:
            out = _modal_at(self.seg, flat)[0] @ self.w[row]
        return np.maximum(out, 0.0, out=out).reshape(t.shape)

    def samples(self, t0: float, t1: float):
        """The resolving grid on [t0, t1] and every output on it (several landmarks share them)."""
        key = (t0, t1)
        hit = self._samples.get(key)
        if hit is None:
            t = _resolving_grid(self.bounds, t0, t1, _N_EVEN, _N_AFTER)
            hit = (t, self.outputs(t, check=False))
            if len(self._samples) > 8:
                self._samples.clear()
            self._samples[key] = hit
        return hit


@lru_cache(maxsize=32)
def _cached_solution(events: tuple, sys: _System) -> _Solution:
    return _Solution(events, sys)


def _solution(events: tuple, sys: _System) -> _Solution:
    try:
        return _cached_solution(events, sys)
    except TypeError:  # pragma: no cover - an unhashable event field; solve without the cache
        return _Solution(events, sys)


class _Curve:
    """One output of a regimen's exact solution."""

    def __init__(self, sol: _Solution, row: int):
        self.sol, self.row = sol, row
        self.seg, self.bounds = sol.seg, sol.bounds

    def __call__(self, t) -> np.ndarray:
        return self.sol.output(t, self.row)

    def samples(self, t0: float, t1: float):
        t, out = self.sol.samples(t0, t1)
        return t, out[:, self.row]


def _curve(regimen, model, weight_kg, which, fast_t_half_min, slow_t_half_days) -> _Curve:
    v.choice(which, "which", _SERIES)
    events = _flatten(regimen)
    sys = _get_system(model, weight_kg, fast_t_half_min, slow_t_half_days)
    if which not in sys.out_names:
        raise ValueError(f"which='norketamine' needs a model with norketamine; model "
                         f"{_model(model).name!r} has none (use one of "
                         f"{[k for k, m in MODELS.items() if m.norketamine is not None]})")
    return _Curve(_solution(events, sys), sys.out_names.index(which))


def _resolving_grid(bounds: np.ndarray, t0: float, t1: float, n_even: int, n_after: int) -> np.ndarray:
    """``n_even`` even points on [t0, t1], every boundary inside, and ``n_after`` geometric points after each
    boundary (and after t0, where a search starts), from 3.6 s up to the next boundary, so every fast phase
    is sampled."""
    inside = bounds[(bounds > t0) & (bounds < t1)]
    parts = [np.linspace(t0, t1, n_even), inside]
    starts = np.concatenate([[t0], inside])
    gap = np.concatenate([inside, [t1]]) - starts
    keep = gap > 2.0 * _FIRST_STEP_H
    if n_after > 1 and np.any(keep):
        frac = np.linspace(0.0, 1.0, n_after)
        steps = _FIRST_STEP_H * np.exp(np.outer(np.log(gap[keep] / _FIRST_STEP_H), frac))
        parts.append((starts[keep, None] + steps).ravel())
    out = np.unique(np.concatenate(parts))
    return out[(out >= t0) & (out <= t1)]


def _refine_first_crossings(curve: _Curve, lo: np.ndarray, hi: np.ndarray, level: float) -> np.ndarray:
    """First time in each bracket [lo, hi] (sorted, not overlapping) where ``curve - level`` changes sign."""
    if not lo.size:
        return lo
    rows = np.arange(lo.size)
    for _ in range(_CROSS_ROUNDS):
        pts = lo[:, None] + (hi - lo)[:, None] * _CROSS_FRAC
        f = curve(pts) - level
        above = f > 0.0
        change = above[:, 1:] != above[:, :-1]
        j = np.where(change.any(axis=1), np.argmax(change, axis=1), _CROSS_POINTS - 1)
        lo, hi = pts[rows, j], pts[rows, j + 1]
        f0, f1 = f[rows, j], f[rows, j + 1]
    span = f0 - f1
    w = np.where(span != 0.0, f0 / np.where(span != 0.0, span, 1.0), 0.5)
    return lo + np.clip(w, 0.0, 1.0) * (hi - lo)


def time_grid(regimen, window_h: float, n: int = 600, n_after: int = 24) -> np.ndarray:
    """Sample times (h) on [0, ``window_h``] for plotting a regimen: ``n`` even points, every dosing boundary
    (bolus, infusion start and stop), and ``n_after`` geometric points after each boundary (3.6 s up to the
    next boundary). Peaks at the end of an IV infusion are then sampled exactly and the fast fall after it
    is drawn with enough points however far apart the doses are."""
    window = v.positive(window_h, "window_h")
    n = v.integer(n, "n", 2, 100_000)
    n_after = v.integer(n_after, "n_after", 0, 10_000)
    bounds = _event_bounds(_flatten(regimen))
    if not bounds.size:
        return np.linspace(0.0, window, n)
    return _resolving_grid(bounds, 0.0, window, n, n_after)


def _event_bounds(events) -> np.ndarray:
    times = []
    for ev in events:
        if isinstance(ev, Bolus):
            if ev.dose_mg > 0.0:
                times.append(ev.at_h)
        elif ev.rate_mg_per_h > 0.0 and ev.duration_h > 0.0:
            times += [ev.start_h, ev.end_h]
    return np.unique(np.asarray(times, dtype=float))


def _span(curve: _Curve, from_h, until_h, name_until: str = "until_h") -> tuple[float, float]:
    start = v.nonnegative(from_h, "from_h")
    if until_h is None:
        return start, max(curve.sol.washout_h, start + 1.0)
    return start, v.in_range(until_h, name_until, start, math.inf, low_open=True)


def peak(regimen, model="fanta_2015", weight_kg: float = 70.0, which: str = "plasma", *,
         from_h: float = 0.0, until_h: float | None = None, tie_rtol: float = 1e-3,
         effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
         effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> tuple[float, float]:
    """``(t_h, ng/mL)``: the highest concentration of ``which`` on [``from_h``, ``until_h``] and when it is
    first reached.

    ``which``: "plasma", "norketamine", "effect_fast" or "effect_slow". ``until_h`` None: until every dose has
    washed out. The value is exact to ~1e-9 relative: the curve is sampled on a grid that resolves every
    dosing event and each candidate maximum is refined on finer sub-grids of the exact solution.

    The time: a maximum is a rise and fall of the curve (a plateau that only creeps up to the end of an
    infusion counts once, at its end). When several separate maxima (repeated sessions) come within
    ``tie_rtol`` of the highest (default 0.1 %, below the printed precision), the earliest of them is given:
    the time the peak is first reached. An empty regimen gives ``(from_h, 0.0)``.
    """
    tie = v.in_range(tie_rtol, "tie_rtol", 0.0, 0.1, low_open=True)
    curve = _curve(regimen, model, weight_kg, which, effect_fast_t_half_min, effect_slow_t_half_days)
    start, end = _span(curve, from_h, until_h)
    if curve.seg is None:
        return start, 0.0
    t, c = curve.samples(start, end)
    cmax = float(c.max())
    if cmax <= 0.0:
        return start, 0.0
    # candidates: local maxima of the samples near the largest (refining can only raise them)
    left = np.concatenate([[-np.inf], c[:-1]])
    right = np.concatenate([c[1:], [-np.inf]])
    cand = np.flatnonzero((c >= left) & (c >= right) & (c >= (1.0 - max(0.02, 2 * tie)) * cmax))
    if cand.size > 256:   # a plateau flat to round-off: the latest 256 such samples stand for it
        cand = cand[-256:]
    lo = t[np.maximum(cand - 1, 0)]
    hi = t[np.minimum(cand + 1, t.size - 1)]
    best_t, best_c = t[cand].copy(), c[cand].copy()
    rows = np.arange(lo.size)
    for _ in range(_PEAK_ROUNDS):
        pts = lo[:, None] + (hi - lo)[:, None] * _PEAK_FRAC
        vals = curve(pts)
        j = np.argmax(vals, axis=1)
        better = vals[rows, j] >= best_c
        best_t = np.where(better, pts[rows, j], best_t)
        best_c = np.where(better, vals[rows, j], best_c)
        lo = pts[rows, np.maximum(j - 1, 0)]
        hi = pts[rows, np.minimum(j + 1, _PEAK_POINTS)]
    top = float(best_c.max())
    # group candidates into separate maxima: consecutive candidates with no real dip between them (a
    # plateau, flat to round-off) are one maximum, represented by its last point within round-off of its top
    groups, current = [], [0]
    for a, b in zip(range(cand.size - 1), range(1, cand.size)):
        dip = float(c[cand[a]:cand[b] + 1].min())
        if dip >= (1.0 - tie) * min(best_c[a], best_c[b]):
            current.append(b)
        else:
            groups.append(current)
            current = [b]
    groups.append(current)
    for g in groups:
        g_top = float(best_c[g].max())
        if g_top >= (1.0 - tie) * top:
            last = max(i for i in g if best_c[i] >= g_top * (1.0 - _PEAK_TIE))
            return float(best_t[last]), top
    return float(best_t[int(np.argmax(best_c))]), top  # pragma: no cover - the top group always qualifies


def time_above_h(regimen, threshold_ng_ml: float, model="fanta_2015", weight_kg: float = 70.0,
                 which: str = "plasma", *, from_h: float = 0.0, until_h: float | None = None,
                 effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
                 effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> float:
    """Hours ``which`` spends above ``threshold_ng_ml`` (ng/mL) between ``from_h`` and ``until_h``.

    ``until_h`` None: the whole course, until every dose has washed out. Every crossing is located on the exact
    solution (to ~1e-5 of the local sample spacing, then linear interpolation), so the answer does not depend
    on a plotting grid. A threshold of 0 counts the time the level is above zero.
    """
    thr = v.nonnegative(threshold_ng_ml, "threshold_ng_ml")
    curve = _curve(regimen, model, weight_kg, which, effect_fast_t_half_min, effect_slow_t_half_days)
    start, end = _span(curve, from_h, until_h)
    if curve.seg is None:
        return 0.0
    t, c = curve.samples(start, end)
    above = c > thr
    a0, a1 = above[:-1], above[1:]
    total = float(np.sum(np.diff(t)[a0 & a1]))
    cross = np.flatnonzero(a0 != a1)      # a crossing inside [t_i, t_i+1]
    if cross.size:
        x = _refine_first_crossings(curve, t[cross], t[cross + 1], thr)
        up = a1[cross]                    # upward: above from x to t_i+1; downward: from t_i to x
        total += float(np.sum(np.where(up, t[cross + 1] - x, x - t[cross])))
    return total


def time_to_fall_after_h(regimen, stop_h: float, fraction: float = 0.5, model="fanta_2015",
                         weight_kg: float = 70.0, which: str = "plasma", *, horizon_h: float | None = None,
                         effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
                         effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> float:
    """Hours after ``stop_h`` until ``which`` first falls to ``fraction`` of its level at ``stop_h``.

    Exact for any regimen (doses after ``stop_h`` included): for a single IV infusion stopped at ``stop_h`` and
    ``fraction`` 0.5 it is the context-sensitive half-time (:func:`context_sensitive_half_time_h`). ``math.inf``
    when the level at ``stop_h`` is zero or never falls that far within ``horizon_h`` (default: until every
    dose has washed out).
    """
    stop = v.nonnegative(stop_h, "stop_h")
    frac = v.in_range(fraction, "fraction", 0.0, 1.0, low_open=True, high_open=True)
    if horizon_h is not None:
        v.positive(horizon_h, "horizon_h")
    curve = _curve(regimen, model, weight_kg, which, effect_fast_t_half_min, effect_slow_t_half_days)
    if curve.seg is None:
        return math.inf
    c_stop = float(curve(np.array([stop]))[0])
    if c_stop <= 0.0:
        return math.inf
    target = frac * c_stop
    if horizon_h is None and stop < curve.sol.washout_h:
        t, c = curve.samples(0.0, curve.sol.washout_h)     # shared with peak() and time_above_h()
        k = np.searchsorted(t, stop, side="right")
        t = np.concatenate([[stop], t[k:]])
        c = np.concatenate([[c_stop], c[k:]])
    else:
        end = stop + (horizon_h if horizon_h is not None else 1.0)
        t, c = curve.samples(stop, end)
    below = np.flatnonzero(c <= target)
    if not below.size:
        return math.inf
    i = int(below[0])
    x = _refine_first_crossings(curve, t[[i - 1]], t[[i]], target)
    return float(x[0]) - stop


def auc_ng_h_per_ml(regimen, model="fanta_2015", weight_kg: float = 70.0, which: str = "plasma", *,
                    until_h: float = math.inf,
                    effect_fast_t_half_min: float = FAST_EFFECT_T_HALF_MIN,
                    effect_slow_t_half_days: float = SLOW_EFFECT_T_HALF_DAYS) -> float:
    """Exact area under the curve of ``which`` (ng·h/mL) from 0 to ``until_h`` (default: to infinity).

    To infinity it is a closed form of the modal solution: Σ_doses dose × Σ_modes w_m b_m / |λ_m|; for plasma
    this is F·dose / CL (the test suite checks it).
    """
    if isinstance(until_h, (float, np.floating)) and until_h == math.inf:
        until = math.inf
    else:
        until = v.nonnegative(until_h, "until_h")
    v.choice(which, "which", _SERIES)
    if until == math.inf:          # closed form: no need to solve the time course
        events = _flatten(regimen)
        sys = _get_system(model, weight_kg, effect_fast_t_half_min, effect_slow_t_half_days)
        if which not in sys.out_names:
            _curve(events, model, weight_kg, which, effect_fast_t_half_min, effect_slow_t_half_days)  # raises
        dose = np.zeros(len(ROUTES))
        for ev in events:
            dose[_ROUTE_COL[ev.route]] += ev.total_mg
        modal = sys.in_modal @ dose                          # modal image of all doses
        return float(np.sum(sys.out_modal[sys.out_names.index(which)] * modal / -sys.lam))
    curve = _curve(regimen, model, weight_kg, which, effect_fast_t_half_min, effect_slow_t_half_days)
    if curve.seg is None:
        return 0.0
    w = curve.sol.sys.out_modal[curve.row]
    seg = curve.seg
    bounds, s, steady, lam = seg.bounds, seg.s, seg.steady, seg.lam
    k = np.searchsorted(bounds, until, side="right") - 1
    if k < 0:
        return 0.0
    dtb = np.diff(bounds[:k + 1])
    full = (s[:k] * (np.expm1(np.outer(dtb, lam)) / lam) + steady[:k] * dtb[:, None]).sum(axis=0)
    dt = until - bounds[k]
    part = s[k] * (np.expm1(dt * lam) / lam) + steady[k] * dt
    return float((full + part) @ w[seg.modes])


def norketamine_auc_ratio(route: str, model="fanta_2015", weight_kg: float = 70.0) -> float:
    """Norketamine/ketamine exposure (AUC 0–∞) after one dose by ``route``; dose-independent (linear model).

    It follows from the model's assumptions: every mg of ketamine cleared forms norketamine (fm = 1, Otto 2021)
    and the non-bioavailable part of an oral, sublingual or intranasal dose goes to norketamine (assumed). For
    IV it is fm × CL / CL_norketamine. Only for models with norketamine (ValueError otherwise). Set it beside
    :data:`MEASURED_NORKETAMINE_AUC_RATIO`.
    """
    v.choice(route, "route", ROUTES)
    m = _model(model)
    if m.norketamine is None:
        raise ValueError(f"model {m.name!r} has no norketamine model; use one of "
                         f"{[k for k, x in MODELS.items() if x.norketamine is not None]}")
    dose = [bolus(1.0, route=route)]
    ket = auc_ng_h_per_ml(dose, m, weight_kg)
    nk = auc_ng_h_per_ml(dose, m, weight_kg, which="norketamine")
    return nk / ket
