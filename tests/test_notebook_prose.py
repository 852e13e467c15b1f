"""Student-facing prose in every notebook: no private confidence tags, no pointers to files a student does not
have, every abbreviation spelled out where a notebook first uses it, and the few numbers the review corrections
added to the prose tied to the models that produce them.

The collection defines three evidence labels (cited, assumed, illustrative); the finer confidence tags of the
science notes ([V], [V2], [U], [D]) and the notes themselves stay outside the notebooks. A notebook is read on its
own, so each one spells out its abbreviations at first use, even when an earlier notebook already did.

Student-facing text is the markdown cells and the self-check questions the code cells show. Abbreviations are
checked in the markdown, where each notebook introduces them. Only notebooks that exist are checked, so 05 and
06 are held to the same rules as soon as they are added.
"""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest
from conftest import NOTEBOOKS_DIR, notebook_cells

from helpers import units
from helpers.models import pk
from helpers.panels import quiz_item

NOTEBOOKS = sorted(Path(NOTEBOOKS_DIR).glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]

#: Confidence tags of the science notes; the notebooks use cited / assumed / illustrative instead.
TAG = re.compile(r"\[(?:V2?|U|D)\]")
#: Pointers to files outside the repository (the science notes and the review that checked them).
POINTER = re.compile(r"(?i)facts[ -]sheet|shared/|addendum|review[ _]notes|ketamine_facts")

#: Abbreviation -> (pattern that finds a use of it, pattern of an accepted long form). The long form must stand
#: within ``WINDOW`` characters of the abbreviation's first use in running text (headings excluded), as in
#: "conditioned pain modulation (CPM)" or "CPM (conditioned pain modulation)".
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "CRPS": (r"\bCRPS\b", r"complex regional pain syndrome"),
    "NRS": (r"\bNRS\b", r"numeric(?:al)? rating scale"),
    "VAS": (r"\bVAS\b", r"visual analogue scale"),
    "CPM": (r"\bCPM\b", r"conditioned pain modulation"),
    "DNIC": (r"\bDNICs?\b", r"diffuse noxious inhibitory control"),
    "NMDA": (r"\bNMDA\b", r"N-methyl-D-aspart(?:ate|ic acid)"),
    "PK": (r"\bPK\b", r"pharmacokinetic"),
    "PD": (r"\bPD\b", r"pharmacodynamic"),
    "IV": (r"\bIV\b", r"intravenous"),
    "IM": (r"\bIM\b", r"intramuscular"),
    "AUC": (r"\bAUC\b", r"area under the (?:concentration[–-]time )?curve"),
    "C50": (r"\bC50\b", r"concentration (?:giving|that gives|at which .{0,30}) half|half[- ]maximal"
                          r"|half (?:its|the) maximal"),
    "IC50": (r"\bIC50\b", r"half[- ]maximal|concentration (?:giving|that gives) half"),
    "CSHT": (r"\bCSHT\b", r"context[- ]sensitive half[- ]time"),
    "RIII": (r"\bRIII\b", r"nociceptive (?:flexion|withdrawal) reflex"),
    "PAG": (r"\bPAG\b", r"periaqueductal gr[ae]y"),
    "RVM": (r"\bRVM\b", r"rostral ventromedial medulla"),
    "SRD": (r"\bSRD\b", r"subnucleus reticularis dorsalis"),
    "SCI": (r"\bSCI\b", r"spinal[- ]cord injury"),
    "PHN": (r"\bPHN\b", r"post-?herpetic neuralgia"),
    "CYP": (r"\bCYP(?:\d\w*)?\b", r"cytochrome P450"),
    "WDR": (r"\bWDR\b", r"wide[- ]dynamic[- ]range"),
    "BDNF": (r"\bBDNF\b", r"brain-derived neurotrophic factor"),
    "NK1": (r"\bNK1\b", r"neurokinin"),
    "5-HT": (r"\b5-HT\w*", r"serotonin"),
    "GABA": (r"\bGABA\b", r"(?:gamma|γ)-aminobutyric acid"),
    "CI": (r"\bCI\b", r"confidence interval"),
    "HNK": (r"\bHNK\b", r"hydroxynorketamine"),
    "fMRI": (r"\bfMRI\b", r"functional magnetic resonance imaging"),
    "ACC": (r"\bACC\b", r"anterior cingulate"),
    "OFC": (r"\bOFC\b", r"orbitofrontal"),
    "CNS": (r"\bCNS\b", r"central nervous system"),
}
WINDOW = 100


# ---- reading the student-facing text ---------------------------------------------------------------------

