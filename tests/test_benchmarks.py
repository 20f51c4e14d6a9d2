"""The benchmark runner, on its tiny configuration: it runs end to end and writes a complete report.

No test here asserts a timing; only that every section is there and its figures are numbers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import configs
from benchmarks.common import Stats, time_repeats
from benchmarks.report import render

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = ["## Machine", "## 1. Machine limit: fp32 matrix multiply", "## 2. Training efficiency",
            "## 3. Time to accuracy", "## 4. The suite", "## 5. From scratch versus library"]
NUMBER = re.compile(r"^[\d,]+(\.\d+)?(e[-+]?\d+)?")


def _tables(text: str) -> dict[str, list[list[str]]]:
    """Markdown tables by the caption in bold above them; the header row is included."""
    tables, caption, rows = {}, None, None
    for line in text.splitlines():
        if line.startswith("**") and line.endswith("**"):
            caption, rows = line.strip("*"), []
        elif line.startswith("|") and caption is not None and rows is not None:
            if not line.startswith("|---"):
                rows.append([c.strip() for c in line.strip("|").split("|")])
            tables[caption] = rows
        elif not line.strip() and rows:
            caption, rows = None, None
    return tables


def _number(cell: str) -> float:
    match = NUMBER.match(cell.replace("**", ""))
    assert match, f"not a number: {cell!r}"
    return float(match.group(0).replace(",", ""))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--tiny", "--output", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out.read_text(encoding="utf-8")


def test_report_has_every_section(report):
    positions = [report.find(h) for h in HEADINGS]
    assert all(p >= 0 for p in positions), [h for h, p in zip(HEADINGS, positions) if p < 0]
    assert positions == sorted(positions), "sections out of order"
    assert "the section failed" not in report, report


def test_training_section_says_where_its_peak_comes_from(report):
    training = report.split("## 2.")[1].split("## 3.")[0]
    assert "Peak used:" in training and "(section 1 of this run)" in training, training


def test_merged_report_keeps_where_each_section_comes_from(report, tmp_path):
    out = tmp_path / "RESULTS.md"
    out.write_text(report, encoding="utf-8")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--tiny", "--only", "gemm", "--merge", "--output", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    merged = out.read_text(encoding="utf-8")
    footer = [line for line in merged.splitlines() if line.startswith("_Section time:")]
    assert len(footer) == len(HEADINGS) - 1  # every numbered section
    assert "--only gemm --merge" in footer[0] and all("--only gemm" not in line for line in footer[1:]), footer
    assert all("measured " in line and " on " in line for line in footer), footer
    assert "each section's last line says when" in merged


def test_machine_table_names_the_hardware(report):
    machine = report.split("## Machine")[1].split("## 1.")[0]
    for label in ("CPU", "Cores", "Memory", "GPU", "TensorFlow", "Keras", "NumPy"):
        assert f"| {label}" in machine, label


def test_figures_parse_as_numbers(report):
    tables = _tables(report)
    gemm = next(rows for cap, rows in tables.items() if cap.startswith("fp32 GEMM"))
    assert [_number(c) for c in gemm[1][1:]]
    training = [rows for cap, rows in tables.items() if "images per epoch" in cap]
    assert training, "no training table"
    for rows in training:
        assert _number(rows[1][1]) > 0 and "%" in rows[1][3]
    time_to_acc = tables["Time to the lab target (median (min–max) over seeds)"]
    assert time_to_acc[0][6] == "time to target (s)" and time_to_acc[1][3] == "recipe with epochs 2, batch size 32"
    assert time_to_acc[1][2] == "tensorflow"
    assert 0 <= _number(time_to_acc[1][8]) <= 1 and _number(time_to_acc[1][9]) > 0
    assert re.fullmatch(r"[01] of 1", time_to_acc[1][5]), time_to_acc[1]
    suite = tables["Suite under the ci profile (one run each, n = 1)"]
    assert len(suite) >= 4 and all(_number(r[1]) > 0 and _number(r[2]) > 0 for r in suite[1:])
    conv = [rows for cap, rows in tables.items() if cap.startswith(("1-D", "2-D", "A layer"))]
    assert len(conv) == 3
    for rows in conv:
        assert all(_number(r[1]) > 0 for r in rows[1:])
        assert all(_number(r[3]) < 1e-3 for r in rows[2:]), rows  # every implementation agrees with the reference


def test_time_to_accuracy_names_a_backend_that_is_not_installed():
    from benchmarks import accuracy

    cfg = {"profiles": ["ci"], "seeds": [0], "cap_seconds": {"ci": 1}, "backends": ["no_such_backend"],
           "models": [{"recipe": "fcn", "dataset": "ItalyPowerDemand"}]}
    (_, header, rows), = accuracy.run(cfg).tables
    assert header == accuracy.HEADER and len(rows) == 1
    assert rows[0][2] == "no_such_backend" and rows[0][-1] == "not installed (KERAS_BACKEND=no_such_backend make env)"


def test_stats_and_timing_helpers():
    stats = Stats([3.0, 1.0, 2.0])
    assert (stats.median, stats.min, stats.max, stats.n) == (2.0, 1.0, 3.0, 3)
    assert stats.fmt(1) == "2.0 (1.0–3.0)"
    assert time_repeats(lambda: None, 3).n == 3
    with pytest.raises(ValueError, match="repeats"):
        time_repeats(lambda: None, 0)


def test_configs_and_options():
    assert set(configs.get("full")) == set(configs.SECTIONS)
    with pytest.raises(ValueError, match="unknown scale"):
        configs.get("huge")
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "nonsense"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown section" in proc.stderr


def test_render_marks_a_missing_section():
    from benchmarks.common import Section

    text = render({"CPU": "x"}, [Section("gemm", "1. Machine limit: fp32 matrix multiply", "why",
                                         missing="the section failed: RuntimeError: no GPU")], {"Date": "today"})
    assert "**Not measured:** the section failed: RuntimeError: no GPU" in text


# ------------------------------------------------------------- the worker's subprocess protocol, for real
FCN_SPEC = {"recipe": "fcn", "profile": "ci", "shape": {"input_shape": [150, 1], "num_classes": 3}}


def test_worker_in_a_fresh_process_reports_its_figures():
    from benchmarks.common import run_worker
    from course_utils import complexity, timeseries

    result = run_worker("macs", {"model": FCN_SPEC})
    assert result["params"] == timeseries.fcn_parameter_count(1, 3)
    assert result["macs"] == complexity.count_macs(timeseries.fcn((150, 1), 3))


def test_worker_reports_an_error_to_the_parent():
    from benchmarks.common import run_worker

    with pytest.raises(RuntimeError, match="ValueError: model must be one of"):
        run_worker("macs", {"model": {**FCN_SPEC, "recipe": "no_such_recipe"}})
    with pytest.raises(RuntimeError, match="ValueError: .*num_classes"):
        run_worker("macs", {"model": {**FCN_SPEC, "shape": {"input_shape": [150, 1], "num_classes": 0}}})


def test_benchmark_models_are_the_notebooks_recipes():
    """Section 2 measures the networks notebooks 08 and 09 train: the recipe's model, layer for layer."""
    import keras

    from benchmarks import worker
    from course_utils import recipes

    for spec in (configs.VGG11_COURSE, configs.XCEPTION_COURSE):
        keras.utils.set_random_seed(0)
        built = worker.build_model(spec)
        keras.utils.set_random_seed(0)
        notebook = recipes.get(spec["recipe"], spec["profile"]).model()
        assert built.get_config() == notebook.get_config()
        assert [w.shape for w in built.weights] == [w.shape for w in notebook.weights]
    wide = worker.build_model({**configs.XCEPTION_COURSE, "changes": {"width": 1.0}})
    assert wide.count_params() > built.count_params()
    assert worker.build_model(configs.VGG11_PAPER).input_shape == (None, 224, 224, 3)
    keras.config.set_image_data_format("channels_first")
    try:
        nchw = worker.build_model(configs.VGG11_COURSE, input_shape=(1, 28, 28))
    finally:
        keras.config.set_image_data_format("channels_last")
    assert nchw.input_shape == (None, 1, 28, 28) and nchw.output_shape == (None, 10)
    first_conv = next(layer for layer in nchw.layers if isinstance(layer, keras.layers.Conv2D))
    assert first_conv.data_format == "channels_first" and first_conv.kernel.shape[2] == 1   # one input channel
    with pytest.raises(ValueError, match="paper model"):
        worker.build_model(configs.VGG11_PAPER, input_shape=(1, 28, 28))


