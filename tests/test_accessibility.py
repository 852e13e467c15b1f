"""Accessibility of the figure looks, computed from the style sheets (issue 10, point 6).

- Text meets WCAG 2.x AA contrast (at least 4.5:1 for normal-size text) against the figure and axes faces in every
  sheet: the text, axis-label, tick-label, title and legend colours, with matplotlib's defaults filled in.
- Lines stay apart for a deuteranope: the sheets' colour cycle is passed through the Machado, Oliveira & Fernandes
  (2009) simulation at severity 1.0 (applied to linear RGB) and compared in CIELAB; two cycle entries that come
  out close (Delta E*ab < 30) must have different line styles, and entries that share a line style must stay far
  apart (Delta E*ab >= 30) and differ in greyscale lightness (Delta L* >= 10).
- Lines stay apart in greyscale: the first four cycle entries (ketamine, norketamine, fast and slow effect site
  in :data:`helpers.style.ROLE`) have four different line styles, so no colour is needed at all.

Measured (light sheets / dark sheet): black on white 21:1; #eeeeee on #1a1a1a 15.0:1, #dddddd 12.6:1. Closest
simulated pairs: vermillion/orange 17.4, bluish green/reddish purple 17.9, orange/yellow 17.0 (all with different
line styles); the closest pair sharing a style is C3/C7 on the dark sheet at 37.6 (Delta L* 39), then C3/C7 on the
light sheets at 63.5. Before the dark sheet's C5/C6 swap, its orange (C1) and yellow (C5) shared '--' at 17.0:
the dark wind-up bars (NMDA C1, AMPA C5) were close for a deuteranope; this test caught it.
"""
from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from helpers import style

#: Machado, Oliveira & Fernandes 2009 (IEEE TVCG 15:1291), deuteranomaly at severity 1.0, on linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
#: sRGB (D65) linear RGB to CIE XYZ, and the D65 white point.
RGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
WHITE = np.array([0.95047, 1.0, 1.08883])
AA_TEXT = 4.5
CLOSE_DE = 30.0
GREY_DL = 10.0


def _linear(colour) -> np.ndarray:
    c = np.asarray(to_rgb(colour), dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(colour) -> float:
    """WCAG relative luminance of an sRGB colour."""
    r, g, b = _linear(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), lighter over darker."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(linear_rgb) -> np.ndarray:
    """CIELAB (D65) of a linear-RGB triple."""
    t = RGB_TO_XYZ @ np.clip(linear_rgb, 0.0, 1.0) / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def deuteranope_delta_e(a, b) -> float:
    """CIE76 colour difference of two colours as a deuteranope sees them (Machado 2009, severity 1.0)."""
    return float(np.linalg.norm(lab(DEUTERANOPIA @ _linear(a)) - lab(DEUTERANOPIA @ _linear(b))))


def grey_delta_l(a, b) -> float:
    """Lightness difference (Delta L*) of two colours printed or shown in greyscale."""
    return float(abs(lab(_linear(a))[0] - lab(_linear(b))[0]))


def _rc(sheet: str):
    return matplotlib.rc_params_from_file(style.sheet(sheet), use_default_template=True)


def _hex(c: str) -> str:
    return c if c.startswith("#") or not all(ch in "0123456789abcdefABCDEF" for ch in c) else "#" + c


def _text_colours(rc) -> dict[str, str]:
    """Every colour text is drawn in, with 'inherit'/'auto'/'None' resolved as matplotlib resolves them."""
    out = {"text.color": rc["text.color"], "axes.labelcolor": rc["axes.labelcolor"]}
    for axis in ("xtick", "ytick"):
        label = rc[f"{axis}.labelcolor"]
        out[f"{axis}.labelcolor"] = rc[f"{axis}.color"] if label == "inherit" else label
    title = rc["axes.titlecolor"]
    out["axes.titlecolor"] = rc["text.color"] if title == "auto" else title
    legend = rc["legend.labelcolor"]
    out["legend.labelcolor"] = rc["text.color"] if legend in (None, "None", "inherit") else legend
    return {k: _hex(str(val)) for k, val in out.items()}


def test_checks_agree_with_published_values():
    """The helpers against known numbers: WCAG's own extremes (21:1, 1:1), the ratio of #767676 on white (4.54,
    the lightest grey that passes AA), Machado's matrix maps grey to grey (rows sum to 1) and a deuteranope
    confuses pure red and green far more than a trichromat does."""
    assert contrast("black", "white") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    assert contrast("#767676", "white") == pytest.approx(4.54, abs=0.01)
    assert np.allclose(DEUTERANOPIA.sum(axis=1), 1.0, atol=1e-5)
    normal = float(np.linalg.norm(lab(_linear("#ff0000")) - lab(_linear("#00ff00"))))
    assert deuteranope_delta_e("#ff0000", "#00ff00") < 0.35 * normal


@pytest.mark.parametrize("sheet", style.SHEETS)
def test_text_meets_wcag_aa_contrast(sheet):
    """Every text colour of the sheet is at least 4.5:1 against its figure and axes faces."""
    rc = _rc(sheet)
    faces = {k: _hex(str(rc[k])) for k in ("figure.facecolor", "axes.facecolor", "legend.facecolor")
             if str(rc[k]) not in ("inherit", "None")}
    low = [(t, f, round(contrast(tc, fc), 2)) for t, tc in _text_colours(rc).items() for f, fc in faces.items()
           if contrast(tc, fc) < AA_TEXT]
    assert not low, f"{sheet}: text below WCAG AA {AA_TEXT}:1: {low}"


@pytest.mark.parametrize("sheet", style.SHEETS)
def test_cycle_stays_distinguishable_under_deuteranopia_and_in_greyscale(sheet):
    """Pairs of cycle entries a deuteranope sees as close differ in line style; pairs that share a line style are
    far apart for a deuteranope and in greyscale lightness; the first four entries need no colour at all."""
    cycle = _rc(sheet)["axes.prop_cycle"].by_key()
    colours, styles = [_hex(c) for c in cycle["color"]], cycle["linestyle"]
    assert len(set(styles[:4])) == 4, f"{sheet}: the first four cycle entries share line styles {styles[:4]}"
    problems = []
    for i, j in itertools.combinations(range(len(colours)), 2):
        d_e, d_l = deuteranope_delta_e(colours[i], colours[j]), grey_delta_l(colours[i], colours[j])
        if styles[i] == styles[j] and (d_e < CLOSE_DE or d_l < GREY_DL):
            problems.append(f"C{i}/C{j} share '{styles[i]}' with deuteranope dE {d_e:.1f}, grey dL* {d_l:.1f}")
    assert not problems, f"{sheet}: " + "; ".join(problems)


def test_semantic_roles_differ_in_line_style():
    """The roles drawn together (drug, metabolite, both effect sites) map to cycle entries with four different
    line styles in every sheet, so they stay apart in greyscale."""
    roles = [style.ROLE[k] for k in ("ketamine", "norketamine", "effect_fast", "effect_slow")]
    for sheet in style.SHEETS:
        styles = _rc(sheet)["axes.prop_cycle"].by_key()["linestyle"]
        used = [styles[int(r[1:])] for r in roles]
        assert len(set(used)) == len(used), f"{sheet}: roles {roles} share line styles {used}"


def test_panel_error_text_meets_aa_on_white():
    """The export error line of a panel (HTML on the notebook's white page) is readable: at least 4.5:1."""
    from helpers.panels import _base

    assert contrast(_base.ERROR_COLOUR, "white") >= AA_TEXT
    assert contrast(style.OKABE_ITO["vermillion"], "white") < AA_TEXT  # why the panel does not use it for text
