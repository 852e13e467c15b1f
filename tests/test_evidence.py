"""The evidence data: the trial table, the clinic-claim table, the references and the presets' wording.

Kinds of check: validation rejects bad rows with a message naming field, value and allowed set; closed forms (salt
to base, dose per session x sessions); published values (Spravato's 28 mg = 32.3 mg salt, the trials' stated
doses, Dahan's 50 days); invariants (relief ranges ordered, negative results without lasting relief, every key
resolves); and the review's corrections (review notes §B) held in place.
"""
from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources

import pytest

from helpers import evidence, units, vocab
from helpers.models import pk

TAG = re.compile(r"\[(?:V|V2|U|D)\]")
TRIALS = {t.key: t for t in evidence.trials()}
ROW = json.loads((resources.files("helpers") / "data" / "trials.json").read_text("utf-8"))[0]


def _row(**changes):
    return {**ROW, **changes}


# ---- the trial table ---------------------------------------------------------------------------------------

#: Every row of facts sheet §5a (the trials and the pooled evidence), by our key.
FACTS_5A = {
    "sigtermans_2009", "dahan_2011", "schwartzman_2009", "noppers_2011", "sigtermans_2010", "pickering_2020",
    "amr_2010", "goldberg_2005", "goldberg_2010", "correll_2004", "kiefer_2008_phase2", "kiefer_2008_pilot",
    "mangnus_2021", "patil_anitescu_2012", "rabben_2001", "orhurhu_2019", "cohen_2018", "niesters_2014",
}
#: The negative results the headline notebook must show.
NEGATIVE = {"kiefer_2008_pilot", "pickering_2020", "noppers_2011", "sigtermans_2010", "rabben_2001"}


def test_every_row_of_the_facts_sheet_is_in_the_table_and_validates():
    """All rows load as validated Trial objects (validation runs on load), keys are unique and every §5a row is
    present, the negative results flagged as such."""
    assert FACTS_5A <= set(TRIALS)
    assert len(TRIALS) == len(evidence.trials())
    assert {k for k, t in TRIALS.items() if t.negative} >= NEGATIVE
    for t in TRIALS.values():
        assert isinstance(t, evidence.Trial)
        assert evidence.trial_from_row(dataclasses.asdict(t)) == t


def test_trial_rows_are_frozen():
    """A row cannot be changed after loading (the same rows feed presets, overlays and references)."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        TRIALS["sigtermans_2009"].relief_days = 99.0


@pytest.mark.parametrize("change, fragments", [
    (dict(drug="ketamine"), ["drug", "'ketamine'", "racemic", "S-ketamine"]),
    (dict(route="drip"), ["route", "'drip'", "iv", "intranasal"]),
    (dict(dose_basis="salt"), ["dose_basis", "'salt'", "HCl salt", "not stated"]),
    (dict(confidence="[V]"), ["confidence", "'[V]'", "read in the paper", "unverified"]),
    (dict(evidence="measured"), ["evidence", "'measured'", "cited", "illustrative"]),
    (dict(reference="nobody_1900"), ["reference", "'nobody_1900'", "dahan_2011"]),
    (dict(n=-3), ["n must be an integer >= 1", "-3"]),
    (dict(responder_share=1.5), ["responder_share", "[0, 1]", "1.5"]),
    (dict(relief_days=90.0, relief_days_high=80.0), ["low <= central <= high", "central=90.0", "high=80.0"]),
    (dict(dose_mg=35.0), ["one of rate_mg_per_h, dose_mg, dose_mg_per_kg", "dose_mg"]),
    (dict(total_days=30.0), ["total_days", "within 1 day", "30.0"]),
    (dict(negative="no"), ["negative", "true or false", "'no'"]),
    (dict(note="relief [U] for weeks"), ["note", "[V]/[V2]/[U]/[D]", "relief [U] for weeks"]),
    (dict(year=1890), ["year", "[1950, 2030]", "1890"]),
])
def test_validation_rejects_a_bad_row_naming_field_value_and_allowed_set(change, fragments):
    """A row built in the test with one bad field is refused with a ValueError whose message names the field,
    the value received and what is allowed (the collection's standard for bad input)."""
    with pytest.raises(ValueError) as err:
        evidence.trial_from_row(_row(**change))
    msg = str(err.value)
    assert "sigtermans_2009" in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)


