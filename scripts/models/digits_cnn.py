#!/usr/bin/python3
"""The image model: a small CNN that reads a handwritten digit from a colour picture file. It
feeds the image-input tests (decoding, resizing, cropping and normalizing on executors).

Pictures (real images, offline): scikit-learn's digits (python3-sklearn, 1,797 scans of
handwritten digits, 8x8, 17 grey levels), split stratified 75/25 with seed 0 as digits_mlp.py
does (1,347 training, 450 held out). Each scan becomes a picture file by deterministic steps:
  1. grey level v (0..16) to ink coverage round(v * 255 / 16);
  2. upscaled with PIL's bicubic resize to the picture's size, which cycles by id through
     SIZES (square, landscape, portrait, smaller than the model's input and larger);
  3. coloured: paper colour PAPERS[id % 4] and ink colour INKS[id % 5], mixed by coverage
     (rgb = paper + (ink - paper) * coverage / 255, rounded);
  4. saved as PNG (RGB; every 7th id as a grey PNG, mode L), or as JPEG (quality 90, 4:2:0) for
     every 10th id.
Only the held-out pictures are committed (images/digits/, ~1 MB); training makes the training
pictures in memory by the same steps.

Preprocessing, as torchvision's transforms on the PIL image (and as the package declares it,
see scripts/models/make and README "Image models"):
  PIL.Image.open(f).convert("RGB")
  Resize(32)                  shorter side to 32, the longer int(32 * long / short), bilinear
                              with PIL's antialias (a triangle filter widened on downscale)
  CenterCrop(28)
  ToTensor()                  CHW, values / 255
  Normalize(MEAN, STD)        per channel
giving float[3, 28, 28] per picture, batched NCHW.

The network: conv 3->8 (3x3, pad 1), ReLU, max-pool 2; conv 8->16 (3x3, pad 1), ReLU, max-pool 2;
flatten (16 x 7 x 7), linear 784->32, ReLU, linear 32->10, softmax. Trained 12 epochs with Adam
(lr 1e-3, batch 64) on the preprocessed training pictures. Exported with torch.onnx.export (opset
13), batch axis dynamic:
  inputs   pixels         float[N,3,28,28]
  outputs  probabilities  float[N,10]
Held-out accuracy 0.9400 (423 of 450 pictures).

Writes, into the folder given (default: this script's folder):
  digits-cnn.onnx            the model (ONNX)
  digits-cnn.pt              the same network as TorchScript (torch.jit.trace), with its signature
                             in the archive's extra file inferlake_signature.json
  images/digits/NNNN.png|jpg the held-out pictures, NNNN the scan's id in load_digits()
  digits-cnn-reference.csv   per held-out picture: file, label, predicted class, the picture's
                             width and height, probabilities p0..p9 computed by PyTorch from the
                             file through PIL and the transforms above, one picture at a time,
                             and the sum of its preprocessed tensor (a check on preprocessing
                             alone); float32 values written exactly (repr of the float)

Deterministic (seeds, one thread): running it twice writes identical bytes on the same Debian
packages. Needs Debian's python3-torch, python3-torchvision, python3-sklearn, python3-pil and
python3-onnx (scripts/models/make installs them); run with /usr/bin/python3.
"""
import csv
import io
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torchvision import transforms

SEED = 0
EPOCHS = 12
SIZES = [(40, 40), (48, 40), (40, 48), (36, 36), (24, 24), (56, 44), (44, 56)]
PAPERS = [(250, 248, 240), (235, 240, 250), (255, 255, 255), (240, 230, 210)]
INKS = [(20, 20, 30), (30, 60, 160), (150, 30, 30), (20, 110, 50), (90, 40, 120)]
RESIZE = 32
CROP = 28
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]

PREPROCESS = transforms.Compose([
    transforms.Resize(RESIZE),
    transforms.CenterCrop(CROP),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
])


