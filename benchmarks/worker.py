"""Measurements that run in a fresh process: ``python -m benchmarks.worker TASK 'JSON CONFIG'``.

Prints one line ``BENCHMARK-RESULT {json}`` at the end (see :mod:`benchmarks.protocol`).
Tasks: ``throughput`` (section 2), ``macs`` (multiply-adds of a model), ``accuracy`` (section 3).

A model is named by the notebooks' recipe (:mod:`course_utils.recipes`), so that the benchmarks measure the
network the notebook trains: ``{"recipe": "vgg11", "profile": "lab"}``, optionally with ``"changes"`` (recipe
settings, :func:`course_utils.recipes.with_settings`) and ``"shape"`` (``input_shape``, ``num_classes``);
``{"paper": "vgg11"}`` is the paper's VGG11 (224×224×3, 1000 classes).
"""

from __future__ import annotations

import json
import sys
import time
import traceback

import numpy as np

from benchmarks.protocol import report_result


def build_model(spec: dict, input_shape=None):
    """The model a spec names (see the module's docstring), with ``input_shape`` overriding the spec's."""
    from course_utils import models, recipes

    if "paper" in spec:
        if spec["paper"] != "vgg11" or input_shape is not None:
            raise ValueError(f"the only paper model is 'vgg11', at its own 224×224×3, got {spec['paper']!r} with "
                             f"input_shape {input_shape}.")
        return models.vgg11()
    recipe = recipes.with_settings(recipes.get(spec["recipe"], spec.get("profile", "lab")), **spec.get("changes", {}))
    shape = dict(spec.get("shape", {}))
    if input_shape is not None:
        shape["input_shape"] = input_shape
    if "input_shape" in shape:
        shape["input_shape"] = tuple(shape["input_shape"])
    return recipe.model(**shape)


def with_keras_layers(model, batch_norm: bool = False, separable: bool = False, pooling: bool = False):
    """The same model with the course's fused layers replaced by Keras' own: every ``FusedBatchNormalization``
    by ``BatchNormalization`` (``batch_norm``), every ``FusedSeparableConv2D`` by ``SeparableConv2D``
    (``separable``), every ``SlicedMaxPooling2D`` by ``MaxPooling2D`` (``pooling``)."""
    import keras

    from course_utils.layers import FusedBatchNormalization, FusedSeparableConv2D, SlicedMaxPooling2D

    swaps = {FusedBatchNormalization: keras.layers.BatchNormalization if batch_norm else None,
             FusedSeparableConv2D: keras.layers.SeparableConv2D if separable else None,
             SlicedMaxPooling2D: keras.layers.MaxPooling2D if pooling else None}

    def swap(layer):
        cls = swaps.get(type(layer)) or layer.__class__
        return cls.from_config(layer.get_config())

    return keras.models.clone_model(model, clone_function=swap)


def count_macs(model) -> float:
    """Multiply-adds of one forward pass of one sample, from ``course_utils.complexity.count_macs``."""
    from course_utils import complexity

    return float(complexity.count_macs(model))


def _epoch_timer(times: list[float]):
    import keras

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self._start)

    return Timer()


