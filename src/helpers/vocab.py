"""The collection's shared vocabulary, named once and imported everywhere.

Drug names, the three evidence labels, the name of the ketamine effect level, and the words used for them in
student-facing text. Teaching material, not dosing advice.
"""
from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "RACEMIC", "S_KETAMINE", "DRUGS", "DRUG_LABELS", "drug_label",
    "CITED", "ASSUMED", "ILLUSTRATIVE", "EVIDENCE_LABELS", "EVIDENCE_MEANING",
    "BLOCK_FRACTION", "BLOCK_FRACTION_LABEL",
]

#: Racemic ketamine (1:1 S- and R-ketamine), the drug of most trials and of the Domino and
#: Clements & Nimmo models.
RACEMIC = "racemic"
#: S-ketamine (esketamine), the drug of the Leiden trials (Sigtermans 2009, Dahan 2011, Noppers 2011).
S_KETAMINE = "S-ketamine"
#: The two drugs a PK model or a trial arm can be about.
DRUGS = (RACEMIC, S_KETAMINE)
#: How each drug is named in labels and text.
DRUG_LABELS = MappingProxyType({RACEMIC: "racemic ketamine", S_KETAMINE: "S-ketamine"})

#: A number read in a published source.
CITED = "cited"
#: A modelling choice, stated as such.
ASSUMED = "assumed"
#: A number tuned to show a pattern; not measured.
ILLUSTRATIVE = "illustrative"
#: The three evidence labels every model number carries, strongest first.
EVIDENCE_LABELS = (CITED, ASSUMED, ILLUSTRATIVE)
#: What each label tells a student.
EVIDENCE_MEANING = MappingProxyType({
    CITED: "the number comes from a published study",
    ASSUMED: "a modelling choice the authors of this collection made and state",
    ILLUSTRATIVE: "tuned by us to show a pattern; not a measured value",
})

#: The ketamine effect level shared by the receptor, spinal, descending and pathway layers: the fraction of
#: NMDA receptors blocked, 0 (none) to 1 (all).
BLOCK_FRACTION = "block_fraction"
#: Its label on axes and controls.
BLOCK_FRACTION_LABEL = "NMDA receptors blocked (fraction)"


def drug_label(drug: str) -> str:
    """Name of a drug as students read it.

    Parameters
    ----------
    drug : {"racemic", "S-ketamine"}
        A drug key from :data:`DRUGS`.

    Returns
    -------
    str
        ``"racemic ketamine"`` or ``"S-ketamine"``.

    Raises
    ------
    ValueError
        If ``drug`` is not one of :data:`DRUGS`.
    """
    if drug not in DRUG_LABELS:
        raise ValueError(f"drug must be one of {DRUGS}, got {drug!r}")
    return DRUG_LABELS[drug]
