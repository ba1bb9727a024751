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
from functools import cached_property

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

    @classmethod
    def init(cls, n, d=1, seed=0):
        """A random start, as PyTorch draws it."""
        w_x, W_h, b, w_y, b_y, rng = common.uniform(n, d, 3, seed)
        return cls(w_x, W_h, b, rng.uniform(-1, 1, n) / np.sqrt(n), w_y, b_y)

    @cached_property
    def A(self):
        """(4n, m): rows that give, from s_t = [h_{t-1}, x_t, 1], u + q for r and z, then q_n, then u_n."""
        n, W_r, W_z, W_n = self.n, *self.W_h.reshape(3, self.n, self.n)
        w_x, b = self.w_x.reshape(3, n, -1), self.b.reshape(3, n)
        zero_h, zero_x = np.zeros((n, n)), np.zeros_like(w_x[2])
        return np.block([[W_r, w_x[0], b[0, :, None]], [W_z, w_x[1], b[1, :, None]], [W_n, zero_x, self.b_hn[:, None]],
                         [zero_h, w_x[2], b[2, :, None]]])  # fmt: skip

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
    xs, X, batched = common.steps(xs, p.d, dtype)
    (T, B, _), n = X.shape, p.n
    s = common.inputs(X, n, h0)
    a = np.empty((T, B, 4 * n), dtype=s.dtype)  # each day [u_r + q_r, u_z + q_z, q_n, u_n], then r, z in place
    cand = np.empty((T, B, n), dtype=s.dtype)
    AT = np.ascontiguousarray(p.A.T, dtype=s.dtype)
    R = lambda v: common.rows(v, B)  # noqa: E731
    part = lambda k: R(a[..., k * n : (k + 1) * n])  # noqa: E731
    steps = zip(R(s[:-1]), R(a), R(a[..., : 2 * n]), part(0), part(1), part(2), part(3), R(cand), R(s[:-1, :, :n]),
                R(s[1:, :, :n]), strict=True)  # fmt: skip
    for s_t, a_t, rz, r, z, q_n, u_n, n_t, h_prev, h in steps:  # views, one row a day
        np.matmul(s_t, AT, out=a_t)  # u + q for r and z; q_n = W_hn h_{t-1} + b_hn; u_n = W_in x_t + b_in
        common.sigmoid(rz, rz)  # r, z
        np.tanh(np.add(u_n, np.multiply(r, q_n, n_t), n_t), n_t)  # n_t = tanh(u_n + r q_n)
        np.subtract(h_prev, n_t, h)  # h_t = n_t + z (h_{t-1} - n_t)
        h *= z
        h += n_t
    y = s[1:].dot(common.readout(p).astype(s.dtype))
    return Trace(xs, *(common.shaped(v, batched) for v in (a[..., :n], a[..., n : 2 * n],
                 cand, a[..., 2 * n : 3 * n], s[1:, :, :n], y)), s, batched)  # fmt: skip


@np.errstate(all="ignore")
def backward(params, trace, target, loss="last", k=None):
    """Backpropagation through time; the loss, batches and truncation `k` as in `rnn.backward`."""
    p, tr, s = params, trace, trace.s
    (T, B, m), n = (s.shape[0] - 1, *s.shape[1:]), p.n
    r, z, cand, q_n = (common.with_batch(a, tr.batched) for a in (tr.r, tr.z, tr.n, tr.q_n))
    h_prev = s[:-1, :, :n]
    y = common.with_batch(tr.y, tr.batched)  # (T, B), as forward made it
    dy, L = common.errors(y, target, loss)
    dh = np.multiply.outer(dy, p.w_y)  # (T, B, n), dy_t w_y for now
    into_n = (1 - z) * (1 - cand * cand)  # da_n = dh_t (1 - z_t)(1 - n_t^2)
    into_z = (h_prev - cand) * z * (1 - z)  # da_z = dh_t (h_{t-1} - n_t) z_t (1 - z_t)
    into_r = q_n * r * (1 - r)  # da_r = da_n q_n r_t (1 - r_t)
    da = np.zeros((T, B, 4 * n))  # what each day's a = A s_t gets: [da_r, da_z, dq_n = r da_n, da_n]
    W_h, R = p.W_h, lambda v: common.rows(v, B)
    tmp, tmp2 = np.empty((B, n) if B > 1 else n), np.empty((B, n) if B > 1 else n)
    block = lambda k: da[..., k * n : (k + 1) * n]  # noqa: E731
    for start, end in common.pieces(T, k):
        span = slice(start, end)
        steps = zip(*(R(v[span])[::-1] for v in (dh, da[..., : 3 * n], block(0), block(1), block(2), block(3), r, z,
                    into_n, into_z, into_r)), strict=True)  # fmt: skip
        dq_next = z_next = dh_next = None
        for dh_t, dq_t, da_r, da_z, dq_n, da_n, r_t, z_t, into_n_t, into_z_t, into_r_t in steps:  # t = end-1 .. start
            if dq_next is not None:  # dh_t = w_y dy_t + z_{t+1} dh_{t+1} + W_h^T dq_{t+1}
                dh_t += np.multiply(z_next, dh_next, tmp)
                dh_t += np.matmul(dq_next, W_h, out=tmp2)
            np.multiply(dh_t, into_n_t, da_n)
            np.multiply(da_n, into_r_t, da_r)
            np.multiply(dh_t, into_z_t, da_z)
            np.multiply(r_t, da_n, dq_n)
            dq_next, z_next, dh_next = dq_t, z_t, dh_t
    G = common.sum_outer(s[:-1].reshape(-1, m), da.reshape(-1, 4 * n)).T  # (4n, m) dA = sum_t da_t s_t^T
    rz, zn = slice(0, 2 * n), slice(3 * n, 4 * n)
    dx = da @ p.A[:, n:-1]  # (T, B, d)
    dh0 = z[0] * dh[0] + da[0, :, : 3 * n] @ p.W_h
    return Grads(
        loss=L,
        dh=common.shaped(dh, tr.batched),
        dx=dx.reshape(np.shape(tr.xs)),
        w_x=np.concatenate((G[rz, n:-1], G[zn, n:-1])).reshape(p.w_x.shape),
        W_h=G[: 3 * n, :n],
        b=np.concatenate((G[rz, -1], G[zn, -1])),
        b_hn=G[2 * n : 3 * n, -1],
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
