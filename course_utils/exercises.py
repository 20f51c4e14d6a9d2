"""Checks for the exercises: they say *what* is wrong, not only that something is.

Every check raises :class:`ExerciseError` (an ``AssertionError``) with a message that names the
expected and the actual value, shape or first differing element, and prints a short confirmation
when the answer is right.

    from course_utils import exercises as ex
    ex.check_array(my_output, expected, name="feature map")
    ex.check_function(my_pool1d, reference=ops.pool1d, cases=[(x, 2), (x, 3)])

An unfinished answer says so in the same words wherever it is met: the stubs of the student copies
raise :class:`NotWrittenYet` ("max_pool_1d is not written yet: ..."), a check that calls one reports
the call that is not written yet, and a placeholder value (``None``) is reported as not written yet.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

NOT_WRITTEN = "not written yet"
"""The words every message about an unfinished answer contains."""

NOT_WRITTEN_HINT = "write it (see the task above), then run the check below."


def not_written_message(what: str) -> str:
    """The message for an unfinished answer: ``"<what> is not written yet: write it (...)"``."""
    return f"{what} is {NOT_WRITTEN}: {NOT_WRITTEN_HINT}"


class ExerciseError(AssertionError):
    """An exercise answer is not right yet; the message says what differs."""


class NotWrittenYet(NotImplementedError):
    """Raised by the stub of an exercise the student has not written yet.

    ``raise NotWrittenYet("max_pool_1d")`` reads "max_pool_1d is not written yet: write it (see the task
    above), then run the check below."; :func:`check_function` recognises it and names the call.
    """

    def __init__(self, name: str = "this exercise") -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return not_written_message(self.name)


def _describe_call(args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    def short(value: Any) -> str:
        if isinstance(value, np.ndarray):
            return f"array(shape={value.shape}, dtype={value.dtype})"
        text = repr(value)
        return text if len(text) <= 40 else text[:37] + "..."

    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds, so messages read `4.0`, not `np.float64(4.0)`."""
    return value.item() if isinstance(value, np.generic) else value


