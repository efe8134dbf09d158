"""pytest-odoo glue: refuse to run tours without their tools, and fail any
test during which Odoo logs a WARNING or worse (Odoo's own runner does the
same; pytest-odoo runs tests through plain unittest and would not)."""

import logging
import shutil
import sys

import pytest


class _LogCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


_collector = _LogCollector()

# pytest-odoo imports odoo.tests before it turns Odoo's test mode on, and Odoo
# logs an ERROR for an import of its test framework outside test mode: import
# it first, in test mode (this file is loaded before pytest-odoo's hooks run).
try:
    import odoo.tools
except ImportError:  # pragma: no cover - tools/test.sh checks Odoo first
    pass
else:
    _test_enable = odoo.tools.config["test_enable"]
    odoo.tools.config["test_enable"] = True
    import odoo.tests

    odoo.tools.config["test_enable"] = _test_enable


def pytest_addoption(parser):
    parser.addoption(
        "--odoo-position",
        choices=("at_install", "post_install"),
        help="Only the standard tests that Odoo runs at this position (from "
        "their test tags). tools/test.sh runs Odoo's own at_install tests of "
        "the apps we extend with every addon loaded.",
    )


def pytest_collection_modifyitems(config, items):
    position = config.getoption("--odoo-position", default=None)
    if not position:
        return
    selected, deselected = [], []
    for item in items:
        tags = getattr(getattr(item, "cls", None), "test_tags", set())
        (selected if {"standard", position} <= tags else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_configure(config):
    logging.getLogger().addHandler(_collector)
    if config.getoption("--odoo-database", default=None):
        # Test modules import odoo.tests at collection, before pytest-odoo
        # turns test mode on; Odoo logs an error for that outside test mode.
        import odoo
        import odoo.tools

        test_enable = odoo.tools.config["test_enable"]
        odoo.tools.config["test_enable"] = True
        import odoo.tests

        odoo.tools.config["test_enable"] = test_enable
    if not config.getoption("--odoo-http", default=False):
        return
    try:
        import websocket  # noqa: F401
    except ImportError as error:
        raise pytest.UsageError(
            "websocket-client is not installed: Odoo would silently skip every "
            "browser tour. Run `make test`, which installs it."
        ) from error
    if not any(
        shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
    ):
        raise pytest.UsageError("Chromium is not installed: browser tours cannot run.")


def pytest_sessionfinish(session):
    logging.getLogger().removeHandler(_collector)
    if _collector.records:
        for record in _collector.records:
            sys.stderr.write(
                f"{record.levelname} {record.name}: {record.getMessage()}\n"
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    records, _collector.records = _collector.records, []
    if not records or report.skipped:
        return
    lines = "\n".join(
        f"{record.levelname} {record.name}: {record.getMessage()}" for record in records
    )
    report.outcome = "failed"
    report.longrepr = f"Odoo logged during {report.when}:\n{lines}"
