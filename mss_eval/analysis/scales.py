"""Scales built from Likert items: scored items, scale scores, reliability, item distributions.

The instruments declare which items form a scale (``scale:``), which items are reversed
(``reversed: true``) and how many answers a respondent needs for a score (``Scale.min_items``).
Everything here derives from those declarations: a reversed item's code is mirrored within its
answer set (``min + max - code``, i.e. ``6 - code`` on a 1-5 scale), so a high score always means a
favourable judgement. Used for the clients' experience scale (personal level) and the partners'
collaboration-quality scales (executive level).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from ..instruments import Instrument
from ._base import (
    with_columns,
    BY_REGION,
    MIN_N,
    as_by,
    as_instrument,
    finish,
    group_codes,
    library_warnings_quiet,
    t_interval,
    wilson_interval,
    answer_codes,
    apply_min_n,
)

__all__ = ["scored_items", "scale_score", "scale_summary", "scale_summaries",
           "item_distribution", "item_means"]


def _scale_columns(ins: Instrument, scale: str) -> list:
    columns = ins.scale_columns(scale)
    if not columns:
        raise KeyError(f"instrument {ins.id!r} has no items on scale {scale!r}")
    return columns


def _mirror(ins: Instrument, column: str) -> float:
    codes = ins.codes(column).values()
    return float(min(codes) + max(codes))


def scored_items(frame: pd.DataFrame, instrument: str | Instrument, scale: str) -> pd.DataFrame:
    """The items of a scale as numeric codes, reversed items mirrored (``min + max - code``).

    Parameters
    ----------
    frame : DataFrame
        Tidy data of the instrument.
    instrument : str or Instrument
        The instrument declaring the scale.
    scale : str
        Scale id (e.g. ``experience``).

    Returns
    -------
    DataFrame
        One ``Float64`` column per item (same index as ``frame``); missing answers ``NA``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mss_eval.instruments import get_instrument
    >>> cats = get_instrument("partner_survey").column("cq_task_coordination_2").answers.keys()
    >>> df = pd.DataFrame({
    ...     "cq_task_coordination_1": pd.Categorical(["agree", None], categories=cats),
    ...     "cq_task_coordination_2": pd.Categorical(["agree", "strongly_agree"], categories=cats)})
    >>> scored_items(df, "partner_survey", "task_coordination")  # item 2 is reversed
       cq_task_coordination_1  cq_task_coordination_2
    0                     4.0                     2.0
    1                    <NA>                     1.0
    """
    ins = as_instrument(instrument)
    values, names = _scored_array(frame, ins, scale)
    return pd.DataFrame({name: pd.array(values[:, k], dtype="Float64")
                         for k, name in enumerate(names)}, index=frame.index)


def _scored_array(frame: pd.DataFrame, ins: Instrument, scale: str
                  ) -> tuple[np.ndarray, list[str]]:
    """Scored item codes as a float array (rows × items, NaN for missing) and the item names."""
    columns = _scale_columns(ins, scale)
    values = np.full((len(frame), len(columns)), np.nan)
    for k, col in enumerate(columns):
        if col.name not in frame:  # an item not asked counts as unanswered
            continue
        codes = answer_codes(frame[col.name], ins, col.name)
        values[:, k] = _mirror(ins, col.name) - codes if col.reversed else codes
    return values, [c.name for c in columns]


def _scores(values: np.ndarray, min_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Items answered and the score (mean of answered items, NaN below ``min_items``)."""
    answered = (~np.isnan(values)).sum(axis=1)
    total = np.where(np.isnan(values), 0.0, values).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(answered >= max(min_items, 1), total / np.maximum(answered, 1), np.nan)
    return answered, score


