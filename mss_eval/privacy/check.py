"""Checking rendered reports for disclosure: ``check_report`` and what it looks for.

A report may show statistics, approved quotes and the authors' text. It must not show anything
that points to a person: a respondent's number or pseudonym, a direct identifier, a respondent's
own words from an open question, an excerpt of an interview no author approved, or a table of
rows per respondent in an executed notebook. :func:`check_report` reads every report file in a
folder (:mod:`mss_eval.privacy.sources`) and lists each such leak as a :class:`Finding` that names
the file, where in it, what kind of leak, and the value **masked**: the check's own output may be
shared, so it never repeats what leaked.

Without a study only the patterns are searched (direct identifiers, pseudonym-shaped tokens, tables
with respondent-number columns). With a study (:class:`Screen` built from its folder) the check
knows the study's own respondent numbers, pseudonyms, open answers and unapproved excerpts.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..input import identifiers as id_patterns
from ..instruments import instruments
from ..problems import MESSAGES, StudyError, message
from ..pseudonym import normalise_id, pseudonymise_series
from ..study import SECRET_FILE
from .sources import SUFFIXES, Extracted, Unit, Where, read_report_file

#: Respondent ids with fewer characters than this are not searched (they occur in any text).
MIN_ID_LENGTH = 4
#: An id of digits only must have at least this many (``12`` or ``2010`` occur in any report).
MIN_NUMERIC_ID_LENGTH = 5
#: Open answers shorter than this (after white space is squashed) are not searched.
MIN_FREE_TEXT_LENGTH = 20
#: A table with columns of one instrument is row-level data when it has more rows than this.
MAX_ROWS = 10
#: At most this many findings of one kind are listed per file; the rest are counted.
MAX_PER_KIND = 20

#: The kinds of leak, in the order a file is checked.
KINDS = ("respondent_id", "pseudonym", "pseudonym_like", "secret", "bsn", "email", "phone",
         "address",
         "birth_date", "free_text", "excerpt", "row_level_ids", "row_level_rows", "unreadable",
         "more")

_WHAT = {
    "bsn": {"nl": "een burgerservicenummer (BSN)", "en": "a citizen service number (BSN)"},
    "email": {"nl": "een e-mailadres", "en": "an e-mail address"},
    "phone": {"nl": "een telefoonnummer", "en": "a phone number"},
    "address": {"nl": "een postcode met huisnummer", "en": "a postcode with house number"},
    "birth_date": {"nl": "een geboortedatum", "en": "a date of birth"},
}

MESSAGES.update({
    "leak_respondent_id": {
        "nl": "'{value}' is een respondentnummer uit de gegevens ({source}); respondentnummers "
              "horen niet in een rapport",
        "en": "'{value}' is a respondent number from the data ({source}); respondent numbers do "
              "not belong in a report",
    },
    "leak_pseudonym": {
        "nl": "'{value}' is het pseudoniem van een respondent ({source}); ook pseudoniemen horen "
              "niet in een rapport",
        "en": "'{value}' is a respondent's pseudonym ({source}); pseudonyms do not belong in a "
              "report either",
    },
    "leak_pseudonym_like": {
        "nl": "'{value}' ziet eruit als het pseudoniem van een respondent (p en 12 hexadecimale "
              "tekens); pseudoniemen horen niet in een rapport",
        "en": "'{value}' looks like a respondent's pseudonym (p and 12 hexadecimal characters); "
              "pseudonyms do not belong in a report",
    },
    "leak_secret": {
        "nl": "'{value}' is de sleutel voor pseudoniemen van de studie (.mss-secret); wie die "
              "sleutel heeft, kan pseudoniemen terugleiden naar respondentnummers",
        "en": "'{value}' is the study's key for pseudonyms (.mss-secret); whoever has it can "
              "link pseudonyms back to respondent numbers",
    },
    **{f"leak_{kind}": {
        "nl": f"'{{value}}' lijkt {what['nl']}; direct identificerende gegevens horen niet in "
              "een rapport",
        "en": f"'{{value}}' looks like {what['en']}; direct identifiers do not belong in a "
              "report",
    } for kind, what in _WHAT.items()},
    "leak_free_text": {
        "nl": "'{value}' is een open antwoord van een respondent ({source}, {length} tekens); "
              "open antwoorden horen niet in een rapport",
        "en": "'{value}' is a respondent's open answer ({source}, {length} characters); open "
              "answers do not belong in a report",
    },
    "leak_excerpt": {
        "nl": "'{value}' is een fragment van een gecodeerd interview (fragment {segment}) dat "
              "niet is goedgekeurd; zet het in texts/approved_quotes.yaml als het getoond mag "
              "worden, anders haal het uit de tekst",
        "en": "'{value}' is an excerpt of a coded interview (segment {segment}) that is not "
              "approved; list it in texts/approved_quotes.yaml if it may be shown, otherwise "
              "take it out of the text",
    },
    "leak_row_level_ids": {
        "nl": "een tabel met de kolom '{value}' ({rows} rijen): gegevens per respondent horen "
              "niet in een rapport of een uitgevoerd notebook",
        "en": "a table with the column '{value}' ({rows} rows): data per respondent do not "
              "belong in a report or an executed notebook",
    },
    "leak_row_level_rows": {
        "nl": "een tabel met {value} rijen en de kolommen {columns} van '{instrument}': gegevens "
              "per respondent horen niet in een rapport of een uitgevoerd notebook",
        "en": "a table with {value} rows and the columns {columns} of '{instrument}': data per "
              "respondent do not belong in a report or an executed notebook",
    },
    "leak_unreadable": {
        "nl": "het bestand kon niet worden gelezen ({value}) en is dus niet gecontroleerd; "
              "controleer het met de hand of maak het opnieuw",
        "en": "the file could not be read ({value}) and so was not checked; check it by hand "
              "or render it again",
    },
    "leak_more": {
        "nl": "en nog {value} keer hetzelfde soort lek ({what}) in dit bestand",
        "en": "and {value} more of the same kind of leak ({what}) in this file",
    },
})


@dataclass(frozen=True)
class Finding:
    """One possible leak in a rendered report.

    Attributes
    ----------
    file
        The report file, relative to the folder that was checked (or as given).
    kind
        One of :data:`KINDS`.
    value
        What was found, masked (the first two characters and an ellipsis), or a harmless
        description such as a column name or a number of rows.
    message
        The sentence for the researcher, in the report language.
    where
        Where in the file: line, page, notebook cell and output, or a part described in words.
    """

    file: str
    kind: str
    value: str
    message: str
    where: Where = field(default_factory=Where)
    language: str = "nl"

    def describe(self) -> str:
        """One line: file, where, what."""
        place = self.where.describe(self.language)
        return f"{self.file}{', ' + place if place else ''}: {self.message}"

    def to_dict(self) -> dict:
        out = {"file": self.file, "kind": self.kind, "value": self.value,
               "message": self.message, "where": self.where.describe(self.language)}
        out.update({k: v for k, v in asdict(self.where).items() if v is not None})
        return out


def mask(value: object) -> str:
    """The first two characters of a leaked value and an ellipsis (as the identifier screen)."""
    return id_patterns.mask(" ".join(str(value).split()))


def squash(text: str) -> str:
    """Text compared without regard to case and white space (as approved quotes are)."""
    return " ".join(text.split()).casefold()


#: Punctuation and symbols around an open answer (quotes, a full stop) are not part of it.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


# -- what to look for ----------------------------------------------------------------------
@dataclass
class Screen:
    """What a report check looks for: the patterns, and a study's own ids and texts.

    Build it once with :meth:`Screen.from_study` (or :meth:`Screen.patterns_only`) and pass it to
    :func:`check_report` for every report of a render; it can be pickled to worker processes.

    Attributes
    ----------
    ids
        Normalised respondent ids (:func:`mss_eval.pseudonym.normalise_id`) -> where they come
        from (``instrument.column``); only ids of a meaningful length.
    pseudonyms
        Pseudonym -> ``instrument.column``.
    free_text
        Squashed open answers of at least :data:`MIN_FREE_TEXT_LENGTH` characters ->
        ``instrument.column``.
    study
        The study whose unapproved excerpts are searched (``None``: none).
    id_headers
        Column headers that mark a table of rows per respondent (id column names and labels).
    instrument_columns
        Instrument id -> its column names, for the instruments with one row per respondent.
    """

    ids: dict[str, str] = field(default_factory=dict)
    pseudonyms: dict[str, str] = field(default_factory=dict)
    free_text: dict[str, str] = field(default_factory=dict)
    study: object | None = None
    id_headers: frozenset[str] = frozenset()
    instrument_columns: dict[str, frozenset[str]] = field(default_factory=dict)
    max_rows: int = MAX_ROWS
    language: str = "nl"
    #: search pseudonym-shaped tokens (without a study the actual pseudonyms are unknown)
    pseudonym_pattern: bool = True
    #: SHA-256 of the study's key as written in ``.mss-secret`` (the key itself is not kept)
    secret_digest: str | None = None

    def __post_init__(self) -> None:
        self._prepare()

    def _prepare(self) -> None:
        separators = sorted({ch for i in self.ids for ch in i if not ch.isalnum()})
        separators = "".join(re.escape(s) for s in separators if s != " ") or r"\-"
        self._max_parts = max((len(re.split(f"[{separators}]", i)) for i in self.ids), default=1)
        self._run = re.compile(rf"[^\W_]+(?:[{separators}][^\W_]+)*")
        self._spaced_ids = [i for i in self.ids if " " in i]
        self._free_index: dict[str, list[str]] = {}
        for needle in self.free_text:
            self._free_index.setdefault(needle[:_PREFIX], []).append(needle)
        self._segments: dict[str, str] = {}
        if self.study is not None:
            segments = self.study.tables["coded_segments"]
            for round_id, region, segment, excerpt in segments[
                    ["round", "region", "segment_id", "excerpt"]].itertuples(index=False):
                if isinstance(excerpt, str):
                    self._segments[f"{round_id}/{region}/{segment}"] = excerpt

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for key in [k for k in state if k.startswith("_")]:
            del state[key]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._prepare()

    @classmethod
    def patterns_only(cls, *, language: str = "nl", max_rows: int = MAX_ROWS) -> Screen:
        """A screen without a study: direct identifiers, pseudonym-shaped tokens and tables with
        a respondent-number column or many rows of an instrument's columns."""
        headers, columns = _table_vocabulary()
        return cls(id_headers=headers, instrument_columns=columns, language=language,
                   max_rows=max_rows)

    @classmethod
    def from_study(cls, study, *, language: str | None = None,
                   max_rows: int = MAX_ROWS, cache: bool = False) -> Screen:
        """A screen that knows a study's respondent ids, pseudonyms, open answers and excerpts.

        Parameters
        ----------
        study
            The study folder, or a study loaded with :func:`mss_eval.load_study`.
        language
            Language of the findings; by default the study's.
        cache
            Take each unchanged file's validation from the study's per-file check cache (see
            :func:`mss_eval.input.validate_study`); a render, which keeps that cache anyway, sets
            it. By default (``mss-eval check-report``) every file is read and nothing written.

        Notes
        -----
        The raw ids come from the data files through :func:`mss_eval.input.validate_study`
        (a loaded study holds only pseudonyms). The pseudonyms are those of the loaded study, or,
        given a folder, made from the raw ids with the study's key in ``.mss-secret`` exactly as
        :func:`mss_eval.load_study` makes them; a study without a key has no pseudonyms yet, and
        the check never creates one. Without ``cache`` nothing in the study folder is written.
        """
        from ..input.validate import validate_study
        from ..pseudonym import ensure_secret
        from ..tidy import Study

        loaded = study if isinstance(study, Study) else None
        path = Path(loaded.path if loaded is not None else study)
        report = validate_study(path, language=language, cache=cache)
        if report.config is None:
            raise StudyError(report.problems, summary=f"{path}: study.yaml")
        config = report.config
        language = language or config.settings.language
        key = None
        if (path / SECRET_FILE).is_file():  # read, never created: the check writes nothing
            key = ensure_secret(path, language=language)
        secret_digest = None if key is None else hashlib.sha256(key.hex().encode()).hexdigest()
        if loaded is not None:
            key = None  # a loaded study has its pseudonyms already

        # ids equal to a round or region id are how the report names its parts, not respondents
        structural = {normalise_id(r.id) for r in (*config.rounds, *config.regions)}
        ids: dict[str, str] = {}
        pseudonyms: dict[str, str] = {}
        free_text: dict[str, str] = {}
        segment_frames = []
        all_instruments = instruments()
        for fr in report.files:
            if fr.frame is None:
                continue
            instrument = all_instruments[fr.instrument]
            for column in instrument.columns:
                source = f"{instrument.id}.{column.name}"
                values = fr.frame[column.name]
                if column.type == "identifier":
                    for raw in values.dropna().unique():
                        normal = normalise_id(raw)
                        if _searchable_id(normal) and normal not in structural:
                            ids.setdefault(normal, source)
                    if key is not None:
                        made = pseudonymise_series(values, fr.frame["region"], key)
                        for p in made.dropna().unique():
                            pseudonyms.setdefault(str(p), source)
                elif column.privacy == "free_text" and (instrument.id, column.name) != (
                        "coded_segments", "excerpt"):  # excerpts: approved ones may be shown
                    for text in values.dropna().unique():
                        needle = _EDGES.sub("", squash(str(text)))
                        if len(needle) >= MIN_FREE_TEXT_LENGTH:
                            free_text.setdefault(needle, source)
            if fr.instrument == "coded_segments":
                segment_frames.append(fr.frame)

        if loaded is not None:
            for instrument_id, frame in loaded.tables.items():
                for column in all_instruments[instrument_id].columns:
                    if column.type == "identifier":
                        for p in frame[column.name].dropna().unique():
                            pseudonyms.setdefault(str(p), f"{instrument_id}.{column.name}")
            excerpts_of = loaded
        else:
            from ..input.validate import empty_frame

            frames = segment_frames or [empty_frame(all_instruments["coded_segments"])]
            segments = pd.concat(frames, ignore_index=True)
            excerpts_of = Study(path=path, config=config, tables={"coded_segments": segments},
                                files=pd.DataFrame())

        # an approved excerpt may be shown, also where the same words were an open answer
        from ..qualitative.quotes import approved_quotes

        approved = [squash(str(e)) for e in
                    approved_quotes(excerpts_of, language=language)["excerpt"].dropna()]
        if approved:
            free_text = {n: s for n, s in free_text.items() if not any(n in a for a in approved)}

        headers, columns = _table_vocabulary()
        return cls(ids=ids, pseudonyms=pseudonyms, free_text=free_text, study=excerpts_of,
                   id_headers=headers, instrument_columns=columns, max_rows=max_rows,
                   language=language, pseudonym_pattern=False, secret_digest=secret_digest)

    # -- searching one file's text ---------------------------------------------------------
    def scan_ids(self, unit: Unit) -> Iterable[tuple[str, str, str]]:
        """(kind, the text found, source) for respondent ids and pseudonyms in one piece."""
        text = unit.text
        if self.ids or self.pseudonyms or self.pseudonym_pattern or self.secret_digest:
            for run in self._run.finditer(text):
                base = run.start()
                parts = [(base + m.start(), base + m.end())
                         for m in _WORD_PART.finditer(run.group(0))]
                for i, (start, word_end) in enumerate(parts):
                    # windows of consecutive parts (with their separators) up to the longest id
                    for _, end in parts[i:i + self._max_parts]:
                        piece = text[start:end]
                        if self.ids and any(ch.isdigit() for ch in piece) \
                                and normalise_id(piece) in self.ids \
                                and _standalone(text, start, end):
                            yield "respondent_id", piece, self.ids[normalise_id(piece)]
                    word = text[start:word_end]
                    if self.secret_digest and len(word) == 64 and hashlib.sha256(
                            word.casefold().encode()).hexdigest() == self.secret_digest:
                        yield "secret", word, ""
                    elif self.pseudonyms and word.casefold() in self.pseudonyms:
                        yield "pseudonym", word, self.pseudonyms[word.casefold()]
                    elif self.pseudonym_pattern and _PSEUDONYM.fullmatch(word):
                        yield "pseudonym_like", word, ""
        if self._spaced_ids:
            lowered = " ".join(text.split()).casefold()
            for i in self._spaced_ids:
                if re.search(rf"(?<![^\W_]){re.escape(i)}(?![^\W_])", lowered):
                    yield "respondent_id", i, self.ids[i]

    def scan_free_text(self, haystack: str) -> Iterable[tuple[int, str, str]]:
        """(offset, answer, source) of open answers in a squashed text."""
        if not self._free_index:
            return
        for m in _WORD_START.finditer(haystack):
            i = m.start()
            for needle in self._free_index.get(haystack[i:i + _PREFIX], ()):
                if haystack.startswith(needle, i):
                    yield i, needle, self.free_text[needle]


