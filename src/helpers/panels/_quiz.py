"""Self-checks: a question, one radio group of options, a Check button, a hint, then the explanation.

The questions, options, right answers, hints and explanations live in package data
(``helpers/data/quizzes/<notebook>.json``), not in the notebooks: a notebook cell is only
``self_check("01_trapping")``, so the answer is not in plain view above the question.

Grading is deliberately slow to give the answer away: a first wrong answer gets the hint and a second try;
a second wrong answer (or a right one) gets the explanation. Changing the choice clears the feedback, so the
message on screen always belongs to the option that is selected.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

import ipywidgets as W

from .. import _validate as v

__all__ = ["QuizItem", "Quiz", "quiz", "self_check", "quizzes", "quiz_item", "parse_quiz_file"]

#: Options per question: two at least (a question needs a wrong answer), six at most (one screen).
MIN_OPTIONS, MAX_OPTIONS = 2, 6
_KEY = re.compile(r"^(\d\d)_[a-z0-9_]+$")
_FIELDS = ("question", "options", "answer", "hint", "explanation", "why_not")
_REQUIRED = ("question", "options", "answer", "hint", "explanation")
_DEFAULT_HINT = "Read the question again, then try another option."

# Okabe-Ito: green for right, vermillion for wrong, orange for a hint (colour is never the only cue).
_COLOURS = {"right": "#009E73", "wrong": "#D55E00", "hint": "#E69F00", "info": "#777777"}
_MARKS = {"right": "✔", "wrong": "✘", "hint": "?", "info": ""}


@dataclass(frozen=True)
class QuizItem:
    """One self-check question, as stored in package data.

    Parameters
    ----------
    key : str
        Identifier, ``"<two-digit notebook number>_<name>"``, e.g. ``"01_trapping"``.
    question : str
        The question shown above the options.
    options : tuple of str
        The options, in the order they are shown (the data sets the order, so answer positions vary).
    answer : int
        Index of the right option in ``options``.
    hint : str
        Shown after a first wrong answer; it must not give the answer away.
    explanation : str
        Shown after a right answer or a second wrong one.
    why_not : tuple of str
        One note per option on why that option is wrong (``""`` for the right option or where there is none).
    """

    key: str
    question: str
    options: tuple[str, ...]
    answer: int
    hint: str
    explanation: str
    why_not: tuple[str, ...]

    def __post_init__(self):
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise ValueError(f"key must look like '01_trapping' (two digits, '_', lowercase name), got {self.key!r}")
        for name in ("question", "hint", "explanation"):
            _text(getattr(self, name), f"{self.key}.{name}")
        options = self.options
        if isinstance(options, str) or not isinstance(options, Sequence):
            raise ValueError(f"{self.key}.options must be a list of {MIN_OPTIONS} to {MAX_OPTIONS} strings, "
                             f"got {options!r}")
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise ValueError(f"{self.key}.options must hold {MIN_OPTIONS} to {MAX_OPTIONS} options, "
                             f"got {len(options)}: {list(options)!r}")
        for i, option in enumerate(options):
            _text(option, f"{self.key}.options[{i}]")
        if len(set(options)) != len(options):
            raise ValueError(f"{self.key}.options must all differ, got {list(options)!r}")
        answer = v.integer(self.answer, f"{self.key}.answer", 0, len(options) - 1)
        why_not = self.why_not
        if isinstance(why_not, str) or not isinstance(why_not, Sequence) or len(why_not) != len(options):
            raise ValueError(f"{self.key}.why_not must be a list of {len(options)} strings (one per option), "
                             f"got {why_not!r}")
        for i, note in enumerate(why_not):
            if not isinstance(note, str):
                raise ValueError(f"{self.key}.why_not[{i}] must be a string, got {note!r}")
        if why_not[answer].strip():
            raise ValueError(f"{self.key}.why_not[{answer}] belongs to the right answer and must be '', "
                             f"got {why_not[answer]!r}")
        object.__setattr__(self, "options", tuple(options))
        object.__setattr__(self, "why_not", tuple(why_not))
        object.__setattr__(self, "answer", answer)

    @property
    def right_option(self) -> str:
        """The text of the right option."""
        return self.options[self.answer]


def _text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def parse_quiz_file(data, notebook: str) -> dict[str, QuizItem]:
    """Validate the parsed JSON of one quiz file and return its questions.

    Parameters
    ----------
    data : dict
        The file's content: ``{"notebook": <stem>, "quizzes": {key: {question, options, answer, hint,
        explanation[, why_not]}}}``.
    notebook : str
        The notebook stem the file belongs to (its file name), e.g. ``"01_nmda_receptor_blockade"``; every key
        must start with its two-digit number.

    Returns
    -------
    dict of str to QuizItem
        The questions in file order.
    """
    if not isinstance(data, Mapping) or set(data) != {"notebook", "quizzes"}:
        got = sorted(data) if isinstance(data, Mapping) else data
        raise ValueError(f"quiz file {notebook!r} must hold exactly the fields ['notebook', 'quizzes'], got {got!r}")
    if data["notebook"] != notebook:
        raise ValueError(f"quiz file {notebook!r}: notebook must be {notebook!r} (the file name), "
                         f"got {data['notebook']!r}")
    entries = data["quizzes"]
    if not isinstance(entries, Mapping) or not entries:
        raise ValueError(f"quiz file {notebook!r}: quizzes must be a non-empty mapping of key to question, "
                         f"got {entries!r}")
    out = {}
    for key, entry in entries.items():
        if not isinstance(key, str) or not key.startswith(notebook[:3]):
            raise ValueError(f"quiz file {notebook!r}: key must start with {notebook[:3]!r}, got {key!r}")
        if not isinstance(entry, Mapping):
            raise ValueError(f"{key} must be a mapping with fields {list(_FIELDS)}, got {entry!r}")
        unknown = sorted(set(entry) - set(_FIELDS))
        if unknown:
            raise ValueError(f"{key} has unknown field(s) {unknown}; allowed fields are {list(_FIELDS)}")
        missing = [f for f in _REQUIRED if f not in entry]
        if missing:
            raise ValueError(f"{key} lacks field(s) {missing}; required fields are {list(_REQUIRED)}")
        options = entry["options"]
        n = len(options) if isinstance(options, list) else 0
        out[key] = QuizItem(key=key, question=entry["question"], options=options, answer=entry["answer"],
                            hint=entry["hint"], explanation=entry["explanation"],
                            why_not=entry.get("why_not", [""] * n))
    return out


@cache
def quizzes() -> Mapping[str, QuizItem]:
    """Every self-check question in the package data, validated, keyed by its id.

    Returns
    -------
    Mapping of str to QuizItem
        A read-only mapping ``{"01_trapping": QuizItem(...), ...}``, in notebook order.
    """
    found: dict[str, QuizItem] = {}
    base = resources.files("helpers") / "data" / "quizzes"
    for item in sorted(base.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".json"):
            continue
        stem = item.name[: -len(".json")]
        for key, q in parse_quiz_file(json.loads(item.read_text(encoding="utf-8")), stem).items():
            if key in found:
                raise ValueError(f"quiz key {key!r} is defined twice (second time in {item.name})")
            found[key] = q
    return MappingProxyType(found)


def quiz_item(key: str) -> QuizItem:
    """The stored question with id ``key``.

    Parameters
    ----------
    key : str
        A key of :func:`quizzes`, e.g. ``"01_trapping"``.

    Returns
    -------
    QuizItem
        The validated question.
    """
    return quizzes()[v.choice(key, "key", quizzes())]


class Quiz:
    """An interactive self-check: one radio group of options, a Check button and a feedback line.

    Driven from Python as a student drives it: ``q.choose(2)``, ``q.check()``, then read ``q.feedback``.
    A first wrong answer shows that option's note and the hint, and allows another try; a second wrong answer
    or a right one shows the explanation. Changing the choice clears the feedback. Pressing Check again without
    changing the choice grades nothing new.

    Parameters
    ----------
    item : QuizItem
        The question to show.
    """

    def __init__(self, item: QuizItem):
        if not isinstance(item, QuizItem):
            raise ValueError(f"item must be a QuizItem (see helpers.panels.quiz_item), got {item!r}")
        self.item = item
        self._wrong: set[int] = set()
        self._graded: int | None = None
        self._state = "unanswered"
        self._feedback = ""
        self._choice = W.RadioButtons(options=[(o, i) for i, o in enumerate(item.options)], value=None,
                                      layout=W.Layout(width="auto", max_width="100%"))
        self._choice.add_class("helpers-self-check-options")
        self._check = W.Button(description="Check", icon="check", tooltip="Check your answer",
                               layout=W.Layout(width="auto"))
        self._out = W.HTML(layout=W.Layout(min_height="1.5em"))
        self._out.add_class("helpers-self-check-feedback")
        self._choice.observe(self._on_choice, names="value")
        self._check.on_click(lambda _button: self.check())
        self.widget = W.VBox([W.HTML(f"<b>Self-check.</b> {html.escape(item.question)}"), self._choice,
                              self._check, self._out], layout=W.Layout(max_width="100%"))
        self.widget.add_class("helpers-self-check")
        # Options as one radio group, keys kept from the notebook (see _keys); second, so that the question
        # stays first and the feedback last.
        from ._keys import QUIZ_CLASS, keyboard_guard
        self.widget.children = (self.widget.children[0], keyboard_guard(QUIZ_CLASS), *self.widget.children[1:])

    @property
    def choice(self) -> int | None:
        """Index of the selected option, or None before any is chosen."""
        return self._choice.value

    @property
    def feedback(self) -> str:
        """The feedback text on screen now (``""`` when there is none)."""
        return self._feedback

    @property
    def state(self) -> str:
        """``"unanswered"``, ``"hint"`` (one wrong answer, try again), ``"right"`` or ``"revealed"``."""
        return self._state

    def choose(self, index) -> None:
        """Select option ``index`` as a click or an arrow key would; clears any feedback.

        Parameters
        ----------
        index : int or None
            Index of the option, in [0, number of options - 1]; None clears the choice.
        """
        if index is not None:
            index = v.integer(index, "index", 0, len(self.item.options) - 1)
        self._choice.value = index

    def check(self) -> bool | None:
        """Grade the selected option and show the feedback, as the Check button does.

        Returns
        -------
        bool or None
            True if the selected option is right, False if not, None if nothing is selected.
        """
        index = self._choice.value
        if index is None:
            self._show("info", "Pick an answer first.")
            return None
        right = index == self.item.answer
        if index == self._graded:
            return right  # the same choice checked again: the feedback on screen already belongs to it
        self._graded = index
        if right:
            self._state = "right"
            self._show("right", f"Right. {self.item.explanation}")
            return True
        self._wrong.add(index)
        note = self.item.why_not[index]
        lead = "Not quite. " + (f"{note} " if note else "")
        if len(self._wrong) == 1 and self._state == "unanswered":
            self._state = "hint"
            self._show("hint", f"{lead}Hint: {self.item.hint} Try another answer.")
        else:
            self._state = "revealed"
            self._show("wrong", f"{lead}The answer is: {self.item.right_option}. {self.item.explanation}")
        return False

    def reset(self) -> None:
        """Clear the choice, the feedback and the attempts, as on first display."""
        self._choice.value = None
        self._wrong.clear()
        self._graded = None
        self._state = "unanswered"
        self._show("info", "")

    def _on_choice(self, _change) -> None:
        # Feedback describes the option that was checked; once the choice moves it would mislead.
        self._graded = None
        self._show("info", "")

    def _show(self, kind: str, text: str) -> None:
        self._feedback = text
        if not text:
            self._out.value = "<div role='status' aria-live='polite'></div>"
            return
        mark = _MARKS[kind]
        self._out.value = (f"<div role='status' aria-live='polite' style='border-left:4px solid "
                           f"{_COLOURS[kind]};padding-left:8px'>{mark + ' ' if mark else ''}"
                           f"{html.escape(text)}</div>")

    def _repr_mimebundle_(self, **kwargs):
        # Beside the live widget, a still copy for renderers that run no widgets (handouts, nbconvert, GitHub):
        # the question and options, the answer folded away so a reader can still try first.
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        item = self.item
        options = "".join(f"<li>{html.escape(o)}</li>" for o in item.options)
        answer = f"{'ABCDEF'[item.answer]}. {html.escape(item.right_option.rstrip('.'))}."
        bundle["text/html"] = (
            f"<div class='helpers-static-self-check'><p><b>Self-check.</b> {html.escape(item.question)}</p>"
            f"<ol type='A' style='list-style-type:upper-alpha'>{options}</ol><details><summary>Answer</summary>"
            f"<p>{answer} {html.escape(item.explanation)}</p>"
            f"</details></div>")
        bundle["text/plain"] = f"Self-check: {item.question}"
        return bundle


def self_check(key: str) -> Quiz:
    """The stored self-check ``key`` as an interactive widget; a notebook cell is just this call.

    Parameters
    ----------
    key : str
        A key of :func:`quizzes`, e.g. ``"01_trapping"``.

    Returns
    -------
    Quiz
        The widget (it displays itself as a cell's last expression).
    """
    return Quiz(quiz_item(key))


def quiz(question: str, options: Sequence[str], answer: int, why: str, feedback: Sequence[str] | None = None, *,
         hint: str = _DEFAULT_HINT) -> Quiz:
    """An ad-hoc self-check written inline (for your own notes; the notebooks use :func:`self_check`).

    Parameters
    ----------
    question : str
        The question.
    options : sequence of str
        Two to six options, in the order shown.
    answer : int
        Index of the right option.
    why : str
        The explanation shown after a right answer or a second wrong one.
    feedback : sequence of str, optional
        One note per option on why it is wrong (``""`` for the right one).
    hint : str
        Shown after a first wrong answer.

    Returns
    -------
    Quiz
        The widget.
    """
    n = len(options) if isinstance(options, Sequence) and not isinstance(options, str) else 0
    item = QuizItem(key="99_inline", question=question, options=options, answer=answer, hint=hint,
                    explanation=why, why_not=[""] * n if feedback is None else feedback)
    return Quiz(item)
