"""1-D convolution on time series: hand-made kernels, z-normalisation, the fully convolutional
network of Wang, Yan & Oates (2017) and its class activation map.

    from course_utils import timeseries as ts
    model = ts.fcn((150, 1), num_classes=2)          # Conv1D(128,8)-BN-ReLU, (256,5), (128,3), GAP, softmax
    cam = ts.class_activation_map(model, x_test[:4])  # (4, 150): which time steps drove the decision

Shapes follow Keras: a batch of series is ``(batch, length, channels)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course_utils._checks import non_negative_int, number, positive_int

#: Names of the layers :func:`fcn` builds, in order (three blocks, then pooling and the classifier).
FCN_BLOCKS = ((128, 8), (256, 5), (128, 3))
FEATURE_LAYER = "relu3"
OUTPUT_LAYER = "softmax"


def moving_average_kernel(span: int) -> np.ndarray:
    """The kernel of a moving average over ``span`` samples: ``span`` equal weights that sum to 1.

    Returns:
        float64 array of shape ``(span,)``. It is symmetric, so convolution and cross-correlation agree.

    Raises:
        TypeError: if ``span`` is not an integer.
        ValueError: if ``span`` is smaller than 1.
    """
    if isinstance(span, bool) or not isinstance(span, (int, np.integer)):
        raise TypeError(f"span must be an integer number of samples, got {type(span).__name__}.")
    if span < 1:
        raise ValueError(f"span must be at least 1 sample, got {span}.")
    return np.full(int(span), 1.0 / span)


def difference_kernel() -> np.ndarray:
    """The central-difference kernel ``[1/2, 0, -1/2]``, indexed ``k(-1), k(0), k(1)``.

    Under true convolution (``np.convolve``) it gives ``s(t) = (x(t+1) - x(t-1)) / 2``, the slope of the
    series; under cross-correlation (what ``keras.layers.Conv1D`` computes) the same weights give minus
    the slope.

    Returns:
        float64 array of shape ``(3,)``.
    """
    return np.array([0.5, 0.0, -0.5])


def znormalize(x: np.ndarray, axis: int = 1) -> np.ndarray:
    """Give every series zero mean and unit standard deviation along ``axis`` (the time axis).

    A constant series has no scale to divide by; it comes out as all zeros.

    Args:
        x: array of at least one dimension, e.g. ``(batch, length, channels)`` with ``axis=1``.

    Returns:
        float64 array of the shape of ``x``.

    Raises:
        TypeError: if ``x`` is not numeric or ``axis`` is not an integer.
        ValueError: if ``x`` is empty or ``axis`` is not one of its axes.
    """
    raw = np.asarray(x)
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"x must be a numeric array of series, got an array of dtype {raw.dtype}.")
    x = raw.astype(np.float64)
    if x.size == 0:
        raise ValueError("znormalize needs at least one value; got an empty array.")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer (the time axis, usually 1), got {axis!r}.")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis {axis} does not exist in an array of shape {x.shape}; time is usually axis 1.")
    centred = x - x.mean(axis=axis, keepdims=True)
    std = x.std(axis=axis, keepdims=True)
    return centred / np.where(std > 0, std, 1.0)


def fcn(input_shape: Sequence[int], num_classes: int, bn_momentum: float = 0.9):
    """The fully convolutional network for series classification of Wang, Yan & Oates (2017).

    Three blocks ``Conv1D(filters, width, padding="same") -> BatchNormalization -> ReLU`` with
    (filters, width) = (128, 8), (256, 5), (128, 3); global average pooling over time; a softmax layer.
    Layers are named ``conv1, bn1, relu1, ..., relu3, gap, softmax``.

    Args:
        input_shape: ``(length, channels)`` of one series; ``length`` may be ``None`` (any length).
        num_classes: number of classes, at least 2.
        bn_momentum: how much of its running statistics batch normalisation keeps per step. Keras' default
            0.99 needs ~1000 steps before inference matches training; 0.9 suits the few, small batches of
            the UCR training sets.

    Returns:
        An uncompiled ``keras.Model`` mapping ``(batch, length, channels)`` to ``(batch, num_classes)``.

    Raises:
        ValueError: for an input shape that is not ``(length, channels)`` of positive integers, fewer than 2
            classes, or a ``bn_momentum`` outside [0, 1).
    """
    import keras
    from keras import layers

    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, (Sequence, np.ndarray)):
        raise ValueError(f"input_shape must be (length, channels), e.g. (150, 1) for a univariate series; got "
                         f"{input_shape!r}.")
    input_shape = tuple(input_shape)
    if len(input_shape) != 2 or input_shape[1] is None or any(
            d is not None and (isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1) for d in input_shape):
        raise ValueError(
            f"input_shape must be (length, channels), e.g. (150, 1) for a univariate series; got {input_shape}."
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer of at least 2, got {num_classes!r}.")
    if not 0.0 <= number(bn_momentum, "bn_momentum") < 1.0:
        raise ValueError(f"bn_momentum is the share of the running statistics kept per step, in [0, 1); got {bn_momentum}.")
    input_shape = tuple(None if d is None else int(d) for d in input_shape)
    inputs = keras.Input(shape=input_shape, name="series")
    h = inputs
    for i, (filters, width) in enumerate(FCN_BLOCKS, start=1):
        h = layers.Conv1D(filters, width, padding="same", name=f"conv{i}")(h)
        h = layers.BatchNormalization(momentum=bn_momentum, name=f"bn{i}")(h)
        h = layers.Activation("relu", name=f"relu{i}")(h)
    h = layers.GlobalAveragePooling1D(name="gap")(h)
    outputs = layers.Dense(int(num_classes), activation="softmax", name=OUTPUT_LAYER)(h)
    return keras.Model(inputs, outputs, name="fcn")


def fcn_parameter_count(channels: int, num_classes: int) -> int:
    """The number of weights of :func:`fcn`, counted by hand (batch-norm statistics included).

    A Conv1D of width ``w`` from ``c_in`` to ``c_out`` channels has ``w * c_in * c_out + c_out``
    weights; a batch normalisation over ``c`` channels has ``4 c`` (scale, offset, moving mean and
    variance); the softmax layer ``128 * num_classes + num_classes``.

    Raises:
        TypeError: for counts that are not integers.
        ValueError: for fewer than 1 channel or 2 classes.
    """
    channels, num_classes = positive_int(channels, "channels"), positive_int(num_classes, "num_classes")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}.")
    total, c_in = 0, channels
    for filters, width in FCN_BLOCKS:
        total += width * c_in * filters + filters + 4 * filters
        c_in = filters
    return total + c_in * num_classes + num_classes


def fcn_callbacks(patience: int = 50, min_lr: float = 1e-4):
    """The learning-rate schedule of Wang et al. (2017): halve it when the training loss stalls.

    Args:
        patience: epochs without improvement of the training loss before the rate is halved.
        min_lr: the rate is never halved below this.

    Raises:
        TypeError: for a non-integer ``patience`` or a non-number ``min_lr``.
        ValueError: for a negative ``patience`` or ``min_lr``.
    """
    import keras

    patience = non_negative_int(patience, "patience")
    if number(min_lr, "min_lr") < 0:
        raise ValueError(f"min_lr must be >= 0, got {min_lr}.")

    return [keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=patience, min_lr=min_lr)]


def feature_maps(model, x: np.ndarray, layer: str = FEATURE_LAYER) -> np.ndarray:
    """The output of one named layer for a batch, e.g. the last feature maps ``(batch, length, 128)``.

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: if the model has no layer called ``layer``, or ``x`` does not have the shape the model takes.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model (e.g. one built by fcn), got {type(model).__name__}.")
    x = np.asarray(x, dtype=np.float32)
    expected = model.input_shape if not isinstance(model.input_shape, list) else model.input_shape[0]
    if x.ndim != len(expected) or any(e is not None and e != d for e, d in zip(expected[1:], x.shape[1:])):
        raise ValueError(f"x has shape {x.shape} but the model takes {tuple(expected)} (None: any size); for one "
                         "series use x[None], for a univariate series without a channel axis x[..., None].")
    names = [lay.name for lay in model.layers]
    if layer not in names:
        raise ValueError(f"the model has no layer {layer!r}; its layers are {', '.join(names)}.")
    probe = keras.Model(model.inputs, model.get_layer(layer).output)
    return np.asarray(probe.predict(x, verbose=0))


