"""Reading one data file into a raw table of strings, each row keeping its spreadsheet row number.

A region sends its data as it has it: a CSV file written by Excel (Dutch Excel writes semicolons
and decimal commas, often in Windows-1252), an Excel workbook, or an SPSS ``.sav`` file. The readers
here turn each of these into the same :class:`RawTable`: the header names as written, every cell as
a trimmed string (blank cells are ``NA``), and for every data row the row number the researcher sees
in Excel (the header is row 1). Interpreting the strings (codes, labels, numbers, dates) is the
job of :mod:`mss_eval.input.validate`; the readers only read.

Rules, in short (``docs/validation.md`` tells them to researchers):

* CSV: UTF-8 with or without byte-order mark; when that fails, Windows-1252 (reported as a
  warning). UTF-16 with a byte-order mark (Excel's "Unicode text") is read too. The separator is
  taken from the header line: comma, semicolon or tab, whichever splits it into most cells.
* XLSX: the sheet named ``data`` or ``gegevens`` when there is one, otherwise the first sheet that
  is not an explanation sheet (``toelichting``, ``explanation``). Values are read, not formulas.
* SAV: read with ``user_missing=True`` so user-missing codes such as 99 survive and are mapped
  through the instrument; value labels are ignored (the codes are kept).
* In every format: the first non-blank row is the header; trailing empty columns and empty rows
  are ignored (also blank rows in between); a column with data but no name is left out with a
  warning; a column name given twice is an error.

Files are opened read-only and never written.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..hashing import sha256_of
from ..problems import MESSAGES, Problem, message
from .delimiters import sniff_delimiter  # noqa: F401 - also part of this module's API

#: Sheet names (lower case) that hold the data; checked before falling back to the first sheet.
DATA_SHEET_NAMES = ("data", "gegevens")
#: Sheet names (lower case) that explain a template and are never read as data.
EXPLANATION_SHEET_NAMES = ("toelichting", "explanation", "uitleg", "codebook", "codeboek",
                           "keuzelijsten", "lists")
#: The string dtype of raw cells.
RAW_DTYPE = pd.StringDtype("pyarrow")

MESSAGES.update({
    "file_empty": {
        "nl": "het bestand is leeg (0 bytes of alleen witruimte); verwacht een kopregel met "
              "kolomnamen en daaronder de gegevens",
        "en": "the file is empty (0 bytes or only white space); expected a header row with column "
              "names and the data below it",
    },
    "file_unreadable": {
        "nl": "het bestand kan niet worden gelezen als {format}: {detail}",
        "en": "the file cannot be read as {format}: {detail}",
    },
    "file_not_text": {
        "nl": "het bestand is geen tekstbestand en dus geen CSV{hint}; sla het in Excel op als "
              "'CSV (gescheiden door lijstscheidingsteken)' of als .xlsx",
        "en": "the file is not a text file and therefore not a CSV{hint}; save it from Excel as "
              "'CSV (comma delimited)' or as .xlsx",
    },
    "encoding_cp1252": {
        "nl": "het bestand is niet in UTF-8 opgeslagen; het is gelezen als Windows-1252 "
              "(controleer letters als ë en é); sla het bij voorkeur op als 'CSV UTF-8'",
        "en": "the file is not saved as UTF-8; it was read as Windows-1252 (check letters such as "
              "ë and é); preferably save it as 'CSV UTF-8'",
    },
    "encoding_latin1": {
        "nl": "het bestand is niet in UTF-8 of Windows-1252 opgeslagen; het is gelezen als "
              "ISO-8859-1 en letters met accenten kunnen fout zijn; sla het op als 'CSV UTF-8'",
        "en": "the file is neither UTF-8 nor Windows-1252; it was read as ISO-8859-1 and accented "
              "letters may be wrong; save it as 'CSV UTF-8'",
    },
    "csv_malformed": {
        "nl": "de CSV-opmaak klopt niet: {detail}",
        "en": "the CSV layout is broken: {detail}",
    },
    "row_too_long": {
        "nl": "deze rij heeft {cells} cellen met inhoud voorbij de laatste kolom van de kopregel "
              "({header} kolommen); die cellen zijn genegeerd; controleer het scheidingsteken en "
              "aanhalingstekens",
        "en": "this row has {cells} non-empty cells beyond the last column of the header row "
              "({header} columns); they were ignored; check the separator and quotes",
    },
    "header_blank": {
        "nl": "de kolom op positie {position} heeft gegevens maar geen naam in de kopregel; de "
              "kolom is overgeslagen",
        "en": "the column at position {position} has data but no name in the header row; the "
              "column was skipped",
    },
    "header_duplicate": {
        "nl": "de kolomnaam '{value}' staat meer dan eens in de kopregel (posities {positions}); "
              "alleen de eerste is gelezen; geef elke kolom een eigen naam",
        "en": "the column name '{value}' appears more than once in the header row (positions "
              "{positions}); only the first was read; give every column its own name",
    },
    "header_below_title": {
        "nl": "de kopregel staat op rij {row}; {rows} erboven is als titel overgeslagen",
        "en": "the header is on row {row}; {rows} above it was skipped as a title",
    },
    "workbook_encrypted": {
        "nl": "de werkmap is met een wachtwoord beveiligd en kan niet worden gelezen; haal het "
              "wachtwoord eraf (in Excel: Bestand > Info > Werkmap beveiligen > Versleutelen "
              "met wachtwoord, het wachtwoord leegmaken) en sla het bestand opnieuw op als .xlsx",
        "en": "the workbook is protected with a password and cannot be read; remove the password "
              "(in Excel: File > Info > Protect Workbook > Encrypt with Password, clear it) and "
              "save the file again as .xlsx",
    },
    "sav_date_out_of_range": {
        "nl": "de datum {value} (seconden sinds 1582 in SPSS) ligt buiten elke mogelijke datum; "
              "de cel is leeg gelaten; verbeter de datum in SPSS en exporteer opnieuw",
        "en": "the date {value} (seconds since 1582 in SPSS) is beyond any possible date; the "
              "cell was left blank; correct the date in SPSS and export again",
    },
    "no_data_sheet": {
        "nl": "de werkmap heeft geen blad met gegevens (alleen {sheets}); zet de gegevens op een "
              "blad met de naam 'gegevens'",
        "en": "the workbook has no data sheet (only {sheets}); put the data on a sheet named "
              "'data'",
    },
})


class ReadError(Exception):
    """A file could not be read at all; carries the problem(s) to report."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


