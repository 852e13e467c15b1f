"""The numbers typed into notebook 01 are the model's numbers.

Markdown cannot call the model, so a number in the text goes stale silently when a parameter changes. Each test
below computes a number from :mod:`helpers.models.receptor` (or ``units``, the PK layer for half-lives, or the
panel a student drives), formats it the way the notebook prints it, finds the passage by a nearby phrase and
checks that the passage contains it. A model change that makes the text wrong fails here; so does a text edit
that drops the number or its phrase (then update the test with the text).

Passages are the paragraphs and list items of the markdown cells (whitespace collapsed), and the string
literals of the quiz calls in code cells.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import notebook_passages

from helpers import evidence, units
from helpers.models import pk
from helpers.models import receptor as r

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_nmda_receptor_blockade.ipynb"
WORDS = {2: "twice", 3: "three", 4: "four", 5: "five", 6: "six", 10: "ten"}
#: Dahan et al. 2011 chronic-relief C50 for S-ketamine (facts sheet §5b [V]); the notebook's puzzle uses it.
DAHAN_C50_NG_ML = 10.5


PASSAGES = notebook_passages(NOTEBOOK.name)


def passage(phrase: str) -> str:
    """The one passage containing ``phrase`` (it must be there, and only once, or the check is ambiguous)."""
    hits = [p for p in PASSAGES if phrase in p]
    assert len(hits) == 1, f"phrase {phrase!r} found in {len(hits)} passages of {NOTEBOOK.name}"
    return hits[0]


def says(phrase: str, *expected: str) -> None:
    text = passage(phrase)
    for item in expected:
        assert item in text, f"near {phrase!r} the notebook should say {item!r}; it says: {text}"


def pct(x: float, decimals: int = 0) -> str:
    return f"{100 * x:.{decimals}f}%"


def pct_range(lo: float, hi: float) -> str:
    return f"{100 * lo:.0f}–{100 * hi:.0f}%"


def mv(x: float) -> str:
    return f"{x:.0f} mV".replace("-", "−")


def about_times(ratio: float) -> str:
    return f"about {WORDS[round(ratio)]} times"


def ng_range(lo: float, hi: float) -> str:
    return f"{lo:,.0f}–{hi:,.0f} ng/mL"


# ---- section 1: Mg2+ block and the I–V curve ---------------------------------------------------------------

def test_mg_block_numbers():
    """4% (B = 0.044) at rest, 51% at −20 mV, 78% at 0 mV (1 mM), 2.3% at rest with 2 mM: Jahr–Stevens B(V)."""
    rest = r.V_REST_MV
    b_rest, b_20, b_0 = (r.mg_unblocked_fraction(v, 1.0) for v in (rest, -20.0, 0.0))
    says("At rest only about", f"**{pct(b_rest)}** (B = {b_rest:.3f})", f"about **{pct(b_20)}**",
         f"At 0 mV, {pct(b_0)}")
    says("2 mM Mg²⁺** (a common value", f"({pct(r.mg_unblocked_fraction(rest, 2.0), 1)} at rest)")


def test_negative_slope_region_numbers():
    """Negative slope below the peak inward current (−27 mV), steepest near −47 mV, at 1 mM Mg2+."""
    iv = r.iv_relation(1.0)
    says("N-shaped", f"Below about **{mv(iv.v_peak_inward_mv)}**", f"steepest near {mv(iv.v_steepest_mv)}")


def test_normalisation_and_rest_voltage():
    """Currents are normalised at −70 mV, and "rest" is −70 mV, in the text as in the model."""
    says("The panel shows it in **normalised units**", f"{mv(-r.V_NORM_MV)} with no Mg²⁺")
    says("A neuron rests at", f"rests at {mv(r.V_REST_MV)} in 1 mM")
    says("resting potential", mv(r.V_REST_MV))


def test_mg_quiz_numbers():
    """The quiz's worked answer: exponent 0.062·70 = 4.34, B ≈ 0.044, so about 96% plugged; 51% at −20 mV."""
    b_rest = r.mg_unblocked_fraction(r.V_REST_MV, 1.0)
    exponent = -r.MG_VOLTAGE_PER_MV * r.V_REST_MV
    says("Roughly what fraction of the open channels conduct?", f"e^({exponent:.2f})/{r.MG_HALF_MM:g}",
         f"≈ {b_rest:.3f}", f"about {pct(1 - b_rest)} of the open channels",
         f"about {pct(r.mg_unblocked_fraction(-20.0, 1.0))}", f"About {pct(b_rest)}")


