"""Executive level (uitvoerend niveau): partner survey, collaboration network, feedback meetings.

* Collaboration quality: the partner survey's scales (short lines, task coordination, knowledge,
  commitment, shared vision, insight into results, visibility, peer expertise) with mean, CI and
  Cronbach's alpha, and the items below a threshold flagged as bottlenecks.
* The collaboration network per region (networkx), built from the survey's network question
  (``partner_ties``): organisations are nodes, a tie joins the respondent's own organisation
  (``partner_survey.organisation``) to each partner organisation named.
* Feedback meetings: attendance by organisation group and the share of findings recognised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd

from ..instruments import get_instrument
from ._base import (
    with_columns,
    BY_REGION,
    MIN_N,
    answer_codes,
    apply_min_n,
    as_by,
    describe_numeric,
    distribution,
    finish,
    group_codes,
    wilson_interval,
)
from .scales import item_means, scale_summaries

__all__ = [
    "collaboration_scales",
    "bottleneck_items",
    "partner_results_rating",
    "build_networks",
    "degree_centralisation",
    "collaboration_network",
    "central_organisations",
    "central_groups",
    "group_ties",
    "feedback_attendance",
    "findings_recognised",
]

PARTNER_SURVEY = "partner_survey"
_GROUPS = get_instrument(PARTNER_SURVEY).answer_sets["organisation_group"]
#: Group key for an organisation whose group nobody recorded.
UNKNOWN_GROUP = "unknown"
_UNKNOWN_LABEL = {"nl": "onbekend", "en": "unknown"}


# -- collaboration quality -----------------------------------------------------------------------
def collaboration_scales(partners: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                         min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                         ) -> pd.DataFrame:
    """Every collaboration-quality scale of the partner survey: mean, CI and Cronbach's alpha.

    Scores are the mean of a scale's items (reversed items mirrored), for respondents with at
    least ``Scale.min_items`` answers; alpha rests on respondents who answered every item. See
    :func:`mss_eval.analysis.scales.scale_summary`.

    Returns
    -------
    DataFrame
        One row per group and scale (scales in instrument order): ``*by, scale, label, items, n,
        mean, sd, ci_low, ci_high, n_alpha, alpha, alpha_ci_low, alpha_ci_high,
        alpha_suppressed, suppressed``.

    Examples
    --------
    >>> cats = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "cq_visibility_1": pd.Categorical(["agree"] * 3 + ["neutral", "disagree"],
    ...                                       categories=cats),
    ...     "cq_visibility_2": pd.Categorical(["agree", "neutral", "agree", "neutral", "disagree"],
    ...                                       categories=cats)})
    >>> out = collaboration_scales(df)
    >>> out[out.scale == "visibility"][["n", "mean", "alpha"]].round(3)
       n  mean  alpha
    7  5   3.3  0.929
    """
    return scale_summaries(partners, PARTNER_SURVEY, by=by, min_n=min_n, confidence=confidence,
                           language=language)


def bottleneck_items(partners: pd.DataFrame, *, threshold: float = 3.0,
                     by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                     language: str = "nl") -> pd.DataFrame:
    """Collaboration items with their mean score; items below ``threshold`` are bottlenecks.

    Each item rests on the respondents of the group who answered it; reversed items (e.g.
    "partners duplicate each other's work") are mirrored, so a low mean is always unfavourable.
    See :func:`mss_eval.analysis.scales.item_means`.

    Examples
    --------
    >>> cats = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "cq_commitment_2": pd.Categorical(
    ...     ["disagree", "disagree", "neutral", "disagree", "agree"], categories=cats)})
    >>> out = bottleneck_items(df)
    >>> out[out.item == "cq_commitment_2"][["n", "mean", "bottleneck"]]
       n  mean  bottleneck
    9  5   2.6        True
    """
    return item_means(partners, PARTNER_SURVEY, by=by, min_n=min_n, threshold=threshold,
                      language=language)


def partner_results_rating(partners: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                           min_n: int = MIN_N, confidence: float = 0.95) -> pd.DataFrame:
    """Partners' judgement of the MSS's results (1-10): n, mean, SD, median, CI.

    Rests on the respondents of each group with ``results_rating`` answered.

    Examples
    --------
    >>> df = pd.DataFrame({"round": "r1", "region": "a",
    ...     "results_rating": pd.array([7, 8, 6, 7, 7], dtype="Int64")})
    >>> partner_results_rating(df)[["n", "mean"]]
       n  mean
    0  5   7.0
    """
    return describe_numeric(partners, "results_rating", by=by, min_n=min_n,
                            confidence=confidence)


# -- the collaboration network -------------------------------------------------------------------
def _normalised(name: str) -> str:
    """Organisation names typed by different respondents match regardless of case and spacing."""
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


def build_networks(partners: pd.DataFrame, ties: pd.DataFrame, *,
                   by: Sequence[str] | None = BY_REGION) -> dict[tuple, tuple[nx.Graph, int]]:
    """The collaboration network of each group, with the number of respondents behind it.

    Nodes are organisations (names matched case- and space-insensitively; shown as first
    written), with attribute ``group`` (the organisation group the respondent gave for their own
    organisation, otherwise the first ``partner_group`` given for it, otherwise ``unknown``).
    An undirected edge joins a respondent's organisation and each partner organisation they
    named; ``weight`` is the contact frequency code (1 yearly ... 7 daily), the highest when the
    pair was reported more than once, and ``reports`` counts the reports. A tie of an
    organisation with itself is left out. Ties whose respondent is not in the partner survey of
    the same round and region are left out (validation reports them).

    Returns
    -------
    dict
        Group key (tuple of the ``by`` values) -> (graph, respondents who named at least one tie).

    Examples
    --------
    >>> partners = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4", "p5"],
    ...     "organisation": ["Wijkteam", "Woonstichting", "Gemeente", "Cliëntenraad", "GGZ"],
    ...     "organisation_group": ["care_services", "civil_society", "government_funders",
    ...                            "clients_relatives", "care_services"]})
    >>> ties = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4"], "partner_organisation": ["GGZ"] * 4,
    ...     "partner_group": "care_services", "frequency": pd.Categorical(
    ...         ["weekly", "monthly", "yearly", "weekly"],
    ...         categories=["yearly", "monthly", "weekly"])})
    >>> (graph, respondents), = build_networks(partners, ties).values()
    >>> sorted(graph.nodes), graph.number_of_edges(), respondents
    (['cliëntenraad', 'gemeente', 'ggz', 'wijkteam', 'woonstichting'], 4, 4)
    """
    by = as_by(by)
    link = ["round", "region", "respondent_id"]
    own = partners[link + ["organisation", "organisation_group"]].rename(
        columns={"organisation_group": "own_group"})
    weights = answer_codes(ties["frequency"], "partner_ties", "frequency")
    edges = ties.assign(_w=weights).merge(own, on=link, how="inner")
    networks: dict[tuple, tuple[nx.Graph, int]] = {}
    groups = ([(k if isinstance(k, tuple) else (k,), g)
               for k, g in edges.groupby(by, sort=False, observed=True)] if by else
              [((), edges)])
    # groups of partners without any tie still get an (empty) network
    all_keys = ([k if isinstance(k, tuple) else (k,) for k, _ in
                 partners.groupby(by, sort=False, observed=True)] if by else [()])
    for key in all_keys:
        networks[key] = (nx.Graph(), 0)
    for key, g in groups:
        graph = nx.Graph()
        names: dict[str, str] = {}
        node_group: dict[str, str] = {}
        own_groups = g[["organisation", "own_group"]]
        for org, grp in own_groups.itertuples(index=False):
            k = _normalised(org)
            names.setdefault(k, str(org).strip())
            if pd.notna(grp) and k not in node_group:
                node_group[k] = str(grp)
        for org, grp in g[["partner_organisation", "partner_group"]].itertuples(index=False):
            k = _normalised(org)
            names.setdefault(k, str(org).strip())
        for org, grp in g[["partner_organisation", "partner_group"]].itertuples(index=False):
            k = _normalised(org)
            if pd.notna(grp) and k not in node_group:
                node_group[k] = str(grp)
        for org, partner, w in g[["organisation", "partner_organisation", "_w"]].itertuples(
                index=False):
            a, b = _normalised(org), _normalised(partner)
            if a == b:
                continue
            w = 0.0 if pd.isna(w) else float(w)
            if graph.has_edge(a, b):
                graph[a][b]["weight"] = max(graph[a][b]["weight"], w)
                graph[a][b]["reports"] += 1
            else:
                graph.add_edge(a, b, weight=w, reports=1)
        for k in list(graph.nodes):
            graph.nodes[k]["name"] = names[k]
            graph.nodes[k]["group"] = node_group.get(k, UNKNOWN_GROUP)
        respondents = g["respondent_id"].nunique()
        networks[key] = (graph, int(respondents))
    return networks


def degree_centralisation(graph: nx.Graph) -> float:
    """Freeman's degree centralisation of an undirected graph, between 0 and 1.

    ``sum(max_degree - degree_i) / ((N - 1)(N - 2))``: 1 for a star (one organisation linked to
    all others, which are not linked among themselves), 0 when every organisation has the same
    number of ties. ``NaN`` for fewer than three organisations.

    Examples
    --------
    >>> degree_centralisation(nx.star_graph(4))   # hub + 4: (4*3) / (4*3)
    1.0
    >>> degree_centralisation(nx.cycle_graph(5))
    0.0
    """
    n = graph.number_of_nodes()
    if n < 3:
        return float("nan")
    degrees = np.array([d for _, d in graph.degree()], dtype=float)
    return float((degrees.max() - degrees).sum() / ((n - 1) * (n - 2)))


def collaboration_network(partners: pd.DataFrame, ties: pd.DataFrame, *,
                          by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N
                          ) -> pd.DataFrame:
    """Size and shape of the collaboration network of each region.

    Rests on the partner-survey respondents of the group who named at least one tie (``n``);
    suppressed below ``min_n``.

    Returns
    -------
    DataFrame
        ``*by, n, organisations, ties, density, degree_centralisation, mean_degree,
        mean_frequency, components, suppressed``. ``density`` is ties over possible ties
        (networkx), ``mean_frequency`` the mean frequency code of the ties (1 yearly ... 7 daily).

    Examples
    --------
    >>> partners = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4", "p5"],
    ...     "organisation": ["Wijkteam", "Woonstichting", "Gemeente", "Cliëntenraad", "GGZ"],
    ...     "organisation_group": ["care_services", "civil_society", "government_funders",
    ...                            "clients_relatives", "care_services"]})
    >>> ties = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4"], "partner_organisation": ["GGZ"] * 4,
    ...     "partner_group": "care_services", "frequency": pd.Categorical(
    ...         ["weekly", "monthly", "yearly", "weekly"],
    ...         categories=["yearly", "monthly", "weekly"])})
    >>> collaboration_network(partners, ties, min_n=4)[["n", "organisations", "ties", "density",
    ...                                                 "degree_centralisation"]]
       n  organisations  ties  density  degree_centralisation
    0  4              5     4      0.4                    1.0
    """
    by = as_by(by)
    rows = []
    for key, (graph, respondents) in build_networks(partners, ties, by=by).items():
        n_nodes = graph.number_of_nodes()
        weights = [d["weight"] for _, _, d in graph.edges(data=True)]
        rows.append({**dict(zip(by, key)), "n": respondents, "organisations": n_nodes,
                     "ties": graph.number_of_edges(),
                     "density": nx.density(graph) if n_nodes > 1 else np.nan,
                     "degree_centralisation": degree_centralisation(graph),
                     "mean_degree": (2 * graph.number_of_edges() / n_nodes) if n_nodes else np.nan,
                     "mean_frequency": float(np.mean(weights)) if weights else np.nan,
                     "components": nx.number_connected_components(graph) if n_nodes else 0})
    columns = by + ["n", "organisations", "ties", "density", "degree_centralisation",
                    "mean_degree", "mean_frequency", "components"]
    result = _typed(pd.DataFrame(rows, columns=columns), partners, by)
    result = finish(result, ints=("n", "organisations", "ties", "components"),
                    floats=("density", "degree_centralisation", "mean_degree", "mean_frequency"))
    return apply_min_n(result, ["organisations", "ties", "density", "degree_centralisation",
                                "mean_degree", "mean_frequency", "components"], min_n=min_n)


def _typed(result: pd.DataFrame, source: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    for b in by:
        if b in source:
            result[b] = result[b].astype(source[b].dtype)
    return result


def _group_label(key: str, language: str) -> str:
    if key == UNKNOWN_GROUP:
        return _UNKNOWN_LABEL[language]
    return _GROUPS.by_key()[key].label(language)


def central_organisations(partners: pd.DataFrame, ties: pd.DataFrame, *, top: int | None = 5,
                          by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                          language: str = "nl") -> pd.DataFrame:
    """The most central organisations of each region's collaboration network.

    Organisations ranked by degree (number of partner organisations), then by strength (sum of
    the frequency codes of their ties), then by name. ``degree_centrality`` is degree over
    ``N - 1`` and ``betweenness`` networkx's normalised betweenness centrality. The network rests
    on the respondents who named a tie (``n``); below ``min_n`` a single suppressed row is returned
    for the group, without organisation names.

    Returns
    -------
    DataFrame
        ``*by, rank, organisation, group, group_label, degree, strength, degree_centrality,
        betweenness, n, suppressed``; the ``top`` organisations per group (all with ``None``).

    Examples
    --------
    >>> partners = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4", "p5"],
    ...     "organisation": ["Wijkteam", "Woonstichting", "Gemeente", "Cliëntenraad", "GGZ"],
    ...     "organisation_group": ["care_services", "civil_society", "government_funders",
    ...                            "clients_relatives", "care_services"]})
    >>> ties = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4"], "partner_organisation": ["GGZ"] * 4,
    ...     "partner_group": "care_services", "frequency": pd.Categorical(
    ...         ["weekly", "monthly", "yearly", "weekly"],
    ...         categories=["yearly", "monthly", "weekly"])})
    >>> central_organisations(partners, ties, top=2, min_n=4)[["rank", "organisation", "degree"]]
       rank  organisation  degree
    0     1           GGZ       4
    1     2  Cliëntenraad       1
    """
    by = as_by(by)
    rows = []
    for key, (graph, respondents) in build_networks(partners, ties, by=by).items():
        head = dict(zip(by, key))
        if respondents < min_n or graph.number_of_nodes() == 0:
            rows.append({**head, "n": respondents, "suppressed": True})
            continue
        n_nodes = graph.number_of_nodes()
        between = nx.betweenness_centrality(graph, normalized=True)
        table = sorted(
            ((-graph.degree(k), -graph.degree(k, weight="weight"), graph.nodes[k]["name"], k)
             for k in graph.nodes))
        for rank, (_, _, name, k) in enumerate(table[:top] if top else table, start=1):
            grp = graph.nodes[k]["group"]
            rows.append({**head, "rank": rank, "organisation": name, "group": grp,
                         "group_label": _group_label(grp, language),
                         "degree": graph.degree(k),
                         "strength": graph.degree(k, weight="weight"),
                         "degree_centrality": graph.degree(k) / (n_nodes - 1) if n_nodes > 1
                         else np.nan,
                         "betweenness": between[k], "n": respondents, "suppressed": False})
    columns = by + ["rank", "organisation", "group", "group_label", "degree", "strength",
                    "degree_centrality", "betweenness", "n", "suppressed"]
    result = _typed(pd.DataFrame(rows, columns=columns), partners, by)
    for c in ("organisation", "group", "group_label"):
        result[c] = result[c].astype("string")
    return finish(result, ints=("rank", "degree", "n"),
                  floats=("strength", "degree_centrality", "betweenness"))


def central_groups(partners: pd.DataFrame, ties: pd.DataFrame, *,
                   by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
                   language: str = "nl") -> pd.DataFrame:
    """Centrality of each organisation group in the collaboration network.

    Per group of organisations (clients and relatives, civil society, government and funders,
    care and services, unknown): how many organisations, their mean degree and mean degree
    centrality, ranked by mean degree. Rests on the respondents who named a tie (``n``).

    Returns
    -------
    DataFrame
        ``*by, group, group_label, organisations, mean_degree, mean_degree_centrality, rank, n,
        suppressed``.

    Examples
    --------
    >>> partners = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4", "p5"],
    ...     "organisation": ["Wijkteam", "Woonstichting", "Gemeente", "Cliëntenraad", "GGZ"],
    ...     "organisation_group": ["care_services", "civil_society", "government_funders",
    ...                            "clients_relatives", "care_services"]})
    >>> ties = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4"], "partner_organisation": ["GGZ"] * 4,
    ...     "partner_group": "care_services", "frequency": pd.Categorical(
    ...         ["weekly", "monthly", "yearly", "weekly"],
    ...         categories=["yearly", "monthly", "weekly"])})
    >>> central_groups(partners, ties, min_n=4)[["group", "organisations", "mean_degree", "rank"]]
                    group  organisations  mean_degree  rank
    0   clients_relatives              1          1.0     2
    1       civil_society              1          1.0     2
    2  government_funders              1          1.0     2
    3       care_services              2          2.5     1
    """
    by = as_by(by)
    rows = []
    order = _GROUPS.keys() + [UNKNOWN_GROUP]
    for key, (graph, respondents) in build_networks(partners, ties, by=by).items():
        head = dict(zip(by, key))
        n_nodes = graph.number_of_nodes()
        per: dict[str, list[int]] = {}
        for k in graph.nodes:
            per.setdefault(graph.nodes[k]["group"], []).append(graph.degree(k))
        block = []
        for grp in order:
            if grp not in per:
                continue
            d = np.array(per[grp], dtype=float)
            block.append({**head, "group": grp, "group_label": _group_label(grp, language),
                          "organisations": len(d), "mean_degree": d.mean(),
                          "mean_degree_centrality": d.mean() / (n_nodes - 1) if n_nodes > 1
                          else np.nan, "n": respondents})
        ranks = pd.Series([-b["mean_degree"] for b in block]).rank(method="min")
        for b, r in zip(block, ranks):
            b["rank"] = r
        if not block:
            block = [{**head, "n": respondents}]
        rows.extend(block)
    columns = by + ["group", "group_label", "organisations", "mean_degree",
                    "mean_degree_centrality", "rank", "n"]
    result = _typed(pd.DataFrame(rows, columns=columns), partners, by)
    for c in ("group", "group_label"):
        result[c] = result[c].astype("string")
    result = finish(result, ints=("organisations", "rank", "n"),
                    floats=("mean_degree", "mean_degree_centrality"))
    return apply_min_n(result, ["organisations", "mean_degree", "mean_degree_centrality",
                                "rank"], min_n=min_n)


def group_ties(partners: pd.DataFrame, ties: pd.DataFrame, *,
               by: Sequence[str] | None = BY_REGION, min_n: int = MIN_N,
               language: str = "nl") -> pd.DataFrame:
    """Ties between (and within) organisation groups in each region's network.

    Every unordered pair of groups with at least one tie, groups in answer-set order
    (``group_a`` first); ``share`` is the pair's share of all ties of the network. Rests on the
    respondents who named a tie (``n``).

    Returns
    -------
    DataFrame
        ``*by, group_a, group_a_label, group_b, group_b_label, ties, mean_frequency, share, n,
        suppressed``.

    Examples
    --------
    >>> partners = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4", "p5"],
    ...     "organisation": ["Wijkteam", "Woonstichting", "Gemeente", "Cliëntenraad", "GGZ"],
    ...     "organisation_group": ["care_services", "civil_society", "government_funders",
    ...                            "clients_relatives", "care_services"]})
    >>> ties = pd.DataFrame({"round": "r1", "region": "a",
    ...     "respondent_id": ["p1", "p2", "p3", "p4"], "partner_organisation": ["GGZ"] * 4,
    ...     "partner_group": "care_services", "frequency": pd.Categorical(
    ...         ["weekly", "monthly", "yearly", "weekly"],
    ...         categories=["yearly", "monthly", "weekly"])})
    >>> group_ties(partners, ties, min_n=4)[["group_a", "group_b", "ties"]]
                  group_a        group_b  ties
    0   clients_relatives  care_services     1
    1       civil_society  care_services     1
    2  government_funders  care_services     1
    3       care_services  care_services     1
    """
    by = as_by(by)
    order = _GROUPS.keys() + [UNKNOWN_GROUP]
    pos = {g: i for i, g in enumerate(order)}
    rows = []
    for key, (graph, respondents) in build_networks(partners, ties, by=by).items():
        head = dict(zip(by, key))
        counts: dict[tuple[str, str], list[float]] = {}
        for a, b, d in graph.edges(data=True):
            ga, gb = sorted((graph.nodes[a]["group"], graph.nodes[b]["group"]), key=pos.get)
            counts.setdefault((ga, gb), []).append(d["weight"])
        total = graph.number_of_edges()
        if not counts:
            rows.append({**head, "n": respondents})
        for (ga, gb) in sorted(counts, key=lambda p: (pos[p[0]], pos[p[1]])):
            w = counts[(ga, gb)]
            rows.append({**head, "group_a": ga, "group_a_label": _group_label(ga, language),
                         "group_b": gb, "group_b_label": _group_label(gb, language),
                         "ties": len(w), "mean_frequency": float(np.mean(w)),
                         "share": len(w) / total, "n": respondents})
    columns = by + ["group_a", "group_a_label", "group_b", "group_b_label", "ties",
                    "mean_frequency", "share", "n"]
    result = _typed(pd.DataFrame(rows, columns=columns), partners, by)
    for c in ("group_a", "group_a_label", "group_b", "group_b_label"):
        result[c] = result[c].astype("string")
    result = finish(result, ints=("ties", "n"), floats=("mean_frequency", "share"))
    return apply_min_n(result, ["ties", "mean_frequency", "share"], min_n=min_n)


# -- feedback meetings ---------------------------------------------------------------------------
def feedback_attendance(attendees: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                        min_n: int = MIN_N, confidence: float = 0.95, language: str = "nl"
                        ) -> pd.DataFrame:
    """Attendees of the feedback meeting by organisation group: count and share.

    Rests on the attendees of each group with ``organisation_group`` recorded (``n``).
    See :func:`mss_eval.analysis._base.distribution` for the columns.

    Examples
    --------
    >>> groups = ["clients_relatives", "civil_society", "government_funders", "care_services"]
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "organisation_group": pd.Categorical(
    ...     ["care_services"] * 4 + ["civil_society"], categories=groups)})
    >>> feedback_attendance(df)[["answer", "count", "share"]]
                   answer  count  share
    0   clients_relatives      0    0.0
    1       civil_society      1    0.2
    2  government_funders      0    0.0
    3       care_services      4    0.8
    """
    return distribution(attendees, "organisation_group", by=by, min_n=min_n,
                        confidence=confidence, instrument="feedback_meeting", language=language)


def findings_recognised(findings: pd.DataFrame, *, by: Sequence[str] | None = BY_REGION,
                        min_n: int = MIN_N, confidence: float = 0.95) -> pd.DataFrame:
    """Share of the findings presented at the feedback meeting that attendees recognised.

    Rests on the findings of each group with ``recognition`` recorded (``n``). ``recognised``
    counts findings fully recognised, ``at_least_partly`` those recognised or partly recognised.

    Returns
    -------
    DataFrame
        ``*by, n, recognised, share_recognised, ci_low, ci_high, at_least_partly,
        share_at_least_partly, suppressed`` (Wilson interval of ``share_recognised``).

    Examples
    --------
    >>> cats = ["not_recognised", "partly", "recognised"]
    >>> df = pd.DataFrame({"round": "r1", "region": "a", "recognition": pd.Categorical(
    ...     ["recognised"] * 6 + ["partly"] * 3 + ["not_recognised"], categories=cats)})
    >>> findings_recognised(df)[["n", "recognised", "share_recognised", "share_at_least_partly"]]
        n  recognised  share_recognised  share_at_least_partly
    0  10           6               0.6                    0.9
    """
    by = as_by(by)
    codes, keys = group_codes(findings, by)
    g = len(keys)
    series = findings["recognition"]
    known = series.notna().to_numpy() & (codes >= 0)
    full = (series == "recognised").fillna(False).to_numpy(dtype=bool) & known
    partly = series.isin(["recognised", "partly"]).to_numpy(dtype=bool) & known
    n = np.bincount(codes[known], minlength=g)[:g].astype(float)
    rec = np.bincount(codes[full], minlength=g)[:g].astype(float)
    part = np.bincount(codes[partly], minlength=g)[:g].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, rec / np.where(n > 0, n, 1), np.nan)
        share_part = np.where(n > 0, part / np.where(n > 0, n, 1), np.nan)
    low, high = wilson_interval(rec, n, confidence)
    result = with_columns(keys, n=n, recognised=rec, share_recognised=share, ci_low=low,
                          ci_high=high,
                         at_least_partly=part, share_at_least_partly=share_part)
    result = finish(result, ints=("n", "recognised", "at_least_partly"),
                    floats=("share_recognised", "ci_low", "ci_high", "share_at_least_partly"))
    return apply_min_n(result, ["recognised", "share_recognised", "ci_low", "ci_high",
                                "at_least_partly", "share_at_least_partly"], min_n=min_n)
