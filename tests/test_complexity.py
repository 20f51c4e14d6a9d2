"""Parameter and multiply-add counts against Keras' own count_params, published figures and brute force."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils import complexity as cx  # noqa: E402
from course_utils import models  # noqa: E402


def _one(layer, shape):
    inputs = keras.Input(shape=shape)
    return keras.Model(inputs, layer(inputs))


@pytest.mark.parametrize("k, cin, cout, bias", [(3, 3, 8, True), (5, 4, 6, False), ((3, 1), 2, 7, True)])
def test_conv_params_match_keras(k, cin, cout, bias):
    conv = _one(keras.layers.Conv2D(cout, k, use_bias=bias), (9, 9, cin))
    sep = _one(keras.layers.SeparableConv2D(cout, k, use_bias=bias), (9, 9, cin))
    assert cx.conv2d_params(k, cin, cout, bias) == conv.count_params()
    assert cx.separable_conv2d_params(k, cin, cout, use_bias=bias) == sep.count_params()


def test_separable_with_depth_multiplier_matches_keras():
    sep = _one(keras.layers.SeparableConv2D(5, 3, depth_multiplier=2), (8, 8, 3))
    assert cx.separable_conv2d_params(3, 3, 5, depth_multiplier=2) == sep.count_params()


def test_macs_by_formula_and_from_layer_shapes_agree():
    # 'valid' 3×3 on 10×10×4 → 8×8×6: 8·8·9·4·6 multiply-adds, counted by hand.
    conv = _one(keras.layers.Conv2D(6, 3), (10, 10, 4))
    assert cx.count_macs(conv) == 8 * 8 * 9 * 4 * 6 == cx.conv2d_macs(8, 3, 4, 6)
    sep = _one(keras.layers.SeparableConv2D(6, 3, strides=2, padding="same"), (10, 10, 4))
    assert cx.count_macs(sep) == 5 * 5 * (9 * 4 + 4 * 6) == cx.separable_conv2d_macs((5, 5), 3, 4, 6)
    dw = _one(keras.layers.DepthwiseConv2D(3, depth_multiplier=2), (6, 6, 3))
    assert cx.count_macs(dw) == 4 * 4 * 9 * 3 * 2
    dense = _one(keras.layers.Dense(7), (5, 3))
    assert cx.count_macs(dense) == 5 * 3 * 7
    conv1d = _one(keras.layers.Conv1D(4, 5), (20, 2))
    assert cx.count_macs(conv1d) == 16 * 5 * 2 * 4
    tconv = _one(keras.layers.Conv2DTranspose(3, 2, strides=2), (4, 4, 5))
    assert cx.count_macs(tconv) == 4 * 4 * 4 * 5 * 3


def test_macs_match_a_brute_force_count():
    # Count the products of a convolution by running it on all-ones with all-ones weights: each output
    # is the number of products that formed it, so the sum over outputs is the number of multiply-adds.
    layer = keras.layers.Conv2D(3, (3, 2), strides=(2, 1), padding="valid", use_bias=False, kernel_initializer="ones")
    model = _one(layer, (9, 7, 2))
    out = model.predict(np.ones((1, 9, 7, 2), np.float32), verbose=0)
    assert cx.count_macs(model) == int(out.sum())


def test_vgg_macs_match_published_figures():
    # torchvision's model table: VGG11 7.61 G and VGG16 15.47 G multiply-adds at 224×224.
    assert cx.count_macs(models.vgg11()) / 1e9 == pytest.approx(7.61, abs=0.005)
    assert cx.count_macs(keras.applications.VGG16(weights=None)) / 1e9 == pytest.approx(15.47, abs=0.005)


def test_nested_models_are_counted():
    inner = _one(keras.layers.Dense(4, name="inner_dense"), (3,))
    inputs = keras.Input(shape=(3,))
    outer = keras.Model(inputs, keras.layers.Dense(2, name="outer_dense")(inner(inputs)))
    assert cx.count_macs(outer) == 3 * 4 + 4 * 2
    assert set(cx.macs_by_layer(outer)) == {"inner_dense", "outer_dense"}


def test_params_by_kind_adds_up():
    model = models.vgg11()
    kinds = cx.params_by_kind(model)
    assert sum(kinds.values()) == model.count_params()
    assert list(kinds) == ["Dense", "Conv2D"]


def test_receptive_field_of_vgg16_is_the_published_212():
    # Araujo, Norris & Sim (2019, Distill): VGG16's receptive field is 212 pixels.
    rows = cx.receptive_field_table(keras.applications.VGG16(weights=None, include_top=False, input_shape=(224, 224, 3)))
    assert rows[-1]["field"] == 212 and rows[-1]["jump"] == 32 and rows[-1]["size"] == 7
    flexible = cx.receptive_field_table(keras.applications.VGG16(weights=None, include_top=False))
    assert flexible[-1]["field"] == 212 and flexible[-1]["size"] is None


def test_receptive_field_matches_an_impulse_response():
    # Brute force: the input pixels that influence the centre output of a stack of all-ones linear layers.
    inputs = keras.Input(shape=(41, 41, 1))
    x = keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="ones", use_bias=False, name="c1")(inputs)
    x = keras.layers.AveragePooling2D(2, name="p1")(x)
    x = keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="ones", use_bias=False, name="c2")(x)
    x = keras.layers.Conv2D(1, 3, dilation_rate=2, padding="same", kernel_initializer="ones", use_bias=False,
                            name="c3")(x)
    model = keras.Model(inputs, x)
    field = cx.receptive_field_table(model)[-1]["field"]
    grid = np.zeros((41 * 41, 41, 41, 1), np.float32)
    grid[np.arange(41 * 41), np.arange(41 * 41) // 41, np.arange(41 * 41) % 41, 0] = 1.0
    out = model.predict(grid, verbose=0, batch_size=512)
    centre = out[:, out.shape[1] // 2, out.shape[2] // 2, 0].reshape(41, 41)
    rows, cols = np.nonzero(centre)
    assert rows.max() - rows.min() + 1 == field == cols.max() - cols.min() + 1


def test_format_table():
    text = cx.format_table([{"layer": "a", "n": 1234, "x": 0.5}, {"layer": "bb", "n": 5, "x": 1.25}])
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "n", "x"]
    assert lines[2].split() == ["a", "1,234", "0.500"]
    assert len({len(line) for line in lines}) == 1


def test_format_table_per_column_formats():
    rows = [{"model": "a", "seconds": 12.345, "accuracy": 0.93726}]
    lines = cx.format_table(rows, floatfmt={"accuracy": ".4f"}).splitlines()
    assert lines[2].split() == ["a", "12.345", "0.9373"]          # columns left out keep ".3f"
    assert cx.format_table(rows, floatfmt=".1f").splitlines()[2].split() == ["a", "12.3", "0.9"]
    with pytest.raises(ValueError, match="accurcy"):
        cx.format_table(rows, floatfmt={"accurcy": ".4f"})


@pytest.mark.parametrize("call, error", [
    (lambda: cx.conv2d_params(0, 3, 3), ValueError),
    (lambda: cx.conv2d_params(3, 3, 2.5), TypeError),
    (lambda: cx.separable_conv2d_params((3, 3, 3), 3, 3), ValueError),
    (lambda: cx.separable_conv2d_params(3, 3, 3, depth_multiplier=0), ValueError),
    (lambda: cx.conv2d_macs(-1, 3, 3, 3), ValueError),
    (lambda: cx.separable_conv2d_macs(4, 3, True, 3), TypeError),
    (lambda: cx.count_macs("vgg"), TypeError),
    (lambda: cx.receptive_field_table(42), TypeError),
    (lambda: cx.format_table([]), ValueError),
])
def test_bad_arguments(call, error):
    with pytest.raises(error):
        call()


def test_model_without_spatial_layers_or_fixed_shape_is_rejected():
    with pytest.raises(ValueError, match="no convolution"):
        cx.receptive_field_table(_one(keras.layers.Dense(2), (3,)))
    with pytest.raises(ValueError, match="unknown dimension"):
        cx.count_macs(_one(keras.layers.Conv2D(2, 3), (None, None, 1)))
    with pytest.raises(ValueError, match="no known input"):
        cx.layer_macs(keras.layers.Dense(3))


def test_receptive_field_of_a_chain():
    assert cx.receptive_field([3, 3]) == 5 and cx.receptive_field([3, 3, 3]) == 7
    # VGG16's 13 convolutions and 5 poolings: 212 (Araujo et al. 2019).
    kernels = [3, 3, 2, 3, 3, 2, 3, 3, 3, 2, 3, 3, 3, 2, 3, 3, 3, 2]
    strides = [2 if k == 2 else 1 for k in kernels]
    assert cx.receptive_field(kernels, strides) == 212
    with pytest.raises(ValueError, match="strides"):
        cx.receptive_field([3, 3], [1])
    with pytest.raises(ValueError, match="kernel"):
        cx.receptive_field([0])


@pytest.mark.parametrize("call, error, match", [
    (lambda: cx.conv2d_params(3.0, 1, 1), TypeError, "kernel_size must be a positive integer"),
    (lambda: cx.conv2d_params((3, 3, 3), 1, 1), ValueError, "pair"),
    (lambda: cx.separable_conv2d_macs(4, 3, 0, 8), ValueError, "in_channels must be >= 1"),
    (lambda: cx.receptive_field([3, 3], [1, 0]), ValueError, "use 1 for no skipping"),
])
def test_sizes_are_checked_with_clear_messages(call, error, match):
    with pytest.raises(error, match=match):
        call()
