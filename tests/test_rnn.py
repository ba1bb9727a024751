"""Tests for the RNN core, simulator/models/rnn.py.

    z_t = w_x x_t + W_h h_{t-1} + b,   h_0 = 0,   h_t = act(z_t),   y_t = w_y . h_t + b_y

Gradients are checked against central finite differences of an independent per-step reference written
here; exact numbers come from /work/shared/reference/statquest-numbers.md or from exact arithmetic.
"""

import re
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simulator.models.rnn import ACTIVATIONS, Params, backward, forward

ACTS = ("relu", "tanh", "sigmoid", "identity")
LOSSES = ("last", "all")
PARAM_NAMES = ("w_x", "W_h", "b", "w_y", "b_y")

EXACT = 1e-12  # rtol = atol for results that only differ by float rounding
FD_EPS = 1e-6  # central-difference step
FD_RTOL = 1e-6  # finite difference vs analytic gradient
FD_ATOL = 1e-7
RELU_MARGIN = 1e-3  # for ReLU, every |z_t| must exceed this so no FD step crosses the kink
SPECTRAL_NORM = 0.8  # of the random W_h, so values stay moderate over 50 steps

REF_ACT = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "identity": lambda z: 1.0 * z,
}


def reference(w, act, xs, target, loss, bump=None):
    """Plain per-step loop; bump = (t, i, delta) adds delta to h_t[i] right after step t computes it.

    Returns (z, h, y, L) with z, h (T, n) and y (T,).
    """
    h = np.zeros(len(w["b"]))
    zs, hs, ys = [], [], []
    for t, x in enumerate(xs):
        z = w["w_x"] * x + w["W_h"] @ h + w["b"]
        h = REF_ACT[act](z)
        if bump is not None and bump[0] == t:
            h[bump[1]] += bump[2]
        y = w["w_y"] @ h + w["b_y"]
        zs.append(z)
        hs.append(h)
        ys.append(y)
    ys = np.array(ys)
    err = ys[-1:] - target if loss == "last" else ys - target
    return np.array(zs), np.array(hs), ys, 0.5 * float(err @ err)


def central_difference(loss_at, arr):
    """dL/darr by central differences, perturbing arr in place (restored afterwards)."""
    grad = np.zeros(arr.shape)
    for idx in np.ndindex(arr.shape):
        orig = arr[idx]
        arr[idx] = orig + FD_EPS
        up = loss_at()
        arr[idx] = orig - FD_EPS
        down = loss_at()
        arr[idx] = orig
        grad[idx] = (up - down) / (2 * FD_EPS)
    return grad


def to_params(w, act):
    return Params(w["w_x"], w["W_h"], w["b"], w["w_y"], float(w["b_y"]), act)


def random_case(act, n, T, loss, seed):
    """Moderate random weights, inputs and targets; for ReLU, regenerate until every |z_t| > RELU_MARGIN."""
    for attempt in range(100):
        rng = np.random.default_rng([seed, attempt])
        W_h = rng.normal(size=(n, n))
        w = {
            "w_x": rng.normal(size=n),
            "W_h": W_h * SPECTRAL_NORM / np.linalg.norm(W_h, 2),
            "b": rng.normal(scale=0.5, size=n),
            "w_y": rng.normal(size=n),
            "b_y": np.array(rng.normal()),
        }
        xs = rng.uniform(-1, 1, size=T)
        target = rng.normal() if loss == "last" else rng.normal(size=T)
        z = reference(w, act, xs, target, loss)[0]
        if act != "relu" or (np.abs(z).min() > RELU_MARGIN and (z > 0).any()):
            return w, xs, target
    raise AssertionError(f"no usable ReLU case for n={n}, T={T}, seed={seed}")


def run_strict(params, xs, target, loss):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            trace = forward(params, xs)
            grads = backward(params, trace, target, loss)
    return trace, grads


def close(actual, expected, tol=EXACT):
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


# 1. Every gradient against finite differences of an independent reference


