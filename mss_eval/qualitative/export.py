"""Writing the study codebook as a REFI-QDA codebook (``.qdc``) for a region's QDA tool.

Before coding, a region loads the study codebook into ATLAS.ti, MAXQDA, NVivo or QualCoder, so
its codes come back with paths the import maps without a mapping file. The ``.qdc`` file holds a
``CodeBook`` (namespace ``urn:QDA-XML:codebook:1.0``) with one parent code per level
(``isCodable="false"``) and the level's themes as codable child codes. A code's name is its key
(``executive`` / ``shorter_lines``; the default) or its label in the chosen language
(``Uitvoerend niveau`` / ``Kortere lijnen en betere afstemming``); the description gives the
Dutch and English labels, the description from the codebook and the study path. Every name is
unique in the codebook: a code whose name another code or a level also has gets its level in
brackets (``peer_expertise (executive)``), because QualCoder merges codes of one name on import
(:func:`mss_eval.qualitative.mapping.unique_code_names`; the import maps these names too).

GUIDs are derived from the code paths (UUID version 5 in a fixed namespace), so exporting the
same codebook twice gives the same file and a tool recognises the codes when a region imports an
updated codebook. The document is checked against the codebook schema before it is written.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from .. import __version__
from ..instruments import Codebook, codebook as study_codebook, get_instrument
from ..problems import MESSAGES, Problem, StudyError, message
from .mapping import unique_code_names
from .refi import CODEBOOK_NS, codebook_schema

#: Namespace of the deterministic code GUIDs (a UUID5 of the project's name in the URL space).
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://mss-eval/qualitative_codebook")

#: Colours per level, so the levels stand apart in a QDA tool.
LEVEL_COLOURS = {
    "administrative": "#1F77B4",
    "executive": "#2CA02C",
    "personal": "#FF7F0E",
    "conclusions": "#7F7F7F",
}


def code_guid(path: str) -> str:
    """The GUID of a study code (or level) path, upper case as most QDA tools write it."""
    return str(uuid.uuid5(GUID_NAMESPACE, path)).upper()


def codebook_qdc_bytes(book: Codebook | None = None, *, names: Literal["keys", "labels"] = "keys",
                       language: str = "nl") -> bytes:
    """The study codebook as a REFI-QDA ``.qdc`` document (UTF-8 XML bytes).

    Parameters
    ----------
    book
        The codebook (default ``questionnaires/qualitative_codebook.yaml``).
    names
        ``"keys"``: code names are the level and code keys, so code paths equal study paths;
        ``"labels"``: code names are the labels in ``language`` (also mapped on import).
    language
        Language of the labels used as names.

    Raises
    ------
    ValueError
        When the document breaks the codebook schema (a programming error).
    """
    book = book or study_codebook()
    unique = unique_code_names(book, names=names, language=language)
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": f"mss-eval {__version__}"})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for level, lv in book.levels.items():
        level_name = unique[level]
        level_el = ET.SubElement(codes, f"{{{CODEBOOK_NS}}}Code", {
            "guid": code_guid(level), "name": level_name, "isCodable": "false",
            "color": LEVEL_COLOURS.get(level, "#7F7F7F")})
        ET.SubElement(level_el, f"{{{CODEBOOK_NS}}}Description").text = (
            f"{lv.label.nl} / {lv.label.en} [{level}]")
        for code in lv.codes:
            path = f"{level}/{code.key}"
            name = unique[path]
            el = ET.SubElement(level_el, f"{{{CODEBOOK_NS}}}Code", {
                "guid": code_guid(path), "name": name, "isCodable": "true",
                "color": LEVEL_COLOURS.get(level, "#7F7F7F")})
            text = f"{code.label.nl} / {code.label.en}"
            if code.description is not None:
                text += f"\n{code.description.nl}\n{code.description.en}"
            ET.SubElement(el, f"{{{CODEBOOK_NS}}}Description").text = f"{text} [{path}]"
    ET.indent(root, space="  ")
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    errors = list(codebook_schema().iter_errors(ET.ElementTree(ET.fromstring(data))))
    if errors:
        raise ValueError(f"the exported codebook breaks the REFI-QDA schema: {errors[0]}")
    return data + b"\n"


def write_codebook_qdc(out: Path | str, book: Codebook | None = None, *,
                       names: Literal["keys", "labels"] = "keys", language: str = "nl") -> Path:
    """Write :func:`codebook_qdc_bytes` to ``out`` and return the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(codebook_qdc_bytes(book, names=names, language=language))
    return out


