"""Shared fixtures for the unit tests, the slow_notebooks marker, and the session's training record.

Every training of the session goes into a record (course_utils.training.FIT_RECORD, in a temporary folder that
the session removes): the kernels nbval starts inherit the setting. The student copies, which run last, replay
the trainings that match one of those exactly instead of repeating them (tests/test_student.py).
"""

import os
import shutil
import tempfile

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
    from course_utils.training import FIT_RECORD

    if FIT_RECORD not in os.environ:
        config._course_fit_record = tempfile.mkdtemp(prefix="course-fit-record-")
        os.environ[FIT_RECORD] = f"record:{config._course_fit_record}"


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_course_fit_record", None)
    if folder is not None:
        from course_utils.training import FIT_RECORD

        os.environ.pop(FIT_RECORD, None)
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """The student copies run last, after nbval has run (and recorded the trainings of) the notebooks."""
    items.sort(key=lambda item: item.get_closest_marker(SLOW_NOTEBOOKS) is not None)
