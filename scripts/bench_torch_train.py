"""Time one Adam step of the course's toy model in PyTorch (the peer of bench/train.mjs).

The model: nn.Embedding + learned positions -> nn.MultiheadAttention (batch_first, residual) -> nn.Linear ->
F.cross_entropy (ignore_index=-1 where a position is not scored), torch.optim.Adam; the previous-token task.
A step is zero_grad, forward, backward, optimizer.step, as a PyTorch user writes it.
Variants: float64 and float32, both torch.set_num_threads(1), interleaved A B A B over --rounds rounds;
each round's figure is the median of its calls. Prints one JSON object:
  {"torch": version, "f64": {ms, min, max, cpuMs, reps}, "f32": {...}}   (ms = median over rounds, min/max over rounds)
Usage: python scripts/bench_torch_train.py [--rounds 5] [--budget 1.5] [--batch 32] [--length 16] [--dmodel 32]
       [--heads 4] [--vocab 16] [--lr 0.01]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


class Toy(torch.nn.Module):
    def __init__(self, vocab, length, d_model, heads, classes):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, d_model)
        self.positions = torch.nn.Parameter(torch.randn(length, d_model) * 0.3)
        self.mha = torch.nn.MultiheadAttention(d_model, heads, batch_first=True)
        self.readout = torch.nn.Linear(d_model, classes)

    def forward(self, tokens):
        x = self.embedding(tokens) + self.positions  # (B, L, E)
        a, _ = self.mha(x, x, x, need_weights=False)
        return self.readout(a + x)  # (B, L, C)


def make_step(dtype, args):
    torch.manual_seed(1)
    model = Toy(args.vocab, args.length, args.dmodel, args.heads, args.vocab).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    g = torch.Generator().manual_seed(7)
    tokens = torch.randint(0, args.vocab, (args.batch, args.length), generator=g)
    targets = torch.full_like(tokens, -1)
    targets[:, 1:] = tokens[:, :-1]  # previous token; position 0 not scored

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(tokens)
        loss = F.cross_entropy(logits.reshape(-1, args.vocab), targets.reshape(-1), ignore_index=-1)
        loss.backward()
        opt.step()
        return loss

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--budget", type=float, default=1.5, help="seconds per variant over all rounds")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--length", type=int, default=16)
    ap.add_argument("--dmodel", type=int, default=32)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=16)
    ap.add_argument("--lr", type=float, default=0.01)
    args = ap.parse_args()
    torch.set_num_threads(1)
    steps = {"f64": make_step(torch.float64, args), "f32": make_step(torch.float32, args)}
    reps = {}
    for name, fn in steps.items():  # warm up, then calibrate calls per round
        t0 = time.perf_counter()
        n = 0
        while n < 5 or (time.perf_counter() - t0 < 0.3 and n < 50):
            fn()
            n += 1
        per = (time.perf_counter() - t0) / n
        reps[name] = max(1, min(200, int(args.budget / args.rounds / per)))
    rounds = {name: [] for name in steps}
    cpu = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, fn in steps.items():
            wall, c = [], []
            for _ in range(reps[name]):
                c0 = time.process_time()
                t0 = time.perf_counter()
                fn()
                wall.append((time.perf_counter() - t0) * 1e3)
                c.append((time.process_time() - c0) * 1e3)
            rounds[name].append(statistics.median(wall))
            cpu[name].append(statistics.median(c))
    out = {"torch": torch.__version__}
    for name in steps:
        out[name] = {"ms": statistics.median(rounds[name]), "min": min(rounds[name]), "max": max(rounds[name]),
                     "cpuMs": statistics.median(cpu[name]), "reps": reps[name]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
