"""Tests of course_utils.timeseries against independent references (NumPy, SciPy, Keras layers, hand counts)."""

import numpy as np
import pytest
import scipy.ndimage
import scipy.stats

from course_utils import timeseries as ts


# ------------------------------------------------------------------------------------------ kernels
@pytest.mark.parametrize("span", [1, 3, 5, 7])
def test_moving_average_is_uniform_filter(span):
    x = np.random.default_rng(0).normal(size=40)
    k = ts.moving_average_kernel(span)
    assert k.shape == (span,)
    assert np.isclose(k.sum(), 1.0)
    expected = scipy.ndimage.uniform_filter1d(x, span, mode="constant", cval=0.0)
    np.testing.assert_allclose(np.convolve(x, k, "same"), expected, atol=1e-12)


@pytest.mark.parametrize("span, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError),
                                         ("5", TypeError)])
def test_moving_average_rejects_bad_span(span, error):
    with pytest.raises(error, match="span"):
        ts.moving_average_kernel(span)


def test_difference_kernel_is_central_difference():
    x = np.random.default_rng(1).normal(size=30).cumsum()
    slope = np.convolve(x, ts.difference_kernel(), "same")
    np.testing.assert_allclose(slope[1:-1], np.gradient(x)[1:-1], atol=1e-12)
    # Keras' cross-correlation with the same weights gives minus the slope
    np.testing.assert_allclose(np.correlate(x, ts.difference_kernel(), "same")[1:-1], -np.gradient(x)[1:-1])


def test_znormalize_matches_scipy_zscore():
    x = np.random.default_rng(2).normal(3.0, 5.0, size=(4, 50, 2))
    np.testing.assert_allclose(ts.znormalize(x), scipy.stats.zscore(x, axis=1), atol=1e-12)
    np.testing.assert_allclose(ts.znormalize(x[0, :, 0], axis=0), scipy.stats.zscore(x[0, :, 0]), atol=1e-12)


def test_znormalize_constant_series_is_zero():
    out = ts.znormalize(np.full((2, 10, 1), 7.0))
    assert np.array_equal(out, np.zeros((2, 10, 1)))


def test_znormalize_errors():
    with pytest.raises(ValueError, match="empty"):
        ts.znormalize(np.zeros((0,)))
    with pytest.raises(ValueError, match="axis 3"):
        ts.znormalize(np.zeros((2, 5, 1)), axis=3)


# ------------------------------------------------------------------------------------------ FCN
# Hand count for one input channel and two classes:
#   conv1 8*1*128 + 128 = 1,152    bn1 4*128 = 512
#   conv2 5*128*256 + 256 = 164,096  bn2 4*256 = 1,024
#   conv3 3*256*128 + 128 = 98,432   bn3 4*128 = 512
#   softmax 128*2 + 2 = 258                          total 265,986
HAND_COUNT = 1152 + 512 + 164096 + 1024 + 98432 + 512 + 258


@pytest.fixture(scope="module")
def small_fcn():
    import keras

    keras.utils.set_random_seed(0)
    return ts.fcn((24, 1), num_classes=2)


def test_fcn_parameter_count_matches_hand_count(small_fcn):
    assert HAND_COUNT == 265986
    assert small_fcn.count_params() == HAND_COUNT
    assert ts.fcn_parameter_count(channels=1, num_classes=2) == HAND_COUNT
    # three channels, five classes: only conv1 (8*3*128) and the softmax layer (128*5 + 5) change
    assert ts.fcn_parameter_count(3, 5) == HAND_COUNT - 1152 + (8 * 3 * 128 + 128) - 258 + (128 * 5 + 5)
    assert ts.fcn((None, 3), 5).count_params() == ts.fcn_parameter_count(3, 5)


def test_fcn_layer_shapes(small_fcn):
    expected = {"conv1": (None, 24, 128), "bn1": (None, 24, 128), "relu1": (None, 24, 128),
                "conv2": (None, 24, 256), "relu2": (None, 24, 256), "conv3": (None, 24, 128),
                "relu3": (None, 24, 128), "gap": (None, 128), "softmax": (None, 2)}
    for name, shape in expected.items():
        assert tuple(small_fcn.get_layer(name).output.shape) == shape, name
    assert [small_fcn.get_layer(f"conv{i}").kernel_size[0] for i in (1, 2, 3)] == [8, 5, 3]


@pytest.mark.parametrize("shape", [(24,), (24, 1, 1), (0, 1), (24, None)])
def test_fcn_rejects_bad_input_shape(shape):
    with pytest.raises(ValueError, match="input_shape"):
        ts.fcn(shape, 2)


@pytest.mark.parametrize("classes", [1, 0, 2.0, True])
def test_fcn_rejects_bad_class_count(classes):
    with pytest.raises(ValueError, match="num_classes"):
        ts.fcn((24, 1), classes)


