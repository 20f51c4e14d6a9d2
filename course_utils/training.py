"""Training plumbing the notebooks share: a validation split carved from the training data, a quiet
``fit`` that logs one line per epoch and times itself, and accuracy on held-out data.

Training logs vary from machine to machine in their timings; notebooks tag the cell that trains with
``nbval-ignore-output`` and assert on the returned values in the next cell.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_utils import _checks
from course_utils._checks import flag, positive_int


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float = 0.1, seed: int = 0, stratify: bool = True
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Carve a validation set out of the *training* data (never out of the test set).

    With ``stratify=True`` each class gives ``round(fraction × its size)`` samples to the validation part, at
    least one and at most all but one for a class of two or more samples; a class of one sample stays in the
    training part.

    Args:
        x, y: training inputs and labels, same first dimension; with ``stratify`` the labels are class labels,
            one per sample (shape ``(n,)`` or ``(n, 1)``).
        fraction: share of the training data held out for validation, strictly between 0 and 1.
        seed: seed of the random choice and of the shuffles (an integer >= 0).
        stratify: keep each class's share the same in both parts.

    Returns:
        ``(x_train, y_train), (x_val, y_val)``, both shuffled with ``seed``.

    Raises:
        TypeError: for a ``fraction`` that is not a number, a ``seed`` that is not an integer, or a
            ``stratify`` that is not a bool.
        ValueError: for mismatched lengths, a fraction outside (0, 1) or one that leaves a part empty, or
            labels that are not one class per sample when ``stratify`` is true (one-hot rows, say).
    """
    x = np.asarray(x) if not isinstance(x, np.ndarray) else x
    y = np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"x and y must be arrays of samples (first axis: one entry per sample), got shapes "
                         f"{x.shape} and {y.shape}.")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match.")
    fraction = _checks.fraction(fraction, "fraction")
    seed = _checks.seed(seed)
    stratify = flag(stratify, "stratify")
    groups_of = y
    if stratify:
        if y.ndim == 2 and y.shape[1] == 1:
            groups_of = y[:, 0]
        elif y.ndim != 1:
            raise ValueError(f"stratify=True needs one class label per sample, shape (n,), but y has shape {y.shape}; "
                             "for one-hot labels pass y.argmax(axis=1), or use stratify=False.")
    rng = np.random.default_rng(seed)
    val_mask = np.zeros(len(y), dtype=bool)
    groups = [np.flatnonzero(groups_of == c) for c in np.unique(groups_of)] if stratify else [np.arange(len(y))]
    for members in groups:
        n_val = int(round(fraction * len(members)))
        if stratify and len(members) > 1:
            n_val = min(max(n_val, 1), len(members) - 1)
        val_mask[rng.choice(members, size=n_val, replace=False)] = True
    if val_mask.all() or not val_mask.any():
        hint = (" With stratify=True every class has a single sample here: are the labels classes?"
                if stratify and len(groups) == len(y) else "")
        raise ValueError(f"fraction={fraction} leaves the training or the validation part empty for {len(y)} samples."
                         f"{hint}")
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

    def _values(self, metric: str) -> np.ndarray:
        if not isinstance(metric, str) or metric not in self.history:
            raise ValueError(f"no metric {metric!r}; this training logged {', '.join(self.history)}.")
        values = np.asarray(self.history[metric], dtype=np.float64)
        if values.size == 0:
            raise ValueError(f"metric {metric!r} has no values; the training logged no epoch.")
        return values

    def last(self, metric: str) -> float:
        """The last epoch's value of ``metric`` (for example ``"val_accuracy"``).

        Raises:
            ValueError: for a metric this training did not log.
        """
        return float(self._values(metric)[-1])

    def best(self, metric: str, mode: str | None = None) -> float:
        """The best epoch's value of ``metric``: the smallest for losses and errors, the largest for scores.

        Args:
            metric: a logged metric, for example ``"val_loss"``, ``"val_mae"`` or ``"accuracy"``.
            mode: ``"min"`` or ``"max"``; ``None`` infers it from the name (see :func:`metric_mode`).
                Epochs whose value is NaN are skipped; if all are NaN the result is NaN.

        Raises:
            ValueError: for a metric this training did not log, a ``mode`` other than ``"min"``/``"max"``,
                or a name whose direction is unknown and no ``mode``.
        """
        values = self._values(metric)
        mode = metric_mode(metric) if mode is None else mode
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' (lower is better) or 'max' (higher is better), got {mode!r}.")
        if np.isnan(values).all():
            return float("nan")
        return float(np.nanmin(values) if mode == "min" else np.nanmax(values))


