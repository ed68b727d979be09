"""Report figures: seaborn/matplotlib charts with titles, units, n, alt text and one theme.

Two kinds of functions, as in seaborn:

* **drawing functions** take a tidy result frame (as the analyses return it) and ``ax=None``,
  draw on the axes (a new figure of the report's size when none is given) and return the
  ``Axes``, so a researcher can compose, restyle and save charts as with any matplotlib plot;
* **report figures** (``*_figure``) draw the same chart at the report's size, cut a long chart
  into panels that each fit on a page, and return a
  :class:`~mss_eval.report.document.ReportFigure` node: the matplotlib figure(s) with the alt
  text, caption and notes. PNG bytes are made only when a writer needs them
  (:mod:`mss_eval.report.png`).

Keyword arguments are the same across functions: ``language``, ``title``, ``labels`` (value →
label), ``order``, ``n`` and ``suppressed`` column names. A suppressed statistic is never drawn;
the figure says so in its note.

Functions
---------
likert_bars, likert_figure
    Diverging stacked bars for items answered on an agreement scale.
dot_plot_ci, dot_plot_figure
    Region comparisons: a dot per region with its confidence interval.
network_ring_bars, network_ring_figure
    The personal network: persons per ring (innermost first) as stacked bars per region.
collaboration_network, collaboration_network_figure
    The collaboration network of one or more regions, drawn with a fixed layout seed.
share_bars, share_figure
    Grouped horizontal bars of shares (e.g. support needed / received per life domain).
funnel_plot, funnel_figure
    Regions against their number of clients, with funnel limits.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .document import ReportFigure
from .i18n import N_, gettext
from .png import PAD_IN
from .style import (
    LIKERT_COLOURS_5,
    NEUTRAL_GREY,
    PALETTE,
    RING_COLOURS,
    SUPPRESSED_MARKER,
    check_language,
    format_count,
    format_number,
    format_percent,
    is_missing,
    join_words,
    FIGURE_DPI,
    FONT_FAMILY,
    set_theme,
    suppression_note,
    text_colour_on,
    theme_is_set,
    theme_rc,
)

__all__ = ["set_theme", "likert_bars", "likert_figure", "dot_plot_ci", "dot_plot_figure",
           "network_ring_bars", "network_ring_figure", "collaboration_network",
           "collaboration_network_figure", "share_bars", "share_figure", "funnel_plot",
           "funnel_figure", "rounds_small_multiples", "nothing_to_show", "finish", "share_alt",
           "funnel_note"]


def __dir__() -> list[str]:
    # tab completion in JupyterLab: the figure functions, not the modules they use
    return sorted(__all__)


def _themed(function):
    """Draw in the reports' theme without changing matplotlib's global settings.

    A figure the function makes itself (no ``ax``) is drawn inside ``matplotlib.rc_context``
    with the theme; on an ``Axes`` of the caller's the caller's own style holds, as in seaborn.
    After :func:`set_theme` (the report notebooks call it) the theme is global anyway.
    """
    @functools.wraps(function)
    def themed(*args, **kwargs):
        if theme_is_set() or kwargs.get("ax") is not None:
            return function(*args, **kwargs)
        import matplotlib as mpl

        with mpl.rc_context(theme_rc()):
            result = function(*args, **kwargs)
            # matplotlib makes tick labels when first drawn: make them under the theme now
            figures = getattr(result, "figures", None) or [getattr(result, "figure", None)]
            for fig in figures:
                for axes in getattr(fig, "axes", []):
                    axes.xaxis.get_major_ticks()
                    axes.yaxis.get_major_ticks()
        return result

    return themed

class _Words(dict):
    """Words of a figure in one language: the English message ids below, translated through the
    catalog when read (``_W[language]["share"]``)."""

    def __init__(self, words: Mapping[str, str]):
        super().__init__(words)

    def __getitem__(self, language: str) -> dict[str, str]:  # type: ignore[override]
        return {k: gettext(language, v) for k, v in super().items()}


_W = _Words({"figure": N_("Figure"), "n": "n", "not_shown": N_("Not shown (too few respondents)"),
             "persons": N_("mean number of persons"), "share": N_("share (%)"),
             "no_data": N_("No data to show.")})


def finish(fig: Any, *, alt: str, caption: str = "", notes: Sequence[str] = (),
           language: str = "nl") -> ReportFigure:
    """A matplotlib figure (or the list of panels of a long chart) as a report figure node.

    The figure keeps its size; it is laid out and rasterised when a writer asks for its PNG.
    """
    figs = list(fig) if isinstance(fig, (list, tuple)) else [fig]
    width = figs[0].get_size_inches()[0]
    return ReportFigure(figures=figs, alt=alt, caption=caption, notes=list(notes),
                        language=language, width_in=float(width))


#: A chart with more rows than this is drawn compactly: one-line row labels, thinner marks and
#: no value labels (the table that goes with it has the values), ``ROW_IN_COMPACT`` inch a row.
MANY_ROWS = 20
ROW_IN_COMPACT = 0.22
#: At most this many rows per panel, so that a panel fits on an A4 page of the PDF.
ROWS_PER_PANEL = 36


def _panels(items: Sequence[Any]) -> list[list[Any]]:
    """Rows split into panels of at most ``ROWS_PER_PANEL``, as equal in size as possible."""
    items = list(items)
    count = max(1, math.ceil(len(items) / ROWS_PER_PANEL))
    size = math.ceil(len(items) / count) if items else 0
    return [items[i:i + size] for i in range(0, len(items), size)] if items else [[]]


def _row_labels(ax: Any, y: Sequence[float], texts: Sequence[str], compact: bool) -> None:
    """Row labels left of a horizontal chart: tick labels, or for a long chart plain texts.

    A matplotlib tick is two lines and two texts; a chart with 175 rows spends most of its time
    on them, so a compact chart writes its labels as texts where the tick labels would be.
    """
    if not compact:
        ax.set_yticks(y)
        ax.set_yticklabels(texts)
        return
    import matplotlib as mpl

    ax.set_yticks([])
    offset = mpl.transforms.offset_copy(ax.get_yaxis_transform(), fig=ax.figure,
                                        x=-mpl.rcParams["ytick.major.pad"], units="points")
    colour = mpl.rcParams["ytick.labelcolor"]
    colour = mpl.rcParams["ytick.color"] if colour == "inherit" else colour
    for yi, text in zip(y, texts):
        ax.text(0.0, yi, text, transform=offset, ha="right", va="center",
                fontsize=mpl.rcParams["ytick.labelsize"], color=colour)


def _continued(language: str) -> str:
    return gettext(language, 'continued')


def _new_figure(height: float, width: float = 7.0, **kwargs):
    return _subplots(figsize=(width, height), **kwargs)


def _subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], **kwargs):
    """A figure with its own Agg canvas, outside pyplot: nothing to register or leak."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=FIGURE_DPI)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _number_formatter(decimals: int, language: str, percent: bool = False, absolute=False):
    from matplotlib.ticker import FuncFormatter

    def fmt(value, _pos):
        v = abs(value) if absolute else value
        # ticks at halves (1, 1.5, 2, ...) need a decimal, or two ticks would read the same
        places = decimals
        while places < 3 and abs(round(v, places) - v) > 1e-9:
            places += 1
        return format_number(v, places, language) + ("%" if percent else "")

    return FuncFormatter(fmt)


