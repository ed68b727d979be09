"""Importing a REFI-QDA project into a region's ``coded_segments`` data.

``mss-eval import-qda FILE --study STUDY --round R --region X`` calls :func:`import_qda`: read the
project (:mod:`.refi`), map its codes to the study codebook (:mod:`.mapping`), and write
``STUDY/data/R/X/coded_segments.csv``, one row per code applied to a selection:

============  ========================================================================
segment_id    ``seg-`` and 14 letters derived from what the segment is: its source, start, end,
              study code and coder (see below), so the same coding keeps its id in every
              export of an unchanged project (approved quotes rely on it)
source_id     ``src-`` and 14 letters derived from the name of the source (from its GUID when
              two sources share a name); never the name itself, which often holds a person's
              name (the loader replaces it by a pseudonym)
source_kind   the numeric code of the source kind (``coded_segments.yaml``)
code          the study code path ``<level>/<key>``
coder         the name of the QDA user who made the coding
start, end    character positions of the selection (blank when a whole source is coded)
excerpt       the selected text (private; reaches a report only when approved)
============  ========================================================================

Ids are letters only because GUIDs hold runs of digits that the screen for direct identifiers
(:mod:`mss_eval.input.identifiers`) would rightly take for postcodes or phone numbers.

Why not the GUIDs of the codings: QualCoder writes new GUIDs for every source, selection and
coding each time a project is exported, so ids made from GUIDs change between two exports of the
same unchanged project. The name of a source, the positions, the code and the coder's name stay.
A source named like a source id (``src-`` and 14 letters, as ``mss-eval export-qda`` names
them) keeps that id, so a project written by the workbench imports back with the same ids. When
the same coder codes the same text with the same code twice, the second gets an id of its own.

The file is UTF-8 with a byte-order mark, comma separated, like the data templates, and is written
in one step (a temporary file renamed into place). The QDA file itself is only read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import string
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..hashing import sha256_of
from ..instruments import Codebook, get_instrument
from ..problems import MESSAGES, Problem, StudyError, message
from ..study import DATA_DIR, DATA_SUFFIXES, STUDY_FILE, load_config
from .mapping import CodeMapping, MappingResult, map_codes, read_mapping
from .refi import QdaProject, read_qda, source_kind_code, source_kind_key, source_kinds

INSTRUMENT = "coded_segments"

MESSAGES.update({
    "qda_unknown_round": {
        "nl": "ronde '{value}' staat niet in study.yaml; bekende rondes: {known}",
        "en": "round '{value}' is not in study.yaml; known rounds: {known}",
    },
    "qda_unknown_region": {
        "nl": "regio '{value}' staat niet in study.yaml; bekende regio's: {known}",
        "en": "region '{value}' is not in study.yaml; known regions: {known}",
    },
    "qda_region_not_in_round": {
        "nl": "regio '{value}' hoort volgens study.yaml niet bij ronde '{round}'; regio's van "
              "die ronde: {known}",
        "en": "according to study.yaml, region '{value}' is not part of round '{round}'; "
              "regions of that round: {known}",
    },
    "qda_output_exists": {
        "nl": "dit bestand bestaat al; geef --replace om het te vervangen",
        "en": "this file already exists; pass --replace to replace it",
    },
    "qda_output_other_format": {
        "nl": "er staat al een bestand {value} met gecodeerde fragmenten voor deze regio en "
              "ronde; haal het weg (of verplaats het) voordat u importeert, anders zijn er twee",
        "en": "there already is a file {value} with coded segments for this region and round; "
              "remove (or move) it before importing, otherwise there would be two",
    },
    "qda_unknown_source_kind_option": {
        "nl": "--source-kind '{value}' is geen soort bron; gebruik een van: {allowed}",
        "en": "--source-kind '{value}' is not a source kind; use one of: {allowed}",
    },
    "qda_unmapped_summary": {
        "nl": "{file}: {count} code(s) niet gekoppeld aan het studiecodeboek; er is niets "
              "weggeschreven",
        "en": "{file}: {count} code(s) not mapped to the study codebook; nothing was written",
    },
})


@dataclass
class ImportResult:
    """What :func:`import_qda` (or :func:`check_codebook`) did: counts, never text."""

    input_file: Path
    input_sha256: str
    output_file: Path | None
    segments: int
    sources: int
    coders: list[str]
    segments_by_kind: dict[str, int]
    mapping: MappingResult
    problems: list[Problem] = field(default_factory=list)


def letter_id(guid: str, prefix: str) -> str:
    """A stable id of letters only for a GUID: ``prefix-`` and 14 letters (64 bits of its
    SHA-256, in base 26)."""
    number = int(hashlib.sha256(guid.encode("utf-8")).hexdigest()[:16], 16)
    letters = []
    for _ in range(14):
        number, rest = divmod(number, 26)
        letters.append(string.ascii_lowercase[rest])
    return f"{prefix}-{''.join(letters)}"


SOURCE_ID = re.compile(r"src-[a-z]{14}")


def source_ids(project: QdaProject) -> dict[str, str]:
    """Source GUID -> ``source_id``: from the source's name, or its GUID when the name is empty
    or shared by another source; a name that is a source id already is kept."""
    names = Counter(s.name for s in project.sources)
    out = {}
    for s in project.sources:
        if SOURCE_ID.fullmatch(s.name):
            out[s.guid] = s.name
        elif s.name and s.name != s.guid and names[s.name] == 1:
            out[s.guid] = letter_id(f"name\x1f{s.name}", "src")
        else:
            out[s.guid] = letter_id(s.guid, "src")
    return out


def segment_id(source_id: str, start: int | None, end: int | None, code: str, coder: str) -> str:
    """The id of a coded segment: ``seg-`` and 14 letters from its source id, start and end
    (blank for a whole source), study code path and coder."""
    parts = (source_id, "" if start is None else str(start), "" if end is None else str(end),
             code, coder)
    return letter_id("\x1f".join(parts), "seg")


def coded_segment_rows(project: QdaProject, mapping: MappingResult, *,
                       default_kind: str | None = None, file: str | None = None,
                       language: str = "nl") -> list[dict[str, object]]:
    """The rows of ``coded_segments`` for a project: one per coding of a mapped code.

    Codings of codes the mapping leaves out or cannot map are skipped (the caller lists them
    through ``mapping``). A coded source without a source kind is an error unless
    ``default_kind`` is given. Rows are in source order, then by start position.
    """
    sources = {s.guid: s for s in project.sources}
    ids = source_ids(project)
    order = {s.guid: i for i, s in enumerate(project.sources)}
    missing_kind = []
    rows = []
    used_ids: Counter = Counter()
    codings = sorted(project.codings, key=lambda c: (order.get(c.source_guid, 0),
                                                     -1 if c.start is None else c.start,
                                                     c.end or 0))
    for coding in codings:
        tool_path = project.codes[coding.code_guid].path
        study_path = mapping.mapped.get(tool_path)
        if study_path is None:
            continue
        source = sources[coding.source_guid]
        kind = source.kind or default_kind
        if kind is None:
            if source.guid not in missing_kind:
                missing_kind.append(source.guid)
            continue
        coder = project.coder(coding)
        seg = segment_id(ids[source.guid], coding.start, coding.end, study_path, coder)
        used_ids[seg] += 1
        if used_ids[seg] > 1:  # the same text coded twice alike: ids stay unique
            seg = letter_id(f"{seg}/{used_ids[seg]}", "seg")
        rows.append({
            "segment_id": seg,
            "source_id": ids[source.guid],
            "source_kind": source_kind_code(kind),
            "code": study_path,
            "coder": coder,
            "start": coding.start,
            "end": coding.end,
            "excerpt": project.excerpt(coding),
        })
    if missing_kind:
        allowed = ", ".join(source_kinds())
        raise StudyError([Problem("qda_source_kind_missing", message(
            "qda_source_kind_missing", language, source=sources[g].name, allowed=allowed),
            file=file) for g in missing_kind],
            summary=message("qda_problems_summary", language, file=file, count=len(missing_kind)))
    return rows


def coded_segments_csv_bytes(rows: list[dict[str, object]]) -> bytes:
    """The rows as a ``coded_segments`` CSV file (UTF-8 with BOM, commas, CRLF)."""
    columns = [c.name for c in get_instrument(INSTRUMENT).columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _check_place(study: Path, round_id: str, region: str, language: str) -> None:
    config = load_config(study, language)
    rounds = [r.id for r in config.rounds]
    regions = [r.id for r in config.regions]
    problems = []
    if round_id not in rounds:
        problems.append(Problem("qda_unknown_round", message(
            "qda_unknown_round", language, value=round_id, known=", ".join(rounds)),
            file=STUDY_FILE, value=round_id))
    if region not in regions:
        problems.append(Problem("qda_unknown_region", message(
            "qda_unknown_region", language, value=region, known=", ".join(regions)),
            file=STUDY_FILE, value=region))
    if not problems and region not in config.round(round_id).regions:
        problems.append(Problem("qda_region_not_in_round", message(
            "qda_region_not_in_round", language, value=region, round=round_id,
            known=", ".join(config.round(round_id).regions)), file=STUDY_FILE, value=region))
    if problems:
        raise StudyError(problems, summary=problems[0].message)


def _output_path(study: Path, round_id: str, region: str, replace: bool, language: str) -> Path:
    folder = study / DATA_DIR / round_id / region
    target = folder / f"{INSTRUMENT}.csv"
    for suffix in DATA_SUFFIXES:
        existing = folder / f"{INSTRUMENT}{suffix}"
        relative = existing.relative_to(study).as_posix()
        if existing == target:
            if existing.exists() and not replace:
                text = message("qda_output_exists", language)
                raise StudyError([Problem("qda_output_exists", text, file=relative)],
                                 summary=f"{relative}: {text}")
        elif existing.exists():
            text = message("qda_output_other_format", language, value=relative)
            raise StudyError([Problem("qda_output_other_format", text, file=relative)],
                             summary=text)
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_qda(file: Path | str, study: Path | str, round_id: str, region: str, *,
               mapping: Path | str | CodeMapping | None = None, allow_unmapped: bool = False,
               replace: bool = False, default_source_kind: str | None = None,
               strict: bool = True, language: str | None = None,
               book: Codebook | None = None) -> ImportResult:
    """Import a REFI-QDA project as the ``coded_segments`` data of one region and round.

    Parameters
    ----------
    file
        The ``.qdpx`` (or ``.qde``) export of the QDA tool; only read, never written. A ``.qdc``
        codebook is checked against the study codebook (see :func:`check_codebook`) and nothing
        is written.
    study, round_id, region
        The study folder and where the data belong; the round and region must be in
        ``study.yaml`` and the region must be part of the round.
    mapping
        A mapping file (YAML or CSV, see :mod:`.mapping`) or a :class:`CodeMapping`.
    allow_unmapped
        Leave out codings of unmapped codes (they are still listed) instead of stopping.
    replace
        Replace an existing ``coded_segments.csv`` of the region and round.
    default_source_kind
        Source kind of sources for which no convention gives one (a key or label of a source
        kind, e.g. ``client_interview``).
    strict
        Deviations from the REFI-QDA schema are errors (default) or warnings.
    language
        Language of messages; default the study's.

    Returns
    -------
    ImportResult
        Counts per source kind, coders, the mapping (with unmapped codes) and warnings.

    Raises
    ------
    StudyError
        With problems as sentences: unknown round or region, an existing output file, an
        unreadable or invalid QDA file, unmapped codes (without ``allow_unmapped``), sources
        without a source kind.
    """
    file, study = Path(file), Path(study)
    language = language or _study_language(study)
    _check_place(study, round_id, region, language)
    default_kind = None
    if default_source_kind is not None:
        default_kind = source_kind_key(default_source_kind)
        if default_kind is None:
            raise StudyError([Problem("qda_unknown_source_kind_option", message(
                "qda_unknown_source_kind_option", language, value=default_source_kind,
                allowed=", ".join(source_kinds())))])
    target = _output_path(study, round_id, region, replace, language)
    if not isinstance(mapping, CodeMapping) and mapping is not None:
        mapping = read_mapping(mapping, language=language, book=book)

    digest = sha256_of(file)
    project = read_qda(file, language=language, strict=strict)
    if not project.sources and file.suffix.lower() == ".qdc":
        return check_codebook(file, mapping=mapping, language=language, book=book,
                              project=project, digest=digest)
    used = Counter(project.codes[c.code_guid].path for c in project.codings)
    result = map_codes(dict(used), mapping, book=book)
    problems = list(project.problems)
    if result.unmapped:
        unmapped = result.unmapped_problems(allowed=allow_unmapped, file=file.name,
                                            language=language)
        if not allow_unmapped:
            raise StudyError(unmapped, summary=message("qda_unmapped_summary", language,
                                                       file=file.name, count=len(unmapped)))
        problems += unmapped
    rows = coded_segment_rows(project, result, default_kind=default_kind, file=file.name,
                              language=language)
    _write_atomically(target, coded_segments_csv_bytes(rows))
    kinds = Counter(source_kinds()[_kind_index(r["source_kind"])] for r in rows)
    return ImportResult(
        input_file=file, input_sha256=digest, output_file=target, segments=len(rows),
        sources=len({r["source_id"] for r in rows}),
        coders=sorted({str(r["coder"]) for r in rows}),
        segments_by_kind={k: kinds[k] for k in source_kinds() if kinds[k]},
        mapping=result, problems=problems)


def check_codebook(file: Path | str, *, mapping: Path | str | CodeMapping | None = None,
                   language: str = "nl", book: Codebook | None = None,
                   project: QdaProject | None = None, digest: str | None = None) -> ImportResult:
    """Check how the codes of a ``.qdc`` codebook (or any REFI-QDA file) map to the study
    codebook, without writing anything. Every codable code counts; unmapped ones are listed in
    ``result.mapping.unmapped`` (with 0 codings)."""
    file = Path(file)
    if not isinstance(mapping, CodeMapping) and mapping is not None:
        mapping = read_mapping(mapping, language=language, book=book)
    project = project or read_qda(file, language=language)
    paths = [c.path for c in project.codes.values() if c.codable]
    result = map_codes(paths, mapping, book=book)
    return ImportResult(input_file=file, input_sha256=digest or sha256_of(file),
                        output_file=None, segments=0, sources=0, coders=[],
                        segments_by_kind={}, mapping=result, problems=list(project.problems))


def _kind_index(code: object) -> int:
    codes = [source_kind_code(k) for k in source_kinds()]
    return codes.index(int(code))  # type: ignore[arg-type]


def _study_language(study: Path) -> str:
    try:
        return load_config(study).settings.language
    except StudyError:
        return "nl"
