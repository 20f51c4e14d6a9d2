"""Tests of course_utils.explorers: each pure function against an independent reference (NumPy, SciPy, Keras
layers and a gradient), the pictures, the widgets' redraws and what their display carries, and the errors."""

from __future__ import annotations

import base64
import itertools
import subprocess
import sys

import numpy as np
import pytest
import scipy.signal

import course_utils  # noqa: F401  (quiets TensorFlow before it is imported)
from course_utils import explorers as ex

RNG = np.random.default_rng(19)


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def keras_conv1d(keras, x, k, padding, stride):
    """A one-filter Conv1D without bias (cross-correlation) with the kernel set by hand."""
    layer = keras.layers.Conv1D(1, len(k), strides=stride, padding=padding, use_bias=False)
    layer.build((1, len(x), 1))
    layer.set_weights([np.asarray(k, "float32").reshape(-1, 1, 1)])
    return np.asarray(layer(np.asarray(x, "float32").reshape(1, -1, 1)))[0, :, 0]


# ----------------------------------------------------------------------------------------------- slide_1d
@pytest.mark.parametrize(("n", "k", "padding", "stride"),
                         [(n, k, p, s) for n, k, p, s in itertools.product((5, 8, 11), (1, 2, 3, 4), ("valid", "same", "causal"),
                                                                           (1, 2, 3))])
