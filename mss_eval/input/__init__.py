"""Reading and validating a region's input: files to raw tables, raw tables to tidy frames.

The first stage of the flow (``docs/validation.md``): :mod:`.readers` reads CSV, XLSX and SAV files
into raw tables of strings; :mod:`.validate` checks them against their instruments and the study's
folder layout; :mod:`.identifiers` screens them for direct identifiers.
"""

from .readers import RawTable, ReadError, read_table
from .validate import FileResult, ValidationReport, validate_study, validate_table

__all__ = ["FileResult", "RawTable", "ReadError", "ValidationReport", "read_table",
           "validate_study", "validate_table"]
