"""Training plumbing the notebooks share: a validation split carved from the training data, a quiet
``fit`` that logs one line per epoch and times itself, and accuracy on held-out data.

Training logs vary from machine to machine in their timings; notebooks tag the cell that trains with
``nbval-ignore-output`` and assert on the returned values in the next cell.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float = 0.1, seed: int = 0, stratify: bool = True
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Carve a validation set out of the *training* data (never out of the test set).

    Args:
        x, y: training inputs and integer labels, same first dimension.
        fraction: share of the training data held out for validation, strictly between 0 and 1.
        stratify: keep each class's share the same in both parts.

    Returns:
        ``(x_train, y_train), (x_val, y_val)``, both shuffled with ``seed``.

    Raises:
        ValueError: for mismatched lengths or a fraction outside (0, 1), or one that leaves a part empty.
    """
    x = np.asarray(x) if not isinstance(x, np.ndarray) else x
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match.")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be between 0 and 1 (exclusive), got {fraction}.")
    rng = np.random.default_rng(seed)
    val_mask = np.zeros(len(y), dtype=bool)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [np.arange(len(y))]
    for members in groups:
        n_val = int(round(fraction * len(members)))
        if stratify and len(members) > 1:
            n_val = min(max(n_val, 1), len(members) - 1)
        val_mask[rng.choice(members, size=n_val, replace=False)] = True
    if val_mask.all() or not val_mask.any():
        raise ValueError(f"fraction={fraction} leaves the training or the validation part empty for {len(y)} samples.")
    train_idx = rng.permutation(np.flatnonzero(~val_mask))
    val_idx = rng.permutation(np.flatnonzero(val_mask))
    return (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx])


@dataclass
class TrainingLog:
    """What :func:`fit` returns: the per-epoch metrics and the time they took."""

    history: dict[str, list[float]]
    epoch_seconds: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return float(sum(self.epoch_seconds))

    @property
    def epochs(self) -> int:
        return len(self.epoch_seconds)

    def last(self, metric: str) -> float:
        """The last epoch's value of ``metric`` (for example ``"val_accuracy"``)."""
        if metric not in self.history:
            raise KeyError(f"no metric {metric!r}; this training logged {', '.join(self.history)}.")
        return float(self.history[metric][-1])

    def best(self, metric: str) -> float:
        values = self.history[metric]
        return float(min(values) if "loss" in metric else max(values))


def _epoch_logger(epoch_seconds: list[float], every: int = 1):
    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            elapsed = time.perf_counter() - self._start
            epoch_seconds.append(elapsed)
            if (epoch + 1) % every == 0 or epoch == 0:
                shown = "  ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items() if k != "learning_rate")
                print(f"epoch {epoch + 1:3d}  {shown}  ({elapsed:.1f} s)")

    return EpochLog()


def fit(model, x, y=None, *, epochs: int, batch_size: int | None = None, validation_data=None,
        callbacks=None, log_every: int = 1, **kwargs) -> TrainingLog:
    """``model.fit`` without progress bars: one line per epoch (every ``log_every`` epochs) with its time.

    Accepts what ``model.fit`` accepts (arrays or a ``tf.data.Dataset``).

    Returns:
        A :class:`TrainingLog` with ``history`` (per-epoch metrics), ``epoch_seconds`` and ``seconds``.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    epoch_seconds: list[float] = []
    history = model.fit(
        x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data, verbose=0,
        callbacks=[*(callbacks or []), _epoch_logger(epoch_seconds, log_every)], **kwargs,
    )
    log = TrainingLog({k: [float(v) for v in vals] for k, vals in history.history.items()}, epoch_seconds)
    print(f"trained {log.epochs} epochs in {log.seconds:.1f} s")
    return log


def predict_mirrored(model, x, batch_size: int = 256) -> np.ndarray:
    """Test-time augmentation with mirrors: the mean of the model's outputs for each image and for the same
    image flipped left–right.

    A model trained on randomly flipped images has learned that a mirrored garment is the same garment, but
    its two answers still differ a little; their average is a cheap ensemble of two views of one image.

    Args:
        model: a Keras model on image batches ``(batch, height, width, channels)``.
        x: such a batch as an array, or a ``tf.data.Dataset`` yielding such batches (images only, no labels).

    Returns:
        ``(model(x) + model(mirror(x))) / 2``, one row per image.

    Raises:
        ValueError: if the images are not of rank 4 (``(batch, height, width, channels)``); for grey images
            of shape ``(n, height, width)`` add the channel axis with ``x[..., None]``.
    """
    import tensorflow as tf

    if isinstance(x, tf.data.Dataset):
        spec = x.element_spec
        if not isinstance(spec, tf.TensorSpec) or spec.shape.rank != 4:
            raise ValueError(f"predict_mirrored needs a dataset of image batches (batch, height, width, channels) "
                             f"without labels; got elements {spec}. Map the labels away first: ds.map(lambda x, y: x).")
        mirrored = x.map(lambda images: tf.reverse(images, axis=[2]))
    else:
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"predict_mirrored needs images of shape (batch, height, width, channels), got {x.shape}; "
                             "for grey images add the channel axis with x[..., None].")
        mirrored = x[:, :, ::-1]
    plain = model.predict(x, batch_size=batch_size, verbose=0)
    return (plain + model.predict(mirrored, batch_size=batch_size, verbose=0)) / 2


def accuracy(model, x, y, batch_size: int = 256, mirror: bool = False) -> float:
    """Share of samples whose arg-max prediction equals the integer label (or the 0.5 threshold for one output).

    ``mirror=True`` scores the average of the predictions for each image and its left–right mirror
    (:func:`predict_mirrored`).
    """
    probs = predict_mirrored(model, x, batch_size) if mirror else model.predict(x, batch_size=batch_size, verbose=0)
    y = np.asarray(y).reshape(-1)
    if probs.ndim == 1 or probs.shape[-1] == 1:
        pred = (probs.reshape(-1) >= 0.5).astype(y.dtype)
    else:
        pred = probs.argmax(axis=-1)
    if len(pred) != len(y):
        raise ValueError(f"the model predicted {len(pred)} samples for {len(y)} labels.")
    return float(np.mean(pred == y))
