"""Self-checks that cannot be gamed: the answers live in package data, not in the notebooks; answer positions
vary; a first wrong answer gets a hint (never the answer), a second wrong one or a right one the explanation;
changing the choice clears the feedback; the numbers in the worked answers are the model's numbers.
"""
from __future__ import annotations

import ast
import copy
import itertools
import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import ipywidgets as W
import pytest

from helpers.panels import Quiz, QuizItem, quiz, quiz_item, quizzes, self_check
from helpers.panels._quiz import parse_quiz_file

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KEYS = list(quizzes())


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell: dict) -> str:
    return "".join(cell["source"])


def _self_check_keys(source: str) -> list[str]:
    """Keys of the ``self_check("...")`` calls in a code cell (the key must be a literal)."""
    keys = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "self_check":
            assert len(node.args) == 1 and isinstance(node.args[0], ast.Constant), ast.unparse(node)
            keys.append(node.args[0].value)
    return keys


def _used_keys() -> dict[str, list[str]]:
    return {p.stem: [k for c in _cells(p) if c["cell_type"] == "code" for k in _self_check_keys(_src(c))]
            for p in NOTEBOOKS}


def _wrong(item: QuizItem) -> list[int]:
    return [i for i in range(len(item.options)) if i != item.answer]


# ---- the data --------------------------------------------------------------------------------------------

def test_every_quiz_file_validates_and_keys_are_unique():
    """Each data/quizzes/*.json parses into valid questions, the file names a notebook that exists, and no key
    is defined twice across files (quizzes() would raise)."""
    base = resources.files("helpers") / "data" / "quizzes"
    files = sorted(p for p in base.iterdir() if p.name.endswith(".json"))
    assert files, "no quiz data files"
    seen = []
    for f in files:
        stem = f.name[:-5]
        assert (ROOT / "notebooks" / f"{stem}.ipynb").exists(), f"{f.name}: no notebook {stem}.ipynb"
        parsed = parse_quiz_file(json.loads(f.read_text(encoding="utf-8")), stem)
        assert all(isinstance(q, QuizItem) for q in parsed.values())
        seen += list(parsed)
    assert len(seen) == len(set(seen)) == len(quizzes())


def _good():
    return {"notebook": "01_x", "quizzes": {"01_q": {
        "question": "Q?", "options": ["a", "b", "c"], "answer": 1, "hint": "h", "explanation": "e",
        "why_not": ["no", "", "no"]}}}


def _set(path, value):
    def edit(d):
        *head, last = path
        for k in head:
            d = d[k]
        if value is KeyError:
            del d[last]
        else:
            d[last] = value
    return edit


Q = ("quizzes", "01_q")
BAD = [
    ("answer past the options", _set(Q + ("answer",), 3), ["01_q.answer", "[0, 2]", "3"]),
    ("negative answer", _set(Q + ("answer",), -1), ["01_q.answer", "[0, 2]", "-1"]),
    ("bool answer", _set(Q + ("answer",), True), ["01_q.answer", "True"]),
    ("fractional answer", _set(Q + ("answer",), 1.5), ["01_q.answer", "1.5"]),
    ("one option", _set(Q + ("options",), ["a"]), ["01_q.options", "2 to 6", "['a']"]),
    ("seven options", _set(Q + ("options",), list("abcdefg")), ["01_q.options", "2 to 6", "7"]),
    ("empty option", _set(Q + ("options",), ["a", " ", "c"]), ["01_q.options[1]", "non-empty", "' '"]),
    ("duplicate options", _set(Q + ("options",), ["a", "a", "c"]), ["01_q.options", "differ", "'a'"]),
    ("options as one string", _set(Q + ("options",), "abc"), ["01_q.options", "list", "'abc'"]),
    ("empty question", _set(Q + ("question",), ""), ["01_q.question", "non-empty", "''"]),
    ("no hint", _set(Q + ("hint",), KeyError), ["01_q", "['hint']", "required"]),
    ("empty explanation", _set(Q + ("explanation",), "  "), ["01_q.explanation", "non-empty"]),
    ("unknown field", _set(Q + ("why",), "x"), ["01_q", "['why']", "allowed"]),
    ("note on the right answer", _set(Q + ("why_not",), ["no", "yes it is", "no"]),
     ["01_q.why_not[1]", "right answer", "'yes it is'"]),
    ("too few notes", _set(Q + ("why_not",), ["no", ""]), ["01_q.why_not", "3 strings", "['no', '']"]),
    ("wrong notebook", _set(("notebook",), "02_y"), ["notebook", "'01_x'", "'02_y'"]),
    ("key of another notebook", lambda d: d["quizzes"].update({"02_q": d["quizzes"].pop("01_q")}),
     ["key", "'01_'", "'02_q'"]),
    ("malformed key", lambda d: d["quizzes"].update({"01_Bad Key": d["quizzes"].pop("01_q")}),
     ["key", "01_trapping", "'01_Bad Key'"]),
    ("no questions", _set(("quizzes",), {}), ["quizzes", "non-empty", "{}"]),
    ("extra top-level field", _set(("answers",), [1]), ["fields", "['notebook', 'quizzes']", "'answers'"]),
]


