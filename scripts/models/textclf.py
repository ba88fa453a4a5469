#!/usr/bin/python3
"""The text model: a small transformer encoder that labels a Debian package's one-line
description with the package's archive section, and gives each text an embedding (masked mean
pooling of its per-token states). It feeds the text-input, per-token-output and embedding tests.

Corpus (real text, offline): the short descriptions ("Description:" field) of Debian 12
"bookworm" main, amd64, from the Packages index that apt keeps in /var/lib/apt/lists (the index
whose InRelease is dated Sat, 11 Jul 2026 10:16:37 UTC, Debian 12.15), labelled by each package's
"Section:". Eight well-populated sections with distinct subjects are the classes, in this order:

  0 fonts  1 games  2 graphics  3 mail  4 math  5 science  6 sound  7 web

Descriptions are compared lowercased; one that occurs in more than one of the eight sections is
dropped, and a repeated one is kept once (for the package first in name order). Only printable
ASCII texts are kept. At most 400 per section are drawn (numpy RandomState(0) over the packages
in name order): 3,160 rows (mail has 360), split stratified 80/20 with seed 0 into 2,528 training
and 632 held-out rows. Because apt's index changes, the extraction ran once and its result is
committed as textclf.csv; training reads only that file:

  /usr/bin/python3 textclf.py extract [LISTS_PACKAGES_FILE]   # rewrites textclf.csv (once)
  /usr/bin/python3 textclf.py [OUT_DIR]                        # trains from textclf.csv

Held-out accuracy 0.7484 (473 of 632; training 0.9984). Held-out texts are 4..41 tokens with
[CLS] and [SEP] (mean 14.4); 2 of their tokens are [UNK].

Tokenizer: WordPiece, as BERT's, built here from the training split and written in HuggingFace's
tokenizer.json format (read by HuggingFace's tokenizers, e.g. DJL's ai.djl.huggingface:tokenizers):
  normalizer     BertNormalizer: clean_text, handle_chinese_chars, lowercase, strip accents (NFD,
                 marks removed: strip_accents null follows lowercase)
  pre-tokenizer  BertPreTokenizer: split on whitespace, each punctuation character its own word
  model          WordPiece, continuing-subword prefix "##", unknown "[UNK]", words over 100
                 characters are "[UNK]"; longest match first
  special tokens [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4; one text is "[CLS] tokens [SEP]"
  truncation     max length 64 tokens including [CLS] and [SEP], right side cut (the start kept)
  padding        none in the file: a batch is padded with [PAD] (0) to its longest row, and its
                 attention mask is 0 there
The vocabulary: the five special tokens, every character of the training words (alone and with
"##"), then merges of the most frequent adjacent pair of pieces within training words (ties: the
pair first in string order), until 1,500 entries.

The network: token embedding (1,500 x 64) plus learned position embedding (64 positions), two
pre-norm transformer encoder layers (4 heads of 16, feed-forward 128, GELU (tanh)), a final
LayerNorm, masked mean pooling of the token states over attention_mask, and a linear head. The
attention adds -1e9 to scores of keys whose mask is 0, so padding does not change real tokens'
states. Exported with torch.onnx.export (opset 13), batch and sequence axes dynamic:

  inputs   input_ids       int64[N,S]   token ids, [PAD]=0 after each row's [SEP]
           attention_mask  int64[N,S]   1 on a row's tokens, 0 on its padding
  outputs  logits          float[N,8]   class scores (classes above)
           token_states    float[N,S,64] per-token states (padding positions hold values too:
                                        pool them with the mask)
           pooled          float[N,64]  the masked mean of token_states over the mask

Writes, into the folder given (default: this script's folder):
  textclf-tokenizer.json  the tokenizer (HuggingFace tokenizer.json)
  textclf.onnx            the model (ONNX)
  textclf.pt              the same trained network as TorchScript (torch.jit.trace), with its
                          signature in the archive's extra file inferlake_signature.json
  textclf-tokens.csv      id, token_ids: the ids this tokenizer gives every row of textclf.csv
                          (space-separated, [CLS] and [SEP] included)
  textclf-tokens-edge.csv text, token_ids: the same for EDGE_TEXTS (accents, other scripts,
                          control characters, empty text, truncation at 64, long words, special
                          tokens written in the text), beyond what the corpus reaches
  textclf-reference.csv   per held-out row: id, label, predicted class, the token ids this
                          tokenizer gives (space-separated, [CLS] and [SEP] included), logits
                          l0..l7, the embedding e0..e63 (masked mean of token_states, i.e.
                          pooled) and its L2-normalized form u0..u63; computed by PyTorch one
                          row at a time without padding; float32 values written exactly

Deterministic (seeds, one thread, deterministic algorithms): running it twice writes identical
bytes. TorchScript records the source lines it traced, so any edit of this file (its docstring
too) changes textclf.pt: rerun scripts/models/make textclf after one. Needs Debian's python3-torch and python3-onnx (scripts/models/make installs them); run
with /usr/bin/python3.
"""
import csv
import json
import math
import os
import re
import subprocess
import sys
import unicodedata

