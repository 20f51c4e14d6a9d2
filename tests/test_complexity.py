"""Parameter and multiply-add counts against Keras' own count_params, published figures and brute force."""

import keras
import numpy as np
import pytest

from course_utils import complexity as cx
from course_utils import models
from course_utils.layers import FusedBatchNormalization


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


# ------------------------------------------------------------------------------------------ every layer type
def _brute_force_macs(layer, shape):
    """Products of a layer with all-ones weights on an all-ones input: each output sums the products that formed it."""
    model = _one(layer, shape)
    model.set_weights([np.ones_like(w) for w in model.get_weights()])
    return model, int(round(float(model.predict(np.ones((1, *shape), np.float32), verbose=0).sum())))


@pytest.mark.parametrize("layer, shape", [
    (keras.layers.Conv3D(2, (2, 3, 2), use_bias=False), (4, 5, 4, 3)),
    (keras.layers.Conv1DTranspose(3, 3, strides=2, use_bias=False), (6, 2)),
    (keras.layers.Conv3DTranspose(2, 2, strides=2, use_bias=False), (2, 3, 2, 3)),
    (keras.layers.DepthwiseConv1D(3, depth_multiplier=2, use_bias=False), (9, 3)),
    (keras.layers.Conv2D(4, 3, groups=2, use_bias=False), (6, 6, 4)),
    (keras.layers.Conv1D(2, 3, dilation_rate=2, use_bias=False), (11, 3)),
])
def test_macs_of_other_convolutions_match_a_brute_force_count(layer, shape):
    model, products = _brute_force_macs(layer, shape)
    assert cx.count_macs(model) == products > 0


def test_separable_conv1d_and_channels_first_follow_the_formulas():
    sep = _one(keras.layers.SeparableConv1D(6, 3, depth_multiplier=2), (12, 4))
    assert cx.count_macs(sep) == 10 * (3 * 4 * 2 + 4 * 2 * 6)
    first = _one(keras.layers.Conv2D(6, 3, data_format="channels_first"), (4, 10, 10))
    assert cx.count_macs(first) == 8 * 8 * 9 * 4 * 6 == cx.conv2d_macs(8, 3, 4, 6)   # channels on axis 1, not the width


def test_subclasses_and_free_layers_are_classified_by_type():
    class MyConv(keras.layers.Conv2D):
        pass

    inputs = keras.Input((8, 8, 3))
    x = MyConv(4, 3, name="mine")(inputs)
    x = FusedBatchNormalization(name="bn")(x)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D(name="gap")(x))
    assert cx.macs_by_layer(model) == {"mine": 6 * 6 * 9 * 3 * 4}
    assert cx.layer_macs(model.get_layer("bn")) == 0


def test_kim_cnn_macs_by_hand_with_embedding_as_a_lookup():
    from course_utils import text

    model = text.kim_cnn(vocab_size=50, sequence_length=10, widths=(2, 3), filters=4, embedding_dim=5)
    # conv_w2: 9 positions · 2·5·4; conv_w3: 8 · 3·5·4; output: 8 · 1; the embedding looks up, it does not multiply
    assert cx.count_macs(model) == 9 * 2 * 5 * 4 + 8 * 3 * 5 * 4 + 8 * 1


@pytest.mark.parametrize("layer, shape, kind", [
    (keras.layers.LSTM(3), (5, 2), "LSTM"),
    (keras.layers.Lambda(lambda t: t * 2.0), (4,), "Lambda"),
    (keras.layers.EinsumDense("ab,bc->ac", output_shape=3), (4,), "EinsumDense"),
])
def test_layers_it_cannot_count_raise_naming_their_type(layer, shape, kind):
    model = _one(layer, shape)
    with pytest.raises(ValueError, match=rf"is a {kind}, whose multiply-adds .* does not know how to count"):
        cx.count_macs(model)
    with pytest.raises(ValueError, match=kind):
        cx.macs_by_layer(model)


def test_a_shared_layer_is_refused_instead_of_counted_once():
    shared = keras.layers.Dense(4, name="shared")
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], keras.layers.Add()([shared(a), shared(b)]))
    with pytest.raises(ValueError, match="'shared' .* is called 2 times"):
        cx.count_macs(model)


