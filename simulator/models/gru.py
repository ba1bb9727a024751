"""A gated recurrent unit (GRU) layer of n units reading d inputs a day, in float64 numpy (PyTorch's equations).

    u_t = W_x x_t + b                      (3n,) the input's part, stacked r, z, n
    q_t = W_h h_{t-1} + [0, 0, b_hn]       (3n,) the memory's part
    r_t = σ(u_r + q_r)                     reset gate: how much of the memory the candidate sees
    z_t = σ(u_z + q_z)                     update gate: % of the old memory kept
    n_t = tanh(u_n + r_t q_n)              candidate memory
    h_t = (1 - z_t) n_t + z_t h_{t-1}      h_{-1} = h0
    y_t = w_y . h_t + b_y

Shapes: w_x (3n,) or (3n, d), W_h (3n, n), b (3n,) (PyTorch's b_ih + b_hh for r and z, b_in for n), b_hn (n,)
(it sits inside r_t *, so it cannot be folded into b), w_y (n,); h, r, z, n (T, n) or (T, B, n). Backward:

    dh_{t-1} = w_y dy_{t-1} + z_t dh_t + W_h^T dq_t
    dn_t = dh_t (1 - z_t)    da_n = dn_t (1 - n_t^2)    (da: the gradient of u + q's pre-activation)
    da_z = dh_t (h_{t-1} - n_t) z_t (1 - z_t)    da_r = da_n q_n r_t (1 - r_t)
    du_t = [da_r, da_z, da_n]      dq_t = [da_r, da_z, r_t da_n]
"""

from dataclasses import dataclass

import numpy as np

from . import common


@dataclass(frozen=True)
class Params:
    """The weights: w_x (3n,) or (3n, d), W_h (3n, n), b (3n,), b_hn (n,), w_y (n,), b_y; rows stacked r, z, n."""

    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    b_hn: np.ndarray
    w_y: np.ndarray
    b_y: float
    NAMES = ("w_x", "W_h", "b", "b_hn", "w_y", "b_y")

    def __post_init__(self):
        n = common.units(self.W_h, 3)
        common.checked(self, {"W_h": (3 * n, n), "b": (3 * n,), "b_hn": (n,), "w_y": (n,)})
        object.__setattr__(self, "w_x", common.matrix("w_x", self.w_x, 3 * n))

    @property
    def n(self):
        return self.W_h.shape[1]

    @property
    def d(self):
        return 1 if self.w_x.ndim == 1 else self.w_x.shape[1]


@dataclass(slots=True)
class Trace:
    """Every step: the gates r, z, the candidate n, q_n = W_hn h_{t-1} + b_hn and h, each (T, [B,] n); y (T, [B]);
    s (T+1, B, m) the steps' inputs [h_{t-1}, x_t, 1]."""

    xs: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    q_n: np.ndarray
    h: np.ndarray
    y: np.ndarray
    s: np.ndarray
    batched: bool = False


@dataclass(slots=True)
class Grads:
    """dL/d(everything): dh shaped like h, dx like xs, dh0 like one h_t; one per parameter, with its shape."""

    loss: float
    dh: np.ndarray
    dx: np.ndarray
    w_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray
    b_hn: np.ndarray
    w_y: np.ndarray
    b_y: float
    dh0: np.ndarray


@np.errstate(all="ignore")
def forward(params, xs, h0=None, dtype=np.float64):
    """Run the GRU over xs (T,), (T, B) or (T, B, d) from h0 (n,) or (B, n); returns the `Trace`."""
    p = params
    X, batched = common.steps(xs, p.d, dtype)
    (T, B, d), n = X.shape, p.n
    s = common.inputs(X, n, h0)
    u = X @ p.w_x.reshape(3 * n, d).T.astype(s.dtype) + p.b.astype(s.dtype)  # (T, B, 3n), all days at once
    W_hT, b_hn = np.ascontiguousarray(p.W_h.T, dtype=s.dtype), p.b_hn.astype(s.dtype)
    q = np.empty((T, B, 3 * n), dtype=s.dtype)
    rz = np.empty((T, B, 2 * n), dtype=s.dtype)
    cand = np.empty((T, B, n), dtype=s.dtype)
    for t in range(T):
        h_prev, h = s[t, :, :n], s[t + 1, :, :n]
        np.matmul(h_prev, W_hT, out=q[t])  # q_t = W_h h_{t-1} + [0, 0, b_hn]
        q[t, :, 2 * n :] += b_hn
        common.sigmoid(np.add(u[t, :, : 2 * n], q[t, :, : 2 * n], rz[t]), rz[t])  # r, z
        r, z = rz[t, :, :n], rz[t, :, n:]
        np.tanh(np.add(u[t, :, 2 * n :], np.multiply(r, q[t, :, 2 * n :], cand[t]), cand[t]), cand[t])  # n_t
        np.subtract(h_prev, cand[t], h)  # h_t = n_t + z_t (h_{t-1} - n_t)
        h *= z
        h += cand[t]
    y = s[1:].dot(np.concatenate((p.w_y, np.zeros(d), [p.b_y])).astype(s.dtype))
    return Trace(np.asarray(xs, dtype=dtype), *(common.shaped(a, batched) for a in (rz[..., :n], rz[..., n:], cand,
                 q[..., 2 * n :], s[1:, :, :n], y)), s, batched)  # fmt: skip


