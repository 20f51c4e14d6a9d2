import ast
import json
from pathlib import Path

import numpy as np
import pytest

from course_utils import recipes
from course_utils.profile import Profile

ROOT = Path(__file__).resolve().parent.parent


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


# ------------------------------------------------------------------------------ every model's recipe
@pytest.mark.parametrize("model", recipes.MODELS)
def test_every_model_has_a_recipe_per_profile_that_grows_with_the_profile(model):
    ci, lab, full = (recipes.get(model, name) for name in recipes.PROFILE_NAMES)
    assert ci.epochs <= lab.epochs <= full.epochs and ci.floor <= lab.floor <= full.floor
    assert all(r.architecture == model and r.profile == p for r, p in zip((ci, lab, full), recipes.PROFILE_NAMES))
    for recipe in (ci, lab, full):
        assert recipe.schedule in recipes.SCHEDULES and recipe.optimizer in ("adam", "adamw")
        table = recipe.table()
        assert f"{'epochs':<26s}{recipe.epochs}" in table and f"{recipe.floor:.2f}" in table


def test_cosine_recipe_builds_the_schedule_of_its_formula():
    import keras

    recipe = recipes.get("mini_xception", "ci")
    optimizer = recipe.make_optimizer(steps_per_epoch=10)
    assert isinstance(optimizer, keras.optimizers.AdamW)
    assert float(keras.ops.convert_to_numpy(optimizer.weight_decay)) == pytest.approx(recipe.weight_decay)
    schedule = recipe.learning_rate_for(10)
    steps = recipe.epochs * 10
    for t in (0, steps // 3, steps):
        expected = recipe.learning_rate / 2 * (1 + np.cos(np.pi * t / steps))
        assert float(keras.ops.convert_to_numpy(schedule(t))) == pytest.approx(expected, rel=1e-5, abs=1e-9)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        recipe.make_optimizer(0)


def test_constant_recipes_and_their_callbacks():
    import keras

    fcn, kim = recipes.get("fcn", "lab"), recipes.get("kim_cnn", "lab")
    assert isinstance(fcn.make_optimizer(5), keras.optimizers.Adam) and fcn.learning_rate_for(5) == fcn.learning_rate
    (plateau,) = fcn.callbacks()
    assert isinstance(plateau, keras.callbacks.ReduceLROnPlateau) and plateau.factor == 0.5 and plateau.monitor == "loss"
    (stop,) = kim.callbacks()
    assert isinstance(stop, keras.callbacks.EarlyStopping) and stop.patience == kim.early_stopping
    assert stop.monitor == "val_accuracy" and stop.restore_best_weights
    assert recipes.vgg11_recipe("lab").callbacks() == []


def test_recipe_models_match_their_builders():
    import keras

    kim = recipes.get("kim_cnn", "ci")
    keras.utils.set_random_seed(0)
    o = kim.options
    model = kim.model()
    expected = (o["max_tokens"] * o["embedding_dim"] + sum(w * o["embedding_dim"] * o["filters"] + o["filters"]
                                                            for w in o["widths"]) + len(o["widths"]) * o["filters"] + 1)
    assert model.count_params() == expected and model.input_shape == (None, o["sequence_length"])
    fcn = recipes.get("fcn", "ci").model(input_shape=(24, 1), num_classes=2)
    assert fcn.output_shape == (None, 2)
    with pytest.raises(ValueError, match="input_shape and num_classes"):
        recipes.get("fcn", "ci").model()
    xc = recipes.get("mini_xception", "ci").model()
    assert xc.name == "mini_xception" and xc.output_shape == (None, 10)
    small = recipes.get("mini_xception", "ci").model(input_shape=(16, 16, 1), num_classes=3)
    assert small.input_shape == (None, 16, 16, 1) and small.output_shape == (None, 3)
    with pytest.raises(ValueError, match="takes only input_shape and num_classes.*'widht'"):
        recipes.vgg11_recipe("ci").model(widht=0.5)


def test_targets_and_changed_settings():
    fcn = recipes.get("fcn", "lab")
    assert fcn.target_for("GunPoint") == 0.98 and fcn.target_for("ItalyPowerDemand") == 0.95
    with pytest.raises(ValueError, match="OSULeaf"):
        fcn.target_for("OSULeaf")
    changed = recipes.with_settings(recipes.vgg11_recipe("lab"), epochs=2, batch_size=256)
    assert (changed.epochs, changed.batch_size, changed.width) == (2, 256, recipes.vgg11_recipe("lab").width)
    with pytest.raises(ValueError, match="unknown recipe settings"):
        recipes.with_settings(changed, epoch=2)
    with pytest.raises(ValueError, match="one of"):
        recipes.get("resnet", "ci")
    with pytest.raises(ValueError, match="loads its own data"):
        fcn.data()


# ---------------------------------------------------------- the notebooks train with their recipes
TRAINING_CALLS = {"fit", "compile", "Adam", "AdamW", "SGD", "CosineDecay", "EarlyStopping", "ReduceLROnPlateau"}
FREE_KEYWORDS = {"verbose", "log_every", "shuffle", "workers"}


def _notebook_code(stem: str) -> ast.Module:
    cells = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    return ast.parse("\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"))


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _numbers(node: ast.AST) -> list:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) in (int, float)]


