"""Figures the notebooks share. Each function draws and returns the matplotlib ``Figure``; the notebook
ends the cell with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def show_images(images: Sequence[np.ndarray] | np.ndarray, titles: Sequence[str] | None = None,
                ncols: int = 8, size: float = 1.6, cmap: str = "gray", symmetric: bool = False):
    """A grid of images (``(n, h, w)`` or ``(n, h, w, 3)``).

    Args:
        symmetric: colour scale centred on zero (for kernels and signed feature maps).

    Raises:
        ValueError: if there is no image, or as many titles as images are not given.
    """
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles.")
    ncols = min(ncols, len(images))
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3 * (titles is not None)),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for i, image in enumerate(images):
        ax = axes.ravel()[i]
        image = np.asarray(image)
        kwargs = {}
        if symmetric:
            bound = float(np.abs(image).max()) or 1.0
            kwargs = {"vmin": -bound, "vmax": bound, "cmap": "RdBu_r"}
        elif image.ndim == 2:
            kwargs = {"cmap": cmap}
        ax.imshow(image, **kwargs)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def plot_history(history: dict[str, list[float]], metrics: Sequence[str] = ("loss", "accuracy"), title: str = ""):
    """Learning curves: each metric with its ``val_`` counterpart, one panel per metric."""
    present = [m for m in metrics if m in history]
    if not present:
        raise ValueError(f"none of {list(metrics)} in the history; it has {list(history)}.")
    fig, axes = plt.subplots(1, len(present), figsize=(4.5 * len(present), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], present):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], "o-", label="training")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], "s-", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as ``j``."""
    y_true = np.asarray(y_true).reshape(-1).astype(int)
    y_pred = np.asarray(y_pred).reshape(-1).astype(int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels, y_pred {y_pred.size}; they must match.")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def plot_confusion_matrix(matrix: np.ndarray, class_names: Sequence[str], title: str = "confusion matrix"):
    """Draw a confusion matrix with its counts; rows are true classes, columns predictions."""
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


def plot_signals(x: np.ndarray, series: dict[str, np.ndarray], title: str = "", xlabel: str = "t"):
    """Several 1-D signals over the same axis ``x``, one line each, labelled by the dict's keys."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    for label, values in series.items():
        values = np.asarray(values)
        if values.shape != np.asarray(x).shape:
            raise ValueError(f"signal {label!r} has shape {values.shape}, the axis {np.asarray(x).shape}.")
        ax.plot(x, values, label=label, lw=1.2)
    ax.set_xlabel(xlabel)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
