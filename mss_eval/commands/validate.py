"""``mss-eval validate STUDY``: check a study folder and list every problem as a sentence."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "controleer een studiemap / check a study folder (study.yaml, mappen, gegevensbestanden)"

DESCRIPTION = """\
Controleer een studiemap voordat u analyseert: study.yaml, de mappen data/<ronde>/<regio>/ en elk
gegevensbestand (.csv, .xlsx, .sav) tegen zijn vragenlijst. Per probleem één regel met bestand,
blad, rij (zoals in Excel: de kopregel is rij 1), kolom, de waarde, wat er mis is en wat wel mag.
Ook wordt gezocht naar direct identificerende gegevens (namen, BSN, e-mail, telefoon, postcode met
huisnummer, geboortedatum): die moeten uit de bestanden. De bestanden worden alleen gelezen, nooit
gewijzigd.

Check a study folder before analysing it: study.yaml, the folders data/<round>/<region>/ and every
data file (.csv, .xlsx, .sav) against its questionnaire. One line per problem with file, sheet,
row (as in Excel: the header is row 1), column, the value, what is wrong and what is allowed.
Direct identifiers (names, citizen service numbers, e-mail, phone, postcode with house number,
date of birth) are reported too: they must be removed. Files are only read, never changed.

Afsluitcode / exit code: 0 geldig (waarschuwingen mogen) / valid (warnings allowed);
1 er zijn fouten / there are errors; 2 verkeerd gebruik / usage error.

Voorbeeld / example:
  mss-eval validate data_templates/example_study
  mss-eval validate mijn_studie --format json > problemen.json
"""

_SEVERITY = {"nl": {"error": "FOUT", "warning": "WAARSCHUWING"},
             "en": {"error": "ERROR", "warning": "WARNING"}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="de studiemap (met study.yaml) / the study folder (with study.yaml)")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="text: één regel per probleem (standaard); json: voor andere "
                             "programma's / text: one line per problem (default); json: for tools")
    parser.add_argument("--language", choices=["nl", "en"], default=None,
                        help="taal van de meldingen (standaard die van study.yaml) / language of "
                             "the messages (default: the study's)")


def run(args: argparse.Namespace) -> int:
    study = Path(args.study)
    if not study.is_dir():
        text = (f"mss-eval validate: '{study}' is geen map; geef de studiemap op (met "
                f"study.yaml) / is not a folder; give the study folder (with study.yaml)")
        print(text, file=sys.stderr)
        return 2

    from ..input.validate import validate_study

    report = validate_study(study, language=args.language)
    language = report.language
    if args.format == "json":
        payload = {
            "study": str(study),
            "valid": report.valid,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "summary": report.summary(),
            "files": [{"file": f.file, "instrument": f.instrument, "round": f.round,
                       "region": f.region, "format": f.format, "sheet": f.sheet,
                       "encoding": f.encoding, "delimiter": f.delimiter, "rows": f.rows,
                       "sha256": f.sha256} for f in report.files],
            "problems": [p.to_dict() for p in report.problems],
            "completeness": report.completeness,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        words = _SEVERITY.get(language, _SEVERITY["nl"])
        for p in report.problems:
            print(f"{words[p.severity]}: {p.describe(language)}")
        if report.completeness:
            print("Volledigheid per ronde en regio:" if language != "en" else
                  "Completeness per round and region:")
            for line in report.completeness_lines():
                print(f"  {line}")
        for line in _case_mix_lines(report, language):
            print(line)
        print(report.summary())
    return 0 if report.valid else 1


def _case_mix_lines(report, language: str) -> list[str]:
    """One line per file that lacks a case-mix column: among many warnings, the one that costs
    the adjusted rating is said again at the end, on its own."""
    case_mix = set(getattr(getattr(report.config, "settings", None), "case_mix", ()) or ())
    by_file: dict[str, list[str]] = {}
    for p in report.problems:
        if p.code == "column_absent" and p.column in case_mix and p.file:
            by_file.setdefault(p.file, []).append(p.column)
    out = []
    for file, columns in by_file.items():
        names = ", ".join(columns)
        out.append(f"LET OP: {file} heeft geen kolom voor {names}; de rapporten missen daardoor "
                   "het voor achtergrond gecorrigeerde rapportcijfer van deze regio (koppel de "
                   "kolom in de mapping als de export hem heeft)" if language != "en" else
                   f"NOTE: {file} has no column for {names}; the reports therefore lack the "
                   "rating adjusted for background for this region (map the column in the "
                   "mapping if the export has it)")
    return out
