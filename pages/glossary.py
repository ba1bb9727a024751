"""Glossary: every word the pages use, in plain words, in one place that every page links to."""

import streamlit as st

from simulator.explain import subscripts
from ui.entry import require_entry_point
from ui.header import top
from ui.link import to_link

require_entry_point()

TERMS = (
    ("RNN (recurrent neural network)", "A network that reads a sequence one step at a time and keeps a memory "
     "from each step to the next. Here: one price a day, one number of memory."),
    ("Unrolled", "The RNN drawn once per day, side by side: the same cell, the same weights, copied for every day."),
    ("Price x_t", "The input on day t. StatQuest's scale: 0 is low, 0.5 medium, 1 high."),
    ("Hidden state h_t (the memory)", "What the network carries from day t to day t + 1: "
     "h_t = act(w_x·x_t + w_h·h_{t−1} + b). h_0 = 0, the memory before day 1."),
    ("Pre-activation z_t", "The sum inside the activation: z_t = w_x·x_t + w_h·h_{t−1} + b."),
    ("Prediction y_t", "y_t = w_y·h_t + b_y: the network's guess for day t + 1. The last one is tomorrow's."),
    ("Weights w_x, w_h, b, w_y, b_y", "The five numbers the network learns. w_x weighs today's price, w_h "
     "yesterday's memory (the feedback weight), w_y turns the memory into a prediction; b and b_y are added."),
    ("Activation act, and its slope act′", "The function that bends z into h: ReLU (0 below 0, z above), tanh "
     "(between −1 and 1), sigmoid σ (between 0 and 1), or identity (none). act′(z) is its slope at z: how much h "
     "moves when z moves a little. ReLU's slope is 1 above 0 and 0 below."),
    ("Dead ReLU", "A day whose z is below 0: ReLU outputs 0 and its slope is 0, so no gradient passes through it."),
    ("Loss L, error", "How wrong the prediction is: L = ½(y − target)². Its slope ∂L/∂y = y − target is the error."),
    ("Target", "The true price the prediction should have hit: tomorrow's (the error measured on 'only tomorrow'), "
     "or each next day's ('every next day')."),
    ("Gradient ∂L/∂something", "How much the loss changes when that something changes a little. Training moves "
     "each weight a step against its gradient."),
    ("Error reaching day t's memory, ∂L/∂h_t", "How much day t's memory moves the loss: the error signal, sent "
     "back from tomorrow's prediction to day t."),
    ("How much day t's price moves the error, ∂L/∂x_t", "The gradient of day t's price: near 0, that day's price "
     "cannot change the prediction."),
    ("Day t's part of w_h's gradient", "∂L/∂w_h is a sum over the days, ∂L/∂z_t·h_{t−1} each: day t's term is "
     "how much day t pushes the update of w_h."),
    ("Factor w_h·act′(z_t)", "What one day back multiplies the error signal by: ∂h_t/∂h_{t−1}."),
    ("The daily factors multiplied from the end back to day t", "|∂h_T/∂h_t|, the product of the factors from "
     "the last day back "
     "to day t. Beyond float64's range it is added up as logarithms, so 1.1¹⁰⁰⁰⁰ = 8.45e413 still has a value."),
    ("Backpropagation through time (BPTT)", "The chain rule applied from the last day back to day 1, one day at a "
     "time: ∂L/∂h_t = ∂L/∂h_{t+1}·act′(z_{t+1})·w_h."),
    ("Vanishing gradient", "The factors are below 1, so their product shrinks towards 0 going back: the early days "
     "get almost no gradient and cannot teach the network."),
    ("Exploding gradient", "The factors are above 1, so their product grows going back: one update throws the "
     "weights far away."),
    ("Exploding forward pass", "Not the same thing: the values h and y themselves grow day after day (|w_h| > 1 "
     "with ReLU, say), before any gradient is computed."),
    ("Gradient clipping", "Shrinking a gradient before the step. By global norm: the whole gradient is scaled down "
     "to a given length, its direction kept. By value: each weight's gradient is capped at ± the threshold."),
    ("float64, float32", "How many bits a number has. float64 holds 2.2e−308 to 1.8e308 (and smaller, less "
     "precise 'subnormal' numbers down to 4.9e−324); float32 holds 1.2e−38 to 3.4e38, with subnormals down to "
     "1.4e−45."),
    ("Underflow, subnormal numbers", "A number too small for its type becomes 0. Just above 0 there are a few "
     "'subnormal' numbers with fewer digits; among them rounding can stop a product from shrinking."),
    ("Overflow, ∞, NaN", "A number too big for its type becomes ∞; ∞ − ∞ or 0 × ∞ is NaN, 'not a number'. "
     "The pages draw both as black tiles or edge markers, never as a number."),
    ("Log scale", "An axis where each step up is ten times bigger: 10⁻⁴⁶ and 10⁴¹ fit on one chart."),
    ("Epoch, learning rate", "Training repeats a gradient step, once an epoch; the learning rate says how far each "
     "step goes."),
    ("Truncated BPTT", "The error is sent back only k days, then stopped: cheaper, but blind to longer memories."),
    ("The seed tutorial", "The tutorial this app started from: it shows 0.99¹⁰⁰⁰ = 4.3e−5 and 1.1¹⁰⁰⁰ = 2.5e41 to "
     "explain vanishing and exploding gradients."),
    ("StatQuest", "Josh Starmer's video series whose RNN example (w_x = 1.8, w_h = −0.5, w_y = 1.1, ReLU) this "
     "app's default network is."),
)  # fmt: skip

top("glossary")
st.title("Glossary")
st.markdown("The words the pages use, in plain words. A subscript t means 'on day t'; T is the last day.")
for term, meaning in TERMS:
    st.markdown(f"**{subscripts(term)}**: {subscripts(meaning)}", unsafe_allow_html=True)
to_link()
