"""Interactive explorers of the course's mechanics: a pure function for each, its picture, and a thin
ipywidgets front-end.

* :func:`slide_1d`: a 1-D kernel sliding along a series, and the output computed so far (notebook 01).
* :func:`filter_image`: a 2-D kernel with editable weights on a photograph (notebook 03).
* :func:`pooling_under_shift`: max or average pooling of a series and of the same series shifted, and which
  pooled outputs change (notebook 05).
* :func:`window_positions`: input length, kernel span, stride and padding give the output length and where
  each window lies (notebook 06).

Every computation is a pure function of its arguments (checked against NumPy, SciPy and Keras in
``tests/test_explorers.py``); every ``draw_*`` function returns a matplotlib ``Figure`` made without pyplot,
so drawing displays nothing by itself. The ``*_explorer`` functions return an :class:`Explorer`: sliders and
a picture that is redrawn when they move, in JupyterLab with a running kernel.

An explorer's display carries three representations: the live widget (``widget-view+json``, for JupyterLab),
the picture for its settings at display time (``image/png``, for the course site and for viewers without
widgets) and a sentence that says what the picture shows (``text/plain``). Strict nbval compares the sentence,
which depends only on the settings; it skips images and widget views (their model ids are random), and the
notebook stores no widget state (``course_tools.execute`` drops it). Colours are the Okabe-Ito palette,
which reads the same to the three common kinds of colour blindness, and a changed cell is also hatched.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from course_utils import ops
from course_utils._checks import non_negative_int, positive_int
from course_utils.ops import _as_array, _choice

__all__ = [
    "PRESET_KERNELS",
    "Explorer",
    "PoolShift",
    "Slide1D",
    "Windows",
    "draw_filter",
    "draw_pooling",
    "draw_slide_1d",
    "draw_windows",
    "filter_explorer",
    "filter_image",
    "kernel_from_values",
    "pooling_explorer",
    "pooling_under_shift",
    "slide_1d",
    "slide_1d_explorer",
    "to_png",
    "window_positions",
    "windows_explorer",
]

# Okabe & Ito (2008), "Color universal design": distinguishable with every common colour-vision deficiency.
ORANGE, SKY, GREEN, VERMILION, BLUE, GREY = "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#999999"

SLIDE_PADDINGS = ("valid", "same", "causal", "full")
WINDOW_PADDINGS = ("valid", "same")

PRESET_KERNELS: dict[str, tuple[float, ...]] = {
    "identity": (0, 0, 0, 0, 1, 0, 0, 0, 0),
    "box blur": (1 / 9,) * 9,
    "sharpen": (0, -1, 0, -1, 5, -1, 0, -1, 0),
    "vertical edges (Sobel)": (1, 0, -1, 2, 0, -2, 1, 0, -1),
    "horizontal edges (Sobel)": (1, 2, 1, 0, 0, 0, -1, -2, -1),
    "emboss": (-2, -1, 0, -1, 1, 1, 0, 1, 2),
}
"""3x3 kernels (row by row) for :func:`filter_explorer`, as Keras' ``Conv2D`` applies them (no flip)."""


def _series(x: object, name: str) -> np.ndarray:
    arr = _as_array(x, 1, name, f"pass one series of shape (n,); for (n, 1) use {name}[:, 0].")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values; replace them (np.nan_to_num) before exploring.")
    return arr


def _fmt(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in np.round(np.asarray(values, dtype=float), 3)) + "]"


# ------------------------------------------------------------------------------------------- 1-D sliding
@dataclass(frozen=True)
class Slide1D:
    """One step of a 1-D kernel sliding along a series (see :func:`slide_1d`).

    Attributes:
        padded: the series with its zeros, shape ``(pad[0] + n + pad[1],)``.
        pad: zeros ``(before, after)`` the padding mode adds.
        kernel: the weights as they slide (reversed for a convolution), shape ``(K,)``.
        position: the output index ``t`` computed at this step.
        window: indices into ``padded`` read at step ``t``: ``t * stride + 0 .. K-1``.
        products: ``padded[window] * kernel``; their sum is ``output[position]``.
        output: every output, NaN after ``position`` (the outputs not computed yet).
        stride: the step between windows.
        padding: the padding mode.
    """

    padded: np.ndarray
    pad: tuple[int, int]
    kernel: np.ndarray
    position: int
    window: np.ndarray
    products: np.ndarray
    output: np.ndarray
    stride: int
    padding: str

    @property
    def length(self) -> int:
        """Number of outputs once the kernel has slid to the end."""
        return len(self.output)