# -- a region's coded segments as a REFI-QDA project (.qdpx) --------------------------------------
MESSAGES.update({
    "qda_export_no_segments": {
        "nl": "er zijn geen gecodeerde fragmenten voor regio '{region}' in ronde '{round}' "
              "({value} ontbreekt); lees ze eerst in met 'mss-eval import-qda'",
        "en": "there are no coded segments for region '{region}' in round '{round}' ({value} "
              "is missing); import them first with 'mss-eval import-qda'",
    },
    "qda_export_invalid_segments": {
        "nl": "{value} heeft fouten ({count}); los ze op (zie 'mss-eval validate') voordat u "
              "exporteert",
        "en": "{value} has errors ({count}); fix them (see 'mss-eval validate') before exporting",
    },
    "qda_export_excerpt_length": {
        "nl": "{count} fragment(en) hebben een tekst die niet even lang is als hun positie "
              "(einde min begin); hun tekst staat niet in het project, hun positie wel",
        "en": "{count} segment(s) have a text that is not as long as their position (end minus "
              "start); the project has their position, not their text",
    },
})

#: The name of the variable holding a source's kind in an exported project.
SOURCE_KIND_VARIABLE = "soort bron"
_FIXED_TIME = (2010, 1, 1, 0, 0, 0)  # zip entries get a fixed time: same segments, same bytes


@dataclass
class ProjectExport:
    """What :func:`project_qdpx_bytes` wrote: the bytes and counts, never text."""

    data: bytes
    sources: int
    segments: int
    coders: list[str]
    problems: list[Problem] = field(default_factory=list)


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join(str(p) for p in parts))).upper()


