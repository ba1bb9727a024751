"""A layer of n units read for the gradient: what W_h's eigenvalues and singular values decide, what reaches each
day back, and the Layer scenarios' stories, all told from the numbers of the run on screen.

The error is the last day's, L = ½(y_T − target)², so dL/dh_T = (y_T − target) w_y and one day back

    dL/dh_{t-1} = J_t^T dL/dh_t,   J_t = diag(act'(z_t)) W_h,   ||J_t||_2 <= sigma_max gamma

so k days back the gradient is at most (sigma_max gamma)^k times day T's (`spectra`). `back` runs that product on
the vector itself, renormalised every day and kept as log10, so 10^-400 and 10^400 are numbers like any other.
"""

import math
from dataclasses import dataclass

import numpy as np

from . import network, spectra, state
from .data import chosen, parse_sequence
from .explain import fmt, fmt_log10
from .models import rnn

ROUNDING = 1e-12  # |eigenvalues| below this times sigma_max are 0 up to rounding (the trap's come out as 1e-15)
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
LINES = 8  # units drawn as lines beside the heatmap of the hidden state


@dataclass(frozen=True)
class Reading:
    """One sequence through the layer: its label, colour and forward trace, and `back` (T+1,): log10 of
    |dL/dh_{T-k}| / |dL/dh_T| for k = 0 .. T days back (k = T: h_0, the memory before day 1); -inf where the
    gradient is exactly 0, NaN where the forward pass overflowed."""

    label: str
    color: str
    trace: object
    back: np.ndarray

    @property
    def days(self):
        return len(self.trace.y)


@np.errstate(all="ignore")
def back(params, trace):
    """log10 |dL/dh_{T-k}| / |dL/dh_T|, k = 0 .. T (T+1,), for the last day's error (see `Reading`)."""
    T = len(trace.y)
    dot = np.ascontiguousarray(params.W_h.T).dot
    d = rnn.ACTIVATIONS[params.activation].df(trace.z, trace.h)  # (T, n) act'(z_t)
    overflowed = (~np.isfinite(trace.z).all(axis=1)).tolist()
    out = [0.0]
    g = params.w_y / np.linalg.norm(params.w_y)  # dL/dh_T up to the error's size, at norm 1
    scale = 0.0
    for t in range(T - 1, -1, -1):  # g = dL/dh_{t-1} / 10^scale from dL/dh_t
        if overflowed[t]:
            break  # NaN from here back: the forward pass has no number for this day
        g = dot(d[t] * g)
        norm = math.sqrt(g.dot(g))
        if norm == 0:
            out += [-math.inf] * (t + 1)
            break
        g /= norm
        scale += math.log10(norm)
        out.append(scale)
    return np.array(out + [math.nan] * (T + 1 - len(out)))


def read(params, h0, prices):
    """The `Reading` of `prices` (a `data.Prices`) through `params` from the memory h0."""
    trace = rnn.forward(params, prices.xs, h0)
    return Reading(prices.label, prices.color, trace, back(params, trace))


def bound(spectrum, days):
    """log10 (sigma_max gamma)^k for k = 0 .. days: the most the gradient can be k days back, times day T's."""
    return spectra.bound(spectrum.rate, days)[::-1]


def radius(spectrum):
    """rho, with rounding's specks (below ROUNDING sigma_max) read as the 0 they are."""
    return 0.0 if spectrum.radius < ROUNDING * max(spectrum.norm, 1.0) else spectrum.radius


def _at_one(x):
    return math.isclose(x, 1.0, rel_tol=1e-9)


def radius_sentence(spectrum):
    """What rho decides: a linear RNN's fate in the long run, and nothing for certain once there is an activation."""
    rho = radius(spectrum)
    said = f"**ρ = {fmt(rho)}**, the largest |eigenvalue|: "
    if _at_one(rho):
        said += "the powers W_hᵏ neither shrink nor grow along its eigenvector, so a linear RNN keeps that part of "
    elif rho < 1:
        said += "the powers W_hᵏ shrink to 0, so without an activation (a linear RNN) the gradient must vanish in "
    else:
        said += f"the powers W_hᵏ grow like {fmt(rho)}ᵏ, so a linear RNN's gradient explodes in "
    said += "the gradient for ever." if _at_one(rho) else "the long run."
    return said + " With an activation ρ alone decides nothing: the trap has ρ = 0 and its gradient doubles daily."