def _legend_below(ax: Any, ncol: int) -> None:
    """A legend of ``ax``'s entries centred under it, on the axes themselves (so that axes in a
    grid each keep their own), just below the axis label, with fewer columns when they would
    not fit the figure's width. Layout (``tight_layout``, the PNG writer) makes room for it."""
    import matplotlib as mpl

    fig = ax.figure
    handles, texts = ax.get_legend_handles_labels()
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    drop = 28.0  # points below the axes when the decorations cannot be measured
    room = fig.bbox.width - 2 * PAD_IN * fig.dpi
    alone = len(fig.axes) == 1
    if renderer is not None:
        box, tight = ax.get_window_extent(renderer), ax.get_tightbbox(renderer)
        drop = max(box.y0 - tight.y0, 0.0) * 72 / fig.dpi + 2
        if not alone:  # in a grid the legend keeps to its own axes' column
            room = min(room, tight.width)
    # a fixed distance in points under the axes, whatever size the layout gives them later;
    # centred on the figure when the axes are its only ones, else on the axes
    below = mpl.transforms.offset_copy(ax.transAxes, fig=fig, y=-drop, units="points")
    anchor = mpl.transforms.blended_transform_factory(
        fig.transFigure if alone else ax.transAxes, below)
    while True:
        legend = ax.legend(handles, texts, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                           bbox_transform=anchor, ncol=ncol, frameon=False, handlelength=1.0,
                           columnspacing=1.2)
        if ncol <= 1 or renderer is None or legend.get_window_extent(renderer).width <= room:
            return
        legend.remove()
        ncol -= 1


def _label(labels: Mapping[Any, str] | None, key: Any) -> str:
    if labels and key in labels:
        return str(labels[key])
    return str(key)


