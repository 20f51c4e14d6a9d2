"""Every trained model's recipe, defined once: the settings each run profile trains with (data subset, width,
epochs, batch, optimiser, schedule, regularisation, augmentation) and the accuracy it must reach. The notebooks
train with these recipes and print them; ``benchmarks/`` measures them; ``tests/test_recipes.py`` fails if a
notebook trains with settings of its own.

Also here: the arrays behind :func:`course_utils.pipeline.fashion_mnist`'s splits, and a linear baseline on their
pixels that notebooks 08 and 09 measure their CNNs against.

    >>> recipe = vgg11_recipe("ci")
    >>> recipe.epochs, recipe.n_train, recipe.augmentation
    (3, 20000, 'none')
    >>> get("fcn", "lab").epochs
    300
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from course_utils import _checks

PROFILE_NAMES = ("ci", "lab", "full")
MODELS = ("fcn", "kim_cnn", "vgg11", "vgg11_ablation", "mini_xception", "conv_stack", "digits_scratch",
          "digits_finetune")
NOTEBOOKS = {"fcn": "01_conv1d_time_series", "kim_cnn": "02_conv1d_text", "vgg11": "08_vgg11",
             "vgg11_ablation": "08_vgg11", "mini_xception": "09_xception", "conv_stack": "09_xception",
             "digits_scratch": "11_transfer_learning", "digits_finetune": "11_transfer_learning"}
#: The recipes of networks with a channel multiplier ``width`` and a dropout rate.
WIDTH_MODELS = ("vgg11", "vgg11_ablation", "mini_xception")
#: The recipes that train on Fashion-MNIST images (the others load their own data).
IMAGE_MODELS = WIDTH_MODELS + ("conv_stack",)
#: The recipes that train on a few labels per class of scikit-learn's digits (notebook 11's baseline from scratch).
FEW_LABEL_MODELS = ("digits_scratch",)
#: The ablations' recipes: scored on the validation split only (their floor is a validation accuracy).
ABLATIONS = ("vgg11_ablation", "conv_stack")
#: What a ``vgg11_ablation`` model may vary: batch normalisation on or off, and how many of VGG11's blocks it keeps.
ABLATION_VARIANTS = ("batch_norm", "blocks")
SCHEDULES = {"constant": "constant", "cosine": "cosine decay to 0 over the run",
             "plateau": "halved when the training loss stalls for 50 epochs, down to 1e-4, as in Wang et al. 2017"}


@dataclass(frozen=True)
class Recipe:
    """How a notebook trains one model in one run profile.

    Attributes:
        architecture: which model, one of ``MODELS``.
        profile: the run profile, one of ``PROFILE_NAMES``.
        epochs: training epochs (the most, where ``early_stopping`` is set).
        batch_size: samples per training batch.
        learning_rate: the optimiser's learning rate (the start of a cosine schedule).
        optimizer: ``"adam"``, or ``"adamw"`` (Adam with decoupled weight decay ``weight_decay``).
        schedule: a key of ``SCHEDULES``.
        weight_decay: AdamW's decoupled weight decay λ.
        n_train: training samples kept (None: all of the training part).
        augment: random left–right flips during training (images).
        max_shift: largest random shift in pixels (0: flips only).
        width: channel multiplier of the image models.
        dropout: dropout rate of the classifier head (None: the builder's default).
        early_stopping: patience in epochs of early stopping on validation accuracy, best weights restored
            (None: no early stopping).
        datasets: the data sets trained on, where a notebook trains one model per data set.
        floor: the test accuracy the notebook asserts in this profile (the validation accuracy, for the ablations).
        target: the accuracy the lab profile aims at (benchmarks/ measures the time to it).
        options: fixed keyword arguments of the model's builder.
    """

    architecture: str
    profile: str
    epochs: int
    batch_size: int
    learning_rate: float
    optimizer: str = "adam"
    schedule: str = "constant"
    weight_decay: float = 0.0
    n_train: int | None = None
    augment: bool = False
    max_shift: int = 0
    width: float = 1.0
    dropout: float | None = None
    early_stopping: int | None = None
    datasets: tuple[str, ...] = ()
    floor: float = 0.0
    target: float = 0.0
    options: dict = field(default_factory=dict, compare=False)
    dataset_targets: dict = field(default_factory=dict, compare=False)

    def target_for(self, dataset: str | None = None) -> float:
        """The accuracy aimed at on ``dataset`` (the recipe's ``target`` where no data set has its own)."""
        if dataset is not None and self.datasets and dataset not in self.datasets:
            raise ValueError(f"the {self.architecture} recipe of profile {self.profile} trains on "
                             f"{', '.join(self.datasets)}, not {dataset!r}.")
        return float(self.dataset_targets.get(dataset, self.target))

    @property
    def augmentation(self) -> str:
        """The training augmentation in words: 'none', 'flips' or 'flips and shifts of up to N pixels'."""
        if not self.augment:
            return "none"
        return "flips" if self.max_shift == 0 else f"flips and shifts of up to {self.max_shift} pixels"

    def describe(self) -> str:
        """One line with every setting, for the notebook's output."""
        if self.architecture in WIDTH_MODELS:
            return (f"{self.profile}: width {self.width}, {self.epochs} epochs, batch {self.batch_size}, dropout {self.dropout}, "
                    f"learning rate {self.learning_rate:g}, weight decay {self.weight_decay:g}, "
                    f"training samples: {self.n_train or 'all 54,000'}, augmentation: {self.augmentation}")
        stop = (f"at most {self.epochs} epochs (early stopping on validation accuracy, patience {self.early_stopping})"
                if self.early_stopping else f"{self.epochs} epochs")
        on = f" on {', '.join(self.datasets)}" if self.datasets else ""
        schedule = "" if self.schedule == "constant" else f" ({SCHEDULES[self.schedule]})"
        return (f"profile {self.profile}: {stop}, batch {self.batch_size}, {self.optimizer_name}, learning rate "
                f"{self.learning_rate:g}{schedule}{on}")

    def table(self) -> str:
        """Every setting of the recipe, one per line, for a notebook to show what it trains with."""
        rows = [("model", self.architecture), ("profile", self.profile), ("epochs", self.epochs),
                ("batch size", self.batch_size), ("optimiser", self.optimizer_name),
                ("learning rate", f"{self.learning_rate:g}"), ("schedule", SCHEDULES[self.schedule])]
        if self.optimizer == "adamw":
            rows.append(("weight decay", f"{self.weight_decay:g}"))
        if self.architecture in WIDTH_MODELS + FEW_LABEL_MODELS:
            rows += [("width", self.width), ("dropout", self.dropout)]
        if self.architecture in IMAGE_MODELS:
            rows += [("training samples", self.n_train or "all 54,000"), ("augmentation", self.augmentation)]
        if self.early_stopping:
            rows.append(("early stopping", f"patience {self.early_stopping} on validation accuracy"))
        if self.datasets:
            rows.append(("data sets", ", ".join(self.datasets)))
        scored_on = "validation" if self.architecture in ABLATIONS else "test"   # ablations never see the test set
        rows.append((f"{scored_on} accuracy floor", f"{self.floor:.2f}"))
        rows += [(key.replace("_", " "), value) for key, value in self.options.items()]
        return "\n".join(f"{key:<26s}{value}" for key, value in rows)

    @property
    def optimizer_name(self) -> str:
        return {"adam": "Adam", "adamw": "AdamW"}[self.optimizer]

    def learning_rate_for(self, steps_per_epoch: int):
        """The learning rate ``keras.optimizers`` takes: a number, or a cosine schedule over the run's steps."""
        import keras

        steps_per_epoch = _checks.positive_int(steps_per_epoch, "steps_per_epoch")
        if self.schedule == "cosine":
            return keras.optimizers.schedules.CosineDecay(self.learning_rate, decay_steps=self.epochs * steps_per_epoch)
        return self.learning_rate

    def make_optimizer(self, steps_per_epoch: int):
        """A fresh optimiser of the recipe: Adam or AdamW, with its learning rate or schedule."""
        import keras

        rate = self.learning_rate_for(steps_per_epoch)
        if self.optimizer == "adamw":
            return keras.optimizers.AdamW(rate, weight_decay=self.weight_decay)
        return keras.optimizers.Adam(rate)

    def callbacks(self) -> list:
        """The callbacks the recipe trains with: FCN's plateau schedule, or early stopping, or none."""
        import keras

        if self.schedule == "plateau":
            from course_utils.timeseries import fcn_callbacks

            return fcn_callbacks()
        if self.early_stopping:
            return [keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=self.early_stopping,
                                                  restore_best_weights=True)]
        return []

    def data(self, batch_size: int | None = None, seed: int = 0):
        """:func:`course_utils.pipeline.fashion_mnist` with this recipe's subset and augmentation (image recipes).

        Args:
            batch_size: training batch size (None: the recipe's); each call builds the pipeline anew, so
                every model trained on it starts from the same shuffle seed.
        """
        from course_utils import pipeline

        if self.architecture not in IMAGE_MODELS:
            raise ValueError(f"data() builds the Fashion-MNIST pipeline of the image recipes; the {self.architecture} "
                             f"recipe's notebook loads its own data ({NOTEBOOKS[self.architecture]}).")
        batch = self.batch_size if batch_size is None else _checks.positive_int(batch_size, "batch_size")
        return pipeline.fashion_mnist(self.n_train, batch_size=batch, augment=self.augment,
                                      max_shift=self.max_shift, seed=seed)

    def model(self, name: str | None = None, **shape):
        """The recipe's model (weights drawn from Keras' current seed).

        Image recipes build the 28×28×1, 10-class network of notebooks 08 and 09 (VGG11 with batch norm, named
        ``vgg11_fashion`` unless ``name`` says otherwise; ``input_shape`` and ``num_classes`` change the sizes, for
        the benchmarks); ``fcn`` needs ``input_shape`` and ``num_classes``;
        ``kim_cnn`` takes ``vocab_size`` (default: the recipe's ``max_tokens``) and its sequence length from the recipe;
        ``vgg11_ablation`` builds notebook 08's VGG-style variants, ``batch_norm`` (default True) and ``blocks`` (1–5,
        default 5) given, with a classifier of the recipe's fixed width so that only the named setting changes;
        ``conv_stack`` builds notebook 09's deep stack, plain or with ``residual=True``; ``digits_scratch`` builds
        notebook 11's network trained from scratch; ``digits_finetune`` needs ``net`` (the pretrained network) and
        ``probe`` (its linear probe) and returns :func:`course_utils.transfer.fine_tune_model`'s copy.
        """
        from course_utils import models, text, timeseries

        if self.architecture == "digits_finetune":
            from course_utils import transfer

            if set(shape) != {"net", "probe"}:
                raise ValueError(f"the digits_finetune recipe's model needs net (the pretrained network) and probe "
                                 f"(its linear probe), got {sorted(shape)}.")
            return transfer.fine_tune_model(shape["net"], shape["probe"], self.options["from_layer"],
                                            name=name or "fine_tuned")
        if self.architecture == "digits_scratch":
            if shape:
                raise ValueError(f"the digits_scratch recipe's model takes no arguments but name, got {sorted(shape)}.")
            side = self.options["image_side"]
            return models.mini_xception((side, side, 1), num_classes=10, width=self.width, dropout=self.dropout,
                                        name=name or "mini_xception_scratch")
        if self.architecture == "conv_stack":
            if set(shape) - {"residual"}:
                raise ValueError(f"a conv_stack model varies only residual, got {sorted(set(shape) - {'residual'})}.")
            return models.conv_stack((28, 28, 1), num_classes=10, depth=self.options["depth"],
                                     filters=self.options["filters"], residual=shape.get("residual", False), name=name)
        if self.architecture == "vgg11_ablation":
            unknown = set(shape) - set(ABLATION_VARIANTS)
            if unknown:
                raise ValueError(f"an ablation model varies only {ABLATION_VARIANTS}, got {sorted(unknown)}.")
            variant = {"batch_norm": True, "blocks": 5, **shape}
            label = f"vgg_{variant['blocks']}blocks" + ("" if variant["batch_norm"] else "_no_bn")
            return models.vgg11((28, 28, 1), num_classes=10, width=self.width, dropout=self.dropout,
                                classifier_units=self.options["classifier_units"], name=name or label, **variant)

        if self.architecture in ("vgg11", "mini_xception"):
            unknown = set(shape) - {"input_shape", "num_classes"}
            if unknown:
                raise ValueError(f"the {self.architecture} recipe's model takes only input_shape and num_classes "
                                 f"(default 28×28×1 and 10), got {sorted(unknown)}.")
            sizes = {"input_shape": tuple(shape.get("input_shape", (28, 28, 1))),
                     "num_classes": shape.get("num_classes", 10)}
            if self.architecture == "vgg11":
                return models.vgg11(**sizes, width=self.width, batch_norm=True, dropout=self.dropout,
                                    name=name or "vgg11_fashion")
            return models.mini_xception(**sizes, width=self.width, dropout=self.dropout, name=name or "mini_xception")
        if self.architecture == "fcn":
            if set(shape) != {"input_shape", "num_classes"}:
                raise ValueError(f"the fcn recipe's model needs input_shape and num_classes, got {sorted(shape)}.")
            return timeseries.fcn(shape["input_shape"], shape["num_classes"])
        options = dict(self.options)
        vocab_size = shape.pop("vocab_size", options["max_tokens"])
        if shape:
            raise ValueError(f"the kim_cnn recipe's model takes only vocab_size, got {sorted(shape)}.")
        return text.kim_cnn(vocab_size, options["sequence_length"], widths=options["widths"],
                            filters=options["filters"], embedding_dim=options["embedding_dim"])


_IMAGE_DATA = {"ci": dict(n_train=20_000, augment=False, max_shift=0),
               "lab": dict(n_train=None, augment=True, max_shift=0),
               "full": dict(n_train=None, augment=True, max_shift=2)}

# Test-accuracy floors: above the linear baselines (logistic regression: about 0.84 on Fashion-MNIST, Xiao et al.
# 2017); lab targets: the accuracies benchmarks/ section 3 measures the time to.
_RECIPES = {
    "fcn": {
        "common": dict(batch_size=16, learning_rate=1e-3, schedule="plateau", floor=0.85, target=0.95,
                       dataset_targets={"GunPoint": 0.98, "ItalyPowerDemand": 0.95}),
        "ci": dict(epochs=80, datasets=("GunPoint", "ItalyPowerDemand")),
        "lab": dict(epochs=300, datasets=("GunPoint", "ItalyPowerDemand")),
        "full": dict(epochs=2000, datasets=("GunPoint", "ItalyPowerDemand", "OSULeaf")),
    },
    "kim_cnn": {
        "common": dict(batch_size=32, learning_rate=1e-3, early_stopping=2, floor=0.70, target=0.76,
                       options={"max_tokens": 10_000, "sequence_length": 40, "widths": (3, 4, 5), "filters": 100,
                                "embedding_dim": 64}),
        "ci": dict(epochs=2), "lab": dict(epochs=8), "full": dict(epochs=15),
    },
    "vgg11": {
        "common": dict(batch_size=128, learning_rate=2e-3, optimizer="adamw", schedule="cosine", target=0.92),
        "ci": dict(width=0.25, epochs=3, dropout=0.2, weight_decay=0.0, floor=0.87, **_IMAGE_DATA["ci"]),
        "lab": dict(width=0.25, epochs=5, dropout=0.2, weight_decay=0.0, floor=0.91, **_IMAGE_DATA["lab"]),
        "full": dict(width=0.5, epochs=30, dropout=0.5, weight_decay=0.05, floor=0.93, **_IMAGE_DATA["full"]),
    },
    # Notebook 08's ablations (batch norm on and off; one to five blocks): the VGG11 recipe's optimiser and schedule
    # on a subset, with the full profile's flips and shifts, and one classifier width (128, the lab VGG11's) for
    # every depth. The floor is the validation accuracy the five-block network with batch norm must reach.
    "vgg11_ablation": {
        "common": dict(batch_size=128, learning_rate=2e-3, optimizer="adamw", schedule="cosine", width=0.25,
                       dropout=0.2, weight_decay=0.0, augment=True, max_shift=2, options={"classifier_units": 128}),
        "ci": dict(epochs=3, n_train=8_000, floor=0.78),
        "lab": dict(epochs=3, n_train=20_000, floor=0.85),
        "full": dict(epochs=10, n_train=None, floor=0.89),
    },
    # Notebook 09's residual ablation: a 30-layer stack of 3×3 convolutions without batch norm, plain and with
    # identity shortcuts (models.conv_stack), Adam at a constant rate; the floor is the residual stack's validation
    # accuracy.
    "conv_stack": {
        "common": dict(batch_size=64, learning_rate=1e-3, augment=True, max_shift=2,
                       options={"depth": 30, "filters": 16}),
        "ci": dict(epochs=3, n_train=5_000, floor=0.55),
        "lab": dict(epochs=3, n_train=10_000, floor=0.60),
        "full": dict(epochs=5, n_train=None, floor=0.70),
    },
    # Notebook 11's baseline: notebook 09's Xception-style network trained from scratch on k labelled digits per
    # class (scaled to 28×28), for every k and draw the notebook compares; the floor is its mean test accuracy at
    # the largest k.
    "digits_scratch": {
        "common": dict(batch_size=25, learning_rate=1e-3, width=0.25, dropout=0.5),
        "ci": dict(epochs=60, floor=0.80, options={"labels_per_class": (5, 10), "image_side": 28, "draws": 2}),
        "lab": dict(epochs=100, floor=0.85, options={"labels_per_class": (5, 10), "image_side": 28, "draws": 5}),
        "full": dict(epochs=100, floor=0.85, options={"labels_per_class": (5, 10), "image_side": 28, "draws": 10}),
    },
    # Notebook 11's fine-tuning: the pretrained network's blocks 3 and 4 (from separable_conv2d_5 on) and its linear
    # probe trained on k labelled digits per class, starting from the probe; batch norm stays frozen. The floor is
    # the mean test accuracy after fine-tuning.
    "digits_finetune": {
        "common": dict(epochs=30, batch_size=25, learning_rate=3e-4, floor=0.85,
                       options={"from_layer": "separable_conv2d_5", "labels_per_class": 5}),
        "ci": {}, "lab": {}, "full": {},
    },
    "mini_xception": {
        "common": dict(batch_size=64, learning_rate=3e-3, optimizer="adamw", schedule="cosine", dropout=0.5,
                       target=0.92),
        "ci": dict(width=0.5, epochs=3, weight_decay=0.0, floor=0.87, **_IMAGE_DATA["ci"]),
        "lab": dict(width=0.5, epochs=8, weight_decay=0.0, floor=0.91, **_IMAGE_DATA["lab"]),
        "full": dict(width=1.0, epochs=30, weight_decay=0.05, floor=0.93, **_IMAGE_DATA["full"]),
    },
}


def _profile_name(profile) -> str:
    name = getattr(profile, "name", profile)
    if not isinstance(name, str):
        raise TypeError(f"profile must be a Profile (cu.setup()'s result) or one of {PROFILE_NAMES}, got "
                        f"{type(profile).__name__}.")
    if name not in PROFILE_NAMES:
        raise ValueError(f"profile must be one of {PROFILE_NAMES}, got {name!r}.")
    return name


def get(model: str, profile) -> Recipe:
    """The recipe of ``model`` (one of ``MODELS``) in a run profile.

    Args:
        model: ``"fcn"`` (notebook 01), ``"kim_cnn"`` (02), ``"vgg11"`` (08, 09) or ``"mini_xception"`` (09).
        profile: a :class:`course_utils.profile.Profile` (what ``cu.setup()`` returns) or its name.

    Raises:
        TypeError: if ``profile`` is neither a Profile nor a string.
        ValueError: for a model not in ``MODELS`` or a profile name not in ``PROFILE_NAMES``.
    """
    if model not in _RECIPES:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}.")
    name = _profile_name(profile)
    table = _RECIPES[model]
    settings = {**table["common"], **table[name]}
    settings["options"] = dict(settings.get("options", {}))
    settings["dataset_targets"] = dict(settings.get("dataset_targets", {}))
    return Recipe(architecture=model, profile=name, **settings)


def vgg11_recipe(profile) -> Recipe:
    """The VGG11 recipe of a run profile: ``get("vgg11", profile)``."""
    return get("vgg11", profile)


def with_settings(recipe: Recipe, **changes) -> Recipe:
    """A copy of ``recipe`` with some settings changed (for a benchmark's variant or an exercise)."""
    unknown = set(changes) - set(Recipe.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown recipe settings {sorted(unknown)}; a recipe has {sorted(Recipe.__dataclass_fields__)}.")
    return replace(recipe, **changes)


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
