"""General estimators for a researcher's own questions: a share, a mean, a change between rounds.

The analyses of the levels (:mod:`~mss_eval.analysis.personal` and the others) compute the
reports' own figures. A researcher exploring the data asks other questions too: the share of
clients with *any* informal contact, the mean of a derived count. These three functions answer
them in the workbench's manner (pingouin's: a frame in, a tidy frame out), with the study's
policy applied:

* :func:`share` — the share of rows for which a yes/no column or expression holds, per group,
  with a Wilson interval (statsmodels);
* :func:`mean` — the mean of a numeric column or expression per group, with a t-interval;
* :func:`change` — a group's figure of one round against the next round it was measured in;
  clients who return (the same pseudonym) are paired automatically.

``column_or_expression`` is a column name, an expression of the frame's columns as
:meth:`pandas.DataFrame.eval` reads it (``"network_close + network_informal > 0"``), or a
Series aligned with the frame. With ``study=`` the minimum base (``settings.min_respondents``),
the case mix of ``adjusted=True`` (``settings.case_mix``), the language of ``labelled=True`` and
the order of the rounds come from the study. Intervals are at full precision; rounding is for
whoever shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._base import BY_REGION, as_by, describe_numeric, finish, shares

__all__ = ["share", "mean", "change"]

_VALUE = "_value"


def _values(frame: pd.DataFrame, what) -> tuple[pd.Series, str]:
    """The values to estimate from: a column, an expression of columns, or a Series."""
    if isinstance(what, pd.Series):
        if not what.index.equals(frame.index):
            raise ValueError("the Series must have the frame's index (one value per row)")
        return what, str(what.name) if what.name is not None else "value"
    if not isinstance(what, str):
        raise TypeError("column_or_expression must be a column name, an expression or a Series")
    if what in frame.columns:
        return frame[what], what
    try:
        # the python engine keeps pandas' nullable dtypes (a missing answer stays missing)
        values = frame.eval(what, engine="python")
    except Exception as exc:  # pandas raises many kinds here; the user needs one sentence
        raise ValueError(f"{what!r} is neither a column of the frame nor an expression of its "
                         f"columns ({type(exc).__name__}: {exc})") from None
    if not isinstance(values, pd.Series):
        raise ValueError(f"{what!r} does not give one value per row")
    return values, what


def _shown(value) -> str:
    """A value as a sentence names it: text quoted, a number as it reads."""
    return repr(value) if isinstance(value, str) else str(value)


def _as_yes_no(values: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    numbers = pd.to_numeric(values, errors="coerce")
    known = numbers.dropna()
    if not pd.api.types.is_numeric_dtype(values) or not known.isin([0, 1]).all():
        bad = values[values.notna() & ~numbers.isin([0, 1])]
        raise ValueError(f"{name!r} is not yes/no: value {_shown(bad.iloc[0])} is neither "
                         "true/false nor 0/1")
    return numbers.astype("Float64").eq(1).mask(numbers.isna())


def _settings(study: Any):
    if study is None:
        return None
    return getattr(study, "settings", None) or study.config.settings


def _min_n(study: Any, min_n: int | None) -> int:
    from ..disclosure import minimum

    return minimum(study, min_n)


def _language(study: Any, language: str | None) -> str:
    if language is not None:
        return language
    settings = _settings(study)
    return getattr(settings, "language", "nl") if settings is not None else "nl"


def _labelled(result: pd.DataFrame, by: Sequence[str], study: Any, language: str
              ) -> pd.DataFrame:
    """Codes in the group columns replaced by their labels: regions by their names in
    study.yaml, answer codes by the instrument's labels (the first instrument with the column);
    rounds keep their ids."""
    from ..instruments import instruments

    out = result.copy()
    for column in by:
        if column == "region" and study is not None:
            names = {r.id: r.name for r in study.config.regions}
        elif column == "round":
            continue  # a round's id (2010-1) is what a researcher filters on
        else:
            names = {}
            for instrument in instruments().values():
                if any(c.name == column for c in instrument.columns):
                    names = instrument.labels(column, language)
                    if names:
                        break
        if names:
            out[column] = pd.array([names.get(str(v), v) if pd.notna(v) else v
                                     for v in out[column]], dtype="string")
    return out


def _adjusted(frame: pd.DataFrame, values: pd.Series, by: list[str], study: Any,
              min_n: int, confidence: float, kind: str) -> pd.DataFrame:
    """The reports' case-mix adjusted figure per region (multilevel model, study's case mix)."""
    from .multilevel import CASE_MIX, multilevel_comparison

    if "region" not in by:
        raise ValueError("adjusted=True compares regions: 'region' must be one of by")
    settings = _settings(study)
    covariates = tuple(settings.case_mix) if settings is not None else CASE_MIX
    outer = [b for b in by if b != "region"]
    data = frame.assign(**{_VALUE: values.astype("Float64")})
    fit = multilevel_comparison(data, _VALUE, kind=kind, by=outer, covariates=covariates,
                                min_n=min_n, confidence=confidence)
    fit = fit[[*outer, "region", "estimate", "ci_low", "ci_high"]].rename(columns={
        "estimate": "adjusted", "ci_low": "adjusted_ci_low", "ci_high": "adjusted_ci_high"})
    for b in [*outer, "region"]:
        fit[b] = fit[b].astype("string")
    return fit


def _with_adjusted(result: pd.DataFrame, fit: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    keys = result[by].astype("string")
    merged = keys.merge(fit, on=by, how="left")
    out = result.copy()
    at = out.columns.get_loc("suppressed")
    for i, c in enumerate(("adjusted", "adjusted_ci_low", "adjusted_ci_high")):
        values = pd.array(merged[c].to_numpy(dtype=float, na_value=np.nan), dtype="Float64")
        values[out["suppressed"].to_numpy()] = pd.NA
        out.insert(at + i, c, values)
    return out


def share(frame: pd.DataFrame, column_or_expression, *, by: Sequence[str] | None = BY_REGION,
          study: Any = None, min_n: int | None = None, confidence: float = 0.95,
          adjusted: bool = False, labelled: bool = False, language: str | None = None
          ) -> pd.DataFrame:
    """The share of rows for which a yes/no column or expression holds, per group.

    Rests on the rows of each group where the value is known (an expression of a missing answer
    is missing, not false). The interval is Wilson's score interval (statsmodels
    ``proportion_confint(method="wilson")``).

    Parameters
    ----------
    frame : DataFrame
        Tidy data, e.g. ``study["client_interview"]``.
    column_or_expression : str or Series
        A yes/no column (or 0/1 numbers), an expression of columns giving true/false
        (``"network_informal > 0"``), or a Series aligned with ``frame``.
    by : sequence of str
        Grouping columns (default ``("round", "region")``; ``()`` for all rows together).
    study : Study, optional
        The loaded study: minimum base, case mix, language and region names.
    min_n : int, optional
        Groups with fewer answers are suppressed; by default the study's minimum, else 5.
    confidence : float
        Level of the intervals.
    adjusted : bool
        Add the reports' case-mix adjusted share per region (``adjusted``,
        ``adjusted_ci_low``, ``adjusted_ci_high``): the logistic random-intercept model of
        :func:`mss_eval.analysis.multilevel.multilevel_comparison` with the study's case mix.
    labelled : bool
        Region names and answer labels in the group columns instead of their codes.
    language : str, optional
        Language of the labels; by default the study's.

    Returns
    -------
    DataFrame
        ``*by, n, count, share, ci_low, ci_high, suppressed``: one row per group; statistics of
        a group below the minimum are missing and ``suppressed`` is true.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["a"] * 6,
    ...                    "network_informal": pd.array([0, 2, 1, 0, None, 3], dtype="Int64")})
    >>> out = share(df, "network_informal > 0", by=["region"])
    >>> out[["region", "n", "count", "share"]]
      region  n  count  share
    0      a  5      3    0.6
    >>> round(float(out["ci_low"].iloc[0]), 4), round(float(out["ci_high"].iloc[0]), 4)
    (0.2307, 0.8824)
    """
    by = as_by(by)
    values, name = _values(frame, column_or_expression)
    yes = _as_yes_no(values, name)
    least = _min_n(study, min_n)
    data = frame[by].assign(**{_VALUE: yes.to_numpy()})
    data[_VALUE] = data[_VALUE].astype("boolean")
    result = shares(data, [_VALUE], by=by, min_n=least, confidence=confidence)
    result = result.drop(columns=["variable"])
    if adjusted:
        fit = _adjusted(frame, yes.astype("Float64"), by, study, least, confidence, "binary")
        result = _with_adjusted(result, fit, by)
    if labelled:
        result = _labelled(result, by, study, _language(study, language))
    return result


def mean(frame: pd.DataFrame, column_or_expression, *, by: Sequence[str] | None = BY_REGION,
         study: Any = None, min_n: int | None = None, confidence: float = 0.95,
         adjusted: bool = False, labelled: bool = False, language: str | None = None
         ) -> pd.DataFrame:
    """The mean of a numeric column or expression per group, with its t-interval.

    Rests on the rows of each group where the value is known.

    Parameters
    ----------
    frame, by, study, min_n, confidence, labelled, language
        As in :func:`share`.
    column_or_expression : str or Series
        A numeric column, an expression of columns (``"network_close + network_informal"``)
        or a Series aligned with ``frame``.
    adjusted : bool
        Add the reports' case-mix adjusted mean per region (``adjusted``, ``adjusted_ci_low``,
        ``adjusted_ci_high``; the random-intercept model of the reports with the study's case
        mix). For ``mss_rating`` these are the ``figures.json`` estimates.

    Returns
    -------
    DataFrame
        ``*by, n, mean, sd, ci_low, ci_high, suppressed``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["a"] * 5 + ["b"] * 2,
    ...                    "mss_rating": pd.array([6, 7, 8, 9, 10, 5, None], dtype="Int64")})
    >>> mean(df, "mss_rating", by=["region"], min_n=2)[["region", "n", "mean", "suppressed"]]
      region  n  mean  suppressed
    0      a  5   8.0       False
    1      b  1  <NA>        True
    """
    by = as_by(by)
    values, name = _values(frame, column_or_expression)
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("Float64")
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values[values.notna() & numbers.isna()]
    if len(bad):
        raise ValueError(f"{name!r} is not numeric: value {_shown(bad.iloc[0])} is not a number")
    least = _min_n(study, min_n)
    data = frame[by].assign(**{_VALUE: numbers.astype("Float64").to_numpy()})
    result = describe_numeric(data, _VALUE, by=by, min_n=least, confidence=confidence)
    result = result[[*by, "n", "mean", "sd", "ci_low", "ci_high", "suppressed"]]
    if adjusted:
        fit = _adjusted(frame, numbers, by, study, least, confidence, "gaussian")
        result = _with_adjusted(result, fit, by)
    if labelled:
        result = _labelled(result, by, study, _language(study, language))
    return result


def change(frame: pd.DataFrame, column_or_expression, *, by: Sequence[str] | None = ("region",),
           study: Any = None, rounds: Sequence[str] | None = None, min_n: int | None = None,
           confidence: float = 0.95, id_column: str = "respondent_id", labelled: bool = False,
           language: str | None = None) -> pd.DataFrame:
    """A group's mean (or share) in one round against the next round it was measured in.

    ``change`` is the later round's mean over all its rows minus the earlier round's. Rows of
    the two rounds with the same pseudonym (``id_column``) are the same client measured twice:
    the interval and t-test then pair them (partially overlapping samples, Derrick et al.,
    2017; :func:`mss_eval.analysis.comparisons.partially_paired_t`): Welch's t-test when fewer
    than two clients return, the paired t-test when all do. A yes/no value is taken as 0/1, its
    change a difference of shares with that normal-approximation interval.

    Parameters
    ----------
    frame, column_or_expression, study, min_n, confidence, labelled, language
        As in :func:`mean`.
    by : sequence of str
        The groups followed over the rounds (default ``("region",)``); must not contain
        ``round``.
    rounds : sequence of str, optional
        The order of the rounds; by default the study's, else their order in the frame.
    id_column : str
        The pseudonym that links a client's interviews.

    Returns
    -------
    DataFrame
        ``*by, round_from, round_to, n_from, n_to, n_paired, value_from, value_to, change,
        ci_low, ci_high, t, dof, p_t, method, n, suppressed``; ``n`` is the smaller base;
        suppressed (statistics missing) when either round has fewer than the minimum.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"round": ["r1"] * 5 + ["r2"] * 5, "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4", "p5", "p1", "p2", "p3", "p4", "p9"],
    ...     "mss_rating": [6, 7, 7, 6, 8, 7, 8, 8, 7, 9]})
    >>> out = change(df, "mss_rating")
    >>> out[["region", "n_paired", "change", "method"]]
      region  n_paired  change            method
    0      a         4     1.0  partially_paired
    """
    from .comparisons import partially_paired_t

    by = [b for b in as_by(by) if b != "round"]
    values, name = _values(frame, column_or_expression)
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("Float64")
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    least = _min_n(study, min_n)
    if rounds is None and study is not None:
        rounds = [r.id for r in study.config.rounds]
    order = list(rounds) if rounds is not None else list(
        dict.fromkeys(frame["round"].astype(str)))
    data = pd.DataFrame({
        **{b: frame[b].astype("string").to_numpy() for b in by},
        "round": frame["round"].astype(str).to_numpy(),
        "id": (frame[id_column].astype("string").to_numpy() if id_column in frame
               else pd.array([pd.NA] * len(frame), dtype="string")),
        "y": numbers.to_numpy(dtype=float, na_value=np.nan)})
    data = data[~np.isnan(data["y"].to_numpy())]
    rows = []
    groups = data.groupby(by, sort=False, dropna=False) if by else [((), data)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        present = [r for r in order if (g["round"] == r).any()]
        for ra, rb in zip(present, present[1:]):
            a, b = g[g["round"] == ra], g[g["round"] == rb]
            ids_a = a[a["id"].notna()].drop_duplicates("id", keep=False)
            ids_b = b[b["id"].notna()].drop_duplicates("id", keep=False)
            both = ids_a[["id", "y"]].merge(ids_b[["id", "y"]], on="id",
                                            suffixes=("_from", "_to"))
            row = {**dict(zip(by, key)), "round_from": ra, "round_to": rb, "n_from": len(a),
                   "n_to": len(b), "n_paired": len(both), "n": min(len(a), len(b))}
            if row["n"] < least:
                rows.append({**row, "suppressed": True})
                continue
            test = partially_paired_t(a["y"].to_numpy(), b["y"].to_numpy(),
                                      both["y_from"].to_numpy(), both["y_to"].to_numpy(),
                                      confidence=confidence)
            rows.append({**row, "value_from": a["y"].mean(), "value_to": b["y"].mean(), **test,
                         "suppressed": False})
    cols = [*by, "round_from", "round_to", "n_from", "n_to", "n_paired", "value_from",
            "value_to", "change", "ci_low", "ci_high", "t", "dof", "p_t", "method", "n",
            "suppressed"]
    out = pd.DataFrame(rows, columns=cols)
    for c in [*by, "round_from", "round_to", "method"]:
        out[c] = out[c].astype("string")
    out = finish(out, ints=("n_from", "n_to", "n_paired", "n"),
                  floats=("value_from", "value_to", "change", "ci_low", "ci_high", "t", "dof",
                          "p_t"))
    if labelled:
        out = _labelled(out, by, study, _language(study, language))
    return out


def __dir__() -> list[str]:
    # tab completion in JupyterLab shows the estimators, not the modules they use
    return sorted(__all__)
