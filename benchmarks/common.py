"""What the benchmark and tuning scripts share: paths, question sets, the caching embedder,
and a pipeline over a throwaway index. Only the library's public API is used here."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from retrieval.evaluate import eval_index_dir, read_questions, strip_questions, throwaway_index
from retrieval.pipeline import Pipeline
from retrieval.settings import ROOT, load_settings
from retrieval.text import Kind, question_kind

from .embedding_cache import CachedEmbedder

OUT = ROOT / "benchmarks" / "out"
# The query adapter's two cross-validation maps (fit_adapter --write): kept in git beside the
# shipped map, so that the figures measured with them are the same on a fresh clone (a refit
# moves them by float differences between machines)
FOLDS_FILE = ROOT / "benchmarks" / "data" / "query_adapter_folds.npz"
XQUAD = ROOT.parent / "shared" / "data" / "xquad"


def xquad_question_sets(xquad: Path) -> dict:
    """XQuAD's questions as asked: Vietnamese, English, and Vietnamese without diacritics."""
    sets = {"vi": read_questions(xquad / "questions.jsonl"), "en": read_questions(xquad / "questions.en.jsonl")}
    sets["vi_plain"] = strip_questions(sets["vi"])
    return sets


def setup(argv, description: str, write_help: str | None = None, flags: dict[str, str] | None = None,
          options: dict[str, str] | None = None):
    """What every tuning script starts from: --xquad (and --write, and the script's own on/off
    ``flags`` and valued ``options``: name -> help), the settings, the caching embedder."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--xquad", type=Path, default=XQUAD)
    if write_help:
        ap.add_argument("--write", action="store_true", help=write_help)
    for name, help_text in (flags or {}).items():
        ap.add_argument(name, action="store_true", help=help_text)
    for name, help_text in (options or {}).items():
        ap.add_argument(name, help=help_text)
    args = ap.parse_args(argv)
    settings = load_settings()
    return args, settings, cached_embedder(settings)


SEED_SETS = {  # question sets over the seed articles, each with a dev/test split
    "seeds": ROOT / "eval" / "seed_questions.jsonl",  # ours
    "field": ROOT.parent / "shared" / "data" / "field" / "questions.jsonl",  # other people's (given)
    "paraphrase": ROOT / "eval" / "paraphrase_questions.jsonl",  # ours: no word shared with the paragraph but names
    "unanswerable": ROOT / "eval" / "unanswerable_questions.jsonl",  # ours: off-topic and near-domain, typed as people chat
}


def seed_questions(split: str, name: str = "seeds") -> list:
    """One question set over the seed articles, one split ("dev": tuned on, "test": only
    reported); an absent set (the field questions outside this workplace) is empty."""
    path = SEED_SETS[name]
    if not path.exists():
        return []
    splits = {json.loads(line)["id"]: json.loads(line)["split"] for line in path.open(encoding="utf-8")}
    return [q for q in read_questions(path) if splits[q.id] == split]


def conversation_standalone(split: str) -> list:
    """Our conversations' turns that stand alone, one split: first turns and topic switches as
    typed, follow-ups as their hand rewrites; those the articles answer."""
    path = ROOT / "eval" / "conversations.jsonl"
    turns = [q for q in read_questions(path) if q.split == split and q.gold]
    return [q if q.turn in ("first", "switch") else dataclasses.replace(q, id=f"{q.id}-rewrite", text=q.rewrite)
            for q in turns if q.turn in ("first", "switch") or q.rewrite]


def kind_of(question) -> Kind:
    """The kind a question is planned as: its label where that is a kind, else as detected."""
    return Kind(question.kind) if question.kind in Kind._value2member_map_ else question_kind(question.text)


def typed_plain(questions) -> list:
    """Those of ``questions`` typed with diacritics, typed without them (how people chat with the
    keyboard's marks off): what the fits add to the questions typed that way."""
    return strip_questions([q for q in questions if kind_of(q) is Kind.VI])


def cached_embedder(settings):
    from retrieval.embedder import resolve_model
    from retrieval.engine import make_embedder

    source = resolve_model(settings.model, settings.model_cache_dir, settings.allow_download)
    return CachedEmbedder(lambda: make_embedder(settings), source.model_id, OUT / "embeddings.sqlite3")


def pipeline_over(passages, embedder, settings) -> Pipeline:
    """The product's pipeline, with its settings, over a throwaway index of ``passages``."""
    index = throwaway_index(passages, embedder, eval_index_dir(settings.cache_dir, passages), settings)
    return Pipeline.from_settings(index, embedder, settings)


def prepared(passages, questions, embedder, settings, kind_override=None):
    """Per question: its plan and vector, so a grid search re-ranks without the model. The
    vectors come mapped by the query adapter already (the pipeline's is taken off): a question
    the map was fitted on by the map of the fold fitted without it (``adapter_folds``)."""
    pipeline = pipeline_over(passages, embedder, settings)
    plans = [pipeline.planner.plan(q.text, kind_override or (Kind(q.kind) if q.kind in Kind._value2member_map_
                                                             else None)) for q in questions]
    vectors = embedder.embed_queries([p.dense_text for p in plans])
    if pipeline.adapter is not None:
        folds = adapter_folds(embedder.model_id)
        vectors = [folds.get(p.dense_text, pipeline.adapter)(v) for p, v in zip(plans, vectors)]
        pipeline.adapter = None
    return pipeline, list(zip(questions, plans, vectors))


@functools.lru_cache(maxsize=None)
def adapter_folds(model_id: str) -> dict:
    """dense text -> the query adapter fitted without it (benchmarks/fit_adapter.py --write), for
    the questions the shipped map was fitted on: what the answer model and fusion are fitted on
    must not be questions the map has already seen."""
    from retrieval.adapter import QueryAdapter

    path = FOLDS_FILE
    if not path.exists():
        print(f"note: no {path}: questions the query adapter was fitted on are mapped by it as it is "
              "(run python -m benchmarks.fit_adapter --write first)", file=sys.stderr)
        return {}
    with np.load(path) as data:
        if str(data["model_id"]) != model_id:
            return {}
        maps = [QueryAdapter(data["fold0"].astype(np.float32)), QueryAdapter(data["fold1"].astype(np.float32))]
        return {str(text): maps[int(fold)] for text, fold in zip(data["texts"], data["folds"])}


def with_kind(questions, kind: str) -> list:
    return [dataclasses.replace(q, kind=kind) for q in questions]


def phase_result(module: str, phase: str, *args: str, env: dict | None = None) -> dict:
    """Run one ``--phase`` of a benchmark in a process of its own (its memory figures are then
    its own) and return the JSON object it prints last."""
    cmd = [sys.executable, "-m", module, "--phase", phase, *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])
