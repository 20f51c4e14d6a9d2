"""FusedSeparableConv2D against keras.layers.SeparableConv2D, on the backend that runs (outputs, gradients).

On JAX the layer computes the depthwise step as shifted multiply-adds; elsewhere it is Keras' own. Either way
its outputs and gradients must be Keras' layer's for the same weights.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

import course_utils  # noqa: F401  (quiets TensorFlow before it is imported)
from course_utils.layers import FusedSeparableConv2D

RNG = np.random.default_rng(0)

CASES = [
    ((2, 9, 7, 4), dict(filters=5, kernel_size=3, padding="same")),
    ((2, 9, 7, 4), dict(filters=5, kernel_size=(3, 2), padding="same")),
    ((2, 8, 8, 3), dict(filters=6, kernel_size=(2, 4), padding="same", use_bias=False)),
    ((1, 9, 7, 4), dict(filters=3, kernel_size=(3, 2), padding="valid", activation="relu")),
    ((3, 5, 6, 2), dict(filters=4, kernel_size=1)),
    ((2, 9, 9, 4), dict(filters=5, kernel_size=3, strides=2, padding="same")),       # Keras' path
    ((2, 9, 9, 4), dict(filters=5, kernel_size=3, depth_multiplier=2)),              # Keras' path
    ((2, 9, 9, 4), dict(filters=5, kernel_size=3, dilation_rate=2, padding="same")),  # Keras' path
]


def _pair(shape, kwargs):
    """Keras' layer and the course's, built on ``shape`` with the same random weights, and an input."""
    reference, fused = keras.layers.SeparableConv2D(**kwargs), FusedSeparableConv2D(**kwargs)
    reference.build(shape)
    fused.build(shape)
    weights = [RNG.normal(size=w.shape).astype("float32") for w in reference.get_weights()]
    reference.set_weights(weights)
    fused.set_weights(weights)
    return reference, fused, RNG.normal(size=shape).astype("float32")


def _gradients(layer, x, upstream):
    """d/d(input, weights) of sum(layer(x) · upstream), on the active backend, as NumPy arrays."""
    backend = keras.backend.backend()
    variables = [v.value for v in layer.trainable_variables]
    if backend == "jax":
        import jax

        def loss(values, inputs):
            outputs, _ = layer.stateless_call(values, [], inputs)
            return (outputs * upstream).sum()

        d_values, d_x = jax.grad(loss, argnums=(0, 1))(variables, x)
        return [np.asarray(g) for g in (d_x, *d_values)]
    if backend == "tensorflow":
        import tensorflow as tf

        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            total = tf.reduce_sum(layer(inputs) * upstream)
        return [g.numpy() for g in tape.gradient(total, [inputs, *layer.trainable_variables])]
    import torch

    inputs = torch.tensor(x, requires_grad=True)
    for v in variables:
        v.grad = None
    (layer(inputs) * torch.tensor(upstream)).sum().backward()
    return [g.detach().cpu().numpy() for g in (inputs.grad, *(v.grad for v in variables))]


@pytest.mark.parametrize("shape, kwargs", CASES)
def test_outputs_and_gradients_match_keras(shape, kwargs):
    reference, fused, x = _pair(shape, kwargs)
    expected = keras.ops.convert_to_numpy(reference(x))
    got = keras.ops.convert_to_numpy(fused(x))
    assert got.shape == expected.shape == tuple(reference.compute_output_shape(shape))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    upstream = RNG.normal(size=expected.shape).astype("float32")
    for ours, keras_grad in zip(_gradients(fused, x, upstream), _gradients(reference, x, upstream), strict=True):
        np.testing.assert_allclose(ours, keras_grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape, kwargs", CASES)
def test_the_sum_runs_only_on_jax_and_where_it_applies(shape, kwargs):
    layer = FusedSeparableConv2D(**kwargs)
    plain = all(kwargs.get(k, 1) in (1, (1, 1)) for k in ("strides", "depth_multiplier", "dilation_rate"))
    assert layer.fuses(np.zeros(shape, "float32")) == (keras.backend.backend() == "jax" and plain)
    assert not layer.fuses(np.zeros(shape[1:], "float32"))


def test_a_wrong_kernel_is_caught_by_the_comparison():
    """The comparison above fails for a layer whose depthwise kernel is flipped: it is not a formality."""
    reference, fused, x = _pair((2, 9, 7, 4), dict(filters=5, kernel_size=3, padding="same"))
    depthwise, pointwise, bias = reference.get_weights()
    fused.set_weights([depthwise[::-1, ::-1], pointwise, bias])
    assert not np.allclose(keras.ops.convert_to_numpy(fused(x)), keras.ops.convert_to_numpy(reference(x)), atol=1e-3)


def test_mixed_precision_policy_returns_the_compute_dtype():
    layer = FusedSeparableConv2D(4, 3, padding="same", dtype="mixed_bfloat16")
    out = layer(np.ones((1, 6, 6, 2), "float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"
    assert layer.depthwise_kernel.dtype == "float32"


def test_model_with_the_layer_saves_and_loads(tmp_path):
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, FusedSeparableConv2D(4, 3, padding="same", name="sep")(inputs))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.get_layer("sep"), FusedSeparableConv2D)
    x = RNG.normal(size=(2, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), atol=1e-6)
