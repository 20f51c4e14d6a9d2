"""Keras layers of the course's models.

:class:`FusedBatchNormalization` is ``keras.layers.BatchNormalization`` computed with TensorFlow's fused
batch-norm kernel. Keras 3 normalises with several separate operations (a mean, a variance, a subtraction,
a division, ...), each reading and writing the whole activation tensor, and their gradients as many more;
TensorFlow's ``FusedBatchNormV3`` does the forward pass in one kernel and the backward pass in another.
The maths, the weights and the moving statistics are those of Keras' layer (``tests/test_layers.py``
checks outputs, gradients and moving statistics against it). On a two-core CPU the Xception-style model
of notebook 09, with a batch norm after every convolution, trained about 2.2× faster with it; for the
quarter-width VGG11 the difference was within the measurement's noise (``benchmarks/RESULTS.md``, section 2).

Where the fused kernel does not apply (another backend, an input that is not 4-D channels-last, a mask,
renormalisation, synchronised statistics, or an epsilon below the kernel's minimum of 1.001e-5) the layer
simply runs Keras' own computation.

:class:`FusedSeparableConv2D` is ``keras.layers.SeparableConv2D`` with, on JAX, its depthwise step written
as k_h·k_w shifted multiply-adds: XLA's CPU backend runs a depthwise convolution (a grouped convolution, one
group per channel) and its gradient far slower than the same sum written out. On a 2-core AMD EPYC with
AVX-512 the Xception-style network of notebook 09 trained at 502 images/s on JAX with it and at 218 with
Keras' layer (``benchmarks/RESULTS.md``, section 2, lab width, batch 128), and notebook 09's training cell in
the ``ci`` profile took 301 s instead of 570 s (``pytest --durations``). TensorFlow and PyTorch have fast
depthwise kernels of their own (on PyTorch the written-out sum is slower), so there the layer runs Keras'
computation. ``tests/test_separable.py`` checks outputs and gradients against Keras' layer on every backend.

:class:`SlicedMaxPooling2D` is ``keras.layers.MaxPooling2D`` computed, on JAX's CPU backend, as the
elementwise maximum of k_h·k_w strided slices of the input. XLA's CPU backend computes the gradient of its
own max pooling (a select-and-scatter) more slowly than that of a chain of maxima: on a 2-core AMD EPYC
with AVX-512 the quarter-width VGG11 of notebook 08 trained at 922 images/s on JAX with it and at 779 with
Keras' layer (``benchmarks/RESULTS.md``, section 2, lab width, batch 128).
TensorFlow, PyTorch and JAX on a GPU run Keras' computation. ``tests/test_pooling.py`` checks outputs and
gradients against Keras' layer on every backend.

:func:`run_conv` runs one single-channel Keras convolution (or transposed convolution) whose kernel you
give, so that a notebook can compare Keras with NumPy or SciPy in one line.
"""

from __future__ import annotations

import math

import keras
import numpy as np

#: Smallest epsilon TensorFlow's fused kernel accepts (cuDNN's limit); a smaller one falls back to Keras.
FUSED_MIN_EPSILON = 1.001e-5


