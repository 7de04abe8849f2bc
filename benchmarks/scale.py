"""Scale: build time, query p95, recall@10 against exact search and memory at 10k-1M passages.

    python -m benchmarks.scale [--sizes 10000 100000 1000000] [--queries 200]

Texts are real XQuAD paragraphs resampled; vectors are synthetic (benchmarks/synthetic.py)
because embedding a million paragraphs would take ~14 h here. Up to --full-max passages (all
three sizes by default) the whole index is built by retrieval.store.files.build_index (FAISS,
BM25, SQLite, stats) from a corpus held in memory, as the loader gives one, and the synthetic
vectors read from a scratch file; a query is the whole retrieval after the embedding
(Pipeline.rank). Above it only the dense side is built (FAISS + vectors.npy + stats).

Each size is built, then queried, in a process of its own. Memory is the process's peak
resident set (VmHWM), the build's counted from just before it starts ("before": what the
corpus and the imports already hold then; the preparation of the synthetic data is not the
build's); a query process's own (anonymous) memory and the pages of the memory-mapped files it
read are printed apart. Prints a table, writes benchmarks/out/scale.json and a PNG (--png).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from retrieval.settings import ROOT, load_settings
from retrieval.store.streamed import read_range

from .ann import exact_top
from .common import OUT, XQUAD, phase_result

WORK = OUT / "scale"
# Questions answered before the timed ones, as benchmarks.scale_postgres does: a server's first
# questions after it starts fault in the index's memory-mapped pages, which later ones find resident.
WARM_UP = 20


def resident_mb() -> dict[str, float]:
    """The process's resident memory now, apart: its own (anonymous) and pages of the files it
    maps (vectors, postings: the kernel maps whole cached blocks around each row read, and gives
    them back under memory pressure), from /proc/self/status."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def peak_mb() -> float:
    """The process's peak resident memory since it started or since ``reset_peak``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Start ``peak_mb`` afresh (Linux: /proc/self/clear_refs), so a build's peak is its own,
    not the benchmark's preparation of the corpus and vectors."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class Precomputed:
    """Hands a build the synthetic vectors: each passage text its own (found by its hash, read
    from ``path``, a float32 .npy, not held in memory: a build asks for its passages a chunk at
    a time, in order), and any other text (a sentence of a passage) a further synthetic vector.
    The passages' texts are not kept (at 1M they would be the 2.3 GB the loader no longer holds):
    only their hashes, 16 bytes a passage; two texts alike in a 64-bit hash are not expected."""

    model_id = "synthetic"
    dim = 384

    def __init__(self, texts, path: Path, more):
        hashes = np.fromiter((hash(t) for t in texts), np.int64, len(texts))
        self.order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[self.order]
        self.path = path
        self.more = more  # m -> m further synthetic vectors

    def _rows(self, texts) -> list[int | None]:
        wanted = np.fromiter((hash(t) for t in texts), np.int64, len(texts))
        at = np.searchsorted(self.hashes, wanted).clip(0, max(len(self.hashes) - 1, 0))
        found = (self.hashes[at] == wanted) if len(self.hashes) else np.zeros(len(texts), bool)
        return [int(self.order[a]) if f else None for a, f in zip(at, found)]

    def embed_passages(self, texts, progress=False):
        out = np.empty((len(texts), self.dim), np.float32)
        known = list(enumerate(self._rows(texts)))
        found = [(k, r) for k, r in known if r is not None]
        if found:
            lo, hi = min(r for _, r in found), max(r for _, r in found) + 1
            block = read_range(self.path, lo, hi)
            for k, r in found:
                out[k] = block[r - lo]
        others = [k for k, r in known if r is None]
        if others:
            out[others] = self.more(len(others))
        return out

    def embed_queries(self, texts):  # pragma: no cover - queries come with their vectors
        raise NotImplementedError


def synthetic_embedder(base: np.ndarray, passages, path: Path) -> Precomputed:
    """The passages' synthetic vectors written to ``path`` (a build reads them from there)."""
    from retrieval.packed import Texts
    from retrieval.store.streamed import npy_header

    from .synthetic import synthetic_chunks

    with open(path, "wb") as fh:
        npy_header(fh, np.float32, (len(passages), 384))
        for block in synthetic_chunks(base, len(passages)):
            fh.write(block.tobytes())
    return Precomputed(Texts(passages), path, more_vectors(base))


