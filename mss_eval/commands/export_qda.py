"""``mss-eval export-qda``: a region's coded segments as a REFI-QDA project (.qdpx)."""

from __future__ import annotations

import argparse
import sys

HELP = ("de gecodeerde fragmenten van een regio exporteren als REFI-QDA-project (.qdpx) / "
        "export a region's coded segments as a REFI-QDA project (.qdpx)")

DESCRIPTION = """\
Schrijft de gecodeerde fragmenten van één regio en ronde (STUDIE/data/RONDE/REGIO/coded_segments)
als REFI-QDA-project (.qdpx) dat QualCoder, ATLAS.ti, MAXQDA en NVivo kunnen openen, bijvoorbeeld
om de codering te laten nakijken of een tweede codeur te laten coderen. Het project heeft het
studiecodeboek (unieke codenamen), één gebruiker per codeur, per bron een variabele 'soort bron'
en de fragmenten op hun eigen plaats; de tekst van de interviews tussen de fragmenten staat niet
in de studie en blijft leeg. 'mss-eval import-qda' van het project geeft dezelfde fragmenten met
dezelfde nummers, zodat goedgekeurde citaten blijven gelden. Het bestand bevat de fragmenten
(privé): deel het alleen met wie de codering mag zien.

Writes the coded segments of one region and round as a REFI-QDA project (.qdpx) for a QDA tool:
the study codebook (unique code names), one user per coder, a variable 'soort bron' per source
and each excerpt at its own positions (the rest of an interview is not in the study and stays
blank). Importing it with 'mss-eval import-qda' gives the same segments with the same ids. The
file holds the excerpts (private).

Voorbeeld / example:
  mss-eval export-qda --study mijn_studie --round 2010-1 --region den_haag --out den_haag.qdpx
"""

_WORDS = {
    "nl": {"written": "geschreven", "segments": "gecodeerde fragmenten", "sources": "bronnen",
           "coders": "codeurs", "warning": "waarschuwing"},
    "en": {"written": "written", "segments": "coded segments", "sources": "sources",
           "coders": "coders", "warning": "warning"},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study", required=True, metavar="STUDIE",
                        help="de studiemap (met study.yaml) / the study folder")
    parser.add_argument("--round", required=True, metavar="RONDE",
                        help="ronde-id uit study.yaml / round id from study.yaml")
    parser.add_argument("--region", required=True, metavar="REGIO",
                        help="regio-id uit study.yaml / region id from study.yaml")
    parser.add_argument("--out", required=True, metavar="BESTAND",
                        help="het .qdpx-bestand dat wordt geschreven / the .qdpx file to write")
    parser.add_argument("--names", choices=("keys", "labels"), default="labels",
                        help="codenamen: labels of sleutels / code names: labels or keys "
                        "(standaard/default: labels)")
    parser.add_argument("--language", choices=("nl", "en"), default=None,
                        help="taal van labels en meldingen (standaard die van de studie) / "
                        "language of labels and messages (default the study's)")


def run(args: argparse.Namespace) -> int:
    from ..qualitative.export import write_project_qdpx
    from .import_qda import _language

    language = args.language or _language(args.study)
    result = write_project_qdpx(args.out, args.study, args.round, args.region,
                                names=args.names, language=language)
    w = _WORDS[language]
    for p in result.problems:
        print(f"{w['warning']}: {p.describe(language)}", file=sys.stderr)
    print(f"{w['written']}: {args.out}")
    print(f"  {result.segments} {w['segments']}, {result.sources} {w['sources']}, "
          f"{len(result.coders)} {w['coders']}")
    return 0
