"""The canonical figures, as data, and the command that rebuilds ``figures/`` from them.

Each entry of :data:`FIGURES` names a panel and the state that rebuilds the figure (a preset, control values or
the schematic's story), the caption and the notebook it illustrates. Nothing registers itself: this table is
the one place the figure set is written down, and importing this module imports no panel (a figure's panel is
imported when it is built).

``python -m helpers.gallery`` (also ``python -m helpers.export``) writes every figure as PNG 1920x1080 and
SVG, in the light and dark slide looks, each with its description as alt text (``--pdf`` adds PDF)::

    python -m helpers.gallery --list
    python -m helpers.gallery --only pk_models nmda_iv_curve --pdf --out /tmp/slides

``--state`` rebuilds any exported figure from the ``.state.json`` a panel's Export wrote beside it (or from the
state embedded in its PNG or SVG), in the look it was exported in::

    python -m helpers.gallery --state exports/regimen_explorer_20250101-120000.state.json --out /tmp/slides
"""
from __future__ import annotations

import importlib
import inspect
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _validate as v
from . import export, style

__all__ = ["CanonicalFigure", "FIGURES", "LOOKS", "figures", "build", "panel_from_state", "thumbnails", "main"]

#: The slide looks every canonical figure is written in, by the suffix of its file names.
LOOKS = {"light": "slides-light", "dark": "slides-dark"}


@dataclass(frozen=True)
class CanonicalFigure:
    """One canonical figure: which panel draws it, in which state, and what it is for.

    Parameters
    ----------
    name : str
        File stem (``<name>_light.png`` ...); published, so never renamed.
    panel : str
        ``"<topic>.<key>"``: a key of ``helpers.panels.<topic>.PANELS``, or a class in that module (the
        schematic, which has no controls and so is not in ``PANELS``).
    caption : str
        One line for a figure list.
    notebook : str
        Stem of the notebook the figure illustrates.
    preset : str, optional
        Preset of the panel to open on.
    values : tuple of (str, object) pairs, optional
        Keyword arguments for the panel: control values, or the schematic's ``story``.
    """

    name: str
    panel: str
    caption: str
    notebook: str
    preset: str | None = None
    values: tuple[tuple[str, Any], ...] = ()

    def make_panel(self, look: str):
        """Build the figure's panel in a style sheet.

        Parameters
        ----------
        look : {"notebook", "presenter", "slides-light", "slides-dark"}
            The sheet to draw in.

        Returns
        -------
        helpers.panels.Panel
            The panel in the figure's state; ``.figure`` and ``.description`` are the figure and its alt text.
        """
        v.choice(look, "look", style.SHEETS)
        kwargs = dict(self.values)
        if self.preset is not None:
            kwargs["preset"] = self.preset
        return _panel_class(self.panel)(look=look, **kwargs)


def _panel_class(spec: str) -> type:
    topic, _, key = spec.partition(".")
    module = importlib.import_module(f"helpers.panels.{topic}")
    cls = getattr(module, "PANELS", {}).get(key) or getattr(module, key, None)
    if not isinstance(cls, type):
        raise ValueError(f"panel must name a panel of helpers.panels.{topic}, got {spec!r}")
    return cls


def _story(story: str) -> tuple[tuple[str, Any], ...]:
    return (("story", story),)


_PK, _NMDA, _SPINAL, _DESC = ("04_ketamine_pharmacokinetics", "01_nmda_receptor_blockade",
                              "02_central_sensitization", "03_descending_inhibition")
_RELIEF = "05_infusion_duration_vs_relief"

