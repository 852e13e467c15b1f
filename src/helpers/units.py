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
    """Mass concentration (ng/mL) to molar concentration (µM); 1 µM ketamine ≈ 237.7 ng/mL.

    Parameters
    ----------
    conc_ng_ml : float or array_like
        Concentration of the free base, ng/mL, >= 0.
    substance : {"ketamine", "norketamine"}, optional
        Which molar mass to use (237.7 or 223.7 g/mol).

    Returns
    -------
    float or numpy.ndarray
        Concentration in µM; a float for a scalar input.

    References
    ----------
    Ketamine base C13H16ClNO, 237.7 g/mol (the project's facts sheet §0, read in a primary source); norketamine
    C12H14ClNO, 223.7 g/mol, from its formula (our arithmetic). Chemistry, so no entry in the reference list.
    """
    v.choice(substance, "substance", _MOLAR)
    c = v.array(conc_ng_ml, "conc_ng_ml", low=0.0)
    out = c / _MOLAR[substance]
    return float(out) if out.ndim == 0 else out


def um_to_ng_ml(conc_um, substance: str = "ketamine"):
    """Molar concentration (µM) to mass concentration (ng/mL).

    Parameters
    ----------
    conc_um : float or array_like
        Concentration, µM, >= 0.
    substance : {"ketamine", "norketamine"}, optional
        Which molar mass to use (237.7 or 223.7 g/mol).

    Returns
    -------
    float or numpy.ndarray
        Concentration of the free base in ng/mL; a float for a scalar input.
    """
    v.choice(substance, "substance", _MOLAR)
    c = v.array(conc_um, "conc_um", low=0.0)
    out = c * _MOLAR[substance]
    return float(out) if out.ndim == 0 else out


def half_life_to_rate(t_half, name: str = "t_half"):
    """First-order rate constant from a half-life, k = ln 2 / t½.

    Parameters
    ----------
    t_half : float
        Half-life, > 0, in any time unit.
    name : str, optional
        The parameter name to use in the error message.

    Returns
    -------
    float
        Rate constant per time unit of ``t_half``.
    """
    return np.log(2.0) / v.positive(t_half, name)
