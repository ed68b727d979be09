"""``mss-eval export STUDY --out DIR``: the key figures as open data (a Frictionless Data
Package)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = ("kerncijfers als open data (Frictionless Data Package) / key figures as open data "
        "(Frictionless Data Package)")

DESCRIPTION = """\
Schrijf de kerncijfers van een studie als open data: een Frictionless Data Package
(datapackage.json met CSV-bestanden en hun Table Schema: typen, eenheden, omschrijvingen in het
Nederlands en Engels, ontbrekende waarden). key_figures.csv geeft elk kerncijfer per regio en
ronde, per ronde en voor de hele studie (lang formaat: figure, scope, round, region, value,
ci_low, ci_high, n, suppressed); verder de gegevensverzameling (data_collection.csv), elk cijfer
over de rondes (time_series.csv), veranderingen tussen rondes (changes.csv) en wat elk cijfer
betekent (figures.csv). Dezelfde cijfers en dezelfde onderdrukking als in de rapporten
(figures.json): een onderdrukt cijfer staat er als x. Niets op het niveau van respondenten.

Write the key figures of a study as open data: a Frictionless Data Package (datapackage.json
with CSV files and their Table Schema: types, units, descriptions in Dutch and English, missing
values). key_figures.csv has every key figure per region and round, per round and for the whole
study (long format); further the data collection, each figure over the rounds, changes between
rounds and what each figure means. The same numbers and suppression as the reports
(figures.json): a suppressed figure is written as x. Nothing at the level of respondents.

Met --round alleen die ronde(s) (geen cijfers over de hele studie). / With --round only those
rounds (no figures of the whole study).

Afsluitcode / exit code: 0 geschreven en geldig / written and valid; 1 de studie heeft fouten
of het pakket is ongeldig / the study has errors or the package is invalid; 2 verkeerd gebruik /
usage error.

Voorbeeld / example:
  mss-eval export data_templates/example_study --out reports/example_study/open_data
  frictionless validate reports/example_study/open_data/datapackage.json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="de studiemap (met study.yaml) / the study folder (with study.yaml)")
    parser.add_argument("--round", dest="rounds", action="append", metavar="R",
                        help="alleen deze ronde (herhaalbaar) / only this round (repeatable)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="map voor datapackage.json en de CSV-bestanden / folder for "
                             "datapackage.json and the CSV files")
    parser.add_argument("--language", choices=["nl", "en"], default=None,
                        help="taal van tekstwaarden (standaard die van study.yaml) / language "
                             "of text values (default: the study's)")


def run(args: argparse.Namespace) -> int:
    study = Path(args.study)
    if not (study / "study.yaml").is_file():
        print(f"mss-eval export: geen study.yaml in '{study}' / no study.yaml in '{study}'",
              file=sys.stderr)
        return 2
    from ..open_data import export_study

    result = export_study(study, args.out, rounds=args.rounds, language=args.language)
    counts = ", ".join(f"{name}.csv {n}" for name, n in result.rows.items())
    if not result.valid:
        print(f"{result.package}: het pakket is ongeldig / the package is invalid:",
              file=sys.stderr)
        for error in result.errors[:20]:
            print(f"  - {error}", file=sys.stderr)
        return 1
    print(f"{result.package} geschreven en geldig (frictionless) / written and valid: "
          f"{counts} rijen/rows")
    from ..render.index import OPEN_DATA_DIR, STATUS_FILE, refresh_index

    # beside rendered reports (<out>/open_data): the dashboard links the package
    out = Path(args.out).resolve()
    if out.name == OPEN_DATA_DIR and (out.parent / STATUS_FILE).is_file():
        index = refresh_index(out.parent, study, args.language)
        print(f"{index} bijgewerkt / updated")
    return 0
