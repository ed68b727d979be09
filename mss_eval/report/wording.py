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


#: Counts written as words in running text (numbers up to twenty, as Dutch and English house
#: styles both have it: "drie regio's", not "3 regio's"); larger counts keep their digits.
_NUMBER_WORDS = {
    "nl": ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien",
           "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien",
           "negentien", "twintig"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
           "eighteen", "nineteen", "twenty"),
}


def number_word(n: int, language: str) -> str:
    """``n`` as a word for running text up to twenty (``drie``), digits above (``25``)."""
    from .style import format_count

    words = _NUMBER_WORDS.get(language)
    if words and 0 <= int(n) < len(words):
        return words[int(n)]
    return format_count(n, language)


def all_regions(k: int, language: str) -> str:
    """"both regions" / "beide regio's" for two, "all three regions" / "alle drie regio's"."""
    if k == 2:
        return say(language, "both regions")
    return say(language, "all {k} regions", k=number_word(k, language))


def none_of_the_regions_compared(k: int, language: str) -> str:
    """"neither of the two regions compared" / "geen van beide vergeleken regio's" for two,
    "none of the three regions compared" / "geen van de drie vergeleken regio's"."""
    if k == 2:
        return say(language, "neither of the two regions compared")
    return say(language, "none of the {k} regions compared", k=number_word(k, language))


def after_colon(text: str, keep: Any = ()) -> str:
    """A sentence as it continues after a colon: its first letter in lower case (no capital
    after a colon, as Dutch and English style have it), unless it starts with a name in
    ``keep`` (a region, an organisation), which keeps its capital."""
    if not text or any(text.startswith(name) for name in keep if name):
        return text
    return text[:1].lower() + text[1:]