# ---- section 2: affinity, units, clinical bands ------------------------------------------------------------

def test_racemate_and_salat_cross_check():
    """The racemate's effective IC50 (0.49 µM, our derivation) and 'about four times' Sałat's measured 0.119 µM,
    which the model's racemate source records."""
    rac = r.blocker("racemic ketamine")
    salat = float(re.search(r"racemic Ki ([\d.]+) µM", rac.source).group(1))
    says("effective IC50 of", f"effective IC50 of {rac.ic50_um:.2f} µM", f"Ki = {salat:g} µM",
         f"{about_times(rac.ic50_um / salat)} more potent")
    says("racemate = 1:1 S + R competing", f"(IC50 {rac.ic50_um:.2f} µM)")


def test_units_numbers():
    """237.7 g/mol, 1 µM ≈ 238 ng/mL, 100 ng/mL ≈ 0.42 µM, norketamine 223.7 g/mol (units module)."""
    says("**Units.**", f"{units.KETAMINE_G_PER_MOL:g} g/mol", f"1 µM ≈ {units.um_to_ng_ml(1.0):.0f} ng/mL",
         f"100 ng/mL ≈ {units.ng_ml_to_um(100.0):.2f} µM", f"{units.NORKETAMINE_G_PER_MOL:g} g/mol")


def test_clinical_band_numbers():
    """The bands (racemic, Zanos 2018) and the derived S-ketamine analgesic level (÷ 2) as the model holds them."""
    bands = r.CLINICAL_BANDS_NG_ML
    s_lo, s_hi, _label = r.band_for_drug("analgesic", "S-ketamine")
    f = r.S_KETAMINE_POTENCY_VS_RACEMATE
    says("**Whose plasma levels?**", *(ng_range(b.low_ng_ml, b.high_ng_ml) for b in bands.values()),
         f"about {WORDS[round(f)]} as potent", f"roughly **{s_lo:.0f}–{s_hi:.0f} ng/mL**")
    says("S-ketamine analgesic level ≈ racemic band", f"÷ {f:g} ({s_lo:.0f}–{s_hi:.0f} ng/mL)")


def test_block_curve_opening_numbers():
    """46% at 100 ng/mL racemate (the panel's opening preset), 37–58% across the analgesic band."""
    c = evidence.preset("block_curve", "analgesic_racemic")["values"]["conc_ng_ml"]
    lo, hi = r.band_block("analgesic", "racemic ketamine")
    says("The panel opens on **racemic ketamine**", f"at {c:.0f} ng/mL: about "
         f"**{pct(r.block_at_plasma(c, 'racemic ketamine'))}**", f"the racemate blocks **{pct_range(lo, hi)}**")


def test_s_ketamine_band_numbers():
    """33–53% at the derived S-ketamine analgesic level (35–80 ng/mL); 50–69% if read inside the racemic band."""
    s_lo, s_hi, _label = r.band_for_drug("analgesic", "S-ketamine")
    b_lo, b_hi = r.block_at_plasma(np.array([s_lo, s_hi]), "S-ketamine")
    in_lo, in_hi = r.band_block("analgesic", "S-ketamine")
    says("Switch to **S-ketamine**", f"about {s_lo:.0f}–{s_hi:.0f} ng/mL", f"blocks **{pct_range(b_lo, b_hi)}**",
         f"({pct_range(in_lo, in_hi)})", f"about {WORDS[round(r.S_KETAMINE_POTENCY_VS_RACEMATE)]} its analgesic")


def test_anaesthetic_block_over_90_percent():
    """'Over 90% for the racemate' across the whole anaesthetic band (1,200–2,400 ng/mL)."""
    band = r.CLINICAL_BANDS_NG_ML["anaesthetic"]
    assert r.band_block("anaesthetic", "racemic ketamine")[0] > 0.90
    says("Either way,", ng_range(band.low_ng_ml, band.high_ng_ml), "over 90% for the racemate")


