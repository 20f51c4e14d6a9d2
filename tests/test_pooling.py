"""SlicedMaxPooling2D against keras.layers.MaxPooling2D, on the backend that runs (outputs, gradients).

On JAX's CPU backend the layer takes the maximum of strided slices; elsewhere it is Keras' own. Either way its
outputs, and its gradients where no window has a tie, must be Keras' layer's.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

import course_utils  # noqa: F401  (quiets TensorFlow before it is imported)
from course_utils.layers import SlicedMaxPooling2D

RNG = np.random.default_rng(0)

CASES = [
    ((2, 28, 28, 3), dict(pool_size=2, strides=2, padding="same")),     # VGG11's first pooling
    ((2, 7, 7, 4), dict(pool_size=2, strides=2, padding="same")),       # an odd side: one padded row and column
    ((2, 1, 1, 2), dict(pool_size=2, strides=2, padding="same")),       # VGG11's last pooling on 28×28
    ((2, 14, 14, 3), dict(pool_size=3, strides=2, padding="same")),     # Xception's overlapping windows
    ((1, 9, 8, 2), dict(pool_size=(3, 2), strides=(2, 3), padding="same")),
    ((1, 9, 8, 2), dict(pool_size=(3, 2), strides=(1, 2), padding="valid")),
    ((3, 6, 6, 1), dict(pool_size=2)),
]


def _gradient(layer, x, upstream):
    """d/d(input) of sum(layer(x) · upstream), on the active backend, as a NumPy array."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda inputs: (layer(inputs) * upstream).sum())(x))
    if backend == "tensorflow":
        import tensorflow as tf

        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            total = tf.reduce_sum(layer(inputs) * upstream)
        return tape.gradient(total, inputs).numpy()
    import torch

    inputs = torch.tensor(x, requires_grad=True)
    (layer(inputs) * torch.tensor(upstream)).sum().backward()
    return inputs.grad.detach().cpu().numpy()


@pytest.mark.parametrize("shape, kwargs", CASES)
def test_outputs_and_gradients_match_keras(shape, kwargs):
    x = RNG.normal(size=shape).astype("float32")    # continuous values: no window has a tie
    reference, sliced = keras.layers.MaxPooling2D(**kwargs), SlicedMaxPooling2D(**kwargs)
    expected = keras.ops.convert_to_numpy(reference(x))
    got = keras.ops.convert_to_numpy(sliced(x))
    assert got.shape == expected.shape == tuple(reference.compute_output_shape(shape))
    np.testing.assert_array_equal(got, expected)
    upstream = RNG.normal(size=expected.shape).astype("float32")
    np.testing.assert_allclose(_gradient(sliced, x, upstream), _gradient(reference, x, upstream), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape, kwargs", CASES)
def test_the_slices_run_only_on_jax_cpu(shape, kwargs):
    layer = SlicedMaxPooling2D(**kwargs)
    on_jax_cpu = keras.backend.backend() == "jax" and __import__("jax").default_backend() == "cpu"
    assert layer.slices(np.zeros(shape, "float32")) == on_jax_cpu
    assert not layer.slices(np.zeros(shape[1:], "float32"))


def test_a_tie_shares_the_gradient_and_keeps_its_total():
    """Four equal inputs in one 2×2 window: one output, and the gradient's total is the upstream value."""
    x = np.ones((1, 2, 2, 1), "float32")
    layer = SlicedMaxPooling2D(2)
    grad = _gradient(layer, x, np.full((1, 1, 1, 1), 3.0, "float32"))
    assert keras.ops.convert_to_numpy(layer(x)).item() == 1.0
    np.testing.assert_allclose(grad.sum(), 3.0)
    assert np.all(grad >= 0)


def test_a_wrong_window_is_caught_by_the_comparison():
    """The comparison above fails for a pooling whose window is off by one: it is not a formality."""
    x = RNG.normal(size=(2, 9, 9, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(3, strides=2, padding="same")(x))
    shifted = keras.ops.convert_to_numpy(SlicedMaxPooling2D(2, strides=2, padding="same")(x))
    assert shifted.shape == expected.shape and not np.array_equal(shifted, expected)


def test_model_with_the_layer_saves_and_loads(tmp_path):
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, SlicedMaxPooling2D(2, padding="same", name="pool")(inputs))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.get_layer("pool"), SlicedMaxPooling2D)
    x = RNG.normal(size=(2, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)))
