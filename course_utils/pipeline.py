"""A ``tf.data`` input pipeline for Fashion-MNIST-sized images, with light augmentation (notebooks 08 and 09).

The pipeline keeps the images as uint8 in memory and, per batch:

1. scales them to float32 in [0, 1] and adds the channel axis: ``(batch, 28, 28)`` → ``(batch, 28, 28, 1)``;
2. when training with ``augment=True``: flips each image left–right with probability ½ and shifts it by a
   whole number of pixels in [−``max_shift``, ``max_shift``] along each axis, filling with zeros, with
   Keras' ``RandomFlip`` and ``RandomTranslation`` layers (:func:`augment_batch`);
3. and, with ``erase=p > 0``, erases one random rectangle of each image with probability ``p``
   (random erasing, Zhong et al. 2020): see :func:`erase_batch`.

The augmentation is *stateless*: its random numbers come from ``(seed, batch index)``, and the order of the
samples from a seeded shuffle that changes every epoch, so a run is reproducible while every epoch sees
different variants of each image. It runs in the input pipeline (on the CPU, overlapping training via
``prefetch``) and works the same on a GPU machine.

    >>> train_ds = make_dataset(x_train, y_train, batch_size=128, training=True)   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np

from course_utils import _checks

#: Random erasing's ranges (Zhong et al. 2020): share of the image's area, and aspect ratio height / width.
ERASE_AREA = (0.02, 0.4)
ERASE_ASPECT = (0.3, 1 / 0.3)


def _validate(x: np.ndarray, y: np.ndarray | None, batch_size: int, max_shift: int, erase: float = 0.0) -> None:
    if not isinstance(x, np.ndarray) or x.ndim not in (3, 4):
        raise ValueError(
            f"x must be a numpy array of shape (n, height, width) or (n, height, width, channels), got "
            f"{getattr(x, 'shape', type(x).__name__)}."
        )
    if x.ndim == 4 and x.shape[-1] not in (1, 3):
        raise ValueError(f"x has {x.shape[-1]} channels in its last axis; expected 1 or 3 (channels last).")
    _check_pixels(x)
    if y is not None:
        _check_labels(y, len(x))
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")
    if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative int, got {max_shift!r}.")
    if max_shift >= min(x.shape[1:3]):
        raise ValueError(f"max_shift={max_shift} would shift the {x.shape[1]}×{x.shape[2]} images out of view.")
    _check_erase(erase)


def _check_pixels(x: np.ndarray) -> None:
    """uint8 images, or floats already scaled to [0, 1]; anything else would be scaled wrongly."""
    if x.dtype == np.uint8:
        return
    if x.dtype.kind != "f":
        raise ValueError(f"x has dtype {x.dtype}; pass uint8 images (x.astype(np.uint8) for values 0..255) or "
                         "floats in [0, 1].")
    if x.size and (not np.isfinite(x).all() or x.min() < 0.0 or x.max() > 1.0):
        raise ValueError(f"x holds floats in [{x.min():g}, {x.max():g}]; float images must be in [0, 1]: pass the "
                         "uint8 images, or divide by 255.")


def _check_labels(y, n: int) -> None:
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be one integer label per image, shape ({n},), got shape {labels.shape}; "
                         "for one-hot labels pass y.argmax(axis=1).")
    if len(labels) != n:
        raise ValueError(f"x has {n} samples but y has {len(labels)}; they must match.")
    if labels.dtype.kind not in "biuf" or (labels.dtype.kind == "f" and (
            not np.isfinite(labels).all() or np.any(labels != np.round(labels)))):
        raise ValueError(f"y must hold integer class labels, got {labels.dtype} values such as {labels[:3]!r}.")


def _check_images_tensor(images, name: str = "images"):
    import tensorflow as tf

    images = tf.convert_to_tensor(images)
    if images.shape.rank is not None and images.shape.rank != 4:
        raise ValueError(f"{name} must be a batch (batch, height, width, channels), got shape {images.shape}; for one "
                         "image use image[None], for grey images without a channel axis x[..., None].")
    return images


def _check_seed_tensor(seed):
    import tensorflow as tf

    try:
        seed = tf.convert_to_tensor(seed)
    except (TypeError, ValueError) as err:
        raise TypeError(f"seed must be a pair of integers such as [0, 1], got {seed!r}.") from err
    if not seed.dtype.is_integer or (seed.shape.rank is not None and seed.shape.as_list() != [2]):
        raise ValueError(f"seed must be a pair of integers such as [0, 1] (shape (2,)), got {seed.dtype.name} of "
                         f"shape {seed.shape}; for one integer s use [0, s].")
    return seed


def _check_erase(erase: float) -> None:
    if isinstance(erase, bool) or not isinstance(erase, (int, float, np.integer, np.floating)) or not 0 <= erase <= 1:
        raise ValueError(f"erase is the probability of erasing a rectangle, a number in [0, 1]; got {erase!r}.")


def to_float(images):
    """uint8 images ``(batch, h, w)`` or ``(batch, h, w, c)`` → float32 in [0, 1] with a channel axis.

    Float images are taken as already in [0, 1] and only cast to float32.

    Raises:
        TypeError: for integer images other than uint8 (their scale is unknown; convert them to uint8).
    """
    import tensorflow as tf

    images = tf.convert_to_tensor(images)
    if images.dtype != tf.uint8 and not images.dtype.is_floating:
        raise TypeError(f"images have dtype {images.dtype.name}; pass uint8 images (values 0..255) or floats in "
                        "[0, 1].")
    if images.shape.rank == 3:
        images = images[..., tf.newaxis]
    scale = 255.0 if images.dtype == tf.uint8 else 1.0
    return tf.cast(images, tf.float32) / scale


@functools.lru_cache(maxsize=1)
def _keras_augmenters():
    """Keras' own flip and translation layers, used for their image transforms (see :func:`augment_batch`)."""
    import keras

    # Channels last and float32 whatever Keras' global settings: the pipeline's batches are (n, h, w, c) float32.
    flip = keras.layers.RandomFlip("horizontal", data_format="channels_last", dtype="float32")
    # The factors are unused: augment_batch hands the layer its own whole-pixel shifts.
    shift = keras.layers.RandomTranslation(0.5, 0.5, fill_mode="constant", fill_value=0.0, interpolation="nearest",
                                           data_format="channels_last", dtype="float32")
    return flip, shift


