"""Conclusions from the data only: the rules that turn a key figure into a generated conclusion.

Every conclusion states its finding and its basis (the number and the base it rests on); the
thresholds are the bands below, documented in docs/reports.md. A figure that is suppressed or
rests on nobody gives no conclusion but a sentence saying that the data are insufficient. No
sentence here holds regardless of the data: each band has its own wording, so two reports say
the same only when their figures fall in the same band.
"""

from __future__ import annotations

from .i18n import N_, gettext

#: The mean rating (1–10): lower bound of a band -> its wording. Read from the top.
RATING_BANDS = (
    (8.0, N_("Clients {where} are very positive about the MSS: they give it {mean} on average "
             "({n} clients).")),
    (7.0, N_("Clients {where} are positive about the MSS: they give it {mean} on average "
             "({n} clients).")),
    (6.0, N_("Clients {where} find the MSS sufficient but not more: they give it {mean} on "
             "average ({n} clients).")),
    (float("-inf"), N_("Clients {where} are critical of the MSS: they give it {mean} on average, "
                       "below a pass mark ({n} clients).")),
)

#: The informal share of the personal network: lower bound -> wording ({share}, {n}).
INFORMAL_BANDS = (
    (0.5, N_("Relatives, friends and other informal contacts make up {share} of the personal "
             "network of clients {where}: at least half of it ({n} clients).")),
    (0.35, N_("Informal contacts make up {share} of the personal network of clients {where}: "
              "professionals take the larger part, though the informal rings are not thin "
              "({n} clients).")),
    (float("-inf"), N_("Informal contacts make up only {share} of the personal network of "
                       "clients {where}: it rests mostly on professionals, and the informal "
                       "rings deserve attention ({n} clients).")),
)

#: Reliability of a scale (Cronbach's alpha): lower bound -> the word for it.
RELIABILITY_BANDS = (
    (0.8, N_("good")),
    (0.7, N_("acceptable")),
    (0.6, N_("questionable")),
    (0.0, N_("insufficient")),
)

#: Collaboration statements: a mean below this (on 1–5) is a bottleneck.
BOTTLENECK_BELOW = 3.0


def _band(bands, value: float) -> str:
    for lower, text in bands:
        if value >= lower:
            return text
    return bands[-1][1]


def rating_band(language: str, mean: float) -> str:
    """The conclusion template of a mean rating ({where}, {mean}, {n})."""
    return gettext(language, _band(RATING_BANDS, mean))


def informal_band(language: str, share: float) -> str:
    """The conclusion template of an informal share ({where}, {share}, {n})."""
    return gettext(language, _band(INFORMAL_BANDS, share))


def reliability_word(language: str, alpha: float) -> str | None:
    """``good``/``acceptable``/``questionable``/``insufficient`` for Cronbach's alpha; None for
    a negative alpha (the items do not form a scale: say so instead of naming a band)."""
    if alpha < 0:
        return None
    return gettext(language, _band(RELIABILITY_BANDS, alpha))


def scale_usable(alpha: float | None) -> bool:
    """Whether a scale's mean may be presented as a score: alpha known and at least 0.6."""
    return alpha is not None and alpha >= 0.6
