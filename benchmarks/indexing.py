"""Indexing throughput against raw SentenceTransformer.encode, and re-indexing an unchanged corpus.

    python -m benchmarks.indexing [--xquad ../shared/data/xquad] [--repeats 2] [--limit N]

Throughput: the XQuAD paragraphs embedded by a bare `model.encode(texts)` (the way a user
would call it) and indexed from scratch by build_index (embedding + FAISS + BM25 + SQLite),
alternated. build_index embeds each paragraph's sentences as well (when it has more than one),
so it does more model work than the raw encode it is measured against. Re-index: `busan-bot index` on the unchanged seed corpus as a process, and the
check it makes in process. Prints a table and writes benchmarks/out/indexing.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retrieval.corpus import corpus_passages, load_corpus
from retrieval.evaluate import read_passages
from retrieval.engine import make_embedder
from retrieval.store.files import build_index
from retrieval.store.manifest import up_to_date
from retrieval.settings import ROOT, load_settings

from .coldstart import busan_bot
from .common import OUT, XQUAD



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad", type=Path, default=XQUAD)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--limit", type=int, help="only the first N paragraphs")
    args = parser.parse_args()
    settings = load_settings()
    embedder = make_embedder(settings)
    passages = read_passages(args.xquad / "passages.jsonl")[: args.limit]
    texts = ["passage: " + p.text for p in passages]
    embedder.model.encode(texts[:8])  # warm-up
    raw, ours = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        embedder.model.encode(texts)
        raw.append(len(texts) / (time.perf_counter() - start))
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            build_index(Path(tmp), passages, embedder, reuse=False)
            ours.append(len(texts) / (time.perf_counter() - start))
        print(f"raw encode {raw[-1]:.1f} paragraphs/s, build_index {ours[-1]:.1f} paragraphs/s", file=sys.stderr)

    subprocess.run(busan_bot() + ["index"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    cli = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(busan_bot() + ["index"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        cli.append(time.perf_counter() - start)
    seeds = corpus_passages(load_corpus(settings.seeds_dir))
    start = time.perf_counter()
    assert up_to_date(settings.index_dir, seeds, embedder.model_id)
    check = time.perf_counter() - start
    python = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python.append(time.perf_counter() - start)

    result = {"paragraphs": len(texts), "raw_per_s": statistics.median(raw), "ours_per_s": statistics.median(ours),
              "ratio": statistics.median(ours) / statistics.median(raw), "reindex_cli_s": cli,
              "reindex_check_s": check, "python_startup_s": statistics.median(python)}
    print(f"{'indexing (' + str(len(texts)) + ' XQuAD paragraphs)':<40} {'paragraphs/s':>12}")
    print(f"{'raw SentenceTransformer.encode':<40} {result['raw_per_s']:12.1f}")
    print(f"{'busan-bot build_index (from scratch)':<40} {result['ours_per_s']:12.1f}")
    print(f"throughput ratio: {result['ratio']:.2f}x (goal >= 0.9x)")
    print(f"re-index unchanged: `busan-bot index` process {statistics.median(cli):.2f} s "
          f"(runs {', '.join(f'{x:.2f}' for x in cli)}); the up-to-date check itself {check * 1000:.1f} ms; "
          f"bare `python -c pass` {result['python_startup_s']:.2f} s (goal <= 1 s)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "indexing.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