def _literal_settings(tree: ast.Module) -> list[str]:
    """Numbers written into training calls: fit's epochs, an optimiser's learning rate, a schedule's steps."""
    found = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) in TRAINING_CALLS):
        args = [*call.args, *(k.value for k in call.keywords if k.arg not in FREE_KEYWORDS)]
        found += [f"{_call_name(call)}(... {value} ...)" for arg in args for value in _numbers(arg)]
    return found


def _copied_settings(tree: ast.Module, recipe_name: str) -> list[str]:
    """profile.pick(ci=a, lab=b, full=c) calls that restate a recipe setting instead of reading it."""
    per_profile = [recipes.get(recipe_name, p) for p in recipes.PROFILE_NAMES]
    settings = {f: tuple(getattr(r, f) for r in per_profile)
                for f in ("epochs", "batch_size", "learning_rate", "n_train", "width", "dropout")}
    copied = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) == "pick"):
        try:
            values = tuple(ast.literal_eval(k.value) for k in sorted(call.keywords, key=lambda k: ("ci", "lab", "full").index(k.arg)))
        except (ValueError, TypeError):
            continue
        copied += [f"profile.pick{values} restates the {recipe_name} recipe's {f}" for f, v in settings.items() if values == v]
    return copied


@pytest.mark.parametrize("recipe_name", recipes.MODELS)
def test_notebooks_train_with_their_recipes(recipe_name):
    stem = recipes.NOTEBOOKS[recipe_name]
    tree = _notebook_code(stem)
    assert not _literal_settings(tree), (stem, _literal_settings(tree))
    assert not _copied_settings(tree, recipe_name), (stem, _copied_settings(tree, recipe_name))
    readers = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and (
        (_call_name(c) == "get" and c.args and getattr(c.args[0], "value", None) == recipe_name)
        or (recipe_name == "vgg11" and _call_name(c) == "vgg11_recipe"))]
    assert readers, f"{stem} never reads the {recipe_name} recipe"
    epochs_from_recipe = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and _call_name(c) == "fit"
                          and any(k.arg == "epochs" and ".epochs" in ast.unparse(k.value) for k in c.keywords)]
    assert epochs_from_recipe, f"{stem}: no fit(...) call takes its epochs from a recipe"


def test_the_notebook_check_catches_settings_of_a_notebooks_own():
    tree = ast.parse("epochs = profile.pick(ci=3, lab=5, full=30)\n"
                     "model.compile(optimizer=keras.optimizers.Adam(1e-3))\nmodel.fit(x, y, epochs=4, verbose=0)")
    assert sorted(_literal_settings(tree)) == ["Adam(... 0.001 ...)", "compile(... 0.001 ...)", "fit(... 4 ...)"]
    assert _copied_settings(tree, "vgg11") == ["profile.pick(3, 5, 30) restates the vgg11 recipe's epochs"]


def test_ablation_recipes_vary_only_what_they_name():
    import keras

    ablation = recipes.get("vgg11_ablation", "ci")
    keras.utils.set_random_seed(0)
    full, plain, shallow = ablation.model(), ablation.model(batch_norm=False), ablation.model(blocks=2)
    assert full.count_params() == recipes.vgg11_recipe("ci").model().count_params()   # five blocks: notebook 08's VGG11
    assert plain.count_params() == full.count_params() - 3 * sum(
        layer.filters for layer in plain.layers if isinstance(layer, keras.layers.Conv2D))
    assert shallow.get_layer("fc1").units == ablation.options["classifier_units"] and shallow.name == "vgg_2blocks"
    assert "validation accuracy floor" in ablation.table() and "test accuracy floor" not in ablation.table()
    with pytest.raises(ValueError, match="varies only"):
        ablation.model(width=0.5)
    stack = recipes.get("conv_stack", "ci")
    plain_stack, residual_stack = stack.model(), stack.model(residual=True)
    assert plain_stack.count_params() == residual_stack.count_params()
    assert residual_stack.name == f"residual_{stack.options['depth']}"
    with pytest.raises(ValueError, match="varies only residual"):
        stack.model(depth=4)
    assert "width" not in stack.table() and "augmentation" in stack.table()
