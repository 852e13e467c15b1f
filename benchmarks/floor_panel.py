"""The floor of slider-to-repaint latency on this stack: a panel that does almost nothing.

One slider moves one dot on otherwise empty axes of the usual size, so compute and draw cost well under a
millisecond and what remains is the PNG, the trip kernel -> JupyterLab -> Chromium, and the decode. Compare
the real panels with it::

    PYTHONPATH=$PWD/benchmarks python benchmarks/bench_browser.py floor_panel:FloorPanel pk.decrement_times
"""
from __future__ import annotations

import ipywidgets as W

from helpers.panels import Panel


class FloorPanel(Panel):
    name = "floor"
    title = "Latency floor: one dot on empty axes"

    def make_controls(self):
        return {"x": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, description="x")}

    def compute(self, x):
        return x

    def setup(self, fig):
        ax = fig.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("x")
        (self.dot,) = ax.plot([0.5], [0.5], "o", markersize=12)
        self.dynamic = [self.dot]

    def draw(self, result):
        self.dot.set_data([result], [0.5])

    def describe(self, result):
        return f"One dot at x = {result:.2f}: this panel measures the cost of everything except the science."
