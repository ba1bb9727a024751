"""c) The JSON the browser receives for each page's charts (fig.to_json(); the diagram component's data), against T.

Unroll: the unrolled diagram + over_time. Gradients: the backward diagram + magnitudes (+ profiles for two rows).
"""

import json
from itertools import pairwise

import numpy as np

from simulator import diagram
from simulator.data import BLUE, RED, TYPED_COLOR, Row
from simulator.gradient_figures import magnitudes, profiles
from simulator.gradients import backprop
from simulator.models.rnn import Params, forward
from simulator.unroll_figures import over_time

from .common import table, verdict

KB = 1000  # bytes
GOAL_T9_KB, GOAL_ANY_KB, LINEAR = 300, 2000, 1.25  # linear: bytes per extra day may not grow by more than 25%


def sizes(rows, params):
    """(diagram, charts) JSON bytes of the Unroll page and of the Gradients page, each as it opens."""
    last = max(r.days for r in rows) - 1
    unroll = len(json.dumps(diagram.forward(params, rows, last + 1))), len(over_time(rows, last).to_json())
    passes = [backprop(params, row, 1.0) for row in rows]
    back = [bp.row for bp in passes]
    charts = [magnitudes(back, [bp.flow for bp in passes], [bp.reach for bp in passes])]
    charts += [profiles(back, [bp.flow for bp in passes])] if len(rows) > 1 else []
    gradients = len(json.dumps(diagram.backward(params, back, 1))), sum(len(c.to_json()) for c in charts)
    return unroll, gradients


def run(quick=False):
    """Print the sizes; returns the number of goals missed."""
    params = Params.scalar()
    default = [Row(c.label, c.color, forward(params, np.array(c.xs))) for c in (BLUE, RED)]
    cases = [("9 (blue 9 + red 5, page default)", 9, sizes(default, params))]
    for T in (9, 100, 1000) if quick else (9, 100, 1000, 10_000):
        typed = Row("Your prices", TYPED_COLOR, forward(params, np.random.default_rng(T).uniform(0, 1, T)))
        cases.append((f"{T} (typed, one row)", T, sizes([typed], params)))
    misses = 0
    print("KB = 1000 bytes; growth = extra bytes per extra day since the previous T")
    for page, chart in enumerate(("Unroll: diagram + over time", "Gradients: backward diagram + magnitudes")):
        rows, per_day, prev = [], [], None
        for i, (label, T, both) in enumerate(cases):
            u, o = both[page]
            goal_kb = GOAL_T9_KB if T == 9 else GOAL_ANY_KB
            growth = (u + o - prev[1]) / (T - prev[0]) if i > 1 and prev else None
            if growth is not None and prev[0] >= 100:  # from T = 100 on, the diagram shows the same window
                per_day.append(growth)
            rows.append([label, f"{u / KB:.1f}", f"{o / KB:.1f}", f"{(u + o) / KB:.1f}",
                         f"{growth:.0f} B/day" if growth is not None else "-", f"<= {goal_kb}",
                         verdict(u + o <= goal_kb * KB)])  # fmt: skip
            misses += u + o > goal_kb * KB
            if i:
                prev = T, u + o
        print(f"\n{chart}")
        table(["T", "diagram KB", "charts KB", "total KB", "growth", "goal KB", "goal"], rows)
        linear = all(b <= LINEAR * a for a, b in pairwise(per_day))
        print(f"linear in T from T = 100 on (bytes per extra day grows <= {LINEAR:g}x): {verdict(linear)}")
        misses += not linear
    return misses
