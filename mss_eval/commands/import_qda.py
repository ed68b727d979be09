"""``mss-eval import-qda``: a coded project from a QDA tool into a region's coded segments."""

from __future__ import annotations

import argparse
import sys

HELP = ("gecodeerde interviews uit een QDA-programma (REFI-QDA .qdpx) inlezen / import coded "
        "interviews from a QDA tool (REFI-QDA .qdpx)")

DESCRIPTION = """\
Leest een project dat ATLAS.ti, MAXQDA, NVivo of QualCoder heeft geëxporteerd in de open
REFI-QDA-standaard (.qdpx) en schrijft de gecodeerde fragmenten van één regio en ronde naar
STUDIE/data/RONDE/REGIO/coded_segments.csv: per codering de bron, de soort bron, de code uit het
studiecodeboek, de codeur, de positie en (privé) het fragment. Het .qdpx-bestand wordt alleen
gelezen.

- Codes worden gekoppeld aan het studiecodeboek op hun pad ("niveau/code", of de labels); andere
  namen koppelt u met --mapping (YAML of CSV, zie docs/qualitative.md). Codes die nergens bij
  horen worden opgesomd en de import stopt, tenzij --allow-unmapped.
- De soort bron (algemeen interview, partnerinterview, cliëntinterview, terugkoppelings-
  bijeenkomst, document) komt uit een variabele 'soort bron', een case met die variabele, of een
  documentgroep met de naam van de soort; anders uit --source-kind.
- Posities tellen tekens; NVivo telt UTF-16-eenheden (een emoji telt twee) en dat wordt bij
  het inlezen omgerekend. De codeur is wie de codering maakte (bij NVivo: wie de selectie
  maakte). Fragmentnummers volgen uit bron, positie, code en codeur, en blijven dus gelijk bij
  een nieuwe export van hetzelfde project. Gecodeerde tekst in pdf's wordt overgenomen; notities en
  memo's niet (een waarschuwing noemt hoeveel).
- Een bestaand coded_segments.csv wordt alleen vervangen met --replace.
- Met een codeboek (.qdc) wordt alleen gecontroleerd of alle codes gekoppeld kunnen worden.

Reads a REFI-QDA project (.qdpx) exported by a QDA tool and writes the coded segments of one
region and round to STUDY/data/ROUND/REGION/coded_segments.csv. Codes map to the study codebook by
path or label, or through --mapping; unmapped codes are listed and stop the import unless
--allow-unmapped. The source kind comes from a variable 'source kind', a case with it, a document
group named after the kind, or --source-kind. Positions count characters (NVivo's UTF-16
positions are converted); segment ids follow from source, positions, code and coder, so they stay
the same in a new export of the same project. The .qdpx file is only read.

Voorbeeld / example:
  mss-eval import-qda denhaag.qdpx --study mijn_studie --round 2010-1 --region den_haag
  mss-eval import-qda denhaag.qdpx --study mijn_studie --round 2010-1 --region den_haag \\
      --mapping koppeling.yaml --replace
"""

_WORDS = {
    "nl": {"written": "geschreven", "segments": "gecodeerde fragmenten", "sources": "bronnen",
           "coders": "codeurs", "kind": "per soort bron", "mapped": "codes gekoppeld",
           "left_out": "codes bewust weggelaten (koppelbestand)", "warning": "waarschuwing",
           "checked": "codes in het codeboek, gekoppeld", "unmapped": "niet gekoppeld",
           "sha": "invoer sha256"},
    "en": {"written": "written", "segments": "coded segments", "sources": "sources",
           "coders": "coders", "kind": "per source kind", "mapped": "codes mapped",
           "left_out": "codes left out on purpose (mapping file)", "warning": "warning",
           "checked": "codes in the codebook, mapped", "unmapped": "not mapped",
           "sha": "input sha256"},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="BESTAND",
                        help="het REFI-QDA-bestand (.qdpx, .qde of .qdc) / the REFI-QDA file")
    parser.add_argument("--study", required=True, metavar="STUDIE",
                        help="de studiemap (met study.yaml) / the study folder")
    parser.add_argument("--round", required=True, metavar="RONDE",
                        help="ronde-id uit study.yaml / round id from study.yaml")
    parser.add_argument("--region", required=True, metavar="REGIO",
                        help="regio-id uit study.yaml / region id from study.yaml")
    parser.add_argument("--mapping", metavar="KOPPELBESTAND", default=None,
                        help="koppeling van codes in het programma naar het studiecodeboek "
                        "(.yaml of .csv) / mapping of tool codes to the study codebook")
    parser.add_argument("--allow-unmapped", action="store_true",
                        help="coderingen van niet-gekoppelde codes weglaten (ze worden wel "
                        "opgesomd) / leave out codings of unmapped codes (still listed)")
    parser.add_argument("--source-kind", metavar="SOORT", default=None,
                        help="soort bron voor bronnen zonder variabele of documentgroep, "
                        "bijvoorbeeld client_interview / source kind for sources without one")
    parser.add_argument("--replace", action="store_true",
                        help="een bestaand coded_segments.csv vervangen / replace an existing "
                        "coded_segments.csv")
    parser.add_argument("--lenient", action="store_true",
                        help="afwijkingen van het REFI-QDA-schema als waarschuwing melden in "
                        "plaats van als fout / report schema deviations as warnings")
    parser.add_argument("--language", choices=("nl", "en"), default=None,
                        help="taal van de meldingen (standaard die van de studie) / language of "
                        "the messages (default the study's)")


def run(args: argparse.Namespace) -> int:
    from ..instruments import get_instrument
    from ..qualitative.importer import import_qda

    result = import_qda(args.file, args.study, args.round, args.region, mapping=args.mapping,
                        allow_unmapped=args.allow_unmapped, replace=args.replace,
                        default_source_kind=args.source_kind, strict=not args.lenient,
                        language=args.language)
    language = args.language or _language(args.study)
    w = _WORDS[language]
    for p in result.problems:
        print(f"{w['warning']}: {p.describe(language)}", file=sys.stderr)
    mapping = result.mapping
    if result.output_file is None:  # a codebook was checked
        total = len(mapping.mapped) + len(mapping.unmapped) + len(mapping.left_out)
        print(f"{result.input_file.name}: {total} {w['checked']}: {len(mapping.mapped)}; "
              f"{w['unmapped']}: {len(mapping.unmapped)}")
        for tool in mapping.unmapped:
            print(f"  - {tool}")
        return 1 if mapping.unmapped and not args.allow_unmapped else 0
    print(f"{w['written']}: {result.output_file}")
    print(f"  {result.segments} {w['segments']}, {result.sources} {w['sources']}, "
          f"{len(result.coders)} {w['coders']}")
    if result.segments_by_kind:
        labels = get_instrument("coded_segments").labels("source_kind", language)
        kinds = ", ".join(f"{labels[k]} {n}" for k, n in result.segments_by_kind.items())
        print(f"  {w['kind']}: {kinds}")
    print(f"  {len(mapping.mapped)} {w['mapped']}"
          + (f"; {len(mapping.left_out)} {w['left_out']}" if mapping.left_out else ""))
    print(f"  {w['sha']}: {result.input_sha256}")
    return 0


def _language(study: str) -> str:
    from ..problems import StudyError
    from ..study import load_config

    try:
        return load_config(study).settings.language
    except StudyError:
        return "nl"
