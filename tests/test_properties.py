"""Property-based tests of the readers and the validator: whatever a region sends, the answer is
a validation report (or tidy data), never an unhandled exception.

``tests/test_validate_corpus.py`` already feeds arbitrary bytes to the CSV, XLSX and SAV readers.
These tests add arbitrary ``study.yaml`` texts and mappings, and arbitrary shapes of data files:
any subset and order of an instrument's columns, unknown and repeated columns, any cell text
(unicode, separators, quotes, line breaks), any delimiter; in CSV and XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers_input import STUDY_YAML, clients, data_dir, make_study, write_client_interview
from mss_eval.cli import main
from mss_eval.input.validate import ValidationReport, validate_study
from mss_eval.instruments import get_instrument
from mss_eval.problems import StudyError
from mss_eval.tidy import Study, load_study

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CLIENT_COLUMNS = [c.name for c in get_instrument("client_interview").columns]


def _validates_without_raising(root) -> ValidationReport:
    """validate_study and the CLI both answer; load_study gives a study or a StudyError."""
    report = validate_study(root)
    assert isinstance(report, ValidationReport)
    assert all(p.message and p.code for p in report.problems)
    assert main(["validate", str(root)]) in (0, 1)
    try:
        study = load_study(root, on_error="skip")
    except StudyError as exc:
        assert exc.problems  # a refusal always says why
    else:
        assert isinstance(study, Study)
        assert list(study["client_interview"].columns[:2]) == ["round", "region"]
    return report


# -- study.yaml ------------------------------------------------------------------------------
_YAML_PIECES = [
    "name: ", "rounds:", "regions:", "settings:", "  - id: ", "    label: ", "    regions: ",
    "  min_respondents: ", "  language: ", "period:", "  start: ", "  end: ", "approached:",
    "den_haag", "2010-1", "\"2010-1\"", "[den_haag, dordrecht]", "{", "}", "[", "]", ": ",
    "- ", "\n", "\n  ", "\n    ", "\t", "&anker ", "*anker", "!!python/object/apply:os.system",
    "!!binary ", "'", '"', "#", "---\n", "...\n", "|\n", ">\n", "~", "null", "yes", "0x1F",
    "1e309", "-.inf", "2010-02-30", "\u00eb", "\u0627\u0644\u062d\u064a", "\U0001f3e0",
    "%YAML 1.1\n",
    "? ", "<<: *anker", "\ufeff", "\x00", "\\",
]


def _write_study_yaml(root, text: str) -> None:
    (root / "study.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")


def test_any_study_yaml_text_gives_a_report(tmp_path):
    root = make_study(tmp_path / "study")
    write_client_interview(root, clients(2))

    @SETTINGS
    @given(st.one_of(st.text(max_size=300),
                     st.lists(st.sampled_from(_YAML_PIECES) | st.text(max_size=8),
                              max_size=40).map("".join)))
    def check(text):
        _write_study_yaml(root, text)
        report = _validates_without_raising(root)
        if report.config is None:
            assert report.problems and all(p.file and "study.yaml" in p.file
                                           for p in report.problems)

    check()


_KEYS = ["name", "commissioned_by", "synthetic", "description", "rounds", "regions", "settings",
         "id", "label", "period", "start", "end", "approached", "municipalities",
         "target_population", "profile", "goal", "min_respondents", "language", "den_haag",
         "client_interview"]
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.dates(), st.sampled_from(["den_haag", "2010-1", "../etc", "nl", "en"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=6), inner,
                                         max_size=5), max_leaves=25)


def _valid_config() -> dict:
    return yaml.safe_load(STUDY_YAML.format(language="nl"))


def _replace_at(config: dict, path: list, value) -> dict:
    """The config with the value at a path of keys/indexes (as far as it exists) replaced."""
    node = config
    for step in path[:-1]:
        if isinstance(node, dict) and node:
            node = node[list(node)[step % len(node)]]
        elif isinstance(node, list) and node:
            node = node[step % len(node)]
        else:
            break
    if isinstance(node, dict):
        key = list(node)[path[-1] % len(node)] if node and path[-1] % 2 else "extra"
        node[key] = value
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = value
    return config


def test_any_mapping_as_study_yaml_gives_a_report(tmp_path):
    root = make_study(tmp_path / "study")
    write_client_interview(root, clients(2))

    @SETTINGS
    @given(st.one_of(
        st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=6), _VALUES, max_size=7),
        st.tuples(st.lists(st.integers(0, 5), min_size=1, max_size=4), _VALUES).map(
            lambda pv: _replace_at(_valid_config(), *pv)),
        _VALUES))
    def check(data):
        _write_study_yaml(root, yaml.safe_dump(data, allow_unicode=True))
        _validates_without_raising(root)

    check()


# -- data files of any shape -----------------------------------------------------------------
_CELL = st.one_of(
    st.text(max_size=15),
    st.sampled_from(["", "1", "2", "99", "7,5", "1.234,5", "ja", "Nee", "x", "2010-03-04",
                     "31-3-2010", "DH-001", "DH-001 ", "=1+1", "'; DROP TABLE", "\"", "\n",
                     "é", "\u0627\u0644\u062d\u064a", "\U0001f3e0", "06-12345678", "NaN",
                     "inf", "-0", "1e400", "   "]),
)
_HEADERS = st.lists(st.sampled_from(CLIENT_COLUMNS) | st.sampled_from(
    ["Respondent_ID", "onbekend", "", "respondent_id", "MSS_RATING", "\u00e9\u00e9n kolom"])
    | st.text(max_size=10), min_size=0, max_size=14)


@st.composite
def table_shapes(draw):
    header = draw(_HEADERS)
    width = len(header)
    rows = draw(st.lists(st.lists(_CELL, min_size=max(0, width - 2), max_size=width + 2),
                         max_size=8))
    return header, rows


def test_any_csv_shape_gives_a_report(tmp_path):
    root = make_study(tmp_path / "study")
    target = data_dir(root) / "client_interview.csv"

    @SETTINGS
    @given(table_shapes(), st.sampled_from([",", ";", "\t", "|"]),
           st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    def check(shape, delimiter, encoding):
        header, rows = shape
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        target.write_bytes(out.getvalue().encode(encoding, errors="replace"))
        report = _validates_without_raising(root)
        assert [f.file for f in report.files] == ["data/2010-1/den_haag/client_interview.csv"]
        frame = report.files[0].frame
        if frame is not None:
            assert list(frame.columns) == ["round", "region", *CLIENT_COLUMNS]
            # rows are numbered as in a spreadsheet: the header is row 1 (a quoted line break
            # can make two records of one when the header alone does not show the delimiter)
            assert (frame.index >= 2).all()

    check()


def _xlsx_text(text: str) -> str:
    """Text a workbook can hold: Excel itself cannot store most control characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


