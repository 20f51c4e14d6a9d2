"""The Fashion-MNIST input pipeline against numpy: scaling, order, flips and shifts, reproducibility."""

import numpy as np
import pytest
import tensorflow as tf

from course_utils import pipeline


def _images(n=20, size=8, seed=0):
    return np.random.default_rng(seed).integers(1, 256, (n, size, size), dtype=np.uint8)


def _batches(ds):
    return [tuple(np.asarray(t) for t in batch) if isinstance(batch, tuple) else np.asarray(batch) for batch in ds]


def test_evaluation_dataset_is_scaled_and_in_order():
    x, y = _images(), np.arange(20) % 10
    batches = _batches(pipeline.make_dataset(x, y, batch_size=8))
    assert [b[0].shape for b in batches] == [(8, 8, 8, 1), (8, 8, 8, 1), (4, 8, 8, 1)]
    images = np.concatenate([b[0] for b in batches])
    labels = np.concatenate([b[1] for b in batches])
    np.testing.assert_allclose(images[..., 0], x / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(labels, y)
    assert images.dtype == np.float32


def test_images_only_and_colour_images():
    x = np.random.default_rng(1).integers(0, 256, (5, 8, 8, 3), dtype=np.uint8)
    (batch,) = _batches(pipeline.make_dataset(x, batch_size=5))
    np.testing.assert_allclose(batch, x / 255.0, rtol=1e-6)


def test_training_dataset_shuffles_keeps_pairs_and_reshuffles_each_epoch():
    x = np.repeat(np.arange(20, dtype=np.uint8)[:, None, None], 8, axis=1).repeat(8, axis=2)
    ds = pipeline.make_dataset(x, np.arange(20), batch_size=20, training=True, augment=False)
    first, second = _batches(ds)[0], _batches(ds)[0]
    np.testing.assert_allclose(first[0][:, 0, 0, 0] * 255, first[1], atol=1e-4)  # image i carries label i
    assert sorted(first[1]) == list(range(20))
    assert not np.array_equal(first[1], np.arange(20))
    assert not np.array_equal(first[1], second[1])


def _flip_shift(image, flip, dy, dx):
    """numpy reference: flip left-right, then shift down by dy and right by dx, filling with zeros."""
    src = image[:, ::-1] if flip else image
    h, w = src.shape
    out = np.zeros_like(src)
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = src[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def test_augmentation_is_a_flip_and_a_whole_pixel_shift():
    x, y = _images(n=32, size=10), np.arange(32)
    augmented, labels = _batches(pipeline.make_dataset(x, y, batch_size=32, training=True, max_shift=2, seed=3))[0]
    plain, plain_labels = _batches(pipeline.make_dataset(x, y, batch_size=32, training=True, augment=False, seed=3))[0]
    np.testing.assert_array_equal(labels, plain_labels)                      # the same seeded shuffle
    np.testing.assert_allclose(plain[..., 0], x[labels] / np.float32(255.0), rtol=1e-6)   # augmentation off: the input
    moves = []
    for img, label in zip(augmented[..., 0], labels):
        original = x[label] / np.float32(255.0)
        found = [(f, dy, dx) for f in (False, True) for dy in range(-2, 3) for dx in range(-2, 3)
                 if np.allclose(_flip_shift(original, f, dy, dx), img)]
        assert found, "an augmented image is no flip+shift of its original"
        moves.append(found[0] != (False, 0, 0))
    # 25 shifts × 2 flips: an image is left as it was with probability 1/50, so most of them change
    assert sum(moves) >= 24, f"only {sum(moves)} of 32 images were flipped or shifted"


def test_augmentation_is_reproducible_and_varies_with_seed():
    x, y = _images(n=32), np.arange(32)
    a = _batches(pipeline.make_dataset(x, y, batch_size=16, training=True, seed=5))
    b = _batches(pipeline.make_dataset(x, y, batch_size=16, training=True, seed=5))
    c = _batches(pipeline.make_dataset(x, y, batch_size=16, training=True, seed=6))
    np.testing.assert_array_equal(a[0][0], b[0][0])
    assert not np.array_equal(a[0][0], c[0][0])
    # the images differ from their inputs (not only the order of the shuffle)
    for images, labels in a:
        changed = [not np.allclose(img[..., 0], x[label] / np.float32(255.0)) for img, label in zip(images, labels)]
        assert sum(changed) >= 12


def test_augment_batch_without_shift_only_flips():
    img = np.random.default_rng(2).random((64, 4, 5, 1)).astype(np.float32)
    out = pipeline.augment_batch(tf.constant(img), tf.constant([1, 2], tf.int64), max_shift=0).numpy()
    kept = [np.array_equal(o, i) for o, i in zip(out, img)]
    flipped = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, img)]
    assert all(k or f for k, f in zip(kept, flipped))
    assert 16 < sum(flipped) < 48 and 16 < sum(kept) < 48     # binomial(64, ½): mean 32, standard deviation 4


