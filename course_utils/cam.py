"""Class activation maps of classifiers that end in global average pooling and a Dense layer (Zhou et al. 2016):
``M_c(i, j) = sum_k w[k, c] A_k(i, j)`` for images (``M_c(t)`` for series), whose mean over the positions plus
the bias ``b_c`` is the logit of class ``c``. No gradients are needed, so the same code runs on every Keras
backend. Notebook 09 uses it for images; :func:`course_utils.timeseries.class_activation_map` for series."""

from __future__ import annotations

import numpy as np


def maps_from_features(features: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The class activation maps ``sum_k kernel[k, c] features[..., k]`` of every class, in float64.

    Args:
        features: the last feature maps ``(batch, positions..., K)`` (one or two position axes).
        kernel: the final Dense layer's weights ``(K, classes)``.

    Returns:
        ``(batch, positions..., classes)``.

    Raises:
        ValueError: if ``features`` has no position axis, or ``kernel`` does not take ``K`` inputs.
    """
    features, kernel = np.asarray(features, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    if features.ndim < 3:
        raise ValueError(f"features must be (batch, positions..., K) maps, got shape {features.shape}.")
    if kernel.ndim != 2 or kernel.shape[0] != features.shape[-1]:
        raise ValueError(f"the Dense kernel has shape {kernel.shape}, which does not take the "
                         f"{features.shape[-1]} feature maps.")
    return features @ kernel


def class_activation_maps(model, x: np.ndarray, feature_layer: str, dense_layer: str = "predictions"
                          ) -> tuple[np.ndarray, np.ndarray]:
    """The class activation maps of every class, and the logits they add up to.

    Args:
        model: a functional ``keras.Model`` in which ``feature_layer`` outputs ``(batch, h, w, K)`` feature maps
            that reach ``dense_layer`` only through a global average pooling (and layers that are the identity at
            inference, such as dropout).
        x: a batch of inputs of the model's input shape.
        feature_layer: name of the layer whose output holds the last feature maps ``A``.
        dense_layer: name of the final Dense layer (weights ``(K, classes)`` and a bias).

    Returns:
        ``maps`` float64 ``(batch, h, w, classes)`` and ``logits`` float64 ``(batch, classes)``, the logits
        computed from the pooled features by hand, ``mean_ij maps + b``.

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: for a layer the model lacks, feature maps that are not 4-D, or a Dense layer whose kernel does
            not take ``K`` inputs or that has no bias.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
    names = [layer.name for layer in model.layers]
    for name in (feature_layer, dense_layer):
        if name not in names:
            raise ValueError(f"the model has no layer {name!r}; its layers are {', '.join(names)}.")
    dense = model.get_layer(dense_layer)
    weights = dense.get_weights()
    if len(weights) != 2:
        raise ValueError(f"layer {dense_layer!r} must be a Dense layer with a kernel and a bias.")
    kernel, bias = (np.asarray(w, dtype=np.float64) for w in weights)
    probe = keras.Model(model.inputs[0] if len(model.inputs) == 1 else model.inputs, model.get_layer(feature_layer).output)
    features = np.asarray(keras.ops.convert_to_numpy(probe(np.asarray(x, dtype=np.float32), training=False)),
                          dtype=np.float64)
    if features.ndim != 4:
        raise ValueError(f"layer {feature_layer!r} must output (batch, h, w, K) maps, got shape {features.shape}.")
    maps = maps_from_features(features, kernel)
    logits = maps.mean(axis=(1, 2)) + bias
    return maps, logits


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, computed stably (the maximum is subtracted first)."""
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 0:
        raise ValueError("logits must have at least one axis (the classes).")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
