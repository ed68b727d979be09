"""The instruments as a readable codebook, in Markdown or self-contained HTML.

Everything in the codebook derives from the instrument definitions (``questionnaires/*.yaml``) and
the qualitative codebook; the column descriptions are the same as on the templates' explanation
sheets (:func:`mss_eval.templates.explanation_rows`). ``docs/codebook.md`` is the Dutch Markdown
output of ``mss-eval codebook --format md``, committed and tested to be current.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .instruments import Instrument, codebook
from .templates import explanation_rows, select_instruments, words

_DOC_WORDS = {
    "nl": {
        "title": "Codeboek van de instrumenten",
        "intro": "Dit codeboek is gemaakt uit de instrumentdefinities in `questionnaires/` met "
        "`mss-eval codebook`; pas het niet met de hand aan. Per instrument staan de kolommen "
        "zoals ze in de kopregel van een gegevensbestand horen, in de volgorde van de sjablonen. "
        "Een gegevensbestand hoort in `data/<ronde>/<regio>/<instrument>.xlsx` (of `.csv`, `.sav`).",
        "contents": "Inhoud",
        "privacy_title": "Privacyklassen",
        "privacy_intro": "Elke kolom heeft een privacyklasse die bepaalt hoe de werkbank ermee "
        "omgaat.",
        "privacy_names": {
            "identifier": "identificerend",
            "quasi_identifier": "indirect identificerend",
            "free_text": "vrije tekst",
            "none": "—",
        },
        "privacy_class": "klasse",
        "no_class": "geen",
        "meaning": "betekenis",
        "unit": "Eén rij per {unit}.",
        "file": "Bestand: `data/<ronde>/<regio>/{id}.xlsx` (of `.csv`, `.sav`).",
        "one_row_per_region": "Precies één rij per regio per ronde.",
        "id_column": "De kolom `{column}` identificeert een rij; bij het inlezen wordt die "
        "vervangen door een pseudoniem.",
        "scales": "Schalen (score = gemiddelde van de items, omgekeerde items gespiegeld):",
        "scale_line": "{label} (`{key}`): {items}; een score vanaf {min} beantwoorde items.",
        "missing": "Codes voor ontbrekend: {codes}.",
        "columns": "Kolommen",
        "qualitative": "Codeboek kwalitatieve interviews",
        "qualitative_intro": "Een code wordt aangeduid met zijn pad `niveau/sleutel`, "
        "bijvoorbeeld `{example}`. De kolommen `code` van gecodeerde fragmenten en `theme` van "
        "bevindingen gebruiken deze paden.",
        "path": "pad",
        "label": "omschrijving",
        "description": "toelichting",
    },
    "en": {
        "title": "Codebook of the instruments",
        "intro": "This codebook is generated from the instrument definitions in `questionnaires/` "
        "by `mss-eval codebook`; do not edit it by hand. For every instrument it lists the columns "
        "as they belong in the header row of a data file, in template order. A data file belongs "
        "in `data/<round>/<region>/<instrument>.xlsx` (or `.csv`, `.sav`).",
        "contents": "Contents",
        "privacy_title": "Privacy classes",
        "privacy_intro": "Every column has a privacy class that decides how the workbench treats "
        "it.",
        "privacy_names": {
            "identifier": "identifying",
            "quasi_identifier": "indirectly identifying",
            "free_text": "free text",
            "none": "—",
        },
        "privacy_class": "class",
        "no_class": "none",
        "meaning": "meaning",
        "unit": "One row per {unit}.",
        "file": "File: `data/<round>/<region>/{id}.xlsx` (or `.csv`, `.sav`).",
        "one_row_per_region": "Exactly one row per region per round.",
        "id_column": "The column `{column}` identifies a row; it is replaced by a pseudonym when "
        "the data are read.",
        "scales": "Scales (score = mean of the items, reversed items mirrored):",
        "scale_line": "{label} (`{key}`): {items}; a score from {min} answered items.",
        "missing": "Missing-value codes: {codes}.",
        "columns": "Columns",
        "qualitative": "Codebook for qualitative interviews",
        "qualitative_intro": "A code is referred to by its path `level/key`, for example "
        "`{example}`. The column `code` of coded segments and `theme` of findings use these paths.",
        "path": "path",
        "label": "label",
        "description": "explanation",
    },
}

#: The explanation fields shown in the codebook's column tables (the rest go in the text).
_TABLE_FIELDS = ("column", "question", "type", "answers", "range", "missing", "required", "scale",
                 "privacy")


@dataclass
class _Table:
    headers: list[str]
    rows: list[list[str]]
    #: indexes of columns whose cells are code (column names, paths)
    code_columns: frozenset[int] = frozenset()


@dataclass
class _Section:
    anchor: str
    heading: str
    subtitle: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    #: (subheading or None, table)
    tables: list[tuple[str | None, _Table]] = field(default_factory=list)


def _instrument_section(instrument: Instrument, language: str) -> _Section:
    w = words(language)
    d = _DOC_WORDS[language]
    paragraphs = []
    if instrument.description is not None:
        paragraphs.append(instrument.description(language))
    paragraphs.append(d["unit"].format(unit=instrument.unit(language)) + " "
                      + d["file"].format(id=instrument.id))
    if instrument.one_row_per_region:
        paragraphs.append(d["one_row_per_region"])
    if instrument.id_column is not None:
        paragraphs.append(d["id_column"].format(column=instrument.id_column))
    missing: dict[int, str] = {}
    for column in instrument.columns:
        for code, text in column.missing.items():
            missing.setdefault(code, text(language))
    if missing:
        paragraphs.append(d["missing"].format(
            codes="; ".join(f"{code} = {text}" for code, text in sorted(missing.items()))))

    bullets = []
    if instrument.scales:
        paragraphs.append(d["scales"])
        for key, scale in instrument.scales.items():
            items = ", ".join(
                f"`{c.name}`" + (f" ({w['reversed']})" if c.reversed else "")
                for c in instrument.scale_columns(key)
            )
            bullets.append(d["scale_line"].format(label=scale.label(language), key=key,
                                                  items=items, min=scale.min_items))

    rows = []
    for values in explanation_rows(instrument, language):
        column = instrument.column(values["column"])
        cells = dict(values)
        if values["description"]:
            cells["question"] = f"{values['question']} ({values['description']})"
        cells["missing"] = ", ".join(str(code) for code in sorted(column.missing))
        cells["privacy"] = d["privacy_names"][column.privacy]
        rows.append([cells[f] for f in _TABLE_FIELDS])
    headers = [w["headers"][f] for f in _TABLE_FIELDS]
    return _Section(
        anchor=instrument.id,
        heading=instrument.id,
        subtitle=instrument.title(language),
        paragraphs=paragraphs,
        bullets=bullets,
        tables=[(d["columns"], _Table(headers, rows, frozenset({0})))],
    )


def _privacy_section(language: str) -> _Section:
    w = words(language)
    d = _DOC_WORDS[language]
    rows = [[d["privacy_names"][k] if k != "none" else d["no_class"],
             w["privacy"][k].split(": ", 1)[-1]]
            for k in ("identifier", "quasi_identifier", "free_text", "none")]
    return _Section(
        anchor="privacy",
        heading=d["privacy_title"],
        paragraphs=[d["privacy_intro"]],
        tables=[(None, _Table([d["privacy_class"], d["meaning"]], rows))],
    )


def _qualitative_section(language: str) -> _Section:
    d = _DOC_WORDS[language]
    book = codebook()
    tables = []
    for level, lv in book.levels.items():
        described = any(code.description is not None for code in lv.codes)
        rows = [
            [f"{level}/{code.key}", code.label(language)]
            + ([code.description(language) if code.description is not None else ""]
               if described else [])
            for code in lv.codes
        ]
        headers = [d["path"], d["label"]] + ([d["description"]] if described else [])
        tables.append((f"{lv.label(language)} (`{level}`)",
                       _Table(headers, rows, frozenset({0}))))
    return _Section(
        anchor=book.id,
        heading=book.id,
        subtitle=book.title(language),
        paragraphs=[d["qualitative_intro"].format(example=book.paths()[0])],
        tables=tables,
    )


def _sections(language: str) -> list[_Section]:
    words(language)  # checks the language
    sections = [_privacy_section(language)]
    sections += [_instrument_section(i, language) for i in select_instruments()]
    sections.append(_qualitative_section(language))
    return sections


# -- Markdown --------------------------------------------------------------------------------
_CODE_SPAN = re.compile(r"(`[^`]*`)")


def _md_text(text: str) -> str:
    """Escape Markdown outside code spans (table pipes, HTML brackets, emphasis stars)."""
    parts = _CODE_SPAN.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = (parts[i].replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
                    .replace(">", "&gt;").replace("*", "\\*"))
    return "".join(parts)


def github_slug(heading: str) -> str:
    """The anchor GitHub (and most Markdown renderers) give a heading: lower case, punctuation
    dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _md_cell(text: str, code: bool) -> str:
    if not text:
        return ""
    if code:
        return f"`{text}`"
    return _md_text(text).replace("\n", " ")


