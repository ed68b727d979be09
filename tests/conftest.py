"""Collection settings of the test suite."""

# tests/office holds scripts run by LibreOffice's own Python (they import its `uno` bridge);
# --doctest-modules must not import them into the test runner
collect_ignore = ["office"]

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

EXAMPLE_STUDY = Path(__file__).resolve().parent.parent / "data_templates" / "example_study"


@pytest.fixture(scope="module")
def example_study(tmp_path_factory):
    """The example study loaded from a copy of its folder, once per test module.

    The copy leaves out the study's secret, reports and cache, so that no test reads what
    another test worker is writing into the original (which is never written to here).
    """
    import shutil

    import mss_eval
    from mss_eval.report.notebook import quiet_known_warnings

    if not (EXAMPLE_STUDY / "study.yaml").is_file():
        pytest.skip("the example study is not generated (make templates)")
    target = tmp_path_factory.mktemp("example") / "example_study"
    shutil.copytree(EXAMPLE_STUDY, target,
                    ignore=shutil.ignore_patterns(".mss-secret", "reports", ".mss-cache"))
    quiet_known_warnings()
    return mss_eval.load_study(target, on_error="skip")