def test_validation_rejects_missing_and_unknown_fields():
    """A row must carry exactly the Trial fields: a missing or an unknown one is named."""
    row = _row(colour="red")
    del row["doi"]
    with pytest.raises(ValueError, match=r"missing \['doi'\], unknown \['colour'\]"):
        evidence.trial_from_row(row)


def test_every_reference_key_resolves():
    """Trials, claims and presets cite only keys of the reference list, and a trial's DOI/PMID, where both the
    trial and its reference give one, agree."""
    refs = evidence.references()
    for t in TRIALS.values():
        assert t.reference in refs, t.key
        if t.doi and refs[t.reference]["doi"]:
            assert t.doi == refs[t.reference]["doi"], t.key
        if t.pmid and refs[t.reference]["pmid"]:
            assert t.pmid == refs[t.reference]["pmid"], t.key
        if t.same_patients_as:
            assert t.same_patients_as in TRIALS and t.same_patients_as != t.key
    for c in evidence.claims():
        assert c["references"] and all(k in refs for k in c["references"]), c["key"]
    for panel, table in evidence._all_presets().items():
        for key, p in table.items():
            assert p["source"] in refs, (panel, key)


def test_relief_ranges_are_ordered_and_negative_results_show_no_lasting_relief():
    """Invariants of the table: low <= central <= high where given; an arm flagged negative shows no relief
    beyond one day after its last dose; a relief number always states how it was read."""
    for t in TRIALS.values():
        vals = [x for x in (t.relief_days_low, t.relief_days, t.relief_days_high) if x is not None]
        assert vals == sorted(vals), t.key
        if vals:
            assert t.relief_basis in evidence.CONFIDENCE_LEVELS, t.key
        if t.negative:
            assert max(vals, default=0.0) <= 1.0, t.key
        if t.drug is not None:
            assert t.drug in vocab.DRUGS


def test_published_relief_numbers_are_carried_exactly():
    """Published durations as the sources give them: Dahan 2011 relief outlasted the 100-h infusion by about 50
    days; Amr 2010 better than placebo 2 weeks after, lost at 3 weeks; Orhurhu 2019 effect up to 2 weeks; Sigtermans
    2009 significance lost in week 12 (84 days from the start, so 84 - 4.2 = 79.8 days after the end, our
    arithmetic rounded to 80); Mangnus 2021 48% responders at about 4 weeks; Noppers 2011 8 of 12 at 15 min."""
    assert TRIALS["dahan_2011"].relief_days == 50.0 and TRIALS["dahan_2011"].responder_share == 0.67
    amr = TRIALS["amr_2010"]
    assert (amr.relief_days, amr.relief_days_low, amr.relief_days_high) == (14.0, 14.0, 21.0)
    assert TRIALS["orhurhu_2019"].relief_days == 14.0
    sig = TRIALS["sigtermans_2009"]
    assert sig.relief_days_high == pytest.approx(12 * 7 - sig.total_days, abs=0.5)
    assert sig.relief_basis == "our arithmetic"
    assert (TRIALS["mangnus_2021"].responder_share, TRIALS["mangnus_2021"].responder_share_days) == (0.48, 28.0)
    assert TRIALS["noppers_2011"].responder_share == pytest.approx(8 / 12, abs=1e-6)


# ---- salt and base; the regimen as pk events -----------------------------------------------------------------

def test_salt_to_base_conversion_is_exact():
    """Closed form: a dose stated as the HCl salt is multiplied by 237.7/274.2 (molar masses of base and salt),
    a dose stated as base or not stated is taken as it is. Published check: Spravato's 32.3 mg of esketamine
    hydrochloride is 28 mg of base (to the label's 3 significant figures)."""
    base = evidence.trial_from_row(_row(dose_basis="base"))
    salt = evidence.trial_from_row(_row(dose_basis="HCl salt"))
    factor = units.KETAMINE_G_PER_MOL / units.KETAMINE_HCL_G_PER_MOL
    assert salt.rate_mg_per_h_base() == pytest.approx(22.2 * factor, rel=1e-15)
    assert base.rate_mg_per_h_base() == 22.2 == TRIALS["sigtermans_2009"].rate_mg_per_h_base()
    assert salt.dose_mg_base() == pytest.approx(22.2 * 100.0 * factor, rel=1e-15)
    assert 32.3 * factor == pytest.approx(28.0, rel=2e-3)
    noppers_salt = evidence.trial_from_row({**dataclasses.asdict(TRIALS["noppers_2011"]), "dose_basis": "HCl salt"})
    assert pk.total_dose_mg(noppers_salt.regimen()) == pytest.approx(0.5 * 70.0 * factor, rel=1e-12)


