"""Self-check questions with immediate feedback: pick an answer, press Check, read right/wrong and why."""
from __future__ import annotations

import html
from typing import Sequence

import ipywidgets as W

from .. import _validate as v

__all__ = ["Quiz", "quiz"]


class Quiz:
    """A multiple-choice question. ``answer`` is the index of the right option; ``why`` explains it.

    ``feedback`` (optional) gives one explanation per option, shown when that option is chosen.
    Drive it from Python as a test would: ``q.choose(1)`` returns ``(correct, message)``.
    """

    def __init__(self, question: str, options: Sequence[str], answer: int, why: str,
                 feedback: Sequence[str] | None = None):
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"question must be a non-empty string, got {question!r}")
        options = list(options)
        if len(options) < 2 or not all(isinstance(o, str) and o.strip() for o in options):
            raise ValueError(f"options must be at least two non-empty strings, got {options!r}")
        self.answer = v.integer(answer, "answer", 0, len(options) - 1)
        if feedback is not None and len(feedback) != len(options):
            raise ValueError(f"feedback must have one entry per option ({len(options)}), got {len(feedback)}")
        self.question, self.options, self.why = question, options, why
        self.feedback = list(feedback) if feedback is not None else [""] * len(options)
        self._choice = W.RadioButtons(options=[(o, i) for i, o in enumerate(options)], value=None,
                                      layout=W.Layout(width="auto"))
        self._check = W.Button(description="Check", icon="check", layout=W.Layout(width="auto"))
        self._out = W.HTML()
        self._check.on_click(lambda _b: self.choose(self._choice.value))
        self.widget = W.VBox([W.HTML(f"<b>Self-check.</b> {html.escape(question)}"), self._choice,
                              self._check, self._out])

    def choose(self, index):
        """Grade option ``index``; show and return ``(correct, message)``."""
        if index is None:
            msg = "Pick an answer first."
            self._out.value = f"<i>{msg}</i>"
            return None, msg
        index = v.integer(index, "index", 0, len(self.options) - 1)
        if self._choice.value != index:
            self._choice.value = index
        right = index == self.answer
        extra = self.feedback[index]
        msg = ("Right. " if right else "Not quite. ") + (extra + " " if extra else "") + self.why
        colour = "#009E73" if right else "#D55E00"
        mark = "✔" if right else "✘"
        self._out.value = (f"<div role='status' aria-live='polite' style='border-left:4px solid {colour};"
                           f"padding-left:8px'>{mark} {html.escape(msg)}</div>")
        return right, msg

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def quiz(question: str, options: Sequence[str], answer: int, why: str,
         feedback: Sequence[str] | None = None) -> Quiz:
    return Quiz(question, options, answer, why, feedback)
