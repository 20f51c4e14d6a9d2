"""Model builders of the course: VGG11 (Simonyan & Zisserman 2015) and Xception (Chollet 2017).

Every builder returns a functional ``keras.Model`` whose layers carry explicit names (``block1_conv1``,
``fc1``, ...), so that summaries and weight look-ups read the same on every run.

* :func:`vgg11` – configuration A of the VGG paper. With its defaults it is the paper's network
  (224×224×3 input, 1000 classes, no batch normalisation): 132,863,336 parameters.
* :func:`xception` – entry flow, middle flow (8 repeats) and exit flow of Chollet (2017). With its defaults
  it has the 22,910,480 parameters of ``keras.applications.Xception(weights=None)``.
* :func:`mini_xception` – a small Xception-style network for 28×28 or 32×32 images, in the manner of the
  mini-Xception of *Deep Learning with Python* (Chollet, 2nd ed., 2021).

Example::

    >>> model = vgg11((28, 28, 1), num_classes=10, width=0.25, batch_norm=True)
    >>> model.output_shape
    (None, 10)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Configuration A of Simonyan & Zisserman (2015): output channels of each 3×3 convolution, one list per block;
#: every block ends with a 2×2 max pooling of stride 2.
VGG11_BLOCKS: tuple[tuple[int, ...], ...] = ((64,), (128,), (256, 256), (512, 512), (512, 512))

#: Input side from which :func:`vgg11` keeps the paper's 4096-wide classifier (scaled by ``width``).
LARGE_INPUT = 64


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_input_shape(input_shape: Sequence[int], min_side: int, name: str) -> tuple[int, int, int]:
    shape = tuple(input_shape) if isinstance(input_shape, (Sequence, np.ndarray)) and not isinstance(
        input_shape, str) else None
    if shape is None or len(shape) != 3 or not all(_is_int(s) and s > 0 for s in shape):
        raise ValueError(
            f"input_shape must be (height, width, channels) with positive ints, got {input_shape!r}; "
            f"for Fashion-MNIST use (28, 28, 1)."
        )
    shape = tuple(int(s) for s in shape)
    if min(shape[:2]) < min_side:
        raise ValueError(f"{name} needs images of at least {min_side}×{min_side} pixels, got {shape[0]}×{shape[1]}.")
    return shape  # type: ignore[return-value]


def _check_positive(value, name: str) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")


def _check_count(value, name: str) -> int:
    """A whole number of classes or units, at least 1 (a float would be truncated by ``int``)."""
    if not _is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_rate(value, name: str) -> float:
    """A rate in [0, 1): a dropout rate or a batch-norm momentum."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) or not (
            0.0 <= value < 1.0):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}.")
    return float(value)


def _check_name(value) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"name must be a non-empty str (the model's name), got {value!r}.")
    return value


