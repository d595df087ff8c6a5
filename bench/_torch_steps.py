"""Times a training step in PyTorch the way bench/common.mjs's timeSteps times ours (one warm-up pass of `steps`
steps, then `rounds` rounds; each figure the mean ms of one round's steps) and prints the JSON the harness reads."""
import json
import statistics
import time


def time_steps(step, model, rounds: int, steps: int) -> None:
    for k in range(steps):
        step(k)  # warm-up
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for k in range(steps):
            step(k)
        times.append((time.perf_counter() - t0) * 1000 / steps)
    print(json.dumps({"median": statistics.median(times), "min": min(times), "max": max(times),
                      "numParams": sum(p.numel() for p in model.parameters())}))
