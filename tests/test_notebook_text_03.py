"""Numbers typed into notebook 03's text are the model's numbers: recomputed here, so that a change to a
parameter that makes the text wrong fails a test instead of silently misleading a student."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import notebook_text

from helpers.models import descending as d

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_descending_inhibition.ipynb"


def _text() -> str:
    return notebook_text(NOTEBOOK.name, "all")


def _minus(x: float, fmt: str) -> str:
    return format(x, fmt).replace("-", "−")


def _near(text: str, phrase: str, value: str, window: int = 400) -> None:
    """``value`` appears within ``window`` characters after ``phrase`` (which must appear)."""
    i = text.find(phrase)
    assert i >= 0, f"phrase {phrase!r} not in notebook 03"
    assert value in text[i:i + window], f"expected {value!r} near {phrase!r}: {text[i:i + window]!r}"


def _default(setting, k=0.0):
    s = d.DEFAULT_STATES[setting]
    return d.cpm_experiment(setting, s.inhibition, s.facilitation, k)


def test_healthy_cpm_in_the_text_is_the_models():
    r = _default("healthy")
    _near(_text(), "Without ketamine the test hurts less", f"about {_minus(r.cpm, '.1f')} points "
                                                          f"({_minus(r.cpm_pct, '.0f')}%)")


def test_chronic_ketamine_cpm_in_the_text_is_the_models():
    r0, r1 = _default("chronic"), _default("chronic", 1.0)
    assert d.classify_cpm(r0.cpm) == "no CPM"  # "from about zero (impaired CPM)"
    _near(_text(), "The same drug moves the CPM effect", f"about {_minus(r1.cpm, '.1f')} points")


def test_balances_quoted_in_the_text_are_the_defaults():
    h, c = d.DEFAULT_STATES["healthy"], d.DEFAULT_STATES["chronic"]
    assert h.inhibition == c.inhibition  # "as much inhibition as the healthy volunteer's"
    _near(_text(), "as much inhibition as", f"({h.inhibition:.2f})")
    _near(_text(), "a lot of facilitation", f"({c.facilitation:.2f})")
    _near(_text(), "Default balances", f"healthy CPM ≈ {_minus(_default('healthy').cpm, '.1f')} points")


def test_test_stimulus_and_weights_in_the_text_are_the_models():
    text = _text()
    _near(text, "hurts 6/10 alone", f"({d.test_stimulus():.1f} on")
    h, c = d.HYPOTHESES["healthy"], d.HYPOTHESES["chronic"]
    assert c.spinal_facilitation_block == h.spinal_facilitation_block  # listed once
    weights = [h.spinal_facilitation_block, h.supraspinal_inhibition_loss, h.supraspinal_facilitation_gain,
               c.supraspinal_inhibition_loss]
    m = re.search(r"Size of every ketamine effect \(weights ([0-9., ]+)\)", text)
    assert m, "the evidence table must list the ketamine weights"
    assert [float(x) for x in m.group(1).split(",")] == pytest.approx(weights)