def _transform(layer, images, transformation):
    """``layer.transform_images`` in TensorFlow ops, whatever Keras' backend: the pipeline runs inside
    ``tf.data``, which is what a Keras preprocessing layer's own ``__call__`` does there too."""
    layer.backend.set_backend("tensorflow")
    try:
        return layer.transform_images(images, transformation)
    finally:
        layer.backend.reset()


def augment_batch(images, seed, max_shift: int = 2):
    """Flip left–right with probability ½ and shift by whole pixels in [−max_shift, max_shift] along each
    axis, independently for each image.

    The images are moved by Keras' own preprocessing layers, ``keras.layers.RandomFlip("horizontal")`` and
    ``keras.layers.RandomTranslation`` (nearest pixel, zero fill), on every backend. The random draws are made
    here, from ``seed``, with TensorFlow's stateless ops: the layers' own draws come from a stateful seed
    generator, which ``tf.data``'s parallel map would call in a varying order (a run could not be repeated),
    and ``RandomTranslation`` given one stateless seed draws the same fraction for both axes (Keras 3.15).

    Args:
        images: float32 tensor ``(batch, h, w, c)``.
        seed: int tensor of shape (2,) for the stateless random ops (same seed, same result).
        max_shift: largest shift in pixels; 0 flips only.

    Returns:
        A float32 tensor of the same shape; pixels shifted in from outside are 0.

    Raises:
        TypeError: for a seed that is not integers, or a ``max_shift`` that is not an integer.
        ValueError: for images that are not a batch of rank 4, a seed not of shape (2,), a negative
            ``max_shift`` or one at least the images' side.
    """
    import tensorflow as tf

    images = tf.cast(_check_images_tensor(images), tf.float32)
    seed = _check_seed_tensor(seed)
    max_shift = _checks.non_negative_int(max_shift, "max_shift")
    sides = [d for d in images.shape[1:3] if d is not None]
    if sides and max_shift >= min(sides):
        raise ValueError(f"max_shift={max_shift} would shift the {images.shape[1]}×{images.shape[2]} images out of view.")
    flip, shift = _keras_augmenters()
    seeds = tf.random.experimental.stateless_split(seed, num=2)
    n = tf.shape(images)[0]
    flips = tf.reshape(tf.random.stateless_uniform((n,), seed=seeds[0]) > 0.5, (n, 1, 1, 1))
    images = _transform(flip, images, {"flips": flips, "input_shape": tf.shape(images)})
    if max_shift == 0:
        return images
    # One shift per image and axis, (dx, dy) in pixels: output pixel (i, j) is input pixel (i - dy, j - dx).
    shifts = tf.random.stateless_uniform((n, 2), seed=seeds[1], minval=-max_shift, maxval=max_shift + 1,
                                         dtype=tf.int32)
    return _transform(shift, images, {"translations": tf.cast(shifts, tf.float32), "input_shape": tf.shape(images)})


