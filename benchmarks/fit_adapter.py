"""Fit the query adapter: a linear map on the question's embedding (``retrieval/adapter.py``).

Questions are embedded as the pipeline embeds them (``plan.dense_text``); the map ``W = I + D``
is fitted so that each question's vector, mapped and normalised, is nearer its paragraph's
than any other paragraph of its corpus (softmax cross-entropy at temperature TAU, full batch,
Adam), with ``lam * |D|^2`` keeping it near the identity. Training questions: the first half of
XQuAD (by document) as asked in Vietnamese and English, without diacritics and in the four
chat rewrites, against its own paragraphs; and the "dev" half of the question sets over the seed
articles (ours, the field questions other people wrote, our paraphrases, and our conversations'
turns that stand alone: first turns, topic switches and the hand rewrites of follow-ups) against
the seed paragraphs, counted ``seed_weight`` times. Without --lam, ``lam`` and ``seed_weight`` are
searched by two-fold cross-validation: half of the seed dev questions and half of XQuAD's
first-half documents held out in turn, the dense Recall@1 on what was held out averaged. Dense
Recall@1 is not the whole story: a strong map (small ``lam``) pulls every question away from
the direction all e5 vectors share (cosines to the right paragraph fall from ~0.86 to ~0.33),
the answer models refitted on it may refuse more: each candidate is judged by the whole pipeline
on the dev halves after tune_fusion and calibrate (lam 10, seed_weight 10 shipped, and why: see
tuned.json "query_adapter"). Nothing of the "test" halves or of XQuAD's second half is used;
their dense Recall@1 with and without the map is printed.

What it learns is mostly the seed articles' own paragraphs: on XQuAD's second half (documents it
never saw) the figures stay as they were. Questions about articles added later meet a map that
leaves them about where they were; fit again with questions about them to move them too.

--write saves the map to retrieval/data/query_adapter.npz (float16) and its provenance to
tuned.json "query_adapter"; the two folds' maps go to benchmarks/data/query_adapter_folds.npz
(float16, as the shipped map; in git, so a fresh clone measures what the README says), which
the other fitting scripts and the benchmarks use for the seed dev questions (each with the map fitted
without it), so the answer model is never fitted on questions the map has already seen.

    python -m benchmarks.fit_adapter [--lam 10 --seed-weight 10] [--write]

After --write, refit what reads the mapped vectors: tune_fusion --write, then calibrate --write.
"""

from __future__ import annotations

import hashlib
import sys

import numpy as np

from retrieval.corpus import corpus_passages, load_corpus
from retrieval.evaluate import half_filter, read_passages, read_questions
from retrieval.tuned import write_section

from .chat_style import rewrite
from .common import FOLDS_FILE, conversation_standalone, pipeline_over, seed_questions, setup, xquad_question_sets

TAU = 0.02  # e5's similarities sit in a narrow band: a sharp softmax
STEPS, LEARNING_RATE = 200, 1e-3
LAMBDAS, SEED_WEIGHTS = (0.1, 0.3, 1.0, 3.0), (1.0, 3.0, 10.0)
SHIPPED_SEED_WEIGHT = 10.0  # with --lam alone
SEED_SETS_FITTED = ("seeds", "field", "paraphrase")


def fold_of(question_id: str) -> int:
    """The cross-validation fold of a seed question: stable across runs and machines."""
    return hashlib.sha256(question_id.encode()).digest()[0] % 2


