"""Data-parallel training on the active backend's own engine (course_utils.distributed).

The CPU is split into two logical devices in a fresh interpreter (a backend can be split only before it first
computes), and training there with the same global batch must give one device's weights to float rounding,
with the engine reporting two replicas. The two-process JAX run goes over the loopback interface.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from course_utils import distributed

BACKEND = keras.backend.backend()
needs_engine = pytest.mark.skipif(not distributed.supported(BACKEND), reason=f"Keras has no data-parallel engine on {BACKEND}")


def run_python(code: str, timeout: int = 240) -> dict:
    """Run ``code`` in a fresh interpreter on the active backend; it prints one JSON line last."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "KERAS_BACKEND": BACKEND})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


TWO_DEVICES = """
import json
import numpy as np
from course_utils import distributed
n = distributed.split_cpu(2)
one = distributed.train_small_cnn(distributed.local_devices()[:1], global_batch={batch_one})
two = distributed.train_small_cnn(distributed.local_devices(), global_batch={batch_two})
print(json.dumps({{"devices": n, "replicas": [one["replicas"], two["replicas"]],
    "diff": max(float(np.abs(a - b).max()) for a, b in zip(one["final"], two["final"])),
    "moved": max(float(np.abs(a - b).max()) for a, b in zip(one["final"], one["initial"]))}}))
"""


@needs_engine
def test_two_devices_train_to_the_weights_of_one():
    got = run_python(TWO_DEVICES.format(batch_one=16, batch_two=16))
    assert got["devices"] == 2 and got["replicas"] == [1, 2]
    assert got["moved"] > 1e-2           # the steps changed the weights, so equal weights mean equal updates
    assert got["diff"] < 1e-5, got       # float rounding: the all-reduce sums in another order


@needs_engine
def test_the_weight_comparison_tells_another_update_apart():
    # Two devices that each took a global batch of 8 (as a summed instead of averaged gradient of
    # half-batches would, in effect) end elsewhere: the comparison above can fail.
    got = run_python(TWO_DEVICES.format(batch_one=16, batch_two=8))
    assert got["diff"] > 1e-3, got


@needs_engine
def test_a_started_backend_cannot_be_split_again():
    got = run_python("""
        import json
        from course_utils import distributed
        distributed.split_cpu(2)
        distributed.train_small_cnn(steps=1)
        try:
            distributed.split_cpu(3)
        except RuntimeError as err:
            print(json.dumps({"error": str(err)}))
        """)
    assert "restart the kernel" in got["error"] and "2 CPU device" in got["error"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(BACKEND != "jax", reason="the multi-process run uses JAX")
def test_two_processes_over_loopback_train_to_the_weights_of_one(tmp_path):
    command = [sys.executable, "-m", "course_utils.distributed"]
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    subprocess.run([*command, "0", "1", "127.0.0.1:1", str(tmp_path / "one.npz")], check=True, timeout=120, env=env,
                   capture_output=True)
    coordinator = f"127.0.0.1:{free_port()}"
    procs = [subprocess.Popen([*command, str(i), "2", coordinator, str(tmp_path / f"p{i}.npz"), "--timeout", "90"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    try:
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outputs]
    assert "trained on 2 devices (1 of them local)" in outputs[0][0]
    one, p0, p1 = (np.load(tmp_path / name) for name in ("one.npz", "p0.npz", "p1.npz"))
    assert int(one["replicas"]) == 1 and int(p0["replicas"]) == int(p1["replicas"]) == 2
    names = [k for k in one.files if k.startswith("arr_")]
    assert len(names) == 4
    for name in names:
        np.testing.assert_allclose(p0[name], one[name], atol=1e-5)
        np.testing.assert_array_equal(p0[name], p1[name])   # every process holds the same replica


def test_the_two_process_command_stops_by_itself_when_a_peer_never_comes(tmp_path):
    if BACKEND != "jax":
        pytest.skip("the multi-process run uses JAX")
    done = subprocess.run([sys.executable, "-m", "course_utils.distributed", "0", "2", f"127.0.0.1:{free_port()}",
                           str(tmp_path / "w.npz"), "--timeout", "15"], capture_output=True, text=True, timeout=90,
                          env={**os.environ, "KERAS_BACKEND": "jax"})
    assert done.returncode != 0 and not (tmp_path / "w.npz").exists()


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_split_cpu_rejects_a_bad_count(bad):
    with pytest.raises((TypeError, ValueError), match="n"):
        distributed.split_cpu(bad)


def test_bad_device_arguments_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="'gpu', 'cpu' or None"):
        distributed.local_devices("tpu")
    with pytest.raises(ValueError, match="non-empty list"):
        with distributed.data_parallel([]):
            pass
    with pytest.raises(ValueError, match="twice"):
        with distributed.data_parallel(["a", "a"]):
            pass
    if distributed.supported():
        with pytest.raises(ValueError, match="local_devices"):
            with distributed.data_parallel(["no-such-device"]):
                pass


@pytest.mark.skipif(BACKEND != "torch", reason="PyTorch only")
def test_torch_refuses_several_devices_and_says_which_backends_can():
    with pytest.raises(NotImplementedError, match="KERAS_BACKEND=jax or tensorflow"):
        with distributed.data_parallel(["cpu", "cuda:0"]):
            pass


def test_one_device_scope_reports_one_replica():
    with distributed.data_parallel(distributed.local_devices()[:1]) as replicas:
        assert replicas == 1


def test_initialize_processes_checks_its_arguments():
    if BACKEND != "jax":
        with pytest.raises(NotImplementedError, match="KERAS_BACKEND=jax"):
            distributed.initialize_processes("127.0.0.1:1234", 2, 0)
        return
    with pytest.raises(ValueError, match="host:port"):
        distributed.initialize_processes("localhost", 2, 0)
    with pytest.raises(ValueError, match="out of range"):
        distributed.initialize_processes("127.0.0.1:1234", 2, 2)


def test_without_two_gpus_nothing_is_distributed():
    if distributed.local_devices("gpu"):
        pytest.skip("this machine has a GPU")
    assert distributed.use_all_gpus() == 1


@needs_engine
def test_setup_splits_the_cpu_before_anything_computes():
    got = run_python("""
        import contextlib, io, json
        import course_utils as cu
        from course_utils import distributed
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            cu.setup(cpu_devices=2)
        print(json.dumps({"devices": len(distributed.local_devices()), "printed": printed.getvalue()}))
        """)
    assert got["devices"] == 2 and "seed: 0" in got["printed"]


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's device lists")
def test_jax_cpu_devices_are_found_beside_a_gpu(monkeypatch):
    """On a machine with a GPU, jax.local_devices() and jax.devices() list only the GPUs (the default platform);
    the CPU devices must still be found and usable by name."""
    import jax

    cpus = jax.devices("cpu")

    class FakeGpu:
        platform, id = "gpu", 0

    gpu = FakeGpu()
    real_local, real_devices = jax.local_devices, jax.devices
    monkeypatch.setattr(jax, "local_devices", lambda backend=None, **kw: [gpu] if backend in (None, "gpu") else real_local(backend=backend))
    monkeypatch.setattr(jax, "devices", lambda backend=None: [gpu] if backend in (None, "gpu") else real_devices(backend))
    assert distributed.local_devices("cpu") == [f"cpu:{d.id}" for d in cpus]
    assert distributed.local_devices("gpu") == ["gpu:0"] and distributed.local_devices() == ["gpu:0"]
    assert distributed._jax_devices(["cpu:0"]) == [cpus[0]]
    assert distributed._jax_devices(["gpu:0"]) == [gpu]
