import numpy as np
import pytest

from course_utils import training


def test_split_validation_is_stratified_disjoint_and_seeded():
    x = np.arange(100).reshape(100, 1)
    y = np.array([0] * 80 + [1] * 20)
    (xt, yt), (xv, yv) = training.split_validation(x, y, fraction=0.1, seed=1)
    assert len(xv) == 10 and len(xt) == 90
    assert set(xt.ravel()).isdisjoint(set(xv.ravel()))
    assert (yv == 1).sum() == 2 and (yv == 0).sum() == 8
    np.testing.assert_array_equal(y[xt.ravel()], yt)
    (xt2, _), _ = training.split_validation(x, y, fraction=0.1, seed=1)
    np.testing.assert_array_equal(xt, xt2)


def test_split_validation_keeps_at_least_one_per_class():
    x = np.arange(12)
    y = np.array([0] * 10 + [1] * 2)
    _, (_, yv) = training.split_validation(x, y, fraction=0.1)
    assert set(yv) == {0, 1}


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_split_validation_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        training.split_validation(np.zeros(10), np.zeros(10), fraction=fraction)


def test_split_validation_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="x has 10 samples but y has 9"):
        training.split_validation(np.zeros(10), np.zeros(9))


def _tiny_model():
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax", name="out")])
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_logs_epochs_and_learns_a_separable_problem(capsys):
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model = _tiny_model()
    log = training.fit(model, x, y, epochs=15, batch_size=32, validation_data=(x, y), log_every=5)
    out = capsys.readouterr().out
    assert log.epochs == 15 and len(log.history["loss"]) == 15
    assert log.seconds > 0
    assert "epoch   1" in out and "epoch   5" in out and "epoch   2 " not in out and "trained 15 epochs" in out
    assert log.history["loss"][-1] < log.history["loss"][0]
    assert training.accuracy(model, x, y) > 0.9
    assert log.last("val_accuracy") == log.history["val_accuracy"][-1]
    assert log.best("loss") == min(log.history["loss"])
    with pytest.raises(ValueError, match="no metric 'auc'; this training logged accuracy, loss"):
        log.last("auc")


def test_fit_rejects_zero_epochs():
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        training.fit(_tiny_model(), np.zeros((2, 2)), np.zeros(2), epochs=0)


def test_accuracy_on_known_predictions():
    class Fixed:
        def predict(self, x, batch_size=None, verbose=0):
            return np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])

    assert training.accuracy(Fixed(), None, np.array([0, 1, 1, 1])) == 0.75
    with pytest.raises(ValueError, match="predicted 4 samples for 3 labels"):
        training.accuracy(Fixed(), None, np.array([0, 1, 1]))


def _asymmetric_model():
    import keras

    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input((6, 5, 1)), keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])


def test_predict_mirrored_averages_each_image_with_its_mirror():
    import tensorflow as tf

    model = _asymmetric_model()
    x = np.random.default_rng(0).random((7, 6, 5, 1)).astype("float32")
    plain, flipped = model.predict(x, verbose=0), model.predict(x[:, :, ::-1].copy(), verbose=0)
    assert not np.allclose(plain, flipped, atol=1e-3)   # the model is not mirror-symmetric by itself
    mirrored = training.predict_mirrored(model, x)
    np.testing.assert_allclose(mirrored, (plain + flipped) / 2, rtol=1e-5, atol=1e-6)
    # the average is mirror-symmetric, and a dataset of batches gives the same answer as the array
    np.testing.assert_allclose(training.predict_mirrored(model, x[:, :, ::-1]), mirrored, rtol=1e-5, atol=1e-6)
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(3)
    np.testing.assert_allclose(training.predict_mirrored(model, dataset), mirrored, rtol=1e-5, atol=1e-6)


def test_accuracy_with_mirror_scores_the_averaged_predictions():
    model = _asymmetric_model()
    x = np.random.default_rng(1).random((40, 6, 5, 1)).astype("float32")
    averaged = training.predict_mirrored(model, x).argmax(axis=1)
    plain = model.predict(x, verbose=0).argmax(axis=1)
    assert np.any(averaged != plain)
    assert training.accuracy(model, x, averaged, mirror=True) == 1.0
    assert training.accuracy(model, x, averaged) == np.mean(plain == averaged) < 1.0