def throughput(cfg: dict) -> dict:
    """Training images per second of a model on random data: one warm-up epoch, then ``repeats`` epochs."""
    import keras
    import tensorflow as tf

    import course_utils  # noqa: F401

    if cfg.get("intra"):
        tf.config.threading.set_intra_op_parallelism_threads(cfg["intra"])
    if cfg.get("inter"):
        tf.config.threading.set_inter_op_parallelism_threads(cfg["inter"])
    keras.utils.set_random_seed(0)
    data_format = cfg.get("data_format", "channels_last")
    model = build_model(cfg["model"])
    shape = list(model.input_shape[1:])
    # The recipe's network built on (channels, height, width) inputs; its batch norm still normalises the last
    # axis (FusedBatchNormalization's axis=-1), so this variant is not the same arithmetic as the baseline.
    if data_format == "channels_first":
        keras.config.set_image_data_format(data_format)
        shape = [shape[-1], *shape[:-1]]
        model = build_model(cfg["model"], input_shape=shape)
    if cfg.get("keras_batch_norm") or cfg.get("keras_separable") or cfg.get("keras_pooling"):
        model = with_keras_layers(model, batch_norm=bool(cfg.get("keras_batch_norm")),
                                  separable=bool(cfg.get("keras_separable")), pooling=bool(cfg.get("keras_pooling")))
    classes = int(model.output_shape[-1])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=cfg.get("jit", "auto"))   # "auto": what model.compile does by default
    n, batch = int(cfg["samples"]), int(cfg.get("batch_size", 128))
    rng = np.random.default_rng(0)
    x = rng.random((n, *shape), dtype=np.float32)
    y = rng.integers(0, classes, n)
    times: list[float] = []
    epochs = 1 + int(cfg["repeats"])
    if cfg.get("data") == "course_pipeline":  # uint8 images through course_utils.pipeline (scaling, augmentation)
        from course_utils.pipeline import make_dataset

        x8 = rng.integers(0, 256, (n, *shape), dtype=np.uint8)
        model.fit(make_dataset(x8, y, batch_size=batch, training=True), epochs=epochs, verbose=0,
                  callbacks=[_epoch_timer(times)])
    elif cfg.get("data") == "tfdata":
        ds = (tf.data.Dataset.from_tensor_slices((x, y)).cache().shuffle(n, seed=0)
              .batch(batch).prefetch(tf.data.AUTOTUNE))
        model.fit(ds, epochs=epochs, verbose=0, callbacks=[_epoch_timer(times)])
    else:
        model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[_epoch_timer(times)])
    if data_format == "channels_first":
        keras.config.set_image_data_format("channels_last")
    return {"images_per_second": [n / t for t in times[1:]], "warmup_seconds": times[0],
            "params": int(model.count_params()), "macs": count_macs(model)}


def macs(cfg: dict) -> dict:
    """Multiply-adds and parameters of one model (built, never trained)."""
    import course_utils  # noqa: F401

    model = build_model(cfg["model"])
    return {"macs": count_macs(model), "params": int(model.count_params())}


# ------------------------------------------------------------------------------------------ section 3
def load_data(recipe, dataset: str | None, seed: int) -> dict:
    """Training, validation and test data prepared as the recipe's notebook prepares them.

    The splits are the notebooks' (validation carved from the training data with seed 0); ``seed`` varies the
    image pipeline's shuffle and augmentation stream.
    """
    from course_utils import data, text
    from course_utils.training import split_validation

    if recipe.architecture == "fcn":
        (x_tr, y_tr), (x_te, y_te) = data.load_ucr(dataset)
        (x_tr, y_tr), (x_val, y_val) = split_validation(x_tr, y_tr, fraction=0.1)
        shape = {"input_shape": x_tr.shape[1:], "num_classes": int(max(y_tr.max(), y_te.max()) + 1)}
        return {"train": (x_tr, y_tr), "val": (x_val, y_val), "test": (x_te, y_te), "shape": shape,
                "n_train": len(x_tr), "loss": "sparse_categorical_crossentropy"}
    if recipe.architecture == "kim_cnn":
        (t_tr, y_tr), (t_te, y_te) = data.load_rotten_tomatoes()
        (t_tr, y_tr), (t_val, y_val) = split_validation(t_tr, y_tr, fraction=0.1)
        vectorizer = text.make_vectorizer(t_tr, max_tokens=recipe.options["max_tokens"],
                                          sequence_length=recipe.options["sequence_length"])
        x_tr, x_val, x_te = (text.vectorize(vectorizer, t) for t in (t_tr, t_val, t_te))
        return {"train": (x_tr, y_tr), "val": (x_val, y_val), "test": (x_te, y_te), "n_train": len(x_tr),
                "shape": {"vocab_size": int(vectorizer.vocabulary_size())}, "loss": "binary_crossentropy"}
    d = recipe.data(seed=seed)   # notebooks 08 and 09: course_utils.pipeline.fashion_mnist
    x_te = (d.x_test.astype(np.float32) / 255.0)[..., None]
    return {"train": (d.train, None), "val": (d.val, None), "test": (x_te, d.y_test.astype(np.int64)), "shape": {},
            "n_train": d.n_train, "steps_per_epoch": d.steps_per_epoch, "loss": "sparse_categorical_crossentropy"}


