"""The numbers behind each chart as plain tables ({column: [text]}), for screen readers and for reading exactly.

Values are written as `explain.fmt` writes every number on screen (3 significant digits, ∞ and NaN spelled out),
so a table reads the same as its chart. A table keeps at
most MAX_ROWS rows; the last row then says how many were left out.
"""

from .bptt import Flow
from .diagram import TIERS
from .explain import fmt
from .gradients import part_norms

MAX_ROWS = 200


def _capped(columns):
    """At most MAX_ROWS rows; beyond, the last row says how many more there are."""
    n = len(next(iter(columns.values())))
    if n <= MAX_ROWS:
        return columns
    more = {name: [*values[: MAX_ROWS - 1], ""] for name, values in columns.items()}
    more[next(iter(more))][-1] = f"… {n - MAX_ROWS + 1:,} more rows"
    return more


_MARKUP = str.maketrans({"\n": " ", "\r": " "} | {c: "\\" + c for c in "\\|*_`[]<>$~"})


def markdown(columns):
    """{column: [text]} as a Markdown table, numbers right-aligned: Streamlit draws it as an HTML table that
    screen readers read, for a fraction of what `st.table` costs a rerun (no DataFrame, no Arrow).
    Pipes, backslashes and inline markup in a cell are escaped, line breaks become spaces."""
    names = list(columns)
    lines = [
        "| " + " | ".join(name.translate(_MARKUP) for name in names) + " |",
        "|" + "|".join([":--", *["--:"] * (len(names) - 1)]) + "|",
    ]
    lines += [
        "| " + " | ".join(c.translate(_MARKUP) for c in row) + " |" for row in zip(*columns.values(), strict=True)
    ]
    return "\n".join(lines)


def _numbers(values):
    return [fmt(v) for v in values]


def forward_table(rows):
    """Every day of every row: price x, pre-activation z, hidden state h and prediction y; for n units or a gated
    cell, a row a day and unit with each of its tiles (`diagram.TIERS`)."""
    if rows[0].trace.h.shape[1] > 1 or not hasattr(rows[0].trace, "z") or hasattr(rows[0].trace, "r"):
        return _units(rows)
    columns = {"sequence": [], "day": [], "price x": [], "z": [], "hidden state h": [], "prediction y": []}
    for row in rows:
        tr = row.trace
        columns["sequence"] += [row.label] * row.days
        columns["day"] += [str(d) for d in range(1, row.days + 1)]
        for name, values in (("price x", tr.xs), ("z", tr.z[:, 0]), ("hidden state h", tr.h[:, 0]),
                             ("prediction y", tr.y)):  # fmt: skip
            columns[name] += _numbers(values)
    return _capped(columns)


def _units(rows):
    cell = "lstm" if hasattr(rows[0].trace, "c") else "gru" if hasattr(rows[0].trace, "r") else "rnn"
    tiers = [(key, label) for key, label, *_ in TIERS[cell]]
    columns = {"sequence": [], "day": [], "unit": [], "price x": [], **{label: [] for _, label in tiers},
               "prediction y": []}  # fmt: skip
    total = 0
    for row in rows:
        tr, n = row.trace, row.trace.h.shape[1]
        total += row.days * n
        T = min(row.days, -(-MAX_ROWS // n))  # no more days than the table can show
        columns["sequence"] += [row.label] * (T * n)
        columns["day"] += [str(d) for d in range(1, T + 1) for _ in range(n)]
        columns["unit"] += [str(j) for _ in range(T) for j in range(1, n + 1)]
        columns["price x"] += [fmt(x) for x in tr.xs[:T] for _ in range(n)]
        for key, label in tiers:
            columns[label] += _numbers(getattr(tr, key)[:T].reshape(-1))
        columns["prediction y"] += [fmt(y) for y in tr.y[:T] for _ in range(n)]
    if total <= MAX_ROWS:
        return columns
    more = {name: [*values[: MAX_ROWS - 1], ""] for name, values in columns.items()}
    more["sequence"][-1] = f"… {total - MAX_ROWS + 1:,} more rows"
    return more


def backward_table(rows):
    """Every day of every row's backward pass: the error, the gradients reaching h and x, the factor back and the
    day's shares of the weight gradients; for n units or a gated cell the sizes: ||dL/dh_t||, the LSTM's
    ||dL/dC_t|| and its forget gate's largest f_t, the size of day t's part of dL/dW_h."""
    if not isinstance(rows[0].flow, Flow):
        return _sizes(rows)
    columns = {"sequence": [], "day": [], "∂L/∂y": [], "∂L/∂h": [], "∂L/∂x": [], "factor w_h·act′": [],
               "day t's part of ∂L/∂w_h": [], "day t's part of ∂L/∂w_x": []}  # fmt: skip
    for row in rows:
        f = row.flow
        columns["sequence"] += [row.label] * row.days
        columns["day"] += [str(d) for d in range(1, row.days + 1)]
        for name, values in zip(list(columns)[2:], (row.dy, f.dh, f.dx, f.factor, f.w_h, f.w_x), strict=True):
            columns[name] += _numbers(values)
    return _capped(columns)


def _sizes(rows):
    s = rows[0].flow
    names = {"∂L/∂y": lambda row: row.dy, "‖∂L/∂h‖": lambda row: row.flow.dh, "∂L/∂x": lambda row: row.flow.dx}
    if s.dc is not None:
        names |= {"‖∂L/∂C‖": lambda row: row.flow.dc, "largest forget gate f": lambda row: row.flow.forget.max(axis=1)}
    if s.w_h is not None:
        names["size of day t's part of ∂L/∂W_h"] = lambda row: row.flow.w_h
    columns = {"sequence": [], "day": [], **{name: [] for name in names}}
    for row in rows:
        columns["sequence"] += [row.label] * row.days
        columns["day"] += [str(d) for d in range(1, row.days + 1)]
        for name, values in names.items():
            columns[name] += _numbers(values(row))
    return _capped(columns)


def clipping_table(raw, clipped, names):
    """Each weight's gradient before and after clipping (`names`: one a weight, or (name, size) a weight of
    several numbers, each then told by its norm)."""
    if all(isinstance(name, str) for name in names):
        return {"weight": list(names), "raw gradient": _numbers(raw), "clipped": _numbers(clipped)}
    return {"weight": [f"{name} ({size} numbers)" if size > 1 else name for name, size in names],
            "raw gradient (its norm)": _numbers(part_norms(raw, names)),
            "clipped (its norm)": _numbers(part_norms(clipped, names))}  # fmt: skip


def training_table(run):
    """At each epoch the animation shows: the loss and the weights (the five, or each one's norm)."""
    columns = {"epoch": [str(e) for e in run.snaps], "loss": _numbers(run.loss[run.snaps])}
    for j, name in enumerate(run.names):
        columns[name] = _numbers(run.weights[run.snaps.clip(max=len(run.weights) - 1), j])
    return _capped(columns)


DAY_ROWS = 101  # at most this many days (every k-th) in a table of a chart over days


def sampled(last, most=DAY_ROWS, first=0):
    """The days first .. last a table shows: every one, or every k-th (k as small as keeps `most`) and the last."""
    step = max(1, -(-(last - first) // (most - 1)))
    days = list(range(first, last + 1, step))
    return days if days[-1] == last else [*days, last]


def every(name, days):
    """A column of `days` (from `sampled`) named `name`, and when it skips days, which: 'day, every 10th'."""
    if len(days) < 2 or days[1] - days[0] == 1:
        return name
    k = days[1] - days[0]
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{name}, every {k}{suffix}"
