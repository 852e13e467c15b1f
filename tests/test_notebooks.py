"""Every notebook runs top to bottom on a fresh kernel with warnings as errors, and is committed clean.

Execution uses nbclient with a first cell that turns every warning into an error, in a copy of the
notebook (the committed file is never written). The structure checks hold each notebook to the house
pattern: disclaimer, learning objectives, predict-then-explore, what the model leaves out, evidence labels,
self-checks, references rendered from the package's single reference list. They are written as functions that
return a list of problems, so the negative tests at the end can run them on broken in-memory copies.
"""
from __future__ import annotations

import ast
import copy
import functools
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]


def _source(nb, kind=None) -> str:
    return "\n".join(c.source for c in nb.cells if kind is None or c.cell_type == kind)


def _load(name: str):
    return nbformat.read(ROOT / "notebooks" / name, as_version=4)


# ---- which code cells build a figure --------------------------------------------------------------------
# A panel is a call of a factory or class listed in a topic module's PANELS (helpers.panels.<topic>); the pain-pathway
# schematic (helpers.panels.schematic: overview / Schematic) is a static figure. Anything else from those modules
# (blocker_table, model_table, REFERENCES) and quiz(...) builds no figure.
STATIC_TOPIC = "schematic"
STATIC_FIGURES = {"overview", "Schematic"}


@functools.cache
def _panel_names() -> dict[str, set[str]]:
    """Topic -> its panel factory and class names. Imported on first use, not at collection: a panel module
    that fails to import then fails these tests, not the collection of the notebook-execution tests."""
    from helpers import panels

    names = {}
    for topic in panels.TOPICS:
        module = __import__(f"helpers.panels.{topic}", fromlist=["PANELS"])
        names[topic] = set(module.PANELS) | {cls.__name__ for cls in module.PANELS.values()}
    return names



def _parse(source: str, where: str) -> ast.Module:
    # IPython magics and shell escapes are not Python; blank them so the rest of the cell still parses.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError as exc:
        raise AssertionError(f"{where}: code does not parse: {exc}") from None


def _dotted(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _figure_calls(nb, name: str) -> list[tuple[int, str, str, ast.Call]]:
    """``(cell index, "panel" | "static", "topic.function", call node)`` for every figure-building call, resolving
    the names each notebook imports (``from helpers.panels import pk as P``, ``from helpers.panels.schematic
    import overview``, ``import helpers.panels.pk``) in cell order."""
    aliases: dict[str, str] = {}  # local name -> dotted helpers name
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source, f"{name} cell {i}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        aliases[a.name.split(".")[0]] = a.name.split(".")[0]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            dotted = _dotted(node.func)
            if not dotted:
                continue
            head, _, rest = dotted.partition(".")
            full = aliases.get(head, head) + (f".{rest}" if rest else "")
            parts = full.split(".")
            if len(parts) != 4 or parts[:2] != ["helpers", "panels"]:
                continue
            topic, func = parts[2], parts[3]
            if topic == STATIC_TOPIC and func in STATIC_FIGURES:
                found.append((i, "static", f"{topic}.{func}", node))
            elif func in _panel_names().get(topic, ()):
                found.append((i, "panel", f"{topic}.{func}", node))
    return found


def _quiz_calls(nb) -> list[int]:
    """Cell index of every self-check call: ``self_check("key")`` (questions from package data) or the inline
    ``quiz(...)`` (helpers.panels)."""
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for node in ast.walk(_parse(cell.source, f"cell {i}"))
            if isinstance(node, ast.Call) and (_dotted(node.func) or "").split(".")[-1] in ("quiz", "self_check")]


# ---- the house pattern ----------------------------------------------------------------------------------
PREDICT = re.compile(r"(?im)(?:^|\*\*|__|(?<![\w*])[*_])\s*predict\b")  # a prompt: line start or bold/italic
NOTICE = re.compile(r"(?i)what to notice")
DISCLAIMER = re.compile(r"(?i)not dosing advice")


def _nearest_markdown(nb, i: int, step: int):
    j = i + step
    while 0 <= j < len(nb.cells):
        if nb.cells[j].cell_type == "markdown":
            return j, nb.cells[j].source
        j += step
    return None, ""


