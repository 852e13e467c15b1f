"""Routes of administration: bioavailability by drug, first-order absorption rate, first pass; each with its source.

Presystemic metabolism (assumed): for oral, sublingual and intranasal doses the non-bioavailable fraction 1 − F is
absorbed into norketamine with the same ka (``Route.presystemic_to_norketamine``); this is why oral norketamine ≫
ketamine. IM: none (the 7 % not absorbed is simply lost).
"""
from __future__ import annotations

from dataclasses import dataclass

from ... import _validate as v
from .parameters import _EVIDENCE, DRUGS, MODELS, _model

__all__ = ["ByDrug", "TagByDrug", "Route", "ROUTES", "EXTRAVASCULAR_ROUTES", "REFERENCE_KEYS", "bioavailability"]


@dataclass(frozen=True)
class ByDrug:
    """A value that differs by drug; index or call with ``"racemic"`` or ``"S-ketamine"``.

    Parameters
    ----------
    racemic, s_ketamine : float
        The value for each drug.
    racemic_source, s_ketamine_source : str
        Where each value comes from.
    """

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
    """An evidence tag that differs by drug.

    A value measured with one drug and reused for the other is "cited" for the first and "assumed" for the
    second.

    Parameters
    ----------
    racemic, s_ketamine : {"cited", "assumed", "illustrative"}
        The tag for each drug.
    """

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

    Each part carries its own evidence tag, per drug where a value measured with one drug is reused for the
    other (:class:`TagByDrug`; a plain string means the same tag for both).

    Parameters
    ----------
    name, label : str
        Key and the name shown to students.
    bioavailability : ByDrug
        F for each drug, in (0, 1].
    ka_per_h : float or None
        First-order absorption rate (1/h); None for IV (no depot).
    presystemic_to_norketamine : float
        Fraction of the non-bioavailable dose (1 − F) that reaches norketamine (with the same ka) in models that
        have norketamine.
    source : str
        Where the numbers come from.
    evidence : {"cited", "assumed", "illustrative"}
        The weakest tag over all parts and both drugs (checked).
    bioavailability_evidence, ka_evidence : TagByDrug or str
        Evidence of F and of ka.
    presystemic_evidence : str
        Evidence of the first-pass assumption.
    reference_keys : tuple of str
        Keys into the package reference list.
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
        """Evidence tags of F, ka and first pass for one drug.

        Parameters
        ----------
        drug : {"racemic", "S-ketamine"}
            The drug.

        Returns
        -------
        dict
            ``{"bioavailability": tag, "ka": tag, "presystemic": tag}``.
        """
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

#: Every reference key the PK layer cites: parameter sets, routes and effect sites (for a notebook's References).
REFERENCE_KEYS = tuple(dict.fromkeys(
    [k for m in MODELS.values() for k in m.reference_keys]
    + [k for r in ROUTES.values() for k in r.reference_keys]
    + ["olofsen_2012", "dahan_2011"]))


def bioavailability(route: str, *, model="fanta_2015") -> float:
    """Bioavailability F of a route for the drug of a model (racemic or S-ketamine).

    Parameters
    ----------
    route : str
        A key of :data:`ROUTES`.
    model : str or MicroConstantModel or AllometricModel
        A key of :data:`MODELS` or a parameter set; only its drug matters.

    Returns
    -------
    float
        F, in (0, 1].

    References
    ----------
    .. [yanagihara_2003] Yanagihara et al. 2003 (oral, intranasal racemic).
    .. [fanta_2015] Fanta et al. 2015 (oral S-ketamine 8 %).
    .. [rolan_2014] Rolan et al. 2014 (sublingual racemic).
    .. [simons_2022_pk] Simons et al. 2022 (S-ketamine film).
    .. [spravato_medinfo] Spravato medical information (intranasal S-ketamine).
    """
    r = ROUTES[v.choice(route, "route", ROUTES)]
    return r.bioavailability[_model(model).drug]
