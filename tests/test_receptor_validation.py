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
]


@pytest.mark.parametrize("param, call", CASES, ids=[f"{i:02d}-{p}" for i, (p, _c) in enumerate(CASES)])
def test_bad_input_names_the_parameter(param, call):
    """Each bad value is refused with a ValueError whose message names the offending parameter."""
    with pytest.raises(ValueError, match=param):
        call()


PANEL_CASES = [
    ("iv_curve", {"mg_mm": 5.0}, "mg_mm"),
    ("iv_curve", {"v_mv": -150.0}, "v_mv"),
    ("block_curve", {"blocker": "memantine"}, "blocker"),
    ("block_curve", {"conc_ng_ml": 0.5}, "conc_ng_ml"),
    ("use_dependence", {"washout": "yes"}, "washout"),
    ("use_dependence", {"frequency_hz": 50.0}, "frequency_hz"),
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
