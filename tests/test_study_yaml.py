"""study.yaml is checked strictly, and every problem names its line."""

from __future__ import annotations

import pytest

from helpers_input import STUDY_YAML, make_study, tree_hashes
from mss_eval.cli import main
from mss_eval.input.validate import validate_study

BASE = STUDY_YAML.format(language="nl")
#  1 name: Teststudie
#  2 commissioned_by: Testopdrachtgever
#  3 synthetic: true
#  4 rounds:
#  5   - id: "2010-1"
#  6     label: Ronde 1
#  7     regions: [den_haag, dordrecht]
#  8 regions:
#  9   - id: den_haag
# 10     name: Den Haag
# 11   - id: dordrecht
# 12     name: Dordrecht
# 13 settings:
# 14   min_respondents: 5
# 15   language: nl


@pytest.mark.parametrize("old, new, code, line, value", [
    ("synthetic: true", "synthetic: true\nbudget: 10", "yaml_unknown_key", 4, None),
    ("    name: Dordrecht", "    name: Dordrecht\n    inhabitants: 12", "yaml_unknown_key", 13,
     None),
    ("  - id: dordrecht", "  - id: ../dordrecht", "region_id_invalid", 11, "../dordrecht"),
    ("  - id: dordrecht", "  - id: Dord Recht", "region_id_invalid", 11, "Dord Recht"),
    ('  - id: "2010-1"', '  - id: "../2010"', "round_id_invalid", 5, "../2010"),
    ("[den_haag, dordrecht]", "[den_haag, breda]", "round_unknown_region", 7, "breda"),
    ("  - id: dordrecht", "  - id: den_haag", "duplicate_id_in_yaml", 11, "den_haag"),
    ("  min_respondents: 5", "  min_respondents: 0", "yaml_invalid", 14, "0"),
    ("  language: nl", "  language: de", "yaml_invalid", 15, "de"),
    ("    name: Den Haag\n", "", "yaml_missing_key", 9, None),
    ("    regions: [den_haag, dordrecht]", "    regions: [den_haag, dordrecht", "yaml_syntax",
     8, None),
])
def test_study_yaml_problems_name_their_line(tmp_path, capsys, old, new, code, line, value):
    assert old in BASE
    root = make_study(tmp_path / "study", yaml_text=BASE.replace(old, new))
    before = tree_hashes(root)
    report = validate_study(root)
    assert not report.valid and report.config is None
    matches = [p for p in report.problems if p.code == code]
    assert matches, [(p.code, p.line, p.message) for p in report.problems]
    assert (matches[0].file, matches[0].line) == ("study.yaml", line)
    if value is not None:
        assert matches[0].value == value
    assert main(["validate", str(root)]) == 1
    out, err = capsys.readouterr()
    assert f"study.yaml, regel {line}:" in out
    assert "Traceback" not in out + err
    assert tree_hashes(root) == before


def test_the_valid_base_study_yaml_loads(tmp_path):
    report = validate_study(make_study(tmp_path / "study"))
    assert report.config is not None and report.config.settings.language == "nl"
    assert report.errors == []


def test_english_study_messages_come_in_english(tmp_path, capsys):
    text = STUDY_YAML.format(language="en").replace("synthetic: true", "synthetic: true\nfoo: 1")
    root = make_study(tmp_path / "study", yaml_text=text)
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "study.yaml, line 4: unknown key 'foo'" in out


@pytest.mark.parametrize("approached, value, line", [
    ("{den_haag: {client_interview: 30}, breda: {client_interview: 5}}", "breda", 8),
    ("{den_haag: {client_interviews: 30}}", "client_interviews", 8),
])
def test_response_counts_name_regions_of_the_round_and_known_instruments(tmp_path, approached,
                                                                          value, line):
    text = BASE.replace("    regions: [den_haag, dordrecht]\n",
                        f"    regions: [den_haag, dordrecht]\n    approached: {approached}\n")
    report = validate_study(make_study(tmp_path / "study", yaml_text=text))
    (problem,) = [p for p in report.problems if p.code == "approached_unknown"]
    assert (problem.value, problem.line, problem.file) == (value, line, "study.yaml")
    assert not report.valid


@pytest.mark.parametrize("text, code, line", [
    # libyaml reads a tab after a colon, PyYAML's own parser does not: still a problem, not a crash
    ("0:\t", "yaml_missing_key", 1),
    # YAML reads 0000-00-00 as a date, and there is no year 0
    ("name: x\nstart: 0000-00-00\n", "yaml_syntax", None),
    ("name: x\t\nrounds: []\nregions: []\nsettings: {language: xx}\n", "yaml_invalid", 4),
])
def test_a_study_yaml_either_parser_reads_gets_its_problems_with_lines(tmp_path, text, code,
                                                                        line):
    from mss_eval.problems import StudyError
    from mss_eval.study import load_config

    (tmp_path / "study.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StudyError) as info:
        load_config(tmp_path)
    problems = {(p.code, p.line) for p in info.value.problems}
    assert (code, line) in problems