def slide_1d(x: object, kernel: object, position: int, padding: str = "valid", stride: int = 1,
             flip: bool = False) -> Slide1D:
    """The kernel at output position ``position`` and the outputs computed up to it.

    Computes what ``keras.layers.Conv1D`` computes (cross-correlation, ``c(t) = sum_j x(s t + j) k(j)``,
    for ``0 <= j < K``) or, with ``flip=True``, a convolution (the kernel reversed first, as ``np.convolve``).

    Args:
        x: the series, shape ``(n,)``.
        kernel: the weights, shape ``(K,)``.
        position: the output index to stop at, ``0 <= position < number of outputs``.
        padding: ``"valid"``, ``"same"``, ``"causal"`` or ``"full"`` (as in :mod:`course_utils.ops`).
        stride: step between windows (>= 1).
        flip: ``False`` for cross-correlation (Keras), ``True`` for convolution.

    Returns:
        A :class:`Slide1D`.

    Raises:
        TypeError: for a series or kernel that is not numeric, or a position, stride or flip of the wrong type.
        ValueError: for arrays that are not 1-D, an unknown padding, a kernel longer than the series with
            ``"valid"``, or a position outside the outputs (the message gives the range).

    >>> slide_1d([1, 2, 3, 4], [1, 0, -1], position=0).output
    array([-2., nan])
    """
    x = _series(x, "x")
    kernel = _series(kernel, "kernel")
    padding = _choice(padding, SLIDE_PADDINGS, "padding")
    stride = positive_int(stride, "stride")
    full = ops.conv1d(x, kernel, mode=padding, stride=stride, flip=flip)  # checks flip and the kernel's length
    position = non_negative_int(position, "position")
    if position >= len(full):
        raise ValueError(f"position must be between 0 and {len(full) - 1} (this series gives {len(full)} outputs "
                         f"with padding={padding!r} and stride={stride}), got {position}.")
    n, span = len(x), len(kernel)
    pad = ops.same_padding(n, span, stride) if padding == "same" else \
        {"valid": (0, 0), "causal": (span - 1, 0), "full": (span - 1, span - 1)}[padding]
    padded = np.pad(x, pad)
    weights = kernel[::-1] if flip else kernel
    window = position * stride + np.arange(span)
    output = full.copy()
    output[position + 1:] = np.nan
    return Slide1D(padded=padded, pad=pad, kernel=weights, position=position, window=window,
                   products=padded[window] * weights, output=output, stride=stride, padding=padding)


def draw_slide_1d(step: Slide1D) -> Figure:
    """The padded series with the kernel's window, the products, and the output so far; returns the Figure."""
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    t_in = np.arange(len(step.padded)) - step.pad[0]
    real = (t_in >= 0) & (t_in < len(step.padded) - step.pad[0] - step.pad[1])
    top.bar(t_in[real], step.padded[real], color=SKY, edgecolor=BLUE, label="series x")
    if not real.all():
        top.bar(t_in[~real], np.zeros((~real).sum()), color="none", edgecolor=GREY, hatch="//", label="padding (0)")
        top.plot(t_in[~real], np.zeros((~real).sum()), "o", mfc="white", mec=GREY)
    lo, hi = t_in[step.window[0]] - 0.5, t_in[step.window[-1]] + 0.5
    top.axvspan(lo, hi, color=ORANGE, alpha=0.3, label="window")
    for j, (i, w) in enumerate(zip(step.window, step.kernel)):
        top.annotate(f"×{w:g}", (t_in[i], step.padded[i]), xytext=(0, 6 if step.padded[i] >= 0 else -14),
                     textcoords="offset points", ha="center", fontsize=8, color=VERMILION if j == 0 else "black")
    top.set_ylabel("input")
    top.set_title(f"output {step.position} = sum of {_fmt(step.products)} = {step.output[step.position]:.3g}",
                  fontsize=10)
    top.legend(loc="upper left", fontsize=7, ncols=3)
    t_out = np.arange(step.length) * step.stride - step.pad[0]     # each output under its window's first input
    done = ~np.isnan(step.output)
    bottom.bar(t_out[done], step.output[done], color=GREEN, edgecolor="black", label="computed")
    bottom.bar(t_out[~done], np.zeros((~done).sum()), color="none", edgecolor=GREY, ls=":", label="to come")
    bottom.bar([t_out[step.position]], [step.output[step.position]], color=VERMILION, edgecolor="black", hatch="..",
               label="this step")
    bottom.axhline(0, color="black", lw=0.5)
    bottom.set_ylabel("output")
    bottom.set_xlabel("input index (each output drawn under the first input of its window)")
    bottom.legend(loc="upper left", fontsize=7, ncols=3)
    return fig


