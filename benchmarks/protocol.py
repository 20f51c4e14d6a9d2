"""How a measurement in a fresh process hands its figures back: the last line it prints is
``BENCHMARK-RESULT {json}``. The worker (:mod:`benchmarks.worker`) writes that line and the runner
(:func:`benchmarks.common.run_worker`) reads it; neither imports the other for it."""

from __future__ import annotations

import json

RESULT_PREFIX = "BENCHMARK-RESULT "


def report_result(result: dict) -> None:
    """What a worker prints last: one line the parent process parses."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def read_result(stdout: str) -> dict | None:
    """The result a worker printed last (see :func:`report_result`), or None if it printed none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    return None