#: Words of metric names for which lower is better (losses and errors) and higher is better (scores).
LOWER_IS_BETTER = ("loss", "error", "mae", "mse", "rmse", "mape", "msle", "crossentropy", "hinge", "divergence",
                   "kld", "poisson", "logcosh", "cosh", "huber")
HIGHER_IS_BETTER = ("accuracy", "acc", "auc", "precision", "recall", "sensitivity", "specificity", "f1", "fbeta",
                    "iou", "r2", "similarity", "correlation")


def metric_mode(metric: str) -> str:
    """Whether lower (``"min"``) or higher (``"max"``) is better for a metric, from the words of its name.

    ``val_mae``, ``loss``, ``mean_squared_error`` and ``binary_crossentropy`` are minimised; ``val_accuracy``,
    ``auc``, ``precision`` and ``f1_score`` maximised.

    Raises:
        TypeError: if ``metric`` is not a str.
        ValueError: for a name with words of neither kind (``learning_rate``) or of both; pass ``mode``.
    """
    if not isinstance(metric, str):
        raise TypeError(f"metric must be a metric name (str), got {metric!r} of type {type(metric).__name__}.")
    words = set(metric.lower().removeprefix("val_").replace("io_u", "iou").split("_"))
    lower, higher = bool(words & set(LOWER_IS_BETTER)), bool(words & set(HIGHER_IS_BETTER))
    if lower == higher:
        raise ValueError(f"cannot tell whether lower or higher is better for metric {metric!r}; "
                         "pass mode='min' (losses, errors) or mode='max' (accuracies, scores).")
    return "min" if lower else "max"


def _epoch_logger(epoch_seconds: list[float], every: int = 1, quiet: bool = False):
    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            elapsed = time.perf_counter() - self._start
            epoch_seconds.append(elapsed)
            if not quiet and ((epoch + 1) % every == 0 or epoch == 0):
                shown = "  ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items() if k != "learning_rate")
                print(f"epoch {epoch + 1:3d}  {shown}  ({elapsed:.1f} s)")

    return EpochLog()


def fit(model, x, y=None, *, epochs: int, batch_size: int | None = None, validation_data=None,
        callbacks=None, log_every: int = 1, quiet: bool = False, **kwargs) -> TrainingLog:
    """``model.fit`` without progress bars: one line per epoch (every ``log_every`` epochs) with its time.

    Accepts what ``model.fit`` accepts (arrays or a ``tf.data.Dataset``).

    Args:
        callbacks: a list of Keras callbacks, or one callback.
        log_every: print every ``log_every``-th epoch (and the first).
        quiet: print nothing (for a loop of many short trainings that reports its own results).

    Returns:
        A :class:`TrainingLog` with ``history`` (per-epoch metrics), ``epoch_seconds`` and ``seconds``.

    Raises:
        TypeError: if ``model`` is not a Keras model, ``epochs``, ``batch_size`` or ``log_every`` is not an
            integer, ``quiet`` is not a bool, ``callbacks`` is not a list of callbacks, or ``verbose`` is passed (``fit`` prints its own
            lines).
        ValueError: for ``epochs``, ``batch_size`` or ``log_every`` below 1.
    """
    import keras

    if not hasattr(model, "fit") or not hasattr(model, "predict"):
        raise TypeError(f"model must be a compiled keras.Model, got {type(model).__name__}.")
    epochs = positive_int(epochs, "epochs")
    log_every = positive_int(log_every, "log_every")
    quiet = flag(quiet, "quiet")
    if batch_size is not None:
        batch_size = positive_int(batch_size, "batch_size")
    if "verbose" in kwargs:
        raise TypeError("fit prints one line per epoch itself and takes no verbose; leave verbose out "
                        "(log_every sets how often it prints).")
    if isinstance(callbacks, keras.callbacks.Callback):
        callbacks = [callbacks]
    callbacks = list(callbacks or [])
    for callback in callbacks:
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(f"callbacks must be keras.callbacks.Callback objects, got {type(callback).__name__}.")
    record = _record_setting()
    key = (_training_key(model, x, y, epochs, batch_size, validation_data, callbacks, kwargs)
           if record is not None else None)
    if record is not None and record[0] == "replay" and key is not None:
        log = _replay(model, record[1] / f"{key}.npz")
        if log is not None:
            if not quiet:
                print(f"trained {log.epochs} epochs in {log.seconds:.1f} s (replayed from {FIT_RECORD}'s record)")
            return log
    epoch_seconds: list[float] = []
    history = model.fit(
        x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data, verbose=0,
        callbacks=[*callbacks, _epoch_logger(epoch_seconds, log_every, quiet)], **kwargs,
    )
    log = TrainingLog({k: [float(v) for v in vals] for k, vals in history.history.items()}, epoch_seconds)
    if not quiet:
        print(f"trained {log.epochs} epochs in {log.seconds:.1f} s")
    if record is not None and record[0] == "record" and key is not None:
        _save_record(model, log, record[1] / f"{key}.npz")
    return log


