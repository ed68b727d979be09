"""A delivery as a real survey tool writes it goes map -> validate -> render unchanged.

Den Haag's client interviews of round 2010-1 (the example study's SPSS file) are written as a
Qualtrics export would hold them: the three header rows and metadata columns of a real Qualtrics
file (``../shared/corpus/exports/q1_qualtrics_sample.csv``), answers as choice texts. The region's
data manager drops it into the region's folder under the tool's own file name, runs ``map`` and
``validate`` without touching the proposal, and renders: every key figure of the region report
equals the one computed from the original file.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data_templates" / "example_study"
CORPUS = ROOT.parent / "shared" / "corpus" / "exports"
ROUND, REGION = "2010-1", "den_haag"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (CORPUS / "q1_qualtrics_sample.csv").is_file(),
    reason=f"the corpus of real exports is not at {CORPUS}")]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mss_eval.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


def _as_qualtrics(sav: Path, out: Path) -> None:
    import pyreadstat

    data, meta = pyreadstat.read_sav(str(sav), apply_value_formats=False)
    rows = list(csv.reader((CORPUS / "q1_qualtrics_sample.csv").open(encoding="utf-8-sig")))
    header, texts, imports, first = rows[0], rows[1], rows[2], rows[3]
    keep = header.index("Q1")  # Qualtrics' metadata columns come first
    names, labels, ids = header[:keep], texts[:keep], imports[:keep]
    for i, column in enumerate(data.columns, start=1):
        names.append(f"Q{i}")
        labels.append(meta.column_names_to_labels.get(column) or column)
        ids.append(json.dumps({"ImportId": f"QID{i}"}))
    body = []
    for n, (_, row) in enumerate(data.iterrows()):
        values = list(first[:keep])
        values[header.index("ResponseId")] = f"R_2YPOQ602ER1jk{n:02d}"
        for column in data.columns:
            v, choices = row[column], meta.variable_value_labels.get(column, {})
            if pd.isna(v) or v == "":
                values.append("")
            elif v in choices:
                values.append(choices[v])  # Qualtrics' "choice text" export
            elif isinstance(v, float) and v.is_integer():
                values.append(str(int(v)))
            else:
                values.append(str(v))
        body.append(values)
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([names, labels, ids, *body])


def test_a_qualtrics_delivery_renders_the_same_key_figures_as_the_original(tmp_path):
    import mss_eval as mss
    from mss_eval.analysis.key_figures import key_figures

    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("reports", ".mss-cache"))
    folder = study / "data" / ROUND / REGION
    original = folder / "client_interview.sav"
    expected = json.loads(json.dumps(key_figures(mss.load_study(study), ROUND, REGION,
                                                 definitions=False), default=str))["region"]
    export = folder / "MSS_cliënten_October 20, 2010.csv"
    _as_qualtrics(original, export)
    original.rename(tmp_path / "original.sav")
    exported = export.read_bytes()

    done = _cli("map", str(export), "--instrument", "client_interview", "--study", str(study),
                "--round", ROUND, "--region", REGION, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "export van Qualtrics" in done.stdout and "0 regel(s) met '# controleer'" in done.stdout
    # the export lay in the region's folder: renamed to the instrument, its bytes untouched
    assert not export.exists() and (folder / "client_interview.csv").read_bytes() == exported
    done = _cli("validate", str(study), cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    out = tmp_path / "reports"
    done = _cli("render", str(study), "--round", ROUND, "--region", REGION, "--format", "html",
                "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rendered = json.loads((out / ROUND / REGION / "figures.json").read_text(encoding="utf-8"))
    assert rendered["region"] == expected
    assert rendered["region"]["personal"]["clients"]["value"] == 14
