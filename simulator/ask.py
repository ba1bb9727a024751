"""Ask first: the question about the day on screen, from the real computation with the current settings.

`unroll(params, rows, day)` asks about `day` (1-based) of the first row that has it; the page hides that day's
tiles and every later one until the answer is revealed. Two of `simulator.questions`' kinds, on the page's own
network:

    next_h      one simple RNN unit: today's memory h_d from yesterday's h and today's price (a number)
    next_y      any other network: its prediction y_d for tomorrow (a number)
    direction   any cell: is the prediction y_d for tomorrow up, down or about the same as today's price x_d
                (the words and the 0.05 of `explain.trend`, as the page's own sentences say it)

Odd days ask for a number (next_h or next_y), even days for the direction: the answer buttons stay the same kind
whatever the network.
A day whose h or y overflowed asks whether it stays a number.

`gradients(label, days, log_reach, limit)` asks the Gradients page's headline before it shows: over `days` days
back, does the error signal vanish, explode or neither (`questions.vanish`'s choices), from log10 |dh_T/dh_0| as
computed (no number when the gradient overflowed `limit`: it explodes).
`training(settings, loss, diverged)` asks the Train page's result: does the loss fall 10x or more, fall less, or
rise or break, from the run's own losses.
"""

import hashlib
import hmac
import secrets

import numpy as np

from .explain import fmt, fmt_log10, fmt_operand, fmt_weight, trend
from .flow import cell_of
from .questions import ACTS, EXPLODE, NEITHER, VANISH, Question, step_text, sub

UP, DOWN, SAME = "up", "down", "about the same"
TENFOLD, LESS, WORSE = "falls 10× or more", "falls, but less than 10×", "rises, or training breaks"
NUMBER, OVERFLOWS = "a number", "∞ or NaN (it overflows)"
OPTIMIZERS = {"sgd": "gradient descent", "momentum": "gradient descent with momentum", "adam": "Adam"}
MAX_TERMS = 6  # terms of a sum written out, as the diagram writes them
_KEY = secrets.token_bytes(32)  # drawn once a process, never changed, never sent


def ident(question):
    """A short name for `question`: the same question (prompt and answer) always gets the same one in this server
    process. Keyed with a secret the browser never sees (the name goes to it): hashing each choice with the prompt
    on screen does not find the answer."""
    text = f"{question.kind}|{question.prompt}|{question.answer}".encode()
    return hmac.new(_KEY, text, hashlib.sha256).hexdigest()[:16]


def unroll(params, rows, day):
    """The question about `day` (1-based) of the first of `rows` (each with .label, .trace) that has that day."""
    row = next((r for r in rows if len(r.trace.y) >= day), rows[0])
    t = min(day, len(row.trace.y)) - 1
    tr = row.trace
    if not (np.isfinite(tr.h[t]).all() and np.isfinite(tr.y[t])):
        return _overflows(row, t)
    if t % 2:
        return _direction(params, row, t)
    return _next_h(params, row, t) if cell_of(params) == "rnn" and params.n == 1 else _next_y(params, row, t)


def _settings(row, t):
    return {"row": row.label, "day": t + 1}


def _next_h(p, row, t):
    tr, xs = row.trace, np.asarray(row.trace.xs, dtype=np.float64).reshape(-1)
    d, h = t + 1, float(tr.h[t, 0])
    yesterday = "the memory before day 1" if t == 0 else "yesterday's memory"
    prompt = (
        f"**{row.label}, day {d}.** With w_x = {fmt_weight(p.w_x[0]).strip('()')}, w_h = "
        f"{fmt_weight(p.W_h[0, 0]).strip('()')} and b = {fmt_weight(p.b[0]).strip('()')} ({ACTS[p.activation]}), "
        f"{yesterday} is "
        f"{sub('h', d - 1)} = {fmt(tr.s[t, 0, 0])} and today's price is {sub('x', d)} = {fmt(xs[t])}. "
        f"What is today's memory {sub('h', d)}?"
    )
    tolerance = max(0.02, 0.05 * abs(h))
    return Question("next_h", prompt, (), h, step_text(p, xs, tr, t), tolerance, "unroll", _settings(row, t))


def _next_y(p, row, t):
    tr, d = row.trace, t + 1
    y = float(tr.y[t])
    prompt = (
        f"**{row.label}, day {d}.** Today's price is {sub('x', d)} = {fmt(row.trace.xs[t])}. What does the network "
        f"predict for day {d + 1}: what is {sub('y', d)}?"
    )
    tolerance = max(0.02, 0.05 * abs(y))
    return Question("next_y", prompt, (), y, _readout(p, tr, t), tolerance, "unroll", _settings(row, t))


