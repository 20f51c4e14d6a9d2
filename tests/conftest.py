"""Shared fixtures for the unit tests, and the slow_notebooks marker."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib

matplotlib.use("Agg")

SLOW_NOTEBOOKS = "slow_notebooks"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SLOW_NOTEBOOKS}: executes notebooks top to bottom (minutes); skipped unless selected with -m {SLOW_NOTEBOOKS}",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked slow_notebooks unless the -m expression names them."""
    if SLOW_NOTEBOOKS in (config.getoption("markexpr", "") or ""):
        return
    skip = pytest.mark.skip(reason=f"executes notebooks for minutes; select it with -m {SLOW_NOTEBOOKS}")
    for item in items:
        if SLOW_NOTEBOOKS in item.keywords:
            item.add_marker(skip)
