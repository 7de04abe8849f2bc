"""Fit the two answer models (a logistic model per kind of question, each).

The first predicts that the top passage answers the question. Positives: questions whose top
passage is right (the first half of XQuAD on its own passages, as asked and rewritten the ways
people chat (benchmarks/chat_style.py), and the "dev" half of every question set over the seed
articles: ours, the field questions other people wrote, our paraphrases, our unanswerable
ones; those typed with diacritics also typed without them). Negatives: the same questions when
their top passage is wrong, questions asked of a corpus that cannot answer them (XQuAD's
first-half questions against the seed articles), and the off-topic and near-domain questions of
those sets. "Answered": the lowest threshold (0.5 at least) at which the dev questions over
the seed articles answered are right 97% of the time (PRECISION) and at most 15% of the
near-domain ones come through, and only where the passage holds what is asked for. The second, fitted on the same rows labelled by whether the corpus answers the question at
all and on evidence that does not compare the top with the rest of its corpus, decides "no
answer": per kind, the highest threshold that leaves at most 0.5% of its tuning questions whose
top passage is right (3% of those over the seed articles) unanswered. With --write the fitted
numbers replace those in retrieval/data/tuned.json; the held-out figures (XQuAD's second half,
the "test" halves) and a reliability table are printed.

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
from .common import OUT, SEED_SETS, prepared, seed_questions, setup, typed_plain, with_kind, xquad_question_sets


def features(pipeline, items):
    """Per question: its kind, its evidence, and whether the top passage is one that answers it."""
    rows = []
    for q, plan, vec in items:
        ranking = pipeline.rank(plan, vec)
        ev = ranking.evidence
        right = bool(ranking.rows) and pipeline.index.passages[ranking.rows[0]].id in q.gold
        rows.append((plan.kind, [ev.dense_z, ev.coverage, ev.margin, ev.sentence_z, ev.missing_names, ev.wrong_type,
                                 ev.sentence_cos, ev.topic, ev.type_nowhere], right))
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
        data += [(k, f, int(right), source) for k, f, right in features(searcher, items)]
        searcher, items = prepared(seeds, [dataclasses.replace(q, gold=()) for q in qs], embedder, settings)
        data += [(k, f, 0, f"{source}-vs-seeds") for k, f, _ in features(searcher, items)]
    for name in SEED_SETS:  # ours, the field questions, our paraphrases and unanswerable ones: the real use
        qs = seed_questions("dev" if half == "first" else "test", name)
        qs += typed_plain(qs)
        searcher, items = prepared(seeds, qs, embedder, settings)
        data += [(k, f, int(right), f"{name}-near" if q.kind == "near" else name if q.gold else f"{name}-off")
                 for (k, f, right), (q, _, _) in zip(features(searcher, items), items)]
    return data


CHAT_REWRITES = ("mixed", "abbrev", "typos", "keywords")


SEED_WEIGHT = 40.0


# Evidence that can only count against an answer: a fit that gives it a positive weight has
# learnt a coincidence of the tuning data, so it is left out and the rest fitted again.
NEGATIVE_ONLY = (4, 5, 8)  # missing_names, wrong_type, type_nowhere (columns of features())


def _fit_signed(model, X, y, w, unused=()):
    dropped: set[int] = set(unused)
    while True:
        keep = [i for i in range(X.shape[1]) if i not in dropped]
        m = model(C=1.0).fit(X[:, keep], y, sample_weight=w)
        coef = dict(zip(keep, map(float, m.coef_[0])))
        wrong = [i for i in NEGATIVE_ONLY if coef.get(i, 0.0) > 0]
        if not wrong:
            return (float(m.intercept_[0]), *[coef.get(i, 0.0) for i in range(X.shape[1])])
        dropped.update(wrong)


def fit(data, unused=()):
    """Per kind, the logistic model's bias and weights (columns in ``unused`` weigh 0)."""
    from sklearn.linear_model import LogisticRegression

    by_kind = defaultdict(list)
    for kind, f, label, source in data:
        # The seed questions are the product's real use; XQuAD only adds volume.
        by_kind[kind].append((f, label, SEED_WEIGHT if on_seeds(source) else 1.0))
    models = {}
    for kind, rows in by_kind.items():
        X = np.array([r[0] for r in rows])
        y = np.array([r[1] for r in rows])
        w = np.array([r[2] for r in rows])
        if min(int(y.sum()), int(len(y) - y.sum())) < MIN_QUESTIONS:  # Korean: too few to fit
            continue
        models[kind] = _fit_signed(LogisticRegression, X, y, w, unused)
        print(f"{kind.value:<9} " + " ".join(f"{n}={v:.3f}" for n, v in zip(FIELDS, models[kind])))
    return models


FIELDS = ("bias", "dense", "coverage", "margin", "sentence", "missing_names", "wrong_type", "sentence_cos", "topic",
          "type_nowhere")