def test_augment_batch_shifts_against_numpy():
    img = np.random.default_rng(4).random((64, 6, 7, 1)).astype(np.float32)
    out = pipeline.augment_batch(img, np.array([3, 1]), max_shift=1)
    assert out.shape == img.shape and out.dtype == tf.float32
    shifts = []
    for o, i in zip(out.numpy()[..., 0], img[..., 0]):
        found = [(f, dy, dx) for f in (False, True) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                 if np.array_equal(_flip_shift(i, f, dy, dx), o)]
        assert found
        shifts.append(found[0][1:])
    assert len(set(shifts)) == 9      # every shift in [-1, 1]² occurs in 64 draws


@pytest.mark.parametrize("kwargs, match", [
    ({"x": np.zeros((4, 8))}, "shape"),
    ({"x": [[[0]]]}, "numpy array"),
    ({"x": np.zeros((4, 8, 8, 2), np.uint8)}, "channels"),
    ({"y": np.zeros(3)}, "must match"),
    ({"batch_size": 0}, "batch_size"),
    ({"max_shift": -1}, "max_shift"),
    ({"max_shift": 8}, "out of view"),
    ({"erase": 1.5}, "erase"),
    ({"erase": -0.1}, "erase"),
    ({"erase": "half"}, "erase"),
])
def test_bad_arguments(kwargs, match):
    args = {"x": np.zeros((4, 8, 8), np.uint8), "y": np.zeros(4)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        pipeline.make_dataset(args.pop("x"), args.pop("y"), **args)


def _erased(images, background=0.5):
    """For constant images, the mask of the pixels random erasing replaced."""
    return images[..., 0] != np.float32(background)


def test_random_erasing_replaces_one_rectangle_with_noise():
    images = np.full((500, 28, 28, 1), 0.5, np.float32)
    out = pipeline.erase_batch(images, tf.constant([3, 4], tf.int64), probability=1.0).numpy()
    assert out.shape == images.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    shares, tall, wide = [], 0, 0
    for mask in _erased(out):
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        assert len(rows) and len(cols), "with probability 1 every image is erased"
        box = np.zeros_like(mask)
        box[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] = True
        np.testing.assert_array_equal(mask, box)  # one filled rectangle, the rest untouched
        shares.append(mask.mean())
        tall += len(rows) > len(cols)
        wide += len(cols) > len(rows)
    # Shares of area drawn from U(0.02, 0.4) (mean 0.21), sides rounded down to whole pixels and clipped.
    assert 0.005 < min(shares) and max(shares) <= 0.4
    assert 0.15 < np.mean(shares) < 0.21
    assert tall > 100 and wide > 100  # aspect ratios on both sides of 1


def test_random_erasing_probability_seed_and_identity():
    images = np.full((400, 12, 12, 1), 0.5, np.float32)
    seed = tf.constant([0, 7], tf.int64)
    half = pipeline.erase_batch(images, seed, probability=0.5).numpy()
    erased = _erased(half).any(axis=(1, 2))
    assert 150 < erased.sum() < 250  # binomial(400, ½): mean 200, standard deviation 10
    np.testing.assert_array_equal(half, pipeline.erase_batch(images, seed, probability=0.5).numpy())
    other = pipeline.erase_batch(images, tf.constant([0, 8], tf.int64), probability=0.5).numpy()
    assert not np.array_equal(half, other)
    np.testing.assert_array_equal(pipeline.erase_batch(images, seed, probability=0.0).numpy(), images)
    with pytest.raises(ValueError, match="probability"):
        pipeline.erase_batch(images, seed, probability=2)


def test_make_dataset_erases_only_training_batches():
    x, y = np.full((64, 8, 8), 128, np.uint8), np.zeros(64)
    background = np.float32(128 / 255.0)
    (train,) = _batches(pipeline.make_dataset(x, y, batch_size=64, training=True, max_shift=0, erase=1.0))
    assert _erased(train[0], background).any(axis=(1, 2)).all()
    (plain,) = _batches(pipeline.make_dataset(x, y, batch_size=64, training=True, max_shift=0, erase=0.0))
    assert not _erased(plain[0], background).any()  # a flip of a constant image is the same image
    (evaluation,) = _batches(pipeline.make_dataset(x, y, batch_size=64, erase=1.0))
    assert not _erased(evaluation[0], background).any()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"x": np.arange(4 * 8 * 8).reshape(4, 8, 8) % 256}, ValueError, r"x has dtype int64; pass uint8 images"),
    ({"x": np.full((4, 8, 8), 200.0, np.float32)}, ValueError, r"floats in \[200, 200\].*divide by 255"),
    ({"y": np.eye(4)}, ValueError, r"one integer label per image, shape \(4,\).*argmax"),
    ({"y": np.array([0, 0.5, 1, 1])}, ValueError, "y must hold integer class labels"),
    ({"seed": 0.5}, TypeError, "seed must be an integer"),
    ({"training": "no"}, TypeError, "training must be True or False"),
    ({"augment": 1}, TypeError, "augment must be True or False"),
    ({"training": True, "augment": False, "erase": 0.5}, ValueError, "erase=0.5 asks for random erasing.*augment=False"),
])
def test_bad_arguments_that_would_have_scaled_or_labelled_silently(kwargs, error, match):
    args = {"x": np.zeros((4, 8, 8), np.uint8), "y": np.zeros(4)}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        pipeline.make_dataset(args.pop("x"), args.pop("y"), **args)


