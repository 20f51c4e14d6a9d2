"""FusedBatchNormalization against keras.layers.BatchNormalization: outputs, gradients, moving statistics,
fallbacks and saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from course_utils.layers import FusedBatchNormalization


def _pair(shape, **kwargs):
    """A Keras layer and a fused one, built for ``shape``, with the same random gamma, beta and moving stats."""
    rng = np.random.default_rng(0)
    reference, fused = keras.layers.BatchNormalization(**kwargs), FusedBatchNormalization(**kwargs)
    reference.build(shape)
    fused.build(shape)
    weights = [rng.uniform(0.5, 2.0, size=w.shape).astype("float32") for w in reference.get_weights()]
    reference.set_weights(weights)
    fused.set_weights(weights)
    return reference, fused


def _inputs(shape, seed=1):
    # A mean far from 0 and unequal scales per channel, so that a wrong mean or variance shows.
    rng = np.random.default_rng(seed)
    return (3.0 + rng.normal(size=shape) * rng.uniform(0.5, 4.0, size=shape[-1])).astype("float32")


@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.9}, {"center": False}, {"scale": False}, {"epsilon": 1e-4}])
def test_training_step_matches_keras_outputs_and_moving_statistics(kwargs):
    shape = (8, 5, 6, 4)
    reference, fused = _pair(shape, **kwargs)
    x = _inputs(shape)
    assert fused.fuses(x)
    np.testing.assert_allclose(fused(x, training=True), reference(x, training=True), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fused.moving_mean.numpy(), reference.moving_mean.numpy(), rtol=1e-6)
    # The kernel's variance carries Bessel's correction; the layer must store the biased one, as Keras does.
    np.testing.assert_allclose(fused.moving_variance.numpy(), reference.moving_variance.numpy(), rtol=1e-5)


def test_inference_uses_the_moving_statistics_like_keras():
    shape = (8, 5, 6, 4)
    reference, fused = _pair(shape, momentum=0.9)
    x = _inputs(shape)
    np.testing.assert_allclose(fused(x, training=False), reference(x, training=False), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(fused.moving_mean.numpy(), reference.moving_mean.numpy())  # untouched


def test_gradients_match_keras():
    shape = (4, 3, 3, 5)
    reference, fused = _pair(shape)
    x = tf.constant(_inputs(shape))
    upstream = tf.constant(np.random.default_rng(2).normal(size=shape).astype("float32"))
    grads = []
    for layer in (reference, fused):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x, training=True) * upstream)
        grads.append(tape.gradient(loss, [x, layer.gamma, layer.beta]))
    for got, want in zip(grads[1], grads[0]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_one_value_per_channel_gives_zero_batch_variance_as_in_keras():
    shape = (1, 1, 1, 3)
    reference, fused = _pair(shape)
    x = _inputs(shape)
    fused(x, training=True)
    reference(x, training=True)
    assert np.all(np.isfinite(fused.moving_variance.numpy()))
    np.testing.assert_allclose(fused.moving_variance.numpy(), reference.moving_variance.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "shape, kwargs, mask",
    [((6, 4), {}, None),                       # features of a Dense layer: not 4-D
     ((2, 3, 4, 5), {"axis": 1}, None),        # channels first
     ((2, 3, 4, 5), {"epsilon": 1e-6}, None),  # below the kernel's minimum epsilon
     ((2, 7, 5), {}, np.array([[True] * 5 + [False] * 2, [True] * 7]))],  # masked sequence
)
def test_falls_back_to_keras_where_the_kernel_does_not_apply(shape, kwargs, mask):
    reference, fused = _pair(shape, **kwargs)
    x = _inputs(shape)
    assert not fused.fuses(x, mask)
    np.testing.assert_allclose(fused(x, training=True, mask=mask), reference(x, training=True, mask=mask), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(fused.moving_variance.numpy(), reference.moving_variance.numpy(), rtol=1e-6)


def test_mixed_precision_policy_returns_the_compute_dtype():
    layer = FusedBatchNormalization(dtype="mixed_bfloat16")
    x = tf.constant(_inputs((2, 3, 3, 4)), dtype=tf.bfloat16)
    y = layer(x, training=True)
    assert y.dtype == tf.bfloat16
    assert layer.moving_mean.dtype == "float32"
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * np.mean(x.numpy().astype("float32"), axis=(0, 1, 2)),
                               rtol=1e-2)


def test_model_with_the_layer_saves_and_loads(tmp_path):
    inputs = keras.Input((6, 6, 2))
    x = keras.layers.Conv2D(3, 3, padding="same")(inputs)
    x = FusedBatchNormalization(momentum=0.8, name="bn")(x)
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))
    model(_inputs((4, 6, 6, 2)), training=True)  # move the statistics away from their initial values
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.get_layer("bn"), FusedBatchNormalization)
    assert loaded.get_layer("bn").momentum == pytest.approx(0.8)
    x = _inputs((3, 6, 6, 2), seed=5)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"momentum": 1.5}, ValueError, r"momentum .* in \[0, 1\]; got 1.5"),
    ({"momentum": "0.9"}, ValueError, "momentum must be a finite number"),
    ({"epsilon": -1e-3}, ValueError, "epsilon .* must be > 0"),
    ({"epsilon": 0}, ValueError, "epsilon .* must be > 0"),
    ({"axis": [3]}, TypeError, "axis must be the integer index of the channel axis"),
])
def test_arguments_keras_would_accept_silently_are_refused(kwargs, error, match):
    assert keras.layers.BatchNormalization(**{k: v for k, v in kwargs.items() if k != "axis"}) is not None
    with pytest.raises(error, match=match):
        FusedBatchNormalization(**kwargs)


def test_positional_arguments_are_keras_order():
    layer = FusedBatchNormalization(-1, 0.8, 1e-4)
    reference = keras.layers.BatchNormalization(-1, 0.8, 1e-4)
    assert (layer.axis, layer.momentum, layer.epsilon) == (reference.axis, reference.momentum, reference.epsilon)
    assert not layer.fuses([[1.0, 2.0]]) and layer.fuses(np.zeros((2, 3, 3, 4)))


# ------------------------------------------------------------------------------------------ run_conv
def test_run_conv_is_cross_correlation_against_numpy_and_scipy():
    import scipy.signal

    from course_utils.layers import run_conv

    rng = np.random.default_rng(3)
    x, image = rng.normal(size=23), rng.normal(size=(11, 14))
    for k in (1, 2, 3, 5):
        kernel = rng.normal(size=k)
        for s in (1, 2, 3):
            np.testing.assert_allclose(run_conv(x, kernel, s), np.correlate(x, kernel, "valid")[::s], atol=1e-5)
        np.testing.assert_allclose(run_conv(x, kernel, padding="causal"), np.convolve(x, kernel[::-1])[:23], atol=1e-5)
        before, after = (k - 1) // 2, k // 2
        np.testing.assert_allclose(run_conv(x, kernel, padding="same"),
                                   np.correlate(np.pad(x, (before, after)), kernel, "valid"), atol=1e-5)
    kernel2 = rng.normal(size=(3, 4))                            # distinct axes: a swap would fail
    for strides in (1, (2, 3)):
        s_r, s_c = (strides, strides) if isinstance(strides, int) else strides
        np.testing.assert_allclose(run_conv(image, kernel2, strides),
                                   scipy.signal.correlate2d(image, kernel2, "valid")[::s_r, ::s_c], atol=1e-5)
    assert run_conv(image, kernel2, (2, 3)).shape == ((11 - 3) // 2 + 1, (14 - 4) // 3 + 1)


def test_run_conv_transposed_is_the_full_convolution_of_the_zero_stuffed_input():
    import scipy.signal

    from course_utils.layers import run_conv

    rng = np.random.default_rng(4)
    x, kernel = rng.normal(size=(4, 5)), rng.normal(size=(3, 2))
    stuffed = np.zeros((7, 9))
    stuffed[::2, ::2] = x
    np.testing.assert_allclose(run_conv(x, kernel, 2, transpose=True), scipy.signal.convolve2d(stuffed, kernel),
                               atol=1e-5)
    signal, k1 = rng.normal(size=6), rng.normal(size=3)
    stuffed1 = np.zeros(16)
    stuffed1[::3] = signal
    np.testing.assert_allclose(run_conv(signal, k1, 3, transpose=True), np.convolve(stuffed1, k1), atol=1e-5)


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((np.zeros((2, 3, 4)), np.ones((3, 3))), {}, ValueError, r"x has shape \(2, 3, 4\)"),
    ((np.zeros(8), np.ones((3, 3))), {}, ValueError, "kernel has shape"),
    ((np.zeros(8), np.ones(3)), {"padding": "full"}, ValueError, "padding must be one of"),
    ((np.zeros(8), np.ones(3)), {"padding": "causal", "transpose": True}, ValueError, "padding must be one of"),
    ((np.zeros((5, 5)), np.ones((3, 3))), {"padding": "causal"}, ValueError, "padding must be one of"),
    ((np.zeros(8), np.ones(3)), {"strides": (2, 2)}, ValueError, "strides for a signal is one int"),
    ((np.zeros(8), np.ones(3)), {"strides": 0}, ValueError, "strides must be >= 1"),
    ((np.zeros(8), np.ones(3)), {"strides": 1.5}, TypeError, "strides must be a positive integer"),
    ((np.zeros(2), np.ones(3)), {}, ValueError, "larger than x"),
    ((np.array(["a", "b"]), np.ones(1)), {}, TypeError, "x must hold numbers"),
])
def test_run_conv_arguments_name_the_fix(args, kwargs, error, match):
    from course_utils.layers import run_conv

    with pytest.raises(error, match=match):
        run_conv(*args, **kwargs)