# Evidence measured against the rest of the corpus (how much nearer than the other passages):
# the top of a corpus about one topic stands out as much for "how do I bake bread?" as for a
# real question, so whether the articles answer at all is judged without it.
RELATIVE = (0, 2, 3)  # dense_z, margin, sentence_z (columns of features())
# Whether the top passage answers reads whether it holds what is asked for (wrong_type); whether
# the articles answer at all reads whether any passage near the top does (type_nowhere): a
# question whose date is in the third passage is not one the articles say nothing about.
NOT_FOR_ANSWER, NOT_FOR_TOPIC = (8,), (5,)  # type_nowhere, wrong_type: the columns each model leaves out


# Korean: too few questions to fit, and e5 does not tell a Korean question about the articles from
# one about anything else (closest-sentence cosine 0.755-0.799 for our off-topic Korean questions,
# 0.786 +- 0.006 for the answerable ones): both models say 0.5, so a Korean question is shown with
# the caveat, never answered outright and never refused.
UNFITTED = Calibration(bias=0.0, dense=0.0, coverage=0.0, margin=0.0)


def on_seeds(source: str) -> bool:
    """Whether a row comes from a question set over the seed articles (not XQuAD)."""
    return source.split("-")[0] in SEED_SETS


def confidences(data, models):
    out = []
    for kind, f, label, source in data:
        m = models.get(kind) or dataclasses.astuple(CALIBRATION[kind])  # a kind not fitted: as it stands
        out.append((1 / (1 + np.exp(-(m[0] + np.dot(m[1:], f)))), label, source))
    return out


WRONG_TYPE = 5  # column of features(): the top passage lacks what is asked for (a year for "năm nào")


def answerable_outright(confidence: float, row, answer: float) -> bool:
    """As ``Pipeline.verdict`` decides "answered": confident, and the passage holds what is asked for."""
    return confidence >= answer and not row[1][WRONG_TYPE]


def statuses(data, topical_data, models, topical_models, answer: float, uncertain: dict[Kind, float]):
    """Per row: 0 answered, 1 uncertain, 2 no answer (as ``Pipeline.verdict`` decides), its label, its source."""
    rows = zip(confidences(data, models), confidences(topical_data, topical_models), data)
    return [(0 if answerable_outright(c, row, answer) else 1 if t >= uncertain[row[0]] else 2, label, source)
            for (c, label, source), (t, _, _), row in rows]


def topical(data):
    """The same rows labelled by whether their corpus answers the question at all."""
    return [(kind, f, int(answerable(source)), source) for kind, f, _, source in data]


UNANSWERED_BUDGET = 0.005  # of each kind's answerable tuning questions; the held-out half sees about 4x that
MIN_QUESTIONS = 50  # fewer answerable tuning questions of a kind (Korean): the lowest other kind's threshold
MIN_SEED_QUESTIONS = 20  # fewer answerable dev questions of a kind over the seed articles: their budget is not applied


def answerable(source: str) -> bool:
    """Whether a row's question is one its corpus answers (its top passage right or not)."""
    return not source.endswith(("-near", "-off", "-vs-seeds"))


SEED_UNANSWERED_BUDGET = 0.03  # of each kind's answerable dev questions over the seed articles


def uncertain_thresholds(data, models, answer: float, right: list[int]) -> dict[Kind, float]:
    """Per kind, the highest threshold (no higher than ``answer``) under which at most
    UNANSWERED_BUDGET of its tuning questions whose top passage is right fall, and at most
    SEED_UNANSWERED_BUDGET of those over the seed articles (the product's own use, paraphrases
    among them): "no answer" never hides the right passage, and is said when nothing near is
    found. (``right``: per row, whether its top passage answers.)"""
    scored = list(zip(confidences(data, models), data, right))
    out = {}
    for kind in Kind:
        cuts = []
        for budget, counted in ((UNANSWERED_BUDGET, lambda source, row, ok: ok),
                                (SEED_UNANSWERED_BUDGET, lambda source, row, ok: on_seeds(source) and row[2])):
            scores = sorted(c for (c, _, source), row, ok in scored if counted(source, row, ok) and row[0] is kind)
            if len(scores) >= MIN_SEED_QUESTIONS:
                cuts.append(float(scores[int(budget * len(scores))]))
        if cuts and sum(1 for _, row, ok in scored if ok and row[0] is kind) >= MIN_QUESTIONS:
            out[kind] = min(answer, round(min(cuts), 3))
    floor = min(out.values(), default=answer)
    out = {kind: out.get(kind, floor) for kind in Kind}
    out[Kind.OTHER] = out[Kind.EN]
    return out


