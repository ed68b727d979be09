"""Rendering: from a study folder to every report it needs, in HTML, PDF and DOCX.

The machinery lives here, apart from what it executes (the notebooks in ``notebooks/`` and the
report functions in :mod:`mss_eval.report`):

* :mod:`.plan` decides which reports to make and where they go;
* :mod:`.worker` renders one report in a worker process (papermill, then HTML/PDF/DOCX);
* :mod:`.export` turns an executed notebook into a report file;
* :mod:`.run` runs the plan in a process pool with a progress display and summarises;
* :mod:`.index` writes ``index.html``; :mod:`mss_eval.atomic` makes every write atomic.
"""

from .plan import FORMATS, ReportJob, plan_reports
from .run import RenderSummary, render_study
from .worker import RenderOptions, ReportResult

__all__ = ["FORMATS", "RenderOptions", "RenderSummary", "ReportJob", "ReportResult",
           "plan_reports", "render_study"]