# ------------------------------------------------------------------------------------------- 2-D filter
def kernel_from_values(values: object, size: int = 3) -> np.ndarray:
    """A ``(size, size)`` kernel from ``size * size`` numbers given row by row.

    Raises:
        TypeError: for entries that are not real numbers.
        ValueError: for the wrong number of entries, NaN or infinities.

    >>> kernel_from_values([0, 0, 0, 0, 1, 0, 0, 0, 0]).shape
    (3, 3)
    """
    size = positive_int(size, "size")
    flat = _as_array(values, (1, 2), "values", f"pass {size * size} numbers, row by row.").ravel()
    if flat.size != size * size:
        raise ValueError(f"values must hold {size * size} numbers for a {size}x{size} kernel, got {flat.size}.")
    if not np.all(np.isfinite(flat)):
        raise ValueError("values holds NaN or infinite weights; every weight must be a finite number.")
    return flat.reshape(size, size)


def filter_image(image: object, weights: object, padding: str = "same", stride: int = 1) -> np.ndarray:
    """What a one-filter ``keras.layers.Conv2D`` without bias computes on a grey image: cross-correlation.

    ``S[i, j] = sum_m sum_n I[s i + m, s j + n] K[m, n]`` for ``0 <= m < kh``, ``0 <= n < kw``, with the
    zero padding of ``padding``.

    Args:
        image: a grey image, shape ``(height, width)``.
        weights: the kernel, shape ``(kh, kw)``.
        padding: ``"same"`` (Keras' zeros, output ``ceil(height / stride)``) or ``"valid"``.
        stride: an int or ``(rows, columns)``.

    Returns:
        float array ``(out_h, out_w)``.

    Raises:
        TypeError / ValueError: as :func:`course_utils.ops.conv2d` for the image, the kernel and the stride;
        ValueError for a padding other than "same" and "valid".
    """
    padding = _choice(padding, WINDOW_PADDINGS, "padding")
    return ops.conv2d(image, weights, mode=padding, stride=stride, flip=False)


def draw_filter(image: np.ndarray, weights: np.ndarray, output: np.ndarray, name: str = "") -> Figure:
    """The photograph, the kernel with its weights written in, and the filtered image; returns the Figure."""
    fig = Figure(figsize=(9, 3.3), layout="constrained")
    left, mid, right = fig.subplots(1, 3, width_ratios=[1, 0.7, 1])
    left.imshow(image, cmap="gray")
    left.set_title("input", fontsize=10)
    bound = float(np.abs(weights).max()) or 1.0
    mid.imshow(weights, cmap="PuOr_r", vmin=-bound, vmax=bound)
    for (r, c), w in np.ndenumerate(weights):
        mid.text(c, r, f"{w:.3g}", ha="center", va="center", fontsize=9)
    mid.set_title(f"kernel{': ' + name if name else ''} (sum {weights.sum():.3g})", fontsize=10)
    right.imshow(output, cmap="gray")
    right.set_title(f"output, range [{output.min():.2f}, {output.max():.2f}]", fontsize=10)
    for ax in (left, mid, right):
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