#: Hand-computed total doses (mg, 70 kg, as stated) from the papers' own numbers.
STATED_TOTALS_MG = {
    "sigtermans_2009": 22.2 * 100.0,           # 22.2 mg/h (end rate) for 100 h
    "schwartzman_2009": 0.35 * 70 * 4 * 10,    # 0.35 mg/kg/h x 70 kg, 4 h a day, 10 days
    "noppers_2011": 0.5 * 70,                  # 0.5 mg/kg once
    "amr_2010": 80.0 * 7,                      # 80 mg a day for 7 days
    "kiefer_2008_pilot": 500.0 * 10,           # 500 mg a day (end dose) for 10 days
    "mangnus_2021": 14.0 * 24 * 7,             # 14 mg/h for 7 days
    "tankha_2025": 0.5 * 70 * 5,               # 0.5 mg/kg on 5 days
    "rabben_2001": 0.4 * 70,                   # 0.4 mg/kg intramuscular once
}


@pytest.mark.parametrize("key", sorted(k for k, t in TRIALS.items() if t.has_regimen))
def test_regimen_total_dose_equals_dose_per_session_times_sessions(key):
    """For every simulable row, the pk events add up to the stated dose per session x sessions (relative 1e-12,
    floating-point rounding only), one event per session, sessions starting session_every_h apart on the row's
    route; where the paper's own numbers give the total, it matches them (relative 1e-6: Kiefer's end rate is
    stored as 20.833333 mg/h, rounded to 6 decimals)."""
    t = TRIALS[key]
    events = t.regimen()
    per_session = (t.rate_mg_per_h * t.hours_per_session if t.rate_mg_per_h is not None
                   else t.dose_mg if t.dose_mg is not None else t.dose_mg_per_kg * 70.0)
    assert pk.total_dose_mg(events) == pytest.approx(per_session * t.sessions, rel=1e-12)
    assert pk.total_dose_mg(events) == pytest.approx(t.total_dose_mg_base(), rel=1e-12)
    assert len(events) == t.sessions
    assert all(ev.route == t.route for ev in events)
    starts = [getattr(ev, "start_h", getattr(ev, "at_h", None)) for ev in events]
    assert starts == pytest.approx([i * (t.session_every_h or 0.0) for i in range(t.sessions)])
    if key in STATED_TOTALS_MG:
        assert pk.total_dose_mg(events) == pytest.approx(STATED_TOTALS_MG[key], rel=1e-6)


def test_regimen_scales_with_weight_only_where_the_paper_doses_per_kg():
    """Per-kg regimens scale with weight (Schwartzman 0.35 mg/kg/h at 80 kg: 28 mg/h), fixed-rate ones do not
    (Mangnus 14 mg/h at any weight); an injection has no infusion rate."""
    assert TRIALS["schwartzman_2009"].rate_mg_per_h_base(80.0) == pytest.approx(0.35 * 80.0, rel=1e-12)
    assert TRIALS["mangnus_2021"].rate_mg_per_h_base(80.0) == 14.0
    assert TRIALS["noppers_2011"].dose_mg_base(60.0) == pytest.approx(30.0, rel=1e-12)
    with pytest.raises(ValueError, match="injection"):
        TRIALS["rabben_2001"].rate_mg_per_h_base()
    with pytest.raises(ValueError, match=r"weight_kg must be in \(0, 300\], got -1"):
        TRIALS["noppers_2011"].regimen(weight_kg=-1.0)


def test_rows_without_a_stated_dose_refuse_to_simulate():
    """A row whose paper gives no dose or no infusion length cannot be turned into a regimen; the error names
    what is missing (never a made-up dose)."""
    with pytest.raises(ValueError, match=r"pickering_2020.*hours_per_session"):
        TRIALS["pickering_2020"].regimen()
    with pytest.raises(ValueError, match=r"sigtermans_2010.*a dose"):
        TRIALS["sigtermans_2010"].dose_mg_base()


