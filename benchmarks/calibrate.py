"""Fit the answer / no-answer calibration (a logistic model per kind of question).

Positives: questions whose corpus holds the answer (first half of XQuAD on its own passages, as
asked and rewritten the ways people chat (benchmarks/chat_style.py), and the seed "dev"
questions on the seed articles, chat-style ones included). Negatives: questions asked of a
corpus that cannot answer them (XQuAD's first-half questions and their rewrites against the
seed articles), the seed off-topic "dev" questions and the near-domain ones (about Busan and
Ho Chi Minh City, not answered by the articles). Then the thresholds: "answered" the lowest
(0.5 at least) that lets at most 15% of the near-domain tuning questions through, "uncertain"
per kind the highest that leaves at most 0.5% of its answerable tuning questions unanswered. With --write the fitted numbers replace those in
retrieval/data/tuned.json; the held-out figures (second half, seed "test" questions) are printed.

    python -m benchmarks.calibrate [--write]
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from retrieval.corpus import corpus_passages, load_corpus
from retrieval.evaluate import half_filter, read_passages, read_questions
from retrieval.fusion import Calibration
from retrieval.text import Kind
from retrieval.tuned import CALIBRATION, by_kind, write_section

from .chat_style import rewrite
from .common import OUT, prepared, seed_questions, setup, with_kind, xquad_question_sets


def features(pipeline, items):
    rows = []
    for q, plan, vec in items:
        ev = pipeline.rank(plan, vec).evidence
        rows.append((plan.kind, [ev.dense_z, ev.coverage, ev.margin, ev.sentence_z, ev.missing_names, ev.wrong_type]))
    return rows


def collect(half, embedder, settings, xquad: Path):
    passages = read_passages(xquad / "passages.jsonl")
    seeds = corpus_passages(load_corpus(settings.seeds_dir))
    data = []  # (kind, features, label, source)
    sets = {name: with_kind(qs, name) for name, qs in xquad_question_sets(xquad).items()}
    vietnamese = read_questions(xquad / "questions.jsonl")
    sets.update({f"chat-{name}": rewrite(vietnamese, name, seed=11)[::2] for name in CHAT_REWRITES})
    for name, questions in sets.items():
        ps, qs = half_filter(passages, questions, half)
        qs = qs[::2]  # every other: plenty, and faster
        source = "chat" if name.startswith("chat") else "xquad"
        searcher, items = prepared(ps, qs, embedder, settings)
        data += [(k, f, 1, source) for k, f in features(searcher, items)]
        searcher, items = prepared(seeds, [dataclasses.replace(q, gold=()) for q in qs], embedder, settings)
        data += [(k, f, 0, f"{source}-vs-seeds") for k, f in features(searcher, items)]
    seed_q = seed_questions("dev" if half == "first" else "test")
    searcher, items = prepared(seeds, seed_q, embedder, settings)
    data += [(k, f, int(bool(q.gold)), "seeds-near" if q.kind == "near" else "seeds")
             for (k, f), (q, _, _) in zip(features(searcher, items), items)]
    return data


CHAT_REWRITES = ("mixed", "abbrev", "typos", "keywords")


SEED_WEIGHT = 40.0


# Evidence that can only count against an answer: a fit that gives it a positive weight has
# learnt a coincidence of the tuning data, so it is left out and the rest fitted again.
NEGATIVE_ONLY = (4, 5)  # missing_names, wrong_type (columns of features())


def _fit_signed(model, X, y, w):
    dropped: set[int] = set()
    while True:
        keep = [i for i in range(X.shape[1]) if i not in dropped]
        m = model(C=1.0).fit(X[:, keep], y, sample_weight=w)
        coef = dict(zip(keep, map(float, m.coef_[0])))
        wrong = [i for i in NEGATIVE_ONLY if coef.get(i, 0.0) > 0]
        if not wrong:
            return (float(m.intercept_[0]), *[coef.get(i, 0.0) for i in range(X.shape[1])])
        dropped.update(wrong)


def fit(data):
    from sklearn.linear_model import LogisticRegression

    by_kind = defaultdict(list)
    for kind, f, label, source in data:
        # The seed questions are the product's real use; XQuAD only adds volume.
        by_kind[kind].append((f, label, SEED_WEIGHT if source.startswith("seeds") else 1.0))
    models = {}
    for kind, rows in by_kind.items():
        X = np.array([r[0] for r in rows])
        y = np.array([r[1] for r in rows])
        w = np.array([r[2] for r in rows])
        if len(set(y)) < 2:
            continue
        models[kind] = _fit_signed(LogisticRegression, X, y, w)
        print(f"{kind.value:<9} " + " ".join(f"{n}={v:.3f}" for n, v in zip(FIELDS, models[kind])))
    return models


FIELDS = ("bias", "dense", "coverage", "margin", "sentence", "missing_names", "wrong_type")


def confidences(data, models):
    out = []
    for kind, f, label, source in data:
        m = models.get(kind) or tuple(getattr(CALIBRATION[kind], n) for n in FIELDS)
        out.append((1 / (1 + np.exp(-(m[0] + np.dot(m[1:], f)))), label, source))
    return out


def statuses(data, models, answer: float, uncertain: dict[Kind, float]):
    return [(0 if c >= answer else 1 if c >= uncertain[row[0]] else 2, label, source)
            for (c, label, source), row in zip(confidences(data, models), data)]


UNANSWERED_BUDGET = 0.005  # of each kind's answerable tuning questions; the held-out half sees about 4x that
MIN_QUESTIONS = 50  # fewer answerable tuning questions of a kind (Korean): the lowest other kind's threshold


def uncertain_thresholds(data, models, answer: float) -> dict[Kind, float]:
    """Per kind, the highest threshold under which at most UNANSWERED_BUDGET of its answerable
    questions fall (no higher than ``answer``)."""
    out = {}
    for kind in Kind:
        scores = sorted(c for (c, label, _), row in zip(confidences(data, models), data) if label and row[0] is kind)
        if len(scores) >= MIN_QUESTIONS:
            out[kind] = min(answer, round(float(scores[int(UNANSWERED_BUDGET * len(scores))]), 3))
    floor = min(out.values(), default=answer)
    out = {kind: out.get(kind, floor) for kind in Kind}
    out[Kind.OTHER] = out[Kind.EN]
    return out


def answer_threshold(data, models, budget: float = 0.15) -> float:
    """The lowest threshold (0.5 at least) at which at most ``budget`` of the near-domain
    questions (about Busan and HCMC, not answered by the articles) count as answered."""
    near = sorted((c for c, label, source in confidences(data, models) if source == "seeds-near"), reverse=True)
    if not near:
        return 0.5
    return round(max(0.5, float(near[int(budget * len(near))]) + 1e-3), 3)


def report(data, models, answer: float, uncertain: dict[Kind, float]):
    stats = defaultdict(lambda: [0, 0, 0])
    for status, label, source in statuses(data, models, answer, uncertain):
        stats[(source, label)][status] += 1
    for (source, label), (answered, unsure, refused) in sorted(stats.items()):
        n = answered + unsure + refused
        print(f"  {source:<20} {'answerable' if label else 'unanswerable':<13} answered {answered / n:.3f}  "
              f"uncertain {unsure / n:.3f}  no_answer {refused / n:.3f}  (n={n})")


def main(argv=None):
    args, settings, embedder = setup(argv, __doc__.splitlines()[0], "write the fit into retrieval/data/tuned.json")
    train = collect("first", embedder, settings, args.xquad)
    held = collect("second", embedder, settings, args.xquad)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "calibration_data.json").write_text(json.dumps(
        {"train": [(k.value, f, y, src) for k, f, y, src in train],
         "held": [(k.value, f, y, src) for k, f, y, src in held]}))
    models = fit(train)
    answer = answer_threshold(train, models)
    uncertain = uncertain_thresholds(train, models, answer)
    print(f"uncertain thresholds (at most {UNANSWERED_BUDGET:.1%} of each kind's answerable tuning questions below): "
          + ", ".join(f"{k.value} {v}" for k, v in uncertain.items()))
    print(f"answer threshold (at most 15% of near-domain tuning questions above): {answer}")
    print("train (first half, seed dev):")
    report(train, models, answer, uncertain)
    print("held out (second half, seed test):")
    report(held, models, answer, uncertain)
    if args.write:
        fitted = dict(CALIBRATION)  # Korean keeps its hand-set model: it has no negatives to fit on
        fitted.update({kind: Calibration(*m) for kind, m in models.items()})
        fitted[Kind.OTHER] = fitted[Kind.EN]
        write_section("calibration", {"by_kind": by_kind(fitted), "answer_threshold": answer,
                                      "uncertain_threshold": {k.value: v for k, v in uncertain.items()}})
        print("wrote the calibration and thresholds into retrieval/data/tuned.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