# ---------------------------------------------------------------------------------------- window positions
@dataclass(frozen=True)
class Windows:
    """Where a kernel of span ``k`` lies along an input of length ``n`` (see :func:`window_positions`).

    Attributes:
        n, k, stride: the input length, kernel span and stride.
        pad: zeros ``(before, after)``.
        size: the output length, ``floor((n + before + after - k) / stride) + 1``.
        starts: the first index of each window in the input's own coordinates (negative inside the padding).
        reads: how many windows read each input cell, shape ``(n,)``; 0 marks a cell no output sees.
    """

    n: int
    k: int
    stride: int
    pad: tuple[int, int]
    size: int
    starts: np.ndarray
    reads: np.ndarray


def window_positions(n: int, k: int, stride: int = 1, padding: int | str = 0) -> Windows:
    """Output length and window positions for input length ``n``, span ``k``, ``stride`` and ``padding``.

    Args:
        n: input length (>= 1). k: kernel span (>= 1). stride: >= 1.
        padding: zeros on *each* side (an int >= 0), or ``"valid"`` (none) or ``"same"`` (Keras' rule,
            :func:`course_utils.ops.same_padding`, which may put one more zero after).

    Returns:
        A :class:`Windows`.

    Raises:
        TypeError: for sizes that are not integers, or a padding that is neither an int nor a string.
        ValueError: for sizes below 1, negative padding, an unknown padding name, or a kernel longer than the
            padded input.

    >>> w = window_positions(7, 2, stride=2)
    >>> w.size, w.starts.tolist(), w.reads.tolist()
    (3, [0, 2, 4], [1, 1, 1, 1, 1, 1, 0])
    """
    n, k, stride = positive_int(n, "n"), positive_int(k, "k"), positive_int(stride, "stride")
    if isinstance(padding, str):
        padding = _choice(padding, WINDOW_PADDINGS, "padding")
        pad = ops.same_padding(n, k, stride) if padding == "same" else (0, 0)
    elif isinstance(padding, bool) or not isinstance(padding, (int, np.integer)):
        raise TypeError(f"padding must be an int (zeros on each side), 'valid' or 'same', got {padding!r} "
                        f"of type {type(padding).__name__}.")
    else:
        pad = (non_negative_int(padding, "padding"),) * 2
    if k > n + pad[0] + pad[1]:
        raise ValueError(f"kernel span k={k} is longer than the padded input ({pad[0]} + {n} + {pad[1]}); "
                         "use a smaller kernel or more padding.")
    size = (n + pad[0] + pad[1] - k) // stride + 1
    starts = np.arange(size) * stride - pad[0]
    reads = np.zeros(n, dtype=int)
    for start in starts:
        reads[max(start, 0):max(min(start + k, n), 0)] += 1
    return Windows(n=n, k=k, stride=stride, pad=pad, size=size, starts=starts, reads=reads)


def draw_windows(w: Windows) -> Figure:
    """The padded input as a row of cells, one bracket per window, and the output row; returns the Figure."""
    fig = Figure(figsize=(8, 1.0 + 0.2 * w.size), layout="constrained")
    ax = fig.subplots()
    cells = np.arange(-w.pad[0], w.n + w.pad[1])
    for c in cells:
        inside = 0 <= c < w.n
        unread = inside and w.reads[c] == 0
        ax.add_patch(_cell(c, 0, SKY if inside and not unread else "white", hatch="//" if not inside else
                           ("xx" if unread else None)))
        ax.text(c + 0.5, 0.5, str(c) if inside else "0", ha="center", va="center", fontsize=7)
    for i, start in enumerate(w.starts):
        y = -0.35 - 0.28 * i
        ax.plot([start + 0.1, start + w.k - 0.1], [y, y], color=ORANGE if i % 2 else VERMILION, lw=3,
                solid_capstyle="butt")
        ax.text(start - 0.2, y, f"out {i}", ha="right", va="center", fontsize=6)
    ax.set_xlim(cells[0] - 2.5, cells[-1] + 1.5)
    ax.set_ylim(-0.6 - 0.28 * w.size, 1.2)
    ax.axis("off")
    unread = int((w.reads == 0).sum())
    ax.set_title(f"n={w.n}, k={w.k}, stride={w.stride}, padding {w.pad[0]}+{w.pad[1]}: {w.size} outputs"
                 + (f", {unread} input cell{'s' if unread != 1 else ''} never read (crossed)" if unread else ""),
                 fontsize=10)
    return fig


