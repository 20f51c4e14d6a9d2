"""Plumbing the sections share: statistics over repeats, timing, measurements in fresh processes."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.protocol import read_result

ROOT = Path(__file__).resolve().parent.parent


_LOCK_PATH: list[str] = []
_LOCK_WAIT = [0.0]


def lock_wait_seconds() -> float:
    """Seconds this process has spent waiting for the CPU lock so far."""
    return _LOCK_WAIT[0]


def set_cpu_lock(path: str | None) -> None:
    """Measure only while holding an exclusive ``flock`` on ``path`` (None: no lock)."""
    _LOCK_PATH[:] = [path] if path else []


@contextlib.contextmanager
def cpu_lock():
    """Hold the shared CPU lock (if one was set) for one measurement, so other jobs on the machine can run
    between measurements but never during one. Do not combine with an outer ``flock`` on the same file."""
    if not _LOCK_PATH:
        yield
        return
    with open(_LOCK_PATH[0], "a") as handle:
        start = time.perf_counter()
        fcntl.flock(handle, fcntl.LOCK_EX)
        _LOCK_WAIT[0] += time.perf_counter() - start
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Stats:
    """Median, minimum and maximum of repeated measurements."""

    values: list[float]

    @property
    def median(self) -> float:
        return float(statistics.median(self.values))

    @property
    def min(self) -> float:
        return float(min(self.values))

    @property
    def max(self) -> float:
        return float(max(self.values))

    @property
    def n(self) -> int:
        return len(self.values)

    def fmt(self, digits: int = 1, scale: float = 1.0) -> str:
        """``median (min–max)`` of the values times ``scale``, e.g. ``"161.0 (115.0–186.0)"``."""
        if not self.values:
            return "–"
        return f"{self.median * scale:,.{digits}f} ({self.min * scale:,.{digits}f}–{self.max * scale:,.{digits}f})"

    def to_dict(self) -> dict:
        return {"median": self.median, "min": self.min, "max": self.max, "n": self.n, "values": self.values}


def time_repeats(fn: Callable[[], object], repeats: int, warmup: int = 1) -> Stats:
    """Seconds per call of ``fn`` over ``repeats`` calls, after ``warmup`` untimed calls."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}.")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Stats(times)


@dataclass
class Section:
    """One section of the report: a title, what it measures, tables and notes."""

    key: str
    title: str
    explanation: str
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)  # (caption, header, rows)
    notes: list[str] = field(default_factory=list)
    missing: str | None = None
    data: dict = field(default_factory=dict)
    seconds: float = 0.0
    provenance: str = ""  # when, by which command and on which processor the section was measured

    def table(self, caption: str, header: list[str], rows: list[list[str]]) -> None:
        self.tables.append((caption, header, rows))


def run_worker(task: str, config: dict, env: dict[str, str] | None = None, timeout: float = 1800,
               in_process: bool = False) -> dict:
    """Run ``python -m benchmarks.worker TASK CONFIG`` in a fresh process and return the JSON it reports.

    A fresh process per measurement lets environment settings (oneDNN, threads) take effect before
    TensorFlow is imported, and keeps one measurement's memory from weighing on the next.

    ``in_process=True`` (the tiny configuration of the unit test) runs the task in this process instead.

    Raises:
        RuntimeError: if the worker fails (its error, or its last output lines, are in the message).
    """
    if in_process and not env:  # the tiny configuration: no interpreter start, no TensorFlow import
        from benchmarks.worker import TASKS

        try:
            with cpu_lock():
                return TASKS[task](json.loads(json.dumps(config)))
        except Exception as err:
            raise RuntimeError(f"{type(err).__name__}: {err}") from err
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0", **(env or {})}
    with cpu_lock():
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", task, json.dumps(config)],
            cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
        )
    result = read_result(proc.stdout)
    if result is not None:
        if "error" in result:
            raise RuntimeError(result["error"])
        return result
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
    raise RuntimeError(f"worker {task} exited with {proc.returncode} without a result:\n{tail}")

