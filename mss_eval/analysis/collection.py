"""The data-collection table: respondents per method and region, with totals and response.

This is chapter 1 of every report (accountability of the data) and the interim report's Table 1.
Each method of an MSS evaluation is counted from the instrument that records it:

=========================  ========================================================
method                     counted as
=========================  ========================================================
``general_interview``      rows of ``interview_register`` with ``kind == general``
``partner_interview``      rows of ``interview_register`` with ``kind == partner``
``client_questionnaire``   rows of ``client_questionnaire`` (one per client described)
``client_interview``       rows of ``client_interview`` (one per client interviewed)
``feedback_meeting``       rows of ``feedback_meeting`` (one per attendee)
=========================  ========================================================

Response figures come from ``approached`` in ``study.yaml`` (per round, region and method id);
their base is the number approached. These counts describe the fieldwork itself, not the respondents, and are never
suppressed: the report must account for every interview held, also where it is four.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..instruments import get_instrument
from ..study import COLLECTION_METHODS, StudyConfig
from ._base import TOTAL, finish

__all__ = ["METHODS", "data_collection", "method_labels"]

#: Method id -> (instrument, value of ``kind`` or ``None`` for every row); defined with the
#: study, whose ``approached`` counts are keyed by these ids.
METHODS = COLLECTION_METHODS


def method_labels(language: str = "nl") -> dict[str, str]:
    """Method id -> label, taken from the instruments (interview kinds and source kinds).

    Examples
    --------
    >>> method_labels("en")["partner_interview"]
    'partner interview'
    """
    kinds = get_instrument("interview_register").labels("kind", language)
    sources = get_instrument("coded_segments").labels("source_kind", language)
    out = {}
    for method, (instrument, kind) in METHODS.items():
        if kind is not None:
            out[method] = kinds[kind]
        elif method in sources:
            out[method] = sources[method]
        else:  # no source kind for it: the instrument's title, lower case like the others
            title = get_instrument(instrument).title(language)
            out[method] = title[:1].lower() + title[1:]
    return out


def _approached(config: StudyConfig | None, round_id: str, region: str, method: str
                ) -> float:
    if config is None:
        return np.nan
    try:
        per_region = config.round(round_id).approached.get(region, {})
    except KeyError:
        return np.nan
    if method in per_region:
        return float(per_region[method])
    return np.nan


def data_collection(tables: Mapping[str, pd.DataFrame], *, config: StudyConfig | None = None,
                    round: str | None = None, language: str = "nl") -> pd.DataFrame:
    """Respondents per method per region of each round, with a total per method.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Tidy frames by instrument id (``study.tables``); ``interview_register``,
        ``client_questionnaire``, ``client_interview`` and ``feedback_meeting`` are used, a
        missing one counts as empty.
    config : StudyConfig, optional
        Gives the regions of every round (so a region without any data still gets its zeros) and
        the numbers approached; without it, the regions found in the data are used.
    round : str, optional
        Only this round.
    language : str
        Language of ``method_label``.

    Returns
    -------
    DataFrame
        ``round, region, method, method_label, n, approached, response, suppressed``: one row per
        round, region (plus ``TOTAL``, the sum over the round's regions) and method, methods in
        the order of :data:`METHODS`. ``n`` counts rows; ``response`` is ``n / approached`` where
        the study records ``approached``. ``suppressed`` is always ``False`` (see module notes).

    Examples
    --------
    >>> import pandas as pd
    >>> reg = pd.DataFrame({"round": "r1", "region": ["a", "a", "b"],
    ...                     "kind": pd.Categorical(["general", "partner", "general"])})
    >>> t = data_collection({"interview_register": reg})
    >>> t[t.method == "general_interview"][["region", "n"]]
       region  n
    0       a  1
    1       b  1
    2  _total  2
    """
    labels = method_labels(language)
    if config is not None:
        pairs = config.round_regions()
    else:
        seen: list[tuple[str, str]] = []
        for instrument, _ in METHODS.values():
            frame = tables.get(instrument)
            if frame is not None and len(frame):
                for pair in zip(frame["round"].astype(str), frame["region"].astype(str)):
                    if pair not in seen:
                        seen.append(pair)
        pairs = seen
    if round is not None:
        pairs = [p for p in pairs if p[0] == round]

    counts: dict[str, pd.Series] = {}
    for method, (instrument, kind) in METHODS.items():
        frame = tables.get(instrument)
        if frame is None or not len(frame):
            counts[method] = pd.Series(dtype=float)
            continue
        rows = frame if kind is None else frame[frame["kind"] == kind]
        counts[method] = rows.groupby([rows["round"].astype(str), rows["region"].astype(str)],
                                      sort=False).size()

    out = []
    rounds = list(dict.fromkeys(r for r, _ in pairs))
    for rnd in rounds:
        regions = [g for r, g in pairs if r == rnd]
        for method in METHODS:
            total_n = 0
            total_appr = 0.0
            for region in regions:
                n = int(counts[method].get((rnd, region), 0))
                appr = _approached(config, rnd, region, method)
                total_n += n
                total_appr += appr
                out.append((rnd, region, method, n, appr))
            out.append((rnd, TOTAL, method, total_n, total_appr))
    result = pd.DataFrame(out, columns=["round", "region", "method", "n", "approached"])
    result["method_label"] = result["method"].map(labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        appr = result["approached"].to_numpy(dtype=float)
        result["response"] = np.where(appr > 0, result["n"].to_numpy(dtype=float) / appr, np.nan)
    result["suppressed"] = False
    result["round"] = result["round"].astype("string")
    result["region"] = result["region"].astype("string")
    result = result[["round", "region", "method", "method_label", "n", "approached",
                     "response", "suppressed"]]
    return finish(result, ints=("n", "approached"), floats=("response",))