def test_receptive_field_table_refuses_what_it_cannot_follow():
    inputs = keras.Input((16, 16, 1))
    a = keras.layers.Conv2D(2, 3, name="a")(inputs)
    b = keras.layers.Conv2D(2, 5, padding="same", name="b")(a)
    c = keras.layers.Conv2D(2, 1, name="c")(a)
    branched = keras.Model(inputs, keras.layers.Add()([b, c]))
    with pytest.raises(ValueError, match=r"not a chain: one tensor feeds the layers \['b', 'c'\]"):
        cx.receptive_field_table(branched)
    with pytest.raises(ValueError, match="not a chain"):
        cx.receptive_field_table(models.xception((71, 71, 3), middle_repeats=0))
    with pytest.raises(ValueError, match=r"layer 'tall' has kernel \(3, 1\)"):
        cx.receptive_field_table(_one(keras.layers.Conv2D(1, (3, 1), name="tall"), (8, 8, 1)))
    with pytest.raises(ValueError, match=r"layer 'wide_stride' has strides \(1, 2\)"):
        cx.receptive_field_table(_one(keras.layers.Conv2D(1, 3, strides=(1, 2), name="wide_stride"), (8, 8, 1)))
    with pytest.raises(ValueError, match="Conv2DTranspose, which up-samples"):
        cx.receptive_field_table(_one(keras.layers.Conv2DTranspose(1, 3, strides=2), (8, 8, 1)))
    with pytest.raises(ValueError, match="UpSampling2D, which up-samples"):
        cx.receptive_field_table(_one(keras.layers.UpSampling2D(), (8, 8, 1)))


def test_receptive_field_table_of_a_sequential_chain_matches_the_formula():
    stack = keras.Sequential([keras.Input((15, 15, 1)), keras.layers.Conv2D(1, 3), keras.layers.MaxPooling2D(2),
                              keras.layers.Conv2D(1, 3)])
    rows = cx.receptive_field_table(stack)
    assert [r["field"] for r in rows] == [3, 4, 8] == [cx.receptive_field([3, 2, 3][:n], [1, 2, 1][:n]) for n in (1, 2, 3)]


@pytest.mark.parametrize("call, error, match", [
    (lambda: cx.conv2d_params(3, 3, 3, use_bias="no"), TypeError, "use_bias must be True or False"),
    (lambda: cx.separable_conv2d_params(3, 3, 3, use_bias=None), TypeError, "use_bias must be True or False"),
    (lambda: cx.receptive_field(3), TypeError, r"kernels must be a list.*\[3, 3, 3\]"),
    (lambda: cx.receptive_field([3, 3], 2), TypeError, "strides must be a list"),
    (lambda: cx.params_by_kind("vgg"), TypeError, "params_by_kind needs a keras.Model"),
    (lambda: cx.params_by_kind(keras.Sequential([keras.layers.Dense(2)])), ValueError, "is not built"),
    (lambda: cx.macs_by_layer(None), TypeError, "macs_by_layer needs a keras.Model"),
    (lambda: cx.layer_macs("conv"), TypeError, "expected a Keras layer"),
    (lambda: cx.format_table({"a": 1}), TypeError, "wrap one row in a list"),
    (lambda: cx.format_table([{"a": 1}, [1]]), TypeError, "row 1 is a list"),
    (lambda: cx.format_table([{"a": 1}, {"b": 2}]), ValueError, r"row 1 has the columns \['b'\]"),
    (lambda: cx.format_table([{"a": 1.0}], floatfmt=3), TypeError, "floatfmt must be a format string"),
    (lambda: cx.format_table([{"a": 1.0}], floatfmt={"a": ".3x"}), ValueError, "floatfmt '.3x' for column 'a'"),
])
def test_more_bad_arguments_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_format_table_formats_numpy_numbers_as_python_ones():
    plain = cx.format_table([{"n": 1234, "x": 0.5}, {"n": 5, "x": 1.25}])
    numpy = cx.format_table([{"n": np.int64(1234), "x": np.float32(0.5)}, {"n": np.int32(5), "x": np.float64(1.25)}])
    assert numpy == plain and "1,234" in plain and "0.500" in plain
    assert cx.format_table({"a": i} for i in range(2)).splitlines()[2].split() == ["0"]   # any iterable of rows