def test_float_images_in_unit_range_and_whole_float_labels_are_kept():
    x = np.random.default_rng(5).random((6, 4, 4)).astype(np.float32)
    (images, labels), = _batches(pipeline.make_dataset(x, np.array([0.0, 1, 2, 3, 4, 5]), batch_size=6))
    np.testing.assert_allclose(images[..., 0], x)
    np.testing.assert_array_equal(labels, np.arange(6))


@pytest.mark.parametrize("call, error, match", [
    (lambda: pipeline.augment_batch(tf.zeros((6, 6, 1)), [0, 1]), ValueError, r"batch \(batch, height, width, channels\).*image\[None\]"),
    (lambda: pipeline.augment_batch(tf.zeros((2, 6, 6, 1)), 3), ValueError, r"seed must be a pair.*\[0, s\]"),
    (lambda: pipeline.augment_batch(tf.zeros((2, 6, 6, 1)), [0.5, 1.0]), ValueError, "seed must be a pair of integers"),
    (lambda: pipeline.augment_batch(tf.zeros((2, 6, 6, 1)), [0, 1], max_shift=-1), ValueError, "max_shift must be >= 0"),
    (lambda: pipeline.augment_batch(tf.zeros((2, 6, 6, 1)), [0, 1], max_shift=6), ValueError, "out of view"),
    (lambda: pipeline.augment_batch(tf.zeros((2, 6, 6, 1)), [0, 1], max_shift=1.5), TypeError, "max_shift must be an integer"),
    (lambda: pipeline.erase_batch(np.zeros((6, 6, 1), np.float32), [0, 1]), ValueError, "images must be a batch"),
    (lambda: pipeline.erase_batch(np.zeros((2, 6, 6, 1), np.uint8), [0, 1]), TypeError, "float images in \\[0, 1\\].*to_float"),
    (lambda: pipeline.to_float(np.full((1, 2, 2), 255, np.int64)), TypeError, "images have dtype int64"),
    (lambda: pipeline.fashion_mnist(64, batch_size=0), ValueError, "batch_size"),
    (lambda: pipeline.fashion_mnist(64, val_fraction=1.5), ValueError, "val_fraction must be between 0 and 1"),
    (lambda: pipeline.fashion_mnist(64, augment=False, erase=0.3), ValueError, "augment=False"),
    (lambda: pipeline.fashion_mnist(2.5), ValueError, "n_train must be a positive int"),
])
def test_augmentation_functions_name_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_fashion_mnist_split_comes_from_the_training_set():
    data = pipeline.fashion_mnist(n_train=1000, batch_size=100)
    assert (data.n_train, data.n_val, data.steps_per_epoch) == (1000, 6000, 10)
    assert data.x_test.shape == (10000, 28, 28) and data.y_test.shape == (10000,)
    images, labels = next(iter(data.train))
    assert images.shape == (100, 28, 28, 1) and labels.shape == (100,)
    assert next(iter(data.test)).shape == (512, 28, 28, 1)
    with pytest.raises(ValueError, match="n_train"):
        pipeline.fashion_mnist(n_train=0)