def _predict_notice_problems(nb, name: str) -> list[str]:
    """Every interactive panel: the nearest markdown cell before it asks a Predict question (the word as a prompt,
    at a line start or in bold/italics, followed by a '?'), and the nearest markdown cell after it says "What to
    notice". Static figures (the pain-pathway schematic) are exempt: they have no controls, so there is nothing to
    predict before moving them and no change to notice; the text around them orients the reader instead."""
    problems = []
    panel_cells = sorted({i for i, kind, _f, _n in _figure_calls(nb, name) if kind == "panel"})
    for i, kind, func, _node in _figure_calls(nb, name):
        if kind != "panel":
            continue
        j, before = _nearest_markdown(nb, i, -1)
        k, after = _nearest_markdown(nb, i, +1)
        m = PREDICT.search(before)
        shared = [c for c in panel_cells if c != i and (j if j is not None else -1) < c < (k if k is not None
                                                                                              else len(nb.cells))]
        if shared:
            problems.append(f"{name} cell {i} ({func}): no markdown between it and the panel in cell {shared[0]}; "
                            f"each panel needs its own Predict before and What to notice after")
        if j is None:
            problems.append(f"{name} cell {i} ({func}): no markdown cell before it to ask a Predict question")
        elif not m:
            problems.append(f"{name} cell {i} ({func}): the markdown before it (cell {j}) has no 'Predict' prompt")
        elif "?" not in before[m.end():]:
            problems.append(f"{name} cell {i} ({func}): the Predict prompt in cell {j} asks no question ('?')")
        if k is None:
            problems.append(f"{name} cell {i} ({func}): no markdown cell after it to say 'What to notice'")
        elif not NOTICE.search(after):
            problems.append(f"{name} cell {i} ({func}): the markdown after it (cell {k}) has no 'What to notice'")
    return problems


def _tables(markdown: str) -> list[str]:
    """The pipe tables in a markdown text (a header row, a |---| separator and body rows)."""
    return [t for t in re.findall(r"(?m)(?:^\s*\|.*\|\s*$\n?){3,}", markdown) if re.search(r"\|\s*:?-{3,}", t)]


def _section(markdown: str, heading: re.Pattern) -> str | None:
    """The text from a heading matching ``heading`` to the next heading of level 1 or 2."""
    m = re.search(rf"(?ims)^#{{1,3}}[ \t]*[^\n]*?{heading.pattern}[^\n]*(?:\n|\Z)(.*?)(?=^#{{1,2}}\s|\Z)", markdown)
    return m.group(1) if m else None


def _house_problems(nb, name: str) -> list[str]:
    """Everything the house pattern asks of one notebook, as a list of precise problems (empty = fine)."""
    problems = []
    md_cells = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    md = "\n\n".join(src for _, src in md_cells)
    code = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    first_code = code[0][0] if code else len(nb.cells)
    # The disclaimer: once, plainly, before any code runs.
    hits = [i for i, src in md_cells for _ in DISCLAIMER.finditer(src)]
    if len(hits) != 1:
        problems.append(f"{name}: 'not dosing advice' appears {len(hits)} times (cells {hits}); want exactly once")
    elif hits[0] > first_code:
        problems.append(f"{name}: the disclaimer is in cell {hits[0]}, after the first code cell {first_code}")
    if not re.search(r"(?im)^\s*(?:#+\s*|\*\*)learning objectives", md):
        problems.append(f"{name}: no 'Learning objectives' heading or bold label")
    leaves = "collection" if name.startswith("00") else "model"
    if _section(md, re.compile(rf"what this {leaves} leaves out")) is None:
        problems.append(f"{name}: no '## What this {leaves} leaves out' heading")
    labelled = [t for t in _tables(md) if all(w in t.lower() for w in ("cited", "assumed", "illustrative"))]
    if not labelled:
        lists = [i for i, src in md_cells if all(w in src.lower() for w in ("cited", "assumed", "illustrative"))]
        hint = f" (cells {lists} use the words, but not in a table)" if lists else ""
        problems.append(f"{name}: no evidence-labels table (a markdown table labelling the model's layers cited, "
                        f"assumed or illustrative){hint}")
    # References: a heading, and the next code cell renders them from the package's single list.
    ref_cells = [i for i, src in md_cells if re.search(r"(?im)^#+\s*references\b", src)]
    if not ref_cells:
        problems.append(f"{name}: no '## References' heading")
    else:
        after = [src for i, src in code if i > ref_cells[-1]]
        if not after or "evidence.references_markdown(" not in after[0]:
            problems.append(f"{name}: the code cell after the References heading (cell {ref_cells[-1]}) does not "
                            f"call evidence.references_markdown(...)")
    quizzes = _quiz_calls(nb)
    if len(quizzes) < 2:
        problems.append(f"{name}: {len(quizzes)} quiz(...) self-checks (cells {quizzes}); want at least two")
    if not _figure_calls(nb, name):
        problems.append(f"{name}: no cell builds a panel or figure (or the call was not recognised)")
    return problems + _predict_notice_problems(nb, name)