def test_predict_mirrored_rejects_images_without_a_channel_axis_and_labelled_datasets():
    import tensorflow as tf

    model = _asymmetric_model()
    with pytest.raises(ValueError, match=r"got \(4, 6, 5\).*x\[\.\.\., None\]"):
        training.predict_mirrored(model, np.zeros((4, 6, 5)))
    labelled = tf.data.Dataset.from_tensor_slices((np.zeros((4, 6, 5, 1)), np.zeros(4))).batch(2)
    with pytest.raises(ValueError, match="without labels"):
        training.predict_mirrored(model, labelled)


# ------------------------------------------------------------------------------------------ wrong arguments
def test_split_validation_per_class_counts_follow_the_formula_and_match_sklearn_shares():
    from sklearn.model_selection import train_test_split

    y = np.repeat(np.arange(4), [40, 25, 12, 3])
    x = np.arange(len(y))
    (_, yt), (_, yv) = training.split_validation(x, y, fraction=0.2, seed=3)
    # round(0.2 * n) per class, at least one and at most n - 1
    assert np.bincount(yv, minlength=4).tolist() == [8, 5, 2, 1]
    assert np.bincount(yt, minlength=4).tolist() == [32, 20, 10, 2]
    _, _, _, y_sk = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    assert np.abs(np.bincount(yv, minlength=4) - np.bincount(y_sk, minlength=4)).max() <= 1


def test_split_validation_refuses_one_hot_labels_when_stratifying():
    y = np.eye(3)[np.arange(30) % 3]
    with pytest.raises(ValueError, match=r"y has shape \(30, 3\).*y\.argmax\(axis=1\)"):
        training.split_validation(np.zeros((30, 2)), y)
    (_, yt), (_, yv) = training.split_validation(np.zeros((30, 2)), y, stratify=False)
    assert yt.shape == (27, 3) and yv.shape == (3, 3)   # rows stay whole without stratification
    (_, yt), (_, yv) = training.split_validation(np.zeros((30, 2)), y.argmax(1)[:, None])
    assert np.bincount(yv[:, 0]).tolist() == [1, 1, 1]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"fraction": "0.1"}, TypeError, "fraction must be a number"),
    ({"seed": "a"}, TypeError, "seed must be an integer"),
    ({"seed": -1}, ValueError, "seed must be >= 0"),
    ({"stratify": "yes"}, TypeError, "stratify must be True or False"),
])
def test_split_validation_names_the_bad_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        training.split_validation(np.zeros(10), np.arange(10) % 2, **kwargs)


def test_split_validation_explains_continuous_targets():
    with pytest.raises(ValueError, match="every class has a single sample here: are the labels classes"):
        training.split_validation(np.zeros(20), np.linspace(0, 1, 20))


def test_best_takes_the_direction_of_the_metric():
    log = training.TrainingLog({"loss": [0.9, 0.4, 0.6], "val_mae": [3.0, 1.5, 2.0], "val_accuracy": [0.5, 0.8, 0.7],
                                "val_mean_squared_error": [4.0, 2.0, 3.0], "auc": [0.6, 0.9, 0.7],
                                "learning_rate": [1e-3, 1e-3, 5e-4]})
    assert log.best("val_mae") == 1.5 == min(log.history["val_mae"])          # an error: lower is better
    assert log.best("val_mean_squared_error") == 2.0
    assert log.best("loss") == 0.4
    assert log.best("val_accuracy") == 0.8 == max(log.history["val_accuracy"])
    assert log.best("auc") == 0.9
    assert log.best("learning_rate", mode="min") == 5e-4
    assert log.best("val_mae", mode="max") == 3.0
    with pytest.raises(ValueError, match=r"learning_rate.*mode='min'.*mode='max'"):
        log.best("learning_rate")
    with pytest.raises(ValueError, match="mode must be 'min'"):
        log.best("loss", mode="lowest")
    with pytest.raises(ValueError, match="no metric 'val_loss'"):
        log.best("val_loss")


def test_best_skips_nan_epochs():
    log = training.TrainingLog({"loss": [float("nan"), 0.5, 0.3], "val_accuracy": [float("nan")] * 2, "mae": []})
    assert log.best("loss") == 0.3            # min() of Python would return nan here, for nan comes first
    assert np.isnan(log.best("val_accuracy"))
    with pytest.raises(ValueError, match="'mae' has no values"):
        log.best("mae")
    with pytest.raises(ValueError, match="'mae' has no values"):
        log.last("mae")