@dataclass
class RawTable:
    """One data file as read: header names and trimmed string cells, with spreadsheet row numbers.

    Attributes
    ----------
    file
        The file as named in messages (relative to the study folder where possible).
    format
        ``"csv"``, ``"xlsx"`` or ``"sav"``.
    data
        One column per named header cell (``string`` dtype, ``NA`` for a blank cell), one row per
        non-blank data row, index = the row number in the spreadsheet (header is row 1).
    positions
        Header name -> 1-based column position in the file (for ``A``/``B``... in messages).
    sheet, encoding, delimiter
        Where and how the data were read (``None`` where not applicable).
    declared_missing
        For SAV files: column -> the user-missing values declared in the file (as ``(low, high)``
        ranges), treated as missing like the instrument's own missing codes.
    header_row
        The row number of the header (1 unless blank rows precede it).
    problems
        Warnings and errors found while reading (encoding, unnamed or repeated columns, ...).
    """

    file: str
    format: str
    data: pd.DataFrame
    positions: dict[str, int] = field(default_factory=dict)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    declared_missing: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    header_row: int = 1
    sha256: str = ""
    problems: list[Problem] = field(default_factory=list)
    #: Column -> its question text or variable label where the file has one (SPSS variable
    #: labels, the question row of a Qualtrics export); used to propose a column mapping.
    labels: dict[str, str] = field(default_factory=dict)
    #: Column -> {code as text: label}: SPSS value labels.
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The survey tool whose export this is (``qualtrics``, ``limesurvey``, ``castor``,
    #: ``spss``), when recognised (:mod:`mss_eval.input.exports`).
    tool: str | None = None

    @property
    def columns(self) -> list[str]:
        return list(self.data.columns)

    @property
    def rows(self) -> np.ndarray:
        """The spreadsheet row number of each data row (header is row 1)."""
        return self.data.index.to_numpy()


def read_table(path: Path | str, *, file: str | None = None, language: str = "nl") -> RawTable:
    """Read a data file (``.csv``, ``.xlsx`` or ``.sav``) into a :class:`RawTable`.

    Parameters
    ----------
    path
        The file; its suffix (case-insensitive) chooses the reader.
    file
        The name to use in messages; defaults to the path as given.
    language
        ``"nl"`` or ``"en"`` for the messages.

    Raises
    ------
    ReadError
        When the file cannot be read at all (empty, not a CSV, a broken workbook, ...). Problems
        that still let the file be read are in :attr:`RawTable.problems`.
    """
    path = Path(path)
    name = file or str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = read_csv(path, file=name, language=language)
    elif suffix == ".xlsx":
        table = read_xlsx(path, file=name, language=language)
    elif suffix in (".sav", ".zsav"):
        table = read_sav(path, file=name, language=language)
    else:
        raise ValueError(f"no reader for {suffix!r} files")
    from .exports import recognise_export

    return recognise_export(table, language=language)


# -- shared: header and rows to a RawTable ------------------------------------------------------
def _problem(code: str, language: str, file: str, *, severity="error",
             **where_and_params) -> Problem:
    where = {k: where_and_params[k] for k in ("sheet", "row", "column", "value")
             if k in where_and_params}
    return Problem(code, message(code, language, **where_and_params), severity=severity,
                   file=file, **where)


def _stripped_cells(frame: pd.DataFrame):
    """Every cell trimmed, empty strings as null: one long Arrow array, column after column.

    The columns are joined into one long array and trimmed at once (a few vectorised operations
    per file instead of a few per column); column ``j`` is the slice ``[j * n, (j + 1) * n)``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = []
    for c in frame.columns:
        column = frame[c] if frame[c].dtype == RAW_DTYPE else frame[c].astype(RAW_DTYPE)
        pieces.extend(pa.chunked_array(column.array.__arrow_array__()).chunks)
    long = pa.concat_arrays(pieces) if len(pieces) > 1 else pieces[0]
    long = pc.utf8_trim_whitespace(long)
    return pc.if_else(pc.equal(long, ""), pa.scalar(None, long.type), long)


def _assemble(grid: pd.DataFrame, *, file: str, fmt: str, language: str, sheet: str | None = None,
              first_row_number: int = 1, **attrs) -> RawTable:
    """Turn a grid of strings (positional columns, first row = row ``first_row_number``) into a
    RawTable: find the header, name the columns, drop blank rows and trailing blank columns."""
    n, width = grid.shape
    if n == 0 or width == 0:
        raise ReadError([_problem("file_empty", language, file, sheet=sheet)])
    long = _stripped_cells(grid)
    # filled[j, i]: column j of grid row i has content
    filled = long.is_valid().to_numpy(zero_copy_only=False).reshape(width, n)
    non_blank = np.flatnonzero(filled.any(axis=0))
    if len(non_blank) == 0:
        raise ReadError([_problem("file_empty", language, file, sheet=sheet)])
    problems: list[Problem] = []
    head = _header_position(long, filled, non_blank, n, width)
    if head != int(non_blank[0]):
        skipped = [first_row_number + int(r) for r in non_blank if r < head]
        words = ({"nl": ("rij", "rijen"), "en": ("row", "rows")}["en" if language == "en"
                                                                 else "nl"])
        shown = (f"{words[0]} {skipped[0]}" if len(skipped) == 1 else
                 f"{words[1]} {', '.join(map(str, skipped))}")
        problems.append(_problem("header_below_title", language, file, severity="warning",
                                 sheet=sheet, row=first_row_number + head,
                                 rows=shown))
        non_blank = non_blank[non_blank >= head]
    header_row = first_row_number + head
    body = non_blank[1:]  # grid positions of the non-blank rows below the header
    header = long.take(np.arange(head, width * n, n)).to_pylist()

    keep: dict[str, int] = {}  # name -> positional column
    seen: dict[str, list[int]] = {}
    for pos, name in enumerate(header):
        if name is None:
            if len(body) and filled[pos, body].any():
                problems.append(_problem("header_blank", language, file, severity="warning",
                                         sheet=sheet, row=header_row, position=_letter(pos + 1)))
            continue
        seen.setdefault(name, []).append(pos + 1)
        if name not in keep:
            keep[name] = pos
    for name, positions in seen.items():
        if len(positions) > 1:
            problems.append(_problem("header_duplicate", language, file, sheet=sheet,
                                     row=header_row, column=name, value=name,
                                     positions=", ".join(_letter(p) for p in positions)))
    if keep:
        # rows with content only under unnamed columns carry nothing we can read
        body = body[filled[list(keep.values())][:, body].any(axis=0)]
    index = pd.Index(first_row_number + body, name="row")
    data = pd.DataFrame({name: pd.array(long.slice(pos * n, n).take(body), dtype=RAW_DTYPE)
                         for name, pos in keep.items()}, index=index)
    positions = {name: pos + 1 for name, pos in keep.items()}
    return RawTable(file=file, format=fmt, data=data, positions=positions, sheet=sheet,
                    header_row=header_row, problems=problems, **attrs)


#: Title rows above a header are looked for among this many first non-blank rows.
_TITLE_SEARCH = 10
_NUMBER_LIKE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _header_position(long, filled: np.ndarray, non_blank: np.ndarray, n: int, width: int) -> int:
    """The grid row of the header: the first non-blank row, unless it is a title above the
    header (a report title, a date, the region's name: a row or two of one or two cells).

    The header is then the first row with at least three named cells, at least twice as many as
    every row above it, at least half as many as the widest of the first rows, and mostly text
    (a data row holds numbers and codes).
    """
    first = non_blank[:_TITLE_SEARCH]
    counts = filled[:, first].sum(axis=0)
    if len(first) < 2 or counts[0] > 2:
        return int(non_blank[0])
    widest = counts.max()
    for i in range(1, len(first)):
        if counts[i] < 3 or counts[i] < 2 * counts[:i].max() or 2 * counts[i] < widest:
            continue
        cells = [c for c in long.take(np.arange(int(first[i]), width * n, n)).to_pylist()
                 if c is not None]
        numeric = sum(bool(_NUMBER_LIKE.match(c)) for c in cells)
        if numeric * 5 <= len(cells):
            return int(first[i])
        break
    return int(non_blank[0])


def _letter(position: int) -> str:
    """1 -> 'A', 27 -> 'AA': the spreadsheet column letter."""
    out = ""
    while position:
        position, rem = divmod(position - 1, 26)
        out = chr(65 + rem) + out
    return out


# -- CSV -------------------------------------------------------------------------------------
def _decode(raw: bytes, file: str, language: str) -> tuple[str, str, list[Problem]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16", []
    if b"\x00" in raw[:4096]:
        hint = ""
        if raw.startswith(b"PK\x03\x04"):
            hint = (" (het lijkt een Excel-werkmap met de naam .csv)" if language == "nl"
                    else " (it looks like an Excel workbook named .csv)")
        raise ReadError([_problem("file_not_text", language, file, hint=hint)])
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
        return text, "cp1252", [_problem("encoding_cp1252", language, file, severity="warning")]
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        return text, "latin-1", [_problem("encoding_latin1", language, file, severity="warning")]


def read_csv(path: Path | str, *, file: str | None = None, language: str = "nl") -> RawTable:
    """Read a CSV file; see the module notes for encodings and separators."""
    path = Path(path)
    file = file or str(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    sha = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise ReadError([_problem("file_empty", language, file)])
    text, encoding, problems = _decode(raw, file, language)
    # Excel understands a first line "sep=;" naming the separator, and does not show it
    first_line, _, rest = text.partition("\n")
    hinted = re.fullmatch(r"\s*sep=(.)\s*", first_line)
    if hinted:
        text = rest
    delimiter = hinted.group(1) if hinted else sniff_delimiter(text)
    # pandas takes the width from the first line, so blank lines above the header are cut off
    # here and counted back into the row numbers
    lines = text.splitlines(keepends=True)
    leading = 0
    while leading < len(lines) and not lines[leading].strip():
        leading += 1
    text = "".join(lines[leading:])
    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=RAW_DTYPE,
                           keep_default_na=False, na_filter=False, skip_blank_lines=False,
                           quotechar='"', engine="c")
    except pd.errors.ParserError:
        # Ragged rows (more cells than the first line): read with the csv module instead.
        grid, extra = _ragged_csv(text, delimiter, file, language, first_row=leading + 1)
        problems += extra
    except pd.errors.EmptyDataError:
        raise ReadError([_problem("file_empty", language, file)]) from None
    grid.columns = range(grid.shape[1])
    table = _assemble(grid, file=file, fmt="csv", language=language, encoding=encoding,
                      delimiter=delimiter, sha256=sha, first_row_number=leading + 1)
    table.problems[:0] = problems
    return table


def _ragged_csv(text: str, delimiter: str, file: str, language: str, first_row: int = 1):
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"'))
    except csv.Error as exc:
        raise ReadError([_problem("csv_malformed", language, file, detail=str(exc))]) from None
    header_index = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), 0)
    width = len(rows[header_index]) if rows else 0
    # trailing empty header cells still count: Excel writes ";;;" for them
    problems = []
    for i, r in enumerate(rows):
        if len(r) > width:
            extra_cells = [c for c in r[width:] if c.strip()]
            if extra_cells:
                problems.append(_problem("row_too_long", language, file, row=first_row + i,
                                         cells=len(extra_cells), header=width))
    grid = pd.DataFrame([(r + [""] * width)[:width] for r in rows], dtype=RAW_DTYPE)
    return grid, problems


# -- XLSX ------------------------------------------------------------------------------------
def _cell_text(value) -> str | None:
    """A spreadsheet cell as the text the researcher sees (numbers without a trailing .0)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def choose_sheet(sheet_names: list[str]) -> str | None:
    """The data sheet: one named ``data``/``gegevens`` (any case), else the first sheet that is
    not an explanation sheet; ``None`` when every sheet is an explanation."""
    for name in sheet_names:
        if name.strip().lower() in DATA_SHEET_NAMES:
            return name
    for name in sheet_names:
        if name.strip().lower() not in EXPLANATION_SHEET_NAMES:
            return name
    return None


def read_xlsx(path: Path | str, *, file: str | None = None, language: str = "nl") -> RawTable:
    """Read the data sheet of an Excel workbook (values, not formulas)."""
    import openpyxl

    path = Path(path)
    file = file or str(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    sha = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise ReadError([_problem("file_empty", language, file)])
    from .limits import xlsx_problem  # a zip bomb is refused before calamine unpacks it

    if (refused := xlsx_problem(raw, file=file, language=language)) is not None:
        raise ReadError([refused])
    fast = _xlsx_rows_calamine(raw)
    if fast is not None:
        sheet, rows = fast
        return _xlsx_table(rows, file=file, language=language, sheet=sheet, sha=sha)
    fmt = "Excel-werkmap (.xlsx)" if language == "nl" else "Excel workbook (.xlsx)"
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook fails in many ways (zip, XML, openpyxl)
        detail = ("het is geen geldig .xlsx-bestand (beschadigd, of een ander formaat met de "
                  "naam .xlsx)" if language == "nl" else
                  "it is not a valid .xlsx file (damaged, or another format named .xlsx)")
        if raw.startswith(b"\xd0\xcf\x11\xe0"):
            if workbook_encrypted(raw):
                raise ReadError([_problem("workbook_encrypted", language, file)]) from exc
            detail = ("het is een oud Excel-bestand (.xls); sla het op als .xlsx"
                      if language == "nl" else
                      "it is an old Excel file (.xls); save it as .xlsx")
        raise ReadError([_problem("file_unreadable", language, file, format=fmt,
                                  detail=detail)]) from exc
    try:
        sheet = choose_sheet(wb.sheetnames)
        if sheet is None:
            raise ReadError([_problem("no_data_sheet", language, file,
                                      sheets=", ".join(f"'{s}'" for s in wb.sheetnames))])
        ws = wb[sheet]
        if hasattr(ws, "reset_dimensions"):
            # Some programs write a wrong size into the sheet; read what is really there.
            ws.reset_dimensions()
        try:
            rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=1,
                                                                          values_only=True)]
        except Exception as exc:  # a damaged sheet inside a valid zip
            raise ReadError([_problem("file_unreadable", language, file, format=fmt,
                                      detail=f"{type(exc).__name__}: {exc}")]) from exc
    finally:
        wb.close()
    return _xlsx_table(rows, file=file, language=language, sheet=sheet, sha=sha)


def workbook_encrypted(raw: bytes) -> bool:
    """Is this an Office file protected with a password?

    Excel saves a password-protected ``.xlsx`` inside an OLE compound file (the old ``.xls``
    container) holding an ``EncryptionInfo`` stream; msoffcrypto-tool reads that container. Without
    it, the stream's name in the container's directory tells the same.
    """
    if not raw.startswith(b"\xd0\xcf\x11\xe0"):
        return False
    try:
        import msoffcrypto
    except ImportError:  # pragma: no cover - msoffcrypto-tool is a dependency
        return "EncryptionInfo".encode("utf-16-le") in raw
    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(raw)).is_encrypted())
    except Exception:  # noqa: BLE001 - a damaged container: look for the stream's name instead
        return "EncryptionInfo".encode("utf-16-le") in raw