def test_enantiomer_and_metabolite_numbers():
    """R- vs S-ketamine: Ki 1.4 vs 0.30 µM, 'about five times', 23% vs 58% at 100 ng/mL; S-norketamine Ki 1.7 µM
    with half-lives 0.6 h and 5.1 h (Otto 2021 model) against S-ketamine's terminal 7.4 h (Fanta 2015 model)."""
    s, rk, nk = (r.blocker(n) for n in ("S-ketamine", "R-ketamine", "S-norketamine"))
    nk_h = [t / 60 for t in pk.norketamine_half_lives_min("fanta_2015")]
    s_terminal_h = pk.half_lives_min("fanta_2015")[-1] / 60
    says("**R-ketamine** needs", f"{about_times(rk.ic50_um / s.ic50_um)} the concentration",
         f"(Ki {rk.ic50_um:g} vs {s.ic50_um:.2f} µM)",
         f"R-ketamine blocks only {pct(r.block_at_plasma(100.0, 'R-ketamine'))}, "
         f"S-ketamine {pct(r.block_at_plasma(100.0, 'S-ketamine'))}",
         f"(Ki {nk.ic50_um:g} µM)", f"{nk_h[0]:.1f} h and {nk_h[1]:.1f} h", f"terminal {s_terminal_h:.1f} h")


def test_enantiomer_quiz_numbers():
    """The quiz: S-ketamine 58% at 100 ng/mL, R-ketamine 23%, and the worked 0.42/(0.42 + 1.4) ≈ 0.23."""
    s100 = r.block_at_plasma(100.0, "S-ketamine")
    r100 = r.block_at_plasma(100.0, "R-ketamine")
    c_um = units.ng_ml_to_um(100.0)
    k = r.blocker("R-ketamine").ic50_um
    says("About how much does", f"blocks about {pct(s100)} of NMDA", f"About {pct(r100)}",
         f"{c_um:.2f}/({c_um:.2f} + {k:g}) ≈ {c_um / (c_um + k):.2f}", f"Ki ({k:g} µM)",
         f"{about_times(k / r.blocker('S-ketamine').ic50_um)} S-ketamine's")


def test_dahan_puzzle_block():
    """'About 13% block' at the Dahan 2011 C50 (10.5 ng/mL) on the S-ketamine curve, a stop on the level slider
    (so a student can set exactly the value the text quotes)."""
    from helpers.panels import receptor as P

    panel = P.block_curve()
    widget = panel.controls["conc_ng_ml"]
    stops = [o[1] if isinstance(o, tuple) else o for o in widget.options]
    assert DAHAN_C50_NG_ML in stops
    panel.set(conc_ng_ml=DAHAN_C50_NG_ML)
    assert panel.values["conc_ng_ml"] == DAHAN_C50_NG_ML
    says("A puzzle for later", f"**{DAHAN_C50_NG_ML:g} ng/mL**",
         f"about {pct(r.block_at_plasma(DAHAN_C50_NG_ML, 'S-ketamine'))} block")


# ---- section 3: use dependence and trapping ----------------------------------------------------------------

def test_kinetic_scheme_numbers():
    """3.26-ms open time, 20-ms pulses, k_on ≈ 1.4 × 10⁸ /M/s from the 68% open time at 1 µM, washout at 60 s."""
    from helpers.panels import receptor as P

    k = r.KINETICS
    shortened = k.k_close_per_s / (k.k_close_per_s + k.k_on_per_um_s * 1.0)
    per_molar = k.k_on_per_um_s * 1e6 / 1e8
    says("Each activation is a", f"{k.pulse_ms:.0f}-ms glutamate pulse", f"{1000 / k.k_close_per_s:.2f}-ms mean open",
         f"about {per_molar:.1f} × 10⁸ per molar per second", f"openings to {pct(shortened)}",
         f"At {P._WASHOUT_S:.0f} s the drug is washed out")
    says("opening rate, 20-ms pulses", f"{k.pulse_ms:.0f}-ms pulses", f"binding rate {per_molar:.1f} × 10⁸ /M/s")