#: Every canonical figure, in notebook order. The schematic's figures keep their published ``pathway_`` names.
FIGURES: tuple[CanonicalFigure, ...] = (
    CanonicalFigure("pathway_overview", "schematic.Schematic", "The pain pathway and the three places ketamine acts",
                    "00_start_here", values=_story("overview")),
    CanonicalFigure("pathway_receptor", "schematic.Schematic", "The pain pathway: ketamine at the NMDA receptor",
                    _NMDA, values=_story("receptor")),
    CanonicalFigure("nmda_iv_curve", "receptor.iv_curve",
                    "NMDA current-voltage relation with Mg2+ and the coincidence detector", _NMDA),
    # Opens on the racemate, the drug the clinical bands were measured with (as notebook 01 does).
    CanonicalFigure("nmda_block_curve", "receptor.block_curve",
                    "NMDA receptors blocked vs plasma racemic ketamine, with clinical bands", _NMDA,
                    preset="analgesic_racemic"),
    CanonicalFigure("nmda_use_dependence", "receptor.use_dependence",
                    "Use-dependent, trapping block under repeated activation", _NMDA),
    CanonicalFigure("pathway_spinal", "schematic.Schematic",
                    "The pain pathway: ketamine in the dorsal horn (wind-up, sensitisation)", _SPINAL,
                    values=_story("spinal")),
    CanonicalFigure("spinal_windup_train", "spinal.windup_train",
                    "Wind-up of a dorsal-horn neuron: 16 C-fibre stimuli at 0.5 Hz", _SPINAL,
                    preset="dickenson_sullivan_1987"),
    CanonicalFigure("spinal_windup_ketamine", "spinal.windup_train",
                    "Ketamine reduces wind-up but spares the first response (15 stimuli at 1 Hz)", _SPINAL,
                    preset="guirimand_2000_ketamine"),
    CanonicalFigure("spinal_stimulus_response", "spinal.stimulus_response",
                    "Hyperalgesia and allodynia as a shifted, steeper stimulus-response curve; ketamine turns the "
                    "gain down", _SPINAL),
    CanonicalFigure("spinal_sensitisation_course", "spinal.sensitisation_course",
                    "A slow sensitisation state and a 100-h infusion with 70% NMDA block (illustrative time "
                    "constants)", _SPINAL),
    CanonicalFigure("pathway_descending", "schematic.Schematic", "The pain pathway: ketamine and the PAG/RVM balance",
                    _DESC, values=_story("descending")),
    CanonicalFigure("descending_cpm_healthy_ketamine", "descending.cpm_experiment",
                    "CPM in a healthy volunteer, without and with S-ketamine (direction: Niesters 2011; magnitudes "
                    "illustrative)", _DESC, preset="healthy_ketamine"),
    CanonicalFigure("descending_cpm_chronic_ketamine", "descending.cpm_experiment",
                    "Impaired CPM in chronic pain, without and with S-ketamine (direction: Niesters 2013, "
                    "unverified; magnitudes illustrative)", _DESC, preset="chronic_ketamine"),
    CanonicalFigure("descending_balance", "descending.balance",
                    "The inhibition/facilitation balance shifts the stimulus–response curve", _DESC,
                    preset="healthy_ketamine"),
    CanonicalFigure("pk_regimen_sigtermans_2009", "pk.regimen_explorer",
                    "Plasma S-ketamine during and after a 100-h infusion", _PK, preset="sigtermans_2009"),
    CanonicalFigure("pk_regimen_schwartzman_2009", "pk.regimen_explorer",
                    "Ten daily 4-h infusions of racemic ketamine", _PK, preset="schwartzman_2009"),
    CanonicalFigure("pk_routes", "pk.route_comparison", "One 35-mg dose by five routes", _PK),
    CanonicalFigure("pk_models", "pk.model_comparison", "One infusion through three published models", _PK),
    CanonicalFigure("pk_decrement_times", "pk.decrement_times",
                    "Context-sensitive half-times after infusions of any length", _PK),
    CanonicalFigure("relief_drug_gone", "relief.drug_gone_relief_stays",
                    "Drug gone, relief stays: plasma S-ketamine and pain over 16 weeks after a 100-h infusion",
                    _RELIEF),
    CanonicalFigure("relief_vs_duration", "relief.relief_vs_duration",
                    "Relief duration against infusion duration: two explanations, a virtual cohort and the "
                    "published trials", _RELIEF),
    CanonicalFigure("relief_same_dose_schedule", "relief.same_dose_schedule",
                    "One total dose, three schedules (continuous, 4 h a day, 6 h every 2 weeks)", _RELIEF),
    CanonicalFigure("safety_booster_tapering", "safety.booster_schedule",
                    "A year of the tapering booster protocol: relief of the typical patient and the cohort, and relief "
                    "days against the booster interval", "06_retreatment_and_safety", preset="tapering_protocol"),
    CanonicalFigure("safety_side_effects", "safety.side_effects",
                    "A 4-h booster started with a bolus: plasma ketamine against side-effect levels, hours above each",
                    "06_retreatment_and_safety", preset="bolus_start"),
    CanonicalFigure("safety_liver_timeline", "safety.liver_timeline",
                    "Two 100-h courses 16 days apart (Noppers 2011) with liver-enzyme checks; the dose curve is "
                    "illustrative", "06_retreatment_and_safety", preset="noppers_2011_liver"),
)


def figures() -> dict[str, CanonicalFigure]:
    """The canonical figures by name, in name order (the order the CLI builds and lists them).

    Returns
    -------
    dict of str to CanonicalFigure
        Every entry of :data:`FIGURES`.
    """
    return {f.name: f for f in sorted(FIGURES, key=lambda f: f.name)}