def build(n: int, full_max: int, xquad: Path) -> dict:
    from retrieval.store.faiss_dense import build_faiss, faiss_module
    from retrieval.store.files import build_index
    from retrieval.store.vectors import DenseStats

    from .synthetic import read_paragraphs, real_vectors, synthetic_passages, synthetic_vectors

    base, _, _ = real_vectors(xquad)
    WORK.mkdir(parents=True, exist_ok=True)  # a fresh clone has no output folder yet
    folder = WORK / str(n)
    shutil.rmtree(folder, ignore_errors=True)
    settings = load_settings()
    start = time.perf_counter()
    if n <= full_max:
        passages = synthetic_passages(read_paragraphs(xquad), n)
        embedder = synthetic_embedder(base, passages, WORK / f"{n}-vectors.npy")
        reset_peak()
        before_mb = peak_mb()  # the corpus as the loader gives it and the imports, resident before the build
        prepared = time.perf_counter()
        build_index(folder, passages, embedder, reuse=False, exact_limit=settings.exact_search_limit)
        embedder.path.unlink()
        kind = "full"
    else:
        vectors = synthetic_vectors(base, n)
        prepared, before_mb = start, 0.0
        folder.mkdir(parents=True)
        np.save(folder / "vectors.npy", vectors)
        DenseStats.of(vectors).save(folder)
        faiss_module().write_index(build_faiss(vectors, settings.exact_search_limit), str(folder / "dense.faiss"))
        kind = "dense only"
    result = {"n": n, "kind": kind, "build_s": time.perf_counter() - prepared, "build_peak_mb": peak_mb(),
              "before_build_mb": before_mb}
    (folder / "build.json").write_text(json.dumps(result))
    return result


def more_vectors(base: np.ndarray):
    """m -> m more synthetic vectors, a new stream on each call (a build asks chunk by chunk)."""
    from .synthetic import synthetic_vectors

    calls = iter(range(1, 1 << 30))
    # made 10k at a time: the fake model's own working memory stays small beside the build's
    return lambda m: synthetic_vectors(base, m, seed=next(calls), chunk=10_000)


def query(n: int, queries: int, xquad: Path) -> dict:
    from retrieval.pipeline import Pipeline
    from retrieval.store.faiss_dense import faiss_module, search_kind
    from retrieval.store.files import open_index
    from retrieval.store.manifest import CURRENT
    from retrieval.store.vectors import DenseStats

    from .synthetic import real_vectors

    _, texts, qvecs = real_vectors(xquad)
    pick = np.random.default_rng(1).choice(len(texts), queries + WARM_UP, replace=False)
    texts, qvecs = [texts[i] for i in pick], qvecs[pick]
    warm_texts, warm_vecs = texts[:WARM_UP], qvecs[:WARM_UP]
    texts, qvecs = texts[WARM_UP:], qvecs[WARM_UP:]
    folder = WORK / str(n)
    settings = load_settings()
    before = peak_mb()
    if (folder / CURRENT).exists():
        index = open_index(folder)
        pipeline = Pipeline(index, embed_query=None, candidates=settings.candidates)
        run = lambda text, vec: pipeline.rank(pipeline.planner.plan(text), vec).rows  # noqa: E731
        # the FAISS backend's own parts: this benchmark measures that backend
        vectors, faiss_index, search = index.dense.vectors, index.dense.faiss_index, index.manifest.search
    else:
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        faiss_index = faiss_module().read_index(str(folder / "dense.faiss"))
        stats = DenseStats.load(folder)

        def run(text, vec):
            stats.of_query(vec)
            return _dense_rows(faiss_index, vectors, vec, settings.candidates)

        search = search_kind(faiss_index)
    for text, vec in zip(warm_texts, warm_vecs):  # not timed: other questions than those timed
        run(text, vec)
    times, dense_times, found = [], [], []
    for text, vec in zip(texts, qvecs):
        t = time.perf_counter()
        run(text, vec)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows = [r for r, _ in sorted(zip(*_dense_rows(faiss_index, vectors, vec, settings.candidates)),
                                     key=lambda x: -x[1])][:10]
        dense_times.append(time.perf_counter() - t)
        found.append(set(rows))
    serving_mb = peak_mb()
    resident = resident_mb()
    # The benchmark's own exact search pages in every vector: it comes after the memory reading.
    truth = exact_top(np.asarray(vectors), qvecs, 10)
    recalls = [len(f & set(t.tolist())) / 10 for f, t in zip(found, truth)]
    ms = np.array(times) * 1000
    return {"n": n, "search": search, "query_p50_ms": float(np.percentile(ms, 50)),
            "query_p95_ms": float(np.percentile(ms, 95)),
            "dense_p95_ms": float(np.percentile(np.array(dense_times) * 1000, 95)),
            "recall_at_10": float(np.mean(recalls)), "process_mb_before_load": before,
            "query_peak_mb": serving_mb, "query_anon_mb": resident.get("RssAnon", 0.0),
            "query_file_mb": resident.get("RssFile", 0.0)}


