"""Disclosure control for a researcher's own tables: the study's suppression policy, applied.

Every report of the workbench follows one policy (``docs/privacy.md``, ``docs/analyses.md``): a
statistic resting on fewer respondents than the study's minimum (``settings.min_respondents``,
default 5) is not shown, and in a table of counts no hidden count may be derivable from what is
shown. A researcher exploring the data in JupyterLab makes tables of their own; before such a
table leaves the notebook, these functions apply the same policy:

* :func:`protect` — a result with a base column ``n`` (one row per group): a row below the
  minimum (or already flagged ``suppressed``) keeps only its keys and its base;
* :func:`protect_counts` — a cross-tabulation of counts (categories × regions, e.g. from
  :func:`pandas.crosstab`): margins added, primary and secondary suppression.

Show the result with :func:`mss_eval.report.tables.report_table`, which prints the marker ``x`` and
its footnote for every suppressed entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .analysis._base import MIN_N, apply_min_n, suppress_table

__all__ = ["minimum", "protect", "protect_counts"]


def minimum(study: Any = None, min_n: int | None = None) -> int:
    """The smallest base that may be shown: ``min_n`` if given, else the study's
    ``settings.min_respondents``, else the workbench default (5).

    Examples
    --------
    >>> minimum(), minimum(min_n=10)
    (5, 10)
    """
    if min_n is not None:
        if int(min_n) < 1:
            raise ValueError("min_n must be at least 1")
        return int(min_n)
    if study is not None:
        settings = getattr(study, "settings", None) or getattr(study.config, "settings")
        return int(settings.min_respondents)
    return MIN_N


def protect(frame: pd.DataFrame, study: Any = None, *, n: str = "n",
            keys: Sequence[str] | None = None, min_n: int | None = None) -> pd.DataFrame:
    """Blank every row of a result whose base is below the minimum, but for its keys and base.

    Parameters
    ----------
    frame : DataFrame
        A result with one row per group and its base in column ``n`` (number of respondents the
        row's statistics rest on).
    study : Study, optional
        A loaded study (:func:`mss_eval.load_study`): its ``settings.min_respondents`` is the
        minimum.
    n : str
        The base column.
    keys : sequence of str, optional
        The columns that name a row's group (round, region, variable ...), kept in a suppressed
        row. By default the text and category columns *before* ``n``, the order of every tidy
        result of the workbench (``*by, n, statistics...``). Everything else is blanked: numbers,
        yes/no flags and text such as a formatted interval (``"6,12"``) alike.
    min_n : int, optional
        The minimum, overriding the study's.

    Returns
    -------
    DataFrame
        A copy in which a row is suppressed when ``n < min_n`` or it was flagged ``suppressed``
        already; in a suppressed row every column but the keys, ``n`` and ``suppressed`` is
        missing. The base itself stays visible, as in the reports. A missing base counts as 0.

    Examples
    --------
    >>> import pandas as pd
    >>> means = pd.DataFrame({"region": ["a", "b"], "n": [12, 3], "mean": [7.9, 6.0],
    ...                       "above_8": [False, True], "shown": ["7,9", "6,0"]})
    >>> protect(means)
      region   n  mean  above_8 shown  suppressed
    0      a  12   7.9    False   7,9       False
    1      b   3  <NA>     <NA>  <NA>        True
    """
    if n not in frame.columns:
        raise KeyError(f"the frame has no base column {n!r}; name it with n=...")
    if keys is None:
        before = list(frame.columns[:frame.columns.get_loc(n)])
        keys = [c for c in before if c != "suppressed" and (
            isinstance(frame[c].dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(frame[c]))]
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        raise KeyError(f"not in the frame: {', '.join(map(str, missing))}")
    least = minimum(study, min_n)
    base = pd.to_numeric(frame[n], errors="coerce").astype("Float64").fillna(0)
    hide = (base < least).to_numpy(dtype=bool)
    if "suppressed" in frame.columns:
        hide |= pd.array(frame["suppressed"], dtype="boolean").fillna(False).to_numpy(dtype=bool)
    out = {}
    for c in frame.columns:
        values = frame[c]
        if c not in (n, "suppressed", *keys) and hide.any():
            values = _blanked(values, hide)
        out[c] = values
    out["suppressed"] = hide
    return pd.DataFrame(out, index=frame.index)


def _blanked(values: pd.Series, hide) -> pd.Series:
    """``values`` with the rows of ``hide`` missing, in a dtype that can hold a missing value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.mask(hide)
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("boolean")
    elif pd.api.types.is_integer_dtype(values):
        values = values.astype("Int64")
    elif pd.api.types.is_float_dtype(values):
        values = values.astype("Float64")
    elif pd.api.types.is_string_dtype(values) and values.dtype != object:
        values = values.astype("string")
    return values.mask(hide)


def protect_counts(counts: pd.DataFrame, study: Any = None, *, min_n: int | None = None
                   ) -> pd.DataFrame:
    """A table of counts with margins, every count that could identify someone hidden.

    Primary suppression hides each count from 1 to ``min_n - 1`` (margins included; zeros are
    shown); secondary suppression then hides further counts until no hidden count follows exactly
    from the shown ones and the margins (the audit of ``docs/analyses.md``).

    Parameters
    ----------
    counts : DataFrame
        Inner cells only: non-negative whole numbers, e.g. ``pd.crosstab(rows, columns)``.
    study : Study, optional
        A loaded study whose ``settings.min_respondents`` is the minimum.
    min_n : int, optional
        The minimum, overriding the study's.

    Returns
    -------
    DataFrame
        The counts with a ``_total`` row and column, as ``Int64``; hidden entries are ``<NA>``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [3, 9, 6], "b": [8, 7, 9]}, index=["man", "vrouw", "anders"])
    >>> protect_counts(t)
               a     b  _total
    man     <NA>  <NA>      11
    vrouw   <NA>  <NA>      16
    anders  <NA>  <NA>      15
    _total    18    24      42

    The 3 is hidden, and with it every inner count: with any one of them shown, the margins
    would give the 3 back.
    """
    values = counts.apply(pd.to_numeric, errors="raise")
    if (values < 0).to_numpy().any() or (values % 1 != 0).to_numpy().any():
        raise ValueError("counts must be non-negative whole numbers")
    full, hidden = suppress_table(values, min_n=minimum(study, min_n))
    return full.astype("Int64").mask(hidden)


def __dir__() -> list[str]:
    # tab completion in JupyterLab: the public functions, not the modules they use
    return sorted(__all__)