def test_keras_layer_variants_swap_only_the_layers_they_name():
    """The unfused variants are the same network with Keras' own layers: same weights, same class counts."""
    import keras

    from benchmarks import worker
    from course_utils.layers import FusedBatchNormalization, FusedSeparableConv2D

    model = worker.build_model({**configs.XCEPTION_COURSE, "changes": {"width": 0.125}})
    kinds = lambda m: [type(layer) for layer in m.layers]   # noqa: E731
    for batch_norm, separable in ((True, False), (False, True), (True, True)):
        swapped = worker.with_keras_layers(model, batch_norm=batch_norm, separable=separable)
        assert swapped.count_params() == model.count_params() and len(swapped.layers) == len(model.layers)
        assert kinds(swapped).count(keras.layers.BatchNormalization) == (
            kinds(model).count(FusedBatchNormalization) if batch_norm else 0)
        assert kinds(swapped).count(keras.layers.SeparableConv2D) == (
            kinds(model).count(FusedSeparableConv2D) if separable else 0)
        assert kinds(swapped).count(FusedSeparableConv2D) == (0 if separable else kinds(model).count(FusedSeparableConv2D))


def test_the_pooling_variant_swaps_vgg11s_poolings_for_keras_own():
    import keras

    from benchmarks import worker
    from course_utils.layers import SlicedMaxPooling2D

    model = worker.build_model({**configs.VGG11_COURSE, "changes": {"width": 0.125}})
    kinds = lambda m: [type(layer) for layer in m.layers]   # noqa: E731
    assert kinds(model).count(SlicedMaxPooling2D) == 5 and keras.layers.MaxPooling2D not in kinds(model)
    swapped = worker.with_keras_layers(model, pooling=True)
    assert kinds(swapped).count(keras.layers.MaxPooling2D) == 5 and SlicedMaxPooling2D not in kinds(swapped)
    assert swapped.count_params() == model.count_params()


def test_benchmarks_and_worker_do_not_import_each_other():
    """The worker reports through benchmarks.protocol; it imports neither the runner nor a section."""
    import ast

    for path in (ROOT / "benchmarks").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {f"{node.module}.{alias.name}" if node.module == "benchmarks" else node.module
                    for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        if path.stem == "worker":
            assert imported & {"benchmarks.common", "benchmarks.configs", "benchmarks.training",
                               "benchmarks.accuracy"} == set()
        if path.stem == "protocol":
            assert not {m for m in imported if m.startswith(("benchmarks", "course_utils"))}
        assert "import_module" not in path.read_text(encoding="utf-8"), f"{path.name} imports modules by string"


def test_worker_that_dies_without_a_result_is_reported(monkeypatch):
    from benchmarks import common

    monkeypatch.setattr(common.sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="exited with 1 without a result"):
        common.run_worker("macs", {"model": FCN_SPEC})