def picture(scan, i):
    """The picture of scan i as (file suffix, encoded bytes)."""
    coverage = np.rint(scan.reshape(8, 8) * 255.0 / 16.0).astype(np.uint8)
    w, h = SIZES[i % len(SIZES)]
    big = np.asarray(Image.fromarray(coverage, "L").resize((w, h), Image.BICUBIC),
                     dtype=np.float64)
    paper = np.array(PAPERS[i % len(PAPERS)], dtype=np.float64)
    ink = np.array(INKS[i % len(INKS)], dtype=np.float64)
    rgb = np.rint(paper + (ink - paper) * big[:, :, None] / 255.0)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    buf = io.BytesIO()
    if i % 10 == 0:
        img.save(buf, "JPEG", quality=90, subsampling=2)
        return "jpg", buf.getvalue()
    if i % 7 == 0:
        img = img.convert("L")
    img.save(buf, "PNG", optimize=True)
    return "png", buf.getvalue()


def load(data):
    """What a reader of the file gets: the RGB image, preprocessed."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    return img.size, PREPROCESS(img)


class DigitsCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        )
        self.head = torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 32), torch.nn.ReLU(),
            torch.nn.Linear(32, 10))

    def logits(self, pixels):
        return self.head(self.features(pixels))

    def forward(self, pixels):
        return torch.softmax(self.logits(pixels), dim=1)


def main(out_dir):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    digits = load_digits()
    y = digits.target.astype(np.int64)
    ids = np.arange(len(y))
    train_ids, test_ids = train_test_split(ids, test_size=0.25, random_state=SEED, stratify=y)
    test_ids = np.sort(test_ids)

    files = {int(i): picture(digits.data[i], int(i)) for i in ids}
    xt = torch.stack([load(files[int(i)][1])[1] for i in train_ids])
    yt = torch.from_numpy(y[train_ids])
    net = DigitsCnn()
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        net.train()
        order = torch.randperm(len(yt), generator=gen)
        for s in range(0, len(order), 64):
            b = order[s:s + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net.logits(xt[b]), yt[b])
            loss.backward()
            opt.step()
    net.eval()

    pictures = os.path.join(out_dir, "images", "digits")
    os.makedirs(pictures, exist_ok=True)
    rows = []
    correct = 0
    with torch.no_grad():
        for i in test_ids:
            i = int(i)
            suffix, data = files[i]
            name = "%04d.%s" % (i, suffix)
            with open(os.path.join(pictures, name), "wb") as f:
                f.write(data)
            (w, h), x = load(data)
            p = net(x.unsqueeze(0))[0]
            pred = int(p.argmax())
            correct += pred == y[i]
            rows.append([name, int(y[i]), pred, w, h]
                        + [repr(float(v)) for v in p.numpy().astype(np.float32)]
                        + [repr(float(x.double().sum()))])
    with open(os.path.join(out_dir, "digits-cnn-reference.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "label", "predicted", "width", "height"]
                   + ["p%d" % k for k in range(10)] + ["pixel_sum"])
        w.writerows(rows)

    example = torch.zeros(1, 3, CROP, CROP)
    onnx_path = os.path.join(out_dir, "digits-cnn.onnx")
    torch.onnx.export(
        net, example, onnx_path,
        input_names=["pixels"], output_names=["probabilities"],
        dynamic_axes={"pixels": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=13, do_constant_folding=True)
    signature = {
        "inputs": [{"name": "pixels", "type": "float", "shape": [-1, 3, CROP, CROP]}],
        "outputs": [{"name": "probabilities", "type": "float", "shape": [-1, 10]}],
    }
    traced = torch.jit.trace(net, example)
    pt_path = os.path.join(out_dir, "digits-cnn.pt")
    torch.jit.save(traced, pt_path,
                   _extra_files={"inferlake_signature.json": json.dumps(signature, indent=2)})
    print("digits CNN: %d parameters, held-out accuracy %.4f (%d of %d pictures); wrote %s, %s,"
          " %s and digits-cnn-reference.csv"
          % (params, correct / len(test_ids), correct, len(test_ids), onnx_path, pt_path,
             pictures))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
