import numpy as np
import pytest

from course_utils import plotting


def test_confusion_matrix_counts_against_sklearn():
    from sklearn.metrics import confusion_matrix as sk_confusion

    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    np.testing.assert_array_equal(plotting.confusion_matrix(y_true, y_pred, 4), sk_confusion(y_true, y_pred, labels=range(4)))


def test_figures_are_drawn():
    fig = plotting.show_images(np.zeros((5, 4, 4)), titles=list("abcde"), ncols=3)
    assert len(fig.axes) == 6
    assert len(plotting.plot_history({"loss": [1, 0.5], "val_loss": [1.1, 0.7]}).axes) == 1
    assert len(plotting.plot_confusion_matrix(np.eye(3, dtype=int), ["a", "b", "c"]).axes) == 1
    assert len(plotting.plot_signals(np.arange(3), {"x": np.ones(3)}).axes[0].lines) == 1


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="at least one image"):
        plotting.show_images([])
    with pytest.raises(ValueError, match="3 images but 2 titles"):
        plotting.show_images(np.zeros((3, 2, 2)), titles=["a", "b"])
    with pytest.raises(ValueError, match="none of"):
        plotting.plot_history({"auc": [1.0]})
    with pytest.raises(ValueError, match="y_true has 3 labels, y_pred 2"):
        plotting.confusion_matrix([0, 1, 1], [0, 1], 2)
    with pytest.raises(ValueError, match="matrix of shape"):
        plotting.plot_confusion_matrix(np.eye(2), ["a", "b", "c"])
    with pytest.raises(ValueError, match="signal 'x' has shape"):
        plotting.plot_signals(np.arange(3), {"x": np.ones(4)})
