"""The synthetic example study (voorbeeldstudie) shipped in ``data_templates/example_study``.

A seeded generator writes a complete study folder: ``study.yaml`` and a data file for every
instrument of every region of both rounds of the LPGGz client monitor of 2010. Round ``2010-1``
has exactly the counts of the interim report's Table 1; the values are drawn so that the regions
resemble what that report found. Everything in it — people, organisations, answers — is invented.
"""

from .generator import (
    EXAMPLE_SEED,
    GENERATED_ITEMS,
    default_example_dir,
    generate_study,
    generated_files,
)

__all__ = [
    "EXAMPLE_SEED",
    "GENERATED_ITEMS",
    "default_example_dir",
    "generate_study",
    "generated_files",
]