def accuracy(cfg: dict) -> dict:
    """Train once with a recipe of :mod:`course_utils.recipes` (optionally changed); stop when the validation
    accuracy first reaches the target, and report the time, the epoch and the test accuracy at that point.

    The clock counts training only (``model.fit`` including its validation pass); the test-set evaluation after
    each epoch, which the notebooks do once at the end, is left out of it and decides nothing. Training stops at
    the target, at the recipe's last epoch (or its early stopping) or at the wall-time cap.
    """
    import keras

    import course_utils
    from course_utils import recipes
    from course_utils.training import accuracy as test_accuracy

    seed = int(cfg.get("seed", 0))
    course_utils.profile.seed_everything(seed)
    recipe = recipes.with_settings(recipes.get(cfg["recipe"], cfg["profile"]), **cfg.get("changes", {}))
    dataset = cfg.get("dataset")
    target = float(cfg.get("target") or recipe.target_for(dataset))
    d = load_data(recipe, dataset, seed)
    model = recipe.model(**d["shape"])
    steps = d.get("steps_per_epoch") or int(np.ceil(d["n_train"] / recipe.batch_size))
    model.compile(optimizer=recipe.make_optimizer(steps), loss=d["loss"], metrics=["accuracy"])
    epochs_log: list[dict] = []
    reached: dict = {}
    x_te, y_te = d["test"]
    cap = float(cfg["cap_seconds"])

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.excluded = 0.0
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            elapsed = now - self.start - self.excluded
            val = float((logs or {}).get("val_accuracy", float("nan")))
            acc = test_accuracy(model, x_te, y_te)
            self.excluded += time.perf_counter() - now
            epochs_log.append({"epoch": epoch + 1, "seconds": elapsed, "val_accuracy": val, "test_accuracy": acc})
            if not reached and val >= target:
                reached.update(seconds=elapsed, epoch=epoch + 1, val_accuracy=val, test_accuracy=acc)
            if reached or elapsed >= cap:
                self.model.stop_training = True

    callbacks = [*recipe.callbacks(), Clock()]
    if d["train"][1] is None:  # tf.data pipelines
        model.fit(d["train"][0], validation_data=d["val"][0], epochs=recipe.epochs, verbose=0, shuffle=False,
                  callbacks=callbacks)
    else:
        model.fit(*d["train"], validation_data=d["val"], epochs=recipe.epochs, batch_size=recipe.batch_size,
                  verbose=0, callbacks=callbacks)
    last = epochs_log[-1]
    stop = ("target reached" if reached else "time cap" if last["seconds"] >= cap else
            "recipe's epochs done" if last["epoch"] == recipe.epochs else "early stopping")
    return {"reached": reached, "epochs": epochs_log, "stopped": stop, "train_samples": int(d["n_train"]),
            "target": target, "recipe": recipe.describe(), "params": int(model.count_params())}


TASKS = {"throughput": throughput, "macs": macs, "accuracy": accuracy}


def main(argv: list[str]) -> int:
    task, config = argv[0], json.loads(argv[1])
    try:
        result = TASKS[task](config)
    except Exception as err:  # reported to the parent, which shows it in the report
        traceback.print_exc()
        result = {"error": f"{type(err).__name__}: {err}"}
    report_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
