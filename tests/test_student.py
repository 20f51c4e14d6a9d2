"""course_tools.student: stubs that keep signatures and never the answer, copies that never replace the notebooks."""

import ast
import asyncio
import inspect
import io
import os
import tokenize
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_tools import student
from course_utils import exercises as ex

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

SOLUTION = '''import numpy as np


def max_pool_1d(x, size):
    """Non-overlapping max pooling of a 1-D array."""
    n = len(x) // size
    return x[: n * size].reshape(n, size).max(axis=1)


output_length = 26
shape: tuple = (13, 13)
for i in range(3):
    print(i)
'''


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell(SOLUTION, metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("ex.check_value(output_length, 26)", metadata={}),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="0\n1\n2\n")]
    nb.cells[1].execution_count = 1
    nb.cells[2].execution_count = 2
    return nb


# What a stub may keep, and a check that it keeps nothing else ------------------------------------------

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)


def _tokens(*nodes):
    """The names and literals of ``nodes``: ("name", identifier) and ("const", repr(value)) pairs."""
    found = set()
    for node in nodes:
        for n in ast.walk(node):
            if isinstance(n, ast.Name):
                found.add(("name", n.id))
            elif isinstance(n, ast.Attribute):
                found.add(("name", n.attr))
            elif isinstance(n, ast.arg):
                found.add(("name", n.arg))
            elif isinstance(n, ast.keyword) and n.arg:
                found.add(("name", n.arg))
            elif isinstance(n, (*_FUNCTIONS, ast.ClassDef)):
                found.add(("name", n.name))
            elif isinstance(n, ast.alias):
                found.update(("name", part) for part in n.name.split(".") + ([n.asname] if n.asname else []))
            elif isinstance(n, ast.ImportFrom) and n.module:
                found.update(("name", part) for part in n.module.split("."))
            elif isinstance(n, ast.Constant):
                found.add(("const", repr(n.value)))
    return found


def _docstring_tokens(node):
    doc = ast.get_docstring(node, clean=False)
    return {("const", repr(doc))} if doc is not None else set()


def _name_targets(target):
    """The names of a target made of names only (x, (a, b), *rest); nothing for an attribute or an item."""
    if isinstance(target, ast.Name):
        return {("name", target.id)}
    if isinstance(target, ast.Starred):
        return _name_targets(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        parts = [_name_targets(e) for e in target.elts]
        return set().union(*parts) if all(parts) else set()
    return set()


def _allowed_tokens(tree):
    """What the brief lets survive: signatures, docstrings, imports, assignment targets (and annotations)."""
    allowed = _docstring_tokens(tree)

    def header(node):
        parts = list(node.decorator_list)
        parts += node.bases + node.keywords if isinstance(node, ast.ClassDef) else [node.args, *filter(None, [node.returns])]
        allowed.update(_tokens(*parts), _docstring_tokens(node), {("name", node.name)})

    def scope_walk(node):
        for child in ast.iter_child_nodes(node):
            yield child
            if not isinstance(child, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)):
                yield from scope_walk(child)

    def visit(statements):
        for node in statements:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                allowed.update(_tokens(node))
            elif isinstance(node, _FUNCTIONS):
                header(node)
            elif isinstance(node, ast.ClassDef):
                header(node)
                visit(node.body)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    allowed.update(_name_targets(target))
                if isinstance(node.value, ast.Lambda):
                    allowed.update(_tokens(node.value.args))
            elif isinstance(node, ast.AnnAssign):
                if isinstance(node.target, ast.Name):
                    allowed.update(_name_targets(node.target), _tokens(node.annotation))
            elif isinstance(node, ast.AugAssign):
                allowed.update(_name_targets(node.target))
            elif isinstance(node, _BLOCKS):
                bodies = [getattr(node, f, []) for f in ("body", "orelse", "finalbody")]
                bodies += [h.body for h in getattr(node, "handlers", [])] + [c.body for c in getattr(node, "cases", [])]
                for body in bodies:
                    visit(body)
            for n in [node, *scope_walk(node)]:
                if isinstance(n, ast.NamedExpr):
                    allowed.update(_name_targets(n.target))

    visit(tree.body)
    return allowed


