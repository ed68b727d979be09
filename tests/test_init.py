"""`mss-eval init`: an empty study a region can start from."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from mss_eval import cli
from mss_eval.instruments import instruments
from mss_eval.pseudonym import ensure_secret
from mss_eval.study import SECRET_FILE, load_config
from mss_eval.templates import DATA_SHEET, write_templates


@pytest.fixture
def study(tmp_path):
    path = tmp_path / "mijn_studie"
    assert cli.main(["init", str(path), "--name", 'MSS-monitor "Zuid": één']) == 0
    return path


def test_init_writes_a_study_yaml_that_loads(study):
    config = load_config(study)
    assert config.name == 'MSS-monitor "Zuid": één'
    assert len(config.rounds) == 1 and len(config.regions) == 1
    assert config.rounds[0].regions == (config.regions[0].id,)
    assert config.settings.min_respondents == 5 and config.settings.language == "nl"
    assert not config.synthetic


def test_init_names_the_study_after_its_folder_by_default(tmp_path):
    assert cli.main(["init", str(tmp_path / "regio_noord")]) == 0
    assert load_config(tmp_path / "regio_noord").name == "regio_noord"


def test_init_creates_the_folders_with_readmes_and_the_secret(study):
    config = load_config(study)
    readme = (study / "data" / "README.md").read_text(encoding="utf-8")
    assert f"data/{config.rounds[0].id}/{config.regions[0].id}/client_interview.xlsx" in readme
    assert "Markdown" in (study / "texts" / "README.md").read_text(encoding="utf-8")
    secret = study / SECRET_FILE
    assert secret.is_file()
    key = ensure_secret(study)
    assert len(key) == 32 and ensure_secret(study) == key  # created once, then reused


def test_init_ships_a_blank_template_per_instrument(study, tmp_path):
    written = write_templates(tmp_path / "fresh", fmt="xlsx")
    shipped = sorted((study / "templates").iterdir())
    assert [p.name for p in shipped] == [f"{i}.xlsx" for i in sorted(instruments())]
    assert [p.read_bytes() for p in shipped] == [p.read_bytes() for p in written]


def test_gitignore_lists_data_and_the_secret(study):
    lines = (study / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".mss-secret" in lines
    assert any(line.startswith("data/") for line in lines)
    assert "reports/" in lines


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_keeps_data_secret_caches_and_reports_out_of_git(study):
    """Asked of git itself, in a repository made inside the new study (not the project's)."""
    subprocess.run(["git", "init", "-q", str(study)], check=True)
    (study / "data" / "2024-1" / "noord").mkdir(parents=True)
    paths = {
        "data/2024-1/noord/client_interview.xlsx": True,
        ".mss-secret": True,
        ".mss-cache/tidy.parquet": True,
        "reports/2024-1/noord.html": True,
        "study.yaml": False,
        "data/README.md": False,
        "texts/README.md": False,
        "templates/client_interview.xlsx": False,
    }
    result = subprocess.run(["git", "-C", str(study), "check-ignore", "--no-index", *paths],
                            capture_output=True, text=True)
    ignored = set(result.stdout.split())
    assert ignored == {p for p, should in paths.items() if should}


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    target = tmp_path / "bestaand"
    target.mkdir()
    (target / "notities.txt").write_text("eigen aantekeningen", encoding="utf-8")
    assert cli.main(["init", str(target)]) == 1
    assert "niet leeg" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notities.txt"]
    assert (target / "notities.txt").read_text(encoding="utf-8") == "eigen aantekeningen"


def test_init_refuses_an_existing_study(study, capsys):
    before = (study / "study.yaml").read_bytes()
    secret = (study / SECRET_FILE).read_bytes()
    assert cli.main(["init", str(study)]) == 1
    assert (study / "study.yaml").read_bytes() == before
    assert (study / SECRET_FILE).read_bytes() == secret


def test_init_refuses_a_file(tmp_path, capsys):
    target = tmp_path / "study.txt"
    target.write_text("x", encoding="utf-8")
    assert cli.main(["init", str(target), "--language", "en"]) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_init_accepts_an_empty_folder(tmp_path):
    (tmp_path / "leeg").mkdir()
    assert cli.main(["init", str(tmp_path / "leeg")]) == 0
    assert (tmp_path / "leeg" / "study.yaml").is_file()


def test_init_in_english(tmp_path):
    target = tmp_path / "study"
    assert cli.main(["init", str(target), "--language", "en"]) == 0
    assert load_config(target).settings.language == "en"
    assert "# study.yaml: what this study is" in (target / "study.yaml").read_text("utf-8")
    wb = openpyxl.load_workbook(target / "templates" / "client_interview.xlsx")
    assert wb.sheetnames[0] == DATA_SHEET["en"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_commented_response_example_validates_once_uncommented(tmp_path, language):
    from mss_eval.input.validate import validate_study

    root = tmp_path / "study"
    assert cli.main(["init", str(root), "--language", language]) == 0
    text = (root / "study.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "# approached:")
    lines[start] = lines[start].replace("# ", "", 1)
    lines[start + 1] = lines[start + 1].replace("# ", "", 1)
    (root / "study.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate_study(root)
    assert [p for p in report.problems if p.code.startswith("approached")] == []
    assert load_config(root).rounds[0].approached
