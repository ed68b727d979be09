"""``mss-eval check-disclosure REPORTS``: the subtraction attack on a rendered study."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = ("controleer of onderdrukte cijfers af te leiden zijn / check that suppressed figures "
        "cannot be worked out")

DESCRIPTION = """\
Speel de aanvaller met alleen wat een studie publiceert: alle figures.json-bestanden van de
rapporten in de map en de open data (key_figures.csv). Per kerncijfer worden de cijfers van de
regio's, de rondes en de hele studie met hun basis (n) tegen elkaar weggestreept, zoals iemand met
een rekenmachine of een lineair programma dat kan. Gemeld wordt: een onderdrukt cijfer dat toch
precies af te leiden is (bijvoorbeeld omdat twee verborgen regio's samen 0% hebben), een groep
verborgen regio's waarvan het samen-cijfer af te leiden is en op minder respondenten rust dan het
minimum, en een cijfer dat in de open data anders staat dan in figures.json. De bestanden worden
alleen gelezen.

Play the attacker with only what a study publishes: every figures.json of the reports in the
folder and the open data (key_figures.csv). For each key figure the values of the regions, the
rounds and the whole study, with their bases (n), are subtracted from one another, as anyone with
a calculator or a linear programme can. Reported: a suppressed figure that can still be worked out
exactly (for instance because two hidden regions have 0% together), a group of hidden regions
whose combined figure follows and rests on fewer respondents than the minimum, and a figure the
open data give differently from figures.json. Files are only read.

Afsluitcode / exit code: 0 niets af te leiden / nothing can be worked out; 1 af te leiden cijfers
gevonden / figures that can be worked out; 2 verkeerd gebruik / usage error.

Voorbeeld / example:
  mss-eval check-disclosure reports/example_study
  mss-eval check-disclosure reports/example_study --min-respondents 5 --format json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="REPORTS",
                        help="de map met de gemaakte rapporten en open data / the folder of the "
                             "rendered reports and open data")
    parser.add_argument("--min-respondents", type=int, default=None, metavar="K",
                        help="het minimum aantal respondenten (standaard dat uit figures.json) / "
                             "the minimum number of respondents (default: figures.json's)")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="text: één regel per vondst (standaard); json: voor andere "
                             "programma's / text: one line per finding (default); json: for tools")


def _min_n(folder: Path) -> int | None:
    for path in sorted(folder.rglob("figures.json")) if folder.is_dir() else [folder]:
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("meta") or {}
        except (OSError, ValueError):
            continue
        if meta.get("min_respondents"):
            return int(meta["min_respondents"])
    return None


def run(args: argparse.Namespace) -> int:
    from ..privacy.subtraction import audit, published_records

    folder = Path(args.path)
    if not folder.exists():
        print(f"mss-eval check-disclosure: '{folder}' bestaat niet / does not exist",
              file=sys.stderr)
        return 2
    records = published_records(folder)
    if not records:
        print(f"mss-eval check-disclosure: geen figures.json of key_figures.csv in '{folder}' / "
              f"no figures.json or key_figures.csv in '{folder}'", file=sys.stderr)
        return 2
    min_n = args.min_respondents or _min_n(folder) or 5
    findings = audit(folder, min_n=min_n)
    figures = len({r.figure for r in records})
    summary = (f"{len(findings)} cijfer(s) af te leiden uit {len(records)} gepubliceerde cijfers; "
               f"publiceer deze uitvoer niet / {len(findings)} figure(s) can be worked out from "
               f"{len(records)} published records; do not publish these outputs"
               if findings else
               f"Niets onderdrukts af te leiden uit {len(records)} gepubliceerde cijfers van "
               f"{figures} kerncijfers (minimum {min_n}) / nothing suppressed can be worked out "
               f"from {len(records)} published records of {figures} key figures")
    if args.format == "json":
        print(json.dumps({"path": str(folder), "min_respondents": min_n, "clean": not findings,
                          "records": len(records), "summary": summary,
                          "findings": [f.to_dict() for f in findings]},
                         ensure_ascii=False, indent=2))
    else:
        for f in findings:
            print(f"AF TE LEIDEN / DERIVABLE: {f.describe()}")
        print(summary)
    return 1 if findings else 0
