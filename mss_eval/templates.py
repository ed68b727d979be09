"""Blank data templates per instrument, derived from the instrument definitions.

For every instrument (``questionnaires/<id>.yaml``) this module writes what a region fills in:

* an Excel workbook ``<id>.xlsx`` with

  - a data sheet (``gegevens`` in Dutch, ``data`` in English) first: one header row with the column
    names of :attr:`Instrument.columns` (the names are what the input reader matches; the question
    is in a comment on each header cell), the header frozen, and Excel data validation on rows
    2-1001: a dropdown of answer labels plus the missing-value codes for coded columns, a whole
    number or decimal range (again allowing the missing-value codes) for numeric columns, a date
    range for dates, and a dropdown of codebook paths for columns coded against the qualitative
    codebook;
  - an explanation sheet (``toelichting`` / ``explanation``) describing every column: question,
    type, allowed answers with their codes, range, missing-value codes, required or not, scale and
    privacy class;
  - a hidden sheet (``keuzelijsten`` / ``lists``) holding the dropdown lists, because Excel's inline
    lists cannot hold labels with commas and are limited to 255 characters;

* or, as CSV, ``<id>.csv`` with only the header row, plus one ``codebook.csv`` describing every
  column of the instruments written (the explanation sheet as a table).

CSV files are UTF-8 with a byte-order mark (so Excel shows accented labels correctly) and comma
separated; the input reader also accepts semicolons and Windows-1252.

The files are byte-for-byte reproducible: workbook properties carry a fixed date and the zip
entries a fixed timestamp, so the templates shipped in ``data_templates/`` can be tested as current.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .instruments import Column, Instrument, codebook, instruments as all_instruments

LANGUAGES = ("nl", "en")
FORMATS = ("xlsx", "csv")

DATA_SHEET = {"nl": "gegevens", "en": "data"}
EXPLANATION_SHEET = {"nl": "toelichting", "en": "explanation"}
LISTS_SHEET = {"nl": "keuzelijsten", "en": "lists"}
#: Every sheet a template workbook has; the input reader reads only the data sheet.
TEMPLATE_SHEETS = frozenset(
    name for sheets in (DATA_SHEET, EXPLANATION_SHEET, LISTS_SHEET) for name in sheets.values()
)
#: Data validation covers the first data row (row 2) through this row.
LAST_VALIDATED_ROW = 1001
CODEBOOK_CSV = "codebook.csv"

#: Fixed dates make the files reproducible (the study year of the LPGGz client monitor).
FIXED_DATETIME = dt.datetime(2010, 1, 1, 0, 0, 0)
_ZIP_DATE_TIME = (2010, 1, 1, 0, 0, 0)
#: The dates Excel accepts in a date column.
DATE_RANGE = (dt.date(1990, 1, 1), dt.date(2100, 12, 31))

_WORDS = {
    "nl": {
        "types": {
            "integer": "geheel getal",
            "number": "getal (decimalen toegestaan)",
            "categorical": "keuze uit een lijst",
            "multiple_choice": "meerkeuze-optie (ja/nee)",
            "yes_no": "ja/nee",
            "date": "datum (jjjj-mm-dd)",
            "text": "tekst",
            "identifier": "nummer of code (wordt gepseudonimiseerd)",
        },
        "privacy": {
            "identifier": "identificerend: alleen een nummer of code, nooit een naam, BSN, "
            "geboortedatum of adres; wordt bij het inlezen vervangen door een pseudoniem",
            "quasi_identifier": "indirect identificerend: alleen getoond in samengevoegde "
            "tabellen met voldoende respondenten",
            "free_text": "vrije tekst: geen namen, adressen, telefoonnummers of andere "
            "herkenbare gegevens invullen; komt nooit in een rapport",
            "none": "geen bijzonderheden",
        },
        "yes": "ja",
        "no": "nee",
        "reversed": "omgekeerd gescoord",
        "codebook_code": "code uit het kwalitatieve codeboek (niveau/thema)",
        "unique": "uniek per bestand",
        "references": "moet voorkomen in {ref}",
        "headers": {
            "instrument": "instrument",
            "column": "kolom",
            "question": "vraag",
            "description": "toelichting",
            "type": "type",
            "answers": "toegestane antwoorden (code = label)",
            "range": "bereik",
            "missing": "codes voor ontbrekend",
            "required": "verplicht",
            "scale": "schaal",
            "privacy": "privacy",
        },
        "title": "{title}: toelichting bij het invullen",
        "unit": "Eén rij per {unit}. Sla het ingevulde bestand op als "
        "data/<ronde>/<regio>/{id}.xlsx (of .csv).",
        "howto": "Laat de kopregel op blad '{sheet}' ongewijzigd: bij het inlezen worden de "
        "kolommen op naam herkend. Kies een antwoord uit de keuzelijst of vul de code uit deze "
        "toelichting in; laat een cel leeg als er geen antwoord is, of gebruik een code voor "
        "ontbrekend.",
        "privacy_warning": "Let op: vul nooit namen, adressen, telefoonnummers, e-mailadressen, "
        "BSN of geboortedata in. Gebruik voor respondenten een nummer; dat wordt bij het inlezen "
        "vervangen door een pseudoniem.",
        "list_error_title": "Ongeldig antwoord",
        "list_error": "Kies een antwoord uit de keuzelijst. Codes voor ontbrekend staan onderaan "
        "de lijst; alle codes staan op het blad '{sheet}'.",
        "range_error_title": "Ongeldig getal",
        "range_error": "Vul {what} in{range}{missing}.",
        "whole": "een geheel getal",
        "decimal": "een getal",
        "range_part": " van {lo} tot en met {hi}",
        "missing_part": ", of een code voor ontbrekend ({codes})",
        "date_error_title": "Ongeldige datum",
        "date_error": "Vul een datum in tussen {lo} en {hi} (jjjj-mm-dd).",
        "prompt_identifier_title": "Alleen een nummer",
        "prompt_identifier": "Een nummer of code, nooit een naam, BSN, geboortedatum of adres.",
        "prompt_free_text_title": "Geen herkenbare gegevens",
        "prompt_free_text": "Geen namen, adressen, telefoonnummers of andere herkenbare gegevens.",
    },
    "en": {
        "types": {
            "integer": "whole number",
            "number": "number (decimals allowed)",
            "categorical": "choice from a list",
            "multiple_choice": "multiple-choice option (yes/no)",
            "yes_no": "yes/no",
            "date": "date (yyyy-mm-dd)",
            "text": "text",
            "identifier": "number or code (pseudonymised)",
        },
        "privacy": {
            "identifier": "identifying: only a number or code, never a name, citizen service "
            "number, date of birth or address; replaced by a pseudonym when read",
            "quasi_identifier": "indirectly identifying: only shown in aggregated tables with "
            "enough respondents",
            "free_text": "free text: do not enter names, addresses, phone numbers or other "
            "identifying details; never shown in a report",
            "none": "nothing special",
        },
        "yes": "yes",
        "no": "no",
        "reversed": "reversed",
        "codebook_code": "code from the qualitative codebook (level/theme)",
        "unique": "unique within a file",
        "references": "must occur in {ref}",
        "headers": {
            "instrument": "instrument",
            "column": "column",
            "question": "question",
            "description": "explanation",
            "type": "type",
            "answers": "allowed answers (code = label)",
            "range": "range",
            "missing": "missing-value codes",
            "required": "required",
            "scale": "scale",
            "privacy": "privacy",
        },
        "title": "{title}: how to fill in",
        "unit": "One row per {unit}. Save the completed file as "
        "data/<round>/<region>/{id}.xlsx (or .csv).",
        "howto": "Leave the header row of sheet '{sheet}' unchanged: columns are recognised by "
        "name when the file is read. Choose an answer from the dropdown list or enter the code "
        "from this explanation; leave a cell empty when there is no answer, or use a "
        "missing-value code.",
        "privacy_warning": "Never enter names, addresses, phone numbers, e-mail addresses, "
        "citizen service numbers or dates of birth. Use a number for respondents; it is replaced "
        "by a pseudonym when the file is read.",
        "list_error_title": "Invalid answer",
        "list_error": "Choose an answer from the dropdown list. Missing-value codes are at the "
        "end of the list; all codes are on sheet '{sheet}'.",
        "range_error_title": "Invalid number",
        "range_error": "Enter {what}{range}{missing}.",
        "whole": "a whole number",
        "decimal": "a number",
        "range_part": " from {lo} to {hi}",
        "missing_part": ", or a missing-value code ({codes})",
        "date_error_title": "Invalid date",
        "date_error": "Enter a date between {lo} and {hi} (yyyy-mm-dd).",
        "prompt_identifier_title": "Only a number",
        "prompt_identifier": "A number or code, never a name, citizen service number, date of "
        "birth or address.",
        "prompt_free_text_title": "No identifying details",
        "prompt_free_text": "No names, addresses, phone numbers or other identifying details.",
    },
}

#: The fields of the explanation sheet and codebook.csv, in order.
EXPLANATION_FIELDS = (
    "column",
    "question",
    "description",
    "type",
    "answers",
    "range",
    "missing",
    "required",
    "scale",
    "privacy",
)


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")


def words(language: str = "nl") -> dict:
    """The fixed texts of templates and codebook documents in one language."""
    _check_language(language)
    return _WORDS[language]


# -- describing a column in words ------------------------------------------------------------
def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def type_description(instrument: Instrument, column: Column, language: str = "nl") -> str:
    """The column's type in a researcher's words (a multiple-choice option is named as such)."""
    w = words(language)
    if column.option is not None and instrument.item(column.item).type == "multiple_choice":
        return w["types"]["multiple_choice"]
    if column.vocabulary == "qualitative_codebook":
        return w["codebook_code"]
    return w["types"][column.type]


def answers_description(column: Column, language: str = "nl") -> str:
    """Allowed answers as ``code = label`` joined by ``; `` (empty for uncoded columns)."""
    if column.answers is None:
        return ""
    return "; ".join(f"{a.code} = {a.label(language)}" for a in column.answers.answers)


def range_description(column: Column) -> str:
    """The valid range as ``lo–hi`` (empty without a range)."""
    if column.range is None:
        return ""
    lo, hi = column.range
    return f"{_number(lo)}–{_number(hi)}"


def missing_description(column: Column, language: str = "nl") -> str:
    """The missing-value codes as ``code = label`` joined by ``; ``."""
    return "; ".join(f"{code} = {text(language)}" for code, text in sorted(column.missing.items()))


def scale_description(instrument: Instrument, column: Column, language: str = "nl") -> str:
    """The scale a column belongs to, with a note when it is scored in reverse."""
    if column.scale is None:
        return ""
    text = instrument.scales[column.scale].label(language)
    return f"{text} ({words(language)['reversed']})" if column.reversed else text


def privacy_description(column: Column, language: str = "nl") -> str:
    """The privacy class in words, with what a researcher must (not) enter."""
    return words(language)["privacy"][column.privacy]


def _description(column: Column, language: str) -> str:
    w = words(language)
    parts = []
    if column.description is not None:
        parts.append(column.description(language))
    if column.unique:
        parts.append(w["unique"])
    if column.references:
        parts.append(w["references"].format(ref=column.references))
    return "; ".join(parts)


def explanation_rows(instrument: Instrument, language: str = "nl") -> list[dict[str, str]]:
    """One row per data column describing it; keys are :data:`EXPLANATION_FIELDS`.

    Used for the explanation sheet, ``codebook.csv`` and the codebook documents, so they always
    say the same.
    """
    w = words(language)
    rows = []
    for column in instrument.columns:
        rows.append(
            {
                "column": column.name,
                "question": column.label(language),
                "description": _description(column, language),
                "type": type_description(instrument, column, language),
                "answers": answers_description(column, language),
                "range": range_description(column),
                "missing": missing_description(column, language),
                "required": w["yes"] if column.required else w["no"],
                "scale": scale_description(instrument, column, language),
                "privacy": privacy_description(column, language),
            }
        )
    return rows


def dropdown_values(column: Column, language: str = "nl") -> list[str | int] | None:
    """What a template's dropdown offers for a column, or ``None`` for a column without one.

    Coded columns offer their answer labels (which the input reader accepts in place of codes)
    followed by the column's missing-value codes as numbers; columns coded against the
    qualitative codebook offer the code paths (``level/key``).
    """
    if column.answers is not None:
        values: list[str | int] = [a.label(language) for a in column.answers.answers]
        return values + sorted(column.missing)
    if column.vocabulary == "qualitative_codebook":
        return list(codebook().paths())
    return None


# -- xlsx ------------------------------------------------------------------------------------
def _comment_text(instrument: Instrument, column: Column, language: str) -> str:
    lines = [column.label(language)]
    if column.description is not None:
        lines.append(column.description(language))
    lines.append(type_description(instrument, column, language))
    if column.range is not None:
        lines.append(range_description(column))
    if column.missing:
        lines.append(missing_description(column, language))
    return "\n".join(lines)


def _numeric_validation(column: Column, ref: str, language: str):
    from openpyxl.worksheet.datavalidation import DataValidation

    w = words(language)
    conditions = [f"ISNUMBER({ref})"]
    if column.type == "integer":
        conditions.append(f"{ref}=INT({ref})")
    if column.range is not None:
        lo, hi = column.range
        conditions += [f"{ref}>={_number(lo)}", f"{ref}<={_number(hi)}"]
    formula = f"AND({','.join(conditions)})"
    codes = sorted(column.missing)
    if codes:
        formula = f"OR({formula},{','.join(f'{ref}={code}' for code in codes)})"
    error = w["range_error"].format(
        what=w["whole"] if column.type == "integer" else w["decimal"],
        range=(
            w["range_part"].format(lo=_number(column.range[0]), hi=_number(column.range[1]))
            if column.range is not None
            else ""
        ),
        missing=w["missing_part"].format(codes=", ".join(map(str, codes))) if codes else "",
    )
    return DataValidation(
        type="custom",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=w["range_error_title"],
        error=error,
    )


def _date_validation(language: str):
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    w = words(language)
    lo, hi = DATE_RANGE
    return DataValidation(
        type="date",
        operator="between",
        formula1=str(int(to_excel(lo))),
        formula2=str(int(to_excel(hi))),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=w["date_error_title"],
        error=w["date_error"].format(lo=lo.isoformat(), hi=hi.isoformat()),
    )


def _prompt_validation(column: Column, language: str):
    """An input message (no restriction) warning against identifying details."""
    from openpyxl.worksheet.datavalidation import DataValidation

    w = words(language)
    kind = "identifier" if column.privacy == "identifier" else "free_text"
    return DataValidation(
        showInputMessage=True,
        promptTitle=w[f"prompt_{kind}_title"],
        prompt=w[f"prompt_{kind}"],
    )


def build_workbook(instrument: Instrument, language: str = "nl"):
    """The template workbook of one instrument as an ``openpyxl.Workbook`` (not yet saved)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    w = words(language)
    wb = Workbook()
    props = wb.properties
    props.creator = "mss-eval"
    props.lastModifiedBy = None
    props.title = instrument.title(language)
    props.subject = instrument.id
    props.created = FIXED_DATETIME
    props.modified = FIXED_DATETIME

    data = wb.active
    data.title = DATA_SHEET[language]
    explanation = wb.create_sheet(EXPLANATION_SHEET[language])
    lists = wb.create_sheet(LISTS_SHEET[language])
    lists.sheet_state = "hidden"

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")

    list_refs: dict[tuple, str] = {}
    for index, column in enumerate(instrument.columns, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.name)
        cell.font = header_font
        cell.fill = required_fill if column.required else header_fill
        text = _comment_text(instrument, column, language)
        cell.comment = Comment(
            text, "mss-eval", width=320, height=max(60, 18 * (text.count("\n") + 2))
        )
        data.column_dimensions[letter].width = max(12, len(column.name) + 4)
        target = f"{letter}2:{letter}{LAST_VALIDATED_ROW}"

        values = dropdown_values(column, language)
        validation = None
        if values is not None:
            key = tuple(values)
            if key not in list_refs:
                list_column = get_column_letter(len(list_refs) + 1)
                lists.cell(row=1, column=len(list_refs) + 1, value=column.name)
                for row, value in enumerate(values, start=2):
                    lists.cell(row=row, column=len(list_refs) + 1, value=value)
                list_refs[key] = (
                    f"{quote_sheetname(lists.title)}!${list_column}$2:"
                    f"${list_column}${len(values) + 1}"
                )
            validation = DataValidation(
                type="list",
                formula1=list_refs[key],
                allow_blank=True,
                showDropDown=False,  # sic: False *shows* the in-cell dropdown arrow
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle=w["list_error_title"],
                error=w["list_error"].format(sheet=EXPLANATION_SHEET[language]),
            )
        elif column.is_numeric:
            validation = _numeric_validation(column, f"{letter}2", language)
        elif column.type == "date":
            validation = _date_validation(language)
            data.column_dimensions[letter].number_format = "yyyy-mm-dd"
        elif column.privacy in ("identifier", "free_text"):
            validation = _prompt_validation(column, language)
        if column.type == "identifier":
            # ids such as 007 must stay text
            data.column_dimensions[letter].number_format = "@"
        if validation is not None:
            validation.add(target)
            data.add_data_validation(validation)
    data.freeze_panes = "A2"

    _fill_explanation(explanation, instrument, language)
    return wb


