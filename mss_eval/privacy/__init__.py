"""Disclosure control of rendered reports: nothing in a report may point to a person.

:func:`check_report` reads rendered reports (HTML, PDF, DOCX, ``figures.json``, executed
notebooks) and lists every respondent id, pseudonym, direct identifier, open answer, unapproved
excerpt and table of rows per respondent it finds, as a :class:`Finding` with the value masked.
The policy behind it is ``docs/privacy.md``; ``mss-eval check-report`` is its command.

To check many reports of one study, build the :class:`Screen` once::

    screen = Screen.from_study(study_path)          # or a study from mss_eval.load_study
    findings = check_report(report_folder, screen=screen)
"""

from .check import KINDS, Finding, Screen, check_report, report_files, scan_identifiers
from .sources import Where

__all__ = ["KINDS", "Finding", "Screen", "Where", "check_report", "report_files",
           "scan_identifiers"]