def _wrap(text: str, width: int = 34) -> str:
    """Break a long tick label over lines, so the plot keeps its width."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) if len(text) > width else text


def _flags(frame: pd.DataFrame, suppressed: str | None) -> pd.Series:
    if suppressed and suppressed in frame.columns:
        return frame[suppressed].fillna(False).astype(bool)
    return pd.Series(False, index=frame.index)


def _n_text(n: Any, language: str) -> str:
    return "" if is_missing(n) else f"n = {format_number(n, 0, language)}"


def _empty_text(language: str, suppressed: bool) -> str:
    return (f"{SUPPRESSED_MARKER} = {_W[language]['not_shown']}." if suppressed
            else _W[language]["no_data"])


def nothing_to_show(ax: Any = None, *, title: str = "", language: str = "nl",
                    suppressed: bool = False) -> Any:
    """An axes that says there is nothing to draw: no data, or (``suppressed``) only data
    resting on too few respondents, which carry the suppression marker here as in tables."""
    language = check_language(language)
    if ax is None:
        _, ax = _new_figure(1.2)
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.0, 0.3, _empty_text(language, suppressed), transform=ax.transAxes, fontsize=10)
    return ax


def _empty(title: str, language: str, caption: str, notes: Sequence[str] = (),
           suppressed: bool = False) -> ReportFigure:
    """A report figure with nothing to draw (see :func:`nothing_to_show`)."""
    fig, ax = _new_figure(1.2)
    nothing_to_show(ax, title=title, language=language, suppressed=suppressed)
    text = _empty_text(language, suppressed)
    return finish(fig, alt=f"{title}. {text}", caption=caption, notes=notes, language=language)


# -- Likert items: diverging stacked bars -----------------------------------------------------
def _likert_data(frame, item, answer, share, n, suppressed, answer_order, item_order, neutral):
    answer_order = list(answer_order)
    k = len(answer_order)
    if neutral is None and k % 2 == 1:
        neutral = answer_order[k // 2]
    flags = _flags(frame, suppressed)
    hidden = sorted(set(frame.loc[flags, item]), key=list(frame[item]).index)
    shown = frame.loc[~flags & ~frame[item].isin(hidden)]
    items = [i for i in (item_order or list(dict.fromkeys(frame[item]))) if i in set(shown[item])]
    if not items:
        return answer_order, neutral, hidden, items, None, None
    wide = (shown.pivot_table(index=item, columns=answer, values=share, aggfunc="sum",
                              observed=True)
            .reindex(index=items, columns=answer_order).fillna(0.0) * 100)
    bases = shown.groupby(item, observed=True)[n].max().reindex(items)
    return answer_order, neutral, hidden, items, wide, bases


@_themed
def likert_bars(
    frame: pd.DataFrame,
    *,
    item: str = "item",
    answer: str = "answer",
    share: str = "share",
    n: str = "n",
    suppressed: str | None = "suppressed",
    answer_order: Sequence[str],
    answer_labels: Mapping[str, str] | None = None,
    item_labels: Mapping[str, str] | None = None,
    item_order: Sequence[str] | None = None,
    neutral: str | None = None,
    title: str = "",
    language: str = "nl",
    colours: Sequence[str] | None = None,
    legend: bool = True,
    ax: Any = None,
) -> Any:
    """Diverging stacked bars: one bar per item, disagreement left of zero, agreement right.

    Written with matplotlib's ``barh`` (plot-likert does not work with pandas 3). The neutral
    answer is split half left, half right of zero, so bars are centred on the scale's midpoint.

    Parameters
    ----------
    frame : DataFrame
        One row per item and answer: ``item``, ``answer`` (answer key), ``share`` (0-1 of the
        item's respondents) and ``n`` (the item's base); ``suppressed`` marks items not to show.
    answer_order : list of str
        Answer keys from most negative to most positive (the answer set's order).
    neutral : str, optional
        The middle answer key; by default the middle of an odd-length ``answer_order``.
    legend : bool
        A legend of the answers under the axes (on the axes' figure).
    ax : matplotlib Axes, optional
        Where to draw; a new figure of the report's size when omitted.

    Returns
    -------
    matplotlib Axes
    """
    language = check_language(language)
    answer_order, neutral, hidden, items, wide, bases = _likert_data(
        frame, item, answer, share, n, suppressed, answer_order, item_order, neutral)
    if not items:
        return nothing_to_show(ax, title=title, language=language, suppressed=bool(hidden))
    k = len(answer_order)
    colours = list(colours or (LIKERT_COLOURS_5 if k == 5 else _diverging(k)))
    neg_keys = answer_order[: k // 2]
    left = -(wide[neg_keys].sum(axis=1) + (wide[neutral] / 2 if neutral else 0))
    if ax is None:
        _, ax = _new_figure(0.45 * len(items) + 1.6)
    y = np.arange(len(items))[::-1]
    start = left.to_numpy().copy()
    for key, colour in zip(answer_order, colours):
        widths = wide[key].to_numpy()
        bars = ax.barh(y, widths, left=start, color=colour, edgecolor="white", linewidth=0.6,
                       height=0.7, label=_label(answer_labels, key))
        for rect, value in zip(bars, widths):
            if value >= 8:
                txt_colour = text_colour_on(colour)
                ax.text(rect.get_x() + rect.get_width() / 2, rect.get_y() + rect.get_height() / 2,
                        format_number(value, 0, language), ha="center", va="center",
                        fontsize=8, color=txt_colour)
        start = start + widths
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{_wrap(_label(item_labels, i))}\n({_n_text(bases[i], language)})"
                        for i in items])
    ax.set_xlim(-100, 100)
    ax.xaxis.set_major_formatter(_number_formatter(0, language, percent=True, absolute=True))
    ax.set_xlabel("← " + (gettext(language, 'disagree')) + "   |   "
                  + (gettext(language, 'agree')) + " →   ("
                  + (gettext(language, '% of respondents')) + ")")
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    if legend:
        _legend_below(ax, ncol=min(k, 5))
    return ax


@_themed
def likert_figure(
    frame: pd.DataFrame,
    *,
    item: str = "item",
    answer: str = "answer",
    share: str = "share",
    n: str = "n",
    suppressed: str | None = "suppressed",
    answer_order: Sequence[str],
    answer_labels: Mapping[str, str] | None = None,
    item_labels: Mapping[str, str] | None = None,
    item_order: Sequence[str] | None = None,
    neutral: str | None = None,
    title: str = "",
    caption: str = "",
    language: str = "nl",
    min_respondents: int = 5,
    colours: Sequence[str] | None = None,
) -> ReportFigure:
    """:func:`likert_bars` as a report figure: alt text with each item's agreement and n, a
    note naming the items not shown."""
    language = check_language(language)
    w = _W[language]
    answer_order, neutral, hidden, items, wide, bases = _likert_data(
        frame, item, answer, share, n, suppressed, answer_order, item_order, neutral)
    notes = []
    if hidden:
        notes.append(f"{w['not_shown']}: {join_words([_label(item_labels, i) for i in hidden], language)}.")
    if not items:
        return _empty(title, language, caption, notes, suppressed=bool(hidden))
    fig, ax = _new_figure(0.45 * len(items) + 1.6)
    likert_bars(frame, item=item, answer=answer, share=share, n=n, suppressed=suppressed,
                answer_order=answer_order, answer_labels=answer_labels,
                item_labels=item_labels, item_order=item_order, neutral=neutral, title=title,
                language=language, colours=colours, ax=ax)
    k = len(answer_order)
    agree = wide[answer_order[k - k // 2:]].sum(axis=1)
    alt_parts = [f"{_label(item_labels, i)}: {format_number(agree[i], 0, language)}% "
                 + gettext(language, "agree (fully or partly)")
                 + f", {_n_text(bases[i], language)}" for i in items]
    kind = gettext(language, 'Diverging stacked bar chart')
    alt = f"{kind}{': ' + title if title else ''}. " + "; ".join(alt_parts) + "."
    if hidden:
        notes.append(suppression_note(language, min_respondents))
    return finish(fig, alt=alt, caption=caption, notes=notes, language=language)


def _diverging(k: int) -> list[str]:
    import seaborn as sns

    return [_hex(c) for c in sns.color_palette("PuOr", k)][::-1]


def _hex(rgb) -> str:
    return "#" + "".join(f"{int(round(c * 255)):02X}" for c in rgb[:3])


# -- region comparisons: dot plot with confidence intervals ------------------------------------
def _dot_rows(frame, group, order, suppressed):
    frame = frame.reset_index(drop=True)
    groups = [g for g in (order or list(dict.fromkeys(frame[group]))) if g in set(frame[group])]
    rows = frame.set_index(group).loc[groups] if groups else frame.iloc[:0]
    flags = _flags(rows.reset_index(), suppressed).to_numpy() if groups else np.array([])
    return groups, rows, flags


def _dot_xlim(rows, flags, value, low, high, scale):
    """A common scale for every panel of a long chart (in data units, not scaled)."""
    drawn = rows.loc[[not f for f in flags], [c for c in (value, low, high) if c in rows]]
    span = pd.to_numeric(drawn.stack(), errors="coerce").dropna() * scale
    if not len(span):
        return None
    pad = max(float(span.max() - span.min()) * 0.06, 0.05 * scale)
    return ((float(span.min()) - pad) / scale, (float(span.max()) + pad) / scale)


@_themed
def dot_plot_ci(
    frame: pd.DataFrame,
    *,
    group: str = "region",
    value: str = "mean",
    low: str = "ci_low",
    high: str = "ci_high",
    n: str = "n",
    suppressed: str | None = "suppressed",
    labels: Mapping[Any, str] | None = None,
    order: Sequence[Any] | None = None,
    colours: Mapping[Any, str] | None = None,
    title: str = "",
    xlabel: str = "",
    language: str = "nl",
    percent: bool = False,
    decimals: int = 1,
    xlim: tuple[float, float] | None = None,
    reference: float | None = None,
    compact: bool | None = None,
    ax: Any = None,
) -> Any:
    """A dot per group (region) with its confidence interval; n in the label of each row.

    Parameters
    ----------
    frame : DataFrame
        One row per group with ``value``, ``low``, ``high``, ``n`` and ``suppressed``.
    percent : bool
        Values are shares (0-1), drawn and labelled as percentages.
    reference : float, optional
        A vertical reference line (e.g. the round's overall mean).
    compact : bool, optional
        One-line labels, smaller marks and no value labels; by default for more than
        :data:`MANY_ROWS` groups.
    ax : matplotlib Axes, optional
        Where to draw; a new figure of the report's size when omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> frame = pd.DataFrame({"region": ["Den Haag", "Delft"], "mean": [8.0, 7.4],
    ...                       "ci_low": [7.5, 6.9], "ci_high": [8.5, 7.9], "n": [14, 12]})
    >>> ax = Figure(figsize=(7, 2)).subplots()
    >>> dot_plot_ci(frame, xlim=(1, 10), ax=ax) is ax
    True
    >>> [t.get_text() for t in ax.texts][:2]
    ['8,0', '7,4']
    """
    language = check_language(language)
    groups, rows, flags = _dot_rows(frame, group, order, suppressed)
    if not groups:
        return nothing_to_show(ax, title=title, language=language)
    scale = 100.0 if percent else 1.0
    fmt = (lambda v: format_percent(v, 0, language)) if percent else (
        lambda v: format_number(v, decimals, language))
    compact = len(groups) > MANY_ROWS if compact is None else compact
    if xlim is None and compact:
        xlim = _dot_xlim(rows, flags, value, low, high, scale)

    def tick_label(g) -> str:
        name = _label(labels, g)
        if n not in rows.columns:
            return _short(name, 32) if compact else _wrap(name, 24)
        n_text = _n_text(rows.loc[g].get(n), language)
        return f"{_short(name, 32)} ({n_text})" if compact else f"{_wrap(name, 24)}\n({n_text})"

    if ax is None:
        _, ax = _new_figure((ROW_IN_COMPACT if compact else 0.42) * len(groups) + 1.3)
    y = np.arange(len(groups))[::-1]
    # one artist per kind of mark (and colour), not one per row: a long chart stays cheap
    dots: dict[str, tuple[list[float], list[float]]] = {}
    bars: tuple[list[float], list[float], list[float], list[str]] = ([], [], [], [])
    for yi, g, flag in zip(y, groups, flags):
        row = rows.loc[g]
        colour = (colours or {}).get(g, PALETTE[0])
        v = row[value]
        if flag or is_missing(v):
            ax.text(0.01, yi, SUPPRESSED_MARKER, transform=ax.get_yaxis_transform(),
                    va="center", ha="left", fontsize=10, color="#666666")
            continue
        lo, hi = row.get(low), row.get(high)
        if not (is_missing(lo) or is_missing(hi)):
            for seq, item in zip(bars, (yi, float(lo) * scale, float(hi) * scale, colour)):
                seq.append(item)
        xs, ys = dots.setdefault(colour, ([], []))
        xs.append(float(v) * scale)
        ys.append(yi)
        if not compact:  # a long chart leaves the values to its table
            ax.annotate(fmt(v), (float(v) * scale, yi), xytext=(0, 7),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8.5)
    if bars[0]:
        ax.hlines(bars[0], bars[1], bars[2], colors=bars[3],
                  linewidth=1.6 if compact else 2.2, alpha=0.55)
    for colour, (xs, ys) in dots.items():
        ax.plot(xs, ys, "o", linestyle="none", color=colour,
                markersize=5 if compact else 8, zorder=3)
    _row_labels(ax, y, [tick_label(g) for g in groups], compact)
    ax.set_ylim(-0.7, len(groups) - 0.3)
    if xlim is not None:
        ax.set_xlim(xlim[0] * scale, xlim[1] * scale)
    if reference is not None and not is_missing(reference):
        ax.axvline(float(reference) * scale, color="#777777", linestyle="--", linewidth=0.9)
    ax.xaxis.set_major_formatter(_number_formatter(0 if percent else max(decimals - 1, 0),
                                                   language, percent=percent))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    return ax


@_themed
def dot_plot_figure(
    frame: pd.DataFrame,
    *,
    group: str = "region",
    value: str = "mean",
    low: str = "ci_low",
    high: str = "ci_high",
    n: str = "n",
    suppressed: str | None = "suppressed",
    labels: Mapping[Any, str] | None = None,
    order: Sequence[Any] | None = None,
    colours: Mapping[Any, str] | None = None,
    title: str = "",
    xlabel: str = "",
    caption: str = "",
    language: str = "nl",
    percent: bool = False,
    decimals: int = 1,
    xlim: tuple[float, float] | None = None,
    reference: float | None = None,
    min_respondents: int = 5,
) -> ReportFigure:
    """:func:`dot_plot_ci` as a report figure: a long chart in panels of at most
    :data:`ROWS_PER_PANEL` rows on one scale, alt text with every group's value, interval and n."""
    language = check_language(language)
    w = _W[language]
    groups, rows, flags = _dot_rows(frame, group, order, suppressed)
    if not groups:
        return _empty(title, language, caption)
    scale = 100.0 if percent else 1.0
    fmt = (lambda v: format_percent(v, 0, language)) if percent else (
        lambda v: format_number(v, decimals, language))
    compact = len(groups) > MANY_ROWS
    alt_parts, hidden = [], []
    for g, flag in zip(groups, flags):
        row = rows.loc[g]
        name = _label(labels, g)
        v = row[value]
        if flag or is_missing(v):
            hidden.append(name)
            alt_parts.append(f"{name}: {w['not_shown'].lower()}")
            continue
        lo, hi = row.get(low), row.get(high)
        ci = "" if is_missing(lo) or is_missing(hi) else (
            gettext(language, " (95% CI {lo}–{hi})").format(lo=fmt(lo), hi=fmt(hi)))
        alt_parts.append(f"{name}: {fmt(v)}{ci}, {_n_text(row.get(n), language)}")
    if xlim is None and compact:
        xlim = _dot_xlim(rows, flags, value, low, high, scale)
    figures = []
    for part, chunk in enumerate(_panels(groups)):
        fig, ax = _new_figure((ROW_IN_COMPACT if compact else 0.42) * len(chunk) + 1.3)
        dot_plot_ci(frame, group=group, value=value, low=low, high=high, n=n,
                    suppressed=suppressed, labels=labels, order=chunk, colours=colours,
                    title=(title if part == 0 or not title
                           else f"{title} ({_continued(language)})"),
                    xlabel=xlabel, language=language, percent=percent, decimals=decimals,
                    xlim=xlim, reference=reference, compact=compact, ax=ax)
        figures.append(fig)
    notes = []
    if hidden:
        notes.append(suppression_note(language, min_respondents))
    kind = gettext(language, 'Dot plot with 95% confidence intervals')
    alt = f"{kind}{': ' + title if title else ''}. " + "; ".join(alt_parts) + "."
    return finish(figures, alt=alt, caption=caption, notes=notes, language=language)


# -- the personal network: stacked bars per ring -----------------------------------------------
def _ring_defaults(frame, ring, ring_order, ring_labels):
    """Ring order and labels as the analysis gives them, unless the caller names them."""
    if ring_order is None:
        ring_order = list(dict.fromkeys(frame[ring].astype(str)))
    if ring_labels is None and "label" in frame.columns:
        ring_labels = dict(zip(frame[ring].astype(str), frame["label"].astype(str)))
    return ring_order, ring_labels


def _ring_data(frame, group, ring, value, n, suppressed, ring_order, order):
    flags = _flags(frame, suppressed)
    hidden_groups = list(dict.fromkeys(frame.loc[flags, group]))
    shown = frame.loc[~frame[group].isin(hidden_groups)]
    groups = [g for g in (order or list(dict.fromkeys(frame[group]))) if g in set(shown[group])]
    if not groups:
        return hidden_groups, groups, None, None
    wide = (shown.pivot_table(index=group, columns=ring, values=value, aggfunc="first",
                              observed=True)
            .reindex(index=groups, columns=list(ring_order)).fillna(0.0))
    bases = shown.groupby(group, observed=True)[n].max().reindex(groups)
    return hidden_groups, groups, wide, bases


@_themed
def network_ring_bars(
    frame: pd.DataFrame,
    *,
    group: str = "region",
    ring: str = "ring",
    value: str = "mean",
    n: str = "n",
    suppressed: str | None = "suppressed",
    ring_order: Sequence[str] | None = None,
    ring_labels: Mapping[str, str] | None = None,
    labels: Mapping[Any, str] | None = None,
    order: Sequence[Any] | None = None,
    title: str = "",
    xlabel: str | None = None,
    language: str = "nl",
    compact: bool | None = None,
    xmax: float | None = None,
    legend: bool = True,
    ax: Any = None,
) -> Any:
    """Persons in the personal network per ring as one stacked bar per region.

    Rings go from the innermost (close relatives and friends, warm colours) to the outermost
    (specialised care, cool colours), so a thin informal part shows as a short warm segment.

    Parameters
    ----------
    frame : DataFrame
        One row per group and ring: ``group``, ``ring`` (ring key), ``value`` (mean persons),
        ``n`` and ``suppressed``.
    ring_order : list of str, optional
        Ring keys, innermost first; by default the rings in the order of ``frame`` (as
        :func:`mss_eval.analysis.personal.network_rings` returns them, innermost first).
    ring_labels : mapping, optional
        Ring key -> label; by default the frame's ``label`` column when it has one.
    compact : bool, optional
        One-line labels and no value labels; by default for more than :data:`MANY_ROWS` groups.
    xmax : float, optional
        The end of the scale of a compact chart (default: its longest bar).
    ax : matplotlib Axes, optional
        Where to draw; a new figure of the report's size when omitted.

    Returns
    -------
    matplotlib Axes
    """
    language = check_language(language)
    w = _W[language]
    ring_order, ring_labels = _ring_defaults(frame, ring, ring_order, ring_labels)
    hidden_groups, groups, wide, bases = _ring_data(frame, group, ring, value, n, suppressed,
                                                    ring_order, order)
    if not groups:
        return nothing_to_show(ax, title=title, language=language,
                               suppressed=bool(hidden_groups))
    compact = len(groups) > MANY_ROWS if compact is None else compact
    if ax is None:
        _, ax = _new_figure((ROW_IN_COMPACT if compact else 0.42) * len(groups) + 1.9)
    totals = wide.sum(axis=1)
    y = np.arange(len(groups))[::-1]
    start = np.zeros(len(groups))
    total = totals.loc[groups].to_numpy()
    for key, colour in zip(ring_order, RING_COLOURS * 2):
        widths = wide.loc[groups, key].to_numpy()
        bars = ax.barh(y, widths, left=start, color=colour, edgecolor="white",
                       linewidth=0.4 if compact else 0.6, height=0.7 if compact else 0.6,
                       label=_label(ring_labels, key))
        for rect, v, tot in zip(bars, widths, total):
            # a long chart leaves the values to its table
            if not compact and tot > 0 and v / tot >= 0.07:
                ax.text(rect.get_x() + rect.get_width() / 2,
                        rect.get_y() + rect.get_height() / 2,
                        format_number(v, 1, language), ha="center", va="center", fontsize=8,
                        color=text_colour_on(colour))
        start = start + widths
    if compact:
        labels_ = [f"{_short(_label(labels, g), 32)} ({_n_text(bases[g], language)})"
                   for g in groups]
        end = float(totals.max()) if xmax is None else float(xmax)
        ax.set_xlim(0, max(end, 0.0) * 1.04 or 1.0)
        ax.set_ylim(-0.7, len(groups) - 0.3)
    else:
        labels_ = [f"{_wrap(_label(labels, g), 24)}\n({_n_text(bases[g], language)})"
                   for g in groups]
    _row_labels(ax, y, labels_, compact)
    ax.xaxis.set_major_formatter(_number_formatter(0, language))
    ax.set_xlabel(xlabel or w["persons"])
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    if legend:
        _legend_below(ax, ncol=min(len(ring_order), 2))
    return ax


@_themed
def network_ring_figure(
    frame: pd.DataFrame,
    *,
    group: str = "region",
    ring: str = "ring",
    value: str = "mean",
    n: str = "n",
    suppressed: str | None = "suppressed",
    ring_order: Sequence[str] | None = None,
    ring_labels: Mapping[str, str] | None = None,
    labels: Mapping[Any, str] | None = None,
    order: Sequence[Any] | None = None,
    title: str = "",
    xlabel: str | None = None,
    caption: str = "",
    language: str = "nl",
    min_respondents: int = 5,
) -> ReportFigure:
    """:func:`network_ring_bars` as a report figure: panels for a long chart on one scale, alt
    text with every group's persons per ring, a note naming the groups not shown."""
    language = check_language(language)
    w = _W[language]
    ring_order, ring_labels = _ring_defaults(frame, ring, ring_order, ring_labels)
    hidden_groups, groups, wide, bases = _ring_data(frame, group, ring, value, n, suppressed,
                                                    ring_order, order)
    notes = []
    if hidden_groups:
        notes.append(f"{w['not_shown']}: "
                     f"{join_words([_label(labels, g) for g in hidden_groups], language)}.")
        notes.append(suppression_note(language, min_respondents))
    if not groups:
        return _empty(title, language, caption, notes, suppressed=bool(hidden_groups))
    compact = len(groups) > MANY_ROWS
    # every panel of a long chart gets the same scale
    xmax = float(wide.sum(axis=1).max())
    figures = []
    for part, chunk in enumerate(_panels(groups)):
        fig, ax = _new_figure((ROW_IN_COMPACT if compact else 0.42) * len(chunk) + 1.9)
        network_ring_bars(frame, group=group, ring=ring, value=value, n=n,
                          suppressed=suppressed, ring_order=ring_order,
                          ring_labels=ring_labels, labels=labels, order=chunk,
                          title=(title if part == 0 or not title
                                 else f"{title} ({_continued(language)})"),
                          xlabel=xlabel, language=language, compact=compact, xmax=xmax, ax=ax)
        figures.append(fig)
    alt_parts = []
    for g in groups:
        rings = ", ".join(f"{_label(ring_labels, r)} {format_number(wide.loc[g, r], 1, language)}"
                          for r in ring_order)
        alt_parts.append(f"{_label(labels, g)} ({_n_text(bases[g], language)}): {rings}")
    kind = gettext(language, 'Stacked bar chart of the personal network per ring')
    alt = f"{kind}{': ' + title if title else ''}. " + "; ".join(alt_parts) + "."
    return finish(figures, alt=alt, caption=caption, notes=notes, language=language)


# -- grouped shares ----------------------------------------------------------------------------
def _share_data(frame, category, hue, value, suppressed, category_order, hue_order):
    flags = _flags(frame, suppressed)
    shown = frame.loc[~flags & frame[value].notna()]
    cats = [c for c in (category_order or list(dict.fromkeys(frame[category])))
            if c in set(frame[category])]
    hues = [h for h in (hue_order or list(dict.fromkeys(frame[hue]))) if h in set(frame[hue])]
    return flags, shown, cats, hues


def _share_height(cats: Sequence[Any], hues: Sequence[Any]) -> float:
    return 0.32 * len(cats) * max(len(hues), 1) * 0.55 + 1.8


@_themed
def share_bars(
    frame: pd.DataFrame,
    *,
    category: str,
    hue: str,
    value: str = "share",
    n: str = "n",
    suppressed: str | None = "suppressed",
    category_labels: Mapping[Any, str] | None = None,
    hue_labels: Mapping[Any, str] | None = None,
    category_order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    title: str = "",
    xlabel: str | None = None,
    language: str = "nl",
    legend: bool = True,
    ax: Any = None,
) -> Any:
    """Grouped horizontal bars of shares (0-1), one group per category, one bar per hue.

    Suppressed shares are not drawn; their place shows the suppression marker.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; a new figure of the report's size when omitted.

    Returns
    -------
    matplotlib Axes
    """
    language = check_language(language)
    w = _W[language]
    flags, shown, cats, hues = _share_data(frame, category, hue, value, suppressed,
                                           category_order, hue_order)
    if shown.empty:
        return nothing_to_show(ax, title=title, language=language, suppressed=bool(flags.any()))
    if ax is None:
        _, ax = _new_figure(_share_height(cats, hues))
    height = 0.8 / max(len(hues), 1)
    y0 = np.arange(len(cats))[::-1]
    for j, (h, colour) in enumerate(zip(hues, PALETTE)):
        sub = shown[shown[hue] == h].set_index(category)[value]
        ys = y0 + 0.4 - height * (j + 0.5)
        vals = np.array([float(sub.get(c, np.nan)) * 100 if c in sub.index else np.nan for c in cats])
        ax.barh(ys, np.nan_to_num(vals), height=height * 0.92, color=colour,
                label=_label(hue_labels, h))
        for yy, v, c in zip(ys, vals, cats):
            if not math.isnan(v):
                ax.text(v + 1, yy, format_number(v, 0, language) + "%", va="center", fontsize=7.5)
            elif ((frame[category] == c) & (frame[hue] == h) & flags).any():
                ax.text(1, yy, SUPPRESSED_MARKER, va="center", fontsize=8, color="#666666")
    ax.set_yticks(y0)
    ax.set_yticklabels([_wrap(_label(category_labels, c)) for c in cats])
    ax.set_xlim(0, 108)
    ax.xaxis.set_major_formatter(_number_formatter(0, language, percent=True))
    ax.set_xlabel(xlabel or w["share"])
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    if legend and len(hues) > 1:
        _legend_below(ax, ncol=min(len(hues), 4))
    return ax


@_themed
def share_figure(
    frame: pd.DataFrame,
    *,
    category: str,
    hue: str,
    value: str = "share",
    n: str = "n",
    suppressed: str | None = "suppressed",
    category_labels: Mapping[Any, str] | None = None,
    hue_labels: Mapping[Any, str] | None = None,
    category_order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    title: str = "",
    xlabel: str | None = None,
    caption: str = "",
    language: str = "nl",
    min_respondents: int = 5,
) -> ReportFigure:
    """:func:`share_bars` as a report figure, with alt text and the suppression note."""
    language = check_language(language)
    flags, shown, cats, hues = _share_data(frame, category, hue, value, suppressed,
                                           category_order, hue_order)
    notes = []
    if flags.any():
        notes.append(suppression_note(language, min_respondents))
    if shown.empty:
        return _empty(title, language, caption, notes, suppressed=bool(flags.any()))
    fig, ax = _new_figure(_share_height(cats, hues))
    share_bars(frame, category=category, hue=hue, value=value, n=n, suppressed=suppressed,
               category_labels=category_labels, hue_labels=hue_labels,
               category_order=category_order, hue_order=hue_order, title=title,
               xlabel=xlabel, language=language, ax=ax)
    # one bar per category: the hue is not named (a column name such as "share" never is)
    one_hue = len(hues) == 1
    bars = [(_label(category_labels, c) if one_hue else
             f"{_label(category_labels, c)}: {_label(hue_labels, h)}", v,
             row.get(n) if n in shown.columns else None)
            for c in cats for _, row in shown[shown[category] == c].iterrows()
            for h, v in [(row[hue], row[value])]]
    alt = share_alt(title, bars, language)
    return finish(fig, alt=alt, caption=caption, notes=notes, language=language)


_SHARE_ALT = {
    "nl": {"kind": "Staafdiagram van percentages", "bar": "1 staaf", "bars": "{k} staven",
           "high": "hoogste: {label} met {value}", "low": "laagste: {label} met {value}",
           "n": " (n = {n})", "all": "Alle staven"},
    "en": {"kind": "Bar chart of percentages", "bar": "1 bar", "bars": "{k} bars",
           "high": "highest: {label} at {value}", "low": "lowest: {label} at {value}",
           "n": " (n = {n})", "all": "All bars"},
}


def share_alt(title: str, bars: Sequence[tuple[str, float, Any]], language: str = "nl") -> str:
    """The alt text of a chart of percentages, in the report's language: what it shows, the
    highest and lowest bar with their percentage and number of respondents, then every bar.

    ``bars`` holds ``(label, share, n)`` in the chart's order (a share as a fraction); ``n``
    may be None. Its words
    are in :data:`_SHARE_ALT`, one dictionary per language (a message catalog later).

    Examples
    --------
    >>> share_alt("Zorg", [("Heeft een SPV", 0.25, 12), ("Heeft een woonbegeleider", 0.75, 12)])
    'Staafdiagram van percentages: Zorg. 2 staven; hoogste: Heeft een woonbegeleider met 75% (n = 12); laagste: Heeft een SPV met 25% (n = 12). Alle staven: Heeft een SPV 25%; Heeft een woonbegeleider 75%.'
    """
    words = _SHARE_ALT[check_language(language)]
    head = words["kind"] + (f": {title}" if title else "") + "."
    if not bars:
        return head

    def value(v: float) -> str:
        return format_percent(v, 0, language)

    def counted(label: str, v: float, n: Any, key: str) -> str:
        text = words[key].format(label=label, value=value(v))
        return text + (words["n"].format(n=format_count(n, language))
                       if n is not None and not is_missing(n) else "")

    high = max(bars, key=lambda b: b[1])
    low = min(bars, key=lambda b: b[1])
    count = words["bar"] if len(bars) == 1 else words["bars"].format(k=len(bars))
    summary = [count, counted(*high, "high")]
    if len(bars) > 1:
        summary.append(counted(*low, "low"))
    every = "; ".join(f"{label} {value(v)}" for label, v, _ in bars)
    return f"{head} {'; '.join(summary)}. {words['all']}: {every}."


# -- the collaboration network -----------------------------------------------------------------
def _graphs_from_edges(edges: pd.DataFrame, source: str, target: str, weight: str | None,
                       group: str) -> dict[Any, Any]:
    import networkx as nx

    graphs: dict[Any, Any] = {}
    keys = list(dict.fromkeys(edges[group])) if group in edges.columns else [None]
    for key in keys:
        sub = edges if key is None else edges[edges[group] == key]
        graph = nx.Graph()
        for row in sub.itertuples(index=False):
            s, t = getattr(row, source), getattr(row, target)
            w = float(getattr(row, weight)) if weight and weight in sub.columns else 1.0
            if graph.has_edge(s, t):
                graph[s][t]["weight"] = max(graph[s][t]["weight"], w)
            else:
                graph.add_edge(s, t, weight=w)
        graphs[key] = graph
    return graphs


def _network_keys(networks, order, hidden, source, target, weight, group):
    if isinstance(networks, pd.DataFrame):
        networks = _graphs_from_edges(networks, source, target, weight, group)
    keys = [k for k in (order or list(networks)) if k in networks and k not in set(hidden)]
    keys = [k for k in keys if networks[k].number_of_nodes() > 0]
    return networks, keys


def _network_groups(networks, keys, node_group_labels):
    """Organisation groups in a fixed order, with their colours."""
    group_keys = []
    for k in keys:
        # in sorted node order: colours must not depend on how the graph was built
        for _, data in sorted(networks[k].nodes(data=True), key=lambda nd: str(nd[0])):
            g = data.get("group")
            if g is not None and g not in group_keys:
                group_keys.append(g)
    if node_group_labels:
        group_keys = [g for g in node_group_labels if g in group_keys] + \
            [g for g in group_keys if g not in node_group_labels]
    return group_keys, {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(group_keys)}


def _network_columns(count: int) -> int:
    return 1 if count == 1 else (2 if count <= 4 else 3)


@_themed
def collaboration_network(
    networks: Mapping[Any, Any] | pd.DataFrame,
    *,
    labels: Mapping[Any, str] | None = None,
    order: Sequence[Any] | None = None,
    node_group_labels: Mapping[str, str] | None = None,
    hidden: Sequence[Any] = (),
    language: str = "nl",
    seed: int = 7,
    label_top: int = 4,
    source: str = "source",
    target: str = "target",
    weight: str | None = "weight",
    group: str = "region",
    ax: Any = None,
) -> Any:
    """The collaboration network drawn per region (one axes each), with a fixed layout seed.

    Nodes are organisations coloured by organisation group and sized by degree; the ``label_top``
    most connected organisations of each panel are named. The layout (networkx spring layout with
    ``seed``, nodes in sorted order) is the same in every rendering of the same data.

    Parameters
    ----------
    networks : mapping or DataFrame
        Region (or any key) → networkx graph, nodes with optional attributes ``name`` (shown) and
        ``group`` (organisation group key), edges with ``weight`` (e.g. contact frequency code);
        or an edge list with columns ``group``, ``source``, ``target`` and ``weight``.
    hidden : list
        Keys not drawn because their network rests on too few respondents.
    ax : matplotlib Axes or sequence of Axes, optional
        Where to draw: one axes per network drawn. Without it, a new figure with a grid of
        panels of the report's size.

    Returns
    -------
    matplotlib Axes, or an array of Axes (one per network) when several are drawn
    """
    import networkx as nx

    language = check_language(language)
    networks, keys = _network_keys(networks, order, hidden, source, target, weight, group)
    if not keys:
        return nothing_to_show(ax if ax is None or not _is_axes_list(ax) else
                               np.ravel(ax)[0], language=language, suppressed=bool(hidden))
    cols = _network_columns(len(keys))
    if ax is None:
        rows_ = math.ceil(len(keys) / cols)
        _, grid = _subplots(rows_, cols, figsize=(7.0, {1: 4.2, 2: 3.3, 3: 2.5}[cols] * rows_
                                                  + 0.9), squeeze=False)
        axes = list(grid.flat)
        for spare in axes[len(keys):]:
            spare.set_axis_off()
    else:
        axes = list(np.ravel(ax)) if _is_axes_list(ax) else [ax]
    if len(axes) < len(keys):
        raise ValueError(f"{len(keys)} networks to draw but {len(axes)} axes given")
    group_keys, group_colour = _network_groups(networks, keys, node_group_labels)
    org = gettext(language, 'organisations')
    ties = gettext(language, 'ties')
    for one, key in zip(axes, keys):
        graph = networks[key]
        # sorted nodes and edges: the layout depends on their order, not only on the seed
        ordered = nx.Graph()
        ordered.add_nodes_from(sorted(graph.nodes(data=True), key=lambda nd: str(nd[0])))
        ordered.add_edges_from(sorted(((a, b, d) if str(a) <= str(b) else (b, a, d)
                                       for a, b, d in graph.edges(data=True)),
                                      key=lambda e: (str(e[0]), str(e[1]))))
        pos = nx.spring_layout(ordered, seed=seed, k=1.6 / math.sqrt(max(len(ordered), 1)))
        degree = dict(ordered.degree())
        scale = {1: 1.0, 2: 0.8, 3: 0.55}[cols]
        sizes = [(50 + 38 * degree[v]) * scale for v in ordered.nodes]
        colours = [group_colour.get(ordered.nodes[v].get("group"), NEUTRAL_GREY)
                   for v in ordered.nodes]
        widths = [0.4 + 0.15 * float(d.get("weight", 1) or 1) for *_e, d in ordered.edges(data=True)]
        nx.draw_networkx_edges(ordered, pos, ax=one, edge_color="#A0A0A0", alpha=0.55, width=widths)
        nx.draw_networkx_nodes(ordered, pos, ax=one, node_size=sizes, node_color=colours,
                               edgecolors="white", linewidths=0.8)
        name = {v: str(ordered.nodes[v].get("name", v)) for v in ordered.nodes}
        top = sorted(ordered.nodes, key=lambda v: (-degree[v], name[v]))[:label_top]
        # the most connected organisations get a number on their dot and their full name in a
        # key under the panel: names never overlap each other or run off the panel
        nx.draw_networkx_labels(ordered, pos, labels={v: str(i + 1) for i, v in enumerate(top)},
                                ax=one, font_size=6.5 if cols < 3 else 6,
                                font_family=FONT_FAMILY, font_weight="bold",
                                bbox={"boxstyle": "circle,pad=0.15", "fc": "white",
                                      "ec": "#333333", "lw": 0.5})
        key_text = "\n".join(f"{i + 1}  {name[v]}" for i, v in enumerate(top))
        one.text(0.02, -0.01, key_text, transform=one.transAxes, ha="left", va="top",
                 fontsize=6.5 if cols < 3 else 6, family=FONT_FAMILY, linespacing=1.25)
        heading = _label(labels, key)
        one.set_title(f"{heading}\n{len(ordered)} {org}, {ordered.number_of_edges()} {ties}",
                      fontsize=9 if cols < 3 else 8, loc="center", fontweight="bold")
        one.set_axis_off()
        one.margins(0.12)
    drawn = axes[:len(keys)]
    return drawn[0] if len(drawn) == 1 else np.array(drawn, dtype=object)


def _is_axes_list(ax: Any) -> bool:
    return isinstance(ax, (list, tuple, np.ndarray))


@_themed
def collaboration_network_figure(
    networks: Mapping[Any, Any] | pd.DataFrame,
    *,
    labels: Mapping[Any, str] | None = None,
    order: Sequence[Any] | None = None,
    node_group_labels: Mapping[str, str] | None = None,
    hidden: Sequence[Any] = (),
    title: str = "",
    caption: str = "",
    language: str = "nl",
    seed: int = 7,
    label_top: int = 4,
    min_respondents: int = 5,
    source: str = "source",
    target: str = "target",
    weight: str | None = "weight",
    group: str = "region",
) -> ReportFigure:
    """:func:`collaboration_network` as a report figure: a grid of panels, a legend of the
    organisation groups under it, the title over it, alt text per region (organisations, ties,
    density, the most connected) and a note naming the regions not drawn."""
    import networkx as nx

    language = check_language(language)
    w = _W[language]
    networks, keys = _network_keys(networks, order, hidden, source, target, weight, group)
    notes = []
    if hidden:
        notes.append(f"{w['not_shown']}: {join_words([_label(labels, k) for k in hidden], language)}.")
        notes.append(suppression_note(language, min_respondents))
    if not keys:
        return _empty(title, language, caption, notes, suppressed=bool(hidden))
    cols = _network_columns(len(keys))
    rows_ = math.ceil(len(keys) / cols)
    panel = {1: 4.2, 2: 3.3, 3: 2.5}[cols]
    key_height = 0.13 * label_top + 0.1  # the numbered key under each panel
    fig, axes = _subplots(rows_, cols, figsize=(7.0, (panel + key_height) * rows_ + 0.9),
                          squeeze=False)
    collaboration_network(networks, labels=labels, order=keys,
                          node_group_labels=node_group_labels, language=language, seed=seed,
                          label_top=label_top, ax=list(axes.flat)[:len(keys)])
    for ax in list(axes.flat)[len(keys):]:
        ax.set_axis_off()
    group_keys, group_colour = _network_groups(networks, keys, node_group_labels)
    if group_keys:
        from matplotlib.lines import Line2D

        handles = [Line2D([0], [0], marker="o", linestyle="", markersize=7,
                          markerfacecolor=group_colour[g], markeredgecolor="white",
                          label=_label(node_group_labels, g)) for g in group_keys]
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=2,
                   frameon=False, fontsize=8)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontsize=12, fontweight="bold")
    org = gettext(language, 'organisations')
    ties = gettext(language, 'ties')
    dens = gettext(language, 'density')
    central = gettext(language, 'most connected')
    alt_parts = []
    for key in keys:
        graph = networks[key]
        degree = dict(graph.degree())
        name = {v: str(graph.nodes[v].get("name", v)) for v in graph.nodes}
        top = sorted(graph.nodes, key=lambda v: (-degree[v], name[v]))[:label_top]
        density = nx.density(graph) if len(graph) > 1 else 0.0
        alt_parts.append(f"{_label(labels, key)}: {len(graph)} {org}, "
                         f"{graph.number_of_edges()} {ties}, "
                         f"{dens} {format_number(density, 2, language)}; {central}: "
                         f"{join_words([name[v] for v in top[:3]], language)}")
    kind = gettext(language, 'Network diagram of collaboration')
    alt = f"{kind}{': ' + title if title else ''}. " + "; ".join(alt_parts) + "."
    return finish(fig, alt=alt, caption=caption, notes=notes, language=language)


