"""Write golden GRADIENTS from real PyTorch autograd through nn.MultiheadAttention (float64).

Run from the repo root with the reference venv (see scripts/requirements-ref.txt):

    .venv-ref/bin/python scripts/golden_grad.py      # or: npm run fixtures:torch-grad

For every case of scripts/golden.py (same shapes and masks, own seeds), the loss is
    loss = sum(output * G)     with G a random (L, E) matrix,
so dLoss/dOutput = G, and autograd gives the gradient of every input and parameter.
Each case becomes test/fixtures/torch-grad/<name>.json, read by test/math/multi-head-backward.golden.test.ts.

File format (one top-level key per line, values compact JSON), besides golden.py's name, description,
torch_version, seed, args, state_dict, query, key, value, attn_mask, attn_mask_dtype, key_padding_mask, causal:
  G (L, E)                 the upstream gradient
  output (L, E)            PyTorch's output
  grad_query (L, E), grad_key (S, kdim), grad_value (S, vdim)
                           query, key and value are three separate leaf tensors (even when their values are
                           equal, in self-attention), so each gets its own gradient
  grad_self (L, E) or null for self-attention: the gradient of x when ONE tensor is passed as query, key and
                           value (autograd sums the three uses)
  grad_state_dict          the gradient of every parameter, keys and layout exactly as state_dict
  nan_rows                 query rows whose keys are all masked: PyTorch's output there is NaN, and so is
                           every gradient (the NaN reaches the loss)
  rows_removed             only when nan_rows is non-empty: the same layer, inputs and G with those query rows
                           deleted, {query_rows, grad_query, grad_key, grad_value, grad_state_dict}: what the
                           finite rows alone give
Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity"; floats with repr (exact).
"""

from __future__ import annotations

import pathlib
import sys
import zlib

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from golden import _inputs_fixture, _layer_and_inputs, _tolist, write_fixtures  # noqa: E402  (cases, layer, inputs, writer: shared)

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-grad"


def _grads(mha, query, key, value, G, am, kpm, causal, self_tensor=False):
    """Run forward + backward of sum(output * G); return (output, grads of query/key/value, state-dict grads)."""
    mha.zero_grad(set_to_none=True)
    q = query.clone().requires_grad_(True)
    if self_tensor:
        k = v = q
    else:
        k = key.clone().requires_grad_(True)
        v = value.clone().requires_grad_(True)
    out, _ = mha(
        q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0),
        key_padding_mask=None if kpm is None else kpm.unsqueeze(0),
        need_weights=True, attn_mask=am, average_attn_weights=False, is_causal=causal,
    )
    out = out.squeeze(0)  # (L, E)
    (out * G).sum().backward()
    params = dict(mha.named_parameters())
    sd_grads = {name: _tolist(params[name].grad) for name in mha.state_dict().keys()}
    if self_tensor:
        return out.detach(), q.grad, None, None, sd_grads
    return out.detach(), q.grad, k.grad, v.grad, sd_grads


def run_grad_case(name, description, *, E, h, L, S=None, kdim=None, vdim=None, bias=True,
                  self_attention=True, attn_mask=None, key_padding_mask=None, causal=False):
    seed = zlib.crc32(("grad:" + name).encode()) & 0x7FFFFFFF
    g, mha, query, key, value, am, kpm = _layer_and_inputs(
        seed, E=E, h=h, L=L, S=S, kdim=kdim, vdim=vdim, bias=bias, self_attention=self_attention,
        attn_mask=attn_mask, key_padding_mask=key_padding_mask)
    G = torch.randn(L, E, generator=g)

    out, gq, gk, gv, gsd = _grads(mha, query, key, value, G, am, kpm, causal)
    nan_rows = [int(i) for i in torch.nonzero(torch.isnan(out).any(dim=1)).flatten()]
    grad_self = None
    if self_attention:
        _, gx, _, _, _ = _grads(mha, query, key, value, G, am, kpm, causal, self_tensor=True)
        grad_self = _tolist(gx)

    fixture = {
        **_inputs_fixture(name, description, seed, mha, query, key, value, am, kpm, causal),
        "G": _tolist(G), "output": _tolist(out),
        "grad_query": _tolist(gq), "grad_key": _tolist(gk), "grad_value": _tolist(gv), "grad_self": grad_self,
        "grad_state_dict": gsd, "nan_rows": nan_rows,
    }
    if nan_rows:
        keep = [i for i in range(L) if i not in nan_rows]
        # the causal flag describes an (L, L) pattern; the reduced problem passes the mask rows explicitly
        am_r = None if am is None else am[keep]
        q_r = query[keep]
        # key and value stay the full sequence (also in self-attention): only the query rows that see no key go
        _, gq_r, gk_r, gv_r, gsd_r = _grads(mha, q_r, key, value, G[keep], am_r, kpm, False)
        fixture["rows_removed"] = {
            "query_rows": keep, "grad_query": _tolist(gq_r), "grad_key": _tolist(gk_r),
            "grad_value": _tolist(gv_r), "grad_state_dict": gsd_r,
        }
    return fixture


def main() -> None:
    write_fixtures(run_grad_case, OUT_DIR)


if __name__ == "__main__":
    main()
