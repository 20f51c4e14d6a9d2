"""The pretrained network and the transfer helpers, against the HDF5 file itself (h5py), NumPy and the data."""

import shutil

import h5py
import keras
import numpy as np
import pytest

from course_utils import data, transfer


@pytest.fixture(scope="module")
def net():
    return transfer.load_emotion_model()


def test_the_network_holds_the_weights_of_the_file(net):
    path = data.DATA_DIR / transfer.EMOTION_MODEL_FILE
    with h5py.File(path, "r") as f:
        group = f["model_weights"]
        arrays = {}

        def keep(name, obj):
            if isinstance(obj, h5py.Dataset):
                arrays[name] = obj[()]

        group.visititems(keep)
    assert sum(a.size for a in arrays.values()) == net.count_params() == 58_423
    kernel = next(a for name, a in arrays.items() if name.startswith("conv2d_1/") and "kernel" in name)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(net.get_layer("conv2d_1").kernel), kernel)
    assert net.input_shape == (None, 64, 64, 1) and net.output_shape == (None, len(transfer.EMOTIONS))


def test_the_network_reads_a_smile(net):
    # scikit-image's astronaut (Eileen Collins) smiles; her face lies in rows 40-190, columns 160-310.
    face = data.load_photo("astronaut", gray=True)[40:190, 160:310]
    p = keras.ops.convert_to_numpy(net(transfer.emotion_input(face, scale=1.0)))[0]
    np.testing.assert_allclose(p.sum(), 1.0, rtol=1e-5)
    assert transfer.EMOTIONS[int(p.argmax())] == "happy" and p.max() > 0.9


def test_a_corrupt_or_missing_file_is_refused(tmp_path):
    target = tmp_path / transfer.EMOTION_MODEL_FILE
    target.parent.mkdir(parents=True)
    with pytest.raises(data.DataFileMissingError, match="emotion_model.hdf5 is missing"):
        transfer.load_emotion_model(tmp_path)
    shutil.copy(data.DATA_DIR / transfer.EMOTION_MODEL_FILE, target)
    content = bytearray(target.read_bytes())
    content[len(content) // 2] ^= 0xFF
    target.write_bytes(bytes(content))
    with pytest.raises(data.DataChecksumError, match="corrupt or not the expected version"):
        transfer.load_emotion_model(tmp_path)
    assert target.read_bytes() == bytes(content)  # left in place for inspection


def test_emotion_input_scales_to_minus_one_one_and_resizes():
    white, black = np.full((8, 8), 16.0), np.zeros((8, 8))
    x = transfer.emotion_input(np.stack([white, black]), scale=16)
    assert x.shape == (2, 64, 64, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], 1.0)
    np.testing.assert_allclose(x[1], -1.0)
    # A left-to-right ramp stays a ramp: constant down each column, non-decreasing along each row, and the
    # mean grey level is kept by the bilinear resize (symmetric ramp).
    ramp = np.tile(np.linspace(0, 255, 10), (10, 1))
    r = transfer.emotion_input(ramp)[0, ..., 0]
    np.testing.assert_allclose(r, np.tile(r[:1], (64, 1)))
    assert np.all(np.diff(r[0]) >= -1e-6) and r[0, 0] == -1.0 and r[0, -1] == 1.0
    np.testing.assert_allclose(r.mean(), 0.0, atol=1e-6)


@pytest.mark.parametrize("images, scale, error, match", [
    (np.zeros((2, 3, 4, 3)), 255, ValueError, "rgb2gray"),
    (np.zeros((0, 8, 8)), 255, ValueError, "grey images"),
    (np.full((8, 8), np.nan), 255, ValueError, "NaN"),
    (np.full((8, 8), 300.0), 255, ValueError, r"in \[0, 255\]"),
    (np.full((8, 8), 16.0), 1, ValueError, "scale="),
    (np.zeros((8, 8)), 0, ValueError, "positive"),
    (np.zeros((8, 8)), "255", TypeError, "number"),
])
def test_emotion_input_refuses_bad_images(images, scale, error, match):
    with pytest.raises(error, match=match):
        transfer.emotion_input(images, scale=scale)


