"""Section 3, time to accuracy: for each trained model of the notebooks, the wall time of training with its
recipe (:mod:`course_utils.recipes`, the settings the notebook trains with) until the *validation* accuracy
first reaches the lab target, and the test accuracy at that point.

Each row trains its recipe once per seed, in a fresh process, until the target is reached, the recipe's epochs
are done (or its early stopping ends them) or a wall-time cap is hit. Rows with changed settings (``changes``)
show what else was tried: the time–accuracy frontier around a recipe. Each recipe runs on every Keras backend of
``backends`` (the same recipe and data; the backend is set in the fresh process's environment), on the seeds
``backend_seeds`` for the backends after the first.
"""

from __future__ import annotations

import importlib.util
import os

from benchmarks.common import Section, Stats, run_worker

HEADER = ["model", "profile", "backend", "settings", "target (val.)", "seeds reaching it", "time to target (s)",
          "epochs", "test acc. at stop", "whole run (s)", "stopped by"]


def _label(entry: dict) -> str:
    changes = entry.get("changes") or {}
    if not changes:
        return "recipe"
    return "recipe with " + ", ".join(f"{k.replace('_', ' ')} {v:g}" if isinstance(v, float) else
                                      f"{k.replace('_', ' ')} {v}" for k, v in changes.items())


def _name(entry: dict) -> str:
    names = {"fcn": "FCN", "kim_cnn": "Text CNN (Kim 2014), Rotten Tomatoes", "vgg11": "VGG11 (width ¼, BN), Fashion-MNIST",
             "mini_xception": "Xception-style (width ½), Fashion-MNIST"}
    name = names.get(entry["recipe"], entry["recipe"])
    return f"{name}, {entry['dataset']}" if entry.get("dataset") else name


def run(cfg: dict) -> Section:
    section = Section(
        "accuracy", "3. Time to accuracy",
        "Wall time of training (seconds, `model.fit` including its validation pass; the test evaluation after "
        "every epoch, done only for this report, is left out and decides nothing) until the accuracy on the "
        "validation split first reaches the lab target, with the test accuracy at that epoch. Each row trains "
        "the notebook's own recipe (`course_utils.recipes`, the settings the notebook trains with), or the "
        "recipe with the settings named, in a fresh process per seed and Keras backend (the same recipe, data "
        "pipeline and seeds; only `KERAS_BACKEND` differs); it stops at the target, at the end of "
        "the recipe's epochs or its early stopping, or at a wall-time cap. Figures are the median over the "
        "seeds with the range in parentheses; times to target count only the seeds that reached it; "
        "\"whole run\" is the training time until the run stopped.",
    )
    rows = []
    for entry in cfg["models"]:
        backends = entry.get("backends", cfg.get("backends", ["tensorflow"]))
        for profile in entry.get("profiles", cfg["profiles"]):
            for backend in backends:
                seeds = (entry.get("seeds", cfg["seeds"]) if backend == backends[0]
                         else entry.get("backend_seeds", cfg.get("backend_seeds", cfg["seeds"])))
                rows.append(_row(section, entry, profile, backend, seeds, cfg))
    section.table("Time to the lab target (median (min–max) over seeds)", HEADER, rows)
    return section


def _row(section: Section, entry: dict, profile: str, backend: str, seeds: list[int], cfg: dict) -> list[str]:
    """Train one recipe on one backend for every seed; the table row of the results."""
    head = [_name(entry), profile, backend, _label(entry)]
    if importlib.util.find_spec(backend) is None:
        return [*head, *["–"] * 6, f"not installed (KERAS_BACKEND={backend} make env)"]
    cap = cfg["cap_seconds"][profile]
    in_process = cfg.get("in_process", False) and backend == os.environ.get("KERAS_BACKEND", "tensorflow")
    results = []
    for seed in seeds:
        task = {"recipe": entry["recipe"], "dataset": entry.get("dataset"), "profile": profile,
                "seed": seed, "changes": entry.get("changes", {}), "cap_seconds": cap}
        try:
            results.append(run_worker("accuracy", task, timeout=cap * 3 + 300, in_process=in_process,
                                      env=None if in_process else {"KERAS_BACKEND": backend}))
        except RuntimeError as err:
            return [*head, *["–"] * 6, "failed: " + str(err).strip().splitlines()[-1][:120]]
    hit = [r["reached"] for r in results if r["reached"]]
    stopped = sorted({r["stopped"] for r in results})
    at_stop = [r["reached"]["test_accuracy"] if r["reached"] else r["epochs"][-1]["test_accuracy"] for r in results]
    section.data[f"{_name(entry)} [{profile}, {backend}] {_label(entry)}"] = results
    return [*head, f"{results[0]['target']:.2f}", f"{len(hit)} of {len(results)}",
            Stats([h["seconds"] for h in hit]).fmt(1) if hit else "not reached",
            Stats([float(h["epoch"]) for h in hit]).fmt(0) if hit else
            Stats([float(r["epochs"][-1]["epoch"]) for r in results]).fmt(0),
            Stats(at_stop).fmt(4), Stats([r["epochs"][-1]["seconds"] for r in results]).fmt(1),
            "; ".join(s.replace("time cap", f"time cap ({cap} s)") for s in stopped)]
