"""``mss-eval codebook``: the instruments as a readable codebook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "codeboek van alle instrumenten (Markdown of HTML) / the instruments as a codebook"
DESCRIPTION = """\
Schrijft het codeboek: per instrument elke kolom met de vraag, het type, de toegestane antwoorden
met hun codes, het bereik, de codes voor ontbrekend, of de kolom verplicht is, de schaal en de
privacyklasse; daarna het codeboek voor de kwalitatieve interviews. Het codeboek komt uit
dezelfde definities (questionnaires/*.yaml) als de sjablonen en de validatie.

Writes the codebook of every instrument and the qualitative codebook, as Markdown or as one
self-contained HTML page; to the screen unless --out names a file.

Voorbeeld / example:
  mss-eval codebook --format html --out codeboek.html
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("md", "html"), default="md",
                        help="Markdown of HTML / Markdown or HTML (standaard/default: md)")
    parser.add_argument("--out", metavar="BESTAND", default=None,
                        help="schrijf naar dit bestand in plaats van het scherm / write to this "
                        "file instead of standard output")
    parser.add_argument("--language", choices=("nl", "en"), default="nl",
                        help="taal / language (standaard/default: nl)")


def run(args: argparse.Namespace) -> int:
    from ..codebook_doc import codebook_html, codebook_markdown

    text = (codebook_html if args.format == "html" else codebook_markdown)(args.language)
    if args.out is None:
        # bytes, so that the codebook is UTF-8 with \n line ends whatever the console's encoding
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        return 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8", newline="\n")
    print(out, file=sys.stderr)
    return 0
