"""What a convolutional network costs: parameters and multiply-adds from layer shapes, and receptive fields.

Conventions (those of the VGG and Xception papers' comparisons and of most FLOP counters):

* One *multiply-add* (MAC) is one product accumulated into a sum; a "FLOP" count is usually 2 × MACs.
* Only layers with weights multiply: ``Conv1D``, ``Conv2D``, ``Conv2DTranspose``, ``DepthwiseConv2D``,
  ``SeparableConv2D`` and ``Dense``. Biases, activations, batch normalisation, pooling and additions are
  not counted (they are a few percent at most).
* Counts are per input sample (batch size 1).

Formulas for a 2-D convolution with a k×k kernel, C_in input and C_out output channels and an H_out×W_out output:

* regular:      params = k²·C_in·C_out (+ C_out bias),        MACs = H_out·W_out·k²·C_in·C_out
* separable:    params = k²·C_in + C_in·C_out (+ C_out bias),  MACs = H_out·W_out·(k²·C_in + C_in·C_out)

so a separable convolution costs 1/C_out + 1/k² of a regular one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from course_utils._checks import int_pair, positive_int

WEIGHT_LAYERS = ("Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "Dense")


def conv2d_params(kernel_size: int | Sequence[int], in_channels: int, out_channels: int, use_bias: bool = True) -> int:
    """Parameters of a regular ``Conv2D``: k_h·k_w·C_in·C_out weights plus C_out biases.

    Raises:
        TypeError: for a size that is not an int.
        ValueError: for a size below 1.
    """
    kh, kw = int_pair(kernel_size, "kernel_size")
    cin, cout = positive_int(in_channels, "in_channels"), positive_int(out_channels, "out_channels")
    return kh * kw * cin * cout + (cout if use_bias else 0)


def separable_conv2d_params(kernel_size: int | Sequence[int], in_channels: int, out_channels: int,
                            depth_multiplier: int = 1, use_bias: bool = True) -> int:
    """Parameters of a ``SeparableConv2D``: a depthwise k_h·k_w filter per input channel (×depth_multiplier),
    then a 1×1 pointwise convolution from C_in·depth_multiplier to C_out channels, plus C_out biases.

    Raises:
        TypeError: for a size that is not an int.
        ValueError: for a size below 1.
    """
    kh, kw = int_pair(kernel_size, "kernel_size")
    cin, cout = positive_int(in_channels, "in_channels"), positive_int(out_channels, "out_channels")
    dm = positive_int(depth_multiplier, "depth_multiplier")
    return kh * kw * cin * dm + cin * dm * cout + (cout if use_bias else 0)


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


def _layers(model):
    """All layers of ``model``, descending into nested models."""
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.__class__.__name__ in ("Functional", "Sequential", "Model"):
            yield from _layers(layer)
        else:
            yield layer


def layer_macs(layer) -> int:
    """Multiply-adds of one built layer per sample, from its input and output shapes (0 for layers without
    weights to multiply, see the module's conventions).

    Raises:
        ValueError: if the layer has not been called on an input yet (its shapes are unknown).
    """
    kind = layer.__class__.__name__
    if kind not in WEIGHT_LAYERS:
        return 0
    try:
        in_shape, out_shape = tuple(layer.input.shape), tuple(layer.output.shape)
    except (AttributeError, ValueError) as err:
        raise ValueError(
            f"layer {layer.name!r} has no known input/output shape; build the model on a keras.Input first."
        ) from err
    if any(d is None for d in in_shape[1:]) or any(d is None for d in out_shape[1:]):
        raise ValueError(f"layer {layer.name!r} has an unknown dimension in {in_shape} → {out_shape}; "
                         f"give the model a fixed input shape.")
    cin, cout = in_shape[-1], out_shape[-1]
    if kind == "Dense":
        return math.prod(out_shape[1:-1]) * cin * cout
    kernel = math.prod(layer.kernel_size)
    if kind == "Conv2DTranspose":
        return math.prod(in_shape[1:-1]) * kernel * cin * cout
    positions = math.prod(out_shape[1:-1])
    if kind == "DepthwiseConv2D":
        return positions * kernel * cin * layer.depth_multiplier
    if kind == "SeparableConv2D":
        mid = cin * layer.depth_multiplier
        return positions * (kernel * mid + mid * cout)
    return positions * kernel * (cin // getattr(layer, "groups", 1)) * cout


def macs_by_layer(model) -> dict[str, int]:
    """Multiply-adds per sample of every layer that multiplies, by layer name, in the model's order."""
    return {layer.name: layer_macs(layer) for layer in _layers(model) if layer.__class__.__name__ in WEIGHT_LAYERS}


def count_macs(model) -> int:
    """Total multiply-adds per sample (one forward pass of one input) of a built Keras model.

    Args:
        model: a functional or sequential ``keras.Model`` with a fixed input shape.

    Returns:
        The sum of :func:`layer_macs` over its layers (convolutions and dense layers).

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: if a layer's shapes are unknown.
    """
    if not hasattr(model, "layers"):
        raise TypeError(f"count_macs needs a keras.Model, got {type(model).__name__}.")
    return int(sum(macs_by_layer(model).values()))


def params_by_kind(model) -> dict[str, int]:
    """Parameters of a model grouped by layer class (``{"Conv2D": ..., "Dense": ...}``), largest first."""
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
        TypeError: for a kernel or stride that is not an int.
        ValueError: for lengths that differ or sizes below 1.
    """
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
        ValueError: if the model has no convolution or pooling layer.
    """
    if not hasattr(model, "layers"):
        raise TypeError(f"receptive_field_table needs a keras.Model, got {type(model).__name__}.")
    field, jump, rows = 1, 1, []
    for layer in _layers(model):
        kernel = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        if kernel is None or not hasattr(layer, "strides"):
            continue
        k, s = int(kernel[0]), int(layer.strides[0])
        d = int(getattr(layer, "dilation_rate", (1,))[0])
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

    Raises:
        ValueError: for no rows, or a ``floatfmt`` dict naming a column the rows do not have.
    """
    if not rows:
        raise ValueError("format_table needs at least one row.")
    keys = list(rows[0])
    formats = dict(floatfmt) if isinstance(floatfmt, dict) else dict.fromkeys(keys, floatfmt)
    unknown = sorted(set(formats) - set(keys))
    if unknown:
        raise ValueError(f"floatfmt names columns {unknown} that the rows do not have; columns: {keys}.")

    def cell(value, key) -> str:
        if isinstance(value, float):
            return format(value, formats.get(key, ".3f"))
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    cells = [[str(k) for k in keys]] + [[cell(row[k], k) for k in keys] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(keys))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
