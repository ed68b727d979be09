"""Extreme but legal input, and input that tries to escape: large files, unicode names, YAML tags,
ids with path or code characters, and code-like text passed as a notebook parameter."""

from __future__ import annotations

import ast
import csv
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import mss_eval
from helpers_input import (
    STUDY_YAML,
    clients,
    data_dir,
    make_study,
    write_client_interview,
    write_csv,
)
from mss_eval.cli import main
from mss_eval.input.validate import validate_study
from mss_eval.instruments import get_instrument, load_instrument, questionnaires_dir
from mss_eval.problems import StudyError
from mss_eval.study import load_config

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000


# -- 100,000 client interviews ---------------------------------------------------------------
def _client_rows(n: int, seed: int = 7) -> tuple[list[str], list[list[str]], list[int]]:
    """``n`` valid client interviews over every column of the instrument, and their ratings."""
    rng = random.Random(seed)
    instrument = get_instrument("client_interview")
    answers = ["De koffieochtend in de wijk helpt mij.", "Meer activiteiten in het weekend.",
               "Dat ik zelf mag kiezen wat ik wil doen.", ""]
    header = [c.name for c in instrument.columns]
    rows, ratings = [], []
    for i in range(n):
        row = []
        for c in instrument.columns:
            if c.type == "identifier":
                row.append(f"C{i + 1:06d}")
            elif c.type == "date":
                row.append(f"2010-{rng.randint(2, 7):02d}-{rng.randint(1, 28):02d}")
            elif c.answers is not None:
                row.append(str(rng.choice(c.answers.answers).code))
            elif c.name == "mss_rating":
                ratings.append(rng.randint(1, 10))
                row.append(str(ratings[-1]))
            elif c.type in ("integer", "number"):
                low, high = c.range or (0, 20)
                row.append(str(rng.randint(int(low), int(high))))
            else:
                row.append(f"{answers[i % 4]} ({i % 97})" if answers[i % 4] else "")
        rows.append(row)
    return header, rows, ratings


_MEASURE = textwrap.dedent("""\
    import json, resource, sys, time
    import mss_eval
    from mss_eval.input.validate import validate_study

    def rss():
        # the peak resident size of this process in MiB; VmHWM starts afresh at exec, whereas
        # ru_maxrss would carry over the peak of the test process that started this one
        try:
            with open("/proc/self/status") as fh:
                return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    baseline = rss()
    start = time.perf_counter()
    report = validate_study(sys.argv[1])
    validated = time.perf_counter() - start
    start = time.perf_counter()
    study = mss_eval.load_study(sys.argv[1])
    loaded = time.perf_counter() - start
    frame = study["client_interview"]
    print(json.dumps({
        "valid": report.valid, "rows": len(frame), "validate_s": validated, "load_s": loaded,
        "baseline_mib": baseline, "peak_mib": rss(),
        "pseudonyms": int(frame["respondent_id"].nunique()),
        "mean_rating": float(frame["mss_rating"].mean()),
        "raw_id_left": bool(frame["respondent_id"].str.startswith("C0").any()),
    }))
""")


@pytest.mark.slow
def test_100000_client_interviews_validate_and_load_in_bounded_time_and_memory(tmp_path):
    root = make_study(tmp_path / "study")
    header, rows, ratings = _client_rows(ROWS)
    path = data_dir(root) / "client_interview.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    del rows
    # a fresh process, so that the peak memory is this work's and not the test session's
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(root)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    size = path.stat().st_size / 2**20
    print(f"\n{ROWS:,} client interviews ({len(header)} columns, {size:.0f} MiB CSV): "
          f"validate {figures['validate_s']:.1f} s, load_study {figures['load_s']:.1f} s, "
          f"peak memory {figures['peak_mib']:.0f} MiB "
          f"(after imports {figures['baseline_mib']:.0f} MiB)")
    assert figures["valid"] and figures["rows"] == ROWS
    assert figures["pseudonyms"] == ROWS and not figures["raw_id_left"]
    assert figures["mean_rating"] == pytest.approx(sum(ratings) / len(ratings))
    assert figures["validate_s"] + figures["load_s"] < 60
    assert figures["peak_mib"] < 2048


# -- unicode names ---------------------------------------------------------------------------
UNICODE_REGIONS = {
    "bos_en_lommer": "Bos en Lommer – Zuidoost (Café ‘De Brug’), ë é ü",
    "al_hay": "حي الزهور",
    "emoji": "Regio Zuid 🏠🤝",
}
UNICODE_SERVICES = ["Stichting Ëlan & Zoë", "Wijkcentrum ‘t Hüüs", "مركز الحي للدعم",
                    "Buurtkamer 🏠 De Vlinder", "Zorggroep Ñandú – ø æ å"]