def test_the_good_fixture_is_valid():
    """The fixture the negative cases start from is itself valid, so each case fails for its own reason."""
    q = parse_quiz_file(_good(), "01_x")["01_q"]
    assert (q.options, q.answer, q.right_option, q.why_not) == (("a", "b", "c"), 1, "b", ("no", "", "no"))


@pytest.mark.parametrize("case, edit, words", BAD, ids=[b[0] for b in BAD])
def test_bad_data_is_refused_with_field_value_and_range(case, edit, words):
    """Bad quiz data raises ValueError naming the field, the value received and what is allowed."""
    data = copy.deepcopy(_good())
    edit(data)
    with pytest.raises(ValueError) as err:
        parse_quiz_file(data, "01_x")
    for word in words:
        assert word in str(err.value), f"{case}: {word!r} not in {err.value}"


def test_unknown_key_is_refused():
    """self_check with a key that is not in the data names the key and the allowed ones."""
    with pytest.raises(ValueError, match=r"key must be one of \[.*'01_trapping'.*\], got '01_nope'"):
        self_check("01_nope")


def test_answer_positions_vary():
    """The right answer is not always in the same place: no position holds more than half of the questions, and
    at least three different positions are used (with 16 four-option questions, 4/4/4/4 today)."""
    positions = Counter(q.answer for q in quizzes().values())
    assert len(quizzes()) >= 16
    assert len(positions) >= 3, positions
    assert max(positions.values()) <= len(quizzes()) / 2, positions


def test_hints_and_notes_do_not_give_the_answer_away():
    """Neither the hint nor any wrong option's note contains the right option's text, and the hint is not a
    piece of the explanation, so the first wrong answer does not reveal the right one."""
    for key, q in quizzes().items():
        right = q.right_option.lower()
        for text in (q.hint, *q.why_not):
            assert right not in text.lower(), f"{key}: {text!r} contains the answer {q.right_option!r}"
        assert q.hint not in q.explanation and q.explanation not in q.hint, key


# ---- the notebooks ----------------------------------------------------------------------------------------

