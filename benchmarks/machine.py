"""The machine a report was measured on: CPU, cores, memory, library versions, GPU."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from benchmarks.common import ROOT


def _cpuinfo() -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() not in info:
                info[key.strip()] = value.strip()
    except OSError:
        pass
    return info


def cpu_model() -> str:
    """The CPU's model name (with family/model numbers on x86, since hypervisors often hide the name)."""
    info = _cpuinfo()
    name = info.get("model name") or platform.processor() or platform.machine()
    if "cpu family" in info and "model" in info:
        name += f" (family {info['cpu family']}, model {info['model']})"
    return name


def vector_extensions() -> str:
    flags = set(_cpuinfo().get("flags", "").split())
    wanted = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile"]
    present = [f for f in wanted if f in flags]
    return ", ".join(present) if present else "unknown"


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def describe() -> dict[str, str]:
    """Machine and software facts as ``{label: value}``, in the order the report prints them."""
    import course_utils  # noqa: F401, I001  (first: it sets TensorFlow's environment, oneDNN included)
    import keras
    import numpy as np
    import scipy
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    gpu = ", ".join(tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus)
    build = tf.sysconfig.get_build_info()
    mem = memory_gib()
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset")
    return {
        "CPU": cpu_model(),
        "Cores (logical, usable by this process)": f"{os.cpu_count()}, {len(os.sched_getaffinity(0))}",
        "Vector extensions": vector_extensions(),
        "Memory": f"{mem:.1f} GiB" if mem else "unknown",
        "GPU": gpu or "none",
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        "TensorFlow": f"{tf.__version__} ({'CUDA' if build.get('is_cuda_build') else 'CPU'} build)",
        "Keras": keras.__version__,
        "NumPy": np.__version__,
        "SciPy": scipy.__version__,
        "TF_ENABLE_ONEDNN_OPTS": onednn,
        "Course commit": git_commit(),
    }