def _short(name: str, width: int = 22) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


# -- funnel plots: regions against their number of clients ---------------------------------------
_FUNNEL_WORDS = _Words({
    "kind": N_("Funnel plot"), "target": N_("overall"), "inside": N_("inside the 95% limits"),
    "above": N_("above the limits"), "below": N_("below the limits"),
    "n": N_("number of clients (n)"), "limits_95": N_("95% limits"),
    "limits_998": N_("99.8% limits")})


@_themed
def funnel_plot(
    frame: pd.DataFrame,
    *,
    group: str = "region",
    labels: Mapping[Any, str] | None = None,
    title: str = "",
    ylabel: str = "",
    xlabel: str = "",
    language: str = "nl",
    percent: bool = False,
    decimals: int = 1,
    ylim: tuple[float, float] | None = None,
    label_all: bool | None = None,
    ax: Any = None,
) -> Any:
    """A funnel plot (Spiegelhalter 2005) on ``ax``: each region's value against its n.

    ``frame`` is the output of :func:`mss_eval.analysis.multilevel.funnel_data` for one round:
    the horizontal line is its ``target``, the dashed and dotted curves the 95% and 99.8%
    limits at every n (with the overdispersion correction the frame records in ``phi`` /
    ``tau2`` / ``adjustment``). Regions inside the 95% limits are grey dots; regions outside
    are coloured and named. Suppressed regions (too few clients) are not drawn.

    Parameters
    ----------
    xlabel : str, optional
        The horizontal axis' label; by default "number of clients (n)" in ``language``.
    label_all : bool, optional
        Name every region next to its dot (default: with at most 12 regions), otherwise only
        the regions outside the 95% limits.
    ax : matplotlib Axes, optional
        Where to draw; a new figure of the report's size when omitted.

    Returns
    -------
    matplotlib Axes
    """
    from ..analysis.multilevel import funnel_limits

    language = check_language(language)
    w = _FUNNEL_WORDS[language]
    if ax is None:
        _, ax = _new_figure(4.2)
    shown = frame[~_flags(frame, "suppressed").to_numpy() & frame["value"].notna().to_numpy()]
    scale = 100.0 if percent else 1.0
    if shown.empty:
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.0, 0.5, _W[language]["no_data"], transform=ax.transAxes, fontsize=10)
        return ax
    first = shown.iloc[0]
    target, kind = float(first["target"]), str(first["kind"])
    sd = float(first["sd"]) if not is_missing(first.get("sd")) else None
    adjustment = str(first.get("adjustment", "none"))
    phi = float(first["phi"]) if adjustment == "multiplicative" else 1.0
    tau2 = float(first["tau2"]) if adjustment == "additive" else 0.0
    sizes = shown["n"].astype(float).to_numpy()
    grid = np.linspace(max(2.0, sizes.min() * 0.6), sizes.max() * 1.15, 200)
    for coverage, style, name in ((0.95, "--", w["limits_95"]), (0.998, ":", w["limits_998"])):
        low, high = funnel_limits(target, grid, kind=kind, sd=sd, coverage=coverage, phi=phi,
                                  tau2=tau2)
        ax.plot(grid, low * scale, style, color="#555555", linewidth=1.1, label=name)
        ax.plot(grid, high * scale, style, color="#555555", linewidth=1.1)
    ax.axhline(target * scale, color="#333333", linewidth=1.0)
    outside = shown["position"].astype(str).to_numpy() != "inside"
    many = len(shown) > 12
    name_all = (not many) if label_all is None else label_all
    colours = np.where(outside, PALETTE[5], "#9a9a9a")
    ax.scatter(sizes, shown["value"].astype(float).to_numpy() * scale, s=26 if many else 40,
               c=list(colours), edgecolors="white", linewidths=0.6, zorder=3)
    for (_, row), out in zip(shown.iterrows(), outside):
        if name_all or out:
            ax.annotate(_short(_label(labels, row[group]), 18),
                        (float(row["n"]), float(row["value"]) * scale), xytext=(5, 3),
                        textcoords="offset points", fontsize=7.5, color="#222222")
    if ylim is not None:
        ax.set_ylim(ylim[0] * scale, ylim[1] * scale)
    ax.yaxis.set_major_formatter(_number_formatter(0 if percent else max(decimals - 1, 0),
                                                   language, percent=percent))
    ax.set_xlabel(xlabel or w["n"])
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return ax


