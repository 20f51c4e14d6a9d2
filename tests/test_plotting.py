import matplotlib.pyplot as plt
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


def _windows(fig):
    """(i, j) -> (row, column) of the top-left cell of each window patch drawn, read from its gid."""
    found = {}
    for ax in fig.axes:
        for patch in ax.patches:
            if (patch.get_gid() or "").startswith("window"):
                i, j = map(int, patch.get_gid().split()[1:])
                found[(i, j)] = (int(np.floor(patch.get_y())), int(np.floor(patch.get_x())))
    return found


def test_output_windows_values_and_positions_against_scipy():
    import scipy.signal

    rng = np.random.default_rng(2)
    image, kernel = rng.integers(-3, 4, size=(5, 6)).astype(float), rng.integers(-2, 3, size=(3, 2)).astype(float)
    for stride, padding in [(1, 0), (2, 0), (2, 1)]:
        fig = plotting.plot_output_windows(image, kernel, stride=stride, padding=padding)
        reference = scipy.signal.correlate2d(np.pad(image, padding), kernel, "valid")[::stride, ::stride]
        assert len(fig.axes) == reference.size
        drawn = [float(ax.get_title().split("=")[1]) for ax in fig.axes]
        np.testing.assert_allclose(drawn, reference.ravel())
        assert _windows(fig) == {(i, j): (i * stride, j * stride) for i in range(reference.shape[0])
                                 for j in range(reference.shape[1])}
        shaded = sum(p.get_gid() == "zero padding" for p in fig.axes[0].patches)
        assert shaded == np.pad(image, padding).size - image.size
        plt.close(fig)


def test_windows_2d_count_matches_the_output_size_formula():
    for n, k, s, p in [(6, 3, 3, 0), (7, 3, 2, 0), (4, 3, 1, 1), (8, 2, 2, 0), (5, 5, 1, 0)]:
        fig = plotting.plot_windows_2d(n, k, s, p)
        out = (n + 2 * p - k) // s + 1
        windows = _windows(fig)
        assert len(windows) == out * out
        assert set(windows.values()) == {(i * s, j * s) for i in range(out) for j in range(out)}
        plt.close(fig)
    fig = plotting.plot_windows_2d(4, 3, 1, 1, values=np.arange(16.0).reshape(4, 4), cells=[(0, 0), (3, 3)])
    assert set(_windows(fig)) == {(0, 0), (3, 3)}
    assert {t.get_text() for t in fig.axes[0].texts} >= {"15", "0"}
    plt.close(fig)


def test_kernel_tensor_cells_are_the_slices():
    kernel = np.random.default_rng(0).normal(size=(3, 2, 4, 5))
    fig = plotting.plot_kernel_tensor(kernel)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 4 * 5
    for index, ax in enumerate(panels):
        o, c = divmod(index, 4)                       # rows = output channels, columns = input channels
        np.testing.assert_array_equal(ax.images[0].get_array(), kernel[:, :, c, o])
    plt.close(fig)


def test_connections_count_against_keras_matrices():
    keras = pytest.importorskip("keras")
    for n, k in [(5, 3), (7, 5)]:
        fig = plotting.plot_connections(n, k)
        dense_ax, conv_ax = fig.axes[:2]
        assert len(dense_ax.lines) == n * n
        conv = keras.layers.Conv1D(1, k, padding="same", use_bias=False)
        conv.build((None, n, 1))
        conv.set_weights([np.arange(1.0, k + 1).reshape(k, 1, 1)])     # weight m = m + 1: index readable
        matrix = keras.ops.convert_to_numpy(conv(np.eye(n, dtype="float32")[:, :, None]))[:, :, 0].T  # row i, col j
        drawn = np.zeros((n, n))
        for line in conv_ax.lines:
            (j, i), m = line.get_xdata(), int(line.get_gid().split()[-1])
            drawn[int(i), int(j)] = m + 1
        np.testing.assert_array_equal(drawn, matrix)
        assert len({line.get_gid() for line in conv_ax.lines}) == k == conv.count_params()
        plt.close(fig)


def test_window_figures_refuse_bad_shapes():
    with pytest.raises(ValueError, match="non-empty 2-D"):
        plotting.plot_output_windows(np.zeros(4), np.ones((3, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        plotting.plot_output_windows(np.zeros((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        plotting.plot_windows_2d(2, 3)
    with pytest.raises(ValueError, match="outside the 2×2 output"):
        plotting.plot_windows_2d(4, 3, cells=[(2, 0)])
    with pytest.raises(ValueError, match="values has shape"):
        plotting.plot_windows_2d(4, 3, values=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="non-empty 4-D"):
        plotting.plot_kernel_tensor(np.zeros((3, 3, 1)))
    with pytest.raises(ValueError, match="k must be odd"):
        plotting.plot_connections(5, 2)
    with pytest.raises(TypeError, match="stride"):
        plotting.plot_windows_2d(4, 3, stride=1.5)


def test_kernel_positions_titles_are_the_convolution_and_windows_cover_the_span():
    rng = np.random.default_rng(3)
    x, kernel = rng.normal(size=30), np.array([0.5, 2.0, -1.0, 0.25, 3.0])
    years = 1700 + np.arange(30)
    for flip, reference in ((True, np.convolve(x, kernel, "same")), (False, np.correlate(x, kernel, "same"))):
        positions = [0, 7, 29]   # both ends read the zero padding
        fig = plotting.plot_kernel_positions(x, kernel, positions, t=years, flip=flip)
        drawn = [float(ax.get_title().split("=")[1].split("\n")[0]) for ax in fig.axes[:3]]
        np.testing.assert_allclose(drawn, reference[positions], rtol=1e-3)
        windows = {p.get_gid(): p for ax in fig.axes[:3] for p in ax.patches if (p.get_gid() or "").startswith("window")}
        assert set(windows) == {f"window {p}" for p in positions}
        for p in positions:
            patch = windows[f"window {p}"]
            assert patch.get_x() == pytest.approx(years[p] - 2.5) and patch.get_width() == pytest.approx(5.0)
        bottom = fig.axes[3].lines[1]   # the whole output
        np.testing.assert_allclose(bottom.get_ydata(), reference, atol=1e-12)
        plt.close(fig)
    fig = plotting.plot_kernel_positions(x, kernel, 7)   # one position, default time axis
    weights = {t.get_text() for t in fig.axes[0].texts}
    assert weights == {f"×{w:.3g}" for w in kernel}
    plt.close(fig)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"kernel": np.ones(4)}, ValueError, "odd span"),
    ({"positions": []}, ValueError, "positions is empty"),
    ({"positions": [10]}, ValueError, "outside the series of 10"),
    ({"positions": [1.5]}, TypeError, "position"),
    ({"t": np.arange(9)}, ValueError, "t has shape"),
    ({"x": np.zeros((2, 5))}, ValueError, "non-empty 1-D"),
    ({"flip": "yes"}, TypeError, "flip"),
])
def test_kernel_positions_rejects_bad_input(kwargs, error, match):
    args = {"x": np.arange(10.0), "kernel": np.ones(3), "positions": [2], **kwargs}
    with pytest.raises(error, match=match):
        plotting.plot_kernel_positions(**args)