def _cell(x: float, y: float, color: str, hatch: str | None = None):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=color, edgecolor="black", lw=0.8, hatch=hatch)


# ---------------------------------------------------------------------------------------- pooling and shift
@dataclass(frozen=True)
class PoolShift:
    """A series and its shifted copy, pooled (see :func:`pooling_under_shift`).

    Attributes:
        x, shifted: the series and the series moved right by ``shift`` places (``fill`` enters on the left).
        pooled, pooled_shifted: their pooled outputs (Keras' ``MaxPooling1D`` / ``AveragePooling1D``, "valid").
        changed: which pooled outputs differ, a bool array.
        starts: the first input index of each pooling window.
        size, stride, shift, mode: the settings.
    """

    x: np.ndarray
    shifted: np.ndarray
    pooled: np.ndarray
    pooled_shifted: np.ndarray
    changed: np.ndarray
    starts: np.ndarray
    size: int
    stride: int
    shift: int
    mode: str


def pooling_under_shift(x: object, size: int, stride: int | None = None, shift: int = 1, mode: str = "max",
                        fill: float = 0.0) -> PoolShift:
    """Pool a series and the same series shifted right by ``shift`` places; say which outputs change.

    Args:
        x: the series, shape ``(n,)``.
        size: pooling window (``pool_size``, >= 1, at most ``n``).
        stride: step between windows (>= 1); ``None`` for ``size`` (Keras' default).
        shift: places to move the series right (>= 0, less than ``n``).
        mode: ``"max"`` or ``"avg"``.
        fill: the value that enters on the left as the series moves.

    Returns:
        A :class:`PoolShift`.

    Raises:
        TypeError: for a non-numeric series or fill, or sizes that are not integers.
        ValueError: for a series that is not 1-D, a window longer than the series, a shift of ``n`` or more,
            or an unknown mode.

    >>> p = pooling_under_shift([0, 1, 0, 0, 2, 0], size=2)
    >>> p.pooled.tolist(), p.pooled_shifted.tolist(), p.changed.tolist()
    ([1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [True, True, True])
    """
    x = _series(x, "x")
    size = positive_int(size, "size")
    stride = size if stride is None else positive_int(stride, "stride")
    shift = non_negative_int(shift, "shift")
    mode = _choice(mode, ops.POOL_MODES, "mode")
    fill = float(_series([fill], "fill")[0])
    if size > len(x):
        raise ValueError(f"size={size} is longer than the series ({len(x)} values); use a smaller window.")
    if shift >= len(x):
        raise ValueError(f"shift={shift} moves the whole series out ({len(x)} values); use a shift below {len(x)}.")
    shifted = np.concatenate([np.full(shift, fill), x[:len(x) - shift]])
    pooled = ops.pool1d(x, size, stride=stride, mode=mode)
    pooled_shifted = ops.pool1d(shifted, size, stride=stride, mode=mode)
    return PoolShift(x=x, shifted=shifted, pooled=pooled, pooled_shifted=pooled_shifted,
                     changed=~np.isclose(pooled, pooled_shifted), starts=np.arange(len(pooled)) * stride,
                     size=size, stride=stride, shift=shift, mode=mode)