@_themed
def funnel_figure(
    frame: pd.DataFrame,
    *,
    group: str = "region",
    labels: Mapping[Any, str] | None = None,
    title: str = "",
    ylabel: str = "",
    xlabel: str = "",
    caption: str = "",
    language: str = "nl",
    percent: bool = False,
    decimals: int = 1,
    ylim: tuple[float, float] | None = None,
    min_respondents: int = 5,
) -> ReportFigure:
    """:func:`funnel_plot` as a report figure, with the overdispersion choice as its note.

    The note under the figure says whether the regions differ more than chance allows
    (``phi``) and, if so, how the limits were widened (multiplicative φ or additive τ²); a
    second note names the regions left out for too few clients.
    """
    language = check_language(language)
    w = _FUNNEL_WORDS[language]
    fig, ax = _new_figure(4.2)
    funnel_plot(frame, group=group, labels=labels, title=title, ylabel=ylabel, xlabel=xlabel,
                language=language, percent=percent, decimals=decimals, ylim=ylim, ax=ax)
    fmt = (lambda v: format_percent(v, 0, language)) if percent else (
        lambda v: format_number(v, decimals, language))
    shown = frame[~_flags(frame, "suppressed").to_numpy() & frame["value"].notna().to_numpy()]
    notes = [funnel_note(frame, language)] if len(shown) else []
    if _flags(frame, "suppressed").any():
        notes.append(suppression_note(language, min_respondents))
    parts = []
    for _, row in shown.iterrows():
        where = {"inside": w["inside"]}.get(str(row["position"]),
                                            w["above"] if str(row["position"]).startswith("above")
                                            else w["below"])
        parts.append(f"{_label(labels, row[group])}: {fmt(row['value'])} "
                     f"({_n_text(row['n'], language)}, {where})")
    target = "" if shown.empty else f"{w['target']} {fmt(shown['target'].iloc[0])}; "
    alt = f"{w['kind']}{': ' + title if title else ''}. {target}" + "; ".join(parts) + "."
    return finish(fig, alt=alt, caption=caption, notes=notes, language=language)


