"""The Fashion-MNIST set-up that notebooks 08 and 09 share: the quarter-width VGG11's training recipe for
each run profile, the arrays behind :func:`course_utils.pipeline.fashion_mnist`'s splits, and a linear
baseline on their pixels that a CNN's accuracy is measured against.

    >>> recipe = vgg11_recipe("ci")
    >>> recipe.epochs, recipe.n_train, recipe.augmentation
    (3, 20000, 'none')
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from course_utils import _checks

PROFILE_NAMES = ("ci", "lab", "full")


@dataclass(frozen=True)
class VGG11Recipe:
    """How notebook 08 trains its VGG11 on Fashion-MNIST in one run profile (notebook 09 trains the same).

    Attributes:
        profile: the run profile, one of ``PROFILE_NAMES``.
        width: channel multiplier of :func:`course_utils.models.vgg11` (¼: 16, 32, 64, 128, 128 channels).
        epochs: training epochs.
        n_train: training images kept of the 54,000 (None: all).
        augment: random left–right flips during training.
        max_shift: largest random shift in pixels (0: flips only).
        batch_size: images per training batch.
        dropout: dropout rate after ``fc1`` and ``fc2``.
        weight_decay: AdamW's decoupled weight decay λ (0: Adam's update).
        learning_rate: start of the cosine learning-rate schedule.
    """

    profile: str
    width: float
    epochs: int
    n_train: int | None
    augment: bool
    max_shift: int
    batch_size: int
    dropout: float
    weight_decay: float
    learning_rate: float = 2e-3

    @property
    def augmentation(self) -> str:
        """The training augmentation in words: 'none', 'flips' or 'flips and shifts of up to N pixels'."""
        if not self.augment:
            return "none"
        return "flips" if self.max_shift == 0 else f"flips and shifts of up to {self.max_shift} pixels"

    def describe(self) -> str:
        """One line with every setting, for the notebook's output."""
        return (f"{self.profile}: width {self.width}, {self.epochs} epochs, batch {self.batch_size}, dropout {self.dropout}, "
                f"learning rate {self.learning_rate:g}, weight decay {self.weight_decay:g}, "
                f"training samples: {self.n_train or 'all 54,000'}, augmentation: {self.augmentation}")

    def data(self, batch_size: int | None = None, seed: int = 0):
        """:func:`course_utils.pipeline.fashion_mnist` with this recipe's subset and augmentation.

        Args:
            batch_size: training batch size (None: the recipe's); each call builds the pipeline anew, so
                every model trained on it starts from the same shuffle seed.
        """
        from course_utils import pipeline

        batch = self.batch_size if batch_size is None else _checks.positive_int(batch_size, "batch_size")
        return pipeline.fashion_mnist(self.n_train, batch_size=batch, augment=self.augment,
                                      max_shift=self.max_shift, seed=seed)

    def model(self, name: str = "vgg11_fashion"):
        """The recipe's VGG11 for 28×28×1 images and 10 classes: batch norm, 'same' poolings, the recipe's
        width and dropout (weights drawn from Keras' current seed)."""
        from course_utils import models

        return models.vgg11((28, 28, 1), num_classes=10, width=self.width, batch_norm=True,
                            dropout=self.dropout, name=name)


_RECIPES = {
    "ci": dict(width=0.25, epochs=3, n_train=20_000, augment=False, max_shift=0, batch_size=128, dropout=0.2,
               weight_decay=0.0),
    "lab": dict(width=0.25, epochs=5, n_train=None, augment=True, max_shift=0, batch_size=128, dropout=0.2,
                weight_decay=0.0),
    "full": dict(width=0.5, epochs=30, n_train=None, augment=True, max_shift=2, batch_size=128, dropout=0.5,
                 weight_decay=0.05),
}


