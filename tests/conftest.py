"""Collection settings of the test suite."""

# tests/office holds scripts run by LibreOffice's own Python (they import its `uno` bridge);
# --doctest-modules must not import them into the test runner
collect_ignore = ["office"]
