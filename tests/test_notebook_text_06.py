"""Numbers typed into notebook 06 are the models' numbers: recomputed here, so that a change to the relief, PK
or schedule models that makes the text wrong fails a test instead of silently misleading a student."""
from __future__ import annotations

import pytest
from conftest import notebook_text

from helpers.models import pk
from helpers.models import schedule as S

NB = "06_retreatment_and_safety.ipynb"


@pytest.fixture(scope="module")
def text():
    return " ".join(notebook_text(NB, "markdown").split())


def _near(text: str, phrase: str, value: str, window: int = 400) -> None:
    i = text.find(phrase)
    assert i >= 0, f"phrase {phrase!r} not in notebook 06"
    assert value in text[i:i + window], f"expected {value!r} near {phrase!r}: {text[i:i + window]!r}"


def _days(weeks, hypothesis="biophase", **kw):
    out = S.year_outcome(S.interval_schedule(weeks, **kw), hypothesis=hypothesis, n=20)
    return round(out.relief_days), round(out.relief_days_other)


def test_relief_days_for_4_and_12_week_boosters(text):
    """'every 12 weeks ... 37 days ... every 4 weeks gives 40 days ... reset ... 56 and 74 days'."""
    b12, r12 = _days(12)
    b4, r4 = _days(4)
    _near(text, "With boosters every 12 weeks", f"{b12} days with at least 30% relief")
    _near(text, "With boosters every 12 weeks", f"every 4 weeks gives {b4} days")
    _near(text, "Under the sensitisation reset the same", f"give {r12} and {r4} days")


def test_four_week_boosters_add_days_and_dose(text):
    """'Boosters every 4 weeks add 12 infusion days and 1200 mg to the year' (against the course alone)."""
    sch = S.interval_schedule(4)
    extra_days = S.infusion_days(sch.regimen) - S.infusion_days(sch.initial)
    extra_mg = pk.total_dose_mg(sch.regimen) - pk.total_dose_mg(sch.initial)
    _near(text, "Boosters every 4 weeks add", f"add {extra_days} infusion days and {extra_mg:.0f} mg")
    assert pk.total_dose_mg(sch.initial) == pytest.approx(2400.0)
    _near(text, "the course gave", "2400 mg")


def test_five_weeks_beats_four_in_the_slow_biophase(text):
    """'boosters every 5 weeks give slightly more days (41) than every 4 weeks (40)'."""
    b5, _ = _days(5)
    b4, _ = _days(4)
    assert b5 > b4
    _near(text, "boosters every 5 weeks give slightly more days", f"({b5}) than every 4 weeks ({b4})")


def test_pickering_and_tapering_presets(text):
    """Pickering: almost no days under either explanation; tapering protocol with 150-mg boosters: 56 and 97."""
    pick = S.year_outcome(S.interval_schedule(5, booster_kind="single_dose", initial="none"), n=20)
    assert pick.relief_days < 2 and pick.relief_days_other < 2
    taper = S.year_outcome(S.tapering_schedule(dose_mg=150.0), n=20)
    _near(text, "(150 mg boosters) gives", f"{taper.relief_days:.0f} days (slow biophase) and "
                                            f"{taper.relief_days_other:.0f} days (reset)")


def test_side_effect_numbers(text):
    """The 100-mg, 4-h booster peaks at 211 ng/mL and spends 4.9 h above 100; a 35-mg bolus start peaks at 285."""
    reg = pk.infusion(25.0, 4.0)
    sol = pk.solve(reg, model="clements_nimmo_1981")
    _near(text, "The 4-hour booster of 100 mg peaks at", f"{sol.peak()[1]:.0f} ng/mL")
    _near(text, "The 4-hour booster of 100 mg peaks at", f"spends {sol.time_above(100.0):.1f} hours above 100")
    bol = pk.solve((pk.bolus(35.0), reg), model="clements_nimmo_1981")
    _near(text, "the peak jumps to", f"{bol.peak()[1]:.0f} ng/mL")
    sig = S.hours_above(pk.infusion(20.0, 100.0), [50.0, 100.0], model="fanta_2015")
    assert all(abs(h - 100.0) < 5.0 for h in sig.values())
    _near(text, "a 100-hour infusion spends about", "100 hours above 50 and above 100 ng/mL")


def test_liver_timeline_numbers(text):
    """Two 100-h courses at 20 mg/h: 4000 mg; 10 checks (one before each, one a day during)."""
    reg = (pk.infusion(20.0, 100.0), pk.infusion(20.0, 100.0, 100.0 + 16 * 24.0))
    assert pk.total_dose_mg(reg) == pytest.approx(4000.0)
    _near(text, "Two 100-hour courses at 20 mg/h, 16 days apart", "put 4000 mg into 200 hours")
    _near(text, "Two 100-hour courses at 20 mg/h, 16 days apart", "gives 10 checks")
