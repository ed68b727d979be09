"""Render a report again from its provenance crate and compare it with the one handed out.

:func:`reproduce` reads ``ro-crate-metadata.json`` of a report folder, renders the same report
(same study, notebook parameters and language) into a temporary folder and compares

* ``figures.json`` figure by figure: every record (value, base, suppression, interval) and every
  other entry, by its path (``round.personal.rating_mean``);
* every table of the HTML report, cell by cell, by its caption.

It also says which inputs differ from the crate's SHA-256 and whether the workbench or a package
version differs from the one that rendered the report, since those explain a difference.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..provenance import CrateSummary, environment, read_crate
from ..study import load_config


@dataclass
class Reproduction:
    """The outcome of :func:`reproduce`."""

    report: Path
    key: str
    #: figure paths whose record differs (``regions.den_haag.personal.rating_mean``)
    figures: list[str] = field(default_factory=list)
    #: captions (or positions) of tables that differ
    tables: list[str] = field(default_factory=list)
    #: inputs whose SHA-256 differs from the crate's, or that were added or removed
    inputs_changed: list[str] = field(default_factory=list)
    #: workbench or package versions that differ: name -> (in the crate, now)
    versions_changed: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    #: the render of the copy failed: its error
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.error is None and not self.figures and not self.tables

    @property
    def exit_code(self) -> int:
        return 0 if self.identical else 1

    def describe(self, language: str = "nl") -> str:
        nl = language == "nl"
        lines = []
        if self.error:
            lines.append((f"{self.report}: het rapport kon niet opnieuw worden gemaakt: "
                          f"{self.error}") if nl else
                         f"{self.report}: the report could not be rendered again: {self.error}")
        elif self.identical:
            lines.append((f"{self.report}: opnieuw gemaakt; figures.json en alle tabellen zijn "
                          "gelijk.") if nl else
                         f"{self.report}: rendered again; figures.json and every table are "
                         "identical.")
        else:
            lines.append((f"{self.report}: opnieuw gemaakt; {len(self.figures)} kerncijfer(s) en "
                          f"{len(self.tables)} tabel(len) verschillen.") if nl else
                         f"{self.report}: rendered again; {len(self.figures)} key figure(s) and "
                         f"{len(self.tables)} table(s) differ.")
            if self.figures:
                lines.append("Kerncijfers die verschillen:" if nl else "Key figures that differ:")
                lines += [f"  - {f}" for f in self.figures]
            if self.tables:
                lines.append("Tabellen die verschillen:" if nl else "Tables that differ:")
                lines += [f"  - {t}" for t in self.tables]
        if self.inputs_changed:
            lines.append(("Invoer die sinds het rapport veranderd is: " if nl else
                          "Inputs changed since the report: ") + ", ".join(self.inputs_changed))
        if self.versions_changed:
            changed = ", ".join(f"{n} {a or '-'} → {b or '-'}"
                                for n, (a, b) in sorted(self.versions_changed.items()))
            lines.append(("Andere versies dan bij het rapport: " if nl else
                          "Versions differ from the report's: ") + changed)
        lines += self.notes
        return "\n".join(lines)


# -- comparing ----------------------------------------------------------------------------------
def _flatten(tree, prefix: str = "") -> dict[str, object]:
    """figures.json as ``path -> record`` (a record is a dict with a ``definition``) and
    ``path -> value`` for everything else."""
    out: dict[str, object] = {}
    if isinstance(tree, dict) and ("definition" in tree and "value" in tree):
        out[prefix] = tree
    elif isinstance(tree, dict):
        for key, value in tree.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    else:
        out[prefix] = tree
    return out


def compare_figures(old: dict, new: dict) -> list[str]:
    """Paths of the figures (and other entries) that differ between two ``figures.json``."""
    a, b = _flatten(old), _flatten(new)
    return sorted(p for p in set(a) | set(b) if a.get(p, KeyError) != b.get(p, KeyError))


def html_tables(document: str) -> list[tuple[str, list[list[str]]]]:
    """Every table of a report's HTML: ``(caption, rows of cell texts)``; a table without a
    caption is named by its position (``tabel 3``)."""
    from lxml import etree
    from lxml import html as lxml_html

    def text(element) -> str:
        return " ".join(" ".join(t.strip() for t in element.itertext() if t.strip()).split())

    try:
        root = lxml_html.document_fromstring(document)
    except (etree.ParserError, ValueError):  # an empty document has no tables
        return []
    tables = []
    for i, table in enumerate(root.iter("table"), start=1):
        caption = table.find(".//caption")
        name = text(caption) if caption is not None else f"#{i}"
        rows = [[text(cell) for cell in row if cell.tag in ("th", "td")]
                for row in table.iter("tr")]
        tables.append((name, rows))
    return tables


def compare_tables(old_html: str, new_html: str) -> list[str]:
    """Names of the tables that differ (cells, rows, or a table only in one of the two)."""
    old, new = html_tables(old_html), html_tables(new_html)
    differ = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a != b:
            differ.append((a or b)[0])
    return differ


# -- reproducing --------------------------------------------------------------------------------
def _kind(parameters: dict) -> tuple[str, str | None, str | None]:
    round_id, region = parameters.get("round"), parameters.get("region")
    if region:
        return "region", round_id, region
    if round_id:
        return "round", round_id, None
    return "final", None, None


def _key(kind: str, round_id, region) -> str:
    return {"region": f"{round_id}/{region}", "round": str(round_id), "final": "final"}[kind]


def _changed_inputs(study_path: Path, crate: CrateSummary) -> list[str]:
    from ..study import TEXTS_DIR
    from ..tidy_cache import file_hashes

    now = file_hashes(study_path, extra=(TEXTS_DIR,))
    changed = [rel for rel, digest in crate.inputs.items() if now.get(rel) != digest]
    # files added to the report's folders since (only the folders its inputs came from)
    folders = {rel.rsplit("/", 1)[0] for rel in crate.inputs if "/" in rel}
    for rel in now:
        if rel not in crate.inputs and "/" in rel and rel.rsplit("/", 1)[0] in folders:
            changed.append(rel)
    return sorted(set(changed))


def _changed_versions(crate: CrateSummary) -> dict[str, tuple[str | None, str | None]]:
    env = environment()
    changed = {}
    if crate.workbench_version and crate.workbench_version != env.workbench_version:
        changed["mss-eval"] = (crate.workbench_version, env.workbench_version)
    if crate.git_commit and env.git_commit and crate.git_commit != env.git_commit:
        changed["git commit"] = (crate.git_commit[:12], env.git_commit[:12])
    for name in sorted(set(crate.packages) | set(env.packages)):
        if crate.packages.get(name) != env.packages.get(name):
            changed[name] = (crate.packages.get(name), env.packages.get(name))
    return changed


def reproduce(report_dir: Path | str, *, study: Path | str | None = None,
              keep: Path | str | None = None, notebook_dir: Path | str | None = None
              ) -> Reproduction:
    """Render the report of ``report_dir`` again from its crate and compare.

    Parameters
    ----------
    report_dir : path
        A report's folder, with ``ro-crate-metadata.json`` and ``figures.json``.
    study : path, optional
        The study folder, when it moved since the render (default: the one in the crate).
    keep : path, optional
        Render into this folder and keep it (default: a temporary folder, removed after).
    notebook_dir : path, optional
        Report notebooks from another folder (default: the workbench's own).

    Raises
    ------
    FileNotFoundError
        No crate in ``report_dir``.
    """
    from .plan import plan_reports
    from .worker import RenderOptions, render_report

    report_dir = Path(report_dir)
    crate = read_crate(report_dir)
    parameters = crate.parameters
    kind, round_id, region = _kind(parameters)
    key = _key(kind, round_id, region)
    outcome = Reproduction(report=report_dir, key=key)
    study_path = Path(study or parameters.get("study") or "")
    config = load_config(study_path)
    outcome.inputs_changed = _changed_inputs(study_path, crate)
    outcome.versions_changed = _changed_versions(crate)
    language = parameters.get("language") or config.settings.language
    old_figures_path = report_dir / "figures.json"
    html_name = next((name for name in crate.outputs if name.endswith(".html")), None)

    with contextlib.ExitStack() as stack:
        if keep is not None:
            out = Path(keep)
            out.mkdir(parents=True, exist_ok=True)
        else:
            out = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mss-reproduce-")))
        jobs = plan_reports(config, study_path, out, rounds=[round_id] if round_id else None,
                            regions=[region] if region else None, formats=("html",),
                            notebook_dir=notebook_dir, language=language,
                            rendered_by=parameters.get("rendered_by"))
        job = next(j for j in jobs if j.key == key)
        from ..pseudonym import ensure_secret

        ensure_secret(study_path, language=language)
        result = render_report(job, RenderOptions())
        if not result.ok:
            outcome.error = result.error or "?"
            return outcome
        new_figures = json.loads(job.output("figures").read_text(encoding="utf-8"))
        if old_figures_path.is_file():
            old_figures = json.loads(old_figures_path.read_text(encoding="utf-8"))
            outcome.figures = compare_figures(old_figures, new_figures)
        else:
            outcome.notes.append("figures.json is missing in the report folder")
        if html_name and (report_dir / html_name).is_file():
            outcome.tables = compare_tables(
                (report_dir / html_name).read_text(encoding="utf-8"),
                job.output("html").read_text(encoding="utf-8"))
        else:
            outcome.notes.append("no HTML report to compare tables with")
    return outcome


__all__ = ["Reproduction", "compare_figures", "compare_tables", "html_tables", "reproduce"]
