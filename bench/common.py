"""Timing and table helpers shared by the sections."""

import os
import statistics
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
