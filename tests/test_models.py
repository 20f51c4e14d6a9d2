"""Model builders against independent references: the VGG paper's parameter count, keras.applications.Xception,
and one training step of the small variants."""

import keras
import numpy as np
import pytest

from course_utils import models
from course_utils.layers import FusedBatchNormalization, FusedSeparableConv2D


def test_vgg11_paper_configuration_has_the_published_parameter_count():
    model = models.vgg11()
    # Simonyan & Zisserman (2015), configuration A: 133 M; the exact count of the 224×224×3, 1000-class net.
    assert model.count_params() == 132_863_336
    assert model.output_shape == (None, 1000)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 128, 256, 256, 512, 512, 512, 512]
    assert all(c.kernel_size == (3, 3) for c in convs)
    assert model.get_layer("block5_pool").output.shape[1:] == (7, 7, 512)
    assert model.get_layer("fc1").units == 4096


def test_vgg11_conv_part_matches_hand_count():
    # 3×3 convolutions with bias, channels 3→64→128→256→256→512→512→512→512.
    chans = [3, 64, 128, 256, 256, 512, 512, 512, 512]
    conv = sum(9 * a * b + b for a, b in zip(chans[:-1], chans[1:]))
    model = models.vgg11()
    got = sum(layer.count_params() for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    assert got == conv


def test_vgg11_small_variant_shapes_and_classifier():
    model = models.vgg11((28, 28, 1), num_classes=10, width=0.25, batch_norm=True)
    assert model.output_shape == (None, 10)
    assert model.get_layer("block5_pool").output.shape[1:] == (1, 1, 128)
    assert model.get_layer("fc1").units == 128  # 512 × width for small inputs
    assert model.get_layer("block1_conv1").filters == 16
    assert not model.get_layer("block1_conv1").use_bias
    assert all(layer.name for layer in model.layers)


def test_xception_matches_keras_applications():
    reference = keras.applications.Xception(weights=None)
    model = models.xception()
    assert model.count_params() == reference.count_params() == 22_910_480
    # Same layers, kind by kind; batch norm and the separable convolutions are Keras' layers with a faster
    # computation on one backend (subclasses).
    def kind(layer):
        for parent in (keras.layers.BatchNormalization, keras.layers.SeparableConv2D):
            if isinstance(layer, parent):
                return parent.__name__
        return layer.__class__.__name__

    assert sorted(map(kind, model.layers)) == sorted(map(kind, reference.layers))
    bn = [layer for layer in model.layers if kind(layer) == "BatchNormalization"]
    assert bn and all(isinstance(layer, FusedBatchNormalization) for layer in bn)
    separable = [layer for layer in model.layers if kind(layer) == "SeparableConv2D"]
    assert len(separable) == 34 and all(isinstance(layer, FusedSeparableConv2D) for layer in separable)
    assert model.output_shape == reference.output_shape
    assert model.get_layer("block14_sepconv2").output.shape == reference.get_layer("block14_sepconv2").output.shape


def test_xception_middle_repeats_changes_depth():
    small = models.xception((71, 71, 3), num_classes=5, middle_repeats=0)
    assert small.output_shape == (None, 5)
    per_block = 3 * (9 * 728 + 728 * 728 + 4 * 728)  # separable conv + batch norm (4 values per channel)
    one = models.xception((71, 71, 3), num_classes=5, middle_repeats=1)
    assert one.count_params() - small.count_params() == per_block


@pytest.mark.parametrize("builder", [
    lambda: models.vgg11((28, 28, 1), 10, width=0.125, batch_norm=True),
    lambda: models.mini_xception((28, 28, 1), 10, width=0.25),
    lambda: models.mini_xception((32, 32, 3), 10, width=0.25),
])
def test_small_variants_train_one_step(builder):
    keras.utils.set_random_seed(0)
    model = builder()
    shape = model.input_shape[1:]
    x = np.random.default_rng(0).random((16, *shape), dtype=np.float32)
    y = np.arange(16) % 10
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch(x, y)
    assert np.isfinite(loss)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_mini_xception_structure():
    model = models.mini_xception((28, 28, 1), 10, width=0.5)
    assert model.get_layer("stem_conv1").output.shape[1:] == (14, 14, 16)   # stride 2, as in Xception
    assert model.get_layer("stem_conv2").output.shape[1:] == (14, 14, 32)
    assert model.get_layer("block1_add").output.shape[1:] == (7, 7, 64)
    assert model.get_layer("block3_add").output.shape[1:] == (2, 2, 256)
    seps = [layer for layer in model.layers if isinstance(layer, keras.layers.SeparableConv2D)]
    assert len(seps) == 6
    regular = [layer.name for layer in model.layers if type(layer) is keras.layers.Conv2D]
    assert regular == ["stem_conv1", "stem_conv2", "block1_shortcut", "block2_shortcut", "block3_shortcut"]
    # stem: 3·3·1·16 + 3·3·16·32 weights and 4 values per channel in each batch norm
    stem = 9 * 16 + 9 * 16 * 32 + 4 * (16 + 32)
    block1 = (9 * 32 + 32 * 64) + (9 * 64 + 64 * 64) + 2 * 4 * 64 + (32 * 64 + 4 * 64)  # two separable, shortcut
    assert sum(model.get_layer(n).count_params() for n in
               ("stem_conv1", "stem_conv1_bn", "stem_conv2", "stem_conv2_bn")) == stem
    assert sum(layer.count_params() for layer in model.layers if layer.name.startswith("block1_")) == block1


def test_mini_xception_one_stem_convolution():
    model = models.mini_xception((32, 32, 3), 10, width=0.5, stem_channels=32, block_channels=(64, 128))
    stem = [layer.name for layer in model.layers if type(layer) is keras.layers.Conv2D and layer.name.startswith("stem")]
    assert stem == ["stem_conv1"]
    assert model.get_layer("block2_add").output.shape[1:] == (4, 4, 64)   # 32 → 16 → 8 → 4


def test_mini_xception_stem_stride_keeps_the_parameters():
    full = models.mini_xception((28, 28, 1), 10, width=0.5, stem_strides=1)
    half = models.mini_xception((28, 28, 1), 10, width=0.5)
    assert full.get_layer("stem_conv2").output.shape[1:] == (28, 28, 32)
    assert full.get_layer("block3_add").output.shape[1:] == (4, 4, 256)
    assert full.count_params() == half.count_params()


@pytest.mark.parametrize("input_shape, kwargs", [
    ((28, 28, 1), {"width": 0.5}),
    ((32, 32, 3), {"width": 0.25, "stem_channels": 32, "block_channels": (64, 128)}),
])
def test_mini_xception_without_shortcuts(input_shape, kwargs):
    residual = models.mini_xception(input_shape, 10, **kwargs)
    plain = models.mini_xception(input_shape, 10, residual=False, **kwargs)
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    assert not any("shortcut" in layer.name for layer in plain.layers)
    # The 1×1 projection of block b maps its input's channels c_in to c_out without a bias (c_in·c_out weights);
    # its batch norm holds gamma, beta and the two moving statistics (4·c_out).
    projections = 0
    for layer in plain.layers:
        if layer.name.endswith("_sepconv1"):
            c_in, c_out = layer.input.shape[-1], layer.output.shape[-1]
            projections += c_in * c_out + 4 * c_out
    assert projections > 0
    assert residual.count_params() - plain.count_params() == projections
    plain_names = {layer.name for layer in plain.layers}
    residual_names = {layer.name for layer in residual.layers}
    assert plain_names <= residual_names
    assert residual_names - plain_names == {n for n in residual_names if "shortcut" in n or n.endswith("_add")}
    x = np.random.default_rng(0).random((2, *input_shape), dtype=np.float32)
    out_plain = keras.ops.convert_to_numpy(plain(x, training=False))
    assert out_plain.shape == keras.ops.convert_to_numpy(residual(x, training=False)).shape == (2, 10)
    np.testing.assert_allclose(out_plain.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("kwargs, match", [
    ({"input_shape": (28, 28)}, "input_shape"),
    ({"input_shape": (28, 28, 0)}, "input_shape"),
    ({"num_classes": 0}, "num_classes"),
    ({"width": -1}, "width"),
    ({"classifier_units": 0}, "classifier_units"),
    ({"dropout": 1.0}, "dropout"),
    ({"blocks": 0}, "blocks"),
    ({"blocks": 6}, "blocks"),
    ({"blocks": 2.0}, "blocks"),
    ({"blocks": True}, "blocks"),
])
def test_vgg11_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.vgg11(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"input_shape": (64, 64, 3)}, "71"),
    ({"num_classes": -3}, "num_classes"),
    ({"middle_repeats": -1}, "middle_repeats"),
])
def test_xception_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.xception(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"input_shape": (4, 4, 1)}, "8"),
    ({"block_channels": ()}, "block_channels"),
    ({"block_channels": (32, 0)}, "block_channels"),
    ({"width": 0}, "width"),
    ({"stem_channels": 0}, "stem_channels"),
    ({"stem_channels": ()}, "stem_channels"),
    ({"stem_channels": (32, -64)}, "stem_channels"),
    ({"stem_strides": 3}, "stem_strides"),
    ({"dropout": -0.1}, "dropout"),
    ({"num_classes": "10"}, "num_classes"),
    ({"residual": 1}, "residual"),
    ({"residual": "no"}, "residual"),
])
def test_mini_xception_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.mini_xception(**kwargs)


