#!/usr/bin/python3
"""Trains the digits MLP that compression, benchmarks and engine tests use, and exports it.

Real data, no download: the 1,797 8x8 handwritten digits that Debian's python3-sklearn ships
(the UCI "Optical Recognition of Handwritten Digits" test set). A fixed, stratified 75/25 split
with seed 0 gives 1,347 training and 450 held-out rows.

The network takes raw pixel intensities (0..16, float) and scales them itself, so a job feeds
the columns as they are. 64 -> 1024 -> ReLU -> 1024 -> ReLU -> 10 -> Softmax: 1,126,410
parameters, exported with torch.onnx.export (opset 13) as input 'pixels' float[N,64] and output
'probabilities' float[N,10].

Writes, into the folder given (default: this script's folder):
  digits.csv         id, p00..p63, label, split (train|test): every row, so tests and the
                     benchmark read the same held-out rows
  digits-mlp.onnx    the fp32 model (ONNX)
  digits-mlp.pt      the same trained network as TorchScript (torch.jit.trace), with its
                     signature in the archive's extra file inferlake_signature.json, which is
                     where inferlake reads a TorchScript model's inputs and outputs

Needs Debian's python3-torch, python3-sklearn and python3-onnx (scripts/models/make installs
them); run with /usr/bin/python3, which is the Python those packages serve.
"""
import csv
import json
import os
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
HIDDEN = 1024
EPOCHS = 40


class DigitsMlp(torch.nn.Module):
    def __init__(self, hidden=HIDDEN):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Linear(64, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, 10),
        )

    def forward(self, pixels):
        return torch.softmax(self.body(pixels / 16.0), dim=1)

    def logits(self, pixels):
        return self.body(pixels / 16.0)


def main(out_dir):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    digits = load_digits()
    x = digits.data.astype(np.float32)
    y = digits.target.astype(np.int64)
    ids = np.arange(len(y))
    train_ids, test_ids = train_test_split(
        ids, test_size=0.25, random_state=SEED, stratify=y)

    net = DigitsMlp()
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)
    xt = torch.from_numpy(x[train_ids])
    yt = torch.from_numpy(y[train_ids])
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        net.train()
        order = torch.randperm(len(yt), generator=gen)
        for i in range(0, len(order), 64):
            b = order[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net.logits(xt[b]), yt[b])
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        pred = net(torch.from_numpy(x[test_ids])).argmax(dim=1).numpy()
    acc = float((pred == y[test_ids]).mean())

    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "digits-mlp.onnx")
    torch.onnx.export(
        net,
        torch.zeros(1, 64),
        onnx_path,
        input_names=["pixels"],
        output_names=["probabilities"],
        dynamic_axes={"pixels": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=13,
        do_constant_folding=True,
    )
    signature = {
        "inputs": [{"name": "pixels", "type": "float", "shape": [-1, 64]}],
        "outputs": [{"name": "probabilities", "type": "float", "shape": [-1, 10]}],
    }
    traced = torch.jit.trace(net, torch.zeros(1, 64))
    pt_path = os.path.join(out_dir, "digits-mlp.pt")
    torch.jit.save(traced, pt_path,
                   _extra_files={"inferlake_signature.json": json.dumps(signature, indent=2)})
    split = np.array(["train"] * len(y), dtype=object)
    split[test_ids] = "test"
    with open(os.path.join(out_dir, "digits.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id"] + ["p%02d" % i for i in range(64)] + ["label", "split"])
        for i in ids:
            w.writerow([int(i)] + [int(v) for v in digits.data[i]] + [int(y[i]), split[i]])
    print("digits MLP: %d parameters, held-out accuracy %.4f on %d rows; wrote %s, %s and"
          " digits.csv" % (params, acc, len(test_ids), onnx_path, pt_path))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
