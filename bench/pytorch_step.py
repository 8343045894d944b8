#!/usr/bin/env python3
"""The PyTorch reference for `study bench` on a GPU (issue 8): the identical training step in plain eager PyTorch.

Same cnn-small (docs/TRAINING.md), same augmentation ops (one affine resample for the resized crop and flip, brightness and
contrast U[0.6, 1.4], clamp), the same NT-Xent loss with tau, Adam at lr 1e-3, the same batch, the loss read back
every step (as the product does), Fashion-MNIST resident on the device. One difference is PyTorch's to make: the
augmentation's uniforms are drawn on the device (TorchSharp's generators are CPU ones; the product draws on the CPU
and moves them).

    python3 bench/pytorch_step.py --device cuda --batch-size 256 --steps 200 --warmup 20
    python3 bench/pytorch_step.py --device cuda --batch-size 4096 --precision bf16 --channels-last
    python3 bench/pytorch_step.py --device cuda --procs 4          # 4 processes at once, started together

Prints one JSON object: images_per_second (all processes together), per_process, and the settings.
"""
import argparse
import gzip
import json
import math
import multiprocessing as mp
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_images(data_dir):
    for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                raw = f.read()
            count = int.from_bytes(raw[4:8], "big")
            return torch.frombuffer(bytearray(raw), dtype=torch.uint8, offset=16).view(count, 1, 28, 28)
    raise SystemExit(f"{data_dir}: train-images-idx3-ubyte(.gz) not found")


class CnnSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64))

    def forward(self, x):
        return F.normalize(self.head(self.encoder(x)), dim=1)


LOG_MIN_RATIO, LOG_MAX_RATIO = math.log(3 / 4), math.log(4 / 3)


def augment(x, generator):
    b = x.shape[0]
    u = torch.rand(b, 7, device=x.device, generator=generator)
    area = u[:, 0] * 0.5 + 0.5
    ratio = (u[:, 1] * (LOG_MAX_RATIO - LOG_MIN_RATIO) + LOG_MIN_RATIO).exp()
    w = (area * ratio).sqrt().clamp(max=1)
    h = (area / ratio).sqrt().clamp(max=1)
    cx = (u[:, 2] * 2 - 1) * (1 - w)
    cy = (u[:, 3] * 2 - 1) * (1 - h)
    flip = torch.where(u[:, 4] < 0.5, -1.0, 1.0)
    zero = torch.zeros_like(w)
    theta = torch.stack([w * flip, zero, cx, zero, h, cy], 1).view(b, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    v = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    v = v * (u[:, 5].view(b, 1, 1, 1) * 0.8 + 0.6)
    mean = v.mean(dim=(1, 2, 3), keepdim=True)
    v = (v - mean) * (u[:, 6].view(b, 1, 1, 1) * 0.8 + 0.6) + mean
    return v.clamp(0, 1)


def nt_xent(z, tau):
    n = z.shape[0]
    logits = (z @ z.t()).masked_fill(torch.eye(n, dtype=torch.bool, device=z.device), float("-inf")) / tau
    targets = (torch.arange(n, device=z.device) + n // 2) % n
    return F.cross_entropy(logits, targets)


def measure(args, barrier=None):
    torch.backends.cudnn.benchmark = True
    device = torch.device(args.device)
    images = read_images(args.data_dir).to(device)
    n = images.shape[0]
    generator = torch.Generator(device=device)
    generator.manual_seed(1)
    model = CnnSmall().to(device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    bf16 = args.precision == "bf16"
    order = torch.randperm(n, device=device, generator=generator)
    per_epoch = n // args.batch_size
    start = None
    for i in range(args.warmup + args.steps):
        if i == args.warmup:
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            if barrier is not None:
                barrier.wait()
            start = time.perf_counter()
        position = i % per_epoch
        if position == 0 and i > 0:
            order = torch.randperm(n, device=device, generator=generator)
        x = images[order[position * args.batch_size:(position + 1) * args.batch_size]].float().div_(255)
        v = torch.cat([augment(x, generator), augment(x, generator)], 0)
        if args.channels_last:
            v = v.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
            z = model(v)
        loss = nt_xent(z.float(), args.tau)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss.item()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return args.steps * args.batch_size / (time.perf_counter() - start)


def worker(args, barrier, results, index):
    results[index] = measure(args, barrier)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--tau", type=float, default=0.2)
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--procs", type=int, default=1)
    p.add_argument("--data-dir", default=os.environ.get("STUDY_DATA_ROOT", "/usr/share/datasets") + "/fashion-mnist")
    args = p.parse_args()
    if args.procs == 1:
        per_process = [measure(args)]
    else:
        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(args.procs)
        results = ctx.Array("d", args.procs)
        procs = [ctx.Process(target=worker, args=(args, barrier, results, i)) for i in range(args.procs)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        if any(proc.exitcode != 0 for proc in procs):
            raise SystemExit("a measuring process failed")
        per_process = list(results)
    print(json.dumps({
        "images_per_second": sum(per_process), "per_process": per_process, "procs": args.procs,
        "device": args.device, "batch_size": args.batch_size, "steps": args.steps, "warmup": args.warmup,
        "precision": args.precision, "channels_last": args.channels_last, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