def _fill_explanation(ws, instrument: Instrument, language: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    w = words(language)
    intro = [
        w["title"].format(title=instrument.title(language)),
        w["unit"].format(unit=instrument.unit(language), id=instrument.id),
        instrument.description(language) if instrument.description is not None else None,
        w["howto"].format(sheet=DATA_SHEET[language]),
        w["privacy_warning"],
    ]
    row = 1
    for text in intro:
        if text is None:
            continue
        ws.cell(row=row, column=1, value=text)
        row += 1
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    ws.cell(row=row - 1, column=1).font = Font(bold=True, color="C00000")
    row += 1
    header_row = row
    for index, field in enumerate(EXPLANATION_FIELDS, start=1):
        cell = ws.cell(row=header_row, column=index, value=w["headers"][field])
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for offset, values in enumerate(explanation_rows(instrument, language), start=1):
        for index, field in enumerate(EXPLANATION_FIELDS, start=1):
            cell = ws.cell(row=header_row + offset, column=index, value=values[field] or None)
            cell.alignment = wrap
    widths = {"column": 28, "question": 40, "description": 30, "type": 18, "answers": 45,
              "range": 10, "missing": 30, "required": 10, "scale": 22, "privacy": 40}
    for index, field in enumerate(EXPLANATION_FIELDS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths[field]
    ws.freeze_panes = f"B{header_row + 1}"


_CORE_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def reproducible_xlsx_bytes(workbook) -> bytes:
    """Save a workbook to bytes that depend only on its content.

    openpyxl stamps the modification time into ``docProps/core.xml`` and the zip entries carry the
    time of writing; both are replaced by fixed values.
    """
    raw = io.BytesIO()
    workbook.save(raw)
    stamp = FIXED_DATETIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content, compresslevel=6)
    return out.getvalue()


# -- csv -------------------------------------------------------------------------------------
def _csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_template_bytes(instrument: Instrument) -> bytes:
    """The CSV template of an instrument: the header row only (UTF-8 with BOM, comma separated)."""
    return _csv_bytes([[c.name for c in instrument.columns]])


def codebook_csv_bytes(selected: Sequence[Instrument], language: str = "nl") -> bytes:
    """``codebook.csv``: one row per data column of the given instruments, as on the explanation
    sheets, with the instrument id first."""
    w = words(language)
    header = [w["headers"]["instrument"]] + [w["headers"][f] for f in EXPLANATION_FIELDS]
    rows = [header]
    for instrument in selected:
        for values in explanation_rows(instrument, language):
            rows.append([instrument.id] + [values[f] for f in EXPLANATION_FIELDS])
    return _csv_bytes(rows)


# -- writing ---------------------------------------------------------------------------------
def select_instruments(ids: Sequence[str] | None = None) -> list[Instrument]:
    """The instruments to write, in id order; ``None`` means all. Unknown ids raise KeyError."""
    known = all_instruments()
    if not ids:
        return [known[i] for i in sorted(known)]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise KeyError(
            f"unknown instrument(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return [known[i] for i in sorted(dict.fromkeys(ids))]


def write_templates(
    out_dir: Path | str,
    fmt: str = "xlsx",
    instruments: Sequence[str] | None = None,
    language: str = "nl",
) -> list[Path]:
    """Write blank templates for the given instruments (all when ``None``) into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write into; created when missing. Existing templates are overwritten.
    fmt
        ``"xlsx"``: one workbook ``<id>.xlsx`` per instrument. ``"csv"``: one header-only
        ``<id>.csv`` per instrument and one ``codebook.csv`` describing their columns.
    instruments
        Instrument ids; ``None`` or empty for every instrument in ``questionnaires/``.
    language
        ``"nl"`` or ``"en"``: sheet names, dropdown labels and explanations. Column names do not
        depend on the language.

    Returns
    -------
    list of Path
        The files written, sorted by name.
    """
    _check_language(language)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    selected = select_instruments(instruments)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for instrument in selected:
        if fmt == "xlsx":
            path = out_dir / f"{instrument.id}.xlsx"
            path.write_bytes(reproducible_xlsx_bytes(build_workbook(instrument, language)))
        else:
            path = out_dir / f"{instrument.id}.csv"
            path.write_bytes(csv_template_bytes(instrument))
        written.append(path)
    if fmt == "csv":
        path = out_dir / CODEBOOK_CSV
        path.write_bytes(codebook_csv_bytes(selected, language))
        written.append(path)
    return sorted(written)