def _check_flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _as_tuple(value, name: str) -> tuple:
    """One channel count, or a sequence of them, as a tuple."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ValueError(f"{name} must be a channel count or a list of them, for example (32, 64), got {value!r}.")
    return tuple(value)


def _scaled(channels: int, width: float) -> int:
    return max(1, int(round(channels * width)))


def vgg11(
    input_shape: Sequence[int] = (224, 224, 3),
    num_classes: int = 1000,
    width: float = 1.0,
    batch_norm: bool = False,
    classifier_units: int | None = None,
    dropout: float = 0.5,
    bn_momentum: float = 0.9,
    blocks: int = 5,
    name: str = "vgg11",
):
    """VGG11, configuration A of Simonyan & Zisserman (2015): eight 3×3 convolutions, five max poolings,
    three fully connected layers.

    Layout (``width=1``): 64 | pool | 128 | pool | 256, 256 | pool | 512, 512 | pool | 512, 512 | pool,
    then ``fc1``, ``fc2`` and the softmax ``predictions``. Every convolution is 3×3, stride 1, 'same'
    padding, ReLU; every pooling is 2×2 with stride 2 ('same' padding, so that 28×28 inputs shrink
    28→14→7→4→2→1; for 224×224 it is the paper's 224→7). The poolings are
    ``course_utils.layers.SlicedMaxPooling2D``, Keras' ``MaxPooling2D`` with a faster gradient on JAX's CPU.

    Args:
        input_shape: ``(height, width, channels)``; any size works since the poolings use 'same'
            padding (28×28 and 32×32 end in a 1×1 feature map).
        num_classes: size of the softmax output.
        width: multiplies every convolution's channel count (0.25 gives 16, 32, 64, 128, 128).
        batch_norm: insert batch normalisation between each convolution (then without bias) and its ReLU —
            the later "VGG11-BN" variant; the paper has none. Every builder here normalises with
            :class:`~course_utils.layers.FusedBatchNormalization` (Keras' layer on TensorFlow's fused kernel).
        classifier_units: width of ``fc1`` and ``fc2``. ``None`` chooses it: the paper's 4096 × ``width`` for
            inputs of at least 64×64 pixels; for small inputs (28×28, 32×32), where the last feature map is
            1×1, a classifier as wide as the last convolution block (512 × ``width``) — proportionate to
            the 512·width features it receives, instead of 4096 units that would hold almost all the
            parameters.
        dropout: dropout rate after ``fc1`` and ``fc2`` (0.5 in the paper); 0 removes the layers.
        bn_momentum: momentum of the batch-norm moving statistics. 0.9 (PyTorch's default) rather than Keras'
            0.99, so that the statistics used at evaluation catch up within a few hundred training steps.
        blocks: how many of the five convolution blocks to keep, from the first (5: VGG11; 1: one convolution
            and one pooling). Fewer blocks make a shallower VGG-style network for a depth comparison; the
            classifier then receives the larger feature map of the last block kept, and ``classifier_units=None``
            sizes it from that block's channels.
        name: the model's name.

    Returns:
        A functional ``keras.Model`` mapping ``(batch, *input_shape)`` floats to ``(batch, num_classes)``
        class probabilities. With all defaults: 132,863,336 parameters.

    Raises:
        ValueError: for a malformed ``input_shape``, a ``num_classes`` or ``classifier_units`` that is not a
            positive integer, a non-positive ``width``, a dropout or ``bn_momentum`` outside [0, 1), a
            ``batch_norm`` that is not a bool, a ``blocks`` outside 1–5, or an empty ``name``.
    """
    import keras
    from keras import layers

    from course_utils.layers import FusedBatchNormalization, SlicedMaxPooling2D

    shape = _check_input_shape(input_shape, 1, "vgg11")
    if not _is_int(blocks) or not 1 <= blocks <= len(VGG11_BLOCKS):
        raise ValueError(f"blocks must be an integer from 1 to {len(VGG11_BLOCKS)} (how many of VGG11's convolution "
                         f"blocks to keep), got {blocks!r}.")
    kept = VGG11_BLOCKS[:int(blocks)]
    num_classes = _check_count(num_classes, "num_classes")
    _check_positive(width, "width")
    if classifier_units is not None:
        classifier_units = _check_count(classifier_units, "classifier_units")
    dropout = _check_rate(dropout, "dropout")
    bn_momentum = _check_rate(bn_momentum, "bn_momentum")
    batch_norm = _check_flag(batch_norm, "batch_norm")
    name = _check_name(name)
    if classifier_units is None:
        base = 4096 if min(shape[:2]) >= LARGE_INPUT else kept[-1][-1]
        classifier_units = _scaled(base, width)

    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for b, block in enumerate(kept, start=1):
        for c, channels in enumerate(block, start=1):
            prefix = f"block{b}_conv{c}"
            x = layers.Conv2D(_scaled(channels, width), 3, padding="same", use_bias=not batch_norm,
                              activation=None if batch_norm else "relu", name=prefix)(x)
            if batch_norm:
                x = FusedBatchNormalization(momentum=bn_momentum, name=f"{prefix}_bn")(x)
                x = layers.Activation("relu", name=f"{prefix}_relu")(x)
        x = SlicedMaxPooling2D(2, strides=2, padding="same", name=f"block{b}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    for i in (1, 2):
        x = layers.Dense(int(classifier_units), activation="relu", name=f"fc{i}")(x)
        if dropout > 0:
            x = layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    outputs = layers.Dense(int(num_classes), activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def _separable_bn(x, filters: int, name: str, relu_first: bool = True, momentum: float = 0.99):
    """ReLU → 3×3 depthwise-separable convolution (no bias) → batch norm, as in Xception."""
    from keras import layers

    from course_utils.layers import FusedBatchNormalization, FusedSeparableConv2D

    if relu_first:
        x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = FusedSeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return FusedBatchNormalization(momentum=momentum, name=f"{name}_bn")(x)


def _shortcut(x, filters: int, name: str, momentum: float = 0.99):
    """The 1×1, stride-2 convolution (+ batch norm) that carries the residual past a downsampling block."""
    from keras import layers

    from course_utils.layers import FusedBatchNormalization

    r = layers.Conv2D(filters, 1, strides=2, padding="same", use_bias=False, name=name)(x)
    return FusedBatchNormalization(momentum=momentum, name=f"{name}_bn")(r)


def xception(
    input_shape: Sequence[int] = (299, 299, 3),
    num_classes: int = 1000,
    middle_repeats: int = 8,
    name: str = "xception",
):
    """Xception (Chollet 2017): 36 convolutions, almost all depthwise-separable, in 14 blocks with residual
    connections around all but the first and last.

    * Entry flow: two regular 3×3 convolutions (32 stride 2, 64), then three blocks of two separable
      convolutions (128, 256, 728 channels) each ending with a 3×3 max pooling of stride 2; a 1×1
      stride-2 convolution carries the residual past each.
    * Middle flow: ``middle_repeats`` (8 in the paper) blocks of three ReLU–separable 728 convolutions with
      identity shortcuts.
    * Exit flow: separable 728 and 1024 with pooling and a 1×1 shortcut, then separable 1536 and 2048,
      global average pooling and the softmax classifier.

    Each separable convolution has no bias and is followed by batch normalisation, as in the paper and
    ``keras.applications.Xception``.

    Args:
        input_shape: ``(height, width, channels)``, at least 71×71.
        num_classes: size of the softmax output.
        middle_repeats: number of middle-flow blocks.
        name: the model's name.

    Returns:
        A functional ``keras.Model``; with the defaults it has 22,910,480 parameters, the count of
        ``keras.applications.Xception(weights=None)``.

    Raises:
        ValueError: for an input smaller than 71×71, a ``num_classes`` that is not a positive integer, a
            ``middle_repeats`` that is not an integer >= 0, or an empty ``name``.
    """
    import keras
    from keras import layers

    from course_utils.layers import FusedBatchNormalization

    shape = _check_input_shape(input_shape, 71, "xception")
    num_classes = _check_count(num_classes, "num_classes")
    if not _is_int(middle_repeats) or middle_repeats < 0:
        raise ValueError(f"middle_repeats must be a non-negative int, got {middle_repeats!r}.")
    middle_repeats = int(middle_repeats)
    name = _check_name(name)

    inputs = keras.Input(shape=shape, name="image")
    # Entry flow.
    x = layers.Conv2D(32, 3, strides=2, use_bias=False, name="block1_conv1")(inputs)
    x = FusedBatchNormalization(name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_relu")(x)
    x = layers.Conv2D(64, 3, use_bias=False, name="block1_conv2")(x)
    x = FusedBatchNormalization(name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_relu")(x)
    for b, filters in ((2, 128), (3, 256), (4, 728)):
        residual = _shortcut(x, filters, f"block{b}_shortcut")
        x = _separable_bn(x, filters, f"block{b}_sepconv1", relu_first=b > 2)
        x = _separable_bn(x, filters, f"block{b}_sepconv2")
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{b}_pool")(x)
        x = layers.Add(name=f"block{b}_add")([x, residual])
    # Middle flow.
    for b in range(5, 5 + middle_repeats):
        residual = x
        for c in (1, 2, 3):
            x = _separable_bn(x, 728, f"block{b}_sepconv{c}")
        x = layers.Add(name=f"block{b}_add")([x, residual])
    # Exit flow.
    b = 5 + middle_repeats
    residual = _shortcut(x, 1024, f"block{b}_shortcut")
    x = _separable_bn(x, 728, f"block{b}_sepconv1")
    x = _separable_bn(x, 1024, f"block{b}_sepconv2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{b}_pool")(x)
    x = layers.Add(name=f"block{b}_add")([x, residual])
    for c, filters in ((1, 1536), (2, 2048)):
        x = _separable_bn(x, filters, f"block{b + 1}_sepconv{c}", relu_first=False)
        x = layers.Activation("relu", name=f"block{b + 1}_sepconv{c}_relu")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(int(num_classes), activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def mini_xception(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    width: float = 1.0,
    block_channels: Sequence[int] = (128, 256, 512),
    stem_channels: int | Sequence[int] = (32, 64),
    stem_strides: int = 2,
    dropout: float = 0.5,
    bn_momentum: float = 0.9,
    residual: bool = True,
    name: str = "mini_xception",
):
    """A small Xception-style network for 28×28 or 32×32 images: Xception's entry flow, scaled down (in the
    manner of the mini-Xception of *Deep Learning with Python*, Chollet 2021).

    The stem is a stack of regular 3×3 convolutions, each followed by batch norm and ReLU; the first has
    stride ``stem_strides``. With the defaults it is Xception's own stem: 32 channels of stride 2, then 64.
    One residual block per entry of ``block_channels`` follows, as in Xception's entry flow:
    separable 3×3 → BN → ReLU → separable 3×3 → BN → 3×3 max pooling of stride 2, added to a 1×1 stride-2
    convolution (+ BN) of the block's input, then ReLU. Global average pooling, dropout and a softmax
    classifier close it. With the defaults, 28×28 shrinks 28 → 14 (stem) → 7 → 4 → 2.

    The stride-2 stem lets the separable blocks work on 14×14 maps instead of 28×28, which made training two
    to five times faster on a two-core CPU, where depthwise convolutions do little arithmetic per byte they
    move.

    Args:
        input_shape: ``(height, width, channels)``, at least 8×8.
        num_classes: size of the softmax output.
        width: multiplies every channel count (0.5 gives a 16, 32 | 64, 128, 256 network).
        block_channels: output channels of the residual blocks before scaling; one stride-2 pooling each (one
            int: one block).
        stem_channels: output channels of the regular stem convolutions before scaling (one int: one
            convolution).
        stem_strides: stride of the first stem convolution (2 as in Xception; 1 keeps the full resolution).
        dropout: dropout rate before the classifier; 0 removes the layer.
        bn_momentum: momentum of the batch-norm moving statistics (0.9, as in :func:`vgg11`).
        residual: ``False`` removes the shortcut connections (the 1×1 projections and the additions); every
            other layer stays, with the same name.
        name: the model's name.

    Returns:
        A functional ``keras.Model`` from ``(batch, *input_shape)`` to ``(batch, num_classes)`` probabilities.

    Raises:
        ValueError: for a malformed or too small ``input_shape``, empty ``block_channels`` or
            ``stem_channels``, non-positive sizes, a ``num_classes`` that is not a positive integer, a
            ``stem_strides`` other than the integers 1 and 2, a dropout or ``bn_momentum`` outside [0, 1), a
            ``residual`` that is not a bool, or an empty ``name``.
    """
    import keras
    from keras import layers

    from course_utils.layers import FusedBatchNormalization

    shape = _check_input_shape(input_shape, 8, "mini_xception")
    num_classes = _check_count(num_classes, "num_classes")
    _check_positive(width, "width")
    stems, blocks = (_as_tuple(value, name) for name, value in (("stem_channels", stem_channels),
                                                                  ("block_channels", block_channels)))
    if len(stems) == 0:
        raise ValueError("stem_channels must list at least one convolution, for example (32, 64).")
    for channels in stems:
        _check_positive(channels, "each entry of stem_channels")
    if not _is_int(stem_strides) or stem_strides not in (1, 2):
        raise ValueError(f"stem_strides must be 1 or 2, got {stem_strides!r}.")
    stem_strides = int(stem_strides)
    if len(blocks) == 0:
        raise ValueError("block_channels must list at least one block, for example (128, 256, 512).")
    for channels in blocks:
        _check_positive(channels, "each entry of block_channels")
    dropout = _check_rate(dropout, "dropout")
    bn_momentum = _check_rate(bn_momentum, "bn_momentum")
    residual = _check_flag(residual, "residual")
    name = _check_name(name)

    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for s, channels in enumerate(stems, start=1):
        x = layers.Conv2D(_scaled(channels, width), 3, strides=stem_strides if s == 1 else 1, padding="same",
                          use_bias=False, name=f"stem_conv{s}")(x)
        x = FusedBatchNormalization(momentum=bn_momentum, name=f"stem_conv{s}_bn")(x)
        x = layers.Activation("relu", name=f"stem_conv{s}_relu")(x)
    for b, channels in enumerate(blocks, start=1):
        filters = _scaled(channels, width)
        shortcut = _shortcut(x, filters, f"block{b}_shortcut", bn_momentum) if residual else None
        x = _separable_bn(x, filters, f"block{b}_sepconv1", relu_first=False, momentum=bn_momentum)
        x = _separable_bn(x, filters, f"block{b}_sepconv2", momentum=bn_momentum)
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{b}_pool")(x)
        if residual:
            x = layers.Add(name=f"block{b}_add")([x, shortcut])
        x = layers.Activation("relu", name=f"block{b}_relu")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(int(num_classes), activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def conv_stack(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    depth: int = 20,
    filters: int = 16,
    residual: bool = False,
    name: str | None = None,
):
    """A deep stack of 3×3 convolutions without batch normalisation, plain or with identity shortcuts: the
    comparison of He et al. (2016, figure 1 and section 4.2) at a size a CPU trains in seconds.

    A stride-2 stem convolution (``filters`` channels, ReLU) halves the image; ``depth`` 3×3 convolutions of
    ``filters`` channels, 'same' padding, follow in pairs. Plain, each pair is ``relu(conv(relu(conv(x))))``;
    with ``residual=True`` it is ``relu(x + conv(relu(conv(x))))`` — the same layers and weights, plus the
    identity (no projection is needed, since the shape never changes). Global average pooling and a softmax
    layer close it. The two variants have exactly the same parameters.

    Args:
        input_shape: ``(height, width, channels)``, at least 2×2.
        num_classes: size of the softmax output.
        depth: the number of 3×3 convolutions after the stem, a positive even number (one shortcut per pair).
        filters: channels of every convolution.
        residual: add the identity shortcut around each pair.
        name: the model's name (default ``plain_<depth>`` or ``residual_<depth>``).

    Raises:
        ValueError: for a malformed ``input_shape``, a ``num_classes`` or ``filters`` that is not a positive
            integer, a ``depth`` that is not a positive even integer, a ``residual`` that is not a bool, or an
            empty ``name``.
    """
    import keras
    from keras import layers

    shape = _check_input_shape(input_shape, 2, "conv_stack")
    num_classes = _check_count(num_classes, "num_classes")
    filters = _check_count(filters, "filters")
    if not _is_int(depth) or depth < 2 or depth % 2:
        raise ValueError(f"depth must be a positive even integer (the convolutions come in pairs), got {depth!r}.")
    residual = _check_flag(residual, "residual")
    name = _check_name(name if name is not None else f"{'residual' if residual else 'plain'}_{int(depth)}")

    inputs = keras.Input(shape=shape, name="image")
    x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu", name="stem")(inputs)
    for pair in range(1, int(depth) // 2 + 1):
        y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"pair{pair}_conv1")(x)
        y = layers.Conv2D(filters, 3, padding="same", name=f"pair{pair}_conv2")(y)
        if residual:
            y = layers.Add(name=f"pair{pair}_add")([y, x])
        x = layers.Activation("relu", name=f"pair{pair}_relu")(y)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
