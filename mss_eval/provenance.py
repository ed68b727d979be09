"""Provenance of a rendered report: the locked environment and a Workflow Run RO-Crate.

Beside every report the render writes ``ro-crate-metadata.json``, an RO-Crate following the
`Workflow Run Crate profile <https://w3id.org/ro/wfrun/workflow/0.5>`_ (RO-Crate 1.1 JSON-LD,
written directly to its schema). It records

* the report's notebook (the *workflow*, ``mainEntity``) with its SHA-256 and its parameters
  (``FormalParameter`` definitions, and their values as ``PropertyValue``);
* one ``CreateAction``, the render: command, start and end time, its ``object`` (inputs) and its
  ``result`` (outputs);
* the inputs by name and SHA-256 only (never their content): the data files of the report's
  scope, ``study.yaml`` and the authors' texts; the local secret is not listed;
* the disclosure settings (minimum number of respondents, suppression marker, leak check);
* the workbench (``mss-eval`` version, git commit when the source is a git checkout) and the
  version of every locked package as installed (``softwareRequirements``), with the SHA-256 of
  ``requirements.lock`` and whether the environment matched it;
* every output of the report (HTML, PDF, DOCX, executed notebook, ``figures.json``) with its
  SHA-256.

The input fingerprints are those the render cache computed already (:mod:`mss_eval.render.cache`),
the environment is read once per render, so a crate costs the hashing of the report's own
outputs. ``mss-eval reproduce`` reads the crate back (:func:`read_crate`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import mimetypes
import platform
import re
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The lock file at the root of the source tree (see the Makefile's ``lock`` target).
LOCK_FILE = "requirements.lock"
#: The crate's metadata file, beside a report's other files.
CRATE_FILE = "ro-crate-metadata.json"

CONTEXT = ["https://w3id.org/ro/crate/1.1/context",
           "https://w3id.org/ro/terms/workflow-run/context"]
PROFILES = {
    "https://w3id.org/ro/wfrun/process/0.5": ("Process Run Crate", "0.5"),
    "https://w3id.org/ro/wfrun/workflow/0.5": ("Workflow Run Crate", "0.5"),
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0": ("Workflow RO-Crate", "1.0"),
}
#: The ``@id`` of the render action and of the workbench in every crate.
ACTION_ID = "#render"
WORKBENCH_ID = "#mss-eval"
#: Parameter values that are settings of the render rather than notebook parameters.
SETTINGS = ("formats", "pdf_engine")

_MEDIA = {".ipynb": "application/x-ipynb+json", ".md": "text/markdown", ".yaml": "text/yaml",
          ".yml": "text/yaml", ".sav": "application/x-spss-sav", ".json": "application/json",
          ".csv": "text/csv", ".qdpx": "application/zip",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


# -- the lock -----------------------------------------------------------------------------------
def _normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of ``-``, ``_``, ``.`` as one hyphen."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Pin:
    """One ``name==version`` line of the lock, with its environment marker and hashes."""

    name: str
    version: str
    marker: str | None = None
    hashes: tuple[str, ...] = ()
    #: named in pyproject.toml (``# via mss-eval (pyproject.toml)``), not only pulled in
    direct: bool = False

    def applies(self, environment: Mapping[str, str] | None = None) -> bool:
        """Whether the pin is for this Python and platform (its marker holds)."""
        if not self.marker:
            return True
        from packaging.markers import Marker

        return Marker(self.marker).evaluate(dict(environment) if environment else None)


_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?"
                  r"\s*\\?\s*$")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def read_lock(path: Path | str) -> dict[str, list[Pin]]:
    """The pins of a requirements lock (as ``uv pip compile --generate-hashes`` writes it), by
    normalised package name; a package locked at two versions for two Pythons has two pins."""
    pins: dict[str, list[Pin]] = {}
    current: dict | None = None

    def flush():
        if current is not None:
            pin = Pin(current["name"], current["version"], current["marker"],
                      tuple(current["hashes"]), current["direct"])
            pins.setdefault(pin.name, []).append(pin)

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            flush()
            current = {"name": _normalise(match.group(1)), "version": match.group(2),
                       "marker": (match.group(3) or "").strip() or None, "hashes": [],
                       "direct": False}
            continue
        if current is None:
            continue
        current["hashes"] += _HASH.findall(line)
        if re.search(r"#\s+(?:via\s+)?mss-eval \(pyproject\.toml\)", line):
            current["direct"] = True
    flush()
    return pins


def source_root() -> Path:
    """The folder above the package (the source tree of an editable install)."""
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Environment:
    """What a render ran with: the workbench and the installed version of each locked package."""

    workbench_version: str
    git_commit: str | None
    git_dirty: bool
    python: str
    packages: dict[str, str] = field(default_factory=dict)
    lock_sha256: str | None = None
    #: locked packages whose installed version differs: name -> (locked, installed or None)
    lock_differences: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """The workbench version, its git commit (when the source is a git checkout; ``git_dirty``
    when tracked files differ from it) and the installed version of every locked package that
    applies to this Python and platform (read once per process)."""
    import importlib.metadata as md

    from . import __version__

    root = source_root()
    commit = dirty = None
    if (root / ".git").exists():
        commit = _git(root, "rev-parse", "HEAD")
        status = _git(root, "status", "--porcelain", "--untracked-files=no")
        dirty = bool(status) if status is not None else False
    lock_path = root / LOCK_FILE
    packages: dict[str, str] = {}
    differences: dict[str, tuple[str, str | None]] = {}
    lock_digest = None
    if lock_path.is_file():
        lock_digest = hashlib.sha256(lock_path.read_bytes()).hexdigest()
        for name, pins in sorted(read_lock(lock_path).items()):
            pin = next((p for p in pins if p.applies()), None)
            if pin is None:
                continue
            try:
                installed = md.version(name)
            except md.PackageNotFoundError:
                installed = None
            if installed is not None:
                packages[name] = installed
            if installed != pin.version:
                differences[name] = (pin.version, installed)
    else:  # an installed wheel without its source tree: the distributions mss-eval requires
        for spec in md.requires("mss-eval") or ():
            name = _normalise(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0])
            try:
                packages[name] = md.version(name)
            except md.PackageNotFoundError:
                continue
    return Environment(workbench_version=__version__, git_commit=commit,
                       git_dirty=bool(dirty), python=platform.python_version(),
                       packages=dict(sorted(packages.items())), lock_sha256=lock_digest,
                       lock_differences=differences)


# -- the crate ----------------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _media_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _MEDIA.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _ref(entity_id: str) -> dict:
    return {"@id": entity_id}


@dataclass
class ReportRun:
    """What the crate of one report says; filled in by the render (see ``render.run``)."""

    title: str
    kind: str
    key: str
    folder: Path
    notebook: Path
    #: the notebook's parameters as papermill received them (study, round, region, language,
    #: rendered_by)
    parameters: dict
    #: output kind (html, pdf, docx, ipynb, figures) -> file in ``folder``
    outputs: dict[str, Path]
    #: input file (relative to the study folder) -> SHA-256: data, study.yaml, texts
    inputs: dict[str, str]
    study_name: str
    min_respondents: int
    formats: tuple[str, ...] = ()
    pdf_engine: str | None = None
    command: str | None = None
    started: str | None = None
    ended: str | None = None
    check_leaks: bool = True
    #: a region report: the digest of every input of its round (its figures.json holds the
    #: round's pooled figures)
    round_inputs: str | None = None
    note: str | None = None


def build_crate(run: ReportRun, env: Environment | None = None) -> dict:
    """The JSON-LD of a report's Workflow Run RO-Crate (see the module notes)."""
    env = env or environment()
    graph: list[dict] = []
    add = graph.append
    notebook_name = run.notebook.name
    workflow_id = f"#notebook/{notebook_name}"
    add({"@id": "ro-crate-metadata.json", "@type": "CreativeWork", "about": _ref("./"),
         "conformsTo": [_ref("https://w3id.org/ro/crate/1.1"),
                        _ref("https://w3id.org/workflowhub/workflow-ro-crate/1.0")]})
    outputs = {kind: path for kind, path in run.outputs.items() if path.is_file()}
    root = {"@id": "./", "@type": "Dataset", "name": f"{run.title} (mss-eval)",
            "description": f"Provenance of the report '{run.title}' ({run.key}) of the study "
                           f"'{run.study_name}': how it was rendered, from which inputs, with "
                           "which software.",
            "conformsTo": [_ref(p) for p in PROFILES],
            "hasPart": [_ref(p.name) for p in outputs.values()],
            "mainEntity": _ref(workflow_id), "mentions": [_ref(ACTION_ID)]}
    if run.ended:
        root["datePublished"] = run.ended
    add(root)
    for pid, (name, version) in PROFILES.items():
        add({"@id": pid, "@type": "CreativeWork", "name": name, "version": version})

    # the workflow: the report notebook, its parameters and outputs
    in_params, out_params = [], []
    for name in run.parameters:
        in_params.append(f"#param/{name}")
    for name in SETTINGS:
        in_params.append(f"#param/{name}")
    for kind in outputs:
        out_params.append(f"#output/{kind}")
    workflow = {"@id": workflow_id, "@type": ["File", "SoftwareSourceCode",
                                              "ComputationalWorkflow"],
                "name": notebook_name, "alternateName": f"notebooks/{notebook_name}",
                "encodingFormat": _media_type(notebook_name),
                "programmingLanguage": _ref("#jupyter"), "isPartOf": _ref(WORKBENCH_ID),
                "input": [_ref(p) for p in in_params], "output": [_ref(p) for p in out_params]}
    if run.notebook.is_file():
        workflow["sha256"] = sha256_file(run.notebook)
    add(workflow)
    add({"@id": "#jupyter", "@type": "ComputerLanguage", "name": "Jupyter Notebook (Python 3)",
         "url": "https://jupyter.org/", "identifier": "https://jupyter.org/"})
    fp = "https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE"
    for name in [*run.parameters, *SETTINGS]:
        add({"@id": f"#param/{name}", "@type": "FormalParameter", "name": name,
             "additionalType": "Text", "conformsTo": _ref(fp),
             "valueRequired": name in ("study", "round", "region")})
    for kind, path in outputs.items():
        add({"@id": f"#output/{kind}", "@type": "FormalParameter", "name": kind,
             "additionalType": "File", "conformsTo": _ref(fp),
             "encodingFormat": _media_type(path.name)})

    # the workbench and the environment
    requirements = [f"https://pypi.org/project/{name}/{version}/"
                    for name, version in env.packages.items()]
    workbench = {"@id": WORKBENCH_ID, "@type": "SoftwareApplication", "name": "mss-eval",
                 "softwareVersion": env.workbench_version,
                 "softwareRequirements": [_ref(r) for r in requirements]}
    identifiers = [_ref("#python")]
    if env.git_commit:
        identifiers.append(_ref("#git-commit"))
    if env.lock_sha256:
        identifiers.append(_ref("#lock"))
    workbench["identifier"] = identifiers
    add(workbench)
    add({"@id": "#python", "@type": "PropertyValue", "name": "python", "value": env.python})
    if env.git_commit:
        add({"@id": "#git-commit", "@type": "PropertyValue", "name": "git commit",
             "value": env.git_commit, "description": (
                 "the source differed from this commit (uncommitted changes)" if env.git_dirty
                 else "the source was this commit")})
    if env.lock_sha256:
        if env.lock_differences:
            differs = ", ".join(f"{n} {lk} (installed {inst or 'none'})"
                                for n, (lk, inst) in sorted(env.lock_differences.items()))
            text = f"the installed versions differ from the lock: {differs}"
        else:
            text = "every locked package was installed at its locked version"
        add({"@id": "#lock", "@type": "PropertyValue", "name": LOCK_FILE,
             "value": f"sha256:{env.lock_sha256}", "description": text})
    for (name, version), rid in zip(env.packages.items(), requirements):
        add({"@id": rid, "@type": "SoftwareApplication", "name": name,
             "softwareVersion": version})

    # the run: inputs (names and SHA-256), parameter values, disclosure settings, outputs
    objects: list[str] = []
    for rel, digest in sorted(run.inputs.items()):
        iid = f"#input/{rel}"
        objects.append(iid)
        add({"@id": iid, "@type": "File", "name": rel, "sha256": digest,
             "encodingFormat": _media_type(rel)})
    values = dict(run.parameters)
    values["formats"] = ",".join(run.formats)
    values["pdf_engine"] = run.pdf_engine if "pdf" in run.formats else None
    for name, value in values.items():
        pid = f"#value/{name}"
        objects.append(pid)
        add({"@id": pid, "@type": "PropertyValue", "name": name, "exampleOfWork":
             _ref(f"#param/{name}"), "value": "" if value is None else str(value)})
    disclosure = {"min_respondents": str(run.min_respondents), "suppression_marker": "x",
                  "leak_check": "on" if run.check_leaks else "off"}
    if run.round_inputs:
        disclosure["round_inputs_sha256"] = run.round_inputs
    for name, value in disclosure.items():
        pid = f"#setting/{name}"
        objects.append(pid)
        add({"@id": pid, "@type": "PropertyValue", "name": name, "value": value})
    results = []
    for kind, path in outputs.items():
        results.append(path.name)
        add({"@id": path.name, "@type": "File", "name": path.name,
             "sha256": sha256_file(path), "contentSize": str(path.stat().st_size),
             "encodingFormat": _media_type(path.name), "exampleOfWork": _ref(f"#output/{kind}")})
    action = {"@id": ACTION_ID, "@type": "CreateAction", "name": f"Render of {run.title}",
              "description": run.command or "", "instrument": _ref(workflow_id),
              "object": [_ref(o) for o in objects], "result": [_ref(r) for r in results],
              "actionStatus": _ref("http://schema.org/CompletedActionStatus"),
              "identifier": f"urn:uuid:{uuid.uuid4()}"}
    if run.started:
        action["startTime"] = run.started
    if run.ended:
        action["endTime"] = run.ended
    if run.note:
        action["disambiguatingDescription"] = run.note
    add(action)
    return {"@context": CONTEXT, "@graph": graph}