def scale_score(frame: pd.DataFrame, instrument: str | Instrument, scale: str) -> pd.DataFrame:
    """Each respondent's scale score: the mean of the scored items they answered.

    A score is given only to a respondent who answered at least ``Scale.min_items`` of the scale's
    items; other respondents get ``NA``. Reversed items count mirrored (``6 - code`` on 1-5).

    Returns
    -------
    DataFrame
        Same index as ``frame``: the grouping columns ``round`` and ``region`` (when present),
        ``n_items`` (items answered) and ``score`` (``Float64``). No respondent ids.

    Examples
    --------
    >>> import pandas as pd
    >>> from mss_eval.instruments import get_instrument
    >>> cats = get_instrument("client_interview").column("exp_heard").answers.keys()
    >>> items = ["exp_heard", "exp_time", "exp_staff_change", "exp_wishes", "exp_reachable",
    ...          "exp_know_where"]
    >>> row = ["agree", "agree", "disagree", "agree", None, None]  # staff_change reversed: 4
    >>> df = pd.DataFrame({i: pd.Categorical([v], categories=cats) for i, v in zip(items, row)})
    >>> scale_score(df, "client_interview", "experience")[["n_items", "score"]]
       n_items  score
    0        4    4.0
    """
    ins = as_instrument(instrument)
    values, _ = _scored_array(frame, ins, scale)
    answered, score = _scores(values, ins.scales[scale].min_items)
    out = {c: frame[c].array for c in ("round", "region") if c in frame}
    out["n_items"] = pd.array(answered, dtype="Int64")
    out["score"] = pd.array(score, dtype="Float64")
    return pd.DataFrame(out, index=frame.index)


def feldt_interval(alpha: float, n: int, k: int, confidence: float = 0.95
                   ) -> tuple[float, float]:
    """Feldt's interval of Cronbach's alpha for ``n`` complete cases and ``k`` items.

    The same formula as :func:`pingouin.cronbach_alpha`, which rounds its interval to three
    decimals; the key figures keep full precision and round only for display.

    Examples
    --------
    >>> import pandas as pd, pingouin as pg
    >>> items = pd.DataFrame({"a": [5, 4, 2, 3, 5, 1, 4], "b": [4, 4, 3, 3, 5, 2, 3],
    ...                       "c": [5, 4, 2, 3, 5, 1, 4], "d": [4, 3, 2, 3, 4, 1, 4]})
    >>> alpha, rounded = pg.cronbach_alpha(items)
    >>> low, high = feldt_interval(alpha, n=7, k=4)
    >>> round(low, 6), round(high, 6), rounded.tolist()
    (0.891199, 0.993507, [0.891, 0.994])
    """
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = 1 - confidence
    return (float(1 - (1 - alpha) * stats.f.isf(tail / 2, df1, df2)),
            float(1 - (1 - alpha) * stats.f.isf(1 - tail / 2, df1, df2)))


def _alpha(items: np.ndarray, confidence: float) -> tuple[float, float, float, int]:
    """Cronbach's alpha (pingouin) with Feldt's interval on the complete rows; NaN when
    undefined."""
    complete = items[~np.isnan(items).any(axis=1)]
    n = len(complete)
    if n < 3 or items.shape[1] < 2:
        return np.nan, np.nan, np.nan, n
    if np.all(complete.var(axis=0, ddof=1) == 0) or complete.sum(axis=1).var(ddof=1) == 0:
        return np.nan, np.nan, np.nan, n
    with library_warnings_quiet(), np.errstate(all="ignore"):
        alpha, _ = pg.cronbach_alpha(data=pd.DataFrame(complete), ci=confidence,
                                     nan_policy="listwise")
        low, high = feldt_interval(float(alpha), n, items.shape[1], confidence)
    return float(alpha), low, high, n