class Group:
    """One corpus's paragraph vectors and questions (vectors, the row of their paragraph)."""

    def __init__(self, name, passages, questions, embedder, settings, ids=None):
        pipeline = pipeline_over(passages, embedder, settings)
        row = {p.id: i for i, p in enumerate(passages)}
        kept = [q for q in questions if q.gold and any(g in row for g in q.gold)]
        plans = [pipeline.planner.plan(q.text) for q in kept]
        self.name = name
        self.passages = np.asarray(pipeline.index.dense.passage_vectors(list(range(len(passages)))), np.float32)
        self.queries = np.asarray(embedder.embed_queries([p.dense_text for p in plans]), np.float32)
        self.gold = [[row[g] for g in q.gold if g in row] for q in kept]
        self.ids = [q.id for q in kept]
        self.texts = [p.dense_text for p in plans]
        self.articles = [passages[g[0]].article for g in self.gold]

    def subset(self, keep) -> "Group":
        out = object.__new__(Group)
        out.name, out.passages = self.name, self.passages
        idx = [i for i in range(len(self.ids)) if keep(i)]
        out.queries = self.queries[idx]
        for attr in ("gold", "ids", "texts", "articles"):
            setattr(out, attr, [getattr(self, attr)[i] for i in idx])
        return out

    def recall(self, matrix: np.ndarray) -> float:
        if not self.ids:
            return float("nan")
        mapped = self.queries @ matrix.T
        mapped /= np.linalg.norm(mapped, axis=1, keepdims=True)
        top = np.argmax(mapped @ self.passages.T, axis=1)
        return float(np.mean([t in g for t, g in zip(top, self.gold)]))


def fit(groups: list[tuple[Group, float]], lam: float, dim: int) -> np.ndarray:
    import torch

    torch.manual_seed(0)
    delta = torch.zeros(dim, dim, requires_grad=True)
    optimiser = torch.optim.Adam([delta], lr=LEARNING_RATE)
    batches = [(torch.tensor(g.passages), torch.tensor(g.queries), torch.tensor([gold[0] for gold in g.gold]), w)
               for g, w in groups if g.ids]
    for _ in range(STEPS):
        optimiser.zero_grad()
        loss = lam * (delta ** 2).sum()
        for passages, queries, target, weight in batches:
            mapped = queries + queries @ delta.T
            mapped = mapped / mapped.norm(dim=1, keepdim=True)
            loss = loss + weight * torch.nn.functional.cross_entropy(mapped @ passages.T / TAU, target)
        loss.backward()
        optimiser.step()
    return np.eye(dim, dtype=np.float32) + delta.detach().numpy()


def collect(embedder, settings, xquad):
    """(XQuAD first half, per way of asking), (seed dev sets), (held out: XQuAD second half, seed test sets)."""
    passages = read_passages(xquad / "passages.jsonl")
    sets = xquad_question_sets(xquad)
    vietnamese = read_questions(xquad / "questions.jsonl")
    sets.update({f"chat-{name}": rewrite(vietnamese, name, seed=5) for name in ("mixed", "abbrev", "typos", "keywords")})
    seeds = corpus_passages(load_corpus(settings.seeds_dir, max_bytes=settings.max_article_bytes))
    first, _ = half_filter(passages, [], "first")
    second, _ = half_filter(passages, [], "second")
    xquad_train = [Group(f"xquad {n}", first, half_filter(passages, qs, "first")[1], embedder, settings)
                   for n, qs in sets.items()]
    seed_train = [Group(n, seeds, seed_questions("dev", n), embedder, settings) for n in SEED_SETS_FITTED]
    seed_train.append(Group("conversations", seeds, conversation_standalone("dev"), embedder, settings))
    held = ([Group(f"xquad {n}", second, half_filter(passages, qs, "second")[1], embedder, settings)
             for n, qs in sets.items()]
            + [Group(f"{n} test", seeds, seed_questions("test", n), embedder, settings) for n in SEED_SETS_FITTED]
            + [Group("conversations test", seeds, conversation_standalone("test"), embedder, settings)])
    return xquad_train, seed_train, held


def cross_validate(xquad_train, seed_train, lam, weight, dim) -> tuple[float, list[np.ndarray]]:
    """Mean held-out dense Recall@1 over two folds (seed questions by id, XQuAD by document),
    and each fold's map (fitted without that fold's seed questions)."""
    articles = sorted({a for g in xquad_train for a in g.articles})
    xquad_fold = {a: i % 2 for i, a in enumerate(articles)}
    scores, maps = [], []
    for k in (0, 1):
        train = ([(g.subset(lambda i, g=g: xquad_fold[g.articles[i]] != k), 1.0) for g in xquad_train]
                 + [(g.subset(lambda i, g=g: fold_of(g.ids[i]) != k), weight) for g in seed_train])
        matrix = fit(train, lam, dim)
        held_seed = [g.subset(lambda i, g=g: fold_of(g.ids[i]) == k).recall(matrix) for g in seed_train]
        held_xquad = [g.subset(lambda i, g=g: xquad_fold[g.articles[i]] == k).recall(matrix) for g in xquad_train]
        scores.append((np.nanmean(held_seed) + np.nanmean(held_xquad)) / 2)
        maps.append(matrix)
    return float(np.mean(scores)), maps


