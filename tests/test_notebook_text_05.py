"""Numbers typed into notebook 05 are the model's numbers, and every study it names is in the trial table or the
references: recomputed here, so a change to the model or the calibration that makes the text wrong fails."""
from __future__ import annotations

import re

import pytest
from conftest import notebook_text

from helpers import evidence
from helpers.models import pk, relief

NB = "05_infusion_duration_vs_relief.ipynb"
WEEK = 7.0


@pytest.fixture(scope="module")
def text():
    return re.sub(r"\s+", " ", notebook_text(NB, "markdown"))


def _near(text, phrase, value, window=400):
    i = text.find(phrase)
    assert i >= 0, f"phrase {phrase!r} not in notebook 05"
    assert value in text[i:i + window], f"expected {value!r} near {phrase!r}: {text[i:i + window]!r}"


def test_drug_gone_numbers(text):
    """Dahan preset (20 mg/h for 100 h, Fanta/Otto): peak, hours above 35 ng/mL, days of relief each way."""
    reg = pk.infusion(20.0, 100.0)
    sol = pk.solve(reg, model="fanta_2015")
    _near(text, "Plasma ketamine (top) peaks", f"{sol.peak()[1]:.0f} ng/mL")
    _near(text, "Plasma ketamine (top) peaks", f"{sol.time_above(35.0):.0f} hours above 35 ng/mL")
    b, r = (relief.relief_duration_days(reg, h) for h in relief.HYPOTHESES)
    _near(text, "With the slow biophase, relief of at least 30 %", f"lasts {b:.0f} days")
    _near(text, "With the slow biophase, relief of at least 30 %", f"{r:.0f} days")


def test_headline_numbers(text):
    """Typical patient at 100 h and 14 days (20 mg/h), the biophase band and the share relieved (n 500, seed 0)."""
    w = {h: relief.relief_duration_days(pk.infusion(20.0, 100.0), h) / WEEK for h in relief.HYPOTHESES}
    _near(text, "At 100 hours and 20 mg/h", f"{w['biophase']:.1f} weeks of relief")
    _near(text, "At 100 hours and 20 mg/h", f"or {w['reset']:.1f} weeks")
    band = relief.cohort_band([100.0], 20.0, "biophase", n=500, seed=0)
    _near(text, "At 100 hours and 20 mg/h", f"{band.p10_days[0] / WEEK:.1f}–{band.p90_days[0] / WEEK:.1f} weeks")
    _near(text, "At 100 hours and 20 mg/h", f"{band.relieved_share[0] * 100:.0f} % of the virtual patients")
    long = [relief.relief_duration_days(pk.infusion(20.0, 336.0), h) / WEEK for h in relief.HYPOTHESES]
    _near(text, "Move the read-out slider to 14 days", f"{long[0]:.1f} and {long[1]:.1f} weeks")
    short = [relief.relief_duration_days(pk.infusion(20.0, 2.0), h) for h in relief.HYPOTHESES]
    assert max(short) < 1.0  # "Below a few hours both explanations give no lasting relief"


def test_schedule_numbers(text):
    """2000 mg S-ketamine: days with >= 30 % relief in 20 weeks for each schedule, both explanations."""
    regs = [pk.infusion(20.0, 100.0), pk.course(50.0, 4.0, 10, 0.0, 24.0), pk.course(2000.0 / 36, 6.0, 6, 0.0, 336.0)]
    courses = [relief.relief_course(r, weeks=20.0) for r in regs]
    b = [round(c.days_with_relief("biophase")) for c in courses]
    r = [round(c.days_with_relief("reset")) for c in courses]
    _near(text, "With the slow biophase, 100 hours continuous",
          f"gives {b[0]} days of relief in 20 weeks, 4 h a day for 10 days {b[1]} days, and the fortnightly "
          f"schedule {b[2]} days")
    _near(text, "With the slow biophase, 100 hours continuous", f"{r[0]}, {r[1]} and {r[2]} days")


def _num(x):
    """Days as the fit table types them: whole days from 10, one decimal from 1, two below, 0 as 0."""
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.1f}" if abs(x) >= 1 else f"{x:.2f}"


def _err(x):
    x = float(x)
    return "0" if abs(x) < 0.05 else ("+" if x > 0 else "−") + _num(abs(x))


