"""``mss-eval demo``: generate (if needed), validate and render the synthetic example study."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

HELP = "de voorbeeldstudie maken, controleren en rapporteren / run the example study end to end"

DESCRIPTION = """\
Laat in één opdracht zien wat de werkbank doet, met de synthetische voorbeeldstudie
(data_templates/example_study): verzonnen gegevens van de cliëntenmonitor 2010, ronde 2010-1
(Den Haag, Eindhoven, Dordrecht, met de aantallen van tabel 1 van de tussenrapportage) en ronde
2010-2 (Bos en Lommer, Alkmaar, Breda, De Bilt), in CSV, Excel en SPSS zoals regio's ze aanleveren.

  1. maakt de voorbeeldstudie als ze er nog niet is (met --generate --force opnieuw);
  2. controleert ze zoals 'mss-eval validate' en vat samen wat er is gevonden;
  3. maakt de rapporten zoals 'mss-eval render' (overslaan met --no-render).

Met --study kiest u een andere map, bijvoorbeeld voor een grotere studie om de snelheid te meten
(--regions-per-round, --clients-per-region, --size-factor).

Shows in one command what the workbench does, using the synthetic example study: generates it if
absent (--generate --force regenerates it), validates it and summarises what was found, then
renders the reports (skip with --no-render). --study chooses another folder, e.g. for a larger
generated study to benchmark with.

Afsluitcode / exit code: 0 gelukt / done; 1 de studie of een rapport heeft fouten / the study or a
report has errors; 2 verkeerd gebruik / usage error.

Voorbeeld / example:
  mss-eval demo
  mss-eval demo --generate --force --no-render
  mss-eval demo --generate --study /tmp/groot --regions-per-round 20 --size-factor 3 --no-render
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--generate", action="store_true",
                        help="de voorbeeldstudie (opnieuw) maken / generate the example study")
    parser.add_argument("--force", action="store_true",
                        help="met --generate: een eerder gemaakte voorbeeldstudie vervangen / "
                             "with --generate: replace an earlier generated study")
    parser.add_argument("--no-render", dest="render", action="store_false",
                        help="geen rapporten maken, alleen maken en controleren / do not render "
                             "reports, only generate and validate")
    parser.add_argument("--study", metavar="MAP", default=None,
                        help="de map van de voorbeeldstudie (standaard "
                             "data_templates/example_study) / the example study's folder")
    parser.add_argument("--out", metavar="MAP", default=None,
                        help="map voor de rapporten (standaard reports/example_study) / folder "
                             "for the reports")
    bench = parser.add_argument_group(
        "grootte van een gegenereerde studie / size of a generated study")
    bench.add_argument("--seed", type=int, default=None, metavar="N",
                       help="startgetal van het toeval (standaard 2010) / random seed")
    bench.add_argument("--regions-per-round", type=int, default=None, metavar="N",
                       help="aantal regio's per ronde; meer dan de bekende regio's voegt "
                            "verzonnen regio's toe / regions per round")
    bench.add_argument("--clients-per-region", type=int, default=None, metavar="N",
                       help="aantal cliëntinterviews per regio / client interviews per region")
    bench.add_argument("--size-factor", type=float, default=1.0, metavar="F",
                       help="vermenigvuldigt alle aantallen (standaard 1) / multiplies all "
                            "counts (default 1)")


def _project_root() -> Path:
    from ..instruments import questionnaires_dir

    return questionnaires_dir().parent