def scale_summary(frame: pd.DataFrame, instrument: str | Instrument, scale: str, *,
                  by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                  confidence: float = 0.95, language: str = "nl") -> pd.DataFrame:
    """Mean scale score with a t-interval, and Cronbach's alpha with its interval, per group.

    The mean rests on the respondents with a score (at least ``Scale.min_items`` items
    answered). Alpha (pingouin, listwise) rests on the respondents who answered *every* item of
    the scale (``n_alpha``); it is ``NA`` (``alpha_suppressed``) when that base is below ``min_n``
    or the items do not vary.

    Parameters
    ----------
    frame : DataFrame
        Tidy data of the instrument.
    instrument : str or Instrument
        The instrument declaring the scale.
    scale : str
        The scale id.
    by, min_n, confidence
        Grouping, minimum base, interval level.
    language : str
        Language of the scale label.

    Returns
    -------
    DataFrame
        ``*by, scale, label, items, n, mean, sd, ci_low, ci_high, n_alpha, alpha, alpha_ci_low,
        alpha_ci_high, alpha_suppressed, suppressed``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mss_eval.instruments import get_instrument
    >>> ins = get_instrument("partner_survey")
    >>> cats = ins.column("cq_short_lines_1").answers.keys()
    >>> df = pd.DataFrame({
    ...     "region": ["a"] * 5,
    ...     "cq_short_lines_1": pd.Categorical(["agree"] * 3 + ["neutral"] * 2, categories=cats),
    ...     "cq_short_lines_2": pd.Categorical(["strongly_agree", "agree", "agree", "neutral",
    ...                                        "disagree"], categories=cats)})
    >>> out = scale_summary(df, ins, "short_lines", by=["region"], min_n=5)
    >>> out[["n", "mean", "n_alpha"]]
       n  mean  n_alpha
    0  5   3.6        5
    """
    ins = as_instrument(instrument)
    by = as_by(by)
    codes, keys = group_codes(frame, by)
    return _summary(frame, ins, scale, codes, keys, min_n, confidence, language)


def scale_summaries(frame: pd.DataFrame, instrument: str | Instrument,
                    scales: Sequence[str] | None = None, *,
                    by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                    confidence: float = 0.95, language: str = "nl") -> pd.DataFrame:
    """:func:`scale_summary` for several scales (default: every scale of the instrument).

    Rows run group by group, scales in instrument order within each group.

    Examples
    --------
    >>> cats = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    >>> df = pd.DataFrame({"region": ["a"] * 5, "cq_commitment_1": pd.Categorical(
    ...     ["agree"] * 4 + ["neutral"], categories=cats), "cq_commitment_2": pd.Categorical(
    ...     ["agree", "agree", "neutral", "strongly_agree", "neutral"], categories=cats)})
    >>> out = scale_summaries(df, "partner_survey", by=["region"], min_n=5)
    >>> out[out.n > 0][["scale", "n", "mean"]]
            scale  n  mean
    4  commitment  5   3.8
    """
    ins = as_instrument(instrument)
    by = as_by(by)
    codes, keys = group_codes(frame, by)
    scales = list(scales) if scales is not None else list(ins.scales)
    pieces = [_summary(frame, ins, sc, codes, keys, min_n, confidence, language)
              for sc in scales]
    result = pd.concat(pieces, ignore_index=True)
    group = np.tile(np.arange(len(keys)), len(pieces))
    return result.iloc[np.lexsort((np.arange(len(result)), group))].reset_index(drop=True)


def _summary(frame: pd.DataFrame, ins: Instrument, scale: str, codes: np.ndarray,
             keys: pd.DataFrame, min_n: int, confidence: float, language: str) -> pd.DataFrame:
    values, names = _scored_array(frame, ins, scale)
    _, score = _scores(values, ins.scales[scale].min_items)
    ok = (codes >= 0) & ~np.isnan(score)
    agg = pd.Series(score[ok]).groupby(codes[ok]).agg(["count", "mean", "std"])
    agg = agg.reindex(range(len(keys)))
    agg["count"] = agg["count"].fillna(0)
    low, high = t_interval(agg["mean"], agg["std"], agg["count"], confidence)
    alphas = np.array([_alpha(values[codes == g], confidence) for g in range(len(keys))],
                      dtype=float).reshape(-1, 4)
    result = with_columns(
        keys,
        scale=scale, label=ins.scales[scale].label(language), items=len(names),
        n=agg["count"].to_numpy(), mean=agg["mean"].to_numpy(), sd=agg["std"].to_numpy(),
        ci_low=low, ci_high=high, n_alpha=alphas[:, 3], alpha=alphas[:, 0],
        alpha_ci_low=alphas[:, 1], alpha_ci_high=alphas[:, 2])
    n_alpha = result["n_alpha"].to_numpy(dtype=float)
    alpha_small = n_alpha < min_n
    # suppressed means "too few respondents": an alpha that is undefined on enough respondents
    # (no variance) is missing, not suppressed, so that the marker keeps one meaning
    result["alpha_suppressed"] = alpha_small
    result = finish(result, ints=("n", "n_alpha", "items"),
                    floats=("mean", "sd", "ci_low", "ci_high", "alpha", "alpha_ci_low",
                            "alpha_ci_high"))
    # alpha rests on its own base; a group too small for its mean is too small for alpha too
    result = apply_min_n(result, ["alpha", "alpha_ci_low", "alpha_ci_high"], min_n=min_n,
                         n="n_alpha").drop(columns="suppressed")
    result = apply_min_n(result, ["mean", "sd", "ci_low", "ci_high", "alpha", "alpha_ci_low",
                                  "alpha_ci_high"], min_n=min_n)
    result["alpha_suppressed"] = result["alpha_suppressed"] | result["suppressed"]
    cols = [c for c in result.columns if c not in ("alpha_suppressed", "suppressed")]
    return result[cols + ["alpha_suppressed", "suppressed"]]