def erase_batch(images, seed, probability: float = 0.5):
    """Random erasing (Zhong et al. 2020): with probability ``probability``, replace one rectangle of each
    image with uniform noise in [0, 1], independently for each image.

    The rectangle covers a share of the image's area drawn uniformly from :data:`ERASE_AREA`, with an aspect
    ratio (height / width) drawn log-uniformly from :data:`ERASE_ASPECT`, at a uniformly drawn position
    where it fits. Height and width are rounded down to whole pixels (at least 1), so the rectangle never
    covers more than the largest share; where one exceeds the image's side it is clipped to it (the paper
    draws again instead).

    Args:
        images: float32 tensor ``(batch, h, w, c)``.
        seed: int tensor of shape (2,) for the stateless random ops (same seed, same result).
        probability: chance that an image has a rectangle erased, in [0, 1].

    Returns:
        A float32 tensor of the same shape.

    Raises:
        ValueError: if ``probability`` is not a number in [0, 1], the images are not a batch of rank 4, or the
            seed is not of shape (2,).
        TypeError: for integer images (scale them to [0, 1] first, :func:`to_float`) or a seed that is not
            integers.
    """
    import tensorflow as tf

    _check_erase(probability)
    images = _check_images_tensor(images)
    if not images.dtype.is_floating:
        raise TypeError(f"images have dtype {images.dtype.name}; erase_batch fills with noise in [0, 1], so it takes "
                        "float images in [0, 1]: convert them with to_float first.")
    images = tf.cast(images, tf.float32)
    seed = _check_seed_tensor(seed)
    shape = tf.shape(images)
    n, h, w = shape[0], shape[1], shape[2]
    hf, wf = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
    s = tf.random.experimental.stateless_split(seed, num=5)
    apply = tf.random.stateless_uniform((n,), seed=s[0]) < probability
    area = tf.random.stateless_uniform((n,), seed=s[1], minval=ERASE_AREA[0], maxval=ERASE_AREA[1]) * hf * wf
    log_aspect = tf.random.stateless_uniform((n,), seed=s[2], minval=float(np.log(ERASE_ASPECT[0])),
                                             maxval=float(np.log(ERASE_ASPECT[1])))
    eh = tf.clip_by_value(tf.floor(tf.sqrt(area * tf.exp(log_aspect))), 1.0, hf)
    ew = tf.clip_by_value(tf.floor(tf.sqrt(area / tf.exp(log_aspect))), 1.0, wf)
    corner = tf.random.stateless_uniform((n, 2), seed=s[3])
    top = tf.floor(corner[:, 0] * (hf - eh + 1.0))
    left = tf.floor(corner[:, 1] * (wf - ew + 1.0))
    rows = tf.range(hf)[tf.newaxis, :, tf.newaxis]
    cols = tf.range(wf)[tf.newaxis, tf.newaxis, :]
    inside = ((rows >= top[:, None, None]) & (rows < (top + eh)[:, None, None])
              & (cols >= left[:, None, None]) & (cols < (left + ew)[:, None, None]) & apply[:, None, None])
    noise = tf.random.stateless_uniform(shape, seed=s[4])
    return tf.where(inside[..., tf.newaxis], noise, images)


