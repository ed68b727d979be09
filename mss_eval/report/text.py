"""Report text: the authors' Markdown with computed figures filled in, and generated sentences.

Authors' text
-------------
An author writes one Markdown file per report and chapter in the study's ``texts/`` folder. The
folder tree mirrors the reports::

    texts/
      final/<chapter>.md                  the final report (across all rounds)
      <round>/<chapter>.md                the interim (comparative) report of a round
      <round>/<region>/<chapter>.md       the report of one region in one round

``<chapter>`` is one of the chapter names below, in English or Dutch (``personal.md`` and
``persoonlijk.md`` are the same chapter; having both is an error). A chapter without a file gets
generated text describing its figures. A round cannot be called ``final`` when the study has
authors' texts: the folder would be ambiguous.

=================  ===============  ==============================================
chapter            Dutch file name  what the author writes there
=================  ===============  ==============================================
``summary``        samenvatting     an optional summary before chapter 1
``introduction``   inleiding        introduction, accountability of the data
``mss``            mss              the MSS of the region: history, aims, partners
``administrative`` bestuurlijk      the administrative level
``executive``      uitvoerend       the executive level
``personal``       persoonlijk      the personal level
``conclusions``    conclusies       conclusions and recommendations
``appendix``       bijlage          extra methods text for the appendix
=================  ===============  ==============================================

Placeholders
------------
``{{ region.personal.rating_mean }}`` in a text is replaced by the figure at that path in the report's key
figures (the dictionary also written as ``figures.json``), written the way the report's language
writes numbers. An optional format follows a bar: ``{{ region.personal.rating_mean | 2 }}`` (two
decimals), ``{{ round.personal.spv | percent }}``, ``{{ region.collection.client_interview | int }}``.
Without a format, a figure whose unit is a share is written as a percentage, a count as a whole
number and anything else with one decimal. A placeholder
naming a figure that does not exist is an error naming the file and line; a figure suppressed for
too few respondents is written as the suppression marker, never as its value. A figure that is a
text (an organisation's name from a delivery) is written as literal text: its Markdown
characters are escaped and its line breaks become spaces, so a delivery cannot add a link, an
image or a heading to a report.

Images and links
----------------
A text is published, so what it may point to is limited (docs/security.md). An image is a file
in the study's ``texts/`` folder, named relative to the text (``![Kaart van de regio](kaart.png)``
beside ``texts/2010-1/breda/mss.md``), a PNG, JPEG or GIF of at most 5 MB; every report embeds
it, so the report needs nothing else. A link goes to a web page (``https://``, ``http://``), an
e-mail address (``mailto:``) or a heading of the report (``#...``). Any other image or link
(a web address as image, a path such as ``/etc/hostname`` or ``../../data``, ``//host``,
``file:``) is an error naming the file and line, as an unknown figure is. Raw HTML in a text is
shown as text, never as HTML.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..problems import MESSAGES, Problem, StudyError, message
from ..study import TEXTS_DIR, is_inside, link_outside_problem
from .html import image_type, link_allowed, markdown_tokens
from .style import (
    SUPPRESSED_MARKER,
    check_language,
    format_number,
    format_percent,
    is_missing,
    suppression_note,
)

#: chapter key -> Dutch file name (both spellings are accepted).
CHAPTERS: dict[str, str] = {
    "summary": "samenvatting",
    "introduction": "inleiding",
    "mss": "mss",
    "administrative": "bestuurlijk",
    "executive": "uitvoerend",
    "personal": "persoonlijk",
    "conclusions": "conclusies",
    "appendix": "bijlage",
}

FINAL_FOLDER = "final"

MESSAGES.update({
    "placeholder_unknown": {
        "nl": "onbekend cijfer '{{{{ {name} }}}}' in de tekst.{hint}",
        "en": "unknown figure '{{{{ {name} }}}}' in the text.{hint}",
    },
    "placeholder_unclosed": {
        "nl": "'{{{{' zonder afsluitende '}}}}' op deze regel; een cijfer schrijf je als "
              "{{{{ region.rating.mean }}}}",
        "en": "'{{{{' without a closing '}}}}' on this line; write a figure as "
              "{{{{ region.rating.mean }}}}",
    },
    "placeholder_format": {
        "nl": "onbekende opmaak '{fmt}' bij '{name}'; gebruik een aantal decimalen (bijv. 1), "
              "'int' of 'percent'",
        "en": "unknown format '{fmt}' for '{name}'; use a number of decimals (e.g. 1), 'int' or "
              "'percent'",
    },
    "placeholder_not_a_number": {
        "nl": "'{name}' is geen enkel cijfer maar een groep cijfers; kies een van: {options}",
        "en": "'{name}' is not a single figure but a group of figures; choose one of: {options}",
    },
    "text_chapter_twice": {
        "nl": "hoofdstuk '{chapter}' staat twee keer in {folder}: als {a} en als {b}; "
              "houd er één",
        "en": "chapter '{chapter}' appears twice in {folder}: as {a} and as {b}; keep one",
    },
    "text_image_refused": {
        "nl": "de afbeelding '{value}' kan niet in het rapport: {reason}; een afbeelding is een "
              "PNG-, JPEG- of GIF-bestand in de map texts/, genoemd vanaf de tekst "
              "(bijv. ![Kaart](kaart.png))",
        "en": "the image '{value}' cannot go into the report: {reason}; an image is a PNG, JPEG "
              "or GIF file in the folder texts/, named relative to the text "
              "(e.g. ![Map](map.png))",
    },
    "text_link_refused": {
        "nl": "de link '{value}' kan niet in het rapport; een link gaat naar een webpagina "
              "(https://...), een e-mailadres (mailto:...) of een kop van het rapport (#...)",
        "en": "the link '{value}' cannot go into the report; a link goes to a web page "
              "(https://...), an e-mail address (mailto:...) or a heading of the report (#...)",
    },
    "text_not_utf8": {
        "nl": "de tekst is geen UTF-8; sla het bestand op als UTF-8 (Kladblok: 'Opslaan als', "
              "codering UTF-8)",
        "en": "the text is not UTF-8; save the file as UTF-8",
    },
})

#: Why an image is refused (the ``reason`` of ``text_image_refused``).
_IMAGE_REASONS = {
    "remote": {"nl": "het is een adres op internet of een pad buiten de studie, geen bestand in "
                     "texts/",
               "en": "it is an internet address or a path outside the study, not a file in "
                     "texts/"},
    "outside": {"nl": "het bestand ligt buiten de map texts/ van de studie",
                "en": "the file is outside the study's folder texts/"},
    "missing": {"nl": "het bestand bestaat niet", "en": "the file does not exist"},
    "type": {"nl": "het is geen PNG-, JPEG- of GIF-afbeelding",
             "en": "it is not a PNG, JPEG or GIF image"},
    "size": {"nl": "het bestand is groter dan 5 MB", "en": "the file is larger than 5 MB"},
}

#: The largest image a text may show.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Characters escaped in a figure that is a text, so Markdown reads them as themselves: every
#: ASCII punctuation character (CommonMark lets a backslash escape each of them).
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


class Markdown(str):
    """Markdown the workbench wrote itself (the findings list of ``{{ findings }}``): a
    placeholder inserts it as Markdown, where a figure that is a text is inserted literally."""


def literal_markdown(text: str) -> str:
    """A text as Markdown that shows exactly that text (one line, markup characters escaped)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"[\r\n]+", " ", text))


_PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>[^{}|]*?)\s*(?:\|\s*(?P<fmt>[^{}]*?)\s*)?\}\}")


class PlaceholderError(StudyError):
    """A placeholder in an author's text that cannot be filled (names file and line)."""

    def __init__(self, problems: list[Problem], language: str = "nl"):
        self.language = language
        super().__init__(problems, summary=problems[0].describe(language) if problems else "")

    def __str__(self) -> str:
        return "\n".join(p.describe(self.language) for p in self.problems)


class AuthorTextError(PlaceholderError):
    """An image or link in an author's text that cannot go into a report (names file and
    line)."""


@dataclass(frozen=True)
class AuthorText:
    """One chapter text written by an author."""

    path: Path
    #: the path as the author knows it, relative to the study folder
    relative: str
    chapter: str
    text: str


def texts_folder(study_path: Path | str, round: str | None = None,
                 region: str | None = None) -> Path:
    """The folder holding the authors' texts of one report (see the module docstring)."""
    base = Path(study_path) / TEXTS_DIR
    if round is None:
        return base / FINAL_FOLDER
    if region is None:
        return base / round
    return base / round / region


def author_text(study_path: Path | str, chapter: str, round: str | None = None,
                region: str | None = None, language: str = "nl") -> AuthorText | None:
    """The author's Markdown for a chapter of a report, or None when there is none.

    Parameters
    ----------
    study_path : path
        The study folder.
    chapter : str
        A key of :data:`CHAPTERS` (English).
    round, region : str, optional
        Both for a region report, only ``round`` for a round report, neither for the final report.
    """
    if chapter not in CHAPTERS:
        raise KeyError(f"unknown chapter {chapter!r}; chapters are {', '.join(CHAPTERS)}")
    folder = texts_folder(study_path, round, region)
    names = list(dict.fromkeys([chapter, CHAPTERS[chapter]]))
    found = [folder / f"{n}.md" for n in names if (folder / f"{n}.md").is_file()]
    if not found:
        return None
    study_path = Path(study_path)
    if len(found) > 1:
        rel = _relative(folder, study_path)
        raise StudyError([Problem("text_chapter_twice", message(
            "text_chapter_twice", language, chapter=chapter, folder=rel,
            a=found[0].name, b=found[1].name), file=rel)])
    path = found[0]
    rel = _relative(path, study_path)
    if not is_inside(path, study_path / TEXTS_DIR):
        problem = link_outside_problem(study_path, path, TEXTS_DIR, language)
        raise StudyError([problem], summary=problem.describe(language))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise StudyError([Problem("text_not_utf8", message("text_not_utf8", language),
                                  file=rel)]) from None
    return AuthorText(path=path, relative=rel, chapter=chapter, text=text)