import numpy as np
import torch

SEED = 0
CLASSES = ["fonts", "games", "graphics", "mail", "math", "science", "sound", "web"]
PER_CLASS = 400
TEST_SHARE = 0.2
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP = 0, 1, 2, 3
VOCAB = 1500
MAX_LEN = 64
MAX_WORD_CHARS = 100
DIM = 64
HEADS = 4
FFN = 128
LAYERS = 2
EPOCHS = 12
BATCH = 32
# Texts beyond the corpus whose token ids are written too (textclf-tokens-edge.csv), to pin what
# the corpus does not reach: accents, other scripts, control and odd spaces, empty text, texts
# cut at MAX_LEN, words over MAX_WORD_CHARS, punctuation runs, special tokens written in text.
EDGE_TEXTS = [
    "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e na\u00efve fa\u00e7ade \u2013 \u201cquoted\u201d \u2014 r\u00e9sum\u00e9",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 and \u4e2d\u6587 mixed with ascii",
    "tabs\tand\nnewlines\r\nand  double  spaces   ",
    "",
    "   ",
    "C++/Qt5: a (GUI) toolkit's \"bindings\" [beta]; v1.2.3-rc~1 #tag @user $x %y ^z &w *v",
    " ".join(["supercalifragilisticexpialidocious"] * 40),
    " ".join("word%d" % i for i in range(80)),
    "x" * 120 + " short",
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u039a\u0391\u0399, Stra\u00dfe, \u0130stanbul, \u01c5",
    "emoji \U0001f389 and zero\u200bwidth and soft\u00adhyphen and nbsp\u00a0here",
    "[CLS] literal special [SEP] tokens [PAD]",
]
LISTS = "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"


# ---------------------------------------------------------------- the corpus, extracted once

def extract(packages_file, out_csv):
    """Reads apt's Packages index and writes textclf.csv (id, package, text, label, split)."""
    raw = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", packages_file],
                         check=True, capture_output=True).stdout.decode("utf-8")
    entries = []
    for record in raw.split("\n\n"):
        fields = {}
        for line in record.split("\n"):
            if line and not line[0].isspace() and ":" in line:
                k, v = line.split(":", 1)
                fields[k] = v.strip()
        if fields.get("Section") in CLASSES and fields.get("Description"):
            entries.append((fields["Package"], fields["Description"], fields["Section"]))
    entries.sort()
    sections_of = {}
    for _, text, section in entries:
        sections_of.setdefault(text.lower(), set()).add(section)
    seen = set()
    by_class = {c: [] for c in CLASSES}
    for package, text, section in entries:
        key = text.lower()
        if len(sections_of[key]) > 1 or key in seen:
            continue
        if not all(" " <= ch <= "~" for ch in text):
            continue
        seen.add(key)
        by_class[section].append((package, text))
    rng = np.random.RandomState(SEED)
    rows = []
    for c in CLASSES:
        items = by_class[c]
        order = rng.permutation(len(items))[:PER_CLASS]
        rows.extend((items[i][0], items[i][1], c) for i in sorted(order))
    rows.sort()
    labels = np.array([CLASSES.index(r[2]) for r in rows])
    test = set()
    for k in range(len(CLASSES)):
        members = np.flatnonzero(labels == k)
        picked = rng.permutation(members)[:int(round(len(members) * TEST_SHARE))]
        test.update(int(i) for i in picked)
    with open(out_csv, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "package", "text", "label", "split"])
        for i, (package, text, section) in enumerate(rows):
            w.writerow([i, package, text, section, "test" if i in test else "train"])
    print("textclf: extracted %d rows (%d held out) from %s into %s"
          % (len(rows), len(test), packages_file, out_csv))


