"""How well the bot understands, on every question set we have, in one table.

    python -m benchmarks.understanding [--xquad ../shared/data/xquad] [--no-xquad]

Sets: the question sets over the seed articles (ours, the field questions other people wrote,
our paraphrases that share no word with the paragraph beyond names), each split in its dev
half (tuned on) and test half (only reported), also typed without diacritics ("plain");
XQuAD's Vietnamese questions as asked, without diacritics, in English, and rewritten the ways
people chat (benchmarks/chat_style.py).

Per set: R@1 of the answerable questions; "refused" (answerable, answered "the articles do not
say"); "uncertain" (answerable, shown with a caveat); answered precision (of the questions
answered with confidence, the share whose top passage is right: unanswerable ones count as
wrong); unanswerable not presented as answered (of which said plainly: "no_answer"). Every question goes through
``Pipeline.verdict``, as every answer does. Writes benchmarks/out/understanding.json.
"""

from __future__ import annotations

import json
import sys

from retrieval.answer import ANSWERED, NO_ANSWER, UNCERTAIN
from retrieval.corpus import corpus_passages, load_corpus
from retrieval.evaluate import read_passages, read_questions, strip_questions

from .chat_style import rewrite
from .common import OUT, SEED_SETS, prepared, seed_questions, setup, xquad_question_sets

CHAT_REWRITES = ("mixed", "abbrev", "typos", "keywords")


def measure(passages, questions, embedder, settings) -> dict:
    pipeline, items = prepared(passages, questions, embedder, settings)
    ids = pipeline.index.passages
    answerable = right = refused = unsure = answered = answered_right = unanswerable = held_back = plainly = 0
    for q, plan, vector in items:
        ranking, _, status = pipeline.verdict(plan, vector)
        top_right = bool(q.gold) and bool(ranking.rows) and ids[ranking.rows[0]].id in q.gold
        answered += status == ANSWERED
        answered_right += status == ANSWERED and top_right
        if q.gold:
            answerable += 1
            right += top_right
            refused += status == NO_ANSWER
            unsure += status == UNCERTAIN
        else:
            unanswerable += 1
            held_back += status != ANSWERED
            plainly += status == NO_ANSWER
    share = lambda a, b: round(a / b, 3) if b else None  # noqa: E731
    return {"n": answerable, "r1": share(right, answerable), "refused": share(refused, answerable),
            "uncertain": share(unsure, answerable), "answered": answered,
            "precision": share(answered_right, answered), "unanswerable": unanswerable,
            "not_answered": held_back, "said_plainly": plainly}


def sets(args, settings):
    """(name, passages, questions) of every set measured."""
    seeds = corpus_passages(load_corpus(settings.seeds_dir))
    for name in SEED_SETS:
        for split in ("dev", "test"):
            questions = seed_questions(split, name)
            if questions:
                yield f"{name} {split}", seeds, questions
                if name != "unanswerable":  # the same questions typed without diacritics, as people chat
                    yield f"{name} {split} plain", seeds, strip_questions(questions)
    if args.no_xquad:
        return
    passages = read_passages(args.xquad / "passages.jsonl")
    for name, questions in xquad_question_sets(args.xquad).items():
        yield f"xquad {name}", passages, questions
    vietnamese = read_questions(args.xquad / "questions.jsonl")
    for name in CHAT_REWRITES:
        yield f"xquad chat-{name}", passages, rewrite(vietnamese, name, seed=7)


def main(argv=None):
    args, settings, embedder = setup(argv, __doc__.splitlines()[0],
                                     flags={"--no-xquad": "only the sets over the seed articles"})
    rows = {}
    print(f"{'set':<22} {'n':>5} {'R@1':>6} {'refused':>8} {'uncertain':>9} {'answered':>9} {'precision':>9} "
          f"{'unanswerable not answered':>26}")
    for name, passages, questions in sets(args, settings):
        row = rows[name] = measure(passages, questions, embedder, settings)
        fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        held = (f"{row['not_answered']}/{row['unanswerable']} ({row['said_plainly']} no_answer)"
                if row["unanswerable"] else "-")
        print(f"{name:<22} {row['n']:>5} {fmt(row['r1']):>6} {fmt(row['refused']):>8} {fmt(row['uncertain']):>9} "
              f"{row['answered']:>9} {fmt(row['precision']):>9} {held:>26}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "understanding.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
