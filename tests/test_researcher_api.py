"""The researcher's API in JupyterLab (issue 27): public names, general estimators, paired change,
adjusted means as in the reports, protect(), tidy theme matrix, figures on the caller's axes,
a display-safe Study and the two guided notebooks."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mss_eval as mss
from mss_eval.analysis import comparisons, estimators

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("verkenning", "vijf_taken")


class _Settings:
    min_respondents = 5
    language = "nl"
    case_mix = ("age_band", "gender", "education", "living_situation")


class _Study:
    settings = _Settings()


# -- the namespace -------------------------------------------------------------------------------
def test_tab_completion_offers_public_names_only():
    for module in (mss, mss.analysis, mss.analysis.estimators, mss.figures, mss.disclosure,
                   mss.qualitative):
        names = dir(module)
        assert not {"Any", "importlib", "annotations", "np", "pd"} & set(names), module
        assert all(not n.startswith("_") or n == "__version__" for n in names), module
    assert {"multilevel", "share", "mean", "change", "estimators"} <= set(dir(mss.analysis))


def test_the_multilevel_module_and_the_estimators_are_reachable_from_mss():
    assert mss.analysis.multilevel.multilevel_comparison.__module__ == \
        "mss_eval.analysis.multilevel"
    assert mss.analysis.share is estimators.share
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        mss.analysis.nonsense  # noqa: B018


# -- share and mean ------------------------------------------------------------------------------
def _wilson(k: float, n: float, z: float = stats.norm.ppf(0.975)) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_share_of_an_expression_has_the_wilson_interval_at_full_precision():
    df = pd.DataFrame({"round": "r1", "region": ["a"] * 7 + ["b"] * 3,
                       "network_informal": pd.array([0, 2, 1, 0, None, 3, 1, 1, 0, 2],
                                                    dtype="Int64")})
    out = mss.analysis.share(df, "network_informal > 0", study=_Study())
    assert list(out.columns) == ["round", "region", "n", "count", "share", "ci_low", "ci_high",
                                 "suppressed"]
    out = out.set_index("region")
    # the missing answer is not a "no": 4 of 6 answered
    assert out.loc["a", ["n", "count"]].tolist() == [6, 4]
    low, high = _wilson(4, 6)
    assert out.loc["a", "ci_low"] == pytest.approx(low, abs=1e-12)
    assert out.loc["a", "ci_high"] == pytest.approx(high, abs=1e-12)
    # 3 clients in b: below the study's minimum, nothing but the base
    assert out.loc["b", "suppressed"] and pd.isna(out.loc["b", "share"])
    assert out.loc["b", "n"] == 3


def test_share_says_in_one_sentence_what_is_not_yes_no():
    df = pd.DataFrame({"region": ["a"] * 3, "mss_rating": [7, 8, 9]})
    with pytest.raises(ValueError, match=r"'mss_rating' is not yes/no: value 7"):
        mss.analysis.share(df, "mss_rating", by=["region"])
    with pytest.raises(ValueError, match="neither a column of the frame nor an expression"):
        mss.analysis.share(df, "no_such_column > 1", by=["region"])


def test_mean_takes_the_minimum_from_the_study_and_labels_regions_in_dutch(example_study):
    clients = example_study["client_interview"]
    out = mss.analysis.mean(clients, "mss_rating", study=example_study, labelled=True)
    first = out[out["round"] == "2010-1"].set_index("region")
    assert list(first.index) == ["Den Haag", "Eindhoven", "Dordrecht"]
    dh = clients[(clients["round"] == "2010-1") & (clients["region"] == "den_haag")]
    ratings = dh["mss_rating"].dropna().astype(float)
    assert first.loc["Den Haag", "mean"] == pytest.approx(ratings.mean())
    half = stats.t.ppf(0.975, len(ratings) - 1) * ratings.std() / np.sqrt(len(ratings))
    assert first.loc["Den Haag", "ci_low"] == pytest.approx(ratings.mean() - half, abs=1e-12)
    small = out[out["n"] < example_study.settings.min_respondents]
    assert len(small) and small["suppressed"].all() and small["mean"].isna().all()


# -- adjusted means as in the reports -------------------------------------------------------------
def test_adjusted_means_of_the_api_equal_those_of_figures_json(example_study):
    from mss_eval.render.export import figures_json
    from mss_eval.report.notebook import Report

    clients = example_study["client_interview"]
    api = mss.analysis.personal.case_mix_adjusted_rating(clients, study=example_study)
    general = mss.analysis.mean(clients, "mss_rating", study=example_study, adjusted=True)
    compared = 0
    for round_id in ("2010-1", "2010-2"):
        figures = json.loads(figures_json(Report(example_study, round=round_id).key_figures))
        regions = figures["comparison"]["rating_mean"]["multilevel"]["regions"]
        for region, entry in regions.items():
            mine = api[(api["round"] == round_id) & (api["region"] == region)].iloc[0]
            other = general[(general["round"] == round_id) & (general["region"] == region)].iloc[0]
            if entry["suppressed"]:
                assert mine["suppressed"] and pd.isna(mine["adjusted_mean"])
                continue
            for key, column in (("estimate", "adjusted_mean"), ("ci_low", "adjusted_ci_low"),
                                ("ci_high", "adjusted_ci_high")):
                assert mine[column] == pytest.approx(entry[key], abs=1e-6), (region, key)
            assert other["adjusted"] == pytest.approx(entry["estimate"], abs=1e-6)
            compared += 1
    assert compared >= 7


# -- change between rounds -----------------------------------------------------------------------
def _partial_overlap_by_hand(before, after, pairs):
    """Derrick et al. (2017) T_new2, written out from the paper's formulas."""
    n1, n2, nc = len(before), len(after), len(pairs)
    s1, s2 = np.std(before, ddof=1), np.std(after, ddof=1)
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    r = np.sum((a - a.mean()) * (b - b.mean())) / np.sqrt(
        np.sum((a - a.mean()) ** 2) * np.sum((b - b.mean()) ** 2))
    se = np.sqrt(s1 ** 2 / n1 + s2 ** 2 / n2 - 2 * r * s1 * s2 * nc / (n1 * n2))
    gamma = (s1 ** 2 / n1 + s2 ** 2 / n2) ** 2 / (
        (s1 ** 2 / n1) ** 2 / (n1 - 1) + (s2 ** 2 / n2) ** 2 / (n2 - 1))
    na, nb = n1 - nc, n2 - nc
    dof = (nc - 1) + (gamma - nc + 1) / (na + nb + 2 * nc) * (na + nb)
    diff = np.mean(after) - np.mean(before)
    q = stats.t.ppf(0.975, dof)
    return diff, diff - q * se, diff + q * se


