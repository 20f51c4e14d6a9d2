import pickle

import numpy as np
import pytest

from course_utils import exercises as ex


def test_check_array_accepts_a_right_answer(capsys):
    ex.check_array([1.0, 2.0], np.array([1.0, 2.0]), name="x")
    assert "✓ x: correct" in capsys.readouterr().out


@pytest.mark.parametrize("stub", [None, Ellipsis])
def test_check_array_on_a_placeholder_says_not_written_yet(stub):
    with pytest.raises(ex.ExerciseError, match="not written yet"):
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
    with pytest.raises(ex.ExerciseError, match="not written yet"):
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


def test_a_stub_says_not_written_yet_in_the_same_words_inside_and_outside_a_check():
    def max_pool_1d(x, size):
        raise ex.NotWrittenYet("max_pool_1d")

    with pytest.raises(NotImplementedError) as outside:          # a student runs the stub directly
        max_pool_1d(np.zeros(4), 2)
    assert str(outside.value) == ex.not_written_message("max_pool_1d")
    assert str(outside.value).startswith("max_pool_1d is not written yet: ")
    with pytest.raises(ex.ExerciseError) as inside:
        ex.check_function(max_pool_1d, reference=lambda x, size: x, cases=[(np.zeros(4), 2)])
    assert str(inside.value) == ex.not_written_message("max_pool_1d(array(shape=(4,), dtype=float64), 2)")
    assert str(inside.value).endswith(ex.NOT_WRITTEN_HINT) and str(outside.value).endswith(ex.NOT_WRITTEN_HINT)
    assert inside.value.__cause__ is None and inside.value.__suppress_context__


def test_a_check_names_the_unwritten_helper_and_lets_an_unwritten_reference_speak_for_itself():
    def shift_right(x, s):
        raise ex.NotWrittenYet("shift_right")

    def shift_then_convolve(x, s):
        return shift_right(x, s) * 2

    with pytest.raises(ex.ExerciseError, match=r"^shift_then_convolve\(.*\) calls shift_right, which is not written yet: "):
        ex.check_function(shift_then_convolve, reference=lambda x, s: x, cases=[(np.zeros(3), 1)])
    with pytest.raises(ex.NotWrittenYet, match="^shift_right is not written yet"):
        ex.check_function(lambda x, s: x, reference=shift_right, cases=[(np.zeros(3), 1)])


def test_not_written_yet_survives_pickling():
    err = pickle.loads(pickle.dumps(ex.NotWrittenYet("conv2d_valid")))
    assert isinstance(err, NotImplementedError) and str(err) == ex.not_written_message("conv2d_valid")


def test_check_function_is_not_fooled_by_an_answer_that_zeroes_its_input():
    def zero_then_return(x):
        x[:] = 0.0
        return x

    x = np.array([1.0, -2.0, 3.0])
    with pytest.raises(ex.ExerciseError, match=r"(?s)elements differ.*Note: zero_then_return changed its argument 1"):
        ex.check_function(zero_then_return, reference=np.abs, cases=[(x,)])
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])          # the caller's case is untouched


def test_check_function_gives_every_call_its_own_copy_of_each_case():
    x = np.arange(4.0)
    seen = {"fn": [], "reference": []}

    def fn(values, scale=None):
        seen["fn"].append((values, scale))
        values *= 10                                            # changes its copy, returns the right answer
        return values / 10 + scale["k"]

    def reference(values, scale=None):
        seen["reference"].append((values, scale))
        return values + scale["k"]

    scale = {"k": 1.0}
    ex.check_function(fn, reference, cases=[((x,), {"scale": scale}), ((x,), {"scale": scale})])
    arrays = [v for who in seen.values() for v, _ in who]
    assert len(arrays) == 4 and all(a is not x for a in arrays)
    assert len({id(a) for a in arrays}) == 4 and all(k is not scale for who in seen.values() for _, k in who)
    for values, _ in seen["reference"]:
        np.testing.assert_array_equal(values, np.arange(4.0))   # the reference saw pristine values each time
    np.testing.assert_array_equal(x, np.arange(4.0))


def test_check_function_passes_arguments_it_cannot_copy_as_they_are(capsys):
    ex.check_function(lambda g: sum(g), reference=lambda g: 3, cases=[((i for i in (1, 2)),)], name="total")
    assert "✓ total: correct on all 1 cases" in capsys.readouterr().out


def test_a_stubbed_method_is_reported_as_the_call_not_written_yet():
    namespace: dict = {"NotWrittenYet": ex.NotWrittenYet}
    exec("class Pool:\n    def area(self, side):\n        raise NotWrittenYet('Pool.area')\n", namespace)
    with pytest.raises(ex.ExerciseError, match=r"^area\(3\) is not written yet: "):
        ex.check_function(namespace["Pool"]().area, reference=lambda side: side * side, cases=[(3,)])
