"""Analysing coded interviews: themes per level and region, source kinds, co-occurrence, agreement.

Every function takes the tidy ``coded_segments`` frame of :func:`mss_eval.load_study` (columns
``round``, ``region``, ``segment_id``, ``source_id``, ``source_kind``, ``code``, ``coder``,
``start``, ``end``, ``excerpt``) and returns a tidy frame: one row per result, named columns and
``n``, the base of the result. The ``excerpt`` column is dropped first thing: no result of this
module carries interview text (approved quotes come from :mod:`.quotes` only).

Counting rules
--------------
* A *source* is one interview, meeting report or document: ``(round, region, source_id)``.
* ``segments`` counts coded segments; when a source was coded by two coders (to check agreement)
  both coders' segments count. ``sources`` counts distinct sources where the code was applied by
  any coder, so double coding never counts a source twice. Theme tables use ``sources``.
* A theme is *found* in a region when at least one source of that region and round has the code.
* Rows without a code (blank cells) are left out; codes not in the study codebook cannot occur
  (the loader refuses them).

Intercoder agreement
--------------------
The unit of analysis is the presence or absence of a code in a source, per coder: for every
source coded by two or more coders and every code, each of those coders either applied the code
somewhere in the source (1) or did not (0). A coder who coded nothing in a source did not code
that source (missing, not 0). Segment boundaries are not compared: coders rarely select exactly
the same characters, and the reports count themes per source. From these units come
Krippendorff's alpha (nominal, the ``krippendorff`` package; it handles any number of coders and
missing values), Cohen's kappa when exactly two coders coded the sources, and the percentage of
agreeing coder pairs. Thresholds (Krippendorff 2004, section 11.4): alpha >= 0.800 reliable,
0.667 <= alpha < 0.800 tentative conclusions only, below 0.667 unreliable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..analysis._base import MIN_N
from ..instruments import Codebook, codebook as study_codebook

#: Krippendorff's thresholds for alpha: at least this is reliable ...
ALPHA_RELIABLE = 0.800
#: ... and at least this allows tentative conclusions.
ALPHA_TENTATIVE = 0.667

RELIABILITY_LABELS = {
    "reliable": {"nl": "betrouwbaar", "en": "reliable"},
    "tentative": {"nl": "voorlopig", "en": "tentative"},
    "unreliable": {"nl": "onvoldoende", "en": "unreliable"},
    "undefined": {"nl": "niet te bepalen", "en": "undefined"},
}

_SOURCE = ["round", "region", "source_id"]


# -- preparation ------------------------------------------------------------------------------
def without_excerpts(segments: pd.DataFrame) -> pd.DataFrame:
    """The coded segments without the private ``excerpt`` column (every other column kept)."""
    return segments.drop(columns=["excerpt"], errors="ignore")


def code_table(book: Codebook | None = None, language: str = "nl") -> pd.DataFrame:
    """The study codebook as a frame: ``level``, ``level_label``, ``code``, ``label``, ``order``."""
    book = book or study_codebook()
    rows = []
    for level, lv in book.levels.items():
        for code in lv.codes:
            rows.append({"level": level, "level_label": lv.label(language),
                         "code": f"{level}/{code.key}", "label": code.label(language)})
    out = pd.DataFrame(rows).astype("string")
    out["order"] = np.arange(len(out))
    return out


def _levels(level: str | Sequence[str] | None, book: Codebook) -> list[str]:
    if level is None:
        return list(book.levels)
    wanted = [level] if isinstance(level, str) else list(level)
    unknown = [lv for lv in wanted if lv not in book.levels]
    if unknown:
        raise ValueError(f"unknown level(s) {unknown}; the codebook has {list(book.levels)}")
    return wanted


def _prepare(segments: pd.DataFrame, level, book: Codebook) -> pd.DataFrame:
    """Segments without excerpts and blank codes, with a ``level`` column, limited to levels."""
    data = without_excerpts(segments)
    data = data[data["code"].notna()].copy()
    data["code"] = data["code"].astype("string")
    data["level"] = data["code"].str.split("/").str[0]
    # one key per source: a source id is unique only within its region and round
    data["source_key"] = (data["round"].astype("string") + "\x1f" + data["region"].astype("string")
                          + "\x1f" + data["source_id"].astype("string"))
    return data[data["level"].isin(_levels(level, book))]


def _order(values: pd.Series) -> list:
    """Distinct values in order of first appearance (the study order of rounds and regions)."""
    return list(dict.fromkeys(values.dropna().tolist()))


# -- themes per region ------------------------------------------------------------------------
def code_region_matrix(segments: pd.DataFrame, level: str | Sequence[str] | None = None, *,
                       book: Codebook | None = None, language: str = "nl",
                       min_n: int = MIN_N) -> pd.DataFrame:
    """Segments and sources per code, region and round (the code x region matrix, long form).

    Parameters
    ----------
    segments
        Tidy ``coded_segments``.
    level
        A codebook level (``administrative``, ``executive``, ``personal``, ``conclusions``), a
        list of levels, or None for all.
    book, language
        The codebook and the language of the labels.
    min_n
        The minimum base: ``suppressed`` flags the rows of a region and round with fewer coded
        sources.

    Returns
    -------
    DataFrame
        One row per round, region (those with coded segments) and codebook code of the chosen
        levels, in study and codebook order: ``round``, ``region``, ``level``, ``code``,
        ``label``, ``segments``, ``sources`` (distinct sources with the code), ``n`` (sources
        coded in that region and round, at any level), ``share`` (``sources / n``) and
        ``suppressed`` (``n < min_n``). Codes not found have 0. The counts of a flagged row are
        kept (the shared themes count them); a table for readers blanks them
        (:func:`mss_eval.qualitative.tables.theme_matrix` does).

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"round": ["r1"] * 3, "region": ["a", "a", "b"],
    ...                     "source_id": ["s1", "s2", "s3"], "coder": "x",
    ...                     "code": ["executive/shorter_lines"] * 2 + ["executive/scale"]})
    >>> m = code_region_matrix(seg, "executive")
    >>> m.loc[m["code"] == "executive/shorter_lines", ["region", "sources", "n"]].values.tolist()
    [['a', 2, 2], ['b', 0, 1]]
    """
    book = book or study_codebook()
    all_levels = _prepare(segments, None, book)
    data = all_levels[all_levels["level"].isin(_levels(level, book))]
    codes = code_table(book, language)
    codes = codes[codes["level"].isin(_levels(level, book))]
    places = all_levels[["round", "region"]].drop_duplicates()
    base = (all_levels.drop_duplicates(_SOURCE).groupby(["round", "region"], sort=False)
            .size().rename("n").reset_index())
    counts = (data.groupby(["round", "region", "code"], sort=False)
              .agg(segments=("code", "size"), sources=("source_key", "nunique")).reset_index())
    grid = places.merge(codes[["level", "code", "label", "order"]], how="cross")
    out = grid.merge(counts, on=["round", "region", "code"], how="left").merge(
        base, on=["round", "region"], how="left")
    out[["segments", "sources"]] = out[["segments", "sources"]].fillna(0)
    out = out.astype({"segments": "Int64", "sources": "Int64", "n": "Int64"})
    out["share"] = (out["sources"] / out["n"]).astype("Float64")
    out["_place"] = out.set_index(["round", "region"]).index.map(
        {p: i for i, p in enumerate(places.itertuples(index=False, name=None))})
    out = out.sort_values(["_place", "order"], kind="stable").drop(columns=["_place", "order"])
    out["suppressed"] = (out["n"].fillna(0) < min_n).to_numpy(dtype=bool)
    return out[["round", "region", "level", "code", "label", "segments", "sources", "n",
                "share", "suppressed"]].reset_index(drop=True)


def shared_themes(segments: pd.DataFrame, k: int = 2, level: str | Sequence[str] | None = None, *,
                  regions: dict[str, Sequence[str]] | None = None, all_themes: bool = False,
                  book: Codebook | None = None, language: str = "nl") -> pd.DataFrame:
    """Themes found in at least ``k`` regions of a round, per level.

    The interim report's rule: a theme counts when two or three of the three regions of the
    round name it.

    Parameters
    ----------
    segments
        Tidy ``coded_segments``.
    k
        Minimum number of regions (default 2).
    level
        Level(s) of the codebook, or None for all.
    regions
        Round -> the regions of that round (``study.yaml``); gives ``n``. Without it ``n`` is the
        number of regions of the round with coded segments.
    all_themes
        Return every code found in at least one region, with ``found`` telling which reach ``k``.

    Returns
    -------
    DataFrame
        ``round``, ``level``, ``code``, ``label``, ``regions`` (number of regions where found),
        ``n`` (regions in the round), ``region_ids`` (comma-separated, study order), ``sources``
        (sources with the code in the round), ``found`` (``regions >= k``); ordered by round,
        level, regions (most first) and codebook order.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"round": ["r1"] * 3, "region": ["a", "b", "c"],
    ...                     "source_id": ["s1", "s2", "s3"], "coder": "x",
    ...                     "code": ["executive/scale", "executive/scale", "personal/stigma"]})
    >>> shared_themes(seg.assign(code=seg["code"].replace("personal/stigma",
    ...               "conclusions/stigma")))[["code", "regions", "n", "region_ids"]].values.tolist()
    [['executive/scale', 2, 3, 'a, b']]
    """
    book = book or study_codebook()
    matrix = code_region_matrix(segments, level, book=book, language=language)
    matrix = matrix[matrix["sources"] > 0]
    region_order = {r: i for i, r in enumerate(_order(segments["region"]))}
    rows = []
    for (round_id, code), grp in matrix.groupby(["round", "code"], sort=False):
        ids = sorted(grp["region"].tolist(), key=lambda r: region_order.get(r, len(region_order)))
        if regions is not None and round_id in regions:
            n = len(regions[round_id])
        else:
            n = int(segments.loc[segments["round"] == round_id, "region"].nunique())
        rows.append({"round": round_id, "level": grp["level"].iloc[0], "code": code,
                     "label": grp["label"].iloc[0], "regions": len(ids), "n": n,
                     "region_ids": ", ".join(ids), "sources": int(grp["sources"].sum())})
    columns = ["round", "level", "code", "label", "regions", "n", "region_ids", "sources", "found"]
    if not rows:
        return _typed(pd.DataFrame(columns=columns), found="boolean")
    out = pd.DataFrame(rows)
    out["found"] = out["regions"] >= k
    if not all_themes:
        out = out[out["found"]]
    codes = code_table(book, language).set_index("code")
    out["_order"] = out["code"].map(codes["order"])
    out["_level"] = out["level"].map({lv: i for i, lv in enumerate(book.levels)})
    out["_round"] = out["round"].map({r: i for i, r in enumerate(_order(segments["round"]))})
    out = out.sort_values(["_round", "_level", "regions", "_order"],
                          ascending=[True, True, False, True], kind="stable")
    return _typed(out[columns].reset_index(drop=True), found="boolean")


def _typed(frame: pd.DataFrame, **extra: str) -> pd.DataFrame:
    types = {"round": "string", "region": "string", "level": "string", "code": "string",
             "label": "string", "region_ids": "string", "regions": "Int64", "n": "Int64",
             "sources": "Int64", "segments": "Int64", **extra}
    return frame.astype({c: t for c, t in types.items() if c in frame.columns})


# -- source kinds and co-occurrence -----------------------------------------------------------
def code_frequencies_by_source_kind(segments: pd.DataFrame,
                                   level: str | Sequence[str] | None = None, *,
                                   by: Sequence[str] = ("round",), book: Codebook | None = None,
                                   language: str = "nl") -> pd.DataFrame:
    """Segments and sources per code and source kind (general, partner and client interviews,
    feedback meetings, documents).

    Parameters
    ----------
    by
        Grouping columns besides the source kind (default per round; ``("round", "region")`` per
        region, ``()`` over everything given).

    Returns
    -------
    DataFrame
        One row per group, source kind present in the group and codebook code of the chosen
        levels: ``*by``, ``source_kind``, ``level``, ``code``, ``label``, ``segments``,
        ``sources`` and ``n`` (sources of that kind in the group, coded at any level).
    """
    book = book or study_codebook()
    by = list(by)
    all_levels = _prepare(segments, None, book)
    data = all_levels[all_levels["level"].isin(_levels(level, book))]
    codes = code_table(book, language)
    codes = codes[codes["level"].isin(_levels(level, book))]
    keys = [*by, "source_kind"]
    base = (all_levels.drop_duplicates(_SOURCE).groupby(keys, sort=False, observed=True)
            .size().rename("n").reset_index())
    counts = (data.groupby([*keys, "code"], sort=False, observed=True)
              .agg(segments=("code", "size"), sources=("source_key", "nunique"))
              .reset_index())
    grid = base[keys].merge(codes[["level", "code", "label", "order"]], how="cross")
    out = grid.merge(counts, on=[*keys, "code"], how="left").merge(base, on=keys, how="left")
    out[["segments", "sources"]] = out[["segments", "sources"]].fillna(0)
    if "source_kind" in segments and isinstance(segments["source_kind"].dtype, pd.CategoricalDtype):
        out["source_kind"] = out["source_kind"].astype(segments["source_kind"].dtype)
        out = out.sort_values([*by, "source_kind", "order"], kind="stable") if by else \
            out.sort_values(["source_kind", "order"], kind="stable")
    out = _typed(out.drop(columns="order"))
    return out[[*keys, "level", "code", "label", "segments", "sources", "n"]].reset_index(drop=True)


def code_cooccurrence(segments: pd.DataFrame, level: str | Sequence[str] | None = None, *,
                      by: Sequence[str] = ("round",), book: Codebook | None = None,
                      language: str = "nl") -> pd.DataFrame:
    """How often two codes occur in the same source.

    Returns
    -------
    DataFrame
        One row per group and pair of codes that share at least one source (``code_a`` before
        ``code_b`` in codebook order): ``*by``, ``code_a``, ``code_b``, ``label_a``, ``label_b``,
        ``sources`` (sources with both codes), ``sources_a``, ``sources_b``, ``jaccard``
        (``sources / (sources_a + sources_b - sources)``) and ``n`` (sources in the group).
    """
    book = book or study_codebook()
    by = list(by)
    data = _prepare(segments, level, book)
    codes = code_table(book, language).set_index("code")
    columns = [*by, "code_a", "code_b", "label_a", "label_b", "sources", "sources_a",
               "sources_b", "jaccard", "n"]
    rows = []
    groups = data.groupby(by, sort=False) if by else [((), data)]
    for key, grp in groups:
        key = key if isinstance(key, tuple) else (key,)
        presence = (grp.assign(present=1).drop_duplicates([*_SOURCE, "code"])
                    .pivot_table(index=_SOURCE, columns="code", values="present", fill_value=0,
                                 aggfunc="max", observed=True))
        ordered = sorted(presence.columns, key=lambda c: codes.loc[c, "order"])
        x = presence[ordered].to_numpy(dtype=np.int64)
        both = x.T @ x
        n = len(presence)
        for i, a in enumerate(ordered):
            for j in range(i + 1, len(ordered)):
                if both[i, j] == 0:
                    continue
                b = ordered[j]
                rows.append({**dict(zip(by, key)), "code_a": a, "code_b": b,
                             "label_a": codes.loc[a, "label"], "label_b": codes.loc[b, "label"],
                             "sources": int(both[i, j]), "sources_a": int(both[i, i]),
                             "sources_b": int(both[j, j]),
                             "jaccard": both[i, j] / (both[i, i] + both[j, j] - both[i, j]),
                             "n": n})
    out = pd.DataFrame(rows, columns=columns)
    out = out.astype({c: "string" for c in [*by, "code_a", "code_b", "label_a", "label_b"]}
                     | {"sources": "Int64", "sources_a": "Int64", "sources_b": "Int64",
                        "jaccard": "Float64", "n": "Int64"})
    return out


# -- intercoder agreement ---------------------------------------------------------------------
def coder_units(segments: pd.DataFrame, level: str | Sequence[str] | None = None, *,
                codes: str | Sequence[str] = "used", book: Codebook | None = None) -> pd.DataFrame:
    """The units of intercoder agreement: presence (1) or absence (0) of each code in each
    source, per coder, for the sources coded by two or more coders.

    Parameters
    ----------
    codes
        ``"used"`` (default): the codes of the chosen levels that at least one coder applied in a
        double-coded source; ``"codebook"``: every code of the chosen levels (codes nobody used
        add units on which all coders agree, which raises percentage agreement); or a list of
        code paths.

    Returns
    -------
    DataFrame
        ``round``, ``region``, ``source_id``, ``code``, ``coder``, ``present`` (Int64 0/1), one
        row per coder who coded the source (a coder who coded nothing in a source has no row).
    """
    book = book or study_codebook()
    all_levels = _prepare(segments, None, book)
    coders = all_levels[[*_SOURCE, "coder"]].dropna().drop_duplicates()
    per_source = coders.groupby(_SOURCE, sort=False)["coder"].transform("size")
    coders = coders[per_source >= 2]
    data = all_levels[all_levels["level"].isin(_levels(level, book))]
    data = data.merge(coders, on=[*_SOURCE, "coder"], how="inner")
    if isinstance(codes, str) and codes == "used":
        universe = [c for c in code_table(book)["code"] if c in set(data["code"])]
    elif isinstance(codes, str) and codes == "codebook":
        universe = [c for c in code_table(book)["code"] if c.split("/")[0] in _levels(level, book)]
    else:
        universe = list(codes)
    grid = coders.merge(pd.DataFrame({"code": pd.array(universe, dtype="string")}), how="cross")
    applied = data[[*_SOURCE, "coder", "code"]].drop_duplicates().assign(present=1)
    out = grid.merge(applied, on=[*_SOURCE, "coder", "code"], how="left")
    out["present"] = out["present"].fillna(0).astype("Int64")
    return out[[*_SOURCE, "code", "coder", "present"]].reset_index(drop=True)


def _reliability_matrix(units: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Coders x units (source, code) with 1/0 and NaN where a coder did not code the source."""
    wide = units.pivot_table(index="coder", columns=[*_SOURCE, "code"], values="present",
                             aggfunc="max", observed=True)
    return wide.to_numpy(dtype=float, na_value=np.nan), list(wide.index)