def make_dataset(x: np.ndarray, y: np.ndarray | None = None, *, batch_size: int = 128, training: bool = False,
                 augment: bool = True, max_shift: int = 2, erase: float = 0.0, seed: int = 0):
    """A batched, prefetched ``tf.data.Dataset`` of ``(images, labels)`` (or images alone if ``y`` is None).

    Args:
        x: uint8 images ``(n, h, w)`` or ``(n, h, w, c)`` (floats in [0, 1] are accepted too).
        y: integer labels ``(n,)``, or None for prediction.
        batch_size: samples per batch; the last batch may be smaller.
        training: shuffle every epoch (seeded) and, if ``augment``, augment; otherwise keep the order.
        augment: apply :func:`augment_batch`-style flips and shifts (only when ``training``).
        max_shift: largest shift in pixels (0: flips only).
        erase: probability of :func:`erase_batch`'s random erasing per image, after the flip and shift
            (only when ``training`` and ``augment``; 0, the default, erases nothing).
        seed: seed of the shuffle and of the augmentation.

    Returns:
        A dataset yielding float32 images ``(batch, h, w, c)`` in [0, 1] and int32 labels ``(batch,)``.

    Raises:
        ValueError: for a wrong shape, integer images other than uint8, float images outside [0, 1], labels that
            are not one integer per image, mismatched lengths, a bad ``batch_size``/``max_shift``/``erase``, or
            ``erase > 0`` with ``augment=False`` (random erasing is part of the augmentation).
        TypeError: for ``training``/``augment`` that are not bools or a ``seed`` that is not an integer.
    """
    import tensorflow as tf

    _validate(x, y, batch_size, max_shift, erase)
    training, augment = _checks.flag(training, "training"), _checks.flag(augment, "augment")
    seed = _checks.seed(seed)
    if erase > 0 and not augment:
        raise ValueError(f"erase={erase} asks for random erasing, which is part of the augmentation, but augment=False; "
                         "pass augment=True, or erase=0.")
    data = x if y is None else (x, np.asarray(y, dtype=np.int32))
    ds = tf.data.Dataset.from_tensor_slices(data)
    if training:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size))

    def prepare(index, batch):
        images = to_float(batch[0] if y is not None else batch)
        if training and augment:
            batch_seed = tf.stack([tf.cast(seed, tf.int64), index])
            images = augment_batch(images, batch_seed, int(max_shift))
            if erase > 0:
                erase_seed = tf.random.experimental.stateless_fold_in(batch_seed, 1)
                images = erase_batch(images, erase_seed, float(erase))
        return (images, batch[1]) if y is not None else images

    ds = ds.enumerate().map(prepare, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
    # what the dataset yields, as a string, for the test suite's training record (course_utils.training.FIT_RECORD)
    settings = repr((batch_size, training, augment, max_shift, erase, seed))

    def fingerprint() -> str:
        from course_utils.training import _digest_of_data

        h = hashlib.sha256(settings.encode())
        _digest_of_data((np.asarray(x), None if y is None else np.asarray(y)), h)
        return h.hexdigest()

    ds.course_fingerprint = fingerprint
    return ds


@dataclass
class FashionData:
    """Fashion-MNIST ready for training: datasets from :func:`make_dataset` and the raw test arrays.

    Attributes:
        train, val, test: ``tf.data`` datasets (train shuffled and augmented; test yields images only).
        x_test, y_test: the uint8 test images ``(10000, 28, 28)`` and their labels, for plots and scoring.
        n_train, n_val: sizes of the training and validation parts (both carved from the official training set).
        steps_per_epoch: batches per training epoch (for a learning-rate schedule).
    """

    train: object
    val: object
    test: object
    x_test: np.ndarray
    y_test: np.ndarray
    n_train: int
    n_val: int
    steps_per_epoch: int


def fashion_mnist(n_train: int | None = None, *, batch_size: int = 128, val_fraction: float = 0.1,
                  augment: bool = True, max_shift: int = 2, erase: float = 0.0, seed: int = 0) -> FashionData:
    """Load Fashion-MNIST, carve a stratified validation split out of the *training* set, and wrap the parts
    in :func:`make_dataset` pipelines.

    Args:
        n_train: keep only the first ``n_train`` samples of the (shuffled) training part; None keeps all
            (54,000 with ``val_fraction=0.1``).
        batch_size, augment, max_shift, erase, seed: passed to :func:`make_dataset` (``max_shift=0``: flips
            only; ``erase=0``: no random erasing).
        val_fraction: share of the official training set held out for validation.

    Returns:
        A :class:`FashionData`.

    Raises:
        ValueError: for a non-positive ``n_train`` or one larger than the training part, or a bad
            ``batch_size``, ``val_fraction``, ``max_shift`` or ``erase`` (checked before the data are loaded).
        TypeError: for arguments of the wrong type.
        DataFileMissingError: if Fashion-MNIST is not installed (see :func:`~course_utils.data.load_fashion_mnist`).
    """
    from course_utils.data import load_fashion_mnist
    from course_utils.training import split_validation

    if n_train is not None and (isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)) or n_train < 1):
        raise ValueError(f"n_train must be a positive int (or None for all), got {n_train!r}.")
    _validate(np.zeros((1, 28, 28), np.uint8), None, batch_size, max_shift, erase)
    _checks.fraction(val_fraction, "val_fraction")
    _checks.seed(seed)
    if erase > 0 and not _checks.flag(augment, "augment"):
        raise ValueError(f"erase={erase} asks for random erasing, which is part of the augmentation, but augment=False; "
                         "pass augment=True, or erase=0.")
    (x_all, y_all), (x_test, y_test) = load_fashion_mnist()
    (x_tr, y_tr), (x_val, y_val) = split_validation(x_all, y_all, fraction=val_fraction, seed=seed)
    if n_train is not None:
        if isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)) or not 0 < n_train <= len(x_tr):
            raise ValueError(f"n_train must be an int in 1..{len(x_tr)} (or None for all), got {n_train!r}.")
        x_tr, y_tr = x_tr[:n_train], y_tr[:n_train]
    return FashionData(
        train=make_dataset(x_tr, y_tr, batch_size=batch_size, training=True, augment=augment,
                           max_shift=max_shift, erase=erase, seed=seed),
        val=make_dataset(x_val, y_val, batch_size=512),
        test=make_dataset(x_test, batch_size=512),
        x_test=x_test, y_test=y_test, n_train=len(x_tr), n_val=len(x_val),
        steps_per_epoch=-(-len(x_tr) // batch_size),
    )
