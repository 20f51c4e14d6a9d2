"""Every size, budget and target the benchmarks use, in one place.

Three scales: ``FULL`` (``python -m benchmarks``: every section at full size; section 3 alone trains each lab
recipe three times on TensorFlow and once on JAX and on PyTorch), ``QUICK`` (``--quick``: fewer sizes, variants and
seeds; section 3 without the Xception-style network and the frontier) and ``TINY`` (``--tiny``, seconds: what
the unit test runs so the runner cannot rot). Section 3 trains the notebooks' own recipes, which live once in ``course_utils.recipes``.
"""

from __future__ import annotations

import copy

SECTIONS = ("gemm", "training", "accuracy", "suite", "convolution")
TITLES = {"gemm": "1. Machine limit: fp32 matrix multiply", "training": "2. Training efficiency",
          "accuracy": "3. Time to accuracy", "suite": "4. The suite", "convolution": "5. From scratch versus library"}

# ------------------------------------------------------------------------------------------------- models
# The networks the notebooks train, named by their recipe (course_utils.recipes: width, dropout and the rest live
# there, once); the worker builds them with Recipe.model. Sizes are the course's (Fashion-MNIST, 28×28×1, 10 classes).
VGG11_COURSE = {"recipe": "vgg11", "profile": "lab"}
XCEPTION_COURSE = {"recipe": "mini_xception", "profile": "lab"}
VGG11_PAPER = {"paper": "vgg11"}  # 224×224×3, 1000 classes
VGG11_PAPER_GMACS = 7.6  # Simonyan & Zisserman (2015), configuration A: 7.6 G multiply-adds per 224×224 image

# -------------------------------------------------------------------------------- section 2: throughput
# Each variant changes one thing from the baseline (batch 128, NumPy arrays into model.fit, channels-last,
# TensorFlow's default threads, oneDNN on). Each runs in a fresh process.
VARIANTS = [
    {"name": "baseline: batch 128, NumPy arrays, defaults"},
    {"name": "batch 32", "batch_size": 32},
    {"name": "batch 64", "batch_size": 64},
    {"name": "batch 256", "batch_size": 256},
    {"name": "tf.data pipeline (cached tensors, shuffle, batch, prefetch)", "data": "tfdata"},
    {"name": "course pipeline (uint8 → float, flips and shifts, prefetch)", "data": "course_pipeline"},
    {"name": "threads: intra-op 2, inter-op 1", "intra": 2, "inter": 1},
    {"name": "threads: intra-op 1, inter-op 1", "intra": 1, "inter": 1},
    {"name": "oneDNN off (TF_ENABLE_ONEDNN_OPTS=0)", "env": {"TF_ENABLE_ONEDNN_OPTS": "0"}},
    {"name": "Keras' own batch norm (unfused)", "keras_batch_norm": True},
    {"name": "channels-first (NCHW)", "data_format": "channels_first"},
    {"name": "backend: JAX (KERAS_BACKEND=jax)", "env": {"KERAS_BACKEND": "jax"}},
    {"name": "backend: PyTorch (KERAS_BACKEND=torch)", "env": {"KERAS_BACKEND": "torch"}},
    {"name": "JAX with Keras' own SeparableConv2D (XLA's depthwise convolution)", "env": {"KERAS_BACKEND": "jax"},
     "keras_separable": True},
    {"name": "JAX with Keras' own MaxPooling2D (XLA's select-and-scatter gradient)", "env": {"KERAS_BACKEND": "jax"},
     "keras_pooling": True},
]
BACKEND_VARIANTS = [v["name"] for v in VARIANTS if v["name"].startswith("backend:")]

TRAINING_FULL = {
    "repeats": 3,
    "models": [
        {"name": "VGG11 (width ¼, BN), 28×28×1", "model": VGG11_COURSE, "samples": 2048,
         "variants": [v["name"] for v in VARIANTS if v["name"] not in ("batch 32", "threads: intra-op 1, inter-op 1")
                      and not v.get("keras_separable")]},   # VGG11 has no separable convolution
        {"name": "Xception-style (width ½), 28×28×1", "model": XCEPTION_COURSE, "samples": 2048,
         "variants": ["baseline: batch 128, NumPy arrays, defaults", "batch 64", "batch 256",
                      "tf.data pipeline (cached tensors, shuffle, batch, prefetch)",
                      "oneDNN off (TF_ENABLE_ONEDNN_OPTS=0)", "Keras' own batch norm (unfused)", *BACKEND_VARIANTS,
                      "JAX with Keras' own SeparableConv2D (XLA's depthwise convolution)"]},
    ],
    "paper_check": VGG11_PAPER,
}

