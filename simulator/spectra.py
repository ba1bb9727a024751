"""What W_h's eigenvalues and singular values say about the gradient, and recipes for W_h.

One step back multiplies the gradient by J_t^T with J_t = diag(act'(z_t)) W_h, and |act'| <= gamma (1 for tanh
and ReLU, 1/4 for the sigmoid), so ||J_t|| <= sigma_max gamma and after k days the gradient is at most
(sigma_max gamma)^k times where it started (Pascanu, Mikolov & Bengio 2013):

    sigma_max < 1 / gamma   is sufficient for it to vanish (it must);
    sigma_max > 1 / gamma   is necessary for it to explode (it may, but need not).

The spectral radius rho (the largest |eigenvalue|) is not enough: `trap` has rho = 0 and yet its gradient
doubles every day back.
"""

from dataclasses import dataclass

import numpy as np

from .models import rnn


@dataclass(frozen=True)
class Spectrum:
    """W_h (n, n) read for the gradient: eigenvalues (n,) complex, singular values (n,) largest first."""

    eigenvalues: np.ndarray
    singular: np.ndarray
    gamma: float

    @property
    def radius(self):
        """rho, the spectral radius: the largest |eigenvalue|."""
        return float(np.abs(self.eigenvalues).max())

    @property
    def norm(self):
        """sigma_max = ||W_h||_2, the largest singular value."""
        return float(self.singular[0])

    @property
    def rate(self):
        """sigma_max gamma: the most one step back can multiply the gradient by."""
        return self.norm * self.gamma

    @property
    def must_vanish(self):
        return self.rate < 1.0

    @property
    def may_explode(self):
        return self.rate > 1.0


def spectrum(W_h, activation="tanh"):
    W_h = np.asarray(W_h, dtype=np.float64)
    return Spectrum(np.linalg.eigvals(W_h), np.linalg.svd(W_h, compute_uv=False), rnn.ACTIVATIONS[activation].gamma)


def bound(rate, T):
    """log10 (sigma_max gamma)^k for k = T .. 0 steps back, at days t = 0 .. T (T+1,): the ceiling over `reach`."""
    with np.errstate(divide="ignore"):
        return (T - np.arange(T + 1)) * np.log10(rate) if rate > 0 else np.where(np.arange(T + 1) == T, 0.0, -np.inf)


RECIPES = ("statquest", "identity", "orthogonal", "radius", "gain", "trap")


def recipe(name, n, scale=1.0, seed=0):
    """W_h (n, n), reproducible from the seed:
    statquest: StatQuest's w_h = -0.5 on the diagonal (n copies of its unit); identity: scale I (IRNN);
    orthogonal: scale Q, Q a random rotation (every singular value is scale); radius: Gaussian rescaled to
    spectral radius scale; gain: Gaussian N(0, 1) x scale / sqrt(n); trap: copies of the 2 x 2 trap, radius 0."""
    rng = np.random.default_rng(seed)
    if name == "statquest":
        return np.diag(np.full(n, -0.5))
    if name == "identity":
        return scale * np.eye(n)
    if name == "orthogonal":
        q, r = np.linalg.qr(rng.normal(size=(n, n)))
        return scale * q * np.sign(np.diag(r))  # the sign fix makes Q uniform over rotations
    if name == "radius":
        W = rng.normal(size=(n, n))
        return W * (scale / np.abs(np.linalg.eigvals(W)).max())
    if name == "gain":
        return rng.normal(size=(n, n)) * scale / np.sqrt(n)
    if name == "trap":
        return _blocks(TRAP_W_H, n)
    raise ValueError(f"recipe {name!r} is not one of {', '.join(RECIPES)}")


TRAP_W_H = np.array([[8.0, 8.0], [-8.0, -8.0]])  # nilpotent: both eigenvalues are 0
TRAP_B = np.array([-4.0, 4.0 + np.arctanh(0.5)])
TRAP_H0 = np.array([0.0, 0.5])  # a fixed point: tanh(W h0 + b) = h0, where J = [[8, 8], [-6, -6]] and J^2 = 2J


def _blocks(block, n):
    """n x n with copies of `block` on the diagonal; an odd last unit gets 0."""
    W = np.zeros((n, n))
    for i in range(0, n - 1, 2):
        W[i : i + 2, i : i + 2] = block
    return W


def trap(n=2):
    """The trap as a network with its start state: (rnn.Params, h0). Fed zeros, it stays at its fixed point h0,
    and every step back multiplies the gradient by J with J^2 = 2J: it doubles, though rho(W_h) = 0. J's other
    eigenvalue is 2, so the point is unstable: float64's rounding doubles daily too and it holds ~40 days."""
    b = np.zeros(n)
    h0 = np.zeros(n)
    for i in range(0, n - 1, 2):
        b[i : i + 2], h0[i : i + 2] = TRAP_B, TRAP_H0
    return rnn.Params(np.zeros(n), recipe("trap", n), b, np.ones(n), 0.0, "tanh"), h0
