"""Small tidy frames for the analysis tests, with the dtypes of docs/tidy-data.md.

``tidy("client_interview", [{"mss_rating": 8, "gender": "woman"}, ...], region="a")`` gives a
frame with ``round`` and ``region`` first and every column of the instrument, typed from the
instrument definition: categoricals of answer keys (ordered where the answer set is), ``boolean``
for yes/no and multiple-choice options, ``Int64``, ``Float64``, ``string`` and ``datetime64``.
Columns not given are missing (``NA``), as a blank cell would be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from mss_eval.instruments import get_instrument
from mss_eval.study import Settings, StudyConfig


def dtype_of(instrument_id: str, column: str):
    col = get_instrument(instrument_id).column(column)
    if col.type in ("categorical",):
        return pd.CategoricalDtype(categories=col.answers.keys(), ordered=col.answers.ordered)
    return {"identifier": "string", "text": "string", "integer": "Int64", "number": "Float64",
            "yes_no": "boolean", "date": "datetime64[us]"}[col.type]


def tidy(instrument_id: str, rows: list[dict] | None = None, *, round: str | list = "r1",
         region: str | list = "a", **columns) -> pd.DataFrame:
    """A tidy frame of ``instrument_id`` from records and/or whole columns.

    ``rows`` are dicts of column -> value (``None`` for missing; a row may set its own
    ``round``/``region``); keyword ``columns`` give whole columns as lists instead, and
    ``round``/``region`` may be a list too (one value per row).
    """
    ins = get_instrument(instrument_id)
    if isinstance(round, (list, tuple)):
        columns["round"], round = list(round), "r1"
    if isinstance(region, (list, tuple)):
        columns["region"], region = list(region), "a"
    rows = list(rows or [])
    n = len(rows) if rows else (len(next(iter(columns.values()))) if columns else 0)
    lengths = {len(v) for v in columns.values()}
    assert len(lengths) <= 1 and (not rows or lengths <= {len(rows)}), "columns differ in length"
    data: dict[str, list] = {"round": [], "region": []}
    for i in range(n):
        row = rows[i] if rows else {}
        data["round"].append(row.get("round", round))
        data["region"].append(row.get("region", region))
    for c in columns:
        if c not in ("round", "region"):
            ins.column(c)  # a typo in a test is an error, not a silent NA column
    for row in rows:
        for c in row:
            if c not in ("round", "region"):
                ins.column(c)
    if "round" in columns:
        data["round"] = list(columns["round"])
    if "region" in columns:
        data["region"] = list(columns["region"])
    frame = pd.DataFrame({"round": pd.array(data["round"], dtype="string"),
                          "region": pd.array(data["region"], dtype="string")})
    for col in ins.columns:
        if col.name in columns:
            values = list(columns[col.name])
        else:
            values = [r.get(col.name) for r in rows] if rows else [None] * n
        dtype = dtype_of(instrument_id, col.name)
        values = [pd.NA if v is None else v for v in values]
        if str(dtype).startswith("datetime"):
            frame[col.name] = pd.Series(pd.to_datetime(pd.Series(values, dtype=object)),
                                        dtype=dtype).to_numpy()
        elif isinstance(dtype, pd.CategoricalDtype):
            frame[col.name] = pd.Categorical([None if v is pd.NA else v for v in values],
                                             dtype=dtype)
        else:
            frame[col.name] = pd.array(values, dtype=dtype)
    return frame


def stack(*frames: pd.DataFrame) -> pd.DataFrame:
    """Frames of one instrument one under the other, dtypes kept."""
    out = pd.concat(frames, ignore_index=True)
    for c in frames[0].columns:
        if out[c].dtype != frames[0][c].dtype:
            out[c] = out[c].astype(frames[0][c].dtype)
    return out


def empty_tables() -> dict[str, pd.DataFrame]:
    """An empty tidy frame for every instrument."""
    from mss_eval.instruments import instruments

    return {i: tidy(i, []) for i in instruments()}


def config(rounds: dict[str, list[str]], *, target: dict[str, int] | None = None,
           approached: dict[str, dict[str, dict[str, int]]] | None = None,
           min_respondents: int = 5, language: str = "nl") -> StudyConfig:
    """A StudyConfig with the given rounds -> regions."""
    regions = list(dict.fromkeys(r for regs in rounds.values() for r in regs))
    return StudyConfig.model_validate({
        "name": "Teststudie",
        "synthetic": True,
        "rounds": [{"id": r, "label": r, "regions": regs,
                    "approached": (approached or {}).get(r, {})} for r, regs in rounds.items()],
        "regions": [{"id": g, "name": g.title(),
                     "target_population": (target or {}).get(g)} for g in regions],
        "settings": {"min_respondents": min_respondents, "language": language},
    })


@dataclass
class StandInStudy:
    """What ``key_figures`` needs of a loaded study: config, settings, tables."""

    config: StudyConfig
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.tables[key]


def wilson_by_formula(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval written out (a second route to statsmodels' implementation)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half