def check_array(got: Any, expected: Any, name: str = "result", rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Check an array answer against the expected one.

    Raises:
        ExerciseError: naming the missing answer, the shape mismatch or the first element that differs.
    """
    if got is None or got is Ellipsis:
        raise ExerciseError(f"{name}: {NOT_WRITTEN} (got {got!r}); replace the placeholder with your code.")
    expected = np.asarray(expected)
    try:
        got_arr = np.asarray(got, dtype=float if expected.dtype.kind in "fiub" else None)
    except (TypeError, ValueError) as err:
        raise ExerciseError(f"{name}: expected a numeric array, got {type(got).__name__} ({err}).") from err
    if got_arr.shape != expected.shape:
        hint = ""
        if got_arr.size == expected.size:
            hint = " Same number of elements: check the order of axes or a reshape."
        elif got_arr.ndim == expected.ndim:
            diffs = [f"axis {i}: {g} vs {e}" for i, (g, e) in enumerate(zip(got_arr.shape, expected.shape)) if g != e]
            hint = f" Differing {'; '.join(diffs)}."
        raise ExerciseError(f"{name}: expected shape {expected.shape}, got shape {got_arr.shape}.{hint}")
    if expected.dtype.kind in "fiub":
        close = np.isclose(got_arr, expected.astype(float), rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = got_arr == expected
    if not np.all(close):
        bad = np.argwhere(~close)
        first = tuple(int(i) for i in bad[0])
        raise ExerciseError(
            f"{name}: {len(bad)} of {expected.size} elements differ; the first at index {first}: "
            f"expected {_plain(expected[first])!r}, got {_plain(got_arr[first])!r}."
        )
    print(f"✓ {name}: correct")


def check_value(got: Any, expected: Any, name: str = "result", rtol: float = 1e-6) -> None:
    """Check a scalar, tuple or other plain value (numbers compared with relative tolerance ``rtol``).

    Raises:
        ExerciseError: with the expected and the actual value.
    """
    if got is None or got is Ellipsis:
        raise ExerciseError(f"{name}: {NOT_WRITTEN} (got {got!r}); replace the placeholder with your code.")
    if isinstance(expected, (int, float, np.number)) and not isinstance(expected, bool):
        try:
            ok = bool(np.isclose(float(got), float(expected), rtol=rtol, atol=0.0))
        except (TypeError, ValueError):
            ok = False
    elif isinstance(expected, (tuple, list)):
        ok = isinstance(got, (tuple, list)) and tuple(got) == tuple(expected)
    else:
        ok = got == expected
    if not ok:
        raise ExerciseError(f"{name}: expected {_plain(expected)!r}, got {_plain(got)!r}.")
    print(f"✓ {name}: correct")


def check_function(
    fn: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Iterable[Sequence[Any] | tuple[Sequence[Any], dict[str, Any]]],
    name: str | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Call ``fn`` and ``reference`` on every case and compare the results.

    Each call gets its own deep copy of the case's arguments, so an ``fn`` that changes its arguments
    (zeroes an input array, say) cannot change what the reference sees, nor the next case. Arguments
    that cannot be copied (a generator, say) are passed as they are.

    Args:
        fn: the student's function.
        reference: a correct implementation (usually from ``course_utils``).
        cases: positional-argument tuples, or ``(args, kwargs)`` pairs.

    Raises:
        ExerciseError: for the first case where ``fn`` raises or disagrees, with the call that failed;
            if ``fn`` is a stub (raises :class:`NotWrittenYet`), saying that the call is not written yet.
        NotWrittenYet: if ``reference`` is itself an exercise stub that is not written yet.
    """
    label = name or getattr(fn, "__name__", "your function")
    count = 0
    for case in cases:
        if isinstance(case, tuple) and len(case) == 2 and isinstance(case[1], dict) and isinstance(case[0], (tuple, list)):
            args, kwargs = tuple(case[0]), dict(case[1])
        else:
            args, kwargs = tuple(case), {}
        call = f"{label}({_describe_call(args, kwargs)})"
        fn_args, fn_kwargs = _pristine_call(args, kwargs)
        try:
            got = fn(*fn_args, **fn_kwargs)
        except NotWrittenYet as err:
            own = err.name in (getattr(fn, "__name__", None), getattr(fn, "__qualname__", None), label)
            raise ExerciseError(not_written_message(call if own else f"{call} calls {err.name}, which")) from None
        except NotImplementedError as err:
            raise ExerciseError(f"{call} is {NOT_WRITTEN} (NotImplementedError: {err}).") from err
        except Exception as err:  # the student's code may raise anything; report it with the call
            raise ExerciseError(f"{call} raised {type(err).__name__}: {err}") from err
        ref_args, ref_kwargs = _pristine_call(args, kwargs)
        expected = reference(*ref_args, **ref_kwargs)
        try:
            if isinstance(expected, np.ndarray):
                check_array_quiet(got, expected, call, rtol=rtol, atol=atol)
            else:
                check_value_quiet(got, expected, call)
        except ExerciseError as err:
            changed = _changed_arguments(args, kwargs, fn_args, fn_kwargs)
            if not changed:
                raise
            raise ExerciseError(
                f"{err} Note: {label} changed its argument{'s' if len(changed) > 1 else ''} {', '.join(changed)}; "
                "the reference was given the original values."
            ) from None
        count += 1
    print(f"✓ {label}: correct on all {count} cases")


def _pristine(value: Any) -> Any:
    """A deep copy of ``value``, or ``value`` itself where it cannot be copied."""
    try:
        return copy.deepcopy(value)
    except Exception:  # a generator, a lock, a kernel handle: nothing to protect by copying
        return value


def _pristine_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Fresh deep copies of a call's positional and keyword arguments."""
    return tuple(_pristine(a) for a in args), {k: _pristine(v) for k, v in kwargs.items()}


def _same(before: Any, after: Any) -> bool:
    """Whether an argument still equals its original value (True where equality cannot be decided)."""
    if before is after:
        return True
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        try:
            return np.shape(before) == np.shape(after) and bool(np.array_equal(before, after, equal_nan=True))
        except (TypeError, ValueError):
            return bool(np.array_equal(before, after))
    try:
        return bool(before == after)
    except Exception:  # arrays inside lists, objects without a truth value: cannot tell
        return True


def _changed_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], fn_args: tuple[Any, ...], fn_kwargs: dict[str, Any]
) -> list[str]:
    """Which arguments the student's function changed: ``"1"`` for the first positional, or the keyword."""
    changed = [str(i + 1) for i, (a, b) in enumerate(zip(args, fn_args)) if not _same(a, b)]
    return changed + [k for k in kwargs if not _same(kwargs[k], fn_kwargs.get(k))]


def check_array_quiet(got: Any, expected: Any, name: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """:func:`check_array` without the confirmation line."""
    _quiet(check_array, got, expected, name, rtol=rtol, atol=atol)


def check_value_quiet(got: Any, expected: Any, name: str) -> None:
    """:func:`check_value` without the confirmation line."""
    _quiet(check_value, got, expected, name)


def _quiet(check: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        check(*args, **kwargs)


def check_true(condition: bool, message: str, name: str = "check") -> None:
    """Raise :class:`ExerciseError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ExerciseError(f"{name}: {message}")
    print(f"✓ {name}: correct")