def funnel_note(frame: pd.DataFrame, language: str = "nl") -> str:
    """The sentence under a funnel plot: was there overdispersion, and what was done about it."""
    language = check_language(language)
    shown = frame[~_flags(frame, "suppressed").to_numpy()]
    if shown.empty:
        return ""
    first = shown.iloc[0]
    phi = format_number(first["phi"], 2, language)
    adjustment = str(first["adjustment"])
    if adjustment == "none" and not bool(first["overdispersed"]):
        return gettext(language, "Limits without correction: the regions differ no more than "
                                 "chance allows (overdispersion φ = {phi}).").format(phi=phi)
    if adjustment == "multiplicative":
        return gettext(language, "The regions differ more than chance allows (φ = {phi}); the "
                                 "limits are widened by √φ (multiplicative correction)."
                       ).format(phi=phi)
    if adjustment == "additive":
        tau = format_number(math.sqrt(float(first["tau2"])), 2, language)
        return gettext(language, "The regions differ more than chance allows (φ = {phi}); the "
                                 "limits are widened by a between-region spread of τ = {tau} "
                                 "(additive correction).").format(phi=phi, tau=tau)
    return gettext(language, "The regions differ more than chance allows (φ = {phi}); not "
                             "corrected.").format(phi=phi)


# -- key figures over rounds (small multiples) -------------------------------------------------
@_themed
def rounds_small_multiples(frame: pd.DataFrame, *, panels: Sequence[tuple[str, str, str]],
                           rounds: Sequence[str], round_labels: Mapping[str, str],
                           labels: Mapping[Any, str], colours: Mapping[Any, str],
                           title: str = "", language: str = "nl", min_respondents: int = 5,
                           caption: str = "") -> ReportFigure:
    """One small panel per key figure, the rounds along x and a line per region (and the
    rounds' total, drawn in grey with a square marker): how each figure moved over the rounds.

    ``frame`` has ``region, round, figure, value, n, suppressed``; ``panels`` is
    ``(figure, panel title, unit)`` with unit ``share`` (drawn as %) or anything else. A
    suppressed value is left out of its line (the alt text says ``x``).
    """
    import textwrap

    from matplotlib.ticker import FuncFormatter

    language = check_language(language)
    if frame.empty:
        return _empty(title, language, caption)
    k = len(panels)
    fig, axes = _subplots(1, k, figsize=(7.0, 2.6), squeeze=False)
    pos = {r: i for i, r in enumerate(rounds)}
    alt_parts = []
    for ax, (name, panel_title, unit) in zip(axes[0], panels):
        sub = frame[frame["figure"] == name]
        scale = 100.0 if unit == "share" else 1.0
        for region, g in sub.groupby("region", sort=False):
            g = g.assign(_x=g["round"].map(pos)).sort_values("_x")
            shown = g[~g["suppressed"].astype(bool) & g["value"].notna()]
            total = str(region) == "__total__"
            ax.plot(shown["_x"], shown["value"].astype(float) * scale,
                    marker="s" if total else "o", linestyle="--" if total else "-",
                    color=colours.get(region, NEUTRAL_GREY), linewidth=1.4, markersize=4,
                    label=labels.get(region, str(region)))
            values = [SUPPRESSED_MARKER if bool(s) else
                      (format_percent(v, 0, language) if unit == "share"
                       else format_number(v, 1, language))
                      for v, s in zip(g["value"], g["suppressed"])]
            alt_parts.append(f"{panel_title}, {labels.get(region, str(region))}: "
                             + " → ".join(values))
        ax.set_title(panel_title, fontsize=9, loc="left")
        ax.set_xticks(range(len(rounds)))
        ax.set_xticklabels([textwrap.fill(round_labels.get(r, r), 11, break_long_words=False) for r in rounds],
                           fontsize=7, rotation=0)
        ax.set_xlim(-0.3, len(rounds) - 0.7)
        ax.tick_params(axis="y", labelsize=7)
        decimals = 0 if unit == "share" else 1
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos, d=decimals: format_number(v, d, language)))
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 4), fontsize=7,
               frameon=False)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    fig.subplots_adjust(left=0.07, right=0.98, top=0.78 if title else 0.88, bottom=0.32,
                        wspace=0.35)
    kind = gettext(language, "Small multiples of key figures over rounds")
    alt = f"{kind}{': ' + title if title else ''}. " + "; ".join(alt_parts) + "."
    return finish(fig, alt=alt, caption=caption, language=language)
