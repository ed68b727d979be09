"""Which reports a render makes, from which notebook, with which parameters, into which files.

A study gives three kinds of report:

=========  ==============================  ==========================================
kind       notebook                        output (under the output folder)
=========  ==============================  ==========================================
region     ``region_report.ipynb``         ``<round>/<region>/mss_<round>_<region>.*``
round      ``round_report.ipynb``          ``<round>/mss_<round>.*``
final      ``final_report.ipynb``          ``mss_final.*``
=========  ==============================  ==========================================

Each report's folder also holds its ``figures.json``. Without filters every report is planned;
``rounds`` limits the plan to those rounds' region and round reports (no final report);
``regions`` limits it to those regions' reports (no round or final report).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..problems import MESSAGES, Problem, StudyError, message
from ..study import StudyConfig

Kind = Literal["region", "round", "final"]

NOTEBOOKS: dict[str, str] = {
    "region": "region_report.ipynb",
    "round": "round_report.ipynb",
    "final": "final_report.ipynb",
}
FORMATS = ("html", "pdf", "docx")
FIGURES_FILE = "figures.json"

MESSAGES.update({
    "render_unknown_round": {
        "nl": "ronde '{value}' staat niet in study.yaml; bekende rondes: {known}",
        "en": "round '{value}' is not in study.yaml; known rounds: {known}",
    },
    "render_unknown_region": {
        "nl": "regio '{value}' staat niet in study.yaml; bekende regio's: {known}",
        "en": "region '{value}' is not in study.yaml; known regions: {known}",
    },
    "render_region_not_in_round": {
        "nl": "regio '{value}' doet niet mee in de gekozen ronde(s) {rounds}",
        "en": "region '{value}' is not part of the chosen round(s) {rounds}",
    },
    "render_unknown_format": {
        "nl": "onbekend formaat '{value}'; kies uit html, pdf en docx",
        "en": "unknown format '{value}'; choose from html, pdf and docx",
    },
    "render_unknown_pdf_engine": {
        "nl": "onbekende PDF-machine '{value}'; kies typst of weasyprint",
        "en": "unknown PDF engine '{value}'; choose typst or weasyprint",
    },
})
#: The PDF engines (see mss_eval.render.export.write_pdf); the first is the default.
PDF_ENGINES = ("typst", "weasyprint")
DEFAULT_PDF_ENGINE = PDF_ENGINES[0]


def notebooks_dir() -> Path:
    """The folder with the report notebooks (``notebooks/`` at the project root)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "notebooks", here / "notebooks"):
        if (candidate / NOTEBOOKS["region"]).is_file():
            return candidate
    raise FileNotFoundError(
        "The report notebooks (notebooks/*.ipynb) were not found next to the mss_eval package. "
        "Install mss-eval from its source folder with 'pip install -e .'."
    )


@dataclass(frozen=True)
class ReportJob:
    """One report to render: what, from which notebook, into which files."""

    kind: Kind
    round: str | None
    region: str | None
    notebook: Path
    folder: Path
    stem: str
    title: str
    language: str
    formats: tuple[str, ...] = FORMATS
    #: how the PDF is printed: one of PDF_ENGINES (see mss_eval.render.export.write_pdf)
    pdf_engine: str = DEFAULT_PDF_ENGINE
    parameters: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        """A stable id: ``2010-1/den_haag``, ``2010-1`` or ``final``."""
        if self.kind == "region":
            return f"{self.round}/{self.region}"
        if self.kind == "round":
            return str(self.round)
        return "final"

    def output(self, fmt: str) -> Path:
        """The output file of a format: ``html``, ``pdf``, ``docx``, ``ipynb`` or ``figures``."""
        if fmt == "figures":
            return self.folder / FIGURES_FILE
        return self.folder / f"{self.stem}.{fmt}"

    @property
    def failed_notebook(self) -> Path:
        return self.folder / f"{self.stem}.failed.ipynb"

    def all_outputs(self) -> list[Path]:
        """Every file this report may have written, in any format, also from earlier runs."""
        return [self.output(f) for f in (*FORMATS, "ipynb", "figures")]


