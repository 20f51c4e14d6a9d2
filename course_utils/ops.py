"""Reference operations of a convolutional network, in plain NumPy.

Every function here is a few vectorised lines (``numpy.lib.stride_tricks.sliding_window_view``, no
Python loop over positions) so that a notebook can compare it with SciPy and with the Keras layer
that computes the same thing.

Two words are used with care:

* **convolution** (``flip=True``, the default): the kernel is flipped before it slides,
  ``s[t] = sum_tau x[tau] k[t - tau]``. This is ``np.convolve`` / ``scipy.signal.convolve2d``.
* **cross-correlation** (``flip=False``): the kernel slides as it is, ``s[t] = sum_j x[t + j] k[j]``.
  This is what ``keras.layers.Conv1D`` and ``Conv2D`` compute.

In every mode ``conv1d(x, k, flip=True) == conv1d(x, k[::-1], flip=False)``: a convolution is a
cross-correlation with the flipped kernel, with the same zero padding.

Padding modes (``n`` inputs, kernel span ``K``, stride ``s``):

* ``"valid"``: no padding, ``(n - K) // s + 1`` outputs.
* ``"same"``: Keras' (TensorFlow's) zero padding, ``ceil(n / s)`` outputs; see :func:`same_padding`.
  At stride 1 it pads ``(K - 1) // 2`` zeros before and ``K // 2`` after, so an **even** kernel gets the
  extra zero at the end (right/bottom). For an odd kernel this equals ``np.convolve(x, k, "same")``
  (``flip=True``) and ``np.correlate(x, k, "same")`` (``flip=False``). For an even kernel with
  ``flip=True`` the result is ``np.convolve(x, k, "full")[K // 2 : K // 2 + n]``, one position later
  than ``np.convolve(x, k, "same")``, which takes ``full[(K - 1) // 2 :]``.
* ``"full"``: ``K - 1`` zeros on both sides, ``n + K - 1`` outputs at stride 1.
* ``"causal"`` (1-D only): ``K - 1`` zeros on the left, ``n`` outputs at stride 1; output ``t`` sees only
  inputs up to ``t``. Equals ``np.convolve(x, k)[:n]`` with ``flip=True``, and Keras'
  ``Conv1D(padding="causal")`` with ``flip=False``.

A stride ``s`` keeps every ``s``-th output: for "valid", "full" and "causal" the result is the stride-1
result ``[::s]``. For "same" the padding itself depends on the stride (as in Keras), see :func:`same_padding`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_utils._checks import flag, int_pair, positive_int

__all__ = [
    "conv1d",
    "conv2d",
    "conv2d_layer",
    "output_size",
    "pad",
    "pool1d",
    "pool2d",
    "same_padding",
]

MODES_1D = ("valid", "same", "full", "causal")
MODES_2D = ("valid", "same", "full")
POOL_MODES = ("max", "avg")
PADDINGS = ("valid", "same")


# ----------------------------------------------------------------------------------------------- checks
def _numeric(x: object, name: str) -> np.ndarray:
    """``x`` as a float array, refusing what NumPy would turn into floats silently (complex numbers, strings
    of digits, ``None`` as NaN)."""
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}: {err}") from err
    if raw.dtype.kind == "c":
        raise TypeError(f"{name} holds complex numbers; these operations are real: pass x.real or np.abs(x).")
    if raw.dtype.kind == "O" and not all(isinstance(v, (int, float, np.number)) and not isinstance(v, complex)
                                         for v in raw.ravel()):
        raise TypeError(f"{name} must hold only real numbers, got an array of Python objects (None, strings or "
                        "sequences among them).")
    if raw.dtype.kind not in "biufO":
        raise TypeError(f"{name} must be a numeric array, got an array of dtype {raw.dtype}.")
    return np.asarray(raw, dtype=float)


def _as_array(x: object, ndim: int | tuple[int, ...], name: str, hint: str) -> np.ndarray:
    arr = _numeric(x, name)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in allowed:
        raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {arr.shape}; {hint}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one element.")
    return arr


def _choice(value: object, allowed: tuple[str, ...], name: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name}={value!r} is not known; use one of {', '.join(repr(a) for a in allowed)}.")
    return str(value)


# ------------------------------------------------------------------------------------------------ sizes
def output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """Length of a convolution or pooling output: ``floor((n + 2 * padding - k) / stride) + 1``.

    Args:
        n: input length (>= 1). k: kernel or window span (>= 1). stride: >= 1.
        padding: zeros added on *each* side (>= 0).

    Raises:
        ValueError: for non-positive sizes, negative padding or a kernel longer than the padded input.

    >>> output_size(28, 3), output_size(6, 3, stride=3), output_size(5, 3, padding=1)
    (26, 2, 5)
    """
    n, k, stride = positive_int(n, "n"), positive_int(k, "k"), positive_int(stride, "stride")
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be an integer >= 0 (zeros on each side), got {padding!r}.")
    if k > n + 2 * padding:
        raise ValueError(f"kernel span {k} is longer than the padded input {n} + 2*{padding}; "
                         "use a smaller kernel or more padding.")
    return (n + 2 * int(padding) - k) // stride + 1


def same_padding(n: int, k: int, stride: int = 1) -> tuple[int, int]:
    """Zeros Keras adds ``(before, after)`` for ``padding="same"`` (TensorFlow's rule).

    The output has ``ceil(n / stride)`` positions; the total padding is
    ``max((ceil(n / stride) - 1) * stride + k - n, 0)``, of which ``total // 2`` go before and the rest
    after, so an odd total puts the extra zero after (right/bottom).

    >>> same_padding(5, 3), same_padding(5, 4), same_padding(6, 3, stride=2)
    ((1, 1), (1, 2), (0, 1))
    """
    n, k, stride = positive_int(n, "n"), positive_int(k, "k"), positive_int(stride, "stride")
    out = -(-n // stride)
    total = max((out - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def pad(x: np.ndarray, before: int | Sequence[int], after: int | Sequence[int]) -> np.ndarray:
    """Zero-pad ``x``: ``before`` zeros at the start and ``after`` at the end of each axis.

    Args:
        x: an array of any shape.
        before, after: an int for every axis, or one int per axis (``(1, 1, 0)`` leaves the channels of an
            image of shape ``(height, width, channels)`` alone).

    Returns:
        A float array, each axis longer by ``before + after``.

    Raises:
        TypeError: for an ``x`` that is not numeric, or amounts that are not integers.
        ValueError: for a scalar ``x``, negative amounts or a sequence whose length is not ``x.ndim``.
    """
    arr = _numeric(x, "x")
    if arr.ndim == 0:
        raise ValueError(f"x is a scalar ({x!r}); pad an array of at least one axis, e.g. np.atleast_1d(x).")
    amounts = []
    for label, value in (("before", before), ("after", after)):
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            values = [value] * arr.ndim
        elif isinstance(value, (tuple, list, np.ndarray)):
            values = list(np.asarray(value).ravel()) if isinstance(value, np.ndarray) else list(value)
        else:
            raise TypeError(f"{label} must be an int or one int per axis, got {value!r} of type {type(value).__name__}.")
        if len(values) != arr.ndim:
            raise ValueError(f"{label} has {len(values)} amounts but x has {arr.ndim} axes (shape {arr.shape}); "
                             "give one int, or one per axis.")
        if any(isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) for v in values):
            raise TypeError(f"{label}={value!r}: padding amounts must be integers >= 0.")
        if any(v < 0 for v in values):
            raise ValueError(f"{label}={value!r}: padding amounts must be integers >= 0.")
        amounts.append(values)
    return np.pad(arr, list(zip(amounts[0], amounts[1], strict=True)), mode="constant")


def _pads(n: int, k: int, mode: str, stride: int) -> tuple[int, int]:
    if mode == "valid":
        return 0, 0
    if mode == "same":
        return same_padding(n, k, stride)
    if mode == "full":
        return k - 1, k - 1
    return k - 1, 0  # causal


# -------------------------------------------------------------------------------------------- convolution
def conv1d(x: np.ndarray, k: np.ndarray, mode: str = "valid", stride: int = 1, flip: bool = True) -> np.ndarray:
    """1-D convolution (``flip=True``) or cross-correlation (``flip=False``) of a signal with a kernel.

    Args:
        x: signal, shape ``(n,)``.
        k: kernel, shape ``(K,)``; for ``mode="valid"`` no longer than ``x``.
        mode: ``"valid"``, ``"same"``, ``"full"`` or ``"causal"`` (see the module docstring; an even kernel
            in ``"same"`` gets its extra zero at the end, as in Keras).
        stride: keep every ``stride``-th output.
        flip: ``True`` for convolution (``np.convolve``), ``False`` for cross-correlation (Keras ``Conv1D``).

    Returns:
        float array of shape ``(output_size(n + pad_before + pad_after, K, stride),)``.

    Raises:
        ValueError: if ``x`` or ``k`` is not 1-D, the kernel is longer than the signal in "valid" mode,
            ``stride < 1`` or ``mode`` is unknown. TypeError: for non-numeric (or complex) input, a
            non-integer stride or a ``flip`` that is not a bool.

    >>> conv1d([1, 2, 3], [0, 1, 0.5])
    array([2.5])
    """
    x = _as_array(x, 1, "x", "pass one signal of shape (n,); for (n, 1) use x[:, 0] or x.ravel().")
    k = _as_array(k, 1, "k", "pass one kernel of shape (K,).")
    mode = _choice(mode, MODES_1D, "mode")
    stride = positive_int(stride, "stride")
    flip = flag(flip, "flip")
    if mode == "valid" and len(k) > len(x):
        raise ValueError(f"kernel of length {len(k)} is longer than the signal of length {len(x)} in 'valid' "
                         "mode; use a shorter kernel, or mode='same' or 'full'.")
    kernel = k[::-1] if flip else k
    xp = np.pad(x, _pads(len(x), len(k), mode, stride))
    return sliding_window_view(xp, len(k))[::stride] @ kernel


def conv2d(image: np.ndarray, kernel: np.ndarray, mode: str = "valid", stride: int | tuple[int, int] = 1,
           flip: bool = True) -> np.ndarray:
    """2-D convolution (``flip=True``) or cross-correlation (``flip=False``) of one single-channel image.

    Convolution: ``S[i, j] = sum_m sum_n I[i - m, j - n] K[m, n]`` (``scipy.signal.convolve2d``).
    Cross-correlation: ``S[i, j] = sum_m sum_n I[i + m, j + n] K[m, n]`` (``scipy.signal.correlate2d``,
    ``keras.layers.Conv2D``). Each axis is padded as :func:`conv1d` pads a signal.

    Args:
        image: shape ``(height, width)``.
        kernel: shape ``(kh, kw)``; for "valid" no larger than the image in either axis.
        mode: ``"valid"``, ``"same"`` (Keras' padding, extra zero right/bottom) or ``"full"``.
        stride: an int, or ``(row_stride, column_stride)``.
        flip: ``True`` for convolution, ``False`` for cross-correlation.

    Returns:
        float array of shape ``(out_h, out_w)``.

    Raises:
        ValueError / TypeError: for arrays that are not 2-D or not real numbers, a kernel larger than the
        image in "valid" mode, an unknown mode, a stride that is not a positive integer or a ``flip`` that
        is not a bool.
    """
    image = _as_array(image, 2, "image", "pass one channel of shape (height, width); "
                      "for several channels use conv2d_layer.")
    kernel = _as_array(kernel, 2, "kernel", "pass a kernel of shape (kh, kw).")
    mode = _choice(mode, MODES_2D, "mode")
    sh, sw = int_pair(stride, "stride")
    flip = flag(flip, "flip")
    (h, w), (kh, kw) = image.shape, kernel.shape
    if mode == "valid" and (kh > h or kw > w):
        raise ValueError(f"kernel {kernel.shape} is larger than the image {image.shape} in 'valid' mode; "
                         "use a smaller kernel or mode='same' or 'full'.")
    if flip:
        kernel = kernel[::-1, ::-1]
    xp = np.pad(image, [_pads(h, kh, mode, sh), _pads(w, kw, mode, sw)])
    windows = sliding_window_view(xp, (kh, kw))[::sh, ::sw]
    return np.einsum("ijmn,mn->ij", windows, kernel)


def conv2d_layer(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None,
                 stride: int | tuple[int, int] = 1, padding: str = "valid") -> np.ndarray:
    """What ``keras.layers.Conv2D`` computes (before its activation): multi-channel cross-correlation.

    ``Z[i, j, k] = b[k] + sum_l sum_m sum_n V[s*i + m, s*j + n, l] * K[m, n, l, k]``, for
    ``0 <= m < kh``, ``0 <= n < kw``, ``0 <= l < L``, ``0 <= k < K_out``.

    Args:
        x: input ``(height, width, L)`` or a batch ``(batch, height, width, L)``.
        kernel: Keras layout ``(kh, kw, L, K_out)`` (PyTorch stores ``(K_out, L, kh, kw)``).
        bias: shape ``(K_out,)``, or ``None`` for no bias.
        stride: an int or ``(row_stride, column_stride)``.
        padding: ``"valid"`` or ``"same"`` (Keras' zero padding, see :func:`same_padding`).

    Returns:
        float array ``(out_h, out_w, K_out)``, or ``(batch, out_h, out_w, K_out)`` for a batch.

    Raises:
        ValueError / TypeError: for wrong ranks, channel counts that do not match, a bias of the wrong
        length, a kernel larger than the input in "valid" mode, an unknown padding or a bad stride.
    """
    v = _as_array(x, (3, 4), "x", "pass (height, width, channels) or (batch, height, width, channels).")
    kernel = _as_array(kernel, 4, "kernel", "use Keras' layout (kh, kw, in_channels, out_channels).")
    padding = _choice(padding, PADDINGS, "padding")
    sh, sw = int_pair(stride, "stride")
    batched = v.ndim == 4
    v = v if batched else v[None]
    kh, kw, c_in, c_out = kernel.shape
    if v.shape[-1] != c_in:
        raise ValueError(f"x has {v.shape[-1]} channels but the kernel expects {c_in} (kernel shape "
                         f"{kernel.shape} is (kh, kw, in, out)); transpose a (out, in, kh, kw) kernel with "
                         ".transpose(2, 3, 1, 0).")
    h, w = v.shape[1:3]
    if padding == "valid" and (kh > h or kw > w):
        raise ValueError(f"kernel {kh}x{kw} is larger than the input {h}x{w} with padding='valid'; "
                         "use padding='same' or a smaller kernel.")
    b = np.zeros(c_out) if bias is None else _as_array(bias, 1, "bias", "pass one bias per output channel.")
    if b.shape != (c_out,):
        raise ValueError(f"bias has shape {b.shape} but the kernel has {c_out} output channels; pass shape ({c_out},).")
    vp = np.pad(v, [(0, 0), _pads(h, kh, padding, sh), _pads(w, kw, padding, sw), (0, 0)])
    windows = sliding_window_view(vp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]  # (N, i, j, L, m, n)
    z = np.einsum("bijlmn,mnlk->bijk", windows, kernel) + b
    return z if batched else z[0]


# ---------------------------------------------------------------------------------------------- pooling
def pool1d(x: np.ndarray, size: int, stride: int | None = None, mode: str = "max",
           padding: str = "valid") -> np.ndarray:
    """Max or average pooling of a signal, as ``keras.layers.MaxPooling1D`` / ``AveragePooling1D``.

    Args:
        x: signal, shape ``(n,)``.
        size: window length (``pool_size``). stride: step, defaults to ``size`` (non-overlapping windows).
        mode: ``"max"`` or ``"avg"``.
        padding: ``"valid"`` (windows inside the signal) or ``"same"`` (``ceil(n / stride)`` outputs; padded
            cells are ignored, not treated as zeros).

    Returns:
        float array of shape ``(output_size(n, size, stride),)`` for "valid".

    Raises:
        ValueError / TypeError: for a signal that is not 1-D, a window longer than the signal in "valid"
        mode, an unknown mode or padding, or a size/stride that is not a positive integer.
    """
    x = _as_array(x, 1, "x", "pass one signal of shape (n,).")
    out = pool2d(x[:, None], (positive_int(size, "size"), 1),
                 stride=None if stride is None else (positive_int(stride, "stride"), 1), mode=mode, padding=padding)
    return out[:, 0]


def pool2d(x: np.ndarray, size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
           mode: str = "max", padding: str = "valid") -> np.ndarray:
    """Max or average pooling over height and width, as ``keras.layers.MaxPooling2D`` / ``AveragePooling2D``.

    ``P[i, j] = max (or mean) of x[s*i + m, s*j + n]`` for ``0 <= m, n < size``; each channel separately.

    Args:
        x: ``(height, width)``, ``(height, width, channels)`` or ``(batch, height, width, channels)``.
        size: window, an int or ``(rows, columns)``. stride: defaults to ``size``.
        mode: ``"max"`` or ``"avg"``.
        padding: ``"valid"`` or ``"same"``. With "same", as in Keras, the padded cells are **ignored**: a
            max takes the largest real value (not 0), an average divides by the number of real cells.

    Returns:
        float array with the same rank as ``x``, height and width pooled.

    Raises:
        ValueError / TypeError: for a wrong rank, a window larger than the input in "valid" mode, an
        unknown mode or padding, or a size/stride that is not a positive integer.
    """
    arr = _as_array(x, (2, 3, 4), "x", "pass (height, width), (height, width, channels) "
                    "or (batch, height, width, channels).")
    mode = _choice(mode, POOL_MODES, "mode")
    padding = _choice(padding, PADDINGS, "padding")
    ph, pw = int_pair(size, "size")
    sh, sw = (ph, pw) if stride is None else int_pair(stride, "stride")
    v = {2: arr[None, :, :, None], 3: arr[None], 4: arr}[arr.ndim]
    h, w = v.shape[1:3]
    if padding == "valid" and (ph > h or pw > w):
        raise ValueError(f"pool window {ph}x{pw} is larger than the input {h}x{w} with padding='valid'; "
                         "use padding='same' or a smaller window.")
    widths = [(0, 0), _pads(h, ph, padding, sh), _pads(w, pw, padding, sw), (0, 0)]
    fill = -np.inf if mode == "max" else 0.0
    vp = np.pad(v, widths, constant_values=fill)
    windows = sliding_window_view(vp, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
    if mode == "max":
        out = windows.max(axis=(-2, -1))
    else:
        real = sliding_window_view(np.pad(np.ones((1, h, w, 1)), widths), (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
        out = windows.sum(axis=(-2, -1)) / real.sum(axis=(-2, -1))
    return {2: lambda o: o[0, :, :, 0], 3: lambda o: o[0], 4: lambda o: o}[arr.ndim](out)