def test_metric_mode_agrees_with_the_direction_keras_gives_its_metrics():
    import keras

    m = keras.metrics
    metrics = [m.MeanAbsoluteError(), m.MeanSquaredError(), m.RootMeanSquaredError(), m.MeanAbsolutePercentageError(),
               m.MeanSquaredLogarithmicError(), m.BinaryCrossentropy(), m.CategoricalCrossentropy(),
               m.SparseCategoricalCrossentropy(), m.KLDivergence(), m.Poisson(), m.LogCoshError(), m.Hinge(),
               m.SquaredHinge(), m.CategoricalHinge(), m.Accuracy(), m.BinaryAccuracy(), m.CategoricalAccuracy(),
               m.SparseCategoricalAccuracy(), m.TopKCategoricalAccuracy(), m.SparseTopKCategoricalAccuracy(), m.AUC(),
               m.Precision(), m.Recall(), m.F1Score(), m.FBetaScore(), m.R2Score(), m.CosineSimilarity(), m.BinaryIoU(),
               m.MeanIoU(num_classes=2), m.PrecisionAtRecall(0.5), m.SensitivityAtSpecificity(0.5),
               m.PearsonCorrelation()]
    for metric in metrics:
        expected = {"down": "min", "up": "max"}[metric._direction]
        assert training.metric_mode(metric.name) == expected, metric.name
        assert training.metric_mode("val_" + metric.name) == expected, metric.name
    with pytest.raises(ValueError, match="true_positives"):
        training.metric_mode(m.TruePositives().name)         # Keras gives it no direction either
    with pytest.raises(TypeError, match="metric must be a metric name"):
        training.metric_mode(3)