def run(args: argparse.Namespace) -> int:
    from ..example import EXAMPLE_SEED, default_example_dir, generate_study
    from ..study import STUDY_FILE

    for name in ("regions_per_round", "clients_per_region"):
        value = getattr(args, name)
        if value is not None and value < 1:
            print(f"mss-eval demo: --{name.replace('_', '-')} moet 1 of meer zijn / must be 1 or "
                  "more", file=sys.stderr)
            return 2
    if args.size_factor <= 0:
        print("mss-eval demo: --size-factor moet groter dan 0 zijn / must be greater than 0",
              file=sys.stderr)
        return 2

    default_study = args.study is None
    study = default_example_dir() if default_study else Path(args.study)
    sized = (args.seed is not None or args.regions_per_round is not None
             or args.clients_per_region is not None or args.size_factor != 1.0)
    exists = (study / STUDY_FILE).is_file()
    if exists and (args.generate or sized) and not args.force:
        print(f"mss-eval demo: in '{study}' staat al een studie; gebruik --force om haar opnieuw "
              f"te maken / '{study}' already holds a study; use --force to generate it again",
              file=sys.stderr)
        return 2
    if default_study and sized:
        print("mss-eval demo: kies met --study een eigen map voor een studie van een andere "
              "grootte; de meegeleverde voorbeeldstudie blijft zoals ze is / choose a folder with "
              "--study for a study of another size; the shipped example stays as it is",
              file=sys.stderr)
        return 2
    if not exists or args.generate or args.force:
        try:
            generate_study(study, seed=EXAMPLE_SEED if args.seed is None else args.seed,
                           regions_per_round=args.regions_per_round,
                           clients_per_region=args.clients_per_region,
                           size_factor=args.size_factor, overwrite=True)
        except FileExistsError as exc:
            print(f"mss-eval demo: {exc}", file=sys.stderr)
            return 1
        print(f"Voorbeeldstudie gemaakt in / example study generated in: {study}")

    valid = validate_and_summarise(study)
    if not valid:
        return 1
    if not args.render:
        return 0
    out = args.out
    if out is None and default_study:
        out = str(_project_root() / "reports" / "example_study")
    return render(study, out)


def validate_and_summarise(study: Path, print_: Callable[[str], None] = print) -> bool:
    """Validate the study and print what was found: regions per round, rows per instrument, and
    the problems (errors one per line, warnings counted). Returns whether the study is valid."""
    from ..input.validate import validate_study

    report = validate_study(study)
    language = report.language
    nl = language != "en"
    if report.config is not None:
        print_("Regio's per ronde:" if nl else "Regions per round:")
        for rnd in report.config.rounds:
            names = ", ".join(report.config.region(r).name for r in rnd.regions)
            print_(f"  {rnd.id} ({rnd.label}): {len(rnd.regions)} — {names}")
    files = report.files_frame()
    if len(files):
        print_("Rijen per instrument:" if nl else "Rows per instrument:")
        per_instrument = (files.dropna(subset=["instrument"])
                          .groupby("instrument", observed=True)
                          .agg(rows=("rows", "sum"), files=("file", "size")))
        width = max(len(str(i)) for i in per_instrument.index)
        for instrument, row in per_instrument.iterrows():
            unit = "bestanden" if nl else "files"
            print_(f"  {instrument:<{width}}  {int(row['rows']):>6}  ({int(row['files'])} {unit})")
        formats = files.groupby("format", observed=True).size()
        print_(("Bestandsformaten: " if nl else "File formats: ")
               + ", ".join(f"{fmt} {n}" for fmt, n in formats.items()))
    for problem in report.errors[:20]:
        print_(("FOUT: " if nl else "ERROR: ") + problem.describe(language))
    if len(report.errors) > 20:
        print_(f"  ... {len(report.errors) - 20} " + ("meer" if nl else "more"))
    print_(report.summary())
    if report.warnings:
        print_(("Details van de waarschuwingen: " if nl else "Details of the warnings: ")
               + f"mss-eval validate {study}")
    return report.valid


def render(study: Path, out: str | None) -> int:
    """Render the study's reports with ``mss-eval render``; a note and 0 when rendering is not
    part of this installation yet."""
    try:
        from . import render as render_command
    except ModuleNotFoundError as exc:
        if exc.name not in ("mss_eval.commands.render", "mss_eval.render"):
            raise
        print("Rapporten maken is nog niet beschikbaar in deze versie / rendering is not "
              "available yet.")
        return 0
    parser = argparse.ArgumentParser(prog="mss-eval render")
    render_command.add_arguments(parser)
    argv = [str(study)] + (["--out", out] if out else [])
    args = parser.parse_args(argv)
    args.rendered_by = "mss-eval demo"
    return int(render_command.run(args) or 0)
