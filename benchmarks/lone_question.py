"""A lone question through the micro-batcher against the same question without it.

    python -m benchmarks.lone_question [--rounds 3]

Both answer with the same index and pipeline; only the query embedding differs: one direct
model call, or the shipped path (``Engine.ask``: ``QueryBatcher``, which must not make a lone
question wait). Interleaved question by question (ABAB), so machine noise falls on both
alike. Prints p50 of each and the difference; writes benchmarks/out/lone_question.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from retrieval.engine import open_engine
from retrieval.pipeline import Pipeline
from retrieval.settings import load_settings

from .common import OUT, seed_questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the seed questions")
    args = parser.parse_args()
    settings = load_settings()
    engine = open_engine(settings)
    direct = Pipeline.from_settings(engine.index, engine.embedder, settings)  # one model call a question
    questions = [q.text for q in seed_questions("dev") + seed_questions("test")]
    for q in questions[:5]:  # warm-up: the first calls allocate
        engine.ask(q), direct.answer(q, settings.top_k)
    times = {"direct": [], "batcher": []}
    for _ in range(args.rounds):
        for q in questions:
            t = time.perf_counter()
            direct.answer(q, settings.top_k)
            times["direct"].append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.ask(q)
            times["batcher"].append(time.perf_counter() - t)
    result = {name: round(statistics.median(v) * 1000, 2) for name, v in times.items()}
    result["difference_ms"] = round(result["batcher"] - result["direct"], 2)
    result["questions"] = len(times["direct"])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "lone_question.json").write_text(json.dumps(result, indent=2))
    print(f"p50 direct {result['direct']} ms, through the batcher {result['batcher']} ms: "
          f"{result['difference_ms']:+} ms over {result['questions']} questions")


if __name__ == "__main__":
    main()
