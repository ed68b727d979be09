"""``mss-eval init``: create an empty study folder a region can start from."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..problems import MESSAGES, message

HELP = "een nieuwe, lege studie aanmaken / create an empty study folder"
DESCRIPTION = """\
Maakt een nieuwe studie in een lege (of nog niet bestaande) map:

  study.yaml    wat de studie is: rondes, regio's, instellingen (met uitleg in commentaar;
                pas de voorbeeldronde en -regio aan)
  data/         hier komen de ingevulde bestanden: data/<ronde>/<regio>/<instrument>.xlsx
  texts/        eigen tekst van de auteurs voor de rapporten (Markdown)
  templates/    lege invulsjablonen (Excel) voor elk instrument
  .gitignore    houdt gegevens, de sleutel en rapporten buiten git
  .mss-secret   de lokale sleutel voor pseudoniemen; blijft in deze map, nooit delen

Een map die al bestanden bevat wordt niet overschreven.

Creates an empty study: study.yaml with a commented skeleton, data/, texts/, blank templates, a
.gitignore keeping data, the secret and reports out of git, and the local key for pseudonyms.
A folder that already holds files is never overwritten.

Voorbeeld / example:
  mss-eval init mijn_studie --name "MSS-monitor Voorbeeldstad"
"""

MESSAGES.update({
    "init_not_empty": {
        "nl": "de map {value} is niet leeg; kies een nieuwe of lege map, dan wordt er niets "
              "overschreven",
        "en": "the folder {value} is not empty; choose a new or empty folder so that nothing is "
              "overwritten",
    },
    "init_not_a_folder": {
        "nl": "{value} bestaat al en is geen map",
        "en": "{value} already exists and is not a folder",
    },
})

#: Example ids in the skeleton; the user replaces them.
EXAMPLE_ROUND = "2024-1"
EXAMPLE_REGION = "voorbeeldregio"

_STUDY_YAML = {
    "nl": """\
# study.yaml: wat deze studie is. Pas de voorbeeldronde en -regio hieronder aan.
# 'mss-eval validate .' controleert dit bestand (onbekende sleutels en tikfouten zijn fouten,
# met het regelnummer erbij).

name: {name}
commissioned_by: null          # opdrachtgever, bijvoorbeeld "Gemeente Voorbeeldstad"
synthetic: false               # true alleen voor verzonnen (oefen)gegevens
description: null              # korte omschrijving van de studie (optioneel)

# Rondes van de dataverzameling. Een ronde-id wordt een mapnaam: data/<ronde>/<regio>/.
rounds:
  - id: "{round}"
    label: Eerste ronde {year}
    period: {{start: {year}-01-01, end: {year}-06-30}}
    regions: [{region}]          # regio-id's uit de lijst 'regions' hieronder
    # Hoeveel mensen per regio en methode zijn benaderd (voor de respons; optioneel). Methoden:
    # general_interview, partner_interview, client_questionnaire, client_interview,
    # feedback_meeting.
    # approached:
    #   {region}: {{client_interview: 30, partner_interview: 12}}

# De regio's (MSS'en). Een regio-id bestaat uit kleine letters, cijfers, '-' en '_'.
regions:
  - id: {region}
    name: Voorbeeldregio
    municipalities: [Voorbeeldstad]
    target_population: null    # geschat aantal mensen in de doelgroep (voor bereik per 1000)
    profile:
      goal: null               # doel van het MSS
      target_group: null       # doelgroep
      way_of_working: null     # werkwijze (werktafels, kwartiermaken, ...)

settings:
  min_respondents: 5           # cijfers over minder respondenten worden niet getoond
  language: nl                 # taal van meldingen en rapporten: nl of en
""",
    "en": """\
# study.yaml: what this study is. Edit the example round and region below.
# 'mss-eval validate .' checks this file (unknown keys and typing errors are errors, with the
# line number).

name: {name}
commissioned_by: null          # commissioning organisation, e.g. "Municipality of Exampletown"
synthetic: false               # true only for made-up (practice) data
description: null              # a short description of the study (optional)

# Rounds of data collection. A round id becomes a folder name: data/<round>/<region>/.
rounds:
  - id: "{round}"
    label: First round {year}
    period: {{start: {year}-01-01, end: {year}-06-30}}
    regions: [{region}]          # region ids from the list 'regions' below
    # How many people were approached per region and method (for response rates; optional).
    # Methods: general_interview, partner_interview, client_questionnaire, client_interview,
    # feedback_meeting.
    # approached:
    #   {region}: {{client_interview: 30, partner_interview: 12}}

