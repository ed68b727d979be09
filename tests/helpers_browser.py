"""Check an HTML page in headless Chromium: axe-core's WCAG 2.1 A/AA audit with axe's best
practices, keyboard focus order, a screenshot. For any HTML the workbench writes (reports, the dashboard).

Needs Chromium, Node.js and the npm packages of ``tests/browser/`` (``axe-core``,
``puppeteer-core``); ``.ci/install-tools`` installs them. A test calls :func:`missing_tool` and
skips with its sentence when something is missing::

    reason = missing_tool()
    if reason:
        pytest.skip(reason)
    page = check_page(path, tabs=5, screenshot=tmp_path / "page.png")
    assert page.violations == []
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
SCRIPT = BROWSER_DIR / "axe_check.mjs"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    """The Chromium to use: ``$CHROMIUM``, else the first of :data:`BROWSERS` on the PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def missing_tool() -> str | None:
    """None when the page check can run, else one sentence naming what is missing."""
    if chromium() is None:
        return "headless Chromium is not installed (run .ci/install-tools or set CHROMIUM)"
    if shutil.which("node") is None:
        return "Node.js (node) is not installed (run .ci/install-tools)"
    for package in ("axe-core", "puppeteer-core"):
        if not (BROWSER_DIR / "node_modules" / package / "package.json").is_file():
            return (f"the npm package {package} is not installed in tests/browser "
                    "(run .ci/install-tools)")
    return None


@dataclass
class PageCheck:
    """What the browser found on a page."""

    title: str
    #: axe-core violations: {"id", "impact", "help", "nodes": [{"target", "html", "summary"}]}
    violations: list[dict] = field(default_factory=list)
    #: the element with the focus after each Tab press ({"tag", "id", "role", "text"} or None)
    focus: list[dict | None] = field(default_factory=list)
    #: requests the page made to anything but file: and data: URLs (a self-contained page: none)
    external_requests: list[str] = field(default_factory=list)
    #: the value of ``evaluate`` (a JavaScript expression) after the selections
    evaluated: object = None


def check_page(html_path: Path | str, *, screenshot: Path | str | None = None, tabs: int = 0,
               width: int = 1280, height: int = 900, select: dict[str, str] | None = None,
               evaluate: str | None = None, timeout: float = 180) -> PageCheck:
    """Open ``html_path`` in headless Chromium, run axe-core (WCAG 2.1 A and AA rules and axe's
    best practices) and
    return what it found; with ``screenshot`` also save a full-page PNG, with ``tabs`` press Tab
    that many times and record where the focus goes. ``select`` (``{select id: value}``) chooses
    options first, as a user would; ``evaluate`` is a JavaScript expression whose value comes
    back as ``evaluated``."""
    command = ["node", str(SCRIPT), str(Path(html_path).resolve()), "--tabs", str(tabs),
               "--width", str(width), "--height", str(height)]
    for element, value in (select or {}).items():
        command += ["--select", f"{element}={value}"]
    if evaluate:
        command += ["--eval", evaluate]
    if screenshot is not None:
        command += ["--screenshot", str(Path(screenshot).resolve())]
    env = dict(os.environ)
    if chromium():
        env["CHROMIUM"] = chromium()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          cwd=BROWSER_DIR, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the browser check of {html_path} failed: {done.stderr[-2000:]}")
    data = json.loads(done.stdout)
    return PageCheck(title=data.get("title", ""), violations=data.get("violations", []),
                     focus=data.get("focus", []),
                     external_requests=data.get("external_requests", []),
                     evaluated=data.get("eval"))


def axe_violations(html_path: Path | str) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA and best-practice violations of one HTML file (an empty list:
    none)."""
    return check_page(html_path).violations


def describe(violations: list[dict]) -> str:
    """One line per violation and element, for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {n['target']}"
                     for v in violations for n in v["nodes"])
