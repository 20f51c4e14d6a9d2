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
    with pytest.raises(KeyError, match="no metric 'auc'"):
        log.last("auc")


def test_fit_rejects_zero_epochs():
    with pytest.raises(ValueError, match="epochs must be at least 1"):
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
