"""How the gradient travels back through the days, for any cell.

One step back multiplies the gradient by the transposed step Jacobian, dL/dh_{t-1} = J_t^T dL/dh_t (plus that
day's own error), so what reaches day t from day T is M_t = J_T J_{T-1} ... J_{t+1} applied to dL/dh_T. `reach`
keeps log10 ||M_t||_2 for every t: the product is renormalised each step, so 1.1^10000 is 10^413.9, never inf.
For the LSTM the state is (h, c) and J is 2n x 2n; its cell path alone multiplies by diag(f_t) (`cell_path`).
"""

import numpy as np

from .models import gru, lstm, rnn

MODELS = {"rnn": rnn, "lstm": lstm, "gru": gru}


def cell_of(params):
    """'rnn', 'lstm' or 'gru' from a Params."""
    return next(name for name, model in MODELS.items() if isinstance(params, model.Params))


def jacobians(params, trace):
    """J (T, k, k): dstate_t / dstate_{t-1} of the first sequence for every day; k = n (2n for the LSTM)."""
    model = MODELS[cell_of(params)]
    return np.array([model.jacobian(params, trace, t) for t in range(trace.h.shape[0])])


@np.errstate(all="ignore")
def reach(J):
    """log10 ||J_T ... J_{t+1}||_2 for t = 0 .. T (T+1,): day t's reach to day T; t = T is 0 (no step), and t = 0
    is h_0, the memory before day 1. A zero Jacobian (a dead ReLU) gives -inf from there back."""
    T, k, _ = J.shape
    out, M, scale = np.zeros(T + 1), np.eye(k), 0.0
    for t in range(T - 1, -1, -1):  # M = J_T ... J_{t+1} (kept at norm 1) times 10^scale
        M = M @ J[t]
        norm = np.linalg.norm(M, 2) if k > 1 else abs(M[0, 0])
        if not norm > 0 or not np.isfinite(norm):
            out[: t + 1] = -np.inf if norm == 0 else np.nan
            return out
        M, scale = M / norm, scale + np.log10(norm)
        out[t] = scale
    return out


def norms(dh):
    """|dL/dh_t| per day (T,) over the units (and a batch): the vector norm of dh (T, [B,] n)."""
    return np.sqrt(np.sum(np.square(dh.reshape(dh.shape[0], -1)), axis=1))


@np.errstate(divide="ignore")
def cell_path(trace):
    """log10 prod_{s=t+1}^{T} f_s per unit, (T+1, n): what the LSTM's cell path alone multiplies the gradient by
    from day T back to day t, of the first sequence."""
    f = trace.f[:, 0] if trace.batched else trace.f
    logs = np.log10(np.abs(f))
    return np.concatenate((np.cumsum(logs[::-1], axis=0)[::-1], np.zeros((1, f.shape[1]))))
