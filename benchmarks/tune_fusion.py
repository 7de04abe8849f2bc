"""Tune fusion weights and the answer/no-answer calibration per kind of question.

Tuning data: the FIRST half of XQuAD (by doc_id) in Vietnamese, Vietnamese with the
diacritics stripped, and English, plus the seed questions marked "dev". The second half
and the seed "test" questions are only reported, never tuned on.

    python -m benchmarks.tune_fusion [--xquad ../shared/data/xquad]

Vectors are cached in benchmarks/out/embeddings.sqlite3, so only the first run is slow.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
from pathlib import Path

from bot.evaltable import half_filter, strip_questions
from retrieval.answer import Searcher
from retrieval.corpus import corpus_passages, load_corpus
from retrieval.evaluate import eval_index_dir, read_passages, read_questions, score_rankings
from retrieval.fusion import DEFAULT_WEIGHTS, Weights
from retrieval.index import build_index
from retrieval.settings import ROOT, load_settings
from retrieval.text import Kind

from .embedding_cache import CachedEmbedder

OUT = ROOT / "benchmarks" / "out"
XQUAD = ROOT.parent / "shared" / "data" / "xquad"


def xquad_question_sets(xquad: Path) -> dict:
    """XQuAD's questions as asked: Vietnamese, English, and Vietnamese without diacritics."""
    sets = {"vi": read_questions(xquad / "questions.jsonl"), "en": read_questions(xquad / "questions.en.jsonl")}
    sets["vi_plain"] = strip_questions(sets["vi"])
    return sets


def cached_embedder(settings):
    from retrieval.embedder import resolve_model
    from retrieval.service import make_embedder

    source = resolve_model(settings.model, settings.model_cache_dir, settings.allow_download)
    return CachedEmbedder(lambda: make_embedder(settings), source.model_id, OUT / "embeddings.sqlite3")


def prepared(passages, questions, embedder, settings, kind_override=None):
    """Per question: the searcher-ready vector, so grid search re-ranks without the model."""
    index, _ = build_index(eval_index_dir(settings.cache_dir, passages), passages, embedder)
    searcher = Searcher(index, lambda t: embedder.embed_queries([t])[0])
    from retrieval.text import question_kind

    kinds = [kind_override or (Kind(q.kind) if q.kind in Kind._value2member_map_ else question_kind(q.text))
             for q in questions]
    vectors = embedder.embed_queries([searcher.dense_text(q.text, k) for q, k in zip(questions, kinds)])
    return searcher, list(zip(questions, kinds, vectors))


def recall1(searcher, items, weights):
    searcher.weights = weights
    pairs = []
    for q, kind, vec in items:
        ranked = searcher.rank_with_vector(q.text, kind, vec)
        pairs.append((q.gold, [searcher.index.passages[r].id for r in ranked.rows]))
    return score_rankings(pairs).recall[1]


def grid(searcher, items, kind):
    best = None
    for d, l in itertools.product([0.0, 0.3, 0.6, 1.0], [0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]):
        if d == 0 and l == 0:
            continue
        w = dict(DEFAULT_WEIGHTS)
        w[kind] = Weights(d, l)
        r = recall1(searcher, items, w)
        if best is None or r > best[0]:
            best = (r, d, l)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--xquad", type=Path, default=XQUAD)
    args = ap.parse_args(argv)
    settings = load_settings()
    embedder = cached_embedder(settings)
    passages = read_passages(args.xquad / "passages.jsonl")
    results = {}
    for name, questions in xquad_question_sets(args.xquad).items():
        for half in ("first", "second"):
            ps, qs = half_filter(passages, questions, half)
            qs = [dataclasses.replace(q, kind=name) for q in qs]
            searcher, items = prepared(ps, qs, embedder, settings)
            kind = Kind(name)
            default = recall1(searcher, items, dict(DEFAULT_WEIGHTS))
            results[f"{name}/{half}"] = {"default": default}
            if half == "first":
                results[f"{name}/{half}"]["best"] = grid(searcher, items, kind)
            print(name, half, results[f"{name}/{half}"], flush=True)
    seeds = corpus_passages(load_corpus(settings.seeds_dir))
    seed_q = [q for q in read_questions(ROOT / "eval" / "seed_questions.jsonl") if q.gold]
    for kind in ("vi", "vi_plain", "en", "ko"):
        qs = [q for q in seed_q if q.kind == kind]
        searcher, items = prepared(seeds, qs, embedder, settings)
        results[f"seeds/{kind}"] = {"default": recall1(searcher, items, dict(DEFAULT_WEIGHTS)),
                                    "best": grid(searcher, items, Kind(kind))}
        print("seeds", kind, results[f"seeds/{kind}"], flush=True)
    (OUT / "tune_fusion.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
