#!/usr/bin/python3
"""Trains the recommendation-style model (int64 ids into embedding tables plus float features,
two outputs) that the int64-input, several-output and embedding-report tests use, and exports it.

Real data, no download: Fair's 1978 Redbook survey of 6,366 married women ("fair"), which
Debian's python3-statsmodels ships (statsmodels.datasets.fair). Its categorical columns are the
ids: occupation and husband's occupation (codes 1..6), religiousness (1..4), self-rated marriage
(1..5) and education bucketized to 0..5 (9, 12, 14, 16, 17, 20 years); its float features are
age, years married and children. The label is whether the respondent reported any time in
extramarital affairs (affairs > 0; 32% of rows). A fixed, stratified 75/25 split with seed 0
gives 4,774 training and 1,592 held-out rows.

The network: one nn.Embedding table per id input (dimension 4), concatenated with the float
features (standardized in the model, so a job feeds the raw values), then 23 -> 32 -> ReLU -> 8
(the embedding) -> 1 -> sigmoid (the score). Exported with torch.onnx.export (opset 13) as

  inputs   occupation, occupation_husb, religious, rate_marriage, educ_bucket  int64[N,1]
           numeric (age, yrs_married, children)                                 float[N,3]
  outputs  score      float[N,1]  the probability of the positive label
           embedding  float[N,8]  the row's representation before the score head

Vocabulary sizes (ids must be in [0, size)): occupation 7, occupation_husb 7, religious 5,
rate_marriage 6, educ_bucket 6.

Writes, into the folder given (default: this script's folder):
  recsys.csv             id, the five ids, age, yrs_married, children, label, split: every row
  recsys.onnx            the model (ONNX)
  recsys-float.onnx      the same trained network taking its ids as float32[N,1] (cast to int64
                         in the graph): the float-only twin that the int64-vs-float scoring
                         rate is measured against
  recsys.pt              the same trained network as TorchScript (torch.jit.trace), with its
                         signature in the archive's extra file inferlake_signature.json
  recsys-reference.csv   id, score, e0..e7: PyTorch's outputs on the held-out rows, float32
                         values written exactly (shortest repr of the float32)

Deterministic (seeds, one thread): running it twice writes identical bytes. Needs Debian's
python3-torch, python3-sklearn, python3-statsmodels and python3-onnx (scripts/models/make
installs them); run with /usr/bin/python3.
"""
import csv
import json
import os
import sys

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from statsmodels.datasets import fair

SEED = 0
EMBED = 4
HIDDEN = 32
OUT = 8
EPOCHS = 60
IDS = ["occupation", "occupation_husb", "religious", "rate_marriage", "educ_bucket"]
VOCAB = {"occupation": 7, "occupation_husb": 7, "religious": 5, "rate_marriage": 6,
         "educ_bucket": 6}
NUMERIC = ["age", "yrs_married", "children"]
EDUC_YEARS = [9, 12, 14, 16, 17, 20]


