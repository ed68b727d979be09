"""``mss-eval template``: blank data templates per instrument."""

from __future__ import annotations

import argparse
import sys

HELP = "lege invulsjablonen per instrument maken (xlsx of csv) / write blank data templates"
DESCRIPTION = """\
Maakt per instrument een leeg sjabloon om gegevens in te vullen.

  xlsx  een Excel-werkmap per instrument: blad 'gegevens' met de kolomnamen in de kopregel,
        keuzelijsten voor gecodeerde antwoorden en controle op getallen en datums, en blad
        'toelichting' met per kolom de vraag, de toegestane antwoorden en de codes voor
        ontbrekend.
  csv   per instrument een CSV-bestand met alleen de kopregel, plus codebook.csv met de
        toelichting op alle kolommen.

Laat de kopregel ongewijzigd: bij het inlezen worden kolommen op naam herkend. Zet een ingevuld
bestand in data/<ronde>/<regio>/<instrument>.xlsx (of .csv) van de studie.

Writes a blank template per instrument: an Excel workbook with dropdowns and range checks and an
explanation sheet, or a header-only CSV file plus codebook.csv.

Voorbeeld / example:
  mss-eval template --out sjablonen
  mss-eval template --format csv --out sjablonen --instrument client_interview
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx",
                        help="bestandsformaat / file format (standaard/default: xlsx)")
    parser.add_argument("--out", required=True, metavar="MAP",
                        help="map waarin de sjablonen komen / folder to write the templates to")
    parser.add_argument("--instrument", action="append", metavar="ID", default=None,
                        help="alleen dit instrument (mag vaker) / only this instrument "
                        "(repeatable); standaard alle / default all")
    parser.add_argument("--language", choices=("nl", "en"), default="nl",
                        help="taal van bladnamen, keuzelijsten en toelichting / language of sheet "
                        "names, dropdowns and explanations (standaard/default: nl)")


def run(args: argparse.Namespace) -> int:
    from ..instruments import instruments
    from ..templates import write_templates

    known = instruments()
    unknown = [i for i in args.instrument or [] if i not in known]
    if unknown:
        if args.language == "en":
            print(f"unknown instrument: {', '.join(unknown)}; choose from: "
                  f"{', '.join(sorted(known))}", file=sys.stderr)
        else:
            print(f"onbekend instrument: {', '.join(unknown)}; kies uit: "
                  f"{', '.join(sorted(known))}", file=sys.stderr)
        return 2
    written = write_templates(args.out, fmt=args.format, instruments=args.instrument,
                              language=args.language)
    for path in written:
        print(path)
    return 0
