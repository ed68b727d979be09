"""End to end per survey tool: export + the mapping `mss-eval map` proposes (confirmed as it
stands) -> `validate` passes -> the same tidy data as the template holding the same answers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import export_samples as samples
from helpers_input import make_study, tree_hashes
from mss_eval.cli import main
from mss_eval.input.validate import validate_study

ROUND = "2010-1"


def _study(tmp_path: Path, template_rows=None) -> Path:
    """A study whose den_haag holds the template; dordrecht will get the export."""
    root = make_study(tmp_path / "study")
    folder = root / "data" / ROUND / "den_haag"
    folder.mkdir(parents=True)
    if template_rows is None:
        samples.write_template(folder / "client_interview.csv")
    else:
        import csv

        with open(folder / "client_interview.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(template_rows[0]))
            w.writeheader()
            w.writerows(template_rows)
    return root


def _frames(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    report = validate_study(root)
    assert report.valid, [p.describe() for p in report.errors]
    tables = report.tables
    template = tables[f"data/{ROUND}/den_haag/client_interview.csv"]
    export = next(v for k, v in tables.items() if k.startswith(f"data/{ROUND}/dordrecht/"))
    return (template.drop(columns=["round", "region"]).reset_index(drop=True),
            export.drop(columns=["round", "region"]).reset_index(drop=True))


def _map(source: Path, root: Path, *extra: str) -> list[str]:
    """Run `mss-eval map` into the study; return the source columns marked `# controleer`."""
    code = main(["map", str(source), "--instrument", "client_interview", "--study", str(root),
                 "--round", ROUND, "--region", "dordrecht", *extra])
    assert code == 0
    text = (root / "data" / ROUND / "dordrecht" / "client_interview.mapping.yaml").read_text(
        encoding="utf-8")
    yaml.safe_load(text)  # the proposal is valid YAML as written
    return re.findall(r"^  (\S+?):.*# controleer$", text, flags=re.M)


def _same(template: pd.DataFrame, export: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(template, export, check_dtype=True)


def test_spss_with_its_own_names_and_codes(tmp_path):
    root = _study(tmp_path)
    sav = samples.write_spss(tmp_path / "cliëntinterview_hv.sav")
    before = sav.read_bytes()
    flagged = _map(sav, root)
    # the answer-only match (an age band labelled 'Leeftijd in klassen') is offered for checking
    assert "V6" in flagged and len(flagged) <= 5
    template, export = _frames(root)
    _same(template, export)
    assert sav.read_bytes() == before
    assert (root / "data" / ROUND / "dordrecht" / "client_interview.sav").read_bytes() == before


def test_qualtrics_with_three_header_rows_and_metadata(tmp_path, capsys):
    root = _study(tmp_path, template_rows=samples.template_rows(ticks_only=True))
    export = samples.write_qualtrics(tmp_path / "MSS_clientinterview_October+20,+2010.csv")
    _map(export, root)
    capsys.readouterr()
    template, frame = _frames(root)
    _same(template, frame)
    # no IP address, location or Qualtrics id reaches the tidy data
    report = validate_study(root)
    tidy = report.tables[f"data/{ROUND}/dordrecht/client_interview.csv"]
    text = tidy.astype(str).to_csv()
    assert "145.12." not in text and "52.22" not in text and "R_2kPq8" not in text
    assert not any(p.code.startswith("identifier_") for p in report.problems)


def test_limesurvey_with_answer_codes_and_its_survey_structure(tmp_path):
    root = _study(tmp_path, template_rows=samples.lime_template_rows())
    export, _ = samples.write_limesurvey(tmp_path)  # the .lss lies beside it: read too
    flagged = _map(export, root)
    assert "G02Q01" not in flagged  # gender's answer codes are told by the .lss
    template, frame = _frames(root)
    _same(template, frame)
    report = validate_study(root)
    assert not any(p.code.startswith("identifier_") for p in report.problems)  # seed passes


def test_castor_with_option_lists_and_missing_codes(tmp_path):
    root = _study(tmp_path, template_rows=samples.template_rows(ticks_only=True))
    export, lists = samples.write_castor(tmp_path)
    structure = [a for p in lists for a in ("--structure", str(p))]
    flagged = _map(export, root, *structure)
    assert flagged == []
    template, frame = _frames(root)
    _same(template, frame)


def test_map_prints_the_proposal_without_a_study_and_changes_nothing(tmp_path, capsys):
    sav = samples.write_spss(tmp_path / "export.sav")
    before = tree_hashes(tmp_path)
    assert main(["map", str(sav), "--instrument", "client_interview"]) == 0
    out, err = capsys.readouterr()
    assert "V7:" in out and "item: gender" in out and "'0': 1" in out
    assert "controleer" in err and "V6 -> age_band" in err
    assert tree_hashes(tmp_path) == before


def test_map_writes_the_csv_form_that_validate_reads(tmp_path):
    root = _study(tmp_path, template_rows=samples.template_rows(ticks_only=True))
    export, lists = samples.write_castor(tmp_path)
    target = root / "data" / ROUND / "dordrecht"
    target.mkdir(parents=True)
    shutil.copy(export, target / "client_interview.csv")
    out = target / "client_interview.mapping.csv"
    structure = [a for p in lists for a in ("--structure", str(p))]
    assert main(["map", str(export), "--instrument", "client_interview", "--out", str(out),
                 *structure]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("bron;item;waarden") and "wensen;participation_needs" in text
    # Castor's own missing codes: the CSV form has no global recodes, so add them per setting
    # row is not needed here: -98/-99 sit in the recode of each column below
    rows = text.splitlines()
    rows.insert(2, "@tool;castor;;;;;")
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = validate_study(root)
    missing_codes = [p for p in report.errors if p.value in ("-98", "-99")]
    # without the global recodes -98/-99 are reported naming the source column and the item
    assert missing_codes and "gekoppeld aan" in missing_codes[0].message
    assert missing_codes[0].column in ("opleiding", "erv_tijd", "cijfer")