def test_fit_names_bad_arguments():
    model = _tiny_model()
    x, y = np.zeros((4, 2), "float32"), np.zeros(4)
    for kwargs, error, match in [
        ({"epochs": 2.5}, TypeError, "epochs must be a positive integer"),
        ({"epochs": 1, "log_every": 0}, ValueError, "log_every must be >= 1"),
        ({"epochs": 1, "batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"epochs": 1, "verbose": 1}, TypeError, "takes no verbose"),
        ({"epochs": 1, "callbacks": ["stop"]}, TypeError, "callbacks must be keras.callbacks.Callback"),
    ]:
        with pytest.raises(error, match=match):
            training.fit(model, x, y, **kwargs)
    with pytest.raises(TypeError, match="model must be a compiled keras.Model"):
        training.fit("vgg", x, y, epochs=1)


def test_fit_takes_a_single_callback(capsys):
    import keras

    seen = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(epoch)

    log = training.fit(_tiny_model(), np.zeros((4, 2), "float32"), np.zeros(4), epochs=3, callbacks=Count())
    assert seen == [0, 1, 2] and log.epochs == 3


class _Fixed:
    def __init__(self, probs):
        self.probs = np.asarray(probs)

    def predict(self, x, batch_size=None, verbose=0):
        return self.probs


def test_accuracy_refuses_labels_that_are_not_the_models_classes():
    three = _Fixed([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
    assert training.accuracy(three, None, np.array([0, 1, 2, 0])) == 0.75          # 3 of 4 arg-maxes match
    assert training.accuracy(three, None, np.array([[0], [1], [2], [0]])) == 0.75
    with pytest.raises(ValueError, match=r"y has shape \(4, 3\).*one-hot.*y\.argmax\(axis=1\)"):
        training.accuracy(three, None, np.eye(3)[[0, 1, 2, 0]])
    with pytest.raises(ValueError, match=r"y holds labels outside 0\.\.2 \(for example 3\).*3 outputs"):
        training.accuracy(three, None, np.array([1, 2, 3, 0]))                  # labels 1..3 instead of 0..2
    with pytest.raises(ValueError, match="not whole numbers"):
        training.accuracy(three, None, np.array([0.5, 1, 2, 0]))
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        training.accuracy(three, None, np.array(["a", "b", "c", "d"]))
    binary = _Fixed([[0.9], [0.2], [0.6], [0.4]])
    assert training.accuracy(binary, None, np.array([1, 0, 0, 0])) == 0.75
    with pytest.raises(ValueError, match=r"outside 0\.\.1 \(for example 2\).*one output"):
        training.accuracy(binary, None, np.array([1, 2, 1, 2]))
    with pytest.raises(TypeError, match="mirror must be True or False"):
        training.accuracy(binary, None, np.array([1, 0, 0, 0]), mirror="no")
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        training.accuracy(None, None, np.array([1, 0]))


def test_predict_mirrored_checks_its_arguments():
    with pytest.raises(TypeError, match="batch_size must be a positive integer"):
        training.predict_mirrored(_asymmetric_model(), np.zeros((2, 6, 5, 1)), batch_size=1.5)
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        training.predict_mirrored(object(), np.zeros((2, 6, 5, 1)))


# The test suite's training record (FIT_RECORD) ------------------------------------------------------------------

def _record_run(monkeypatch, folder, mode, *, seed=0, x=None, callbacks=None, dataset=False):
    """A fresh tiny model (weights from ``seed``) trained with FIT_RECORD=mode:folder; its log and variables."""
    import keras

    from course_utils import pipeline

    monkeypatch.setenv(training.FIT_RECORD, f"{mode}:{folder}")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((28, 28, 1), name="pixels"), keras.layers.Flatten(name="flat"),
                              keras.layers.Dropout(0.2, name="drop"), keras.layers.Dense(3, activation="softmax", name="out")],
                             name="recorded")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    images = np.random.default_rng(1).integers(0, 256, (48, 28, 28), dtype=np.uint8) if x is None else x
    labels = np.arange(48) % 3
    if dataset:
        train = pipeline.make_dataset(images, labels, batch_size=16, training=True)
        log = training.fit(model, train, epochs=2, callbacks=callbacks)
    else:
        log = training.fit(model, images[..., None] / np.float32(255), labels, epochs=2, batch_size=16,
                           callbacks=callbacks)
    return log, [keras.ops.convert_to_numpy(v) for v in [*model.variables, *model.optimizer.variables]]


def _fit_forbidden(monkeypatch):
    import keras

    def refuse(*args, **kwargs):
        raise AssertionError("model.fit ran, though the training was recorded")

    monkeypatch.setattr(keras.Model, "fit", refuse)


@pytest.mark.parametrize("dataset", [False, True], ids=["arrays", "pipeline dataset"])
def test_a_recorded_training_is_replayed_exactly_without_training(tmp_path, monkeypatch, capsys, dataset):
    recorded, trained = _record_run(monkeypatch, tmp_path, "record", dataset=dataset)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    with monkeypatch.context() as patch:
        _fit_forbidden(patch)
        replayed, restored = _record_run(monkeypatch, tmp_path, "replay", dataset=dataset)
    assert replayed == recorded and "replayed" in capsys.readouterr().out
    assert len(restored) == len(trained)
    for a, b in zip(restored, trained):   # weights, dropout's seed state, Adam's moments and step count
        np.testing.assert_array_equal(a, b)


def test_a_training_with_other_inputs_trains_for_real(tmp_path, monkeypatch):
    _record_run(monkeypatch, tmp_path, "record")
    other_images = np.random.default_rng(2).integers(0, 256, (48, 28, 28), dtype=np.uint8)
    for change in ({"seed": 1}, {"x": other_images}):   # other initial weights; other data
        with monkeypatch.context() as patch:
            _fit_forbidden(patch)
            with pytest.raises(AssertionError, match="model.fit ran"):
                _record_run(monkeypatch, tmp_path, "replay", **change)


def test_unknown_callbacks_and_damaged_records_train_for_real(tmp_path, monkeypatch):
    import keras

    _record_run(monkeypatch, tmp_path, "record", callbacks=[keras.callbacks.Callback()])
    assert not list(tmp_path.glob("*.npz"))          # a callback of unknown effect: nothing to replay
    _record_run(monkeypatch, tmp_path, "record")
    (record,) = tmp_path.glob("*.npz")
    record.write_bytes(b"not a record")
    with monkeypatch.context() as patch:
        _fit_forbidden(patch)
        with pytest.warns(UserWarning, match="cannot replay"), pytest.raises(AssertionError, match="model.fit ran"):
            _record_run(monkeypatch, tmp_path, "replay")


def test_a_bad_record_setting_says_what_it_takes(monkeypatch):
    monkeypatch.setenv(training.FIT_RECORD, "/tmp/somewhere")
    with pytest.raises(ValueError, match="'record:DIR'.*'replay:DIR'"):
        training.fit(_tiny_model(), np.zeros((4, 2)), np.zeros(4), epochs=1)


def test_a_quiet_fit_prints_nothing_and_still_times_its_epochs(capsys):
    import keras

    keras.utils.set_random_seed(0)
    log = training.fit(_tiny_model(), np.zeros((8, 2)), np.zeros(8), epochs=3, batch_size=4, quiet=True)
    assert capsys.readouterr().out == "" and log.epochs == 3 and log.seconds > 0
    with pytest.raises(TypeError, match="quiet"):
        training.fit(_tiny_model(), np.zeros((8, 2)), np.zeros(8), epochs=1, quiet="yes")
