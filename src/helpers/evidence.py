"""References, presets, the trial table and the clinic-claim table, loaded from package data (one source of truth).

* ``data/references/*.json`` — one file per topic, merged into a single reference list. Each entry:
  ``{"authors": str, "year": int, "title": str, "journal": str, "doi": str | null, "pmid": str | null,
  "note": str | null}``. Keys are unique across files (checked on load).
* ``data/presets/*.json`` — named published regimens and cases for the panels:
  ``{panel_name: {preset_key: {"label": str, "values": {control: value}, "source": ref_key,
  "note": str}}}``.
* ``data/trials.json`` — one row per study arm (see :class:`Trial`), validated on load.
* ``data/claims.json`` — one row per clinic claim with a verdict, one sentence of reasoning and reference
  keys, validated on load (see :func:`claims`).

Notebooks render references with :func:`references_markdown`, the trials with :func:`trials_markdown` and the
claims with :func:`claims_markdown`; panels read presets with :func:`presets`. Doses in the trial table are as
the papers give them; :meth:`Trial.rate_mg_per_h_base` and :meth:`Trial.dose_mg_base` are the one place that
turns a dose stated as the hydrochloride salt into ketamine base. Teaching material, not dosing advice.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from types import MappingProxyType

from . import _validate as v
from . import vocab
from .models import pk
from .units import SALT_TO_BASE

__all__ = [
    "references", "reference", "cite", "references_markdown", "presets", "preset",
    "Trial", "trials", "trial", "trials_markdown", "trial_from_row",
    "claims", "claims_markdown", "validate_claim",
    "DOSE_BASES", "CONFIDENCE_LEVELS", "VERDICTS", "STANDARD_WEIGHT_KG",
]

#: How a paper states its dose: as ketamine base, as the hydrochloride salt, or without saying.
DOSE_BASES = ("base", "HCl salt", "not stated")
#: How sure we are of a number, in the words students read (strongest first).
CONFIDENCE_LEVELS = ("read in the paper", "secondary source", "our arithmetic", "unverified")
#: The verdicts of the claim table.
VERDICTS = ("supported", "partly supported", "not supported", "unknown")
#: Rates in the trial table are per 70 kg, the weight the Leiden trials normalise to.
STANDARD_WEIGHT_KG = 70.0

# Internal confidence tags of the project's working notes; student-facing text must never show them.
_TAG = re.compile(r"\[(?:V|V2|U|D)\]")
_TAG_WORDS = {"[V]": "", "[V2]": "(secondary source)", "[U]": "(not confirmed from a source)",
              "[D]": "(our arithmetic)"}


def _data_text(name: str) -> str:
    return (resources.files("helpers") / "data" / name).read_text(encoding="utf-8")


def _load_folder(folder: str) -> dict[str, dict]:
    merged: dict[str, dict] = {}
    base = resources.files("helpers") / "data" / folder
    for item in sorted(base.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".json"):
            continue
        data = json.loads(item.read_text(encoding="utf-8"))
        for key, value in data.items():
            if key in merged:
                if folder == "presets":  # presets for one panel may be split over files
                    dup = set(merged[key]) & set(value)
                    if dup:
                        raise RuntimeError(f"preset {sorted(dup)} of panel {key!r} defined twice")
                    merged[key] = {**merged[key], **value}
                    continue
                raise RuntimeError(f"reference key {key!r} is defined twice (second time in {item.name})")
            merged[key] = value
    return merged


# --------------------------------------------------------------------------------------------------------
# References and presets
# --------------------------------------------------------------------------------------------------------

@cache
def references() -> Mapping[str, Mapping]:
    """All references, keyed by a short id such as ``"dahan_2011"``.

    Returns
    -------
    Mapping[str, Mapping]
        Read-only ``{key: {"authors", "year", "title", "journal", "doi", "pmid", "note"}}``.
    """
    return MappingProxyType({k: MappingProxyType(dict(val)) for k, val in _load_folder("references").items()})


def reference(key: str) -> Mapping:
    """One reference.

    Parameters
    ----------
    key : str
        A key of :func:`references`.

    Returns
    -------
    Mapping
        The reference's fields (read-only).

    Raises
    ------
    ValueError
        If ``key`` is not a known reference.
    """
    return references()[v.choice(key, "key", references())]


def cite(key: str) -> str:
    """Short in-text citation such as ``"Dahan et al. 2011"``.

    Parameters
    ----------
    key : str
        A key of :func:`references`.

    Returns
    -------
    str
        First author's surname, "et al." or the second surname, and the year.
    """
    ref = reference(key)
    authors = ref["authors"].split(",")
    first = authors[0].strip().split(" ")[0]
    if len(authors) > 2:
        rest = " et al."
    elif len(authors) == 2:
        rest = " & " + authors[1].strip().split(" ")[0]
    else:
        rest = ""
    return f"{first}{rest} {ref['year']}"


def _plain(text: str) -> str:
    """Text with any internal confidence tag turned into plain words (a safety net for student-facing output)."""
    for tag, words in _TAG_WORDS.items():
        text = text.replace(f" {tag}", f" {words}" if words else "").replace(tag, words)
    return re.sub(r"\(\s*\)", "", text).replace("  ", " ")


def _format(key: str, ref: Mapping) -> str:
    parts = [f"{ref['authors']} ({ref['year']}). {ref['title']}."]
    if ref.get("journal"):
        parts.append(f" *{ref['journal']}*.")
    if ref.get("doi"):
        parts.append(f" [doi:{ref['doi']}](https://doi.org/{ref['doi']})")
    if ref.get("pmid"):
        parts.append(f" PMID {ref['pmid']}.")
    if ref.get("note"):
        parts.append(f" — {ref['note']}")
    return _plain("".join(parts))


def references_markdown(keys: Iterable[str] | None = None) -> str:
    """A Markdown bulleted list of references, sorted by first author and year.

    Parameters
    ----------
    keys : iterable of str, optional
        Reference keys to list; all references when None.

    Returns
    -------
    str
        One ``- `` line per reference, with DOI link, PMID and the note in plain words.
    """
    refs = references()
    keys = sorted(refs) if keys is None else [v.choice(k, "keys", refs) for k in keys]
    keys = sorted(set(keys), key=lambda k: (refs[k]["authors"].lower(), refs[k]["year"]))
    return "\n".join(f"- {_format(k, refs[k])}" for k in keys)


@cache
def _all_presets() -> Mapping[str, Mapping]:
    return MappingProxyType(_load_folder("presets"))


def presets(panel: str) -> Mapping[str, Mapping]:
    """Named presets for one panel.

    Parameters
    ----------
    panel : str
        A panel name with presets (e.g. ``"regimen_explorer"``).

    Returns
    -------
    Mapping[str, Mapping]
        ``{key: {"label", "values", "source", "note"}}``.
    """
    return MappingProxyType(dict(_all_presets()[v.choice(panel, "panel", _all_presets())]))


def preset(panel: str, key: str) -> Mapping:
    """One named preset of a panel.

    Parameters
    ----------
    panel : str
        A panel name with presets.
    key : str
        A preset key of that panel.

    Returns
    -------
    Mapping
        ``{"label", "values", "source", "note"}``.
    """
    table = presets(panel)
    return table[v.choice(key, "preset", table)]


# --------------------------------------------------------------------------------------------------------
# The trial table
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trial:
    """One study arm of the trial table (``data/trials.json``), as the paper gives it.

    Relief durations count days from the end of the last infusion (or the injection); a duration the source
    gives only in words has no number, and a range is given only where the source supports one.

    Parameters
    ----------
    key : str
        Unique id of the row.
    study : str
        Short citation, e.g. ``"Sigtermans et al. 2009"``.
    year : int
        Publication year.
    design : str
        Study design in plain words ("randomised placebo-controlled trial", "meta-analysis", ...).
    condition : str
        The pain condition studied.
    n : int or None
        Patients in the study (all arms); None for guidelines and reviews.
    n_ketamine : int or None
        Patients given this arm's ketamine regimen, where stated.
    drug : {"racemic", "S-ketamine"} or None
        The drug (:data:`helpers.vocab.DRUGS`); None for pooled evidence (meta-analyses, reviews).
    route : str
        Route of administration, a key of :data:`helpers.models.pk.ROUTES` ("iv", "im", ...).
    dose_basis : {"base", "HCl salt", "not stated"}
        Whether the paper states the dose as ketamine base or as the hydrochloride salt.
    rate_mg_per_h : float or None
        Infusion rate in mg/h per 70 kg as stated (the end rate of a titrated infusion).
    rate_start_mg_per_h : float or None
        Starting rate of a titrated infusion (mg/h per 70 kg), for information.
    rate_scales_with_weight : bool or None
        True when the paper doses per kg (the rate scales with body weight), False for a fixed mg/h.
    dose_mg : float or None
        Fixed dose per session (mg).
    dose_mg_per_kg : float or None
        Dose per session (mg/kg).
    hours_per_session : float or None
        Length of each session (h); 0 for an injection.
    sessions : int or None
        Number of sessions.
    session_every_h : float or None
        Start-to-start interval between sessions (h); None for one session.
    total_days : float or None
        Days over which treatment was given.
    regimen_text : str
        The regimen in plain words, as the paper gives it.
    outcome : str
        What relief was measured.
    relief_days : float or None
        Central relief duration (days from the end of the last infusion).
    relief_days_low : float or None
        Lower end of the relief duration (days).
    relief_days_high : float or None
        Upper end of the relief duration (days).
    relief_basis : str or None
        Confidence of the relief numbers (one of :data:`CONFIDENCE_LEVELS`); None when there are none.
    relief_after : str
        What the relief days count from.
    relief_text : str
        The result in plain words.
    responder_share : float or None
        Share of ketamine patients who responded, in [0, 1].
    responder_share_days : float or None
        When that share was measured (days after the end of treatment).
    negative : bool
        True when the arm showed no lasting benefit.
    same_patients_as : str or None
        Key of another row reporting the same patients (count them once).
    reference : str
        Reference key (resolves in :func:`references`).
    doi : str or None
        DOI of the paper.
    pmid : str or None
        PubMed id.
    confidence : str
        How the row's numbers were read (one of :data:`CONFIDENCE_LEVELS`).
    evidence : {"cited", "assumed", "illustrative"}
        The collection's evidence label (:data:`helpers.vocab.EVIDENCE_LABELS`).
    note : str
        What is assumed, read elsewhere or not confirmed.

    References
    ----------
    Each row cites its own reference key; the salt-to-base factor is :data:`helpers.units.SALT_TO_BASE`
    (Spravato label: 28 mg esketamine = 32.3 mg hydrochloride).
    """

    key: str
    study: str
    year: int
    design: str
    condition: str
    n: int | None
    n_ketamine: int | None
    drug: str | None
    route: str
    dose_basis: str
    rate_mg_per_h: float | None
    rate_start_mg_per_h: float | None
    rate_scales_with_weight: bool | None
    dose_mg: float | None
    dose_mg_per_kg: float | None
    hours_per_session: float | None
    sessions: int | None
    session_every_h: float | None
    total_days: float | None
    regimen_text: str
    outcome: str
    relief_days: float | None
    relief_days_low: float | None
    relief_days_high: float | None
    relief_basis: str | None
    relief_after: str
    relief_text: str
    responder_share: float | None
    responder_share_days: float | None
    negative: bool
    same_patients_as: str | None
    reference: str
    doi: str | None
    pmid: str | None
    confidence: str
    evidence: str
    note: str

    def __post_init__(self):
        _check_trial(self)

    @property
    def salt_to_base(self) -> float:
        """Factor that turns the stated dose into ketamine base (1 unless the paper states the HCl salt)."""
        return SALT_TO_BASE if self.dose_basis == "HCl salt" else 1.0

    @property
    def has_regimen(self) -> bool:
        """True when the row states enough (dose, session length, sessions) to simulate the regimen."""
        dosed = any(x is not None for x in (self.rate_mg_per_h, self.dose_mg, self.dose_mg_per_kg))
        return dosed and self.hours_per_session is not None and self.sessions is not None

    def _need_regimen(self) -> None:
        if not self.has_regimen:
            missing = [name for name, val in (("a dose", self.rate_mg_per_h or self.dose_mg or self.dose_mg_per_kg),
                                              ("hours_per_session", self.hours_per_session),
                                              ("sessions", self.sessions)) if val is None]
            raise ValueError(f"trial {self.key!r} states no {', '.join(missing)}: its regimen cannot be simulated "
                             f"(regimen as given: {self.regimen_text!r})")

    def dose_mg_base(self, weight_kg: float = STANDARD_WEIGHT_KG) -> float:
        """Ketamine base given in one session.

        Parameters
        ----------
        weight_kg : float, default 70.0
            Body weight (kg), in (0, 300]; used for per-kg doses and weight-scaled rates.

        Returns
        -------
        float
            mg of ketamine base per session (the stated dose times :attr:`salt_to_base`).

        Raises
        ------
        ValueError
            If ``weight_kg`` is out of range or the row states no simulable regimen.
        """
        w = v.in_range(weight_kg, "weight_kg", 0.0, 300.0, low_open=True)
        self._need_regimen()
        if self.rate_mg_per_h is not None:
            stated = self.rate_mg_per_h * self._rate_scale(w) * self.hours_per_session
        elif self.dose_mg is not None:
            stated = self.dose_mg
        else:
            stated = self.dose_mg_per_kg * w
        return stated * self.salt_to_base

    def rate_mg_per_h_base(self, weight_kg: float = STANDARD_WEIGHT_KG) -> float:
        """Infusion rate in mg/h of ketamine base for a patient of ``weight_kg``.

        Parameters
        ----------
        weight_kg : float, default 70.0
            Body weight (kg), in (0, 300].

        Returns
        -------
        float
            The stated rate (or dose per session over the session length) times :attr:`salt_to_base`.

        Raises
        ------
        ValueError
            If ``weight_kg`` is out of range, the row states no simulable regimen, or it is an injection
            (no infusion rate).
        """
        w = v.in_range(weight_kg, "weight_kg", 0.0, 300.0, low_open=True)
        self._need_regimen()
        if self.hours_per_session == 0:
            raise ValueError(f"trial {self.key!r} is an injection (hours_per_session = 0): it has no infusion rate")
        if self.rate_mg_per_h is not None:
            return self.rate_mg_per_h * self._rate_scale(w) * self.salt_to_base
        return self.dose_mg_base(w) / self.hours_per_session

    def total_dose_mg_base(self, weight_kg: float = STANDARD_WEIGHT_KG) -> float:
        """Ketamine base over all sessions.

        Parameters
        ----------
        weight_kg : float, default 70.0
            Body weight (kg), in (0, 300].

        Returns
        -------
        float
            :meth:`dose_mg_base` times the number of sessions (mg).
        """
        return self.dose_mg_base(weight_kg) * self.sessions

    def regimen(self, weight_kg: float = STANDARD_WEIGHT_KG) -> tuple:
        """The regimen as :mod:`helpers.models.pk` dosing events, in ketamine base.

        A titrated infusion is given at its stated (end) rate throughout, which overstates the dose of the first
        hours; the row's note says so.

        Parameters
        ----------
        weight_kg : float, default 70.0
            Body weight (kg), in (0, 300].

        Returns
        -------
        tuple
            ``pk.infusion`` / ``pk.bolus`` events (one per session), starting at t = 0 h.

        Raises
        ------
        ValueError
            If ``weight_kg`` is out of range or the row states no simulable regimen.
        """
        dose = self.dose_mg_base(weight_kg)
        n = self.sessions
        every = self.session_every_h if n > 1 else None
        if self.hours_per_session == 0:
            one = pk.bolus(dose, 0.0, self.route)
            return (one,) if n == 1 else tuple(pk.repeat(one, every, n))
        rate = dose / self.hours_per_session
        if n == 1:
            return (pk.infusion(rate, self.hours_per_session, 0.0, self.route),)
        return tuple(pk.course(rate, self.hours_per_session, n, 0.0, every, self.route))

    def _rate_scale(self, weight_kg: float) -> float:
        return weight_kg / STANDARD_WEIGHT_KG if self.rate_scales_with_weight else 1.0


_FIELDS = tuple(f.name for f in fields(Trial))
_OPTIONAL_NUMBERS = {  # field: (low, high, low_open)
    "rate_mg_per_h": (0.0, 1000.0, True), "rate_start_mg_per_h": (0.0, 1000.0, True),
    "dose_mg": (0.0, 5000.0, True), "dose_mg_per_kg": (0.0, 20.0, True),
    "hours_per_session": (0.0, 24.0 * 30, False), "session_every_h": (0.0, 24.0 * 365, True),
    "total_days": (0.0, 365.0, False), "relief_days": (0.0, 3650.0, False),
    "relief_days_low": (0.0, 3650.0, False), "relief_days_high": (0.0, 3650.0, False),
    "responder_share": (0.0, 1.0, False), "responder_share_days": (0.0, 3650.0, False),
}
_TEXT = ("key", "study", "design", "condition", "regimen_text", "outcome", "relief_after", "relief_text", "note")


def _where(key) -> str:
    return f"trial {key!r}: "


def _check_trial(t: Trial) -> None:
    """Types, ranges, allowed sets and internal consistency of one row; messages name field, value and range."""
    w = _where(getattr(t, "key", "?"))
    for name in _TEXT:
        val = getattr(t, name)
        if not isinstance(val, str) or not val.strip():
            raise ValueError(f"{w}{name} must be a non-empty string, got {val!r}")
    v.integer(t.year, f"{w}year", 1950, 2030)
    for name in ("n", "n_ketamine", "sessions"):
        if getattr(t, name) is not None:
            v.integer(getattr(t, name), f"{w}{name}", 1)
    if t.n is not None and t.n_ketamine is not None and t.n_ketamine > t.n:
        raise ValueError(f"{w}n_ketamine must be <= n ({t.n}), got {t.n_ketamine!r}")
    if t.drug is not None:
        v.choice(t.drug, f"{w}drug", vocab.DRUGS)
    v.choice(t.route, f"{w}route", pk.ROUTES)
    v.choice(t.dose_basis, f"{w}dose_basis", DOSE_BASES)
    v.choice(t.confidence, f"{w}confidence", CONFIDENCE_LEVELS)
    v.choice(t.evidence, f"{w}evidence", vocab.EVIDENCE_LABELS)
    if t.relief_basis is not None:
        v.choice(t.relief_basis, f"{w}relief_basis", CONFIDENCE_LEVELS)
    for name, (lo, hi, lo_open) in _OPTIONAL_NUMBERS.items():
        if getattr(t, name) is not None:
            v.in_range(getattr(t, name), f"{w}{name}", lo, hi, low_open=lo_open)
    for name in ("negative",) + (("rate_scales_with_weight",) if t.rate_scales_with_weight is not None else ()):
        if not isinstance(getattr(t, name), bool):
            raise ValueError(f"{w}{name} must be true or false, got {getattr(t, name)!r}")
    for name in ("doi", "pmid", "same_patients_as"):
        val = getattr(t, name)
        if val is not None and (not isinstance(val, str) or not val.strip()):
            raise ValueError(f"{w}{name} must be a non-empty string or null, got {val!r}")
    if t.pmid is not None and not t.pmid.isdigit():
        raise ValueError(f"{w}pmid must be digits only, got {t.pmid!r}")
    v.choice(t.reference, f"{w}reference", references())

    doses = [name for name in ("rate_mg_per_h", "dose_mg", "dose_mg_per_kg") if getattr(t, name) is not None]
    if len(doses) > 1:
        raise ValueError(f"{w}give one of rate_mg_per_h, dose_mg, dose_mg_per_kg, got {doses}")
    if (t.rate_mg_per_h is None) != (t.rate_scales_with_weight is None):
        raise ValueError(f"{w}rate_scales_with_weight must be true/false exactly when rate_mg_per_h is given, "
                         f"got {t.rate_scales_with_weight!r}")
    if t.rate_start_mg_per_h is not None and (t.rate_mg_per_h is None or t.rate_start_mg_per_h > t.rate_mg_per_h):
        raise ValueError(f"{w}rate_start_mg_per_h must be <= rate_mg_per_h ({t.rate_mg_per_h}), "
                         f"got {t.rate_start_mg_per_h!r}")
    if t.hours_per_session == 0 and t.rate_mg_per_h is not None:
        raise ValueError(f"{w}hours_per_session must be > 0 for an infusion rate, got 0")
    if t.sessions is not None and t.sessions > 1:
        if t.session_every_h is None:
            raise ValueError(f"{w}session_every_h must be given for {t.sessions} sessions, got None")
        if t.hours_per_session is not None and t.hours_per_session > t.session_every_h:
            raise ValueError(f"{w}hours_per_session must be <= session_every_h ({t.session_every_h}), "
                             f"got {t.hours_per_session!r}")
    if t.total_days is not None and t.hours_per_session is not None and t.sessions is not None:
        span_days = ((t.sessions - 1) * (t.session_every_h or 0.0) + t.hours_per_session) / 24.0
        if abs(span_days - t.total_days) > 1.0:  # a paper's "10 days" is the calendar span, within a day
            raise ValueError(f"{w}total_days must agree within 1 day with the sessions ({span_days:.2f} days), "
                             f"got {t.total_days!r}")
    lo, mid, hi = t.relief_days_low, t.relief_days, t.relief_days_high
    present = [x for x in (lo, mid, hi) if x is not None]
    if present != sorted(present):
        raise ValueError(f"{w}relief days must satisfy low <= central <= high, got low={lo!r}, central={mid!r}, "
                         f"high={hi!r}")
    if present and t.relief_basis is None:
        raise ValueError(f"{w}relief_basis must be one of {list(CONFIDENCE_LEVELS)} when relief days are given, "
                         f"got None")
    if (t.responder_share is None) and (t.responder_share_days is not None):
        raise ValueError(f"{w}responder_share_days needs a responder_share, got {t.responder_share_days!r}")
    for name in ("regimen_text", "relief_text", "note", "outcome", "study", "relief_after", "condition", "design"):
        if _TAG.search(getattr(t, name)):
            raise ValueError(f"{w}{name} must be plain words without internal tags [V]/[V2]/[U]/[D], "
                             f"got {getattr(t, name)!r}")


def trial_from_row(row: Mapping) -> Trial:
    """Build and validate one :class:`Trial` from a row of ``data/trials.json``.

    Parameters
    ----------
    row : Mapping
        A mapping with exactly the fields of :class:`Trial`.

    Returns
    -------
    Trial
        The validated row.

    Raises
    ------
    ValueError
        If a field is missing or unknown, or a value has the wrong type, lies outside its range or allowed set,
        or the row contradicts itself; the message names the field, the value and what is allowed.
    """
    if not isinstance(row, Mapping):
        raise ValueError(f"row must be a mapping of the fields {list(_FIELDS)}, got {type(row).__name__}")
    key = row.get("key", "?")
    missing = [f for f in _FIELDS if f not in row]
    unknown = sorted(set(row) - set(_FIELDS))
    if missing or unknown:
        raise ValueError(f"{_where(key)}fields must be exactly {list(_FIELDS)}; missing {missing}, unknown {unknown}")
    return Trial(**{f: row[f] for f in _FIELDS})


@cache
def trials() -> tuple[Trial, ...]:
    """The trial table: every study arm of ``data/trials.json``, validated.

    Returns
    -------
    tuple of Trial
        In file order. Keys are unique and ``same_patients_as`` points to another row.

    Raises
    ------
    ValueError
        If any row fails validation (see :func:`trial_from_row`).
    """
    rows = json.loads(_data_text("trials.json"))
    if not isinstance(rows, list):
        raise ValueError(f"trials.json must hold a list of rows, got {type(rows).__name__}")
    table = tuple(trial_from_row(r) for r in rows)
    keys = [t.key for t in table]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"trial keys must be unique, got duplicates {dup}")
    for t in table:
        if t.same_patients_as is not None:
            v.choice(t.same_patients_as, f"{_where(t.key)}same_patients_as", [k for k in keys if k != t.key])
    return table


def trial(key: str) -> Trial:
    """One row of the trial table.

    Parameters
    ----------
    key : str
        A trial key (e.g. ``"sigtermans_2009"``).

    Returns
    -------
    Trial
        The row.
    """
    table = {t.key: t for t in trials()}
    return table[v.choice(key, "key", table)]


def _days(x: float) -> str:
    if x < 1.0:
        return f"{x * 24:.0f} h" if x * 24 >= 1 else f"{x * 1440:.0f} min"
    return f"{x:.0f} d"


def _relief_cell(t: Trial) -> str:
    lo, mid, hi = t.relief_days_low, t.relief_days, t.relief_days_high
    if mid is not None and lo is not None and hi is not None and lo != hi:
        span = f"{_days(mid)} ({_days(lo)}–{_days(hi)})"
    elif mid is not None:
        span = "none" if mid == 0 else _days(mid)
    elif lo is not None and hi is not None:
        span = f"{_days(lo)}–{_days(hi)}"
    elif lo is not None:
        span = f"at least {_days(lo)}"
    elif hi is not None:
        span = f"up to {_days(hi)}"
    else:
        span = "no number given"
    basis = f"; {t.relief_basis}" if t.relief_basis and t.relief_basis != "read in the paper" else ""
    flag = " — no lasting benefit" if t.negative else ""
    return f"{span}{basis}{flag}: {t.relief_text}"


def _cell(text: str) -> str:
    return _plain(str(text)).replace("|", "/").replace("\n", " ")


def trials_markdown(keys: Iterable[str] | None = None) -> str:
    """The trial table as a Markdown evidence table for a notebook.

    Parameters
    ----------
    keys : iterable of str, optional
        Trial keys to show, in table order; all rows when None.

    Returns
    -------
    str
        A Markdown table with columns study, condition, n, regimen, relief (after the end of the last infusion)
        and label; confidence in plain words, no internal tags.
    """
    table = trials()
    if keys is not None:
        wanted = {v.choice(k, "keys", [t.key for t in table]) for k in keys}
        table = tuple(t for t in table if t.key in wanted)
    lines = ["| study | condition | n | regimen | relief after the last infusion | label |",
             "|---|---|---|---|---|---|"]
    for t in table:
        drug = f"{vocab.drug_label(t.drug)}, " if t.drug else ""
        n = "—" if t.n is None else str(t.n)
        regimen = _cell(f"{drug}{t.route.upper()}: {t.regimen_text}")
        lines.append(f"| {_cell(t.study)} | {_cell(t.condition)} | {n} | {regimen} | {_cell(_relief_cell(t))} "
                     f"| {t.evidence} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# The clinic-claim table
# --------------------------------------------------------------------------------------------------------

_CLAIM_FIELDS = ("key", "claim", "verdict", "reasoning", "references", "panel", "condition_notes")


def validate_claim(row: Mapping) -> dict:
    """Check one row of the claim table and return it as a plain dict.

    Parameters
    ----------
    row : Mapping
        ``{"key", "claim", "verdict", "reasoning", "references", "panel", "condition_notes"}``.

    Returns
    -------
    dict
        A copy of the row (``references`` as a list).

    Raises
    ------
    ValueError
        If a field is missing or unknown, the verdict is not one of :data:`VERDICTS`, a reference key does not
        resolve, or a text carries an internal tag; the message names the field, the value and what is allowed.
    """
    if not isinstance(row, Mapping):
        raise ValueError(f"claim row must be a mapping of {list(_CLAIM_FIELDS)}, got {type(row).__name__}")
    key = row.get("key", "?")
    missing = [f for f in _CLAIM_FIELDS if f not in row]
    unknown = sorted(set(row) - set(_CLAIM_FIELDS))
    if missing or unknown:
        raise ValueError(f"claim {key!r}: fields must be exactly {list(_CLAIM_FIELDS)}; missing {missing}, "
                         f"unknown {unknown}")
    for name in ("key", "claim", "reasoning"):
        if not isinstance(row[name], str) or not row[name].strip():
            raise ValueError(f"claim {key!r}: {name} must be a non-empty string, got {row[name]!r}")
    v.choice(row["verdict"], f"claim {key!r}: verdict", VERDICTS)
    refs = row["references"]
    if not isinstance(refs, (list, tuple)) or not refs:
        raise ValueError(f"claim {key!r}: references must be a non-empty list of reference keys, got {refs!r}")
    for r in refs:
        v.choice(r, f"claim {key!r}: references", references())
    for name in ("panel", "condition_notes"):
        if row[name] is not None and (not isinstance(row[name], str) or not row[name].strip()):
            raise ValueError(f"claim {key!r}: {name} must be a non-empty string or null, got {row[name]!r}")
    for name in ("claim", "reasoning", "panel", "condition_notes"):
        if row[name] is not None and _TAG.search(row[name]):
            raise ValueError(f"claim {key!r}: {name} must be plain words without internal tags [V]/[V2]/[U]/[D], "
                             f"got {row[name]!r}")
    return {**dict(row), "references": list(refs)}


@cache
def _claims() -> tuple[Mapping, ...]:
    rows = json.loads(_data_text("claims.json"))
    if not isinstance(rows, list):
        raise ValueError(f"claims.json must hold a list of rows, got {type(rows).__name__}")
    checked = [validate_claim(r) for r in rows]
    keys = [r["key"] for r in checked]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"claim keys must be unique, got duplicates {dup}")
    return tuple(MappingProxyType({**r, "references": tuple(r["references"])}) for r in checked)


def claims() -> list[dict]:
    """The clinic claims checked against the evidence, validated on load.

    Returns
    -------
    list of dict
        One fresh dict per claim with keys ``key``, ``claim``, ``verdict`` (one of :data:`VERDICTS`),
        ``reasoning`` (one sentence), ``references`` (list of reference keys that resolve), ``panel`` (the
        notebook and panel that illustrate it, or None) and ``condition_notes`` (or None).
    """
    return [{**r, "references": list(r["references"])} for r in _claims()]


def claims_markdown() -> str:
    """The claim table as Markdown: claim, verdict, reasoning, sources, where to see it.

    Returns
    -------
    str
        A Markdown table, one row per claim, with short citations.
    """
    lines = ["| clinic claim | verdict | why | sources | see |", "|---|---|---|---|---|"]
    for r in _claims():
        why = r["reasoning"] + (f" {r['condition_notes']}" if r["condition_notes"] else "")
        sources = "; ".join(cite(k) for k in r["references"])
        lines.append(f"| {_cell(r['claim'])} | **{r['verdict']}** | {_cell(why)} | {_cell(sources)} "
                     f"| {_cell(r['panel'] or '—')} |")
    return "\n".join(lines)
