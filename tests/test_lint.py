"""Style and documentation checks: ruff passes, and every public name carries a numpydoc docstring.

The docstring check is a real one: it parses each docstring with numpydoc and compares its Parameters section
with the signature, so a renamed argument or a missing section makes it fail and names the place.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

numpydoc_docscrape = pytest.importorskip("numpydoc.docscrape", reason="numpydoc is in requirements-dev.txt")

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_passes():
    """`ruff check` over the repository (configured in pyproject.toml) reports nothing."""
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _modules():
    import helpers
    yield helpers
    for info in pkgutil.walk_packages(helpers.__path__, "helpers."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def _public(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", "").startswith(
                module.__name__):
            yield f"{module.__name__}.{name}", obj


def _params(func) -> list[str]:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    return [p.name for p in sig.parameters.values()
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _problems(qualname: str, obj) -> list[str]:
    doc = inspect.getdoc(obj)
    if not doc:
        return [f"{qualname}: no docstring"]
    if inspect.isclass(obj):
        parsed = numpydoc_docscrape.ClassDoc(obj, config={"show_class_members": False})
        target = obj.__init__ if "__init__" in vars(obj) else None
    else:
        parsed = numpydoc_docscrape.FunctionDoc(obj)
        target = obj
    found = []
    if not parsed["Summary"]:
        found.append(f"{qualname}: no one-line summary")
    wanted = _params(target) if target is not None else []
    sections = parsed["Parameters"] + parsed["Other Parameters"]
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
        sections = sections + parsed["Attributes"]  # a dataclass documents its fields as Attributes
    documented = {name.strip() for p in sections for name in p.name.replace("*", "").split(",")}
    missing = [p for p in wanted if p not in documented]
    if missing:
        found.append(f"{qualname}: Parameters section lacks {missing}")
    extra = sorted(documented - set(wanted)) if target is not None and wanted else []
    if extra and not any(p.kind == p.VAR_KEYWORD for p in inspect.signature(target).parameters.values()):
        found.append(f"{qualname}: documents parameters it does not take {extra}")
    if inspect.isfunction(obj):
        ret = inspect.signature(obj).return_annotation
        if ret not in (None, "None") and not (parsed["Returns"] or parsed["Yields"]):
            found.append(f"{qualname}: no Returns section")
    return found


def test_every_public_name_has_a_numpydoc_docstring():
    """Each public function and class of ``helpers`` has a summary, documents every parameter of its signature
    (and no others) in a numpydoc Parameters section, and a function that returns something has Returns."""
    problems = []
    seen = set()
    for module in _modules():
        for qualname, obj in _public(module):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            problems += _problems(qualname, obj)
            if inspect.isclass(obj):
                for name, member in vars(obj).items():
                    if name.startswith("_"):
                        continue
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if inspect.isfunction(member):
                        problems += _problems(f"{qualname}.{name}", member)
                    elif isinstance(member, property) and not inspect.getdoc(member):
                        problems.append(f"{qualname}.{name}: property without a docstring")
    assert not problems, f"{len(problems)} docstring problems:\n" + "\n".join(problems)
