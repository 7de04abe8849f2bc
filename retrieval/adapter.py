"""The query adapter: a linear map on a question's embedding before it meets the paragraphs.

e5-small places a paraphrase, a question typed without diacritics or in English, farther from
its paragraph than the words' meaning would; a map ``W`` (``I + D``, near the identity) fitted
on questions and the paragraphs that answer them (``benchmarks/fit_adapter.py``: XQuAD's first
half and the dev halves of the question sets over the seed articles) moves questions towards
the paragraphs they ask about. Paragraph vectors are untouched, so an index needs no rebuild;
the map belongs to the model it was fitted for and is used only with it. It is data, not code:
``retrieval/data/query_adapter.npz``, its provenance in ``tuned.json`` ("query_adapter").
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ADAPTER_FILE = Path(__file__).parent / "data" / "query_adapter.npz"


@dataclass(frozen=True, eq=False)
class QueryAdapter:
    matrix: np.ndarray  # (dim, dim) float32: a question's vector v becomes W v, normalised

    def __call__(self, vector) -> np.ndarray:
        mapped = self.matrix @ np.asarray(vector, dtype=np.float32)
        return mapped / max(float(np.linalg.norm(mapped)), 1e-12)


def load_adapter(model_id: str, dim: int, path: Path = ADAPTER_FILE) -> QueryAdapter | None:
    """The map fitted for ``model_id``, or None (questions as the model embeds them) when there
    is none for it: another model, another size, no file."""
    try:
        with np.load(path) as data:
            fitted_for, matrix = str(data["model_id"]), data["matrix"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:  # a damaged install
        log.warning("query adapter %s cannot be read (%s): questions are used as the model embeds them", path, exc)
        return None
    if fitted_for != model_id or matrix.shape != (dim, dim):
        log.info("query adapter fitted for %s (%s), not %s (%s): not used", fitted_for, matrix.shape, model_id, dim)
        return None
    return QueryAdapter(matrix.astype(np.float32))


def save_adapter(path: Path, matrix: np.ndarray, model_id: str) -> None:
    """Written whole or not at all (float16: the map is normalised after, 300 KB)."""
    buffer = io.BytesIO()
    np.savez(buffer, matrix=matrix.astype(np.float16), model_id=np.array(model_id))
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(buffer.getvalue())
    os.chmod(tmp, 0o644)  # package data, read by whoever runs the bot
    os.replace(tmp, path)