def krippendorff_alpha(matrix: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of a coders x units matrix with NaN for missing values;
    NaN when it is undefined (no unit with two values, or every value the same)."""
    import krippendorff

    pairable = np.sum(~np.isnan(matrix), axis=0) >= 2
    values = matrix[:, pairable]
    if values.size == 0 or len(np.unique(values[~np.isnan(values)])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=values, level_of_measurement="nominal",
                                    value_domain=[0.0, 1.0]))


def cohen_kappa(matrix: np.ndarray) -> float:
    """Cohen's kappa of a 2 x units matrix of 0/1 values, on the units both coders coded.

    ``kappa = (p_o - p_e) / (1 - p_e)`` from the 2 x 2 confusion table: ``p_o`` the share of
    units with the same value, ``p_e`` the agreement expected from each coder's own shares of 1
    and 0. NaN when no unit has both values or ``p_e = 1`` (both coders gave one and the same
    value throughout). Computed from the table directly; statsmodels' ``cohens_kappa`` gives
    the same value (the tests check) but warns on its standard error in that edge case.
    """
    both = ~np.isnan(matrix).any(axis=0)
    a, b = matrix[0, both], matrix[1, both]
    if len(a) == 0:
        return float("nan")
    table = np.array([[np.sum((a == i) & (b == j)) for j in (0, 1)] for i in (0, 1)], dtype=float)
    total = table.sum()
    observed = np.trace(table) / total
    expected = float(table.sum(axis=1) @ table.sum(axis=0)) / total**2
    if np.isclose(expected, 1.0):
        return float("nan")
    return float((observed - expected) / (1 - expected))


def percent_agreement(matrix: np.ndarray) -> float:
    """Share of agreeing coder pairs over all pairable values (for two coders: the share of units
    where both gave the same value); NaN without pairable units."""
    agree = pairs = 0.0
    for column in matrix.T:
        values = column[~np.isnan(column)]
        m = len(values)
        if m < 2:
            continue
        counts = np.unique(values, return_counts=True)[1]
        agree += float(np.sum(counts * (counts - 1)))
        pairs += m * (m - 1)
    return agree / pairs if pairs else float("nan")


def reliability(alpha: float) -> str:
    """``reliable`` (alpha >= 0.800), ``tentative`` (>= 0.667), ``unreliable`` or ``undefined``."""
    if alpha is None or np.isnan(alpha):
        return "undefined"
    if alpha >= ALPHA_RELIABLE:
        return "reliable"
    if alpha >= ALPHA_TENTATIVE:
        return "tentative"
    return "unreliable"


def intercoder_agreement(segments: pd.DataFrame, level: str | Sequence[str] | None = None, *,
                         codes: str | Sequence[str] = "used", by: Sequence[str] = (),
                         book: Codebook | None = None, language: str = "nl") -> pd.DataFrame:
    """Intercoder agreement on the sources coded by two or more coders, overall and per code.

    The unit is the presence or absence of a code in a source, per coder (see the module
    docstring and :func:`coder_units`).

    Parameters
    ----------
    segments
        Tidy ``coded_segments``.
    level
        Level(s) of the codebook, or None for all.
    codes
        Which codes make the units: ``"used"``, ``"codebook"`` or a list (see :func:`coder_units`).
    by
        Grouping columns (e.g. ``("round",)``); default all given segments together.

    Returns
    -------
    DataFrame
        Per group, first the overall row (``scope="overall"``, ``code`` NA) then one row per code
        (``scope="code"``) in codebook order: ``*by``, ``scope``, ``code``, ``label``, ``coders``,
        ``sources``, ``n`` (pairable units: source x code with two or more coders),
        ``alpha`` (Krippendorff, nominal), ``kappa`` (Cohen; only with exactly two coders),
        ``percent_agreement`` and ``reliability`` (``reliable`` / ``tentative`` / ``unreliable``
        / ``undefined`` by alpha against 0.800 and 0.667). Empty when no source has two coders.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"round": "r1", "region": "a", "coder": ["x", "y", "x", "y"],
    ...                     "source_id": ["s1", "s1", "s2", "s2"],
    ...                     "code": ["personal/independence", "personal/independence",
    ...                              "personal/independence", "personal/low_threshold"]})
    >>> agreement = intercoder_agreement(seg)
    >>> agreement[["scope", "code", "n", "percent_agreement"]].values.tolist()
    [['overall', <NA>, 4, 0.5], ['code', 'personal/independence', 2, 0.5], ['code', 'personal/low_threshold', 2, 0.5]]
    """
    book = book or study_codebook()
    by = list(by)
    labels = code_table(book, language).set_index("code")
    units = coder_units(segments, level, codes=codes, book=book)
    columns = [*by, "scope", "code", "label", "coders", "sources", "n", "alpha", "kappa",
               "percent_agreement", "reliability"]
    rows = []
    groups = units.groupby(by, sort=False) if by else ([((), units)] if len(units) else [])
    for key, grp in groups:
        key = key if isinstance(key, tuple) else (key,)
        coder_names = sorted(grp["coder"].unique())
        parts = [("overall", pd.NA, grp)] + [
            ("code", c, grp[grp["code"] == c])
            for c in sorted(grp["code"].unique(), key=lambda c: labels.loc[c, "order"])]
        for scope, code, part in parts:
            matrix, names = _reliability_matrix(part)
            pairable = int(np.sum(np.sum(~np.isnan(matrix), axis=0) >= 2))
            alpha = krippendorff_alpha(matrix)
            kappa = cohen_kappa(matrix) if len(coder_names) == 2 and len(names) == 2 \
                else float("nan")
            rows.append({**dict(zip(by, key)), "scope": scope, "code": code,
                         "label": pd.NA if code is pd.NA else labels.loc[code, "label"],
                         "coders": len(names),
                         "sources": part[_SOURCE].drop_duplicates().shape[0],
                         "n": pairable, "alpha": alpha, "kappa": kappa,
                         "percent_agreement": percent_agreement(matrix),
                         "reliability": reliability(alpha)})
    out = pd.DataFrame(rows, columns=columns)
    out = out.astype({c: "string" for c in [*by, "scope", "code", "label", "reliability"]}
                     | {"coders": "Int64", "sources": "Int64", "n": "Int64", "alpha": "Float64",
                        "kappa": "Float64", "percent_agreement": "Float64"})
    return out