_PREFIX = 12
_WORD_PART = re.compile(r"[^\W_]+")


def _standalone(text: str, start: int, end: int) -> bool:
    """Not a piece of a longer number: ``104233`` stands alone in "nr. 104233." but not in
    "104233.5" or "1.104.233"."""
    return not (re.match(r"[.,]\d", text[end:end + 2])
                or re.search(r"\d[.,]$", text[max(0, start - 2):start]))
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")
_PSEUDONYM = re.compile(r"p[0-9a-f]{12}")


def _searchable_id(normal: str) -> bool:
    """An id long enough not to occur in a report by chance: at least four characters with a
    digit, and at least five digits when it is all digits (a year or a count is not an id)."""
    if len(normal) < MIN_ID_LENGTH or not any(ch.isdigit() for ch in normal):
        return False
    return not normal.isdigit() or len(normal) >= MIN_NUMERIC_ID_LENGTH


def _table_vocabulary() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Headers that mark respondent rows, and the columns of each respondent-level instrument."""
    headers = {"pseudonym", "pseudoniem"}
    columns = {}
    for instrument in instruments().values():
        id_columns = [c for c in instrument.columns if c.type == "identifier"]
        for c in id_columns:
            headers |= {c.name.casefold(), c.label.nl.casefold(), c.label.en.casefold()}
        if id_columns:
            columns[instrument.id] = frozenset(c.name for c in instrument.columns
                                               if c.type != "identifier")
    return frozenset(headers), columns


# -- direct identifiers in report text -----------------------------------------------------
_BIRTH_WORDS = re.compile(r"geboren|geboorte|geb\.|date of birth|born|birth|\bdob\b",
                          re.IGNORECASE)


def _bounded(text: str, start: int, end: int) -> bool:
    """A match that is not part of a longer word or number (a hash, a base-64 string)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def scan_identifiers(text: str) -> Iterable[tuple[str, str]]:
    """(kind, the text found) for direct identifiers in one piece of report text.

    Uses the patterns of the data screen (:mod:`mss_eval.input.identifiers`): e-mail addresses,
    postcodes with house numbers, nine-digit citizen service numbers passing the eleven-test,
    Dutch phone numbers, and full dates within a few words of a word for birth. A match must
    stand on its own, not inside a longer word or number.
    """
    if not id_patterns._PREFILTER.search(text):
        return
    taken: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        s, e = m.span()
        return all(e <= a or s >= b for a, b in taken)

    for m in id_patterns._EMAIL.finditer(text):
        taken.append(m.span())
        yield "email", m.group(0)
    for m in id_patterns._POSTCODE_HOUSE.finditer(text):
        if free(m) and _bounded(text, *m.span()):
            taken.append(m.span())
            yield "address", m.group(0)
    for m in id_patterns._BSN9.finditer(text):
        if free(m) and _bounded(text, *m.span()) and id_patterns.bsn_valid(m.group(1)):
            taken.append(m.span())
            yield "bsn", m.group(1)
    for m in id_patterns._PHONE.finditer(text):
        if free(m) and _bounded(text, *m.span()):
            taken.append(m.span())
            yield "phone", m.group(0)
    for m in id_patterns._FULL_DATE.finditer(text):
        if free(m) and _BIRTH_WORDS.search(text[max(0, m.start() - 60):m.end() + 20]):
            taken.append(m.span())
            yield "birth_date", m.group(0)


