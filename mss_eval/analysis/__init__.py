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
``key_figures``     the nested, JSON-ready key figures of a region, a round or the study
``scales``          scale scores, Cronbach's alpha, item distributions (used by two levels)
"""

import importlib
from typing import Any

from ._base import BY_REGION, MIN_N, TOTAL

#: The analysis modules, imported on first use (``mss_eval.analysis.personal``).
MODULES = ("collection", "personal", "executive", "administrative", "indicators", "comparisons",
           "key_figures", "scales")


def __getattr__(name: str) -> Any:
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(MODULES))


__all__ = ["BY_REGION", "MIN_N", "TOTAL", *MODULES]