@pytest.mark.parametrize("T", [1, 2, 9, 50])
@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("act", ACTS)
def test_forward_and_gradients_match_reference(act, loss, n, T):
    w, xs, target = random_case(act, n, T, loss, seed=1000 * n + T)
    params = to_params(w, act)
    trace = forward(params, xs)
    grads = backward(params, trace, target, loss)

    z, h, y, L = reference(w, act, xs, target, loss)
    close(trace.z, z)
    close(trace.h, h)
    close(trace.y, y)
    close(grads.loss, L)

    def loss_at(bump=None):
        return reference(w, act, xs, target, loss, bump)[3]

    for name in PARAM_NAMES:
        fd = central_difference(loss_at, w[name])
        assert np.shape(getattr(grads, name)) == w[name].shape, name
        np.testing.assert_allclose(getattr(grads, name), fd, rtol=FD_RTOL, atol=FD_ATOL, err_msg=name)
    np.testing.assert_allclose(grads.dx, central_difference(loss_at, xs), rtol=FD_RTOL, atol=FD_ATOL)

    fd_dh = np.zeros((T, n))
    for t, i in np.ndindex(T, n):
        up = loss_at((t, i, FD_EPS))
        down = loss_at((t, i, -FD_EPS))
        fd_dh[t, i] = (up - down) / (2 * FD_EPS)
    np.testing.assert_allclose(grads.dh, fd_dh, rtol=FD_RTOL, atol=FD_ATOL)


# 2. StatQuest's network


def test_scalar_defaults_are_statquests_network():
    p = Params.scalar()
    assert (p.w_x.tolist(), p.W_h.tolist(), p.b.tolist(), p.w_y.tolist()) == ([1.8], [[-0.5]], [0.0], [1.1])
    assert (p.b_y, p.activation, p.n) == (0.0, "relu", 1)


@pytest.mark.parametrize(
    "xs, prediction",
    [
        ((0, 0), 0.0),
        ((0, 0.5), 0.99),
        ((1, 0.5), 0.0),
        ((1, 1), 0.99),
        ((1, 0.5, 0.5), 0.99),
        ((0.5, 0.5), 0.495),
    ],
)
def test_statquest_predictions(xs, prediction):
    assert forward(Params.scalar(), xs).y[-1] == pytest.approx(prediction, rel=EXACT, abs=EXACT)


def test_statquest_high_medium_hidden_state_is_zero():
    trace = forward(Params.scalar(), [1, 0.5])
    assert trace.h[1, 0] == 0.0  # ReLU(1.8 * 0.5 - 0.5 * 1.8) = ReLU(0)
    assert trace.h[0, 0] == pytest.approx(1.8, rel=EXACT)


# 3. Closed forms for the scalar identity network


@pytest.mark.parametrize("T", [1, 2, 9, 50])
def test_identity_closed_forms(T):
    rng = np.random.default_rng(T)
    w_x, w_h, w_y, b_y = rng.uniform(0.5, 1.5), rng.uniform(-1.1, 1.1), rng.uniform(-2, 2), rng.normal()
    xs, target = rng.normal(size=T), rng.normal()
    params = Params.scalar(w_x=w_x, w_h=w_h, b=0.0, w_y=w_y, b_y=b_y, activation="identity")
    trace = forward(params, xs)
    grads = backward(params, trace, target)

    terms = [w_y * w_h ** (T - t) * w_x * xs[t - 1] for t in range(1, T + 1)]
    assert trace.y[-1] == pytest.approx(sum(terms) + b_y, rel=EXACT, abs=EXACT * sum(map(abs, terms)))
    residual = trace.y[-1] - target
    assert grads.dx[0] == pytest.approx(residual * w_y * w_h ** (T - 1) * w_x, rel=EXACT, abs=EXACT)
    close(grads.dx, [residual * w_y * w_h ** (T - t) * w_x for t in range(1, T + 1)])


@pytest.mark.parametrize("act", ["relu", "identity"])
@pytest.mark.parametrize(
    "w_h, factor, rel",
    [(2.0, 1_125_899_906_842_624, EXACT), (0.5, 8.88e-16, 1e-3)],  # the reference's 2^50 and 0.5^50
)
def test_statquest_vanishing_and_exploding(act, w_h, factor, rel):
    """x_1 reaches y_T through T - 1 recurrent multiplications: dy_T/dx_1 = w_y w_x w_h^(T-1).

    StatQuest's "50 inputs, the first input is multiplied by 2^50" counts 50 multiplications by w_h,
    i.e. 50 unrollings after the first input: T = 51 inputs. (With exactly 50 inputs it is 2^49.)
    Positive prices keep every z_t > 0, so ReLU behaves like the identity here.
    """
    params = Params.scalar(w_h=w_h, activation=act)
    xs = np.random.default_rng(7).uniform(0.1, 1.0, size=51)
    trace = forward(params, xs)
    assert (trace.z > 0).all()
    target = trace.y[-1] - 1.0
    assert trace.y[-1] - target == 1.0  # so dL/dx_1 = dy_T/dx_1
    grads = backward(params, trace, target)
    assert grads.dx[0] / (1.8 * 1.1) == pytest.approx(factor, rel=rel)
    assert grads.dx[0] / grads.dx[-1] == pytest.approx(factor, rel=rel)
    grads50 = backward(params, forward(params, xs[:50]), 0.0)
    assert grads50.dx[0] / grads50.dx[-1] == pytest.approx(w_h**49, rel=EXACT)


