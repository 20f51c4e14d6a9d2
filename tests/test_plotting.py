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
    ax = plotting.plot_history({"loss": [1, 0.5, 0.4]}, ylabels={"loss": "cross-entropy (nats)"}).axes[0]
    assert ax.get_ylabel() == "cross-entropy (nats)"
    assert all(float(t).is_integer() for t in ax.get_xticks())          # whole epochs only
    assert len(plotting.plot_confusion_matrix(np.eye(3, dtype=int), ["a", "b", "c"]).axes) == 1
    assert len(plotting.plot_signals(np.arange(3), {"x": np.ones(3)}).axes[0].lines) == 1
    labelled = plotting.plot_signals(np.arange(3), {"x": np.ones(3)}, xlabel="year", ylabel="count").axes[0]
    assert (labelled.get_xlabel(), labelled.get_ylabel()) == ("year", "count")


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


def test_confusion_matrix_refuses_probabilities_and_names_the_fix():
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(3), size=12)            # (12, 3): one row of probabilities per sample
    with pytest.raises(ValueError, match=r"y_pred must be one integer class label per sample.*y_pred\.argmax\(axis=1\)"):
        plotting.confusion_matrix(rng.integers(0, 3, 12), probs, 3)
    with pytest.raises(ValueError, match=r"y_pred holds values that are not whole numbers.*\(p >= 0\.5\)"):
        plotting.confusion_matrix([0, 1, 1], [0.2, 0.7, 0.9], 2)   # sigmoid outputs of a binary model


def test_confusion_matrix_labels_out_of_range_raise():
    with pytest.raises(ValueError, match=r"y_pred holds labels outside 0\.\.2.*for example 3.*num_classes=3"):
        plotting.confusion_matrix([0, 1, 2], [0, 1, 3], 3)
    with pytest.raises(ValueError, match=r"y_true holds labels outside 0\.\.2.*for example -1"):
        plotting.confusion_matrix([0, -1, 2], [0, 1, 2], 3)      # -1 must not count as the last class


def test_confusion_matrix_accepts_columns_whole_floats_and_bools_against_sklearn():
    from sklearn.metrics import confusion_matrix as sk_confusion

    y_true, y_pred = np.array([0, 1, 1, 0, 1]), np.array([1, 1, 0, 0, 1])
    expected = sk_confusion(y_true, y_pred, labels=[0, 1])
    np.testing.assert_array_equal(plotting.confusion_matrix(y_true[:, None], y_pred.astype(float), 2), expected)
    np.testing.assert_array_equal(plotting.confusion_matrix(y_true.astype(bool), y_pred, 2), expected)
    # a class that never occurs still gets its row and column
    np.testing.assert_array_equal(plotting.confusion_matrix(y_true, y_pred, 3),
                                  sk_confusion(y_true, y_pred, labels=[0, 1, 2]))