def _two_rounds(first: list, second: list, ids_first: list, ids_second: list) -> pd.DataFrame:
    return pd.DataFrame({"round": ["r1"] * len(first) + ["r2"] * len(second), "region": "a",
                         "respondent_id": ids_first + ids_second,
                         "mss_rating": pd.array(first + second, dtype="Int64")})


def test_paired_change_equals_a_hand_computation_when_some_clients_return():
    before, after = [6, 7, 8, 5, 7, 9, 6], [7, 8, 9, 7, 8, 8]
    ids1 = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]
    ids2 = ["p1", "p2", "p3", "p4", "q1", "q2"]
    df = _two_rounds(before, after, ids1, ids2)
    diff, low, high = _partial_overlap_by_hand(before, after, [(6, 7), (7, 8), (8, 9), (5, 7)])
    for out in (comparisons.rating_change(df).iloc[0],
                mss.analysis.change(df, "mss_rating").iloc[0]):
        assert out["n_paired"] == 4 and out["method"] == "partially_paired"
        assert out["change"] == pytest.approx(diff)
        assert out["ci_low"] == pytest.approx(low, abs=1e-12)
        assert out["ci_high"] == pytest.approx(high, abs=1e-12)


def test_change_is_the_paired_t_test_when_all_return_and_welch_when_none_do():
    before, after = [6, 7, 8, 5, 7], [7, 9, 8, 7, 8]
    ids = ["p1", "p2", "p3", "p4", "p5"]
    everyone = comparisons.rating_change(_two_rounds(before, after, ids, ids)).iloc[0]
    paired = stats.ttest_rel(after, before).confidence_interval()
    assert (everyone["ci_low"], everyone["ci_high"]) == pytest.approx(tuple(paired), abs=1e-12)
    others = comparisons.rating_change(
        _two_rounds(before, after, ids, [f"q{i}" for i in range(5)])).iloc[0]
    welch = stats.ttest_ind(after, before, equal_var=False).confidence_interval()
    assert others["method"] == "welch" and others["n_paired"] == 0
    assert (others["ci_low"], others["ci_high"]) == pytest.approx(tuple(welch), abs=1e-12)


