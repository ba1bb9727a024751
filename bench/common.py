"""Timing and table helpers shared by the sections."""

import argparse
import os
import statistics
import sys
import time


def median_ms(fn, repeats, warmup=1):
    """Median wall time of fn() in milliseconds over `repeats` calls, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def verdict(ok):
    return "PASS" if ok else "MISS"


def table(header, rows):
    """Print rows (lists of str) as left-aligned columns under `header`."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def load():
    """The 1-minute load average and the CPU count: timings mean little on a busy machine."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def goal_main(prog, doc, options, headline, run):
    """The command line of a benchmark with goals: `options` ((flag, type or "flag", default, help), ...), then --seed
    and --strict. Prints `headline(args)`, then reports `run(args)` (a result with .report() and .passed); with
    --strict a missed goal exits 1."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    for flag, kind, default, text in options:
        if kind == "flag":
            parser.add_argument(flag, action="store_true", help=text)
        else:
            parser.add_argument(flag, type=kind, default=default, help=text)
    parser.add_argument("--seed", type=int, default=0, help="the same seed replays the same choices")
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a goal is missed")
    args = parser.parse_args()
    print(f"{prog}: {headline(args)}; {load()}")
    result = run(args)
    result.report()
    sys.exit(1 if args.strict and not result.passed else 0)