def test_cam_equals_manual_computation(small_fcn):
    import keras

    x = np.random.default_rng(3).normal(size=(3, 24, 1)).astype(np.float32)
    cam = ts.class_activation_map(small_fcn, x, class_index=1)
    assert cam.shape == (3, 24)
    features = keras.Model(small_fcn.inputs, small_fcn.get_layer("relu3").output).predict(x, verbose=0)
    w, b = small_fcn.get_layer("softmax").get_weights()
    manual = np.zeros((3, 24))
    for n in range(3):
        for t in range(24):
            manual[n, t] = sum(float(w[m, 1]) * float(features[n, t, m]) for m in range(128))
    np.testing.assert_allclose(cam, manual, rtol=1e-5, atol=1e-5)
    # the time average of the map plus the bias is the logit: differences of log-probabilities agree
    cam0 = ts.class_activation_map(small_fcn, x, class_index=0)
    probs = small_fcn.predict(x, verbose=0).astype(np.float64)
    np.testing.assert_allclose(cam.mean(1) + b[1] - cam0.mean(1) - b[0], np.log(probs[:, 1] / probs[:, 0]),
                               rtol=1e-4, atol=1e-4)


def test_cam_default_is_predicted_class(small_fcn):
    x = np.random.default_rng(4).normal(size=(4, 24, 1)).astype(np.float32)
    predicted = small_fcn.predict(x, verbose=0).argmax(1)
    np.testing.assert_allclose(ts.class_activation_map(small_fcn, x),
                               ts.class_activation_map(small_fcn, x, class_index=predicted), atol=1e-6)


def test_cam_errors(small_fcn):
    x = np.zeros((2, 24, 1), dtype=np.float32)
    with pytest.raises(ValueError, match="batch"):
        ts.class_activation_map(small_fcn, x[0])
    with pytest.raises(ValueError, match="class_index"):
        ts.class_activation_map(small_fcn, x, class_index=2)
    with pytest.raises(ValueError, match="class_index"):
        ts.class_activation_map(small_fcn, x, class_index=-1)
    with pytest.raises(ValueError, match="no layer"):
        ts.feature_maps(small_fcn, x, layer="conv9")


def test_fcn_callbacks_halve_learning_rate():
    (callback,) = ts.fcn_callbacks(patience=7)
    assert callback.factor == 0.5 and callback.patience == 7 and callback.monitor == "loss"


# ------------------------------------------------------------------------------------------ wrong arguments
def test_fcn_rejects_a_momentum_keras_would_accept():
    with pytest.raises(ValueError, match=r"bn_momentum .* in \[0, 1\); got 1.5"):
        ts.fcn((24, 1), 2, bn_momentum=1.5)
    with pytest.raises(TypeError, match="bn_momentum must be a number"):
        ts.fcn((24, 1), 2, bn_momentum="0.9")


@pytest.mark.parametrize("shape", [150, "150", (150.0, 1), (24, True)])
def test_fcn_names_input_shape_for_other_wrong_forms(shape):
    with pytest.raises(ValueError, match=r"input_shape must be \(length, channels\)"):
        ts.fcn(shape, 2)


def test_fcn_parameter_count_checks_its_counts():
    with pytest.raises(TypeError, match="num_classes must be a positive integer"):
        ts.fcn_parameter_count(1, 2.5)
    with pytest.raises(ValueError, match="channels must be >= 1"):
        ts.fcn_parameter_count(0, 2)
    with pytest.raises(ValueError, match="num_classes must be at least 2"):
        ts.fcn_parameter_count(1, 1)
    assert ts.fcn_parameter_count(np.int64(1), np.int64(2)) == HAND_COUNT


@pytest.mark.parametrize("kwargs, error, match", [
    ({"patience": -1}, ValueError, "patience must be >= 0"),
    ({"patience": 2.5}, TypeError, "patience must be an integer"),
    ({"min_lr": -1e-4}, ValueError, "min_lr must be >= 0"),
    ({"min_lr": "1e-4"}, TypeError, "min_lr must be a number"),
])
def test_fcn_callbacks_check_their_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ts.fcn_callbacks(**kwargs)


def test_znormalize_checks_axis_and_values():
    with pytest.raises(TypeError, match="axis must be an integer"):
        ts.znormalize(np.ones((2, 5, 1)), axis=1.0)
    with pytest.raises(TypeError, match="numeric array"):
        ts.znormalize(["1", "2"])


def test_feature_maps_and_cam_check_the_batch_against_the_model(small_fcn):
    import keras

    with pytest.raises(ValueError, match=r"x has shape \(2, 30, 1\) but the model takes \(None, 24, 1\)"):
        ts.feature_maps(small_fcn, np.zeros((2, 30, 1)))
    with pytest.raises(ValueError, match=r"x has shape \(2, 24, 3\)"):
        ts.class_activation_map(small_fcn, np.zeros((2, 24, 3)))
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        ts.feature_maps("fcn", np.zeros((2, 24, 1)))
    with pytest.raises(ValueError, match=r"one class for all series or one per series \(2\), got shape \(3,\)"):
        ts.class_activation_map(small_fcn, np.zeros((2, 24, 1)), class_index=[0, 1, 1])
    other = keras.Sequential([keras.Input((24, 1)), keras.layers.Conv1D(2, 3, name="relu3"),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="needs a model built by fcn, with layers 'relu3' and 'softmax'"):
        ts.class_activation_map(other, np.zeros((2, 24, 1)))
