import numpy as np
import pytest

from course_utils import exercises as ex


def test_check_array_accepts_a_right_answer(capsys):
    ex.check_array([1.0, 2.0], np.array([1.0, 2.0]), name="x")
    assert "✓ x: correct" in capsys.readouterr().out


@pytest.mark.parametrize("stub", [None, Ellipsis])
def test_check_array_on_a_stub_says_no_answer_yet(stub):
    with pytest.raises(ex.ExerciseError, match="no answer yet"):
        ex.check_array(stub, np.zeros(3), name="feature map")


def test_check_array_reports_the_shapes():
    with pytest.raises(ex.ExerciseError, match=r"expected shape \(2, 2\), got shape \(3, 3\).*axis 0: 3 vs 2"):
        ex.check_array(np.zeros((3, 3)), np.zeros((2, 2)))


def test_check_array_hints_at_a_transpose():
    with pytest.raises(ex.ExerciseError, match="order of axes"):
        ex.check_array(np.zeros((3, 2)), np.zeros((2, 3)))


def test_check_array_reports_the_first_differing_element():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] = 99
    got[1, 1] = 42
    with pytest.raises(ex.ExerciseError, match=r"2 of 6 elements differ; the first at index \(1, 1\): expected 4.0, got 42.0"):
        ex.check_array(got, expected)


def test_check_array_rejects_non_numbers():
    with pytest.raises(ex.ExerciseError, match="expected a numeric array"):
        ex.check_array(["a", "b"], np.zeros(2))


def test_check_value():
    ex.check_value(3, 3)
    ex.check_value((2, 2), (2, 2))
    with pytest.raises(ex.ExerciseError, match=r"size: expected \(2, 2\), got \(4, 4\)"):
        ex.check_value((4, 4), (2, 2), name="size")
    with pytest.raises(ex.ExerciseError, match="expected 25, got 24"):
        ex.check_value(24, 25)
    with pytest.raises(ex.ExerciseError, match="no answer yet"):
        ex.check_value(None, 25)


def test_check_function_on_a_stub_says_not_written_yet():
    def stub(x):
        raise NotImplementedError("write me")

    with pytest.raises(ex.ExerciseError, match=r"stub\(array\(shape=\(4,\), dtype=float64\)\) is not written yet"):
        ex.check_function(stub, reference=lambda x: x, cases=[(np.zeros(4),)])


def test_check_function_names_the_failing_case():
    def wrong(x, size):
        return x[::size]

    def right(x, size):
        return x.reshape(-1, size).max(axis=1)

    x = np.array([1.0, 3.0, 2.0, 5.0])
    with pytest.raises(ex.ExerciseError, match=r"wrong\(array\(shape=\(4,\), dtype=float64\), 2\).*index \(0,\): expected 3.0, got 1.0"):
        ex.check_function(wrong, right, cases=[(x, 2)])


def test_check_function_reports_exceptions_and_kwargs(capsys):
    def broken(x, size=2):
        return x[size * 10]

    with pytest.raises(ex.ExerciseError, match=r"broken\(array.*size=3\) raised IndexError"):
        ex.check_function(broken, lambda x, size=2: x, cases=[((np.zeros(4),), {"size": 3})])
    ex.check_function(lambda x, size=2: x * size, lambda x, size=2: 2 * x if size == 2 else 3 * x,
                      cases=[(np.ones(2),), ((np.ones(2),), {"size": 3})], name="scale")
    assert "✓ scale: correct on all 2 cases" in capsys.readouterr().out


def test_check_true():
    ex.check_true(True, "fine")
    with pytest.raises(ex.ExerciseError, match="padding: the output must keep 28 rows"):
        ex.check_true(False, "the output must keep 28 rows", name="padding")