def test_slide_1d_grows_the_output_of_keras_conv1d(keras, n, k, padding, stride):
    x, w = RNG.normal(size=n), RNG.normal(size=k)
    reference = keras_conv1d(keras, x, w, padding, stride)
    for t in range(len(reference)):
        step = ex.slide_1d(x, w, t, padding=padding, stride=stride)
        assert step.length == len(reference)
        np.testing.assert_allclose(step.output[:t + 1], reference[:t + 1], rtol=1e-5, atol=1e-5)
        assert np.isnan(step.output[t + 1:]).all()
        np.testing.assert_allclose(step.products.sum(), reference[t], rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(step.window, t * stride + np.arange(k))


def test_slide_1d_reads_the_window_numpy_correlate_reads():
    x, w = RNG.normal(size=9), RNG.normal(size=3)
    for t, value in enumerate(np.correlate(x, w, "valid")):
        step = ex.slide_1d(x, w, t)
        np.testing.assert_array_equal(step.padded[step.window], x[t:t + 3])
        np.testing.assert_allclose(step.output[t], value)


def test_slide_1d_with_flip_is_np_convolve_and_full_padding_adds_span_minus_one_zeros():
    x, w = RNG.normal(size=7), RNG.normal(size=4)
    last = len(x) + len(w) - 2
    step = ex.slide_1d(x, w, last, padding="full", flip=True)
    np.testing.assert_allclose(step.output, np.convolve(x, w, "full"))
    np.testing.assert_array_equal(step.kernel, w[::-1])
    assert step.pad == (3, 3) and len(step.padded) == 7 + 6


def test_slide_1d_says_which_positions_exist():
    with pytest.raises(ValueError, match=r"position must be between 0 and 5 .*got 6"):
        ex.slide_1d(np.arange(8.0), [1, 2, 3], 6)
    with pytest.raises(TypeError, match="position"):
        ex.slide_1d(np.arange(8.0), [1, 2, 3], 1.5)
    with pytest.raises(ValueError, match="padding='circular' is not known"):
        ex.slide_1d(np.arange(8.0), [1, 2, 3], 0, padding="circular")
    with pytest.raises(ValueError, match="kernel of length 4 is longer than the signal of length 3"):
        ex.slide_1d([1, 2, 3], [1, 2, 3, 4], 0)
    with pytest.raises(ValueError, match="x holds NaN"):
        ex.slide_1d([1, np.nan, 3], [1], 0)
    with pytest.raises(ValueError, match="x must have 1 dimensions"):
        ex.slide_1d(np.ones((4, 1)), [1], 0)
    with pytest.raises(TypeError, match="stride must be a positive integer"):
        ex.slide_1d(np.ones(4), [1], 0, stride="2")


# ------------------------------------------------------------------------------------------- filter_image
@pytest.mark.parametrize("preset", list(ex.PRESET_KERNELS))
def test_filter_image_is_scipy_correlate2d_for_every_preset(preset):
    image = RNG.random((17, 23))
    weights = ex.kernel_from_values(ex.PRESET_KERNELS[preset])
    np.testing.assert_allclose(ex.filter_image(image, weights), scipy.signal.correlate2d(image, weights, "same"),
                               atol=1e-12)
    np.testing.assert_allclose(ex.filter_image(image, weights, padding="valid"),
                               scipy.signal.correlate2d(image, weights, "valid"), atol=1e-12)


@pytest.mark.parametrize(("kh", "kw", "stride"), [(2, 2, 1), (3, 2, 2), (4, 4, 3), (3, 3, 2)])
def test_filter_image_is_keras_conv2d(keras, kh, kw, stride):
    image, weights = RNG.random((12, 13)), RNG.normal(size=(kh, kw))
    for padding in ("same", "valid"):
        layer = keras.layers.Conv2D(1, (kh, kw), strides=stride, padding=padding, use_bias=False)
        layer.build((1, 12, 13, 1))
        layer.set_weights([weights.reshape(kh, kw, 1, 1).astype("float32")])
        reference = np.asarray(layer(image.reshape(1, 12, 13, 1).astype("float32")))[0, :, :, 0]
        np.testing.assert_allclose(ex.filter_image(image, weights, padding=padding, stride=stride), reference,
                                   rtol=1e-4, atol=1e-5)


def test_kernel_from_values_reads_row_by_row_and_refuses_wrong_counts():
    np.testing.assert_array_equal(ex.kernel_from_values(range(9)), np.arange(9.0).reshape(3, 3))
    assert ex.kernel_from_values(np.ones((2, 2)), size=2).shape == (2, 2)
    with pytest.raises(ValueError, match="values must hold 9 numbers for a 3x3 kernel, got 8"):
        ex.kernel_from_values(range(8))
    with pytest.raises(ValueError, match="NaN or infinite"):
        ex.kernel_from_values([np.inf] + [0] * 8)
    with pytest.raises(TypeError, match="values must hold only real numbers"):
        ex.kernel_from_values([None] * 9)
    with pytest.raises(ValueError, match="padding='full' is not known"):
        ex.filter_image(np.ones((4, 4)), np.ones((3, 3)), padding="full")


# --------------------------------------------------------------------------------------- window_positions
def _keras_length(keras, n, k, s, p):
    model = keras.Sequential([keras.Input((n, 1)), keras.layers.ZeroPadding1D(p), keras.layers.Conv1D(1, k, strides=s)])
    return int(model(np.zeros((1, n, 1), "float32")).shape[1])


GRID = [(n, k, s, p) for n in (1, 4, 7, 10) for k in (1, 2, 3, 5) for s in (1, 2, 3) for p in (0, 1, 2) if k <= n + 2 * p]


@pytest.mark.parametrize(("n", "k", "s", "p"), GRID)
def test_window_positions_size_and_starts_are_keras_conv1d(keras, n, k, s, p):
    w = ex.window_positions(n, k, stride=s, padding=p)
    assert w.size == _keras_length(keras, n, k, s, p)
    # A kernel that picks its first tap, on the input's own indices 1..n (the padding reads 0): output i is the
    # index of the first cell of window i, plus one.
    first_tap = np.zeros(k)
    first_tap[0] = 1.0
    picked = keras_conv1d(keras, np.pad(np.arange(1.0, n + 1), p), first_tap, "valid", s)
    inside = (w.starts >= 0) & (w.starts < n)
    np.testing.assert_array_equal(picked[inside] - 1, w.starts[inside])
    np.testing.assert_array_equal(picked[~inside], 0)


@pytest.mark.parametrize(("n", "k", "s", "padding"), [(n, k, s, pad) for n in (5, 8) for k in (1, 2, 3, 4) for s in (1, 2, 3)
                                                      for pad in (0, 1, "same", "valid") if k <= n])
def test_window_reads_are_the_gradient_of_the_output_sum(keras, n, k, s, padding):
    """d(sum of outputs)/d(input cell) of a convolution with an all-ones kernel counts the windows reading it."""
    import tensorflow as tf

    w = ex.window_positions(n, k, stride=s, padding=padding)
    x = tf.Variable(np.zeros((1, n, 1), "float32"))
    with tf.GradientTape() as tape:
        if isinstance(padding, int):
            y = keras.ops.conv(tf.pad(x, [[0, 0], [padding, padding], [0, 0]]), tf.ones((k, 1, 1)), strides=s)
        else:
            y = keras.ops.conv(x, tf.ones((k, 1, 1)), strides=s, padding=padding)
        total = tf.reduce_sum(y)
    np.testing.assert_array_equal(w.reads, tape.gradient(total, x).numpy()[0, :, 0])
    assert w.size == y.shape[1]


def test_window_positions_errors_name_the_argument_and_the_fix():
    with pytest.raises(ValueError, match="kernel span k=5 is longer than the padded input"):
        ex.window_positions(3, 5)
    with pytest.raises(ValueError, match="padding must be >= 0"):
        ex.window_positions(5, 3, padding=-1)
    with pytest.raises(TypeError, match="padding must be an int .* 'valid' or 'same'"):
        ex.window_positions(5, 3, padding=1.0)
    with pytest.raises(ValueError, match="padding='causal' is not known"):
        ex.window_positions(5, 3, padding="causal")
    with pytest.raises(ValueError, match="stride must be >= 1.*use 1 for no skipping"):
        ex.window_positions(5, 3, stride=0)
    with pytest.raises(TypeError, match="n must be a positive integer"):
        ex.window_positions(True, 1)


# ------------------------------------------------------------------------------------ pooling_under_shift
@pytest.mark.parametrize(("size", "stride", "shift", "mode"),
                         list(itertools.product((1, 2, 3), (None, 1, 2), (0, 1, 3), ("max", "avg"))))
def test_pooling_under_shift_is_keras_pooling_of_both_series(keras, size, stride, shift, mode):
    x = RNG.random(12)
    p = ex.pooling_under_shift(x, size, stride=stride, shift=shift, mode=mode)
    layer = (keras.layers.MaxPooling1D if mode == "max" else keras.layers.AveragePooling1D)(size, strides=stride)
    pooled = [np.asarray(layer(v.reshape(1, -1, 1).astype("float32")))[0, :, 0] for v in (x, p.shifted)]
    np.testing.assert_allclose(p.pooled, pooled[0], rtol=1e-6)
    np.testing.assert_allclose(p.pooled_shifted, pooled[1], rtol=1e-6)
    np.testing.assert_array_equal(p.changed, ~np.isclose(pooled[0], pooled[1]))
    np.testing.assert_array_equal(p.shifted[shift:], x[:len(x) - shift])
    np.testing.assert_array_equal(p.starts, np.arange(len(pooled[0])) * (stride or size))


def test_pooling_under_shift_reproduces_notebook_05s_example():
    row = np.array([0.1, 1.0, 0.2, 0.1, 0.0, 0.9, 0.3, 0.1, 0.2, 0.0])
    p = ex.pooling_under_shift(row, 3, stride=1, shift=1, fill=0.3)
    np.testing.assert_array_equal(p.shifted, np.concatenate([[0.3], row[:-1]]))
    assert p.changed.mean() == 0.5 and (p.x != p.shifted).all()
    assert not ex.pooling_under_shift(row, 3, shift=0).changed.any()


def test_pooling_under_shift_errors():
    with pytest.raises(ValueError, match="shift=10 moves the whole series out"):
        ex.pooling_under_shift(np.ones(10), 2, shift=10)
    with pytest.raises(ValueError, match="size=11 is longer than the series"):
        ex.pooling_under_shift(np.ones(10), 11)
    with pytest.raises(ValueError, match="mode='median' is not known"):
        ex.pooling_under_shift(np.ones(10), 2, mode="median")
    with pytest.raises(TypeError, match="shift must be an integer >= 0"):
        ex.pooling_under_shift(np.ones(10), 2, shift=0.5)


# ------------------------------------------------------------------------------------ pictures and widgets
def test_every_picture_is_a_figure_with_a_title_that_states_the_settings():
    figures = {
        "output 2 = sum of": ex.draw_slide_1d(ex.slide_1d(np.arange(6.0), [1, -1, 2], 2, padding="same")),
        "3 outputs": ex.draw_windows(ex.window_positions(7, 2, stride=2)),
        "window 3, stride 1, shift 1": ex.draw_pooling(ex.pooling_under_shift(np.arange(6.0), 3, stride=1)),
        "kernel: sharpen": ex.draw_filter(np.ones((5, 5)), np.eye(3), np.ones((5, 5)), "sharpen"),
    }
    for expected, fig in figures.items():
        titles = " ".join(ax.get_title() for ax in fig.axes)
        assert expected in titles, titles
        assert ex.to_png(fig).startswith(b"\x89PNG")


EXPLORERS = {
    "slide": (ex.slide_1d_explorer, "position", 4, "at output 4 of 5"),
    "flip": (ex.slide_1d_explorer, "flip", True, "convolution (kernel reversed)"),
    "filter": (ex.filter_explorer, "w4", 1.0, "kernel custom"),
    "windows": (ex.windows_explorer, "stride", 3, "s=3"),
    "pooling": (ex.pooling_explorer, "size", 2, "window 2"),
}


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_an_explorer_redraws_when_a_control_moves_and_says_what_it_shows(name):
    make, control, value, expected = EXPLORERS[name]
    explorer = make()
    before, summary = bytes(explorer.picture.value), explorer.summary
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/png", "application/vnd.jupyter.widget-view+json"}
    assert bundle["text/plain"] == repr(explorer) == f"{explorer.heading}: {summary}"
    assert base64.b64decode(bundle["image/png"]) == before == explorer.png and before.startswith(b"\x89PNG")
    assert repr(make()) == repr(explorer)                     # the text nbval compares depends on the settings only
    explorer.controls[control].value = value
    assert bytes(explorer.picture.value) != before and expected in explorer.summary and explorer.message.value == ""


def test_the_filter_presets_fill_the_weight_boxes():
    explorer = ex.filter_explorer()
    explorer.controls["preset"].value = "box blur"
    weights = [explorer.controls[f"w{i}"].value for i in range(9)]
    np.testing.assert_allclose(weights, ex.PRESET_KERNELS["box blur"])
    assert "kernel box blur" in explorer.summary


def test_settings_that_do_not_fit_together_say_why_and_keep_the_picture():
    explorer = ex.windows_explorer()
    picture = bytes(explorer.picture.value)
    explorer.controls["n"].value = 1                          # k=3 no longer fits without padding
    assert "kernel span k=3 is longer than the padded input" in explorer.message.value
    assert bytes(explorer.picture.value) == picture
    explorer.controls["padding"].value = 1
    assert explorer.message.value == "" and bytes(explorer.picture.value) != picture


def test_the_slide_explorer_keeps_the_position_inside_the_outputs():
    explorer = ex.slide_1d_explorer()
    explorer.controls["position"].value = 5
    explorer.controls["stride"].value = 2                     # 3 outputs at stride 2
    assert explorer.controls["position"].max == 2 and "at output 2 of 2" in explorer.summary
    explorer.controls["padding"].value = "full"               # 10 // 2 = 5 outputs: 0 .. 4
    explorer.controls["position"].value = 4
    assert "at output 4 of 4" in explorer.summary and explorer.message.value == ""


def test_explorer_arguments_are_checked_before_anything_is_drawn():
    with pytest.raises(ValueError, match="preset='blur' is not known"):
        ex.filter_explorer(preset="blur")
    with pytest.raises(ValueError, match="image must have 2 dimensions"):
        ex.filter_explorer(image=np.ones((4, 4, 3)))
    with pytest.raises(ValueError, match="position must be between 0 and 5"):
        ex.slide_1d_explorer(position=9)
    with pytest.raises(ValueError, match="kernel span k=9"):
        ex.windows_explorer(n=3, k=9)
    with pytest.raises(ValueError, match="shift=10"):
        ex.pooling_explorer(shift=10)


# ------------------------------------------------------------------------------ stored outputs and strict nbval
def _nbval(path, cwd) -> subprocess.CompletedProcess:
    (cwd / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
                           "-q", str(path)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_a_stored_explorer_passes_strict_nbval_whatever_its_model_id_and_widget_state(tmp_path):
    """Executed as `make execute` executes, then given another model id and a saved widget state (as JupyterLab
    saves one): nbval still passes; a different sentence in text/plain fails it."""
    import nbformat

    from course_tools.execute import execute

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from course_utils import explorers\nexplorers.windows_explorer()")]
    path = tmp_path / "explorer.ipynb"
    nbformat.write(nb, path)
    execute(path, timeout=120)
    stored = nbformat.read(path, as_version=4)
    data = stored.cells[0].outputs[0]["data"]
    assert set(data) == {"text/plain", "image/png", "application/vnd.jupyter.widget-view+json"}
    assert "widgets" not in stored.metadata
    data["application/vnd.jupyter.widget-view+json"]["model_id"] = "0" * 32
    stored.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                                "version_minor": 0}}
    nbformat.write(stored, path)
    done = _nbval(path, tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    data["text/plain"] = data["text/plain"].replace("3 outputs", "4 outputs")
    assert "4 outputs" in data["text/plain"]
    nbformat.write(stored, path)
    assert _nbval(path, tmp_path).returncode == 1
