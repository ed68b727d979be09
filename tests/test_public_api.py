"""The researcher's API: ``import mss_eval as mss`` and what it gives, disclosure control on a
researcher's own tables, and modules that import in any order."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import mss_eval as mss
from mss_eval.analysis._base import TOTAL


def _fresh_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)


# -- the namespace ---------------------------------------------------------------------------------
def test_the_package_gives_the_researchers_entry_points():
    assert callable(mss.load_study) and callable(mss.validate)
    assert mss.analysis.personal.client_rating.__module__ == "mss_eval.analysis.personal"
    assert mss.figures.__name__ == "mss_eval.report.figures"
    assert mss.tables.report_table is mss.report.report_table
    assert mss.disclosure.protect.__module__ == "mss_eval.disclosure"
    assert {"analysis", "figures", "tables", "disclosure", "report"} <= set(dir(mss))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        mss.nonsense  # noqa: B018


def test_importing_the_package_loads_no_analysis_until_it_is_used():
    done = _fresh_python("import sys, mss_eval as mss\n"
                         "before = 'mss_eval.analysis.personal' in sys.modules\n"
                         "mss.analysis.personal\n"
                         "print(before, 'mss_eval.analysis.personal' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_the_warm_kernel_engine_module_imports_before_papermill():
    # papermill loads its entry points when first imported; ours must not be this module itself
    done = _fresh_python("import mss_eval.render.engine as e\n"
                         "import papermill.engines as pe\n"
                         "print(pe.papermill_engines.get_engine('mss_warm') is e.WarmKernelEngine)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_papermill_finds_the_engine_through_its_entry_point():
    done = _fresh_python("import papermill.engines as pe\n"
                         "engine = pe.papermill_engines.get_engine('mss_warm')\n"
                         "print(engine.execute_managed_notebook.__qualname__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "WarmKernelEngine.execute_managed_notebook"


def test_validate_names_a_missing_study_folder():
    report = mss.validate("no/such/study")
    assert not report.valid and report.errors


# -- protect: results with a base --------------------------------------------------------------
def test_protect_hides_the_statistics_of_rows_below_the_minimum_and_keeps_the_base():
    means = pd.DataFrame({"region": ["a", "b", "c"], "n": [5, 4, None],
                          "mean": [7.5, 6.0, 8.0], "sd": [1.0, 2.0, 0.5]})
    out = mss.disclosure.protect(means)
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["mean"].isna().tolist() == [False, True, True]
    assert out["sd"].isna().tolist() == [False, True, True]
    assert out["n"].tolist()[:2] == [5, 4] and out["region"].tolist() == ["a", "b", "c"]
    assert means["mean"].notna().all()  # the researcher's frame is left as it was


def test_protect_takes_the_minimum_from_the_study_or_the_argument():
    class Settings:
        min_respondents = 10

    class Study:
        settings = Settings()

    frame = pd.DataFrame({"n": [9, 10], "share": [0.5, 0.4]})
    assert mss.disclosure.protect(frame, Study())["suppressed"].tolist() == [True, False]
    assert mss.disclosure.protect(frame, Study(), min_n=3)["suppressed"].tolist() == [False,
                                                                                       False]
    with pytest.raises(KeyError, match="base column 'count'"):
        mss.disclosure.protect(frame, n="count")


# -- protect_counts: a cross-tabulation --------------------------------------------------------
def _brute_force_exposed(counts: np.ndarray, hidden: np.ndarray, min_n: int) -> bool:
    """Is some hidden inner count the same in every table consistent with what is shown?

    Enumerates every table whose hidden inner cells are 0 or between 1 and ``min_n - 1`` (the
    attacker's knowledge: a hidden count is small or zero), as the reports promise, with the
    shown cells and the shown margins fixed.
    """
    rows, cols = counts.shape
    inner_hidden = [(i, j) for i in range(rows) for j in range(cols) if hidden[i, j]]
    full = np.zeros((rows + 1, cols + 1))
    full[:rows, :cols] = counts
    full[:rows, cols] = counts.sum(axis=1)
    full[rows, :cols] = counts.sum(axis=0)
    full[rows, cols] = counts.sum()
    candidates = range(0, int(counts.max()) + 1)
    seen: dict[tuple, set] = {cell: set() for cell in inner_hidden}
    for values in itertools.product(candidates, repeat=len(inner_hidden)):
        trial = counts.astype(float).copy()
        for (i, j), v in zip(inner_hidden, values):
            trial[i, j] = v
        margins_ok = all(
            hidden[i, cols] or trial[i].sum() == full[i, cols] for i in range(rows)) and all(
            hidden[rows, j] or trial[:, j].sum() == full[rows, j] for j in range(cols)) and (
            hidden[rows, cols] or trial.sum() == full[rows, cols])
        if margins_ok:
            for cell, v in zip(inner_hidden, values):
                seen[cell].add(v)
    return any(len(v) == 1 and counts[cell] >= 1 for cell, v in seen.items())


def test_protect_counts_hides_small_counts_and_everything_that_gives_them_away():
    counts = pd.DataFrame({"a": [3, 9], "b": [8, 7]}, index=["man", "vrouw"])
    out = mss.disclosure.protect_counts(counts)
    assert list(out.index) == ["man", "vrouw", TOTAL] and list(out.columns) == ["a", "b", TOTAL]
    assert pd.isna(out.loc["man", "a"])                 # primary: 3 < 5
    assert out.loc[TOTAL, TOTAL] == 27                   # nothing to give away in the total
    hidden = out.isna().to_numpy()
    assert not _brute_force_exposed(counts.to_numpy(), hidden, 5)
    assert out.dtypes.eq("Int64").all()


def test_protect_counts_leaves_a_table_without_small_counts_as_it_is():
    counts = pd.DataFrame({"a": [5, 0], "b": [8, 7]}, index=["man", "vrouw"])
    out = mss.disclosure.protect_counts(counts)
    assert out.notna().all().all()                       # zeros are shown
    assert out.loc[TOTAL].tolist() == [5, 15, 20]


def test_protect_counts_refuses_what_is_not_a_count():
    with pytest.raises(ValueError, match="whole numbers"):
        mss.disclosure.protect_counts(pd.DataFrame({"a": [1.5, 2]}))
