"""The numbers the PK panels print are the model's numbers (not only finite and non-empty)."""
from __future__ import annotations

import re

import pytest

from helpers.models import pk, receptor
from helpers.panels import pk as P


def _number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not found in: {text}"
    return float(m.group(1))


def test_regimen_half_fall_printed_is_the_exact_context_sensitive_half_time():
    """Sigtermans 2009 preset (one 100-h infusion): the printed half-fall after stopping is the exact
    context-sensitive half-time of the same model, to the printed precision (0.1 h) plus 2%."""
    p = P.regimen_explorer("sigtermans_2009")
    v = p.values
    exact = pk.context_sensitive_half_time_h(v["session_h"], model=v["model"], weight_kg=v["weight_kg"])
    printed = _number(r"falls to half its end-of-infusion level \(\d+ ng/mL\) within ([\d.]+) h", p.description)
    assert printed == pytest.approx(exact, rel=0.02, abs=0.051)


@pytest.mark.parametrize("model, drug", [("fanta_2015", "S-ketamine"), ("domino", "racemic")])
def test_regimen_band_is_in_the_model_drug_and_time_above_is_the_model_s(model, drug):
    """The shaded band and the 'time above' use the band for the model's drug: measured (racemic) or derived
    for S-ketamine; the printed lower edge and the label say which."""
    lo, _hi, label = receptor.band_for_drug("analgesic", drug)
    p = P.regimen_explorer(model=model)
    assert f"above {lo:.0f} ng/mL" in p.description
    assert label in p.description
    band_text = p.band[1].get_text()
    assert band_text == label and (("racemic" in band_text) if drug == "racemic" else ("S-ketamine" in band_text))
    hours = p.result["result"].time_above_h(lo)
    assert P._fmt_h(hours) in p.description


def test_regimen_band_follows_a_model_change():
    """Switching the model swaps the band (one band on the axes, never two) and its label."""
    p = P.regimen_explorer(model="fanta_2015")
    p.set(model="clements_nimmo_1981")
    labels = [t.get_text() for t in p.ax.texts if "analgesic range" in t.get_text()]
    assert labels == [receptor.band_for_drug("analgesic", "racemic")[2]]
    p.set(model="fanta_2015")
    labels = [t.get_text() for t in p.ax.texts if "analgesic range" in t.get_text()]
    assert labels == [receptor.band_for_drug("analgesic", "S-ketamine")[2]]


def test_racemic_models_carry_the_effect_site_caveat():
    assert "an assumption" in P.regimen_explorer(model="domino").description
    assert "an assumption" not in P.regimen_explorer(model="fanta_2015").description


def test_model_comparison_prints_each_model_s_rate_over_clearance():
    p = P.model_comparison()
    rate, weight = p.values["rate_mg_per_h"], p.values["weight_kg"]
    for m in pk.MODELS:
        css = pk.steady_state_ng_ml(rate, m, weight)
        assert f"(steady state {css:.0f})" in p.description, m


def test_route_comparison_prints_the_model_s_bioavailability():
    p = P.route_comparison()
    for route in pk.ROUTES:
        f = pk.bioavailability(route, p.values["model"])
        assert f"F {f:.0%}" in p.description, route
