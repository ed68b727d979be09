"""No command changes its input: every file of the study, the questionnaires and the files
handed to a command hash the same before and after it ran (only its own output is new)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from qualitative_qdpx import MAPPING_YAML, example_project, write_qdpx

from helpers_input import tree_hashes
from mss_eval.cli import main
from mss_eval.instruments import questionnaires_dir

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"
#: The region whose coded segments are taken out of the copy, so import-qda can write new ones.
IMPORT_INTO = ("2010-2", "de_bilt")


@pytest.fixture
def inputs(tmp_path) -> dict[str, Path]:
    """A copy of the example study (with its secret, as a region's study has), a REFI-QDA
    project with its code mapping, and a folder with a rendered report."""
    if not (EXAMPLE / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    study = tmp_path / "studie"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("reports"))
    for old in (study / "data" / IMPORT_INTO[0] / IMPORT_INTO[1]).glob("coded_segments.*"):
        old.unlink()
    handed = tmp_path / "aangeleverd"
    handed.mkdir()
    write_qdpx(handed / "de_bilt.qdpx", example_project())
    (handed / "koppeling.yaml").write_text(MAPPING_YAML, encoding="utf-8")
    reports = tmp_path / "rapporten"
    reports.mkdir()
    (reports / "rapport.html").write_text("<p>Rapportcijfer 8,0 (n = 12).</p>", encoding="utf-8")
    return {"study": study, "handed": handed, "reports": reports,
            "questionnaires": questionnaires_dir(), "out": tmp_path / "uitvoer"}


def _all_hashes(inputs: dict[str, Path]) -> dict[str, dict[str, str]]:
    return {name: tree_hashes(inputs[name])
            for name in ("study", "handed", "reports", "questionnaires")}


COMMANDS = {
    "validate": lambda p: ["validate", str(p["study"])],
    "validate-json": lambda p: ["validate", str(p["study"]), "--format", "json"],
    "demo-no-render": lambda p: ["demo", "--no-render", "--study", str(p["study"])],
    "import-qda": lambda p: ["import-qda", str(p["handed"] / "de_bilt.qdpx"), "--study",
                             str(p["study"]), "--round", IMPORT_INTO[0], "--region",
                             IMPORT_INTO[1], "--mapping", str(p["handed"] / "koppeling.yaml"),
                             "--allow-unmapped", "--source-kind", "general_interview"],
    "template": lambda p: ["template", "--out", str(p["out"]), "--format", "csv"],
    "codebook": lambda p: ["codebook", "--out", str(p["out"] / "codeboek.md")],
    "export-codebook": lambda p: ["export-codebook", "--out", str(p["out"] / "codes.qdc")],
    "check-report": lambda p: ["check-report", str(p["reports"]), "--study", str(p["study"])],
}
#: What each command may add to its inputs (its own output inside the study).
NEW_FILES = {
    "import-qda": {f"data/{IMPORT_INTO[0]}/{IMPORT_INTO[1]}/coded_segments.csv"},
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_no_command_changes_its_inputs(command, inputs, capsys):
    before = _all_hashes(inputs)
    (inputs["out"]).mkdir()
    code = main(COMMANDS[command](inputs))
    output = capsys.readouterr()
    assert code == 0, output.out[-2000:] + output.err[-2000:]
    after = _all_hashes(inputs)
    for name, hashes in before.items():
        changed = sorted(f for f in hashes if after[name].get(f) != hashes[f])
        assert changed == [], f"{command} changed {name}: {changed}"
    added = set(after["study"]) - set(before["study"])
    assert added == NEW_FILES.get(command, set())
    for name in ("handed", "reports", "questionnaires"):
        assert set(after[name]) == set(before[name])


def test_refused_commands_change_nothing_either(inputs, capsys):
    """import-qda into a region that already has coded segments, without --replace."""
    before = _all_hashes(inputs)
    argv = COMMANDS["import-qda"](inputs)
    argv[argv.index(IMPORT_INTO[0])] = "2010-1"
    argv[argv.index(IMPORT_INTO[1])] = "den_haag"
    assert main(argv) != 0
    capsys.readouterr()
    assert _all_hashes(inputs) == before


def test_validating_and_checking_a_study_without_a_secret_create_none(inputs, capsys):
    study = inputs["study"]
    (study / ".mss-secret").unlink()
    before = tree_hashes(study)
    assert main(["validate", str(study)]) == 0
    assert main(["check-report", str(inputs["reports"]), "--study", str(study)]) == 0
    capsys.readouterr()
    assert tree_hashes(study) == before and not (study / ".mss-secret").exists()
