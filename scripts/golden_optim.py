"""Write golden trajectories of the optimisers (src/train/optimizers.ts) from torch.optim, float64.

Run from the repo root with the reference venv (see scripts/requirements-ref.txt):

    .venv-ref/bin/python scripts/golden_optim.py

Each case: a seeded parameter vector, a seeded gradient for every step (fixed in advance, so the trajectory
depends on the optimiser alone), and the parameters after every step, from torch.optim.Adam (foreach=False) or
torch.optim.SGD. Written to test/train/fixtures/optimizers.json, read by test/train/optimizers.golden.test.ts.
Floats are written with repr (exact float64).
"""

from __future__ import annotations

import json
import pathlib
import zlib

import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "train" / "fixtures" / "optimizers.json"
N, STEPS = 40, 25

CASES = [
    ("adam_defaults", "adam", {"lr": 0.01}),
    ("adam_lr_betas_eps", "adam", {"lr": 0.003, "betas": (0.8, 0.95), "eps": 1e-6}),
    ("adam_large_lr", "adam", {"lr": 0.5, "betas": (0.9, 0.999), "eps": 1e-8}),
    ("sgd_plain", "sgd", {"lr": 0.1}),
    ("sgd_momentum", "sgd", {"lr": 0.05, "momentum": 0.9}),
]


def case(name: str, kind: str, opts: dict) -> dict:
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    theta0 = torch.randn(N, generator=g, dtype=torch.float64)
    # gradients of mixed sizes, some exactly 0, as a real model's are
    grads = torch.randn(STEPS, N, generator=g, dtype=torch.float64) * torch.logspace(-4, 1, N, dtype=torch.float64)
    grads[:, ::7] = 0.0
    p = torch.nn.Parameter(theta0.clone())
    opt = torch.optim.Adam([p], foreach=False, **opts) if kind == "adam" else torch.optim.SGD([p], foreach=False, **opts)
    thetas = []
    for t in range(STEPS):
        opt.zero_grad()
        p.grad = grads[t].clone()
        opt.step()
        thetas.append([float(v) for v in p.detach().tolist()])
    js = {"lr": opts["lr"]}
    if kind == "adam":
        js.update(beta1=opts.get("betas", (0.9, 0.999))[0], beta2=opts.get("betas", (0.9, 0.999))[1], eps=opts.get("eps", 1e-8))
    else:
        js.update(momentum=opts.get("momentum", 0.0))
    return {"name": name, "kind": kind, "options": js, "theta0": [float(v) for v in theta0.tolist()],
            "grads": [[float(v) for v in r] for r in grads.tolist()], "thetas": thetas}


def main() -> None:
    out = {"torch_version": torch.__version__, "cases": [case(*c) for c in CASES]}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out) + "\n")
    print(f"wrote {OUT} ({len(CASES)} cases, {STEPS} steps of {N} parameters)")


if __name__ == "__main__":
    main()