def test_round_change_combines_the_two_intervals():
    result = pd.DataFrame({"round": ["r1", "r2"], "region": "a", "n": [10, 12],
                           "share": [0.4, 0.6], "ci_low": [0.2, 0.35], "ci_high": [0.65, 0.8],
                           "suppressed": False})
    out = comparisons.round_change(result, "share").iloc[0]
    assert out["change"] == pytest.approx(0.2)
    assert out["ci_low"] == pytest.approx(0.2 - np.hypot(0.6 - 0.35, 0.65 - 0.4))
    assert out["ci_high"] == pytest.approx(0.2 + np.hypot(0.8 - 0.6, 0.4 - 0.2))


# -- protect ----------------------------------------------------------------------------------------
def test_protect_leaves_nothing_of_a_suppressed_row_but_its_keys_and_n():
    frame = pd.DataFrame({
        "round": ["r1", "r1", "r1"], "region": ["a", "b", "c"], "n": [12, 3, 8],
        "mean": [7.9, 6.0, 8.1], "above_8": [False, True, True],
        "shown": ["7,90", "6,12", "8,10"], "count": pd.array([9, 2, 6], dtype="Int64"),
        "suppressed": [False, False, True]})
    out = mss.disclosure.protect(frame, _Study())
    assert out["suppressed"].tolist() == [False, True, True]
    for i in (1, 2):
        row = out.iloc[i]
        kept = {c for c in out.columns if not pd.isna(row[c])}
        assert kept == {"round", "region", "n", "suppressed"}, row
    assert out.iloc[0][["mean", "above_8", "shown", "count"]].tolist() == [7.9, False, "7,90", 9]
    assert frame["shown"].tolist() == ["7,90", "6,12", "8,10"]  # the caller's frame as it was


# -- qualitative ------------------------------------------------------------------------------------
def test_theme_matrix_is_tidy_over_every_round(example_study):
    out = mss.qualitative.theme_matrix(example_study)
    assert list(out.columns) == ["round", "region", "level", "theme", "sources", "n", "share",
                                 "suppressed"]
    assert list(dict.fromkeys(out["round"])) == [r.id for r in example_study.config.rounds]
    assert "Den Haag" in set(out["region"]) and "den_haag" not in set(out["region"])
    shown = out[~out["suppressed"]]
    assert (shown["share"] == shown["sources"] / shown["n"]).all()
    strict = mss.qualitative.theme_matrix(example_study, "2010-1", min_n=100)
    assert strict["suppressed"].all() and strict["sources"].isna().all()
    assert strict["n"].notna().all()


def test_code_region_matrix_flags_a_base_below_the_minimum():
    from mss_eval.qualitative.analysis import code_region_matrix

    seg = pd.DataFrame({"round": ["r1"] * 6, "region": ["a"] * 5 + ["b"],
                        "source_id": ["s1", "s2", "s3", "s4", "s5", "s6"], "coder": "x",
                        "code": ["executive/scale"] * 6})
    m = code_region_matrix(seg, "executive", min_n=5)
    assert m.groupby("region")["suppressed"].first().to_dict() == {"a": False, "b": True}