def test_every_key_used_exists_and_every_quiz_is_used_once():
    """Each self_check("...") in the notebooks names a stored question of that notebook; every stored question
    is used exactly once; each notebook has at least two self-checks."""
    used = _used_keys()
    flat = [k for keys in used.values() for k in keys]
    assert sorted(flat) == sorted(quizzes()), (sorted(set(flat) ^ set(quizzes())),
                                               [k for k, n in Counter(flat).items() if n > 1])
    for stem, keys in used.items():
        assert len(keys) >= 2, f"{stem}: {len(keys)} self-checks"
        assert all(k.startswith(stem[:3]) for k in keys), (stem, keys)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_hold_no_answers(path):
    """No answer is in plain view: code cells have no inline quiz(...), answer=, why= or explanation=, and none of
    them contains an option, hint or explanation; no cell contains an explanation; the markdown just before a
    self-check does not contain its right option."""
    cells = _cells(path)
    texts = [t for q in quizzes().values() for t in (*q.options, q.hint, q.explanation)]
    explanations = [q.explanation for q in quizzes().values()]
    for i, cell in enumerate(cells):
        src = _src(cell)
        if cell["cell_type"] == "code":
            assert not re.search(r"\b(answer|why|explanation|feedback)\s*=", src), f"{path.name} cell {i}: {src}"
            calls = [n.func for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Call)]
            assert not any(getattr(f, "id", getattr(f, "attr", None)) == "quiz" for f in calls), f"cell {i}"
            leaked = [t for t in texts if t in src]
            assert not leaked, f"{path.name} cell {i} contains quiz text {leaked}"
            for key in _self_check_keys(src):
                before = next((_src(c) for c in reversed(cells[:i]) if c["cell_type"] == "markdown"), "")
                assert quiz_item(key).right_option not in before, f"{path.name}: answer of {key} above it"
        else:
            leaked = [t for t in explanations if t in src]
            assert not leaked, f"{path.name} cell {i} contains an explanation {leaked}"


# ---- the interaction --------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_first_wrong_answer_gets_the_hint_and_a_second_try(key):
    """A first wrong answer shows that option's note and the hint, not the right option or the explanation;
    a second wrong answer (another option) shows the right option and the explanation."""
    item = quiz_item(key)
    first, second = _wrong(item)[:2]
    q = self_check(key)
    q.choose(first)
    assert q.check() is False
    assert q.state == "hint"
    assert item.hint in q.feedback and item.why_not[first] in q.feedback
    assert item.right_option not in q.feedback and item.explanation not in q.feedback
    q.choose(second)
    assert q.check() is False
    assert q.state == "revealed"
    assert item.right_option in q.feedback and item.explanation in q.feedback


@pytest.mark.parametrize("key", KEYS)
def test_right_answer_gets_the_explanation(key):
    """A right answer, first time or after the hint, shows 'Right' and the explanation."""
    item = quiz_item(key)
    q = self_check(key)
    q.choose(item.answer)
    assert q.check() is True
    assert q.state == "right" and q.feedback.startswith("Right.") and item.explanation in q.feedback
    q = self_check(key)
    q.choose(_wrong(item)[0])
    q.check()
    q.choose(item.answer)
    assert q.check() is True and item.explanation in q.feedback and item.hint not in q.feedback


def test_changing_the_choice_clears_the_feedback():
    """Feedback belongs to the option that was checked: choosing another option (or the same one again after a
    change) clears it at once, before Check is pressed."""
    item = quiz_item("01_trapping")
    q = self_check("01_trapping")
    wrong = _wrong(item)
    q.choose(wrong[0])
    q.check()
    assert q.feedback
    q.choose(wrong[1])
    assert q.feedback == "" and q.state == "hint"
    q.choose(item.answer)
    q.check()
    assert q.feedback.startswith("Right.")
    q.choose(wrong[0])
    assert q.feedback == ""
    q.choose(None)
    assert q.feedback == "" and q.choice is None


def test_checking_the_same_choice_again_reveals_nothing():
    """Pressing Check twice on one wrong option is not a second try: the hint stays and the answer is not shown.
    Going back to that option after a change is a second try."""
    item = quiz_item("03_cpm_sign")
    q = self_check("03_cpm_sign")
    q.choose(_wrong(item)[0])
    q.check()
    shown = q.feedback
    for _ in range(3):
        assert q.check() is False
    assert q.feedback == shown and q.state == "hint" and item.explanation not in q.feedback
    q.choose(_wrong(item)[1])
    q.choose(_wrong(item)[0])
    q.check()
    assert q.state == "revealed" and item.explanation in q.feedback


def test_check_without_a_choice_asks_for_one():
    """Check before any choice asks for one, counts no attempt and does not raise."""
    item = quiz_item("00_export_svg")
    q = self_check("00_export_svg")
    assert q.check() is None and q.feedback == "Pick an answer first." and q.state == "unanswered"
    q.choose(_wrong(item)[0])
    q.check()
    assert q.state == "hint"