# The regions (MSSs). A region id consists of lower-case letters, digits, '-' and '_'.
regions:
  - id: {region}
    name: Example region
    municipalities: [Exampletown]
    target_population: null    # estimated number of people in the target group (reach per 1,000)
    profile:
      goal: null               # the MSS's goal
      target_group: null       # target group
      way_of_working: null     # way of working (case tables, kwartiermaken, ...)

settings:
  min_respondents: 5           # statistics on fewer respondents are not shown
  language: en                 # language of messages and reports: nl or en
""",
}

_DATA_README = {
    "nl": """\
# Gegevens

Zet hier de ingevulde bestanden, één map per ronde en daarin één map per regio:

    data/<ronde>/<regio>/<instrument>.xlsx   (of .csv of .sav)

bijvoorbeeld `data/{round}/{region}/client_interview.xlsx`. De ronde- en regio-id's zijn die uit
`study.yaml`; de bestandsnaam is de naam van het instrument, zoals bij de sjablonen in
`templates/`. Excel-bestanden kunnen direct vanuit een sjabloon worden ingevuld; CSV mag met
komma's of puntkomma's, in UTF-8 of Windows-1252; SPSS-bestanden (.sav) gebruiken dezelfde
kolomnamen.

Controleer de gegevens met `mss-eval validate <studiemap>`: elke fout staat op één regel, met
bestand, rij, kolom en waarde. De werkbank verandert nooit iets aan deze bestanden.

Deze map staat in `.gitignore`: het zijn gezondheidsgegevens. Zet nooit namen, adressen,
telefoonnummers, e-mailadressen, BSN of geboortedata in de bestanden; respondentnummers worden bij
het inlezen vervangen door pseudoniemen met de sleutel in `.mss-secret`.
""",
    "en": """\
# Data

Put the completed files here, one folder per round and in it one folder per region:

    data/<round>/<region>/<instrument>.xlsx   (or .csv or .sav)

for example `data/{round}/{region}/client_interview.xlsx`. Round and region ids are those of
`study.yaml`; the file name is the instrument's name, as with the templates in `templates/`.
Excel files can be filled in straight from a template; CSV may use commas or semicolons, in UTF-8
or Windows-1252; SPSS files (.sav) use the same column names.

Check the data with `mss-eval validate <study folder>`: every problem is one line naming file, row,
column and value. The workbench never changes these files.

This folder is listed in `.gitignore`: these are health data. Never put names, addresses, phone
numbers, e-mail addresses, citizen service numbers or dates of birth in the files; respondent ids
are replaced by pseudonyms with the key in `.mss-secret` when the data are read.
""",
}

_TEXTS_README = {
    "nl": """\
# Teksten van de auteurs

Hier schrijven de auteurs hun eigen tekst voor de rapporten, in Markdown: één bestand per rapport
en hoofdstuk (bijvoorbeeld de beschrijving van het MSS van een regio, of de conclusies van een
ronde). Het rapport neemt de tekst op in het juiste hoofdstuk. Zonder eigen tekst krijgt elk
hoofdstuk een gegenereerde beschrijving van de cijfers.

Markdown in het kort: `#` voor een kop, een lege regel tussen alinea's, `*schuin*` en `**vet**`,
regels die met `- ` beginnen voor een opsomming.

Cijfers typ je niet over: een plaatshouder in de tekst wordt bij het maken van het rapport gevuld
met het berekende cijfer (bijvoorbeeld het rapportcijfer van de regio), zodat tekst en tabellen
altijd hetzelfde zeggen. Een plaatshouder die de werkbank niet kent is een fout met bestand en
regelnummer. De documentatie van de werkbank (`docs/`) noemt de bestandsnamen en de beschikbare
plaatshouders.

Schrijf hier geen namen of herkenbare details van cliënten: deze teksten komen in de rapporten.
""",
    "en": """\
# Authors' texts

