"""Skip reports whose inputs did not change; render only what an edit touched.

Every rendered report gets a key: a SHA-256 over what it was made from

* the input files in its scope: a region report its region's folder ``data/<round>/<region>/``,
  a round report ``data/<round>/``, the final report all of ``data/``; plus ``study.yaml`` and the
  local secret for every report;
* the authors' texts of the report (``texts/<round>/<region>/*.md``, ``texts/<round>/*.md``,
  ``texts/final/*.md``) and the image files of ``texts/`` they show;
* the notebook's content, the report's parameters (not ``rendered_by``: the appendix names the
  command that really made the report) and :func:`mss_eval.tidy_cache.code_fingerprint` (package
  versions and the source).

The key is stored beside the report (``.<stem>.render-key.json``) once all its files are in
place. The next render skips a report whose key is unchanged and whose requested files exist;
``force=True`` renders everything.

A region report's ``figures.json`` also carries its round's pooled figures (``round``: the
comparison a region report offers its authors). Its text, tables and figures do not depend on the
other regions, so when another region of the round changes, the report is not rendered again:
only the ``round`` block of its ``figures.json`` (and of its executed notebook) is replaced by
the new pooled figures (:meth:`ReportCache.finish`), which gives the same file as a full render.
A region report whose authors' text names a round figure (``{{ round.… }}``) shows round data in
its text, and is rendered again instead.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..study import DATA_DIR, SECRET_FILE, STUDY_FILE, TEXTS_DIR
from ..atomic import atomic_write
from .plan import ReportJob
from .worker import ReportResult

KEY_SUFFIX = ".render-key.json"
_ROUND_PLACEHOLDER = re.compile(r"\{\{[^}]*\bround\.")
_KEY_SCHEMA = 1


def key_file(job: ReportJob) -> Path:
    """Where a report's key is kept: ``<folder>/.<stem>.render-key.json``."""
    return job.folder / f".{job.stem}{KEY_SUFFIX}"


@dataclass
class CacheDecision:
    """What a render does with each planned report."""

    render: list[ReportJob] = field(default_factory=list)
    unchanged: list[ReportJob] = field(default_factory=list)
    #: region reports whose own inputs are unchanged but whose round changed: their
    #: ``figures.json`` gets the round's new pooled figures
    refresh: list[ReportJob] = field(default_factory=list)