@np.errstate(all="ignore")
def backward(params, trace, target, loss="last", k=None):
    """Backpropagation through time; the loss, batches and truncation `k` as in `rnn.backward`."""
    p, tr, s = params, trace, trace.s
    T, B, n = s.shape[0] - 1, s.shape[1], p.n
    r, z, cand, q_n = (a if tr.batched else a[:, None] for a in (tr.r, tr.z, tr.n, tr.q_n))
    h_prev = s[:-1, :, :n]
    y = s[1:].dot(np.concatenate((p.w_y, np.zeros(p.d), [p.b_y])))
    dy, L = common.errors(y, target, loss)
    dh = np.multiply.outer(dy, p.w_y)  # (T, B, n), dy_t w_y for now
    into_n = (1 - z) * (1 - cand * cand)  # da_n = dh_t (1 - z_t)(1 - n_t^2)
    into_z = (h_prev - cand) * z * (1 - z)  # da_z = dh_t (h_{t-1} - n_t) z_t (1 - z_t)
    into_r = q_n * r * (1 - r)  # da_r = da_n q_n r_t (1 - r_t)
    dq = np.zeros((T, B, 3 * n))
    da_n = np.zeros((T, B, n))
    for start, end in common.pieces(T, k):
        for t in reversed(range(start, end)):
            if t < end - 1:
                dh[t] += z[t + 1] * dh[t + 1] + dq[t + 1] @ p.W_h
            da_n[t] = dh[t] * into_n[t]
            dq[t, :, :n] = da_n[t] * into_r[t]
            dq[t, :, n : 2 * n] = dh[t] * into_z[t]
            dq[t, :, 2 * n :] = r[t] * da_n[t]
    du = np.concatenate((dq[..., : 2 * n], da_n), axis=2)  # (T, B, 3n)
    dW_h = dq.reshape(-1, 3 * n).T @ h_prev.reshape(-1, n)
    dw_x = du.reshape(-1, 3 * n).T @ s[:-1, :, n:-1].reshape(-1, p.d)
    dx = du @ p.w_x.reshape(3 * n, -1)
    dh0 = z[0] * dh[0] + dq[0] @ p.W_h
    return Grads(
        loss=L,
        dh=common.shaped(dh, tr.batched),
        dx=common.shaped(dx, tr.batched, p.d if p.w_x.ndim == 1 else None),
        w_x=dw_x.reshape(p.w_x.shape),
        W_h=dW_h,
        b=du.sum(axis=(0, 1)),
        b_hn=dq[..., 2 * n :].sum(axis=(0, 1)),
        w_y=np.einsum("tb,tbn->n", dy, s[1:, :, :n]),
        b_y=float(dy.sum()),
        dh0=dh0 if tr.batched else dh0[0],
    )


def jacobian(params, trace, t):
    """dh_t / dh_{t-1} (n, n) on day t (0-based) of the first sequence: what one step back multiplies by."""
    n = params.n
    r, z, cand, q_n = (a[t, 0] if trace.batched else a[t] for a in (trace.r, trace.z, trace.n, trace.q_n))
    h_prev = trace.s[t, 0, :n]
    W_r, W_z, W_n = params.W_h.reshape(3, n, n)
    dn = (1 - cand * cand)[:, None] * (r[:, None] * W_n + (q_n * r * (1 - r))[:, None] * W_r)
    dz = (z * (1 - z))[:, None] * W_z
    return np.diag(z) + (h_prev - cand)[:, None] * dz + (1 - z)[:, None] * dn
