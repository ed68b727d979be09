"""mss-eval: evaluation workbench for Dutch community support systems (MSS).

The flow of the package follows the study: instruments (``instruments``) and the study on disk
(``study``) → reading and validating input (``input``) → the study's tidy data (``tidy``) →
analyses per level (``analysis``) → tables and figures (``tables``, ``figures``) → rendering
(``render``).

For a researcher in JupyterLab::

    import mss_eval as mss

    study = mss.load_study("data_templates/example_study")
    study                                        # what was delivered, without ids or free text
    study.head("client_interview")               # a first look: no ids, pseudonyms or free text
    mss.analysis.share(study["client_interview"], "network_informal > 0", study=study)
    mss.analysis.personal.client_rating(study["client_interview"])
    mss.disclosure.protect(my_table, study)

Submodules are imported when first used (``mss.analysis``, ``mss.figures``, ``mss.tables``,
``mss.disclosure``, ``mss.report``, ``mss.render``), so ``import mss_eval`` stays quick.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("mss-eval")
except _PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

#: Public name -> the module it stands for (imported on first use).
_SUBMODULES = {
    "analysis": "mss_eval.analysis",
    "disclosure": "mss_eval.disclosure",
    "figures": "mss_eval.report.figures",
    "input": "mss_eval.input",
    "instruments": "mss_eval.instruments",
    "qualitative": "mss_eval.qualitative",
    "render": "mss_eval.render",
    "report": "mss_eval.report",
    "study": "mss_eval.study",
    "tables": "mss_eval.report.tables",
    "tidy": "mss_eval.tidy",
}


def load_study(path, **kwargs):
    """Load and validate a study folder into its tidy data.

    See :func:`mss_eval.tidy.load_study` for the options.

    Parameters
    ----------
    path : str or Path
        The study folder (with ``study.yaml`` and ``data/``).

    Returns
    -------
    Study
        ``study.config`` (``study.yaml``), ``study.settings`` and one tidy frame per instrument,
        ``study["client_interview"]``.

    Examples
    --------
    >>> import mss_eval as mss
    >>> from mss_eval.example.generator import default_example_dir
    >>> study = mss.load_study(default_example_dir())          # doctest: +SKIP
    >>> len(study["client_interview"]) > 0                     # doctest: +SKIP
    True
    """
    from .tidy import load_study as _load_study

    return _load_study(path, **kwargs)


def validate(path, **kwargs):
    """Check a study folder: every file against its instrument, the folder against study.yaml.

    See :func:`mss_eval.input.validate.validate_study`.

    Returns
    -------
    ValidationReport
        ``.valid``, ``.errors``, ``.warnings`` and ``.problems`` (each names file, row, column
        and value).

    Examples
    --------
    >>> import mss_eval as mss
    >>> report = mss.validate("no/such/study")
    >>> report.valid
    False
    """
    from .input.validate import validate_study

    return validate_study(path, **kwargs)


def __getattr__(name: str):
    import importlib

    if name in _SUBMODULES:
        module = importlib.import_module(_SUBMODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'mss_eval' has no attribute {name!r}")


def __dir__() -> list[str]:
    # the public names only (tab completion in JupyterLab): no helper, no imported module
    return sorted(__all__)


__all__ = ["__version__", "load_study", "validate", *_SUBMODULES]
