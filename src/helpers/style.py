"""Figure looks: ``.mplstyle`` sheets shipped with the package and the Okabe–Ito palette.

Importing this module changes no global state. Use a sheet explicitly::

    with style.context("presenter"):
        fig = matplotlib.figure.Figure()

Colours in plot functions are written as cycle references ("C0", "C1", ...), so one plot function is right in
every sheet: the dark sheet reorders the palette so that the first colours stay visible on black.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from importlib import resources

import matplotlib.style

from . import _validate as v

__all__ = ["SHEETS", "OKABE_ITO", "LINESTYLES", "ROLE", "sheet", "context"]

SHEETS = ("notebook", "presenter", "slides-light", "slides-dark")

#: Okabe & Ito (2008) colour-universal-design palette.
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "reddish_purple": "#CC79A7",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
LINESTYLES = ("-", "--", "-.", ":")

#: Semantic colour roles as cycle references: the same thing has the same colour in every notebook.
ROLE = {
    "ketamine": "C0",
    "norketamine": "C1",
    "effect_fast": "C2",
    "effect_slow": "C3",
    "threshold": "C4",
    "control": "C7",
}


def sheet(name: str) -> str:
    """Path of a shipped style sheet.

    Parameters
    ----------
    name : {"notebook", "presenter", "slides-light", "slides-dark"}
        One of :data:`SHEETS`.

    Returns
    -------
    str
        The ``.mplstyle`` file's path, for ``matplotlib.style.use`` or ``plt.style.context``.
    """
    v.choice(name, "name", SHEETS)
    return str(resources.files("helpers") / "styles" / f"{name}.mplstyle")


@cache
def _params(name: str) -> dict:
    # Parsed once: panels enter the context on every redraw, and re-reading the file costs milliseconds.
    return dict(matplotlib.rc_params_from_file(sheet(name), use_default_template=False))


@contextmanager
def context(name: str):
    """Apply a sheet for the duration of a ``with`` block; figures created inside keep its look.

    Parameters
    ----------
    name : {"notebook", "presenter", "slides-light", "slides-dark"}
        One of :data:`SHEETS`.

    Yields
    ------
    None
        rcParams are the sheet's inside the block and restored after it.
    """
    v.choice(name, "name", SHEETS)
    with matplotlib.rc_context(_params(name)):
        yield
