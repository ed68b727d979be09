"""Analyses per level: the numbers every report is built from.

Every function takes tidy data (``docs/tidy-data.md``) and returns a tidy frame with one row per
result, the base ``n`` and a ``suppressed`` flag; ``docs/analyses.md`` lists them all. Modules
follow the levels of an MSS evaluation:

``collection``      the data-collection table (respondents per method and region, response)
``personal``        client interviews and questionnaires about clients
``executive``       partner survey, collaboration network, feedback meetings
``administrative``  governance profiles, performance against agreements
``indicators``      the monitor indicators: reach, referrals, duration, supply against demand
``comparisons``     across regions within a round, pooled figures, change between rounds
``multilevel``      regions compared with a random-intercept model (the reports' case mix)
``key_figures``     the nested, JSON-ready key figures of a region, a round or the study
``scales``          scale scores, Cronbach's alpha, item distributions (used by two levels)
``estimators``      general estimators for a researcher's own questions

and at the top, for a question of one's own (:mod:`~mss_eval.analysis.estimators`)::

    mss.analysis.share(clients, "network_informal > 0", study=study)
    mss.analysis.mean(clients, "mss_rating", study=study, adjusted=True)
    mss.analysis.change(clients, "mss_rating", study=study)
"""

from ._base import BY_REGION, MIN_N, TOTAL

#: The analysis modules, imported on first use (``mss_eval.analysis.personal``).
MODULES = ("collection", "personal", "executive", "administrative", "indicators", "comparisons",
           "multilevel", "key_figures", "scales", "estimators")

#: The general estimators, from :mod:`~mss_eval.analysis.estimators` (imported on first use).
ESTIMATORS = ("share", "mean", "change")


def __getattr__(name: str):
    import importlib

    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in ESTIMATORS:
        return getattr(importlib.import_module(f"{__name__}.estimators"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # the public names only: tab completion must not offer helpers or imported modules
    return sorted(__all__)


__all__ = ["BY_REGION", "MIN_N", "TOTAL", *MODULES, *ESTIMATORS]
