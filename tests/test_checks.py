"""The shared argument checks: what each accepts, and that each refusal names the argument and what it needs."""

from pathlib import Path

import numpy as np
import pytest

from course_utils import _checks


def test_accepted_values_come_back_as_python_types():
    assert _checks.positive_int(np.int64(3), "n") == 3 and type(_checks.positive_int(np.int64(3), "n")) is int
    assert _checks.non_negative_int(0, "n") == 0
    assert _checks.int_pair(3, "k") == (3, 3) and _checks.int_pair([2, 5], "k") == (2, 5)
    assert _checks.int_pair(np.array([2, 5]), "k") == (2, 5)
    assert _checks.flag(np.bool_(True), "f") is True
    assert _checks.number(np.float32(0.5), "x") == 0.5
    assert _checks.fraction(0.25, "f") == 0.25
    assert _checks.seed(np.uint8(7)) == 7
    assert _checks.path("a/b", "p") == Path("a/b")
    assert _checks.paths("a", "p") == [Path("a")]                 # one path, not one per character
    assert _checks.paths(["a", Path("b")], "p") == [Path("a"), Path("b")]


@pytest.mark.parametrize("call, error, match", [
    (lambda: _checks.positive_int(True, "n"), TypeError, "n must be a positive integer, got True of type bool"),
    (lambda: _checks.positive_int(0, "stride"), ValueError, "stride must be >= 1, got 0; use 1 for no skipping"),
    (lambda: _checks.non_negative_int(-1, "shift"), ValueError, "shift must be >= 0"),
    (lambda: _checks.non_negative_int(1.0, "shift"), TypeError, "shift must be an integer >= 0"),
    (lambda: _checks.int_pair((1, 2, 3), "size"), ValueError, r"size must be an int or a pair"),
    (lambda: _checks.int_pair(2.0, "size"), TypeError, "size must be a positive integer or a pair"),
    (lambda: _checks.int_pair(np.array([[1, 2]]), "size"), TypeError, "size must be a positive integer or a pair"),
    (lambda: _checks.flag("no", "flip"), TypeError, "flip must be True or False, got 'no'"),
    (lambda: _checks.flag(1, "flip"), TypeError, "flip must be True or False"),
    (lambda: _checks.number("1", "rate"), TypeError, "rate must be a number"),
    (lambda: _checks.number(float("nan"), "rate"), ValueError, "rate must be a finite number"),
    (lambda: _checks.fraction(1.0, "fraction"), ValueError, r"fraction must be between 0 and 1 \(exclusive\), got 1.0"),
    (lambda: _checks.fraction(float("nan"), "fraction"), ValueError, "fraction must be between 0 and 1"),
    (lambda: _checks.fraction(True, "fraction"), TypeError, "fraction must be a number"),
    (lambda: _checks.seed(-2), ValueError, "seed must be >= 0"),
    (lambda: _checks.seed(None, "seed"), TypeError, "seed must be an integer"),
    (lambda: _checks.path(3, "data_dir"), TypeError, "data_dir must be a folder or file path"),
    (lambda: _checks.paths(3, "search"), TypeError, "search must be a path .* or a list of paths"),
    (lambda: _checks.paths(["a", 3], "search"), TypeError, "each entry of search must be"),
])
def test_refusals_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
