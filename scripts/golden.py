"""Write golden fixtures from real PyTorch nn.MultiheadAttention (float64).

Run from the repo root with the reference venv (see scripts/requirements-ref.txt):

    .venv-ref/bin/python scripts/golden.py        # or: npm run fixtures:torch

Each case becomes test/fixtures/torch/<name>.json, read by test/math/torch-golden.test.ts; grouped-query attention
(F.scaled_dot_product_attention with enable_gqa) and the README's example go to test/fixtures/torch-extra/, read by
test/math/torch-extra.test.ts.
Every case uses its own seed (derived from its name), so adding a case never changes another.

File format (one top-level key per line, values compact JSON):
  name, description, torch_version, seed
  args          constructor args: embed_dim, num_heads, kdim, vdim, bias (batch_first=True, dropout=0)
  state_dict    module.state_dict() as nested lists, keys exactly as PyTorch names them
  query (L, E), key (S, kdim), value (S, vdim)     unbatched: the batch dim of 1 is dropped
  attn_mask     (L, S) bool (true = not allowed) or float (added), or null; attn_mask_dtype "bool"|"float"|null
  key_padding_mask  (S,) bool (true = ignore) or null
  causal        true when PyTorch was also given is_causal=True (attn_mask then holds the causal mask)
  output (L, E) and weights (h, L, S): PyTorch's results, need_weights=True, average_attn_weights=False
  nan_rows      query rows where PyTorch's output and weights are NaN (every key masked)
Non-finite numbers, which JSON cannot hold, are written as the strings "NaN", "Infinity", "-Infinity".
Floats are written with repr, which round-trips float64 exactly.
"""

from __future__ import annotations

import json
import math
import pathlib
import zlib

import torch

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch"


def _encode(x):
    """Nested lists of floats/bools -> JSON-safe values (non-finite floats become strings)."""
    if isinstance(x, list):
        return [_encode(v) for v in x]
    if isinstance(x, bool) or x is None:
        return x
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if isinstance(x, int):
        return x
    raise TypeError(f"cannot encode {type(x)}")


def _tolist(t: torch.Tensor | None):
    return None if t is None else _encode(t.tolist())


def _causal(L: int, S: int) -> torch.Tensor:
    """(L, S) bool, True above the diagonal = not allowed (PyTorch convention)."""
    return torch.ones(L, S, dtype=torch.bool).triu(1)


def _layer_and_inputs(seed, *, E, h, L, S=None, kdim=None, vdim=None, bias=True,
                      self_attention=True, attn_mask=None, key_padding_mask=None):
    """The case's module with every parameter random, its inputs and masks, all drawn from one generator seeded
    with `seed` (in this order: parameters, query, key and value, attn_mask, key_padding_mask).

    attn_mask / key_padding_mask are callables (generator) -> tensor, so they may use the case's RNG.
    Returns (g, mha, query, key, value, am, kpm): g is the generator, for anything a caller draws next.
    """
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    S = L if S is None else S
    mha = torch.nn.MultiheadAttention(E, h, bias=bias, kdim=kdim, vdim=vdim, batch_first=True, dropout=0.0)
    mha.eval()
    with torch.no_grad():
        # PyTorch initialises biases to zero; random values everywhere make the bias paths count.
        for p in mha.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    kd = mha.kdim
    vd = mha.vdim

    query = torch.randn(L, E, generator=g)
    if self_attention:
        assert kd == E and vd == E and S == L
        key = value = query
    else:
        key = torch.randn(S, kd, generator=g)
        value = torch.randn(S, vd, generator=g)

    am = attn_mask(g) if attn_mask is not None else None
    kpm = key_padding_mask(g) if key_padding_mask is not None else None
    if am is not None:
        assert am.shape == (L, S), am.shape
    if kpm is not None:
        assert kpm.shape == (S,) and kpm.dtype == torch.bool
    return g, mha, query, key, value, am, kpm


def _inputs_fixture(name, description, seed, mha, query, key, value, am, kpm, causal) -> dict:
    """The keys every fixture starts with, name … causal (see the file format above), in that order."""
    return {
        "name": name,
        "description": description,
        "torch_version": torch.__version__,
        "seed": seed,
        "args": {"embed_dim": mha.embed_dim, "num_heads": mha.num_heads, "kdim": mha.kdim, "vdim": mha.vdim,
                 "bias": mha.in_proj_bias is not None, "batch_first": True, "dropout": 0.0},
        "state_dict": {k: _tolist(v) for k, v in mha.state_dict().items()},
        "query": _tolist(query),
        "key": _tolist(key),
        "value": _tolist(value),
        "attn_mask": _tolist(am),
        "attn_mask_dtype": None if am is None else ("bool" if am.dtype == torch.bool else "float"),
        "key_padding_mask": _tolist(kpm),
        "causal": causal,
    }