def build(name: str, look: str = "slides-light"):
    """Build one canonical figure and its alt text.

    Parameters
    ----------
    name : str
        A name in :data:`FIGURES`.
    look : {"notebook", "presenter", "slides-light", "slides-dark"}, optional
        The sheet to draw in.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The figure, 16:9.
    alt_text : str
        The panel's description for that state.
    """
    table = figures()
    v.choice(name, "name", table)
    panel = table[name].make_panel(look)
    return panel.figure, panel.description


def panel_from_state(state: Mapping, look: str | None = None):
    """Rebuild a panel from a saved state (``panel.state``, or what :func:`helpers.export.read_state` reads).

    Parameters
    ----------
    state : mapping
        A panel state: ``panel`` (``"<topic>.<key>"``), ``look``, ``preset``, ``values`` and maybe ``options``.
    look : {"notebook", "presenter", "slides-light", "slides-dark"}, optional
        Draw in this look instead of the state's.

    Returns
    -------
    helpers.panels.Panel
        The panel in that state.

    Raises
    ------
    ValueError
        If the state names no panel of :data:`helpers.panels.TOPICS`, or its values, preset or look are not the
        panel's.
    """
    from .panels import TOPICS, Panel

    spec = state.get("panel") if isinstance(state, Mapping) else None
    if not isinstance(spec, str) or not re.fullmatch(r"[a-z_]+\.[A-Za-z_][A-Za-z0-9_]*", spec) \
            or spec.partition(".")[0] not in TOPICS:
        raise ValueError(f"state['panel'] must be '<topic>.<panel>' with a topic of {list(TOPICS)}, got {spec!r}")
    if look is not None:
        v.choice(look, "look", style.SHEETS)
    cls = _panel_class(spec)
    if not issubclass(cls, Panel):
        raise ValueError(f"state['panel'] must name a panel, got {spec!r}")
    options = dict(state.get("options") or {})
    if "state" in inspect.signature(cls.__init__).parameters:
        return cls(**options, state=state, look=look)
    # A panel whose constructor takes no state (the schematic): its own arguments, then its controls.
    panel = cls(**options, look=look or state.get("look", "notebook"))
    if state.get("values"):
        panel.set(**state["values"])
    return panel


def _rebuild_states(parser, args) -> int:
    """``--state``: each file's panel rebuilt and exported beside it (or into ``--out``), state included."""
    if args.only is not None or args.list:
        parser.error("--state cannot be combined with --only or --list")
    formats = ("png", "svg", "pdf") if args.pdf else ("png", "svg")
    count = 0
    for given in args.state:
        source = Path(given)
        t0 = time.perf_counter()
        try:
            panel = panel_from_state(export.read_state(source))
        except ValueError as exc:
            parser.error(f"--state {given}: {exc}")
        stem = re.sub(r"(\.state\.json|\.json|\.png|\.svg)$", "", source.name, flags=re.IGNORECASE)
        out = Path(args.out) if args.out else source.parent
        with style.context(panel.look):
            paths = export.save_figure(panel.figure, out, stem, alt_text=panel.description, formats=formats,
                                       state=panel.state)
        count += len(paths)
        print(f"wrote {', '.join(p.name for p in paths)} in {out} ({time.perf_counter() - t0:.2f} s)")
    print(f"{count} files for {len(args.state)} states")
    return 0


def main(argv=None, prog: str = "python -m helpers.gallery") -> int:
    """Rebuild the canonical figures: PNG and SVG in the light and dark slide looks, PDF with ``--pdf``.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``): ``--out FOLDER``, ``--pdf``, ``--only NAME ...``,
        ``--list``, or ``--state FILE ...`` to rebuild exported figures from their saved states.
    prog : str, optional
        The command name shown in help and error messages.

    Returns
    -------
    int
        The exit status, 0 on success (argument errors exit with status 2).
    """
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description="Rebuild the canonical figures (PNG + SVG, light and "
                                                            "dark; PDF with --pdf).")
    parser.add_argument("--out", default=None, help="folder to write (default: the collection's figures/)")
    parser.add_argument("--pdf", action="store_true", help="also write PDF")
    parser.add_argument("--only", nargs="*", default=None, help="names of figures to build (default: all)")
    parser.add_argument("--list", action="store_true", help="list the canonical figures and exit")
    parser.add_argument("--state", nargs="+", default=None, metavar="FILE",
                        help="rebuild exported figures from their .state.json (or a PNG/SVG carrying the state); "
                             "written beside each file unless --out is given")
    args = parser.parse_args(argv)
    if args.state:
        return _rebuild_states(parser, args)

    table = figures()
    if args.list:
        for name, fig in table.items():
            print(f"{name:34s} {fig.notebook:38s} {fig.caption}")
        return 0
    unknown = sorted(set(args.only or ()) - set(table))
    if unknown:
        parser.error(f"unknown figure(s) {unknown}; choose from {sorted(table)}")
    out = Path(args.out) if args.out else _repo_figures()
    formats = ("png", "svg", "pdf") if args.pdf else ("png", "svg")
    count = 0
    for name, canon in table.items():
        if args.only and name not in args.only:
            continue
        for theme, look in LOOKS.items():
            t0 = time.perf_counter()
            with style.context(look):  # cycle colours ("C0") resolve at draw time: draw in the same sheet
                panel = canon.make_panel(look)
                paths = export.save_figure(panel.figure, out, f"{name}_{theme}", alt_text=panel.description,
                                           formats=formats)
            count += len(paths)
            shown = ", ".join(p.name for p in paths)
            print(f"wrote {shown} in {out} ({time.perf_counter() - t0:.2f} s)")
    print(f"{count} files for {len(args.only or table)} figures in {out}")
    return 0