def project_qdpx_bytes(segments: pd.DataFrame, *, name: str, book: Codebook | None = None,
                       names: Literal["keys", "labels"] = "labels", language: str = "nl",
                       file: str | None = None,
                       created: dt.datetime | None = None) -> ProjectExport:
    """Coded segments (``coded_segments`` rows of one region and round) as a REFI-QDA project.

    The project holds the study codebook (the names of :func:`codebook_qdc_bytes`, unique, with
    the same GUIDs), one user per coder, a text variable ``soort bron`` and one text source per
    ``source_id``, named by it, with the source kind as that variable's value. The data hold
    only the coded excerpts, not the whole interview, so a source's text has each excerpt at its
    own positions and spaces in between: every selection keeps its start, end, code and coder,
    and ``mss-eval import-qda`` of the file gives the same segments with the same ids. A segment
    without positions codes its whole source. Positions count characters (as QualCoder does).

    GUIDs are derived from the ids (UUID version 5) and the only time stamp is ``created`` (the
    ``creationDateTime`` of sources, selections and codings, which QualCoder's import requires;
    default 2000-01-01), so the same segments give the same file. The project is checked against
    ``Project.xsd`` before it is returned.

    Raises
    ------
    ValueError
        When the document breaks the schema (a programming error).
    """
    from .refi import PROJECT_NS, project_schema, source_kind_key

    book = book or study_codebook()
    unique = unique_code_names(book, names=names, language=language)
    kind_labels = get_instrument("coded_segments").labels("source_kind", language)
    q = lambda tag: f"{{{PROJECT_NS}}}{tag}"  # noqa: E731
    ET.register_namespace("", PROJECT_NS)
    root = ET.Element(q("Project"), {"name": name, "origin": f"mss-eval {__version__}"})

    stamp = (created or dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)).astimezone(
        dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    frame = segments.reset_index(drop=True)
    coders = list(dict.fromkeys(str(c) for c in frame["coder"].dropna()))
    users = ET.SubElement(root, q("Users"))
    user_guid = {c: _guid("user", c) for c in coders}
    for c in coders:
        ET.SubElement(users, q("User"), {"guid": user_guid[c], "name": c})
    if not coders:
        root.remove(users)

    codes_el = ET.SubElement(ET.SubElement(root, q("CodeBook")), q("Codes"))
    for level, lv in book.levels.items():
        level_el = ET.SubElement(codes_el, q("Code"), {
            "guid": code_guid(level), "name": unique[level], "isCodable": "false",
            "color": LEVEL_COLOURS.get(level, "#7F7F7F")})
        ET.SubElement(level_el, q("Description")).text = f"{lv.label.nl} / {lv.label.en} [{level}]"
        for code in lv.codes:
            path = f"{level}/{code.key}"
            el = ET.SubElement(level_el, q("Code"), {
                "guid": code_guid(path), "name": unique[path], "isCodable": "true",
                "color": LEVEL_COLOURS.get(level, "#7F7F7F")})
            ET.SubElement(el, q("Description")).text = (
                f"{code.label.nl} / {code.label.en} [{path}]")

    variable = _guid("variable", SOURCE_KIND_VARIABLE)
    variables = ET.SubElement(root, q("Variables"))
    ET.SubElement(variables, q("Variable"), {"guid": variable, "name": SOURCE_KIND_VARIABLE,
                                             "typeOfVariable": "Text"})

    sources_el = ET.SubElement(root, q("Sources"))
    texts: dict[str, str] = {}
    misfits = 0
    source_ids = list(dict.fromkeys(str(s) for s in frame["source_id"].dropna()))
    for source_id in source_ids:
        rows = frame[frame["source_id"].astype("string") == source_id]
        guid = _guid("source", source_id)
        positioned = rows[rows["start"].notna() & rows["end"].notna()]
        length = int(positioned["end"].max()) if len(positioned) else 0
        chars = [" "] * length
        for start, end, excerpt in positioned[["start", "end", "excerpt"]].itertuples(
                index=False, name=None):
            start, end = int(start), int(end)
            if isinstance(excerpt, str) and len(excerpt) == end - start:
                chars[start:end] = list(excerpt)
            elif excerpt is not None and excerpt is not pd.NA and end > start:
                misfits += 1
        texts[guid] = "".join(chars)
        source_el = ET.SubElement(sources_el, q("TextSource"), {
            "guid": guid, "name": source_id, "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": user_guid[str(rows["coder"].iloc[0])], "creationDateTime": stamp})
        for row in positioned.itertuples(index=False):
            coder = str(row.coder)
            sel = ET.SubElement(source_el, q("PlainTextSelection"), {
                "guid": _guid("selection", row.segment_id),
                "startPosition": str(int(row.start)), "endPosition": str(int(row.end)),
                "creatingUser": user_guid[coder], "creationDateTime": stamp})
            coding = ET.SubElement(sel, q("Coding"), {"guid": _guid("coding", row.segment_id),
                                                      "creatingUser": user_guid[coder],
                                                      "creationDateTime": stamp})
            ET.SubElement(coding, q("CodeRef"), {"targetGUID": code_guid(str(row.code))})
        for row in rows[rows["start"].isna() | rows["end"].isna()].itertuples(index=False):
            coding = ET.SubElement(source_el, q("Coding"), {
                "guid": _guid("coding", row.segment_id), "creatingUser": user_guid[str(row.coder)],
                "creationDateTime": stamp})
            ET.SubElement(coding, q("CodeRef"), {"targetGUID": code_guid(str(row.code))})
        kinds = rows["source_kind"].dropna()
        if len(kinds):
            key = str(kinds.iloc[0])
            label = kind_labels.get(key, key)
            value = ET.SubElement(source_el, q("VariableValue"))
            ET.SubElement(value, q("VariableRef"), {"targetGUID": variable})
            ET.SubElement(value, q("TextValue")).text = (
                label if source_kind_key(label) is not None else key)
    if not source_ids:
        root.remove(sources_el)

    ET.indent(root, space="  ")
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    errors = list(project_schema().iter_errors(ET.ElementTree(ET.fromstring(xml))))
    if errors:
        raise ValueError(f"the exported project breaks the REFI-QDA schema: {errors[0]}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("project.qde", _FIXED_TIME), xml,
                         compress_type=zipfile.ZIP_DEFLATED)
        for guid, text in texts.items():
            archive.writestr(zipfile.ZipInfo(f"sources/{guid}.txt", _FIXED_TIME),
                             text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    problems = []
    if misfits:
        problems.append(Problem("qda_export_excerpt_length", message(
            "qda_export_excerpt_length", language, count=misfits), severity="warning",
            file=file))
    return ProjectExport(data=buffer.getvalue(), sources=len(source_ids), segments=len(frame),
                         coders=coders, problems=problems)


def region_segments(study: Path | str, round_id: str, region: str, *,
                    language: str = "nl") -> pd.DataFrame:
    """The checked ``coded_segments`` rows of one region and round, source ids as in the file
    (not pseudonymised), source kinds as keys.

    Raises
    ------
    StudyError
        The round or region is not in ``study.yaml``, the region has no coded segments for the
        round, or the file has errors.
    """
    from ..input.readers import ReadError, read_table
    from ..input.validate import validate_table
    from ..study import DATA_DIR, DATA_SUFFIXES
    from .importer import _check_place

    study = Path(study)
    _check_place(study, round_id, region, language)
    folder = study / DATA_DIR / round_id / region
    found = [folder / f"coded_segments{s}" for s in DATA_SUFFIXES
             if (folder / f"coded_segments{s}").is_file()]
    relative = (folder / "coded_segments.csv").relative_to(study).as_posix()
    if not found:
        text = message("qda_export_no_segments", language, region=region, round=round_id,
                       value=relative)
        raise StudyError([Problem("qda_export_no_segments", text, file=relative)], summary=text)
    path = found[0]
    relative = path.relative_to(study).as_posix()
    try:
        raw = read_table(path, file=relative, language=language)
    except ReadError as exc:
        raise StudyError(exc.problems) from None
    frame, problems = validate_table(raw, get_instrument("coded_segments"), language=language,
                                     round=round_id, region=region)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise StudyError(errors, summary=message("qda_export_invalid_segments", language,
                                                 value=relative, count=len(errors)))
    out = frame.astype({"source_kind": "string"})
    out.attrs["file"] = relative
    return out


def write_project_qdpx(out: Path | str, study: Path | str, round_id: str, region: str, *,
                       names: Literal["keys", "labels"] = "labels",
                       language: str = "nl") -> ProjectExport:
    """Write the coded segments of one region and round as a REFI-QDA project to ``out``
    (:func:`project_qdpx_bytes`), in one step; the study's files are only read."""
    from .importer import _write_atomically

    segments = region_segments(study, round_id, region, language=language)
    # the time the coding came into the study: the same file gives the same project
    changed = dt.datetime.fromtimestamp(
        (Path(study) / segments.attrs["file"]).stat().st_mtime, dt.timezone.utc).replace(
        microsecond=0)
    result = project_qdpx_bytes(segments, name=f"MSS {region} {round_id}", names=names,
                                language=language, file=segments.attrs.get("file"),
                                created=changed)
    _write_atomically(Path(out), result.data)
    return result
