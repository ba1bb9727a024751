"""d) Training: 1,000 epochs on a 100-day series, the Train page's rerun, and its figure's JSON size."""

import numpy as np

from simulator.train import Scale, initial, train
from simulator.train_figures import training
from tests.apptest import open_app

from .common import median_ms, table, verdict

GOAL_CORE_MS, GOAL_RETRAIN_MS, GOAL_RERUN_MS, GOAL_KB = 1000.0, 500.0, 100.0, 2000
SERIES = Scale.minmax(walk := np.cumsum(np.random.default_rng(0).normal(size=100))).scaled(walk)


def core(quick):
    """1,000 epochs of gradient descent on SERIES, per activation and truncation."""
    rows, misses = [], 0
    for act in ("relu", "tanh"):
        for k in (None, 10):
            ms = median_ms(lambda a=act, k=k: train(SERIES, initial("statquest"), a, "all", 0.1, 1000, k=k),
                           1 if quick else 5)  # fmt: skip
            misses += ms > GOAL_CORE_MS
            rows.append([act, "full" if k is None else f"k = {k}", f"{ms:.0f}", f"{ms / 1000:.2f}",
                         f"<= {GOAL_CORE_MS:g}", verdict(ms <= GOAL_CORE_MS)])  # fmt: skip
    print("1,000 epochs on a 100-day series (99 predictions each), median of", 1 if quick else 5)
    table(["activation", "BPTT", "ms", "ms / epoch", "goal ms", "goal"], rows)
    return misses


def page(quick):
    """The Train page at its defaults (GOOG, 104 weeks, 300 epochs): a rerun that retrains, and one that does not."""
    n = 3 if quick else 10
    at = open_app("pages/train.py")
    rates = iter(0.3 + 1e-4 * np.arange(1, 2 * n + 4))  # a new rate every time: the cache cannot answer

    def retrain():
        at.number_input(key="lr").set_value(next(rates)).run()
        assert not at.exception, at.exception

    def rerun():
        at.run()
        assert not at.exception, at.exception

    results = [("retrain (learning rate changed)", median_ms(retrain, n), GOAL_RETRAIN_MS),
               ("rerun, the run cached", median_ms(rerun, n), GOAL_RERUN_MS)]  # fmt: skip
    print(f"Train page through AppTest, median of {n}")
    table(["rerun", "ms", "goal ms", "goal"],
          [[name, f"{ms:.0f}", f"<= {goal:g}", verdict(ms <= goal)] for name, ms, goal in results])  # fmt: skip
    return sum(ms > goal for _, ms, goal in results)


def size(quick):
    """The figure's JSON at 100 and 10,000 days (10,000 days: 200 epochs, the work cap)."""
    rows, misses = [], 0
    for days, epochs in ((100, 1000), *(() if quick else ((10_000, 200),))):
        xs = np.random.default_rng(1).uniform(0, 1, days)
        run = train(xs, initial("statquest"), "tanh", "all", 0.1, epochs)
        kb = len(training(run, xs, Scale(), "series", "#0072B2").to_json()) / 1000
        misses += kb > GOAL_KB
        rows.append([f"{days:,}", f"{epochs:,}", f"{kb:.0f}", f"<= {GOAL_KB:,}", verdict(kb <= GOAL_KB)])
    table(["days", "epochs", "JSON KB", "goal KB", "goal"], rows)
    return misses


def run(quick=False):
    return core(quick) + page(quick) + size(quick)