def run_case(name, description, *, E, h, L, S=None, kdim=None, vdim=None, bias=True,
             self_attention=True, attn_mask=None, key_padding_mask=None, causal=False):
    """Build the module, randomise every parameter, run one forward pass and return the fixture dict.

    attn_mask / key_padding_mask are callables (generator) -> tensor, so they may use the case's RNG.
    """
    seed = zlib.crc32(name.encode()) & 0x7FFFFFFF
    _, mha, query, key, value, am, kpm = _layer_and_inputs(
        seed, E=E, h=h, L=L, S=S, kdim=kdim, vdim=vdim, bias=bias, self_attention=self_attention,
        attn_mask=attn_mask, key_padding_mask=key_padding_mask)
    S = L if S is None else S

    with torch.no_grad():
        out, w = mha(
            query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0),
            key_padding_mask=None if kpm is None else kpm.unsqueeze(0),
            need_weights=True, attn_mask=am, average_attn_weights=False, is_causal=causal,
        )
    out = out.squeeze(0)  # (L, E)
    w = w.squeeze(0)  # (h, L, S)
    assert out.shape == (L, E) and w.shape == (h, L, S)

    nan_out = torch.isnan(out).any(dim=1)  # (L,)
    nan_w = torch.isnan(w).any(dim=2).any(dim=0)  # (L,)
    assert torch.equal(nan_out, nan_w), "NaN rows of output and weights differ"
    nan_rows = [int(i) for i in torch.nonzero(nan_out).flatten()]
    # NaN rows must be entirely NaN, and other rows entirely finite.
    for i in range(L):
        if i in nan_rows:
            assert torch.isnan(out[i]).all() and torch.isnan(w[:, i, :]).all()
        else:
            assert torch.isfinite(out[i]).all() and torch.isfinite(w[:, i, :]).all()

    return {
        **_inputs_fixture(name, description, seed, mha, query, key, value, am, kpm, causal),
        "output": _tolist(out),
        "weights": _tolist(w),
        "nan_rows": nan_rows,
    }


def _float_mask(L, S, neg_inf=()):
    def make(g):
        m = torch.randn(L, S, generator=g) * 2.0
        for i, j in neg_inf:
            m[i, j] = -math.inf
        return m
    return make


def _pad(S, padded):
    def make(_g):
        m = torch.zeros(S, dtype=torch.bool)
        m[list(padded)] = True
        return m
    return make


CASES = [
    dict(name="self_basic", description="self-attention, E=8, h=2, L=4, no masks",
         E=8, h=2, L=4),
    dict(name="self_h1", description="self-attention with a single head (h=1, dK=8), L=4",
         E=8, h=1, L=4),
    dict(name="self_h4", description="self-attention with four heads (h=4, dK=2), L=5",
         E=8, h=4, L=5),
    dict(name="self_e12_h3", description="self-attention, E=12, h=3 (dK=4), L=6, no masks",
         E=12, h=3, L=6),
    dict(name="cross_l3_s5", description="cross-attention, query L=3, key/value S=5, kdim=vdim=E=8, h=2",
         E=8, h=2, L=3, S=5, self_attention=False),
    dict(name="cross_kdim_vdim", description="cross-attention with kdim=6, vdim=4 (separate q/k/v_proj_weight), E=8, h=2, L=3, S=5",
         E=8, h=2, L=3, S=5, kdim=6, vdim=4, self_attention=False),
    dict(name="cross_kdim_only", description="cross-attention with kdim=5, vdim=E=8 (separate q/k/v_proj_weight), h=4, L=4, S=3",
         E=8, h=4, L=4, S=3, kdim=5, self_attention=False),
    dict(name="self_no_bias", description="self-attention with bias=False (no in_proj_bias, no out_proj.bias), E=8, h=2, L=4",
         E=8, h=2, L=4, bias=False),
    dict(name="cross_kdim_vdim_no_bias", description="cross-attention, kdim=6, vdim=4, bias=False, E=8, h=2, L=3, S=5",
         E=8, h=2, L=3, S=5, kdim=6, vdim=4, bias=False, self_attention=False),
    dict(name="causal_bool", description="self-attention with a causal bool attn_mask (and is_causal=True), E=8, h=2, L=5",
         E=8, h=2, L=5, attn_mask=lambda g: _causal(5, 5), causal=True),
    dict(name="key_padding", description="cross-attention, L=3, S=5, key_padding_mask ignores keys 3 and 4, E=8, h=2",
         E=8, h=2, L=3, S=5, self_attention=False, key_padding_mask=_pad(5, [3, 4])),
    dict(name="float_mask", description="self-attention with a float additive attn_mask (randn*2), E=8, h=2, L=4",
         E=8, h=2, L=4, attn_mask=_float_mask(4, 4)),
    dict(name="float_mask_neg_inf", description="cross-attention with a float attn_mask holding some -inf (no row fully masked), L=4, S=5",
         E=8, h=2, L=4, S=5, self_attention=False,
         attn_mask=_float_mask(4, 5, neg_inf=[(0, 1), (0, 4), (1, 0), (2, 2), (2, 3), (3, 0), (3, 1), (3, 2), (3, 3)])),
    dict(name="causal_padding", description="self-attention, causal bool mask combined with key_padding_mask ignoring key 4, E=8, h=2, L=5",
         E=8, h=2, L=5, attn_mask=lambda g: _causal(5, 5), causal=True, key_padding_mask=_pad(5, [4])),
    dict(name="float_mask_padding", description="cross-attention, float attn_mask plus bool key_padding_mask ignoring key 1, L=3, S=4, h=4",
         E=8, h=4, L=3, S=4, self_attention=False, attn_mask=_float_mask(3, 4), key_padding_mask=_pad(4, [1])),
    dict(name="fully_masked_row", description="causal mask + key_padding_mask ignoring key 0: query row 0 sees no key, PyTorch gives NaN there",
         E=8, h=2, L=4, attn_mask=lambda g: _causal(4, 4), causal=True, key_padding_mask=_pad(4, [0])),
]


