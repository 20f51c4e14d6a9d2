"""Argument checks shared by the package's public functions: each failure names the argument, what it
got and what it needs."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _describe(value: object) -> str:
    return f"{value!r} of type {type(value).__name__}"


def positive_int(value: object, name: str) -> int:
    """``value`` as an int, if it is an int (or NumPy integer, not a bool) of at least 1.

    Raises:
        TypeError: for anything that is not an integer.
        ValueError: for an integer below 1.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {_describe(value)}.")
    if value < 1:
        hint = "; use 1 for no skipping" if "stride" in name else ""
        raise ValueError(f"{name} must be >= 1, got {value}{hint}.")
    return int(value)


def non_negative_int(value: object, name: str) -> int:
    """``value`` as an int, if it is an int (or NumPy integer, not a bool) of at least 0.

    Raises:
        TypeError: for anything that is not an integer.
        ValueError: for a negative integer.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 0, got {_describe(value)}.")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}.")
    return int(value)


def int_pair(value: object, name: str) -> tuple[int, int]:
    """An int or a pair (rows, columns) of ints, each at least 1, as a pair.

    A pair may be a tuple, a list or a 1-D NumPy array of two integers.

    Raises:
        TypeError: for an entry that is not an integer.
        ValueError: for a sequence that is not a pair, or an entry below 1.
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (rows, columns), got {value!r}.")
        return positive_int(value[0], name), positive_int(value[1], name)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer or a pair (rows, columns) of them, got {_describe(value)}.")
    v = positive_int(value, name)
    return v, v


def flag(value: object, name: str) -> bool:
    """``value`` as a bool, if it is ``True`` or ``False`` (a NumPy bool too).

    Raises:
        TypeError: for anything else (a string such as ``"no"`` would otherwise count as true).
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}.")
    return bool(value)


def number(value: object, name: str) -> float:
    """``value`` as a float, if it is a real, finite number (an int, a float or a NumPy number, not a bool).

    Raises:
        TypeError: for anything that is not a real number.
        ValueError: for NaN or an infinity.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {_describe(value)}.")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return float(value)


def fraction(value: object, name: str) -> float:
    """``value`` as a float, if it is a number strictly between 0 and 1.

    Raises:
        TypeError: for anything that is not a real number.
        ValueError: for a number outside (0, 1).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number between 0 and 1 (exclusive), got {_describe(value)}.")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value}.")
    return float(value)


def seed(value: object, name: str = "seed") -> int:
    """``value`` as an int, if it is an integer >= 0 (the seed of a random generator).

    Raises:
        TypeError: for anything that is not an integer.
        ValueError: for a negative integer.
    """
    return non_negative_int(value, name)


def path(value: object, name: str) -> Path:
    """``value`` as a :class:`~pathlib.Path`, if it is a ``str`` or a path-like object.

    Raises:
        TypeError: for anything else.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a folder or file path (str or pathlib.Path), got {_describe(value)}.")
    return Path(value)


def paths(value: object, name: str) -> list[Path]:
    """One path (``str`` or path-like) or a sequence of them, as a list of :class:`~pathlib.Path`.

    Raises:
        TypeError: for anything else, or a sequence holding something that is not a path.
    """
    if isinstance(value, (str, os.PathLike)):
        return [Path(value)]
    if not isinstance(value, Sequence) or isinstance(value, bytes):
        raise TypeError(f"{name} must be a path (str or pathlib.Path) or a list of paths, got {_describe(value)}.")
    return [path(item, f"each entry of {name}") for item in value]