# ------------------------------------------------------------------------------------------ wrong arguments
@pytest.mark.parametrize("builder, kwargs, match", [
    (models.vgg11, {"num_classes": 10.5}, "num_classes must be a positive integer, got 10.5"),
    (models.vgg11, {"classifier_units": 64.7}, "classifier_units must be a positive integer"),
    (models.vgg11, {"batch_norm": "no"}, "batch_norm must be True or False"),
    (models.vgg11, {"bn_momentum": 1.5}, r"bn_momentum must be a number in \[0, 1\)"),
    (models.vgg11, {"dropout": "0.5"}, r"dropout must be a number in \[0, 1\)"),
    (models.vgg11, {"name": 5}, "name must be a non-empty str"),
    (models.vgg11, {"input_shape": 28}, "input_shape must be"),
    (models.vgg11, {"input_shape": (28, 28, True)}, "input_shape must be"),
    (models.xception, {"middle_repeats": True}, "middle_repeats"),
    (models.xception, {"num_classes": 2.5}, "num_classes must be a positive integer"),
    (models.mini_xception, {"stem_strides": 2.0}, "stem_strides must be 1 or 2"),
    (models.mini_xception, {"stem_strides": True}, "stem_strides must be 1 or 2"),
    (models.mini_xception, {"block_channels": "128"}, "block_channels must be a channel count or a list"),
    (models.mini_xception, {"bn_momentum": -0.1}, "bn_momentum"),
])
def test_builders_refuse_what_they_would_truncate_or_pass_on(builder, kwargs, match):
    with pytest.raises(ValueError, match=match):
        builder(**kwargs)