# ---- the claim table ---------------------------------------------------------------------------------------------

#: Every clinic claim of review notes §D, mapped to the claim rows that answer it.
SECTION_D = {
    "short infusions help only while they run": ["short_infusions_only_while_running"],
    "4-14-day infusions give relief up to ~3 months": ["long_infusions_three_months"],
    "a follow-up infusion every 4-6 weeks": ["booster_every_4_6_weeks"],
    "repeated courses are safe with liver enzymes watched": ["repeat_courses_safe_with_liver_tests"],
    "no serious / fewer / mild side effects that resolve in hours": ["side_effects_mild", "no_serious_side_effects"],
    "no tolerance": ["no_tolerance"],
    "IV, nasal and oral routes; treatment from home": ["non_iv_routes_and_home"],
    "ACC, OFC, insula and brainstem activated": ["brain_regions_activated"],
    "ketamine activates descending inhibition / CPM": ["activates_descending_inhibition"],
    "reduces release of NMDA receptors": ["reduces_nmda_release"],
    "no activity at opioid receptors": ["no_opioid_receptor_activity"],
    "anti-inflammatory effects": ["anti_inflammatory"],
    "antidepressant benefit for comorbid depression": ["antidepressant_benefit"],
    "resets pain pathways": ["resets_pain_pathways"],
    "works for CRPS, PHN, diabetic neuropathy, ...": ["works_for_many_conditions"],
    "reduces opioid need; no respiratory depression": ["reduces_opioid_need_no_respiratory_depression"],
    "relief within minutes to hours; better quality of life": ["fast_relief_better_quality_of_life"],
}


def test_claims_cover_every_section_d_claim_with_valid_verdicts():
    """Each §D claim has a row; every row has a verdict from the four allowed, one sentence of reasoning and at
    least one reference that resolves (the contract for outside checks: dicts with claim, verdict, reasoning,
    references)."""
    rows = {c["key"]: c for c in evidence.claims()}
    for claim, keys in SECTION_D.items():
        assert all(k in rows for k in keys), claim
    assert set(rows) == {k for keys in SECTION_D.values() for k in keys}
    for c in rows.values():
        assert {"claim", "verdict", "reasoning", "references"} <= set(c)
        assert c["verdict"] in evidence.VERDICTS
        assert c["reasoning"].strip().endswith(".") and c["reasoning"].count(". ") <= 1, c["key"]
        assert all(r in evidence.references() for r in c["references"])


def test_claim_verdicts_follow_the_evidence_we_cite():
    """Spot checks of the verdicts the review notes argue for: short infusions only while they run is supported;
    the 3-month claim only partly; 4-6-week boosters and brain 'activation' not supported; tolerance unknown."""
    verdict = {c["key"]: c["verdict"] for c in evidence.claims()}
    assert verdict["short_infusions_only_while_running"] == "supported"
    assert verdict["long_infusions_three_months"] == "partly supported"
    assert verdict["booster_every_4_6_weeks"] == "not supported"
    assert verdict["brain_regions_activated"] == "not supported"
    assert verdict["no_tolerance"] == "unknown"


def test_claims_returns_fresh_dicts():
    """Changing a returned row does not change the table (the notebook, tests and handouts read one source)."""
    first = evidence.claims()
    first[0]["verdict"] = "supported!"
    first[0]["references"].append("nobody")
    again = evidence.claims()[0]
    assert again["verdict"] in evidence.VERDICTS and "nobody" not in again["references"]


@pytest.mark.parametrize("change, fragments", [
    (dict(verdict="true"), ["verdict", "'true'", "partly supported", "unknown"]),
    (dict(references=["nobody_1900"]), ["references", "'nobody_1900'"]),
    (dict(references=[]), ["references must be a non-empty list", "[]"]),
])
def test_claim_validation_names_field_value_and_allowed_set(change, fragments):
    """A bad claim row built in the test is refused with a message naming the field, the value and what is
    allowed."""
    row = {**evidence.claims()[0], **change}
    with pytest.raises(ValueError) as err:
        evidence.validate_claim(row)
    for frag in fragments:
        assert frag in str(err.value), (frag, str(err.value))


# ---- student-facing text ------------------------------------------------------------------------------------------

