"""The Makefile's set-up logic: the interpreter check, TensorFlow's build switch, and what `make clean` removes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TF_PIN = next(line.split("==")[1].split(";")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.startswith("tensorflow-cpu=="))
CUDA_BUILD = f'"tensorflow[and-cuda]=={TF_PIN}"'
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args], capture_output=True, text=True,
                          timeout=60)


def fake_python(tmp_path: Path, version: tuple[int, int, int]) -> Path:
    """An interpreter that reports ``version`` and creates no environment (``-m venv`` only says so)."""
    script = tmp_path / "python"
    script.write_text(
        "#!/bin/bash\n"
        f'if [ "$1" = "-c" ]; then exec {sys.executable} -c "import sys; sys.version_info = {version!r}; $2"; fi\n'
        f'if [ "$1" = "--version" ]; then echo "Python {".".join(map(str, version))}"; exit 0; fi\n'
        'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then echo "venv $3"; exit 0; fi\n'
        "exit 3\n"
    )
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("version", [(3, 10, 13), (3, 14, 0), (2, 7, 18)])
def test_make_refuses_an_unsupported_interpreter_and_says_what_to_do(tmp_path, version):
    venv = tmp_path / "venv"
    done = make(f"VENV={venv}", f"{venv}/bin/python", f"PYTHON={fake_python(tmp_path, version)}")
    assert done.returncode != 0
    assert f"Python {'.'.join(map(str, version))}" in done.stdout
    assert ">=3.11,<3.14" in done.stdout and "PYTHON=python3.12" in done.stdout
    assert "venv" not in done.stdout.split("error:")[0]


@pytest.mark.parametrize("version", [(3, 11, 7), (3, 12, 1), (3, 13, 5)])
def test_make_creates_the_environment_with_a_supported_interpreter(tmp_path, version):
    venv = tmp_path / "venv"
    done = make(f"VENV={venv}", f"{venv}/bin/python", f"PYTHON={fake_python(tmp_path, version)}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"venv {venv}" in done.stdout


def test_the_interpreter_range_is_the_one_pyproject_states():
    import tomllib

    stated = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    done = make("-p", "-n", "help")
    assert f"REQUIRES_PYTHON := {stated}" in done.stdout


def _venv_with_stamp(tmp_path: Path, build: str) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / f".installed-{build}").touch()
    return venv


def test_gpu_after_a_cpu_install_swaps_tensorflow_builds(tmp_path):
    venv = _venv_with_stamp(tmp_path, "cpu")
    done = make("-n", f"VENV={venv}", "env", "GPU=1")
    assert done.returncode == 0, done.stderr
    assert "pip uninstall -q -y tensorflow tensorflow-cpu" in done.stdout
    assert CUDA_BUILD in done.stdout
    assert f"touch {venv}/.installed-gpu" in done.stdout


def test_a_first_gpu_install_uninstalls_nothing(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    done = make("-n", f"VENV={venv}", "env", "GPU=1")
    assert CUDA_BUILD in done.stdout and "uninstall" not in done.stdout


def test_cpu_after_a_gpu_install_swaps_back(tmp_path):
    venv = _venv_with_stamp(tmp_path, "gpu")
    done = make("-n", f"VENV={venv}", "env")
    assert "pip uninstall -q -y tensorflow tensorflow-cpu" in done.stdout
    assert "pip install -q -r requirements.txt" in done.stdout and "and-cuda" not in done.stdout
    assert f"touch {venv}/.installed-cpu" in done.stdout


def test_an_installed_build_is_not_reinstalled(tmp_path):
    venv = _venv_with_stamp(tmp_path, "cpu")
    for name in ("requirements.txt", "pyproject.toml"):
        assert (ROOT / name).stat().st_mtime <= (venv / ".installed-cpu").stat().st_mtime
    done = make("-n", f"VENV={venv}", "env")
    assert "pip" not in done.stdout


def test_make_clean_never_removes_student_copies():
    clean = make("-n", "clean").stdout
    assert "rm -rf .venv build" in clean and "student" not in clean
    assert "rm -rf student" in make("-n", "clean-student").stdout


@pytest.mark.parametrize("backend, gpu, line", [
    ("jax", "0", "pip install -q -r requirements-jax.txt"),
    ("torch", "0", "pip install -q -r requirements-torch.txt"),
    ("jax", "1", "sed 's/^jax==/jax[cuda12]==/' requirements-jax.txt"),
])
def test_a_backend_installs_its_own_requirements_beside_tensorflow(tmp_path, backend, gpu, line):
    venv = _venv_with_stamp(tmp_path, "gpu" if gpu == "1" else "cpu")
    done = make("-n", f"VENV={venv}", "env", f"KERAS_BACKEND={backend}", f"GPU={gpu}")
    assert done.returncode == 0, done.stderr
    assert line in done.stdout and f"touch {venv}/.installed-{backend}-{'gpu' if gpu == '1' else 'cpu'}" in done.stdout
    assert "uninstall" not in done.stdout


def test_tensorflow_needs_no_backend_install(tmp_path):
    venv = _venv_with_stamp(tmp_path, "cpu")
    assert "pip" not in make("-n", f"VENV={venv}", "env", "KERAS_BACKEND=tensorflow").stdout


def test_an_unknown_backend_is_refused_with_the_choices():
    done = make("-n", "env", "KERAS_BACKEND=theano")
    assert done.returncode != 0 and "use tensorflow, jax or torch" in done.stderr
