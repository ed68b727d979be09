"""A tiny study and tiny report notebooks for the fault and concurrency tests of rendering.

The study has one round and regions ``a``, ``b``, ``c`` and no data: the notebooks here do not
load it, so a report takes the time of a kernel start, not of the analyses. What a region's
notebook does is steered by a file ``faults/<region>.txt`` in the study folder:

=========  ===============================================================================
``kill``   the kernel kills itself (``os.kill(os.getpid(), 9)``), as the out-of-memory killer
``raise``  a cell raises ``ValueError``
``hold``   the notebook waits while the fault file exists (the test removes it to let go)
``email``  the report shows an e-mail address (a leak)
=========  ===============================================================================

Each notebook touches ``started/<region>`` when it begins, so a test can wait for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent

STUDY_YAML = """\
name: Storingstest
commissioned_by: Testopdrachtgever
synthetic: true
rounds:
  - id: "r1"
    label: Ronde 1
    regions: [{regions}]
regions:
{listing}
settings:
  min_respondents: 5
  language: nl
"""

PARAMETERS = 'study = ""\nround = ""\nregion = ""\nlanguage = "nl"\nrendered_by = ""'

BODY = '''\
import os, time
from pathlib import Path
from IPython.display import HTML, display
fault_file = Path(study) / "faults" / f"{region}.txt"
fault = fault_file.read_text().strip() if fault_file.exists() else ""
(Path(study) / "started").mkdir(exist_ok=True)
(Path(study) / "started" / region).touch()
if fault == "kill":
    os.kill(os.getpid(), 9)
if fault == "raise":
    raise ValueError(f"kapotte cel in regio {region}")
while fault == "hold" and fault_file.exists():
    time.sleep(0.1)
# put together here, so that the notebook's code itself holds no address
contact = " Vragen: " + "@".join(["j.jansen", "example.org"]) if fault == "email" else ""
display(HTML(f'<h2 class="chapter" id="h-1">1 Regio {region}</h2><p>Rapport over regio '
             f'{region}.{contact}</p>'))
'''

FIGURES = '''\
from IPython.display import display
display({"application/json": {"meta": {"region": region}, "region": {"n": 12}},
         "text/plain": "Kerncijfers"}, raw=True, metadata={"mss_eval": {"role": "key_figures"}})
'''


def make_fault_study(root: Path, regions: tuple[str, ...] = ("a", "b", "c")) -> Path:
    """The study folder (study.yaml only) with the given regions in round ``r1``."""
    root.mkdir(parents=True, exist_ok=True)
    listing = "\n".join(f"  - id: {g}\n    name: Regio {g.upper()}" for g in regions)
    (root / "study.yaml").write_text(STUDY_YAML.format(regions=", ".join(regions),
                                                       listing=listing), encoding="utf-8")
    return root


def make_notebooks(folder: Path) -> Path:
    """``region_report.ipynb`` (and the round and final ones, never run here) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
                new_code_cell(BODY), new_code_cell(FIGURES)]
    for name in ("region_report", "round_report", "final_report"):
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def set_fault(study: Path, region: str, fault: str) -> None:
    (study / "faults").mkdir(exist_ok=True)
    (study / "faults" / f"{region}.txt").write_text(fault)


def clear_faults(study: Path) -> None:
    for path in (study / "faults").glob("*.txt"):
        path.unlink()


def wait_for(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def started(study: Path) -> set[str]:
    folder = study / "started"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def temporaries(out: Path) -> list[Path]:
    """Half-written files: the atomic writer's temporary files anywhere under ``out``."""
    return [p for p in out.rglob("*") if ".tmp-" in p.name]


def report(out: Path, region: str, fmt: str = "html") -> Path:
    return out / "r1" / region / f"mss_r1_{region}.{fmt}"


def complete_html(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return text.rstrip().endswith("</html>") and "Rapport over regio" in text


def render_command(study: Path, out: Path, notebooks: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mss_eval.cli", "render", str(study), "--out", str(out),
            "--notebooks", str(notebooks), "--format", "html", *extra]


def start_render(study: Path, out: Path, notebooks: Path, *extra: str) -> subprocess.Popen:
    """``mss-eval render`` as a separate process (its own process group, like a shell job)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(render_command(study, out, notebooks, *extra), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def descendants(pid: int) -> list:
    """Every live process below ``pid`` (psutil processes)."""
    import psutil

    try:
        return [p for p in psutil.Process(pid).children(recursive=True)
                if p.status() != psutil.STATUS_ZOMBIE]
    except psutil.Error:
        return []


def kernels_below(pid: int) -> list:
    """The Jupyter kernels running below ``pid``."""
    import psutil

    found = []
    for p in descendants(pid):
        try:
            if any("ipykernel" in part for part in p.cmdline()):
                found.append(p)
        except psutil.Error:
            continue
    return found


def all_gone(processes, timeout: float = 15.0) -> list:
    """Wait for ``processes`` to end; return those still running after ``timeout``."""
    import psutil

    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