# -- one file --------------------------------------------------------------------------------
def _joined(units: list[Unit]) -> tuple[str, list[int]]:
    """The squashed text of all pieces, joined by spaces, and where each piece starts."""
    starts, pieces, offset = [], [], 0
    for unit in units:
        piece = squash(unit.text)
        starts.append(offset)
        pieces.append(piece)
        offset += len(piece) + 1
    return " ".join(pieces), starts


def _unit_at(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def check_extracted(extracted: Extracted, file: str, screen: Screen) -> list[Finding]:
    """The findings in the text pieces and tables of one file."""
    language = screen.language
    found: list[Finding] = []
    seen: set[tuple] = set()

    def add(kind: str, value: str, where: Where, **params) -> None:
        shown = params.pop("shown", None) or mask(value)
        key = (kind, squash(value), where)
        if key in seen:
            return
        seen.add(key)
        found.append(Finding(file=file, kind=kind, value=shown, where=where, language=language,
                             message=message(f"leak_{kind}", language, value=shown, **params)))

    units = extracted.units
    for unit in units:
        for kind, value, source in screen.scan_ids(unit):
            add(kind, value, unit.where, source=source)
        for kind, value in scan_identifiers(unit.text):
            add(kind, value, unit.where)

    haystack, starts = _joined(units)
    for offset, needle, source in screen.scan_free_text(haystack):
        add("free_text", needle, units[_unit_at(starts, offset)].where, source=source,
            length=len(needle))
    if screen.study is not None and screen._segments:
        from ..qualitative.quotes import unapproved_excerpts_in

        for ref in unapproved_excerpts_in(screen.study, "\n".join(u.text for u in units)):
            excerpt = screen._segments.get(ref, "")
            offset = haystack.find(squash(excerpt)) if excerpt else -1
            where = units[_unit_at(starts, offset)].where if offset >= 0 else Where()
            add("excerpt", excerpt or ref, where, segment=ref)

    for table in extracted.tables:
        header = [h.strip() for h in table.header]
        folded = [h.casefold() for h in header]
        id_column = next((h for h, f in zip(header, folded) if f in screen.id_headers), None)
        if id_column is not None:
            add("row_level_ids", id_column, table.where, shown=id_column, rows=table.rows)
            continue
        if table.rows <= screen.max_rows:
            continue
        for instrument_id, columns in screen.instrument_columns.items():
            shared = [h for h in header if h in columns]
            if len(shared) >= 3:
                shown = str(table.rows)
                add("row_level_rows", instrument_id, table.where, shown=shown,
                    columns=", ".join(shared[:5]) + (", …" if len(shared) > 5 else ""),
                    instrument=instrument_id)
                break
    # in reading order: cell and output of a notebook, page, line; stable within a place
    found.sort(key=lambda f: (f.where.cell or 0, f.where.output or 0, f.where.page or 0,
                              f.where.line or 0))
    return _capped(found, file, language)


def _capped(found: list[Finding], file: str, language: str) -> list[Finding]:
    out, counts = [], {}
    for f in found:
        counts[f.kind] = counts.get(f.kind, 0) + 1
        if counts[f.kind] <= MAX_PER_KIND:
            out.append(f)
    for kind, count in counts.items():
        if count > MAX_PER_KIND:
            hidden = str(count - MAX_PER_KIND)
            out.append(Finding(file=file, kind="more", value=hidden, language=language,
                               message=message("leak_more", language, value=hidden, what=kind)))
    return out


# -- files and folders -----------------------------------------------------------------------
def report_files(path: Path | str) -> list[Path]:
    """The files a check reads: ``path`` itself, or every report file under a folder (HTML,
    PDF, DOCX, JSON, notebooks, plain text; also hidden and half-written ones), sorted."""
    path = Path(path)
    if path.is_file():
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            candidate = Path(root) / name
            if candidate.suffix.lower() in SUFFIXES and not candidate.is_symlink():
                found.append(candidate)
    return found


def check_report(path: Path | str, study=None, *, language: str = "nl",
                 screen: Screen | None = None, max_rows: int = MAX_ROWS) -> list[Finding]:
    """Check rendered reports for respondent ids, direct identifiers, open answers, unapproved
    excerpts and row-level data.

    Parameters
    ----------
    path
        One report file, or a folder whose report files (``.html``, ``.pdf``, ``.docx``,
        ``.json``, ``.ipynb``, ``.md``, ``.txt``, ``.csv``, ``.svg``) are all checked.
    study
        The study the reports were made from (a folder or a loaded study), so that its own
        respondent ids, pseudonyms, open answers and unapproved excerpts are searched too.
        ``None``: only the patterns.
    language
        Language of the findings (``"nl"`` or ``"en"``).
    screen
        A :class:`Screen` built beforehand (when checking many reports of one study); overrides
        ``study``.
    max_rows
        A table with three or more columns of one instrument is row-level data when it has more
        rows than this.

    Returns
    -------
    list of Finding
        Empty when nothing leaks. A file that cannot be read is a finding too (``unreadable``):
        what was not checked is not known to be clean. Files are only read.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    StudyError
        The study's ``study.yaml`` or approved-quotes file has errors.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or folder", str(path))
    if screen is None:
        if study is not None:
            screen = Screen.from_study(study, language=language, max_rows=max_rows)
        else:
            screen = Screen.patterns_only(language=language, max_rows=max_rows)
    findings: list[Finding] = []
    for file in report_files(path):
        name = file.name if file == path else file.relative_to(path).as_posix()
        try:
            extracted = read_report_file(file, screen.language)
        except Exception as exc:  # a damaged file is a finding, not a crash of the check
            if os.environ.get("MSS_EVAL_DEBUG"):
                raise
            detail = f"{type(exc).__name__}: {str(exc)[:120]}"
            findings.append(Finding(file=name, kind="unreadable", value=detail,
                                    language=screen.language,
                                    message=message("leak_unreadable", screen.language,
                                                    value=detail)))
            continue
        findings += check_extracted(extracted, name, screen)
    return findings
