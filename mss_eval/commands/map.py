"""``mss-eval map FILE --instrument I``: propose a column mapping for a survey tool's export."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

HELP = ("koppeling voorstellen voor een export (SPSS, Qualtrics, LimeSurvey, Castor, REDCap) / "
        "propose a column mapping for an export")

DESCRIPTION = """\
Leest een export uit SPSS (.sav/.zsav), Qualtrics, LimeSurvey, Castor EDC of REDCap (.csv/.xlsx)
en stelt een koppeling (mapping) voor: welke kolom van de export welk item van het instrument is,
en welke antwoordcodes anders zijn (A1 -> 1). Kolommen worden herkend aan hun naam, hun label
(SPSS-variabelelabel, de vraagtekst van Qualtrics, een LimeSurvey-structuur .lss of R-syntax, de
veld- en optielijst van Castor of het data dictionary van REDCap via --structure), hun
antwoordlabels en hun waarden. Een structuurbestand dat niet te gebruiken is, wordt geweigerd met
de reden. Elke regel krijgt een zekerheid; waar het voorstel twijfelt staat '# controleer'.
Controleer het voorstel, pas het aan waar nodig, en draai dan 'validate'.

Met --study, --round en --region (zonder --out) komt het voorstel waar 'validate' en 'render' het
zoeken: data/<ronde>/<regio>/<instrument>.mapping.yaml, en het bestand wordt (als het daar nog
niet staat) gekopieerd naar data/<ronde>/<regio>/<instrument>.<ext>. Het origineel blijft
ongewijzigd; staat de export al in die regiomap, dan wordt hij alleen hernoemd.

Reads an export and proposes a mapping of its columns and codes to the instrument's items, with a
confidence per line and '# controleer' where unsure. With --study/--round/--region the proposal
is written where validate and render read it, and the file is copied next to it (renamed, if
it already lies in that region's folder).

Voorbeeld / example:
  mss-eval map export.sav --instrument client_interview
  mss-eval map enquete.csv --instrument client_interview --study mijn_studie \\
      --round 2010-1 --region den_haag
  mss-eval map antwoorden.csv --instrument client_interview --structure enquete.lss
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="de export / the export (.sav, .zsav, "
                        ".csv, .xlsx)")
    parser.add_argument("--instrument", required=True, metavar="ID",
                        help="het instrument van de export / the export's instrument")
    parser.add_argument("--study", metavar="MAP", help="de studiemap / the study folder")
    parser.add_argument("--round", metavar="RONDE", help="de ronde / the round")
    parser.add_argument("--region", metavar="REGIO", help="de regio / the region")
    parser.add_argument("--out", metavar="BESTAND",
                        help="schrijf het voorstel hierheen (.yaml of .csv; '-' = scherm) / "
                             "write the proposal here (.yaml or .csv; '-' = screen)")
    parser.add_argument("--structure", action="append", default=[], metavar="BESTAND",
                        help="enquêtestructuur: LimeSurvey (.lss, R- of SPSS-syntax), Castor "
                             "veld-/optielijst (.csv), REDCap data dictionary (.csv); mag vaker "
                             "/ survey structure: LimeSurvey (.lss, R or SPSS syntax), Castor "
                             "field/option list, REDCap data dictionary; repeatable")
    parser.add_argument("--force", action="store_true",
                        help="een bestaande koppeling overschrijven / overwrite an existing "
                             "mapping")
    parser.add_argument("--language", choices=["nl", "en"], default="nl",
                        help="taal van meldingen en opmerkingen / language (standaard/default nl)")


def _say(language: str, nl: str, en: str) -> str:
    return en if language == "en" else nl


