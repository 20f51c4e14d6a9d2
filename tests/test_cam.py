"""Tests of course_utils.cam against hand loops and the models' own outputs."""

import keras
import numpy as np
import pytest
import scipy.special
from keras import layers

from course_utils import cam


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((6, 5, 2))
    a = layers.Conv2D(3, 3, padding="same", activation="relu", name="features")(inputs)
    pooled = layers.GlobalAveragePooling2D()(a)
    pooled = layers.Dropout(0.5)(pooled)
    outputs = layers.Dense(4, activation="softmax", name="predictions")(pooled)
    return keras.Model(inputs, outputs)


def test_maps_by_loops_and_logits_match_model():
    model = _model()
    x = np.random.default_rng(1).normal(size=(3, 6, 5, 2)).astype(np.float32)
    maps, logits = cam.class_activation_maps(model, x, "features")
    assert maps.shape == (3, 6, 5, 4) and logits.shape == (3, 4)
    probe = keras.Model(model.input, model.get_layer("features").output)
    a = keras.ops.convert_to_numpy(probe(x))
    w, b = model.get_layer("predictions").get_weights()
    expected = np.zeros_like(maps)
    for n in range(3):
        for i in range(6):
            for j in range(5):
                for c in range(4):
                    expected[n, i, j, c] = sum(w[k, c] * a[n, i, j, k] for k in range(3))
    np.testing.assert_allclose(maps, expected, atol=1e-5)
    probs = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(scipy.special.softmax(logits, axis=-1), probs, atol=1e-5)
    np.testing.assert_allclose(cam.softmax(logits), scipy.special.softmax(logits, axis=-1), atol=1e-12)


def test_errors():
    model = _model()
    x = np.zeros((1, 6, 5, 2), np.float32)
    with pytest.raises(TypeError):
        cam.class_activation_maps("model", x, "features")
    with pytest.raises(ValueError, match="no layer"):
        cam.class_activation_maps(model, x, "nope")
    with pytest.raises(ValueError, match="h, w, K"):
        cam.class_activation_maps(model, x, model.layers[2].name)
    with pytest.raises(ValueError):
        cam.softmax(np.float64(1.0))


def test_maps_from_features_is_the_weighted_sum_of_the_maps():
    rng = np.random.default_rng(0)
    features, kernel = rng.normal(size=(2, 5, 3)), rng.normal(size=(3, 4))   # series: (batch, length, K)
    expected = np.stack([[[sum(features[b, t, k] * kernel[k, c] for k in range(3)) for c in range(4)]
                          for t in range(5)] for b in range(2)])
    np.testing.assert_allclose(cam.maps_from_features(features, kernel), expected)
    with pytest.raises(ValueError, match="does not take"):
        cam.maps_from_features(features, kernel[:2])
    with pytest.raises(ValueError, match="positions"):
        cam.maps_from_features(features[:, 0], kernel)