def test_numpy_integers_are_sizes_like_python_ints():
    shape = np.array([71, 71, 3])                       # e.g. x_train.shape[1:] of an array, as NumPy integers
    model = models.xception(tuple(shape), num_classes=np.int64(5), middle_repeats=np.int64(8))
    reference = keras.applications.Xception(weights=None, input_shape=(71, 71, 3), classes=5)
    assert model.count_params() == reference.count_params()
    assert model.output_shape == (None, 5)


def test_mini_xception_takes_one_block_as_an_int():
    model = models.mini_xception((32, 32, 3), 10, width=0.5, stem_channels=32, block_channels=64)
    assert model.get_layer("block1_add").output.shape[1:] == (8, 8, 32)   # 32 → 16 (stem) → 8
    stem = 9 * 3 * 16 + 4 * 16
    block = (16 * 32 + 4 * 32) + (9 * 16 + 16 * 32 + 4 * 32) + (9 * 32 + 32 * 32 + 4 * 32)
    assert model.count_params() == stem + block + 32 * 10 + 10


@pytest.mark.parametrize("blocks", [1, 2, 3, 4, 5])
def test_vgg11_blocks_keeps_the_first_blocks_with_hand_counted_parameters(blocks):
    """A depth-``blocks`` VGG-style network: the first blocks of configuration A, counted by hand."""
    width, side = 0.25, 28
    model = models.vgg11((side, side, 1), num_classes=10, width=width, batch_norm=True, blocks=blocks)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    layout = [c for block in models.VGG11_BLOCKS[:blocks] for c in block]
    assert [c.filters for c in convs] == [max(1, round(c * width)) for c in layout]
    assert [layer.name for layer in model.layers if layer.name.endswith("_pool")] == [
        f"block{b}_pool" for b in range(1, blocks + 1)]
    last = -(-side // 2 ** blocks)   # 'same' pooling: ceil(28 / 2^b)
    channels = convs[-1].filters
    assert model.get_layer("flatten").output.shape[1:] == (last * last * channels,)
    # by hand: 3x3 kernels without bias plus BN's 4 per channel, then fc1, fc2 (as wide as the last block), softmax
    conv_params, previous = 0, 1
    for filters in (c.filters for c in convs):
        conv_params += 9 * previous * filters + 4 * filters
        previous = filters
    units = channels
    dense = (last * last * channels * units + units) + (units * units + units) + (units * 10 + 10)
    assert model.count_params() == conv_params + dense
    if blocks == 5:   # the default layout, unchanged
        assert model.count_params() == models.vgg11((side, side, 1), num_classes=10, width=width,
                                                    batch_norm=True).count_params()


def test_conv_stack_plain_and_residual_share_their_layers_and_count():
    """The two variants of the residual ablation: the same weights by hand count, shortcuts only in one."""
    depth, filters = 6, 8
    plain = models.conv_stack((12, 12, 1), num_classes=3, depth=depth, filters=filters)
    residual = models.conv_stack((12, 12, 1), num_classes=3, depth=depth, filters=filters, residual=True)
    by_hand = (9 * 1 * filters + filters) + depth * (9 * filters * filters + filters) + (filters * 3 + 3)
    assert plain.count_params() == residual.count_params() == by_hand
    assert (plain.name, residual.name) == ("plain_6", "residual_6")
    assert sum(isinstance(layer, keras.layers.Add) for layer in residual.layers) == depth // 2
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    assert residual.get_layer("pair1_relu").output.shape[1:] == (6, 6, filters)   # the stride-2 stem halves 12


def test_conv_stack_residual_pair_is_relu_of_input_plus_branch():
    """With the pair's second convolution zeroed, a residual pair returns relu(x) = x for x >= 0, a plain one 0."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(2, 8, 8, 1)).astype("float32")
    for residual in (False, True):
        model = models.conv_stack((8, 8, 1), num_classes=2, depth=2, filters=4, residual=residual)
        conv2 = model.get_layer("pair1_conv2")
        conv2.set_weights([np.zeros_like(w) for w in conv2.get_weights()])
        probe = keras.Model(model.input, [model.get_layer("stem").output, model.get_layer("pair1_relu").output])
        stem, out = (keras.ops.convert_to_numpy(t) for t in probe(x))
        np.testing.assert_allclose(out, stem if residual else np.zeros_like(stem), atol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"depth": 3}, "even"), ({"depth": 0}, "even"), ({"depth": 2.0}, "even"), ({"filters": 0}, "filters"),
    ({"residual": 1}, "residual"), ({"num_classes": 0}, "num_classes"), ({"input_shape": (1, 28, 1)}, "at least 2×2"),
])
def test_conv_stack_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.conv_stack(**kwargs)
