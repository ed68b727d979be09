"""The report notebooks' side of a report: setup, the report context, numbered blocks.

A report notebook calls :func:`setup_notebook` once, right after its parameters cell. It sets the
theme, pandas display options and narrow warning filters, loads the study and returns a
:class:`Report`: the context every chapter function of :mod:`mss_eval.report.chapters` takes. The
setup cell's output is the report's title page.

The same objects work without a notebook (``Report(study, round=..., region=...)`` and
``chapters.personal(report)``, a :class:`~mss_eval.report.document.Block` of report nodes), so a
whole report can be built in one Python process.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from .document import AuthorText, Block, Heading, ReportFigure, ReportTable, TitlePage
from .i18n import N_, gettext, ngettext
from .style import check_language, set_theme
from .tables import report_table
from .text import CHAPTERS, author_text, render_author_text

Kind = Literal["region", "round", "final"]



def format_date(day: dt.date, language: str = "nl") -> str:
    """``23 november 2010`` (nl) or ``23 November 2010`` (en): Babel's ``format_date``."""
    from .i18n import date_text

    return date_text(day, check_language(language))


def quiet_known_warnings() -> None:
    """Filter the library warnings we know and cannot fix, narrowly (category and module).

    * pingouin 0.7 calls pandas API that pandas 3 deprecates (``Pandas4Warning`` and
      ``FutureWarning`` raised from pingouin's modules);
    * seaborn 0.13 passes options that pandas 3 and matplotlib 3.10+ deprecate
      (``FutureWarning``/``DeprecationWarning``/``PendingDeprecationWarning`` from seaborn's modules).

    Warnings from our own code and from any other library still show.
    """
    import pandas as pd

    categories = [FutureWarning, DeprecationWarning, PendingDeprecationWarning]
    pandas4 = getattr(pd.errors, "Pandas4Warning", None)
    if pandas4 is not None:
        categories.append(pandas4)
    for module in (r"pingouin(\.|$)", r"seaborn(\.|$)"):
        for category in categories:
            warnings.filterwarnings("ignore", category=category, module=module)


def setup_notebook(
    study: str | Path,
    round: str | None = None,
    region: str | None = None,
    language: str | None = None,
    rendered_by: str | None = None,
) -> "Report":
    """Prepare a report notebook: theme, display options, warning filters, the study, the title.

    Parameters
    ----------
    study : path
        The study folder.
    round, region : str, optional
        Both for a region report, only ``round`` for a round (interim) report, neither for the
        final report.
    language : {"nl", "en"}, optional
        Report language; default the study's ``settings.language``.
    rendered_by : str, optional
        The command that rendered the report (for the provenance appendix).

    Returns
    -------
    Report
        Display it (the last line of the setup cell) to show the title page.
    """
    import pandas as pd

    from ..tidy_cache import load_study_cached

    set_theme()
    quiet_known_warnings()
    pd.set_option("display.max_columns", 40)
    pd.set_option("display.width", 120)
    pd.set_option("display.precision", 2)
    # the tidy cache: a study whose files did not change is read from Parquet (or from
    # memory in a warm report kernel) instead of being validated again for every report
    loaded = load_study_cached(study, on_error="skip", language=language)
    return Report(loaded, round=round, region=region, language=language, rendered_by=rendered_by)


#: A title page names at most this many regions (and says how many there are in all).
TITLE_PAGE_REGIONS = 12