def test_fashion_mnist_flips_only_when_max_shift_is_zero():
    data = pipeline.fashion_mnist(n_train=64, batch_size=64, augment=True, max_shift=0, seed=1)
    plain = pipeline.fashion_mnist(n_train=64, batch_size=64, augment=False, seed=1)
    augmented, labels = _batches(data.train)[0]
    originals, plain_labels = _batches(plain.train)[0]
    np.testing.assert_array_equal(labels, plain_labels)  # same seeded shuffle, so the same order
    flipped = [np.array_equal(a, o[:, ::-1]) and not np.array_equal(a, o) for a, o in zip(augmented, originals)]
    kept = [np.array_equal(a, o) for a, o in zip(augmented, originals)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert 16 < sum(flipped) < 48


def test_augment_batch_moves_images_with_keras_layers_on_every_backend():
    import keras

    img = np.random.default_rng(6).random((32, 9, 9, 1)).astype(np.float32)
    out = pipeline.augment_batch(img, tf.constant([0, 9], tf.int64), max_shift=2).numpy()
    flip, shift = pipeline._keras_augmenters()
    assert isinstance(flip, keras.layers.RandomFlip) and isinstance(shift, keras.layers.RandomTranslation)
    # The layers are switched to TensorFlow's ops for the call only, and left on the session's backend.
    assert flip.backend.name == shift.backend.name == keras.backend.backend()
    found = [[(f, dy, dx) for f in (False, True) for dy in range(-2, 3) for dx in range(-2, 3)
              if np.array_equal(_flip_shift(i[..., 0], f, dy, dx), o[..., 0])] for o, i in zip(out, img)]
    assert all(found)
    # Fashion-MNIST's pipeline traces the same code inside tf.data: its batches equal the eager call's.
    ds = tf.data.Dataset.from_tensors(img).map(lambda b: pipeline.augment_batch(b, tf.constant([0, 9], tf.int64)))
    np.testing.assert_array_equal(next(iter(ds)).numpy(), out)