# ---------------------------------------------------------------------------- section 3: time to accuracy
# Each trained model of the notebooks with its own recipe (course_utils.recipes: the settings live there, not
# here), three seeds on TensorFlow and one on JAX and PyTorch; then changed recipes that show the time-accuracy
# frontier of the image models (TensorFlow).
BACKENDS = ["tensorflow", "jax", "torch"]
ACCURACY = [
    {"recipe": "fcn", "dataset": "GunPoint"},
    {"recipe": "fcn", "dataset": "ItalyPowerDemand"},
    {"recipe": "kim_cnn"},
    {"recipe": "vgg11"},
    {"recipe": "mini_xception"},
    {"recipe": "vgg11", "changes": {"epochs": 2, "batch_size": 256, "learning_rate": 4e-3}, "backends": ["tensorflow"]},
    {"recipe": "mini_xception", "changes": {"epochs": 3, "batch_size": 128, "learning_rate": 6e-3},
     "backends": ["tensorflow"]},
]
ACCURACY_FULL = {"profiles": ["lab"], "seeds": [0, 1, 2], "backends": BACKENDS, "backend_seeds": [0],
                 "cap_seconds": {"ci": 300, "lab": 900}, "models": ACCURACY}

# --------------------------------------------------------------------------------------- section 4: suite
SUITE_FULL = {"notebooks": "notebooks/*.ipynb", "max_notebooks": None, "unit_tests": ["tests"], "timeout": 1800}

# ---------------------------------------------------------------------------------- section 5: convolution
CONVOLUTION_FULL = {"repeats": 5, "images": [[256, 3], [256, 7]], "signals": [[100_000, 9]],
                    "layer": [8, 28, 16, 32, 3], "loop_limit": 256}

GEMM_FULL = {"sizes": [1024, 2048, 4096], "repeats": 5, "min_seconds": 0.5}

FULL = {"gemm": GEMM_FULL, "training": TRAINING_FULL, "accuracy": ACCURACY_FULL, "suite": SUITE_FULL,
        "convolution": CONVOLUTION_FULL}


def _quick() -> dict:
    cfg = copy.deepcopy(FULL)
    cfg["gemm"].update(sizes=[2048], repeats=3, min_seconds=0.5)
    for model in cfg["training"]["models"]:
        model["variants"] = ["baseline: batch 128, NumPy arrays, defaults", *BACKEND_VARIANTS]
        model["samples"] = 2048
    # the fast recipes on three seeds on TensorFlow, VGG11's recipe on one; each also once on JAX and PyTorch
    cfg["accuracy"]["models"] = [m if m["recipe"] in ("fcn", "kim_cnn") else dict(m, seeds=[0])
                                 for m in cfg["accuracy"]["models"] if m["recipe"] != "mini_xception" and not m.get("changes")]
    cfg["suite"]["max_notebooks"] = 1
    cfg["convolution"].update(repeats=3, images=[[256, 3]], signals=[[100_000, 9]])
    return cfg


def _tiny() -> dict:
    """Seconds-long settings for the unit test: tiny models and data, a generated notebook for the suite."""
    tiny_xc = {"recipe": "mini_xception", "profile": "ci", "changes": {"width": 0.0625},
               "shape": {"input_shape": [16, 16, 1], "num_classes": 3}}
    return {
        "gemm": {"sizes": [128], "repeats": 3, "min_seconds": 0.01},
        "training": {"repeats": 3, "paper_check": None, "in_process": True, "models": [
            {"name": "tiny Xception-style", "model": tiny_xc, "samples": 64, "batch_size": 32,
             "variants": ["baseline: batch 128, NumPy arrays, defaults", "Keras' own batch norm (unfused)"]},
        ]},
        "accuracy": {"profiles": ["ci"], "seeds": [0], "cap_seconds": {"ci": 30}, "in_process": True, "models": [
            {"recipe": "fcn", "dataset": "ItalyPowerDemand", "changes": {"epochs": 2, "batch_size": 32}},
        ]},
        "suite": {"tiny": True, "max_notebooks": None, "timeout": 300},
        "convolution": {"repeats": 3, "images": [[32, 3]], "signals": [[1000, 5]], "layer": [2, 8, 2, 3, 3],
                        "loop_limit": 32},
    }


QUICK = _quick()
TINY = _tiny()


def get(scale: str) -> dict:
    """The configuration of ``scale`` ("full", "quick" or "tiny"), a fresh copy."""
    table = {"full": FULL, "quick": QUICK, "tiny": TINY}
    if scale not in table:
        raise ValueError(f"unknown scale {scale!r}; use one of {', '.join(table)}.")
    return copy.deepcopy(table[scale])
