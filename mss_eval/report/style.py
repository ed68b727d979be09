"""One look for every report: theme, colours, number formatting and the suppression marker.

Every table and figure of a report goes through this module, so a Dutch report writes ``7,7`` and
``1.234`` and an English one ``7.7`` and ``1,234``, and a suppressed statistic is shown the same way
everywhere: as :data:`SUPPRESSED_MARKER`, explained by :func:`suppression_note`.

The palette is Okabe & Ito's (2008), which stays distinguishable for the common forms of colour
blindness; Likert answers use a diverging pair of its hues around a neutral grey.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Shown in a table cell whose statistic rests on too few respondents. ``x`` follows the Dutch
#: official-statistics convention (CBS: "geheim"); ``-`` would read as "nil" to Dutch readers.
SUPPRESSED_MARKER = "x"
#: Shown in a table cell of a row that rests on nobody: no data arrived for it (an instrument or
#: column the region did not deliver) or nobody answered. ``.`` is the Dutch official-statistics
#: sign for "gegevens ontbreken", so ``x`` keeps meaning "too few respondents" only.
NO_DATA_MARKER = "."

#: Okabe-Ito colours in the order regions get them (yellow last: it is weak on white).
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "pink": "#CC79A7",
    "sky": "#56B4E9",
    "vermillion": "#D55E00",
    "black": "#000000",
    "yellow": "#F0E442",
}
PALETTE: list[str] = list(OKABE_ITO.values())
#: The marker of a round's total ("Totaal") in every figure.
TOTAL_COLOUR = "#333333"
#: The colours regions get: the palette without black, which would read as the total's marker.
REGION_PALETTE: list[str] = [c for c in PALETTE if c != OKABE_ITO["black"]]
NEUTRAL_GREY = "#BBBBBB"

#: Five-point agreement: two disagreeing hues, a neutral grey, two agreeing hues.
LIKERT_COLOURS_5 = ["#D55E00", "#E69F00", NEUTRAL_GREY, "#56B4E9", "#0072B2"]

#: The rings of the personal network, innermost first, from warm (informal) to cool (professional).
RING_COLOURS = ["#D55E00", "#E69F00", "#56B4E9", "#0072B2"]

FONT_FAMILY = "DejaVu Sans"


def relative_luminance(colour: str) -> float:
    """The relative luminance of an sRGB colour (``"#0072B2"``) as WCAG 2.1 defines it."""
    from matplotlib.colors import to_rgb

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
    21.0
    >>> round(contrast_ratio("#0072B2", "white"), 2)
    5.19
    """
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(fill: str) -> str:
    """White or black, whichever reads better on ``fill`` (a value printed on a bar); on every
    colour of the palette that is at least WCAG AA's 4.5:1 for small text."""
    return "white" if contrast_ratio("white", fill) >= contrast_ratio("black", fill) else "black"


#: Pixels per inch of report figures. A 7-inch figure becomes 1008 px: about 1.6 device pixels per
#: CSS pixel at its 16 cm on screen, and 160 px per inch at 16 cm on paper.
FIGURE_DPI = 144

LANGUAGES = ("nl", "en")

_SEPARATORS = {"nl": (",", "."), "en": (".", ",")}  # (decimal, thousands)

_SUPPRESSION_NOTES = {
    "nl": "{marker} = niet getoond: minder dan {k} respondenten, of af te leiden uit een ander "
    "getoond cijfer. Zo blijft niemand herkenbaar.",
    "en": "{marker} = not shown: fewer than {k} respondents, or derivable from another figure "
    "shown. This keeps every respondent unrecognisable.",
}


def check_language(language: str | None) -> str:
    """The report language, ``"nl"`` when not given; anything else than nl/en is an error."""
    language = language or "nl"
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return language