# -- figures ----------------------------------------------------------------------------------------
def test_a_figure_without_axes_leaves_matplotlib_settings_as_they_were():
    done = subprocess.run([sys.executable, "-c", (
        "import matplotlib as mpl, pandas as pd, mss_eval as mss\n"
        "before = {k: str(v) for k, v in mpl.rcParams.items()}\n"
        "rings = pd.DataFrame({'region': ['a'] * 2, 'ring': ['close', 'care'],\n"
        "                      'label': ['Dichtbij', 'Zorg'], 'mean': [1.5, 3.0], 'n': 8,\n"
        "                      'suppressed': False})\n"
        "ax = mss.figures.network_ring_bars(rings)\n"
        "print(sum(str(v) != before[k] for k, v in mpl.rcParams.items()))\n"
        "print(ax.xaxis.get_major_ticks()[0].label1.get_fontsize())\n"
        "mss.figures.set_theme()\n"
        "print(sum(str(v) != before[k] for k, v in mpl.rcParams.items()) > 0)")],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    changed, tick_size, themed = done.stdout.split()
    assert changed == "0" and themed == "True"
    assert float(tick_size) == 9.0  # yet the figure itself is drawn in the reports' theme


def test_network_ring_bars_take_network_rings_output_with_a_legend_per_axes(example_study):
    from matplotlib.figure import Figure

    rings = mss.analysis.personal.network_rings(example_study["client_interview"])
    fig = Figure(figsize=(10, 8))
    axes = fig.subplots(2, 2)
    mss.figures.network_ring_bars(rings[rings["round"] == "2010-1"], ax=axes[0][0],
                                  labels=example_study.region_names)
    mss.figures.network_ring_bars(rings[rings["round"] == "2010-2"], ax=axes[0][1])
    assert not fig.legends
    legend = axes[0][0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(
        dict.fromkeys(rings["label"].astype(str)))
    assert axes[0][1].get_legend() is not None and axes[1][0].get_legend() is None
    labels = [t.get_text() for t in axes[0][0].get_yticklabels()]
    assert any(label.startswith("Den Haag") for label in labels)


# -- the display-safe study -------------------------------------------------------------------------
def _secrets(study) -> set[str]:
    """Every pseudonym, raw respondent id and free-text value (longer than a word) of the study."""
    from mss_eval.instruments import instruments

    found: set[str] = set()
    for instrument_id, frame in study.tables.items():
        for column in instruments()[instrument_id].columns:
            if column.name not in frame:
                continue
            values = frame[column.name].dropna().astype(str)
            if column.type == "identifier" or column.privacy == "identifier":
                found |= set(values)
            elif column.privacy == "free_text":
                found |= {v for v in values if len(v) >= 12}
    report = mss.validate(study.path)
    for file in report.files:
        if file.frame is None:
            continue
        for column in instruments()[file.instrument].columns:
            if column.type == "identifier" and column.name in file.frame:
                found |= set(file.frame[column.name].dropna().astype(str))
    return {v for v in found if len(v) >= 4}


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return [s for s in secrets if s in text or html.escape(s) in text]


def test_the_study_shows_no_id_pseudonym_or_free_text(example_study):
    secrets = _secrets(example_study)
    assert len(secrets) > 100
    shown = example_study._repr_html_() + repr(example_study)
    for instrument_id in example_study.tables:
        view = example_study.head(instrument_id, 20)
        shown += view.to_html() + view.to_string()
    assert not _leaks(shown, secrets)
    head = example_study.head("client_interview")
    assert {"respondent_id", "open_support", "interview_date"}.isdisjoint(head.columns)
    assert "Den Haag" in set(head["region"]) and "man" in set(head["gender"].astype(str))


# -- the notebooks ----------------------------------------------------------------------------------
def _copies(study_path: Path, folder: Path) -> list[Path]:
    import nbformat

    paths = []
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        assert not any(c.get("outputs") for c in nb.cells), f"{name} is committed with outputs"
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert '"../data_templates/example_study"' in params.source
        params.source = params.source.replace('"../data_templates/example_study"',
                                              repr(str(study_path)))
        params.source = params.source.replace('"../reports/verkenning"',
                                              repr(str(folder / "reports")))
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


@pytest.mark.slow
def test_the_notebooks_run_under_nbval(example_study, tmp_path):
    copies = _copies(example_study.path, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), *map(str, copies)],
        cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout)


@pytest.mark.slow
def test_no_output_of_the_notebooks_shows_an_id_a_pseudonym_or_free_text(example_study,
                                                                           tmp_path):
    import nbformat
    from nbclient import NotebookClient

    secrets = _secrets(example_study)
    for path in _copies(example_study.path, tmp_path):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        shown = []
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", (path.name, output)
                shown.append(output.get("text", ""))
                for mime, data in output.get("data", {}).items():
                    if mime.startswith("text/") or mime.endswith("json"):
                        shown.append(data if isinstance(data, str) else json.dumps(data))
        text = "\n".join(shown)
        assert text.strip(), path.name
        assert not _leaks(text, secrets), path.name
