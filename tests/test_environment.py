"""environment.yml (conda) and pyproject.toml (pip) declare the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
#: Conda entries that are tools of the environment, not dependencies of the package.
CONDA_ONLY = {"python", "pip"}
_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def _normalise(name: str) -> str:
    """PEP 503: names compare case-insensitively with runs of -, _ and . as one hyphen."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lower_bound(constraint: str) -> str | None:
    """The version after ``>=`` (pip) or a conda ``>=``; None when there is none."""
    match = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", constraint)
    return match.group(1) if match else None


def _parse(spec: str) -> tuple[str, str | None]:
    match = _SPEC.match(spec)
    assert match, f"cannot read the requirement {spec!r}"
    return _normalise(match.group(1)), _lower_bound(match.group(2))


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def pyproject_requirements() -> dict[str, str | None]:
    """Runtime dependencies and every optional group (dev included)."""
    project = _pyproject()["project"]
    specs = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        specs += group
    parsed = [_parse(s) for s in specs]
    names = [n for n, _ in parsed]
    assert len(names) == len(set(names)), "a package is declared twice in pyproject.toml"
    return dict(parsed)


def conda_requirements() -> tuple[dict[str, str | None], list[str]]:
    """Conda and pip-section packages of environment.yml, and the pip section's other lines."""
    packages: dict[str, str | None] = {}
    pip_other: list[str] = []
    for entry in _environment()["dependencies"]:
        if isinstance(entry, dict):
            for spec in entry.get("pip", []):
                if spec.startswith("-"):
                    pip_other.append(spec)
                    continue
                name, bound = _parse(spec)
                assert name not in packages, f"{name} is declared twice in environment.yml"
                packages[name] = bound
            continue
        name, bound = _parse(str(entry))
        if name in CONDA_ONLY:
            continue
        assert name not in packages, f"{name} is declared twice in environment.yml"
        packages[name] = bound
    return packages, pip_other


def test_both_files_declare_the_same_packages():
    conda, _ = conda_requirements()
    pip = pyproject_requirements()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml but not in pyproject.toml"


def test_both_files_give_the_same_lower_bounds():
    conda, _ = conda_requirements()
    pip = pyproject_requirements()
    differ = {name: (pip[name], conda[name]) for name in pip
              if name in conda and pip[name] != conda[name]}
    assert differ == {}, "lower bounds differ (pyproject.toml, environment.yml)"


def test_every_dependency_has_a_lower_bound():
    unbounded = [name for name, bound in pyproject_requirements().items() if bound is None]
    assert unbounded == []


def test_python_version_agrees():
    requires = _pyproject()["project"]["requires-python"]
    pinned = [str(e) for e in _environment()["dependencies"]
              if isinstance(e, str) and _normalise(re.split(r"[=<>]", e)[0]) == "python"]
    assert len(pinned) == 1
    conda_python = re.search(r"([0-9]+\.[0-9]+)", pinned[0]).group(1)
    assert _lower_bound(requires) == conda_python


def test_conda_environment_installs_the_package_itself():
    _, pip_other = conda_requirements()
    assert "-e ." in pip_other


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("pandas>=3.0", ("pandas", "3.0")), ("pypandoc_binary >= 1.13", ("pypandoc-binary", "1.13")),
     ("Python-Docx>=1.1,<2", ("python-docx", "1.1")), ("rich", ("rich", None))],
)
def test_requirement_parsing(spec, expected):
    assert _parse(spec) == expected


def _imported_top_level_modules() -> set[str]:
    """Top-level modules the package imports itself (absolute imports outside the standard
    library and mss_eval)."""
    import ast
    import sys

    found: set[str] = set()
    for path in (ROOT / "mss_eval").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "mss_eval"}


def test_every_package_the_code_imports_is_declared():
    from importlib.metadata import packages_distributions

    declared = set(pyproject_requirements())
    providers = packages_distributions()
    undeclared = {}
    for module in sorted(_imported_top_level_modules()):
        dists = {_normalise(d) for d in providers.get(module, [])}
        assert dists, f"{module} is imported but not installed"
        if not dists & declared:
            undeclared[module] = sorted(dists)
    assert undeclared == {}, "imported but not declared in pyproject.toml"
