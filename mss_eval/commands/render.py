"""``mss-eval render STUDY``: render the reports of a study (HTML, PDF, DOCX) and an index."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

HELP = "maak de rapporten / render the reports (per regio, per ronde, eindrapport)"

DESCRIPTION = """\
Maak de rapporten van een studie: een rapport per regio per ronde, een tussenrapportage per ronde
(de regio's naast elkaar) en een eindrapport over alle rondes. Elk rapport komt als HTML, PDF en
Word (DOCX), met het uitgevoerde notebook en figures.json (de kerncijfers) ernaast; index.html
geeft een overzicht. Rapporten worden tegelijk gemaakt (--jobs); mislukt er één, dan gaan de
andere door en staat aan het eind welk rapport, welke cel en welke fout (afsluitcode 1).

Render the reports of a study: a report per region per round, an interim report per round
(regions side by side) and a final report across rounds. Each report is written as HTML, PDF and
Word (DOCX), with the executed notebook and figures.json (the key figures) beside it; index.html
lists them. Reports render in parallel (--jobs); if one fails the others go on, and the summary
names the report, cell and error (exit code 1).

Met --round alleen die ronde(s) (regio- en tussenrapporten); met --region alleen de rapporten van
die regio('s). / With --round only those rounds (region and interim reports); with --region only
the reports of those regions.

Eén render tegelijk per uitvoermap: een tweede stopt meteen en noemt de eerste (proces,
starttijd), of wacht met --wait. Ctrl-C of SIGTERM stopt netjes: wat klaar is blijft staan, niets
blijft half geschreven, en dezelfde opdracht opnieuw maakt de rest. Elk rapport wordt vóór het
plaatsen gecontroleerd op lekken (zoals mss-eval check-report); een rapport dat lekt, mislukt.
/ One render at a time per output folder: a second one stops at once and names the first
(process, start time), or waits with --wait. Ctrl-C or SIGTERM stops cleanly: what is finished
stays, nothing is left half written, and the same command again renders the rest. Each report is
checked for leaks (as mss-eval check-report does) before it is put in place; a report that leaks
fails.

Afsluitcode / exit code: 0 alles gemaakt / all rendered; 1 een rapport mislukt of de map is in
gebruik / a report failed or the folder is in use; 2 verkeerd gebruik / usage error;
130 onderbroken met Ctrl-C / interrupted by Ctrl-C; 143 gestopt met SIGTERM / stopped by SIGTERM.

Voorbeeld / example:
  mss-eval render data_templates/example_study --out reports/example_study
  mss-eval render mijn_studie --round 2010-1 --region den_haag --format html,pdf
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..render.plan import DEFAULT_PDF_ENGINE, PDF_ENGINES

    parser.add_argument("study", metavar="STUDY",
                        help="de studiemap (met study.yaml) / the study folder (with study.yaml)")
    parser.add_argument("--round", dest="rounds", action="append", metavar="R",
                        help="alleen deze ronde (herhaalbaar) / only this round (repeatable)")
    parser.add_argument("--region", dest="regions", nargs="+", action="extend", metavar="X",
                        help="alleen deze regio('s) / only these region(s)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="aantal rapporten tegelijk (standaard: aantal processorkernen) / "
                             "reports at a time (default: number of cores)")
    parser.add_argument("--format", default="html,pdf,docx", metavar="html,pdf,docx",
                        help="formaten, met komma's (standaard alle drie) / formats, "
                             "comma-separated (default all three)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="uitvoermap (standaard STUDY/reports) / output folder "
                             "(default STUDY/reports)")
    parser.add_argument("--force", action="store_true",
                        help="alles opnieuw maken, ook wat niet veranderd is / render everything, "
                             "also what did not change")
    parser.add_argument("--language", choices=["nl", "en"], default=None,
                        help="taal van de rapporten (standaard die van study.yaml) / report "
                             "language (default: the study's)")
    parser.add_argument("--wait", action="store_true",
                        help="wacht tot een andere render in dezelfde uitvoermap klaar is / wait "
                             "until another render in the same output folder has finished")
    parser.add_argument("--notebooks", default=None, metavar="DIR",
                        help="rapportnotebooks uit deze map in plaats van de meegeleverde / "
                             "report notebooks from this folder instead of the shipped ones")
    parser.add_argument("--pdf-engine", choices=PDF_ENGINES, default=DEFAULT_PDF_ENGINE,
                        help="hoe de PDF's gezet worden: typst (standaard, snel) of weasyprint "
                             "(met de opmaak van de HTML-pagina) / how PDFs are typeset: typst "
                             "(default, fast) or weasyprint (styled like the HTML page)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="stuur de rapporten naar een Dask-cluster (tcp://host:8786) in "
                             "plaats van lokale processen / send the reports to a Dask cluster "
                             "(tcp://host:8786) instead of local processes")


def command_line(argv: list[str] | None = None) -> str:
    """The command as the user typed it, for the reports' provenance appendix."""
    args = list(sys.argv[1:] if argv is None else argv)
    return "mss-eval " + " ".join(shlex.quote(a) for a in args)


def run(args: argparse.Namespace) -> int:
    study = Path(args.study)
    if not (study / "study.yaml").is_file():
        print(f"mss-eval render: geen study.yaml in '{study}' / no study.yaml in '{study}'",
              file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("mss-eval render: --jobs moet 1 of meer zijn / must be 1 or more", file=sys.stderr)
        return 2
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]

    from ..render import render_study

    executor_factory = None
    if args.scheduler:
        from ..render.dask_executor import dask_executor_factory

        executor_factory = dask_executor_factory(args.scheduler,
                                                 language=args.language or "nl")
    summary = render_study(
        study,
        rounds=args.rounds,
        regions=args.regions,
        jobs=args.jobs,
        formats=formats,
        out_dir=args.out,
        force=args.force,
        language=args.language,
        rendered_by=getattr(args, "rendered_by", None) or command_line(),
        wait=args.wait,
        notebook_dir=args.notebooks,
        executor_factory=executor_factory,
        pdf_engine=args.pdf_engine,
    )
    stream = sys.stderr if summary.exit_code else sys.stdout
    print(summary.describe(), file=stream)
    return summary.exit_code