def _direction(p, row, t):
    tr, d = row.trace, t + 1
    x, y = float(np.asarray(tr.xs, dtype=np.float64).reshape(-1)[t]), float(tr.y[t])
    answer = trend(x, y)
    prompt = (
        f"**{row.label}, day {d}.** Today's price is {sub('x', d)} = {fmt(x)}. Is the network's prediction for "
        f"day {d + 1}, {sub('y', d)}, **up**, **down** or **about the same** (within 0.05) as today's price?"
    )
    equation = f"{_readout(p, tr, t)}: {answer} {'as' if answer == SAME else 'from'} {sub('x', d)} = {fmt(x)}"
    return Question("direction", prompt, (UP, DOWN, SAME), answer, equation, 0.0, "unroll", _settings(row, t))


def _readout(p, tr, t):
    """'y₃ = w_y·h₃ + b_y = 1.1 × 0.45 + 0 = 0.495', the sum written out for n units (up to MAX_TERMS terms)."""
    d, n, h = t + 1, p.n, tr.h[t]
    terms = [f"{fmt_weight(p.w_y[j])} × {fmt_operand(h[j])}" for j in range(min(n, MAX_TERMS))]
    if n > MAX_TERMS:
        terms.append(f"… {n - MAX_TERMS} more terms")
    symbolic = f"w_y·{sub('h', d)}" if n == 1 else f"Σⱼ w_yʲ·{sub('h', d)}ʲ"
    return f"{sub('y', d)} = {symbolic} + b_y = {' + '.join(terms)} + {fmt_weight(p.b_y)} = {fmt(tr.y[t])}"


def _overflows(row, t):
    d = t + 1
    bad = [float(v) for v in (*row.trace.h[t], row.trace.y[t]) if not np.isfinite(v)]
    prompt = (
        f"**{row.label}, day {d}.** Do the memory {sub('h', d)} and the prediction {sub('y', d)} stay numbers, or "
        "overflow float64 (beyond ±1.8e308)?"
    )
    equation = f"on day {d} the trace holds {', '.join(sorted({fmt(v) for v in bad}))}: beyond what float64 holds"
    return Question("overflow", prompt, (NUMBER, OVERFLOWS), OVERFLOWS, equation, 0.0, "unroll", _settings(row, t))


def gradients(label, days, log_reach, limit="float64 (beyond 1.8e308)", one=True):
    """Vanish, explode or neither, going back `days` days, from log10 |dh_T/dh_0| (`log_reach`, -inf: a cut path;
    +inf or NaN: the gradient overflowed `limit`, the largest number its precision holds: it explodes). `one`: one
    simple RNN unit, whose every step back is one factor; else n units or a gated cell, from log10 of
    ||dL/dh_1|| / ||dL/dh_T||, each step back by the transposed step Jacobian."""
    overflowed = not np.isfinite(log_reach) and log_reach != -np.inf
    answer = VANISH if log_reach < -3 else EXPLODE if overflowed or log_reach > 3 else NEITHER
    product = f"no number: the gradient overflowed {limit}" if overflowed else fmt_log10(log_reach)
    if one:
        how = (f"Going back {days} days, from tomorrow's error to the memory before day 1, the error signal is "
               "multiplied by one factor w_h·act′(z) a day")  # fmt: skip
        ratio = f"|∂{sub('h', days)}/∂{sub('h', 0)}| = the product of the {days} daily factors w_h·act′(z_t)"
    else:
        how = (f"Going back from day {days} to day 1, each step back multiplies the gradient by the transposed step "
               "Jacobian J_t, which makes it at most ‖J_t‖ times bigger")  # fmt: skip
        ratio = f"‖∂L/∂{sub('h', 1)}‖ / ‖∂L/∂{sub('h', days)}‖, what the {days - 1} steps back multiply its size by,"
    prompt = f"**{label}.** {how}. Does it vanish, explode, or neither?"
    equation = f"{ratio} = {product}: {answer.split(' (')[0]}"
    settings = {"row": label, "days": days}
    return Question("vanish", prompt, (VANISH, EXPLODE, NEITHER), answer, equation, 0.0, "gradients", settings)


def training(settings, loss, diverged):
    """How the loss ends, from the run's losses (epoch 0 first) and the epoch it broke at (None: it did not)."""
    first, last = float(loss[0]), float(loss[-1])
    answer = WORSE if diverged is not None or not last < first else TENFOLD if last * 10 <= first else LESS
    optimizer = OPTIMIZERS.get(settings.get("optimizer"), "gradient descent")
    prompt = (
        f"**Training.** {len(loss) - 1:,} epochs of {optimizer} at a learning rate of "
        f"{settings['lr']:g}, from a loss of {fmt(first, 4)}. Where does the loss end?"
    )
    if diverged is not None:
        equation = f"the weights or the loss overflowed float64 at epoch {diverged}: {answer}"
    else:
        ratio = f"{fmt(first / last)}× smaller" if last > 0 and last < first else "not smaller"
        equation = f"loss at epoch 0 = {fmt(first, 4)}, at the end = {fmt(last, 4)}: {ratio}, so it {answer}"
    return Question("training", prompt, (TENFOLD, LESS, WORSE), answer, equation, 0.0, "train", {})