def test_pooled_features_are_the_means_of_the_layers(net):
    x = transfer.emotion_input(np.random.default_rng(0).uniform(0, 255, (3, 20, 20)))
    features = keras.ops.convert_to_numpy(transfer.pooled_features(net)(x))
    assert features.shape == (3, 32 + 64 + 128)
    start = 0
    for name in transfer.FEATURE_LAYERS:
        maps = keras.ops.convert_to_numpy(keras.Model(net.input, net.get_layer(name).output)(x))
        width = maps.shape[-1]
        np.testing.assert_allclose(features[:, start:start + width], maps.mean(axis=(1, 2)), rtol=1e-5, atol=1e-5)
        start += width
    one = keras.ops.convert_to_numpy(transfer.pooled_features(net, ["add_4"])(x))
    np.testing.assert_allclose(one, features[:, -128:], rtol=1e-5, atol=1e-5)
    both = keras.ops.convert_to_numpy(transfer.pooled_features(net, ["add_2", "add_4"], pools=("mean", "max"))(x))
    m2, m4 = (keras.ops.convert_to_numpy(keras.Model(net.input, net.get_layer(n).output)(x)) for n in ("add_2", "add_4"))
    expected = np.concatenate([m2.mean(axis=(1, 2)), m4.mean(axis=(1, 2)), m2.max(axis=(1, 2)), m4.max(axis=(1, 2))], 1)
    np.testing.assert_allclose(both, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("names, pools, match", [([], ("mean",), "non-empty"), ("add_4", ("mean",), "non-empty"),
                                                 (["add_9"], ("mean",), "no layer 'add_9'"),
                                                 (["global_average_pooling2d_1"], ("mean",), "4-D"),
                                                 (["add_4"], (), "pools must be a non-empty"),
                                                 (["add_4"], ("median",), "taken from")])
def test_pooled_features_refuses_bad_layers(net, names, pools, match):
    with pytest.raises(ValueError, match=match):
        transfer.pooled_features(net, names, pools=pools)


def test_few_labels_draws_k_of_each_class():
    y = np.repeat(np.arange(4), [5, 7, 9, 11])
    idx = transfer.few_labels(y, 3, seed=0)
    assert len(np.unique(idx)) == 12
    np.testing.assert_array_equal(y[idx], np.repeat(np.arange(4), 3))
    np.testing.assert_array_equal(idx, transfer.few_labels(y, 3, seed=0))
    assert not np.array_equal(idx, transfer.few_labels(y, 3, seed=1))
    with pytest.raises(ValueError, match="class 0 has 5 examples, fewer than k=6"):
        transfer.few_labels(y, 6, seed=0)
    with pytest.raises(ValueError, match="integer labels"):
        transfer.few_labels(y.astype(float), 2, seed=0)
    with pytest.raises(TypeError, match="k must be a positive integer"):
        transfer.few_labels(y, 2.0, seed=0)


def test_linear_probe_fits_separable_features_and_refuses_bad_ones():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    x = rng.normal(size=(60, 5)) * 0.1 + np.eye(5)[y] * 3
    probe = transfer.linear_probe(x, y)
    assert probe.score(x, y) == 1.0
    np.testing.assert_array_equal(probe.predict(np.eye(5)[:3] * 3), [0, 1, 2])
    with pytest.raises(ValueError, match="flatten images"):
        transfer.linear_probe(x.reshape(60, 5, 1), y)
    with pytest.raises(ValueError, match=r"shape \(60,\)"):
        transfer.linear_probe(x, y[:-1])
    with pytest.raises(ValueError, match="c must be positive"):
        transfer.linear_probe(x, y, c=0)


def test_fine_tune_model_starts_at_the_probe_and_trains_only_the_top(net):
    from course_utils import recipes

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (40, 64, 64, 1)).astype("float32")
    y = np.repeat(np.arange(4), 10)
    features = keras.ops.convert_to_numpy(transfer.pooled_features(net, pools=("mean", "max")).predict(x, verbose=0))
    probe = transfer.linear_probe(features, y)
    before = [w.copy() for w in net.get_weights()]
    tuned = recipes.get("digits_finetune", "ci").model(net=net, probe=probe)
    # untrained, it predicts what scikit-learn's probe predicts
    np.testing.assert_allclose(keras.ops.convert_to_numpy(tuned.predict(x, verbose=0)), probe.predict_proba(features),
                               atol=1e-4)
    start = [layer.name for layer in net.layers].index(recipes.get("digits_finetune", "ci").options["from_layer"])
    trainable = {layer.name for layer in tuned.layers if layer.trainable and layer.weights}
    assert "separable_conv2d_5" in trainable and "probe" in trainable and "conv2d_1" not in trainable
    assert not any(isinstance(tuned.get_layer(n), keras.layers.BatchNormalization) for n in trainable)
    assert all(layer.name not in trainable for layer in net.layers[:start])
    tuned.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    tuned.fit(x, y, epochs=1, batch_size=20, verbose=0)
    for a, b in zip(before, net.get_weights()):                   # the pretrained network is not changed
        np.testing.assert_array_equal(a, b)
    moved = tuned.get_layer("separable_conv2d_5").get_weights()[0] - net.get_layer("separable_conv2d_5").get_weights()[0]
    frozen = tuned.get_layer("conv2d_1").get_weights()[0] - net.get_layer("conv2d_1").get_weights()[0]
    assert np.abs(moved).max() > 0 and np.abs(frozen).max() == 0


def test_fine_tune_model_refuses_a_bad_layer_or_probe(net):
    rng = np.random.default_rng(0)
    probe = transfer.linear_probe(rng.normal(size=(20, 5)), np.repeat([0, 1], 10))
    with pytest.raises(ValueError, match="no layer 'block9'"):
        transfer.fine_tune_model(net, probe, "block9")
    with pytest.raises(ValueError, match="fitted on the 448 features"):
        transfer.fine_tune_model(net, probe, "separable_conv2d_5")