# 4. The seed tutorial's numbers: 1001 days, identity, w_x = w_y = 1, b = 0


@pytest.mark.parametrize(
    "w_h, exact, quoted",
    [
        ("0.99", Fraction("0.99") ** 1000, 4.317e-5),
        ("0.9", Fraction("0.9") ** 1000, 1.748e-46),
        ("1.1", Fraction("1.1") ** 1000, 2.4699e41),
    ],
)
def test_seed_gradient_ratio_over_1000_steps(w_h, exact, quoted):
    params = Params.scalar(w_x=1.0, w_h=float(w_h), b=0.0, w_y=1.0, activation="identity")
    xs = np.random.default_rng(3).uniform(0, 1, size=1001)
    grads = backward(params, forward(params, xs), target=-1.0)
    ratio = abs(grads.dx[0]) / abs(grads.dx[-1])
    assert ratio == pytest.approx(float(exact), rel=1e-9)
    assert ratio == pytest.approx(quoted, rel=1e-4)
    assert ratio > 0.0  # 0.9^1000 does not underflow in float64


# 5. ReLU'(0) = 0


def test_relu_derivative_at_zero_is_zero():
    """(1, 0.5): z_2 = 0.9 - 0.9 = 0 exactly, so nothing flows back through step 2."""
    params = Params.scalar()
    trace = forward(params, [1.0, 0.5])
    assert trace.z[1, 0] == 0.0
    grads = backward(params, trace, target=1.0)
    assert grads.dh[1, 0] == pytest.approx(-1.1)  # dL/dh_2 = (y_2 - 1) w_y is not zero ...
    assert grads.dx.tolist() == [0.0, 0.0]  # ... but act'(z_2) = 0 blocks it
    assert (grads.w_x.item(), grads.W_h.item(), grads.b.item(), grads.w_y.item()) == (0, 0, 0, 0)
    assert grads.b_y == -1.0


def test_relu_derivative_at_zero_first_step():
    """(0, 0.5): z_1 = 0 exactly; x_1 gets no gradient though z_2 > 0 passes gradient back to h_1."""
    params = Params.scalar()
    trace = forward(params, [0.0, 0.5])
    assert trace.z[0, 0] == 0.0 and trace.z[1, 0] > 0
    grads = backward(params, trace, target=0.0)
    assert grads.dh[0, 0] == pytest.approx(0.99 * 1.1 * -0.5, rel=EXACT)
    assert grads.dx[0] == 0.0
    assert grads.dx[1] == pytest.approx(0.99 * 1.1 * 1.8, rel=EXACT)


# 6. Robustness: anything finite goes in, nothing is raised or warned


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def networks(draw):
    n = draw(st.integers(1, 3))
    vec = arrays(np.float64, n, elements=finite)
    W_h = draw(arrays(np.float64, (n, n), elements=finite))
    return Params(draw(vec), W_h, draw(vec), draw(vec), draw(finite), draw(st.sampled_from(ACTS)))


def check_shapes(params, trace, grads, T):
    n = params.n
    assert trace.z.shape == trace.h.shape == grads.dh.shape == (T, n)
    assert trace.y.shape == grads.dx.shape == (T,)
    for name in PARAM_NAMES:
        assert np.shape(getattr(grads, name)) == np.shape(getattr(params, name)), name
    assert isinstance(grads.loss, float) and isinstance(grads.b_y, float)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    params=networks(),
    xs=arrays(np.float64, st.integers(1, 10_000), elements=finite),
    target=finite,
    loss=st.sampled_from(LOSSES),
)
@example(params=Params.scalar(w_h=10.0), xs=np.full(10_000, 1e300), target=-1e300, loss="all")
@example(
    params=Params(*[np.full(s, -1e300) for s in (3, (3, 3), 3, 3)], 1e300, "sigmoid"),
    xs=np.ones(10_000),
    target=0.0,
    loss="last",
)
def test_any_finite_input_runs_silently(params, xs, target, loss):
    targets = target if loss == "last" else np.roll(xs, -1)
    trace, grads = run_strict(params, xs, targets, loss)
    check_shapes(params, trace, grads, len(xs))