def _schematic_stories(nb, name: str) -> set[str]:
    """The stories of every schematic call, ``schematic.overview(...)`` (positional or story=; default
    "overview")."""
    stories = set()
    for _i, kind, _func, node in _figure_calls(nb, name):
        if kind != "static":
            continue
        args = [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
        args += [k.value.value for k in node.keywords if k.arg == "story" and isinstance(k.value, ast.Constant)]
        stories.add(args[0] if args else "overview")
    return stories


def _required_schematic_stories() -> dict[str, set[str]]:
    """Notebook stem -> the schematic stories it must show: each gallery schematic figure (their published names
    start with ``pathway_``) in the notebook the gallery names, and at least one schematic in 00, 02 and 03 (the
    design's overview and topic openers)."""
    from helpers import gallery

    need = {stem: set() for stem in ("00_start_here", "02_central_sensitization", "03_descending_inhibition")}
    for fig in gallery.FIGURES:
        if fig.panel.split(".")[0] == STATIC_TOPIC:
            need.setdefault(fig.notebook, set()).add(dict(fig.values)["story"])
    return need


def _schematic_problems(notebooks: dict) -> list[str]:
    problems = []
    for stem, stories in _required_schematic_stories().items():
        name = f"{stem}.ipynb"
        if name not in notebooks:
            problems.append(f"{name}: missing, but it must show the pain-pathway schematic")
            continue
        shown = _schematic_stories(notebooks[name], name)
        if not shown:
            problems.append(f"{name}: never calls schematic.overview(...)")
        elif stories - shown:
            problems.append(f"{name}: shows schematic stories {sorted(shown)}, not {sorted(stories - shown)}")
    return problems


def _targets_problems(nb, name: str) -> list[str]:
    """Notebook 01 says, in its leaves-out section, that ketamine's other targets are not modelled."""
    section = _section(_source(nb, "markdown"), re.compile("what this model leaves out")) or ""
    problems = [f"{name}: 'What this model leaves out' does not name ketamine's {word} targets"
                for word in ("opioid", "muscarinic", "monoamin") if word not in section.lower()]
    if not re.search(r"(?i)\b(not|none)\s+(?:\w+\s+)?model(l)?ed\b", section):
        problems.append(f"{name}: 'What this model leaves out' does not say the other targets are not modelled")
    return problems


def test_the_collection_is_there():
    """The notebooks the README map promises exist."""
    expected = {"00_start_here.ipynb", "01_nmda_receptor_blockade.ipynb", "02_central_sensitization.ipynb",
                "03_descending_inhibition.ipynb", "04_ketamine_pharmacokinetics.ipynb"}
    assert expected <= set(NAMES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_without_outputs(path):
    """Outputs are never committed: they bloat diffs and go stale."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_house_pattern(path):
    """The disclaimer exactly once and before any code; a Learning objectives heading; a 'What this model
    leaves out' heading (00: 'collection'); an evidence-labels table using cited, assumed and illustrative; a
    References heading whose next code cell calls evidence.references_markdown; at least two quiz(...) cells; at
    least one figure; and Predict before / What to notice after every interactive panel."""
    problems = _house_problems(nbformat.read(path, as_version=4), path.name)
    assert not problems, "\n".join(problems)


def test_schematic_opens_the_topic_notebooks():
    """00, 02 and 03 show the pain-pathway schematic, and every gallery schematic figure is shown (with its
    story) in the notebook the gallery names (that is 01 for the receptor story)."""
    problems = _schematic_problems({p.name: nbformat.read(p, as_version=4) for p in NOTEBOOKS})
    assert not problems, "\n".join(problems)


def test_receptor_notebook_names_the_targets_it_leaves_out():
    """Notebook 01 says that ketamine's opioid, muscarinic and monoaminergic actions are not modelled."""
    problems = _targets_problems(_load("01_nmda_receptor_blockade.ipynb"), "01_nmda_receptor_blockade.ipynb")
    assert not problems, "\n".join(problems)


def test_figure_calls_are_recognised_however_imported():
    """The detector behind the Predict/What-to-notice rule finds panels through every import style, tells the
    static schematic apart, and ignores tables and quizzes."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (
        "from helpers.panels import pk as P, quiz\nimport helpers.panels.receptor\n"
        "from helpers.panels.spinal import windup_train\nfrom helpers.panels.schematic import overview",
        "P.regimen_explorer('sigtermans_2009')",
        "helpers.panels.receptor.IVCurve()",
        "windup_train()",
        "overview(story='spinal')",
        "from IPython.display import Markdown\nMarkdown(P.model_table())\nquiz('q', ['a', 'b'], answer=0, why='')",
        "%matplotlib inline\nP.decrement_times()",
        "self_check('01_trapping')",
    )]
    got = [(i, kind, func) for i, kind, func, _ in _figure_calls(nb, "synthetic")]
    assert got == [(1, "panel", "pk.regimen_explorer"), (2, "panel", "receptor.IVCurve"),
                   (3, "panel", "spinal.windup_train"), (4, "static", "schematic.overview"),
                   (6, "panel", "pk.decrement_times")]
    assert _schematic_stories(nb, "synthetic") == {"spinal"}
    assert _quiz_calls(nb) == [5, 7]


# ---- the checks fail on broken copies (in memory; the committed notebooks are never written) ---------------
def _first_panel(nb, name):
    return next(i for i, kind, _f, _n in _figure_calls(nb, name) if kind == "panel")


def _edit_markdown(nb, index, old, new):
    cell = nb.cells[index]
    assert cell.cell_type == "markdown" and re.search(old, cell.source), (index, old)
    cell.source = re.sub(old, new, cell.source)


def _drop_predict(nb, name):
    i = _first_panel(nb, name)
    j, _ = _nearest_markdown(nb, i, -1)
    _edit_markdown(nb, j, r"(?i)predict", "Think")
    return f"cell {i} "


def _predict_without_question(nb, name):
    i = _first_panel(nb, name)
    j, _ = _nearest_markdown(nb, i, -1)
    nb.cells[j].source = nb.cells[j].source.replace("?", ".")
    return "asks no question"


def _drop_notice(nb, name):
    i = _first_panel(nb, name)
    k, _ = _nearest_markdown(nb, i, +1)
    _edit_markdown(nb, k, r"(?i)what to notice", "Notes")
    return f"cell {i} "


def _panel_without_text_between(nb, name):
    i = _first_panel(nb, name)
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))  # two panels in a row share one Predict and one Notice
    return f"cell {i + 1} "


def _predict_only_in_prose(nb, name):
    i = _first_panel(nb, name)
    j, _ = _nearest_markdown(nb, i, -1)
    nb.cells[j].source = "What does the model predict here?"  # 'predict' as a verb is not a Predict prompt
    return "no 'Predict' prompt"


def _second_disclaimer(nb, name):
    nb.cells.append(nbformat.v4.new_markdown_cell("Again: not dosing advice."))
    return "2 times"


def _no_disclaimer(nb, name):
    for cell in nb.cells:
        cell.source = DISCLAIMER.sub("teaching only", cell.source)
    return "0 times"


def _drop_objectives(nb, name):
    for cell in nb.cells:
        cell.source = re.sub(r"(?i)learning objectives", "Aims", cell.source)
    return "Learning objectives"


def _drop_leaves_out(nb, name):
    for cell in nb.cells:
        cell.source = re.sub(r"(?i)what this (model|collection) leaves out", "Limits", cell.source)
    return "leaves out"


def _drop_tables(nb, name):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"(?m)^\s*\|.*\|\s*$\n?", "", cell.source)
    return "evidence-labels table"


def _table_without_illustrative(nb, name):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"(?i)illustrative", "tuned", cell.source)
    return "evidence-labels table"


def _references_typed_by_hand(nb, name):
    for cell in nb.cells:
        if cell.cell_type == "code" and "references_markdown(" in cell.source:
            cell.source = "Markdown('- Jahr & Stevens 1990')"
    return "references_markdown"


def _one_quiz(nb, name):
    cells = _quiz_calls(nb)
    for i in sorted(set(cells[1:]), reverse=True):
        del nb.cells[i]
    return "1 quiz(...)"


def _no_schematic(nb, name):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace("schematic.overview(", "print(")
    return "never calls schematic.overview"


def _no_muscarinic(nb, name):
    for cell in nb.cells:
        cell.source = re.sub(r"(?i)muscarinic", "cholinergic", cell.source)
    return "muscarinic"


def _targets_modelled(nb, name):
    for cell in nb.cells:
        cell.source = re.sub(r"(?i)\b(none|not)(\s+)modell?ed", r"all\2modelled", cell.source)
    return "not modelled"


BROKEN = [
    ("02_central_sensitization.ipynb", _drop_predict, _house_problems),
    ("04_ketamine_pharmacokinetics.ipynb", _drop_predict, _house_problems),
    ("03_descending_inhibition.ipynb", _predict_without_question, _house_problems),
    ("01_nmda_receptor_blockade.ipynb", _drop_notice, _house_problems),
    ("00_start_here.ipynb", _drop_notice, _house_problems),
    ("04_ketamine_pharmacokinetics.ipynb", _panel_without_text_between, _house_problems),
    ("02_central_sensitization.ipynb", _predict_only_in_prose, _house_problems),
    ("01_nmda_receptor_blockade.ipynb", _second_disclaimer, _house_problems),
    ("03_descending_inhibition.ipynb", _no_disclaimer, _house_problems),
    ("02_central_sensitization.ipynb", _drop_objectives, _house_problems),
    ("00_start_here.ipynb", _drop_leaves_out, _house_problems),
    ("01_nmda_receptor_blockade.ipynb", _drop_leaves_out, _house_problems),
    ("02_central_sensitization.ipynb", _drop_tables, _house_problems),
    ("04_ketamine_pharmacokinetics.ipynb", _table_without_illustrative, _house_problems),
    ("03_descending_inhibition.ipynb", _references_typed_by_hand, _house_problems),
    ("01_nmda_receptor_blockade.ipynb", _one_quiz, _house_problems),
    ("02_central_sensitization.ipynb", _no_schematic, lambda nb, name: _schematic_problems({name: nb})),
    ("01_nmda_receptor_blockade.ipynb", _no_muscarinic, _targets_problems),
    ("01_nmda_receptor_blockade.ipynb", _targets_modelled, _targets_problems),
]


@pytest.mark.parametrize("name, breakage, check", BROKEN,
                         ids=[f"{n[:2]}-{b.__name__.strip('_')}" for n, b, _ in BROKEN])
def test_structure_checks_fail_on_a_broken_copy(name, breakage, check):
    """Each structure check reports a broken in-memory copy of a real notebook, naming the notebook and what is
    missing (the committed notebook itself is not touched)."""
    if name not in NAMES:
        pytest.skip(f"{name} is not in the collection")
    nb = _load(name)
    before = check(copy.deepcopy(nb), name)
    broken = copy.deepcopy(nb)
    expected = breakage(broken, name)
    after = check(broken, name)
    new = [p for p in after if p not in before]
    assert new, f"{breakage.__name__} on {name} was not reported"
    assert any(expected in p and name in p for p in new), f"{breakage.__name__}: unexpected messages {new}"
    assert nb.cells == _load(name).cells, "the committed notebook changed"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_executes_on_fresh_kernel_with_warnings_as_errors(path):
    """Run all cells on a fresh kernel; any exception or warning fails the test."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import warnings\nwarnings.simplefilter('error')"))
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
            if out.output_type == "stream" and out.name == "stderr":
                raise AssertionError(f"{path.name} wrote to stderr: {out.text[:500]}")
