"""Files read from a study never leave it (issue 29), and a render never writes outside it
(issue 30, point 5).

A symbolic link in ``texts/`` (or ``texts/`` itself), a column mapping in ``data/`` or the
study's ``.mss-secret`` that leads out of where it belongs is refused with one sentence naming
the link and where it leads; so is a ``reports/`` folder that is a link out of the study. The
cases that already held (a data file linked out of the study, a mapping naming ``/etc/passwd``
as a source column, a QDA source at ``internal://../../../../etc/passwd``) are kept so here.
Studies are small copies of one region of the example study.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from mss_eval.cli import main
from mss_eval.problems import StudyError
from mss_eval.study import MAPPING_SUFFIXES, load_config, outside_links

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"
ROUND, REGION = "2010-1", "eindhoven"


def one_region_study(folder: Path) -> Path:
    """A copy of one region of one round of the example study (study.yaml cut to match)."""
    config = yaml.safe_load((EXAMPLE / "study.yaml").read_text(encoding="utf-8"))
    rnd = next(r for r in config["rounds"] if r["id"] == ROUND)
    rnd["regions"] = [REGION]
    rnd["approached"] = {REGION: rnd["approached"][REGION]}
    rnd.pop("not_expected", None)
    config["rounds"] = [rnd]
    config["regions"] = [r for r in config["regions"] if r["id"] == REGION]
    folder.mkdir(parents=True)
    (folder / "study.yaml").write_text(yaml.safe_dump(config, allow_unicode=True,
                                                      sort_keys=False), encoding="utf-8")
    shutil.copytree(EXAMPLE / "data" / ROUND / REGION, folder / "data" / ROUND / REGION)
    return folder


@pytest.fixture
def study(tmp_path) -> Path:
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    return one_region_study(tmp_path / "study")


@pytest.fixture
def outside(tmp_path) -> Path:
    """A private file of the machine, outside the study."""
    path = tmp_path / "elsewhere" / "private.txt"
    path.parent.mkdir()
    path.write_text("root:x:0:0:PRIVATE-LINE\n", encoding="utf-8")
    return path


def refused(study: Path, capsys) -> tuple[StudyError, str]:
    """What load_config raises and what ``mss-eval validate`` prints (exit 1, no traceback)."""
    with pytest.raises(StudyError) as info:
        load_config(study)
    assert main(["validate", str(study)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return info.value, out + err


def test_a_text_linked_to_a_file_outside_is_refused_with_a_sentence(study, outside, capsys):
    texts = study / "texts" / ROUND / REGION
    texts.mkdir(parents=True)
    (texts / "mss.md").symlink_to(outside)

    error, printed = refused(study, capsys)

    [problem] = error.problems
    assert problem.code == "path_link_outside"
    assert problem.file == f"texts/{ROUND}/{REGION}/mss.md"
    assert (f"texts/{ROUND}/{REGION}/mss.md: dit is een symbolische koppeling naar {outside}, "
            "buiten de map texts/") in printed
    assert "PRIVATE-LINE" not in printed


def test_a_texts_folder_that_links_outside_is_refused(study, outside, capsys):
    (study / "texts").symlink_to(outside.parent, target_is_directory=True)

    error, printed = refused(study, capsys)

    assert [(p.code, p.file) for p in error.problems] == [("path_link_outside", "texts")]
    assert f"texts: dit is een symbolische koppeling naar {outside.parent}" in printed


def test_a_text_may_not_link_to_the_secret_inside_the_study(study, capsys):
    (study / ".mss-secret").write_text("ab" * 32 + "\n", encoding="ascii")
    texts = study / "texts" / ROUND / REGION
    texts.mkdir(parents=True)
    (texts / "mss.md").symlink_to(study / ".mss-secret")

    error, printed = refused(study, capsys)

    assert [p.file for p in error.problems] == [f"texts/{ROUND}/{REGION}/mss.md"]
    assert "ab" * 32 not in printed


def test_a_link_that_stays_in_texts_is_taken(study):
    texts = study / "texts" / ROUND
    (texts / REGION).mkdir(parents=True)
    (texts / "gedeeld.md").write_text("Gedeelde tekst.", encoding="utf-8")
    (texts / REGION / "mss.md").symlink_to(texts / "gedeeld.md")

    load_config(study)
    assert outside_links(study) == []


def test_a_secret_linked_outside_the_study_is_refused(study, outside, capsys):
    (study / ".mss-secret").symlink_to(outside)

    error, printed = refused(study, capsys)

    assert [(p.code, p.file) for p in error.problems] == [("path_link_outside", ".mss-secret")]
    assert "buiten de studiemap" in printed
    assert "PRIVATE-LINE" not in printed


def test_a_mapping_linked_outside_data_is_refused(study, outside, capsys):
    (study / "data" / ROUND / "client_interview.mapping.yaml").symlink_to(outside)

    error, printed = refused(study, capsys)

    assert [p.file for p in error.problems] == [f"data/{ROUND}/client_interview.mapping.yaml"]
    assert "buiten de map data/" in printed
    assert "PRIVATE-LINE" not in printed


def test_a_data_file_may_not_link_to_the_secret_inside_the_study(study, capsys):
    (study / ".mss-secret").write_text("cd" * 32 + "\n", encoding="ascii")
    target = study / "data" / ROUND / REGION / "client_interview.csv"
    target.unlink()
    target.symlink_to(study / ".mss-secret")

    error, printed = refused(study, capsys)

    assert [p.file for p in error.problems] == [f"data/{ROUND}/{REGION}/client_interview.csv"]
    assert "cd" * 32 not in printed


def test_the_mapping_suffixes_are_those_of_the_input_stage():
    from mss_eval.input.mapping import MAPPING_SUFFIXES as INPUT_SUFFIXES

    assert MAPPING_SUFFIXES == INPUT_SUFFIXES


def test_the_messages_are_in_english_for_an_english_study(study, outside):
    (study / ".mss-secret").symlink_to(outside)

    [problem] = outside_links(study, language="en")

    assert problem.message.startswith(f"this is a symbolic link to {outside}, outside the study")


# -- what held already: kept so --------------------------------------------------------------
def test_a_data_file_linked_outside_is_refused_and_not_read(study, outside, capsys):
    target = study / "data" / ROUND / REGION / "client_interview.csv"
    shutil.copy(target, outside)
    target.unlink()
    target.symlink_to(outside)

    assert main(["validate", str(study)]) == 1
    out, err = capsys.readouterr()
    assert "path_outside_study" not in out  # a sentence, not a code
    assert f"data/{ROUND}/{REGION}/client_interview.csv" in out
    assert "buiten de studiemap" in out


def test_a_mapping_naming_a_path_as_source_column_is_refused(study, capsys):
    (study / "data" / ROUND / REGION / "client_interview.mapping.yaml").write_text(
        "instrument: client_interview\ncolumns:\n  /etc/passwd: mss_rating\n", encoding="utf-8")

    main(["validate", str(study)])
    out, err = capsys.readouterr()

    assert "'/etc/passwd'" in out
    assert "root:" not in out + err


def test_a_qda_source_outside_its_archive_is_not_read(tmp_path):
    from qualitative_qdpx import example_project, write_qdpx

    from mss_eval.qualitative.refi import read_qda

    path = write_qdpx(tmp_path / "project.qdpx", example_project())
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    xml = entries["project.qde"].decode("utf-8")
    first = xml.index('plainTextPath="internal://')
    end = xml.index('"', first + len('plainTextPath="'))
    xml = xml[:first] + 'plainTextPath="internal://../../../../etc/passwd' + xml[end:]
    entries["project.qde"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)

    project = read_qda(path, strict=False)

    missing = [p for p in project.problems if p.code == "qda_text_missing"]
    assert missing and "internal://../../../../etc/passwd" in missing[0].message
    assert all("root:" not in (project.excerpt(c) or "") for c in project.codings)


# -- reports/ (issue 30, point 5) --------------------------------------------------------------
def test_a_reports_folder_linked_outside_is_refused_before_anything_is_written(study, tmp_path,
                                                                               capsys):
    published = tmp_path / "published"
    published.mkdir()
    (study / "reports").symlink_to(published, target_is_directory=True)

    code = main(["render", str(study), "--format", "html", "--jobs", "1"])

    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    assert (f"reports: dit is een symbolische koppeling naar {published}, buiten de studiemap; "
            "verwijder de koppeling of noem de uitvoermap met --out") in err
    assert list(published.iterdir()) == []


def test_a_reports_folder_linked_inside_the_study_is_taken(study):
    from mss_eval.study import reports_folder

    (study / "uitvoer").mkdir()
    (study / "reports").symlink_to(study / "uitvoer", target_is_directory=True)

    assert reports_folder(study) == study.absolute() / "reports"
