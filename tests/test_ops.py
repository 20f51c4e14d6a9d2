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