def vgg11_recipe(profile) -> VGG11Recipe:
    """The VGG11 recipe of a run profile.

    Args:
        profile: a :class:`course_utils.profile.Profile` (what ``cu.setup()`` returns) or its name.

    Raises:
        TypeError: if ``profile`` is neither a Profile nor a string.
        ValueError: for a name that is not one of ``PROFILE_NAMES``.
    """
    name = getattr(profile, "name", profile)
    if not isinstance(name, str):
        raise TypeError(f"profile must be a Profile (cu.setup()'s result) or one of {PROFILE_NAMES}, got "
                        f"{type(profile).__name__}.")
    if name not in _RECIPES:
        raise ValueError(f"profile must be one of {PROFILE_NAMES}, got {name!r}.")
    return VGG11Recipe(profile=name, **_RECIPES[name])


@dataclass(frozen=True)
class FashionArrays:
    """The uint8 images ``(n, 28, 28)`` and integer labels ``(n,)`` of the three parts of Fashion-MNIST."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def split_arrays(n_train: int | None = None, *, val_fraction: float = 0.1, seed: int = 0) -> FashionArrays:
    """The arrays that :func:`course_utils.pipeline.fashion_mnist` wraps with the same arguments: the stratified
    validation split carved from the official *training* set, the first ``n_train`` images of the rest, and
    the test set.

    Validation images come in the order of the pipeline's ``val`` dataset; training images in the order
    before the pipeline's shuffle.

    Raises:
        ValueError: for an ``n_train`` that is not in 1..(training part's size) or None, or a bad
            ``val_fraction``.
        TypeError: for arguments of the wrong type.
    """
    from course_utils.data import load_fashion_mnist
    from course_utils.training import split_validation

    if n_train is not None:
        n_train = _checks.positive_int(n_train, "n_train")
    _checks.fraction(val_fraction, "val_fraction")
    seed = _checks.seed(seed)
    (x_all, y_all), (x_test, y_test) = load_fashion_mnist()
    (x_tr, y_tr), (x_val, y_val) = split_validation(x_all, y_all, fraction=val_fraction, seed=seed)
    if n_train is not None:
        if n_train > len(x_tr):
            raise ValueError(f"n_train must be at most {len(x_tr)}, the training part's size, got {n_train}.")
        x_tr, y_tr = x_tr[:n_train], y_tr[:n_train]
    return FashionArrays(x_tr, y_tr, x_val, y_val, x_test, y_test)


def _pixels(images: np.ndarray, name: str) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim < 2 or images.dtype.kind not in "uif":
        raise ValueError(f"{name} must be a batch of images (n, height, width[, channels]) of numbers, got shape "
                         f"{images.shape} and dtype {images.dtype}.")
    flat = images.reshape(len(images), -1).astype(np.float32)
    return flat / np.float32(255) if images.dtype == np.uint8 else flat


def logistic_regression_baseline(x_train, y_train, x_val, y_val, *, max_iter: int = 50):
    """A linear classifier on the raw pixels: scikit-learn's multinomial ``LogisticRegression`` (L-BFGS, L2
    penalty C = 1) fitted on the training images, scored on the validation images.

    The fit stops after ``max_iter`` iterations of L-BFGS whether or not it has converged (the convergence
    warning is silenced): 50 keep it to seconds on 20,000 images.

    Args:
        x_train, x_val: images ``(n, height, width[, channels])``; uint8 images are scaled to [0, 1]; the
            fit runs in float32.
        y_train, y_val: integer class labels, one per image.
        max_iter: L-BFGS iterations.

    Returns:
        ``(classifier, validation accuracy)``.

    Raises:
        ValueError: for images that are not a batch, or labels not one per image.
        TypeError: for a ``max_iter`` that is not a positive integer.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    max_iter = _checks.positive_int(max_iter, "max_iter")
    parts = {}
    for name, x, y in (("x_train", x_train, y_train), ("x_val", x_val, y_val)):
        pixels, labels = _pixels(x, name), np.asarray(y).reshape(-1)
        if len(labels) != len(pixels):
            raise ValueError(f"{name} has {len(pixels)} images but its labels {len(labels)}; give one label per image.")
        parts[name] = (pixels, labels)
    (xt, yt), (xv, yv) = parts["x_train"], parts["x_val"]
    if xt.shape[1] != xv.shape[1]:
        raise ValueError(f"training images have {xt.shape[1]} pixels but validation images {xv.shape[1]}.")
    classifier = LogisticRegression(max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(xt, yt)
    return classifier, float(np.mean(classifier.predict(xv) == yv))
