"""``mss-eval clear-cache``: remove a study's cache (``.mss-cache/``), which holds its data."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("de cache van een studie (.mss-cache/) verwijderen / remove a study's cache "
        "(.mss-cache/)")

DESCRIPTION = """\
Verwijdert de map .mss-cache/ van de studie met alles erin. De cache bewaart per gegevensbestand
de gelezen rijen (met de respondentnummers zoals ingevoerd en de open antwoorden) en de
gepseudonimiseerde tidy-gegevens van de studie, zodat een volgende validatie of render sneller
is; hij is alleen leesbaar voor de eigenaar (mappen 0700, bestanden 0600). Verwijderen kan altijd:
de volgende keer wordt hij opnieuw gemaakt uit de gegevensbestanden. Gegevens, sleutel
(.mss-secret), teksten en rapporten worden niet aangeraakt. Zie docs/privacy.md.

Removes the study's .mss-cache/ folder and everything in it: each data file's rows as read
(respondent numbers as entered, open answers) and the study's pseudonymised tidy data, kept to
make the next validation or render faster, readable by the owner only. It is safe at any time;
the next run makes it again from the data files. Data, key, texts and reports are not touched.

Voorbeeld / example:
  mss-eval clear-cache mijn_studie
"""

_WORDS = {
    "nl": {"removed": "verwijderd: {path} ({files} bestanden, {size})",
           "nothing": "geen cache om te verwijderen in {path}"},
    "en": {"removed": "removed: {path} ({files} files, {size})",
           "nothing": "no cache to remove in {path}"},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDIE",
                        help="de studiemap (met study.yaml) / the study folder")
    parser.add_argument("--language", choices=("nl", "en"), default="nl",
                        help="taal van de meldingen / language of the messages "
                        "(standaard/default: nl)")


def run(args: argparse.Namespace) -> int:
    from ..cache_keys import cache_dir, clear_cache
    from ..input.limits import size_text
    from ..problems import Problem, StudyError, message
    from ..study import STUDY_FILE
    from ..tidy_cache import forget

    study = Path(args.study)
    language = args.language
    if not (study / STUDY_FILE).is_file():
        # only a study's own cache is removed, never a folder named .mss-cache elsewhere
        raise StudyError([Problem("study_yaml_missing", message(
            "study_yaml_missing", language, value=study), file=str(study))])
    folder = cache_dir(study)
    existed = folder.exists() or folder.is_symlink()
    files, size = clear_cache(study)
    forget()
    words = _WORDS[language]
    if existed:
        print(words["removed"].format(path=folder, files=files, size=size_text(size, language)))
    else:
        print(words["nothing"].format(path=study))
    return 0
