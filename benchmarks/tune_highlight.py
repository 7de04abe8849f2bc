"""Tune how much the dense sentence similarity counts when choosing the highlight sentence.

On XQuAD, for every question whose top passage is right: does the chosen sentence hold the
gold answer (in the passages' language: English questions are judged by the answer of the
same-id Vietnamese question)? Tuned on the first half of the documents, reported on both.

    python -m benchmarks.tune_highlight [--xquad ../shared/data/xquad]
"""

from __future__ import annotations

import dataclasses
import json
import sys

from bot.evaltable import half_filter, with_answers_from
from retrieval.evaluate import read_passages, read_questions
from retrieval.highlight import DENSE_WEIGHT, lexical_scores, pick
from retrieval.index import idf_weight
from retrieval.text import fold, sentences

from .tune_fusion import OUT, prepared, setup, xquad_question_sets

WEIGHTS = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 1e6]


def cases(searcher, items):
    """(lexical scores, dense scores, which sentences hold the answer) per right top passage."""
    index = searcher.index
    out = []
    for q, kind, vec in items:
        ranked = searcher.rank_with_vector(q.text, kind, vec)
        row = ranked.rows[0]
        if index.passages[row].id not in q.gold or not q.answer:
            continue
        parts = sentences(index.passages[row].text)
        if len(parts) <= 1:
            out.append(None)  # nothing to choose: the whole passage is the highlight
            continue
        match, dense = searcher.highlight_evidence(ranked, row)
        lexical = lexical_scores(q.text, parts, lambda t: idf_weight(index, t), match)
        holds = [fold(q.answer) in fold(s) for s in parts]
        out.append((lexical, dense, holds))
    return out


def share(data, weight: float) -> float:
    hits = sum(1 if case is None else case[2][pick(case[0], case[1], weight)] for case in data)
    return hits / len(data) if data else 0.0


def main(argv=None):
    args, settings, embedder = setup(argv, __doc__.splitlines()[0])
    passages = read_passages(args.xquad / "passages.jsonl")
    vietnamese = read_questions(args.xquad / "questions.jsonl")
    results = {}
    print(f"{'set':<20}{'n':>6}" + "".join(f"{w:>8g}" for w in WEIGHTS) + f"   (now {DENSE_WEIGHT:g})")
    for name, questions in xquad_question_sets(args.xquad).items():
        questions = with_answers_from(questions, vietnamese)
        for half in ("first", "second"):
            ps, qs = half_filter(passages, questions, half)
            qs = [dataclasses.replace(q, kind=name) for q in qs]
            data = cases(*prepared(ps, qs, embedder, settings))
            row = {w: share(data, w) for w in WEIGHTS}
            results[f"{name}/{half}"] = {"n": len(data), "by_weight": row}
            print(f"{name + '/' + half:<20}{len(data):>6}" + "".join(f"{v:>8.3f}" for v in row.values()), flush=True)
    (OUT / "tune_highlight.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