def draw_pooling(p: PoolShift) -> Figure:
    """Input, shifted input, and both pooled rows with the changed outputs hatched; returns the Figure."""
    fig = Figure(figsize=(8, 3.4), layout="constrained")
    ax = fig.subplots()
    rows = [("input", p.x, 0.0, None), ("shifted", p.shifted, 0.0, None)]
    scale = float(max(np.abs(p.x).max(), np.abs(p.shifted).max())) or 1.0
    for r, (label, values, _, _) in enumerate(rows):
        for i, v in enumerate(values):
            ax.add_patch(_shade(i, -r, 1, v / scale))
            ax.text(i + 0.5, -r + 0.5, f"{v:.2g}", ha="center", va="center", fontsize=7)
        ax.text(-0.3, -r + 0.5, label, ha="right", va="center", fontsize=8)
    width = min(p.size, p.stride) - 0.1            # one cell per output, under the first input of its window
    for r, (label, values) in enumerate((("pooled", p.pooled), ("pooled, shifted", p.pooled_shifted)), start=2):
        for i, (start, v) in enumerate(zip(p.starts, values)):
            changed = bool(p.changed[i])
            ax.add_patch(_shade(start + 0.05, -r, width, v / scale, hatch="xx" if changed else None,
                                edge=VERMILION if changed else "black"))
            ax.text(start + 0.05 + width / 2, -r + 0.5, f"{v:.2g}", ha="center", va="center", fontsize=7,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.text(-0.3, -r + 0.5, label, ha="right", va="center", fontsize=8)
    first = p.starts[0]
    ax.plot([first + 0.05, first + p.size - 0.05], [1.1, 1.1], color=ORANGE, lw=3, solid_capstyle="butt")
    ax.text(first + p.size + 0.1, 1.1, f"window of output 0 ({p.size} input{'s' if p.size > 1 else ''})",
            va="center", fontsize=7)
    ax.set_xlim(-3.5, len(p.x) + 0.5)
    ax.set_ylim(-3.2, 1.4)
    ax.axis("off")
    name = {"max": "max", "avg": "average"}[p.mode]
    ax.set_title(f"{name} pooling, window {p.size}, stride {p.stride}, shift {p.shift}: "
                 f"{np.mean(p.x != p.shifted):.0%} of the inputs and {p.changed.mean():.0%} of the pooled outputs "
                 "change (hatched)", fontsize=10)
    return fig


def _shade(x: float, y: float, width: float, level: float, hatch: str | None = None, edge: str = "black"):
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    base = to_rgba(SKY if level >= 0 else ORANGE)
    alpha = 0.15 + 0.85 * min(abs(level), 1.0)
    return Rectangle((x, y), width, 0.9, facecolor=(*base[:3], alpha), edgecolor=edge, lw=1.0, hatch=hatch)


# ------------------------------------------------------------------------------------------- front-ends
def to_png(fig: Figure, dpi: int = 96) -> bytes:
    """The figure as PNG bytes (Agg, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class Explorer(widgets.VBox):
    """Controls and a picture redrawn when they change; made by the ``*_explorer`` functions.

    Attributes:
        controls: name -> widget; ``settings`` gives name -> value.
        picture: the ``ipywidgets.Image`` that shows the current picture (``png`` holds its bytes).
        summary: a sentence saying what the picture shows; ``repr()`` and the ``text/plain`` of the display.

    Settings that do not fit together (a kernel longer than the padded input, say) leave the picture as it
    was and say why below it.
    """

    def __init__(self, controls: dict, render: Callable[[dict], tuple[Figure, str]], heading: str,
                 layout: Sequence | None = None, watch: Sequence[str] | None = None):
        self.controls = dict(controls)
        self._render = render
        self.heading = heading
        self.picture = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.message = widgets.HTML()
        self.redraw()
        for name in self.controls if watch is None else watch:
            self.controls[name].observe(lambda _change: self.redraw(), names="value")
        rows = list(layout) if layout is not None else [
            widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))]
        super().__init__([widgets.HTML(f"<b>{heading}</b>"), *rows, self.picture, self.message])

    @property
    def settings(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self) -> None:
        """Recompute and redraw the picture for the current settings."""
        try:
            fig, summary = self._render(self.settings)
        except (TypeError, ValueError) as err:
            self.message.value = f"<span style='color:{VERMILION}'>{html.escape(str(err))}</span>"
            return
        self.summary = summary
        self.png = to_png(fig)
        self.picture.value = self.png
        self.message.value = ""

    def __repr__(self) -> str:
        return f"{self.heading}: {self.summary}"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")   # as a notebook stores it
        return bundle


def _int_slider(value: int, lo: int, hi: int, description: str) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=lo, max=hi, description=description, continuous_update=True,
                             style={"description_width": "initial"}, layout=widgets.Layout(width="230px"))


def _dropdown(value: str, options: Sequence[str], description: str) -> widgets.Dropdown:
    return widgets.Dropdown(value=value, options=list(options), description=description,
                            style={"description_width": "initial"}, layout=widgets.Layout(width="220px"))


def slide_1d_explorer(x: object = (0.0, 1.0, 4.0, 2.0, -1.0, 3.0, 5.0, 2.0), kernel: object = (1.0, 2.0, -0.5),
                      position: int = 2, padding: str = "valid", stride: int = 1, flip: bool = False):
    """A slider moves the kernel along ``x``; the picture shows the window, the products and the output so far.

    Arguments as :func:`slide_1d` (the defaults are notebook 01's series and kernel). Returns an
    :class:`Explorer` with the controls ``position``, ``padding``, ``stride`` and ``flip`` (a tick box:
    convolution, the kernel reversed, instead of Keras' cross-correlation).
    """
    x, kernel = _series(x, "x"), _series(kernel, "kernel")
    first = slide_1d(x, kernel, position, padding=padding, stride=stride, flip=flip)    # checks every argument
    controls = {"position": _int_slider(position, 0, max(first.length - 1, 1), "output t"),
                "padding": _dropdown(padding, SLIDE_PADDINGS, "padding"),
                "stride": _int_slider(stride, 1, max(3, stride), "stride"),
                "flip": widgets.Checkbox(value=bool(flip), description="convolution (flip the kernel)", indent=False)}

    def render(s: dict) -> tuple[Figure, str]:
        length = len(ops.conv1d(x, kernel, mode=s["padding"], stride=s["stride"]))
        if controls["position"].max != max(length - 1, 1):
            controls["position"].max = max(length - 1, 1)
        step = slide_1d(x, kernel, min(s["position"], length - 1), padding=s["padding"], stride=s["stride"],
                        flip=s["flip"])
        operation = "convolution (kernel reversed)" if s["flip"] else "cross-correlation"
        return draw_slide_1d(step), (
            f"{operation} of {_fmt(x)} with {_fmt(kernel)}, {step.padding} padding, stride {step.stride}: at output "
            f"{step.position} of {step.length - 1} the weights {_fmt(step.kernel)} meet the inputs "
            f"{_fmt(step.padded[step.window])}; output so far {_fmt(step.output[:step.position + 1])}")

    return Explorer(controls, render, "A 1-D kernel sliding, step by step")


def filter_explorer(image: object = None, weights: object = PRESET_KERNELS["vertical edges (Sobel)"],
                    preset: str = "vertical edges (Sobel)"):
    """Nine boxes hold a 3x3 kernel's weights (or pick a preset); the picture shows the filtered photograph.

    Args:
        image: a grey image ``(height, width)``; ``None`` for the ``camera`` photograph at half size (256x256).
        weights: 9 numbers, row by row.
        preset: the name shown for the starting weights (a key of :data:`PRESET_KERNELS`, or ``"custom"``).

    Returns:
        An :class:`Explorer` with the controls ``preset`` and ``w0`` ... ``w8`` (row by row).

    Raises:
        TypeError / ValueError: for an image that is not a grey image, weights that are not 9 finite numbers,
        or an unknown preset.
    """
    if image is None:
        from course_utils import data

        image = ops.pool2d(data.load_photo("camera"), 2, mode="avg")
    image = _as_array(image, 2, "image", "pass a grey image (height, width); for colour use data.load_photo(name, gray=True).")
    kernel = kernel_from_values(weights)
    names = [*PRESET_KERNELS, "custom"]
    if preset not in names:
        raise ValueError(f"preset={preset!r} is not known; use one of {', '.join(map(repr, names))}.")
    boxes = {f"w{i}": widgets.FloatText(value=float(v), step=0.5, layout=widgets.Layout(width="70px"))
             for i, v in enumerate(kernel.ravel())}
    choice = _dropdown(preset, names, "preset")
    grid = widgets.GridBox(list(boxes.values()), layout=widgets.Layout(grid_template_columns="repeat(3, 74px)"))
    loading = {"preset": False}

    def render(s: dict) -> tuple[Figure, str]:
        w = kernel_from_values([s[f"w{i}"] for i in range(9)])
        name = s["preset"] if s["preset"] != "custom" and np.allclose(w.ravel(), PRESET_KERNELS[s["preset"]]) \
            else "custom"
        out = filter_image(image, w)
        return draw_filter(image, w, out, name), (
            f"a {image.shape[0]}x{image.shape[1]} photograph cross-correlated with the 3x3 kernel {name} "
            f"{_fmt(w.ravel())} (row by row, 'same' padding); output range [{out.min():.2f}, {out.max():.2f}]")

    explorer = Explorer({"preset": choice, **boxes}, render, "A 3x3 kernel on a photograph: edit the weights",
                        layout=[widgets.HBox([choice, grid])], watch=[])

    def weight_changed(_change) -> None:
        if not loading["preset"]:
            explorer.redraw()

    def preset_changed(change) -> None:
        if change["new"] != "custom":
            loading["preset"] = True
            for box, v in zip(boxes.values(), PRESET_KERNELS[change["new"]]):
                box.value = float(v)
            loading["preset"] = False
        explorer.redraw()

    choice.observe(preset_changed, names="value")
    for box in boxes.values():
        box.observe(weight_changed, names="value")
    return explorer


def windows_explorer(n: int = 7, k: int = 3, stride: int = 2, padding: int = 0):
    """Sliders for input length, kernel span, stride and padding; the picture draws every window.

    Arguments as :func:`window_positions` (padding an int here). Returns an :class:`Explorer` with the
    controls ``n``, ``k``, ``stride`` and ``padding``.
    """
    first = window_positions(n, k, stride, padding)                      # checks every argument
    controls = {"n": _int_slider(first.n, 1, max(16, first.n), "input n"),
                "k": _int_slider(first.k, 1, max(7, first.k), "kernel k"),
                "stride": _int_slider(first.stride, 1, max(4, first.stride), "stride s"),
                "padding": _int_slider(first.pad[0], 0, max(3, first.pad[0]), "padding p")}

    def render(s: dict) -> tuple[Figure, str]:
        w = window_positions(s["n"], s["k"], s["stride"], s["padding"])
        unread = np.flatnonzero(w.reads == 0).tolist()
        return draw_windows(w), (
            f"n={w.n}, k={w.k}, s={w.stride}, p={w.pad[0]}: floor((n + 2p - k) / s) + 1 = {w.size} outputs, "
            f"windows starting at {w.starts.tolist()}" + (f"; input cells {unread} are never read" if unread else ""))

    return Explorer(controls, render, "Output size and window positions")


def pooling_explorer(x: object = (0.1, 1.0, 0.2, 0.1, 0.0, 0.9, 0.3, 0.1, 0.2, 0.0), size: int = 3,
                     stride: int = 1, shift: int = 1, mode: str = "max", fill: float = 0.0):
    """Sliders for the pooling window, stride and shift; the picture marks the pooled outputs that change.

    Arguments as :func:`pooling_under_shift` (the defaults are notebook 05's row of detector outputs).
    Returns an :class:`Explorer` with the controls ``size``, ``stride``, ``shift`` and ``mode``.
    """
    x = _series(x, "x")
    first = pooling_under_shift(x, size, stride, shift, mode, fill)      # checks every argument
    controls = {"size": _int_slider(first.size, 1, len(x), "window"),
                "stride": _int_slider(first.stride, 1, len(x), "stride"),
                "shift": _int_slider(first.shift, 0, len(x) - 1, "shift"),
                "mode": _dropdown(first.mode, ops.POOL_MODES, "mode")}

    def render(s: dict) -> tuple[Figure, str]:
        p = pooling_under_shift(x, s["size"], s["stride"], s["shift"], s["mode"], fill)
        return draw_pooling(p), (
            f"{p.mode} pooling of a {len(x)}-value series, window {p.size}, stride {p.stride}, shifted right by "
            f"{p.shift}: {np.mean(p.x != p.shifted):.0%} of the inputs and {p.changed.mean():.0%} of the "
            f"{len(p.pooled)} pooled outputs change")

    return Explorer(controls, render, "Pooling under a shift")