def test_use_dependence_opening_case_is_inside_the_s_ketamine_analgesic_level():
    """The panel opens where the text says: S-ketamine at 50 ng/mL, 1 Hz, inside the derived S-ketamine analgesic
    level (racemic band ÷ 2), on its slider's grid, and equal to the 'analgesic_1hz' preset."""
    from helpers.panels import receptor as P

    p = P.use_dependence()
    v = p.values
    s_lo, s_hi, _label = r.band_for_drug("analgesic", "S-ketamine")
    assert v["blocker"] == "S-ketamine" and s_lo <= v["conc_ng_ml"] <= s_hi
    assert v == dict(evidence.preset("use_dependence", "analgesic_1hz")["values"])
    w = p.controls["conc_ng_ml"]
    assert v["conc_ng_ml"] in [o[1] if isinstance(o, tuple) else o for o in w.options]
    says("The panel opens on **S-ketamine", f"**{v['blocker']} at {v['conc_ng_ml']:.0f} ng/mL**",
         f"about {s_lo:.0f}–{s_hi:.0f} ng/mL", "activated once a second")
    assert v["frequency_hz"] == 1.0


def test_use_dependence_numbers():
    """Half-way after about 9 s (10 activations) at 1 Hz, 0.9 s at 10 Hz, ~90 s at 0.1 Hz (not reached before the
    60-s washout: 14% vs 41%), the 41% Hill level, and the 15-s halving when activation continues."""
    from helpers.panels import receptor as P

    opening = P.use_dependence().result.course
    fast = P.use_dependence(preset="high_frequency").result.course
    rare = P.use_dependence(preset="rare_activity").result.course
    no_pause = P.use_dependence(preset="no_pause").result.course
    n = int(np.count_nonzero(opening.pulse_starts_s <= opening.t_half_s))
    n_fast = int(np.count_nonzero(fast.pulse_starts_s <= fast.t_half_s))
    rare_no_washout = r.block_time_course(rare.conc_um, rare.frequency_hz, 120.0, rare.blocker)
    assert rare.t_half_s is None and n_fast == n  # same number of activations to half-way, at any rate
    says("At 1 Hz it", f"about {opening.t_half_s:.0f} s ({n} activations)")
    says("Try the **10 Hz** preset", f"same {WORDS[n]} activations", f"about {fast.t_half_s:.1f} s",
         f"about {rare_no_washout.t_half_s:.0f} s", f"{pct(rare.blocked_at_washout)} of receptors blocked",
         f"against {pct(opening.blocked_at_washout)} at 1 Hz",
         f"{about_times(opening.t_half_s / fast.t_half_s).removeprefix('about ')} sooner")
    says("The **level** it approaches", f"{pct(opening.steady_state)} at {P.use_dependence().values['conc_ng_ml']:.0f}"
                                         " ng/mL")
    says("*Washout while activation continues*", f"halves in about {no_pause.t_half_recovery_s:.0f} s")


def test_r_ketamine_escape_numbers():
    """R-ketamine binds about five times more weakly (Ki ratio) but escapes 'about four times' faster here: the
    recovery half-times of the opening case, S-ketamine vs R-ketamine (about 15 s vs 4 s)."""
    from helpers.panels import receptor as P

    s_res = P.use_dependence().result.course
    r_res = P.use_dependence(blocker="R-ketamine").result.course
    ratio_k = r.blocker("R-ketamine").ic50_um / r.blocker("S-ketamine").ic50_um
    says("Switch to **R-ketamine**", f"{about_times(ratio_k)} more weakly",
         f"{about_times(s_res.t_half_recovery_s / r_res.t_half_recovery_s)} faster",
         f"halves in about {r_res.t_half_recovery_s:.0f} s instead of {s_res.t_half_recovery_s:.0f} s")


def test_passages_are_found_uniquely():
    """Guard on the helper: an absent phrase fails rather than passing vacuously."""
    with pytest.raises(AssertionError, match="found in 0 passages"):
        passage("this phrase is not in the notebook")
