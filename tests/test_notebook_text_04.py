"""Numbers typed into notebooks 00 and 04 are the PK model's numbers: recomputed here, so that a change to a
parameter set that makes the text wrong fails a test instead of silently misleading a student."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import notebook_text

from helpers import evidence
from helpers.models import pk

ROOT = Path(__file__).resolve().parents[1] / "notebooks"


def _text(name: str) -> str:
    return notebook_text(name, "markdown")


def _near(text: str, phrase: str, value: str, window: int = 500) -> None:
    i = text.find(phrase)
    assert i >= 0, f"phrase {phrase!r} not in the notebook"
    assert value in text[i:i + window], f"expected {value!r} near {phrase!r}: {text[i:i + window]!r}"


def _csht_h(model, duration_h, decrement=0.5):
    return pk.context_sensitive_half_time_h(duration_h, model=model, decrement=decrement)


def test_plateau_half_times_in_00_and_04_are_the_models():
    """After a long infusion the half-time levels off: Domino about half an hour, Fanta 1.8 h, Clements 2.1 h."""
    domino, fanta, clements = (_csht_h(m, 336.0) for m in ("domino", "fanta_2015", "clements_nimmo_1981"))
    assert round(domino * 60) == 30
    for name, phrase in (("00_start_here.ipynb", "After a day or"),
                         ("04_ketamine_pharmacokinetics.ipynb", "the half-time stops growing")):
        _near(_text(name), phrase, f"{fanta:.1f} hours")
        _near(_text(name), phrase, f"{clements:.1f} hours")
    # "After a day or more": a 24-h infusion is already within 5% of the 14-day value for every model
    for m in pk.MODELS:
        assert _csht_h(m, 24.0) == pytest.approx(_csht_h(m, 336.0), rel=0.05)


def test_one_minute_infusion_half_times_in_00():
    """'half a minute (Domino) to about 25 minutes (Fanta, Clements & Nimmo)'."""
    assert _csht_h("domino", 1 / 60) * 60 == pytest.approx(0.5, abs=0.05)
    for m in ("fanta_2015", "clements_nimmo_1981"):
        assert _csht_h(m, 1 / 60) * 60 == pytest.approx(25, abs=2.5)
    _near(_text("00_start_here.ipynb"), "After a one-minute infusion", "25 minutes")


def test_eighty_percent_decrement_after_two_weeks_in_04():
    """'Even after two weeks, plasma falls by 80% within 3 to 6 hours'."""
    t80 = [_csht_h(m, 336.0, 0.8) for m in pk.MODELS]
    assert round(min(t80)) == 3 and round(max(t80)) == 6
    _near(_text("04_ketamine_pharmacokinetics.ipynb"), "Even after two weeks", "within\n  3 to 6 hours")


def test_clearance_range_in_04():
    """'about 80 to 116 L/h at 70 kg' (and '80 to 116 L/h' in the variability bullet)."""
    cl = sorted(pk.clearance_l_per_h(m) for m in pk.MODELS)
    lo, hi = round(cl[0]), round(cl[-1])
    text = _text("04_ketamine_pharmacokinetics.ipynb")
    _near(text, "Clearances differ", f"about {lo} to {hi} L/h")
    _near(text, "the three published models here put the clearance", f"{lo} to {hi} L/h")


def test_norketamine_ratios_in_04():
    """'about 1.6 for IV and IM ... to about 21 for oral S-ketamine', against Fanta's measured 16.5."""
    text = _text("04_ketamine_pharmacokinetics.ipynb")
    iv, im, oral = (pk.norketamine_auc_ratio(r) for r in ("iv", "im", "oral"))
    assert f"{iv:.1f}" == f"{im:.1f}"
    _near(text, "Bioavailability", f"about {iv:.1f} for IV and IM", window=900)
    _near(text, "Bioavailability", f"about {oral:.0f} for oral S-ketamine", window=900)
    _near(text, "What this model leaves out", f"exposure ratio of about {oral:.0f}", window=5000)
    assert pk.MEASURED_NORKETAMINE_AUC_RATIO and "16.5" in text


def test_bioavailabilities_in_04_are_the_models():
    """IM ≈ 93%, intranasal 45% (racemic) / 48% (S-ketamine), oral 8% (S-ketamine) and about 20% (racemic)."""
    text = _text("04_ketamine_pharmacokinetics.ipynb")
    f = {(r, d): pk.ROUTES[r].bioavailability[d] for r in pk.ROUTES for d in pk.DRUGS}
    _near(text, "Bioavailability", f"IM ≈ {f['im', 'racemic']:.0%}")
    _near(text, "Bioavailability", f"uses {f['intranasal', 'racemic']:.0%} for the racemate, "
                                   f"{f['intranasal', 'S-ketamine']:.0%} for S-ketamine")
    _near(text, "Bioavailability", f"oral only {f['oral', 'S-ketamine']:.0%}")
    _near(text, "Bioavailability", f"about {f['oral', 'racemic']:.0%} for the racemate")


def test_slow_biophase_numbers_in_04():
    """Sigtermans preset, 10.9-day biophase: under a quarter of plasma at the stop, still rising about 5 h later
    to about 48 ng/mL, at half that about 11.5 days after the stop."""
    values = evidence.presets("regimen_explorer")["sigtermans_2009"]["values"]
    reg = [pk.infusion(values["rate_mg_per_h"], values["session_h"])]
    stop = values["session_h"]
    t = np.concatenate([np.linspace(0, stop, 2001), stop + np.linspace(0, 24, 24 * 60 + 1)[1:]])
    r = pk.simulate(reg, t, model=values["model"], weight_kg=values["weight_kg"])
    at_stop = np.searchsorted(t, stop)
    assert r.effect_slow_ng_ml[at_stop] < 0.25 * r.plasma_ng_ml[at_stop]
    sol = pk.solve(reg, model=values["model"], weight_kg=values["weight_kg"])
    t_peak, c_peak = sol.peak("effect_slow")
    half_d = sol.time_to_fall_after(t_peak, 0.5, which="effect_slow") / 24
    since_stop_d = (t_peak - stop) / 24 + half_d
    text = _text("04_ketamine_pharmacokinetics.ipynb")
    _near(text, "Tick *Show slow biophase*", f"about {round(t_peak - stop)} hours after the stop")
    _near(text, "Tick *Show slow biophase*", f"to about {c_peak:.0f} ng/mL")
    _near(text, "Tick *Show slow biophase*", f"about {since_stop_d:.1f} days after the stop")
