"""Bad input to the NMDA receptor layer raises ValueError naming the parameter (never a silent NaN)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.models import receptor as r

CASES = [
    ("v_mv", lambda: r.mg_unblocked_fraction(np.nan, 1.0)),
    ("v_mv", lambda: r.mg_unblocked_fraction([-70.0, 500.0], 1.0)),
    ("mg_mm", lambda: r.mg_unblocked_fraction(-70.0, -1.0)),
    ("conc_um", lambda: r.fraction_blocked(-1.0, 0.3)),
    ("ic50_um", lambda: r.fraction_blocked(1.0, 0.0)),
    ("hill", lambda: r.fraction_blocked(1.0, 0.3, hill=0.0)),
    ("concs_um", lambda: r.competing_block([1.0], [0.3, 1.4])),
    ("ic50s_um", lambda: r.competing_block([1.0, 1.0], [0.3, -1.4])),
    ("open_fraction", lambda: r.nmda_current(-70.0, 1.0, open_fraction=1.5)),
    ("e_rev_mv", lambda: r.nmda_current(-70.0, 1.0, e_rev_mv=100.0)),
    ("mg_mm", lambda: r.peak_inward_voltage(math.inf)),
    ("v_hi_mv", lambda: r.negative_slope_region(1.0, v_lo_mv=0.0, v_hi_mv=-10.0)),
    ("v_mark_mv", lambda: r.iv_relation(1.0, v_mark_mv=500.0)),
    ("v_mv", lambda: r.iv_relation(1.0, -70.0, v_mv=[-70.0])),
    ("glutamate_bound", lambda: r.conducting_fraction("yes", -70.0)),
    ("v_depolarised_mv", lambda: r.coincidence_table(1.0, -70.0, np.inf)),
    ("blocker", lambda: r.blocker("ketamine")),
    ("conc_ng_ml", lambda: r.block_at_plasma(-5.0)),
    ("blocker", lambda: r.block_at_plasma(100.0, "MK-801")),
    ("conc_ng_ml", lambda: r.blocker_conc_um([100.0, np.nan], "S-ketamine")),
    ("band", lambda: r.band_block("sedation")),
    ("band", lambda: r.band_for_drug("sedation", "racemic")),
    ("drug", lambda: r.band_for_drug("analgesic", "R-ketamine")),
    ("glutamate_bound", lambda: r.rate_matrix(1, 1.0, 0.3)),
    ("conc_um", lambda: r.block_time_course(-1.0, 1.0, 10.0)),
    ("conc_um", lambda: r.block_time_course(True, 1.0, 10.0)),
    ("frequency_hz", lambda: r.block_time_course(1.0, -1.0, 10.0)),
    ("duration_s", lambda: r.block_time_course(1.0, 1.0, 0.0)),
    ("blocker", lambda: r.block_time_course(1.0, 1.0, 10.0, "memantine")),
    ("pulse_ms", lambda: r.block_time_course(1.0, 10.0, 10.0, pulse_ms=200.0)),
    ("pulse_ms", lambda: r.block_time_course(1.0, 1.0, 10.0, pulse_ms=0.0)),
    ("washout_at_s", lambda: r.block_time_course(1.0, 1.0, 10.0, washout_at_s=20.0)),
    ("rest_after_washout_s", lambda: r.block_time_course(1.0, 1.0, 10.0, rest_after_washout_s=5.0)),
    ("rest_after_washout_s", lambda: r.block_time_course(1.0, 1.0, 10.0, washout_at_s=5.0,
                                                         rest_after_washout_s=-1.0)),
    ("initial", lambda: r.block_time_course(1.0, 1.0, 10.0, initial=[0.5, 0.5, 0.5, 0.0])),
    ("initial", lambda: r.block_time_course(1.0, 1.0, 10.0, initial=[1.0, 0.0, 0.0])),
    ("kinetics", lambda: r.block_time_course(1.0, 1.0, 10.0, kinetics="fast")),
    ("k_close_per_s", lambda: r.ChannelKinetics(k_close_per_s=-1.0)),
    ("k_on_per_um_s", lambda: r.ChannelKinetics(k_on_per_um_s=True)),
    ("pulse_ms", lambda: r.ChannelKinetics(pulse_ms=0.0)),
    ("evidence", lambda: r.ChannelKinetics(evidence="measured")),
    ("ic50_um", lambda: r.Blocker("x", 0.0, "ketamine", (("x", 1.0),), "source", "cited")),
    ("substance", lambda: r.Blocker("x", 0.3, "memantine", (("x", 1.0),), "source", "cited")),
    ("components", lambda: r.Blocker("x", 0.3, "ketamine", (("x", 0.5),), "source", "cited")),
    ("high_ng_ml", lambda: r.ClinicalBand("band", 100.0, 50.0, "source", "cited")),
    ("low_ng_ml", lambda: r.ClinicalBand("band", -1.0, 50.0, "source", "cited")),
]


@pytest.mark.parametrize("param, call", CASES, ids=[f"{i:02d}-{p}" for i, (p, _c) in enumerate(CASES)])
def test_bad_input_names_the_parameter(param, call):
    """Each bad value is refused with a ValueError whose message names the offending parameter."""
    with pytest.raises(ValueError, match=param):
        call()


# Booleans are ints to Python (True == 1), so without a guard fraction_blocked(True, 1) returned 0.5 and
# mg_unblocked_fraction(True) a value at +1 mV. Every numeric input must refuse them, Python and numpy bools
# alike, scalars and elements of lists or arrays, with the parameter, the value and the allowed range named.
BOOL_CASES = [
    ("v_mv", "[-200, 200]", "True", lambda: r.mg_unblocked_fraction(True)),
    ("v_mv", "[-200, 200]", "True", lambda: r.mg_unblocked_fraction([-70.0, True])),
    ("v_mv", "[-200, 200]", "True", lambda: r.mg_unblocked_fraction(np.array([True, False]))),
    ("mg_mm", "[0, 10]", "True", lambda: r.mg_unblocked_fraction(-70.0, True)),
    ("mg_mm", "[0, 10]", "np.True_", lambda: r.mg_unblocked_fraction(-70.0, np.True_)),
    ("conc_um", ">= 0", "True", lambda: r.fraction_blocked(True, 1)),
    ("conc_um", ">= 0", "False", lambda: r.fraction_blocked([0.1, False], 1)),
    ("ic50_um", "> 0", "True", lambda: r.fraction_blocked(1.0, True)),
    ("hill", "[0.1, 10]", "np.True_", lambda: r.fraction_blocked(1.0, 0.3, hill=np.True_)),
    ("concs_um", ">= 0", "True", lambda: r.competing_block([1.0, True], [0.3, 1.4])),
    ("ic50s_um", "> 0", "True", lambda: r.competing_block([1.0, 1.0], [0.3, True])),
    ("open_fraction", "[0, 1]", "True", lambda: r.nmda_current(-70.0, 1.0, open_fraction=True)),
    ("e_rev_mv", "[-50, 50]", "False", lambda: r.nmda_current(-70.0, 1.0, e_rev_mv=False)),
    ("v_mv", "[-200, 200]", "True", lambda: r.slope_conductance(True)),
    ("mg_mm", "[0, 10]", "True", lambda: r.peak_inward_voltage(True)),
    ("v_lo_mv", "[-200, 200]", "False", lambda: r.negative_slope_region(1.0, v_lo_mv=False)),
    ("v_mark_mv", "[-200, 200]", "True", lambda: r.iv_relation(1.0, v_mark_mv=True)),
    ("v_mv", "[-200, 200]", "True", lambda: r.iv_relation(1.0, -70.0, v_mv=[-70.0, True])),
    ("v_mv", "[-200, 200]", "True", lambda: r.conducting_fraction(True, True)),
    ("v_rest_mv", "[-200, 200]", "True", lambda: r.coincidence_table(1.0, True)),
    ("conc_ng_ml", ">= 0", "True", lambda: r.block_at_plasma(True)),
    ("conc_ng_ml", ">= 0", "True", lambda: r.block_at_plasma(np.array([100.0, 1.0]).tolist() + [True])),
    ("conc_ng_ml", ">= 0", "True", lambda: r.blocker_conc_um(True, "S-ketamine")),
    ("conc_um", ">= 0", "True", lambda: r.rate_matrix(True, True, 0.3)),
    ("ic50_um", "> 0", "True", lambda: r.rate_matrix(True, 1.0, True)),
    ("conc_um", "[0, 1000]", "True", lambda: r.block_time_course(True, 1.0, 10.0)),
    ("frequency_hz", "[0, 100]", "True", lambda: r.block_time_course(1.0, True, 10.0)),
    ("duration_s", "(0, 3600]", "True", lambda: r.block_time_course(1.0, 1.0, True)),
    ("washout_at_s", "[0, 10]", "True", lambda: r.block_time_course(1.0, 1.0, 10.0, washout_at_s=True)),
    ("rest_after_washout_s", "[0, 3600]", "True",
     lambda: r.block_time_course(1.0, 1.0, 10.0, washout_at_s=5.0, rest_after_washout_s=True)),
    ("pulse_ms", "(0, 1000]", "True", lambda: r.block_time_course(1.0, 1.0, 10.0, pulse_ms=True)),
    ("initial", "[0, 1]", "True", lambda: r.block_time_course(1.0, 1.0, 10.0, initial=[True, 0.0, 0.0, 0.0])),
]


@pytest.mark.parametrize("param, allowed, shown, call", BOOL_CASES,
                         ids=[f"{i:02d}-{p}" for i, (p, _a, _s, _c) in enumerate(BOOL_CASES)])
def test_bools_are_not_numbers(param, allowed, shown, call):
    """A bool where a number belongs is refused with a ValueError naming the parameter, the allowed range and
    the value received (never silently read as 1 or 0)."""
    with pytest.raises(ValueError) as err:
        call()
    msg = str(err.value)
    assert msg.startswith(param + " "), msg
    assert allowed in msg and "bool" in msg and shown in msg, msg


def test_real_numbers_of_every_numeric_type_are_still_accepted():
    """The bool guard must not refuse real numbers: ints, numpy ints and floats, lists and arrays give the same
    block as the float, and an integer array (dtype int) is read as numbers, not as flags."""
    want = r.fraction_blocked(1.0, 1.0)
    for c in (1, np.int64(1), np.float32(1.0), np.float64(1.0)):
        assert r.fraction_blocked(c, 1) == want
    assert np.array_equal(r.fraction_blocked(np.array([0, 1]), 1.0), np.array([0.0, 0.5]))
    assert np.array_equal(r.mg_unblocked_fraction([-70, 0]), r.mg_unblocked_fraction(np.array([-70.0, 0.0])))


@pytest.mark.parametrize("bad", ["-70", 1j, np.array([1 + 1j]), [[-70.0], [-70.0, 0.0]], [None], {"v": -70}])
def test_non_numbers_are_refused_not_converted(bad):
    """Strings, complex numbers, ragged lists and other objects are refused rather than coerced ("-70" would
    otherwise become −70 mV, and a complex voltage would lose its imaginary part)."""
    with pytest.raises(ValueError, match=r"v_mv must be finite real number\(s\) in \[-200, 200\]"):
        r.mg_unblocked_fraction(bad)


PANEL_CASES = [
    ("iv_curve", {"mg_mm": 5.0}, "mg_mm"),
    ("iv_curve", {"v_mv": -150.0}, "v_mv"),
    ("block_curve", {"blocker": "memantine"}, "blocker"),
    ("block_curve", {"conc_ng_ml": 0.5}, "conc_ng_ml"),
    ("use_dependence", {"washout": "yes"}, "washout"),
    ("use_dependence", {"frequency_hz": 50.0}, "frequency_hz"),
    ("iv_curve", {"mg_mm": True}, "mg_mm"),
    ("block_curve", {"conc_ng_ml": True}, "conc_ng_ml"),
    ("use_dependence", {"rest_s": False}, "rest_s"),
    ("use_dependence", {"washout": 1}, "washout"),
]


@pytest.mark.parametrize("factory, values, param", PANEL_CASES)
def test_panel_rejects_values_its_controls_cannot_take(factory, values, param):
    """A student (or notebook) setting an impossible control value gets a ValueError naming the control."""
    from helpers.panels import receptor as P

    panel = getattr(P, factory)()
    with pytest.raises(ValueError, match=param):
        panel.set(**values)


def test_unknown_preset_is_rejected():
    from helpers.panels import receptor as P

    with pytest.raises(ValueError, match="preset"):
        P.iv_curve(preset="no_such_case")