def test_reset_starts_over():
    """reset() clears the choice, the feedback and the attempts: the next wrong answer gets the hint again."""
    item = quiz_item("04_half_time")
    q = self_check("04_half_time")
    for i in _wrong(item)[:2]:
        q.choose(i)
        q.check()
    assert q.state == "revealed"
    q.reset()
    assert (q.choice, q.feedback, q.state) == (None, "", "unanswered")
    q.choose(_wrong(item)[0])
    q.check()
    assert q.state == "hint"


@pytest.mark.parametrize("bad", [-1, 4, 1.5, True, "1", float("nan")])
def test_choose_refuses_a_bad_index(bad):
    """choose() raises ValueError naming the index, its value and the allowed range; the state is unchanged."""
    q = self_check("02_allodynia")
    with pytest.raises(ValueError, match=r"index must be an integer in \[0, 3\]"):
        q.choose(bad)
    assert q.choice is None and q.feedback == ""


def test_every_sequence_of_actions_is_safe_and_never_leaks_early():
    """Every sequence of four actions (choose each option or none, Check, Reset) on a quiz: no exception, the
    feedback is text without 'nan', and the explanation appears only after a right answer or two wrong checks
    (a check counts once per choice)."""
    item = quiz_item("01_enantiomers")
    q = self_check("01_enantiomers")
    n = len(item.options)
    actions = [("choose", i) for i in range(n)] + [("choose", None), ("check", None), ("reset", None)]
    states = Counter()
    for seq in itertools.product(actions, repeat=4):
        q.reset()
        wrong, right, graded = set(), False, None
        for act, arg in seq:
            if act == "choose":
                if arg != q.choice:
                    graded = None
                q.choose(arg)
            elif act == "reset":
                q.reset()
                wrong, right, graded = set(), False, None
            else:
                result = q.check()
                if q.choice is not None and q.choice != graded:
                    graded = q.choice
                    if q.choice == item.answer:
                        right = True
                    else:
                        wrong.add(len(wrong))
                assert result is (None if q.choice is None else q.choice == item.answer)
            assert isinstance(q.feedback, str) and not re.search(r"(?i)\bnan\b", q.feedback)
            if item.explanation in q.feedback:
                assert right or len(wrong) >= 2, seq
            states[q.state] += 1
    assert set(states) == {"unanswered", "hint", "right", "revealed"}


def test_the_widget_is_one_radio_group_with_a_live_feedback_region():
    """The options are one RadioButtons widget (one group: one Tab stop, arrows move the choice) in the data's
    order, with nothing chosen at first; the feedback line is a polite live region; the container carries a
    class the keyboard guard can find."""
    item = quiz_item("02_windup_frequency")
    q = self_check("02_windup_frequency")
    radios = [c for c in q.widget.children if isinstance(c, W.RadioButtons)]
    assert len(radios) == 1
    assert radios[0].options == tuple((o, i) for i, o in enumerate(item.options)) and radios[0].value is None
    assert "helpers-self-check" in q.widget._dom_classes
    radios[0].value = item.answer  # as a click in the browser would set it
    assert q.choice == item.answer
    buttons = [c for c in q.widget.children if isinstance(c, W.Button)]
    buttons[0].click()
    html_out = q.widget.children[-1].value
    assert "aria-live='polite'" in html_out and "role='status'" in html_out
    assert item.question in q.widget.children[0].value
    assert "Right." in html_out


def test_feedback_html_escapes_the_text():
    """Text from the data is escaped in the widget, so a '<' in a formula cannot break the page."""
    q = quiz("Is 1 < 2?", ["yes <b>", "no"], answer=1, why="Because 1 < 2 & so on.")
    q.choose(1)
    q.check()
    html_out = q.widget.children[-1].value
    assert "1 &lt; 2 &amp; so on" in html_out and q.widget.children[0].value.endswith("Is 1 &lt; 2?")


