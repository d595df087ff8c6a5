"""What the golden-fixture scripts share: an offline Hugging Face setup, a file hash, the tensor buffer that
src/minilm/_indexed-bin.ts reads (little-endian float32/float64 tensors at byte offsets named in a JSON index), and
the step that writes the buffer and then its index.

Importing this module sets the Hugging Face variables that keep transformers and tokenizers offline, so import it
before transformers:

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _fixture import REPO_ROOT, save_fixture, sha256, Writer  # noqa: E402

Used by export_minilm.py, export_minilm_golden.py and export_smollm_golden.py.
"""
import hashlib
import json
import os
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Writer:
    """Appends little-endian tensors (float32 "f4" or float64 "f8") to one buffer and records their offsets.

    record_dtype: also write each tensor's dtype into its index entry (the golden fixtures' format; the float32-only
    fixture of export_minilm.py has no dtype key).
    """

    def __init__(self, record_dtype: bool = False):
        self.chunks = []
        self.offset = 0
        self.index = {}
        self.record_dtype = record_dtype

    def add(self, name: str, t, dtype: str = "f4") -> None:
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        a = np.ascontiguousarray(a, dtype={"f4": "<f4", "f8": "<f8"}[dtype])
        if name in self.index:
            raise ValueError(f"duplicate tensor {name}")
        self.index[name] = ({"offset": self.offset, "dtype": dtype, "shape": list(a.shape)} if self.record_dtype
                            else {"offset": self.offset, "shape": list(a.shape)})
        b = a.tobytes()
        self.chunks.append(b)
        self.offset += len(b)

    def get(self, name: str) -> torch.Tensor:
        """Read a stored tensor back from its bytes."""
        i = list(self.index).index(name)
        dtype = {"f4": "<f4", "f8": "<f8"}[self.index[name].get("dtype", "f4")]
        return torch.from_numpy(np.frombuffer(self.chunks[i], dtype=dtype).reshape(self.index[name]["shape"]).copy())

    def write(self, path: Path) -> None:
        """Write the buffer (every tensor, in the order added) to path."""
        with open(path, "wb") as f:
            for c in self.chunks:
                f.write(c)


def save_fixture(w: Writer, bin_path: Path, json_path: Path, index: dict) -> int:
    """Write w's tensors to bin_path, then index as JSON to json_path, its "binBytes" and "binSha256" entries (which
    must be there, to keep their place in the file) filled in from the bin file. Returns the two files' total bytes."""
    w.write(bin_path)
    index["binBytes"], index["binSha256"] = w.offset, sha256(bin_path)
    json_path.write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return bin_path.stat().st_size + json_path.stat().st_size
