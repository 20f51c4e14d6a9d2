"""What a convolutional network costs: parameters and multiply-adds from layer shapes, and receptive fields.

Conventions (those of the VGG and Xception papers' comparisons and of most FLOP counters):

* One *multiply-add* (MAC) is one product accumulated into a sum; a "FLOP" count is usually 2 × MACs.
* Only layers with weights multiply: the convolutions (``Conv1D/2D/3D``, their ``Transpose`` forms,
  ``DepthwiseConv1D/2D``, ``SeparableConv1D/2D``) and ``Dense`` (:data:`WEIGHT_LAYERS`). Biases,
  activations, normalisation, pooling, additions and the layers that only move, copy or drop values
  (:data:`ZERO_COST_LAYERS`, ``Embedding``'s look-up among them) are not counted (they are a few percent
  at most). Any other layer (a ``Lambda``, an ``LSTM``, ``MultiHeadAttention``, ...) raises an error that
  names it, rather than being counted as 0.
* Counts are per input sample (batch size 1).

Formulas for a 2-D convolution with a k×k kernel, C_in input and C_out output channels and an H_out×W_out output:

* regular:      params = k²·C_in·C_out (+ C_out bias),        MACs = H_out·W_out·k²·C_in·C_out
* separable:    params = k²·C_in + C_in·C_out (+ C_out bias),  MACs = H_out·W_out·(k²·C_in + C_in·C_out)

so a separable convolution costs 1/C_out + 1/k² of a regular one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from course_utils._checks import flag, int_pair, positive_int

#: Layers whose multiply-adds are counted, by Keras class (subclasses included).
WEIGHT_LAYERS = ("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
                 "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "Dense")
#: Layers counted as 0 multiply-adds by the conventions above, by Keras class (subclasses included).
ZERO_COST_LAYERS = (
    "InputLayer", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
    "Flatten", "Reshape", "Permute", "RepeatVector", "Identity", "Masking",
    "Cropping1D", "Cropping2D", "Cropping3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout", "GaussianNoise",
    "AlphaDropout", "ActivityRegularization",
    "Embedding", "Rescaling", "Resizing", "CenterCrop",
    "RandomFlip", "RandomTranslation", "RandomRotation", "RandomZoom", "RandomCrop", "RandomContrast",
    "RandomBrightness",
)


def _classes(names: Sequence[str]) -> tuple[type, ...]:
    import keras

    return tuple(getattr(keras.layers, name) for name in names if hasattr(keras.layers, name))


def _kind(layer) -> str:
    """``"weights"`` for a layer that multiplies, ``"free"`` for one counted as 0; else a ValueError naming it."""
    import keras

    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(f"expected a Keras layer, got {type(layer).__name__}.")
    if isinstance(layer, _classes(WEIGHT_LAYERS)):
        return "weights"
    if isinstance(layer, _classes(ZERO_COST_LAYERS)):
        return "free"
    raise ValueError(
        f"layer {layer.name!r} is a {type(layer).__name__}, whose multiply-adds course_utils.complexity does not "
        f"know how to count; it counts {', '.join(WEIGHT_LAYERS)} and counts 0 for {', '.join(ZERO_COST_LAYERS)}. "
        "Count that layer by hand, or leave it out of the model you measure."
    )


def conv2d_params(kernel_size: int | Sequence[int], in_channels: int, out_channels: int, use_bias: bool = True) -> int:
    """Parameters of a regular ``Conv2D``: k_h·k_w·C_in·C_out weights plus C_out biases.

    Raises:
        TypeError: for a size that is not an int, or a ``use_bias`` that is not a bool.
        ValueError: for a size below 1.
    """
    kh, kw = int_pair(kernel_size, "kernel_size")
    cin, cout = positive_int(in_channels, "in_channels"), positive_int(out_channels, "out_channels")
    return kh * kw * cin * cout + (cout if flag(use_bias, "use_bias") else 0)


def separable_conv2d_params(kernel_size: int | Sequence[int], in_channels: int, out_channels: int,
                            depth_multiplier: int = 1, use_bias: bool = True) -> int:
    """Parameters of a ``SeparableConv2D``: a depthwise k_h·k_w filter per input channel (×depth_multiplier),
    then a 1×1 pointwise convolution from C_in·depth_multiplier to C_out channels, plus C_out biases.

    Raises:
        TypeError: for a size that is not an int, or a ``use_bias`` that is not a bool.
        ValueError: for a size below 1.
    """
    kh, kw = int_pair(kernel_size, "kernel_size")
    cin, cout = positive_int(in_channels, "in_channels"), positive_int(out_channels, "out_channels")
    dm = positive_int(depth_multiplier, "depth_multiplier")
    return kh * kw * cin * dm + cin * dm * cout + (cout if flag(use_bias, "use_bias") else 0)


def conv2d_macs(output_size: int | Sequence[int], kernel_size: int | Sequence[int], in_channels: int,
                out_channels: int) -> int:
    """Multiply-adds of a regular ``Conv2D`` per sample: H_out·W_out·k_h·k_w·C_in·C_out.

    Args:
        output_size: ``(H_out, W_out)`` of the output feature map (or one int for a square map).

    Raises:
        TypeError: for a size that is not an int.
        ValueError: for a size below 1.
    """
    h, w = int_pair(output_size, "output_size")
    kh, kw = int_pair(kernel_size, "kernel_size")
    return h * w * kh * kw * positive_int(in_channels, "in_channels") * positive_int(out_channels, "out_channels")


def separable_conv2d_macs(output_size: int | Sequence[int], kernel_size: int | Sequence[int], in_channels: int,
                          out_channels: int, depth_multiplier: int = 1) -> int:
    """Multiply-adds of a ``SeparableConv2D`` per sample: H_out·W_out·(k_h·k_w·C_in·m + C_in·m·C_out), m the
    depth multiplier (stride applied in the depthwise step, so both steps run on the output grid).

    Raises:
        TypeError: for a size that is not an int.
        ValueError: for a size below 1.
    """
    h, w = int_pair(output_size, "output_size")
    kh, kw = int_pair(kernel_size, "kernel_size")
    cin, cout = positive_int(in_channels, "in_channels"), positive_int(out_channels, "out_channels")
    dm = positive_int(depth_multiplier, "depth_multiplier")
    return h * w * (kh * kw * cin * dm + cin * dm * cout)


def _check_model(model, caller: str) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{caller} needs a keras.Model, got {type(model).__name__}.")


def _layers(model):
    """All layers of ``model``, descending into nested models."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer


def _node_count(layer) -> int:
    return len(getattr(layer, "_inbound_nodes", ()))


def _channels_first(layer) -> bool:
    return getattr(layer, "data_format", "channels_last") == "channels_first"


def layer_macs(layer) -> int:
    """Multiply-adds of one built layer per sample, from its input and output shapes (0 for the layers the
    module's conventions do not count).

    Raises:
        TypeError: if ``layer`` is not a Keras layer.
        ValueError: for a layer type it does not know how to count (named in the message), a layer called
            more than once (shared), or one that has not been called on an input yet (its shapes are unknown).
    """
    if _kind(layer) == "free":
        return 0
    if _node_count(layer) > 1:
        raise ValueError(f"layer {layer.name!r} ({type(layer).__name__}) is called {_node_count(layer)} times (a shared "
                         "layer, or one used in several models); its multiply-adds per call cannot be told apart. "
                         "Count a model in which each layer is called once.")
    try:
        in_shape, out_shape = tuple(layer.input.shape), tuple(layer.output.shape)
    except (AttributeError, ValueError) as err:
        raise ValueError(
            f"layer {layer.name!r} has no known input/output shape; build the model on a keras.Input first."
        ) from err
    if any(d is None for d in in_shape[1:]) or any(d is None for d in out_shape[1:]):
        raise ValueError(f"layer {layer.name!r} has an unknown dimension in {in_shape} → {out_shape}; "
                         f"give the model a fixed input shape.")
    import keras

    if isinstance(layer, keras.layers.Dense):
        return math.prod(out_shape[1:-1]) * in_shape[-1] * out_shape[-1]
    if _channels_first(layer):
        cin, cout, in_grid, out_grid = in_shape[1], out_shape[1], in_shape[2:], out_shape[2:]
    else:
        cin, cout, in_grid, out_grid = in_shape[-1], out_shape[-1], in_shape[1:-1], out_shape[1:-1]
    kernel = math.prod(layer.kernel_size)
    positions = math.prod(out_grid)
    if isinstance(layer, _classes(("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"))):
        return math.prod(in_grid) * kernel * cin * cout
    if isinstance(layer, _classes(("DepthwiseConv1D", "DepthwiseConv2D"))):
        return positions * kernel * cin * layer.depth_multiplier
    if isinstance(layer, _classes(("SeparableConv1D", "SeparableConv2D"))):
        mid = cin * layer.depth_multiplier
        return positions * (kernel * mid + mid * cout)
    return positions * kernel * (cin // getattr(layer, "groups", 1)) * cout


def macs_by_layer(model) -> dict[str, int]:
    """Multiply-adds per sample of every layer that multiplies, by layer name, in the model's order.

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: as :func:`layer_macs`, for the first layer it cannot count.
    """
    _check_model(model, "macs_by_layer")
    return {layer.name: layer_macs(layer) for layer in _layers(model) if _kind(layer) == "weights"}


def count_macs(model) -> int:
    """Total multiply-adds per sample (one forward pass of one input) of a built Keras model.

    Args:
        model: a functional or sequential ``keras.Model`` with a fixed input shape.

    Returns:
        The sum of :func:`layer_macs` over its layers (convolutions and dense layers).

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: if a layer's shapes are unknown, a layer is shared, or a layer's type is one whose
            multiply-adds the module does not know how to count (the message names it).
    """
    _check_model(model, "count_macs")
    return int(sum(macs_by_layer(model).values()))


def params_by_kind(model) -> dict[str, int]:
    """Parameters of a model grouped by layer class (``{"Conv2D": ..., "Dense": ...}``), largest first.

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: if the model has not been built (its layers have no weights yet).
    """
    _check_model(model, "params_by_kind")
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built, so its layers have no weights yet; give it a "
                         "keras.Input or call it on a batch first.")
    totals: dict[str, int] = {}
    for layer in _layers(model):
        n = layer.count_params()
        if n:
            kind = layer.__class__.__name__
            totals[kind] = totals.get(kind, 0) + n
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def receptive_field(kernels: Sequence[int], strides: Sequence[int] | None = None) -> int:
    """Receptive field side (in input pixels) of a chain of layers with the given kernel sides and strides.

    r_0 = 1, j_0 = 1;  r_l = r_{l-1} + (k_l − 1)·j_{l-1};  j_l = j_{l-1}·s_l.

    >>> receptive_field([3, 3, 3])            # three stacked 3×3 convolutions see 7×7
    7

    Raises:
        TypeError: for kernels or strides that are not lists, or a kernel or stride that is not an int.
        ValueError: for lengths that differ or sizes below 1.
    """
    for name, value in (("kernels", kernels), ("strides", strides)):
        if value is not None and (isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray))):
            raise TypeError(f"{name} must be a list with one entry per layer, e.g. [3, 3, 3], got {value!r}.")
    strides = [1] * len(kernels) if strides is None else list(strides)
    if len(strides) != len(kernels):
        raise ValueError(f"got {len(kernels)} kernels but {len(strides)} strides; give one stride per layer.")
    field, jump = 1, 1
    for k, s in zip(kernels, strides):
        field += (positive_int(k, "each kernel") - 1) * jump
        jump *= positive_int(s, "each stride")
    return field