def test_unicode_region_and_organisation_names_survive_into_tidy_frames(tmp_path):
    regions = "\n".join(f"  - id: {rid}\n    name: {json.dumps(name, ensure_ascii=False)}"
                        for rid, name in UNICODE_REGIONS.items())
    text = ("name: Monitor – regio's ë é ü 🏠\nrounds:\n  - id: \"2010-1\"\n    label: "
            "\"Ronde 1 – voorjaar\"\n    regions: [" + ", ".join(UNICODE_REGIONS) + "]\n"
            "regions:\n" + regions + "\n")
    root = make_study(tmp_path / "study", yaml_text=text)
    for rid in UNICODE_REGIONS:
        rows = clients(2, open_support="Hulp van de buurvrouw uit Zürich – ë 🏠")
        write_client_interview(root, rows, region=rid)
        write_csv(data_dir(root, rid) / "social_map.csv", [
            {"service_name": name, "organisation_group": "1", "activity_type": "1",
             "wheel_goal": "1"} for name in UNICODE_SERVICES])
    study = mss_eval.load_study(root)
    assert {r.id: r.name for r in study.config.regions} == UNICODE_REGIONS
    assert study.config.name == "Monitor – regio's ë é ü 🏠"
    services = study["social_map"]
    assert services["service_name"].tolist() == UNICODE_SERVICES * len(UNICODE_REGIONS)
    assert set(study["client_interview"]["open_support"]) == {
        "Hulp van de buurvrouw uit Zürich – ë 🏠"}
    assert list(services["region"].unique()) == list(UNICODE_REGIONS)


# -- YAML is read safely ---------------------------------------------------------------------
def _tagged(canary: Path) -> str:
    return f'!!python/object/apply:os.system ["touch {canary}"]'


