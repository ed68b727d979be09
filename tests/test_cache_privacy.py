"""The cache (``.mss-cache/``) holds the study's data, so it is guarded as the secret is.

Every folder of it is 0700 and every file 0600 whatever the umask, a cache an older version left
readable is closed on the next load, and ``mss-eval clear-cache`` removes it and nothing else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from helpers_input import clients, make_study, tree_hashes, write_client_interview

from mss_eval.cache_keys import CACHE_DIR, DIR_MODE, FILE_MODE, cache_dir
from mss_eval.cli import main
from mss_eval.tidy_cache import forget, load_study_cached


@pytest.fixture
def open_umask():
    """The common default (0022): new files readable by every user of the machine."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def study(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("MSS_EVAL_NO_CACHE", raising=False)
    folder = make_study(tmp_path / "studie")
    write_client_interview(folder, clients(6))
    # files written less than two seconds ago are hashed again next time and not remembered in
    # hashes.json (racy timestamps): date them back so that a load writes every part of the cache
    for path in folder.rglob("*"):
        os.utime(path, (path.stat().st_atime - 60, path.stat().st_mtime - 60))
    forget()
    yield folder
    forget()


def _modes(folder: Path) -> dict[str, int]:
    """Path (relative to the study) -> permission bits, for the cache folder and all inside."""
    out = {CACHE_DIR: stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        out[path.relative_to(folder.parent).as_posix()] = stat.S_IMODE(path.lstat().st_mode)
    return out


def test_every_folder_of_the_cache_is_0700_and_every_file_0600(study, open_umask):
    load_study_cached(study)
    modes = _modes(cache_dir(study))
    folders = {p: m for p, m in modes.items() if (study / p).is_dir()}
    files = {p: m for p, m in modes.items() if (study / p).is_file()}
    # what a load writes: the manifest, each file's check and the bundle, the tidy tables
    assert any(p.endswith("hashes.json") for p in files)
    assert any("/files/" in p and p.endswith(".parquet") for p in files)
    assert any("/tidy/" in p and p.endswith("client_interview.parquet") for p in files)
    assert folders and all(m == DIR_MODE for m in folders.values()), folders
    assert all(m == FILE_MODE for m in files.values()), files


def test_a_cache_left_readable_by_an_older_version_is_closed_on_the_next_load(study,
                                                                              open_umask):
    folder = cache_dir(study)
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    load_study_cached(study)
    assert stat.S_IMODE(folder.stat().st_mode) == DIR_MODE


def test_clear_cache_removes_the_cache_and_nothing_else(study, capsys):
    load_study_cached(study)
    assert cache_dir(study).is_dir()
    forget()
    before = {p: h for p, h in tree_hashes(study).items() if not p.startswith(CACHE_DIR)}
    assert main(["clear-cache", str(study), "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"removed: {cache_dir(study)} (") and " files, " in out
    assert not cache_dir(study).exists()
    assert tree_hashes(study) == before            # data, secret and study.yaml untouched
    assert main(["clear-cache", str(study), "--language", "en"]) == 0
    assert capsys.readouterr().out.strip() == f"no cache to remove in {study}"
    # the next load makes it again, guarded
    load_study_cached(study)
    assert stat.S_IMODE(cache_dir(study).stat().st_mode) == DIR_MODE


def test_clear_cache_removes_a_linked_cache_as_a_link(study, tmp_path, capsys):
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    (elsewhere / "bewaren.txt").write_text("niet van de studie", encoding="utf-8")
    cache_dir(study).symlink_to(elsewhere, target_is_directory=True)
    assert main(["clear-cache", str(study)]) == 0
    capsys.readouterr()
    assert not cache_dir(study).is_symlink()
    assert (elsewhere / "bewaren.txt").is_file()


def test_clear_cache_refuses_a_folder_that_is_not_a_study(tmp_path, capsys):
    other = tmp_path / "geen_studie"
    (other / CACHE_DIR).mkdir(parents=True)
    assert main(["clear-cache", str(other)]) == 1
    assert "study.yaml" in capsys.readouterr().err
    assert (other / CACHE_DIR).is_dir()
