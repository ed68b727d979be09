"""Limits on what an input file may make the workbench unpack or parse, checked before reading.

An ``.xlsx`` workbook and a REFI-QDA project (``.qdpx``) are zip archives of XML; a ``.qde`` or
``.qdc`` file is XML on its own. A few kilobytes of zip can unpack to gigabytes (a *zip bomb*), and
XML nested a hundred thousand elements deep exhausts the stack of any recursive reader (the
schema check of :mod:`xmlschema`, the code tree of :mod:`mss_eval.qualitative.refi`). Such a file
is refused before a reader touches it, with one sentence naming the file, the part refused and
the limit; nothing of it is read.

What is checked
---------------
* **Size of each part, unpacked.** What a part's header claims, and for a part that could unpack
  past the limit whatever its header says (its compressed size times deflate's largest ratio,
  :data:`DEFLATE_MAX_RATIO`, exceeds the limit), what it really unpacks to, counted while
  decompressing in pieces and stopped one byte past the limit. A header can lie; the count
  cannot. Calamine, which reads workbooks first, does not stop at a header's size, so both
  checks run before it.
* **Size of all parts together**, and the **number of parts**.
* **Nesting depth of XML**, counted by a streaming parser (expat) that stops at the first
  element past :data:`MAX_XML_DEPTH`; no tree is built.

The limits are far above any data file of a monitor (a sheet of 256 MiB holds some ten million
cells; the interviews of a region are a few megabytes of text) and far below what would exhaust
the memory of an ordinary computer (the tests run under a 4 GB address-space limit).

:func:`xlsx_problem` returns the problem for the readers to raise as they do for any unreadable
file; :class:`GuardedZipFile` and :func:`ensure_xml_depth` raise :class:`InputRefused`, a
:class:`~mss_eval.problems.StudyError` that prints as its one sentence.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from pathlib import Path

from ..problems import MESSAGES, Problem, StudyError, message

KIB, MIB, GIB = 1024, 1024 ** 2, 1024 ** 3
#: Largest unpacked size of one part of a workbook (a sheet, the shared strings).
MAX_XLSX_PART_BYTES = 256 * MIB
#: Largest unpacked size of all parts of a workbook together.
MAX_XLSX_TOTAL_BYTES = 512 * MIB
#: Largest unpacked size of one part read from a QDA project (project.qde, a source's text), and
#: of a .qde or .qdc file.
MAX_QDA_PART_BYTES = 64 * MIB
#: Largest unpacked size of everything read from one QDA project.
MAX_QDA_TOTAL_BYTES = 256 * MIB
#: Most parts an archive may have.
MAX_PARTS = 10_000
#: Deepest XML element nesting read (a REFI-QDA project needs about ten levels plus its code tree).
MAX_XML_DEPTH = 100
#: Deflate unpacks at most about 1032 bytes from one byte.
DEFLATE_MAX_RATIO = 1032
_CHUNK = 1 * MIB

MESSAGES.update({
    "input_part_too_large": {
        "nl": "het onderdeel '{member}' pakt uit tot {size}, terwijl de werkbank uit één "
              "onderdeel ten hoogste {limit} leest; het bestand is niet gelezen (een beschadigd "
              "bestand of een zip-bom){hint}",
        "en": "the part '{member}' unpacks to {size}, while the workbench reads at most {limit} "
              "from one part; the file was not read (a damaged file or a zip bomb){hint}",
    },
    "input_parts_too_large": {
        "nl": "de onderdelen van het bestand pakken samen uit tot meer dan {limit} (bij "
              "'{member}'); het bestand is niet gelezen (een beschadigd bestand of een "
              "zip-bom){hint}",
        "en": "the parts of the file unpack to more than {limit} together (at '{member}'); the "
              "file was not read (a damaged file or a zip bomb){hint}",
    },
    "input_too_many_parts": {
        "nl": "het bestand bestaat uit {count} onderdelen, meer dan de {limit} die de werkbank "
              "leest; het bestand is niet gelezen",
        "en": "the file consists of {count} parts, more than the {limit} the workbench reads; "
              "the file was not read",
    },
    "input_file_too_large": {
        "nl": "het bestand is {size} groot, meer dan de {limit} die de werkbank van zo'n bestand "
              "leest; het is niet gelezen",
        "en": "the file is {size}, more than the {limit} the workbench reads of such a file; it "
              "was not read",
    },
    "input_xml_too_deep": {
        "nl": "de XML in '{member}' is dieper dan {limit} elementen genest (regel {line}); de "
              "werkbank leest zo'n bestand niet, omdat de controle tegen het schema erop "
              "vastloopt; exporteer het opnieuw uit het programma",
        "en": "the XML in '{member}' is nested deeper than {limit} elements (line {line}); the "
              "workbench does not read such a file, as checking it against the schema would "
              "break down; export it again from the program",
    },
    "input_part_damaged": {
        "nl": "het onderdeel '{member}' is beschadigd ({detail}); het bestand is niet gelezen",
        "en": "the part '{member}' is damaged ({detail}); the file was not read",
    },
})

_XLSX_HINT = {"nl": "; grote gegevens kunt u als CSV opslaan",
              "en": "; large data can be saved as CSV"}


class InputRefused(StudyError):
    """An input file refused before reading: prints as its one sentence (file and reason)."""

    def __init__(self, problem: Problem, language: str = "nl"):
        self.language = language
        super().__init__([problem], summary=problem.describe(language))

    def __str__(self) -> str:
        return self.summary


def size_text(size: float, language: str = "nl") -> str:
    """A byte count for a sentence: ``2,8 GiB``, ``256 MiB`` (binary units, at most one decimal,
    the language's decimal sign)."""
    for unit, factor in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= factor:
            number = f"{size / factor:.1f}".removesuffix(".0")
            break
    else:
        number, unit = f"{int(size)}", "bytes"
    return f"{number.replace('.', ',') if language == 'nl' else number} {unit}"


def more_than(limit: int, language: str = "nl") -> str:
    """``meer dan 256 MiB``: the size of a part whose count was stopped past the limit."""
    return f"{'meer dan' if language == 'nl' else 'more than'} {size_text(limit, language)}"


def _problem(code: str, file: str, language: str, **params) -> Problem:
    value = params.get("member")
    sized = {k: size_text(v, language) if k in ("size", "limit") and isinstance(v, int) else v
             for k, v in params.items()}
    return Problem(code, message(code, language, **sized), file=file,
                   value=None if value is None else str(value))


def unpacked_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    """What a part really unpacks to, counted up to one byte past ``limit`` (then stopped).

    The part is decompressed in pieces of a megabyte and thrown away; its header's size is not
    trusted (:func:`_unbounded`), so a header claiming less stops nothing.
    Raises :class:`zipfile.BadZipFile`, :class:`zlib.error` or :class:`EOFError` for a damaged
    part, :class:`NotImplementedError` for an unknown compression.
    """
    probe = _unbounded(info)
    total = 0
    with archive.open(probe) as fh:
        while total <= limit:
            piece = fh.read(min(_CHUNK, limit + 1 - total))
            if not piece:
                break
            total += len(piece)
    return total


def _unbounded(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The part's entry with its header's size taken away (raised beyond any real size), so that
    unpacking goes on until the data end and the caller stops it at its limit; the checksum is
    still compared when the data end."""
    probe = copy.copy(info)
    probe.file_size = 2 ** 62
    return probe


def _bound(info: zipfile.ZipInfo) -> int:
    """The most a part can unpack to, whatever its header says (for bzip2 and LZMA, whose
    ratios have no such bound, more than any limit: they are always counted)."""
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return info.compress_size * DEFLATE_MAX_RATIO
    return 2 ** 62


def _may_exceed(info: zipfile.ZipInfo, limit: int) -> bool:
    """Whether a part could unpack past ``limit`` whatever its header says."""
    return _bound(info) > limit


def archive_problem(archive: zipfile.ZipFile, *, file: str, language: str = "nl",
                    part_limit: int, total_limit: int, hint: str = "") -> Problem | None:
    """The first limit an archive breaks (parts, size of a part, size of all parts), or None.

    A part is unpacked (and counted) only when its compressed size leaves open that it breaks a
    limit: small parts cost nothing, and their worst case is kept within the total. A part whose
    real size cannot be counted because it is damaged is left to the reader, which names the
    damage as it always has.
    """
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        return _problem("input_too_many_parts", file, language, count=len(infos),
                        limit=f"{MAX_PARTS}")
    counted = 0  # real sizes where counted, the headers' sizes elsewhere
    worst = 0    # what the parts seen so far could unpack to at most
    for info in infos:
        size = info.file_size
        bound = _bound(info)
        if size <= part_limit and (bound > part_limit or worst + bound > total_limit):
            try:
                size = unpacked_size(archive, info, part_limit)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError):
                continue
            if size > part_limit:
                return _problem("input_part_too_large", file, language, member=info.filename,
                                size=more_than(part_limit, language), limit=part_limit,
                                hint=hint)
            worst += size
        elif size > part_limit:
            return _problem("input_part_too_large", file, language, member=info.filename,
                            size=size, limit=part_limit, hint=hint)
        else:
            worst += bound
        counted += size
        if counted > total_limit:
            return _problem("input_parts_too_large", file, language, member=info.filename,
                            limit=total_limit, hint=hint)
    return None


def xlsx_problem(raw: bytes, *, file: str, language: str = "nl") -> Problem | None:
    """The problem with a workbook's bytes that unpack past the limits, or None.

    Bytes that are no zip archive are left to the readers (an old ``.xls``, a damaged file).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        return archive_problem(archive, file=file, language=language,
                               part_limit=MAX_XLSX_PART_BYTES, total_limit=MAX_XLSX_TOTAL_BYTES,
                               hint=_XLSX_HINT.get(language, _XLSX_HINT["nl"]))


class GuardedZipFile(zipfile.ZipFile):
    """A zip archive opened for reading whose :meth:`read` keeps to the limits.

    Every part read may unpack to at most ``part_limit`` bytes and everything read together to
    ``total_limit`` (counted while unpacking, so a header claiming less changes nothing); the
    number of parts is checked on opening. A limit broken, or a damaged part, raises
    :class:`InputRefused` naming ``file`` and the part.
    """

    def __init__(self, path: Path | str, *, file: str, language: str = "nl",
                 part_limit: int = MAX_QDA_PART_BYTES, total_limit: int = MAX_QDA_TOTAL_BYTES):
        super().__init__(path, "r")
        self.file, self.language = file, language
        self.part_limit, self.total_limit = part_limit, total_limit
        self.bytes_read = 0
        count = len(self.infolist())
        if count > MAX_PARTS:
            self.close()
            raise InputRefused(_problem("input_too_many_parts", file, language, count=count,
                                        limit=f"{MAX_PARTS}"), language)

    def _refuse(self, code: str, **params) -> InputRefused:
        return InputRefused(_problem(code, self.file, self.language, **params), self.language)

    def read(self, name, pwd=None) -> bytes:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if info.file_size > self.part_limit:
            raise self._refuse("input_part_too_large", member=info.filename,
                               size=info.file_size, limit=self.part_limit, hint="")
        probe = _unbounded(info) if _may_exceed(info, self.part_limit) else info
        try:
            with self.open(probe, pwd=pwd) as fh:
                data = fh.read(self.part_limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise self._refuse("input_part_damaged", member=info.filename,
                               detail=str(exc) or type(exc).__name__) from None
        if len(data) > self.part_limit:
            raise self._refuse("input_part_too_large", member=info.filename,
                               size=more_than(self.part_limit, self.language),
                               limit=self.part_limit, hint="")
        if len(data) != info.file_size:
            raise self._refuse("input_part_damaged", member=info.filename,
                               detail=("de grootte klopt niet met de kop" if self.language == "nl"
                                       else "its size does not match its header"))
        self.bytes_read += len(data)
        if self.bytes_read > self.total_limit:
            raise self._refuse("input_parts_too_large", member=info.filename,
                               limit=self.total_limit, hint="")
        return data


def read_file(path: Path | str, *, file: str, language: str = "nl",
              limit: int = MAX_QDA_PART_BYTES) -> bytes:
    """A file's bytes, or :class:`InputRefused` when it is larger than ``limit``."""
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise InputRefused(_problem("input_file_too_large", file, language, size=size,
                                    limit=limit), language)
    return path.read_bytes()


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


def xml_depth_problem(data: bytes, *, file: str, member: str, language: str = "nl",
                      limit: int = MAX_XML_DEPTH) -> Problem | None:
    """The problem with XML nested deeper than ``limit`` elements, or None.

    Counted by expat as it streams (no tree); it stops at the first element too deep. XML that
    expat cannot parse is left to the reader, which names the syntax error.
    """
    import pyexpat

    parser = pyexpat.ParserCreate()
    depth = 0

    def start(name, attrs):
        nonlocal depth
        depth += 1
        if depth > limit:
            raise _TooDeep(parser.CurrentLineNumber)

    def end(name):
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _TooDeep as exc:
        return _problem("input_xml_too_deep", file, language, member=member, limit=f"{limit}",
                        line=exc.line)
    except pyexpat.ExpatError:
        return None
    return None


def ensure_xml_depth(data: bytes, *, file: str, member: str | None = None,
                     language: str = "nl", limit: int = MAX_XML_DEPTH) -> None:
    """Raise :class:`InputRefused` for XML nested deeper than ``limit`` elements."""
    problem = xml_depth_problem(data, file=file, member=member or file, language=language,
                                limit=limit)
    if problem is not None:
        raise InputRefused(problem, language)


__all__ = ["GuardedZipFile", "InputRefused", "MAX_PARTS", "MAX_QDA_PART_BYTES",
           "MAX_QDA_TOTAL_BYTES", "MAX_XLSX_PART_BYTES", "MAX_XLSX_TOTAL_BYTES", "MAX_XML_DEPTH",
           "archive_problem", "ensure_xml_depth", "read_file", "size_text", "unpacked_size",
           "xlsx_problem", "xml_depth_problem"]