def receptive_field_table(model) -> list[dict[str, int | str]]:
    """Receptive field of every convolution and pooling of a *chain* model (each layer feeds the next, as in
    VGG), from the input to the last spatial layer.

    With r the receptive field (in input pixels) and j the jump (input pixels between neighbouring outputs),
    a layer of kernel k, dilation d and stride s gives  r ← r + d(k − 1)·j  and  j ← j·s.

    Returns:
        One dict per spatial layer: ``layer``, ``kernel``, ``stride``, ``size`` (output height, None if the input size is not fixed),
        ``jump`` and ``field`` (receptive field side, before clipping to the image).

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: if the model has no convolution or pooling layer, is not a chain (a layer takes several
            inputs or feeds several layers, as in residual or multi-branch networks), has a layer with a
            kernel, stride or dilation that differs between axes, or one that up-samples (a transposed
            convolution, ``UpSampling``); the message names the layer.
    """
    import keras

    _check_model(model, "receptive_field_table")
    layers = [layer for layer in _layers(model) if not isinstance(layer, keras.layers.InputLayer)]
    consumers: dict[int, list[str]] = {}
    joins = []
    for layer in layers:
        try:
            inputs = layer.input
        except (AttributeError, ValueError) as err:
            raise ValueError(f"layer {layer.name!r} has not been called on an input; build the model on a "
                             "keras.Input first.") from err
        if isinstance(inputs, (list, tuple)) or _node_count(layer) > 1:
            joins.append(layer)
        for tensor in inputs if isinstance(inputs, (list, tuple)) else [inputs]:
            consumers.setdefault(id(tensor), []).append(layer.name)
    advice = "receptive_field_table follows a chain of layers (as in VGG); for branches use receptive_field on each path."
    for names in consumers.values():
        if len(names) > 1:
            raise ValueError(f"model {model.name!r} is not a chain: one tensor feeds the layers {names}. {advice}")
    if joins:
        raise ValueError(f"model {model.name!r} is not a chain: layer {joins[0].name!r} ({type(joins[0]).__name__}) "
                         f"takes several inputs or is called several times. {advice}")
    up = _classes(("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "UpSampling1D", "UpSampling2D",
                   "UpSampling3D"))
    field, jump, rows = 1, 1, []
    for layer in layers:
        if isinstance(layer, up):
            raise ValueError(f"layer {layer.name!r} is a {type(layer).__name__}, which up-samples; "
                             "receptive_field_table handles convolutions and poolings that keep or shrink the grid.")
        kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        if kernel is None or not hasattr(layer, "strides"):
            continue
        dilation = tuple(getattr(layer, "dilation_rate", (1,) * len(kernel)))
        for what, values in (("kernel", tuple(kernel)), ("strides", tuple(layer.strides)), ("dilation", dilation)):
            if len(set(values)) != 1:
                raise ValueError(f"layer {layer.name!r} has {what} {values}, not the same along every axis; "
                                 "receptive_field_table gives one side per layer. Use receptive_field with the "
                                 "sizes along each axis.")
        k, s, d = int(kernel[0]), int(layer.strides[0]), int(dilation[0])
        field += d * (k - 1) * jump
        jump *= s
        rows.append({"layer": layer.name, "kernel": k, "stride": s, "size": layer.output.shape[1],
                     "jump": jump, "field": field})
    if not rows:
        raise ValueError(f"model {model.name!r} has no convolution or pooling layer to compute a receptive field for.")
    return rows


