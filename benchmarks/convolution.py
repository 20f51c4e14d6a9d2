"""Section 5, from scratch versus library: the course's NumPy reference convolution against SciPy and Keras.

All implementations compute the same cross-correlation (what ``keras.layers.Conv2D`` computes) of the
same input; their results are compared before they are timed. A plain Python double loop over output
positions, written here only as a yardstick, shows what "needlessly slow" would look like.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import Section, Stats, time_repeats


def loop_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation with Python loops over output positions: the slow yardstick."""
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def _row(name: str, stats: Stats, base: float, error: float | None) -> list[str]:
    err = "reference" if error is None else f"{error:.1e}"
    return [name, stats.fmt(3, 1e3), f"{stats.median / base:.2f}×", err]


def _time_and_compare(impls: dict, ref: np.ndarray, repeats: int) -> tuple[list[list[str]], dict]:
    """Time each implementation; report its speed against the first and its largest difference from ``ref``.

    A Python loop (its name says "loop") is timed at most three times.
    """
    rows, data, base = [], {}, None
    for name, fn in impls.items():
        out = np.asarray(fn(), dtype=np.float64)
        if out.shape != ref.shape:
            raise RuntimeError(f"{name} returned shape {out.shape}, the reference {ref.shape}")
        error = float(np.max(np.abs(out - ref)) / max(1.0, float(np.max(np.abs(ref)))))
        stats = time_repeats(fn, repeats if "loop" not in name else min(repeats, 3))
        base = base or stats.median
        rows.append(_row(name, stats, base, None if not data else error))
        data[name] = {"seconds": stats.to_dict(), "max_relative_difference": error}
    return rows, data


def compare_2d(size: int, k: int, repeats: int, loop_limit: int) -> tuple[list[list[str]], dict]:
    """Time every implementation of a ``size x size`` image cross-correlated with a ``k x k`` kernel."""
    import scipy.signal
    import tensorflow as tf

    from course_utils.ops import conv2d

    rng = np.random.default_rng(0)
    image = rng.standard_normal((size, size)).astype(np.float32)
    kernel = rng.standard_normal((k, k)).astype(np.float32)
    x = tf.constant(image[None, :, :, None])
    w = tf.constant(kernel[:, :, None, None])
    ref = conv2d(image, kernel, mode="valid", flip=False)
    impls = {
        "course_utils.ops.conv2d (NumPy reference)": lambda: conv2d(image, kernel, mode="valid", flip=False),
        "scipy.signal.correlate2d (direct)": lambda: scipy.signal.correlate2d(image, kernel, mode="valid"),
        "scipy.signal.correlate (auto: direct or FFT)": lambda: scipy.signal.correlate(image, kernel, mode="valid"),
        "tf.nn.conv2d (what keras Conv2D calls)": lambda: tf.nn.conv2d(x, w, 1, "VALID").numpy()[0, :, :, 0],
    }
    if size <= loop_limit:
        impls["Python double loop (yardstick)"] = lambda: loop_correlate2d(image, kernel)
    return _time_and_compare(impls, ref, repeats)


def compare_1d(n: int, k: int, repeats: int) -> tuple[list[list[str]], dict]:
    """Time 1-D valid cross-correlation: ``course_utils.ops.conv1d`` against NumPy, SciPy and Keras' op."""
    import scipy.signal
    import tensorflow as tf

    from course_utils.ops import conv1d

    rng = np.random.default_rng(1)
    x = rng.standard_normal(n).astype(np.float32)
    kern = rng.standard_normal(k).astype(np.float32)
    xt, wt = tf.constant(x[None, :, None]), tf.constant(kern[:, None, None])
    ref = conv1d(x, kern, mode="valid", flip=False)
    impls = {
        "course_utils.ops.conv1d (NumPy reference)": lambda: conv1d(x, kern, mode="valid", flip=False),
        "numpy.correlate": lambda: np.correlate(x, kern, mode="valid"),
        "scipy.signal.correlate (auto)": lambda: scipy.signal.correlate(x, kern, mode="valid"),
        "tf.nn.conv1d (what keras Conv1D calls)": lambda: tf.nn.conv1d(xt, wt, 1, "VALID").numpy()[0, :, 0],
    }
    return _time_and_compare(impls, ref, repeats)


def compare_layer(batch: int, size: int, c_in: int, c_out: int, k: int, repeats: int) -> tuple[list[list[str]], dict]:
    """A whole multi-channel layer: ``course_utils.ops.conv2d_layer`` against ``keras.layers.Conv2D``."""
    import keras

    from course_utils.ops import conv2d_layer

    rng = np.random.default_rng(2)
    x = rng.standard_normal((batch, size, size, c_in)).astype(np.float32)
    layer = keras.layers.Conv2D(c_out, k, padding="same", name="bench_conv")
    layer.build(x.shape)
    kernel, bias = (np.asarray(v) for v in layer.get_weights())
    ref = conv2d_layer(x, kernel, bias, padding="same")
    impls = {
        "course_utils.ops.conv2d_layer (NumPy reference)": lambda: conv2d_layer(x, kernel, bias, padding="same"),
        "keras.layers.Conv2D": lambda: np.asarray(layer(x)),
    }
    return _time_and_compare(impls, ref, repeats)


def run(cfg: dict) -> Section:
    section = Section(
        "convolution", "5. From scratch versus library",
        "The course's NumPy reference operations (`course_utils.ops`, vectorised with "
        "`sliding_window_view`, no Python loop over positions) against SciPy and TensorFlow/Keras on the "
        "same input, all computing the cross-correlation that Keras' convolution layers compute. Times "
        "are milliseconds per call, median (min–max); \"× reference\" divides by the reference's median; "
        "\"max rel. difference\" is the largest absolute difference from the reference's output divided by "
        "its largest magnitude (float32 inputs). A plain Python loop over output positions shows what a "
        "needlessly slow implementation would cost.",
    )
    header = ["implementation", "ms per call", "× reference", "max rel. difference"]
    repeats = cfg["repeats"]
    for size, k in cfg["images"]:
        rows, data = compare_2d(size, k, repeats, cfg["loop_limit"])
        section.table(f"2-D, one {size}×{size} image, {k}×{k} kernel, valid", header, rows)
        section.data[f"2d_{size}_{k}"] = data
    for n, k in cfg["signals"]:
        rows, data = compare_1d(n, k, repeats)
        section.table(f"1-D, a signal of {n:,} samples, kernel of {k}, valid", header, rows)
        section.data[f"1d_{n}_{k}"] = data
    b, size, c_in, c_out, k = cfg["layer"]
    rows, data = compare_layer(b, size, c_in, c_out, k, repeats)
    section.table(f"A layer: batch {b} of {size}×{size}×{c_in}, {c_out} filters {k}×{k}, same padding",
                  header, rows)
    section.data["layer"] = data
    section.notes.append(f"Each figure: median of {repeats} calls after one warm-up call (the loop: at most 3).")
    return section