def _quiz_strings(source: str) -> list[str]:
    """What a student reads of the self-checks in a code cell: the question, options, hint and explanations of
    each ``self_check("key")`` (kept as package data), and the string literals of any inline ``quiz(...)``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        name = getattr(node.func, "id", getattr(node.func, "attr", "")) if isinstance(node, ast.Call) else ""
        if name == "self_check" and node.args and isinstance(node.args[0], ast.Constant):
            item = quiz_item(node.args[0].value)
            out.extend([item.question, *item.options, item.hint, item.explanation, *item.why_not])
        elif name == "quiz":
            out.extend(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return out


def student_text(name: str) -> list[tuple[str, str]]:
    """(kind, text) for each piece a student reads: the markdown cells in order, then the self-check texts."""
    pieces = [("markdown", src) for src in notebook_cells(name, "markdown")]
    for src in notebook_cells(name, "code"):
        pieces.extend(("self-check", s) for s in _quiz_strings(src) if s)
    return pieces


def _running_text(pieces: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The pieces joined, code spans and link targets blanked (file names are not prose), and the character
    spans of heading lines (a title may use an abbreviation the first paragraph then defines)."""
    text = "\n\n".join(p for _, p in pieces)
    text = re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group()), text)
    text = re.sub(r"\]\([^)\s]*\)", lambda m: "]" + " " * (len(m.group()) - 1), text)
    headings = [m.span() for m in re.finditer(r"(?m)^#{1,6} .*$", text)]
    return text, headings


# ---- the checks, as functions returning problems (so the negative tests can run them on broken text) -----

def tag_problems(pieces: list[tuple[str, str]], name: str) -> list[str]:
    return [f"{name}: {kind} text carries the confidence tag {m.group()!r} (use cited / assumed / illustrative): "
            f"…{text[max(0, m.start() - 60):m.end() + 20]}…"
            for kind, text in pieces for m in TAG.finditer(text)]


def pointer_problems(pieces: list[tuple[str, str]], name: str) -> list[str]:
    return [f"{name}: {kind} text points to a file outside the repository ({m.group()!r}): "
            f"…{text[max(0, m.start() - 60):m.end() + 20]}…"
            for kind, text in pieces for m in POINTER.finditer(text)]


def abbreviation_problems(pieces: list[tuple[str, str]], name: str) -> list[str]:
    text, headings = _running_text([p for p in pieces if p[0] == "markdown"])
    problems = []
    for abbr, (use, long_form) in ABBREVIATIONS.items():
        first = next((m for m in re.finditer(use, text)
                      if not any(a <= m.start() < b for a, b in headings)), None)
        if first is None:
            continue
        near = text[max(0, first.start() - WINDOW):first.end() + WINDOW]
        # a long form may wrap onto the next line of the markdown source
        flexible = long_form.replace("[- ]", r"[-\s]").replace(" ", r"\s+")
        if not re.search(flexible, near, flags=re.IGNORECASE):
            problems.append(f"{name}: {abbr} is not spelled out at its first use: "
                            f"…{' '.join(text[max(0, first.start() - 80):first.end() + 80].split())}…")
    return problems