def _write(path: pathlib.Path, fixture: dict) -> None:
    lines = [f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'), allow_nan=False)}"
             for k, v in fixture.items()]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")


def write_fixtures(run, out_dir: pathlib.Path) -> None:
    """Run `run(name, description, **spec)` on every case of CASES and write each fixture to out_dir/<name>.json."""
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = set()
    for spec in CASES:
        spec = dict(spec)
        name, description = spec.pop("name"), spec.pop("description")
        assert name not in names
        names.add(name)
        fixture = run(name, description, **spec)
        path = out_dir / f"{name}.json"
        _write(path, fixture)
        print(f"{path.relative_to(out_dir.parent.parent.parent)}  {path.stat().st_size:6d} B"
              f"  nan_rows={fixture['nan_rows']}")
    stale = [p.name for p in out_dir.glob("*.json") if p.stem not in names]
    if stale:
        print("note: files not written by this run:", ", ".join(sorted(stale)))


EXTRA_DIR = OUT_DIR.parent / "torch-extra"


def _mulberry32(seed: int):
    """src/math/random.ts's mulberry32, bit for bit (32-bit unsigned arithmetic)."""
    state = seed & 0xFFFFFFFF
    imul = lambda a, b: (a * b) & 0xFFFFFFFF  # noqa: E731

    def nxt() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296
    return nxt


def _glorot(fan_in: int, fan_out: int, rand) -> list[list[float]]:
    """src/math/random.ts's glorotUniform: row by row, (2·r − 1)·√(6 / (fanIn + fanOut))."""
    a = math.sqrt(6 / (fan_in + fan_out))
    return [[(2 * rand() - 1) * a for _ in range(fan_out)] for _ in range(fan_in)]


def readme_example() -> dict:
    """The README's module example, in PyTorch: MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 42 })'s
    weights (rebuilt here from the same PRNG and draw order: wQ, wK, wV, wO; biases zero) loaded into
    nn.MultiheadAttention, run on the 4 one-hot tokens with the causal mask."""
    E, h, L = 8, 2, 4
    rand = _mulberry32(42)
    wQ, wK, wV, wO = (_glorot(E, E, rand) for _ in range(4))
    mha = torch.nn.MultiheadAttention(E, h, batch_first=True, dropout=0.0)
    mha.eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([torch.tensor(w).T for w in (wQ, wK, wV)]))
        mha.in_proj_bias.zero_()
        mha.out_proj.weight.copy_(torch.tensor(wO).T)
        mha.out_proj.bias.zero_()
        x = torch.eye(L, E).unsqueeze(0)
        out, w = mha(x, x, x, attn_mask=_causal(L, L), need_weights=True, average_attn_weights=False)
    return {
        "name": "readme_example", "torch_version": torch.__version__,
        "description": "README: MultiHeadAttention.random({ dModel: 8, numHeads: 2, seed: 42 }).forward(x, { attnMask: causalMask(4) }), x = 4 one-hot rows",
        "params": {"wQ": wQ, "wK": wK, "wV": wV, "wO": wO},
        "query": _tolist(x.squeeze(0)), "output": _tolist(out.squeeze(0)), "weights": _tolist(w.squeeze(0)),
    }


