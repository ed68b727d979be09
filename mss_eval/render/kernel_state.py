"""Inside a warm report kernel: import the stack once, and reset the kernel between notebooks.

The warm-kernel engine (:mod:`.engine`) runs :func:`warm_up` once when it starts a kernel and
:func:`reset` before every notebook, both silently (nothing shows in the notebook). After
``reset`` a notebook finds the kernel as a fresh one would be, apart from modules already
imported:

* the user namespace is empty (IPython's ``%reset -f``) and the cell counter starts at 1, so
  error messages name the same cell numbers as with a fresh kernel;
* pandas options, matplotlib's rcParams, warning filters (and the "shown once" registries),
  ``os.environ``, ``sys.path`` and the working folder are what they were after the warm-up;
  open figures are closed;
* the report theme is marked unset, so ``setup_notebook`` applies it as in a fresh kernel;
* modules imported by a notebook from outside the installed environment (a study's own helper
  module) are forgotten, so an edited helper is imported afresh.

Module state of installed libraries is not reset (a notebook that patches pandas itself leaks);
report notebooks only call ``mss_eval``, which keeps no state beyond its caches of immutable
inputs.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import warnings
from pathlib import Path

#: The modules a report notebook needs, imported by :func:`warm_up`.
STACK = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn", "scipy.stats",
         "statsmodels.api", "networkx", "IPython.display", "mss_eval", "mss_eval.tidy",
         "mss_eval.tidy_cache", "mss_eval.report", "mss_eval.report.chapters")

_baseline: dict | None = None


def _pandas_options() -> dict:
    import pandas as pd

    try:
        from pandas._config import config as pd_config

        keys = [k for k in pd_config._registered_options
                if k not in pd_config._deprecated_options]
    except (ImportError, AttributeError):  # pragma: no cover - a future pandas
        keys = []
    values = {}
    for key in keys:
        try:
            values[key] = pd.get_option(key)
        except Exception:  # noqa: BLE001 - an option that cannot be read is not restored
            continue
    return values


def snapshot() -> dict:
    """The kernel state a notebook may change and :func:`reset` restores."""
    import matplotlib as mpl

    return {
        "pandas": _pandas_options(),
        "rc": dict(mpl.rcParams),
        "warnings": list(warnings.filters),
        "showwarning": warnings.showwarning,
        "environ": dict(os.environ),
        "path": list(sys.path),
        "modules": set(sys.modules),
        "cwd": os.getcwd(),
    }


def warm_up(modules: tuple[str, ...] = STACK) -> None:
    """Import the stack a report needs, then remember the state to return to."""
    import importlib

    global _baseline
    with warnings.catch_warnings():
        # import-time notices of libraries are the first report's business in a fresh kernel;
        # here they would otherwise be printed into no notebook at all
        warnings.simplefilter("ignore")
        for name in modules:
            try:
                importlib.import_module(name)
            except ImportError:
                continue
    _baseline = snapshot()


def _installed_roots() -> tuple[str, ...]:
    roots = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix}
    import mss_eval

    roots.add(str(Path(mss_eval.__file__).resolve().parent))
    return tuple(sorted(os.path.realpath(r) for r in roots))


def _user_modules(baseline_modules: set[str]) -> list[str]:
    roots = _installed_roots()
    out = []
    for name in set(sys.modules) - baseline_modules:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if not path:
            continue
        real = os.path.realpath(path)
        if not any(real == r or real.startswith(r + os.sep) for r in roots):
            out.append(name)
    return out


def reset(cwd: str | None = None) -> None:
    """Return the kernel to the state after :func:`warm_up` (see the module notes)."""
    import matplotlib as mpl
    import pandas as pd
    from IPython import get_ipython

    if _baseline is None:
        warm_up()
    base = _baseline
    assert base is not None
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=False)
        shell.execution_count = 1
    import matplotlib.pyplot as plt

    plt.close("all")
    # pandas: only options that differ, so deprecated ones are never touched
    for key, value in base["pandas"].items():
        try:
            if pd.get_option(key) != value:
                pd.set_option(key, value)
        except Exception:  # noqa: BLE001 - restore what can be restored
            continue
    rc = mpl.rcParams
    if dict(rc) != base["rc"]:
        update_raw = getattr(rc, "_update_raw", None)
        if update_raw is not None:
            update_raw(base["rc"])
        else:  # pragma: no cover - older matplotlib
            dict.update(rc, base["rc"])
    from ..report import style

    style._theme_set = False
    warnings.filters[:] = base["warnings"]
    warnings.showwarning = base["showwarning"]
    warnings._filters_mutated()  # forgets which warnings were already shown once
    if dict(os.environ) != base["environ"]:
        os.environ.clear()
        os.environ.update(base["environ"])
    sys.path[:] = base["path"]
    for name in _user_modules(base["modules"]):
        sys.modules.pop(name, None)
    os.chdir(cwd or base["cwd"])
    # IPython's reset already ran a full garbage collection (DisplayHook.flush)


def state_report() -> dict:
    """What a notebook could have changed, compared with the baseline (for tests)."""
    import matplotlib as mpl
    import pandas as pd

    base = _baseline or snapshot()
    return {
        "pandas": {k: pd.get_option(k) for k, v in base["pandas"].items()
                   if pd.get_option(k) != v},
        "rc": sorted(k for k, v in dict(mpl.rcParams).items() if base["rc"].get(k) != v),
    }
