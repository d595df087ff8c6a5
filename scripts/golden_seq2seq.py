"""Write golden values of the whole EncoderDecoder (src/models/encoder-decoder.ts) from PyTorch autograd, float64.

Run from the repo root with the reference venv (see scripts/requirements-ref.txt):

    .venv-ref/bin/python scripts/golden_seq2seq.py

Each case becomes test/fixtures/seq2seq/<name>.json, read by test/models/encoder-decoder.golden.test.ts.
The model is written here from torch.nn.functional alone (embedding, layer_norm, multi_head_attention_forward
with separate Q/K/V projections and no biases, or additive heads written out, relu, linear, cross_entropy with ignore_index=PAD), pre-LN,
source PAD masked as a key (key_padding_mask) in the encoder's self-attention and in cross-attention:
  encoder layer: x = x + SelfAttn(LN1(x)); x = x + FFN(LN2(x));  memory = LN_F(x)
  decoder layer: y = y + CausalSelfAttn(LN1(y)); y = y + CrossAttn(LN2(y), memory); y = y + FFN(LN3(y))
  logits = LN_F(y) @ U;  loss = mean over t with target[t+1] != PAD of cross_entropy(logits[t], target[t+1])
Weights are seeded random numbers (not trained), keyed by EncoderDecoder's parameterNames, in the paper's
orientation (x·W: PyTorch's weight transposed), flat row-major with their shape: {"shape": [...], "data": [...]}.
Per case: name, description, torch_version, sizes, tokens {sources, targets}, params, outputs {loss, logits,
cross_weights (per decoder layer, (B, h, T, S))}, grads (every parameter).
"""

from __future__ import annotations

import json
import pathlib
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden_blocks import _arr, _gen, _randn  # noqa: E402  (one writer of flat arrays, one seeding per case name)

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "seq2seq"
PAD = 0


def _additive(P, p, q_in, kv_in, d, h, mask, pad):
    """Additive (Bahdanau) heads written out: e[b,i,t,s] = wA[i] · tanh(Q_i[b,t] + K_i[b,s]), no 1/sqrt(dK)."""
    B, L, _ = q_in.shape
    S = kv_in.shape[1]
    dk = d // h
    q = (q_in @ P[f"{p}.wQ"]).reshape(B, L, h, dk).transpose(1, 2)  # (B, h, L, dK)
    k = (kv_in @ P[f"{p}.wK"]).reshape(B, S, h, dk).transpose(1, 2)  # (B, h, S, dK)
    v = (kv_in @ P[f"{p}.wV"]).reshape(B, S, h, dk).transpose(1, 2)  # (B, h, S, dK)
    e = (torch.tanh(q[:, :, :, None, :] + k[:, :, None, :, :]) * P[f"{p}.wA"][None, :, None, None, :]).sum(-1)  # (B, h, L, S)
    if mask is not None:
        e = e.masked_fill(mask, float("-inf"))
    if pad is not None:
        e = e.masked_fill(pad[:, None, None, :], float("-inf"))  # (B, S) padding keys
    w = torch.softmax(e, -1)  # (B, h, L, S)
    out = (w @ v).transpose(1, 2).reshape(B, L, d) @ P[f"{p}.wO"]  # (B, L, d)
    return out, w


def _attention(P, p, q_in, kv_in, d, h, causal, pad=None):
    """One attention block, PyTorch's functional form; returns the output (B, L, d) and the weights (B, h, L, S).
    pad: (B, S) True where the key is source padding (key_padding_mask), or None."""
    L, S = q_in.shape[1], kv_in.shape[1]
    mask = torch.triu(torch.ones(L, S, dtype=torch.bool), 1) if causal else None
    if f"{p}.wA" in P:
        return _additive(P, p, q_in, kv_in, d, h, mask, pad)
    out, w = F.multi_head_attention_forward(
        q_in.transpose(0, 1), kv_in.transpose(0, 1), kv_in.transpose(0, 1), d, h, None, None, None, None, False, 0.0,
        P[f"{p}.wO"].T, None, training=False, key_padding_mask=pad, need_weights=True, attn_mask=mask, average_attn_weights=False,
        use_separate_proj_weight=True, q_proj_weight=P[f"{p}.wQ"].T, k_proj_weight=P[f"{p}.wK"].T, v_proj_weight=P[f"{p}.wV"].T)
    return out.transpose(0, 1), w


def _ln(P, p, x, d):
    return F.layer_norm(x, (d,), P[f"{p}.gamma"], P[f"{p}.beta"], 1e-5)


def _ffn(P, p, x):
    return F.linear(F.relu(F.linear(x, P[f"{p}.ffn.up.w"].T, P[f"{p}.ffn.up.b"])), P[f"{p}.ffn.down.w"].T, P[f"{p}.ffn.down.b"])