def _spinal_reference_keys():
    return set(json.loads((resources.files("helpers") / "data" / "references" / "spinal.json").read_text("utf-8")))


def test_no_internal_tags_in_student_facing_strings():
    """No [V]/[V2]/[U]/[D] in what students read: the rendered trial, claim and reference tables, every preset label
    and note, every trial and claim text, and every reference note. The spinal reference notes are the one
    exception in the raw data (tests/test_spinal.py still requires their tags); references_markdown renders them
    in plain words."""
    rendered = evidence.trials_markdown() + evidence.claims_markdown() + evidence.references_markdown()
    assert not TAG.search(rendered), TAG.findall(rendered)[:5]
    for t in TRIALS.values():
        for name in ("study", "regimen_text", "outcome", "relief_text", "relief_after", "note", "design"):
            assert not TAG.search(getattr(t, name)), (t.key, name)
    for c in evidence.claims():
        assert not TAG.search(" ".join(str(c[f]) for f in ("claim", "reasoning", "panel", "condition_notes")))
    for panel, table in evidence._all_presets().items():
        for key, p in table.items():
            assert not TAG.search(p["label"] + p["note"]), (panel, key)
    for key, ref in evidence.references().items():
        if key not in _spinal_reference_keys():
            assert not TAG.search(ref["note"] or ""), key


def test_markdown_tables_list_every_row():
    """The notebook tables carry every trial (negative results marked) and every claim with its verdict."""
    md = evidence.trials_markdown()
    assert md.count("\n| ") == len(TRIALS)  # one line per row after the header and rule
    assert md.count("no lasting benefit") == sum(t.negative for t in TRIALS.values())
    cm = evidence.claims_markdown()
    assert cm.count("\n| ") == len(evidence.claims())
    assert "| **not supported** |" in cm
    sub = evidence.trials_markdown(["amr_2010"])
    assert sub.count("\n| ") == 1 and "Amr 2010" in sub


# ---- the review's corrections (review notes §B) -----------------------------------------------------------------

def test_m1_ketcrps2_reference_is_corrected():
    """M1: authors, title, journal and PMID of the KetCRPS-2 protocol exactly as the review gives them."""
    ref = evidence.reference("ketcrps2_2023")
    assert ref["authors"] == ("Mangnus TJP, Dirckx M, Bharwani KD, Baart SJ, Siepman TAM, Redekop K, Dik WA, "
                              "de Vos CC, Huygen FJPM")
    assert ref["title"].startswith("Intermittent versus continuous esketamine infusions for long-term pain "
                                   "modulation in complex regional pain syndrome")
    assert ref["journal"] == "BMC Musculoskelet Disord 24:239" and ref["pmid"] == "36991381"
    assert ref["year"] == 2023


def test_m2_kiefer_preset_says_where_its_regimen_comes_from():
    """M2: the anaesthetic preset cites the 2007 case report, says the 3 to 5 mg/kg/h is from the 2002 pilot and
    the 2007 case, and that phase II dosing and the racemate are not confirmed; its values are unchanged."""
    p = evidence.preset("regimen_explorer", "kiefer_anaesthetic")
    assert p["source"] == "kiefer_2007_case"
    assert "2002" in p["note"] and "2007" in p["note"] and "not confirmed" in p["note"]
    assert "racemic" not in p["label"]
    assert p["values"]["rate_mg_per_h"] == 280.0 and p["values"]["session_h"] == 120.0


def test_m3_healthy_preset_matches_the_model():
    """M3: the healthy CPM preset says about -1.8 points, as the model and notebook 03 give."""
    assert "about -1.8 points" in evidence.preset("cpm_experiment", "healthy")["note"]


def test_m4_every_dosing_preset_says_base_or_salt():
    """M4: every preset that sets a dose or rate says whether the dose is base or salt (or that it does not
    matter)."""
    dosing = [(panel, key) for panel in ("regimen_explorer", "model_comparison", "route_comparison",
                                         "decrement_times")
              for key in evidence.presets(panel)]
    dosing += [("cpm_experiment", "healthy_ketamine"), ("windup_train", "guirimand_2000_ketamine"),
               ("stimulus_response", "ilkjaer_1996_burn")]
    for panel, key in dosing:
        note = evidence.preset(panel, key)["note"]
        assert re.search(r"\bbase\b|\bsalt\b|Dose basis", note), (panel, key)
