"""Warm query latency by stage, against the floor (one e5 query embedding) and a naive peer.

    python -m benchmarks.latency [--questions 100] [--xquad ../shared/data/xquad]

For each question, in one process and interleaved so that noise hits all three alike:
  floor  one e5 query embedding (the model call every answer needs)
  ours   Pipeline.answer + the JSON the CLI prints, timed per stage
  peer   what a user would write: rank-bm25 over lower-cased words, the same e5 model,
         numpy brute force over the same passage vectors, 50/50 min-max fusion
on the seed articles (all seed questions) and on XQuAD (a sample of its Vietnamese
questions, and the same questions in English: English questions are re-ranked by their tokens'
alignment, retrieval/align.py, which reads a passage's token states the first time it is among
a question's best: measured as a server runs, every passage read at its start, and as the
first questions after a start without that meet it). Prints tables and writes
benchmarks/out/latency.json.
Needs the bench extra: pip install -e .[bench]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from retrieval.engine import open_engine
from retrieval.evaluate import read_passages, read_questions
from retrieval.pipeline import Pipeline
from retrieval.settings import ROOT, load_settings
from retrieval.timing import Stages

from .common import OUT, XQUAD, pipeline_over
STAGES = ("normalise", "embed", "lexical", "dense", "fuse", "align", "format")


class NaivePeer:
    def __init__(self, model, texts: list[str], vectors: np.ndarray):
        from rank_bm25 import BM25Okapi

        self.model = model
        self.texts = texts
        self.vectors = np.asarray(vectors)
        self.bm25 = BM25Okapi([t.lower().split() for t in texts])

    def ask(self, question: str, k: int = 3) -> list[str]:
        q = self.model.encode("query: " + question, normalize_embeddings=True)
        dense = self.vectors @ q
        lexical = self.bm25.get_scores(question.lower().split())
        fused = 0.5 * _minmax(dense) + 0.5 * _minmax(lexical)
        return [self.texts[i] for i in np.argsort(-fused)[:k]]


def _minmax(x: np.ndarray) -> np.ndarray:
    span = x.max() - x.min()
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def run(name: str, answerer: Pipeline, embedder, questions: list[str], k: int) -> dict:
    index = answerer.index
    vectors = index.dense.passage_vectors(range(len(index)))
    peer = NaivePeer(embedder.model, [p.text for p in index.passages], vectors)
    for q in questions[:3]:  # warm-up: first calls allocate
        answerer.answer(q, k), peer.ask(q, k), embedder.embed_queries([q])
    floor, ours, peers, stages = [], [], [], {s: [] for s in STAGES}
    for q in questions:
        t = time.perf_counter()
        embedder.embed_queries([q])
        floor.append(time.perf_counter() - t)

        st = Stages()
        t = time.perf_counter()
        answer = answerer.answer(q, k, stages=st)
        with st("format"):
            json.dumps(answer.to_json(), ensure_ascii=False)
        ours.append(time.perf_counter() - t)
        for s in STAGES:
            stages[s].append(st.seconds.get(s, 0.0))

        t = time.perf_counter()
        peer.ask(q, k)
        peers.append(time.perf_counter() - t)
    ms = lambda xs, p: float(np.percentile(np.array(xs) * 1000, p))  # noqa: E731
    return {
        "set": name, "passages": len(index), "questions": len(questions),
        "floor_p50_ms": ms(floor, 50), "floor_p95_ms": ms(floor, 95),
        "ours_p50_ms": ms(ours, 50), "ours_p95_ms": ms(ours, 95),
        "peer_p50_ms": ms(peers, 50), "peer_p95_ms": ms(peers, 95),
        "ours_vs_floor_p50": ms(ours, 50) / ms(floor, 50),
        "ours_vs_peer_mean": float(np.sum(ours) / np.sum(peers)),
        "stages": {s: {"p50_ms": ms(v, 50), "p95_ms": ms(v, 95)} for s, v in stages.items()},
    }


def print_result(r: dict) -> None:
    print(f"\n{r['set']}: {r['passages']} passages, {r['questions']} questions")
    print(f"  {'':<22} {'p50 ms':>8} {'p95 ms':>8}")
    for s, v in r["stages"].items():
        print(f"  stage {s:<16} {v['p50_ms']:8.2f} {v['p95_ms']:8.2f}")
    print(f"  {'ours (total)':<22} {r['ours_p50_ms']:8.2f} {r['ours_p95_ms']:8.2f}")
    print(f"  {'floor: 1 e5 embedding':<22} {r['floor_p50_ms']:8.2f} {r['floor_p95_ms']:8.2f}")
    print(f"  {'naive peer':<22} {r['peer_p50_ms']:8.2f} {r['peer_p95_ms']:8.2f}")
    print(f"  ours p50 / floor p50 = {r['ours_vs_floor_p50']:.2f}x (goal <= 1.5x); "
          f"ours / peer per question (mean) = {r['ours_vs_peer_mean']:.2f}x (goal <= 1.0x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100, help="XQuAD questions sampled")
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    parser.add_argument("-k", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    engine = open_engine(settings)
    embedder = engine.embedder
    seeds = [json.loads(line)["question"] for line in open(ROOT / "eval" / "seed_questions.jsonl", encoding="utf-8")]
    engine.pipeline.prime_alignment()  # as the Telegram bot does at its start (Engine.warm_up)
    results = [run("seed articles", engine.pipeline, embedder, seeds, args.k)]

    passages = read_passages(args.xquad / "passages.jsonl")
    xquad = pipeline_over(passages, embedder, settings)
    xquad.prime_alignment()
    sample = lambda file: random.Random(0).sample([q.text for q in read_questions(args.xquad / file)],  # noqa: E731
                                                 args.questions)
    results.append(run("XQuAD (vi)", xquad, embedder, sample("questions.jsonl"), args.k))
    results.append(run("XQuAD (en)", xquad, embedder, sample("questions.en.jsonl"), args.k))
    cold = pipeline_over(passages, embedder, settings)  # its passages' token states read as they come
    results.append(run("XQuAD (en), not primed", cold, embedder, sample("questions.en.jsonl"), args.k))
    for r in results:
        print_result(r)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latency.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
