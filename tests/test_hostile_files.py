"""Hostile input files end in one sentence and exit code 1, within 4 GB of memory and 120 s.

A workbook that unpacks to a gigabyte (a zip bomb, honest or with a header claiming less, or
more), a REFI-QDA project whose code tree is nested 200,000 deep, and one whose source claims
3 GB: each is refused before a reader unpacks or parses it (``mss_eval.input.limits``). The files
are made here, in the test's temporary folder, cheaply: a bomb is a zip member written from
repeated bytes, and a size a header claims is patched into the header.
"""

from __future__ import annotations

import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers_input import data_dir, make_study
from qualitative_qdpx import example_project, write_qdpx, write_study

from mss_eval.input import limits
from mss_eval.input.readers import ReadError, read_table
from mss_eval.qualitative.refi import read_qda

GIB = 1024 ** 3
MEMORY_LIMIT = 4 * 10 ** 9   # bytes of address space, as `ulimit -v 4000000`
TIME_LIMIT = 120

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}"><Relationship '
        f'Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
        '<sheets><sheet name="gegevens" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}"><Relationship '
        f'Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
SHEET = "xl/worksheets/sheet1.xml"


def xlsx_bomb(path: Path, unpacked: int) -> Path:
    """A workbook whose sheet is ``unpacked`` bytes of rows, written from repeated bytes (a few
    megabytes on disk per gigabyte)."""
    rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in _PARTS.items():
            z.writestr(name, text)
        with z.open(SHEET, "w", force_zip64=unpacked >= 2 ** 32 - 1) as fh:
            fh.write(f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            written = 0
            while written < unpacked:
                fh.write(rows)
                written += len(rows)
            fh.write(b"</sheetData></worksheet>")
    return path


def claim_size(path: Path, member: str, size: int) -> Path:
    """Patch the unpacked size that ``member``'s local and central headers claim."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    assert data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, size)
    name, at = member.encode(), 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + length] == name:
            break
        at += 4
    struct.pack_into("<I", data, at + 24, size)
    path.write_bytes(bytes(data))
    return path


def deep_qdpx(path: Path, depth: int) -> Path:
    """A project whose code tree is ``depth`` codes, each inside the one before."""
    ns = "urn:QDA-XML:project:1.0"
    opening = "".join(f'<Code guid="{i:08X}-0000-4000-8000-000000000000" name="c{i}" '
                      f'isCodable="true">' for i in range(depth))
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{ns}" name="diep">'
           f'<CodeBook><Codes>{opening}{"</Code>" * depth}</Codes></CodeBook></Project>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml.encode())
    return path


def source_member(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return next(n for n in z.namelist() if n.startswith("sources/"))


def run_limited(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``mss-eval ARGS`` in a child process with 4 GB of address space and 120 s."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([sys.executable, "-m", "mss_eval.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=limit)


def assert_one_sentence(result: subprocess.CompletedProcess, file: str, *words: str) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out and "MemoryError" not in out and "RecursionError" not in out
    lines = [line for line in out.splitlines() if file in line]
    assert len(lines) == 1, out
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- 1. the three hostile files through the command line ---------------------------------------
@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return xlsx_bomb(tmp_path_factory.mktemp("bomb") / "client_interview.xlsx", GIB)


@pytest.mark.parametrize("header", ["honest", "claims 1 KiB", "claims 4 GiB"])
def test_xlsx_zip_bomb_is_refused_in_one_sentence(tmp_path, bomb, header):
    study = make_study(tmp_path / "studie")
    target = data_dir(study) / "client_interview.xlsx"
    target.write_bytes(bomb.read_bytes())
    if header != "honest":
        claim_size(target, SHEET, 1024 if header == "claims 1 KiB" else 2 ** 32 - 2)
    result = run_limited(["validate", str(study)], tmp_path)
    line = assert_one_sentence(result, "client_interview.xlsx", SHEET, "256 MiB", "zip-bom")
    if header == "claims 4 GiB":
        assert "4 GiB" in line
    assert target.read_bytes()[:4] == b"PK\x03\x04"  # never written


def test_qdpx_with_200000_nested_codes_is_refused_in_one_sentence(tmp_path):
    study = write_study(tmp_path / "studie")
    qdpx = deep_qdpx(tmp_path / "diep.qdpx", 200_000)
    result = run_limited(["import-qda", str(qdpx), "--study", str(study), "--round", "2010-1",
                          "--region", "den_haag"], tmp_path)
    assert_one_sentence(result, "diep.qdpx", str(limits.MAX_XML_DEPTH), "genest")


def test_qdpx_with_a_3_gb_source_is_refused_in_one_sentence(tmp_path):
    study = write_study(tmp_path / "studie")
    qdpx = write_qdpx(tmp_path / "groot.qdpx", example_project())
    member = source_member(qdpx)
    claim_size(qdpx, member, 3 * 10 ** 9)
    result = run_limited(["import-qda", str(qdpx), "--study", str(study), "--round", "2010-1",
                          "--region", "den_haag"], tmp_path)
    assert_one_sentence(result, "groot.qdpx", member, "2,8 GiB", "64 MiB")


# -- 2. the checks themselves, in this process -------------------------------------------------
def test_a_source_larger_than_its_header_claims_is_stopped_while_unpacking(tmp_path):
    qdpx = write_qdpx(tmp_path / "liegt.qdpx", example_project())
    member = source_member(qdpx)
    with zipfile.ZipFile(qdpx) as z:
        names = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(qdpx, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in names.items():
            if name == member:
                with z.open(name, "w") as fh:
                    for _ in range(80):
                        fh.write(b"a" * (1024 * 1024))
            else:
                z.writestr(name, data)
    claim_size(qdpx, member, 100)
    with pytest.raises(limits.InputRefused) as caught:
        read_qda(qdpx, language="en")
    assert str(caught.value) == (
        f"liegt.qdpx: the part '{member}' unpacks to more than 64 MiB, while the workbench "
        "reads at most 64 MiB from one part; the file was not read (a damaged file or a zip "
        "bomb)")


def test_xml_at_the_depth_limit_is_read_and_one_deeper_is_refused(tmp_path):
    # Project, CodeBook and Codes are three levels: the codes get the rest
    at_limit = deep_qdpx(tmp_path / "rand.qdpx", limits.MAX_XML_DEPTH - 3)
    assert len(read_qda(at_limit).codes) == limits.MAX_XML_DEPTH - 3
    with pytest.raises(limits.InputRefused):
        read_qda(deep_qdpx(tmp_path / "dieper.qdpx", limits.MAX_XML_DEPTH - 2))


def test_an_ordinary_workbook_is_read_as_before(tmp_path):
    path = xlsx_bomb(tmp_path / "klein.xlsx", 10_000)
    assert limits.xlsx_problem(path.read_bytes(), file="klein.xlsx") is None
    assert len(read_table(path).data) > 100


def test_a_workbook_of_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "veel.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(limits.MAX_PARTS + 1):
            z.writestr(f"x/{i}.xml", b"")
    with pytest.raises(ReadError) as caught:
        read_table(path, language="en")
    assert caught.value.problems[0].code == "input_too_many_parts"


def test_sizes_read_in_the_language_of_the_messages():
    assert limits.size_text(3 * 10 ** 9, "nl") == "2,8 GiB"
    assert limits.size_text(256 * 1024 ** 2, "en") == "256 MiB"
    assert limits.size_text(512, "en") == "512 bytes"


def test_a_bzip2_part_is_counted_whatever_its_header_claims(tmp_path):
    # bzip2 has no bound on its ratio like deflate's: a small part is unpacked and counted
    path = tmp_path / "bzip2.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr(SHEET, b"<row/>" * 50_000)
    claim_size(path, SHEET, 10)
    with zipfile.ZipFile(path) as z:
        problem = limits.archive_problem(z, file="bzip2.xlsx", language="en",
                                         part_limit=100_000, total_limit=10 ** 9)
    assert problem is not None and problem.code == "input_part_too_large"
    assert "more than 97.7 KiB" in problem.message