def codebook_markdown(language: str = "nl") -> str:
    """The codebook of every instrument and the qualitative codebook as Markdown.

    Parameters
    ----------
    language : {"nl", "en"}
        Language of labels and explanations; column names and codes do not change.

    Returns
    -------
    str
        A Markdown document (GitHub flavour: pipe tables) ending in a newline.
    """
    sections = _sections(language)
    d = _DOC_WORDS[language]
    out = [f"# {d['title']}", "", _md_text(d["intro"]), "", f"## {d['contents']}", ""]
    for s in sections:
        title = f"`{s.heading}`" if s.subtitle else s.heading
        suffix = f": {_md_text(s.subtitle)}" if s.subtitle else ""
        out.append(f"- [{title}](#{github_slug(s.heading)}){suffix}")
    out.append("")
    for s in sections:
        out += [f"## {s.heading}", ""]
        if s.subtitle:
            out += [f"**{_md_text(s.subtitle)}**", ""]
        for p in s.paragraphs:
            out += [_md_text(p), ""]
        if s.bullets:
            out += [f"- {_md_text(b)}" for b in s.bullets] + [""]
        for subheading, table in s.tables:
            if subheading:
                out += [f"### {_md_text(subheading)}", ""]
            out.append("| " + " | ".join(_md_text(h) for h in table.headers) + " |")
            out.append("|" + "---|" * len(table.headers))
            for row in table.rows:
                cells = [_md_cell(v, i in table.code_columns) for i, v in enumerate(row)]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# -- HTML ------------------------------------------------------------------------------------
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 78rem; padding: 0 1rem; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; }
h2 small { font-weight: normal; color: #57606a; font-size: 1rem; margin-left: .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f4f8; position: sticky; top: 0; }
tr:nth-child(even) td { background: #f9fafb; }
code { font-family: ui-monospace, "SFMono-Regular", Consolas, monospace; font-size: .85em;
       background: #eff1f3; padding: .05rem .25rem; border-radius: 3px; }
nav ul { columns: 2; }
@media print { th { position: static; } nav ul { columns: 1; } }
""".strip()


def _html_text(text: str) -> str:
    """Escape text and turn `code spans` into <code> elements."""
    parts = _CODE_SPAN.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
        else:
            out.append(html.escape(part))
    return "".join(out)


def codebook_html(language: str = "nl") -> str:
    """The codebook as one self-contained HTML page (inline stylesheet, no external resources).

    Parameters
    ----------
    language : {"nl", "en"}
        Language of labels and explanations; column names and codes do not change.

    Returns
    -------
    str
        An HTML5 document with a table of contents and one table per instrument.
    """
    sections = _sections(language)
    d = _DOC_WORDS[language]
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{language}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(d['title'])}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(d['title'])}</h1>",
        f"<p>{_html_text(d['intro'])}</p>",
        f'<nav><h2 id="contents">{html.escape(d["contents"])}</h2><ul>',
    ]
    for s in sections:
        suffix = f": {html.escape(s.subtitle)}" if s.subtitle else ""
        label = f"<code>{html.escape(s.heading)}</code>" if s.subtitle else html.escape(s.heading)
        out.append(f'<li><a href="#{s.anchor}">{label}</a>{suffix}</li>')
    out.append("</ul></nav>")
    for s in sections:
        out.append(f'<section id="{s.anchor}">')
        heading = f"<code>{html.escape(s.heading)}</code>" if s.subtitle else html.escape(s.heading)
        if s.subtitle:
            heading += f"<small>{html.escape(s.subtitle)}</small>"
        out.append(f"<h2>{heading}</h2>")
        out += [f"<p>{_html_text(p)}</p>" for p in s.paragraphs]
        if s.bullets:
            out.append("<ul>" + "".join(f"<li>{_html_text(b)}</li>" for b in s.bullets) + "</ul>")
        for subheading, table in s.tables:
            if subheading:
                out.append(f"<h3>{_html_text(subheading)}</h3>")
            out.append("<table>")
            out.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
                       + "</tr></thead>")
            out.append("<tbody>")
            for row in table.rows:
                cells = []
                for i, value in enumerate(row):
                    text = html.escape(value)
                    if value and i in table.code_columns:
                        text = f"<code>{text}</code>"
                    cells.append(f"<td>{text}</td>")
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</tbody></table>")
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
