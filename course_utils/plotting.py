"""Figures the notebooks share. Each function draws and returns the matplotlib ``Figure``; the notebook
ends the cell with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from course_utils import ops
from course_utils._checks import non_negative_int, number, positive_int


def _image(image, index: int) -> np.ndarray:
    """One image as ``(h, w)`` or ``(h, w, 3 or 4)``; a single channel axis ``(h, w, 1)`` is dropped."""
    try:
        image = np.asarray(image)
    except ValueError as err:
        raise ValueError(f"image {index} is not an array of pixels ({err}).") from err
    if image.dtype.kind not in "biuf":
        raise TypeError(f"image {index} must hold numbers, got an array of dtype {image.dtype}.")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] in (3, 4))) or image.size == 0:
        raise ValueError(
            f"image {index} has shape {image.shape}; each image must be (height, width), (height, width, 1) or "
            "(height, width, 3), and images a list of them or an array (n, height, width[, channels]). "
            "For one image, pass [image]; for channels first, move them last with np.moveaxis(x, 0, -1)."
        )
    return image


def show_images(images: Sequence[np.ndarray] | np.ndarray, titles: Sequence[str] | None = None,
                ncols: int = 8, size: float = 1.6, cmap: str = "gray", symmetric: bool = False,
                vmin: float | None = None, vmax: float | None = None, colorbar: str | None = None,
                title: str | None = None, axis_labels: tuple[str, str] | None = None):
    """A grid of images (``(n, h, w)``, ``(n, h, w, 1)`` or ``(n, h, w, 3)``, or a list of such images).

    Args:
        titles: one title per image, or None.
        ncols: images per row (fewer if there are fewer images).
        size: side of each image in inches.
        symmetric: colour scale centred on zero (for kernels and signed feature maps); with ``colorbar``
            the bound is the largest absolute value over all images, so that the panels share one scale.
        vmin, vmax: one colour scale for every grey (2-D) image, so that panels can be compared; both or
            neither.
        colorbar: label of one colour bar for the whole figure (what the colour encodes, with its unit);
            needs a shared scale, ``vmin`` and ``vmax`` or ``symmetric=True``.
        title: a title for the whole figure.
        axis_labels: ``(x label, y label)`` to draw each image's axes with ticks, e.g.
            ``("column (px)", "row (px)")``; by default the axes are hidden.

    Raises:
        TypeError: for titles given as one string, images that are not numbers, or a non-integer ``ncols``.
        ValueError: if there is no image, an image is not 2-D (or 3-D with 1, 3 or 4 channels), as many
            titles as images are not given, ``ncols``/``size`` is not positive, only one of ``vmin`` and
            ``vmax`` is given or ``vmin >= vmax``, or ``colorbar`` is asked for without a shared scale.
    """
    if isinstance(images, np.ndarray) and images.ndim == 2:
        raise ValueError(f"images has shape {images.shape}, one grey image; pass a list of images: [image], "
                         "or an array (n, height, width).")
    images = [_image(image, i) for i, image in enumerate(images)]
    if not images:
        raise ValueError("show_images needs at least one image.")
    if isinstance(titles, str):
        raise TypeError(f"titles must be a list of strings, one per image, not one string; use [{titles!r}].")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles.")
    ncols = positive_int(ncols, "ncols")
    if number(size, "size") <= 0:
        raise ValueError(f"size is the side of each image in inches and must be > 0, got {size}.")
    if (vmin is None) != (vmax is None):
        raise ValueError("give both vmin and vmax (one shared colour scale) or neither.")
    if vmin is not None and number(vmin, "vmin") >= number(vmax, "vmax"):
        raise ValueError(f"vmin must be below vmax, got vmin={vmin}, vmax={vmax}.")
    if axis_labels is not None and (isinstance(axis_labels, str) or len(axis_labels) != 2):
        raise ValueError(f"axis_labels must be a pair (x label, y label), got {axis_labels!r}.")
    if colorbar is not None and vmin is None and not symmetric:
        raise ValueError("a colour bar needs one scale for all panels: pass vmin and vmax, or symmetric=True.")
    shared_bound = max(float(np.abs(image).max()) for image in images) or 1.0
    ncols = min(ncols, len(images))
    nrows = int(np.ceil(len(images) / ncols))
    extra = 0.3 * (titles is not None) + 0.3 * (title is not None)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols + 0.8 * (colorbar is not None), size * nrows + extra),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    drawn = None
    for i, image in enumerate(images):
        ax = axes.ravel()[i]
        kwargs = {}
        if symmetric:
            bound = shared_bound if (colorbar is not None and vmin is None) else float(np.abs(image).max()) or 1.0
            kwargs = {"vmin": -bound, "vmax": bound, "cmap": "RdBu_r"}
            if vmin is not None:
                kwargs.update(vmin=vmin, vmax=vmax)
        elif image.ndim == 2:
            kwargs = {"cmap": cmap}
            if vmin is not None:
                kwargs.update(vmin=vmin, vmax=vmax)
        drawn = ax.imshow(image, **kwargs)
        if axis_labels is not None:
            ax.axis("on")
            ax.set_xlabel(axis_labels[0], fontsize=8)
            ax.set_ylabel(axis_labels[1], fontsize=8)
            ax.tick_params(labelsize=7)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    if title is not None:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    if colorbar is not None:
        fig.colorbar(drawn, ax=axes.ravel().tolist(), shrink=0.8, label=colorbar)
    return fig


def plot_history(history: dict[str, list[float]], metrics: Sequence[str] | str = ("loss", "accuracy"), title: str = "",
                 ylabels: Mapping[str, str] | None = None):
    """Learning curves: each metric with its ``val_`` counterpart, one panel per metric, at whole epochs.

    The training curve is Keras' running mean over each epoch's batches, the validation curve the value at the
    epoch's end; the legend says so.

    Args:
        history: per-epoch metrics, a dict from name to values; a :class:`~course_utils.training.TrainingLog`
            or a Keras ``History`` (what ``model.fit`` returns) is read through its ``history``.
        metrics: the metrics to draw (those absent from the history are left out), or one metric name.
        ylabels: the y label of each metric's panel, with its unit (e.g. ``{"loss": "cross-entropy (nats)"}``);
            by default the metric's name.

    Raises:
        TypeError: if ``history`` is not a dict of per-epoch values, or ``ylabels`` not a dict.
        ValueError: if none of ``metrics`` is in the history, or a ``val_`` curve has another length.
    """
    if not isinstance(history, Mapping) and isinstance(getattr(history, "history", None), Mapping):
        history = history.history
    if not isinstance(history, Mapping):
        raise TypeError(f"history must be a dict from metric name to per-epoch values (log.history), got "
                        f"{type(history).__name__}.")
    if ylabels is not None and not isinstance(ylabels, Mapping):
        raise TypeError(f"ylabels must be a dict from metric name to label, e.g. {{'loss': 'cross-entropy (nats)'}}, "
                        f"got {type(ylabels).__name__}.")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    present = [m for m in metrics if m in history]
    if not present:
        raise ValueError(f"none of {metrics} in the history; it has {list(history)}.")
    for metric in present:
        if f"val_{metric}" in history and len(history[f"val_{metric}"]) != len(history[metric]):
            raise ValueError(f"history holds {len(history[metric])} values of {metric!r} but "
                             f"{len(history[f'val_{metric}'])} of 'val_{metric}'; give one per epoch for both.")
    fig, axes = plt.subplots(1, len(present), figsize=(4.5 * len(present), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], present):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], "o-", label="training (mean over the epoch)")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], "s-", label="validation (end of the epoch)")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel((ylabels or {}).get(metric, metric))
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _class_labels(values, name: str, num_classes: int) -> np.ndarray:
    """Integer class labels in ``0..num_classes-1`` as a 1-D int64 array, or a ValueError saying what is wrong."""
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        hint = (f" It looks like one row of scores per sample: pass the predicted classes, {name}.argmax(axis=1)."
                if array.ndim == 2 else "")
        raise ValueError(f"{name} must be one integer class label per sample, shape (n,), got shape {array.shape}.{hint}")
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold integer class labels, got dtype {array.dtype}; map names to indices first.")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueError(f"{name} holds values that are not whole numbers (for example probabilities); pass "
                             f"class labels: scores.argmax(axis=1), or (p >= 0.5).astype(int) for one probability.")
    array = array.astype(np.int64)
    outside = (array < 0) | (array >= num_classes)
    if outside.any():
        raise ValueError(f"{name} holds labels outside 0..{num_classes - 1} (for example {array[outside][0]}), "
                         f"but num_classes={num_classes}; pass the right num_classes or fix the labels.")
    return array


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as ``j`` (``sklearn.metrics.confusion_matrix``
    over the labels ``0..num_classes-1``).

    Args:
        y_true, y_pred: integer class labels, one per sample (floats are accepted if they are whole numbers).
        num_classes: number of classes; the matrix is ``num_classes × num_classes``.

    Raises:
        TypeError: for a non-integer ``num_classes`` or labels that are not numbers.
        ValueError: for labels of different lengths, labels outside ``0..num_classes-1``, or scores or
            probabilities instead of labels (pass ``scores.argmax(axis=1)``).
    """
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    num_classes = positive_int(num_classes, "num_classes")
    y_true = _class_labels(y_true, "y_true", num_classes)
    y_pred = _class_labels(y_pred, "y_pred", num_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels, y_pred {y_pred.size}; they must match.")
    if y_true.size == 0:
        return np.zeros((num_classes, num_classes), dtype=np.int64)
    return sk_confusion_matrix(y_true, y_pred, labels=np.arange(num_classes)).astype(np.int64)


def plot_confusion_matrix(matrix: np.ndarray, class_names: Sequence[str], title: str = "confusion matrix"):
    """Draw a confusion matrix with its counts; rows are true classes, columns predictions.

    Raises:
        TypeError: for class names given as one string.
        ValueError: if the matrix is not square with one row per class name.
    """
    if isinstance(class_names, str):
        raise TypeError(f"class_names must be a list of names, one per class, not one string {class_names!r}.")
    class_names = list(class_names)
    matrix = np.asarray(matrix)
    if matrix.shape != (len(class_names), len(class_names)):
        raise ValueError(f"matrix of shape {matrix.shape} for {len(class_names)} class names.")
    fig, ax = plt.subplots(figsize=(0.55 * len(class_names) + 2.5, 0.55 * len(class_names) + 2))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(class_names)), class_names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(class_names)), class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                color="white" if count > threshold else "black")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_signals(x: np.ndarray, series: dict[str, np.ndarray], title: str = "", xlabel: str = "t", ylabel: str = ""):
    """Several 1-D signals over the same axis ``x``, one line each, labelled by the dict's keys.

    ``xlabel`` and ``ylabel`` name the axes (with their units); an empty ``ylabel`` leaves the y axis unnamed.

    Raises:
        TypeError: if ``series`` is not a dict from label to signal.
        ValueError: for no signal, or a signal whose shape differs from the axis'.
    """
    if not isinstance(series, Mapping):
        raise TypeError(f"series must be a dict from label to signal, e.g. {{'raw': x}}, got {type(series).__name__}.")
    if not series:
        raise ValueError("series is empty; give at least one signal, e.g. {'raw': x}.")
    for label, values in series.items():
        if np.shape(values) != np.shape(x):
            raise ValueError(f"signal {label!r} has shape {np.shape(values)}, the axis {np.shape(x)}.")
    fig, ax = plt.subplots(figsize=(9, 3.2))
    for label, values in series.items():
        ax.plot(x, np.asarray(values), label=label, lw=1.2)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _numbers(values: object, name: str, ndim: int) -> np.ndarray:
    """``values`` as a float array with ``ndim`` axes, none empty, or a ValueError naming ``name``."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}.")
    if array.ndim != ndim or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {array.shape}.")
    return array.astype(float)


def _draw_grid(ax, values: np.ndarray, pad: int, fontsize: float = 8) -> None:
    """Cells of ``values`` (already padded by ``pad``) with their numbers; padded cells shaded grey."""
    rows, cols = values.shape
    for (r, c), value in np.ndenumerate(values):
        border = r < pad or c < pad or r >= rows - pad or c >= cols - pad
        ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="0.8" if border else "white", edgecolor="0.5", lw=0.6,
                                   gid="zero padding" if border else "input"))
        ax.text(c + 0.5, r + 0.5, f"{value:g}", ha="center", va="center", fontsize=fontsize,
                color="0.35" if border else "black")
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_kernel_positions(x: np.ndarray, kernel: np.ndarray, positions: Sequence[int], t: np.ndarray | None = None,
                          flip: bool = True, context: int = 6, title: str | None = None, xlabel: str = "t",
                          ylabel: str = ""):
    """A 1-D kernel at several positions along a series, with the products that make each output.

    One panel per position (top row): the series around it, the window of the kernel's span shaded, each sample
    in the window marked with the weight it is multiplied by, and the panel's title the output,
    ``s(t) = sum of the products = value``. The bottom panel shows the whole series and the whole output
    (``'same'`` padding: zeros beyond both ends, as :func:`course_utils.ops.conv1d`), with the outputs drawn above
    marked.

    Args:
        x: the series, ``(n,)``; kernel: the weights ``k(-a) .. k(a)``, of odd span ``K = 2a + 1``.
        positions: output indices ``0 <= p < n`` to draw (each reads samples ``p - a .. p + a``).
        t: the time axis (default ``0 .. n-1``), e.g. years; its values label the panels.
        flip: ``True`` for convolution (the kernel reversed as it slides, ``np.convolve``), ``False`` for the
            cross-correlation that ``keras.layers.Conv1D`` computes.
        context: samples drawn on each side of the window in the top panels.
        title, xlabel, ylabel: the figure's title and the axes' names.

    Each shaded window is a patch with ``gid == "window p"``.

    Raises:
        TypeError: for arrays that are not numbers, or positions, context or flip of the wrong type.
        ValueError: for a series or kernel that is not a non-empty 1-D array, an even span, no positions or one
            outside the series, or a time axis of another shape than the series.
    """
    x, kernel = _numbers(x, "x", 1), _numbers(kernel, "kernel", 1)
    if len(kernel) % 2 == 0:
        raise ValueError(f"kernel must have an odd span (indices -a .. a), got span {len(kernel)}.")
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be True (convolution) or False (cross-correlation), got {flip!r}.")
    context = non_negative_int(context, "context")
    positions = [non_negative_int(p, "each position") for p in np.atleast_1d(positions).tolist()] \
        if not isinstance(positions, (int, np.integer)) else [non_negative_int(positions, "positions")]
    if not positions:
        raise ValueError("positions is empty; give at least one output index, e.g. [10, 20].")
    n, a = len(x), len(kernel) // 2
    for p in positions:
        if p >= n:
            raise ValueError(f"position {p} lies outside the series of {n} samples (0 .. {n - 1}).")
    t = np.arange(n, dtype=float) if t is None else _numbers(t, "t", 1)
    if t.shape != x.shape:
        raise ValueError(f"t has shape {t.shape}, the series {x.shape}; give one time value per sample.")
    weights = kernel[::-1] if flip else kernel          # the weights as they slide, left to right
    padded = np.pad(x, a)                               # 'same' for an odd span: a zeros at each end
    output = ops.conv1d(x, kernel, mode="same", flip=bool(flip))
    step = float(t[1] - t[0]) if n > 1 else 1.0
    fig = plt.figure(figsize=(max(9.0, 3.2 * len(positions)), 5.6))
    grid = fig.add_gridspec(2, len(positions), height_ratios=[1.2, 1])
    colours = plt.cm.tab10(np.arange(len(positions)) % 10)
    for col, (p, colour) in enumerate(zip(positions, colours)):
        ax = fig.add_subplot(grid[0, col])
        lo, hi = max(0, p - a - context), min(n, p + a + context + 1)
        ax.plot(t[lo:hi], x[lo:hi], "o-", color="0.4", ms=3, lw=1)
        ax.add_patch(plt.Rectangle((t[p] - (a + 0.5) * step, float(np.min(x[lo:hi]))), (2 * a + 1) * step,
                                   float(np.ptp(x[lo:hi])) or 1.0, facecolor=colour, alpha=0.25, edgecolor=colour,
                                   gid=f"window {p}"))
        window = padded[p:p + len(kernel)]
        for j, (value, weight) in enumerate(zip(window, weights)):
            i = p - a + j
            if 0 <= i < n:
                ax.annotate(f"×{weight:.3g}", (t[i], value), xytext=(0, 7), textcoords="offset points",
                            ha="center", fontsize=7, color=colour)
        terms = " + ".join(f"{v:.3g}·{w:.3g}" if w >= 0 else f"{v:.3g}·({w:.3g})" for v, w in zip(window, weights))
        if len(terms) > 60:
            terms = f"{terms[:57]}…"
        ax.set_title(f"s({t[p]:g}) = {output[p]:.4g}\n{terms}", fontsize=8)
        ax.set_xlabel(xlabel, fontsize=8)
        if col == 0 and ylabel:
            ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7)
    bottom = fig.add_subplot(grid[1, :])
    bottom.plot(t, x, color="0.6", lw=1, label="series x")
    bottom.plot(t, output, color="black", lw=1.2, label="output s = " + ("x * k (convolution)" if flip else
                                                                          "cross-correlation of x with k"))
    for p, colour in zip(positions, colours):
        bottom.plot([t[p]], [output[p]], "o", color=colour, ms=7, mec="black")
    bottom.set_xlabel(xlabel)
    bottom.legend(fontsize=8, loc="upper left")
    fig.suptitle(title or f"A kernel of span {len(kernel)} at {len(positions)} positions: each output is the sum "
                 "of weight × sample over its window", fontsize=10)
    fig.tight_layout()
    return fig


def plot_output_windows(image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
                        title: str | None = None):
    """One panel per output cell of a 2-D cross-correlation (what ``Conv2D`` computes): the input with the
    window that makes the cell outlined, and the cell's value in the panel's title, ``S(i, j) = value``.

    Args:
        image: the input, ``(height, width)``; kernel: the weights, ``(kh, kw)``, written small in each window.
        stride: step between windows; padding: zeros on every side (drawn shaded).
        title: a title for the whole figure.

    The panels are in row-major order of the output cells; each outlined window is a patch with
    ``gid == "window i j"``.

    Raises:
        TypeError: for arrays that are not numbers, or a non-integer stride or padding.
        ValueError: if image or kernel is not a non-empty 2-D array, or the kernel is larger than the padded image.
    """
    image, kernel = _numbers(image, "image", 2), _numbers(kernel, "kernel", 2)
    stride, padding = positive_int(stride, "stride"), non_negative_int(padding, "padding")
    padded = np.pad(image, padding)
    (kh, kw), (ph, pw) = kernel.shape, padded.shape
    if kh > ph or kw > pw:
        raise ValueError(f"kernel {kernel.shape} does not fit in the padded image {padded.shape}; pad more or use a "
                         "smaller kernel.")
    out_h, out_w = (ph - kh) // stride + 1, (pw - kw) // stride + 1
    fig, axes = plt.subplots(out_h, out_w, figsize=(0.45 * pw * out_w + 0.4, 0.45 * ph * out_h + 0.6), squeeze=False)
    for (i, j), ax in np.ndenumerate(axes):
        r, c = i * stride, j * stride
        value = float(np.sum(padded[r:r + kh, c:c + kw] * kernel))
        _draw_grid(ax, padded, padding)
        ax.add_patch(plt.Rectangle((c, r), kw, kh, facecolor="tab:orange", alpha=0.3, edgecolor="tab:red", lw=2,
                                   gid=f"window {i} {j}"))
        for (m, n), weight in np.ndenumerate(kernel):
            ax.text(c + n + 0.95, r + m + 0.95, f"×{weight:g}", ha="right", va="bottom", fontsize=5.5, color="tab:red")
        ax.set_title(f"S({i}, {j}) = {value:g}", fontsize=9)
    fig.suptitle(title or f"Each output and the {kh}×{kw} window it reads\n(weights in red, stride {stride})", fontsize=10)
    fig.tight_layout()
    return fig


def plot_windows_2d(n: int, k: int, stride: int = 1, padding: int = 0, values: np.ndarray | None = None,
                    cells: Sequence[tuple[int, int]] | None = None, title: str | None = None):
    """The windows of a ``k×k`` kernel at ``stride`` on an ``n×n`` input padded with ``padding`` zeros, on one grid.

    Each window is outlined in its own colour, slightly inset so that overlapping windows stay visible, and
    labelled with its output cell ``(i, j)``; padded cells are shaded. There are
    ``floor((n + 2 padding - k) / stride) + 1`` windows along each axis.

    Args:
        values: the input's numbers, ``(n, n)``, written in its cells (by default the cells are blank).
        cells: the output cells ``(i, j)`` whose windows to draw; by default all.
        title: the figure's title; by default it states n, k, stride, padding and the output size.

    Each window is a patch with ``gid == "window i j"``.

    Raises:
        TypeError: for non-integer sizes, or values that are not numbers.
        ValueError: if the kernel does not fit the padded input, values is not ``(n, n)``, or a cell is outside
            the output.
    """
    n, k = positive_int(n, "n"), positive_int(k, "k")
    stride, padding = positive_int(stride, "stride"), non_negative_int(padding, "padding")
    if k > n + 2 * padding:
        raise ValueError(f"a kernel of span {k} does not fit an input of {n} cells padded with {padding} on each side.")
    out = (n + 2 * padding - k) // stride + 1
    if values is None:
        grid = np.full((n, n), np.nan)
    else:
        grid = _numbers(values, "values", 2)
        if grid.shape != (n, n):
            raise ValueError(f"values has shape {grid.shape}, but the input is {n}×{n}.")
    chosen = [(i, j) for i in range(out) for j in range(out)] if cells is None else [tuple(c) for c in cells]
    for i, j in chosen:
        if not (0 <= i < out and 0 <= j < out):
            raise ValueError(f"cell {(i, j)} is outside the {out}×{out} output.")
    size = n + 2 * padding
    fig, ax = plt.subplots(figsize=(0.5 * size + 1.2, 0.5 * size + 0.8))
    _draw_grid(ax, np.pad(grid, padding), padding)
    for t in ax.texts[:]:
        if t.get_text() == "nan":
            t.remove()
    colours = plt.get_cmap("tab10")
    for index, (i, j) in enumerate(chosen):
        inset = 0.06 + 0.06 * (index % 4)
        r, c = i * stride, j * stride
        ax.add_patch(plt.Rectangle((c + inset, r + inset), k - 2 * inset, k - 2 * inset, fill=False, lw=2,
                                   edgecolor=colours(index % 10), gid=f"window {i} {j}"))
        ax.text(c + inset + 0.05, r + inset + 0.05, f"({i},{j})", ha="left", va="top", fontsize=7,
                color=colours(index % 10))
    ax.set_title(title or f"{k}×{k} windows, stride {stride}, padding {padding} on {n}×{n}: output {out}×{out}",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_kernel_tensor(kernel: np.ndarray, title: str | None = None):
    """A Keras kernel ``(kh, kw, in_channels, out_channels)`` as a grid: row ``o`` = output channel, column
    ``c`` = input channel, each cell the ``kh×kw`` slice ``kernel[:, :, c, o]``, on one signed colour scale.

    Output channel ``o`` is the sum over the row's cells of each input channel cross-correlated with its slice.

    Raises:
        TypeError: for a kernel that is not numbers.
        ValueError: for a kernel that is not a non-empty 4-D array.
    """
    kernel = _numbers(kernel, "kernel", 4)
    kh, kw, cin, cout = kernel.shape
    bound = float(np.abs(kernel).max()) or 1.0
    fig, axes = plt.subplots(cout, cin, figsize=(1.0 * cin + 1.3, 1.0 * cout + 0.8), squeeze=False)
    for (o, c), ax in np.ndenumerate(axes):
        shown = ax.imshow(kernel[:, :, c, o], cmap="RdBu_r", vmin=-bound, vmax=bound)
        ax.set_xticks([])
        ax.set_yticks([])
        if o == 0:
            ax.set_title(f"in {c}", fontsize=8)
        if c == 0:
            ax.set_ylabel(f"out {o}", fontsize=8)
    fig.suptitle(title or f"Kernel {kernel.shape}: rows = output channels, columns = input channels", fontsize=10)
    fig.tight_layout()
    fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.6, label="weight")
    return fig


def plot_connections(n: int = 5, k: int = 3, title: str | None = None):
    """Dense against convolution, ``n`` inputs to ``n`` outputs: left every one of the ``n²`` dense
    connections, right the connections of a span-``k`` convolution with ``padding="same"`` (odd ``k``), each
    coloured by the one of the ``k`` shared weights it uses.

    Each connection is a line with ``gid`` ``"dense"`` or ``"shared weight m"`` (``m`` = 0..k-1, the kernel's index).

    Raises:
        TypeError: for non-integer sizes.
        ValueError: for an even ``k`` or ``k > n``.
    """
    n, k = positive_int(n, "n"), positive_int(k, "k")
    if k % 2 == 0 or k > n:
        raise ValueError(f"k must be odd and at most n (a centred kernel inside the input), got k={k}, n={n}.")
    a = (k - 1) // 2
    colours = plt.get_cmap("tab10")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for ax, dense in zip(axes, (True, False)):
        for i in range(n):
            for j in range(n):
                m = j - i + a                                       # the kernel index input j uses for output i
                if dense:
                    ax.plot([j, i], [0, 1], color="0.45", lw=0.8, gid="dense")
                elif 0 <= m < k:
                    ax.plot([j, i], [0, 1], color=colours(m), lw=2, gid=f"shared weight {m}",
                            label=f"$w_{{{m}}}$" if i == a else None)
        ax.scatter(range(n), [0] * n, s=150, color="white", edgecolor="black", zorder=3)
        ax.scatter(range(n), [1] * n, s=150, color="tab:gray", edgecolor="black", zorder=3)
        ax.set_yticks([0, 1], ["input $x_j$", "output $y_i$"])
        ax.set_xticks(range(n))
        ax.set_ylim(-0.2, 1.2)
        ax.set_xlabel("position")
        count = sum(1 for line in ax.lines)
        ax.set_title(f"dense: {count} connections, {n * n} weights" if dense else
                     f"convolution: {count} connections, {k} shared weights", fontsize=9)
    axes[1].legend(fontsize=8, loc="center right", bbox_to_anchor=(1.25, 0.5))
    fig.suptitle(title or f"{n} inputs to {n} outputs: dense against a span-{k} convolution", fontsize=10)
    fig.tight_layout()
    return fig
