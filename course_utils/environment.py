"""What the course runs on: the versions, the Keras backend, the device, and the pins of requirements.txt.

The first cell of every notebook prints these lines (through :func:`course_utils.setup`). The lines that
depend on the machine (interpreter, backend build, device) each start with a fixed word, so that the test
suite's sanitising (``tests/nbval_sanitize.cfg``) compares them equal on every machine; whether the
installed packages match the pins is checked by :func:`check_pins` in ``00_setup`` instead.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: The distributions that provide each backend's module, in the order they are looked for.
BACKEND_DISTRIBUTIONS = {
    "tensorflow": ("tensorflow-cpu", "tensorflow", "tensorflow-macos"),
    "jax": ("jax",),
    "torch": ("torch",),
}
#: Pinned requirement names that stand for one package whatever build provides it.
_ALIASES = {name: backend for backend, names in BACKEND_DISTRIBUTIONS.items() for name in names}

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"


def backend_requirements(name: str | None = None) -> Path | None:
    """The requirements file of the Keras backend ``name`` (the active one by default) beside
    ``requirements.txt`` (``requirements-jax.txt``, ``requirements-torch.txt``); None for TensorFlow, whose
    pins are in ``requirements.txt`` itself.

    Raises:
        ValueError: for a name that is not a backend of the course.
    """
    if name is None:
        name = backend()[0]
    if name not in BACKEND_DISTRIBUTIONS:
        raise ValueError(f"unknown Keras backend {name!r}; set KERAS_BACKEND to one of {', '.join(BACKEND_DISTRIBUTIONS)}.")
    return None if name == "tensorflow" else REQUIREMENTS.with_name(f"requirements-{name}.txt")


def installed_version(name: str) -> str | None:
    """The installed version of the distribution ``name`` (``tensorflow`` finds any of its builds), or None."""
    for candidate in BACKEND_DISTRIBUTIONS.get(_ALIASES.get(name, name), (name,)):
        try:
            return importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def backend() -> tuple[str, str]:
    """The active Keras backend's name and the version of the library behind it."""
    import keras

    name = keras.backend.backend()
    return name, installed_version(name) or "not installed"


def gpu_names(name: str | None = None) -> list[str]:
    """The GPUs that the Keras backend ``name`` (the active one by default) computes on; empty on a CPU."""
    if name is None:
        name = backend()[0]
    if name == "tensorflow":
        from course_utils.profile import import_tensorflow

        tf = import_tensorflow()
        gpus = tf.config.list_physical_devices("GPU")
        return [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
    if name == "jax":
        import jax

        return [getattr(d, "device_kind", str(d)) for d in jax.devices() if d.platform == "gpu"]
    if name == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    raise ValueError(f"unknown Keras backend {name!r}; set KERAS_BACKEND to one of {', '.join(BACKEND_DISTRIBUTIONS)}.")


def device_line(gpus: list[str], cores: int | None, machine: str) -> str:
    """The line that says where the notebook computes: ``device: GPU (...)`` or ``device: CPU (n cores, arch)``."""
    if gpus:
        return f"device: GPU ({', '.join(gpus)})"
    return f"device: CPU ({cores} cores, {machine})"


@dataclass(frozen=True)
class Environment:
    """What :func:`setup_lines` reports; :func:`current` reads it off this process."""

    python: str
    course_utils: str
    keras: str
    numpy: str
    scipy: str
    backend: str
    backend_version: str
    device: str


def current() -> Environment:
    """The environment of this process."""
    import keras
    import numpy
    import scipy

    import course_utils

    name, version = backend()
    return Environment(
        python=platform.python_version(), course_utils=course_utils.__version__, keras=keras.__version__,
        numpy=numpy.__version__, scipy=scipy.__version__, backend=name, backend_version=version,
        device=device_line(gpu_names(name), os.cpu_count(), platform.machine()),
    )


def setup_lines(env: Environment, profile_line: str, seed: int) -> list[str]:
    """The lines a notebook's first cell prints. Each machine-dependent line starts with ``versions:``,
    ``backend:`` or ``device:``, the words the suite's sanitising normalises."""
    return [
        f"versions: Python {env.python} | course_utils {env.course_utils} | Keras {env.keras} | "
        f"NumPy {env.numpy} | SciPy {env.scipy}",
        f"backend: {env.backend} {env.backend_version}",
        env.device,
        profile_line,
        f"seed: {seed}",
    ]


def pinned_versions(requirements: str | Path = REQUIREMENTS) -> dict[str, str]:
    """The exact pins (``name==version``) of a requirements file that apply to this platform.

    The builds of one backend (``tensorflow-cpu``, ``tensorflow``) are reported under the backend's name.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if a line is not a valid requirement, or a requirement is not pinned with ``==``.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    path = Path(requirements)
    if not path.is_file():
        raise FileNotFoundError(f"no requirements file at {path}; pass the course's requirements.txt.")
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as err:
            raise ValueError(f"{path}, line {number}: {line!r} is not a requirement ({err}).") from err
        if req.marker is not None and not req.marker.evaluate():
            continue
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            raise ValueError(f"{path}, line {number}: {line!r} is not pinned; write it as name==version.")
        pins[_ALIASES.get(req.name.lower(), req.name.lower())] = specs[0].version
    return pins


def compare_pins(requirements: str | Path = REQUIREMENTS) -> list[tuple[str, str, str | None]]:
    """``(name, pinned, installed)`` for every pin of ``requirements``; installed is None where missing."""
    return [(name, pinned, installed_version(name)) for name, pinned in pinned_versions(requirements).items()]


def matches(installed: str | None, pinned: str) -> bool:
    """Whether an installed version satisfies ``==pinned`` as pip reads it (a local build label such as
    ``2.13.0+cpu`` satisfies ``==2.13.0``)."""
    from packaging.specifiers import SpecifierSet

    return installed is not None and SpecifierSet(f"=={pinned}").contains(installed, prereleases=True)


def check_pins(requirements: str | Path = REQUIREMENTS, also: Sequence[str | Path] | None = None
               ) -> list[tuple[str, str, str | None]]:
    """Print what is installed against the pins of ``requirements`` and return the rows; check the pins of
    the files ``also`` as well, without printing them (by default the active backend's file,
    :func:`backend_requirements`), so that the printed table is the same on every backend.

    Raises:
        RuntimeError: naming every package whose installed version differs from its pin, and the fix.
    """
    if also is None:
        extra = backend_requirements()
        also = [] if extra is None else [extra]
    rows = compare_pins(requirements)
    for name, pinned, installed in rows:
        print(f"{name:16s} pinned {pinned:8s} installed {installed or 'missing'}")
    checked = rows + [row for path in also for row in compare_pins(path)]
    wrong = [f"{name} (pinned {pinned}, installed {installed or 'nothing'})" for name, pinned, installed in checked
             if not matches(installed, pinned)]
    if wrong:
        files = ", ".join(Path(p).name for p in [requirements, *also])
        raise RuntimeError(
            f"these packages differ from {files}: " + "; ".join(wrong)
            + ". Rebuild the environment with `make clean lab` (with the same KERAS_BACKEND), or install the "
            f"pins into the interpreter this kernel runs ({sys.executable}) with `pip install -r` on those files."
        )
    return rows