def class_activation_map(model, x: np.ndarray, class_index: int | Sequence[int] | None = None) -> np.ndarray:
    """Class activation map (Zhou et al. 2016; Wang et al. 2017): ``CAM_c(t) = sum_m w[m, c] A_m(t)``.

    ``A_m(t)`` is feature map ``m`` of the last convolutional block at time ``t`` and ``w[m, c]`` the weight
    that connects its global average to class ``c`` in the softmax layer. Averaged over ``t`` (plus the
    bias) it is exactly the logit of class ``c``, so the map shows which time steps pushed the decision.

    Args:
        model: a model built by :func:`fcn` (layers ``relu3`` and ``softmax``).
        x: batch ``(batch, length, channels)``.
        class_index: the class to explain, one per series or one for all; ``None`` = the predicted class.

    Returns:
        float64 array ``(batch, length)``.

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: for a model without the layers of :func:`fcn`, a batch that is not 3-D or of another shape
            than the model's, or class indices out of range or not one per series.
    """
    import keras

    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"x must be a batch (batch, length, channels), got shape {x.shape}; use x[None] for one.")
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model built by fcn, got {type(model).__name__}.")
    names = [lay.name for lay in model.layers]
    if FEATURE_LAYER not in names or OUTPUT_LAYER not in names:
        raise ValueError(f"class_activation_map needs a model built by fcn, with layers {FEATURE_LAYER!r} and "
                         f"{OUTPUT_LAYER!r}; this one has {', '.join(names)}.")
    maps = feature_maps(model, x, FEATURE_LAYER).astype(np.float64)
    weights = np.asarray(model.get_layer(OUTPUT_LAYER).get_weights()[0], dtype=np.float64)
    if class_index is None:
        classes = np.asarray(model.predict(x, verbose=0)).argmax(axis=-1)
    else:
        classes = np.asarray(class_index)
        if classes.ndim > 1 or (classes.ndim == 1 and len(classes) != len(x)):
            raise ValueError(f"class_index must be one class for all series or one per series ({len(x)}), got "
                             f"shape {classes.shape}.")
        classes = np.broadcast_to(classes, (len(x),))
        if classes.dtype.kind not in "iu" or classes.min() < 0 or classes.max() >= weights.shape[1]:
            raise ValueError(f"class_index must be integers in 0..{weights.shape[1] - 1}, got {class_index!r}.")
    from course_utils.cam import maps_from_features

    return maps_from_features(maps, weights)[np.arange(len(x)), :, classes]