PRECISION = 0.97  # of "answered" on the dev questions over the seed articles: #18's goal for what is
#                   presented as answered (with ~130 of them, one wrong answer is 0.8%; 0.95 until the
#                   stronger query map of session 22 let the threshold fall to 0.63 and seeds dev precision to 0.945)
NEAR_BUDGET = 0.15  # of the near-domain tuning questions that may come out "answered"


def answer_threshold(data, models) -> float:
    """The lowest threshold (0.5 at least) at which the tuning questions over the seed articles
    answered have their top passage right at least PRECISION of the time, and at most
    NEAR_BUDGET of the near-domain ones (about Busan and HCMC, not in the articles) are answered."""
    scored = [(c, label, source, row) for (c, label, source), row in zip(confidences(data, models), data)
              if on_seeds(source)]
    near = sorted((c for c, _, source, row in scored if source.endswith("-near") and not row[1][WRONG_TYPE]),
                  reverse=True)
    floor = max(0.5, float(near[int(NEAR_BUDGET * len(near))]) + 1e-3) if near else 0.5
    for t in sorted({c for c, _, _, _ in scored if c >= floor} | {floor}):
        above = [label for c, label, _, row in scored if answerable_outright(c, row, t)]
        if not above or sum(above) >= PRECISION * len(above):
            return round(t, 3)
    return 1.0


def reliability(data, models, bins=(0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0001)):
    """Confidence against how often the top passage was right, per bin (rows over the seed articles)."""
    scored = [(c, label) for c, label, source in confidences(data, models) if on_seeds(source)]
    print(f"  {'confidence':<12} {'n':>4} {'mean':>6} {'right':>6}")
    for lo, hi in zip(bins, bins[1:]):
        inside = [(c, label) for c, label in scored if lo <= c < hi]
        if inside:
            print(f"  {lo:.1f}-{min(hi, 1.0):.1f}    {len(inside):>4} {np.mean([c for c, _ in inside]):>6.3f} "
                  f"{np.mean([label for _, label in inside]):>6.3f}")


def report(data, topical_data, models, topical_models, answer: float, uncertain: dict[Kind, float]):
    stats = defaultdict(lambda: [0, 0, 0])
    for status, label, source in statuses(data, topical_data, models, topical_models, answer, uncertain):
        stats[(source, label)][status] += 1
    for (source, label), (answered, unsure, refused) in sorted(stats.items()):
        n = answered + unsure + refused
        print(f"  {source:<20} {'top right' if label else 'top wrong':<10} answered {answered / n:.3f}  "
              f"uncertain {unsure / n:.3f}  no_answer {refused / n:.3f}  (n={n})")


def main(argv=None):
    args, settings, embedder = setup(argv, __doc__.splitlines()[0], "write the fit into retrieval/data/tuned.json")
    train = collect("first", embedder, settings, args.xquad)
    held = collect("second", embedder, settings, args.xquad)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "calibration_data.json").write_text(json.dumps(
        {"train": [(k.value, f, y, src) for k, f, y, src in train],
         "held": [(k.value, f, y, src) for k, f, y, src in held]}))
    models = fit(train, NOT_FOR_ANSWER)
    print("topicality (the articles answer at all):")
    topical_train, topical_held = topical(train), topical(held)
    topical_models = fit(topical_train, RELATIVE + NOT_FOR_TOPIC)
    for fitted in (models, topical_models):
        fitted.setdefault(Kind.KO, dataclasses.astuple(UNFITTED))
    answer = answer_threshold(train, models)
    uncertain = uncertain_thresholds(topical_train, topical_models, answer, [label for _, _, label, _ in train])
    print(f"uncertain thresholds (topicality; at most {UNANSWERED_BUDGET:.1%} of each kind's answerable tuning "
          f"questions below, {SEED_UNANSWERED_BUDGET:.0%} of those over the seed articles): "
          + ", ".join(f"{k.value} {v}" for k, v in uncertain.items()))
    print(f"answer threshold (answered right >= {PRECISION:.0%} of the time on the dev questions over the seed "
          f"articles; at most {NEAR_BUDGET:.0%} of the near-domain ones answered): {answer}")
    for name, data, topical_data in (("train (first half, dev questions)", train, topical_train),
                                     ("held out (second half, test questions)", held, topical_held)):
        print(f"{name}:")
        report(data, topical_data, models, topical_models, answer, uncertain)
    print("reliability, held out (test questions over the seed articles):")
    reliability(held, models)
    if args.write:
        def completed(fitted_models):
            out = {kind: Calibration(*m) for kind, m in fitted_models.items()}
            out[Kind.OTHER] = out[Kind.EN]
            return by_kind(out)

        write_section("calibration", {"by_kind": completed(models),
                                      "topicality_by_kind": completed(topical_models),
                                      "answer_threshold": answer,
                                      "uncertain_threshold": {k.value: v for k, v in uncertain.items()}})
        print("wrote the calibration and thresholds into retrieval/data/tuned.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