def write_crate(run: ReportRun, env: Environment | None = None) -> Path:
    """Write ``ro-crate-metadata.json`` into the report's folder (atomically); return its path."""
    from .atomic import atomic_write

    path = Path(run.folder) / CRATE_FILE
    atomic_write(path, json.dumps(build_crate(run, env), indent=1, ensure_ascii=False) + "\n")
    return path


# -- reading a crate back -----------------------------------------------------------------------
@dataclass(frozen=True)
class CrateSummary:
    """What ``mss-eval reproduce`` needs from a crate."""

    path: Path
    parameters: dict[str, str | None]
    inputs: dict[str, str]
    outputs: dict[str, str]
    workbench_version: str | None
    git_commit: str | None
    packages: dict[str, str]
    started: str | None
    ended: str | None
    command: str | None
    notebook: str | None
    notebook_sha256: str | None


def read_crate(folder: Path | str) -> CrateSummary:
    """Read ``ro-crate-metadata.json`` of a report folder.

    Raises
    ------
    FileNotFoundError
        The folder has no crate.
    ValueError
        The file is not a crate written by this workbench.
    """
    path = Path(folder) / CRATE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    graph = {e["@id"]: e for e in data.get("@graph", []) if isinstance(e, dict) and "@id" in e}
    action = graph.get(ACTION_ID)
    if action is None:
        raise ValueError(f"{path}: no render action ({ACTION_ID})")

    def ids(value) -> list[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return [i["@id"] for i in items if isinstance(i, dict) and "@id" in i]

    parameters: dict[str, str | None] = {}
    inputs: dict[str, str] = {}
    for oid in ids(action.get("object")):
        entity = graph.get(oid, {})
        if oid.startswith("#value/"):
            value = entity.get("value")
            parameters[entity.get("name", oid[7:])] = value if value != "" else None
        elif oid.startswith("#input/"):
            inputs[entity.get("name", oid[7:])] = entity.get("sha256", "")
    outputs = {oid: graph.get(oid, {}).get("sha256", "") for oid in ids(action.get("result"))}
    workbench = graph.get(WORKBENCH_ID, {})
    commit = graph.get("#git-commit", {}).get("value")
    packages = {}
    for rid in ids(workbench.get("softwareRequirements")):
        entity = graph.get(rid, {})
        if entity.get("name"):
            packages[entity["name"]] = entity.get("softwareVersion", "")
    workflow = graph.get(ids(action.get("instrument"))[0], {}) if action.get("instrument") else {}
    return CrateSummary(path=path, parameters=parameters, inputs=inputs, outputs=outputs,
                        workbench_version=workbench.get("softwareVersion"), git_commit=commit,
                        packages=packages, started=action.get("startTime"),
                        ended=action.get("endTime"), command=action.get("description"),
                        notebook=workflow.get("name"), notebook_sha256=workflow.get("sha256"))


__all__ = ["CRATE_FILE", "CrateSummary", "Environment", "LOCK_FILE", "Pin", "ReportRun",
           "build_crate", "environment", "read_crate", "read_lock", "sha256_file", "write_crate"]