class Report:
    """What a report is about and how it is numbered; every chapter function takes one.

    Attributes
    ----------
    study : mss_eval.tidy.Study
        The loaded study.
    round, region : str or None
        The report's round and region (see :func:`setup_notebook`).
    kind : {"region", "round", "final"}
    language : {"nl", "en"}
    min_respondents : int
        The study's minimum base of a statistic.
    """

    def __init__(self, study: Any, round: str | None = None, region: str | None = None,
                 language: str | None = None, rendered_by: str | None = None,
                 today: dt.date | None = None):
        from ..problems import Problem, StudyError

        self.study = study
        self.config = study.config
        self.language = check_language(language or self.config.settings.language)
        self.round = round
        self.region = region
        self.rendered_by = rendered_by
        self.today = today or dt.date.today()
        if region is not None and round is None:
            raise ValueError("a region report needs its round")
        self.kind: Kind = "region" if region else ("round" if round else "final")
        if round is not None:
            self.config.round(round)  # KeyError for an unknown round
        if region is not None:
            self.config.region(region)
            if region not in self.config.round(round).regions:
                raise ValueError(f"region {region!r} is not part of round {round!r}")
            if (round, region) in set(getattr(study, "skipped", [])):
                mine = [p for p in study.problems if p.round == round and p.region == region
                        and p.severity == "error"]
                raise StudyError(mine or [Problem("region_skipped", f"{region} {round}")],
                                 summary=self._w("region_has_errors").format(
                                     region=self.region_name, n=len(mine)))
        self._chapter = 0
        self._table = 0
        self._figure = 0
        self._key_figures: dict | None = None
        #: Full per-region tables kept for appendix B of a report with many regions:
        #: ``(frame, columns, caption, options)`` each (see ``chapters.many_regions``).
        self.appendix_tables: list[tuple] = []

    # -- words and names ----------------------------------------------------------------------
    #: the words of the title page and the report's names (English message ids of the catalog)
    _WORDS = {
        "region_has_errors": N_("The data of {region} have {n} error(s); fix them "
                                "(mss-eval validate) and render the report again."),
        "round": N_("round"), "report_region": N_("Report"), "report_round": N_("Interim report"),
        "report_final": N_("Final report"), "mss": N_("Community support system"),
        "commissioned_by": N_("Commissioned by"), "period": N_("Period"), "date": N_("Date"),
        "regions": N_("Regions"), "rounds": N_("Rounds"), "synthetic":
        N_("This report was made with synthetic example data: every person, organisation "
           "and answer is invented."), "skipped":
        N_("Left out because of errors in their data: {which}."),
    }

    def _w(self, key: str) -> str:
        return gettext(self.language, self._WORDS[key])

    @property
    def region_name(self) -> str:
        return self.config.region(self.region).name if self.region else ""

    def region_label(self, region_id: str) -> str:
        """A region's display name (``den_haag`` → ``Den Haag``)."""
        try:
            return self.config.region(region_id).name
        except KeyError:
            from ..analysis import TOTAL

            if region_id == TOTAL:
                return gettext(self.language, 'Total')
            return str(region_id)

    @property
    def region_labels(self) -> dict[str, str]:
        from ..analysis import TOTAL

        labels = {r.id: r.name for r in self.config.regions}
        labels[TOTAL] = gettext(self.language, 'Total')
        return labels

    @property
    def round_label(self) -> str:
        return self.config.round(self.round).label if self.round else ""

    @property
    def rounds(self) -> list[str]:
        """The rounds this report covers."""
        return [self.round] if self.round else [r.id for r in self.config.rounds]

    @property
    def regions(self) -> list[str]:
        """The regions this report covers, in study.yaml order (loaded regions only)."""
        skipped = set(getattr(self.study, "skipped", []))
        if self.region:
            return [self.region]
        out = []
        for rnd in self.config.rounds:
            if self.round and rnd.id != self.round:
                continue
            for g in rnd.regions:
                if (rnd.id, g) not in skipped and g not in out:
                    out.append(g)
        return out

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """(round, region) pairs of this report's scope left out for errors in their data."""
        return [(r, g) for r, g in getattr(self.study, "skipped", [])
                if r in self.rounds and (self.region is None or g == self.region)]

    @property
    def comparative(self) -> bool:
        """Round and final reports put regions side by side."""
        return self.kind != "region"

    @property
    def min_respondents(self) -> int:
        return int(self.config.settings.min_respondents)

    @property
    def title(self) -> str:
        if self.kind == "region":
            return f"{self._w('report_region')} {self.region_name}"
        if self.kind == "round":
            return f"{self._w('report_round')} {self.round_label.lower()}" \
                if self.language == "nl" else f"{self._w('report_round')}, {self.round_label}"
        return self._w("report_final")

    def missing_deliveries(self, instrument: str) -> tuple[list[str], list[str]]:
        """Who in this report's scope sent no file of ``instrument``: ``(not delivered, not
        expected)``, as region names (with the round's label in a report over several rounds).

        "Not expected" are the instruments ``study.yaml`` says a region need not deliver
        (``not_expected``); the rest had no file at all. A region left out for errors is not
        counted here (the title page names it).
        """
        files = getattr(self.study, "files", None)
        delivered: set[tuple[str, str]] = set()
        if files is not None and len(files):
            rows = files[files["instrument"] == instrument]
            delivered = set(zip(rows["round"].astype(str), rows["region"].astype(str)))
        skipped = set(getattr(self.study, "skipped", []))
        missing, not_expected = [], []
        for rnd in self.rounds:
            for g in self.config.round(rnd).regions:
                if (self.region and g != self.region) or (rnd, g) in skipped \
                        or (rnd, g) in delivered:
                    continue
                name = self.config.region(g).name
                if len(self.rounds) > 1:
                    name = f"{name} ({self.config.round(rnd).label.lower()})" \
                        if self.language == "nl" else f"{name} ({self.config.round(rnd).label})"
                target = not_expected if instrument in self.config.not_expected(rnd, g) \
                    else missing
                target.append(name)
        return missing, not_expected

    def delivered_any(self, *instruments: str) -> bool:
        """Whether some region of this report's scope sent a file of one of ``instruments``."""
        files = getattr(self.study, "files", None)
        if files is None or not len(files):
            return False
        rows = files[files["instrument"].isin(instruments) & files["round"].isin(self.rounds)]
        if self.region:
            rows = rows[rows["region"] == self.region]
        return bool(len(rows))

    def frame(self, instrument: str):
        """The tidy rows of an instrument in this report's scope (its round and region)."""
        table = self.study[instrument]
        mask = table["round"].isin(self.rounds)
        if self.region:
            mask &= table["region"] == self.region
        return table[mask.fillna(False)]

    # -- numbering ------------------------------------------------------------------------------
    def chapter(self, number: int | str, title: str, lead: str | None = None) -> Heading:
        """A numbered chapter heading (level 1); table and figure numbers restart."""
        self._chapter = number
        self._table = 0
        self._figure = 0
        anchor = f"h-{number}" if isinstance(number, int) else f"h-{_slug(str(number))}"
        return Heading(title, level=1, number=str(number) if isinstance(number, int) else None,
                       anchor=anchor, lead=lead)

    def section(self, number: int, title: str) -> Heading:
        """A numbered section heading within the current chapter (``1.2 Respons``)."""
        prefix = f"{self._chapter}.{number}"
        return Heading(title, level=2, number=prefix, anchor=f"h-{_slug(prefix)}")

    def _next(self, what: str) -> str:
        if what == "table":
            self._table += 1
            n = self._table
        else:
            self._figure += 1
            n = self._figure
        return f"{self._chapter}.{n}"

    def table(self, frame, columns=None, *, caption: str, **kwargs) -> ReportTable:
        """A numbered report table (see :func:`~mss_eval.report.tables.report_table`)."""
        kwargs.setdefault("language", self.language)
        kwargs.setdefault("min_respondents", self.min_respondents)
        number = self._next("table")
        return report_table(frame, columns, caption=caption, number=number,
                            table_id=f"tabel-{_slug(number)}", **kwargs)

    def figure(self, figure: ReportFigure, caption: str | None = None) -> ReportFigure:
        """Give a figure its number (and optionally its caption)."""
        figure.number = self._next("figure")
        figure.figure_id = f"figuur-{_slug(figure.number)}"
        if caption is not None:
            figure.caption = caption
        return figure

    # -- text ----------------------------------------------------------------------------------
    def author_text(self, chapter: str) -> AuthorText | None:
        """The author's text of a chapter, placeholders filled; None when there is none."""
        found = author_text(self.study.path, chapter, round=self.round, region=self.region,
                            language=self.language)
        if found is None:
            return None
        return render_author_text(found, self.placeholder_figures, language=self.language,
                                  min_respondents=self.min_respondents)

    # -- key figures ---------------------------------------------------------------------------
    @property
    def key_figures(self) -> dict:
        """The key figures of this report (the content of its ``figures.json``).

        See :func:`mss_eval.analysis.key_figures.key_figures`: a region report holds
        ``region`` and ``round``, a round report ``round`` and ``regions``, the final report
        ``study``, ``rounds`` and ``changes`` (plus ``meta`` and ``definitions``).
        """
        if self._key_figures is None:
            from ..analysis.key_figures import key_figures

            self._key_figures = _jsonable(key_figures(self.study, round=self.round,
                                                      region=self.region,
                                                      language=self.language))
        return self._key_figures

    @property
    def placeholder_figures(self) -> dict:
        """What an author's placeholder can name: the report's key figures
        (``{{ region.personal.rating_mean }}``, ``{{ round.collection.client_interview }}``)."""
        return self.key_figures

    def publish_key_figures(self) -> Any:
        """Display the key figures for the renderer (it writes them as ``figures.json``).

        In JupyterLab the output shows as a browsable JSON tree; the rendered report leaves it
        out.
        """
        from IPython.display import display

        figures = self.key_figures
        summary = (f"Kerncijfers van dit rapport ({len(figures)} groepen) — het renderscript "
                   f"schrijft ze naar figures.json" if self.language == "nl" else
                   f"Key figures of this report ({len(figures)} groups) — the renderer writes "
                   f"them to figures.json")
        display({"application/json": figures, "text/plain": summary}, raw=True,
                metadata={"mss_eval": {"role": "key_figures"}})

    # -- title page ----------------------------------------------------------------------------
    def title_page(self) -> TitlePage:
        cfg = self.config
        facts: list[tuple[str, str]] = []
        if self.kind == "region":
            subtitle = f"{self._w('mss')} {self.region_name} · {self.round_label}"
            rnd = cfg.round(self.round)
            if rnd.period:
                facts.append((self._w("period"), _period(rnd.period, self.language)))
        elif self.kind == "round":
            subtitle = self._regions_named(self.regions)
            rnd = cfg.round(self.round)
            if rnd.period:
                facts.append((self._w("period"), _period(rnd.period, self.language)))
        else:
            subtitle = "; ".join(r.label for r in cfg.rounds)
            facts.append((self._w("regions"), self._regions_named(self.regions)))
        if cfg.commissioned_by:
            facts.append((self._w("commissioned_by"), cfg.commissioned_by))
        facts.append((self._w("date"), format_date(self.today, self.language)))
        notices = []
        if cfg.synthetic:
            notices.append(self._w("synthetic"))
        if self.skipped:
            which = self._first_names([f"{self.region_label(g)} ({r})" for r, g in self.skipped])
            notices.append(self._w("skipped").format(which=which))
        return TitlePage(title=self.title, study_name=cfg.name, subtitle=subtitle, facts=facts,
                         date=format_date(self.today, self.language), notices=notices)

    def _regions_named(self, regions: Sequence[str]) -> str:
        """The regions of a title page: all names, or for a national round the number and the
        first :data:`TITLE_PAGE_REGIONS` names, so that the title page stays one page."""
        names = [self.region_label(g) for g in regions]
        if len(names) <= TITLE_PAGE_REGIONS:
            return ", ".join(names)
        count = ngettext(self.language, "{n} region", "{n} regions", len(names)).format(
            n=len(names))
        return f"{count}: {self._first_names(names)}"

    def _first_names(self, names: Sequence[str]) -> str:
        """At most :data:`TITLE_PAGE_REGIONS` names, and how many more there are."""
        if len(names) <= TITLE_PAGE_REGIONS:
            return ", ".join(names)
        shown, rest = ", ".join(names[:TITLE_PAGE_REGIONS]), len(names) - TITLE_PAGE_REGIONS
        return gettext(self.language, "{shown} and {rest} more").format(shown=shown, rest=rest)

    def _repr_mimebundle_(self, include=None, exclude=None):
        # the setup cell shows the title page; its metadata tells the renderer the title
        from .document import bundle

        data = bundle([self.title_page()])
        data["text/plain"] = self.title
        return (data,
                {"mss_eval": {"role": "title_page", "title": f"{self.title} · {self.config.name}",
                              "kind": self.kind, "round": self.round, "region": self.region,
                              "language": self.language}})

    def __repr__(self) -> str:
        return f"Report({self.kind}, round={self.round!r}, region={self.region!r})"


def _period(period, language: str) -> str:
    return f"{format_date(period.start, language)} – {format_date(period.end, language)}"


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _jsonable(value: Any) -> Any:
    """Key figures as plain JSON types (pandas NA and NaN as None, numpy scalars as Python)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return [_jsonable(v) for v in value]
    return value


__all__ = ["Block", "Report", "format_date", "quiet_known_warnings", "setup_notebook", "CHAPTERS"]
