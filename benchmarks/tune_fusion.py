"""Tune the fusion weights per kind of question (dense, lexical, closest sentence).

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

import numpy as np

from bot.evaltable import half_filter, strip_questions
from retrieval.answer import Searcher
from retrieval.corpus import corpus_passages, load_corpus
from retrieval.evaluate import eval_index_dir, read_passages, read_questions
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


def setup(argv, description: str):
    """What every tuning script starts from: --xquad, the settings, the caching embedder."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--xquad", type=Path, default=XQUAD)
    args = ap.parse_args(argv)
    settings = load_settings()
    return args, settings, cached_embedder(settings)


def seed_questions(split: str) -> list:
    """Our seed questions of one split ("dev": tuned on, "test": only reported)."""
    path = ROOT / "eval" / "seed_questions.jsonl"
    splits = {json.loads(line)["id"]: json.loads(line)["split"] for line in path.open(encoding="utf-8")}
    return [q for q in read_questions(path) if splits[q.id] == split]


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


def gathered(searcher, items):
    """Per question: its gold mask and each signal over its candidates, as arrays.

    Fusion is linear in the signals, so a grid of weights re-ranks without the index."""
    out = []
    for q, kind, vec in items:
        c = searcher.gather(q.text, kind, vec)
        gold = np.array([searcher.index.passages[r].id in q.gold for r in c.rows])
        out.append((gold, np.array([c.dense_z, c.lexical, c.sentence_z, c.sentence_share], dtype=np.float64)))
    return out


def recall1_mrr(data, w: Weights) -> tuple[float, float]:
    weights = np.array([w.dense, w.lexical, w.sentence, w.sentence_words])
    hits = mrr = 0.0
    for gold, signals in data:
        order = np.argsort(-(weights @ signals), kind="stable")
        ranks = np.flatnonzero(gold[order])
        if len(ranks):
            hits += ranks[0] == 0
            mrr += 1.0 / (ranks[0] + 1) if ranks[0] < 10 else 0.0
    return hits / len(data), mrr / len(data)


# Fusion is scale-free (only the ratios of the weights order the candidates), so lexical
# stays 1 and the grid runs over the others: dense, sentence similarity, sentence words.
AXES = ([round(0.05 * i, 2) for i in range(21)], [round(0.05 * i, 2) for i in range(21)],
        [round(0.25 * i, 2) for i in range(9)])


def choose(sets: list) -> tuple[Weights, dict]:
    """The weights whose grid neighbourhood has the best mean summed Recall@1 over ``sets``.

    Each set counts as one, however many questions it has: the few seed questions weigh as much
    as half of XQuAD. A lone peak on the grid is luck on these questions (a handful of them
    decide it), a high plateau is not: so the neighbourhood's mean decides, then the point's own."""
    table = {}
    for d, s, w in itertools.product(*AXES):
        table[d, s, w] = sum(recall1_mrr(data, Weights(d, 1.0, s, w))[0] for data in sets if data)

    def neighbourhood(key):
        at = [axis.index(v) for axis, v in zip(AXES, key)]
        near = [table[tuple(axis[i + step] for axis, i, step in zip(AXES, at, steps))]
                for steps in itertools.product((-1, 0, 1), repeat=len(AXES))
                if all(0 <= i + step < len(axis) for axis, i, step in zip(AXES, at, steps))]
        return sum(near) / len(near)

    d, s, w = max(table, key=lambda key: (neighbourhood(key), table[key]))
    return Weights(d, 1.0, s, w), {"objective": table[d, s, w], "neighbourhood": neighbourhood((d, s, w))}


def main(argv=None):
    args, settings, embedder = setup(argv, __doc__.splitlines()[0])
    passages = read_passages(args.xquad / "passages.jsonl")
    seeds = corpus_passages(load_corpus(settings.seeds_dir))
    results = {}
    for name, questions in xquad_question_sets(args.xquad).items():
        data = {}
        for half in ("first", "second"):
            ps, qs = half_filter(passages, questions, half)
            data[half] = gathered(*prepared(ps, [dataclasses.replace(q, kind=name) for q in qs], embedder, settings))
        for split in ("dev", "test"):
            qs = [q for q in seed_questions(split) if q.gold and q.kind == name]
            data[split] = gathered(*prepared(seeds, qs, embedder, settings)) if qs else []
        chosen, how = choose([data["first"], data["dev"]])  # tuning sets only
        row = results[name] = {"chosen": dataclasses.asdict(chosen), **how}
        for part, part_data in data.items():
            if part_data:
                row[part] = {"n": len(part_data), "now": recall1_mrr(part_data, DEFAULT_WEIGHTS[Kind(name)])[0],
                             "chosen": recall1_mrr(part_data, chosen)[0]}
        print(name, json.dumps(row), flush=True)
    (OUT / "tune_fusion.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