Authors write their own text for the reports here, in Markdown: one file per report and chapter
(for instance the description of a region's MSS, or the conclusions of a round). The report
includes the text in its chapter. Without authors' text every chapter gets a generated
description of its figures.

Markdown in short: `#` for a heading, a blank line between paragraphs, `*italic*` and `**bold**`,
lines starting with `- ` for a list.

Do not copy figures by hand: a placeholder in the text is filled with the computed figure when
the report is made (for instance the region's rating), so that text and tables always agree. A
placeholder the workbench does not know is an error naming the file and line. The workbench's
documentation (`docs/`) lists the file names and the placeholders available.

Do not write names or recognisable details of clients here: these texts end up in the reports.
""",
}

_GITIGNORE = """\
# Written by 'mss-eval init'. Client data are health data: keep them out of version control.
# The data files (the README stays).
data/*
!data/README.md
# The local key for pseudonyms: whoever has it can link pseudonyms back to respondent ids.
.mss-secret
# Caches and rendered reports (they contain the data in aggregated form).
.mss-cache/
reports/
__pycache__/
.ipynb_checkpoints/
# Office lock files of open workbooks.
~$*
.~lock.*#
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="MAP",
                        help="nieuwe of lege map voor de studie / new or empty folder")
    parser.add_argument("--name", default=None,
                        help="naam van de studie in study.yaml / the study's name")
    parser.add_argument("--language", choices=("nl", "en"), default="nl",
                        help="taal van study.yaml, uitleg en sjablonen / language of study.yaml, "
                        "explanations and templates (standaard/default: nl)")


def create_study(study_dir: Path | str, name: str | None = None,
                 language: str = "nl") -> list[Path]:
    """Create an empty study in ``study_dir`` and return the files written.

    Parameters
    ----------
    study_dir
        A folder that does not exist yet or is empty.
    name
        The study's name in ``study.yaml``; defaults to the folder name.
    language
        ``"nl"`` or ``"en"``: comments in ``study.yaml``, the READMEs, the templates and the
        study's report language.

    Raises
    ------
    FileExistsError
        When ``study_dir`` is a file or a folder that already holds something.
    """
    from ..pseudonym import ensure_secret
    from ..study import DATA_DIR, SECRET_FILE, STUDY_FILE, TEXTS_DIR
    from ..templates import write_templates

    study_dir = Path(study_dir)
    if study_dir.exists() and not study_dir.is_dir():
        raise FileExistsError(message("init_not_a_folder", language, value=study_dir))
    if study_dir.is_dir() and any(study_dir.iterdir()):
        raise FileExistsError(message("init_not_empty", language, value=study_dir))
    study_dir.mkdir(parents=True, exist_ok=True)

    name = name or study_dir.resolve().name
    year = int(EXAMPLE_ROUND.split("-")[0])
    fields = dict(name=json.dumps(name, ensure_ascii=False), round=EXAMPLE_ROUND,
                  region=EXAMPLE_REGION, year=year)
    written = []

    def write(relative: str, text: str) -> None:
        path = study_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)

    write(STUDY_FILE, _STUDY_YAML[language].format(**fields))
    write(f"{DATA_DIR}/README.md", _DATA_README[language].format(**fields))
    write(f"{TEXTS_DIR}/README.md", _TEXTS_README[language])
    write(".gitignore", _GITIGNORE)
    written += write_templates(study_dir / "templates", fmt="xlsx", language=language)
    ensure_secret(study_dir)
    written.append(study_dir / SECRET_FILE)
    return written


def run(args: argparse.Namespace) -> int:
    try:
        written = create_study(args.dir, name=args.name, language=args.language)
    except FileExistsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    study_dir = Path(args.dir)
    if args.language == "en":
        print(f"Created the study {study_dir} ({len(written)} files).")
        print("Next: edit study.yaml (rounds and regions), fill in the templates in templates/,")
        print("save them as data/<round>/<region>/<instrument>.xlsx and run")
        print(f"  mss-eval validate {study_dir}")
        print("Keep .mss-secret in the folder and make a backup: without it pseudonyms change.")
    else:
        print(f"Studie {study_dir} aangemaakt ({len(written)} bestanden).")
        print("Verder: pas study.yaml aan (rondes en regio's), vul de sjablonen in templates/ in,")
        print("sla ze op als data/<ronde>/<regio>/<instrument>.xlsx en draai")
        print(f"  mss-eval validate {study_dir}")
        print("Laat .mss-secret in de map staan en maak er een reservekopie van: zonder die "
              "sleutel veranderen de pseudoniemen.")
    return 0
