"""Re-execute notebooks and store their outputs, as strict nbval will compare them.

    COURSE_PROFILE=ci python -m course_tools.execute notebooks/03_conv2d.ipynb   # what `make execute` runs

Run it after changing a notebook, then commit the notebook with its new outputs. It refuses to store a
notebook whose cells print to stderr or raise (unless tagged ``raises-exception``), since the test suite
would not reproduce or accept them.

With ``--output-dir`` it leaves the notebooks as they are and writes the executed copies into another
folder, problems included (they are reported, and the exit status is 1): that is how to run a notebook
in another profile from the command line and keep its results, e.g. the ``full`` profile on a GPU or a
patient CPU (what `make run` does; ``--timeout 0`` lifts the per-cell time limit)::

    COURSE_PROFILE=full python -m course_tools.execute --output-dir build/full --timeout 0 notebooks/09_xception.ipynb

What is stored depends only on the notebook's code and what it prints: no cell timings, no widget state,
and the notebook's own metadata (kernelspec, language_info) as it was before the run, so re-executing a
notebook whose outputs did not change leaves its file byte for byte as it was.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

RUN_METADATA = ("execution", "ExecuteTime")
"""Cell metadata that only record when a cell ran: nbclient's and JupyterLab's timings."""

KERNEL_METADATA = ("kernelspec", "language_info")
"""Notebook metadata a run fills in where the notebook has none."""


def strip_run_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove, in place, what only records a run: cell timings and the notebook's widget state; return ``nb``."""
    for cell in nb.cells:
        metadata = cell.get("metadata", {})
        for key in RUN_METADATA:
            metadata.pop(key, None)
    nb.metadata.pop("widgets", None)
    return nb


def _keep_stored_metadata(nb: nbformat.NotebookNode, stored: dict) -> None:
    """Give ``nb`` back the top-level metadata it had before the run; only missing kernel entries are added."""
    ran = nb.metadata
    nb.metadata = nbformat.from_dict(copy.deepcopy(stored))
    for key in KERNEL_METADATA:
        if key not in nb.metadata and key in ran:
            nb.metadata[key] = ran[key]


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """Cells whose stored outputs strict nbval would not reproduce: stderr streams and untagged errors."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found.append(f"cell {index}: writes to stderr: {output.get('text', '')[:200]!r}")
            if output.get("output_type") == "error" and "raises-exception" not in tags:
                found.append(f"cell {index}: raises {output.get('ename')}: {output.get('evalue')}")
    return found


def execute(path: Path, timeout: int | None = 1200, output: Path | None = None) -> float:
    """Execute one notebook (working directory: its folder) and store it; return the seconds it took.

    What is stored has no run records (see :func:`strip_run_metadata`) and the notebook's metadata as read.

    Args:
        path: the notebook.
        timeout: seconds a cell may run; None for no limit.
        output: where to write the executed notebook; None writes it back to ``path``.

    Raises:
        ValueError: if ``output`` is ``path`` itself given another way (use ``output=None`` for in place).
        RuntimeError: if the notebook's outputs include stderr or an untagged error. In place, the file is
            left as it was; with ``output``, the executed copy is written all the same, for inspection.
    """
    path = Path(path)
    if output is not None and Path(output).resolve() == path.resolve():
        raise ValueError(f"output {output} is the notebook itself; leave output out to store it in place.")
    nb = nbformat.read(path, as_version=4)
    stored_metadata = copy.deepcopy(dict(nb.metadata))
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            allow_errors=True, record_timing=False)
    client.execute()
    seconds = time.perf_counter() - start
    _keep_stored_metadata(nb, stored_metadata)
    strip_run_metadata(nb)
    found = problems(nb)
    if output is not None:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, output)
        if found:
            raise RuntimeError(f"{path} ran with problems (all outputs written to {output}):\n  " + "\n  ".join(found))
        return seconds
    if found:
        raise RuntimeError(f"{path} not stored; fix these cells first:\n  " + "\n  ".join(found))
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="write the executed notebooks into this folder instead of storing them in place")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds a cell may run (default 1200; 0 for no limit)")
    args = parser.parse_args(argv)
    if args.timeout < 0:
        parser.error(f"--timeout must be 0 (no limit) or positive, got {args.timeout:g}")
    timeout = None if args.timeout == 0 else int(args.timeout)
    if args.output_dir is None and os.environ.get("COURSE_PROFILE", "lab") != "ci":
        print("note: COURSE_PROFILE is not 'ci'; the suite compares outputs of the ci profile.", file=sys.stderr)
    status = 0
    for path in args.notebooks:
        output = None if args.output_dir is None else args.output_dir / Path(path).name
        try:
            seconds = execute(path, timeout=timeout, output=output)
        except (RuntimeError, ValueError, FileNotFoundError) as err:
            print(f"error: {err}", file=sys.stderr)
            status = 1
            continue
        print(f"executed {path} in {seconds:.1f} s" + (f" → {output}" if output else ""))
    return status


if __name__ == "__main__":
    sys.exit(main())
