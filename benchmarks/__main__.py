"""``python -m benchmarks``: measure the course on this machine and write ``benchmarks/RESULTS.md``."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shlex
import sys
import time
import traceback
from pathlib import Path

from benchmarks import configs
from benchmarks.common import ROOT, Section, cpu_lock, lock_wait_seconds, set_cpu_lock

DEFAULT_OUTPUT = ROOT / "benchmarks" / "RESULTS.md"
RUN_ORDER = ("gemm", "convolution", "training", "accuracy", "suite")  # short sections first
RAW_DIR = ROOT / "benchmarks" / "out"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="fewer sizes, variants, seeds and notebooks")
    p.add_argument("--tiny", action="store_true", help="seconds-long toy settings (what the unit test runs)")
    p.add_argument("--only", default=",".join(configs.SECTIONS),
                   help=f"comma-separated sections to run, from {','.join(configs.SECTIONS)} (default: all)")
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report to write")
    p.add_argument("--raw", type=Path, default=None, help="JSON file for the raw figures "
                   "(default: benchmarks/out/results.json next to the default report; none otherwise)")
    p.add_argument("--suite-seconds", type=float, default=None,
                   help="wall time of the whole test command measured separately (e.g. `time make test`)")
    p.add_argument("--whole-suite", action="store_true",
                   help="also run the whole test command once as one process (doubles section 4's time)")
    p.add_argument("--long", action="store_true",
                   help="section 3: raise the wall-time cap of each training to 30 minutes")
    p.add_argument("--lock", default=None, metavar="PATH",
                   help="take an exclusive flock on PATH for each measurement (on a machine shared with other "
                        "jobs, e.g. /tmp/course-cpu.lock); do not also wrap the run in `flock PATH`")
    p.add_argument("--merge", action="store_true",
                   help="keep the other sections as they stand in the existing report at --output and replace only "
                        "those run now")
    p.add_argument("--peak-gflops", type=float, default=None,
                   help="GEMM peak to use in section 2 when section 1 is not run (default: measured quickly)")
    return p.parse_args(argv)


def _run_section(key: str, cfg: dict, args: argparse.Namespace, state: dict) -> Section:
    from benchmarks import accuracy, convolution, gemm, suite, training

    if key == "gemm":
        with cpu_lock():
            return gemm.run(cfg)
    if key == "training":
        peak, source = state.get("peak"), "section 1 of this run"
        if peak is None and args.peak_gflops:
            peak, source = args.peak_gflops, "given with --peak-gflops"
        if peak is None:
            size = 2048 if not args.tiny else 128
            with cpu_lock():
                peak = gemm.gemm_rate(size, 3).median
            source = f"a quick {size}×{size} fp32 matrix multiply measured just before this section"
        return training.run(cfg, peak, source)
    if key == "accuracy":
        if args.long:
            cfg = {**cfg, "cap_seconds": {k: max(v, 1800) for k, v in cfg["cap_seconds"].items()}}
        return accuracy.run(cfg)
    if key == "suite":
        return suite.run(cfg, args.suite_seconds, args.whole_suite)
    with cpu_lock():
        return convolution.run(cfg)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(configs.SECTIONS))
    if unknown:
        print(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(configs.SECTIONS)}", file=sys.stderr)
        return 2
    set_cpu_lock(args.lock)
    scale = "tiny" if args.tiny else "quick" if args.quick else "full"
    cfg = configs.get(scale)
    started = time.perf_counter()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")

    import course_utils  # noqa: F401  (quiets TensorFlow's logging)
    from benchmarks import machine

    facts = machine.describe()
    previous = args.output.read_text(encoding="utf-8") if args.merge and args.output.exists() else None
    sections, state = [], {}
    for key in RUN_ORDER:
        if key not in only:
            continue
        print(f"[benchmarks] {key} ...", flush=True)
        t0, waited = time.perf_counter(), lock_wait_seconds()
        try:
            section = _run_section(key, cfg[key], args, state)
        except Exception as err:  # a failing section must not lose the others' figures
            traceback.print_exc()
            section = Section(key, configs.TITLES[key], "", missing=f"the section failed: {type(err).__name__}: {err}")
        section.seconds = time.perf_counter() - t0 - (lock_wait_seconds() - waited)  # measuring, not waiting
        if key == "gemm":
            state["peak"] = section.data.get("peak_gflops")
        sections.append(section)
        print(f"[benchmarks] {key} done in {section.seconds:.0f} s", flush=True)
        pending = [k for k in RUN_ORDER if k in only and k not in {s.key for s in sections}]
        if pending:  # write what is measured so far, so an interrupted run still leaves a report
            _write(args, facts, sections, pending, started, stamp, argv, scale, previous)
    _write(args, facts, sections, [], started, stamp, argv, scale, previous)
    return 0


def _write(args, facts, sections, pending, started, stamp, argv, scale, previous) -> None:
    """Render and write the report (and the raw JSON next to the default report)."""
    from benchmarks import report

    sections = sorted(sections, key=lambda s: configs.SECTIONS.index(s.key))
    command = "python -m benchmarks" + ("" if argv is None and len(sys.argv) <= 1 else
                                         " " + shlex.join(sys.argv[1:] if argv is None else argv))
    for s in sections:  # each section says where it comes from, so that a merged report keeps it
        s.provenance = s.provenance or f"{stamp} by `{command}` on {facts.get('CPU', 'an unnamed processor')}"
    meta = {"Date": stamp, "Command": f"`{command}` ({scale} settings)",
            "Sections run": ", ".join(s.key for s in sections),
            "Total time": f"{time.perf_counter() - started - lock_wait_seconds():.0f} s"
                          + (f" (plus {lock_wait_seconds():.0f} s waiting for the CPU lock)" if args.lock else "")}
    if pending:
        meta["Sections run"] += f" (the run was still going: {', '.join(pending)} not measured yet)"

    raw = args.raw or (RAW_DIR / "results.json" if args.output.resolve() == DEFAULT_OUTPUT else None)
    blocks: list[Section | str] = list(sections)
    if previous is not None:
        old_blocks = report.split_blocks(previous)
        fresh = {s.key: s for s in sections}
        blocks = [fresh.get(key) or old_blocks.get(str(i)) for i, key in enumerate(configs.SECTIONS, start=1)]
        blocks = [b for b in blocks if b]
        date = next((ln.split(":**", 1)[1].strip() for ln in previous.splitlines() if ln.startswith("- **Date:**")), "?")
        meta["Sections run"] += (f" (the other sections are kept from the report of {date}; each section's last "
                                 "line says when, by which command and on which processor it was measured)")
    text = report.render(facts, blocks, meta)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    if raw:
        raw.parent.mkdir(parents=True, exist_ok=True)
        raw.write_text(json.dumps({"meta": meta, "machine": facts, "sections": {s.key: s.data for s in sections},
                                   "report_sections": [dataclasses.asdict(s) for s in sections]},
                                  indent=1, default=str))
    print(f"[benchmarks] wrote {args.output}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