# ---------------------------------------------------------------- the tokenizer (WordPiece)

def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Cn", "Co", "Cs")


def _is_whitespace(ch):
    return ch in " \t\n\r" or ch.isspace()


def _is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def normalize(text):
    """BertNormalizer(clean_text, handle_chinese_chars, strip_accents=None, lowercase)."""
    out = []
    for ch in text:
        if ch == "\0" or ch == "\ufffd" or _is_control(ch):
            continue
        out.append(" " if _is_whitespace(ch) else ch)
    text = "".join(" %s " % ch if _is_chinese(ord(ch)) else ch for ch in out)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if unicodedata.category(ch) != "Mn")
    return text.lower()


def pre_tokenize(text):
    """BertPreTokenizer: words split on whitespace, each punctuation character a word alone."""
    words, word = [], []
    for ch in text:
        if _is_whitespace(ch):
            if word:
                words.append("".join(word))
                word = []
        elif _is_punctuation(ch):
            if word:
                words.append("".join(word))
                word = []
            words.append(ch)
        else:
            word.append(ch)
    if word:
        words.append("".join(word))
    return words


def build_vocab(texts):
    """Special tokens, every character (alone and with ##), then the most frequent merges."""
    counts = {}
    for t in texts:
        for w in pre_tokenize(normalize(t)):
            counts[w] = counts.get(w, 0) + 1
    words = sorted(counts)
    pieces = {w: [w[0]] + ["##" + c for c in w[1:]] for w in words}
    vocab = list(SPECIALS)
    known = set(vocab)
    chars = sorted({c for w in words for c in w})
    for c in chars + ["##" + c for c in chars]:
        if c not in known:
            vocab.append(c)
            known.add(c)
    while len(vocab) < VOCAB:
        pairs = {}
        for w in words:
            p = pieces[w]
            for a, b in zip(p, p[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + counts[w]
        if not pairs:
            break
        best = min(pairs, key=lambda ab: (-pairs[ab], ab))
        merged = best[0] + best[1][2:]
        for w in words:
            p = pieces[w]
            i, out = 0, []
            while i < len(p):
                if i + 1 < len(p) and p[i] == best[0] and p[i + 1] == best[1]:
                    out.append(merged)
                    i += 2
                else:
                    out.append(p[i])
                    i += 1
            pieces[w] = out
        if merged not in known:
            vocab.append(merged)
            known.add(merged)
    return vocab


def wordpiece(word, index):
    if len(word) > MAX_WORD_CHARS:
        return [UNK]
    out, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in index:
                found = index[piece]
                break
            end -= 1
        if found is None:
            return [UNK]
        out.append(found)
        start = end
    return out


def encode(text, index):
    """Token ids of one text: [CLS] pieces [SEP], the pieces cut to MAX_LEN - 2 on the right.
    As HuggingFace's tokenizers do, a special token written in the text itself (say "[SEP]") is
    found in the raw text first and kept as that token; the text between is tokenized."""
    ids = []
    for part in re.split("(%s)" % "|".join(re.escape(t) for t in SPECIALS), text):
        if part in SPECIALS:
            ids.append(SPECIALS.index(part))
            continue
        for w in pre_tokenize(normalize(part)):
            ids.extend(wordpiece(w, index))
    return [CLS] + ids[:MAX_LEN - 2] + [SEP]


def tokenizer_json(vocab):
    special = {t: i for i, t in enumerate(SPECIALS)}

    def sp(name):
        return {"SpecialToken": {"id": name, "type_id": 0}}

    def seq(name, type_id):
        return {"Sequence": {"id": name, "type_id": type_id}}

    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": MAX_LEN, "strategy": "LongestFirst",
                       "stride": 0},
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, t in enumerate(SPECIALS)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [sp("[CLS]"), seq("A", 0), sp("[SEP]")],
            "pair": [sp("[CLS]"), seq("A", 0), sp("[SEP]"), seq("B", 1),
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                t: {"id": t, "ids": [special[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": MAX_WORD_CHARS,
                  "vocab": {t: i for i, t in enumerate(vocab)}},
    }


# ---------------------------------------------------------------- the network

class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = torch.nn.LayerNorm(DIM)
        self.qkv = torch.nn.Linear(DIM, 3 * DIM)
        self.proj = torch.nn.Linear(DIM, DIM)
        self.norm2 = torch.nn.LayerNorm(DIM)
        self.ff1 = torch.nn.Linear(DIM, FFN)
        self.ff2 = torch.nn.Linear(FFN, DIM)
        self.drop = torch.nn.Dropout(0.1)

    def forward(self, x, bias):
        n, s = x.shape[0], x.shape[1]
        q, k, v = self.qkv(self.norm1(x)).split(DIM, dim=2)
        heads = DIM // HEADS

        def split(t):
            return t.reshape(n, s, HEADS, heads).transpose(1, 2)

        scores = split(q) @ split(k).transpose(2, 3) / math.sqrt(heads) + bias
        att = self.drop(torch.softmax(scores, dim=-1)) @ split(v)
        x = x + self.drop(self.proj(att.transpose(1, 2).reshape(n, s, DIM)))
        h = torch.nn.functional.gelu(self.ff1(self.norm2(x)), approximate="tanh")
        return x + self.drop(self.ff2(h))


class TextClf(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens = torch.nn.Embedding(VOCAB, DIM)
        self.positions = torch.nn.Embedding(MAX_LEN, DIM)
        self.layers = torch.nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.norm = torch.nn.LayerNorm(DIM)
        self.head = torch.nn.Linear(DIM, len(CLASSES))
        self.drop = torch.nn.Dropout(0.1)

    def forward(self, input_ids, attention_mask):
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device).unsqueeze(0)
        x = self.drop(self.tokens(input_ids) + self.positions(pos))
        mask = attention_mask.to(torch.float32)
        bias = ((1.0 - mask) * -1e9).unsqueeze(1).unsqueeze(2)
        for layer in self.layers:
            x = layer(x, bias)
        states = self.norm(x)
        weights = mask.unsqueeze(2)
        pooled = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return self.head(pooled), states, pooled


def batch(rows, index_rows):
    seqs = [rows[i] for i in index_rows]
    width = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), width, dtype=torch.long)
    mask = torch.zeros(len(seqs), width, dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[r, :len(s)] = 1
    return ids, mask


def f32(v):
    """The shortest decimal that reads back as this float32."""
    return np.format_float_positional(np.float32(v), unique=True, trim="-")


def read_corpus(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(out_dir):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = read_corpus(os.path.join(here, "textclf.csv"))
    train = [r for r in corpus if r["split"] == "train"]
    test = [r for r in corpus if r["split"] == "test"]
    vocab = build_vocab([r["text"] for r in train])
    assert len(vocab) == VOCAB, len(vocab)
    index = {t: i for i, t in enumerate(vocab)}
    xtr = [encode(r["text"], index) for r in train]
    ytr = torch.tensor([CLASSES.index(r["label"]) for r in train], dtype=torch.long)
    xte = [encode(r["text"], index) for r in test]
    yte = np.array([CLASSES.index(r["label"]) for r in test])

    net = TextClf()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=0.01)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        net.train()
        order = torch.randperm(len(xtr), generator=gen).tolist()
        for i in range(0, len(order), BATCH):
            b = order[i:i + BATCH]
            ids, mask = batch(xtr, b)
            opt.zero_grad()
            logits, _, _ = net(ids, mask)
            loss = torch.nn.functional.cross_entropy(logits, ytr[b])
            loss.backward()
            opt.step()
    net.eval()

    logits, pooled = [], []
    with torch.no_grad():
        for s in xte:  # one row at a time, no padding
            ids = torch.tensor([s], dtype=torch.long)
            lg, states, pl = net(ids, torch.ones_like(ids))
            logits.append(lg[0].numpy())
            pooled.append(pl[0].numpy())
        # the same rows padded in one batch must agree (the export's example, and a self-check)
        ids, mask = batch(xte, range(len(xte)))
        lg_all, _, pl_all = net(ids, mask)
    logits = np.stack(logits)
    pooled = np.stack(pooled)
    padded_diff = max(float(np.abs(lg_all.numpy() - logits).max()),
                      float(np.abs(pl_all.numpy() - pooled).max()))
    assert padded_diff < 1e-4, padded_diff
    pred = logits.argmax(axis=1)
    acc = float((pred == yte).mean())
    train_acc = None
    with torch.no_grad():
        ids, mask = batch(xtr, range(len(xtr)))
        train_acc = float((net(ids, mask)[0].argmax(1) == ytr).float().mean())

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "textclf-tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(vocab), f, indent=2, ensure_ascii=False)
        f.write("\n")
    example = batch(xte, [0, 1, 2])
    assert len(set(len(xte[i]) for i in range(3))) > 1  # mixed lengths: padding in the example
    onnx_path = os.path.join(out_dir, "textclf.onnx")
    axes = {"input_ids": {0: "N", 1: "S"}, "attention_mask": {0: "N", 1: "S"},
            "logits": {0: "N"}, "token_states": {0: "N", 1: "S"}, "pooled": {0: "N"}}
    torch.onnx.export(net, example, onnx_path, input_names=["input_ids", "attention_mask"],
                      output_names=["logits", "token_states", "pooled"], dynamic_axes=axes,
                      opset_version=13, do_constant_folding=True)
    signature = {
        "inputs": [{"name": "input_ids", "type": "int64", "shape": [-1, -1]},
                   {"name": "attention_mask", "type": "int64", "shape": [-1, -1]}],
        "outputs": [{"name": "logits", "type": "float", "shape": [-1, len(CLASSES)]},
                    {"name": "token_states", "type": "float", "shape": [-1, -1, DIM]},
                    {"name": "pooled", "type": "float", "shape": [-1, DIM]}],
    }
    with torch.no_grad():
        traced = torch.jit.trace(net, example)
        # the trace must follow other batch and sequence sizes than its example's
        ids, mask = batch(xte, range(5, 12))
        for a, b in zip(traced(ids, mask), net(ids, mask)):
            assert torch.allclose(a, b, atol=1e-6), "the trace fixed a size"
    pt_path = os.path.join(out_dir, "textclf.pt")
    torch.jit.save(traced, pt_path,
                   _extra_files={"inferlake_signature.json": json.dumps(signature, indent=2)})

    with open(os.path.join(out_dir, "textclf-tokens.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "token_ids"])
        for row in corpus:
            w.writerow([row["id"], " ".join(str(t) for t in encode(row["text"], index))])
    with open(os.path.join(out_dir, "textclf-tokens-edge.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "token_ids"])
        for text in EDGE_TEXTS:
            w.writerow([text, " ".join(str(t) for t in encode(text, index))])
    with open(os.path.join(out_dir, "textclf-reference.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "label", "predicted", "token_ids"]
                   + ["l%d" % k for k in range(len(CLASSES))]
                   + ["e%d" % k for k in range(DIM)] + ["u%d" % k for k in range(DIM)])
        for r, row in enumerate(test):
            e = pooled[r]
            u = e / np.sqrt(np.sum(e.astype(np.float64) ** 2))
            w.writerow([row["id"], yte[r], pred[r], " ".join(str(t) for t in xte[r])]
                       + [f32(v) for v in logits[r]] + [f32(v) for v in e]
                       + [f32(v) for v in u])
    lengths = [len(s) for s in xte]
    unk = sum(s.count(UNK) for s in xte)
    params = sum(p.numel() for p in net.parameters())
    print("textclf: %d parameters, vocabulary %d; held-out accuracy %.4f on %d rows (training"
          " %.4f on %d); held-out tokens per row %d..%d (mean %.1f), %d [UNK]; padded batch vs"
          " one row at a time max |diff| %.2g; wrote %s, %s, textclf-tokenizer.json,"
          " textclf-tokens.csv, textclf-tokens-edge.csv and textclf-reference.csv"
          % (params, len(vocab), acc, len(test), train_acc, len(train), min(lengths),
             max(lengths), float(np.mean(lengths)), unk, padded_diff, onnx_path, pt_path))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "extract":
        extract(sys.argv[2] if len(sys.argv) > 2 else LISTS,
                os.path.join(os.path.dirname(os.path.abspath(__file__)), "textclf.csv"))
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