def gqa_case(name: str, description: str, *, E: int, h: int, hKV: int, L: int, S: int | None = None,
             causal: bool = False, pad: tuple = (), bias: bool = True) -> dict:
    """Grouped-query attention through F.scaled_dot_product_attention(enable_gqa=True): our parameters (paper
    orientation: wQ (E, E), wK (kdim=E, hKV·dK), wV, wO (E, E)) drawn at random, projections done here, and the
    attention itself by PyTorch, which repeats each key/value head for h / hKV query heads (repeat_interleave).
    The weights are PyTorch's too: softmax(q·kᵀ/√dK + mask) with K repeated by repeat_interleave."""
    seed = zlib.crc32(name.encode()) & 0x7FFFFFFF
    g = torch.Generator().manual_seed(seed)
    S = L if S is None else S
    dK = E // h
    rnd = lambda *shape: torch.randn(*shape, generator=g) * 0.5  # noqa: E731
    p = {"wQ": rnd(E, E), "wK": rnd(E, hKV * dK), "wV": rnd(E, hKV * dK), "wO": rnd(E, E)}
    b = {k: (rnd(n) if bias else None) for k, n in (("bQ", E), ("bK", hKV * dK), ("bV", hKV * dK), ("bO", E))}
    query = torch.randn(L, E, generator=g)
    key = value = query if S == L else torch.randn(S, E, generator=g)
    add = lambda y, bb: y if bb is None else y + bb  # noqa: E731
    q = add(query @ p["wQ"], b["bQ"]).view(L, h, dK).transpose(0, 1)  # (h, L, dK)
    k = add(key @ p["wK"], b["bK"]).view(S, hKV, dK).transpose(0, 1)  # (hKV, S, dK)
    v = add(value @ p["wV"], b["bV"]).view(S, hKV, dK).transpose(0, 1)  # (hKV, S, dV)
    allowed = torch.ones(L, S, dtype=torch.bool)  # SDPA's bool mask: True = takes part
    if causal:
        allowed &= ~_causal(L, S)
    for j in pad:
        allowed[:, j] = False
    heads = torch.nn.functional.scaled_dot_product_attention(
        q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0), attn_mask=allowed, enable_gqa=True).squeeze(0)  # (h, L, dV)
    out = add(heads.transpose(0, 1).reshape(L, E) @ p["wO"], b["bO"])  # (L, E)
    kr = k.repeat_interleave(h // hKV, dim=0)  # (h, S, dK)
    scores = q @ kr.transpose(1, 2) / math.sqrt(dK)
    w = torch.softmax(scores.masked_fill(~allowed, -math.inf), dim=-1)  # (h, L, S)
    return {
        "name": name, "description": description, "torch_version": torch.__version__, "seed": seed,
        "numHeads": h, "numKVHeads": hKV, "causal": causal, "keyPaddingMask": [j in pad for j in range(S)] if pad else None,
        "params": {k2: _tolist(t) for k2, t in {**p, **b}.items()},
        "query": _tolist(query), "key": _tolist(key), "value": _tolist(value),
        "output": _tolist(out), "weights": _tolist(w),
    }


GQA_CASES = [
    dict(name="gqa_h4_kv2", description="grouped-query self-attention, E=8, h=4 query heads sharing hKV=2 key/value heads, L=5", E=8, h=4, hKV=2, L=5),
    dict(name="gqa_mqa_causal", description="multi-query attention (hKV=1), causal, E=12, h=3, L=6", E=12, h=3, hKV=1, L=6, causal=True),
    dict(name="gqa_cross_padding", description="grouped-query cross-attention, E=8, h=4, hKV=2, L=3, S=5, keys 1 and 4 padded, no bias", E=8, h=4, hKV=2, L=3, S=5, pad=(1, 4), bias=False),
    dict(name="gqa_equal_heads", description="numKVHeads = numHeads = 2 (ordinary multi-head attention through the same path), E=8, L=4", E=8, h=2, hKV=2, L=4),
]


def write_extra(out_dir: pathlib.Path = EXTRA_DIR) -> None:
    """The fixtures of test/math/torch-extra.test.ts: grouped-query attention and the README's example."""
    torch.set_default_dtype(torch.float64)
    out_dir.mkdir(parents=True, exist_ok=True)
    fixtures = [gqa_case(**spec) for spec in GQA_CASES] + [readme_example()]
    for fixture in fixtures:
        path = out_dir / f"{fixture['name']}.json"
        _write(path, fixture)
        print(f"{path.relative_to(out_dir.parent.parent.parent)}  {path.stat().st_size:6d} B")


def main() -> None:
    write_fixtures(run_case, OUT_DIR)
    write_extra()


if __name__ == "__main__":
    main()
