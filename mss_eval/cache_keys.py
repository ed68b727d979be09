"""The keys of the workbench's caches, in one leaf module (standard library and constants only).

Every cache (each data file's check, the study's tidy data, rendered reports, a round's shared
results) is keyed by SHA-256 digests made here: of the study's input files
(:func:`file_hashes`), of the code that computed the result (:func:`code_fingerprint`) and of the
options (:func:`digest`). Nothing here imports another stage of the package, so the input stage,
the tidy data and the renderer can all use it without importing each other.

The cache holds the study's data (each data file's rows as entered, respondent numbers and open
answers included; the tidy tables with pseudonyms), so it gets the protection of the study's
secret: its folders are made with mode 0700 and its files 0600 (:func:`private_folder`,
:func:`private_atomic_path`), readable by the owner only, and :func:`clear_cache` removes it
(``mss-eval clear-cache``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .hashing import sha256_of
from .study import DATA_DIR, SECRET_FILE, STUDY_FILE

CACHE_DIR = ".mss-cache"
HASHES_FILE = "hashes.json"
#: Set to 1 to bypass every cache (file checks, tidy data and reports).
NO_CACHE_ENV = "MSS_EVAL_NO_CACHE"
#: A file modified this recently (seconds) is hashed again next time: its modification time may
#: not yet tell a later write apart ("racy" timestamps).
_RACY_SECONDS = 2.0
_SCHEMA = 1
#: Modes of the cache's folders and files: the owner only, as the study's secret.
DIR_MODE = 0o700
FILE_MODE = 0o600

__all__ = ["CACHE_DIR", "DIR_MODE", "FILE_MODE", "HASHES_FILE", "NO_CACHE_ENV", "cache_dir",
           "cache_disabled", "clear_cache", "code_fingerprint", "digest", "file_hashes",
           "private_atomic_path", "private_folder"]


def cache_disabled() -> bool:
    """True when ``MSS_EVAL_NO_CACHE`` is set to something other than ``0``/empty."""
    return os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0", "false", "no")


def cache_dir(study_path: Path | str) -> Path:
    """``<study>/.mss-cache``."""
    return Path(study_path) / CACHE_DIR


def private_folder(folder: Path | str) -> Path:
    """Create ``folder`` and the folders above it up to the ``.mss-cache`` it lies in, each
    with mode 0700 (the cache folder itself is set to 0700 too, also when an older version made
    it with the default mode), and return it. A folder outside a cache is only created."""
    folder = Path(folder)
    chain = [folder, *folder.parents]
    root = next((p for p in chain if p.name == CACHE_DIR), None)
    if root is None:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    for path in reversed(chain[:chain.index(root) + 1]):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=DIR_MODE)
    if root.stat().st_mode & 0o077:
        os.chmod(root, DIR_MODE)
    return folder


@contextlib.contextmanager
def private_atomic_path(target: Path | str) -> Iterator[Path]:
    """:func:`mss_eval.atomic.atomic_path` (not durable) for a file of the cache: its folders
    made private first, the file given mode 0600 before it is renamed into place."""
    from .atomic import atomic_path

    target = Path(target)
    private_folder(target.parent)
    with atomic_path(target, durable=False) as tmp:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, FILE_MODE)


def clear_cache(study_path: Path | str) -> tuple[int, int]:
    """Remove the study's ``.mss-cache/`` with everything in it; returns (files, bytes) removed.

    A ``.mss-cache`` that is a symbolic link is removed as a link: what it points to is not
    touched. Nothing else of the study is touched; the next load makes the cache again.
    """
    import shutil

    folder = cache_dir(study_path)
    if folder.is_symlink():
        folder.unlink()
        return 0, 0
    if not folder.is_dir():
        return 0, 0
    files = size = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                size += os.lstat(os.path.join(root, name)).st_size
                files += 1
    shutil.rmtree(folder)
    return files, size


def _input_files(study_path: Path) -> Iterable[tuple[str, Path]]:
    yield STUDY_FILE, study_path / STUDY_FILE
    secret = study_path / SECRET_FILE
    if secret.is_file():
        yield SECRET_FILE, secret
    data = study_path / DATA_DIR
    if data.is_dir():
        for root, dirs, files in os.walk(data, followlinks=True):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                if name == SECRET_FILE:
                    continue
                yield path.relative_to(study_path).as_posix(), path


def file_hashes(study_path: Path | str, extra: Iterable[str] = ()) -> dict[str, str]:
    """SHA-256 of every input of the study, by path relative to the study folder.

    ``study.yaml``, ``.mss-secret`` (if present) and every file under ``data/``; ``extra`` adds
    further folders relative to the study (``texts``), recursively. Hashes are reused from the
    manifest in ``.mss-cache/hashes.json`` for files whose size and modification time did not
    change.
    """
    study_path = Path(study_path)
    manifest_path = cache_dir(study_path) / HASHES_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("schema") != _SCHEMA:
            manifest = {}
    except (OSError, ValueError):
        manifest = {}
    known: dict = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    files = list(_input_files(study_path))
    for folder in extra:
        base = study_path / folder
        if base.is_dir():
            for root, dirs, names in os.walk(base, followlinks=True):
                dirs.sort()
                for name in sorted(names):
                    path = Path(root) / name
                    files.append((path.relative_to(study_path).as_posix(), path))
    now = time.time()
    out: dict[str, str] = {}
    # entries of files not looked at now (another caller's folders) are kept
    merged = dict(known)
    changed = False
    for rel, path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        entry = known.get(rel)
        if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            out[rel] = entry[2]
            continue
        out[rel] = digest = sha256_of(path)
        if now - st.st_mtime >= _RACY_SECONDS:
            merged[rel] = [st.st_size, st.st_mtime_ns, digest]
            changed = True
        elif rel in merged:  # not remembered: hashed again next time
            del merged[rel]
            changed = True
    if changed:
        with contextlib.suppress(OSError):
            _write_json(manifest_path, {"schema": _SCHEMA, "files": merged})
    return out


def _write_json(path: Path, data) -> None:
    with private_atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


@functools.cache
def code_fingerprint() -> str:
    """What the cached results were computed with: package versions and the source itself.

    The mss-eval version and those of the libraries that shape the results, plus the SHA-256 of
    the package's Python source, its report templates and ``questionnaires/``, so an edited
    module invalidates the caches even without a new version number.
    """
    from importlib.metadata import PackageNotFoundError, version

    from .instruments import questionnaires_dir

    try:  # the package's own version, read as mss_eval.__version__ is (no import of the package)
        package_version = version("mss-eval")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        package_version = "0.0.0"
    h = hashlib.sha256(f"mss-eval {package_version}\n".encode())
    for name in ("pandas", "numpy", "scipy", "statsmodels", "pingouin", "matplotlib", "seaborn",
                 "networkx", "pyarrow", "nbconvert", "weasyprint", "typst", "pypandoc-binary"):
        try:
            h.update(f"{name} {version(name)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{name} -\n".encode())
    package = Path(__file__).resolve().parent
    sources = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in
                     (".py", ".yaml", ".css", ".typ", ".j2", ".json", ".tpl", ".html")
                     and "__pycache__" not in p.parts)
    with contextlib.suppress(FileNotFoundError):
        sources += sorted(questionnaires_dir().glob("*.yaml"))
    for path in sources:
        h.update(path.name.encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def digest(parts: Mapping[str, object] | Iterable) -> str:
    """A SHA-256 over JSON-able parts (sorted keys), for cache keys."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
