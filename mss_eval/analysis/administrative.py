"""Administrative level (bestuurlijk niveau): governance profiles and performance agreements.

* :func:`governance_profiles`: the administrative set-up of every region side by side (covenant,
  steering group, case tables, performance agreements, privacy regulation, coordination, funding),
  straight from the ``governance_profile`` instrument, one row per region, round and item.
* :func:`referrals_per_table`: the number of referrals to day activities per case table per year,
  counted in the MSS's monitor register, against the number agreed (e.g. at least 25 per table per
  year in Den Haag's covenant).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..instruments import get_instrument
from ._base import MIN_N, apply_min_n, as_by, as_float, finish

__all__ = ["governance_profiles", "referrals_per_table", "DAY_ACTIVITIES_OUTCOME"]

GOVERNANCE = "governance_profile"
#: The monitor-register outcome that counts towards the performance agreement.
DAY_ACTIVITIES_OUTCOME = "day_activities"
get_instrument("monitor_register").codes("outcome")[DAY_ACTIVITIES_OUTCOME]  # fails if renamed

_WORDS = {"nl": {True: "ja", False: "nee"}, "en": {True: "yes", False: "no"}}


def governance_profiles(governance: pd.DataFrame, *, language: str = "nl") -> pd.DataFrame:
    """Every governance item of every region as display values, for a side-by-side table.

    Yes/no items read "ja"/"nee", coded items their answer label, multiple-choice items (steering
    group members, funding sources) the labels of the options ticked, joined by commas; numbers
    as numbers. A missing answer stays ``NA``. The profile describes organisations, not people:
    ``n`` is 1 (one profile per region and round) and nothing is suppressed.

    Returns
    -------
    DataFrame
        ``round, region, item, label, value, raw, n, suppressed``; ``value`` is the display text
        and ``raw`` the value as data (bool, number, answer key or list of keys as text). Pivot on
        ``region`` for the side-by-side table; items in instrument order.

    Examples
    --------
    >>> df = pd.DataFrame({"round": ["r1", "r1"], "region": ["a", "b"],
    ...                    "covenant": pd.array([True, False], dtype="boolean"),
    ...                    "case_tables": pd.array([5, 1], dtype="Int64")})
    >>> out = governance_profiles(df, language="en")
    >>> out[["region", "item", "value"]]
      region         item value
    0      a     covenant   yes
    1      a  case_tables     5
    2      b     covenant    no
    3      b  case_tables     1
    """
    ins = get_instrument(GOVERNANCE)
    words = _WORDS[language]
    rows = []
    for _, record in governance.reset_index(drop=True).iterrows():
        for item in ins.items:
            columns = ins.columns_of(item.name)
            if not any(c.name in governance for c in columns):
                continue
            if item.type == "multiple_choice":
                flags = [(c.option, record[c.name]) for c in columns if c.name in governance]
                if all(pd.isna(v) for _, v in flags):
                    value = raw = pd.NA
                else:
                    keys = [k for k, v in flags if pd.notna(v) and bool(v)]
                    labels = ins.answer_set(item).by_key()
                    value = ", ".join(labels[k].label(language) for k in keys) or "-"
                    raw = ",".join(keys)
            else:
                v = record[item.name]
                if pd.isna(v):
                    value = raw = pd.NA
                elif item.type == "yes_no":
                    value, raw = words[bool(v)], str(bool(v)).lower()
                elif item.type == "categorical":
                    value, raw = ins.labels(item.name, language)[str(v)], str(v)
                else:
                    value = raw = str(int(v)) if item.type == "integer" else str(v)
            rows.append({"round": record["round"], "region": record["region"], "item": item.name,
                         "label": item.label(language), "value": value, "raw": raw, "n": 1,
                         "suppressed": False})
    result = pd.DataFrame(rows, columns=["round", "region", "item", "label", "value", "raw", "n",
                                         "suppressed"])
    for c in ("round", "region"):
        result[c] = result[c].astype(governance[c].dtype)
    for c in ("item", "label", "value", "raw"):
        result[c] = result[c].astype("string")
    return finish(result)


def referrals_per_table(register: pd.DataFrame, governance: pd.DataFrame, *,
                        by: Sequence[str] = ("round", "region"), min_n: int = MIN_N
                        ) -> pd.DataFrame:
    """Referrals to day activities per case table per calendar year, against the agreement.

    Counts the monitor-register rows of each region with outcome "guided to day activities" per
    calendar year of their ``date``, and divides by the region's number of case tables
    (``governance_profile.case_tables`` of the same round); ``agreed`` is
    ``agreed_referrals_per_table``. ``meets_agreement`` compares the two. A year the register
    covers only in part (first to last registration of the region in that year spans less than
    eleven months) is flagged ``partial_year``: its count is not a year's worth.

    Rests on all register rows of the region-year (``n``, referrals of any outcome, each one a
    referral or contact); the counts and the per-table figure are suppressed when ``n`` is below
    ``min_n``, and the per-table figure is ``NA`` (not suppressed) when the region has no case
    tables.

    Returns
    -------
    DataFrame
        ``*by, year, n, to_day_activities, case_tables, per_table, agreed, meets_agreement,
        first_date, last_date, partial_year, suppressed``.

    Examples
    --------
    >>> reg = pd.DataFrame({"round": "r1", "region": "a",
    ...     "date": pd.to_datetime(["2009-01-05"] + ["2009-12-20"] * 59),
    ...     "outcome": pd.Categorical(["day_activities"] * 50 + ["housing"] * 10)})
    >>> gov = pd.DataFrame({"round": ["r1"], "region": ["a"],
    ...     "case_tables": pd.array([2], dtype="Int64"),
    ...     "agreed_referrals_per_table": pd.array([25], dtype="Int64")})
    >>> referrals_per_table(reg, gov)[["year", "n", "to_day_activities", "per_table",
    ...                                "meets_agreement"]]
       year   n  to_day_activities  per_table  meets_agreement
    0  2009  60                 50       25.0             True
    """
    by = as_by(by)
    data = register[register["date"].notna()]
    data = data.assign(_year=data["date"].dt.year.astype("Int64"),
                       _day=(data["outcome"] == DAY_ACTIVITIES_OUTCOME).fillna(False))
    agg = data.groupby(by + ["_year"], sort=False, observed=True).agg(
        n=("_day", "size"), to_day_activities=("_day", "sum"), first_date=("date", "min"),
        last_date=("date", "max")).reset_index().rename(columns={"_year": "year"})
    gov = governance[["round", "region", "case_tables", "agreed_referrals_per_table"]].rename(
        columns={"agreed_referrals_per_table": "agreed"})
    merge_on = [c for c in ("round", "region") if c in by]
    result = agg.merge(gov, on=merge_on, how="left") if merge_on else agg.assign(
        case_tables=np.nan, agreed=np.nan)
    tables = as_float(result["case_tables"]) if len(result) else np.array([])
    with np.errstate(invalid="ignore", divide="ignore"):
        per_table = np.where(tables > 0, result["to_day_activities"].to_numpy(dtype=float) /
                             np.where(tables > 0, tables, 1), np.nan)
    result["per_table"] = per_table
    agreed = as_float(result["agreed"]) if len(result) else np.array([])
    meets = pd.array(np.where(np.isnan(agreed) | np.isnan(per_table), None,
                              per_table >= agreed), dtype="boolean")
    result["meets_agreement"] = meets
    span = (result["last_date"] - result["first_date"]).dt.days
    result["partial_year"] = (span < 334).to_numpy()  # about eleven months
    result = result[by + ["year", "n", "to_day_activities", "case_tables", "per_table", "agreed",
                          "meets_agreement", "first_date", "last_date", "partial_year"]]
    result = finish(result, ints=("n", "to_day_activities", "case_tables", "agreed", "year"),
                    floats=("per_table",))
    no_tables = ~(tables > 0)
    result = apply_min_n(result, ["to_day_activities", "per_table", "meets_agreement"],
                         min_n=min_n)
    result.loc[no_tables, "per_table"] = pd.NA
    result["meets_agreement"] = pd.array(result["meets_agreement"], dtype="boolean")
    result.loc[no_tables, "meets_agreement"] = pd.NA
    return result
