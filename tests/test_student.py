import ast

import nbformat
import numpy as np
import pytest

from course_utils import exercises as ex
from course_tools import student

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


def test_stub_keeps_signatures_and_docstrings_but_not_the_answer():
    stub = student.stub_source(SOLUTION)
    tree = ast.parse(stub)  # the stub is valid Python
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert names == ["max_pool_1d"]
    assert '"""Non-overlapping max pooling of a 1-D array."""' in stub
    assert "reshape" not in stub and "26" not in stub and "(13, 13)" not in stub
    assert "raise NotImplementedError" in stub
    assert "output_length = None" in stub and "shape = None" in stub
    assert "import numpy as np" in stub
    assert "for i in range" not in stub


def test_stubbed_function_fails_the_check_helpfully():
    namespace: dict = {}
    exec(student.stub_source(SOLUTION), namespace)
    with pytest.raises(ex.ExerciseError, match="not written yet"):
        ex.check_function(namespace["max_pool_1d"], lambda x, s: x, cases=[(np.arange(4.0), 2)])
    with pytest.raises(ex.ExerciseError, match="not written yet"):
        ex.check_value(namespace["output_length"], 26)


def test_stub_of_a_function_without_docstring():
    stub = student.stub_source("def f(a, b=2):\n    return a + b\n")
    namespace: dict = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


def test_stub_rejects_invalid_python():
    with pytest.raises(ValueError, match="does not parse"):
        student.stub_source("def f(:\n")


def test_student_notebook_stubs_solutions_and_clears_outputs():
    nb = _notebook()
    copy = student.student_notebook(nb)
    assert copy.cells[1].source == student.stub_source(SOLUTION)
    assert copy.cells[2].source == nb.cells[2].source
    assert all(c.outputs == [] and c.execution_count is None for c in copy.cells if c.cell_type == "code")
    assert nb.cells[1].source == SOLUTION  # the original is untouched


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
    assert "NotImplementedError" in (dst / "01_demo.ipynb").read_text()


def test_write_student_copies_needs_notebooks(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        student.write_student_copies(tmp_path, tmp_path / "out")


def test_command_line(tmp_path, capsys):
    src = tmp_path / "nb"
    src.mkdir()
    nbformat.write(_notebook(), src / "02_x.ipynb")
    assert student.main([str(src), str(tmp_path / "s")]) == 0
    assert student.main([str(src), str(tmp_path / "s")]) == 1
    assert "already holds student copies" in capsys.readouterr().err


def test_course_notebooks_produce_valid_student_copies(tmp_path):
    """Every solution cell of the real notebooks stubs into valid Python."""
    from pathlib import Path

    notebooks = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
    assert notebooks, "the course has notebooks"
    written = student.write_student_copies(notebooks[0].parent, tmp_path)
    assert len(written) == len(notebooks)
    for path in written:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                ast.parse(cell.source.replace("%matplotlib", "#"))
                assert cell.outputs == []