def _dense_rows(faiss_index, vectors, vec, candidates):
    """The dense side as the product runs it: FAISS candidates, re-scored exactly."""
    _, rows = faiss_index.search(np.asarray(vec, dtype=np.float32)[None, :], candidates)
    rows = rows[0][rows[0] >= 0]
    return rows.tolist(), (np.asarray(vectors[rows]) @ vec).tolist()


def plot(results: list[dict], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["n"] for r in results]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6))
    a.plot(ns, [r["query_p95_ms"] for r in results], "o-", label="retrieval p95 (no embedding)")
    a.plot(ns, [r["query_p50_ms"] for r in results], "o:", label="retrieval p50")
    a.plot(ns, [r["dense_p95_ms"] for r in results], "s--", label="dense search p95")
    a.axhline(50, color="grey", lw=0.8, ls=":")
    a.set(xscale="log", yscale="log", xlabel="passages (1M: dense side only)", ylabel="ms", title="Query latency")
    a.legend(fontsize=8)
    b.plot(ns, [r["query_peak_mb"] for r in results], "o-", label="query process peak")
    b.plot(ns, [r["build_peak_mb"] for r in results], "s--", label="build process peak")
    b.axhline(2048, color="grey", lw=0.8, ls=":")
    b.set(xscale="log", xlabel="passages (1M: dense side only)", ylabel="MB", title="Memory (peak RSS)")
    b.legend(fontsize=8)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--full-max", type=int, default=1_000_000, help="largest size built with BM25 too")
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "performance.png")
    parser.add_argument("--phase", choices=["build", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--query-only", action="store_true", help="reuse the indexes of an earlier run")
    parser.add_argument("--plot-only", action="store_true", help="redraw the PNG from benchmarks/out/scale.json")
    args = parser.parse_args()
    if args.phase:  # one size, one phase: run by the parent in a process of its own
        n = args.sizes[0]
        result = build(n, args.full_max, args.xquad) if args.phase == "build" else query(n, args.queries, args.xquad)
        print(json.dumps(result))
        return
    if args.plot_only:
        plot(json.loads((OUT / "scale.json").read_text()), args.png)
        return
    results = []
    for n in args.sizes:
        row = json.loads((WORK / str(n) / "build.json").read_text()) if args.query_only else {}
        for phase in ("query",) if args.query_only else ("build", "query"):
            row.update(phase_result("benchmarks.scale", phase, "--sizes", str(n), "--queries", str(args.queries),
                                    "--full-max", str(args.full_max), "--xquad", str(args.xquad)))
        results.append(row)
        print(f"{n:>9,} done: {row}", file=sys.stderr)
    print(f"{'passages':>10} {'index':<10} {'search':<24} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'dense p95':>9} {'recall@10':>9} {'query MB':>8} {'own':>6} {'files':>6} {'build MB':>8} {'before':>6}")
    for r in results:
        print(f"{r['n']:>10,} {r['kind']:<10} {r['search']:<24} {r['build_s']:8.1f} {r['query_p50_ms']:7.1f} "
              f"{r['query_p95_ms']:7.1f} {r['dense_p95_ms']:9.1f} {r['recall_at_10']:9.3f} "
              f"{r['query_peak_mb']:8.0f} {r.get('query_anon_mb', 0):6.0f} {r.get('query_file_mb', 0):6.0f} "
              f"{r['build_peak_mb']:8.0f} {r.get('before_build_mb', 0):6.0f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scale.json").write_text(json.dumps(results, indent=2))
    plot(results, args.png)
    print(f"plot: {args.png}")


if __name__ == "__main__":
    main()