@pytest.mark.parametrize("call, error, match", [
    (lambda: plotting.confusion_matrix([0, 1], [0, 1], 2.0), TypeError, "num_classes must be a positive integer"),
    (lambda: plotting.confusion_matrix(["cat", "dog"], [0, 1], 2), TypeError, "y_true must hold integer class labels"),
    (lambda: plotting.show_images(np.zeros((4, 4))), ValueError, r"one grey image; pass a list of images: \[image\]"),
    (lambda: plotting.show_images([np.zeros(4)]), ValueError, r"image 0 has shape \(4,\)"),
    (lambda: plotting.show_images([np.zeros((3, 5, 6))]), ValueError, r"image 0 has shape \(3, 5, 6\).*np\.moveaxis"),
    (lambda: plotting.show_images(np.zeros((2, 3, 3)), titles="ab"), TypeError, "titles must be a list of strings"),
    (lambda: plotting.show_images(np.zeros((2, 3, 3)), ncols=0), ValueError, "ncols must be >= 1"),
    (lambda: plotting.show_images(np.zeros((2, 3, 3)), ncols=2.5), TypeError, "ncols must be a positive integer"),
    (lambda: plotting.show_images(np.zeros((2, 3, 3)), size=0), ValueError, "size is the side"),
    (lambda: plotting.plot_history([1.0, 0.5]), TypeError, "history must be a dict"),
    (lambda: plotting.plot_history({"loss": [1.0]}, ylabels="nats"), TypeError, "ylabels must be a dict"),
    (lambda: plotting.plot_history({"loss": [1, 0.5], "val_loss": [1]}), ValueError, "2 values of 'loss' but 1 of 'val_loss'"),
    (lambda: plotting.plot_confusion_matrix(np.eye(3), "abc"), TypeError, "class_names must be a list"),
    (lambda: plotting.plot_signals(np.arange(3), np.ones(3)), TypeError, "series must be a dict"),
    (lambda: plotting.plot_signals(np.arange(3), {}), ValueError, "series is empty"),
])
def test_wrong_arguments_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_show_images_drops_a_single_channel_axis():
    images = np.random.default_rng(0).random((3, 5, 4, 1))
    fig = plotting.show_images(images, ncols=3)
    drawn = [ax.get_images()[0].get_array() for ax in fig.axes[:3]]
    for got, want in zip(drawn, images[..., 0]):
        np.testing.assert_array_equal(np.asarray(got), want)


def test_plot_history_reads_a_training_log_and_one_metric_name():
    from course_utils.training import TrainingLog

    log = TrainingLog({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.8]})
    fig = plotting.plot_history(log, "loss")      # one name, not the metrics 'l', 'o', 's', 's'
    (ax,) = fig.axes
    assert ax.get_ylabel() == "loss"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [1.1, 0.6, 0.4])


def test_show_images_shares_one_scale_and_one_colour_bar():
    rng = np.random.default_rng(2)
    images = [rng.random((4, 5)), 3 * rng.random((4, 5))]
    fig = plotting.show_images(images, ["a", "b"], vmin=0, vmax=3, colorbar="grey level", title="two")
    limits = [ax.get_images()[0].get_clim() for ax in fig.axes[:2]]
    assert limits == [(0.0, 3.0), (0.0, 3.0)]
    assert fig.axes[-1].get_ylabel() == "grey level"            # the colour bar's own axes, with its label
    assert fig._suptitle.get_text() == "two"
    signed = [rng.normal(size=(3, 3)), 5 * rng.normal(size=(3, 3))]
    fig = plotting.show_images(signed, symmetric=True, colorbar="value")
    bound = max(np.abs(image).max() for image in signed)
    assert [ax.get_images()[0].get_clim() for ax in fig.axes[:2]] == [(-bound, bound)] * 2
    # without a colour bar, as before, each signed panel has its own symmetric scale
    fig = plotting.show_images(signed, symmetric=True)
    assert fig.axes[0].get_images()[0].get_clim() == (-np.abs(signed[0]).max(), np.abs(signed[0]).max())


@pytest.mark.parametrize("kwargs, match", [
    ({"vmin": 0}, "both vmin and vmax"),
    ({"vmin": 1, "vmax": 1}, "vmin must be below vmax"),
    ({"colorbar": "grey level"}, "colour bar needs one scale"),
    ({"axis_labels": "column"}, "axis_labels must be a pair"),
])
def test_show_images_scale_arguments_name_the_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.show_images(np.zeros((2, 3, 3)), **kwargs)


def test_show_images_labels_the_axes_on_request():
    fig = plotting.show_images(np.zeros((2, 3, 4)), axis_labels=("column (px)", "row (px)"))
    assert [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes] == [("column (px)", "row (px)")] * 2
    assert all(ax.axison for ax in fig.axes)
    assert not any(ax.axison for ax in plotting.show_images(np.zeros((2, 3, 4))).axes)
