"""PyTorch reference: the same cells forward + backward with autograd, run by an interpreter that has torch.

    python bench/torch_ref.py CASES.npz  <  one JSON request a line  ->  one JSON answer a line

Standalone on purpose (torch is not a project dependency): it imports only torch, numpy and the standard library.
CASES.npz holds, per case key: the cell, the weights, xs (T, B, d) and the target that bench/core.py times with
numpy. A request {"key": ..., "repeats": r} is answered with {"ms": median, "loss": ..., "W_h": dL/dW_h}, so
the two sides can be timed in turns, on the same machine, in the same minute. Float64, one thread.
The RNN is the strongest plain idiom (input terms of all steps at once, then one addmv and one act a step);
the LSTM and GRU are nn.LSTM / nn.GRU (ATen's own loop) with an nn.Linear head, as a user would write them.
"""

import json
import statistics
import sys
import time

import numpy as np
import torch

ACTS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "identity": lambda z: z}


def tensor(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def rnn_case(data, key):
    """z_t = w_x x_t + W_h h_{t-1} + b, h_t = act(z_t), y_t = w_y . h_t + b_y: the input terms of all days at
    once, then one addmm and one act a day."""
    w = {k: tensor(data[f"{key}/{k}"], True) for k in ("w_x", "W_h", "b", "w_y", "b_y")}
    act = ACTS[str(data[f"{key}/activation"])]
    xs, loss = tensor(data[f"{key}/xs"]), str(data[f"{key}/loss"])
    (T, B, d), n = xs.shape, w["b"].shape[0]
    target = tensor(data[f"{key}/target"]).reshape(T if loss == "all" else 1, -1)

    def run():
        u = xs @ w["w_x"].reshape(n, d).t() + w["b"]  # (T, B, n) input terms
        h, hs, W_hT = torch.zeros(B, n, dtype=torch.float64), [], w["W_h"].t()
        for u_t in u.unbind(0):
            h = act(torch.addmm(u_t, h, W_hT))
            hs.append(h)
        y = (torch.stack(hs) if loss == "all" else h[None]) @ w["w_y"] + w["b_y"]
        L = 0.5 * ((y - target) ** 2).sum()
        L.backward()
        return L

    return w, run, lambda: w["W_h"].grad


def gated_case(data, key, cell):
    """nn.LSTM or nn.GRU with our weights (their biases: ours on b_ih, 0 or [0, 0, b_hn] on b_hh), then Linear."""
    xs, target = tensor(data[f"{key}/xs"]), tensor(data[f"{key}/target"])
    d, n = xs.shape[2], data[f"{key}/w_y"].shape[0]
    net = getattr(torch.nn, cell.upper())(d, n, dtype=torch.float64)
    head = torch.nn.Linear(n, 1, dtype=torch.float64)
    w_x = np.asarray(data[f"{key}/w_x"]).reshape(net.weight_ih_l0.shape)
    b_hh = np.zeros(net.bias_hh_l0.shape)
    if cell == "gru":
        b_hh[2 * n :] = data[f"{key}/b_hn"]
    with torch.no_grad():
        ours = {k: data[f"{key}/{k}"] for k in ("W_h", "b", "w_y", "b_y")}
        pairs = ((net.weight_ih_l0, w_x), (net.weight_hh_l0, ours["W_h"]), (net.bias_ih_l0, ours["b"]),
                 (net.bias_hh_l0, b_hh), (head.weight, ours["w_y"]), (head.bias, ours["b_y"]))  # fmt: skip
        for param, value in pairs:
            param.copy_(tensor(value).reshape(param.shape))
    params = [*net.parameters(), *head.parameters()]

    def run():
        out, _ = net(xs)
        L = 0.5 * ((head(out[-1])[:, 0] - target) ** 2).sum()
        L.backward()
        return L

    return params, run, lambda: net.weight_hh_l0.grad


def answer(case, repeats):
    params, run, grad = case
    times = []
    for i in range(repeats + 1):  # the first run is a warm-up
        for p in params.values() if isinstance(params, dict) else params:
            p.grad = None
        start = time.perf_counter()
        L = run()
        if i:
            times.append(time.perf_counter() - start)
    return {"ms": 1e3 * statistics.median(times), "loss": L.item(), "W_h": grad().tolist()}


def main():
    torch.set_num_threads(1)
    data, cases = np.load(sys.argv[1]), {}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        key = request["key"]
        if key not in cases:
            cell = str(data[f"{key}/cell"])
            cases[key] = rnn_case(data, key) if cell == "rnn" else gated_case(data, key, cell)
        print(json.dumps(answer(cases[key], request["repeats"])), flush=True)


if __name__ == "__main__":
    main()
