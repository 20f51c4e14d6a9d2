import numpy as np
import pytest

from course_utils import recipes
from course_utils.profile import Profile


def test_recipes_per_profile():
    ci, lab, full = (recipes.vgg11_recipe(name) for name in recipes.PROFILE_NAMES)
    assert (ci.epochs, ci.n_train, ci.augmentation) == (3, 20_000, "none")
    assert (lab.epochs, lab.n_train, lab.augmentation) == (5, None, "flips")
    assert (full.epochs, full.width, full.dropout, full.weight_decay) == (30, 0.5, 0.5, 0.05)
    assert full.augmentation == "flips and shifts of up to 2 pixels"
    assert recipes.vgg11_recipe(Profile(name="lab", requested="lab", gpu=False)) == lab
    assert "20000" in ci.describe() and "all 54,000" in lab.describe()


def test_recipe_model_has_the_parameters_of_its_layers():
    import keras

    keras.utils.set_random_seed(0)
    model = recipes.vgg11_recipe("ci").model()
    # width ¼: 16, 32, 64, 64, 128, 128, 128, 128 channels; 3×3 kernels without bias (batch norm follows),
    # batch norm with 4 numbers per channel, then Dense(128), Dense(128), Dense(10) on 1×1×128 features.
    channels = [1, 16, 32, 64, 64, 128, 128, 128, 128]
    convs = sum(9 * c_in * c_out + 4 * c_out for c_in, c_out in zip(channels, channels[1:]))
    dense = (128 * 128 + 128) * 2 + 128 * 10 + 10
    assert model.count_params() == convs + dense


@pytest.mark.parametrize("bad, error, match", [(3, TypeError, "profile must be a Profile"),
                                               ("fast", ValueError, "one of")])
def test_recipe_rejects_bad_profiles(bad, error, match):
    with pytest.raises(error, match=match):
        recipes.vgg11_recipe(bad)


def test_split_arrays_are_the_pipelines_splits():
    from course_utils import pipeline

    arrays = recipes.split_arrays(1000)
    data = pipeline.fashion_mnist(1000, batch_size=250, augment=False)
    val_images, val_labels = (np.concatenate(part) for part in zip(*[(x.numpy(), y.numpy()) for x, y in data.val]))
    np.testing.assert_array_equal(arrays.y_val, val_labels)
    np.testing.assert_allclose(arrays.x_val / 255.0, val_images[..., 0], atol=1e-7)
    train_labels = np.concatenate([y.numpy() for _, y in data.train])
    np.testing.assert_array_equal(np.sort(arrays.y_train), np.sort(train_labels))
    assert len(arrays.x_train) == 1000 and np.all(np.bincount(arrays.y_val) == 600)   # stratified: 10 % of 6,000
    np.testing.assert_array_equal(arrays.y_test, data.y_test)


@pytest.mark.parametrize("n_train, error", [(0, ValueError), (2.5, TypeError), (60_000, ValueError)])
def test_split_arrays_rejects_bad_sizes(n_train, error):
    with pytest.raises(error, match="n_train"):
        recipes.split_arrays(n_train)


def _blobs(n, rng, separable=True):
    # two classes of 4×4 "images": bright left half or bright right half (plus noise)
    y = rng.integers(0, 2, n)
    x = rng.uniform(0, 0.2, size=(n, 4, 4))
    x[y == 0, :, :2] += 0.8
    x[y == 1, :, 2:] += 0.8
    if not separable:
        y = rng.integers(0, 2, n)   # labels unrelated to the pixels
    return x, y


def test_logistic_regression_baseline_separates_what_a_line_separates():
    rng = np.random.default_rng(0)
    (xt, yt), (xv, yv) = _blobs(200, rng), _blobs(100, rng)
    classifier, accuracy = recipes.logistic_regression_baseline(xt, yt, xv, yv)
    assert accuracy == 1.0 and classifier.coef_.shape == (1, 16)
    (xt, yt), (xv, yv) = _blobs(400, rng, separable=False), _blobs(400, rng, separable=False)
    _, chance = recipes.logistic_regression_baseline(xt, yt, xv, yv)
    assert 0.4 < chance < 0.6   # random labels: about one in two, as a coin would


def test_logistic_regression_baseline_scales_uint8_pixels():
    rng = np.random.default_rng(1)
    (xt, yt), (xv, yv) = _blobs(200, rng), _blobs(100, rng)
    as_uint8 = [np.round(x / x.max() * 255).astype(np.uint8) for x in (xt, xv)]
    scaled = [np.round(x / x.max() * 255) / 255 for x in (xt, xv)]
    a, _ = recipes.logistic_regression_baseline(as_uint8[0], yt, as_uint8[1], yv)
    b, _ = recipes.logistic_regression_baseline(scaled[0], yt, scaled[1], yv)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((np.zeros((4, 2, 2)), np.zeros(3), np.zeros((2, 2, 2)), np.zeros(2)), {}, ValueError, "one label per image"),
    ((np.zeros(4), np.zeros(4), np.zeros(2), np.zeros(2)), {}, ValueError, "batch of images"),
    ((np.zeros((4, 2, 2)), np.zeros(4), np.zeros((2, 3, 3)), np.zeros(2)), {}, ValueError, "pixels"),
    ((np.zeros((4, 2, 2)), np.zeros(4), np.zeros((2, 2, 2)), np.zeros(2)), {"max_iter": 0}, ValueError, "max_iter"),
])
def test_logistic_regression_baseline_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        recipes.logistic_regression_baseline(*args, **kwargs)
