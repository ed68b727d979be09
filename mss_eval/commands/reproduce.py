"""``mss-eval reproduce REPORT_DIR``: render a report again and check it gives the same numbers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = ("maak een rapport opnieuw en vergelijk de cijfers / render a report again and compare "
        "its figures")

DESCRIPTION = """\
Maak een rapport opnieuw, in een tijdelijke map, uit dezelfde studie en met dezelfde
parameters als in zijn herkomstbestand (ro-crate-metadata.json naast het rapport), en vergelijk
figures.json (elk kerncijfer) en elke tabel van het HTML-rapport. Afsluitcode 0 als alles gelijk
is; 1 als er iets verschilt, met de kerncijfers en tabellen die verschillen, de invoerbestanden
die sinds het rapport veranderd zijn en de softwareversies die anders zijn.

Render a report again, in a temporary folder, from the same study and with the same parameters
as its provenance file (ro-crate-metadata.json beside the report), and compare figures.json
(every key figure) and every table of the HTML report. Exit code 0 when all is identical; 1 when
anything differs, naming the key figures and tables that differ, the input files changed since
the report and the software versions that differ.

Afsluitcode / exit code: 0 gelijk / identical; 1 verschillen of het rapport kon niet opnieuw
worden gemaakt / differences, or the report could not be rendered again; 2 verkeerd gebruik /
usage error.

Voorbeeld / example:
  mss-eval reproduce reports/example_study/2010-1/den_haag
  mss-eval reproduce reports/example_study --study data_templates/example_study
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", metavar="REPORT_DIR",
                        help="de map van een rapport (met ro-crate-metadata.json) / a report's "
                             "folder (with ro-crate-metadata.json)")
    parser.add_argument("--study", default=None, metavar="STUDY",
                        help="de studiemap, als die verplaatst is / the study folder, if it "
                             "moved since the render")
    parser.add_argument("--keep", default=None, metavar="DIR",
                        help="maak het rapport in deze map en laat het staan / render into this "
                             "folder and keep it")
    parser.add_argument("--language", choices=["nl", "en"], default="nl",
                        help="taal van de meldingen / language of the messages")


def run(args: argparse.Namespace) -> int:
    from ..provenance import CRATE_FILE

    folder = Path(args.report)
    if not (folder / CRATE_FILE).is_file():
        print(f"mss-eval reproduce: geen {CRATE_FILE} in '{folder}' (maak het rapport opnieuw "
              f"met mss-eval render) / no {CRATE_FILE} in '{folder}' (render the report again "
              "with mss-eval render)", file=sys.stderr)
        return 2
    from ..render.reproduce import reproduce

    outcome = reproduce(folder, study=args.study, keep=args.keep)
    stream = sys.stdout if outcome.exit_code == 0 else sys.stderr
    print(outcome.describe(args.language), file=stream)
    return outcome.exit_code
