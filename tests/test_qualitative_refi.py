"""Reading REFI-QDA projects: schema validation, codes, sources, kinds, codings, excerpts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

import pytest
from qualitative_qdpx import (
    TEXT_CLIENT,
    TEXT_GENERAL,
    Project,
    Selection,
    Source,
    example_project,
    guid,
    project_xml,
    span,
    write_qdpx,
)

from mss_eval.problems import StudyError
from mss_eval.qualitative.refi import project_schema, read_qda, source_kind_key


@pytest.fixture
def qdpx(tmp_path):
    return write_qdpx(tmp_path / "regio.qdpx", example_project())


def test_written_project_validates_against_the_published_schema(qdpx):
    xml = zipfile.ZipFile(qdpx).read("project.qde")
    errors = list(project_schema().iter_errors(ET.ElementTree(ET.fromstring(xml))))
    assert errors == []


def test_nested_codes_get_paths_of_their_names(qdpx):
    project = read_qda(qdpx)
    paths = project.code_paths()
    assert paths == ["Bestuurlijk niveau", "Bestuurlijk niveau/Continuïteit", "executive",
                     "executive/shorter_lines", "executive/peer_expertise", "Persoonlijk",
                     "Persoonlijk/Warme overdracht", "Opvallend"]
    codable = {c.path: c.codable for c in project.codes.values()}
    assert codable["executive"] is False and codable["executive/shorter_lines"] is True


def test_source_kind_comes_from_variable_set_or_case(qdpx):
    kinds = {s.name: s.kind for s in read_qda(qdpx).sources}
    assert kinds == {"Interview coördinator": "general_interview",   # variable on the source
                     "Interview partner": "partner_interview",        # set (document group)
                     "Cliënt 07": "client_interview",                 # case with the variable
                     "Terugkoppeling": "feedback_meeting"}            # set; 'Ronde 1' ignored


def test_codings_carry_the_coder_and_the_selected_text(qdpx):
    project = read_qda(qdpx)
    assert sorted(project.users.values()) == ["ann", "bob"]
    assert len(project.codings) == 13
    first = project.codings[0]
    assert project.coder(first) == "ann"
    assert project.codes[first.code_guid].path == "Bestuurlijk niveau/Continuïteit"
    assert project.excerpt(first) == "De stuurgroep komt al jaren elk kwartaal bij elkaar."
    # the inline text (PlainTextContent) of the feedback meeting is read too
    meeting = [c for c in project.codings if project.excerpt(c) == "het overleg nu al drie jaar "
               "doorloopt"]
    assert len(meeting) == 1


@pytest.mark.parametrize("written, key", [
    ("Cliëntinterviews", "client_interview"), ("client interview", "client_interview"),
    ("CLIENTINTERVIEW", "client_interview"), ("partner_interview", "partner_interview"),
    ("interview samenwerkingspartner", "partner_interview"),
    ("Terugkoppelingsbijeenkomst", "feedback_meeting"), ("algemeen interview", "general_interview"),
    ("Ronde 1", None), ("interview", None),
])
def test_source_kinds_are_recognised_in_dutch_and_english(written, key):
    assert source_kind_key(written) == key


def test_conflicting_source_kinds_are_an_error(tmp_path):
    p = example_project()
    p.sources[1] = Source("Interview partner", p.sources[1].text,
                          sets=("Partnerinterviews", "Cliëntinterviews"))
    with pytest.raises(StudyError) as exc:
        read_qda(write_qdpx(tmp_path / "x.qdpx", p))
    assert exc.value.problems[0].code == "qda_source_kind_conflict"
    assert "Interview partner" in exc.value.problems[0].message


def test_unknown_source_kind_value_names_the_source_and_the_allowed_kinds(tmp_path):
    p = example_project()
    p.sources[0] = Source("Interview coördinator", TEXT_GENERAL, variable="telefoongesprek")
    with pytest.raises(StudyError) as exc:
        read_qda(write_qdpx(tmp_path / "x.qdpx", p), language="en")
    problem = exc.value.problems[0]
    assert problem.code == "qda_source_kind_unknown"
    assert "telefoongesprek" in problem.message and "client_interview" in problem.message


def test_schema_violation_is_reported_with_the_element(tmp_path):
    xml = project_xml(example_project()).replace(b'isCodable="true"', b'isCodable="maybe"', 1)
    path = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", xml)
    with pytest.raises(StudyError) as exc:
        read_qda(path)
    problem = exc.value.problems[0]
    assert problem.code == "qda_schema" and "Code" in problem.message
    # lenient reading turns the deviation into a warning and goes on
    project = read_qda(path, strict=False)
    assert [p.severity for p in project.problems if p.code == "qda_schema"] == ["warning"]


def test_selection_beyond_the_text_is_an_error(tmp_path):
    p = Project(users=["ann"], codes={"a": {}},
                sources=[Source("S", TEXT_CLIENT, variable="cliëntinterview")],
                selections=[Selection("S", 10, len(TEXT_CLIENT) + 5, [("a", "ann")])])
    with pytest.raises(StudyError) as exc:
        read_qda(write_qdpx(tmp_path / "x.qdpx", p))
    assert exc.value.problems[0].code == "qda_selection_outside_text"


def test_coding_of_an_unknown_code_is_an_error(tmp_path):
    xml = project_xml(example_project()).replace(
        guid("code", "Opvallend").encode(), b"00000000-0000-0000-0000-000000000001", 1)
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", xml)
    with pytest.raises(StudyError) as exc:
        read_qda(path, strict=False)
    assert exc.value.problems[0].code == "qda_unknown_code"


def test_missing_source_text_is_a_warning_not_a_silent_gap(tmp_path):
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as z:  # project.qde without the sources/ entries
        z.writestr("project.qde", project_xml(example_project()))
    project = read_qda(path)
    warnings = [p for p in project.problems if p.code == "qda_text_missing"]
    assert len(warnings) == 3  # the fourth source has its text inline
    assert all(project.excerpt(c) is None for c in project.codings
               if project.sources[0].guid == c.source_guid)


def test_a_zip_without_project_qde_is_refused(tmp_path):
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "no project")
    with pytest.raises(StudyError) as exc:
        read_qda(path)
    assert exc.value.problems[0].code == "qda_no_project_entry"


def test_positions_count_characters_not_bytes(tmp_path):
    text = "Cliënt één: ‘ik voel me gezien’ — en dat helpt."
    start, end = span(text, "ik voel me gezien")
    p = Project(users=["ann"], codes={"personal": {"independence": {}}},
                sources=[Source("S", text, variable="cliëntinterview")],
                selections=[Selection("S", start, end, [("personal/independence", "ann")])])
    project = read_qda(write_qdpx(tmp_path / "x.qdpx", p))
    assert project.excerpt(project.codings[0]) == "ik voel me gezien"


def test_sources_folder_and_byte_order_mark_as_some_tools_write_them(tmp_path):
    p = example_project()
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", project_xml(p))
        for s in p.sources:
            if not s.inline:  # 'Sources/' with a capital and a UTF-8 byte-order mark
                z.writestr(f"Sources/{guid('source', s.name)}.txt",
                           b"\xef\xbb\xbf" + s.text.encode("utf-8"))
    project = read_qda(path)
    assert project.problems == []
    assert project.excerpt(project.codings[0]) == \
        "De stuurgroep komt al jaren elk kwartaal bij elkaar."
