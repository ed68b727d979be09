"""Writing small REFI-QDA projects (``.qdpx``) to the standard, for the qualitative tests.

Written independently of the reader in ``mss_eval.qualitative.refi``: the XML is put together
element by element after ``Project.xsd`` (QDA-XML 1.0), in the order the schema prescribes, with
the source texts as ``sources/<guid>.txt`` entries referred to by ``internal://`` paths, the way
ATLAS.ti, MAXQDA, NVivo and QualCoder export a project.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"
_GUIDS = uuid.UUID("0b7a52b4-69c1-4c52-9d0e-7d6c7d2a1f00")


def guid(*parts: str) -> str:
    """A deterministic GUID in the braces-free upper-case form most tools write."""
    return str(uuid.uuid5(_GUIDS, "/".join(parts))).upper()


@dataclass
class Source:
    """A text source and how it says its kind: a variable on the source, a case or a set."""

    name: str
    text: str
    variable: str | None = None      # TextValue of the variable 'Soort bron' on the source
    case_kind: str | None = None     # a case with the variable 'Soort bron' holding this source
    sets: tuple[str, ...] = ()       # names of sets (document groups) holding this source
    inline: bool = False             # PlainTextContent instead of a file in sources/


@dataclass
class Selection:
    """A selection of ``source`` from ``start`` to ``end`` coded with (code path, user) pairs."""

    source: str
    start: int
    end: int
    codings: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Project:
    users: list[str]
    #: nested codes: name -> children (dict) ; a leaf is an empty dict
    codes: dict
    sources: list[Source]
    selections: list[Selection]
    #: (source name, code path, user): codings of a whole source
    source_codings: list[tuple[str, str, str]] = field(default_factory=list)
    name: str = "MSS regio test"


def _el(parent: ET.Element | None, tag: str, **attrs: str) -> ET.Element:
    q = f"{{{NS}}}{tag}"
    return ET.Element(q, attrs) if parent is None else ET.SubElement(parent, q, attrs)


def project_xml(p: Project) -> bytes:
    """``project.qde`` for the project (the schema's element order)."""
    ET.register_namespace("", NS)
    root = _el(None, "Project", name=p.name, origin="tests/qualitative_qdpx.py",
               creatingUserGUID=guid("user", p.users[0]),
               creationDateTime="2010-06-01T10:00:00Z")
    users = _el(root, "Users")
    for u in p.users:
        _el(users, "User", guid=guid("user", u), name=u)
    codebook = _el(root, "CodeBook")
    codes = _el(codebook, "Codes")

    def add(parent: ET.Element, tree: dict, prefix: tuple[str, ...]) -> None:
        for name, children in tree.items():
            path = "/".join((*prefix, name))
            el = _el(parent, "Code", guid=guid("code", path), name=name,
                     isCodable="false" if children else "true")
            add(el, children, (*prefix, name))

    add(codes, p.codes, ())
    kind_var = guid("variable", "Soort bron")
    if any(s.variable or s.case_kind for s in p.sources):
        variables = _el(root, "Variables")
        _el(variables, "Variable", guid=kind_var, name="Soort bron", typeOfVariable="Text")
    case_sources = [s for s in p.sources if s.case_kind]
    if case_sources:
        cases = _el(root, "Cases")
        for s in case_sources:
            case = _el(cases, "Case", guid=guid("case", s.name), name=f"Respondent {s.name}")
            value = _el(case, "VariableValue")
            _el(value, "VariableRef", targetGUID=kind_var)
            _el(value, "TextValue").text = s.case_kind
            _el(case, "SourceRef", targetGUID=guid("source", s.name))
    sources = _el(root, "Sources")
    for s in p.sources:
        attrs = {"guid": guid("source", s.name), "name": s.name}
        if not s.inline:
            attrs["plainTextPath"] = f"internal://{guid('source', s.name)}.txt"
        src = _el(sources, "TextSource", **attrs)
        if s.inline:
            _el(src, "PlainTextContent").text = s.text
        for i, sel in enumerate(x for x in p.selections if x.source == s.name):
            el = _el(src, "PlainTextSelection", guid=guid("selection", s.name, str(i)),
                     name=f"fragment {i}", startPosition=str(sel.start),
                     endPosition=str(sel.end), creatingUser=guid("user", sel.codings[0][1]))
            for j, (code, user) in enumerate(sel.codings):
                coding = _el(el, "Coding", guid=guid("coding", s.name, str(i), str(j)),
                             creatingUser=guid("user", user))
                _el(coding, "CodeRef", targetGUID=guid("code", code))
        for j, (name, code, user) in enumerate(c for c in p.source_codings if c[0] == s.name):
            coding = _el(src, "Coding", guid=guid("source-coding", s.name, str(j)),
                         creatingUser=guid("user", user))
            _el(coding, "CodeRef", targetGUID=guid("code", code))
        if s.variable:
            value = _el(src, "VariableValue")
            _el(value, "VariableRef", targetGUID=kind_var)
            _el(value, "TextValue").text = s.variable
    set_names = list(dict.fromkeys(n for s in p.sources for n in s.sets))
    if set_names:
        sets = _el(root, "Sets")
        for n in set_names:
            st = _el(sets, "Set", guid=guid("set", n), name=n)
            for s in p.sources:
                if n in s.sets:
                    _el(st, "MemberSource", targetGUID=guid("source", s.name))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_qdpx(path: Path, p: Project) -> Path:
    """Write the project as a ``.qdpx`` archive: ``project.qde`` and ``sources/<guid>.txt``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", project_xml(p))
        for s in p.sources:
            if not s.inline:
                z.writestr(f"sources/{guid('source', s.name)}.txt", s.text.encode("utf-8"))
    return path


def span(text: str, fragment: str) -> tuple[int, int]:
    """Start and end (exclusive) of a fragment in a text, in characters."""
    start = text.index(fragment)
    return start, start + len(fragment)


# -- the project used by most tests ------------------------------------------------------------
# Texts are invented for the tests; they describe nobody.
TEXT_GENERAL = ("De stuurgroep komt al jaren elk kwartaal bij elkaar. Dankzij de werktafel zijn "
                "de lijnen tussen de ggz en het welzijnswerk veel korter geworden. Een "
                "ervaringsdeskundige draait sinds kort mee.")
TEXT_PARTNER = ("Wij verwijzen nu sneller door via de werktafel en bellen elkaar direct. "
                "De ervaringsdeskundigen van de cliëntenraad vertellen hun verhaal op de tafel.")
TEXT_CLIENT = ("Ik kon gewoon binnenlopen bij het buurtsteunpunt, zonder afspraak, en de "
               "woonbegeleider ging de eerste keer met me mee.")
TEXT_MEETING = ("Iedereen herkende dat het overleg nu al drie jaar doorloopt en dat dit "
                "belangrijk is. Opvallend was de discussie over de wachtlijst.")

#: Tool code tree: a label path (Dutch), a study path (keys), a code needing a mapping file, and
#: a code nobody maps ("Opvallend").
TOOL_CODES = {
    "Bestuurlijk niveau": {"Continuïteit": {}},
    "executive": {"shorter_lines": {}, "peer_expertise": {}},
    "Persoonlijk": {"Warme overdracht": {}},
    "Opvallend": {},
}
MAPPING_YAML = '"Persoonlijk/Warme overdracht": personal/low_threshold\n'


def example_project() -> Project:
    """Four sources of one region, coded by ann and bob (bob codes the first three).

    Presence of the codes per source and coder (ann / bob) in the double-coded sources:

    ====================  =================  =================  =================
    code                  general interview  partner interview  client interview
    ====================  =================  =================  =================
    continuity            1 / 1              0 / 0              0 / 0
    shorter_lines         1 / 1              1 / 0              0 / 0
    peer_expertise        0 / 1              1 / 1              0 / 0
    low_threshold         0 / 0              0 / 0              1 / 1
    ====================  =================  =================  =================
    """
    g, pt, c, m = TEXT_GENERAL, TEXT_PARTNER, TEXT_CLIENT, TEXT_MEETING
    cont, short = "Bestuurlijk niveau/Continuïteit", "executive/shorter_lines"
    peer, low = "executive/peer_expertise", "Persoonlijk/Warme overdracht"
    sel = []

    def add(source: str, text: str, fragment: str, *codings: tuple[str, str]) -> None:
        start, end = span(text, fragment)
        sel.append(Selection(source, start, end, list(codings)))

    add("Interview coördinator", g, "De stuurgroep komt al jaren elk kwartaal bij elkaar.",
        (cont, "ann"), (cont, "bob"))
    add("Interview coördinator", g, "de lijnen tussen de ggz en het welzijnswerk veel korter",
        (short, "ann"))
    add("Interview coördinator", g, "Dankzij de werktafel zijn de lijnen", (short, "bob"))
    add("Interview coördinator", g, "Een ervaringsdeskundige draait sinds kort mee.",
        (peer, "bob"))
    add("Interview partner", pt, "Wij verwijzen nu sneller door via de werktafel", (short, "ann"))
    add("Interview partner", pt, "De ervaringsdeskundigen van de cliëntenraad",
        (peer, "ann"), (peer, "bob"))
    add("Cliënt 07", c, "Ik kon gewoon binnenlopen bij het buurtsteunpunt, zonder afspraak",
        (low, "ann"))
    add("Cliënt 07", c, "de woonbegeleider ging de eerste keer met me mee", (low, "ann"),
        (low, "bob"))
    add("Terugkoppeling", m, "het overleg nu al drie jaar doorloopt", (cont, "ann"))
    add("Terugkoppeling", m, "de discussie over de wachtlijst", ("Opvallend", "ann"))
    return Project(
        users=["ann", "bob"],
        codes=TOOL_CODES,
        sources=[
            Source("Interview coördinator", g, variable="algemeen interview"),
            Source("Interview partner", pt, sets=("Partnerinterviews",)),
            Source("Cliënt 07", c, case_kind="Cliëntinterview"),
            Source("Terugkoppeling", m, sets=("terugkoppelingsbijeenkomst", "Ronde 1"),
                   inline=True),
        ],
        selections=sel,
    )


TEXT_EINDHOVEN = ("Het convenant loopt al vier jaar door, ook na de wisseling van wethouder. "
                  "Cliënten doen steeds meer zelf, met hulp van lotgenoten.")


def eindhoven_project() -> Project:
    """One partner interview in a second region, coded by one coder with study paths."""
    t = TEXT_EINDHOVEN
    s1 = span(t, "Het convenant loopt al vier jaar door")
    s2 = span(t, "Cliënten doen steeds meer zelf, met hulp van lotgenoten.")
    return Project(
        users=["cees"],
        codes={"administrative": {"continuity": {}}, "personal": {"independence": {}}},
        sources=[Source("Interview woningcorporatie", t, variable="partnerinterview")],
        selections=[Selection("Interview woningcorporatie", *s1, [("administrative/continuity", "cees")]),
                    Selection("Interview woningcorporatie", *s2, [("personal/independence", "cees")])],
    )


STUDY_YAML = """\
name: Kwalitatieve test
synthetic: true
rounds:
  - id: "2010-1"
    label: Ronde 1
    regions: [den_haag, eindhoven, dordrecht]
regions:
  - {id: den_haag, name: Den Haag}
  - {id: eindhoven, name: Eindhoven}
  - {id: dordrecht, name: Dordrecht}
"""


def write_study(folder: Path) -> Path:
    """An empty study with one round of three regions."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.yaml").write_text(STUDY_YAML, encoding="utf-8")
    return folder
