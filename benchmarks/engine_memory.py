"""What a serving process holds at scale: the engine opened over an articles folder of N
paragraphs whose index is built and up to date, as `busan-bot chat` / `telegram` open it.

    python -m benchmarks.engine_memory [--sizes 100000] [--per-article 50]

`benchmarks.scale` measures the index and pipeline alone; this adds what the engine keeps
beside them (the articles it lists). The articles are XQuAD paragraphs resampled as in
`benchmarks.scale`, written as .txt files of ``--per-article`` paragraphs; the vectors are
synthetic (a model would take hours). The build runs in one process, the opening in another,
so the figure is the opening process's own: resident memory after opening (anonymous, i.e.
its objects, and mapped index files), and its peak; and the building process's peak (the
first start: the articles read and the index built). Writes benchmarks/out/engine_memory.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import time
from pathlib import Path

from retrieval.settings import load_settings

from .common import OUT, XQUAD, phase_result
from .scale import Precomputed, more_vectors, peak_mb, reset_peak, resident_mb

WORK = OUT / "engine-memory"


def write_articles(folder: Path, n: int, per_article: int, xquad: Path) -> None:
    from .synthetic import read_paragraphs, synthetic_passages

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    passages = synthetic_passages(read_paragraphs(xquad), n)
    for a in range(0, n, per_article):
        body = "\n\n".join(p.text for p in passages[a : a + per_article])
        (folder / f"a{a // per_article:06d}.txt").write_text(f"Bài viết tổng hợp {a // per_article}\n\n{body}\n",
                                                           encoding="utf-8")


def embedder(xquad: Path) -> Precomputed:
    """Every text a synthetic vector near a real e5 vector (no model is loaded)."""
    from .synthetic import real_vectors

    base, _, _ = real_vectors(xquad)
    return Precomputed([], Path("/nonexistent"), more_vectors(base))


def settings_for(n: int):
    return load_settings(seeds_dir=str(WORK / f"{n}-articles"), index_dir=str(WORK / f"{n}-index"))


def build(n: int, per_article: int, xquad: Path) -> dict:
    from retrieval.engine import open_engine

    settings = settings_for(n)
    write_articles(settings.seeds_dir, n, per_article, xquad)
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    emb = embedder(xquad)
    gc.collect()
    reset_peak()
    start = time.perf_counter()
    engine = open_engine(settings, embedder=emb)  # reads the articles folder and builds, as a first start does
    return {"n": n, "articles": len(engine.articles), "build_s": time.perf_counter() - start,
            "build_peak_mb": peak_mb()}


def serve(n: int, xquad: Path) -> dict:
    from retrieval.engine import open_engine

    settings = settings_for(n)
    emb = embedder(xquad)  # only its model id is asked for: the index is up to date
    gc.collect()
    before = resident_mb()
    start = time.perf_counter()
    engine = open_engine(settings, embedder=emb)
    seconds = time.perf_counter() - start
    assert engine.report is None, "the index was rebuilt: it should have been up to date"
    gc.collect()
    after = resident_mb()
    return {"open_s": seconds, "own_mb": after["RssAnon"], "opened_mb": after["RssAnon"] - before["RssAnon"],
            "files_mb": after["RssFile"], "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--per-article", type=int, default=50)
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    parser.add_argument("--phase", choices=["build", "serve"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        n = args.sizes[0]
        result = build(n, args.per_article, args.xquad) if args.phase == "build" else serve(n, args.xquad)
        print(json.dumps(result))
        return
    results = []
    for n in args.sizes:
        row = {}
        for phase in ("build", "serve"):
            row.update(phase_result("benchmarks.engine_memory", phase, "--sizes", str(n),
                                    "--per-article", str(args.per_article), "--xquad", str(args.xquad)))
        results.append(row)
        print(f"{n:>9,} paragraphs in {row['articles']:,} articles: engine opened in {row['open_s']:.1f} s, "
              f"its own memory {row['own_mb']:.0f} MB ({row['opened_mb']:.0f} MB of it opening the engine; "
              f"+{row['files_mb']:.0f} MB mapped files), peak {row['peak_mb']:.0f} MB; the first start, "
              f"reading the articles and building, peaked at {row['build_peak_mb']:.0f} MB")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "engine_memory.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
