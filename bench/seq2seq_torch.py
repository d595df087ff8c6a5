"""One Adam step of the encoder-decoder of bench/seq2seq.mjs in PyTorch float64, one thread.

Called by bench/seq2seq.mjs with a JSON config; prints {"median", "min", "max"} ms per step and "numParams" (last line).
The model matches mha-lab/models EncoderDecoder (pre-LN): source and target embeddings + learned positions;
encoder layer x += SelfAttn(LN(x)), x += FFN(LN(x)); memory = LN(x); decoder layer y += CausalSelfAttn(LN(y)),
y += CrossAttn(LN(y), memory), y += FFN(LN(y)); logits = LN(y) @ U (no bias); nn.MultiheadAttention with
bias=False; FFN = Linear (bias) -> ReLU -> Linear (bias); cross-entropy of every position but the last
against the next target token (teacher forcing). The same number of parameters as ours (printed by both).
"""

from __future__ import annotations

import json
import sys

import torch
from torch import nn

from _torch_steps import time_steps  # bench/ is on sys.path: the script's own folder


def ffn(d, hidden):
    return nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, d))


class EncoderLayer(nn.Module):
    def __init__(self, d, h, hidden):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, h, bias=False, batch_first=True)
        self.ffn = ffn(d, hidden)

    def forward(self, x):
        a = self.ln1(x)
        x = x + self.attn(a, a, a, need_weights=False)[0]
        return x + self.ffn(self.ln2(x))


class DecoderLayer(nn.Module):
    def __init__(self, d, h, hidden):
        super().__init__()
        self.ln1, self.ln2, self.ln3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = nn.MultiheadAttention(d, h, bias=False, batch_first=True)
        self.cross = nn.MultiheadAttention(d, h, bias=False, batch_first=True)
        self.ffn = ffn(d, hidden)

    def forward(self, y, memory, mask):
        a = self.ln1(y)
        y = y + self.self_attn(a, a, a, attn_mask=mask, need_weights=False)[0]
        y = y + self.cross(self.ln2(y), memory, memory, need_weights=False)[0]
        return y + self.ffn(self.ln3(y))


class EncoderDecoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, hidden = c["dModel"], c["numHeads"], c["feedForward"]
        self.src_embedding = nn.Embedding(c["sourceVocab"], d)
        self.src_positions = nn.Parameter(torch.randn(c["sourceLength"], d) * 0.1)
        self.tgt_embedding = nn.Embedding(c["targetVocab"], d)
        self.tgt_positions = nn.Parameter(torch.randn(c["targetLength"], d) * 0.1)
        self.encoder = nn.ModuleList(EncoderLayer(d, h, hidden) for _ in range(c["encoderLayers"]))
        self.enc_ln = nn.LayerNorm(d)
        self.decoder = nn.ModuleList(DecoderLayer(d, h, hidden) for _ in range(c["decoderLayers"]))
        self.dec_ln = nn.LayerNorm(d)
        self.unembed = nn.Linear(d, c["targetVocab"], bias=False)
        T = c["targetLength"]
        self.register_buffer("mask", torch.triu(torch.ones(T, T, dtype=torch.bool), 1))

    def forward(self, sources, targets):
        S, T = sources.shape[1], targets.shape[1]
        x = self.src_embedding(sources) + self.src_positions[:S]  # (B, S, d)
        for layer in self.encoder:
            x = layer(x)
        memory = self.enc_ln(x)  # (B, S, d)
        y = self.tgt_embedding(targets) + self.tgt_positions[:T]  # (B, T, d)
        for layer in self.decoder:
            y = layer(y, memory, self.mask[:T, :T])
        return self.unembed(self.dec_ln(y))  # (B, T, targetVocab)


def main() -> None:
    c = json.loads(sys.argv[1])
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    torch.manual_seed(c["seed"])
    model = EncoderDecoder(c)
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    B, V = c["batchSize"], c["targetVocab"]
    batches = [(torch.randint(1, c["sourceVocab"], (B, c["sourceLength"])),
                torch.cat([torch.ones(B, 1, dtype=torch.long), torch.randint(3, V, (B, c["targetLength"] - 1))], 1)) for _ in range(4)]

    def step(k):
        sources, targets = batches[k % 4]
        opt.zero_grad(set_to_none=True)
        logits = model(sources, targets)
        loss = nn.functional.cross_entropy(logits[:, :-1].reshape(-1, V), targets[:, 1:].reshape(-1))
        loss.backward()
        opt.step()

    time_steps(step, model, c["rounds"], c["steps"])


if __name__ == "__main__":
    main()
