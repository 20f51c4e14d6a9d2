import os
import subprocess
import sys

import pytest

from course_utils import profile as prof


@pytest.mark.parametrize("value, expected", [(None, "lab"), ("ci", "ci"), ("lab", "lab"), ("full", "full"),
                                             (" CI ", "ci"), ("", "lab")])
def test_resolve_profile_without_gpu(value, expected):
    p = prof.resolve_profile(value, gpu=False)
    assert p.name == expected
    assert p.requested == expected


def test_gpu_raises_lab_to_full_but_keeps_ci():
    assert prof.resolve_profile("lab", gpu=True).name == "full"
    assert prof.resolve_profile(None, gpu=True).name == "full"
    assert prof.resolve_profile("ci", gpu=True).name == "ci"
    assert "a GPU raises lab to full" in prof.resolve_profile("lab", gpu=True).describe()


def test_unknown_profile_names_the_choices():
    with pytest.raises(ValueError, match=r"COURSE_PROFILE='fast'.*ci, lab, full"):
        prof.resolve_profile("fast", gpu=False)


def test_pick_returns_the_profiles_value():
    values = {"ci": 1, "lab": 2, "full": 3}
    for name, expected in values.items():
        assert prof.Profile(name, name).pick(**values) == expected


def test_current_profile_reads_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert prof.current_profile().name == "full"
    monkeypatch.setenv("COURSE_PROFILE", "nonsense")
    with pytest.raises(ValueError):
        prof.current_profile()


def test_setup_seeds_and_prints(capsys, monkeypatch):
    import numpy as np

    monkeypatch.setenv("COURSE_PROFILE", "ci")
    p = prof.setup(seed=3)
    first = np.random.rand(3)
    out = capsys.readouterr().out
    assert p.name == "ci"
    import keras

    from course_utils.environment import installed_version

    backend = keras.backend.backend()
    for part in ("versions: Python ", "Keras 3.", f"backend: {backend} {installed_version(backend)}", "device: ",
                 "profile: ci", "seed: 3"):
        assert part in out
    prof.setup(seed=3)
    np.testing.assert_array_equal(first, np.random.rand(3))


def test_seed_everything_makes_keras_weights_repeatable():
    import keras

    prof.seed_everything(7)
    a = keras.layers.Dense(4, name="d")
    a.build((None, 3))
    prof.seed_everything(7)
    b = keras.layers.Dense(4, name="d")
    b.build((None, 3))
    assert (keras.ops.convert_to_numpy(a.kernel) == keras.ops.convert_to_numpy(b.kernel)).all()


def test_filtered_stderr_drops_only_the_start_up_noise(capfd):
    from course_utils.profile import STARTUP_NOISE, filtered_stderr

    with filtered_stderr():
        os.write(2, f"I0000 port.cc:153] {STARTUP_NOISE[1]}. You may see ...\n".encode())
        os.write(2, b"a real problem\n")
    err = capfd.readouterr().err
    assert "a real problem" in err
    assert STARTUP_NOISE[1] not in err


def test_tensorflow_starts_quietly_with_onednn_kernels():
    code = ("import course_utils, os; from course_utils.profile import import_tensorflow; tf = import_tensorflow(); "
            "print(os.environ['TF_ENABLE_ONEDNN_OPTS'], tf.__version__)")
    env = {k: v for k, v in os.environ.items() if k not in ("TF_ENABLE_ONEDNN_OPTS", "TF_CPP_MIN_LOG_LEVEL")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 2.")
    assert done.stderr.strip() == ""


_FREE_CHECK = """
import gc, os
import course_utils
from course_utils.profile import import_tensorflow
tf = import_tensorflow()

def resident_mib():
    return int(open(f"/proc/{os.getpid()}/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

import keras
before = resident_mib()
model = keras.Sequential([keras.Input((8192,)), keras.layers.Dense(8192), keras.layers.Dense(8192)])  # 512 MiB
built = resident_mib()
del model
gc.collect()
print(round(built - before), round(resident_mib() - before))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("allocator, returned", [(None, True), ("false", False)])
def test_memory_of_a_deleted_model_goes_back_to_the_system(allocator, returned):
    """course_utils has oneDNN use the system allocator, so the memory of a deleted model is given back;
    oneDNN's own pool (``TF_ONEDNN_USE_SYSTEM_ALLOCATOR=false``) would keep it for the life of the process."""
    env = {k: v for k, v in os.environ.items() if k != "TF_ONEDNN_USE_SYSTEM_ALLOCATOR"}
    env["KERAS_BACKEND"] = "tensorflow"   # TensorFlow's allocator is the subject, whichever backend the suite runs
    if allocator is not None:
        env["TF_ONEDNN_USE_SYSTEM_ALLOCATOR"] = allocator
    done = subprocess.run([sys.executable, "-c", _FREE_CHECK], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    grown, kept = map(int, done.stdout.split())
    assert grown >= 500, grown  # two 8192×8192 float32 kernels: 512 MiB
    assert (kept < 150) == returned, (grown, kept)


def test_full_float32_on_gpus_turns_tensorfloat32_off_on_the_active_backend():
    """What setup calls on a GPU; a CPU machine can still check that each backend's switch is thrown."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        from course_utils.profile import import_tensorflow

        config = import_tensorflow().config.experimental
        was = config.tensor_float_32_execution_enabled()
        try:
            config.enable_tensor_float_32_execution(True)
            prof.full_float32_on_gpus()
            assert not config.tensor_float_32_execution_enabled()
        finally:
            config.enable_tensor_float_32_execution(was)
    elif backend == "jax":
        import jax

        was = jax.config.jax_default_matmul_precision
        try:
            prof.full_float32_on_gpus()
            assert jax.config.jax_default_matmul_precision == "highest"
        finally:
            jax.config.update("jax_default_matmul_precision", was)
    else:
        import torch

        was = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
        try:   # (torch's flag objects take assignment, not monkeypatch)
            torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True
            prof.full_float32_on_gpus()
            assert not torch.backends.cudnn.allow_tf32 and not torch.backends.cuda.matmul.allow_tf32
        finally:
            torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = was
    with pytest.raises(ValueError, match="tensorflow, jax or torch"):
        prof.full_float32_on_gpus("theano")


def test_setup_keeps_float32_on_a_gpu_only(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(prof, "full_float32_on_gpus", lambda backend=None: calls.append(backend))
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    prof.setup()
    assert calls == []
    monkeypatch.setattr(prof, "_gpu_available", lambda: True)
    monkeypatch.setattr("course_utils.environment.gpu_names", lambda name=None: ["a GPU"])
    prof.setup()
    assert calls == [None] and "device: GPU (a GPU)" in capsys.readouterr().out
