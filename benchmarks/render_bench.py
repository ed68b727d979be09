"""Benchmark: how fast ``mss-eval render`` makes the reports of a large monitor round.

Usage::

    .venv/bin/python benchmarks/render_bench.py --regions 40
    .venv/bin/python benchmarks/render_bench.py --regions 350 --formats html,pdf --naive-sample 6

It generates a synthetic study with N regions (``generate_study(regions_per_round=N/2,
clients_per_region=...)``: the example generator's two rounds, N/2 regions each) and measures,
each in its own child process:

(a) ``mss-eval render STUDY --format F --force`` with everything else at its defaults (warm
    kernels, ``--jobs`` = cores, leak check), starting without any cache;
(b) the naive baseline a researcher would write: a sequential loop of
    ``papermill.execute_notebook`` (a new kernel per notebook), each followed by
    ``jupyter nbconvert --to html --no-input``, over the same reports (a region notebook per
    region, the round notebook per round, the final notebook), with ``MSS_EVAL_NO_CACHE=1``: the
    notebooks as they were before the tidy cache, each validating the study again;
(c) the floor: the same analysis, figure and HTML-writing functions (``Report``, the chapter
    functions, ``report_nodes``, ``notebook_to_html``, ``figures_json``, and ``write_pdf`` when
    PDF is asked) for
    every report in one Python process, the study loaded once, no notebooks and no kernels.

For each it prints wall time, CPU time (``getrusage`` of the child and all its descendants),
the peak resident memory of the largest process and the peak total of the process tree (sampled
every 0.2 s), then::

    speedup over naive papermill loop: X.Xx      ((b) / (a), wall time)
    ratio to in-process floor: Y.YY              ((a) / (c), wall time)

(b) writes HTML only (nbconvert cannot print a PDF without LaTeX or a browser), so the ratios
compare like with like only with ``--formats html`` (the default). With ``--naive-sample K`` the
naive loop runs K region reports (spread over both rounds), the first round report and the final
report, and (b) is extrapolated to all reports; the output says so. ``--floor-sample K`` does
the same for (c), with every round report and the final report made (the study loaded once). After (a) it also times a
second render with nothing changed (``(a) again, nothing changed``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent


# -- measuring a child process ---------------------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return 0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(label: str, argv: list[str], env: dict | None = None,
            log: Path | None = None) -> dict:
    """Run ``argv`` (a ``--_child`` invocation of this script) and measure it; its output goes
    to ``log``."""
    report = Path(tempfile.mkstemp(prefix="bench-", suffix=".json")[1])
    sink = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    started = time.monotonic()
    proc = subprocess.Popen([*argv, "--_report", str(report)], env=env, stdout=sink,
                            stderr=sink)
    peak_tree = 0
    done = threading.Event()

    def sample():
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, _tree_rss(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    if log:
        sink.close()
    try:
        usage = json.loads(report.read_text())
    except (OSError, ValueError):
        usage = {}
    report.unlink(missing_ok=True)
    if code != 0:
        print(f"{label}: exit code {code}", file=sys.stderr)
    return {"label": label, "wall": wall, "exit": code, "peak_tree": peak_tree, **usage}


def _write_usage(path: str, extra: dict | None = None) -> None:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = {
        "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
        # ru_maxrss is in KiB on Linux: the largest single process (self or a waited descendant)
        "peak_process": max(me.ru_maxrss, kids.ru_maxrss) * 1024,
        **(extra or {}),
    }
    Path(path).write_text(json.dumps(data))


# -- the three ways --------------------------------------------------------------------------------
def _plan(study: Path, out: Path, formats: list[str]):
    from mss_eval.render.plan import plan_reports
    from mss_eval.study import load_config

    return plan_reports(load_config(study), study, out, formats=formats,
                        rendered_by="benchmarks/render_bench.py")


def child_render(study: Path, out: Path, formats: list[str], jobs: int | None) -> dict:
    """(a): the command as a researcher runs it."""
    argv = [str(BIN / "mss-eval"), "render", str(study), "--out", str(out), "--force",
            "--format", ",".join(formats)]
    if jobs:
        argv += ["--jobs", str(jobs)]
    code = subprocess.run(argv).returncode
    return {"returncode": code}


def _naive_sample(jobs, sample: int | None):
    if not sample:
        return list(jobs), None
    regions = [j for j in jobs if j.kind == "region"]
    step = max(1, len(regions) // sample)
    chosen = regions[::step][:sample]
    rounds = [j for j in jobs if j.kind == "round"][:1]
    final = [j for j in jobs if j.kind == "final"]
    weights = {"region": len(regions) / max(1, len(chosen)),
               "round": len([j for j in jobs if j.kind == "round"]) / max(1, len(rounds)),
               "final": 1.0}
    return chosen + rounds + final, weights


def child_naive(study: Path, out: Path, sample: int | None) -> dict:
    """(b): papermill, then nbconvert, one report after the other."""
    import papermill

    jobs = _plan(study, out, ["html"])
    chosen, weights = _naive_sample(jobs, sample)
    seconds = {"region": 0.0, "round": 0.0, "final": 0.0}
    cpu = {"region": 0.0, "round": 0.0, "final": 0.0}
    failed = 0
    for job in chosen:
        job.folder.mkdir(parents=True, exist_ok=True)
        target = job.output("ipynb")
        t0 = time.monotonic()
        c0 = _cpu_now()
        try:
            papermill.execute_notebook(str(job.notebook), str(target),
                                       parameters=dict(job.parameters), kernel_name="python3",
                                       progress_bar=False, cwd=str(job.notebook.parent))
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                            str(target)], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        except Exception as exc:  # noqa: BLE001 - counted, the loop goes on as a script would
            failed += 1
            print(f"naive: {job.key}: {type(exc).__name__}", file=sys.stderr)
        seconds[job.kind] += time.monotonic() - t0
        cpu[job.kind] += _cpu_now() - c0
    extra = {"failed": failed, "reports": len(chosen)}
    if weights:
        extra["estimated_wall"] = sum(seconds[k] * weights[k] for k in seconds)
        extra["estimated_cpu"] = sum(cpu[k] * weights[k] for k in cpu)
        extra["sampled"] = {k: round(v, 1) for k, v in seconds.items()}
    return extra


def _cpu_now() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def child_floor(study: Path, out: Path, formats: list[str], sample: int | None = None) -> dict:
    """(c): the same functions for every report, in this process, without notebooks.

    With ``sample`` only that many region reports (and the round and final reports) are made
    and the time is extrapolated as for (b)."""
    import matplotlib

    matplotlib.use("Agg")
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    import mss_eval
    from mss_eval.problems import StudyError
    from mss_eval.atomic import atomic_write
    from mss_eval.render.export import (figures_json, notebook_to_html, prepare_for_export,
                                        report_nodes, write_pdf)
    from mss_eval.report import chapters
    from mss_eval.report.notebook import Report, quiet_known_warnings
    from mss_eval.report.style import set_theme

    set_theme()
    quiet_known_warnings()
    t_load, c_load = time.monotonic(), _cpu_now()
    study_loaded = mss_eval.load_study(study, on_error="skip")
    seconds = {"load": time.monotonic() - t_load, "region": 0.0, "round": 0.0, "final": 0.0}
    cpu = {"load": _cpu_now() - c_load, "region": 0.0, "round": 0.0, "final": 0.0}
    failed = 0
    jobs = _plan(study, out, formats)
    chosen, weights = _naive_sample(jobs, sample)
    if weights:  # every round report is made (they differ in size), and made first with the
        # final report, so the first-use imports are not multiplied with the region weight
        chosen = ([j for j in jobs if j.kind == "final"] + [j for j in jobs if j.kind == "round"]
                  + [j for j in chosen if j.kind == "region"])
        weights["round"] = 1.0
    for job in chosen:
        t0, c0 = time.monotonic(), _cpu_now()
        try:
            report = Report(study_loaded, round=job.round, region=job.region,
                            language=job.language, rendered_by=job.parameters["rendered_by"])
        except StudyError:
            failed += 1
            continue
        cells = []
        data, meta = report._repr_mimebundle_()
        cell = new_code_cell("report", execution_count=1)
        cell.outputs = [new_output("execute_result", execution_count=1, data=data,
                                   metadata=meta)]
        cells.append(cell)
        for n, chapter in enumerate(("introduction", "mss_profile", "administrative",
                                     "executive", "personal", "conclusions", "appendix"), 2):
            block = getattr(chapters, chapter)(report)
            cell = new_code_cell(f"chapters.{chapter}(report)", execution_count=n)
            # the display bundle a notebook gets: HTML and the nodes as JSON
            cell.outputs = [new_output("execute_result", execution_count=n,
                                       data=block._repr_mimebundle_())]
            cells.append(cell)
        nb, _, title, _ = prepare_for_export(new_notebook(cells=cells))
        nodes, _ = report_nodes(nb, job.language)
        contents = next((node for node in nodes if node.kind == "contents"), None)
        document = notebook_to_html(nb, title=title.get("title") or job.title,
                                    language=job.language, contents=contents)
        job.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(job.output("figures"), figures_json(report.key_figures))
        if "html" in job.formats:
            atomic_write(job.output("html"), document)
        if "pdf" in job.formats:
            write_pdf(nodes, job.output("pdf"), html=document, base_url=job.folder,
                      language=job.language)
        seconds[job.kind] += time.monotonic() - t0
        cpu[job.kind] += _cpu_now() - c0
    extra = {"failed": failed, "reports": len(chosen)}
    if weights:
        weights["load"] = 1.0
        extra["estimated_wall"] = sum(seconds[k] * weights[k] for k in seconds)
        extra["estimated_cpu"] = sum(cpu[k] * weights[k] for k in cpu)
        extra["sampled"] = {k: round(v, 1) for k, v in seconds.items()}
    return extra


# -- the benchmark -------------------------------------------------------------------------------
def _fmt_bytes(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB" if n < 2**30 else f"{n / 2**30:.2f} GiB"


def _line(r: dict, wall_key: str = "wall", cpu_key: str = "cpu", note: str = "") -> str:
    return (f"{r['label']:<44} wall {r[wall_key]:8.1f} s   cpu {r.get(cpu_key, 0):8.1f} s   "
            f"peak process {_fmt_bytes(r.get('peak_process', 0)):>9}   "
            f"peak tree {_fmt_bytes(r.get('peak_tree', 0)):>9}{note}")


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal"))
    except (OSError, StopIteration, ValueError):
        mem = 0
    return f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {model}, " \
           f"{mem / 2**20:.1f} GiB RAM"


def _measure_render(results, me, common, out_a, jobs, work, study, formats) -> None:
    shutil.rmtree(out_a, ignore_errors=True)
    results["a"] = measure("(a) mss-eval render", [*me, "--_child", "render", *common,
                                                   "--_out", str(out_a), *jobs],
                           log=work / "a.log")
    print(_line(results["a"]), flush=True)
    t = time.monotonic()
    subprocess.run([str(BIN / "mss-eval"), "render", str(study), "--out", str(out_a),
                    "--format", ",".join(formats)], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    print(f"{'(a) again, nothing changed':<44} wall {time.monotonic() - t:8.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=10,
                        help="regions in the study (two rounds of N/2); default 10")
    parser.add_argument("--clients", type=int, default=40, help="client interviews per region")
    parser.add_argument("--formats", default="html", help="formats of (a) and (c); default html")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs of (a); default cores")
    parser.add_argument("--skip-render", action="store_true",
                        help="leave (a) out (e.g. measured in an earlier run; no ratios)")
    parser.add_argument("--skip-naive", action="store_true", help="leave (b) out")
    parser.add_argument("--naive-sample", type=int, default=None, metavar="K",
                        help="run K region reports (+ a round and the final report) of (b) and "
                             "extrapolate")
    parser.add_argument("--floor-sample", type=int, default=None, metavar="K",
                        help="make K region reports (+ every round report and the final report) "
                             "of (c) and extrapolate")
    parser.add_argument("--skip-floor", action="store_true", help="leave (c) out")
    parser.add_argument("--workdir", default=None, help="where the study and reports go")
    parser.add_argument("--keep", action="store_true", help="keep the study and the reports")
    parser.add_argument("--json", default=None, help="also write the measurements here")
    parser.add_argument("--_child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_study", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_out", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_report", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    if args._child:
        study, out = Path(args._study), Path(args._out)
        if args._child == "render":
            extra = child_render(study, out, formats, args.jobs)
        elif args._child == "naive":
            extra = child_naive(study, out, args.naive_sample)
        else:
            extra = child_floor(study, out, formats, args.floor_sample)
        _write_usage(args._report, extra)
        return 0

    if args.regions < 2 or args.regions % 2:
        parser.error("--regions must be an even number of at least 2 (two rounds of N/2)")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="render-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    study = work / f"study_{args.regions}"
    from mss_eval.example.generator import generate_study

    print(f"machine: {machine()}")
    t0 = time.monotonic()
    generate_study(study, regions_per_round=args.regions // 2, clients_per_region=args.clients,
                   overwrite=True)
    n_reports = len(_plan(study, work / "plan", formats))
    print(f"study: {args.regions} regions x {args.clients} clients, {n_reports} reports "
          f"(generated in {time.monotonic() - t0:.0f} s); formats of (a) and (c): "
          f"{','.join(formats)}; (b): html")

    me = [PYTHON, str(Path(__file__).resolve())]
    common = ["--_study", str(study), "--formats", ",".join(formats)]
    results = {}

    shutil.rmtree(study / ".mss-cache", ignore_errors=True)  # (a) starts cold
    out_a = work / "a"
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    if not args.skip_render:
        _measure_render(results, me, common, out_a, jobs, work, study, formats)

    if not args.skip_naive:
        out_b = work / "b"
        shutil.rmtree(out_b, ignore_errors=True)
        env = {**os.environ, "MSS_EVAL_NO_CACHE": "1"}
        sample = ["--naive-sample", str(args.naive_sample)] if args.naive_sample else []
        results["b"] = measure("(b) naive papermill + nbconvert loop",
                               [*me, "--_child", "naive", *common, "--_out", str(out_b),
                                *sample], env=env, log=work / "b.log")
        b = results["b"]
        if "estimated_wall" in b:
            print(_line(b, note=f"   (measured: {b['reports']} reports)"))
            b_est = dict(b, label="(b) extrapolated to all reports")
            print(_line(b_est, "estimated_wall", "estimated_cpu"), flush=True)
            b["wall_all"] = b["estimated_wall"]
        else:
            print(_line(b), flush=True)
            b["wall_all"] = b["wall"]

    if not args.skip_floor:
        out_c = work / "c"
        shutil.rmtree(out_c, ignore_errors=True)
        fsample = ["--floor-sample", str(args.floor_sample)] if args.floor_sample else []
        results["c"] = measure("(c) in-process floor", [*me, "--_child", "floor", *common,
                                                        "--_out", str(out_c), *fsample],
                               log=work / "c.log")
        c = results["c"]
        if "estimated_wall" in c:
            print(_line(c, note=f"   (measured: {c['reports']} reports)"))
            print(_line(dict(c, label="(c) extrapolated to all reports"), "estimated_wall",
                        "estimated_cpu"), flush=True)
            c["wall_all"] = c["estimated_wall"]
        else:
            print(_line(c), flush=True)
            c["wall_all"] = c["wall"]

    if "b" in results and "a" in results:
        print(f"speedup over naive papermill loop: {results['b']['wall_all'] / results['a']['wall']:.1f}x")
    if "c" in results and "a" in results:
        print(f"ratio to in-process floor: {results['a']['wall'] / results['c']['wall_all']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "regions": args.regions,
                                               "clients": args.clients, "formats": formats,
                                               "results": results}, indent=2))
    if not args.keep and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
