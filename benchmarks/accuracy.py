"""Section 3, time to accuracy: for each training notebook's model, the wall time of training until the
test accuracy first reaches the notebook's targets (the floor its ``ci`` run asserts, and the lab target).

Each model trains once per profile, with that profile's settings from :data:`benchmarks.configs.ACCURACY`
(which mirror the notebooks), in a fresh process, until the higher target is reached, the profile's epochs
are done or a wall-time cap is hit. n = 1 per cell: these runs are long, and seeded.
"""

from __future__ import annotations

from benchmarks.common import MissingDependency, Section, run_worker

HEADER = ["model", "profile", "train samples", "epochs run", "time to ci floor", "time to lab target",
          "best test acc.", "stopped by"]


def _cell(reached: dict, key: str, target: float | None) -> str:
    if target is None:
        return "–"
    if key in reached:
        r = reached[key]
        return f"{r['seconds']:.1f} s (epoch {r['epoch']}, ≥ {target:.2f})"
    return f"not reached (≥ {target:.2f})"


def run(cfg: dict) -> Section:
    section = Section(
        "accuracy", "3. Time to accuracy",
        "Wall time of training (seconds, `model.fit` including its validation pass, excluding the test "
        "evaluation done after every epoch for this measurement) until the accuracy on the test set first "
        "reaches the floor the notebook asserts in the `ci` profile and the lab target. Each model is trained "
        "once per profile with that profile's settings (subset size, epochs, batch size; listed in "
        "`benchmarks/configs.py`, mirroring the notebooks), stopping at the higher target, at the end of the "
        "profile's epochs, or at a wall-time cap that keeps the whole run within its budget. Single runs "
        "(n = 1), seeded.",
    )
    rows, rates = [], {}
    for model_cfg in cfg["models"]:
        for profile in cfg["profiles"]:
            if profile not in model_cfg["profiles"]:
                continue
            epochs = model_cfg["profiles"][profile]["epochs"]
            if profile in model_cfg.get("long", []) and not cfg.get("long"):
                samples = model_cfg.get("lab_samples", 0)
                rate = rates.get(model_cfg["name"])
                guess = f"about {samples * epochs / rate / 60:.0f} min here" if rate and samples else "long"
                rows.append([model_cfg["name"], profile, f"{samples:,}", f"0 of {epochs}", "–", "–", "–",
                             f"not run: over this report's budget ({guess}); add --long"])
                continue
            task = {**model_cfg, "profile": profile, "cap_seconds": cfg["cap_seconds"][profile]}
            targets = model_cfg["targets"]
            try:
                res = run_worker("accuracy", task, timeout=cfg["cap_seconds"][profile] * 4 + 300,
                                 in_process=cfg.get("in_process", False))
            except MissingDependency as err:
                rows.append([model_cfg["name"], profile, "–", "–", "–", "–", "–", f"not measured: {err}"])
                continue
            except RuntimeError as err:
                rows.append([model_cfg["name"], profile, "–", "–", "–", "–", "–",
                             "failed: " + str(err).strip().splitlines()[-1][:120]])
                continue
            last = res["epochs"][-1]
            if last["seconds"] > 0:
                rates[model_cfg["name"]] = res["train_samples"] * last["epoch"] / last["seconds"]
            best = max(e["test_accuracy"] for e in res["epochs"])
            stopped = res["stopped"]
            if stopped == "time cap":
                stopped = f"time cap ({cfg['cap_seconds'][profile]} s)"
            rows.append([model_cfg["name"], profile, f"{res['train_samples']:,}",
                         f"{len(res['epochs'])} of {epochs}",
                         _cell(res["reached"], "ci", targets.get("ci")),
                         _cell(res["reached"], "lab", targets.get("lab")), f"{best:.4f}", stopped])
            section.data[f"{model_cfg['name']} [{profile}]"] = res
    section.table("Time to accuracy (n = 1 per row)", HEADER, rows)
    return section