class ReportCache:
    """Keys of the planned reports, and what to skip, render or refresh.

    Parameters
    ----------
    study_path : path
        The study folder.
    planned : list of ReportJob
        The reports of this render (:func:`~mss_eval.render.plan.plan_reports`).
    force : bool
        Render every planned report (and load the study from its files, not the tidy cache).
    """

    def __init__(self, study_path: Path | str, planned: Sequence[ReportJob], *,
                 force: bool = False):
        from ..cache_keys import cache_disabled, code_fingerprint, file_hashes

        self.study_path = Path(study_path)
        self.planned = list(planned)
        self.disabled = cache_disabled()
        self.force = force or self.disabled
        self.hashes = file_hashes(self.study_path, extra=(TEXTS_DIR,))
        self.code = code_fingerprint()
        self._notebooks: dict[Path, str] = {}
        self._rounds: dict[str, str] = {}
        self._round_blocks: dict[tuple, dict] = {}
        self._study = None
        self.decision = self._decide()

    # -- keys -----------------------------------------------------------------------------------
    def _files_under(self, prefix: str, direct_only: bool = False) -> dict[str, str]:
        prefix = prefix.rstrip("/") + "/"
        out = {}
        for rel, digest in self.hashes.items():
            if rel.startswith(prefix):
                if direct_only and "/" in rel[len(prefix):]:
                    continue
                out[rel] = digest
        return out

    def _texts(self, job: ReportJob) -> dict[str, str]:
        if job.kind == "region":
            folder = f"{TEXTS_DIR}/{job.round}/{job.region}"
        elif job.kind == "round":
            folder = f"{TEXTS_DIR}/{job.round}"
        else:
            folder = f"{TEXTS_DIR}/final"
        texts = {k: v for k, v in self._files_under(folder, direct_only=True).items()
                 if k.endswith(".md")}
        return {**texts, **{rel: self.hashes[rel] for md in texts for rel in self._images(md)
                            if rel in self.hashes}}

    def _images(self, md: str) -> list[str]:
        """The files of ``texts/`` a text shows as images (paths relative to the study): part of
        its report's key, so a changed image renders the report again."""
        import os.path
        import urllib.parse

        from ..report.html import markdown_tokens

        try:
            text = (self.study_path / md).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeError):
            return []
        found: list[str] = []

        def walk(tokens) -> None:
            for token in tokens:
                if token.get("type") == "image":
                    url = urllib.parse.unquote(str(token.get("attrs", {}).get("url", "")))
                    rel = os.path.normpath(os.path.join(os.path.dirname(md), url))
                    if rel.startswith(TEXTS_DIR + "/"):
                        found.append(rel.replace(os.sep, "/"))
                walk(token.get("children") or [])

        walk(markdown_tokens(text))
        return found

    def _data(self, job: ReportJob) -> dict[str, str]:
        if job.kind == "region":
            return self._files_under(f"{DATA_DIR}/{job.round}/{job.region}")
        if job.kind == "round":
            return self._files_under(f"{DATA_DIR}/{job.round}")
        return self._files_under(DATA_DIR)

    def inputs(self, job: ReportJob) -> dict[str, str]:
        """The input files a report is made from, with their SHA-256 (the fingerprints of its
        key): its data, ``study.yaml`` and its authors' texts; not the local secret."""
        files = {**self._data(job), **self._texts(job)}
        if STUDY_FILE in self.hashes:
            files[STUDY_FILE] = self.hashes[STUDY_FILE]
        return dict(sorted(files.items()))

    def round_inputs(self, round_id: str) -> str:
        """A digest of every input file of a round (what its pooled figures are made from)."""
        from ..cache_keys import digest

        if round_id not in self._rounds:
            self._rounds[round_id] = digest(self._files_under(f"{DATA_DIR}/{round_id}"))
        return self._rounds[round_id]

    def _notebook_digest(self, path: Path) -> str:
        import hashlib

        if path not in self._notebooks:
            self._notebooks[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self._notebooks[path]

    def _texts_name_round(self, job: ReportJob) -> bool:
        for rel in self._texts(job):
            with contextlib.suppress(OSError, UnicodeDecodeError):
                if _ROUND_PLACEHOLDER.search((self.study_path / rel).read_text("utf-8-sig")):
                    return True
        return False

    def key(self, job: ReportJob) -> str:
        """The report's key (see the module notes)."""
        from ..cache_keys import digest

        parameters = {k: v for k, v in job.parameters.items() if k != "rendered_by"}
        parts = {
            "schema": _KEY_SCHEMA, "kind": job.kind, "round": job.round, "region": job.region,
            "language": job.language, "title": job.title, "parameters": parameters,
            "notebook": self._notebook_digest(job.notebook), "code": self.code,
            "study": self.hashes.get(STUDY_FILE), "secret": self.hashes.get(SECRET_FILE),
            "data": self._data(job), "texts": self._texts(job),
            "pdf_engine": job.pdf_engine if "pdf" in job.formats else None,
        }
        if job.kind == "region" and self._texts_name_round(job):
            parts["round_inputs"] = self.round_inputs(str(job.round))
        return digest(parts)

    # -- decisions ------------------------------------------------------------------------------
    def _stored(self, job: ReportJob) -> dict | None:
        try:
            data = json.loads(key_file(job).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("schema") == _KEY_SCHEMA else None

    def _outputs_present(self, job: ReportJob, stored: dict) -> bool:
        wanted = [job.output(f) for f in (*job.formats, "ipynb")]
        if stored.get("figures"):
            wanted.append(job.output("figures"))
        return all(p.is_file() for p in wanted)

    def _decide(self) -> CacheDecision:
        decision = CacheDecision()
        self.keys = {job.key: self.key(job) for job in self.planned}
        for job in self.planned:
            stored = None if self.force else self._stored(job)
            if stored is None or stored.get("key") != self.keys[job.key] \
                    or not self._outputs_present(job, stored):
                decision.render.append(job)
            elif job.kind == "region" and \
                    stored.get("round_inputs") != self.round_inputs(str(job.round)):
                decision.refresh.append(job)
            else:
                decision.unchanged.append(job)
        return decision

    @property
    def to_render(self) -> list[ReportJob]:
        return self.decision.render

    @property
    def needs_study(self) -> bool:
        """Whether this render loads the study here first (something to render or refresh,
        and the tidy cache the kernels would read is not switched off)."""
        return bool(self.decision.render or self.decision.refresh) and not self.disabled

    # -- the study's tidy data ------------------------------------------------------------------
    def prepare_tidy_data(self):
        """Load the study once here and write the tidy cache the report kernels read.

        With ``force`` the study is loaded from its files and the cache entry is rewritten.
        Returns the study, or None when loading failed (each report then tells why).
        """
        from ..problems import StudyError
        from ..tidy_cache import load_study_cached

        jobs = self.decision.render or self.decision.refresh
        if not jobs:
            return None
        language = jobs[0].parameters.get("language")
        try:
            self._study = load_study_cached(self.study_path, on_error="skip",
                                            language=language, refresh=self.force,
                                            hashes=self.hashes)
        except (StudyError, OSError):
            self._study = None
        return self._study

    # -- after rendering ------------------------------------------------------------------------
    def finish(self, results: Sequence[ReportResult], *, refresh: bool = True
               ) -> list[ReportResult]:
        """Record the keys of the reports rendered now; refresh and report the others.

        Returns the results of the reports that were not rendered (unchanged or refreshed),
        marked ``cached``. With ``refresh=False`` (an interrupted render) the reports to refresh
        are left for the next render.
        """
        by_key = {r.key: r for r in results}
        for job in self.decision.render:
            result = by_key.get(job.key)
            if result is not None and result.ok and not self.disabled:
                self._record(job, bool(result.files.get("figures")))
        out = [self._cached_result(job) for job in self.decision.unchanged]
        for job in self.decision.refresh if refresh else ():
            try:
                figures = self._refresh_round_figures(job)
            except Exception as exc:  # noqa: BLE001 - the report is rendered next time
                with contextlib.suppress(OSError):
                    key_file(job).unlink()
                out.append(ReportResult(key=job.key, kind=job.kind, title=job.title,
                                        status="failed", error=f"{type(exc).__name__}: {exc}"))
                continue
            self._record(job, figures)
            out.append(self._cached_result(job))
        return out

    def _record(self, job: ReportJob, figures: bool) -> None:
        data = {"schema": _KEY_SCHEMA, "key": self.keys[job.key], "figures": figures}
        if job.kind == "region":
            data["round_inputs"] = self.round_inputs(str(job.round))
        with contextlib.suppress(OSError):
            atomic_write(key_file(job), json.dumps(data, sort_keys=True) + "\n")

    def _cached_result(self, job: ReportJob) -> ReportResult:
        files = {fmt: str(job.output(fmt)) for fmt in (*job.formats, "ipynb")}
        if job.output("figures").is_file():
            files["figures"] = str(job.output("figures"))
        return ReportResult(key=job.key, kind=job.kind, title=job.title, status="ok",
                            files=files, cached=True)

    def _round_block(self, job: ReportJob) -> dict:
        """The round's pooled figures exactly as a region report's notebook publishes them."""
        from ..analysis.key_figures import key_figures
        from ..report.notebook import _jsonable

        cache_key = (job.round, job.language)
        if cache_key not in self._round_blocks:
            study = self._study if self._study is not None else self.prepare_tidy_data()
            if study is None:
                raise RuntimeError("the study could not be loaded")
            figures = key_figures(study, round=job.round, region=job.region,
                                  language=job.language, definitions=False)
            self._round_blocks[cache_key] = _jsonable(figures["round"])
        return self._round_blocks[cache_key]

    def _refresh_round_figures(self, job: ReportJob) -> bool:
        """Put the round's new pooled figures into a region report's figures.json and notebook."""
        import nbformat

        from ..atomic import atomic_path
        from .export import KEY_FIGURES_MARK, figures_json

        path = job.output("figures")
        if not path.is_file():
            return False
        block = self._round_block(job)
        figures = json.loads(path.read_text(encoding="utf-8"))
        if "round" not in figures:
            return True
        figures["round"] = block
        nb_path = job.output("ipynb")
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                meta = (output.get("metadata") or {}).get("mss_eval") or {}
                if meta.get("role") == KEY_FIGURES_MARK and "application/json" in output.get(
                        "data", {}):
                    output["data"]["application/json"]["round"] = block
        with atomic_path(nb_path) as tmp:
            nbformat.write(nb, str(tmp))
        atomic_write(path, figures_json(figures))
        return True



def for_index(out_dir: Path | str, results: Sequence[ReportResult]) -> list[ReportResult]:
    """The results that update ``render-status.json``: the reports rendered now, and skipped
    ones the status does not list (its file was removed); a skipped report keeps the time and
    status of the render that made it."""
    from .index import STATUS_FILE

    try:
        known = set(json.loads((Path(out_dir) / STATUS_FILE).read_text(encoding="utf-8"))
                    .get("reports", {}))
    except (OSError, ValueError, AttributeError):
        known = set()
    return [r for r in results if not r.cached or r.key not in known]


__all__ = ["CacheDecision", "KEY_SUFFIX", "ReportCache", "for_index", "key_file"]