def thumbnails(folder=None, *, look: str = "light", width_px: int = 240, names=None):
    """The canonical figures as a gallery: small pictures with their captions, each linked to its full PNG.

    The thumbnails are embedded (small PNG data URIs, 20-30 kB each), so the gallery shows in JupyterLab,
    Voila, nbviewer and the handouts without serving files; a figure not built yet is listed with a note.

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        Where the PNGs are; default the repository's ``figures/``.
    look : {"light", "dark"}, optional
        Which theme's pictures to show.
    width_px : int, optional
        Thumbnail width in CSS pixels, 80-960 (drawn at twice that for sharp screens).
    names : sequence of str, optional
        Show only these canonical figures, in this order (default: all, in name order).

    Returns
    -------
    IPython.display.HTML
        ``<figure>`` elements in a wrapping grid, one per figure.
    """
    import base64
    import html
    import io
    import os

    from IPython.display import HTML
    from PIL import Image

    v.choice(look, "look", LOOKS)
    width_px = v.integer(width_px, "width_px", 80, 960)
    where = _repo_figures() if folder is None else Path(folder)
    table = figures()
    if names is None:
        chosen = list(table)
    else:
        if isinstance(names, str) or not names:
            raise ValueError(f"names must be a non-empty sequence of canonical figure names, got {names!r}")
        chosen = [v.choice(n, "names", table) for n in names]
    cells = []
    for name in chosen:
        fig = table[name]
        path = where / f"{name}_{look}.png"
        alt_path = where / f"{name}_{look}.alt.txt"
        alt = alt_path.read_text(encoding="utf-8").strip() if alt_path.is_file() else fig.caption
        if path.is_file():
            with Image.open(path) as im:
                im = im.convert("RGB")
                im.thumbnail((2 * width_px, 2 * width_px))
                buf = io.BytesIO()
                # 64 colours are plenty for line art and keep the notebook's output small
                im.quantize(colors=64).save(buf, format="PNG", optimize=True)
            data = base64.b64encode(buf.getvalue()).decode("ascii")
            # relative to the notebook's folder (the kernel's working directory), where JupyterLab resolves links
            href = html.escape(Path(os.path.relpath(path, Path.cwd())).as_posix(), quote=True)
            picture = (f"<a href='{href}' target='_blank' rel='noopener'><img src='data:image/png;base64,{data}' "
                       f"alt='{html.escape(alt, quote=True)}' "
                       "style='width:100%;height:auto;border:1px solid #ccc;border-radius:4px'></a>")
        else:
            picture = "<div style='padding:2em 0;text-align:center;color:#555'>not built yet</div>"
        cells.append(f"<figure style='margin:0;width:{width_px}px'>{picture}<figcaption style='font-size:0.85em;"
                     f"line-height:1.3;margin-top:4px'><b>{html.escape(fig.notebook[:2])}</b> "
                     f"{html.escape(fig.caption)} <code>{html.escape(name)}</code></figcaption></figure>")
    return HTML("<div class='helpers-gallery' style='display:flex;flex-wrap:wrap;gap:14px;"
                "align-items:flex-start'>" + "".join(cells) + "</div>")


def _repo_figures() -> Path:
    """The repository's ``figures/`` when run from a source checkout, else ``./figures``."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "notebooks").is_dir() and (parent / "figures").is_dir():
            return parent / "figures"
    return export.default_folder()


if __name__ == "__main__":
    raise SystemExit(main())