def _stub_own_tokens(stub_tree):
    """What every stub may add: NotWrittenYet, its import, None placeholders and the names it raises with."""
    own = {("name", "NotWrittenYet"), ("name", "course_utils"), ("name", "exercises"), ("const", "None")}
    for n in ast.walk(stub_tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "NotWrittenYet":
            own.update(_tokens(*n.args))
    return own


def _definitions(statements):
    """Functions and classes a cell defines (blocks included), by name, first definition first."""
    found = {}
    for node in statements:
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            found.setdefault(node.name, node)
        elif isinstance(node, _BLOCKS):
            bodies = [getattr(node, f, []) for f in ("body", "orelse", "finalbody")]
            bodies += [h.body for h in getattr(node, "handlers", [])] + [c.body for c in getattr(node, "cases", [])]
            for body in bodies:
                for name, inner in _definitions(body).items():
                    found.setdefault(name, inner)
    return found


def _same_signatures(solution_defs, stub_defs, where):
    for name, node in solution_defs.items():
        assert name in stub_defs, f"{where}: the stub lost {name}"
        kept = stub_defs[name]
        assert type(kept) is type(node), f"{where}: {name} changed kind"
        assert [ast.dump(d) for d in kept.decorator_list] == [ast.dump(d) for d in node.decorator_list], f"{where}: {name}'s decorators"
        assert ast.get_docstring(kept) == ast.get_docstring(node), f"{where}: {name}'s docstring"
        if isinstance(node, ast.ClassDef):
            assert [ast.dump(b) for b in kept.bases + kept.keywords] == [ast.dump(b) for b in node.bases + node.keywords]
            inner = {n.name: n for n in node.body if isinstance(n, (*_FUNCTIONS, ast.ClassDef))}
            _same_signatures(inner, {n.name: n for n in kept.body if isinstance(n, (*_FUNCTIONS, ast.ClassDef))}, f"{where}: {name}")
        else:
            assert ast.dump(kept.args) == ast.dump(node.args), f"{where}: {name}'s parameters"
            returns = [ast.dump(n.returns) if n.returns else None for n in (kept, node)]
            assert returns[0] == returns[1], f"{where}: {name}'s return annotation"
            body = kept.body[1:] if ast.get_docstring(kept) is not None else kept.body
            assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{where}: {name}'s body must only raise"


def _check_stub(solution, where="stub"):
    """The stub compiles, keeps every signature, and no name or literal of the answer's code leaks into it."""
    stub = student.stub_source(solution)
    compile(stub, where, "exec")
    solution_tree, stub_tree = ast.parse(solution), ast.parse(stub)
    answer_only = _tokens(solution_tree) - _allowed_tokens(solution_tree)
    leaked = (_tokens(stub_tree) - _stub_own_tokens(stub_tree)) & answer_only
    assert not leaked, f"{where}: the stub leaks {sorted(leaked)} of the answer:\n{stub}"
    comments = {t.string for t in tokenize.generate_tokens(io.StringIO(stub).readline) if t.type == tokenize.COMMENT}
    assert comments <= {student.TODO}, f"{where}: the stub keeps comments of the answer: {comments}"
    _same_signatures(_definitions(solution_tree.body), _definitions(stub_tree.body), where)
    return stub


def _raises_not_written(fn, qualname):
    """Call ``fn`` with None for every required parameter and expect the stub's NotWrittenYet."""
    params = inspect.signature(fn).parameters.values()
    args = [None for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    kwargs = {p.name: None for p in params if p.default is p.empty and p.kind is p.KEYWORD_ONLY}
    with pytest.raises(ex.NotWrittenYet) as err:
        result = fn(*args, **kwargs)
        if inspect.iscoroutine(result):
            asyncio.run(result)
        elif inspect.isgenerator(result):
            next(result)
    assert err.value.name == qualname and str(err.value) == ex.not_written_message(qualname)


def _stubbed_functions(namespace, solution_tree):
    """(qualified name, function) of every function the solution defines, looked up in ``namespace``."""
    found = []

    def members(cls, node, prefix):
        for child in node.body:
            if isinstance(child, _FUNCTIONS):
                raw = cls.__dict__[child.name]
                raw = raw.fget if isinstance(raw, property) else getattr(raw, "__func__", raw)
                found.append((f"{prefix}.{child.name}", inspect.unwrap(raw)))
            elif isinstance(child, ast.ClassDef):
                members(cls.__dict__[child.name], child, f"{prefix}.{child.name}")

    for name, node in _definitions(solution_tree.body).items():
        if isinstance(node, ast.ClassDef):
            members(namespace[name], node, name)
        else:
            found.append((name, inspect.unwrap(namespace[name])))
    return found


# The forms an answer cell may take: (solution, setup run before it, names the stub sets to None, text it keeps)
FORMS = {
    "one-line def": ("def double(x): return x * FACTOR + 1\n", "FACTOR = 7", [], ["def double(x):"]),
    "one-line def with docstring": ('def half(x): "Half of x."; return x / DIVISOR\n', "DIVISOR = 2", [], ['"Half of x."']),
    "several defs": (
        "def helper(a):\n    return a * HIDDEN\n\n\ndef main(a, b=2):\n    '''Doc.'''\n    return helper(a) + b\n\n\n"
        "def third(*args, **kwargs):\n    return len(args) + len(kwargs)\n",
        "HIDDEN = 3", [], ["def main(a, b=2):", "'''Doc.'''"],
    ),
    "redefined def": ("def f(x):\n    return 111\n\n\ndef f(x):\n    return 222\n", "", [], []),
    "tuple assignment": ("quotient, remainder = divmod(TOTAL, 5)\n", "TOTAL = 17", ["quotient", "remainder"], []),
    "starred assignment": ("first, *rest = sorted(DATA)\n", "DATA = [3, 1, 2]", ["first", "rest"], []),
    "chained assignment": ("low = high = min(DATA)\n", "DATA = [3, 1, 2]", ["low", "high"], ["low = high = None"]),
    "annotated assignment": (
        "shape: tuple[int, int] = (13, 13)\ncount: int\n", "", ["shape"], ["shape: tuple[int, int] = None", "count: int"],
    ),
    "augmented assignment": ("total += 41\n", "total = 1", ["total"], []),
    "lambda": ("score = lambda y_true, y_pred=None: float(sum(y_true) == SECRET)\n", "SECRET = 4", [],
               ["def score(y_true, y_pred=None):"]),
    "attribute and item targets": (
        'config["lr"] = 0.25\nobj.rate = 0.5\nscaled = config["lr"] * 2\n',
        "config = {}\nclass Obj: pass\nobj = Obj()", ["scaled"], [],
    ),
    "class": (
        '''class Pool(Base, metaclass=Meta):
    """A pooling layer."""
    window = 2
    ratio: float = 0.5

    def __init__(self, size, *, stride=None):
        super().__init__()
        self.size = size

    @property
    def area(self): return self.size ** 2

    @staticmethod
    def describe(kind): return f"pool {kind} {SECRET}"

    @classmethod
    def square(cls, side): return cls(side * side)

    class Config:
        """Settings."""
        depth = 3

        def merged(self, other): return {**vars(self), **other}
''',
        "class Meta(type): pass\nclass Base(metaclass=Meta): pass\nSECRET = 9", [], ["class Pool(Base, metaclass=Meta):"],
    ),
    "dataclass": (
        "import dataclasses\nimport math\n\n\n@dataclasses.dataclass\nclass Point:\n    x: float = 0.0\n    y: float = 1.5\n\n"
        "    def norm(self):\n        return math.hypot(self.x, self.y)\n",
        "", [], ["@dataclasses.dataclass", "x: float = None"],
    ),
    "empty class": ("class Marker(Base): pass\n", "class Base: pass", [], ["class Marker(Base):"]),
    "decorated defs": (
        "import functools\n\n\n@functools.lru_cache(maxsize=128)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n\n"
        "@trace\n@tag('loud')\ndef shout(text):\n    return text.upper() + MARK\n",
        "def trace(fn):\n    return fn\ndef tag(label):\n    return trace\nMARK = '!'", [],
        ["@functools.lru_cache(maxsize=128)", "@trace\n@tag('loud')\ndef shout(text):"],
    ),
    "nested functions": (
        "def outer(x):\n    def inner(y):\n        return y * SECRET\n    return inner(x)\n", "SECRET = 5", [], ["def outer(x):"],
    ),
    "async def": (
        "import asyncio\n\n\nasync def fetch(url, retries=3):\n    await asyncio.sleep(0)\n    return url.upper()\n",
        "", [], ["async def fetch(url, retries=3):"],
    ),
    "generator": ("def pairs(xs):\n    for a, b in zip(xs, xs[1:]):\n        yield a, b\n", "", [], []),
    "multi-line signature": (
        'def conv(x: "np.ndarray",\n         kernel=(1, 2),\n         *, mode: str = "valid",\n         **options) -> dict[str, int]:\n'
        "    return {mode: len(x) - len(kernel) + 1}\n",
        "", [], ['kernel=(1, 2),', ') -> dict[str, int]:'],
    ),
    "comments in the body": (
        "def flip(k):\n    # hint: reverse with a negative step\n    return k[::-1]  # the answer\n", "", [], [],
    ),
    "if block": (
        'if FLAG:\n    mode = "fast"\n\n    def pick(a): return a[0]\nelse:\n    mode = "slow"\n', "FLAG = True", ["mode"], [],
    ),
    "for loop": ("total = 0\nfor v in values:\n    total += v * WEIGHT\n", "values = [1, 2]\nWEIGHT = 3", ["total"], []),
    "while loop with :=": ("while (item := items.pop()) > LIMIT:\n    last = item\n", "items = [1, 3]\nLIMIT = 2", ["item", "last"], []),
    "with block": (
        'with np.errstate(divide="ignore"):\n    ratio = np.log(np.zeros(3))\n', "import numpy as np", ["ratio"], [],
    ),
    "try block": (
        "try:\n    value = int(TEXT)\nexcept ValueError as err:\n    value = -1\n    reason = str(err)\nfinally:\n    done = True\n",
        "TEXT = 'x'", ["value", "reason", "done"], [],
    ),
    "match block": (
        'match COMMAND:\n    case "go":\n        speed = 10\n    case _:\n        speed = 0\n', "COMMAND = 'go'", ["speed"], [],
    ),
    "docstring, future import and calls": (
        '"""Plot the answer."""\nfrom __future__ import annotations\n\nimport math\n\n\ndef root(v):\n    return math.sqrt(v)\n\n\n'
        "print(root(SECRET_NUMBER))\n",
        "SECRET_NUMBER = 49", [], ['"""Plot the answer."""\nfrom __future__ import annotations\n', "import math"],
    ),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_stub_of_every_form_keeps_signatures_runs_and_leaks_nothing(form):
    solution, setup, placeholders, kept = FORMS[form]
    stub = _check_stub(solution, form)
    for text in kept:
        assert text in stub, f"{form}: the stub should keep {text!r}:\n{stub}"
    stub_ns: dict = {}
    exec(setup, stub_ns)
    exec(compile(stub, form, "exec"), stub_ns)                      # the stub itself runs without error
    for name in placeholders:
        assert stub_ns[name] is None, f"{form}: {name} should be a None placeholder"
    solution_ns: dict = {}
    exec(setup, solution_ns)
    exec(solution, solution_ns)
    for qualname, fn in _stubbed_functions(stub_ns, ast.parse(solution)):
        original = dict(_stubbed_functions(solution_ns, ast.parse(solution)))[qualname]
        assert inspect.signature(fn) == inspect.signature(original), f"{form}: {qualname}'s signature"
        _raises_not_written(fn, qualname)


def test_a_lambda_becomes_a_function_stub():
    namespace: dict = {}
    exec(student.stub_source(FORMS["lambda"][0]), namespace)
    assert str(inspect.signature(namespace["score"])) == "(y_true, y_pred=None)"
    _raises_not_written(namespace["score"], "score")


def test_stub_of_a_class_keeps_its_bases_doc_and_attributes_as_placeholders():
    solution, setup, _, _ = FORMS["class"]
    namespace: dict = {}
    exec(setup, namespace)
    exec(student.stub_source(solution), namespace)
    pool = namespace["Pool"]
    assert [c.__name__ for c in pool.__mro__] == ["Pool", "Base", "object"] and type(pool).__name__ == "Meta"
    assert pool.__doc__ == "A pooling layer." and pool.window is None and pool.ratio is None
    assert pool.Config.__doc__ == "Settings." and pool.Config.depth is None
    with pytest.raises(ex.NotWrittenYet, match="^Pool.__init__ is not written yet"):
        pool(3)


def test_a_stubbed_dataclass_still_builds():
    namespace: dict = {}
    exec(student.stub_source(FORMS["dataclass"][0]), namespace)
    point = namespace["Point"]()
    assert (point.x, point.y) == (None, None)
    with pytest.raises(ex.NotWrittenYet, match="^Point.norm is not written yet"):
        point.norm()


def test_stub_keeps_signatures_and_docstrings_but_not_the_answer():
    stub = _check_stub(SOLUTION)
    tree = ast.parse(stub)
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert names == ["max_pool_1d"]
    assert '"""Non-overlapping max pooling of a 1-D array."""' in stub
    assert "reshape" not in stub and "26" not in stub and "(13, 13)" not in stub
    assert 'raise NotWrittenYet("max_pool_1d")' in stub and student.STUB_IMPORT in stub
    assert "output_length = None" in stub and "shape: tuple = None" in stub
    assert "import numpy as np" in stub
    assert "for i in range" not in stub and "print" not in stub


def test_stub_imports_nothing_when_nothing_raises():
    assert student.stub_source("answer = 6 * 7\n") == "answer = None  # your code here\n"
    assert student.stub_source("print(6 * 7)\n") == "# your code here\n"


def test_stubbed_function_fails_the_check_helpfully_and_says_the_same_when_called():
    namespace: dict = {}
    exec(student.stub_source(SOLUTION), namespace)
    with pytest.raises(ex.ExerciseError, match=r"^max_pool_1d\(array.*\) is not written yet: "):
        ex.check_function(namespace["max_pool_1d"], lambda x, s: x, cases=[(np.arange(4.0), 2)])
    with pytest.raises(NotImplementedError, match="^max_pool_1d is not written yet: "):
        namespace["max_pool_1d"](np.arange(4.0), 2)
    with pytest.raises(ex.ExerciseError, match="not written yet"):
        ex.check_value(namespace["output_length"], 26)


def test_stub_rejects_invalid_python():
    with pytest.raises(ValueError, match="does not parse"):
        student.stub_source("def f(:\n")


def _solution_cells():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and student.SOLUTION_TAG in cell.metadata.get("tags", []):
                yield pytest.param(cell.source, id=f"{path.stem}-cell{index}")


@pytest.mark.parametrize("solution", list(_solution_cells()))
def test_every_solution_of_the_course_stubs_without_leaking(solution):
    stub = _check_stub(solution)
    assert "raise NotWrittenYet(" in stub


def test_the_course_has_solutions():
    assert len(list(_solution_cells())) >= 10


# Student notebooks -----------------------------------------------------------------------------------

def test_student_notebook_stubs_solutions_and_clears_outputs_and_run_records():
    nb = _notebook()
    nb.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-11-25T13:46:26.216009Z"}
    nb.cells[2].metadata.update({"execution": {"shell.execute_reply": "2026-11-25T13:46:26.2Z"}, "tags": ["keep-me"],
                                 "ExecuteTime": {"end_time": "2026-11-25"}})
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    copy = student.student_notebook(nb)
    assert copy.cells[1].source == student.stub_source(SOLUTION)
    assert copy.cells[2].source == nb.cells[2].source
    assert all(c.outputs == [] and c.execution_count is None for c in copy.cells if c.cell_type == "code")
    assert [c.metadata for c in copy.cells] == [{}, {"tags": ["solution"]}, {"tags": ["keep-me"]}]
    assert "widgets" not in copy.metadata
    assert nb.cells[1].source == SOLUTION and "execution" in nb.cells[1].metadata  # the original is untouched


def test_write_student_copies_never_overwrites_silently(tmp_path):
    src, dst = tmp_path / "notebooks", tmp_path / "student"
    src.mkdir()
    nbformat.write(_notebook(), src / "01_demo.ipynb")
    written = student.write_student_copies(src, dst)
    assert [p.name for p in written] == ["01_demo.ipynb"]
    (dst / "01_demo.ipynb").write_text("a student's work")
    with pytest.raises(FileExistsError, match="--overwrite"):
        student.write_student_copies(src, dst)
    assert (dst / "01_demo.ipynb").read_text() == "a student's work"
    student.write_student_copies(src, dst, overwrite=True)
    assert "NotWrittenYet" in (dst / "01_demo.ipynb").read_text()


def test_write_student_copies_needs_notebooks(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        student.write_student_copies(tmp_path / "in", tmp_path / "out")


@pytest.fixture
def course(tmp_path):
    """A notebooks/ folder with one notebook, its bytes, and a working directory beside it."""
    src = tmp_path / "course" / "notebooks"
    src.mkdir(parents=True)
    nbformat.write(_notebook(), src / "01_demo.ipynb")
    return src, (src / "01_demo.ipynb").read_bytes()


@pytest.mark.parametrize("target, message", [
    (lambda src: src, "is the notebooks' own folder"),
    (lambda src: src / ".." / "notebooks", "is the notebooks' own folder"),
    (lambda src: src / "student", "is inside the notebooks' folder"),
    (lambda src: src / "sub" / ".." / "student", "is inside the notebooks' folder"),
    (lambda src: src.parent, "is inside the target"),
    (lambda src: src.parent.parent, "is inside the target"),
])
def test_write_student_copies_refuses_to_overlap_the_notebooks(course, target, message):
    src, before = course
    with pytest.raises(ValueError, match=message):
        student.write_student_copies(src, target(src), overwrite=True)
    assert (src / "01_demo.ipynb").read_bytes() == before
    assert sorted(p.name for p in src.iterdir()) == ["01_demo.ipynb"]


def test_write_student_copies_sees_through_symlinks_and_relative_paths(course, monkeypatch):
    src, before = course
    alias = src.parent / "alias"
    alias.symlink_to(src, target_is_directory=True)
    monkeypatch.chdir(src.parent)
    for target in (alias, Path("alias"), Path("notebooks"), Path("./alias/student"), Path("alias/..")):
        with pytest.raises(ValueError, match="notebooks' own folder|inside the notebooks' folder|is inside the target"):
            student.write_student_copies(Path("notebooks"), target, overwrite=True)
    with pytest.raises(ValueError, match="own folder"):
        student.write_student_copies(alias, Path("notebooks"), overwrite=True)
    assert (src / "01_demo.ipynb").read_bytes() == before


def test_write_student_copies_refuses_a_copy_linked_to_the_notebook(course):
    src, before = course
    dst = src.parent / "student"
    dst.mkdir()
    (dst / "01_demo.ipynb").symlink_to(src / "01_demo.ipynb")
    with pytest.raises(ValueError, match="is a link to the instructor's notebook"):
        student.write_student_copies(src, dst, overwrite=True)
    assert (src / "01_demo.ipynb").read_bytes() == before


def test_command_line(tmp_path, capsys):
    src = tmp_path / "nb"
    src.mkdir()
    nbformat.write(_notebook(), src / "02_x.ipynb")
    assert student.main([str(src), str(tmp_path / "s")]) == 0
    assert student.main([str(src), str(tmp_path / "s")]) == 1
    assert "already holds student copies" in capsys.readouterr().err
    assert student.main([str(src), str(src)]) == 1
    assert "own folder" in capsys.readouterr().err


def test_course_notebooks_produce_valid_student_copies(tmp_path):
    """Every code cell of every student copy is valid Python, without outputs or run records."""
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert notebooks, "the course has notebooks"
    written = student.write_student_copies(NOTEBOOKS, tmp_path / "student")
    assert len(written) == len(notebooks)
    for path in written:
        for cell in nbformat.read(path, as_version=4).cells:
            assert "execution" not in cell.metadata
            if cell.cell_type == "code":
                ast.parse(cell.source.replace("%matplotlib", "#"))
                assert cell.outputs == [] and cell.execution_count is None


# Executing the student copies (minutes: selected with -m slow_notebooks) ----------------------------------

@pytest.mark.slow_notebooks
@pytest.mark.parametrize("name", [p.name for p in sorted(NOTEBOOKS.glob("*.ipynb"))])
def test_student_copy_stops_only_at_unfinished_exercises(name, tmp_path, monkeypatch):
    """Run top to bottom, a student copy fails only where an answer is not written yet, and says so.

    Every error must carry the not-written-yet message (a check's ExerciseError, or a stub's NotWrittenYet
    in a cell that uses it); the stubs themselves run; every exercise is reported before the next one.
    A training identical in every input to one that nbval ran earlier in the session (tests/conftest.py) is
    replayed from its record instead of repeated; any other trains.
    """
    from nbclient import NotebookClient

    from course_utils.training import FIT_RECORD

    monkeypatch.setenv("COURSE_PROFILE", "ci")
    mode, _, folder = os.environ.get(FIT_RECORD, "").partition(":")
    if mode == "record":
        monkeypatch.setenv(FIT_RECORD, f"replay:{folder}")
    source = tmp_path / "notebooks"
    source.mkdir()
    os.symlink(NOTEBOOKS / name, source / name)
    copy_path = student.write_student_copies(source, tmp_path / "student")[0]
    nb = nbformat.read(copy_path, as_version=4)
    NotebookClient(nb, timeout=1200, kernel_name="python3", allow_errors=True, record_timing=False,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()

    problems, friendly = [], []
    solutions = [i for i, c in enumerate(nb.cells) if student.SOLUTION_TAG in c.metadata.get("tags", [])]
    for index, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type != "error" or "raises-exception" in tags:
                continue
            first_line = cell.source.splitlines()[0] if cell.source else ""
            said = f"cell {index} ({first_line[:60]!r}) raises {output.ename}: {output.evalue[:300]}"
            if index in solutions:
                problems.append(f"a stub does not run: {said}")
            elif output.ename in ("ExerciseError", "NotWrittenYet") and ex.NOT_WRITTEN in output.evalue:
                friendly.append(index)
            else:
                problems.append(said)
    for k, index in enumerate(solutions):
        until = solutions[k + 1] if k + 1 < len(solutions) else len(nb.cells)
        if not any(index < j < until for j in friendly):
            problems.append(f"no cell between the stub in cell {index} and cell {until} says it is not written yet")
    assert solutions, f"{name} has no exercise"
    assert not problems, f"{name}, student copy:\n  " + "\n  ".join(problems)
