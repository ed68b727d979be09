"""mss-eval: evaluation workbench for Dutch community support systems (MSS).

The flow of the package follows the study: instruments (``instruments``) and the study on disk
(``study``) → reading and validating input (``input``) → the study's tidy data (``tidy``) →
analyses per level (``analysis``) → tables and figures (``tables``, ``figures``) → rendering
(``render``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mss-eval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"


def load_study(path, **kwargs):
    """Load and validate a study folder; see :func:`mss_eval.tidy.load_study`."""
    from .tidy import load_study as _load_study

    return _load_study(path, **kwargs)


__all__ = ["__version__", "load_study"]
