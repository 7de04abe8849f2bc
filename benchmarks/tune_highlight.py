"""Tune how much the dense sentence similarity counts when choosing the highlight sentence,
and then how much the question's tokens' alignment with each sentence does (English questions,
whose passages are re-ranked by it: retrieval/align.py).

On XQuAD, for every question whose top passage is right: does the chosen sentence hold the
gold answer (in the passages' language: English questions are judged by the answer of the
same-id Vietnamese question)? Tuned on the first half of the documents, reported on both.

    python -m benchmarks.tune_highlight [--xquad ../shared/data/xquad] [--write]
"""

from __future__ import annotations

import json
import sys

from retrieval.evaluate import half_filter, read_passages, read_questions, with_answers_from
from retrieval.highlight import pick
from retrieval.text import fold
from retrieval.tuned import HIGHLIGHT, write_section

from .common import OUT, prepared, setup, with_kind, xquad_question_sets

WEIGHTS = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 1e6]


def cases(pipeline, items):
    """(lexical scores, dense scores, which sentences hold the answer) per right top passage."""
    out = []
    for q, plan, vec in items:
        ranking = pipeline.rank(plan, vec)
        row = ranking.rows[0]
        if pipeline.index.passages[row].id not in q.gold or not q.answer:
            continue
        sentences, lexical, dense, aligned = pipeline.sentence_evidence(ranking, row)
        if len(sentences.texts) <= 1:
            out.append(None)  # nothing to choose: the whole passage is the highlight
            continue
        out.append((lexical, dense, [fold(q.answer) in fold(s) for s in sentences.texts], aligned))
    return out


def share(data, weight: float, aligned_weight: float = 0.0) -> float:
    hits = sum(1 if case is None else case[2][pick(case[0], case[1], weight, case[3], aligned_weight)]
               for case in data)
    return hits / len(data) if data else 0.0


ALIGNED = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0]


def main(argv=None):
    args, settings, embedder = setup(argv, __doc__.splitlines()[0],
                                     "write the best weight on the first half into retrieval/data/tuned.json")
    passages = read_passages(args.xquad / "passages.jsonl")
    vietnamese = read_questions(args.xquad / "questions.jsonl")
    results, data_by_set = {}, {}
    print(f"{'set':<20}{'n':>6}" + "".join(f"{w:>8g}" for w in WEIGHTS) + f"   (now {HIGHLIGHT.dense_weight:g})")
    for name, questions in xquad_question_sets(args.xquad).items():
        questions = with_answers_from(questions, vietnamese)
        for half in ("first", "second"):
            ps, qs = half_filter(passages, questions, half)
            qs = with_kind(qs, name)
            data = data_by_set[f"{name}/{half}"] = cases(*prepared(ps, qs, embedder, settings))
            row = {w: share(data, w) for w in WEIGHTS}
            results[f"{name}/{half}"] = {"n": len(data), "by_weight": row}
            print(f"{name + '/' + half:<20}{len(data):>6}" + "".join(f"{v:>8.3f}" for v in row.values()), flush=True)
    # the best summed share on the first halves (the tuning data); then, at that dense weight,
    # the alignment's: the smallest with the best summed share
    best = max(WEIGHTS, key=lambda w: sum(r["by_weight"][w] for k, r in results.items() if k.endswith("/first")))
    print(f"\nat dense weight {best:g}, by the weight of alignment (now {HIGHLIGHT.aligned_weight:g}):")
    print(f"{'set':<20}{'n':>6}" + "".join(f"{w:>8g}" for w in ALIGNED))
    for key, data in data_by_set.items():
        row = results[key]["by_aligned"] = {w: share(data, best, w) for w in ALIGNED}
        print(f"{key:<20}{len(data):>6}" + "".join(f"{v:>8.3f}" for v in row.values()), flush=True)
    aligned = max(ALIGNED, key=lambda w: (sum(r["by_aligned"][w] for k, r in results.items() if k.endswith("/first")),
                                          -w))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tune_highlight.json").write_text(json.dumps(results, indent=2))
    if args.write:
        write_section("highlight", {"dense_weight": best, "bigram_weight": HIGHLIGHT.bigram_weight,
                                    "number_bonus": HIGHLIGHT.number_bonus, "aligned_weight": aligned})
        print(f"wrote dense_weight = {best:g}, aligned_weight = {aligned:g} into retrieval/data/tuned.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
