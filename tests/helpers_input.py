"""Small study folders for the input tests: a study.yaml with one round and two regions, and
writers for data files from lists of dicts."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

STUDY_YAML = """\
name: Teststudie
commissioned_by: Testopdrachtgever
synthetic: true
rounds:
  - id: "2010-1"
    label: Ronde 1
    regions: [den_haag, dordrecht]
regions:
  - id: den_haag
    name: Den Haag
  - id: dordrecht
    name: Dordrecht
settings:
  min_respondents: 5
  language: {language}
"""

#: A complete, valid client interview (the required columns and a few others).
CLIENT = {
    "respondent_id": "DH-001",
    "interview_date": "2010-03-04",
    "gender": "2",
    "age_band": "3",
    "ever_treated_mhc": "1",
    "mss_rating": "8",
    "exp_heard": "4",
    "participation_needs_company": "1",
    "participation_needs_paid_work": "",
    "network_close": "3",
    "open_support": "De koffieochtend helpt.",
}


def make_study(root: Path, *, language: str = "nl", yaml_text: str | None = None) -> Path:
    """A study folder with study.yaml (round 2010-1, regions den_haag and dordrecht) and data/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "study.yaml").write_text(yaml_text or STUDY_YAML.format(language=language),
                                     encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    return root


def data_dir(study: Path, region: str = "den_haag", round_id: str = "2010-1") -> Path:
    folder = study / "data" / round_id / region
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clients(n: int = 3, **overrides) -> list[dict]:
    """``n`` valid client-interview rows with ids DH-001, DH-002, ..."""
    rows = []
    for i in range(n):
        row = dict(CLIENT, respondent_id=f"DH-{i + 1:03d}", mss_rating=str(6 + i % 5))
        row.update(overrides)
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict], *, delimiter: str = ",", encoding: str = "utf-8",
              columns: list[str] | None = None) -> Path:
    """Write rows as a CSV file (header: every key of the rows, in first-seen order, unless
    ``columns`` is given)."""
    columns = columns or _keys(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_client_interview(study: Path, rows: list[dict], *, region: str = "den_haag",
                           round_id: str = "2010-1", **kwargs) -> Path:
    """Write a client_interview.csv for one region of the test study."""
    return write_csv(data_dir(study, region, round_id) / "client_interview.csv", rows, **kwargs)


def write_xlsx(path: Path, rows: list[dict], *, sheet: str = "gegevens",
               extra_sheets: dict[str, list[list]] | None = None,
               columns: list[str] | None = None) -> Path:
    """Write rows to a workbook (numbers as numbers), with optional extra sheets before it."""
    import openpyxl

    columns = columns or _keys(rows)
    wb = openpyxl.Workbook()
    first = wb.active
    for name, cells in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for line in cells:
            ws.append(line)
    ws = wb.create_sheet(sheet)
    ws.append(columns)
    for row in rows:
        ws.append([_cell(row.get(c, "")) for c in columns])
    wb.remove(first)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _keys(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def _cell(value):
    if value in ("", None):
        return None
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under a folder (to prove that validation changed nothing)."""
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}