# ---- the checks on every notebook ------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_confidence_tags_in_student_text(path):
    """The [V]/[V2]/[U]/[D] tags are the science notes' private shorthand; a student sees only the three
    evidence labels the collection defines."""
    problems = tag_problems(student_text(path.name), path.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_pointers_to_files_outside_the_repository(path):
    """A student has the repository, not the team's science notes: no 'facts sheet §…', 'addendum §…' or
    'shared/…' pointers."""
    problems = pointer_problems(student_text(path.name), path.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_abbreviations_are_spelled_out_at_first_use(path):
    """Each notebook is read on its own: every listed abbreviation it uses has its long form beside its first
    use in running text."""
    problems = abbreviation_problems(student_text(path.name), path.name)
    assert not problems, "\n".join(problems)


def test_the_checks_fail_on_broken_text():
    """The checks can fail, and say which notebook and which abbreviation: an undefined CRPS, a tag, a
    pointer; and they accept the definition on either side of the first use, but not a later one."""
    far = "x" * WINDOW
    bad = [("markdown", f"# CRPS title\n\nIn CRPS the pain spreads. {far} complex regional pain syndrome"),
           ("self-check", "Niesters 2011 found this [V] (facts sheet §4)")]
    (problem,) = abbreviation_problems(bad, "99_x.ipynb")
    assert problem.startswith("99_x.ipynb: CRPS is not spelled out at its first use: …# CRPS title In CRPS the")
    assert len(tag_problems(bad, "99_x.ipynb")) == 1 and "'[V]'" in tag_problems(bad, "99_x.ipynb")[0]
    assert len(pointer_problems(bad, "99_x.ipynb")) == 1
    for good in ("Complex regional pain syndrome (CRPS) spreads.", "In CRPS (complex regional pain syndrome)."):
        assert abbreviation_problems([("markdown", good)], "99_x.ipynb") == []
    # a heading's use is skipped, the body's first use is the one that must be defined
    assert abbreviation_problems([("markdown", "## CPM\n\nConditioned pain modulation (CPM) is a test.")], "x") == []


# ---- numbers the corrections typed into the prose, recomputed --------------------------------------------

def _markdown(name: str) -> str:
    return " ".join(" ".join(notebook_cells(name, "markdown")).split())


def _near(text: str, phrase: str, value: str, window: int = 600) -> None:
    i = text.find(phrase)
    assert i >= 0, f"phrase {phrase!r} not in the notebook"
    assert value in text[i:i + window], f"expected {value!r} near {phrase!r}: {text[i:i + window]!r}"


def _sigtermans_fall_h(which: str) -> float:
    """Hours for plasma S-ketamine or norketamine to halve after a 100-h infusion at 20 mg/h (Fanta/Otto)."""
    return pk.solve([pk.infusion(20.0, 100.0)], model="fanta_2015").time_to_fall_after(100.0, 0.5, which=which)


def test_norketamine_half_lives_and_its_slower_fall_agree_in_01_and_04():
    """01 and 04 say the same true thing: norketamine's own half-lives are not longer than S-ketamine's terminal
    one, yet after the 100-h infusion it takes longer to halve, because it is still being made."""
    nk_h = [t / 60 for t in pk.norketamine_half_lives_min("fanta_2015")]
    terminal_h = pk.half_lives_min("fanta_2015")[-1] / 60
    assert max(nk_h) < terminal_h
    ket, nk = _sigtermans_fall_h("plasma"), _sigtermans_fall_h("norketamine")
    assert nk > 2 * ket
    for name, phrase in (("01_nmda_receptor_blockade.ipynb", "Its own half-lives are not longer"),
                         ("04_ketamine_pharmacokinetics.ipynb", "Its own half-lives are not longer")):
        text = _markdown(name)
        _near(text, phrase, f"{nk_h[0]:.1f} h and {nk_h[1]:.1f} h")
        _near(text, phrase, f"terminal {terminal_h:.1f} h")
        _near(text, phrase, f"about {nk:.1f} hours to halve, against {ket:.1f} hours for S-ketamine")


def test_elimination_half_life_sentence_in_04():
    """04's plain sentence on ketamine's elimination half-life quotes each model's slowest half-life."""
    slowest = {m: pk.half_lives_min(m)[-1] / 60 for m in ("domino", "clements_nimmo_1981", "fanta_2015")}
    text = _markdown("04_ketamine_pharmacokinetics.ipynb")
    phrase = "Ketamine's **elimination half-life**"
    _near(text, phrase, f"{slowest['domino']:.1f} h (Domino) and {slowest['clements_nimmo_1981']:.1f} h "
                        f"(Clements & Nimmo)")
    _near(text, phrase, f"{slowest['fanta_2015']:.1f} h")
    # ... and sets it apart from the half-time after an infusion, which never exceeds about 2 h here
    plateau = max(pk.context_sensitive_half_time_h(336.0, model=m) for m in slowest)
    assert round(plateau) == 2 and all(pk.context_sensitive_half_time_h(d, model=m) <= plateau + 1e-9
                                       for m in slowest for d in (0.5, 4.0, 24.0, 100.0))
    _near(text, phrase, "at or below about 2 hours", window=900)


#: Hirota et al. 1999 (Anesthesiology 90:174), racemic ketamine displacing [3H]diprenorphine: pKi at µ and κ.
HIROTA_PKI = {"µ": 4.38, "κ": 4.55}


def test_opioid_receptor_affinities_in_01():
    """Racemic Ki at µ and κ opioid receptors, from Hirota's pKi values: about 28-42 µM, 'at least 50 times' the
    model's racemic NMDA IC50 (0.49 µM); and the most a racemic 160 ng/mL (the top of the analgesic band) would
    occupy there, at the stronger of the two Ki (under 3%)."""
    from helpers.models import receptor as r

    ki = {k: 10 ** (6 - v) for k, v in HIROTA_PKI.items()}
    lo, hi = sorted(ki.values())
    top = r.CLINICAL_BANDS_NG_ML["analgesic"].high_ng_ml
    c_um = units.ng_ml_to_um(top)
    occupancy = c_um / (c_um + lo)
    assert occupancy < 0.03 and math.isclose(lo, 28.2, abs_tol=0.1) and math.isclose(hi, 41.7, abs_tol=0.1)
    ratio = lo / r.blocker("racemic ketamine").ic50_um
    text = _markdown("01_nmda_receptor_blockade.ipynb")
    _near(text, "opioid receptors (µ and κ", f"Ki about {lo:.0f}–{hi:.0f} µM")
    _near(text, "opioid receptors (µ and κ", f"at least {10 * math.floor(ratio / 10)} times weaker")
    _near(text, "opioid receptors (µ and κ", f"under {math.ceil(100 * occupancy)}%")


def test_windup_depolarisation_is_called_larger_than_measured_in_02():
    """E8: the rise from rest to where the 0.5-Hz train settles (about 40 mV) is the model's, and the text says
    it is larger than recorded."""
    from helpers.models import spinal

    t = spinal.windup_train(0.5, 16)
    rise = t.v_mv[-1] - t.params.v_rest_mv
    assert 35 < rise < 45
    _near(_markdown("02_central_sensitization.ipynb"), "membrane settles near",
          f"That {10 * round(rise / 10)}-mV rise is larger than recordings show")
