"""Time PyTorch CPU nn.MultiheadAttention on the sizes of `npm run bench`.

Prints one JSON object on stdout: {"torch": version, "defaultThreads": N, "rows": [...]}.
Each row: {n, dModel, numHeads, variant, threads, ms, min, max, cpuMs, reps, rounds} where variant is one of
  f32-1t   float32, torch.set_num_threads(1)   (the like-for-like peer of single-threaded JS)
  f32-mt   float32, default thread count
  f64-1t   float64, 1 thread                     (same precision as our number[][])
The call mirrors our forward: self-attention, no mask, need_weights=True with
average_attn_weights=False so the per-head weights are materialised, under inference_mode.
Timing follows bench/common.mjs's interleave: a time-based warm-up, then `rounds` rounds of calls (the calls per round
calibrated so all rounds take about `budget` seconds); each round's figure is the median of its calls; ms is the
median over rounds, min and max their range; cpuMs is the median process CPU time per call.
Usage: python scripts/bench_torch.py [--sizes 8,32,128,512,1024] [--dmodels 64,256] [--heads 8] [--rounds 5] [--budget 1.0]
"""
import argparse
import json
import statistics
import sys
import time

import torch


def time_call(fn, budget_s, rounds=5, warmup_s=0.3, max_reps=50):
    """Warm up for warmup_s (at least one call), then `rounds` rounds; return (median, min, max over rounds of the
    per-round median wall ms, median process CPU ms per call, calls per round)."""
    w0 = time.perf_counter()
    best = float("inf")
    for i in range(50):
        if i > 0 and time.perf_counter() - w0 >= warmup_s:
            break
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    reps = max(1, min(max_reps, int(budget_s / rounds / max(best, 1e-6))))
    per_round, cpu = [], []
    for _ in range(rounds):
        samples = []
        for _ in range(reps):
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        per_round.append(statistics.median(samples))
    return statistics.median(per_round), min(per_round), max(per_round), statistics.median(cpu), reps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="8,32,128,512,1024")
    ap.add_argument("--dmodels", default="64,256")
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--budget", type=float, default=1.0, help="seconds of timed runs per size and variant")
    ap.add_argument("--rounds", type=int, default=5, help="rounds (each figure is the median over rounds)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    dmodels = [int(s) for s in args.dmodels.split(",")]
    default_threads = torch.get_num_threads()
    rows = []
    variants = [("f32-1t", torch.float32, 1), ("f32-mt", torch.float32, default_threads), ("f64-1t", torch.float64, 1)]
    for name, dtype, threads in variants:
        torch.set_num_threads(threads)
        for d_model in dmodels:
            for n in sizes:
                torch.manual_seed(0)
                mha = torch.nn.MultiheadAttention(d_model, args.heads, batch_first=True, dtype=dtype).eval()
                x = torch.randn(1, n, d_model, dtype=dtype)

                def run():
                    with torch.inference_mode():
                        out, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
                    return out

                ms, lo, hi, cpu_ms, reps = time_call(run, args.budget, rounds=max(5, args.rounds))
                rows.append({"n": n, "dModel": d_model, "numHeads": args.heads, "variant": name, "threads": threads,
                             "ms": ms, "min": lo, "max": hi, "cpuMs": cpu_ms, "reps": reps, "rounds": max(5, args.rounds)})
                print(f"{name} n={n} dModel={d_model}: {ms:.3f} ms ({reps} reps)", file=sys.stderr)
    torch.set_num_threads(default_threads)
    json.dump({"torch": torch.__version__, "defaultThreads": default_threads, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main()
