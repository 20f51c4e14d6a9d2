"""course_tools.execute: what it stores, what it refuses, and runs written elsewhere (tiny notebooks, real kernels)."""

from __future__ import annotations

import nbformat
import pytest

from course_tools import execute as ex


def _notebook(path, *sources, tags=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    if tags:
        for index, cell_tags in tags.items():
            nb.cells[index].metadata["tags"] = cell_tags
    nbformat.write(nb, path)
    return path


def _texts(path):
    nb = nbformat.read(path, as_version=4)
    return [o.get("text", o.get("evalue", "")) for c in nb.cells for o in c.get("outputs", [])]


def test_problems_finds_stderr_and_untagged_errors_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x"), nbformat.v4.new_code_cell("y"), nbformat.v4.new_code_cell("z"),
                nbformat.v4.new_code_cell("w")]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="fine\n")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stderr", text="warning!\n")]
    nb.cells[2].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[])]
    nb.cells[3].outputs = [nbformat.v4.new_output("error", ename="KeyError", evalue="k", traceback=[])]
    nb.cells[3].metadata["tags"] = ["raises-exception"]
    found = ex.problems(nb)
    assert len(found) == 2
    assert found[0].startswith("cell 1: writes to stderr") and found[1].startswith("cell 2: raises ValueError: bad")


def test_execute_in_place_stores_outputs(tmp_path):
    path = _notebook(tmp_path / "good.ipynb", "print(6 * 7)")
    seconds = ex.execute(path, timeout=120)
    assert seconds > 0 and _texts(path) == ["42\n"]


def test_execute_in_place_refuses_a_notebook_with_problems_and_leaves_it_as_it_was(tmp_path):
    path = _notebook(tmp_path / "bad.ipynb", "import sys; print('oops', file=sys.stderr)", "1 / 0")
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="(?s)not stored.*cell 0: writes to stderr.*cell 1: raises ZeroDivisionError"):
        ex.execute(path, timeout=120)
    assert path.read_bytes() == before


def test_execute_with_output_keeps_the_notebook_and_writes_every_output(tmp_path):
    path = _notebook(tmp_path / "bad.ipynb", "print('before')", "1 / 0", "print('after')")
    before = path.read_bytes()
    output = tmp_path / "build" / "full" / "bad.ipynb"
    with pytest.raises(RuntimeError, match=f"(?s)ran with problems.*{output.name}"):
        ex.execute(path, timeout=120, output=output)
    assert path.read_bytes() == before
    texts = _texts(output)
    assert texts[0] == "before\n" and "division by zero" in texts[1] and texts[2] == "after\n"


def test_execute_refuses_an_output_that_is_the_notebook_itself(tmp_path):
    path = _notebook(tmp_path / "nb.ipynb", "print(1)")
    with pytest.raises(ValueError, match="is the notebook itself"):
        ex.execute(path, output=tmp_path / "." / "nb.ipynb")
    assert _texts(path) == []


def test_main_writes_copies_into_output_dir(tmp_path, capsys):
    path = _notebook(tmp_path / "nb.ipynb", "print('hi')")
    assert ex.main(["--output-dir", str(tmp_path / "out"), "--timeout", "0", str(path)]) == 0
    assert _texts(tmp_path / "out" / "nb.ipynb") == ["hi\n"] and _texts(path) == []
    assert "→" in capsys.readouterr().out
    assert ex.main(["--output-dir", str(tmp_path), str(path)]) == 1          # the notebook's own folder
    assert "is the notebook itself" in capsys.readouterr().err


def test_main_rejects_a_negative_timeout(tmp_path):
    with pytest.raises(SystemExit):
        ex.main(["--timeout", "-1", str(tmp_path / "nb.ipynb")])


def test_re_executing_an_unchanged_notebook_leaves_its_file_byte_identical(tmp_path):
    path = _notebook(tmp_path / "twice.ipynb", "x = 6 * 7", "print(x)")
    ex.execute(path, timeout=120)
    first = path.read_bytes()
    ex.execute(path, timeout=120)
    assert path.read_bytes() == first
    nb = nbformat.read(path, as_version=4)
    assert _texts(path) == ["42\n"] and [c.execution_count for c in nb.cells] == [1, 2]
    assert all(c.metadata == {} for c in nb.cells)                 # no cell timings
    assert nb.metadata["language_info"]["name"] == "python"        # filled in where the notebook had none


def test_execute_strips_run_records_and_keeps_the_notebooks_metadata(tmp_path):
    path = _notebook(tmp_path / "stored.ipynb", "print(1)", "print(2)", tags={1: ["keep-me"]})
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-11-25T13:46:26.216009Z"}
    nb.cells[1].metadata["ExecuteTime"] = {"end_time": "2026-11-25T13:46:27Z"}
    nb.metadata.update({
        "kernelspec": {"display_name": "Course", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.0.0"},
        "course": {"order": 3},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}},
    })
    nbformat.write(nb, path)
    expected = {k: v for k, v in nb.metadata.items() if k != "widgets"}
    for output in (None, tmp_path / "out" / "stored.ipynb"):
        ex.execute(path, timeout=120, output=output)
        ran = nbformat.read(output or path, as_version=4)
        assert [c.metadata for c in ran.cells] == [{}, {"tags": ["keep-me"]}]
        assert ran.metadata == expected
        assert _texts(output or path) == ["1\n", "2\n"]


def test_strip_run_metadata_works_in_place_and_returns_the_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", metadata={"execution": {}, "tags": ["t"], "ExecuteTime": {}})]
    nb.metadata["widgets"] = {}
    assert ex.strip_run_metadata(nb) is nb
    assert nb.cells[0].metadata == {"tags": ["t"]} and "widgets" not in nb.metadata