@keras.saving.register_keras_serializable(package="course_utils")
class FusedBatchNormalization(keras.layers.BatchNormalization):
    """``keras.layers.BatchNormalization`` on TensorFlow's fused kernel, for 4-D channels-last inputs.

    Takes the same arguments as ``keras.layers.BatchNormalization``. Training mode normalises with the
    batch's mean and (biased) variance and updates the moving statistics with ``momentum``; inference
    mode uses the moving statistics. ``FusedBatchNormalization.fuses(x)`` says whether a given input
    takes the fused path.

    Raises:
        TypeError: for an ``axis`` that is not an integer.
        ValueError: for a ``momentum`` outside [0, 1] or an ``epsilon`` that is not positive (Keras' layer
            accepts both and computes meaningless statistics).
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, *args, **kwargs):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"axis must be the integer index of the channel axis (-1 for channels last), got {axis!r}.")
        for name, value in (("momentum", momentum), ("epsilon", epsilon)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}.")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum is the share of the moving statistics kept per step, in [0, 1]; got {momentum}.")
        if not epsilon > 0:
            raise ValueError(f"epsilon is added to the variance before its square root and must be > 0, got {epsilon}.")
        super().__init__(int(axis), float(momentum), float(epsilon), *args, **kwargs)

    def fuses(self, inputs, mask=None) -> bool:
        """True if ``inputs`` (and ``mask``) take the fused kernel, False if Keras' computation runs."""
        axis = self.axis if isinstance(self.axis, int) else None
        rank = len(inputs.shape) if hasattr(inputs, "shape") else np.ndim(inputs)
        return (
            keras.backend.backend() == "tensorflow"
            and mask is None
            and rank == 4
            and axis in (-1, 3)
            and not self.renorm
            and not self.synchronized
            and self.epsilon >= FUSED_MIN_EPSILON
        )

    def call(self, inputs, training=None, mask=None):
        if not self.fuses(inputs, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        x = tf.cast(inputs, tf.float32)
        channels = x.shape[-1]
        gamma = tf.cast(self.gamma, tf.float32) if self.scale else tf.ones((channels,), tf.float32)
        beta = tf.cast(self.beta, tf.float32) if self.center else tf.zeros((channels,), tf.float32)
        if training and self.trainable:
            y, mean, variance = tf.compat.v1.nn.fused_batch_norm(
                x, gamma, beta, epsilon=self.epsilon, data_format="NHWC", is_training=True)
            # The kernel returns the variance with Bessel's correction, n / (n - 1); Keras' layer keeps the
            # biased one in its moving statistics (0 for a single value per channel).
            n = tf.cast(tf.size(x, out_type=tf.int64) // channels, tf.float32)
            variance = tf.where(n > 1.0, variance * (n - 1.0) / tf.maximum(n, 2.0), tf.zeros_like(variance))
            momentum = tf.cast(self.momentum, tf.float32)
            self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
            self.moving_variance.assign(self.moving_variance * momentum + variance * (1.0 - momentum))
        else:
            y, _, _ = tf.compat.v1.nn.fused_batch_norm(
                x, gamma, beta, mean=tf.cast(self.moving_mean, tf.float32),
                variance=tf.cast(self.moving_variance, tf.float32), epsilon=self.epsilon, data_format="NHWC",
                is_training=False)
        return tf.cast(y, self.compute_dtype)


@keras.saving.register_keras_serializable(package="course_utils")
class FusedSeparableConv2D(keras.layers.SeparableConv2D):
    """``keras.layers.SeparableConv2D`` whose depthwise step, on JAX, is a sum of shifted multiply-adds.

    Takes the same arguments and holds the same weights as ``keras.layers.SeparableConv2D``: a depthwise
    kernel ``(k_h, k_w, C_in, depth_multiplier)`` and a pointwise kernel ``(1, 1, C_in·depth_multiplier,
    filters)``. On JAX, for 4-D channels-last inputs with stride 1, dilation 1 and depth multiplier 1, the
    depthwise step is computed as ``Σ_ij x[:, i:i+H', j:j+W', :] · K[i, j, :]`` (after Keras' "same"
    padding) and the pointwise step as a 1×1 convolution; otherwise Keras' own computation runs.
    ``FusedSeparableConv2D.fuses(x)`` says which path a given input takes.
    """

    def fuses(self, inputs) -> bool:
        """True if ``inputs`` take the shifted multiply-adds, False if Keras' computation runs."""
        rank = len(inputs.shape) if hasattr(inputs, "shape") else np.ndim(inputs)
        return (
            keras.backend.backend() == "jax"
            and rank == 4
            and self.data_format == "channels_last"
            and tuple(self.strides) == (1, 1)
            and tuple(self.dilation_rate) == (1, 1)
            and self.depth_multiplier == 1
        )

    def call(self, inputs):
        if not self.fuses(inputs):
            return super().call(inputs)
        ops = keras.ops
        kh, kw = self.kernel_size
        depthwise = ops.cast(self.depthwise_kernel, self.compute_dtype)
        x = inputs
        if self.padding == "same":   # Keras' (and XLA's) split: the odd pixel goes after
            x = ops.pad(x, [[0, 0], [(kh - 1) // 2, kh // 2], [(kw - 1) // 2, kw // 2], [0, 0]])
        height, width = x.shape[1] - kh + 1, x.shape[2] - kw + 1
        outputs = None
        for i in range(kh):
            for j in range(kw):
                term = x[:, i:i + height, j:j + width, :] * depthwise[i, j, :, 0]
                outputs = term if outputs is None else outputs + term
        outputs = ops.conv(outputs, ops.cast(self.pointwise_kernel, self.compute_dtype), strides=1,
                           padding="valid", data_format="channels_last")
        if self.use_bias:
            outputs = outputs + ops.cast(self.bias, self.compute_dtype)
        return self.activation(outputs) if self.activation is not None else outputs


@keras.saving.register_keras_serializable(package="course_utils")
class SlicedMaxPooling2D(keras.layers.MaxPooling2D):
    """``keras.layers.MaxPooling2D`` that, on JAX's CPU backend, takes the maximum of strided slices.

    Takes the same arguments as ``keras.layers.MaxPooling2D``. On JAX's CPU backend, for a 4-D channels-last
    input whose height and width are known, the output is ``max_ij x[:, i::s_h, j::s_w, :]`` over the
    k_h·k_w offsets of the window (after Keras' "same" padding, with −∞); otherwise Keras' own computation
    runs. The outputs are Keras' exactly. The gradient is too, except where several inputs of one window
    tie for its maximum: Keras gives the whole gradient to one of them, the slices share it among them.
    ``SlicedMaxPooling2D.slices(x)`` says which path a given input takes.
    """

    def slices(self, inputs) -> bool:
        """True if ``inputs`` take the maximum of slices, False if Keras' computation runs."""
        if keras.backend.backend() != "jax":
            return False
        import jax

        shape = tuple(inputs.shape) if hasattr(inputs, "shape") else np.shape(inputs)
        return (
            jax.default_backend() == "cpu"
            and len(shape) == 4
            and self.data_format == "channels_last"
            and all(isinstance(n, int) for n in shape[1:3])
        )

    def call(self, inputs):
        if not self.slices(inputs):
            return super().call(inputs)
        ops = keras.ops
        (kh, kw), (sh, sw) = self.pool_size, self.strides
        height, width = inputs.shape[1], inputs.shape[2]
        if self.padding == "same":   # Keras' (and XLA's) split: the odd cell goes after
            out_h, out_w = -(-height // sh), -(-width // sw)
            pad_h, pad_w = max((out_h - 1) * sh + kh - height, 0), max((out_w - 1) * sw + kw - width, 0)
            inputs = ops.pad(inputs, [[0, 0], [pad_h // 2, pad_h - pad_h // 2], [pad_w // 2, pad_w - pad_w // 2], [0, 0]],
                             constant_values=-np.inf)
        else:
            out_h, out_w = (height - kh) // sh + 1, (width - kw) // sw + 1
        outputs = None
        for i in range(kh):
            for j in range(kw):
                view = inputs[:, i:i + (out_h - 1) * sh + 1:sh, j:j + (out_w - 1) * sw + 1:sw, :]
                outputs = view if outputs is None else ops.maximum(outputs, view)
        return outputs


_PADDINGS = {1: ("valid", "same", "causal"), 2: ("valid", "same")}


def run_conv(x: np.ndarray, kernel: np.ndarray, strides: int | tuple[int, int] = 1, padding: str = "valid",
             transpose: bool = False) -> np.ndarray:
    """The output of one Keras convolution with a given kernel, one channel in and out, no bias.

    ``keras.layers.Conv1D`` / ``Conv2D`` (or ``Conv1DTranspose`` / ``Conv2DTranspose`` with
    ``transpose=True``) with ``kernel_size=kernel.shape``, ``strides`` and ``padding``, its kernel set to
    ``kernel``, applied to ``x`` as a batch of one single-channel input.

    Args:
        x: a signal ``(n,)`` or an image ``(height, width)``.
        kernel: ``(k,)`` for a signal, ``(kh, kw)`` for an image; no larger than ``x`` for "valid".
        strides: an int, or for an image a pair (rows, columns).
        padding: "valid" or "same"; "causal" too for a signal (not with ``transpose``).
        transpose: run the transposed convolution instead.

    Returns:
        float32 NumPy array, ``(n_out,)`` or ``(h_out, w_out)``.

    Raises:
        TypeError: for an ``x`` or ``kernel`` that does not hold numbers, or strides that are not integers.
        ValueError: for an ``x`` that is neither 1-D nor 2-D, a kernel of another rank, an empty array, a
            kernel larger than the input with "valid", strides that are not >= 1 (or a pair for a signal),
            or an unknown padding.
    """
    from course_utils._checks import int_pair, positive_int

    arrays = {}
    for name, value in (("x", x), ("kernel", kernel)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold numbers, got an array of dtype {arr.dtype}.")
        arrays[name] = arr.astype("float32")
    x, kernel = arrays["x"], arrays["kernel"]
    if x.ndim not in (1, 2) or x.size == 0:
        raise ValueError(f"x has shape {x.shape}; pass a signal (n,) or an image (height, width), one channel.")
    if kernel.ndim != x.ndim or kernel.size == 0:
        raise ValueError(f"kernel has shape {kernel.shape} but x has {x.ndim} axes; pass a kernel with "
                         f"{x.ndim} axes, e.g. shape {(3,) * x.ndim}.")
    if padding not in _PADDINGS[x.ndim] or (transpose and padding == "causal"):
        allowed = ("valid", "same") if transpose else _PADDINGS[x.ndim]
        raise ValueError(f"padding must be one of {allowed}, got {padding!r}.")
    if x.ndim == 1:
        if isinstance(strides, (tuple, list)):
            raise ValueError(f"strides for a signal is one int, got {strides!r}.")
        strides = positive_int(strides, "strides")
    else:
        strides = int_pair(strides, "strides")
    if padding == "valid" and not transpose and any(k > n for k, n in zip(kernel.shape, x.shape)):
        raise ValueError(f"kernel {kernel.shape} is larger than x {x.shape} with padding='valid'; use a smaller "
                         "kernel or padding='same'.")
    layer_class = {(1, False): keras.layers.Conv1D, (2, False): keras.layers.Conv2D,
                   (1, True): keras.layers.Conv1DTranspose, (2, True): keras.layers.Conv2DTranspose}[x.ndim, transpose]
    layer = layer_class(1, kernel.shape, strides=strides, padding=padding, use_bias=False)
    layer.build((1, *x.shape, 1))
    layer.set_weights([kernel.reshape(*kernel.shape, 1, 1)])
    out = keras.ops.convert_to_numpy(layer(x[None, ..., None]))
    return out[0, ..., 0]
