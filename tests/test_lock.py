"""requirements.lock: the exact versions ``make demo`` and ``make test`` install.

The lock, ``pyproject.toml`` and ``environment.yml`` name the same direct packages, every pin
satisfies the bounds of ``pyproject.toml`` and carries hashes, and the environment the tests run
in has exactly the locked versions (what ``make install`` gives on a fresh clone).
"""

from __future__ import annotations

import importlib.metadata as md

import pytest
from packaging.requirements import Requirement

from mss_eval.provenance import LOCK_FILE, read_lock
from test_environment import ROOT, _normalise, conda_requirements, pyproject_requirements

LOCK = ROOT / LOCK_FILE


def _pyproject_specs() -> dict[str, Requirement]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        specs += group
    return {_normalise(Requirement(s).name): Requirement(s) for s in specs}


@pytest.fixture(scope="module")
def lock():
    return read_lock(LOCK)


def test_the_lock_names_the_direct_packages_of_pyproject_and_environment_yml(lock):
    direct = {name for name, pins in lock.items() if any(p.direct for p in pins)}
    pip = set(pyproject_requirements())
    conda = set(conda_requirements()[0])
    assert sorted(pip - direct) == [], "in pyproject.toml but not locked: run `make lock`"
    assert sorted(direct - pip) == [], "locked as direct but not in pyproject.toml: `make lock`"
    assert pip == conda


def test_every_pin_satisfies_the_bounds_of_pyproject(lock):
    outside = {name: [p.version for p in lock[name]]
               for name, req in _pyproject_specs().items() if name in lock
               if not all(req.specifier.contains(p.version, prereleases=True)
                          for p in lock[name])}
    assert outside == {}


def test_every_pin_is_exact_and_hashed(lock):
    assert len(lock) > 50
    unhashed = [name for name, pins in lock.items() for p in pins if not p.hashes]
    assert unhashed == []
    assert all(len(h) == 64 for pins in lock.values() for p in pins for h in p.hashes)


def test_the_installed_environment_has_exactly_the_locked_versions(lock):
    """What `make install` promises: pip installed the lock with --require-hashes."""
    wrong = {}
    for name, pins in lock.items():
        pin = next((p for p in pins if p.applies()), None)
        if pin is None:
            continue  # another platform or Python version
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            installed = None
        if installed != pin.version:
            wrong[name] = {"locked": pin.version, "installed": installed}
    assert wrong == {}, "run `make install` (the environment differs from requirements.lock)"


def test_every_requirement_of_the_installed_package_is_locked(lock):
    """The closure of mss-eval's requirements (with the dev and cluster extras) is in the lock,
    so nothing the package needs is installed outside it."""
    seen: set[str] = set()
    todo = [("mss-eval", {"dev", "cluster"})]
    missing = set()
    while todo:
        dist, extras = todo.pop()
        for spec in md.requires(dist) or ():
            req = Requirement(spec)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if req.marker and not any(req.marker.evaluate(env) for env in envs):
                continue
            name = _normalise(req.name)
            if name in seen:
                continue
            seen.add(name)
            if name not in lock:
                missing.add(name)
                continue
            todo.append((name, set(req.extras)))
    assert missing == set()


def test_read_lock_reads_markers_hashes_and_direct_packages(tmp_path):
    path = tmp_path / "requirements.lock"
    path.write_text(
        "# generated\n"
        "numpy==2.1.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via\n"
        "    #   mss-eval (pyproject.toml)\n    #   pandas\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:" + "b" * 64 +
        "\n    # via pytest\n", encoding="utf-8")
    lock = read_lock(path)
    assert [p.version for p in lock["numpy"]] == ["2.1.0"]
    assert lock["numpy"][0].direct and not lock["colorama"][0].direct
    assert lock["colorama"][0].applies({"sys_platform": "linux"}) is False
    assert lock["numpy"][0].hashes == ("a" * 64,)
