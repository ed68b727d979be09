"""Report tables: a tidy result frame turned into a captioned, formatted report table node.

An analysis returns a tidy frame (one row per result, ``n`` and ``suppressed`` columns). A report
table chooses and labels some of its columns, writes every number the way the report's language
does (``7,7`` in Dutch), shows each suppressed statistic as
:data:`~mss_eval.report.style.SUPPRESSED_MARKER` with a footnote, and can put regions side by side
(``pivot``) for the comparative reports. The result is a
:class:`~mss_eval.report.document.ReportTable`: the frame and its column specification (as with
pandas' ``Styler``, the formatting is declared per column and the frame keeps the numbers) and the
display cells that every writer (HTML, Typst, Word) prints, so a report never shows a DataFrame
repr, index or dtype.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"region": ["a", "b"], "n": [14, 3], "mean": [8.04, None],
...                       "suppressed": [False, True]})
>>> t = report_table(frame, columns={"region": "Regio", "n": "n", "mean": "Gemiddelde"},
...                  caption="Rapportcijfer", language="nl")
>>> t.cells["Gemiddelde"].tolist()
['8,0', 'x']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from .document import Col, ReportTable
from .style import (
    NO_DATA_MARKER,
    SUPPRESSED_MARKER,
    check_language,
    format_number,
    format_percent,
    format_range,
    is_missing,
    format_signed,
    no_data_note,
    suppression_note,
)

Kind = Literal["text", "count", "number", "percent", "points", "range"]


def _guess_kind(series: pd.Series) -> Kind:
    if pd.api.types.is_bool_dtype(series.dtype):
        return "text"
    if pd.api.types.is_integer_dtype(series.dtype):
        return "count"
    if pd.api.types.is_float_dtype(series.dtype):
        return "number"
    return "text"


def _decimals(col: Col, kind: Kind | None) -> int:
    if col.decimals is not None:
        return col.decimals
    return 0 if kind in ("percent", "points") else 1


def _format_value(value: Any, col: Col, kind: Kind, language: str) -> str:
    if col.labels is not None and not is_missing(value) and value in col.labels:
        return str(col.labels[value])
    if is_missing(value):
        return ""
    if kind == "count":
        return format_number(value, 0, language)
    if kind == "number":
        return format_number(value, _decimals(col, kind), language)
    if kind == "percent":
        return format_percent(value, _decimals(col, kind), language)
    if kind == "points":
        # a difference of two shares in percentage points, signed: "+12", "−17" (U+2212)
        return format_signed(float(value) * 100, _decimals(col, kind), language)
    if isinstance(value, bool):
        from .i18n import gettext

        return gettext(language, "yes") if value else gettext(language, "no")
    return str(value)


def format_cells(
    frame: pd.DataFrame,
    columns: Sequence[Col],
    *,
    language: str = "nl",
    suppressed: str | None = "suppressed",
    keep: Sequence[str] = (),
    hide: Sequence[str] = (),
) -> pd.DataFrame:
    """Every chosen column of ``frame`` as display strings (suppressed statistics as the marker).

    A statistic is shown as the marker when its row is flagged ``suppressed`` or when it is
    missing in such a row; text columns, ``base`` columns with a known value and the columns in
    ``keep`` (pivot keys) are shown as they are; the columns in ``hide`` (the value of a pivot)
    are hidden in a flagged row whatever their kind. The result has the tidy column names, so it can
    still be pivoted; :func:`report_table` renames them to labels.
    """
    language = check_language(language)
    flags = (
        frame[suppressed].fillna(False).astype(bool).to_numpy()
        if suppressed and suppressed in frame.columns
        else [False] * len(frame)
    )
    # a flagged row that rests on nobody has no data, not too few respondents
    base = next((c.name for c in columns if c.base and c.name in frame.columns),
                "n" if "n" in frame.columns else None)
    empty = (pd.to_numeric(frame[base], errors="coerce").fillna(-1).to_numpy() == 0
             if base else [False] * len(frame))
    markers = [NO_DATA_MARKER if e else SUPPRESSED_MARKER for e in empty]
    out = {}
    for col in columns:
        if col.kind == "range" or "|" in col.name:
            low, high = col.name.split("|")
            scale = 100.0 if col.kind == "percent" else 1.0
            unit = "%" if col.kind == "percent" else ""
            values = [
                marker if flag else (
                    format_range(None if is_missing(a) else float(a) * scale,
                                 None if is_missing(b) else float(b) * scale,
                                 _decimals(col, col.kind), language)
                    + (unit if not is_missing(a) else ""))
                for a, b, flag, marker in zip(frame[low], frame[high], flags, markers)
            ]
            out[col.name] = values
            continue
        series = frame[col.name]
        kind = col.kind or _guess_kind(series)
        col_flags = flags
        if col.suppressed_by and col.suppressed_by in frame.columns:
            own = frame[col.suppressed_by].fillna(False).astype(bool).to_numpy()
            col_flags = [bool(a) or bool(b) for a, b in zip(flags, own)]
        texts = []
        for value, flag, marker in zip(series.tolist(), col_flags, markers):
            is_stat = (kind != "text" and col.labels is None and col.name not in keep) \
                or col.name in hide
            if flag and is_stat and not (col.base and not is_missing(value)):
                texts.append(marker)
            else:
                texts.append(_format_value(value, col, kind, language))
        out[col.name] = texts
    return pd.DataFrame(out, index=range(len(frame)), dtype=object)


def _as_cols(columns: Mapping[str, str] | Sequence[Col | str] | None, frame: pd.DataFrame,
             suppressed: str | None) -> list[Col]:
    if columns is None:
        return [Col(c, c, base=(c == "n")) for c in frame.columns if c != suppressed]
    if isinstance(columns, Mapping):
        return [Col(name, label, base=(name == "n")) for name, label in columns.items()]
    return [c if isinstance(c, Col) else Col(c, c, base=(c == "n")) for c in columns]


def report_table(
    frame: pd.DataFrame,
    columns: Mapping[str, str] | Sequence[Col | str] | None = None,
    *,
    caption: str = "",
    language: str = "nl",
    pivot: tuple[str, str] | None = None,
    pivot_order: Sequence[str] | None = None,
    pivot_labels: Mapping[str, str] | None = None,
    suppressed: str | None = "suppressed",
    min_respondents: int = 5,
    notes: Sequence[str] = (),
    total_label: str | None = None,
    number: str | None = None,
    table_id: str | None = None,
) -> ReportTable:
    """Turn a tidy result frame into a :class:`ReportTable`.

    Parameters
    ----------
    frame : DataFrame
        A tidy result: one row per result, ``n`` and ``suppressed`` columns where the analysis
        provides them.
    columns : mapping name → label, or list of :class:`Col`
        The columns to show, in order, with their header labels. Without it, every column.
    caption : str
        The table's caption (a table number is put before it when ``number`` is given).
    language : {"nl", "en"}
        Number formatting and the footnote's language.
    pivot : (str, str), optional
        ``(spread, value)``: put the values of column ``value`` side by side, one column per value
        of ``spread`` (e.g. ``("region", "n")`` for regions side by side). The other chosen
        columns label the rows.
    pivot_order : list, optional
        The order of the spread columns (study.yaml order of regions); by default first seen.
    pivot_labels : mapping, optional
        Header label per spread value (region id → region name).
    suppressed : str or None
        The suppression flag column.
    min_respondents : int
        Only for the footnote's wording.
    notes : list of str
        Further footnotes, printed under the table.
    total_label : str, optional
        Rows whose first column starts with this label are printed as totals.

    Returns
    -------
    ReportTable
        If any cell is suppressed, the suppression footnote is added automatically.
    """
    language = check_language(language)
    cols = _as_cols(columns, frame, suppressed)
    frame = frame.reset_index(drop=True)
    if pivot is None:
        cells = format_cells(frame, cols, language=language, suppressed=suppressed)
        cells.columns = [c.label for c in cols]
        numeric = frozenset(
            c.label for c in cols if (c.kind or _guess_kind(frame[c.name.split("|")[0]])) != "text"
            and c.labels is None
        )
        row_header = 1
    else:
        spread, value = pivot
        row_cols = [c for c in cols if c.name not in (spread, value)]
        value_col = next((c for c in cols if c.name == value), Col(value, value))
        # the spread value is the statistic itself: a suppressed row hides it, even a count
        value_col = Col(value_col.name, value_col.label, value_col.kind, value_col.decimals,
                        value_col.labels, base=False)
        spread_col = Col(spread, spread, kind="text")
        formatted = format_cells(
            frame, [spread_col, *row_cols, value_col], language=language,
            suppressed=suppressed, keep=[spread], hide=[value],
        )
        formatted[spread] = frame[spread].to_numpy()
        keys = [c.name for c in row_cols]
        order = list(pivot_order) if pivot_order is not None else list(dict.fromkeys(frame[spread]))
        order = [o for o in order if o in set(frame[spread])]
        # row order as first seen, not sorted: the analysis chose a meaningful order
        row_keys = list(dict.fromkeys(map(tuple, formatted[keys].to_numpy().tolist())))
        wide = formatted.pivot_table(index=keys, columns=spread, values=value,
                                     aggfunc="first", observed=True, sort=False)
        wide = wide.reindex(index=pd.MultiIndex.from_tuples(row_keys, names=keys)
                            if len(keys) > 1 else pd.Index([k[0] for k in row_keys], name=keys[0]),
                            columns=order)
        wide = wide.fillna("").reset_index()
        labels = dict(pivot_labels or {})
        wide.columns = [c.label for c in row_cols] + [labels.get(o, str(o)) for o in order]
        cells = wide.astype(object)
        # the spread columns hold the value column's statistic: numbers, unless it is text
        # (a region's profile, "3 / 5" sources), which reads left-aligned like other text
        holds_text = value_col.kind == "text" or value_col.labels is not None
        numeric = frozenset() if holds_text else frozenset(labels.get(o, str(o)) for o in order)
        row_header = len(row_cols)
    totals = frozenset(
        i for i, v in enumerate(cells.iloc[:, 0].tolist())
        if total_label and str(v).startswith(total_label)
    ) if len(cells.columns) else frozenset()
    table = ReportTable(
        cells=cells, caption=caption, notes=list(notes), number=number, language=language,
        row_header=row_header, numeric_columns=numeric, total_rows=totals, table_id=table_id,
        frame=frame, columns=cols,
    )
    if table.has_suppressed:
        table.notes.append(suppression_note(language, min_respondents))
    if table.has_no_data:
        table.notes.append(no_data_note(language))
    return table


def show(table: Any, caption: str | None = None) -> None:
    """Display a report table, figure or block in a notebook (rich display, never a repr).

    ``caption`` replaces the table's caption. Outside IPython the HTML is printed.
    """
    if caption is not None and isinstance(table, ReportTable):
        table.caption = caption
    if isinstance(table, (pd.DataFrame, pd.Series)):
        raise TypeError("show() takes a report table or figure; turn a DataFrame into one with "
                        "report_table() so numbers are formatted and suppression is applied")
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(table.html if hasattr(table, "html") else str(table))
    else:
        display(table)


def labelled(values: Mapping[Any, str] | Callable[[Any], str]) -> Callable[[Any], str]:
    """A label function from a mapping (unknown values pass through as text)."""
    if callable(values):
        return values
    return lambda v: str(values.get(v, v))