def test_inline_quiz_keeps_working_with_the_same_rules():
    """The older inline quiz(question, options, answer, why, feedback) still builds a Quiz that grades with a
    hint first, and validates its input the same way."""
    q = quiz("Q?", ["a", "b", "c"], answer=2, why="c it is.", feedback=["not a", "not b", ""], hint="Think.")
    assert isinstance(q, Quiz)
    q.choose(0)
    q.check()
    assert q.state == "hint" and "not a" in q.feedback and "Think." in q.feedback and "c it is." not in q.feedback
    with pytest.raises(ValueError, match=r"answer must be an integer in \[0, 2\], got 3"):
        quiz("Q?", ["a", "b", "c"], answer=3, why="x")
    with pytest.raises(ValueError, match="item must be a QuizItem"):
        Quiz("Q?")


# ---- the worked answers are the model's numbers -------------------------------------------------------------

def test_mg_block_answer_is_the_model():
    """01_mg_block: the hint's Jahr & Stevens constants, the exponent 0.062·70 = 4.34, B(−70 mV) ≈ 0.044 (so about
    96% plugged and 'About 4%' right), and about 51% at −20 mV, all from helpers.models.receptor."""
    from helpers.models import receptor as r

    q = quiz_item("01_mg_block")
    b_rest = float(r.mg_unblocked_fraction(r.V_REST_MV, 1.0))
    assert f"e^(−{r.MG_VOLTAGE_PER_MV:g}·V)·[Mg²⁺]/{r.MG_HALF_MM:g}" in q.hint
    assert f"e^({-r.MG_VOLTAGE_PER_MV * r.V_REST_MV:.2f})/{r.MG_HALF_MM:g}) ≈ {b_rest:.3f}" in q.explanation
    assert f"about {100 * (1 - b_rest):.0f}% of the open channels" in q.explanation
    assert f"about {100 * float(r.mg_unblocked_fraction(-20.0, 1.0)):.0f}%" in q.explanation
    assert q.right_option == f"About {100 * b_rest:.0f}%"


def test_enantiomer_answer_is_the_model():
    """01_enantiomers: S-ketamine 58% at 100 ng/mL, R-ketamine 23% (the right option), the Ki values and the
    worked 0.42/(0.42 + 1.4) ≈ 0.23, from the receptor layer and the unit conversion."""
    from helpers import units
    from helpers.models import receptor as r

    q = quiz_item("01_enantiomers")
    s100, r100 = (float(r.block_at_plasma(100.0, b)) for b in ("S-ketamine", "R-ketamine"))
    c_um, k_r, k_s = units.ng_ml_to_um(100.0), r.blocker("R-ketamine").ic50_um, r.blocker("S-ketamine").ic50_um
    assert f"blocks about {100 * s100:.0f}% of NMDA" in q.question
    assert q.right_option == f"About {100 * r100:.0f}%"
    assert f"{c_um:.2f}/({c_um:.2f} + {k_r:g}) ≈ {c_um / (c_um + k_r):.2f}" in q.explanation
    assert f"Ki ({k_r:g} µM)" in q.explanation and f"({k_s:.2f} µM)" in q.explanation
    assert f"{c_um:.2f} µM" in q.hint and round(k_r / k_s) == 5 and "five times" in q.explanation


def test_first_response_answer_is_the_model():
    """02_first_response: 'At −70 mV only about 4% of NMDA channels are free of Mg2+' is the wind-up model's
    resting unblocked fraction."""
    from helpers.models import spinal

    p = spinal.WINDUP
    assert (f"At {p.v_rest_mv:.0f} mV only about {p.b_rest:.0%} of NMDA channels are free of Mg2+"
            .replace("-", "−") in quiz_item("02_first_response").explanation)


def test_cpm_sign_answer_is_arithmetic():
    """03_cpm_sign: during − alone = 4.5 − 6.0 = −1.5 points, −25% of the pain alone; the right option says so."""
    q = quiz_item("03_cpm_sign")
    alone, during = 6.0, 4.5
    assert f"{during} − {alone} = −{alone - during:.1f} points (−{(alone - during) / alone:.0%})" in q.explanation
    assert q.right_option.startswith(f"−{alone - during:.1f} points") and "inhibition" in q.right_option
