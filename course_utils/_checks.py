"""Argument checks shared by the package's public functions: each failure names the argument, what it
got and what it needs."""

from __future__ import annotations

import numpy as np


def positive_int(value: object, name: str) -> int:
    """``value`` as an int, if it is an int (or NumPy integer, not a bool) of at least 1.

    Raises:
        TypeError: for anything that is not an integer.
        ValueError: for an integer below 1.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {value!r} of type {type(value).__name__}.")
    if value < 1:
        hint = "; use 1 for no skipping" if "stride" in name else ""
        raise ValueError(f"{name} must be >= 1, got {value}{hint}.")
    return int(value)


def int_pair(value: object, name: str) -> tuple[int, int]:
    """An int or a pair (rows, columns) of ints, each at least 1, as a pair.

    Raises:
        TypeError: for an entry that is not an integer.
        ValueError: for a sequence that is not a pair, or an entry below 1.
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (rows, columns), got {value!r}.")
        return positive_int(value[0], name), positive_int(value[1], name)
    v = positive_int(value, name)
    return v, v
