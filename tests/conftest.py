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
        f"{SLOW_NOTEBOOKS}: executes the student copies of the notebooks top to bottom (minutes); "
        f"select them alone with -m {SLOW_NOTEBOOKS}, leave them out with -m 'not {SLOW_NOTEBOOKS}'",
    )
