"""Section 1, the machine limit: the fp32 matrix-multiply rate through TensorFlow.

A large square GEMM is the best case for a CPU: every number loaded is used ``n`` times, so the
arithmetic units, not memory, set the pace. Its rate is the practical peak that section 2 compares
training against. ``C = A @ B`` with ``n x n`` matrices costs ``2 n^3`` floating-point operations.
"""

from __future__ import annotations

import time

from benchmarks.common import Section, Stats


def gemm_rate(n: int, repeats: int, min_seconds: float = 0.5) -> Stats:
    """GFLOP/s of ``tf.linalg.matmul`` on two ``n x n`` float32 matrices, one value per repeat.

    Each repeat multiplies as many times as needed to last at least ``min_seconds`` (after one warm-up).
    """
    import tensorflow as tf

    a = tf.random.stateless_normal((n, n), seed=(1, 2), dtype=tf.float32)
    b = tf.random.stateless_normal((n, n), seed=(3, 4), dtype=tf.float32)
    tf.linalg.matmul(a, b).numpy()
    start = time.perf_counter()
    tf.linalg.matmul(a, b).numpy()
    one = max(time.perf_counter() - start, 1e-6)
    calls = max(1, int(min_seconds / one))
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            c = tf.linalg.matmul(a, b)
        c.numpy()
        rates.append(2.0 * n**3 * calls / (time.perf_counter() - start) / 1e9)
    return Stats(rates)


def numpy_gemm_rate(n: int, repeats: int) -> Stats:
    """GFLOP/s of NumPy's ``@`` (its BLAS) on the same problem, for comparison."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        rates.append(2.0 * n**3 / (time.perf_counter() - start) / 1e9)
    return Stats(rates)


def run(cfg: dict) -> Section:
    section = Section(
        "gemm", "1. Machine limit: fp32 matrix multiply",
        "The rate of a large square float32 matrix product `tf.linalg.matmul(A, B)`, counted as "
        "2·n³ floating-point operations per product. It is the best a CPU does on dense arithmetic, "
        "so it serves as the practical peak for section 2. NumPy's BLAS on the same product is shown "
        "for comparison; the peak is the best median of the TensorFlow rows.",
    )
    rows, peak, best_n = [], 0.0, None
    for n in cfg["sizes"]:
        tf_rate = gemm_rate(n, cfg["repeats"], cfg["min_seconds"])
        np_rate = numpy_gemm_rate(n, cfg["repeats"])
        rows.append([f"{n}", f"{2 * n**3 / 1e9:.2f}", tf_rate.fmt(1), np_rate.fmt(1), str(tf_rate.n)])
        section.data[str(n)] = {"tensorflow": tf_rate.to_dict(), "numpy": np_rate.to_dict()}
        if tf_rate.median > peak:
            peak, best_n = tf_rate.median, n
    section.table("fp32 GEMM rate, GFLOP/s: median (min–max)",
                  ["n", "GFLOP per product", "TensorFlow GFLOP/s", "NumPy GFLOP/s", "repeats"], rows)
    section.data["peak_gflops"] = peak
    section.notes.append(f"**Practical peak: {peak:.1f} GFLOP/s** (TensorFlow, n = {best_n}).")
    return section
