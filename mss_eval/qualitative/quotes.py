"""Approved quotes: the only way an excerpt of a coded interview reaches a report.

An excerpt (the ``excerpt`` column of ``coded_segments``) is private. A report may show it only
when an author has listed its segment in the study's ``texts/approved_quotes.yaml``, with who
approved it::

    # Quotes approved for the reports. Only these excerpts may appear in a report.
    approved_by: A. de Auteur          # applies to every entry that names no one itself
    quotes:
      - segment: 6f1c0b9e-3d2a-4c51-9a0e-1b2c3d4e5f60   # segment_id in coded_segments
        round: 2010-1                  # round and region: needed only when the segment id
        region: den_haag               # occurs in more than one region or round
        approved_on: 2010-10-01        # optional
      - segment: S014
        approved_by: B. Onderzoeker    # overrides the file's approved_by

An entry may also be just a segment id (``- S014``) when the file has ``approved_by``. A quote is
shown attributed only by region and source kind (``Den Haag, cliëntinterview``): never the
source, the coder, the positions or the segment id.

Excerpts of segments that are not approved never leave this module: :func:`approved_quotes`
returns approved ones only, and :func:`unapproved_excerpts_in` tells a report check which
unapproved segments it found in a text by their ids, not their text.

``mss-eval validate`` checks the file against the coded segments it read
(:func:`check_approved_quotes`) and lists, as warnings: an entry whose segment is not (or no
longer) there, for instance after a QDA project was imported again with other coding (a report
with quotes stops on it, see :func:`approved_quotes`); an approved excerpt holding what looks like
a direct identifier (e-mail address, phone number, BSN, postcode with house number, a full date
near a word for birth), which ``mss-eval check-report`` refuses in a report; and an approved
excerpt with another full date (``overleg van 12-03-2010``), to look at. Warnings, because the
data stay valid: the file of quotes is the authors' and one stale line must not keep a region's
data out of every report. The excerpts themselves are coded text, not data about a person: the
screen of data files does not take their dates for dates of birth.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..instruments import codebook as study_codebook, get_instrument
from ..problems import MESSAGES, Problem, StudyError, message
from ..study import TEXTS_DIR

QUOTES_FILE = "approved_quotes.yaml"
_ENTRY_KEYS = {"segment", "round", "region", "approved_by", "approved_on", "note"}
_FILE_KEYS = {"approved_by", "quotes"}

MESSAGES.update({
    "quotes_format": {
        "nl": "verwacht 'quotes:' met een lijst van fragmenten (segment, eventueel round, region, "
              "approved_by, approved_on); {detail}",
        "en": "expected 'quotes:' with a list of segments (segment, optionally round, region, "
              "approved_by, approved_on); {detail}",
    },
    "quotes_unknown_key": {
        "nl": "onbekende sleutel '{value}'; toegestaan zijn: {allowed}",
        "en": "unknown key '{value}'; allowed are: {allowed}",
    },
    "quotes_not_approved": {
        "nl": "bij fragment '{value}' staat niet wie het heeft goedgekeurd (approved_by)",
        "en": "segment '{value}' does not say who approved it (approved_by)",
    },
    "quotes_unknown_segment": {
        "nl": "fragment '{value}' staat niet in de gecodeerde fragmenten{where}",
        "en": "segment '{value}' is not among the coded segments{where}",
    },
    "quotes_segment_gone": {
        "nl": "fragment '{value}' staat niet (meer) in de gecodeerde fragmenten{where}; is het "
              "QDA-project opnieuw ingelezen met een andere codering? Zoek het fragment op zijn "
              "nieuwe nummer in coded_segments en keur het opnieuw goed, of haal de regel weg",
        "en": "segment '{value}' is not (or no longer) among the coded segments{where}; was the "
              "QDA project imported again with different coding? Look the segment up under its "
              "new id in coded_segments and approve it again, or remove the line",
    },
    "quotes_identifier": {
        "nl": "het goedgekeurde fragment '{value}' bevat wat lijkt op {what} ('{part}'); een "
              "citaat in een rapport mag niemand herkenbaar maken: haal het uit de goedgekeurde "
              "citaten",
        "en": "the approved segment '{value}' holds what looks like {what} ('{part}'); a quote in "
              "a report must not make anyone recognisable: remove it from the approved quotes",
    },
    "quotes_full_date": {
        "nl": "het goedgekeurde fragment '{value}' bevat een volledige datum ('{part}'); kijk na "
              "dat het geen geboortedatum of andere herkenbare datum van een persoon is",
        "en": "the approved segment '{value}' holds a full date ('{part}'); check that it is not "
              "a date of birth or another date that identifies a person",
    },
    "quotes_ambiguous_segment": {
        "nl": "fragment '{value}' komt voor in {places}; geef round en region op",
        "en": "segment '{value}' occurs in {places}; give round and region",
    },
})


@dataclass(frozen=True)
class ApprovedQuote:
    """One entry of ``approved_quotes.yaml``."""

    segment: str
    round: str | None
    region: str | None
    approved_by: str
    approved_on: dt.date | None
    line: int | None


def quotes_path(study_dir: Path | str) -> Path:
    """``texts/approved_quotes.yaml`` of a study folder."""
    return Path(study_dir) / TEXTS_DIR / QUOTES_FILE


def read_approved_quotes(study_dir: Path | str, *, language: str = "nl") -> list[ApprovedQuote]:
    """The entries of the study's approved-quotes file (an empty list when there is none).

    Raises
    ------
    StudyError
        The file is not valid YAML, has unknown keys, or an entry says no one approved it.
    """
    path = quotes_path(study_dir)
    file = f"{TEXTS_DIR}/{QUOTES_FILE}"
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8-sig")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise StudyError([Problem("yaml_syntax", message(
            "yaml_syntax", language, detail=getattr(exc, "problem", None) or exc), file=file,
            line=mark.line + 1 if mark else None)]) from None
    if data is None:
        return []

    def fail(code: str, line: int | None, **params) -> Problem:
        return Problem(code, message(code, language, **params), file=file, line=line,
                       value=params.get("value"))

    problems: list[Problem] = []
    default_by = None
    entries, entry_nodes = data, node
    if isinstance(data, dict):
        for key_node, _ in node.value:
            if key_node.value not in _FILE_KEYS:
                problems.append(fail("quotes_unknown_key", key_node.start_mark.line + 1,
                                     value=key_node.value, allowed=", ".join(sorted(_FILE_KEYS))))
        default_by = data.get("approved_by")
        entries = data.get("quotes") or []
        entry_nodes = next((v for k, v in node.value if k.value == "quotes"), None)
    if not isinstance(entries, list):
        raise StudyError([fail("quotes_format", node.start_mark.line + 1,
                               detail="'quotes' is not a list")])
    out = []
    nodes = entry_nodes.value if isinstance(entry_nodes, yaml.SequenceNode) else [None] * len(entries)
    for entry, entry_node in zip(entries, nodes):
        line = entry_node.start_mark.line + 1 if entry_node is not None else None
        if isinstance(entry, (str, int)):
            entry = {"segment": entry}
        if not isinstance(entry, dict) or "segment" not in entry:
            problems.append(fail("quotes_format", line, detail=f"'{entry}'"))
            continue
        for key in entry:
            if key not in _ENTRY_KEYS:
                problems.append(fail("quotes_unknown_key", line, value=key,
                                     allowed=", ".join(sorted(_ENTRY_KEYS))))
        segment = str(entry["segment"]).strip()
        by = entry.get("approved_by", default_by)
        if by is None or not str(by).strip():
            problems.append(fail("quotes_not_approved", line, value=segment))
            continue
        on = entry.get("approved_on")
        out.append(ApprovedQuote(
            segment=segment,
            round=None if entry.get("round") is None else str(entry["round"]),
            region=None if entry.get("region") is None else str(entry["region"]),
            approved_by=str(by).strip(),
            approved_on=on if isinstance(on, dt.date) else None, line=line))
    if problems:
        raise StudyError(problems, summary=f"{file}: {len(problems)} problem(s)")
    return out


def _segments(study) -> pd.DataFrame:
    tables = getattr(study, "tables", None)
    return tables["coded_segments"] if tables is not None else study["coded_segments"]


def _approved_rows(study, language: str) -> pd.DataFrame:
    """The coded segments an author approved, in the order of the approved-quotes file."""
    return _segments(study).iloc[_approved_positions(study, language)]


def _approved_positions(study, language: str) -> list[int]:
    """Row positions of the approved segments, in the order of the approved-quotes file.

    Raises StudyError naming the line of an entry whose segment is unknown or ambiguous."""
    segments = _segments(study)
    entries = read_approved_quotes(study.path, language=language)
    file = f"{TEXTS_DIR}/{QUOTES_FILE}"
    problems, picked = [], []
    ids = segments["segment_id"].astype("string")
    for entry in entries:
        hit = ids == entry.segment
        if entry.round is not None:
            hit &= segments["round"] == entry.round
        if entry.region is not None:
            hit &= segments["region"] == entry.region
        hit = hit.fillna(False).to_numpy(dtype=bool)
        places = segments.loc[hit, ["round", "region"]].drop_duplicates()
        if len(places) == 0:
            where = "".join(f", {k} '{v}'" for k, v in (("round", entry.round),
                                                         ("region", entry.region)) if v)
            problems.append(Problem("quotes_unknown_segment", message(
                "quotes_unknown_segment", language, value=entry.segment, where=where),
                file=file, line=entry.line, value=entry.segment))
        elif len(places) > 1:
            listed = ", ".join(f"{r}/{g}" for r, g in places.itertuples(index=False, name=None))
            problems.append(Problem("quotes_ambiguous_segment", message(
                "quotes_ambiguous_segment", language, value=entry.segment, places=listed),
                file=file, line=entry.line, value=entry.segment))
        else:
            picked.extend(np.flatnonzero(hit).tolist())
    if problems:
        raise StudyError(problems, summary=f"{file}: {len(problems)} problem(s)")
    return list(dict.fromkeys(picked))


def approved_quotes(study, round: str | None = None, region: str | None = None, *,
                    code: str | None = None, level: str | None = None,
                    language: str | None = None) -> pd.DataFrame:
    """The approved excerpts, attributed by region and source kind only.

    Parameters
    ----------
    study
        A loaded study (:func:`mss_eval.load_study`).
    round, region, code, level
        Keep only quotes of this round, region, code path or codebook level.
    language
        Language of the labels (default the study's).

    Returns
    -------
    DataFrame
        One row per approved segment with an excerpt, in the order of the approved-quotes file:
        ``round``, ``region``, ``region_name``, ``source_kind``, ``source_kind_label``, ``level``,
        ``code``, ``label``, ``excerpt``. No source id, coder, positions or segment id. Empty
        (with these columns) when the study has no approved-quotes file.

    Raises
    ------
    StudyError
        The approved-quotes file is invalid or lists a segment that does not exist.
    """
    language = language or study.settings.language
    rows = _approved_rows(study, language)
    rows = rows[rows["excerpt"].notna() & (rows["excerpt"].astype("string").str.strip() != "")]
    if round is not None:
        rows = rows[rows["round"] == round]
    if region is not None:
        rows = rows[rows["region"] == region]
    if code is not None:
        rows = rows[rows["code"] == code]
    if level is not None:
        rows = rows[rows["code"].astype("string").str.split("/").str[0] == level]
    book = study_codebook()
    kinds = get_instrument("coded_segments").labels("source_kind", language)
    names = {r.id: r.name for r in study.config.regions}
    out = pd.DataFrame({
        "round": rows["round"].astype("string"),
        "region": rows["region"].astype("string"),
        "region_name": rows["region"].map(names).astype("string"),
        "source_kind": rows["source_kind"],
        "source_kind_label": rows["source_kind"].astype("string").map(kinds).astype("string"),
        "level": rows["code"].astype("string").str.split("/").str[0],
        "code": rows["code"].astype("string"),
        "label": rows["code"].astype("string").map(
            lambda p: book.label(p, language) if isinstance(p, str) else pd.NA).astype("string"),
        "excerpt": rows["excerpt"].astype("string"),
    })
    return out.reset_index(drop=True)


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def unapproved_excerpts_in(study, text: str, *, min_length: int = 25) -> list[str]:
    """Segment ids of unapproved excerpts that occur in ``text`` (e.g. a rendered report).

    Compares without regard to case and white space; excerpts shorter than ``min_length``
    characters are not searched (a two-word excerpt occurs in any report), nor are excerpts
    whose words are part of an approved excerpt (the same sentence coded twice). Returns
    ``round/region/segment_id`` strings, never excerpt text.
    """
    index = _excerpt_index(study, min_length)
    haystack = _squash(text)
    hits: set[int] = set()
    for start in range(len(haystack) - min_length + 1):
        candidates = index.get(haystack[start:start + min_length])
        if candidates:
            for number, needle in candidates:
                if number not in hits and haystack.startswith(needle, start):
                    hits.add(number)
    return [ids for number, ids in enumerate(index[None]) if number in hits]


_indexes: dict[tuple[int, int], tuple[object, dict]] = {}


def _excerpt_index(study, min_length: int) -> dict:
    """The unapproved excerpts of a study, squashed and indexed by their first ``min_length``
    characters (so a report is scanned once, not once per excerpt); ``index[None]`` holds the
    segment ids in study order. Built once per loaded study."""
    cached = _indexes.get((id(study), min_length))
    if cached is not None and cached[0] is study:
        return cached[1]
    segments = _segments(study)
    positions = _approved_positions(study, study.settings.language)
    # the same words coded again (by a second coder, say) are no leak once approved
    approved_texts = [_squash(str(e)) for e in segments.iloc[positions]["excerpt"].dropna()]
    keep = np.ones(len(segments), dtype=bool)
    keep[positions] = False
    rest = segments[keep]
    index: dict = {None: []}
    for round_id, region, segment, excerpt in rest[["round", "region", "segment_id",
                                                    "excerpt"]].itertuples(index=False):
        if excerpt is None or excerpt is pd.NA:
            continue
        needle = _squash(str(excerpt))
        if len(needle) < min_length or any(needle in a for a in approved_texts):
            continue
        number = len(index[None])
        index[None].append(f"{round_id}/{region}/{segment}")
        index.setdefault(needle[:min_length], []).append((number, needle))
    _indexes.clear()  # one study at a time: a render checks the reports of one study
    _indexes[(id(study), min_length)] = (study, index)
    return index


_IDENTIFIER_WORDS = {
    "nl": {"bsn": "een burgerservicenummer (BSN)", "email": "een e-mailadres",
           "phone": "een telefoonnummer", "address": "een postcode met huisnummer",
           "birth_date": "een geboortedatum", "name": "een persoonsnaam"},
    "en": {"bsn": "a citizen service number (BSN)", "email": "an e-mail address",
           "phone": "a phone number", "address": "a postcode with house number",
           "birth_date": "a date of birth", "name": "a person's name"},
}
_BIRTH_NEAR = re.compile(r"geboren|geboorte|geb\.|date of birth|born|birth|\bdob\b", re.IGNORECASE)


def check_approved_quotes(study_dir: Path | str, files, *, language: str = "nl") -> list[Problem]:
    """The problems of ``texts/approved_quotes.yaml`` against the coded segments a validation read.

    Parameters
    ----------
    study_dir
        The study folder.
    files
        The data files read by :func:`mss_eval.input.validate.validate_study`: objects with
        ``instrument``, ``round``, ``region``, ``frame`` and ``has_errors``; only those of
        ``coded_segments`` are used.

    Returns
    -------
    list of Problem
        Warnings: one per entry whose segment is not among the coded segments (unless the coded
        segments of its round and region could not be read: then that file's own problems
        say why), per ambiguous entry, per approved excerpt with what looks like a direct
        identifier and per approved excerpt with a full date. Never the excerpt's text: the part
        found is masked. Never raises: a broken quotes file gives its problems as warnings.
    """
    from ..input.identifiers import ColumnKind, mask, screen_values

    try:
        entries = read_approved_quotes(study_dir, language=language)
    except StudyError as exc:
        return [_warning(p) for p in exc.problems]
    if not entries:
        return []
    file = f"{TEXTS_DIR}/{QUOTES_FILE}"
    frames, unreadable = [], set()
    for fr in files:
        if fr.instrument != "coded_segments":
            continue
        if fr.frame is None or "segment_id" not in fr.frame.columns:
            unreadable.add((fr.round, fr.region))
            continue
        frame = fr.frame
        frames.append(pd.DataFrame({
            "round": fr.round, "region": fr.region,
            "segment_id": frame["segment_id"].astype("string").to_numpy(),
            "excerpt": (frame["excerpt"].astype("string") if "excerpt" in frame.columns
                        else pd.Series(pd.NA, index=frame.index, dtype="string")).to_numpy()}))
    segments = (pd.concat(frames, ignore_index=True) if frames else
                pd.DataFrame({c: pd.Series(dtype="string")
                              for c in ("round", "region", "segment_id", "excerpt")}))
    problems: list[Problem] = []
    free_text = ColumnKind(name="excerpt", is_free_text=True)
    for entry in entries:
        hit = (segments["segment_id"] == entry.segment).fillna(False)
        if entry.round is not None:
            hit &= segments["round"] == entry.round
        if entry.region is not None:
            hit &= segments["region"] == entry.region
        rows = segments[hit.to_numpy(dtype=bool)]
        places = rows[["round", "region"]].drop_duplicates()
        if len(places) == 0:
            if any(entry.round in (None, r) and entry.region in (None, g) for r, g in unreadable):
                continue  # it may be in a file that could not be read (its problems say why)
            where = "".join(f", {k} '{v}'" for k, v in (("round", entry.round),
                                                         ("region", entry.region)) if v)
            problems.append(Problem("quotes_segment_gone", message(
                "quotes_segment_gone", language, value=entry.segment, where=where),
                file=file, line=entry.line, value=entry.segment))
            continue
        if len(places) > 1:
            listed = ", ".join(f"{r}/{g}" for r, g in places.itertuples(index=False, name=None))
            problems.append(Problem("quotes_ambiguous_segment", message(
                "quotes_ambiguous_segment", language, value=entry.segment, places=listed),
                file=file, line=entry.line, value=entry.segment))
            continue
        for text in rows["excerpt"].dropna():
            found = screen_values(pd.Series([str(text)]), free_text)
            if not found:
                continue
            what, part = next(iter(found.values()))
            if what == "full_date":
                if not _BIRTH_NEAR.search(str(text)):
                    problems.append(Problem("quotes_full_date", message(
                        "quotes_full_date", language, value=entry.segment, part=mask(part)),
                        severity="warning", file=file, line=entry.line, value=entry.segment))
                    continue
                what = "birth_date"
            words = _IDENTIFIER_WORDS.get(language, _IDENTIFIER_WORDS["nl"])
            problems.append(Problem("quotes_identifier", message(
                "quotes_identifier", language, value=entry.segment,
                what=words.get(what, what), part=mask(part)),
                file=file, line=entry.line, value=entry.segment))
    return [_warning(p) for p in problems]


def _warning(problem: Problem) -> Problem:
    return Problem(**{**problem.to_dict(), "severity": "warning"})
