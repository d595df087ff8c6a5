"""Time PyTorch CPU nn.MultiheadAttention on the sizes of `npm run bench`.

Prints one JSON object on stdout: {"torch": version, "defaultThreads": N, "rows": [...]}.
Each row: {n, dModel, numHeads, variant, threads, ms (median wall), cpuMs (median process CPU time), reps} where variant is one of
  f32-1t   float32, torch.set_num_threads(1)   (the like-for-like peer of single-threaded JS)
  f32-mt   float32, default thread count
  f64-1t   float64, 1 thread                     (same precision as our number[][])
The call mirrors our forward: self-attention, no mask, need_weights=True with
average_attn_weights=False so the per-head weights are materialised, under inference_mode.
Usage: python scripts/bench_torch.py [--sizes 8,32,128,512,1024] [--dmodels 64,256] [--heads 8] [--budget 1.0]
"""
import argparse
import json
import statistics
import sys
import time

import torch


def time_call(fn, budget_s, min_reps=3, max_reps=50):
    """Warm up twice, then run until budget_s is spent (at least min_reps); return (median wall ms, median process CPU ms, reps)."""
    fn()
    fn()
    samples = []
    cpu = []
    start = time.perf_counter()
    while len(samples) < max_reps and (len(samples) < min_reps or time.perf_counter() - start < budget_s):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(samples), statistics.median(cpu), len(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="8,32,128,512,1024")
    ap.add_argument("--dmodels", default="64,256")
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--budget", type=float, default=1.0, help="seconds of timed runs per size and variant")
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

                ms, cpu_ms, reps = time_call(run, args.budget)
                rows.append({"n": n, "dModel": d_model, "numHeads": args.heads, "variant": name,
                             "threads": threads, "ms": ms, "cpuMs": cpu_ms, "reps": reps})
                print(f"{name} n={n} dModel={d_model}: {ms:.3f} ms ({reps} reps)", file=sys.stderr)
    torch.set_num_threads(default_threads)
    json.dump({"torch": torch.__version__, "defaultThreads": default_threads, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main()
