"""Physical constants and unit conversions.

Molar masses: ketamine free base C13H16ClNO 237.7 g/mol (facts sheet §0 [V]); norketamine free base
C12H14ClNO 223.7 g/mol (formula arithmetic [D]). Assays report the base; doses are often written as the
HCl salt (274.2 g/mol, Spravato label [V]), i.e. salt mass = 1.154 × base mass.
"""
from __future__ import annotations

import numpy as np

from . import _validate as v

KETAMINE_G_PER_MOL = 237.7
NORKETAMINE_G_PER_MOL = 223.7
KETAMINE_HCL_G_PER_MOL = 274.2
SALT_TO_BASE = KETAMINE_G_PER_MOL / KETAMINE_HCL_G_PER_MOL

_MOLAR = {"ketamine": KETAMINE_G_PER_MOL, "norketamine": NORKETAMINE_G_PER_MOL}


def ng_ml_to_um(conc_ng_ml, substance: str = "ketamine"):
    """Mass concentration (ng/mL) to molar concentration (µM). 1 µM ketamine ≈ 237.7 ng/mL."""
    v.choice(substance, "substance", _MOLAR)
    c = v.array(conc_ng_ml, "conc_ng_ml", low=0.0)
    out = c / _MOLAR[substance]
    return float(out) if out.ndim == 0 else out


def um_to_ng_ml(conc_um, substance: str = "ketamine"):
    """Molar concentration (µM) to mass concentration (ng/mL)."""
    v.choice(substance, "substance", _MOLAR)
    c = v.array(conc_um, "conc_um", low=0.0)
    out = c * _MOLAR[substance]
    return float(out) if out.ndim == 0 else out


def half_life_to_rate(t_half, name: str = "t_half"):
    """First-order rate constant (per time unit of ``t_half``) from a half-life."""
    return np.log(2.0) / v.positive(t_half, name)