def norm_sentence(spectrum):
    """What sigma_max = ||W_h||_2 decides: the most one day back can stretch the gradient."""
    s, gamma = spectrum.norm, spectrum.gamma
    slope = f" times the activation's steepest slope γ = {fmt(gamma)}" if gamma != 1 else ""
    return (
        f"**‖W_h‖₂ = σ_max = {fmt(s)}**, the most W_h stretches any vector: one day back multiplies the gradient by "
        f"at most {fmt(s)}{slope}{f' = {fmt(spectrum.rate)}' if gamma != 1 else ''}, whatever the prices."
    )


def conditions(spectrum, first):
    """Pascanu, Mikolov & Bengio's conditions for this W_h and activation, and what `first` (a `Reading`) did."""
    rate, gamma, T = spectrum.rate, spectrum.gamma, first.days
    head = f"σ_max·γ = {fmt(spectrum.norm)} × {fmt(gamma)} = {fmt(rate)}"
    ceiling = fmt_log10(bound(spectrum, T)[-1])
    here = first.back[-1]
    if np.isnan(here):
        did = "here the forward pass overflowed, so there is no gradient to measure"
    else:
        did = f"here it is {fmt_log10(here)}× day {T}'s on day 0 (h₀)"
    if _at_one(rate):
        return (f"{head}: exactly 1/γ. One day back can at most keep the gradient's size, so it cannot explode, "
                f"but nothing stops it fading: {did}.")  # fmt: skip
    if rate < 1:
        return (f"{head} < 1, so σ_max < 1/γ = {fmt(1 / gamma)}: every day back multiplies the gradient by "
                f"{fmt(rate)} at most, and after {T} days it is at most {ceiling}× day {T}'s. Below 1/γ it **must "
                f"vanish**: {did}.")  # fmt: skip
    fate = "" if np.isnan(here) else " (it grew)" if here > 0 else " (it shrank all the same)"
    return (f"{head} > 1, so σ_max > 1/γ = {fmt(1 / gamma)}: the bound lets the gradient grow up to {fmt(rate)}× a "
            f"day, {ceiling}× after {T} days. Above 1/γ it **may explode, but need not**: {did}{fate}.")  # fmt: skip


def trap_note(units):
    """What the trap does with this many units, or None when there is nothing to say."""
    if units < 2:
        return "The trap needs 2 units or more: with 1 unit W_h is 0 and nothing reaches back. Set n ≥ 2."
    if units % 2:
        return f"The trap is a pair of units: with n = {units} the last unit sits out (its weights are 0)."
    return None


def spread(readings):
    """The largest gap between two units' h on any day of any reading: 0 when the units are copies that act as one."""
    return max(float(np.ptp(r.trace.h, axis=1).max()) for r in readings)


def day_factors(first):
    """10^(back[k] - back[k-1]) for k = 1 .. T: what each day back multiplied the gradient by."""
    with np.errstate(invalid="ignore"):
        return 10.0 ** np.diff(first.back)


# The Layer scenarios, each told from the run it sets up


def settings(preset):
    """Every setting of `preset`: its own, the defaults for the rest."""
    return state.scenario_settings(preset)


def build(v):
    """(params, spectrum, readings) of settings `v` as the Layer page sets them up."""
    p = network.params(v)
    sequences = chosen(v[state.SEQUENCE.name], parse_sequence(v[state.TYPED.name]))
    h0 = network.h0(v)
    return p, spectra.spectrum(p.W_h, p.activation), [read(p, h0, s) for s in sequences]


def _times(first):
    return f"{fmt_log10(first.back[-1])}× day {first.days}'s"


