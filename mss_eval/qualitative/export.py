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

import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Literal

from .. import __version__
from ..instruments import Codebook, codebook as study_codebook
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