def item_distribution(frame: pd.DataFrame, instrument: str | Instrument, scale: str, *,
                      by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                      language: str = "nl") -> pd.DataFrame:
    """Answer distribution of every item of a scale, ready for diverging stacked bars.

    Each item's shares rest on the rows of the group that answered that item. Reversed items are
    shown *as scored*: their answers are mirrored (``6 - code``) so that, for every item, the
    ``positive`` side means a favourable judgement. ``answer`` and ``label`` name the answer as
    it was given; ``scored_code`` and ``side`` place it on the bar.

    Returns
    -------
    DataFrame
        ``*by, item, item_label, reversed, answer, label, code, scored_code, side, n, count, share,
        suppressed``; ``side`` is ``negative``, ``neutral`` or ``positive`` (scored code below, at
        or above the middle of the answer set). Rows are ordered by item, then scored code.

    Examples
    --------
    >>> import pandas as pd
    >>> from mss_eval.instruments import get_instrument
    >>> cats = get_instrument("client_interview").column("exp_staff_change").answers.keys()
    >>> df = pd.DataFrame({"region": ["a"] * 5, "exp_staff_change": pd.Categorical(
    ...     ["agree", "agree", "strongly_disagree", "neutral", None], categories=cats)})
    >>> out = item_distribution(df, "client_interview", "experience", by=["region"], min_n=4)
    >>> out[out.item == "exp_staff_change"][["answer", "scored_code", "side", "count"]]
                  answer  scored_code      side  count
    0     strongly_agree            1  negative      0
    1              agree            2  negative      2
    2            neutral            3   neutral      1
    3           disagree            4  positive      0
    4  strongly_disagree            5  positive      1
    """
    ins = as_instrument(instrument)
    by = as_by(by)
    codes, keys = group_codes(frame, by)
    g = len(keys)
    pieces = []
    for col in _scale_columns(ins, scale):
        if col.name not in frame:
            continue
        answers = list(col.answers.answers)
        code_arr = answer_codes(frame[col.name], ins, col.name)
        mirror = _mirror(ins, col.name)
        scored = mirror - code_arr if col.reversed else code_arr
        answer_scored = np.array([mirror - a.code if col.reversed else a.code for a in answers],
                                 dtype=float)
        order = np.argsort(answer_scored, kind="stable")
        counts = np.zeros((g, len(answers)))
        ok = (codes >= 0) & ~np.isnan(scored)
        pos = {s: i for i, s in enumerate(answer_scored)}
        idx = np.array([pos[s] for s in scored[ok]], dtype=int)
        np.add.at(counts, (codes[ok], idx), 1)
        counts = counts[:, order]
        n = counts.sum(axis=1)
        middle = mirror / 2
        ordered = [answers[i] for i in order]
        piece = keys.loc[np.repeat(np.arange(g), len(answers))].reset_index(drop=True)
        piece["item"] = col.name
        piece["item_label"] = col.label(language)
        piece["reversed"] = col.reversed
        piece["answer"] = np.tile([a.key for a in ordered], g)
        piece["label"] = np.tile([a.label(language) for a in ordered], g)
        piece["code"] = np.tile([a.code for a in ordered], g)
        sc = answer_scored[order]
        piece["scored_code"] = np.tile(sc, g)
        piece["side"] = np.tile(np.where(sc < middle, "negative",
                                         np.where(sc > middle, "positive", "neutral")), g)
        flat_n = np.repeat(n, len(answers))
        flat_c = counts.ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            piece["share"] = np.where(flat_n > 0, flat_c / np.where(flat_n > 0, flat_n, 1),
                                      np.nan)
        piece["n"] = flat_n
        piece["count"] = flat_c
        piece["_group"] = np.repeat(np.arange(g), len(answers))
        pieces.append(piece)
    result = pd.concat(pieces, ignore_index=True)
    result = result.sort_values("_group", kind="stable").drop(columns="_group")
    cols = by + ["item", "item_label", "reversed", "answer", "label", "code", "scored_code",
                 "side", "n", "count", "share"]
    result = finish(result[cols], ints=("n", "count", "code", "scored_code"), floats=("share",))
    return apply_min_n(result, ["count", "share"], min_n=min_n)


