"""Section 2, training efficiency: images per second of VGG11 and the Xception-style model, and the FLOP
rate that makes as a fraction of the GEMM peak of section 1.

Multiply-adds (MACs) per image come from ``course_utils.complexity.count_macs`` (from the layer shapes);
the count is checked on the paper's VGG11 (7.6 G per 224×224 image). Training one image costs about
three forward passes (the forward pass, and two products of the same size in the backward pass: gradients
with respect to the inputs and to the weights), each MAC being two floating-point operations, so
``training FLOP/s = 6 × MACs × images/s``. Each configuration runs in a fresh process on random data
of the course's shapes (the arithmetic does not depend on the values).
"""

from __future__ import annotations

import importlib.util
import re

from benchmarks import configs
from benchmarks.common import Section, Stats, run_worker

HEADER = ["configuration", "images/s", "GFLOP/s", "of peak", "vs baseline"]


def _variant(name: str) -> dict:
    for v in configs.VARIANTS:
        if v["name"] == name:
            return dict(v)
    raise ValueError(f"unknown variant {name!r}")


def measure(model_cfg: dict, variant: dict, repeats: int, in_process: bool = False) -> dict:
    task = {"model": model_cfg["model"], "samples": model_cfg["samples"], "repeats": repeats,
            "batch_size": variant.get("batch_size", model_cfg.get("batch_size", 128))}
    for key in ("data", "intra", "inter", "data_format", "jit", "keras_batch_norm", "keras_separable",
                "keras_pooling"):
        if key in variant:
            task[key] = variant[key]
    return run_worker("throughput", task, env=variant.get("env"), in_process=in_process)


def run(cfg: dict, peak_gflops: float | None, peak_source: str = "section 1") -> Section:
    section = Section(
        "training", "2. Training efficiency",
        "Training throughput (`model.fit`, Adam, sparse categorical cross-entropy) of the course's two "
        "image models at the course's sizes (Fashion-MNIST, 28×28×1, 10 classes), on random data of that "
        "shape, in a fresh process per configuration: one warm-up epoch, then each of the next epochs is "
        "one repeat. Multiply-adds per image come from `course_utils.complexity.count_macs`, which counts "
        "them from the layer shapes; a training step costs about 3× the forward pass, so the achieved "
        "rate is 6 × MACs × images/s FLOP/s, shown as a fraction of the fp32 GEMM peak (the note below says "
        "where it comes from). Each "
        "variant changes one setting from the baseline; the baseline is TensorFlow, and the `backend:` rows run "
        "the same model and data on JAX and PyTorch (TensorFlow's thread settings do not apply there). Every "
        "model is compiled with Keras' default `jit_compile=\"auto\"`, as the notebooks' are: XLA on JAX, "
        "TensorFlow's own kernels on a CPU, PyTorch's eager operations.",
    )
    repeats = cfg["repeats"]
    if peak_gflops:
        section.notes.append(f"Peak used: {peak_gflops:.1f} GFLOP/s ({peak_source}).")
    check = cfg.get("paper_check")
    if check:
        res = run_worker("macs", {"model": check})
        gmacs = res["macs"] / 1e9
        section.data["vgg11_paper_gmacs"] = gmacs
        section.notes.append(
            f"MAC count check: VGG11 as in the paper (224×224×3, 1000 classes, {res['params']:,} "
            f"parameters) counts **{gmacs:.2f} G** multiply-adds per image; the published figure is "
            f"~{configs.VGG11_PAPER_GMACS} G ({gmacs / configs.VGG11_PAPER_GMACS:.3f}×).")
    for model_cfg in cfg["models"]:
        names = [v["name"] for v in configs.VARIANTS] if model_cfg["variants"] == "all" else model_cfg["variants"]
        rows, base, info = [], None, {}
        for name in names:
            variant = _variant(name)
            backend = variant.get("env", {}).get("KERAS_BACKEND")
            if backend and importlib.util.find_spec(backend) is None:
                rows.append([name, "not installed", "–", "–", f"(install it with KERAS_BACKEND={backend} make env)"])
                continue
            try:
                res = measure(model_cfg, variant, repeats, cfg.get("in_process", False))
            except RuntimeError as err:
                lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
                why = next((ln for ln in lines if re.search(r"only supports|not supported|NHWC|NCHW", ln)), lines[-1])
                rows.append([name, "failed", "–", "–", f"({why[:200]})"])
                section.data.setdefault(model_cfg["name"], {})[name] = {"error": str(err)[-2000:]}
                continue
            stats = Stats(res["images_per_second"])
            info = info or res  # the first variant that ran (the baseline) describes the model
            base = base or stats.median
            macs = info.get("macs")  # the same network in every variant: count its work once
            flops = Stats([6 * macs * v / 1e9 for v in stats.values])
            frac = f"{flops.median / peak_gflops:.1%}" if peak_gflops else "–"
            rows.append([name, stats.fmt(0), flops.fmt(1), frac, f"{stats.median / base:.2f}×"])
            section.data.setdefault(model_cfg["name"], {})[name] = {"images_per_second": stats.to_dict(),
                                                                    "macs": macs, "params": res["params"]}
        if rows:
            macs = info.get("macs")
            mac_text = f"{macs / 1e6:,.1f} M MACs per image" if macs else "MACs not counted (no configuration ran)"
            section.table(f"{model_cfg['name']}: {info.get('params', 0):,} parameters, {mac_text}, "
                          f"{model_cfg['samples']:,} images per epoch, median of {repeats} epochs (min–max)",
                          HEADER, rows)
            measured = [r for r in rows if r[1] not in ("failed", "not installed")]
            if measured:
                best = max(measured, key=lambda r: float(r[1].split()[0].replace(",", "")))
                section.notes.append(f"{model_cfg['name']}: fastest configuration: {best[0]} ({best[1]} images/s).")
    return section