def _relative(path: Path, study_path: Path) -> str:
    try:
        return path.relative_to(study_path).as_posix()
    except ValueError:
        return str(path)


# -- placeholders ------------------------------------------------------------------------------
_MISSING = object()


def _lookup(figures: Mapping[str, Any], name: str) -> Any:
    node: Any = figures
    for part in name.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def figure_paths(figures: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every dotted path to a single figure in a nested key-figures dictionary."""
    out: list[str] = []
    for key, value in figures.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and not _is_leaf_record(value):
            out.extend(figure_paths(value, path + "."))
        else:
            out.append(path)
    return out


def _is_leaf_record(value: Mapping) -> bool:
    # {"value": 7.7, "n": 12, "suppressed": False} counts as one figure
    return "value" in value and set(value) <= {"value", "n", "suppressed", "base", "definition",
                                               "p", "test",
                                               "unit", "ci_low", "ci_high"}


def _format_figure(value: Any, fmt: str | None, language: str) -> tuple[str, bool]:
    """(text, suppressed) for one figure."""
    suppressed = False
    unit = None
    if isinstance(value, Mapping) and "value" in value:
        suppressed = bool(value.get("suppressed"))
        unit = value.get("unit")
        value = value["value"]
    if suppressed or is_missing(value):
        return SUPPRESSED_MARKER, True
    if isinstance(value, bool):
        from .i18n import gettext

        return (gettext(language, "yes") if value else gettext(language, "no")), False
    if isinstance(value, Markdown):
        return str(value), False
    if isinstance(value, str):
        return literal_markdown(value), False
    fmt = (fmt or "").strip()
    if fmt in ("percent", "%"):
        return format_percent(value, 0, language), False
    m = re.fullmatch(r"percent\((\d)\)", fmt)
    if m:
        return format_percent(value, int(m.group(1)), language), False
    if fmt == "int":
        return format_number(value, 0, language), False
    if fmt.isdigit():
        return format_number(value, int(fmt), language), False
    if fmt:
        raise ValueError(fmt)
    # a figure record says what it measures: shares as percentages, counts as whole numbers
    if unit == "share":
        return format_percent(value, 0, language), False
    if unit == "count":
        return format_number(value, 0, language), False
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)
                                  and value == int(value) and abs(value) >= 10):
        return format_number(value, 0, language), False
    return format_number(value, 1, language), False


def fill_placeholders(text: str, figures: Mapping[str, Any], *, language: str = "nl",
                      source: str = "<text>") -> tuple[str, bool]:
    """Replace every ``{{ path }}`` in ``text`` by the figure at that path.

    Parameters
    ----------
    text : str
        Markdown written by an author.
    figures : mapping
        The report's key figures, e.g. ``{"region": {...}, "round": {...}, "study": {...}}``.
    language : {"nl", "en"}
        How numbers are written.
    source : str
        The file name used in error messages (relative to the study folder).

    Returns
    -------
    (str, bool)
        The filled text and whether a suppressed figure was written as the marker.

    Raises
    ------
    PlaceholderError
        For an unknown figure, a group instead of a single figure, an unknown format or an
        unclosed ``{{``: names ``source`` and the line (the first line is 1).
    """
    language = check_language(language)
    any_suppressed = False
    out_lines = []
    problems: list[Problem] = []
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        def replace(match: re.Match) -> str:
            nonlocal any_suppressed
            name, fmt = match.group("name"), match.group("fmt")
            value = _lookup(figures, name)
            if value is _MISSING:
                close = difflib.get_close_matches(name, figure_paths(figures), n=3, cutoff=0.6)
                hint = ""
                if close:
                    hint = (" Bedoelde u " if language == "nl" else " Did you mean ") + \
                        ", ".join(f"'{c}'" for c in close) + "?"
                problems.append(Problem("placeholder_unknown", message(
                    "placeholder_unknown", language, name=name, hint=hint),
                    file=source, line=lineno, value=name))
                return match.group(0)
            if isinstance(value, Mapping) and not _is_leaf_record(value):
                options = ", ".join(f"{name}.{k}" for k in list(value)[:8])
                problems.append(Problem("placeholder_not_a_number", message(
                    "placeholder_not_a_number", language, name=name, options=options),
                    file=source, line=lineno, value=name))
                return match.group(0)
            try:
                rendered, suppressed = _format_figure(value, fmt, language)
            except (ValueError, TypeError):
                problems.append(Problem("placeholder_format", message(
                    "placeholder_format", language, fmt=fmt, name=name),
                    file=source, line=lineno, value=fmt))
                return match.group(0)
            any_suppressed |= suppressed
            return rendered

        filled = _PLACEHOLDER.sub(replace, line)
        if "{{" in filled and not _PLACEHOLDER.search(filled):
            problems.append(Problem("placeholder_unclosed", message("placeholder_unclosed",
                                                                    language),
                                    file=source, line=lineno))
        out_lines.append(filled)
    if problems:
        raise PlaceholderError(problems, language)
    return "".join(out_lines), any_suppressed


# -- authors' Markdown -------------------------------------------------------------------------
def markdown_to_html(text: str, *, shift_headings: int = 2) -> str:
    """An author's Markdown as HTML (see :func:`mss_eval.report.html.markdown_html`)."""
    from .html import markdown_html

    return markdown_html(text, shift_headings=shift_headings)


def _line_of(text: str, *needles: str) -> int | None:
    """The first line holding the first of ``needles`` found (most specific first)."""
    lines = text.splitlines()
    for needle in needles:
        for lineno, line in enumerate(lines, start=1):
            if needle in line:
                return lineno
    return None


def _resources(tokens, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every ``(kind, url)`` of the links and images in mistune's syntax tree."""
    for token in tokens:
        if token.get("type") in ("link", "image"):
            found.append((token["type"], str(token.get("attrs", {}).get("url", ""))))
        _resources(token.get("children") or [], found)
    return found


def author_images(author: AuthorText, markdown: str, *, language: str = "nl") -> dict[str, bytes]:
    """The images an author's (filled) Markdown shows, as ``{url as written: bytes}``.

    Raises
    ------
    AuthorTextError
        For an image that is not a PNG, JPEG or GIF file in the study's ``texts/`` folder, or a
        link that goes elsewhere than a web page, an e-mail address or a heading (see the module
        notes): names the file and line.
    """
    texts_root = _texts_root(author)
    images: dict[str, bytes] = {}
    problems: list[Problem] = []
    for kind, url in _resources(markdown_tokens(markdown), []):
        shown = urllib.parse.unquote(url)
        line = _line_of(markdown, f"]({shown}", f"](<{shown}", f"]({url}", f"<{shown}>", shown,
                        url)
        if kind == "link":
            if not link_allowed(url):
                problems.append(Problem("text_link_refused", message(
                    "text_link_refused", language, value=shown), file=author.relative,
                    line=line, value=shown))
            continue
        if url in images:
            continue
        reason = None
        parsed = urllib.parse.urlsplit(shown)
        if (parsed.scheme or parsed.netloc or shown.startswith(("/", "\\")) or ":" in shown
                or os.path.isabs(shown)):
            reason = "remote"
        else:
            path = author.path.parent / parsed.path
            if not is_inside(path, texts_root):
                reason = "outside"
            elif not path.is_file():
                reason = "missing"
            elif path.stat().st_size > MAX_IMAGE_BYTES:
                reason = "size"
            else:
                data = path.read_bytes()
                if image_type(data) is None:
                    reason = "type"
                else:
                    images[url] = data
        if reason:
            problems.append(Problem("text_image_refused", message(
                "text_image_refused", language, value=shown,
                reason=_IMAGE_REASONS[reason].get(language, _IMAGE_REASONS[reason]["nl"])),
                file=author.relative, line=line, value=shown))
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise AuthorTextError(problems, language)
    return images


def _texts_root(author: AuthorText) -> Path:
    """The study's ``texts/`` folder of an author's text (its relative path starts there)."""
    parts = Path(author.relative).parts
    if len(parts) >= 2 and parts[0] == TEXTS_DIR:
        return author.path.parents[len(parts) - 2]
    return author.path.parent


def render_author_text(author: AuthorText, figures: Mapping[str, Any], *, language: str = "nl",
                       min_respondents: int = 5):
    """An author's chapter text as a report node, with its placeholders filled and its images
    (:func:`author_images`); a placeholder that named a suppressed figure adds the suppression
    note."""
    from .document import AuthorText as AuthorTextNode

    filled, suppressed = fill_placeholders(author.text, figures, language=language,
                                           source=author.relative)
    images = author_images(author, filled, language=language)
    note = suppression_note(language, min_respondents) if suppressed else None
    return AuthorTextNode(filled, note=note, source=author.relative, images=images)


# -- generated sentences ------------------------------------------------------------------------
def say(language: str, message: str, **values: Any) -> str:
    """One generated sentence in the report's language, with already formatted values.

    ``message`` is written in English and translated through the catalog
    (:mod:`mss_eval.report.i18n`); values are inserted with :meth:`str.format` after
    translation. Numbers should be formatted first (:func:`~mss_eval.report.style.format_number`),
    so a sentence never shows ``7.66`` in a Dutch report.
    """
    from .i18n import gettext

    return gettext(check_language(language), message).format(**values)


def say_n(language: str, singular: str, plural: str, count: int, /, **values: Any) -> str:
    """:func:`say` with the singular or plural form for ``count`` (the catalog's plural rule), so
    no word is made plural by appending letters: "Er is 1 werktafel", "Er zijn 2 werktafels".
    ``count`` is also available to the template as ``{n}`` unless ``n`` is given (formatted)."""
    from .i18n import ngettext

    values.setdefault("n", count)
    return ngettext(check_language(language), singular, plural, count).format(**values)


def paragraph(*sentences: str, role: str | None = "generated-text"):
    """Sentences joined into one paragraph node (empty sentences are skipped); None when there
    is nothing to say."""
    from .document import Paragraph

    text = " ".join(s.strip() for s in sentences if s and s.strip())
    return Paragraph.of(text, role=role) if text else None
