"""Write golden forward outputs and GRADIENTS of the shared blocks (src/blocks) from PyTorch autograd, float64.

Run from the repo root with the reference venv (see scripts/requirements-ref.txt):

    .venv-ref/bin/python scripts/golden_blocks.py

Each case becomes test/blocks/fixtures/<name>.json, read by test/blocks/golden.test.ts (the additive-attention
cases go to test/blocks/fixtures/additive/<name>.json, read by test/blocks/attention-additive.test.ts). For every case the
loss is  sum(output * G)  with G a seeded random matrix (cross_entropy: the loss itself), so autograd gives
the gradient of every input and parameter. Every case uses its own seed (derived from its name).

Layout: every array is written FLAT, row-major, as the blocks read it, with its shape beside it:
  {"shape": [...], "data": [...]}. Weights are in the paper's orientation (x·W, W is (in, out)): PyTorch's
  nn.Linear weight transposed. Floats are written with repr (exact float64).
Per case:  name, description, torch_version, sizes (dict), inputs (dict), params (dict), G, outputs (dict),
  grads (dict: the gradient of every input and parameter, same keys).
"""

from __future__ import annotations

import json
import pathlib
import zlib

import torch
import torch.nn.functional as F

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "blocks" / "fixtures"


def _arr(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def _gen(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


def _randn(g, *shape):
    return torch.randn(*shape, generator=g, dtype=torch.float64)


def _leaf(t):
    return t.clone().requires_grad_(True)


def _finish(name, description, sizes, inputs, params, out, G, outputs):
    """Backward of sum(out * G) (or of the scalar out when G is None), then every leaf's gradient."""
    (out if G is None else (out * G).sum()).backward()
    leaves = {**inputs, **params}
    return {
        "name": name, "description": description, "torch_version": torch.__version__, "sizes": sizes,
        "inputs": {k: _arr(v) for k, v in inputs.items() if v.dtype.is_floating_point},
        "tokens": {k: v.tolist() for k, v in inputs.items() if not v.dtype.is_floating_point},
        "params": {k: _arr(v) for k, v in params.items()},
        "G": None if G is None else _arr(G),
        "outputs": {k: _arr(v) for k, v in outputs.items()},
        "grads": {k: _arr(v.grad) for k, v in leaves.items() if v.dtype.is_floating_point},
    }


def linear_case(name, bias):
    g = _gen(name)
    n, d_in, d_out = 3, 4, 5
    x = _leaf(_randn(g, n, d_in))
    w = _leaf(_randn(g, d_in, d_out))  # paper orientation: F.linear takes w.T
    params = {"w": w}
    if bias:
        params["b"] = _leaf(_randn(g, d_out))
    y = F.linear(x, w.T, params.get("b"))
    G = _randn(g, n, d_out)
    return _finish(name, f"Y = X·W{' + b' if bias else ''}", {"n": n, "dIn": d_in, "dOut": d_out},
                   {"x": x}, params, y, G, {"y": y})


def embedding_case(name):
    g = _gen(name)
    vocab, d, max_len, B, L = 5, 3, 6, 2, 4
    tokens = torch.tensor([[2, 0, 2, 1], [4, 4, 3, 0]])
    table = _leaf(_randn(g, vocab, d))
    positions = _leaf(_randn(g, max_len, d))
    x = F.embedding(tokens, table) + positions[:L]  # (B, L, d)
    G = _randn(g, B, L, d)
    return _finish(name, "X[b, i] = E[t_bi] + P[i]", {"vocab": vocab, "d": d, "maxLength": max_len, "B": B, "L": L},
                   {"tokens": tokens}, {"table": table, "positions": positions}, x, G, {"x": x})


def layer_norm_case(name, eps):
    g = _gen(name)
    n, d = 4, 6
    x = _leaf(3 * _randn(g, n, d) + 1)
    gamma = _leaf(_randn(g, d))
    beta = _leaf(_randn(g, d))
    y = F.layer_norm(x, (d,), gamma, beta, eps)
    G = _randn(g, n, d)
    return _finish(name, f"torch.nn.functional.layer_norm, eps {eps}", {"n": n, "d": d, "eps": eps},
                   {"x": x}, {"gamma": gamma, "beta": beta}, y, G, {"y": y})


def feed_forward_case(name, activation):
    g = _gen(name)
    n, d, hidden = 3, 4, 8
    x = _leaf(_randn(g, n, d))
    params = {"upW": _leaf(_randn(g, d, hidden) * 0.7), "upB": _leaf(_randn(g, hidden)),
              "downW": _leaf(_randn(g, hidden, d) * 0.5), "downB": _leaf(_randn(g, d))}
    pre = F.linear(x, params["upW"].T, params["upB"])
    act = F.gelu(pre) if activation == "gelu" else F.relu(pre)
    y = F.linear(act, params["downW"].T, params["downB"])
    G = _randn(g, n, d)
    return _finish(name, f"FFN = {activation}(X·W1 + b1)·W2 + b2", {"n": n, "d": d, "hidden": hidden, "activation": activation},
                   {"x": x}, params, y, G, {"y": y, "pre": pre})


def attention_case(name, role):
    """nn.MultiheadAttention (batch_first) in one of three roles; weights in the paper's orientation."""
    g = _gen(name)
    B, L, d, h = 2, 4, 6, 2
    S, d_kv = (3, 5) if role == "cross" else (L, d)
    torch.manual_seed(zlib.crc32(name.encode()))
    mha = torch.nn.MultiheadAttention(d, h, bias=True, batch_first=True, kdim=d_kv, vdim=d_kv, dtype=torch.float64)
    with torch.no_grad():
        for p in mha.parameters():
            p.copy_(_randn(g, *p.shape) * 0.5)
    x = _leaf(_randn(g, B, L, d))
    inputs = {"x": x}
    if role == "cross":
        context = _leaf(_randn(g, B, S, d_kv))
        inputs["context"] = context
        kv = context
    else:
        kv = x
    mask = torch.triu(torch.ones(L, S, dtype=torch.bool), 1) if role == "causal" else None
    sd = dict(mha.named_parameters())

    def qkv(t):  # PyTorch's (out, in) projection weights (or their gradients) as wQ, wK, wV
        if role == "cross":
            return t["q_proj_weight"], t["k_proj_weight"], t["v_proj_weight"]
        return t["in_proj_weight"].split(d, 0)

    y, weights = mha(x, kv, kv, attn_mask=mask, need_weights=True, average_attn_weights=False)
    G = _randn(g, B, L, d)
    (y * G).sum().backward()
    sd_grad = {k: v.grad for k, v in sd.items()}

    def paper(t):  # the block's names and orientation (x·W: PyTorch's weight transposed)
        wq, wk, wv = qkv(t)
        bq, bk, bv = t["in_proj_bias"].split(d, 0)
        return {"wQ": wq.T, "wK": wk.T, "wV": wv.T, "wO": t["out_proj.weight"].T,
                "bQ": bq, "bK": bk, "bV": bv, "bO": t["out_proj.bias"]}

    params = paper(sd)
    grads = {k: _arr(v.grad) for k, v in inputs.items()}
    grads.update({k: _arr(v) for k, v in paper(sd_grad).items()})
    return {
        "name": name, "description": f"nn.MultiheadAttention, {role}", "torch_version": torch.__version__,
        "sizes": {"B": B, "L": L, "S": S, "d": d, "h": h, "dKV": d_kv, "role": role},
        "inputs": {k: _arr(v) for k, v in inputs.items()}, "tokens": {},
        "params": {k: _arr(v) for k, v in params.items()}, "G": _arr(G),
        "outputs": {"y": _arr(y), "weights": _arr(weights)}, "grads": grads,
    }


class AdditiveMultiHeadAttention(torch.nn.Module):
    """Multi-head attention whose heads score additively (Bahdanau), written out from the equations:
        Q = X·W^Q + b^Q,  K = C·W^K + b^K,  V = C·W^V + b^V   (paper orientation: x·W, W is (in, out))
        e_ts = w_iᵀ·tanh(Q_i[t] + K_g[s])   (no 1/√dK; g = i // (h / hKV), llama's repeat_kv)
        A = softmax_s(e + M),  head_i = A·V_g,  Y = Concat(head_1 … head_h)·W^O + b^O
    Bahdanau's W_q, W_k are folded into W_i^Q, W_i^K, so the hidden size of the tanh layer is dK."""

    def __init__(self, d, h, h_kv, d_kv, g):
        super().__init__()
        self.h, self.h_kv, self.dk = h, h_kv, d // h
        P = torch.nn.Parameter
        self.wQ, self.bQ = P(_randn(g, d, d) * 0.5), P(_randn(g, d) * 0.3)
        self.wK, self.bK = P(_randn(g, d_kv, h_kv * self.dk) * 0.5), P(_randn(g, h_kv * self.dk) * 0.3)
        self.wV, self.bV = P(_randn(g, d_kv, h_kv * self.dk) * 0.5), P(_randn(g, h_kv * self.dk) * 0.3)
        self.wO, self.bO = P(_randn(g, d, d) * 0.5), P(_randn(g, d) * 0.3)
        self.wA = P(_randn(g, h, self.dk))  # (h, dK): head i's score vector w_i

    def forward(self, x, c, mask=None):
        B, L, _ = x.shape
        S = c.shape[1]
        rep = self.h // self.h_kv
        q = (x @ self.wQ + self.bQ).view(B, L, self.h, self.dk).transpose(1, 2)  # (B, h, L, dK)
        k = (c @ self.wK + self.bK).view(B, S, self.h_kv, self.dk).transpose(1, 2)  # (B, hKV, S, dK)
        v = (c @ self.wV + self.bV).view(B, S, self.h_kv, self.dk).transpose(1, 2)  # (B, hKV, S, dK)
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)  # (B, h, S, dK)
        t = torch.tanh(q[:, :, :, None, :] + k[:, :, None, :, :])  # (B, h, L, S, dK)
        e = (t * self.wA[None, :, None, None, :]).sum(-1)  # (B, h, L, S)
        if mask is not None:
            e = e.masked_fill(mask, float("-inf"))
        a = torch.softmax(e, dim=-1)  # (B, h, L, S)
        heads = (a @ v).transpose(1, 2).reshape(B, L, self.h * self.dk)  # (B, L, h·dK)
        return heads @ self.wO + self.bO, a


def additive_attention_case(name, role, h, h_kv=None):
    """AdditiveMultiHeadAttention in one of three roles (self, causal, cross), h heads, h_kv key/value heads."""
    g = _gen(name)
    h_kv = h_kv or h
    B, L, d = 2, 4, 8
    S, d_kv = (3, 5) if role == "cross" else (L, d)
    m = AdditiveMultiHeadAttention(d, h, h_kv, d_kv, g)
    x = _leaf(_randn(g, B, L, d))
    inputs = {"x": x}
    if role == "cross":
        inputs["context"] = _leaf(_randn(g, B, S, d_kv))
    c = inputs.get("context", x)
    mask = torch.triu(torch.ones(L, S, dtype=torch.bool), 1) if role == "causal" else None
    y, weights = m(x, c, mask)
    G = _randn(g, B, L, d)
    params = dict(m.named_parameters())
    fx = _finish(name, f"additive multi-head attention, {role}, h = {h}, numKVHeads = {h_kv}",
                 {"B": B, "L": L, "S": S, "d": d, "h": h, "numKVHeads": h_kv, "dKV": d_kv, "role": role},
                 inputs, params, y, G, {"y": y, "weights": weights})
    fx["dir"] = "additive"
    return fx


def cross_entropy_case(name):
    g = _gen(name)
    n, C = 5, 7
    logits = _leaf(2 * _randn(g, n, C))
    targets = torch.tensor([3, 0, -1, 6, 3])
    loss = F.cross_entropy(logits, targets, ignore_index=-1)
    return _finish(name, "mean cross-entropy, target −1 not scored", {"n": n, "C": C},
                   {"logits": logits, "targets": targets}, {}, loss, None, {"loss": loss.reshape(1)})


def causal_lm_case(name, layers, ffn):
    """The whole CausalLM: embedding + learned positions, layers × [LayerNorm -> causal nn.MultiheadAttention (no bias)
    -> residual (-> LayerNorm -> Linear, GELU, Linear -> residual)], LayerNorm, read-out; mean next-token cross-entropy.
    Params are keyed by CausalLM's parameterNames (paper orientation)."""
    g = _gen(name)
    vocab, ctx, d, h, B, L = 7, 6, 4, 2, 2, 5
    tokens = torch.tensor([[0, 3, 6, 3, 1], [5, 5, 2, 0, 4]])
    P = {"embedding": _randn(g, vocab, d), "positions": _randn(g, ctx, d) * 0.5}
    for l in range(layers):
        p = f"layers.{l}"
        P[f"{p}.ln1.gamma"], P[f"{p}.ln1.beta"] = 1 + 0.3 * _randn(g, d), 0.3 * _randn(g, d)
        for w in ["wQ", "wK", "wV", "wO"]:
            P[f"{p}.attn.{w}"] = _randn(g, d, d) * 0.6
        if ffn:
            P[f"{p}.ln2.gamma"], P[f"{p}.ln2.beta"] = 1 + 0.3 * _randn(g, d), 0.3 * _randn(g, d)
            P[f"{p}.ffn.up.w"], P[f"{p}.ffn.up.b"] = _randn(g, d, ffn) * 0.5, _randn(g, ffn) * 0.1
            P[f"{p}.ffn.down.w"], P[f"{p}.ffn.down.b"] = _randn(g, ffn, d) * 0.5, _randn(g, d) * 0.1
    P["lnF.gamma"], P["lnF.beta"] = 1 + 0.3 * _randn(g, d), 0.3 * _randn(g, d)
    P["unembed"] = _randn(g, d, vocab) * 0.6
    P = {k: _leaf(v) for k, v in P.items()}
    mask = torch.triu(torch.ones(L, L, dtype=torch.bool), 1)
    x = F.embedding(tokens, P["embedding"]) + P["positions"][:L]  # (B, L, d)
    for l in range(layers):
        p = f"layers.{l}"
        hn = F.layer_norm(x, (d,), P[f"{p}.ln1.gamma"], P[f"{p}.ln1.beta"], 1e-5)
        in_proj = torch.cat([P[f"{p}.attn.{w}"].T for w in ["wQ", "wK", "wV"]], 0)  # (3d, d): PyTorch's layout
        a, _ = F.multi_head_attention_forward(
            hn.transpose(0, 1), hn.transpose(0, 1), hn.transpose(0, 1), d, h, in_proj, None, None, None, False, 0.0,
            P[f"{p}.attn.wO"].T, None, training=False, need_weights=False, attn_mask=mask)
        x = x + a.transpose(0, 1)
        if ffn:
            hn2 = F.layer_norm(x, (d,), P[f"{p}.ln2.gamma"], P[f"{p}.ln2.beta"], 1e-5)
            f = F.linear(F.gelu(F.linear(hn2, P[f"{p}.ffn.up.w"].T, P[f"{p}.ffn.up.b"])), P[f"{p}.ffn.down.w"].T, P[f"{p}.ffn.down.b"])
            x = x + f
    logits = F.layer_norm(x, (d,), P["lnF.gamma"], P["lnF.beta"], 1e-5) @ P["unembed"]  # (B, L, vocab)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), tokens[:, 1:].reshape(-1))
    return _finish(name, f"CausalLM, {layers} layer(s){', GELU feed-forward ' + str(ffn) if ffn else ', attention-only'}",
                   {"vocab": vocab, "contextLength": ctx, "dModel": d, "numHeads": h, "numLayers": layers, "feedForward": ffn},
                   {"tokens": tokens}, P, loss, None, {"loss": loss.reshape(1), "logits": logits})


CASES = [
    lambda: linear_case("linear", bias=True),
    lambda: linear_case("linear_no_bias", bias=False),
    lambda: embedding_case("embedding"),
    lambda: layer_norm_case("layer_norm", 1e-5),
    lambda: layer_norm_case("layer_norm_bert_eps", 1e-12),
    lambda: feed_forward_case("feed_forward_gelu", "gelu"),
    lambda: feed_forward_case("feed_forward_relu", "relu"),
    lambda: attention_case("attention_self", "self"),
    lambda: attention_case("attention_causal", "causal"),
    lambda: attention_case("attention_cross", "cross"),
    lambda: additive_attention_case("additive_self_h1", "self", 1),
    lambda: additive_attention_case("additive_causal_h2", "causal", 2),
    lambda: additive_attention_case("additive_cross_h4", "cross", 4),
    lambda: additive_attention_case("additive_self_gqa_h4_kv2", "self", 4, 2),
    lambda: additive_attention_case("additive_causal_gqa_h4_kv1", "causal", 4, 1),
    lambda: cross_entropy_case("cross_entropy"),
    lambda: causal_lm_case("causal_lm_attention_only", 2, 0),
    lambda: causal_lm_case("causal_lm_feed_forward", 1, 6),
]


def main() -> None:
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        fx = case()
        out_dir = OUT_DIR / fx.pop("dir", "")
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{fx['name']}.json"
        path.write_text(json.dumps(fx, separators=(",", ":")) + "\n")
        print(f"{path.relative_to(OUT_DIR.parent.parent.parent)}  {path.stat().st_size:6d} B")


if __name__ == "__main__":
    main()
