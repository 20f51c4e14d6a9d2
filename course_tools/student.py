"""Write student copies of the notebooks: every cell tagged ``solution`` becomes a stub.

    python -m course_tools.student notebooks student      # what `make student` runs

A stub keeps what the student needs to start and nothing of the answer: only signatures, docstrings,
imports and the names the cell assigns survive.

* A function (``def`` or ``async def``, decorated or not, its body below the ``def`` or on the same line)
  keeps its decorators, signature and docstring; its body, nested functions included, becomes
  ``raise NotWrittenYet("name")`` (:class:`course_utils.exercises.NotWrittenYet`, whose message says
  "name is not written yet"), and the cell imports ``NotWrittenYet``.
* A class keeps its decorators, name, bases and docstring; its methods become stubs as above, its nested
  classes are stubbed the same way and its attributes become ``None``.
* A name bound to a lambda (``f = lambda x: ...``) becomes a function stub with the lambda's parameters.
* An assignment to names (plain, chained, tuple, starred, annotated, augmented) keeps its targets and
  annotation; the value becomes ``None``, with a ``# your code here`` note.
* A block (``if``, ``for``, ``while``, ``with``, ``try``, ``match``) is removed: the functions and classes it
  defines become stubs and the names it assigns become ``None`` (loop, ``with ... as`` and ``except ... as``
  variables are not kept).
* Imports at the top of the cell stay. Any other statement (a call, an assignment to an attribute or an
  item, an import inside a block) is removed, and a ``# your code here`` line marks its place.

The copies have every output, execution count and run record (cell timings) cleared; tags stay. The
check cells that follow a solution stay, and fail with a message that says what is not written yet.
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path

import nbformat

from course_tools.execute import strip_run_metadata
from course_utils.exercises import NotWrittenYet

SOLUTION_TAG = "solution"
TODO = "# your code here"
STUB_IMPORT = f"from {NotWrittenYet.__module__} import {NotWrittenYet.__name__}"

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = tuple(
    getattr(ast, name)
    for name in ("If", "For", "AsyncFor", "While", "With", "AsyncWith", "Try", "TryStar", "Match")
    if hasattr(ast, name)
)
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _docstring(node: ast.AST) -> ast.Expr | None:
    """The docstring statement of a function, class or module body, if it has one."""
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return body[0]
    return None


def _target_names(target: ast.expr) -> list[str] | None:
    """The names an assignment target binds, or None if it assigns to an attribute or an item."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        names: list[str] = []
        for element in target.elts:
            inner = _target_names(element)
            if inner is None:
                return None
            names.extend(inner)
        return names
    return None


def _placeholder(names: list[str], chained: bool = False) -> str:
    """``x = None``, ``a = b = None`` (chained) or ``a, b = None, None``, with the note."""
    if len(names) == 1 or chained:
        return " = ".join(names) + f" = None  {TODO}"
    return ", ".join(names) + " = " + ", ".join("None" for _ in names) + f"  {TODO}"


