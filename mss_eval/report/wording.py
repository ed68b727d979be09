"""Words and sentences that the chapters and the summary (:mod:`.summary`) both use.

A leaf module: the chapters import the summary and the summary needs these, so they live here
rather than in either of them.
"""

from __future__ import annotations

from typing import Any

from .i18n import N_
from .style import join_words
from .text import say

#: How the three groups of the multilevel comparison read in a report.
_GROUP_WORDS = {"below": N_("below average"), "average": N_("average"),
                "above": N_("above average")}


def _deliveries_sentence(report: Any) -> str | None:
    """Which instruments regions of the report did not deliver (chapter 1), per region."""
    from ..instruments import get_instrument, instruments

    lang = report.language
    missing: dict[str, list[str]] = {}
    for instrument in instruments():
        ins = get_instrument(instrument)
        what = ins.in_sentence(lang) if ins.in_sentence else ins.title(lang).lower()
        for name in report.missing_deliveries(instrument)[0]:
            missing.setdefault(name, []).append(what)
    if not missing:
        return None
    if not report.comparative:
        return say(lang, "Not delivered: {what}; the parts that rest on them are missing from this "
                   "report.", what=join_words(missing[report.region_name], lang))
    parts = [say(lang, "{name} did not deliver {what}.",
                 name=name, what=join_words(whats, lang)) for name, whats in missing.items()]
    return " ".join(parts) + " " + say(
        lang, "These regions are missing from the parts that rest on those data.") \
        if len(missing) > 1 else " ".join(parts) + " " + say(
        lang, "This region is missing from the parts that rest on those data.")
