"""NMDA receptor layer: Mg2+ voltage block and ketamine channel block.

Core functions (the API contract other layers call):

* :func:`mg_unblocked_fraction` — Jahr & Stevens (1990) Mg2+ block, B(V) = 1 / (1 + exp(-0.062 V) [Mg]/3.57),
  V in mV, [Mg2+] in mM (facts sheet §2 [V]).
* :func:`fraction_blocked` — steady-state Hill occupancy of the channel by a blocker.
"""
from __future__ import annotations

import numpy as np

from .. import _validate as v

#: Jahr & Stevens 1990 constants (facts sheet §2, [V]).
MG_VOLTAGE_PER_MV = 0.062
MG_HALF_MM = 3.57


def mg_unblocked_fraction(v_mv, mg_mm=1.0):
    """Fraction of NMDA channels not blocked by Mg2+ at membrane potential ``v_mv`` (mV).

    Array in, array out (a scalar in gives a float). ``mg_mm`` is extracellular Mg2+ in mM, in [0, 10].
    """
    volts = v.array(v_mv, "v_mv", low=-200.0, high=200.0)
    mg = v.in_range(mg_mm, "mg_mm", 0.0, 10.0)
    out = 1.0 / (1.0 + np.exp(-MG_VOLTAGE_PER_MV * volts) * mg / MG_HALF_MM)
    return float(out) if out.ndim == 0 else out


def fraction_blocked(conc_um, ic50_um, hill=1.0):
    """Fraction of receptors blocked at steady state (Hill equation); ``conc_um`` may be an array (µM)."""
    c = v.array(conc_um, "conc_um", low=0.0)
    ic50 = v.positive(ic50_um, "ic50_um")
    n = v.in_range(hill, "hill", 0.1, 10.0)
    out = c**n / (c**n + ic50**n)
    return float(out) if out.ndim == 0 else out