_XLSX_CELL = st.one_of(
    _CELL.map(_xlsx_text),
    st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.none(), st.dates(min_value=dt.date(1900, 3, 1)),
)


def test_any_xlsx_shape_gives_a_report(tmp_path):
    import openpyxl

    root = make_study(tmp_path / "study")
    target = data_dir(root) / "client_interview.xlsx"

    @settings(SETTINGS, max_examples=15)
    @given(_HEADERS, st.lists(st.lists(_XLSX_CELL, max_size=12), max_size=6),
           st.sampled_from(["gegevens", "Blad1", "toelichting", "data"]),
           st.booleans())
    def check(header, rows, sheet, explanation_first):
        wb = openpyxl.Workbook()
        if explanation_first:
            wb.active.title = "toelichting"
            wb.active.append(["Uitleg", "bij", "de", "kolommen"])
            ws = wb.create_sheet(sheet if sheet != "toelichting" else "Blad2")
        else:
            ws = wb.active
            ws.title = sheet
        ws.append([_xlsx_text(h) for h in header])
        for row in rows:
            ws.append([c if not (isinstance(c, float) and math.isnan(c)) else None for c in row])
        wb.save(target)
        report = _validates_without_raising(root)
        assert len(report.files) == 1

    check()


@pytest.mark.parametrize("instrument", ["partner_ties", "coded_segments", "governance_profile",
                                        "monitor_register"])
def test_any_csv_shape_of_other_instruments_gives_a_report(tmp_path, instrument):
    root = make_study(tmp_path / "study")
    columns = [c.name for c in get_instrument(instrument).columns]
    target = data_dir(root) / f"{instrument}.csv"

    @settings(SETTINGS, max_examples=10)
    @given(st.lists(st.sampled_from(columns), max_size=len(columns)),
           st.lists(st.lists(_CELL, max_size=len(columns) + 1), max_size=5))
    def check(header, rows):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        target.write_text(out.getvalue(), encoding="utf-8")
        _validates_without_raising(root)

    check()
