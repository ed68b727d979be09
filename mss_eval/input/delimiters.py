"""The separator of a delimited text file, shared by the readers and the export recognisers."""

from __future__ import annotations

import csv


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: the one of ``;``, ``,`` and tab that splits its first
    non-blank line (the header) into the most cells, quotes respected.

    A header of one column has no separator; then the first of ``;``, tab and ``,`` that does not
    occur in the text is used, so that decimal commas in a one-column file stay in their cells.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_cells = next((d for d in (";", "\t", ",") if d not in text), ";"), 1
    for delim in (";", ",", "\t"):
        try:
            cells = len(next(csv.reader([first], delimiter=delim)))
        except (csv.Error, StopIteration):
            continue
        if cells > best_cells:
            best, best_cells = delim, cells
    return best