class _Stubber:
    """Builds the stub of one solution cell's source (see the module's docstring)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        self.bound: set[str] = set()
        self.raises = False

    # Source text -------------------------------------------------------------------------------------

    def _char_col(self, lineno: int, byte_col: int) -> int:
        """The character column of ``ast``'s byte offset ``byte_col`` on line ``lineno``."""
        return len(self.lines[lineno - 1].encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def _text(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """The source between two (line, character column) positions."""
        (l1, c1), (l2, c2) = start, end
        if l1 == l2:
            return self.lines[l1 - 1][c1:c2]
        parts = [self.lines[l1 - 1][c1:]] + self.lines[l1:l2 - 1] + [self.lines[l2 - 1][:c2]]
        return "".join(parts)

    def _segment(self, node: ast.AST) -> str:
        """The source of ``node``, continuation lines as they are written."""
        start = (node.lineno, self._char_col(node.lineno, node.col_offset))
        end = (node.end_lineno, self._char_col(node.end_lineno, node.end_col_offset))
        return self._text(start, end)

    def _header(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
        """``def name(...) -> ...:`` or ``class Name(...):`` as written, up to its colon and no further."""
        start = (node.lineno, self._char_col(node.lineno, node.col_offset))
        after = start
        returns = getattr(node, "returns", None)
        if returns is not None:
            after = (returns.end_lineno, self._char_col(returns.end_lineno, returns.end_col_offset))
        depth = 0
        for token in self.tokens:
            if token.start < after:
                continue
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth -= 1
                elif token.string == ":" and depth == 0:
                    return self._text(start, token.end)
        raise ValueError(f"no colon after the header of {node.name!r} on line {node.lineno}")  # pragma: no cover

    # Stubs -------------------------------------------------------------------------------------------

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, indent: str, qualname: str) -> list[str]:
        """Decorators, signature and docstring of ``node``, with a body that raises NotWrittenYet."""
        self.raises = True
        out = [indent + "@" + self._segment(d) for d in node.decorator_list]
        out.append(indent + self._header(node))
        inner = indent + "    "
        doc = _docstring(node)
        if doc is not None:
            out.append(inner + self._segment(doc))
        out.append(inner + TODO)
        out.append(f'{inner}raise {NotWrittenYet.__name__}("{qualname}")')
        return out

    def lambda_function(self, name: str, value: ast.Lambda, indent: str) -> list[str]:
        """``def name(<the lambda's parameters>):`` with a body that raises NotWrittenYet."""
        self.raises = True
        params = self._text(
            (value.lineno, self._char_col(value.lineno, value.col_offset) + len("lambda")),
            (value.body.lineno, self._char_col(value.body.lineno, value.body.col_offset)),
        ).strip()
        params = params[:-1].strip() if params.endswith(":") else params
        return [f"{indent}def {name}({params}):", f"{indent}    {TODO}", f'{indent}    raise {NotWrittenYet.__name__}("{name}")']

    def klass(self, node: ast.ClassDef, indent: str, qualname: str) -> list[str]:
        """Decorators, header and docstring of a class; its methods and nested classes stubbed."""
        out = [indent + "@" + self._segment(d) for d in node.decorator_list]
        out.append(indent + self._header(node))
        inner = indent + "    "
        doc = _docstring(node)
        body: list[str] = []
        if doc is not None:
            body.append(inner + self._segment(doc))
        members: list[list[str]] = []
        loose: list[str] = []
        dropped = False
        seen: set[str] = set()
        for child in node.body:
            if child is doc:
                continue
            if isinstance(child, _FUNCTIONS) and child.name not in seen:
                seen.add(child.name)
                members.append(self.function(child, inner, f"{qualname}.{child.name}"))
            elif isinstance(child, ast.ClassDef) and child.name not in seen:
                seen.add(child.name)
                members.append(self.klass(child, inner, f"{qualname}.{child.name}"))
            else:
                lines, was_dropped = self.assignment(child, inner, seen)
                loose.extend(lines)
                dropped = dropped or was_dropped
        if dropped:
            loose.insert(0, inner + TODO)
        if loose:
            body.extend(loose)
        for member in members:
            if body:
                body.append("")
            body.extend(member)
        if not body:
            body = [inner + TODO, inner + "pass"]
        return out + body

    def assignment(self, node: ast.stmt, indent: str, seen: set[str]) -> tuple[list[str], bool]:
        """Placeholder lines for a simple statement, and whether some of it was removed."""
        if isinstance(node, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Lambda):
                name = node.targets[0].id
                if name in seen:
                    return [], False
                seen.add(name)
                return self.lambda_function(name, node.value, indent), False
            kept = [names for names in map(_target_names, node.targets) if names is not None]
            names = [n for group in kept for n in group if n not in seen]
            names = list(dict.fromkeys(names))
            seen.update(names)
            chained = all(len(group) == 1 for group in kept) and len(kept) > 1
            lines = [indent + _placeholder(names, chained=chained)] if names else []
            return lines, len(kept) < len(node.targets)
        if isinstance(node, ast.AnnAssign):
            if not isinstance(node.target, ast.Name):
                return [], True
            name = node.target.id
            annotation = self._segment(node.annotation)
            if node.value is None:
                return [f"{indent}{name}: {annotation}"], False
            if name in seen:
                return [], False
            seen.add(name)
            return [f"{indent}{name}: {annotation} = None  {TODO}"], False
        if isinstance(node, ast.AugAssign):
            if not isinstance(node.target, ast.Name):
                return [], True
            if node.target.id in seen:
                return [], False
            seen.add(node.target.id)
            return [indent + _placeholder([node.target.id])], False
        if hasattr(ast, "TypeAlias") and isinstance(node, ast.TypeAlias):  # Python 3.12: type X = ...
            name = node.name.id
            if name in seen:
                return [], False
            seen.add(name)
            return [indent + _placeholder([name])], False
        if isinstance(node, ast.Pass):
            return [], False
        walrus = [n for n in _walrus_names(node) if n not in seen]
        seen.update(walrus)
        return [indent + _placeholder([n]) for n in dict.fromkeys(walrus)], True

    def block(self, node: ast.stmt) -> list[tuple[str, list[str]]]:
        """What a block leaves at the top level: stubs of what it defines, placeholders for what it assigns."""
        items: list[tuple[str, list[str]]] = [("line", [TODO])]
        header_walrus = [n for n in _walrus_names(node, header_only=True) if n not in self.bound]
        self.bound.update(header_walrus)
        items += [("line", [_placeholder([n])]) for n in dict.fromkeys(header_walrus)]
        for child in _block_statements(node):
            if isinstance(child, _FUNCTIONS) and child.name not in self.bound:
                self.bound.add(child.name)
                items.append(("def", self.function(child, "", child.name)))
            elif isinstance(child, ast.ClassDef) and child.name not in self.bound:
                self.bound.add(child.name)
                items.append(("def", self.klass(child, "", child.name)))
            elif isinstance(child, (ast.Import, ast.ImportFrom, ast.ClassDef, *_FUNCTIONS)):
                continue
            else:
                lines, _ = self.assignment(child, "", self.bound)
                kind = "def" if lines and lines[0].startswith("def ") else "line"
                items += [(kind, lines)] if kind == "def" else [("line", [line]) for line in lines]
        return items

    def stub(self, tree: ast.Module) -> str:
        """The stub of the whole cell."""
        items: list[tuple[str, list[str]]] = []   # (kind, lines): kind is "import", "def" or "line"

        def add_line(line: str) -> None:
            if line == TODO and items and items[-1][1] == [TODO]:
                return
            items.append(("line", [line]))

        doc = _docstring(tree)
        for node in tree.body:
            if node is doc:
                items.append(("line", [self._segment(node)]))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                items.append(("import", [self._segment(node)]))
            elif isinstance(node, _FUNCTIONS):
                if node.name not in self.bound:
                    self.bound.add(node.name)
                    items.append(("def", self.function(node, "", node.name)))
            elif isinstance(node, ast.ClassDef):
                if node.name not in self.bound:
                    self.bound.add(node.name)
                    items.append(("def", self.klass(node, "", node.name)))
            elif isinstance(node, _BLOCKS):
                for kind, lines in self.block(node):
                    if kind == "line":
                        add_line(lines[0])
                    else:
                        items.append((kind, lines))
            else:
                lines, dropped = self.assignment(node, "", self.bound)
                if dropped:
                    add_line(TODO)
                kind = "def" if lines and lines[0].startswith("def ") else "line"
                if kind == "def":
                    items.append((kind, lines))
                else:
                    for line in lines:
                        add_line(line)
        if self.raises and not any(kind == "import" and lines == [STUB_IMPORT] for kind, lines in items):
            first = 1 if doc is not None else 0
            while first < len(items) and items[first][0] == "import":
                first += 1
            items.insert(first, ("import", [STUB_IMPORT]))
        if not items:
            items.append(("line", [TODO]))
        return _join(items)


def _join(items: list[tuple[str, list[str]]]) -> str:
    """The stub's lines: two blank lines around functions and classes, one after the imports."""
    out: list[str] = []
    previous = None
    for kind, lines in items:
        if previous is not None:
            if kind == "def" or previous == "def":
                out.extend(["", ""])
            elif previous == "import" and kind != "import":
                out.append("")
        out.extend(lines)
        previous = kind
    return "\n".join(out).rstrip() + "\n"


def _walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes below ``node`` that belong to its scope (not inside a nested function, class or lambda)."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, _NEW_SCOPES):
            yield from _walk_scope(child)


def _walrus_names(node: ast.AST, header_only: bool = False) -> list[str]:
    """Names bound by ``:=`` in ``node`` (in a block's header only, if ``header_only``)."""
    if header_only:
        parts = [getattr(node, field) for field in ("test", "iter", "subject") if getattr(node, field, None) is not None]
        parts += [item.context_expr for item in getattr(node, "items", [])]
    else:
        parts = [node]
    names = []
    for part in parts:
        nodes = [part, *_walk_scope(part)]
        names += [n.target.id for n in nodes if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)]
    return names


def _block_statements(node: ast.stmt) -> Iterator[ast.stmt]:
    """The statements inside a block, nested blocks flattened, in the order they are written."""
    bodies = [getattr(node, field, []) for field in ("body", "orelse", "finalbody")]
    bodies[1:1] = [handler.body for handler in getattr(node, "handlers", [])]
    bodies += [case.body for case in getattr(node, "cases", [])]
    for body in bodies:
        for child in body:
            if isinstance(child, _BLOCKS):
                yield from _block_statements(child)
            else:
                yield child


def stub_source(source: str) -> str:
    """Return the student stub for the source of one solution cell (see the module's docstring).

    Raises:
        ValueError: if ``source`` is not valid Python (a solution cell must run).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ValueError(f"a solution cell does not parse as Python (line {err.lineno}): {err.msg}") from err
    return _Stubber(source).stub(tree)


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with every ``solution`` cell stubbed, all outputs and run records cleared, tags kept."""
    copy_nb = strip_run_metadata(copy.deepcopy(nb))
    for cell in copy_nb.cells:
        if cell.cell_type != "code":
            continue
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            cell.source = stub_source(cell.source)
        cell.outputs = []
        cell.execution_count = None
    return copy_nb


def _refuse_overlap(source_dir: Path, target_dir: Path) -> None:
    """Refuse a target that would put student copies over or among the instructor's notebooks.

    Raises:
        ValueError: if the two folders are the same, or one is inside the other (symlinks resolved).
    """
    source, target = Path(source_dir).resolve(), Path(target_dir).resolve()
    if target == source:
        raise ValueError(
            f"the target {target_dir} is the notebooks' own folder ({source}); the student copies would "
            "replace the solutions. Pass another folder, e.g. student/."
        )
    if source in target.parents:
        raise ValueError(
            f"the target {target_dir} is inside the notebooks' folder {source}; the student copies would "
            "mix with the instructor's notebooks. Pass a folder outside it, e.g. student/."
        )
    if target in source.parents:
        raise ValueError(
            f"the notebooks' folder {source} is inside the target {target_dir}; pass a folder that does not "
            "hold the instructor's notebooks, e.g. student/."
        )


def write_student_copies(source_dir: Path, target_dir: Path, overwrite: bool = False) -> list[Path]:
    """Write a student copy of every notebook of ``source_dir`` into ``target_dir``.

    Raises:
        ValueError: if ``target_dir`` is ``source_dir``, one is inside the other, or a copy would be written
            through a link onto a notebook of ``source_dir`` (the instructor's notebooks are never replaced).
        FileNotFoundError: if ``source_dir`` holds no notebook.
        FileExistsError: if a copy exists already and ``overwrite`` is false (a student's work is
            never overwritten silently).
    """
    _refuse_overlap(source_dir, target_dir)
    notebooks = sorted(Path(source_dir).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {source_dir}; pass the course's notebooks/ folder.")
    target_dir = Path(target_dir)
    originals = {p.resolve() for p in notebooks}
    linked = [target_dir / p.name for p in notebooks if (target_dir / p.name).resolve() in originals]
    if linked:
        raise ValueError(
            f"{linked[0]} is a link to the instructor's notebook {linked[0].resolve()}; writing the student copy "
            "there would replace the solutions. Remove the link first."
        )
    existing = [target_dir / p.name for p in notebooks if (target_dir / p.name).exists()]
    if existing and not overwrite:
        names = ", ".join(p.name for p in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise FileExistsError(
            f"{target_dir} already holds student copies ({names}) that may contain a student's work; "
            "move them away, or replace them with `make student OVERWRITE=1` (--overwrite on the command line)."
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