# The test suite's training record ------------------------------------------------------------------------------
# tests/test_student.py runs every notebook's student copy top to bottom after nbval has run the notebook itself.
# With COURSE_FIT_RECORD=record:DIR, fit saves what each training ended with (the model's and the optimiser's
# variables, the log) under a key of everything the training depends on: the backend, the model's architecture,
# its variables (weights, batch-norm statistics, dropout's seed state) and compile settings, the optimiser's
# variables, the data (arrays by content; course_utils.pipeline datasets by their inputs), the epochs, batch,
# callbacks and fit's other arguments. With replay:DIR a training whose key was recorded is restored instead of
# repeated; any difference in those inputs, an unknown kind of input or callback, or a damaged record trains
# for real. Students never set it.

#: The environment variable of the record: ``record:DIR`` or ``replay:DIR``; unset, fit always trains.
FIT_RECORD = "COURSE_FIT_RECORD"
#: Callbacks whose whole effect is on the model's and the optimiser's variables (which a record restores).
_REPLAYABLE_CALLBACKS = ("EarlyStopping", "ReduceLROnPlateau")


def _record_setting() -> tuple[str, Path] | None:
    value = os.environ.get(FIT_RECORD, "")
    if not value:
        return None
    mode, _, folder = value.partition(":")
    if mode not in ("record", "replay") or not folder:
        raise ValueError(f"{FIT_RECORD} must be 'record:DIR' (save each training) or 'replay:DIR' (restore a recorded "
                         f"one), got {value!r}; unset it to train normally.")
    return mode, Path(folder)


def _digest_of_data(data, h) -> bool:
    """Feed ``data``'s content into the hash ``h``; False for data the record cannot identify."""
    if data is None:
        h.update(b"none")
        return True
    if isinstance(data, np.ndarray):
        array = np.ascontiguousarray(data)
        h.update(f"{array.shape}{array.dtype.str}".encode())
        h.update(memoryview(array).cast("B"))
        return True
    if isinstance(data, (tuple, list)):
        h.update(f"sequence of {len(data)}".encode())
        return all(_digest_of_data(part, h) for part in data)
    fingerprint = getattr(data, "course_fingerprint", None)   # set by course_utils.pipeline.make_dataset
    if callable(fingerprint):
        h.update(fingerprint().encode())
        return True
    return False


def _training_key(model, x, y, epochs, batch_size, validation_data, callbacks, kwargs) -> str | None:
    import keras

    h = hashlib.sha256()
    for part in (x, y, validation_data):
        if not _digest_of_data(part, h):
            return None
    described = []
    for callback in callbacks:
        if type(callback).__name__ not in _REPLAYABLE_CALLBACKS:
            return None
        described.append([type(callback).__name__, {k: v for k, v in sorted(vars(callback).items())
                                                    if isinstance(v, (bool, int, float, str))}])
    try:
        settings = [keras.backend.backend(), keras.__version__, _without_names(json.loads(model.to_json())),
                    _without_names(model.get_compile_config()), epochs, batch_size, described,
                    sorted((k, repr(v)) for k, v in kwargs.items())]
        h.update(json.dumps(settings, sort_keys=True, default=repr).encode())
        for variable in [*model.variables, *model.optimizer.variables]:
            _digest_of_data(np.asarray(keras.ops.convert_to_numpy(variable)), h)
    except Exception:   # a model Keras cannot serialise, or one not compiled: nothing to key on
        return None
    return h.hexdigest()