def run(args: argparse.Namespace) -> int:
    from ..input.exports import TOOL_NAMES, StructureError, read_structure
    from ..input.mapping import write_csv, write_yaml
    from ..input.propose import propose
    from ..input.readers import ReadError, read_table
    from ..instruments import instruments
    from ..invocation import command

    lang = args.language
    source = Path(args.file)
    known = instruments()
    if args.instrument not in known:
        print(_say(lang, f"mss-eval map: onbekend instrument '{args.instrument}'; kies uit: ",
                   f"mss-eval map: unknown instrument '{args.instrument}'; choose from: ")
              + ", ".join(sorted(known)), file=sys.stderr)
        return 2
    if not source.is_file():
        print(_say(lang, f"mss-eval map: '{source}' is geen bestand",
                   f"mss-eval map: '{source}' is not a file"), file=sys.stderr)
        return 2
    if source.suffix.lower() not in (".csv", ".xlsx", ".sav", ".zsav"):
        print(_say(lang, f"mss-eval map: '{source.name}' is geen .csv, .xlsx, .sav of .zsav",
                   f"mss-eval map: '{source.name}' is not a .csv, .xlsx, .sav or .zsav file"),
              file=sys.stderr)
        return 2
    placed = [args.study, args.round, args.region]
    if any(placed) and not all(placed):
        print(_say(lang, "mss-eval map: geef --study, --round en --region samen",
                   "mss-eval map: give --study, --round and --region together"), file=sys.stderr)
        return 2
    instrument = known[args.instrument]

    target_file = mapping_path = None
    if all(placed):
        from ..study import DATA_DIR, load_config

        study = Path(args.study)
        config = load_config(study, language=lang)
        try:
            rnd = config.round(args.round)
        except KeyError:
            print(_say(lang, f"mss-eval map: ronde '{args.round}' staat niet in study.yaml "
                             f"(bekend: {', '.join(r.id for r in config.rounds)})",
                       f"mss-eval map: round '{args.round}' is not in study.yaml (known: "
                       f"{', '.join(r.id for r in config.rounds)})"), file=sys.stderr)
            return 2
        if args.region not in rnd.regions:
            print(_say(lang, f"mss-eval map: regio '{args.region}' hoort niet bij ronde "
                             f"'{rnd.id}' (wel: {', '.join(rnd.regions)})",
                       f"mss-eval map: region '{args.region}' is not part of round '{rnd.id}' "
                       f"(it has: {', '.join(rnd.regions)})"), file=sys.stderr)
            return 2
        folder = study / DATA_DIR / rnd.id / args.region
        target_file = folder / f"{instrument.id}{source.suffix.lower()}"
        mapping_path = folder / f"{instrument.id}.mapping.yaml"
    if args.out and args.out != "-":
        mapping_path = Path(args.out)

    try:
        raw = read_table(source, file=source.name, language=lang)
    except ReadError as exc:
        for p in exc.problems:
            print(f"{_say(lang, 'FOUT', 'ERROR')}: {p.describe(lang)}", file=sys.stderr)
        return 1
    structures = [Path(s) for s in args.structure]
    for given in structures:
        if not given.is_file():
            print(_say(lang, f"mss-eval map: de structuur '{given}' is geen bestand",
                       f"mss-eval map: the structure '{given}' is not a file"), file=sys.stderr)
            return 2
    beside = sorted(source.parent.glob("*.lss"))
    if source.name.endswith("_R_data_file.csv"):
        # LimeSurvey's export for R: the syntax file beside it holds codes and labels
        beside.append(source.with_name(source.name.replace("_R_data_file.csv",
                                                           "_R_syntax_file.R")))
    structures += [p for p in beside if p.is_file() and p not in structures]
    try:
        structure = read_structure(structures, language=lang) if structures else None
    except StructureError as exc:
        print(_say(lang, "mss-eval map: deze structuur is niet gebruikt: ",
                   "mss-eval map: this structure was not used: ") + str(exc), file=sys.stderr)
        return 2
    proposal = propose(raw, instrument, structure, language=lang)

    tool = TOOL_NAMES.get(proposal.tool or "", _say(lang, "onbekend", "unknown"))
    header = _say(
        lang,
        f"Koppeling van '{source.name}' aan het instrument {instrument.id}, voorgesteld door "
        f"'{command()} map'.\nHerkend als export van: {tool}. Per regel: de zekerheid (0-1) en "
        f"waarom; controleer\nvooral de regels met '# controleer' en pas ze aan of verwijder "
        f"ze.\nUitleg: docs/importing.md",
        f"Mapping of '{source.name}' to the instrument {instrument.id}, proposed by "
        f"'{command()} map'.\nRecognised as an export of: {tool}. Per line: the confidence "
        f"(0-1) and why; check\nthe lines marked '# check' above all, and edit or delete "
        f"them.\nExplained in docs/importing.md")
    as_csv = mapping_path is not None and mapping_path.suffix.lower() == ".csv"
    text = (write_csv(proposal.lines, instrument=instrument.id, tool=proposal.tool,
                      drop=proposal.drop, language=lang) if as_csv else
            write_yaml(proposal.lines, instrument=instrument.id, tool=proposal.tool,
                       drop=proposal.drop, unmatched=proposal.unmatched,
                       missing_items=proposal.missing_items, header=header,
                       values=proposal.values, multiple_choice=proposal.multiple_choice,
                       language=lang))

    if mapping_path is None:
        sys.stdout.write(text)
        _summary(proposal, raw, tool, lang, file=sys.stderr, structures=structures,
                 instrument=instrument)
        return 0
    if mapping_path.exists() and not args.force:
        print(_say(lang, f"mss-eval map: '{mapping_path}' bestaat al; gebruik --force om het "
                         f"te overschrijven",
                   f"mss-eval map: '{mapping_path}' exists; use --force to overwrite it"),
              file=sys.stderr)
        return 1
    if target_file is not None and not (target_file.exists() and _same_bytes(target_file,
                                                                             source)):
        if target_file.exists() and not args.force:
            print(_say(lang, f"mss-eval map: in '{target_file.parent}' staat al een ander "
                             f"'{target_file.name}'; gebruik --force om het te vervangen",
                       f"mss-eval map: '{target_file.parent}' already holds another "
                       f"'{target_file.name}'; use --force to replace it"), file=sys.stderr)
            return 1
        others = [p for p in target_file.parent.glob(f"{instrument.id}.*")
                  if p.suffix.lower() in (".csv", ".xlsx", ".sav", ".zsav")
                  and p != target_file] if target_file.parent.exists() else []
        if others:
            print(_say(lang, f"mss-eval map: in '{target_file.parent}' staat al "
                             f"'{others[0].name}' voor dit instrument; verwijder het eerst",
                       f"mss-eval map: '{target_file.parent}' already holds "
                       f"'{others[0].name}' for this instrument; remove it first"),
                  file=sys.stderr)
            return 1
        target_file.parent.mkdir(parents=True, exist_ok=True)
        if source.resolve().parent == target_file.parent.resolve():
            # the export already lies in the region's folder, under the tool's own name: a copy
            # beside it would leave a file validate cannot place (its name is no instrument);
            # it is renamed, its bytes untouched
            os.replace(source, target_file)
            print(_say(lang, f"hernoemd (de inhoud is ongewijzigd): {source} -> {target_file}",
                       f"renamed (its content unchanged): {source} -> {target_file}"))
        else:
            shutil.copyfile(source, target_file)  # the original stays as it was
            print(_say(lang, f"gekopieerd: {source} -> {target_file}",
                       f"copied: {source} -> {target_file}"))
    mapping_path.parent.mkdir(parents=True, exist_ok=True)
    mapping_path.write_text(text, encoding="utf-8" if not as_csv else "utf-8")
    print(_say(lang, f"koppeling geschreven: {mapping_path}", f"mapping written: {mapping_path}"))
    _summary(proposal, raw, tool, lang, file=sys.stdout, structures=structures,
             instrument=instrument)
    if args.study:
        print(_say(lang, "Controleer de koppeling en draai dan:", "Check the mapping, then run:"))
        print(f"  {command()} validate {args.study}")
    return 0


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _summary(proposal, raw, tool: str, lang: str, file, structures=(), instrument=None) -> None:
    check = proposal.to_check
    for path in structures:
        print(_say(lang, f"structuur gebruikt: {path.name}", f"structure used: {path.name}"),
              file=file)
    print(_say(lang, f"{len(proposal.lines)} van {len(raw.columns)} kolommen gekoppeld "
                     f"(export van {tool}); {len(check)} regel(s) met '# controleer'",
               f"{len(proposal.lines)} of {len(raw.columns)} columns mapped (export of {tool}); "
               f"{len(check)} line(s) marked '# check'"), file=file)
    if not proposal.lines:
        print(_say(lang, "geen enkele kolom herkend: de koppeling heeft nog geen kolommen; vul "
                         "zelf in welke kolom welk item is (validate leest en controleert het "
                         "bestand ook zo)",
                   "no column recognised: the mapping has no columns yet; fill in which column "
                   "is which item yourself (validate reads and screens the file as it is too)"),
              file=file)
    for ln in check:
        print(f"  {_say(lang, 'controleer', 'check')}: {ln.source} -> {ln.rule.item} "
              f"({ln.confidence:.2f})", file=file)
    metadata = [c for c in proposal.drop if c not in proposal.flagged]
    if metadata:
        print(_say(lang, "weggelaten (identificerende metagegevens): ",
                   "dropped (identifying metadata): ") + ", ".join(metadata), file=file)
    if proposal.unmatched:
        print(_say(lang, "niet gekoppeld: ", "not mapped: ") + ", ".join(proposal.unmatched),
              file=file)
    if proposal.flagged:
        print(_say(lang, "weggelaten (in de structuur gemarkeerd als identificerend): ",
                   "dropped (marked as identifying in the structure): ")
              + ", ".join(proposal.flagged), file=file)
    if proposal.missing_items:
        print(_say(lang, "verplichte of belangrijke items zonder kolom: ",
                   "required or important items without a column: ")
              + ", ".join(proposal.missing_items), file=file)
    if instrument is not None:
        _casemix_warning(proposal, instrument, lang, file)


def _casemix_warning(proposal, instrument, lang: str, file) -> None:
    """A case-mix item without a column costs the adjusted rating: said on its own line."""
    from ..study import Settings

    case_mix = set(Settings().case_mix)
    by_consequence: dict[str, list[str]] = {}
    for name in proposal.missing_items:
        column = instrument.column(name)
        item = instrument.item(column.item)
        if item.used_for is None or column.item not in case_mix:
            continue
        by_consequence.setdefault(item.used_for(lang), []).append(name)
    for text, names in by_consequence.items():
        print(_say(lang, f"LET OP: zonder kolom voor {', '.join(names)} missen de rapporten "
                         f"{text}; koppel de kolom(men) zelf als de export ze heeft",
                   f"NOTE: without a column for {', '.join(names)} the reports lack {text}; "
                   f"map the column(s) yourself if the export has them"), file=file)
