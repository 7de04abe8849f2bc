"""Fit the answer / no-answer calibration (a logistic model per kind of question).

Positives: questions whose corpus holds the answer (first half of XQuAD on its own passages,
the seed "dev" questions on the seed articles). Negatives: questions asked of a corpus that
cannot answer them (XQuAD's first-half questions against the seed articles, and the seed
off-topic "dev" questions). With --write the fitted numbers replace those in
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
from retrieval.evaluate import half_filter, read_passages
from retrieval.fusion import Calibration
from retrieval.text import Kind
from retrieval.tuned import CALIBRATION, by_kind, write_section

from .common import OUT, prepared, seed_questions, setup, with_kind, xquad_question_sets


def features(pipeline, items):
    rows = []
    for q, plan, vec in items:
        ev = pipeline.rank(plan, vec).evidence
        rows.append((plan.kind, [ev.dense_z, ev.coverage, ev.margin, ev.sentence_z]))
    return rows


def collect(half, embedder, settings, xquad: Path):
    passages = read_passages(xquad / "passages.jsonl")
    seeds = corpus_passages(load_corpus(settings.seeds_dir))
    data = []  # (kind, features, label, source)
    for name, questions in xquad_question_sets(xquad).items():
        ps, qs = half_filter(passages, questions, half)
        qs = with_kind(qs, name)[::2]  # every other: plenty, and faster
        searcher, items = prepared(ps, qs, embedder, settings)
        data += [(k, f, 1, "xquad") for k, f in features(searcher, items)]
        searcher, items = prepared(seeds, [dataclasses.replace(q, gold=()) for q in qs], embedder, settings)
        data += [(k, f, 0, "xquad-vs-seeds") for k, f in features(searcher, items)]
    seed_q = seed_questions("dev" if half == "first" else "test")
    searcher, items = prepared(seeds, seed_q, embedder, settings)
    data += [(k, f, int(bool(q.gold)), "seeds") for (k, f), (q, _, _) in zip(features(searcher, items), items)]
    return data


SEED_WEIGHT = 40.0


def fit(data):
    from sklearn.linear_model import LogisticRegression

    by_kind = defaultdict(list)
    for kind, f, label, source in data:
        # The seed questions are the product's real use; XQuAD only adds volume.
        by_kind[kind].append((f, label, SEED_WEIGHT if source == "seeds" else 1.0))
    models = {}
    for kind, rows in by_kind.items():
        X = np.array([r[0] for r in rows])
        y = np.array([r[1] for r in rows])
        w = np.array([r[2] for r in rows])
        if len(set(y)) < 2:
            continue
        m = LogisticRegression(C=1.0).fit(X, y, sample_weight=w)
        models[kind] = (float(m.intercept_[0]), *map(float, m.coef_[0]))
        print(f"{kind.value:<9} bias={models[kind][0]:.3f} dense={models[kind][1]:.3f} "
              f"coverage={models[kind][2]:.3f} margin={models[kind][3]:.3f} sentence={models[kind][4]:.3f}")
    return models


def report(data, models, threshold=0.5):
    stats = defaultdict(lambda: [0, 0])
    for kind, f, label, source in data:
        m = models.get(kind)
        if m is None:
            continue
        z = m[0] + np.dot(m[1:], f)
        p = 1 / (1 + np.exp(-z))
        key = (source, label)
        stats[key][0] += p < threshold
        stats[key][1] += 1
    for (source, label), (refused, n) in sorted(stats.items()):
        print(f"  {source:<15} {'answerable' if label else 'off-topic ':<11} refused {refused}/{n} = {refused / n:.3f}")


def main(argv=None):
    args, settings, embedder = setup(argv, __doc__.splitlines()[0], "write the fit into retrieval/data/tuned.json")
    train = collect("first", embedder, settings, args.xquad)
    held = collect("second", embedder, settings, args.xquad)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "calibration_data.json").write_text(json.dumps(
        {"train": [(k.value, f, y, src) for k, f, y, src in train],
         "held": [(k.value, f, y, src) for k, f, y, src in held]}))
    models = fit(train)
    print("train (first half, seed dev):")
    report(train, models)
    print("held out (second half, seed test):")
    report(held, models)
    if args.write:
        fitted = dict(CALIBRATION)  # Korean keeps its hand-set model: it has no negatives to fit on
        fitted.update({kind: Calibration(*m) for kind, m in models.items()})
        fitted[Kind.OTHER] = fitted[Kind.EN]
        write_section("calibration", {"by_kind": by_kind(fitted)})
        print("wrote the calibration into retrieval/data/tuned.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