def save_folds(maps: list[np.ndarray], texts: dict[str, int], model_id: str) -> None:
    """The two folds' maps and which fold each fitted question's text is in, written whole or not at all."""
    FOLDS_FILE.parent.mkdir(parents=True, exist_ok=True)
    partial = FOLDS_FILE.with_suffix(".tmp.npz")
    np.savez(partial, fold0=maps[0].astype(np.float16), fold1=maps[1].astype(np.float16),
             texts=np.array(list(texts)), folds=np.array(list(texts.values())), model_id=np.array(model_id))
    partial.replace(FOLDS_FILE)


def main(argv=None) -> int:
    args, settings, embedder = setup(argv, __doc__.splitlines()[0],
                                     "save the map (retrieval/data/query_adapter.npz, tuned.json) and the folds' maps",
                                     options={"--lam": "only this lam (with --seed-weight): no search",
                                              "--seed-weight": "only this seed weight (with --lam)"})
    xquad_train, seed_train, held = collect(embedder, settings, args.xquad)
    dim = seed_train[0].passages.shape[1]
    identity = np.eye(dim, dtype=np.float32)
    results = {}
    grid = ([(float(args.lam), float(args.seed_weight or SHIPPED_SEED_WEIGHT))] if args.lam is not None
            else [(lam, weight) for lam in LAMBDAS for weight in SEED_WEIGHTS])
    print("lam   seed_weight  cross-validated dense R@1 (seed dev folds and XQuAD first-half folds, mean)")
    for lam, weight in grid:
        results[lam, weight] = cross_validate(xquad_train, seed_train, lam, weight, dim)
        print(f"{lam:<5} {weight:<12} {results[lam, weight][0]:.4f}", flush=True)
    baseline = np.mean([np.nanmean([g.recall(identity) for g in seed_train]),
                        np.nanmean([g.recall(identity) for g in xquad_train])])
    lam, weight = max(results, key=lambda key: results[key][0])
    print(f"chosen: lam {lam}, seed_weight {weight} (cross-validated {results[lam, weight][0]:.4f}; "
          f"without the map {baseline:.4f})")
    matrix = fit([(g, 1.0) for g in xquad_train] + [(g, weight) for g in seed_train], lam, dim)
    print("held out (never fitted on; a test question that reads as a dev one is left out): "
          "dense Recall@1 without -> with the map")
    fitted = {t for g in seed_train for t in g.texts}
    figures = {}
    for g in (h.subset(lambda i, h=h: h.texts[i] not in fitted) for h in held):
        before, after = g.recall(identity), g.recall(matrix)
        figures[g.name] = [round(before, 4), round(after, 4)]
        print(f"  {g.name:<22} {before:.3f} -> {after:.3f}  (n={len(g.ids)})")
    if args.write:
        from retrieval.adapter import ADAPTER_FILE, save_adapter

        save_adapter(ADAPTER_FILE, matrix, embedder.model_id)
        texts = {t: fold_of(i) for g in seed_train for t, i in zip(g.texts, g.ids)}
        save_folds(results[lam, weight][1], texts, embedder.model_id)
        write_section("query_adapter", {"file": ADAPTER_FILE.name, "model_id": embedder.model_id, "lam": lam,
                                        "seed_weight": weight, "tau": TAU, "steps": STEPS,
                                        "held_out_dense_recall_at_1": figures})
        print(f"wrote {ADAPTER_FILE}, {FOLDS_FILE} and tuned.json 'query_adapter'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
