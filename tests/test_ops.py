"""Tests of course_utils.ops against independent references: NumPy, SciPy and Keras layers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal

import course_utils  # noqa: F401  (quiets TensorFlow before it is imported)
from course_utils import ops

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def shapes_1d():
    for n in range(1, 13):
        for k in range(1, n + 1):
            yield n, k


# ------------------------------------------------------------------------------------------- conv1d vs numpy
@pytest.mark.parametrize(("n", "k"), list(shapes_1d()))
def test_conv1d_flip_matches_np_convolve(n, k):
    x, w = RNG.normal(size=n), RNG.normal(size=k)
    np.testing.assert_allclose(ops.conv1d(x, w), np.convolve(x, w, "valid"))
    np.testing.assert_allclose(ops.conv1d(x, w, "full"), np.convolve(x, w, "full"))
    np.testing.assert_allclose(ops.conv1d(x, w, "causal"), np.convolve(x, w)[:n])
    same = np.convolve(x, w, "full")[k // 2: k // 2 + n]  # documented even-kernel convention
    np.testing.assert_allclose(ops.conv1d(x, w, "same"), same)
    if k % 2:
        np.testing.assert_allclose(ops.conv1d(x, w, "same"), np.convolve(x, w, "same"))


@pytest.mark.parametrize(("n", "k"), list(shapes_1d()))
def test_conv1d_no_flip_matches_np_correlate_and_scipy(n, k):
    x, w = RNG.normal(size=n), RNG.normal(size=k)
    np.testing.assert_allclose(ops.conv1d(x, w, flip=False), np.correlate(x, w, "valid"))
    np.testing.assert_allclose(ops.conv1d(x, w, flip=False), scipy.signal.correlate(x, w, "valid"))
    np.testing.assert_allclose(ops.conv1d(x, w, "full", flip=False), np.correlate(x, w, "full"))
    np.testing.assert_allclose(ops.conv1d(x, w, "causal", flip=False), np.convolve(x, w[::-1])[:n])
    padded = np.concatenate([np.zeros((k - 1) // 2), x, np.zeros(k // 2)])
    np.testing.assert_allclose(ops.conv1d(x, w, "same", flip=False), np.correlate(padded, w, "valid"))
    if k % 2:
        np.testing.assert_allclose(ops.conv1d(x, w, "same", flip=False), np.correlate(x, w, "same"))


@pytest.mark.parametrize("mode", ops.MODES_1D)
def test_conv1d_flip_is_correlation_with_reversed_kernel(mode):
    for n, k in [(9, 2), (9, 3), (10, 4), (7, 7)]:
        x, w = RNG.normal(size=n), RNG.normal(size=k)
        for s in (1, 2, 3):
            np.testing.assert_allclose(ops.conv1d(x, w, mode, s), ops.conv1d(x, w[::-1], mode, s, flip=False))


@pytest.mark.parametrize("mode", ["valid", "full", "causal"])
def test_conv1d_stride_subsamples(mode):
    for (n, k), s in itertools.product([(12, 3), (11, 4), (5, 5), (9, 1)], (1, 2, 3, 4, 7)):
        x, w = RNG.normal(size=n), RNG.normal(size=k)
        np.testing.assert_allclose(ops.conv1d(x, w, mode, s), np.convolve(x, w, "full" if mode == "full" else
                                   "valid")[::s] if mode != "causal" else np.convolve(x, w)[:n][::s])


def test_conv1d_accepts_lists_and_ints():
    np.testing.assert_allclose(ops.conv1d([1, 2, 3, 4], [1, 1]), [3, 5, 7])
    assert ops.conv1d(np.arange(5), np.ones(2)).dtype == np.float64


def test_conv1d_commutes_only_with_flip():
    x, w = RNG.normal(size=8), RNG.normal(size=3)
    np.testing.assert_allclose(ops.conv1d(x, w, "full"), ops.conv1d(w, x, "full"))
    np.testing.assert_allclose(ops.conv1d(w, x, "full", flip=False), ops.conv1d(x, w, "full", flip=False)[::-1])


# ------------------------------------------------------------------------------------------- conv1d vs Keras
CONV1D_CASES = [(n, k, s, p) for n, k in [(12, 3), (11, 2), (10, 4), (9, 5), (8, 1), (7, 6), (16, 7), (5, 5)]
                for s in (1, 2, 3) for p in ("valid", "same", "causal")]


@pytest.mark.parametrize(("n", "k", "s", "padding"), CONV1D_CASES)
def test_conv1d_matches_keras_conv1d(keras, n, k, s, padding):
    x, w = RNG.normal(size=n).astype("float32"), RNG.normal(size=k).astype("float32")
    layer = keras.layers.Conv1D(1, k, strides=s, padding=padding, use_bias=False)
    layer.build((1, n, 1))
    layer.set_weights([w.reshape(k, 1, 1)])
    got = np.asarray(layer(x.reshape(1, n, 1)))[0, :, 0]
    np.testing.assert_allclose(ops.conv1d(x, w, padding, s, flip=False), got, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------------------------------- conv1d errors
@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.ones((3, 1)), np.ones(2)), {}, ValueError, "x must have 1 dimensions.*ravel"),
        ((np.ones(4), np.ones((2, 2))), {}, ValueError, "k must have 1 dimensions"),
        ((np.ones(2), np.ones(3)), {}, ValueError, "longer than the signal.*mode='same'"),
        ((np.ones(4), np.ones(2)), {"mode": "circular"}, ValueError, "use one of 'valid', 'same'"),
        ((np.ones(4), np.ones(2)), {"stride": 0}, ValueError, "stride must be >= 1"),
        ((np.ones(4), np.ones(2)), {"stride": 1.5}, TypeError, "positive integer"),
        ((np.ones(4), np.ones(2)), {"stride": True}, TypeError, "positive integer"),
        ((["a", "b"], np.ones(2)), {}, TypeError, "numeric array"),
        ((np.ones(0), np.ones(1)), {}, ValueError, "empty"),
    ],
)
def test_conv1d_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        ops.conv1d(*args, **kwargs)


def test_conv1d_long_kernel_allowed_when_padded():
    np.testing.assert_allclose(ops.conv1d([1.0, 2.0], [1.0, 1.0, 1.0], "full"), np.convolve([1, 2], [1, 1, 1]))


# ------------------------------------------------------------------------------------------- conv2d vs SciPy
SHAPES_2D = [((h, w), (kh, kw)) for h, w in [(4, 4), (6, 6), (7, 5), (5, 9), (3, 3)]
             for kh, kw in [(1, 1), (2, 2), (3, 3), (2, 3), (3, 1)] if kh <= h and kw <= w]


@pytest.mark.parametrize(("shape", "kshape"), SHAPES_2D)
def test_conv2d_matches_scipy(shape, kshape):
    image, kernel = RNG.normal(size=shape), RNG.normal(size=kshape)
    for mode in ("valid", "full"):
        np.testing.assert_allclose(ops.conv2d(image, kernel, mode), scipy.signal.convolve2d(image, kernel, mode))
        np.testing.assert_allclose(ops.conv2d(image, kernel, mode, flip=False),
                                   scipy.signal.correlate2d(image, kernel, mode))
        np.testing.assert_allclose(ops.conv2d(image, kernel, mode, flip=False),
                                   scipy.signal.convolve2d(image, kernel[::-1, ::-1], mode))
    if kshape[0] % 2 and kshape[1] % 2:
        np.testing.assert_allclose(ops.conv2d(image, kernel, "same"), scipy.signal.convolve2d(image, kernel, "same"))
        np.testing.assert_allclose(ops.conv2d(image, kernel, "same", flip=False),
                                   scipy.signal.correlate2d(image, kernel, "same"))
        np.testing.assert_allclose(ops.conv2d(image, kernel, "same", flip=False),
                                   scipy.ndimage.correlate(image, kernel, mode="constant"))
        np.testing.assert_allclose(ops.conv2d(image, kernel, "same"),
                                   scipy.ndimage.convolve(image, kernel, mode="constant"))


@pytest.mark.parametrize("stride", [1, 2, 3, (1, 2), (3, 2)])
def test_conv2d_stride_subsamples(stride):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    image, kernel = RNG.normal(size=(9, 8)), RNG.normal(size=(3, 2))
    for mode in ("valid", "full"):
        np.testing.assert_allclose(ops.conv2d(image, kernel, mode, stride, flip=False),
                                   scipy.signal.correlate2d(image, kernel, mode)[::sh, ::sw])


def test_conv2d_worked_example_and_commutativity():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, -1]])
    out = ops.conv2d(image, kernel, flip=False)
    assert out.shape == (2, 2)
    assert out[0, 0] == image[0, 0] + image[1, 1] - image[2, 2]
    small = RNG.normal(size=(3, 3))
    big = RNG.normal(size=(5, 6))
    np.testing.assert_allclose(ops.conv2d(big, small, "full"), ops.conv2d(small, big, "full"))
    assert not np.allclose(ops.conv2d(big, small, "full", flip=False), ops.conv2d(small, big, "full", flip=False))


# ------------------------------------------------------------------------------------------- conv2d vs Keras
CONV2D_CASES = [(shape, k, s, p) for shape in [(6, 6), (7, 5), (8, 9)] for k in [(1, 1), (2, 2), (3, 3), (2, 3), (4, 3)]
                for s in (1, 2, 3) for p in ("valid", "same")]


@pytest.mark.parametrize(("shape", "kshape", "s", "padding"), CONV2D_CASES)
def test_conv2d_matches_keras_conv2d(keras, shape, kshape, s, padding):
    image, kernel = RNG.normal(size=shape).astype("float32"), RNG.normal(size=kshape).astype("float32")
    layer = keras.layers.Conv2D(1, kshape, strides=s, padding=padding, use_bias=False)
    layer.build((1, *shape, 1))
    layer.set_weights([kernel.reshape(*kshape, 1, 1)])
    got = np.asarray(layer(image.reshape(1, *shape, 1)))[0, :, :, 0]
    np.testing.assert_allclose(ops.conv2d(image, kernel, padding, s, flip=False), got, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.conv2d(image, kernel[::-1, ::-1], padding, s), got, rtol=1e-5, atol=1e-5)


LAYER_CASES = [(b, shape, k, c_in, c_out, s, p) for b, shape, k, c_in, c_out in
               [(None, (6, 6), (3, 3), 1, 2), (2, (7, 8), (2, 3), 3, 4), (None, (5, 5), (5, 5), 2, 1),
                (3, (9, 6), (4, 4), 2, 3), (1, (4, 4), (1, 1), 3, 5)]
               for s in (1, 2, (2, 3)) for p in ("valid", "same")]


@pytest.mark.parametrize(("batch", "shape", "kshape", "c_in", "c_out", "s", "padding"), LAYER_CASES)
def test_conv2d_layer_matches_keras(keras, batch, shape, kshape, c_in, c_out, s, padding):
    lead = () if batch is None else (batch,)
    x = RNG.normal(size=(*lead, *shape, c_in)).astype("float32")
    kernel = RNG.normal(size=(*kshape, c_in, c_out)).astype("float32")
    bias = RNG.normal(size=c_out).astype("float32")
    layer = keras.layers.Conv2D(c_out, kshape, strides=s, padding=padding)
    layer.build((None, *shape, c_in))
    layer.set_weights([kernel, bias])
    got = np.asarray(layer(x if batch else x[None]))
    got = got if batch else got[0]
    np.testing.assert_allclose(ops.conv2d_layer(x, kernel, bias, s, padding), got, rtol=1e-4, atol=1e-4)
    assert layer.count_params() == kshape[0] * kshape[1] * c_in * c_out + c_out


def test_conv2d_layer_is_einsum_over_patches():
    x = RNG.normal(size=(6, 7, 3))
    kernel, bias = RNG.normal(size=(3, 3, 3, 4)), RNG.normal(size=4)
    z = ops.conv2d_layer(x, kernel, bias, stride=2)
    for i, j in itertools.product(range(z.shape[0]), range(z.shape[1])):
        patch = x[2 * i: 2 * i + 3, 2 * j: 2 * j + 3]
        np.testing.assert_allclose(z[i, j], np.einsum("mnl,mnlk->k", patch, kernel) + bias)
    np.testing.assert_allclose(ops.conv2d_layer(x, kernel, stride=2), z - bias)
    one = ops.conv2d_layer(x[:, :, :1], kernel[:, :, :1, :1])[:, :, 0]
    np.testing.assert_allclose(one, scipy.signal.correlate2d(x[:, :, 0], kernel[:, :, 0, 0], "valid"))


# ------------------------------------------------------------------------------------------- pooling
POOL_CASES = [(shape, size, stride, p) for shape in [(6, 6), (7, 5), (5, 9)] for size in [1, 2, 3, (2, 3)]
              for stride in [None, 1, 2, (1, 2)] for p in ("valid", "same")]


@pytest.mark.parametrize(("shape", "size", "stride", "padding"), POOL_CASES)
def test_pool2d_matches_keras(keras, shape, size, stride, padding):
    x = RNG.normal(size=(2, *shape, 3)).astype("float32") - 3.0  # negative: zeros would win a max
    for mode, cls in (("max", keras.layers.MaxPooling2D), ("avg", keras.layers.AveragePooling2D)):
        got = np.asarray(cls(size, strides=stride, padding=padding)(x))
        np.testing.assert_allclose(ops.pool2d(x, size, stride, mode, padding), got, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(ops.pool2d(x[0], size, stride, mode, padding), got[0], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(ops.pool2d(x[0, :, :, 0], size, stride, mode, padding), got[0, :, :, 0],
                                   rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("n", "size", "stride", "padding"),
                         [(n, k, s, p) for n in (5, 8, 9) for k in (1, 2, 3) for s in (None, 1, 2) for p in ops.PADDINGS])
def test_pool1d_matches_keras(keras, n, size, stride, padding):
    x = RNG.normal(size=(1, n, 1)).astype("float32") - 3.0
    for mode, cls in (("max", keras.layers.MaxPooling1D), ("avg", keras.layers.AveragePooling1D)):
        got = np.asarray(cls(size, strides=stride, padding=padding)(x))[0, :, 0]
        np.testing.assert_allclose(ops.pool1d(x[0, :, 0], size, stride, mode, padding), got, rtol=1e-5, atol=1e-5)


def test_pool_matches_scipy_ndimage_filters():
    x = RNG.normal(size=(9, 10))
    for size in (1, 2, 3):
        a = size // 2  # scipy centres a window of even size on its upper middle cell
        for stride in (1, size):
            want = scipy.ndimage.maximum_filter(x, size=size, mode="nearest")[a::stride, a::stride]
            got = ops.pool2d(x, size, stride)
            np.testing.assert_allclose(got, want[: got.shape[0], : got.shape[1]])
            want = scipy.ndimage.uniform_filter(x, size=size)[a::stride, a::stride]
            got = ops.pool2d(x, size, stride, "avg")
            np.testing.assert_allclose(got, want[: got.shape[0], : got.shape[1]])
    signal = RNG.normal(size=12)
    np.testing.assert_allclose(ops.pool1d(signal, 3), signal.reshape(4, 3).max(axis=1))
    np.testing.assert_allclose(ops.pool1d(signal, 4, mode="avg"), signal.reshape(3, 4).mean(axis=1))


def test_same_max_pooling_ignores_padding():
    x = -np.arange(1.0, 6.0)  # all negative: a zero pad would win
    assert ops.pool1d(x, 2, padding="same")[-1] == -5.0
    np.testing.assert_allclose(ops.pool1d(x, 2, mode="avg", padding="same"), [-1.5, -3.5, -5.0])


# ------------------------------------------------------------------------------------------- sizes
def test_output_size_matches_keras_grid(keras):
    for n, k, s in itertools.product((5, 6, 7, 10), (1, 2, 3, 4), (1, 2, 3)):
        x = np.zeros((1, n, n, 1), "float32")
        for p, pads in (("valid", (0, 0)), ("same", ops.same_padding(n, k, s))):
            layer = keras.layers.Conv2D(1, k, strides=s, padding=p)
            got = layer.compute_output_shape(x.shape)[1]
            assert got == int(np.asarray(layer(x)).shape[1])
            if p == "valid":
                assert ops.output_size(n, k, s) == got
            else:
                assert got == -(-n // s)
                assert ops.output_size(n + sum(pads), k, s) == got
                assert len(ops.conv1d(np.ones(n), np.ones(k), "same", s)) == got
            if pads[0] == pads[1]:
                assert ops.output_size(n, k, s, pads[0]) == got


def test_output_size_examples():
    assert ops.output_size(28, 3) == 26
    assert ops.output_size(6, 3, stride=3) == 2
    assert ops.output_size(28, 3, padding=1) == 28
    assert ops.output_size(7, 2, stride=2) == 3


def test_same_padding_puts_extra_zero_after():
    assert ops.same_padding(5, 3) == (1, 1)
    assert ops.same_padding(5, 2) == (0, 1)
    assert ops.same_padding(5, 4) == (1, 2)
    assert ops.same_padding(6, 3, 2) == (0, 1)
    assert ops.same_padding(6, 1, 3) == (0, 0)


def test_pad_matches_np_pad():
    x = RNG.normal(size=(3, 4, 2))
    np.testing.assert_array_equal(ops.pad(x, 1, 2), np.pad(x, [(1, 2)] * 3))
    np.testing.assert_array_equal(ops.pad(x, (1, 0, 0), (0, 2, 0)), np.pad(x, [(1, 0), (0, 2), (0, 0)]))
    np.testing.assert_array_equal(ops.pad([1, 2], 1, 1), [0, 1, 2, 0])


# ------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("fn", "args", "kwargs", "error", "match"),
    [
        (ops.conv2d, (np.ones(4), np.ones((2, 2))), {}, ValueError, "image must have 2.*conv2d_layer"),
        (ops.conv2d, (np.ones((4, 4)), np.ones(2)), {}, ValueError, "kernel must have 2"),
        (ops.conv2d, (np.ones((4, 4)), np.ones((5, 2))), {}, ValueError, "larger than the image.*'same'"),
        (ops.conv2d, (np.ones((4, 4)), np.ones((2, 2))), {"mode": "causal"}, ValueError, "use one of"),
        (ops.conv2d, (np.ones((4, 4)), np.ones((2, 2))), {"stride": (1, 2, 3)}, ValueError, "pair"),
        (ops.conv2d, (np.ones((4, 4)), np.ones((2, 2))), {"stride": (1, 0)}, ValueError, ">= 1"),
        (ops.conv2d_layer, (np.ones((4, 4)), np.ones((2, 2, 1, 1))), {}, ValueError, "x must have 3 or 4"),
        (ops.conv2d_layer, (np.ones((4, 4, 1)), np.ones((2, 2, 1))), {}, ValueError, "Keras' layout"),
        (ops.conv2d_layer, (np.ones((4, 4, 3)), np.ones((2, 2, 1, 2))), {}, ValueError, "3 channels.*transpose"),
        (ops.conv2d_layer, (np.ones((4, 4, 1)), np.ones((2, 2, 1, 2)), np.ones(3)), {}, ValueError,
         r"pass shape \(2,\)"),
        (ops.conv2d_layer, (np.ones((4, 4, 1)), np.ones((5, 5, 1, 2))), {}, ValueError, "larger than the input"),
        (ops.conv2d_layer, (np.ones((4, 4, 1)), np.ones((2, 2, 1, 2))), {"padding": "full"}, ValueError, "use one of"),
        (ops.pool2d, (np.ones(4), 2), {}, ValueError, "x must have 2 or 3 or 4"),
        (ops.pool2d, (np.ones((4, 4)), 5), {}, ValueError, "larger than the input.*'same'"),
        (ops.pool2d, (np.ones((4, 4)), 2), {"mode": "min"}, ValueError, "'max', 'avg'"),
        (ops.pool2d, (np.ones((4, 4)), 2), {"padding": "full"}, ValueError, "'valid', 'same'"),
        (ops.pool2d, (np.ones((4, 4)), 0), {}, ValueError, "size must be >= 1"),
        (ops.pool2d, (np.ones((4, 4)), 2.0), {}, TypeError, "positive integer"),
        (ops.pool1d, (np.ones((4, 4)), 2), {}, ValueError, "x must have 1"),
        (ops.pool1d, (np.ones(4), 2), {"stride": 0}, ValueError, "stride must be >= 1"),
        (ops.pool1d, (np.ones(4), 5), {}, ValueError, "larger than the input"),
        (ops.output_size, (5, 7), {}, ValueError, "longer than the padded input"),
        (ops.output_size, (5, 3), {"padding": -1}, ValueError, "padding must be an integer >= 0"),
        (ops.output_size, (0, 3), {}, ValueError, "n must be >= 1"),
        (ops.output_size, (5, 3), {"stride": 0}, ValueError, "stride must be >= 1"),
        (ops.same_padding, (5, 0), {}, ValueError, "k must be >= 1"),
        (ops.pad, (np.ones((2, 2)), (1, 1, 1), 0), {}, ValueError, "3 amounts but x has 2 axes"),
        (ops.pad, (np.ones((2, 2)), -1, 0), {}, ValueError, "integers >= 0"),
    ],
)
def test_errors(fn, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)


# ------------------------------------------------------------------------------- what NumPy would accept silently
@pytest.mark.parametrize(
    ("fn", "args", "kwargs", "error", "match"),
    [
        (ops.conv1d, (np.array([1 + 2j, 2, 3]), np.ones(2)), {}, TypeError, "x holds complex numbers.*x.real"),
        (ops.conv2d, (np.ones((3, 3)), np.ones((2, 2)) * 1j), {}, TypeError, "kernel holds complex numbers"),
        (ops.conv1d, (["1", "2", "3"], np.ones(2)), {}, TypeError, "x must be a numeric array, got an array of dtype <U1"),
        (ops.conv1d, (np.array([None, 1.0, 2.0]), np.ones(2)), {}, TypeError, "x must hold only real numbers"),
        (ops.conv1d, (np.ones(4), np.ones(2)), {"flip": "no"}, TypeError, "flip must be True or False"),
        (ops.conv2d, (np.ones((4, 4)), np.ones((2, 2))), {"flip": 0}, TypeError, "flip must be True or False"),
        (ops.conv1d, (np.ones(4), np.ones(2)), {"mode": ["valid"]}, ValueError, "mode=\\['valid'\\] is not known"),
        (ops.pad, (np.ones(3), 1.0, 1), {}, TypeError, "before must be an int or one int per axis, got 1.0"),
        (ops.pad, (np.ones((2, 2)), (1, 1.5), 0), {}, TypeError, "padding amounts must be integers"),
        (ops.pad, (3.0, 1, 1), {}, ValueError, "x is a scalar.*np.atleast_1d"),
        (ops.pad, (["a", "b"], 1, 1), {}, TypeError, "x must be a numeric array"),
        (ops.pool2d, (np.ones((4, 4)), (2, 2, 2)), {}, ValueError, "size must be an int or a pair"),
    ],
)
def test_inputs_numpy_would_convert_silently_are_refused(fn, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        fn(*args, **kwargs)


def test_strides_and_pads_given_as_numpy_arrays_match_scipy_and_np_pad():
    image, kernel = RNG.normal(size=(7, 8)), RNG.normal(size=(3, 2))
    full = scipy.signal.correlate2d(image, kernel, "valid")
    np.testing.assert_allclose(ops.conv2d(image, kernel, stride=np.array([2, 3]), flip=False), full[::2, ::3])
    np.testing.assert_array_equal(ops.pad(image, np.array([1, 0]), np.array([0, 2])), np.pad(image, [(1, 0), (0, 2)]))
    np.testing.assert_allclose(ops.conv1d(np.array([1, 2, 3], dtype=object), [1, 1]), np.convolve([1, 2, 3], [1, 1], "valid"))