def _title(config: StudyConfig, kind: Kind, round_id: str | None, region_id: str | None,
           language: str) -> str:
    nl = language == "nl"
    if kind == "final":
        return "Eindrapport" if nl else "Final report"
    rnd = config.round(round_id)  # type: ignore[arg-type]
    if kind == "round":
        return (f"Tussenrapportage {rnd.label}" if nl else f"Interim report {rnd.label}")
    region = config.region(region_id)  # type: ignore[arg-type]
    return f"{region.name}, {rnd.label}"


def plan_reports(
    config: StudyConfig,
    study_path: Path,
    out_dir: Path,
    *,
    rounds: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    notebook_dir: Path | None = None,
    language: str | None = None,
    rendered_by: str | None = None,
    pdf_engine: str = DEFAULT_PDF_ENGINE,
) -> list[ReportJob]:
    """The reports to render, in study order: region reports first, then round, then final.

    Raises
    ------
    StudyError
        For a round or region not in study.yaml, a region not part of the chosen rounds, or an
        unknown format; the message lists what is known.
    """
    language = language or config.settings.language
    problems: list[Problem] = []
    round_ids = [r.id for r in config.rounds]
    region_ids = [r.id for r in config.regions]
    for fmt in formats:
        if fmt not in FORMATS:
            problems.append(Problem("render_unknown_format",
                                    message("render_unknown_format", language, value=fmt),
                                    value=fmt))
    if pdf_engine not in PDF_ENGINES:
        problems.append(Problem("render_unknown_pdf_engine",
                                message("render_unknown_pdf_engine", language, value=pdf_engine),
                                value=pdf_engine))
    for r in rounds or ():
        if r not in round_ids:
            problems.append(Problem("render_unknown_round", message(
                "render_unknown_round", language, value=r, known=", ".join(round_ids)), value=r))
    for g in regions or ():
        if g not in region_ids:
            problems.append(Problem("render_unknown_region", message(
                "render_unknown_region", language, value=g, known=", ".join(region_ids)),
                value=g))
    chosen_rounds = [r for r in config.rounds if not rounds or r.id in rounds]
    if regions and not problems:
        in_rounds = {g for r in chosen_rounds for g in r.regions}
        for g in regions:
            if g not in in_rounds:
                problems.append(Problem("render_region_not_in_round", message(
                    "render_region_not_in_round", language, value=g,
                    rounds=", ".join(r.id for r in chosen_rounds)), value=g))
    if problems:
        raise StudyError(problems, summary=problems[0].message)

    nb_dir = Path(notebook_dir) if notebook_dir else notebooks_dir()
    study_path = Path(study_path).resolve()
    out_dir = Path(out_dir).resolve()
    fmts = tuple(f for f in FORMATS if f in formats)

    def job(kind: Kind, round_id: str | None, region_id: str | None) -> ReportJob:
        if kind == "region":
            folder, stem = out_dir / str(round_id) / str(region_id), f"mss_{round_id}_{region_id}"
        elif kind == "round":
            folder, stem = out_dir / str(round_id), f"mss_{round_id}"
        else:
            folder, stem = out_dir, "mss_final"
        # only the parameters the kind's notebook declares (papermill warns about others)
        parameters = {"study": str(study_path), "round": round_id, "region": region_id,
                      "language": language, "rendered_by": rendered_by}
        if kind != "region":
            del parameters["region"]
        if kind == "final":
            del parameters["round"]
        return ReportJob(kind=kind, round=round_id, region=region_id,
                         notebook=nb_dir / NOTEBOOKS[kind], folder=folder, stem=stem,
                         title=_title(config, kind, round_id, region_id, language),
                         language=language, formats=fmts, pdf_engine=pdf_engine,
                         parameters=parameters)

    jobs = [job("region", r.id, g) for r in chosen_rounds for g in r.regions
            if not regions or g in regions]
    if not regions:
        jobs += [job("round", r.id, None) for r in chosen_rounds]
        if not rounds:
            jobs.append(job("final", None, None))
    return jobs
