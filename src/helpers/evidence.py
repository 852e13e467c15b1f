"""References and named presets, loaded from package data (one source of truth).

* ``data/references/*.json`` — one file per topic, merged into a single reference list. Each entry:
  ``{"authors": str, "year": int, "title": str, "journal": str, "doi": str | null, "pmid": str | null,
  "note": str | null}``. Keys are unique across files (checked on load).
* ``data/presets/*.json`` — named published regimens and cases for the panels:
  ``{panel_name: {preset_key: {"label": str, "values": {control: value}, "source": ref_key,
  "note": str}}}``.

Notebooks render references with :func:`references_markdown`; panels read presets with :func:`presets`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Iterable, Mapping

from . import _validate as v

__all__ = ["references", "reference", "cite", "references_markdown", "presets", "preset"]


def _load_folder(folder: str) -> dict[str, dict]:
    merged: dict[str, dict] = {}
    base = resources.files("helpers") / "data" / folder
    for item in sorted(base.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".json"):
            continue
        data = json.loads(item.read_text(encoding="utf-8"))
        for key, value in data.items():
            if key in merged:
                if folder == "presets":  # presets for one panel may be split over files
                    dup = set(merged[key]) & set(value)
                    if dup:
                        raise RuntimeError(f"preset {sorted(dup)} of panel {key!r} defined twice")
                    merged[key] = {**merged[key], **value}
                    continue
                raise RuntimeError(f"reference key {key!r} is defined twice (second time in {item.name})")
            merged[key] = value
    return merged


@lru_cache(maxsize=None)
def references() -> Mapping[str, Mapping]:
    """All references, keyed by a short id such as ``"dahan_2011"``."""
    return MappingProxyType({k: MappingProxyType(dict(val)) for k, val in _load_folder("references").items()})


def reference(key: str) -> Mapping:
    return references()[v.choice(key, "key", references())]


def cite(key: str) -> str:
    """Short in-text citation: ``"Dahan et al. 2011"``."""
    ref = reference(key)
    authors = ref["authors"].split(",")
    first = authors[0].strip().split(" ")[0]
    return f"{first}{' et al.' if len(authors) > 2 else (' & ' + authors[1].strip().split(' ')[0] if len(authors) == 2 else '')} {ref['year']}"


def _format(key: str, ref: Mapping) -> str:
    parts = [f"{ref['authors']} ({ref['year']}). {ref['title']}."]
    if ref.get("journal"):
        parts.append(f" *{ref['journal']}*.")
    if ref.get("doi"):
        parts.append(f" [doi:{ref['doi']}](https://doi.org/{ref['doi']})")
    if ref.get("pmid"):
        parts.append(f" PMID {ref['pmid']}.")
    if ref.get("note"):
        parts.append(f" — {ref['note']}")
    return "".join(parts)


def references_markdown(keys: Iterable[str] | None = None) -> str:
    """A Markdown bulleted list of the given references (all of them when ``keys`` is None), sorted."""
    refs = references()
    keys = sorted(refs) if keys is None else [v.choice(k, "keys", refs) for k in keys]
    keys = sorted(set(keys), key=lambda k: (refs[k]["authors"].lower(), refs[k]["year"]))
    return "\n".join(f"- {_format(k, refs[k])}" for k in keys)


@lru_cache(maxsize=None)
def _all_presets() -> Mapping[str, Mapping]:
    return MappingProxyType(_load_folder("presets"))


def presets(panel: str) -> Mapping[str, Mapping]:
    """Named presets for one panel: ``{key: {"label", "values", "source", "note"}}``."""
    return MappingProxyType(dict(_all_presets()[v.choice(panel, "panel", _all_presets())]))


def preset(panel: str, key: str) -> Mapping:
    table = presets(panel)
    return table[v.choice(key, "preset", table)]