def _without_names(config):
    """A Keras config without its names, which Keras numbers by how many objects came before (adam, adam_1)
    and which change nothing a training computes."""
    if isinstance(config, dict):
        return {k: _without_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, list):
        return [_without_names(v) for v in config]
    return config


def _save_record(model, log: TrainingLog, path: Path) -> None:
    import keras

    arrays = {f"model_{i}": keras.ops.convert_to_numpy(v) for i, v in enumerate(model.variables)}
    arrays |= {f"optimizer_{i}": keras.ops.convert_to_numpy(v) for i, v in enumerate(model.optimizer.variables)}
    arrays["log"] = np.array(json.dumps({"history": log.history, "epoch_seconds": log.epoch_seconds}))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        np.savez(file, **arrays)
    partial.replace(path)   # whole or absent: a reader never sees half a record


def _replay(model, path: Path) -> TrainingLog | None:
    """Restore the training recorded at ``path`` into ``model``; None (and nothing changed) if there is none
    or it does not fit the model."""
    if not path.exists():
        return None
    try:
        with np.load(path) as record:
            arrays = {name: record[name] for name in record.files}
        saved = json.loads(str(arrays.pop("log")))
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        targets = [("model", model.variables), ("optimizer", optimizer.variables)]
        values = [(v, arrays[f"{kind}_{i}"]) for kind, variables in targets for i, v in enumerate(variables)]
        if len(values) != len(arrays) or any(tuple(v.shape) != a.shape for v, a in values):
            raise ValueError("the recorded variables do not match the model's")
    except Exception as err:   # a damaged or foreign record: train instead
        warnings.warn(f"{FIT_RECORD}: cannot replay {path} ({err}); training instead", stacklevel=3)
        return None
    for variable, value in values:
        variable.assign(value)
    return TrainingLog({k: [float(v) for v in vals] for k, vals in saved["history"].items()},
                       [float(s) for s in saved["epoch_seconds"]])


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
        TypeError: if ``model`` has no ``predict`` or ``batch_size`` is not an integer.
        ValueError: if the images are not of rank 4 (``(batch, height, width, channels)``); for grey images
            of shape ``(n, height, width)`` add the channel axis with ``x[..., None]``.
    """
    import tensorflow as tf

    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
    batch_size = positive_int(batch_size, "batch_size")
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

    Args:
        y: integer class labels, one per sample (shape ``(n,)`` or ``(n, 1)``; whole-number floats are accepted).

    Raises:
        TypeError: if ``model`` has no ``predict``, labels are not numbers, or ``mirror`` is not a bool.
        ValueError: for one-hot or fractional labels, labels outside the model's classes (``0..C-1``, or 0 and 1
            for a single output), or as many predictions as labels not given.
    """
    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
    mirror = flag(mirror, "mirror")
    batch_size = positive_int(batch_size, "batch_size")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        raise ValueError(f"y has shape {y.shape}, one row per sample (one-hot labels?); pass integer class labels: "
                         "y.argmax(axis=1).")
    y = y.reshape(-1)
    if y.dtype.kind == "b":
        y = y.astype(np.int64)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}.")
    if y.dtype.kind == "f" and (not np.all(np.isfinite(y)) or np.any(y != np.round(y))):
        raise ValueError("y holds values that are not whole numbers; pass integer class labels, not probabilities.")
    probs = predict_mirrored(model, x, batch_size) if mirror else model.predict(x, batch_size=batch_size, verbose=0)
    probs = np.asarray(probs)
    single = probs.ndim == 1 or probs.shape[-1] == 1
    classes = 2 if single else probs.shape[-1]
    if single:
        pred = (probs.reshape(-1) >= 0.5).astype(y.dtype)
    else:
        pred = probs.argmax(axis=-1)
    if len(pred) != len(y):
        raise ValueError(f"the model predicted {len(pred)} samples for {len(y)} labels.")
    outside = (y < 0) | (y >= classes)
    if outside.any():
        raise ValueError(f"y holds labels outside 0..{classes - 1} (for example {y[outside][0]:g}), the classes of a "
                         f"model with {'one output' if single else f'{classes} outputs'}; "
                         "check that the labels belong to this model.")
    return float(np.mean(pred == y))
