"""The run profile: how much computing a notebook may spend.

One environment variable, ``COURSE_PROFILE``, read here and nowhere else:

* ``ci``   – the fast profile the test suite runs: small subsets, few epochs, still a result worth reading.
* ``lab``  – the default: what a student runs on a laptop CPU in a lab session.
* ``full`` – the papers' budgets: for a GPU or a patient CPU.

A GPU raises the budget by itself: ``lab`` on a machine with a GPU runs as ``full``. ``ci`` stays ``ci``
everywhere so that the suite compares the same outputs on every machine.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sys
import tempfile
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

PROFILES = ("ci", "lab", "full")
ENV_VAR = "COURSE_PROFILE"
T = TypeVar("T")


@dataclass(frozen=True)
class Profile:
    """A run profile.

    Attributes:
        name: the effective profile, one of ``PROFILES``.
        requested: what ``COURSE_PROFILE`` asked for (``lab`` when unset).
        gpu: whether the Keras backend sees a GPU.
    """

    name: str
    requested: str
    gpu: bool = False

    def pick(self, *, ci: T, lab: T, full: T) -> T:
        """Return the value that belongs to this profile.

        >>> Profile("ci", "ci").pick(ci=2, lab=10, full=40)
        2
        """
        return {"ci": ci, "lab": lab, "full": full}[self.name]

    @property
    def is_ci(self) -> bool:
        return self.name == "ci"

    def describe(self) -> str:
        note = ""
        if self.name != self.requested:
            note = f" (asked for {self.requested}; a GPU raises lab to full)"
        return f"profile: {self.name}{note}  [set {ENV_VAR}=ci|lab|full to change]"


def resolve_profile(requested: str | None, gpu: bool) -> Profile:
    """Turn the value of ``COURSE_PROFILE`` (or ``None``) into a :class:`Profile`.

    Raises:
        ValueError: if ``requested`` is not one of ``ci``, ``lab``, ``full``.
    """
    value = (requested or "lab").strip().lower()
    if value not in PROFILES:
        raise ValueError(
            f"{ENV_VAR}={requested!r} is not a run profile; use one of {', '.join(PROFILES)} "
            f"(for example `export {ENV_VAR}=lab`), or unset it for the default 'lab'."
        )
    name = "full" if (gpu and value == "lab") else value
    return Profile(name=name, requested=value, gpu=gpu)


#: Lines TensorFlow's C++ runtime may write to stderr while it loads, before its logging is configured
#: (so ``TF_CPP_MIN_LOG_LEVEL`` does not silence them). They are informational.
STARTUP_NOISE = (
    "All log messages before absl::InitializeLog() is called are written to STDERR",
    "oneDNN custom operations are on",
)


@contextlib.contextmanager
def filtered_stderr(noise: tuple[str, ...] = STARTUP_NOISE):
    """Capture what is written to file descriptor 2 inside the ``with`` block, C++ code included, and pass it
    on to ``sys.stderr`` afterwards without the lines that contain one of ``noise``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines()
            kept = [line for line in lines if line.strip() and not any(n in line for n in noise)]
            if kept:
                print("\n".join(kept), file=sys.stderr)


def import_tensorflow():
    """Import TensorFlow with its informational start-up lines (:data:`STARTUP_NOISE`) kept out of stderr.

    The C++ runtime writes them to file descriptor 2 directly, where a Jupyter kernel would store them as
    a stderr output of the cell. Everything else written during the import still reaches ``sys.stderr``.

    Returns:
        The ``tensorflow`` module.
    """
    if "tensorflow" not in sys.modules:
        with filtered_stderr():
            import tensorflow  # noqa: F401
    return sys.modules["tensorflow"]


def _gpu_available() -> bool:
    from course_utils.environment import gpu_names

    return bool(gpu_names())


def current_profile() -> Profile:
    """The profile of this process, from ``COURSE_PROFILE`` and the hardware."""
    return resolve_profile(os.environ.get(ENV_VAR), _gpu_available())


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy, TensorFlow and Keras with one call (``keras.utils.set_random_seed``)."""
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def device_description() -> str:
    """A one-line description of the device the active Keras backend computes on."""
    from course_utils.environment import device_line, gpu_names

    return device_line(gpu_names(), os.cpu_count(), platform.machine())


def full_float32_on_gpus(backend: str | None = None) -> None:
    """Compute float32 products and convolutions on a GPU in full float32.

    On NVIDIA GPUs from Ampere on, TensorFlow rounds float32 inputs of matrix products and convolutions to
    TensorFloat-32 (a 10-bit mantissa) by default, and so do PyTorch's cuDNN convolutions: errors of 1e-3 to 1e-2
    on a 3×3 filter, which break the notebooks' comparisons with NumPy and SciPy at 1e-5. JAX's default
    precision does the same on a GPU. This turns all three off; a CPU computes in float32 either way.
    """
    from course_utils.environment import backend as active_backend

    name = backend or active_backend()[0]
    if name == "tensorflow":
        import_tensorflow().config.experimental.enable_tensor_float_32_execution(False)
    elif name == "jax":
        import jax

        jax.config.update("jax_default_matmul_precision", "highest")
    elif name == "torch":
        import torch

        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    else:
        raise ValueError(f"unknown Keras backend {name!r}; use tensorflow, jax or torch.")


def setup(seed: int = 0, cpu_devices: int | None = None) -> Profile:
    """Start a notebook: seed every generator, set plotting defaults, print versions, backend, device and profile.

    Args:
        seed: the seed of Python's, NumPy's and Keras' generators.
        cpu_devices: split the CPU into this many logical devices first (notebook 10 trains on two), with
            :func:`course_utils.distributed.split_cpu`; None leaves one.

    On a GPU, float32 stays float32 (:func:`full_float32_on_gpus`). In the ``full`` profile, a machine with two
    or more GPUs trains every later model data-parallel on all of them
    (:func:`course_utils.distributed.use_all_gpus`) and says so; not with ``cpu_devices``, where the notebook
    places its models on devices itself.

    Returns:
        The :class:`Profile` to read budgets from (``profile.pick(ci=..., lab=..., full=...)``).
    """
    import matplotlib

    from course_utils import distributed, environment

    import_tensorflow().get_logger().setLevel("ERROR")
    if cpu_devices is not None:
        distributed.split_cpu(cpu_devices)
    seed_everything(seed)
    profile = current_profile()
    if profile.gpu:
        full_float32_on_gpus()
    matplotlib.rcParams.update({"figure.dpi": 90, "axes.grid": False, "image.cmap": "gray"})
    print("\n".join(environment.setup_lines(environment.current(), profile.describe(), seed)))
    if profile.name == "full" and cpu_devices is None and (replicas := distributed.use_all_gpus()) > 1:
        print(f"device: data-parallel on {replicas} GPUs")
    return profile