def _xlsx_table(rows: list[list], *, file: str, language: str, sheet: str, sha: str
                ) -> RawTable:
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=RAW_DTYPE)
    if grid.empty:
        raise ReadError([_problem("file_empty", language, file, sheet=sheet)])
    return _assemble(grid, file=file, fmt="xlsx", language=language, sheet=sheet, sha256=sha)


def _xlsx_rows_calamine(raw: bytes) -> tuple[str, list[list]] | None:
    """The data sheet's cells as text, read with calamine (a compiled reader, about a hundred
    times faster than openpyxl); ``None`` when calamine is not installed or cannot read the
    workbook, so that openpyxl reads it and names the problem.

    Cells are the same values openpyxl gives (cached values of formulas, dates and times as
    ``datetime`` objects), turned into text by the same :func:`_cell_text`; blank cells are
    ``None``. The grid starts at cell A1, so row numbers are the spreadsheet's.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - an environment without python-calamine
        return None
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        try:
            sheet = choose_sheet(list(wb.sheet_names))
            if sheet is None:
                return None  # openpyxl names the sheets in the message
            cells = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        finally:
            with contextlib.suppress(Exception):
                wb.close()
    except Exception:  # noqa: BLE001 - a workbook calamine cannot read goes to openpyxl
        return None
    rows = [[None if v == "" else _cell_text(v) for v in row] for row in cells]
    return sheet, rows


# -- SAV -------------------------------------------------------------------------------------
def _series_text(s: pd.Series) -> pd.Series:
    """A column read from SPSS as strings: integral numbers without '.0', dates as ISO dates."""
    if pd.api.types.is_datetime64_any_dtype(s):
        has_time = (s.dropna() != s.dropna().dt.normalize()).any()
        text = s.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
        return text.astype(RAW_DTYPE)
    if pd.api.types.is_numeric_dtype(s):
        num = pd.to_numeric(s, errors="coerce").astype("Float64")
        out = pd.Series(pd.NA, index=s.index, dtype=RAW_DTYPE)
        finite = num.notna() & np.isfinite(num.fillna(0).to_numpy(dtype=float))
        integral = finite & (num.fillna(0) % 1 == 0)
        out[integral] = num[integral].astype("Int64").astype(RAW_DTYPE)
        other = finite & ~integral
        if other.any():
            out[other] = num[other].astype(float).map(repr).astype(RAW_DTYPE)
        return out
    return s.map(_cell_text, na_action="ignore").astype(RAW_DTYPE)


#: SPSS counts dates and times in seconds from the start of the Gregorian calendar.
_SPSS_EPOCH = dt.datetime(1582, 10, 14)
_SPSS_DATE_FORMATS = re.compile(r"^(?:DATETIME|DATE|ADATE|EDATE|SDATE|JDATE|QYR|MOYR|WKYR|"
                                r"YMDHMS|MTIME|TIME|DTIME)\d*", re.IGNORECASE)


def _sav_dates(frame: pd.DataFrame, meta) -> tuple[pd.DataFrame, list[tuple[str, int, str]]]:
    """SPSS date and time columns read as numbers, converted here one value at a time: a value
    no date can hold is left blank and returned as (column, position, value)."""
    bad: list[tuple[str, int, str]] = []
    formats = getattr(meta, "original_variable_types", None) or {}
    frame = frame.copy()
    for column, spss_format in formats.items():
        m = _SPSS_DATE_FORMATS.match(str(spss_format))
        if m is None or column not in frame.columns:
            continue
        kind = m.group(0).rstrip("0123456789").upper()
        out = []
        for position, seconds in enumerate(frame[column].tolist()):
            if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
                out.append(None)
                continue
            try:
                if kind in ("TIME", "DTIME", "MTIME"):
                    out.append(str(dt.timedelta(seconds=float(seconds))))
                    continue
                when = _SPSS_EPOCH + dt.timedelta(seconds=float(seconds))
            except (OverflowError, ValueError):
                bad.append((column, position, _cell_text(float(seconds))))
                out.append(None)
                continue
            out.append(when.isoformat(sep=" ") if kind in ("DATETIME", "YMDHMS")
                       else when.date().isoformat())
        frame[column] = pd.Series(out, index=frame.index, dtype=object)
    return frame, bad


def read_sav(path: Path | str, *, file: str | None = None, language: str = "nl") -> RawTable:
    """Read an SPSS file (``.sav`` or compressed ``.zsav``) with its user-missing values kept
    (codes, not value labels); variable and value labels are kept beside the cells."""
    import pyreadstat

    path = Path(path)
    file = file or str(path)
    sha = sha256_of(path)
    if path.stat().st_size == 0:
        raise ReadError([_problem("file_empty", language, file)])
    fmt = "SPSS-bestand (.sav)" if language == "nl" else "SPSS file (.sav)"
    bad_dates: list[tuple[str, int, str]] = []
    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True,
                                          apply_value_formats=False)
    except (OverflowError, ValueError) as first:
        # one date beyond what Python can hold (year 10000 and later) makes pyreadstat's own
        # conversion fail for the whole file: read the numbers and convert per column here
        try:
            frame, meta = pyreadstat.read_sav(str(path), user_missing=True,
                                              apply_value_formats=False,
                                              disable_datetime_conversion=True)
        except Exception as exc:  # noqa: BLE001 - reported as the file's problem below
            raise ReadError([_problem("file_unreadable", language, file, format=fmt,
                                      detail=str(exc).strip() or type(exc).__name__)]) from exc
        frame, bad_dates = _sav_dates(frame, meta)
        if not bad_dates:
            raise ReadError([_problem("file_unreadable", language, file, format=fmt,
                                      detail=str(first).strip() or type(first).__name__)]
                            ) from first
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        raise ReadError([_problem("file_unreadable", language, file, format=fmt,
                                  detail=str(exc).strip() or type(exc).__name__)]) from exc
    header = pd.DataFrame([list(frame.columns)], dtype=RAW_DTYPE)
    body = pd.DataFrame({i: _series_text(frame[c]) for i, c in enumerate(frame.columns)})
    body.columns = range(frame.shape[1])
    grid = pd.concat([header, body], ignore_index=True) if len(body) else header
    declared: dict[str, list[tuple[float, float]]] = {}
    for var, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        spans = []
        for r in ranges:
            try:
                spans.append((float(r["lo"]), float(r["hi"])))
            except (TypeError, ValueError, KeyError):
                continue
        if spans:
            declared[var] = spans
    for var, values in (getattr(meta, "missing_user_values", None) or {}).items():
        spans = declared.setdefault(var, [])
        for v in values:
            try:
                spans.append((float(v), float(v)))
            except (TypeError, ValueError):
                continue
    table = _assemble(grid, file=file, fmt="sav", language=language, sha256=sha,
                      declared_missing=declared)
    table.tool = "spss"
    for column, position, value in bad_dates:
        row = table.header_row + 1 + position
        table.problems.append(_problem("sav_date_out_of_range", language, file, row=row,
                                       column=column, value=value))
    for var, label in (getattr(meta, "column_names_to_labels", None) or {}).items():
        if label and str(label).strip():
            table.labels[var] = str(label).strip()
    for var, labels in (getattr(meta, "variable_value_labels", None) or {}).items():
        table.value_labels[var] = {_cell_text(code) if not isinstance(code, str) else code:
                                   str(text) for code, text in labels.items()}
    return table
