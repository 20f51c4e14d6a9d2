"""Re-execute notebooks and store their outputs, as strict nbval will compare them.

    COURSE_PROFILE=ci python -m course_utils.execute notebooks/03_conv2d.ipynb   # what `make execute` runs

Run it after changing a notebook, then commit the notebook with its new outputs. It refuses to store a
notebook whose cells print to stderr or raise (unless tagged ``raises-exception``), since the test suite
would not reproduce or accept them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


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


def execute(path: Path, timeout: int = 1200) -> float:
    """Execute one notebook in place (working directory: its folder); return the seconds it took.

    Raises:
        RuntimeError: if the notebook's outputs include stderr or an untagged error (the file is left as it was).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            allow_errors=True)
    client.execute()
    seconds = time.perf_counter() - start
    found = problems(nb)
    if found:
        raise RuntimeError(f"{path} not stored; fix these cells first:\n  " + "\n  ".join(found))
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if os.environ.get("COURSE_PROFILE", "lab") != "ci":
        print("note: COURSE_PROFILE is not 'ci'; the suite compares outputs of the ci profile.", file=sys.stderr)
    status = 0
    for path in args.notebooks:
        try:
            seconds = execute(path)
        except (RuntimeError, FileNotFoundError) as err:
            print(f"error: {err}", file=sys.stderr)
            status = 1
            continue
        print(f"executed {path} in {seconds:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