class RecModel(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.tables = torch.nn.ModuleList(
            [torch.nn.Embedding(VOCAB[name], EMBED) for name in IDS])
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.tower = torch.nn.Sequential(
            torch.nn.Linear(EMBED * len(IDS) + len(NUMERIC), HIDDEN),
            torch.nn.ReLU(),
            torch.nn.Linear(HIDDEN, OUT),
        )
        self.head = torch.nn.Linear(OUT, 1)

    def forward(self, occupation, occupation_husb, religious, rate_marriage, educ_bucket,
                numeric):
        ids = [occupation, occupation_husb, religious, rate_marriage, educ_bucket]
        parts = [table(i).flatten(1) for table, i in zip(self.tables, ids)]
        parts.append((numeric - self.mean) / self.std)
        embedding = self.tower(torch.cat(parts, dim=1))
        return torch.sigmoid(self.head(embedding)), embedding


class FloatIds(torch.nn.Module):
    """The model with float32 id inputs, cast to int64 inside the graph."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, occupation, occupation_husb, religious, rate_marriage, educ_bucket,
                numeric):
        ids = [occupation, occupation_husb, religious, rate_marriage, educ_bucket]
        return self.net(*[i.long() for i in ids], numeric)


def columns(data):
    ids = {name: data[name].to_numpy().astype(np.int64) for name in IDS if name != "educ_bucket"}
    educ = data["educ"].to_numpy()
    ids["educ_bucket"] = np.array([EDUC_YEARS.index(int(e)) for e in educ], dtype=np.int64)
    numeric = data[NUMERIC].to_numpy().astype(np.float32)
    return ids, numeric


def tensors(ids, numeric, rows):
    return [torch.from_numpy(ids[name][rows]).reshape(-1, 1) for name in IDS] + [
        torch.from_numpy(numeric[rows])]


def f32(v):
    """The shortest decimal that reads back as this float32."""
    return np.format_float_positional(np.float32(v), unique=True, trim="-")


def main(out_dir):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    data = fair.load_pandas().data
    ids, numeric = columns(data)
    y = (data["affairs"].to_numpy() > 0).astype(np.float32)
    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=0.25, random_state=SEED, stratify=y)

    net = RecModel(numeric[train].mean(axis=0), numeric[train].std(axis=0))
    opt = torch.optim.Adam(net.parameters(), lr=3e-3, weight_decay=1e-5)
    xt = tensors(ids, numeric, train)
    yt = torch.from_numpy(y[train]).reshape(-1, 1)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        net.train()
        order = torch.randperm(len(yt), generator=gen)
        for i in range(0, len(order), 128):
            b = order[i:i + 128]
            opt.zero_grad()
            score, _ = net(*[x[b] for x in xt])
            loss = torch.nn.functional.binary_cross_entropy(score, yt[b])
            loss.backward()
            opt.step()
    net.eval()
    xs = tensors(ids, numeric, test)
    with torch.no_grad():
        score, embedding = net(*xs)
    pred = (score.numpy()[:, 0] > 0.5).astype(np.float32)
    acc = float((pred == y[test]).mean())
    pos = score.numpy()[:, 0]
    # ROC AUC by ranks (no ties expected in float scores)
    order = np.argsort(pos, kind="stable")
    ranks = np.empty(len(pos))
    ranks[order] = np.arange(1, len(pos) + 1)
    npos = y[test].sum()
    auc = (ranks[y[test] == 1].sum() - npos * (npos + 1) / 2) / (npos * (len(pos) - npos))

    os.makedirs(out_dir, exist_ok=True)
    example = tensors(ids, numeric, test[:2])
    names = IDS + ["numeric"]
    onnx_path = os.path.join(out_dir, "recsys.onnx")
    axes = {name: {0: "N"} for name in names + ["score", "embedding"]}
    torch.onnx.export(net, tuple(example), onnx_path, input_names=names,
                      output_names=["score", "embedding"], dynamic_axes=axes, opset_version=13,
                      do_constant_folding=True)
    torch.onnx.export(FloatIds(net), tuple(x.float() for x in example),
                      os.path.join(out_dir, "recsys-float.onnx"), input_names=names,
                      output_names=["score", "embedding"], dynamic_axes=axes, opset_version=13,
                      do_constant_folding=True)
    signature = {
        "inputs": [{"name": n, "type": "int64", "shape": [-1, 1]} for n in IDS]
        + [{"name": "numeric", "type": "float", "shape": [-1, len(NUMERIC)]}],
        "outputs": [{"name": "score", "type": "float", "shape": [-1, 1]},
                    {"name": "embedding", "type": "float", "shape": [-1, OUT]}],
    }
    traced = torch.jit.trace(net, tuple(example))
    pt_path = os.path.join(out_dir, "recsys.pt")
    torch.jit.save(traced, pt_path,
                   _extra_files={"inferlake_signature.json": json.dumps(signature, indent=2)})

    split = np.array(["train"] * len(y), dtype=object)
    split[test] = "test"
    with open(os.path.join(out_dir, "recsys.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id"] + IDS + NUMERIC + ["label", "split"])
        for i in rows:
            w.writerow([int(i)] + [int(ids[n][i]) for n in IDS]
                       + [f32(v) for v in numeric[i]] + [int(y[i]), split[i]])
    with open(os.path.join(out_dir, "recsys-reference.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "score"] + ["e%d" % k for k in range(OUT)])
        for r, i in enumerate(test):
            w.writerow([int(i), f32(score[r, 0])] + [f32(v) for v in embedding[r]])
    params = sum(p.numel() for p in net.parameters())
    print("recsys: %d parameters, held-out accuracy %.4f, ROC AUC %.4f on %d rows (%.0f%% positive);"
          " wrote %s, %s, recsys.csv and recsys-reference.csv"
          % (params, acc, auc, len(test), 100 * y[test].mean(), onnx_path, pt_path))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