def test_calibration_numbers(text):
    """The calibrated rates; the fit table row by row (reset prediction and error, biophase prediction and error,
    recomputed from the trial table); the mean errors; the collapse with the Kiefer pilot in the fit; the slider
    setting with a smaller mean error in weeks than the calibrated one."""
    _near(text, "The calibrated values are", f"rebuild time of {relief.RESET.rebuild_days:.0f} days")
    _near(text, "The calibrated values are", f"reset strength of {relief.RESET.decay_per_day:.2f} per day")
    targets = relief.calibration_targets(evidence.trials())
    fit = relief.evaluate_reset(targets)
    assert fit.labels == relief.RESET_FIT.labels and fit.n_fitted == 6
    _near(text, "Six intervals for two rates", "Six intervals")
    bio = relief.evaluate_biophase(targets)
    rows = {t.key: t for t in evidence.trials()}
    for i, key in enumerate(fit.labels):
        t = rows[key]
        name = f"{t.study.split()[0]} {t.year}" + (" pilot" if "pilot" in key else "")
        name += "" if fit.fitted[i] else " (not fitted)"
        cells = (f"| {_num(fit.predicted_days[i])} | {_err(fit.error_days[i])} | {_num(bio.predicted_days[i])} | "
                 f"{_err(bio.error_days[i])} |")
        _near(text, f"| {name} |", cells, window=120)
    mean = "Mean error over the six fitted trials"
    _near(text, mean, f"{fit.mean_abs_error_days / WEEK:.1f} weeks for the calibrated")
    _near(text, mean, f"{bio.mean_abs_error_days / WEEK:.1f} weeks for the slow")
    allin = relief.calibrate_reset([t._replace(fit=True) for t in targets])
    long = [allin.predicted_days[allin.labels.index(k)] for k in
            ("dahan_2011", "schwartzman_2009", "amr_2010", "kiefer_2002_pilot", "kiefer_2008_pilot")]
    _near(text, "With the pilot in, the fit collapses", f"predicted {min(long):.0f} to {max(long):.0f} days")
    other = relief.evaluate_reset(targets, relief.ResetParams(63.1, 0.631))
    assert other.mean_abs_error_days < fit.mean_abs_error_days
    _near(text, "Try a rebuild time near 63 days and a strength near 0.63",
          f"drops to {other.mean_abs_error_days / WEEK:.1f} weeks, below the calibrated "
          f"{fit.mean_abs_error_days / WEEK:.1f}")


def test_published_numbers_match_the_trial_table(text):
    """Orhurhu's effect and horizon, Sigtermans' week 12 and side effects, Dahan's responder probabilities,
    the trials' sizes (19 to 60) as the table gives them."""
    t = {x.key: x for x in evidence.trials()}
    assert "-1.83" in t["orhurhu_2019"].relief_text and t["orhurhu_2019"].relief_days == 14.0
    _near(text, "Short-lived in pooled data", "1.83 points")
    _near(text, "Short-lived in pooled data", "about 2 weeks")
    assert "week 12" in t["sigtermans_2009"].relief_text and "76% vs 18%" in t["sigtermans_2009"].note
    _near(text, "Blinding is hard", "76 % vs 18 %")
    assert relief.RESPONDER_PROBABILITY == 0.67 and relief.PLACEBO_RESPONDER_PROBABILITY == 0.23
    _near(text, "Not everyone responds", "67 % on ketamine and 23 %")
    sizes = [t[k].n for k in ("sigtermans_2009", "schwartzman_2009")]
    _near(text, "Few, small studies", f"{min(sizes)} to {max(sizes)} patients")


def test_every_study_cited_is_in_the_trial_table_or_references(text):
    """Each 'Author YEAR' the notebook names is a trial row or a reference (first author and year match)."""
    known = {(r["authors"].split(",")[0].split()[0].lower(), int(r["year"])) for r in evidence.references().values()}
    known |= {(x.study.split()[0].lower(), x.year) for x in evidence.trials()}
    cited = set(re.findall(r"\b([A-Z][a-z]+)(?: (?:et al\.|& \w+))? (\d{4})\b", text))
    assert len(cited) >= 12
    missing = sorted(f"{a} {y}" for a, y in cited if (a.lower(), int(y)) not in known)
    assert not missing, f"cited but in neither the trial table nor the references: {missing}"