def _irnn(v):
    p, s, (first,) = build(v)
    on = int((first.trace.z > 0).all(axis=0).sum())
    steady = np.ptp(first.back[1:]) < 1e-9
    same = f"the same on every day from day {first.days - 1} back" if steady else "changing from day to day"
    return (
        f"W_h = I with ReLU (Le et al. 2015): each unit adds w_x·x to yesterday's memory. ρ = σ_max = {fmt(s.norm)}, "
        f"so the bound is 1 on every day back: nothing can explode. The {on} units that stay on hand the gradient "
        f"back unchanged, the {p.n - on} whose w_x is negative stay off (ReLU's slope 0) and pass nothing: after "
        f"{first.days} days it is {_times(first)}, {same}. It neither vanishes nor explodes."
    )


def _orthogonal(v):
    _, s, (first,) = build(v)
    _, _, (tanh,) = build({**v, state.ACTIVATION.name: "tanh"})
    lo, hi = s.singular[-1], s.singular[0]
    return (
        f"An orthogonal W_h rotates and never stretches: its singular values are all {fmt(lo)}"
        f"{'' if fmt(lo) == fmt(hi) else f' to {fmt(hi)}'}. With no activation every day back turns the gradient "
        f"and keeps its length: after {first.days} days it is {_times(first)}. With tanh, whose slope is below 1 "
        f"wherever h ≠ 0, the same W_h leaves {_times(tanh)}: the activation, not W_h, makes it fade."
    )


def _radius(v):
    _, s, (first,) = build(v)
    rho = v[state.RHO.name]
    other = 1.1 if rho < 1 else 0.9
    _, _, (twin,) = build({**v, state.RHO.name: other})
    _, _, (tanh,) = build({**v, state.ACTIVATION.name: "tanh"})
    power = f"{fmt(rho)}{str(first.days).translate(SUPERSCRIPT)} = {fmt_log10(first.days * math.log10(rho))}"
    said = (
        f"W_h is random with ρ = {fmt(radius(s))} (σ_max = {fmt(s.norm)}). With no activation the gradient shrinks "
        f"or grows like ρᵏ: after {first.days} days it is {_times(first)} ({power}); the same seed with "
        f"ρ = {fmt(other)} gives {_times(twin)}."
    )
    if rho > 1:
        said += f" With tanh instead it is {_times(tanh)}: above 1/γ it may explode, but need not."
    return said


def _copies(v):
    p, _, readings = build(v)
    first = readings[0]
    grads = rnn.backward(p, first.trace, v[state.TARGET.name])
    return (
        f"The {p.n} units are copies of StatQuest's unit (w_x = {fmt(p.w_x[0])}, w_h = {fmt(p.W_h[0, 0])}, "
        f"w_y = {fmt(p.w_y[0])} each): on every day they hold the same number (the largest gap between two units "
        f"is {fmt(spread(readings))}) and {first.label.lower()}'s prediction is {fmt(first.trace.y[-1])}, as with one "
        f"unit. All {p.W_h.size} entries of ∂L/∂W_h are equal too (they differ by {fmt(np.ptp(grads.W_h))}), so "
        "gradient descent moves the copies in lockstep for ever: n copies learn no more than one. That is why "
        "weights start random."
    )


def _trap(v):
    _, s, (first,) = build(v)
    factors = day_factors(first)
    doubling = sum(fmt(f) == "2" for f in factors)  # as shown: h drifts off its point by 1e-6 in 30 days
    return (
        f"Both eigenvalues of W_h = [[8, 8], [−8, −8]] are 0: ρ = {fmt(radius(s))}, and W_h² = 0. Yet h stays at its "
        f"fixed point h₀ = ({', '.join(fmt(h) for h in network.h0(v)[:2])}) (w_x = 0: the prices do not enter), "
        f"where J = diag(tanh′) W_h has J² = 2J: on {doubling} of the {first.days} days back the gradient doubles "
        f"(×2 to 3 digits), and on day 0 it is {_times(first)}. σ_max = {fmt(s.norm)} allowed up to "
        f"{fmt(s.rate)}× a day: the singular values bound the gradient, the eigenvalues do not."
    )


TELLERS = {
    "layer-irnn": _irnn,
    "layer-orthogonal": _orthogonal,
    "layer-rho-0.9": _radius,
    "layer-rho-1.1": _radius,
    "layer-copies": _copies,
    "layer-trap": _trap,
}


def story(preset):
    """What to notice in a Layer scenario, from its own numbers."""
    return TELLERS[preset.key](settings(preset))
