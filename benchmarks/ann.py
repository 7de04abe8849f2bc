"""Choose and tune the approximate dense index by measurement.

For a synthetic corpus of N vectors (benchmarks/synthetic.py) and real XQuAD question
vectors, compares exact search with IVF-SQ8 (what retrieval/store/faiss_dense.py builds above
exact_search_limit) at several nprobe values, and optionally HNSW. Each candidate list
(`candidates` long, as in the product) is re-scored exactly, as the product does; recall@10
is against exact search over the same vectors.

    python -m benchmarks.ann [--n 1000000] [--queries 200] [--hnsw]

Prints a table and writes benchmarks/out/ann-<N>.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from retrieval.store.faiss_dense import build_faiss, faiss_module

from .synthetic import real_vectors, synthetic_vectors
from .common import OUT, XQUAD



def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int, chunk: int = 200_000) -> np.ndarray:
    best_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(vectors), chunk):
        sims = queries @ vectors[start : start + chunk].T
        s = np.concatenate([best_s, sims], axis=1)
        i = np.concatenate([best_i, np.arange(start, start + sims.shape[1])[None, :].repeat(len(queries), 0)], axis=1)
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(s, top, 1), np.take_along_axis(i, top, 1)
    return best_i


def measure(search, vectors, queries, truth, candidates: int, k: int = 10) -> dict:
    times, recalls = [], []
    for q, true in zip(queries, truth):
        t = time.perf_counter()
        _, rows = search(q[None, :], candidates)
        rows = rows[0][rows[0] >= 0]
        exact = vectors[rows] @ q  # the product re-scores candidates from vectors.npy
        top = rows[np.argsort(-exact)[:k]]
        times.append(time.perf_counter() - t)
        recalls.append(len(set(top.tolist()) & set(true.tolist())) / k)
    ms = np.array(times) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "recall_at_10": float(np.mean(recalls))}


def faiss_bytes(index) -> int:
    return int(faiss_module().serialize_index(index).nbytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--exact-queries", type=int, default=10)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--nprobe", type=int, nargs="*", default=[8, 16, 32, 64, 128])
    parser.add_argument("--hnsw", action="store_true", help="also build HNSW32-SQ8 (slow to build)")
    args = parser.parse_args()
    faiss = faiss_module()

    base, _, questions = real_vectors(args.xquad)
    vectors = synthetic_vectors(base, args.n)
    queries = questions[np.random.default_rng(1).choice(len(questions), args.queries, replace=False)]
    truth = exact_top(vectors, queries, 10)
    rows = []

    # FAISS's flat scan is slow on these machines (~5 us a vector), so it is timed on a few queries.
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    few = slice(0, args.exact_queries)
    rows.append({"index": "exact (flat)", "build_s": 0.0, "bytes": faiss_bytes(flat),
                 **measure(flat.search, vectors, queries[few], truth[few], args.candidates)})
    del flat

    t = time.perf_counter()
    ivf = build_faiss(vectors, exact_limit=0)
    build = time.perf_counter() - t
    size = faiss_bytes(ivf)
    for nprobe in args.nprobe:
        ivf.nprobe = nprobe
        rows.append({"index": f"ivf{ivf.nlist}-sq8 nprobe={nprobe}", "build_s": build, "bytes": size,
                     **measure(ivf.search, vectors, queries, truth, args.candidates)})
    del ivf

    if args.hnsw:
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWSQ(vectors.shape[1], faiss.ScalarQuantizer.QT_8bit, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 40
        hnsw.train(vectors[:100_000])
        hnsw.add(vectors)
        build = time.perf_counter() - t
        size = faiss_bytes(hnsw)
        for ef in (32, 64, 128, 256):
            hnsw.hnsw.efSearch = ef
            rows.append({"index": f"hnsw32-sq8 ef={ef}", "build_s": build, "bytes": size,
                         **measure(hnsw.search, vectors, queries, truth, args.candidates)})

    print(f"{args.n:,} vectors, {args.queries} queries, {args.candidates} candidates re-scored exactly")
    print(f"{'index':<28} {'build s':>8} {'MB':>7} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9}")
    for r in rows:
        print(f"{r['index']:<28} {r['build_s']:8.1f} {r['bytes'] / 2**20:7.0f} {r['p50_ms']:7.2f} "
              f"{r['p95_ms']:7.2f} {r['recall_at_10']:9.3f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"ann-{args.n}.json").write_text(json.dumps({"n": args.n, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
