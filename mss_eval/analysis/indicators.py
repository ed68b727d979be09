"""Monitor indicators (the guide's recommendations for monitoring an MSS).

* Reach: unique clients in the MSS's own register against the estimated target population of the
  region (per 1,000), and unique people per week.
* Referrals by referring organisation group, referrer, life domain and outcome.
* Duration of contact: months between a client's first and last registration.
* Supply against demand: per life domain, the clients who need support (client interviews) against
  the services on the social map, by participation-wheel goal area; domains with need and no
  service are the "white spots".

The register counts contacts and referrals, not answers of respondents; statistics on fewer than
``min_n`` clients are still suppressed. The social map describes services, not people: its counts
are never suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..instruments import get_instrument
from ..study import StudyConfig
from ._base import (
    with_columns,
    BY_REGION,
    MIN_N,
    apply_min_n,
    as_by,
    as_float,
    describe_numeric,
    distribution,
    finish,
    group_codes,
    wilson_interval,
)

__all__ = ["reach", "referrals_by", "contact_duration", "supply_by_wheel_goal", "white_spots",
           "REFERRAL_BREAKDOWNS"]

REGISTER = "monitor_register"
#: The register's columns a referral breakdown can use.
REFERRAL_BREAKDOWNS = ("referrer_group", "referrer", "life_domain", "outcome")
for _c in REFERRAL_BREAKDOWNS:
    get_instrument(REGISTER).column(_c)
_DOMAINS = get_instrument("social_map").answer_sets["life_domain"].answers
_GOALS = get_instrument("social_map").answer_sets["wheel_goal"].answers
#: Days in an average month (for durations in months).
DAYS_PER_MONTH = 365.25 / 12


def _target_sizes(target_population: Mapping[str, int | None] | StudyConfig) -> dict:
    if isinstance(target_population, StudyConfig):
        return {r.id: r.target_population for r in target_population.regions}
    return dict(target_population)


def reach(register: pd.DataFrame, target_population: Mapping[str, int | None] | StudyConfig, *,
          by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N, per: int = 1000,
          confidence: float = 0.95) -> pd.DataFrame:
    """Unique clients reached, per ``per`` (1,000) of the region's estimated target population.

    Unique clients are distinct pseudonyms (``client_id``) in the monitor register of the group;
    pooled groups (e.g. ``by=("round",)``) add up the target populations of their regions (unknown
    when any of them is). The interval is Wilson's for the proportion reached, times ``per``.
    ``per_week`` is unique clients over the weeks from the first to the last registration (``NA``
    when they fall on one day).

    Rests on every register row of the group; ``n`` is the number of unique clients, below
    ``min_n`` the figures are suppressed.

    Parameters
    ----------
    register : DataFrame
        Tidy ``monitor_register`` data.
    target_population : mapping or StudyConfig
        Region id -> estimated target population (``regions[].target_population`` of study.yaml).

    Returns
    -------
    DataFrame
        ``*by, n, referrals, target_population, per_1000, ci_low, ci_high, weeks, per_week,
        suppressed`` (``per_1000`` is named after ``per``: ``per_<per>``).

    Examples
    --------
    >>> reg = pd.DataFrame({"round": "r1", "region": "a",
    ...     "client_id": ["p1", "p1", "p2", "p3", "p4", "p5"],
    ...     "date": pd.to_datetime(["2010-01-01"] * 5 + ["2010-01-15"])})
    >>> reach(reg, {"a": 2500})[["n", "referrals", "per_1000", "weeks", "per_week"]]
       n  referrals  per_1000  weeks  per_week
    0  5          6       2.0    2.0       2.5
    """
    by = as_by(by)
    sizes = _target_sizes(target_population)
    codes, keys = group_codes(register, by)
    g = len(keys)
    ok = codes >= 0
    frame = pd.DataFrame({"_g": codes[ok], "client": register["client_id"].to_numpy()[ok],
                          "region": register["region"].astype(str).to_numpy()[ok],
                          "date": register["date"].to_numpy()[ok]})
    grouped = frame.groupby("_g")
    n = grouped["client"].nunique().reindex(range(g), fill_value=0).to_numpy(dtype=float)
    referrals = grouped.size().reindex(range(g), fill_value=0).to_numpy(dtype=float)
    first = grouped["date"].min().reindex(range(g))
    last = grouped["date"].max().reindex(range(g))
    weeks = (last - first).dt.days.to_numpy(dtype=float) / 7
    target = []
    regions_of = grouped["region"].unique()
    for grp in range(g):
        values = [sizes.get(r) for r in (list(regions_of[grp]) if grp in regions_of else [])]
        target.append(float(sum(values)) if values and all(v for v in values) else np.nan)
    target = np.array(target, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(target > 0, n / np.where(target > 0, target, 1) * per, np.nan)
        per_week = np.where(weeks > 0, n / weeks, np.nan)
    low, high = wilson_interval(n, np.where(target > 0, target, 0), confidence)
    name = f"per_{per}"
    result = with_columns(keys, n=n, referrals=referrals, target_population=target, **{name: rate},
                         ci_low=low * per, ci_high=high * per, weeks=weeks, per_week=per_week)
    result = finish(result, ints=("n", "referrals", "target_population"),
                    floats=(name, "ci_low", "ci_high", "weeks", "per_week"))
    return apply_min_n(result, [name, "ci_low", "ci_high", "per_week"], min_n=min_n)


def referrals_by(register: pd.DataFrame, column: str = "referrer_group", *,
                 by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                 confidence: float = 0.95, language: str = "nl") -> pd.DataFrame:
    """Referrals by referring organisation group, referrer, life domain or outcome.

    Distribution of ``column`` (one of :data:`REFERRAL_BREAKDOWNS`) over the register rows of each
    group where it is recorded; every answer gets a row, zeros included.
    See :func:`mss_eval.analysis._base.distribution` for the columns.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "life_domain": pd.Categorical(
    ...     ["work", "work", "housing", "work", "day_activities"],
    ...     categories=["housing", "work", "day_activities"])})
    >>> referrals_by(df, "life_domain")[["answer", "count", "share"]]
               answer  count  share
    0         housing      1    0.2
    1            work      3    0.6
    2  day_activities      1    0.2
    """
    if column not in REFERRAL_BREAKDOWNS:
        raise ValueError(f"column must be one of {', '.join(REFERRAL_BREAKDOWNS)}")
    return distribution(register, column, by=by, min_n=min_n, confidence=confidence,
                        instrument=REGISTER, language=language)


def contact_duration(register: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                     min_n: int = MIN_N, confidence: float = 0.95) -> pd.DataFrame:
    """Duration of contact: months from a client's first to last registration in the register.

    One value per unique client: a client is one pseudonym (``client_id``) within each group of
    ``by``, so in a region report a client of that round and region, and in a pooled scope (a
    round, or the whole study with ``by=()``) one client however many regions or rounds registered
    them, measured from the first registration to the last across all of them. A client
    registered once has duration 0. ``n`` is the number of unique clients of the group with at
    least one dated registration.

    Returns
    -------
    DataFrame
        ``*by, variable, n, mean, sd, median, min, max, ci_low, ci_high, suppressed`` in months
        (``variable`` is ``duration_months``).

    Examples
    --------
    >>> reg = pd.DataFrame({"round": "r1", "region": "a",
    ...     "client_id": ["p1", "p1", "p2"],
    ...     "date": pd.to_datetime(["2010-01-01", "2010-07-02", "2010-03-01"])})
    >>> contact_duration(reg, min_n=2)[["n", "max", "median"]].round(2)
       n   max  median
    0  2  5.98    2.99
    """
    by = as_by(by)
    # the client is the unit: a pseudonym seen in two rounds of a pooled scope is one client whose
    # contact runs from the first round's registration to the last round's
    keys = [*by, "client_id"]
    data = register[register["date"].notna()]
    per_client = data.groupby(keys, sort=False, observed=True)["date"].agg(["min", "max"])
    per_client = per_client.reset_index()
    per_client["duration_months"] = ((per_client["max"] - per_client["min"]).dt.days
                                     / DAYS_PER_MONTH)
    for c in by:
        per_client[c] = per_client[c].astype(register[c].dtype)
    return describe_numeric(per_client, "duration_months", by=by, min_n=min_n,
                            confidence=confidence)


def supply_by_wheel_goal(social_map: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                         language: str = "nl") -> pd.DataFrame:
    """Services on the social map per life domain and participation-wheel goal area.

    Counts the services (rows of ``social_map``) of each group whose ``life_domains`` include the
    domain, by their ``wheel_goal``; every domain × goal area gets a row, so goal areas without a
    service show as zero. ``available`` leaves out services marked not accessible to the target
    group (an unknown accessibility counts as available).

    Returns
    -------
    DataFrame
        ``*by, life_domain, domain_label, wheel_goal, goal_label, services, available, n,
        suppressed``; ``n`` is the number of services on the group's social map, ``suppressed``
        is always ``False`` (services are not people).

    Examples
    --------
    >>> smap = pd.DataFrame({"round": "r1", "region": "a",
    ...     "wheel_goal": pd.Categorical(["paid_work", "learning_skills"]),
    ...     "life_domains_work": pd.array([True, True], dtype="boolean"),
    ...     "accessible": pd.array([False, None], dtype="boolean")})
    >>> out = supply_by_wheel_goal(smap)
    >>> work = out[(out.life_domain == "work") & (out.services > 0)]
    >>> work[["wheel_goal", "services", "available"]]
             wheel_goal  services  available
    40  learning_skills         1          1
    41        paid_work         1          0
    """
    by = as_by(by)
    codes, keys = group_codes(social_map, by)
    g = len(keys)
    goal = social_map["wheel_goal"]
    goal_pos = {k: i for i, k in enumerate(a.key for a in _GOALS)}
    gcode = np.array([goal_pos.get(v, -1) if pd.notna(v) else -1 for v in goal], dtype=int)
    accessible = social_map["accessible"] if "accessible" in social_map else pd.Series(
        pd.NA, index=social_map.index, dtype="boolean")
    available_row = ~(accessible == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    total = np.bincount(codes[codes >= 0], minlength=g)[:g]
    rows = []
    for d in _DOMAINS:
        col = f"life_domains_{d.key}"
        covers = (social_map[col].fillna(False).to_numpy(dtype=bool) if col in social_map
                  else np.zeros(len(social_map), dtype=bool))
        ok = (codes >= 0) & covers & (gcode >= 0)
        services = np.zeros((g, len(_GOALS)))
        np.add.at(services, (codes[ok], gcode[ok]), 1)
        avail = np.zeros((g, len(_GOALS)))
        ok_a = ok & available_row
        np.add.at(avail, (codes[ok_a], gcode[ok_a]), 1)
        for grp in range(g):
            for j, goal_answer in enumerate(_GOALS):
                rows.append({"_g": grp, "life_domain": d.key, "domain_label": d.label(language),
                             "wheel_goal": goal_answer.key,
                             "goal_label": goal_answer.label(language),
                             "services": services[grp, j], "available": avail[grp, j],
                             "n": total[grp]})
    result = pd.DataFrame(rows)
    if result.empty:
        return pd.DataFrame(columns=by + ["life_domain", "domain_label", "wheel_goal",
                                          "goal_label", "services", "available", "n",
                                          "suppressed"])
    result = result.sort_values("_g", kind="stable")
    result = pd.concat([keys.iloc[result["_g"].to_numpy()].reset_index(drop=True),
                        result.drop(columns="_g").reset_index(drop=True)], axis=1)
    result["suppressed"] = False
    return finish(result, ints=("services", "available", "n"))


def white_spots(clients: pd.DataFrame, social_map: pd.DataFrame, *,
                by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                min_need_share: float = 0.0, language: str = "nl") -> pd.DataFrame:
    """Supply against demand per life domain; a white spot is need without an available service.

    Demand: the clients of the group who say they need support in the domain
    (``client_interview.support_needed_<domain>``), resting on the clients who answered that
    domain (``n``). Supply: the services on the group's social map covering the domain (all, and
    available: not marked inaccessible) and the number of wheel goal areas they serve. A domain is
    a ``white_spot`` when more than ``min_need_share`` of the clients need support there (default:
    anyone) and no available service covers it; ``NA`` when the demand is suppressed.

    Returns
    -------
    DataFrame
        ``*by, life_domain, label, n, needing, need_share, services, available, goal_areas,
        white_spot, suppressed``; domains in answer-set order.

    Examples
    --------
    >>> b = lambda *v: pd.array(list(v), dtype="boolean")
    >>> clients = pd.DataFrame({"round": "r1", "region": "a",
    ...                         "support_needed_work": b(True, True, False, False, None)})
    >>> smap = pd.DataFrame({"round": "r1", "region": "a",
    ...     "wheel_goal": pd.Categorical(["paid_work"]), "life_domains_work": b(True),
    ...     "accessible": b(False)})
    >>> out = white_spots(clients, smap, min_n=4)
    >>> out[out.life_domain == "work"][["n", "needing", "services", "available", "white_spot"]]
       n  needing  services  available  white_spot
    6  4        2         1          0        True
    """
    by = as_by(by)
    codes, keys = group_codes(clients, by)
    g = len(keys)
    supply = supply_by_wheel_goal(social_map, by=by, language=language)
    sums = (supply.groupby(by + ["life_domain"], sort=False, observed=True)
            .agg(services=("services", "sum"), available=("available", "sum"),
                 goal_areas=("services", lambda s: int((s > 0).sum())))
            .reset_index()) if len(supply) else None
    pieces = []
    for d in _DOMAINS:
        col = f"support_needed_{d.key}"
        values = as_float(clients[col]) if col in clients else np.full(len(clients), np.nan)
        ok = (codes >= 0) & ~np.isnan(values)
        n = np.bincount(codes[ok], minlength=g)[:g].astype(float)
        needing = np.bincount(codes[ok], weights=values[ok], minlength=g)[:g]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(n > 0, needing / np.where(n > 0, n, 1), np.nan)
        piece = with_columns(keys, life_domain=d.key, label=d.label(language), n=n, needing=needing,
                            need_share=share)
        piece["_g"] = np.arange(g)
        pieces.append(piece)
    result = pd.concat(pieces, ignore_index=True)
    if sums is not None:
        for b in by:
            sums[b] = sums[b].astype(result[b].dtype)
        result = result.merge(sums, on=by + ["life_domain"], how="left")
    else:
        result = result.assign(services=np.nan, available=np.nan, goal_areas=np.nan)
    for c in ("services", "available", "goal_areas"):
        result[c] = result[c].fillna(0)
    result = result.sort_values("_g", kind="stable").drop(columns="_g")
    need = result["need_share"].to_numpy(dtype=float)
    spot = np.where(np.isnan(need), np.nan,
                    ((need > min_need_share) & (result["available"].to_numpy() == 0)))
    result["white_spot"] = pd.array([None if np.isnan(v) else bool(v) for v in spot],
                                    dtype="boolean")
    result = finish(result, ints=("n", "needing", "services", "available", "goal_areas"),
                    floats=("need_share",))
    result = apply_min_n(result, ["needing", "need_share", "white_spot"], min_n=min_n)
    result["white_spot"] = pd.array(result["white_spot"], dtype="boolean")
    return result.reset_index(drop=True)