def case(name, enc_layers, dec_layers, ffn, scoring="dot"):
    g = _gen(name)
    V_s, V_t, S_max, T_max, d, h = 6, 7, 5, 6, 4, 2
    # two pairs; the first source ends in PAD (masked as a key, as in the model), the targets [BOS … EOS PAD]: PAD not scored
    sources = torch.tensor([[3, 4, 5, 0], [5, 2, 1, 3]])
    targets = torch.tensor([[1, 4, 6, 2, 0], [1, 3, 2, 0, 0]])
    B, S = sources.shape
    T = targets.shape[1]
    pad = sources == PAD  # (B, S) key_padding_mask of the encoder's self-attention and of cross-attention

    P = {"source.embedding": _randn(g, V_s, d), "source.positions": _randn(g, S_max, d) * 0.5,
         "target.embedding": _randn(g, V_t, d), "target.positions": _randn(g, T_max, d) * 0.5}

    def norm(p):
        P[f"{p}.gamma"], P[f"{p}.beta"] = 1 + 0.3 * _randn(g, d), 0.3 * _randn(g, d)

    def attn(p):
        for w in ["wQ", "wK", "wV", "wO"]:
            P[f"{p}.{w}"] = _randn(g, d, d) * 0.6
        if scoring == "additive":
            P[f"{p}.wA"] = _randn(g, h, d // h)

    def feed(p, ln):
        if ffn:
            norm(f"{p}.{ln}")
            P[f"{p}.ffn.up.w"], P[f"{p}.ffn.up.b"] = _randn(g, d, ffn) * 0.5, _randn(g, ffn) * 0.1
            P[f"{p}.ffn.down.w"], P[f"{p}.ffn.down.b"] = _randn(g, ffn, d) * 0.5, _randn(g, d) * 0.1

    for l in range(enc_layers):
        p = f"encoder.{l}"
        norm(f"{p}.ln1"), attn(f"{p}.attn"), feed(p, "ln2")
    norm("encoder.lnF")
    for l in range(dec_layers):
        p = f"decoder.{l}"
        norm(f"{p}.ln1"), attn(f"{p}.self"), norm(f"{p}.ln2"), attn(f"{p}.cross"), feed(p, "ln3")
    norm("decoder.lnF")
    P["unembed"] = _randn(g, d, V_t) * 0.6
    P = {k: v.clone().requires_grad_(True) for k, v in P.items()}

    # 1) encoder
    x = F.embedding(sources, P["source.embedding"]) + P["source.positions"][:S]  # (B, S, d)
    for l in range(enc_layers):
        p = f"encoder.{l}"
        x = x + _attention(P, f"{p}.attn", _ln(P, f"{p}.ln1", x, d), _ln(P, f"{p}.ln1", x, d), d, h, False, pad)[0]
        if ffn:
            x = x + _ffn(P, p, _ln(P, f"{p}.ln2", x, d))
    memory = _ln(P, "encoder.lnF", x, d)  # (B, S, d)
    # 2) decoder
    y = F.embedding(targets, P["target.embedding"]) + P["target.positions"][:T]  # (B, T, d)
    cross_weights = []
    for l in range(dec_layers):
        p = f"decoder.{l}"
        a = _ln(P, f"{p}.ln1", y, d)
        y = y + _attention(P, f"{p}.self", a, a, d, h, True)[0]
        c, w = _attention(P, f"{p}.cross", _ln(P, f"{p}.ln2", y, d), memory, d, h, False, pad)
        y = y + c
        cross_weights.append(w)  # (B, h, T, S)
        if ffn:
            y = y + _ffn(P, p, _ln(P, f"{p}.ln3", y, d))
    logits = _ln(P, "decoder.lnF", y, d) @ P["unembed"]  # (B, T, V_t)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, V_t), targets[:, 1:].reshape(-1), ignore_index=PAD)
    loss.backward()
    return {
        "name": name, "description": f"EncoderDecoder, {enc_layers} + {dec_layers} layers, {'ReLU feed-forward ' + str(ffn) if ffn else 'no feed-forward'}, {scoring} scoring",
        "torch_version": torch.__version__,
        "sizes": {"sourceVocab": V_s, "targetVocab": V_t, "sourceLength": S_max, "targetLength": T_max, "dModel": d, "numHeads": h,
                  "encoderLayers": enc_layers, "decoderLayers": dec_layers, "feedForward": ffn, "scoring": scoring},
        "tokens": {"sources": sources.tolist(), "targets": targets.tolist()},
        "params": {k: _arr(v) for k, v in P.items()},
        "outputs": {"loss": _arr(loss.reshape(1)), "logits": _arr(logits), "cross_weights": [_arr(w) for w in cross_weights]},
        "grads": {k: _arr(v.grad) for k, v in P.items()},
    }


CASES = [
    lambda: case("seq2seq_feed_forward", 2, 2, 6),
    lambda: case("seq2seq_attention_only", 1, 1, 0),
    lambda: case("seq2seq_additive", 2, 1, 6, "additive"),
]


def main() -> None:
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for c in CASES:
        fx = c()
        path = OUT_DIR / f"{fx['name']}.json"
        path.write_text(json.dumps(fx, separators=(",", ":")) + "\n")
        print(f"{path.relative_to(OUT_DIR.parent.parent.parent)}  {path.stat().st_size:6d} B")


if __name__ == "__main__":
    main()
