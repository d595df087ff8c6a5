"""Differential fuzz fixture: a few hundred random torch.nn.MultiheadAttention configurations (float64).

Run from the repo root with the reference venv (see scripts/requirements-ref.txt):

    .venv-ref/bin/python scripts/golden_fuzz.py        # or: npm run fixtures:torch-fuzz

Writes test/fixtures/torch-fuzz/cases.json: {"generator", "seed", "torch_version", "count", "cases": [...]},
each case in the format of scripts/golden.py's fixtures (run_case builds and runs it), read by
test/math/torch-fuzz.test.ts, which compares BOTH our paths (the readable forward and fastForward) with it.

What is drawn, from one fixed seed (SEED), so the file is the same on every run:
  dims       h in 1..4, head size 1..4 (so E = h·d ≤ 16), L and S in 1..6
  kind       self-attention (key = value = query), or cross-attention with kdim, vdim each = E or 1..9
  bias       True or False
  masks      none, bool attn_mask, float attn_mask (some entries −inf), causal (is_causal=True with the causal
             bool mask, as nn.MultiheadAttention wants), key_padding_mask, and every combination of them;
             a quarter of the masked cases force fully masked query rows (a bool row of all True, or every
             key padded), where PyTorch returns NaN and we return zero weights (nan_rows lists them)
"""

from __future__ import annotations

import json
import pathlib
import random
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden import _causal, run_case  # noqa: E402  (the one implementation of a fixture case)

SEED = 20261201
COUNT = 300
OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-fuzz" / "cases.json"


def _config(r: random.Random, i: int) -> dict:
    h = r.randint(1, 4)
    E = h * r.randint(1, 4)
    L = r.randint(1, 6)
    self_attention = r.random() < 0.4
    S = L if self_attention else r.randint(1, 6)
    kdim = vdim = None
    if not self_attention:
        kdim = E if r.random() < 0.5 else r.randint(1, 9)
        vdim = E if r.random() < 0.5 else r.randint(1, 9)
    bias = r.random() < 0.7
    use_attn = r.choice([None, "bool", "float"])
    causal = r.random() < 0.3
    use_pad = r.random() < 0.35
    fully = (use_attn == "bool" or use_pad) and r.random() < 0.25

    # draw the masks' contents here (not from torch's generator) so each case is fixed by SEED alone
    bool_rows = [[r.random() < 0.3 for _ in range(S)] for _ in range(L)]
    float_rows = [[r.gauss(0, 2) if r.random() > 0.15 else float("-inf") for _ in range(S)] for _ in range(L)]
    pad = [r.random() < 0.3 for _ in range(S)]
    if fully and use_attn == "bool":
        bool_rows[r.randrange(L)] = [True] * S
    elif fully:
        pad = [True] * S

    attn_mask = None
    desc = [f"E={E} h={h} L={L} S={S}", "self" if self_attention else f"cross kdim={kdim or E} vdim={vdim or E}",
            "bias" if bias else "no bias"]
    if use_attn == "bool" or causal:
        def attn_mask(_g, b=bool_rows, c=causal, ua=use_attn):
            m = torch.tensor(b, dtype=torch.bool) if ua == "bool" else torch.zeros(L, S, dtype=torch.bool)
            return m | _causal(L, S) if c else m
        desc.append(("bool attn_mask" if use_attn == "bool" else "") + (" + causal" if causal else ""))
    if use_attn == "float":
        if causal:
            def attn_mask(_g, f=float_rows):  # a float mask plus the causal mask, as one float mask
                m = torch.tensor(f, dtype=torch.float64)
                return m.masked_fill(_causal(L, S), float("-inf"))
        else:
            def attn_mask(_g, f=float_rows):
                return torch.tensor(f, dtype=torch.float64)
        desc.append("float attn_mask" + (" + causal" if causal else ""))
    key_padding_mask = None
    if use_pad:
        def key_padding_mask(_g, p=pad):
            return torch.tensor(p, dtype=torch.bool)
        desc.append("key_padding_mask")
    if fully:
        desc.append("forced fully masked rows")
    # is_causal=True needs a bool/float attn_mask holding the causal mask; for a float mask we merged it above
    return dict(name=f"fuzz_{i:04d}", description=", ".join(d for d in desc if d),
                E=E, h=h, L=L, S=S, kdim=kdim, vdim=vdim, bias=bias, self_attention=self_attention,
                attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                causal=causal and use_attn != "float")


def main() -> None:
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    r = random.Random(SEED)
    cases = []
    for i in range(COUNT):
        spec = _config(r, i)
        name, description = spec.pop("name"), spec.pop("description")
        fx = run_case(name, description, **spec)
        # the float mask already holds the causal −inf entries; the test ALSO passes causal: true (idempotent)
        fx["causal_in_float_mask"] = "float attn_mask + causal" in description
        cases.append(fx)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    body = {"generator": "scripts/golden_fuzz.py", "seed": SEED, "torch_version": torch.__version__, "count": len(cases)}
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in body.items()]
    case_lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases]
    OUT.write_text("{\n" + ",\n".join(lines) + ',\n  "cases": [\n' + ",\n".join(case_lines) + "\n  ]\n}\n")
    nan = sum(1 for c in cases if c["nan_rows"])
    print(f"{OUT.relative_to(OUT.parent.parent.parent.parent)}: {len(cases)} cases, {nan} with fully masked rows, "
          f"{OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