def test_a_python_tag_in_study_yaml_is_a_clear_error_not_execution(tmp_path, capsys):
    canary = tmp_path / "uitgevoerd"
    root = make_study(tmp_path / "study", yaml_text=STUDY_YAML.format(language="nl").replace(
        "name: Teststudie", f"name: {_tagged(canary)}"))
    report = validate_study(root)
    problem, = report.problems
    assert problem.code == "yaml_syntax" and problem.file == "study.yaml" and problem.line == 1
    assert "python/object" in problem.message
    assert main(["validate", str(root)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    with pytest.raises(StudyError):
        mss_eval.load_study(root)
    assert not canary.exists()


def test_a_python_tag_in_an_instrument_file_is_refused_not_executed(tmp_path):
    canary = tmp_path / "uitgevoerd"
    original = (questionnaires_dir() / "client_interview.yaml").read_text(encoding="utf-8")
    path = tmp_path / "client_interview.yaml"
    path.write_text(original.replace("id: client_interview", f"id: {_tagged(canary)}", 1),
                    encoding="utf-8")
    with pytest.raises(yaml.constructor.ConstructorError, match="python/object"):
        load_instrument(path)
    assert not canary.exists()


def test_a_python_tag_in_approved_quotes_is_a_problem_not_execution(tmp_path):
    from mss_eval.qualitative.quotes import read_approved_quotes

    canary = tmp_path / "uitgevoerd"
    root = make_study(tmp_path / "study")
    (root / "texts").mkdir()
    (root / "texts" / "approved_quotes.yaml").write_text(
        f"approved_by: {_tagged(canary)}\nquotes: []\n", encoding="utf-8")
    with pytest.raises(StudyError) as info:
        read_approved_quotes(root)
    assert info.value.problems[0].code == "yaml_syntax"
    assert not canary.exists()


def _names_safe_loader(loader) -> bool:
    """``yaml.SafeLoader``, ``yaml.CSafeLoader`` or ``getattr(yaml, "CSafeLoader",
    yaml.SafeLoader)`` (libyaml's safe loader where it is installed)."""
    if isinstance(loader, ast.Attribute):
        return loader.attr in ("SafeLoader", "CSafeLoader")
    if isinstance(loader, ast.Call) and isinstance(loader.func, ast.Name) \
            and loader.func.id == "getattr" and len(loader.args) == 3:
        name, default = loader.args[1], loader.args[2]
        return isinstance(name, ast.Constant) and name.value in ("SafeLoader", "CSafeLoader") \
            and _names_safe_loader(default)
    return False


def test_every_yaml_read_in_the_package_uses_the_safe_loader():
    """No yaml.load/unsafe_load/full_load, and every Loader= names SafeLoader."""
    unsafe = []
    for path in sorted((ROOT / "mss_eval").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name = node.func.attr
            owner = node.func.value
            if not (isinstance(owner, ast.Name) and owner.id == "yaml"):
                continue
            loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
            if name in ("unsafe_load", "full_load", "unsafe_load_all", "full_load_all"):
                unsafe.append(f"{path.name}:{node.lineno}")
            elif name in ("load", "load_all", "compose", "compose_all", "parse", "scan"):
                if name in ("load", "load_all") or loader is not None:
                    if not (_names_safe_loader(loader)):
                        unsafe.append(f"{path.name}:{node.lineno}")
    assert unsafe == []


# -- ids that try to leave their folder ------------------------------------------------------
HOSTILE_IDS = ["../geheim", "..", "den_haag/../../etc", "den haag", "Den_Haag",
               "den_haag\"; import os; os.system('x') #", "__import__('os').system('x')",
               "x'y", "{region}", "$(rm -rf ~)", "den_haag\n", "den_haag\\..\\x", "",
               "🏠", "a" * 64]


@pytest.mark.parametrize("region_id", HOSTILE_IDS)
def test_a_region_id_with_path_quote_or_code_characters_is_refused(tmp_path, region_id):
    text = STUDY_YAML.format(language="nl").replace(
        "[den_haag, dordrecht]", f"[{json.dumps(region_id)}, dordrecht]").replace(
        "  - id: den_haag", f"  - id: {json.dumps(region_id)}")
    root = make_study(tmp_path / "study", yaml_text=text)
    with pytest.raises(StudyError) as info:
        load_config(root)
    codes = {p.code for p in info.value.problems}
    assert "region_id_invalid" in codes
    bad = next(p for p in info.value.problems if p.code == "region_id_invalid")
    assert bad.line == 9  # the line of the region's id in study.yaml
    assert not validate_study(root).valid


@pytest.mark.parametrize("round_id", ["../2010-1", "2010/1", "2010-1\"; x", "ronde 1", "..",
                                      "2010-1\n"])
def test_a_round_id_with_path_quote_or_code_characters_is_refused(tmp_path, round_id):
    text = STUDY_YAML.format(language="nl").replace('"2010-1"', json.dumps(round_id))
    root = make_study(tmp_path / "study", yaml_text=text)
    with pytest.raises(StudyError) as info:
        load_config(root)
    assert "round_id_invalid" in {p.code for p in info.value.problems}


# -- notebook parameters are values, never code ----------------------------------------------
HOSTILE_LABELS = [
    'Ronde "1"\'; import os; os.system("touch {canary}") #',
    "Ronde 1\nimport os\nos.system('touch {canary}')",
    '""" + __import__("os").system("touch {canary}") + """',
    "Ronde 1 \\\" + open('{canary}', 'w').write('x') + \\\"",
    "'''\n__import__('os').system('touch {canary}')\n'''",
    "{{label}} ${{label}} %(label)s \\N{{BULLET}} \\x41 \\u00eb",
    "Ronde ë – 🏠 \u2028 \u0000 einde",
]


def _parameter_cell(parameters: dict) -> str:
    from papermill.translators import PythonTranslator

    return PythonTranslator.codify(parameters)


def _only_assignments_of_constants(source: str) -> dict:
    tree = ast.parse(source)
    out = {}
    for statement in tree.body:
        assert isinstance(statement, ast.Assign), ast.dump(statement)
        assert isinstance(statement.value, ast.Constant), ast.dump(statement)
        out[statement.targets[0].id] = statement.value.value
    return out


@pytest.mark.parametrize("template", HOSTILE_LABELS)
def test_a_hostile_round_label_becomes_a_literal_parameter(tmp_path, template):
    canary = tmp_path / "uitgevoerd"
    label = template.format(canary=canary)
    source = _parameter_cell({"label": label, "region": "../../etc"})
    assert _only_assignments_of_constants(source) == {"label": label, "region": "../../etc"}
    namespace: dict = {}
    exec(compile(source, "<parameters>", "exec"), namespace)  # noqa: S102 - that is the test
    assert namespace["label"] == label
    assert not canary.exists()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_any_text_as_a_notebook_parameter_round_trips_as_a_literal(text):
    source = _parameter_cell({"label": text})
    assert _only_assignments_of_constants(source) == {"label": text}


@pytest.mark.slow
def test_hostile_parameters_round_trip_through_an_executed_notebook(tmp_path):
    import nbformat
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook

    canary = tmp_path / "uitgevoerd"
    labels = [t.format(canary=canary) for t in HOSTILE_LABELS]
    parameters = {"label": labels, "rendered_by": "mss-eval render 'x\"; rm -rf ~"}
    parameters.update({f"label_{i}": label for i, label in enumerate(labels)})
    cell = new_code_cell("label = None\nrendered_by = None\n"
                         + "".join(f"label_{i} = None\n" for i in range(len(labels))))
    cell.metadata["tags"] = ["parameters"]
    show = new_code_cell("import json\nprint(json.dumps([rendered_by] + [label_"
                         + "] + [label_".join(str(i) for i in range(len(labels)))
                         + "]))")
    source, target = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(new_notebook(cells=[cell, show], metadata={
        "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
        "language_info": {"name": "python"}}), str(source))
    papermill.execute_notebook(str(source), str(target), parameters=parameters,
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    executed = nbformat.read(str(target), as_version=4)
    printed = next(c for c in executed.cells if "json.dumps" in c.source).outputs[0]["text"]
    assert json.loads(printed) == [parameters["rendered_by"], *labels]
    assert not canary.exists()
