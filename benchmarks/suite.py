"""Section 4, the suite: wall time and peak memory of each notebook under the ``ci`` profile, of the unit
tests, and of the whole test command.

Each part runs as its own ``python -m pytest`` process (``COURSE_PROFILE=ci``, the project's pytest
settings: strict nbval). Wall time is measured around the process; peak memory is the largest resident
set size of the process and every descendant it waited for (the notebook's kernel included), from
``wait4`` -- the figure ``/usr/bin/time -v`` prints as "Maximum resident set size".
"""

from __future__ import annotations

import glob
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, Section, cpu_lock

HEADER = ["part", "wall time (s)", "peak memory (MiB)", "result"]


TIME_BIN = Path("/usr/bin/time")


def measure(args: list[str], timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run ``args`` from the project root; return its wall seconds, peak RSS (MiB), exit code and summary line.

    Peak memory comes from ``/usr/bin/time -v`` ("Maximum resident set size"). A process forked from this
    one starts with this process's resident-set high-water mark (TensorFlow is loaded here), so ``wait4``
    on a direct child would overstate it; ``/usr/bin/time`` forks from a small process. Without it the
    figure falls back to ``wait4`` and is marked as an upper bound.
    """
    full_env = {**os.environ, "COURSE_PROFILE": "ci", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0",
                **(env or {})}
    use_time = TIME_BIN.exists()
    with tempfile.TemporaryFile("w+") as log, tempfile.NamedTemporaryFile("r", suffix=".time") as tfile:
        cmd = [str(TIME_BIN), "-v", "-o", tfile.name, *args] if use_time else args
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        seconds = time.perf_counter() - start
        rss_kib, exact = None, use_time
        if use_time:
            match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", Path(tfile.name).read_text())
            rss_kib = int(match.group(1)) if match else None
        if rss_kib is None:
            rss_kib, exact = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, False
        log.seek(0)
        lines = [ln.strip() for ln in log.read().splitlines() if ln.strip()]
    summary = next((ln for ln in reversed(lines) if re.search(r"\b(passed|failed|error|no tests ran)\b", ln)),
                   lines[-1] if lines else "")
    return {"seconds": seconds, "max_rss_mib": rss_kib / 1024, "rss_exact": exact, "returncode": proc.returncode,
            "summary": summary.strip("= ")}


def _pytest(paths: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "-q", *paths]


def _tiny_parts(folder: Path) -> tuple[list[str], list[str]]:
    """A one-cell notebook and a one-test file, so the unit test exercises this section in seconds."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(6 * 7)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    cell.execution_count = 1
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb_path = folder / "00_tiny.ipynb"
    nbformat.write(nb, nb_path)
    test_path = folder / "test_tiny.py"
    test_path.write_text("def test_arithmetic():\n    assert 6 * 7 == 42\n")
    return [str(test_path)], [str(nb_path)]


def run(cfg: dict, suite_seconds: float | None = None, whole: bool = False) -> Section:
    section = Section(
        "suite", "4. The suite",
        "Each notebook under strict nbval in the `ci` profile, and the unit tests, each as its own "
        "`python -m pytest` process with the project's settings (`COURSE_PROFILE=ci`). Wall time is "
        "taken around the process; peak memory is the maximum resident set size of the process and of the "
        "children it waited for (the notebook's Jupyter kernel), as `/usr/bin/time -v` reports it. The "
        "whole test command (`make test`, one `python -m pytest` over tests/ and notebooks/) is estimated "
        "as the sum of the parts; each part pays its own interpreter start, about 1–3 s, which the single "
        "command pays once. Where a separately measured figure for the whole command is given, it is shown "
        "as such.",
    )
    with tempfile.TemporaryDirectory() as tmp:
        if cfg.get("tiny"):
            units, notebooks = _tiny_parts(Path(tmp))
        else:
            units = cfg["unit_tests"]
            notebooks = sorted(glob.glob(str(ROOT / cfg["notebooks"])))
            notebooks = [str(Path(p).relative_to(ROOT)) for p in notebooks]
        skipped = 0
        if cfg.get("max_notebooks") is not None and len(notebooks) > cfg["max_notebooks"]:
            skipped = len(notebooks) - cfg["max_notebooks"]
            notebooks = notebooks[: cfg["max_notebooks"]]
        if not notebooks:
            section.notes.append("No notebooks exist yet in notebooks/; only the unit tests were measured.")
        rows, parts = [], []
        for label, paths in [("unit tests (" + " ".join(Path(u).name for u in units) + ")", units),
                             *[(Path(nb).name, [nb]) for nb in notebooks]]:
            with cpu_lock():
                res = measure(_pytest(paths), cfg["timeout"])
            parts.append(res)
            result = res["summary"] if res["returncode"] == 0 else f"exit {res['returncode']}: {res['summary']}"
            rows.append([label, f"{res['seconds']:.1f}", f"{res['max_rss_mib']:.0f}", result])
            section.data[label] = res
        total = sum(p["seconds"] for p in parts)
        peak = max(p["max_rss_mib"] for p in parts)
        rows.append(["**sum of the parts** (estimate of the whole command)", f"{total:.1f}", f"{peak:.0f} (max)",
                     f"{len(parts)} processes"])
        if whole:
            with cpu_lock():
                res = measure(_pytest(units + notebooks), cfg["timeout"] * 4)
            rows.append(["**whole command, measured** (`python -m pytest` over all parts)", f"{res['seconds']:.1f}",
                         f"{res['max_rss_mib']:.0f}", res["summary"]])
            section.data["whole"] = res
        if suite_seconds is not None:
            rows.append(["**whole command, measured separately** (given with --suite-seconds)",
                         f"{suite_seconds:.1f}", "–", "–"])
            section.data["whole_given_seconds"] = suite_seconds
    section.table("Suite under the ci profile (one run each, n = 1)", HEADER, rows)
    if skipped:
        section.notes.append(f"Quick mode: {skipped} more notebook(s) not run; run without --quick for all.")
    slowest = max(((r[0], float(r[1])) for r in rows[1: 1 + len(notebooks)]), key=lambda t: t[1], default=None)
    if slowest:
        section.notes.append(f"Slowest notebook: {slowest[0]} ({slowest[1]:.1f} s).")
        section.data["slowest"] = slowest
    section.data["sum_seconds"] = total
    json.dumps(section.data)
    return section
