"""One Adam step of notebook 10b's two-layer causal language model in PyTorch float64, one thread.

Called by bench/causal-lm.mjs with a JSON config; prints {"median", "min", "max"} ms per step and "numParams" (last line).
The model matches mha-lab/models CausalLM: token embedding + learned positions, per layer LayerNorm ->
nn.MultiheadAttention (bias=False, causal) -> residual, final LayerNorm, linear read-out without bias,
next-token cross-entropy over positions 0 … L-2.
"""

from __future__ import annotations

import json
import sys

import torch
from torch import nn

from _torch_steps import time_steps  # bench/ is on sys.path: the script's own folder


class CausalLM(nn.Module):
    def __init__(self, vocab, length, d, h, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        self.positions = nn.Parameter(torch.randn(length, d) * 0.1)
        self.ln = nn.ModuleList(nn.LayerNorm(d) for _ in range(layers))
        self.attn = nn.ModuleList(nn.MultiheadAttention(d, h, bias=False, batch_first=True) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.unembed = nn.Linear(d, vocab, bias=False)
        self.register_buffer("mask", torch.triu(torch.ones(length, length, dtype=torch.bool), 1))

    def forward(self, tokens):
        L = tokens.shape[1]
        x = self.embedding(tokens) + self.positions[:L]  # (B, L, d)
        for ln, attn in zip(self.ln, self.attn):
            h = ln(x)
            x = x + attn(h, h, h, attn_mask=self.mask[:L, :L], need_weights=False)[0]
        return self.unembed(self.ln_f(x))  # (B, L, vocab)


def main() -> None:
    c = json.loads(sys.argv[1])
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    torch.manual_seed(c["seed"])
    model = CausalLM(c["vocab"], c["length"], c["dModel"], c["numHeads"], c["numLayers"])
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    batches = [torch.randint(0, c["vocab"], (c["batchSize"], c["length"])) for _ in range(4)]

    def step(k):
        tokens = batches[k % 4]
        opt.zero_grad(set_to_none=True)
        logits = model(tokens)
        loss = nn.functional.cross_entropy(logits[:, :-1].reshape(-1, c["vocab"]), tokens[:, 1:].reshape(-1))
        loss.backward()
        opt.step()

    time_steps(step, model, c["rounds"], c["steps"])


if __name__ == "__main__":
    main()