def is_missing(x: object) -> bool:
    """True for None, NaN, pd.NA and NaT (the values a table shows as empty)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def format_number(x: object, decimals: int = 1, language: str = "nl", *,
                  minus: str = "-") -> str:
    """A number written the way readers of the report's language expect.

    Parameters
    ----------
    x : number or None
        The value; ``None``, NaN and ``pd.NA`` give an empty string.
    decimals : int
        Digits after the decimal separator (rounded half away from zero, as in print statistics,
        not Python's banker's rounding).
    language : {"nl", "en"}
        ``nl`` writes a decimal comma and a thousands point (``1.234,5``), ``en`` the reverse
        (CLDR's conventions for nl_NL and en_GB, through Babel's ``format_decimal``).
    minus : str
        The sign of a negative number: a hyphen-minus in tables (as the Dutch official
        statistics print), :data:`~mss_eval.report.i18n.MINUS` (U+2212) in running text of a
        change (see :func:`format_signed`).

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(7.66, 1, "nl")
    '7,7'
    >>> format_number(12345.5, 1, "en")
    '12,345.5'
    >>> format_number(1234, 0, "nl")
    '1.234'
    """
    language = check_language(language)
    if is_missing(x):
        return ""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError("format_number got a boolean; format yes/no answers as labels")
    if not isinstance(x, (numbers.Number, np.number)):
        raise TypeError(f"format_number needs a number, got {type(x).__name__} {x!r}")
    from .i18n import decimal_text

    return decimal_text(float(x), decimals, language, minus=minus)


def _round_half_away(value: float, decimals: int) -> float:
    from .i18n import round_half_away

    return float(round_half_away(value, decimals))


def format_percent(share: object, decimals: int = 0, language: str = "nl") -> str:
    """A share (0-1) as a percentage: ``0.9`` → ``"90%"``; ``0.125`` with 1 decimal → ``"12,5%"``
    (the digits of :func:`format_number`, CLDR's percent sign without a space in both
    languages, as Babel's ``format_percent`` writes it)."""
    if is_missing(share):
        return ""
    return format_number(float(share) * 100, decimals, language) + "%"  # type: ignore[arg-type]


def format_signed(x: object, decimals: int = 1, language: str = "nl", unit: str = "") -> str:
    """A change with its sign: ``+0,7``, ``−17`` (a true minus sign, U+2212, as Dutch
    typography writes it; English text gets the same sign), ``0,0`` without a sign.

    ``unit="pp"`` writes percentage points (``−17 procentpunten`` / ``−17 percentage points``);
    ``x`` is then already in points (a difference of two percentages × 100).

    Examples
    --------
    >>> format_signed(-17, 0, "nl", unit="pp")
    '−17 procentpunten'
    >>> format_signed(0.666, 1, "en")
    '+0.7'
    """
    from .i18n import MINUS, ngettext

    if is_missing(x):
        return ""
    text = format_number(x, decimals, language, minus=MINUS)
    if text and text[0] != MINUS and any(ch not in "0.,\u00a0" for ch in text):
        text = "+" + text
    if unit == "pp":
        value = abs(float(x))  # type: ignore[arg-type]
        one = round(value, decimals) == 1
        text += " " + ngettext(language, "percentage point", "percentage points", 1 if one else 2)
    return text


def format_count(x: object, language: str = "nl") -> str:
    """A whole number with a thousands separator (``1.234`` in Dutch)."""
    return format_number(x, 0, language)


def format_range(low: object, high: object, decimals: int = 1, language: str = "nl") -> str:
    """A confidence interval or range: ``"7,2–8,1"`` (an en dash, no spaces)."""
    if is_missing(low) or is_missing(high):
        return ""
    return f"{format_number(low, decimals, language)}–{format_number(high, decimals, language)}"


def suppression_note(language: str = "nl", min_respondents: int = 5) -> str:
    """The footnote that explains :data:`SUPPRESSED_MARKER` under a table or figure."""
    language = check_language(language)
    return _SUPPRESSION_NOTES[language].format(marker=SUPPRESSED_MARKER, k=min_respondents)


_NO_DATA_NOTES = {
    "nl": "{marker} = geen gegevens: niet aangeleverd of door niemand beantwoord.",
    "en": "{marker} = no data: not delivered or answered by nobody.",
}


def no_data_note(language: str = "nl") -> str:
    """The footnote that explains :data:`NO_DATA_MARKER` under a table.

    Examples
    --------
    >>> no_data_note("en")
    '. = no data: not delivered or answered by nobody.'
    """
    return _NO_DATA_NOTES[check_language(language)].format(marker=NO_DATA_MARKER)


def join_words(words: Sequence[str], language: str = "nl") -> str:
    """``["a", "b", "c"]`` → ``"a, b en c"`` (``"a, b and c"`` in English; Babel's
    ``format_list`` for the report's locale)."""
    from .i18n import list_text

    return list_text(list(words), check_language(language))


def region_colours(region_ids: Sequence[str]) -> dict[str, str]:
    """A fixed colour per region, in study.yaml order, so a region looks the same in every figure."""
    return {r: REGION_PALETTE[i % len(REGION_PALETTE)] for i, r in enumerate(region_ids)}


_theme_set = False

#: The settings of the reports' theme beyond seaborn's ``whitegrid`` style and ``notebook``
#: context.
THEME_RC = {
    "figure.figsize": (7.0, 3.8),
    "figure.dpi": 100,
    "savefig.dpi": FIGURE_DPI,
    "savefig.bbox": "standard",
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": "#E5E5E5",
    "svg.hashsalt": "mss-eval",  # stable ids in SVG output
}


def set_theme(force: bool = False) -> None:
    """Set the one seaborn/matplotlib theme of all reports (idempotent).

    White background with a light horizontal grid, the Okabe-Ito palette, DejaVu Sans, figures
    sized for an A4 text column and saved at a resolution that prints sharply. Figures are saved
    at their own size (no tight bounding box, which would draw every figure twice): the report
    figure functions make room for their labels themselves.
    """
    global _theme_set
    if _theme_set and not force:
        return
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font=FONT_FAMILY,
                  rc=THEME_RC)
    mpl.rcParams["axes.formatter.use_locale"] = False
    _theme_set = True


def theme_is_set() -> bool:
    """Has :func:`set_theme` set the reports' theme in this process?"""
    return _theme_set


def theme_rc() -> dict:
    """The reports' theme as matplotlib settings, for ``matplotlib.rc_context``: what
    :func:`set_theme` sets, without setting it for the whole process."""
    import seaborn as sns
    from matplotlib import cycler  # matplotlib re-exports it; cycler is not our dependency

    rc = dict(sns.plotting_context("notebook"))
    rc.update(sns.axes_style("whitegrid", rc={"font.family": FONT_FAMILY}))
    rc["axes.prop_cycle"] = cycler("color", sns.color_palette(PALETTE))
    rc.update(THEME_RC)
    rc["axes.formatter.use_locale"] = False
    return rc