@pytest.mark.parametrize("act", ["relu", "identity"])
@pytest.mark.parametrize("loss", LOSSES)
def test_overflow_gives_non_finite_values(act, loss):
    params = Params.scalar(w_h=10.0, activation=act)
    xs = np.ones(1000)
    trace, grads = run_strict(params, xs, 0.0 if loss == "last" else xs, loss)
    check_shapes(params, trace, grads, 1000)
    assert np.isfinite(trace.y[:300]).all()  # 10^300 still fits in float64 ...
    assert not np.isfinite(trace.y[-1])  # ... 10^999 does not
    assert not np.isfinite(grads.loss)
    assert not np.isfinite(grads.dx).all() and not np.isfinite(grads.W_h).all()


@pytest.mark.parametrize("act", ACTS)
def test_huge_weights_vector_path(act):
    big = 1e300
    params = Params(np.full(3, big), np.full((3, 3), -big), np.full(3, big), np.full(3, big), big, act)
    trace, grads = run_strict(params, np.linspace(-1e300, 1e300, 50), 1e300, "last")
    check_shapes(params, trace, grads, 50)


# 7. The scalar fast path (n = 1) and the vector path (n > 1) agree


@pytest.mark.parametrize("second_unit_inputs", ["zero", "random"])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("act", ACTS)
def test_disconnected_second_unit_changes_nothing(act, loss, second_unit_inputs):
    """Unit 2 never feeds unit 1 or y (W_h[0, 1] = w_y[1] = 0); with "zero" it gets no input either."""
    w, xs, target = random_case(act, 1, 40, loss, seed=77)
    w_x2, b2, w_21, w_22 = np.random.default_rng(5).normal(size=4) * (second_unit_inputs == "random")
    one = to_params(w, act)
    two = Params(
        w_x=[w["w_x"][0], w_x2],
        W_h=[[w["W_h"][0, 0], 0.0], [w_21, 0.5 * w_22]],
        b=[w["b"][0], b2],
        w_y=[w["w_y"][0], 0.0],
        b_y=float(w["b_y"]),
        activation=act,
    )
    tr1, tr2 = forward(one, xs), forward(two, xs)
    g1, g2 = backward(one, tr1, target, loss), backward(two, tr2, target, loss)

    close(tr2.y, tr1.y)
    close(tr2.z[:, :1], tr1.z)
    close(tr2.h[:, :1], tr1.h)
    close(g2.loss, g1.loss)
    close(g2.dx, g1.dx)
    close(g2.dh[:, :1], g1.dh)
    close(g2.dh[:, 1], 0.0)
    close(g2.w_x[:1], g1.w_x)
    close(g2.W_h[:1, :1], g1.W_h)
    close(g2.b[:1], g1.b)
    close(g2.w_y[:1], g1.w_y)
    close(g2.b_y, g1.b_y)


# Validation of the API


def test_activations_are_the_four_named():
    assert set(ACTIVATIONS) == set(ACTS)


def shapes(n=2, **bad):
    good = {"w_x": np.ones(n), "W_h": np.eye(n), "b": np.zeros(n), "w_y": np.ones(n), "b_y": 0.0}
    return {**good, **bad}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"w_x": np.ones(3)}, "w_x has shape (3,)"),
        ({"w_x": np.ones((3, 1))}, "w_x has shape (3, 1)"),
        ({"W_h": np.ones(2)}, "W_h has shape (2,)"),
        ({"W_h": np.ones((2, 3))}, "W_h has shape (2, 3)"),
        ({"w_y": np.ones(1)}, "w_y has shape (1,)"),
    ],
)
def test_bad_shapes_are_named(bad, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Params(**shapes(**bad))


@pytest.mark.parametrize("bad_b", [np.zeros((2, 1)), np.float64(0.0), np.zeros(0)], ids=["2d", "0d", "empty"])
def test_bad_b_shape_is_named(bad_b):
    with pytest.raises(ValueError, match=r"\bb has shape"):
        Params(**shapes(b=bad_b))


def test_bad_activation_is_named():
    with pytest.raises(ValueError, match="activation 'softplus'"):
        Params.scalar(activation="softplus")


@pytest.mark.parametrize("xs, shape", [([], "(0,)"), ([[[1.0, 2.0]]], "(1, 1, 2)"), (np.ones((2, 0)), "(2, 0)")])
def test_forward_rejects_empty_or_misshapen_xs(xs, shape):
    with pytest.raises(ValueError, match=re.escape(f"xs has shape {shape}")):
        forward(Params.scalar(), xs)


def test_backward_rejects_unknown_loss():
    params = Params.scalar()
    with pytest.raises(ValueError, match="loss 'mean'"):
        backward(params, forward(params, [1.0]), 0.0, loss="mean")
