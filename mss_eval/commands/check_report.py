"""``mss-eval check-report PATH``: look for leaks in rendered reports before they are shared."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = ("controleer rapporten op herleidbare gegevens / check reports for data that point to a "
        "person")

DESCRIPTION = """\
Controleer gemaakte rapporten voordat u ze deelt: HTML, PDF, Word (DOCX), figures.json en de
uitgevoerde notebooks, één bestand of een hele map. Gezocht wordt naar direct identificerende
gegevens (burgerservicenummers, e-mailadressen, telefoonnummers, postcodes met huisnummer,
geboortedatums), pseudoniemen van respondenten en tabellen met gegevens per respondent. Met
--study ook naar de respondentnummers, pseudoniemen en open antwoorden van die studie en naar
fragmenten van gecodeerde interviews die niet zijn goedgekeurd. Per vondst één regel met bestand,
plaats (regel, pagina, cel) en soort; de gevonden waarde zelf wordt nooit getoond, alleen de
eerste twee tekens. De bestanden worden alleen gelezen.

Check rendered reports before sharing them: HTML, PDF, Word (DOCX), figures.json and the executed
notebooks, one file or a whole folder. It looks for direct identifiers (citizen service numbers,
e-mail addresses, phone numbers, postcodes with house numbers, dates of birth), respondents'
pseudonyms and tables of data per respondent; with --study also for that study's respondent
numbers, pseudonyms and open answers, and for excerpts of coded interviews that were not approved.
One line per finding with file, place (line, page, cell) and kind; the value found is never shown,
only its first two characters. Files are only read.

Afsluitcode / exit code: 0 niets gevonden / nothing found; 1 mogelijke lekken gevonden / possible
leaks found; 2 verkeerd gebruik / usage error.

Voorbeeld / example:
  mss-eval check-report reports/example_study --study data_templates/example_study
  mss-eval check-report rapport.pdf --format json
"""

_WORDS = {
    "nl": {"leak": "LEK", "clean": "Geen lekken gevonden in {files} bestand(en).",
           "found": "{count} mogelijk(e) lek(ken) in {bad} van {files} bestand(en); deel deze "
                    "rapporten niet voordat dit is opgelost."},
    "en": {"leak": "LEAK", "clean": "No leaks found in {files} file(s).",
           "found": "{count} possible leak(s) in {bad} of {files} file(s); do not share these "
                    "reports until this is resolved."},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH",
                        help="een rapportbestand of een map met rapporten / a report file or a "
                             "folder of reports")
    parser.add_argument("--study", metavar="STUDY", default=None,
                        help="de studiemap waaruit de rapporten zijn gemaakt / the study folder "
                             "the reports were made from")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="text: één regel per vondst (standaard); json: voor andere "
                             "programma's / text: one line per finding (default); json: for "
                             "tools")
    parser.add_argument("--language", choices=["nl", "en"], default=None,
                        help="taal van de meldingen (standaard die van de studie, anders "
                             "Nederlands) / language of the messages (default: the study's, "
                             "else Dutch)")


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.exists():
        print(f"mss-eval check-report: '{path}' bestaat niet / does not exist", file=sys.stderr)
        return 2
    study = Path(args.study) if args.study else None
    if study is not None and not (study / "study.yaml").is_file():
        print(f"mss-eval check-report: geen study.yaml in '{study}' / no study.yaml in "
              f"'{study}'", file=sys.stderr)
        return 2

    from ..privacy import Screen, check_report, report_files

    language = args.language
    if study is not None:
        screen = Screen.from_study(study, language=language)
    else:
        screen = Screen.patterns_only(language=language or "nl")
    language = screen.language
    findings = check_report(path, screen=screen)
    files = report_files(path)
    bad = len({f.file for f in findings})
    w = _WORDS.get(language, _WORDS["nl"])
    count = sum(int(f.value) if f.kind == "more" else 1 for f in findings)
    summary = (w["found"].format(count=count, bad=bad, files=len(files)) if findings
               else w["clean"].format(files=len(files)))
    if args.format == "json":
        print(json.dumps({"path": str(path), "study": None if study is None else str(study),
                          "clean": not findings, "files": len(files), "summary": summary,
                          "findings": [f.to_dict() for f in findings]},
                         ensure_ascii=False, indent=2))
    else:
        for f in findings:
            print(f"{w['leak']}: {f.describe()}")
        print(summary)
    return 1 if findings else 0