def format_table(rows: Sequence[dict], floatfmt: str | dict = ".3f") -> str:
    """Rows of dicts (same keys) as an aligned plain-text table; floats formatted with ``floatfmt``, one
    format for all, or a dict from column name to format (columns left out: ``".3f"``).

    NumPy numbers are formatted as Python's.

    Raises:
        TypeError: for rows that are not dicts, or a ``floatfmt`` that is not a format string or a dict of them.
        ValueError: for no rows, rows with different keys, a format that is not a valid float format, or a
            ``floatfmt`` dict naming a column the rows do not have.
    """
    if isinstance(rows, (dict, str)):
        raise TypeError(f"rows must be a list of dicts, one per row, got a {type(rows).__name__}; wrap one row in a list.")
    rows = list(rows)
    if not rows:
        raise ValueError("format_table needs at least one row.")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TypeError(f"rows must be dicts (column name to value), but row {i} is a {type(row).__name__}.")
    keys = list(rows[0])
    for i, row in enumerate(rows[1:], start=1):
        if set(row) != set(keys):
            raise ValueError(f"row {i} has the columns {list(row)}, row 0 {keys}; every row needs the same columns.")
    if not isinstance(floatfmt, (str, dict)):
        raise TypeError(f"floatfmt must be a format string such as '.3f' or a dict from column to format, got "
                        f"{floatfmt!r}.")
    formats = dict(floatfmt) if isinstance(floatfmt, dict) else dict.fromkeys(keys, floatfmt)
    unknown = sorted(set(formats) - set(keys))
    if unknown:
        raise ValueError(f"floatfmt names columns {unknown} that the rows do not have; columns: {keys}.")
    for key, fmt in formats.items():
        try:
            format(1.0, fmt)
        except (TypeError, ValueError) as err:
            raise ValueError(f"floatfmt {fmt!r} for column {key!r} is not a float format such as '.3f' ({err}).") from err

    def cell(value, key) -> str:
        if isinstance(value, (float, np.floating)):
            return format(float(value), formats.get(key, ".3f"))
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            return f"{int(value):,}"
        return str(value)

    cells = [[str(k) for k in keys]] + [[cell(row[k], k) for k in keys] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(keys))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
