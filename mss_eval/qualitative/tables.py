"""Theme tables for the reports: what the notebooks call for coded interviews.

Each function takes a loaded study (:func:`mss_eval.load_study`) and returns a frame ready to show,
with labels in the report's language (default the study's) and region names from ``study.yaml``.
None of them carries an excerpt, a source id or a coder: only counts of sources and regions.

* region report, chapters 3-6: ``theme_table(study, round, region=..., level=...)``;
* round (interim) report: ``theme_table(study, round, level=...)`` for the themes shared by at
  least ``k`` regions and ``theme_matrix(study, round, level=..., wide=True)`` for the matrix
  across regions (tidy without ``wide``);
* final report: ``theme_comparison(study, level=...)`` across rounds;
* methods appendix: ``agreement_table(study, round=...)``;
* quotes: :func:`mss_eval.qualitative.quotes.approved_quotes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..analysis import memo
from ..instruments import codebook as study_codebook
from .analysis import (
    RELIABILITY_LABELS,
    code_region_matrix,
    intercoder_agreement,
    shared_themes,
    without_excerpts,
)


def _segments(study, round: str | None = None, region: str | None = None) -> pd.DataFrame:
    data = without_excerpts(study["coded_segments"])
    if round is not None:
        data = data[data["round"] == round]
    if region is not None:
        data = data[data["region"] == region]
    return data


def _language(study, language: str | None) -> str:
    return language or study.settings.language


def _region_names(study) -> dict[str, str]:
    return {r.id: r.name for r in study.config.regions}


def _level_labels(language: str) -> dict[str, str]:
    return {lv: level.label(language) for lv, level in study_codebook().levels.items()}


def theme_table(study, round: str, region: str | None = None,
                level: str | Sequence[str] | None = None, *, k: int = 2,
                language: str | None = None) -> pd.DataFrame:
    """Themes per level for a round report (shared by at least ``k`` regions) or a region report.

    Parameters
    ----------
    study
        A loaded study.
    round
        The round id.
    region
        None for the round report: the themes found in at least ``k`` regions of the round.
        A region id for its report: the themes found in that region, with the other regions of
        the round that share them.
    level
        Level(s) of the codebook (``administrative``, ``executive``, ``personal``,
        ``conclusions``) or None for all.
    k
        Minimum number of regions for a shared theme (default 2).

    Returns
    -------
    DataFrame
        Round report: ``level``, ``level_label``, ``code``, ``theme``, ``regions`` (regions where
        found), ``n`` (regions of the round in study.yaml), ``region_names`` and ``sources``.
        Region report: ``level``, ``level_label``, ``code``, ``theme``, ``sources`` (sources of
        the region with the theme), ``n`` (sources coded in the region), ``regions`` (regions of
        the round where found, this one included), ``shared_with`` (the other regions' names)
        and ``shared`` (found in at least ``k`` regions). Ordered by level, then most regions or
        sources first, then codebook order.
    """
    language = _language(study, language)
    names = _region_names(study)
    levels = _level_labels(language)
    config_round = study.config.round(round)
    segments = _segments(study, round)
    # the round's shared themes are the same for every region report of the round: a warm
    # report kernel computes them once (mss_eval.analysis.memo)
    levels_key = level if level is None or isinstance(level, str) else tuple(level)
    themes = memo.remembered(
        memo.key_of(study, "theme_table.shared_themes", round, k, levels_key, region is not None,
                    language),
        lambda: shared_themes(segments, k=k, level=level, all_themes=region is not None,
                              regions={round: list(config_round.regions)},
                              language=language)).copy()
    if region is None:
        out = pd.DataFrame({
            "level": themes["level"],
            "level_label": themes["level"].map(levels).astype("string"),
            "code": themes["code"],
            "theme": themes["label"],
            "regions": themes["regions"],
            "n": themes["n"],
            "region_names": themes["region_ids"].map(
                lambda ids: ", ".join(names.get(i, i) for i in ids.split(", "))).astype("string"),
            "sources": themes["sources"],
        })
        return out.reset_index(drop=True)

    matrix = code_region_matrix(segments[segments["region"] == region], level, language=language)
    matrix = matrix[matrix["sources"] > 0]
    found = themes.set_index("code")
    rows = []
    for rec in matrix.itertuples(index=False):
        ids = found.loc[rec.code, "region_ids"].split(", ") if rec.code in found.index else [region]
        rows.append({"level": rec.level, "level_label": levels[rec.level], "code": rec.code,
                     "theme": rec.label, "sources": rec.sources, "n": rec.n,
                     "regions": len(ids),
                     "shared_with": ", ".join(names.get(i, i) for i in ids if i != region),
                     "shared": len(ids) >= k})
    columns = ["level", "level_label", "code", "theme", "sources", "n", "regions", "shared_with",
               "shared"]
    out = pd.DataFrame(rows, columns=columns)
    if len(out):
        order = {lv: i for i, lv in enumerate(study_codebook().levels)}
        out = out.assign(_level=out["level"].map(order)).sort_values(
            ["_level", "sources"], ascending=[True, False], kind="stable").drop(columns="_level")
    return out.astype({"level": "string", "level_label": "string", "code": "string",
                       "theme": "string", "sources": "Int64", "n": "Int64", "regions": "Int64",
                       "shared_with": "string", "shared": "boolean"}).reset_index(drop=True)


def theme_matrix(study, round: str | None = None, level: str | Sequence[str] | None = None, *,
                 value: str = "sources", all_codes: bool = False, wide: bool = False,
                 min_n: int | None = None, language: str | None = None) -> pd.DataFrame:
    """The code x region matrix: per round, region and theme, the sources that name the theme.

    Parameters
    ----------
    study
        A loaded study.
    round
        A round id; by default every round.
    level
        Level(s) of the codebook or None for all.
    value
        With ``wide``: ``"sources"`` (default: sources with the theme) or ``"segments"``.
    all_codes
        Also the codebook themes no region named (rows of zeros).
    wide
        The report's form (a round must be given): index ``(level_label, theme)``, one Int64
        column per region name of the round (study.yaml order, regions without coded segments
        left out); the base per region is in ``code_region_matrix(...)["n"]``.
    min_n
        The minimum base (sources coded in a region and round); by default the study's.
    language
        Language of the labels; by default the study's.

    Returns
    -------
    DataFrame
        Tidy (default): ``round, region, level, theme, sources, n, share, suppressed``, one row
        per round, region (name from study.yaml) and theme (its label), in study and codebook
        order; ``level`` is the level's label. ``n`` is the number of sources coded in the
        region and round, ``share`` is ``sources / n``; in a row with ``n`` below the minimum
        ``sources`` and ``share`` are missing and ``suppressed`` is true. No excerpt, source id
        or coder.
    """
    from ..disclosure import minimum

    language = _language(study, language)
    names = _region_names(study)
    matrix = code_region_matrix(_segments(study, round), level, language=language,
                                min_n=minimum(study, min_n))
    if not all_codes:
        found = matrix.groupby("code", sort=False)["sources"].transform("sum") > 0
        matrix = matrix[found]
    levels = _level_labels(language)
    if not wide:
        hidden = matrix["suppressed"].to_numpy(dtype=bool)
        out = pd.DataFrame({
            "round": matrix["round"].astype("string"),
            "region": matrix["region"].map(lambda r: names.get(r, r)).astype("string"),
            "level": matrix["level"].map(levels).astype("string"),
            "theme": matrix["label"].astype("string"),
            "sources": matrix["sources"].astype("Int64").mask(hidden),
            "n": matrix["n"].astype("Int64"),
            "share": matrix["share"].astype("Float64").mask(hidden),
            "suppressed": hidden,
        })
        return out.reset_index(drop=True)
    if round is None:
        raise ValueError("theme_matrix(wide=True) needs a round: regions differ between rounds")
    matrix = matrix.assign(level_label=matrix["level"].map(levels),
                           region_name=matrix["region"].map(lambda r: names.get(r, r)))
    table = matrix.pivot_table(index=["level_label", "label"], columns="region_name",
                               values=value, aggfunc="sum", sort=False, observed=True)
    order = [names.get(r, r) for r in study.config.round(round).regions
             if names.get(r, r) in table.columns]
    table = table[order].astype("Int64")
    table.index = table.index.set_names(["level_label", "theme"])
    table.columns.name = None
    return table


def theme_comparison(study, level: str | Sequence[str] | None = None, *, k: int = 2,
                     language: str | None = None) -> pd.DataFrame:
    """Themes across rounds for the final report: in how many regions of each round a theme was
    found.

    Returns
    -------
    DataFrame
        One row per round and theme found in at least one region: ``round``, ``round_label``,
        ``level``, ``level_label``, ``code``, ``theme``, ``regions``, ``n`` (regions of the
        round), ``region_names`` and ``shared`` (``regions >= k``), by round, level and codebook
        order.
    """
    language = _language(study, language)
    names = _region_names(study)
    levels = _level_labels(language)
    regions = {r.id: list(r.regions) for r in study.config.rounds}
    themes = shared_themes(_segments(study), k=k, level=level, regions=regions, all_themes=True,
                           language=language)
    rounds = {r.id: r.label for r in study.config.rounds}
    order = {r: i for i, r in enumerate(rounds)}
    themes = themes.assign(_round=themes["round"].map(order)).sort_values(
        "_round", kind="stable")
    out = pd.DataFrame({
        "round": themes["round"],
        "round_label": themes["round"].map(rounds).astype("string"),
        "level": themes["level"],
        "level_label": themes["level"].map(levels).astype("string"),
        "code": themes["code"],
        "theme": themes["label"],
        "regions": themes["regions"],
        "n": themes["n"],
        "region_names": themes["region_ids"].map(
            lambda ids: ", ".join(names.get(i, i) for i in ids.split(", "))).astype("string"),
        "shared": themes["found"],
    })
    return out.reset_index(drop=True)


def agreement_table(study, round: str | None = None, region: str | None = None,
                    level: str | Sequence[str] | None = None, *, codes: str = "used",
                    language: str | None = None) -> pd.DataFrame:
    """Intercoder agreement for the methods appendix (see
    :func:`mss_eval.qualitative.analysis.intercoder_agreement`), with the judgement in words.

    Returns
    -------
    DataFrame
        ``scope``, ``code``, ``theme``, ``coders``, ``sources``, ``n``, ``alpha``, ``kappa``,
        ``percent_agreement``, ``reliability`` and ``reliability_label`` (in ``language``); empty
        when no source was coded by two coders.
    """
    language = _language(study, language)
    table = intercoder_agreement(_segments(study, round, region), level, codes=codes,
                                 language=language)
    table = table.rename(columns={"label": "theme"})
    table["reliability_label"] = table["reliability"].map(
        lambda r: RELIABILITY_LABELS[r][language] if isinstance(r, str) else pd.NA
    ).astype("string")
    return table
