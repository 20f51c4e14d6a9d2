"""Write student copies of the notebooks: every cell tagged ``solution`` becomes a stub.

    python -m course_tools.student notebooks student      # what `make student` runs

A stub keeps what the student needs to start and removes the answer:

* each top-level function keeps its signature and docstring; its body becomes
  ``raise NotImplementedError(...)``;
* each top-level assignment keeps its target; its value becomes ``None`` with a ``# your code`` note;
* any other statement (a loop, a call) is dropped, with a comment saying the cell is yours to write.

All outputs are cleared in the copy, since they would give the answers away. The check cells that
follow a solution stay, and fail with a message that says what is missing.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"
STUB_NOTE = "Exercise: write this function (see the task above), then run the check below."


def stub_source(source: str) -> str:
    """Return the student stub for the source of one solution cell.

    Raises:
        ValueError: if ``source`` is not valid Python (a solution cell must run).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ValueError(f"a solution cell does not parse as Python (line {err.lineno}): {err.msg}") from err
    lines = source.splitlines()
    out: list[str] = []
    dropped = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first_body = node.body[0]
            has_doc = (
                isinstance(first_body, ast.Expr)
                and isinstance(first_body.value, ast.Constant)
                and isinstance(first_body.value.value, str)
            )
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            header_end = (first_body.end_lineno if has_doc else first_body.lineno - 1) or node.lineno
            out.extend(lines[start:header_end])
            indent = " " * (first_body.col_offset)
            out.append(f"{indent}# your code here")
            out.append(f"{indent}raise NotImplementedError({STUB_NOTE!r})")
            out.append("")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = " = ".join(ast.get_source_segment(source, t) or "_" for t in targets)
            out.append(f"{names} = None  # your code here")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(ast.get_source_segment(source, node) or "")
        else:
            dropped = True
    if dropped or not out:
        out.append("# your code here")
    return "\n".join(out).rstrip() + "\n"


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with every ``solution`` cell stubbed and all outputs cleared."""
    copy_nb = copy.deepcopy(nb)
    for cell in copy_nb.cells:
        if cell.cell_type != "code":
            continue
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            cell.source = stub_source(cell.source)
        cell.outputs = []
        cell.execution_count = None
    return copy_nb


def write_student_copies(source_dir: Path, target_dir: Path, overwrite: bool = False) -> list[Path]:
    """Write a student copy of every notebook of ``source_dir`` into ``target_dir``.

    Raises:
        FileNotFoundError: if ``source_dir`` holds no notebook.
        FileExistsError: if a copy exists already and ``overwrite`` is false (a student's work is
            never overwritten silently).
    """
    notebooks = sorted(Path(source_dir).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {source_dir}; pass the course's notebooks/ folder.")
    target_dir = Path(target_dir)
    existing = [target_dir / p.name for p in notebooks if (target_dir / p.name).exists()]
    if existing and not overwrite:
        names = ", ".join(p.name for p in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise FileExistsError(
            f"{target_dir} already holds student copies ({names}) that may contain a student's work; "
            "move them away, or pass --overwrite to replace them."
        )
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        out = target_dir / path.name
        nbformat.write(student_notebook(nb), out)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder of the course notebooks")
    parser.add_argument("target", type=Path, help="folder for the student copies")
    parser.add_argument("--overwrite", action="store_true", help="replace existing student copies")
    args = parser.parse_args(argv)
    try:
        written = write_student_copies(args.source, args.target, overwrite=args.overwrite)
    except (FileNotFoundError, FileExistsError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
