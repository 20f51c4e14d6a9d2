"""Data-parallel training with the Keras backends' own engines (notebook 10).

Each device holds a replica of the model, takes its share of every global batch, and the replicas' gradients
are averaged before the one update that all of them apply. Nothing here implements that: the engines do.

* JAX: ``keras.distribution.DataParallel`` (Keras' distribution API; XLA shards the batch and all-reduces
  the gradients), also across processes and machines after ``keras.distribution.initialize``.
* TensorFlow: ``tf.distribute.MirroredStrategy`` (one replica per device, gradients all-reduced).
* PyTorch: Keras has no data-parallel engine for it; PyTorch's own ``DistributedDataParallel`` runs one
  process per device with its own training loop, outside ``model.fit``. On PyTorch the course trains on one
  device.

On a CPU there is one device; :func:`split_cpu` divides it into several logical ones, which is how the course
tests on a laptop that two devices train to the same weights as one.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import sys
from collections.abc import Iterator, Sequence

from course_utils import _checks

#: The backends with a data-parallel engine that Keras' ``fit`` uses.
ENGINES = {"jax": "keras.distribution.DataParallel", "tensorflow": "tf.distribute.MirroredStrategy"}


def _backend() -> str:
    import keras

    return keras.backend.backend()


def supported(backend: str | None = None) -> bool:
    """Whether Keras can train data-parallel on ``backend`` (the active one by default)."""
    return (backend or _backend()) in ENGINES


def split_cpu(n: int) -> int:
    """Divide the CPU into ``n`` logical devices for the active backend; returns how many there are now.

    Must run before the backend first computes (in a notebook: ``cu.setup(cpu_devices=n)`` in the first
    cell). JAX: ``jax_num_cpu_devices``; TensorFlow: a logical device configuration of the CPU. PyTorch has
    no such setting: it keeps one device and this returns 1.

    Raises:
        ValueError: for an ``n`` that is not a positive integer.
        RuntimeError: if the backend has already started with another number of devices (restart the
            kernel and call this first).
    """
    n = _checks.positive_int(n, "n")
    backend = _backend()
    if backend == "jax":
        import jax

        try:
            jax.config.update("jax_num_cpu_devices", n)
        except RuntimeError as err:
            if len(jax.devices("cpu")) != n:
                raise RuntimeError(
                    f"JAX has already started with {len(jax.devices('cpu'))} CPU device(s), so it cannot be split into {n}: "
                    "restart the kernel and call split_cpu (or cu.setup(cpu_devices=...)) before anything computes."
                ) from err
        return len(jax.devices("cpu"))
    if backend == "tensorflow":
        from course_utils.profile import import_tensorflow

        tf = import_tensorflow()
        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)
        except RuntimeError as err:
            if len(tf.config.list_logical_devices("CPU")) != n:
                raise RuntimeError(
                    f"TensorFlow has already started with {len(tf.config.list_logical_devices('CPU'))} CPU device(s), so it "
                    f"cannot be split into {n}: restart the kernel and call split_cpu (or cu.setup(cpu_devices=...)) first."
                ) from err
        return len(tf.config.list_logical_devices("CPU"))
    return 1


def local_devices(kind: str | None = None) -> list[str]:
    """The active backend's local devices of ``kind`` (``"gpu"`` or ``"cpu"``), as its engine names them.

    With ``kind=None``: the GPUs if there are any, else the CPU devices.

    Raises:
        ValueError: for a ``kind`` other than ``"gpu"``, ``"cpu"`` or None.
    """
    if kind not in (None, "gpu", "cpu"):
        raise ValueError(f"kind must be 'gpu', 'cpu' or None (GPUs if any, else CPUs), not {kind!r}.")
    backend = _backend()
    if kind is None:
        return local_devices("gpu") or local_devices("cpu")
    if backend == "jax":
        import jax

        try:   # the platform's own list: jax.local_devices() alone holds only the default platform's (the GPUs, if any)
            found = jax.local_devices(backend=kind)
        except RuntimeError:   # no such platform in this JAX (e.g. no GPU build)
            return []
        return [f"{d.platform}:{d.id}" for d in found if d.platform == kind]
    if backend == "tensorflow":
        from course_utils.profile import import_tensorflow

        tf = import_tensorflow()
        return [d.name for d in tf.config.list_logical_devices(kind.upper())]
    import torch

    if kind == "gpu":
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu"]


def global_devices() -> list[str]:
    """The devices of every process of the run: after :func:`initialize_processes` on JAX, those of all
    processes (GPUs if there are any, else CPUs); otherwise :func:`local_devices`."""
    if _backend() != "jax":
        return local_devices()
    import jax

    kind = "gpu" if any(d.platform == "gpu" for d in jax.devices()) else "cpu"
    return [f"{d.platform}:{d.id}" for d in jax.devices() if d.platform == kind]


def _jax_devices(names: Sequence[str]):
    import jax

    every = list(jax.devices())   # the default platform's devices, and the CPUs beside a GPU's
    every += [d for d in jax.devices("cpu") if d not in every]
    by_name = {f"{d.platform}:{d.id}": d for d in every}
    missing = [name for name in names if name not in by_name]
    if missing:
        raise ValueError(f"unknown JAX device(s) {missing}; the devices are {sorted(by_name)} (see local_devices()).")
    return [by_name[name] for name in names]


def _strategy_devices(devices: Sequence[str] | None) -> list[str]:
    devices = list(local_devices() if devices is None else devices)
    if not devices or not all(isinstance(d, str) for d in devices):
        raise ValueError(f"devices must be a non-empty list of device names from local_devices(), not {devices!r}.")
    if len(set(devices)) != len(devices):
        raise ValueError(f"devices {devices} name a device twice; give each device once.")
    return devices


@functools.cache
def _mirrored(devices: tuple[str, ...]):
    """One MirroredStrategy per device set for the life of the process: a second strategy over the same devices
    would reuse the first one's collective keys, and TensorFlow aborts the all-reduce of a model whose
    gradients have another size ("Shape mismatch in the collective instance")."""
    from course_utils.profile import import_tensorflow

    return import_tensorflow().distribute.MirroredStrategy(list(devices))


@contextlib.contextmanager
def data_parallel(devices: Sequence[str] | None = None) -> Iterator[int]:
    """A scope in which the models built, compiled and fitted train data-parallel on ``devices``.

    Yields the number of replicas. ``devices``: names from :func:`local_devices` (all of them by default).
    Build *and* compile the model inside the scope; the global batch of ``fit`` is split evenly between the
    replicas, so it must be a multiple of their number.

    Raises:
        ValueError: for an empty or repeated device list, or a name the backend does not have.
        NotImplementedError: on PyTorch with more than one device (Keras has no engine for it there).
    """
    backend = _backend()
    if backend == "jax" and devices is None:
        devices = global_devices()
    devices = _strategy_devices(devices)
    if backend == "jax":
        import keras

        with keras.distribution.DataParallel(devices=_jax_devices(devices)).scope():
            yield len(devices)
    elif backend == "tensorflow":
        known = set(local_devices("cpu") + local_devices("gpu"))
        unknown = [d for d in devices if d not in known]
        if unknown:
            raise ValueError(f"unknown TensorFlow device(s) {unknown}; the devices are {sorted(known)} (see local_devices()).")
        with _mirrored(tuple(devices)).scope():
            yield len(devices)
    else:
        if len(devices) > 1:
            raise NotImplementedError(
                f"Keras has no data-parallel engine for the {backend} backend; use KERAS_BACKEND=jax or tensorflow to "
                "train on several devices (PyTorch's own DistributedDataParallel runs outside model.fit)."
            )
        yield 1


def use_all_gpus() -> int:
    """Make every later model train data-parallel on all local GPUs, when there are two or more.

    The ``full`` profile calls this (through :func:`course_utils.setup`). Returns the number of replicas:
    1 (and nothing changes) with fewer than two GPUs, or on PyTorch.
    """
    gpus = local_devices("gpu")
    backend = _backend()
    if len(gpus) < 2 or not supported(backend):
        return 1
    if backend == "jax":
        import keras

        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=_jax_devices(gpus)))
    else:
        from course_utils.profile import import_tensorflow

        tf = import_tensorflow()
        tf.distribute.experimental_set_strategy(_mirrored(tuple(gpus)))
    return len(gpus)


def initialize_processes(coordinator: str, num_processes: int, process_id: int) -> None:
    """Join a multi-process JAX run (several machines, or several processes on one): every process calls this
    with the same ``coordinator`` (``host:port`` of process 0) and ``num_processes``, and its own
    ``process_id``; then ``data_parallel()`` spans the devices of all processes and ``fit`` on a ``tf.data``
    dataset gives each process its share. On CPUs the collectives go through Gloo.

    Raises:
        ValueError: for a malformed coordinator address or a process id out of range.
        NotImplementedError: on a backend other than JAX.
    """
    if _backend() != "jax":
        raise NotImplementedError("multi-process training in the course uses JAX: run it with KERAS_BACKEND=jax.")
    num_processes = _checks.positive_int(num_processes, "num_processes")
    process_id = _checks.non_negative_int(process_id, "process_id")
    if process_id >= num_processes:
        raise ValueError(f"process_id {process_id} is out of range for {num_processes} processes: use 0 to {num_processes - 1}.")
    host, _, port = str(coordinator).rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"coordinator must be 'host:port' of process 0, for example '127.0.0.1:12355', not {coordinator!r}.")
    import jax
    import keras

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    keras.distribution.initialize(job_addresses=coordinator, num_processes=num_processes, process_id=process_id)


def _small_cnn():
    import keras

    return keras.Sequential([
        keras.Input((12, 12, 1)),
        keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
        keras.layers.MaxPooling2D(name="pool"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(3, name="dense"),
    ], name="small_cnn")


def train_small_cnn(devices: Sequence[str] | None = None, *, steps: int = 4, global_batch: int = 16, seed: int = 0):
    """Train a small CNN (no batch norm, no dropout: nothing that depends on the split) for ``steps`` SGD steps of
    ``global_batch`` seeded samples inside :func:`data_parallel` on ``devices``; return its weights as NumPy arrays.

    The same call on one device and on several gives the same weights up to float rounding, the check of
    ``tests/test_distributed.py`` and of the two-process run (``python -m course_utils.distributed``).

    Returns:
        ``{"initial": weights before, "final": weights after, "replicas": the engine's replica count}``.
    """
    import keras
    import numpy as np

    from course_utils.profile import import_tensorflow

    tf = import_tensorflow()
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps * global_batch, 12, 12, 1)).astype("float32")
    y = rng.integers(0, 3, steps * global_batch)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch)
    with data_parallel(devices):
        keras.utils.set_random_seed(seed)
        model = _small_cnn()
        model.compile(keras.optimizers.SGD(0.1), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        initial = [keras.ops.convert_to_numpy(w) for w in model.weights]
        model.fit(ds, epochs=1, shuffle=False, verbose=0)
        replicas = engine_replicas(model)
    return {"initial": initial, "final": [_local_numpy(w) for w in model.weights], "replicas": replicas}


def engine_replicas(model=None) -> int:
    """How many replicas the engine itself reports: TensorFlow's strategy in scope, or the number of devices
    that hold ``model``'s first weight under JAX (1 on PyTorch)."""
    backend = _backend()
    if backend == "tensorflow":
        from course_utils.profile import import_tensorflow

        return int(import_tensorflow().distribute.get_strategy().num_replicas_in_sync)
    if backend == "jax":
        if model is None:
            raise ValueError("under JAX the replicas are read off a model's weights: pass the model.")
        return len(model.weights[0].value.sharding.device_set)
    return 1


def _local_numpy(variable):
    import keras

    if _backend() == "jax":
        import numpy as np

        return np.asarray(variable.value.addressable_data(0))
    return keras.ops.convert_to_numpy(variable)


def _main(argv: Sequence[str] | None = None) -> int:
    """``python -m course_utils.distributed PROCESS_ID NUM_PROCESSES COORDINATOR OUT.npz``: one process of a
    multi-process JAX run of :func:`train_small_cnn`; it writes its final weights to ``OUT.npz``."""
    import argparse

    import numpy as np

    parser = argparse.ArgumentParser(prog="python -m course_utils.distributed", description=_main.__doc__)
    parser.add_argument("process_id", type=int)
    parser.add_argument("num_processes", type=int)
    parser.add_argument("coordinator", help="host:port of process 0, e.g. 127.0.0.1:12355")
    parser.add_argument("out", help="where to write this process's final weights (.npz)")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds after which the process stops by itself, finished or not (default 120)")
    args = parser.parse_args(argv)
    faulthandler.dump_traceback_later(args.timeout, exit=True)   # a peer that never comes cannot hang the run
    if args.num_processes > 1:
        initialize_processes(args.coordinator, args.num_processes, args.process_id)
    run = train_small_cnn()
    np.savez(args.out, *run["final"], replicas=run["replicas"])
    print(f"process {args.process_id} of {args.num_processes}: trained on {len(global_devices())} devices "
          f"({len(local_devices())} of them local), weights in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