def item_means(frame: pd.DataFrame, instrument: str | Instrument, scale: str | None = None, *,
               by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
               threshold: float = 3.0, language: str = "nl") -> pd.DataFrame:
    """Mean scored code of every scale item per group, flagged when below ``threshold``.

    Each item rests on the rows of the group that answered it; reversed items are mirrored
    first, so a low mean always means an unfavourable judgement. ``share_unfavourable`` is the
    share of scored answers below the middle of the answer set (disagree, strongly disagree).

    Parameters
    ----------
    scale : str, optional
        Only the items of this scale; by default the items of every scale of the instrument.
    threshold : float
        An item whose mean is below this value is a ``bottleneck`` (default 3, the neutral
        answer on a 1-5 scale).

    Returns
    -------
    DataFrame
        ``*by, scale, item, label, reversed, n, mean, share_unfavourable, ci_low, ci_high,
        bottleneck, suppressed``; ``ci_low/ci_high`` is the Wilson interval of
        ``share_unfavourable``; ``bottleneck`` is ``NA`` when suppressed.

    Examples
    --------
    >>> cats = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    >>> df = pd.DataFrame({"region": ["a"] * 5, "cq_task_coordination_2": pd.Categorical(
    ...     ["agree"] * 4 + ["neutral"], categories=cats)})   # reversed: agree scores 2
    >>> out = item_means(df, "partner_survey", "task_coordination", by=["region"], min_n=5)
    >>> out[["item", "n", "mean", "bottleneck"]]
                         item  n  mean  bottleneck
    0  cq_task_coordination_1  0  <NA>        <NA>
    1  cq_task_coordination_2  5   2.2        True
    """
    ins = as_instrument(instrument)
    by = as_by(by)
    scales = [scale] if scale is not None else list(ins.scales)
    codes, keys = group_codes(frame, by)
    g = len(keys)
    pieces = []
    for sc in scales:
        values, names = _scored_array(frame, ins, sc)
        for k, col in enumerate(_scale_columns(ins, sc)):
            v = values[:, k]
            ok = (codes >= 0) & ~np.isnan(v)
            n = np.bincount(codes[ok], minlength=g)[:g].astype(float)
            total = np.bincount(codes[ok], weights=v[ok], minlength=g)[:g]
            middle = _mirror(ins, col.name) / 2
            low_count = np.bincount(codes[ok], weights=(v[ok] < middle).astype(float),
                                    minlength=g)[:g]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(n > 0, total / np.where(n > 0, n, 1), np.nan)
                unfav = np.where(n > 0, low_count / np.where(n > 0, n, 1), np.nan)
            lo, hi = wilson_interval(low_count, n)
            piece = with_columns(keys, scale=sc, item=col.name, label=col.label(language),
                                reversed=col.reversed, n=n, mean=mean, share_unfavourable=unfav,
                                ci_low=lo, ci_high=hi)
            piece["_group"] = np.arange(g)
            pieces.append(piece)
    result = pd.concat(pieces, ignore_index=True).sort_values("_group", kind="stable")
    result = result.drop(columns="_group")
    result["bottleneck"] = pd.array(result["mean"] < threshold, dtype="boolean")
    result = finish(result, floats=("mean", "share_unfavourable", "ci_low", "ci_high"))
    result = apply_min_n(result, ["mean", "share_unfavourable", "ci_low", "ci_high",
                                  "bottleneck"], min_n=min_n)
    result["bottleneck"] = pd.array(result["bottleneck"], dtype="boolean")
    return result

