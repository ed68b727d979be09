"""Qualitative coding: coded interviews from QDA tools into theme tables, agreement and quotes.

The flow follows the other data of a study:

* :mod:`.refi` reads REFI-QDA exports (``.qdpx`` projects, ``.qdc`` codebooks) of ATLAS.ti,
  MAXQDA, NVivo or QualCoder; :mod:`.mapping` maps their codes to the study codebook;
  :mod:`.importer` writes a region's ``coded_segments`` data (``mss-eval import-qda``);
* :mod:`.export` writes the study codebook as ``.qdc`` for a region's QDA tool
  (``mss-eval export-codebook``), and a region's coded segments as a ``.qdpx`` project that
  imports back with the same segments and ids (``mss-eval export-qda``);
* :mod:`.analysis` turns the tidy ``coded_segments`` frame into themes per level and region,
  frequencies by source kind, co-occurrence and intercoder agreement;
* :mod:`.quotes` gives the excerpts an author approved, attributed by region and source kind;
* :mod:`.tables` has the display tables the reports show.

Spreadsheet coding (one row per coded segment in the ``coded_segments`` template) reaches the same
analyses through :func:`mss_eval.load_study`. Conventions: ``docs/qualitative.md``.
"""

from .analysis import (
    code_cooccurrence,
    code_frequencies_by_source_kind,
    code_region_matrix,
    intercoder_agreement,
    shared_themes,
    without_excerpts,
)
from .export import codebook_qdc_bytes, project_qdpx_bytes, write_codebook_qdc, write_project_qdpx
from .importer import check_codebook, import_qda
from .mapping import map_codes, read_mapping
from .quotes import approved_quotes
from .refi import read_qda
from .tables import agreement_table, theme_comparison, theme_matrix, theme_table

__all__ = [
    "agreement_table",
    "approved_quotes",
    "check_codebook",
    "code_cooccurrence",
    "code_frequencies_by_source_kind",
    "code_region_matrix",
    "codebook_qdc_bytes",
    "import_qda",
    "intercoder_agreement",
    "map_codes",
    "project_qdpx_bytes",
    "read_mapping",
    "read_qda",
    "shared_themes",
    "theme_comparison",
    "theme_matrix",
    "theme_table",
    "without_excerpts",
    "write_codebook_qdc",
    "write_project_qdpx",
]


def __dir__() -> list[str]:
    # tab completion in JupyterLab: the public functions, not the modules they use
    return sorted(__all__)
