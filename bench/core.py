"""a) The core: forward + backward milliseconds on a T x n grid, beside PyTorch's (measured, or the issue's)."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from simulator.models.rnn import Params, backward, forward

from .common import median_ms, table, verdict

TS, NS, LOSSES = (9, 1000, 10_000), (1, 16, 64), ("last", "all")
ACTIVATION = "tanh"
GOAL = 5.0  # at least this many times faster than PyTorch
# The issue's torch figures from this machine, for loss="last"; T=1000 n=1 was 31-60 ms: 31 is the strict one.
ISSUE_MS = {(9, 1): 0.48, (9, 16): 0.48, (9, 64): 0.48, (1000, 1): 31.0, (1000, 64): 35.0, (10_000, 1): 351.0}


def case(T, n, loss, seed=0):
    """Random weights with W_h at spectral radius 0.9 (so tanh values stay finite), prices in [0, 1]."""
    rng = np.random.default_rng([seed, T, n])
    W_h = rng.normal(size=(n, n))
    W_h *= 0.9 / np.abs(np.linalg.eigvals(W_h)).max()
    params = Params(rng.normal(size=n), W_h, rng.normal(scale=0.5, size=n), rng.normal(size=n), 0.1, ACTIVATION)
    xs = rng.uniform(0, 1, size=T)
    return params, xs, (0.5 if loss == "last" else np.roll(xs, -1))


def repeats(T, quick):
    return {9: 50, 1000: 5, 10_000: 1}[T] if quick else {9: 500, 1000: 30, 10_000: 7}[T]


def ours(T, n, loss, quick):
    params, xs, target = case(T, n, loss)
    return median_ms(lambda: backward(params, forward(params, xs), target, loss), repeats(T, quick))


def torch_times(python, grid, quick):
    """Run bench/torch_ref.py with `python` on the same cases; returns its JSON, with each case's W_h gradient."""
    arrays, reps = {"activation": np.array(ACTIVATION)}, {}
    for T, n, loss in grid:
        params, xs, target = case(T, n, loss)
        key = f"{T},{n},{loss}"
        reps[key] = repeats(T, quick)
        arrays |= {f"{key}/{k}": getattr(params, k) for k in ("w_x", "W_h", "b", "w_y", "b_y")}
        arrays |= {f"{key}/xs": xs, f"{key}/target": np.asarray(target)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.npz"
        np.savez(path, **arrays)
        script = Path(__file__).with_name("torch_ref.py")
        done = subprocess.run([python, str(script), str(path), json.dumps(reps)], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"bench/torch_ref.py failed under {python}:\n{done.stderr}")
    return json.loads(done.stdout)


def agreement(T, n, loss, ref):
    """max |our dL/dW_h - torch's| / max |torch's|: both compute the same numbers."""
    params, xs, target = case(T, n, loss)
    ours_g = backward(params, forward(params, xs), target, loss).W_h
    theirs = np.array(ref["W_h"])
    return float(np.abs(ours_g - theirs).max() / max(np.abs(theirs).max(), 1e-300))


def run(quick=False, torch_python=None):
    """Print the grid; returns the number of cells below the goal."""
    grid = [(T, n, loss) for T in (TS[:2] if quick else TS) for n in NS for loss in LOSSES]
    live = torch_times(torch_python, grid, quick) if torch_python else None
    if live:
        print(f"reference: torch {live['torch']} ({live['threads']} threads) run now by {torch_python}")
    else:
        print("reference: the issue's torch figures (loss='last'); pass --torch-python PATH to measure torch here")
    print(f"goal: >= {GOAL:g}x faster than torch (float64 autograd, Python loop over steps); act = {ACTIVATION}")
    rows, misses = [], 0
    for T, n, loss in grid:
        ms, key = ours(T, n, loss, quick), f"{T},{n},{loss}"
        issue = ISSUE_MS.get((T, n)) if loss == "last" else None
        ref = live["cases"][key]["ms"] if live else issue
        row = [T, n, loss, f"{ms:.3f}", f"{ref:.3f}" if ref else "-", f"{ref / ms:.1f}x" if ref else "-"]
        row.append(verdict(ref / ms >= GOAL) if ref else "no figure")
        misses += bool(ref) and ref / ms < GOAL
        if live:
            row += [f"{issue / ms:.1f}x" if issue else "-", f"{agreement(T, n, loss, live['cases'][key]):.0e}"]
        else:
            row.append("issue's figure" if issue else "none: pass --torch-python")
        rows.append(row)
    header = ["T", "n", "loss", "ours ms", "torch ms" if live else "issue ms", "speed-up", f">= {GOAL:g}x"]
    table(header + (["vs issue's ms", "dW_h rel. diff"] if live else ["reference"]), rows)
    print("issue's ms: 0.48 (T=9), 31-60 (T=1000, n=1; 31 used), 35 (T=1000, n=64), 351 (T=10000, n=1)")
    return misses
