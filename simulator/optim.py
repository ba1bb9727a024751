"""Gradient descent for any cell over its whole parameter vector theta: SGD, momentum and Adam, with clipping.

g = clip(dL/dtheta)                                   by norm (rescale to <= c) or by value (each in [-c, c])
SGD:       theta <- theta - lr g
momentum:  v <- beta v + g;  theta <- theta - lr v
Adam:      m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  theta <- theta - lr m^ / (sqrt(v^) + eps)
           with m^ = m / (1 - b1^t), v^ = v / (1 - b2^t) (Kingma & Ba 2015)
"""

from dataclasses import dataclass, field

import numpy as np

from . import bptt
from .models import common

OPTIMIZERS = ("sgd", "momentum", "adam")


@dataclass
class Optimizer:
    """One run's optimizer and its state (m, v and the step count t); `step` returns the next theta."""

    name: str = "adam"
    lr: float = 0.01
    beta1: float = 0.9  # momentum's beta, Adam's b1
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: np.ndarray | None = field(default=None, repr=False)
    v: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.name not in OPTIMIZERS:
            raise ValueError(f"optimizer {self.name!r} is not one of {', '.join(OPTIMIZERS)}")

    def step(self, theta, g):
        self.t += 1
        if self.name == "sgd":
            return theta - self.lr * g
        if self.m is None:
            self.m, self.v = np.zeros_like(theta), np.zeros_like(theta)
        if self.name == "momentum":
            self.m = self.beta1 * self.m + g
            return theta - self.lr * self.m
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        m_hat, v_hat = self.m / (1 - self.beta1**self.t), self.v / (1 - self.beta2**self.t)
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def gradient(params, grads):
    """dL/dtheta in `common.vector`'s order."""
    return common.vector(grads, params.NAMES)


@dataclass(frozen=True)
class Progress:
    """Where a run is: after `step` updates, the batch's mean loss and the test MSE (None between tests)."""

    step: int
    loss: float
    test: float | None
    params: object


def descend(model, params, batches, optimizer, steps, clip="none", clip_at=1.0, loss="last", k=None, test=None,
            every=50):  # fmt: skip
    """Yield `Progress` after each step, the test MSE every `every` steps and at the end: `batches(step)` gives
    (xs, target) for a step, `test` a fixed (xs, target). The loss is the batch's mean, so lr does not scale with
    B. Stops early when the loss or the weights are not finite."""
    theta = common.vector(params, params.NAMES)
    for step in range(1, steps + 1):
        mean_loss, theta = update(model, params, theta, batches(step), optimizer, clip, clip_at, loss, k)
        params = common.from_vector(type(params), theta, params)
        finite = np.isfinite(mean_loss) and np.isfinite(theta).all()
        tested = test is not None and (step % every == 0 or step == steps or not finite)
        yield Progress(step, mean_loss, mse(model, params, *test) if tested else None, params)
        if not finite:
            return


@np.errstate(all="ignore")
def update(model, params, theta, batch, optimizer, clip="none", clip_at=1.0, loss="last", k=None):
    """One step on batch = (xs, target) from params (their vector theta): (the batch's mean loss, the next theta)."""
    xs, target = batch
    B = 1 if np.ndim(xs) == 1 else np.shape(xs)[1]
    g = model.backward(params, model.forward(params, xs), target, loss, k)
    return g.loss / B, optimizer.step(theta, bptt.clip(gradient(params, g) / B, clip, clip_at))


@np.errstate(all="ignore")
def mse(model, params, xs, target):
    """Mean squared error of the last day's prediction over a batch."""
    err = model.forward(params, xs).y[-1] - target
    return float(np.mean(err * err))
