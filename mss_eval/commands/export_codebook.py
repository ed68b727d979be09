"""``mss-eval export-codebook``: the study codebook for a region's QDA tool (REFI-QDA .qdc)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = ("het studiecodeboek exporteren voor een QDA-programma (REFI-QDA .qdc) / export the "
        "study codebook for a QDA tool")

DESCRIPTION = """\
Schrijft het codeboek voor de kwalitatieve interviews (questionnaires/qualitative_codebook.yaml)
als REFI-QDA-codeboek (.qdc), dat ATLAS.ti, MAXQDA, NVivo en QualCoder kunnen inlezen voordat een
regio gaat coderen. Per niveau is er een hoofdcode met de thema's eronder. Dan koppelt
'mss-eval import-qda' de codes later zonder koppelbestand. De codes houden bij elke export dezelfde
GUID, zodat een bijgewerkt codeboek de bestaande codes herkent. Elke naam komt één keer voor
(QualCoder voegt codes met dezelfde naam samen): een thema waarvan de naam ook bij een ander
niveau hoort krijgt het niveau erachter, bijvoorbeeld 'peer_expertise (executive)'.

Met --names labels krijgen de codes de labels in de gekozen taal (--language) als naam in plaats
van de sleutels (executive / shorter_lines).

Writes the qualitative codebook as a REFI-QDA codebook (.qdc) for a region's QDA tool: one parent
code per level with its themes below, stable GUIDs, code keys as names (or labels with
--names labels), every name once (a repeated one gets its level in brackets). Without --out it is written to standard output.

Voorbeeld / example:
  mss-eval export-codebook --format qdc --out codeboek_mss.qdc
  mss-eval export-codebook --format qdc --names labels --language nl --out codeboek_mss.qdc
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("qdc",), default="qdc",
                        help="uitvoerformaat / output format (standaard/default: qdc)")
    parser.add_argument("--out", metavar="BESTAND", default=None,
                        help="schrijf naar dit bestand in plaats van het scherm / write to this "
                        "file instead of standard output")
    parser.add_argument("--names", choices=("keys", "labels"), default="keys",
                        help="codenamen: sleutels of labels / code names: keys or labels "
                        "(standaard/default: keys)")
    parser.add_argument("--language", choices=("nl", "en"), default="nl",
                        help="taal van de labels / language of the labels (standaard/default: nl)")


def run(args: argparse.Namespace) -> int:
    from ..qualitative.export import codebook_qdc_bytes

    data = codebook_qdc_bytes(names=args.names, language=args.language)
    if args.out is None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            sys.stdout.flush()
            buffer.write(data)
            buffer.flush()
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(out, file=sys.stderr)
    return 0
