"""c) The figure JSON the browser receives (unrolled + over_time, as fig.to_json()), against T."""

from itertools import pairwise

import numpy as np

from simulator.data import BLUE, RED, TYPED_COLOR
from simulator.figures import Row, over_time, unrolled
from simulator.rnn import Params, forward

from .common import table, verdict

KB = 1000  # bytes
GOAL_T9_KB, GOAL_ANY_KB, LINEAR = 300, 2000, 1.25  # linear: bytes per extra day may not grow by more than 25%


def sizes(rows, params):
    """(unrolled, over_time) JSON bytes with the last day shown, as the page opens."""
    last = max(r.days for r in rows) - 1
    return len(unrolled(params, rows, last).to_json()), len(over_time(rows, last).to_json())


def run(quick=False):
    """Print the sizes; returns the number of goals missed."""
    params, rows, per_day, prev = Params.scalar(), [], [], None

    def add(label, u, o, growth, goal_kb):
        rows.append([label, f"{u / KB:.1f}", f"{o / KB:.1f}", f"{(u + o) / KB:.1f}", growth, f"<= {goal_kb}"])
        rows[-1].append(verdict(u + o <= goal_kb * KB))
        return u + o > goal_kb * KB

    default = [Row(c.label, c.color, forward(params, np.array(c.xs))) for c in (BLUE, RED)]
    misses = add("9 (blue 9 + red 5, page default)", *sizes(default, params), "-", GOAL_T9_KB)
    for T in (9, 100, 1000) if quick else (9, 100, 1000, 10_000):
        u, o = sizes(
            [Row("Your prices", TYPED_COLOR, forward(params, np.random.default_rng(T).uniform(0, 1, T)))], params
        )
        growth = (u + o - prev[1]) / (T - prev[0]) if prev else None
        if prev and prev[0] >= 100:  # from T = 100 on, the diagram shows the same 4-day window
            per_day.append(growth)
        misses += add(
            f"{T} (typed, one row)", u, o, f"{growth:.0f} B/day" if prev else "-", GOAL_T9_KB if T == 9 else GOAL_ANY_KB
        )
        prev = T, u + o
    linear = all(b <= LINEAR * a for a, b in pairwise(per_day))
    print("KB = 1000 bytes; growth = extra bytes per extra day since the previous T")
    table(["T", "unrolled KB", "over_time KB", "total KB", "growth", "goal KB", "goal"], rows)
    print(f"linear in T from T = 100 on (bytes per extra day grows <= {LINEAR:g}x): {verdict(linear)}")
    return misses + (not linear)
